/**
 * Node-shaped errors for failures reported by the native addon.
 *
 * Native code reports errno (negative), syscall and path; this adds `code`
 * (util.getSystemErrorName) and a message in the shape of Node's fs errors:
 * `EEXIST: file already exists, mkdir '/sys/kernel/config/target/core/rd_mcp_0'`.
 */
import { getSystemErrorMap, getSystemErrorName } from 'node:util';

import type { NativeFailure, NativeResult } from './binding.js';

export interface NativeErrorInit {
  errno: number;
  syscall: string;
  path: string;
  /** Detail that replaces the generic description (e.g. 'short write: wrote 3 of 10 bytes'). */
  detail?: string;
}

function errorName(errno: number): string {
  try {
    return getSystemErrorName(errno);
  } catch {
    return `E${Math.abs(errno)}`;
  }
}

function errorDescription(errno: number): string {
  return getSystemErrorMap().get(errno)?.[1] ?? 'unknown error';
}

export class NativeOperationError extends Error {
  readonly code: string;
  readonly errno: number;
  readonly syscall: string;
  readonly path: string;

  constructor(init: NativeErrorInit, options?: { cause?: unknown }) {
    const code = errorName(init.errno);
    const description = init.detail ?? errorDescription(init.errno);
    super(`${code}: ${description}, ${init.syscall} '${init.path}'`, options);
    this.name = 'NativeOperationError';
    this.code = code;
    this.errno = init.errno;
    this.syscall = init.syscall;
    this.path = init.path;
  }

  /** The error for a failed (not skipped) batch result. */
  static fromResult(result: NativeFailure): NativeOperationError {
    return new NativeOperationError({
      errno: result.errno,
      syscall: result.syscall,
      path: result.path,
      ...(result.message === undefined ? {} : { detail: result.message }),
    });
  }

  /**
   * Converts an error rejected by the addon (an Error with errno, syscall and
   * path, e.g. from readTree) into a NativeOperationError; anything else is
   * returned unchanged.
   */
  static fromNative(error: unknown): unknown {
    if (!(error instanceof Error) || error instanceof NativeOperationError) return error;
    const e = error as Error & { errno?: unknown; syscall?: unknown; path?: unknown };
    if (typeof e.errno !== 'number' || typeof e.syscall !== 'string' || typeof e.path !== 'string') {
      return error;
    }
    return new NativeOperationError({ errno: e.errno, syscall: e.syscall, path: e.path }, { cause: error });
  }
}

/** True for a result that failed (as opposed to succeeded or was skipped). */
export function isNativeFailure(result: NativeResult): result is NativeFailure {
  return !result.ok && result.skipped !== true;
}
