/**
 * Telling failed batch results apart. A failure (errno, syscall, path) becomes
 * a library error in one place only: `systemCallError` in src/errors.ts.
 */

import type { NativeFailure, NativeResult } from './binding.js';

/** True for a result that failed (as opposed to succeeded or was skipped). */
export function isNativeFailure(result: NativeResult): result is NativeFailure {
  return !result.ok && result.skipped !== true;
}
