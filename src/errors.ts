/**
 * The library's error classes. Every error the library raises on purpose is an
 * {@link RTSLibError}; failures of a kernel operation carry its errno, syscall
 * and path, and messages never contain secrets (CHAP passwords).
 */
import { getSystemErrorName } from 'node:util';

/** What a failed kernel operation reported. */
export interface OperationCause {
  /** Node-style negative errno, e.g. -17. */
  errno: number;
  /** Error code, e.g. `EEXIST`. */
  code: string;
  /** The system call that failed, e.g. `mkdir`. */
  syscall: string;
  /** The configfs (or device) path it was applied to. */
  path: string;
}

/** Base class of all errors raised by rtslib. */
export class RTSLibError extends Error {
  /** Error code: an errno name (`EEXIST`) for kernel failures, else an `ERR_RTSLIB_*` code. */
  readonly code: string;
  /** Negative errno when the error comes from a system call. */
  readonly errno?: number;
  /** The failing system call, when there is one. */
  readonly syscall?: string;
  /** The path the failing operation was applied to, when there is one. */
  readonly path?: string;

  constructor(message: string, options: { code?: string; cause?: unknown; operation?: OperationCause } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    const op = options.operation;
    this.code = options.code ?? op?.code ?? 'ERR_RTSLIB';
    if (op) {
      this.errno = op.errno;
      this.syscall = op.syscall;
      this.path = op.path;
    }
  }
}

/** A node that was looked up does not exist in configfs. */
export class RTSLibNotInCFSError extends RTSLibError {
  constructor(message: string, path?: string) {
    super(message, path === undefined ? { code: 'ENOENT' } : { code: 'ENOENT', operation: { errno: -2, code: 'ENOENT', syscall: 'lookup', path } });
  }
}

/** A symlink in configfs points at something that no longer exists. */
export class RTSLibBrokenLink extends RTSLibError {
  constructor(message: string, path: string) {
    super(message, { code: 'ERR_RTSLIB_BROKEN_LINK', operation: { errno: -2, code: 'ENOENT', syscall: 'readlink', path } });
  }
}

/** The storage object's plugin or the kernel does not support ALUA. */
export class RTSLibALUANotSupportedError extends RTSLibError {
  constructor(message: string) {
    super(message, { code: 'ERR_RTSLIB_ALUA_NOT_SUPPORTED' });
  }
}

/** An argument was rejected before anything was written to the kernel. */
export class RTSLibInvalidArgumentError extends RTSLibError {
  /** Name of the offending argument or field. */
  readonly argument: string;
  constructor(argument: string, message: string) {
    super(`invalid ${argument}: ${message}`, { code: 'ERR_RTSLIB_INVALID_ARGUMENT' });
    this.argument = argument;
  }
}

/** Builds the {@link OperationCause} of a failed system call from a Node-style negative errno. */
export function operationCause(errno: number, syscall: string, path: string): OperationCause {
  let code: string;
  try {
    code = getSystemErrorName(errno);
  } catch {
    code = `E${-errno}`;
  }
  return { errno, code, syscall, path };
}

/**
 * The one place a failed system call becomes a library error: a failure
 * reported by Node or the native engine (a thrown error, or a failed batch
 * result, with a numeric `errno`, `syscall` and `path`, and perhaps the
 * engine's `message`) as an {@link RTSLibError} that keeps them, with the
 * message `<what>: <code>, <syscall> '<path>'`; null for other values.
 */
export function systemCallError(what: string, failure: unknown): RTSLibError | null {
  const e = failure as { errno?: unknown; syscall?: unknown; path?: unknown; message?: unknown } | null;
  if (typeof e?.errno !== 'number' || typeof e.syscall !== 'string' || typeof e.path !== 'string') return null;
  const cause = operationCause(e.errno, e.syscall, e.path);
  const detail = !(failure instanceof Error) && typeof e.message === 'string' && e.message !== '' ? ` (${e.message})` : '';
  return new RTSLibError(`${what}: ${cause.code}, ${cause.syscall} '${cause.path}'${detail}`, { operation: cause, ...(failure instanceof Error ? { cause: failure } : {}) });
}

/**
 * Any failure as an {@link RTSLibError}: library errors unchanged, failed
 * system calls through {@link systemCallError}, anything else wrapped with
 * its message (and kept as the cause).
 */
export function toLibraryError(what: string, error: unknown): RTSLibError {
  if (error instanceof RTSLibError) return error;
  return systemCallError(what, error) ?? new RTSLibError(`${what}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
}
