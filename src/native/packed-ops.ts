/**
 * Operations packed for the addon ({@link NativePackedOps}): a batch of
 * tens of thousands of operations crosses into the addon as a few typed
 * arrays and two joined strings, instead of objects whose fields the addon
 * reads one Node-API call at a time (five to seven per operation, the main
 * thread's largest cost in a clear or restore under emulation).
 */
import { PACKED_OP_KINDS, type NativeOp, type NativePackedOps, type OpKind } from './binding.js';

/** Each operation's code in {@link NativePackedOps.kinds}. */
const CODES = new Map<OpKind, number>(PACKED_OP_KINDS.map((kind, code) => [kind, code]));
/** The bit of a packed kind that marks an independent operation. */
const INDEPENDENT = 0x80;

/**
 * Packs operations, `abs` making their paths (and symlink targets)
 * absolute. Null when something cannot be packed, which the object form
 * then reports by operation and field: a path, value or target that is no
 * string or holds a NUL byte (the joined strings cannot carry one), an
 * unknown operation, a mode or `after` index out of range.
 */
export function packOps(ops: readonly NativeOp[], abs: (path: string) => string): NativePackedOps | null {
  const n = ops.length;
  const kinds = new Uint8Array(n);
  const paths = new Array<string>(n);
  const texts: string[] = [];
  let modes: Int32Array | undefined;
  let afterStart: Uint32Array | undefined;
  const afterList: number[] = [];
  for (let i = 0; i < n; i++) {
    const op = ops[i] as NativeOp;
    const code = CODES.get(op.op);
    if (code === undefined) return null; // the object form names the unknown operation
    kinds[i] = op.independent ? code | INDEPENDENT : code;
    const path: unknown = typeof op.path === 'string' ? abs(op.path) : undefined;
    if (typeof path !== 'string' || path.includes('\0')) return null;
    paths[i] = path;
    if (op.op === 'write' || op.op === 'symlink') {
      const text: unknown = op.op === 'write' ? op.value : typeof op.target === 'string' ? abs(op.target) : undefined;
      if (typeof text !== 'string' || text.includes('\0')) return null;
      texts.push(text);
    } else if (op.op === 'mkdir' && op.mode !== undefined) {
      if (!Number.isInteger(op.mode) || op.mode < 0) return null;
      (modes ??= new Int32Array(n).fill(-1))[i] = op.mode;
    }
    if (op.after?.length) {
      afterStart ??= new Uint32Array(n + 1);
      for (const a of op.after) {
        if (!Number.isInteger(a) || a < 0 || a >= i) return null; // the object form says which
        afterList.push(a);
      }
    }
    if (afterStart) afterStart[i + 1] = afterList.length;
  }
  return {
    kinds,
    paths: paths.join('\0'),
    texts: texts.join('\0'),
    ...(modes ? { modes } : {}),
    ...(afterStart ? { afterStart, afterList: Uint32Array.from(afterList) } : {}),
  };
}
