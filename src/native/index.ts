export { native } from './binding.js';
export type {
  BatchOptions,
  NativeBinding,
  NativeDirEntry,
  NativeDirEntryType,
  NativeFailure,
  NativeFaultConfig,
  NativeFileLock,
  NativeOp,
  NativeResult,
  NativeSkipped,
  NativeStat,
  NativeSuccess,
  NativeTree,
  OpKind,
  TreeOptions,
} from './binding.js';
export { isNativeFailure } from './errors.js';
