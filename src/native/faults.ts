/**
 * Test-only fault injection, off unless a test turns it on: in-process
 * with {@link setFaults}, or for a child process (the `rtslib` command)
 * with the environment variable `RTSLIB_FAULTS`, a JSON object:
 *
 * - `failAt`: the k-th operation that changes the tree (mkdir, rmdir,
 *   write, symlink, unlink; 1-based, counted across batches) fails with
 *   `errno` instead of running;
 * - `failUndoAt`: the same for the operations of an undo;
 * - `errno`: the error, a name such as `"EIO"` (default) or a number;
 * - `stallAt`: before the k-th operation the engine prints
 *   `rtslib-fault: stalled before operation <k> …` on stderr and sleeps
 *   (`stallMs`, default forever; or until the file `stallUntil` exists), so
 *   a test can kill the process there, or let it go on when it is ready;
 * - `stallBeforeRename`: a config file write prints
 *   `rtslib-fault: stalled before rename <temp file>` and waits forever
 *   between writing its temporary file and renaming it into place.
 */
import { constants } from 'node:os';

/** The fault configuration (see the module comment). */
export interface FaultConfig {
  failAt?: number;
  failUndoAt?: number;
  errno?: string | number;
  stallAt?: number;
  stallMs?: number;
  stallUntil?: string;
  stallBeforeRename?: boolean;
}

/** The errno number of a name or number (positive). */
export function errnoNumber(errno: string | number | undefined): number {
  if (errno === undefined) return constants.errno.EIO;
  if (typeof errno === 'number') return Math.abs(errno);
  const n = (constants.errno as Record<string, number>)[errno];
  if (n === undefined) throw new TypeError(`RTSLIB_FAULTS: unknown errno ${JSON.stringify(errno)}`);
  return n;
}

/** The faults `RTSLIB_FAULTS` asks for, or null. */
export function faultsFromEnvironment(): FaultConfig | null {
  const text = process.env['RTSLIB_FAULTS'];
  if (!text) return null;
  return JSON.parse(text) as FaultConfig;
}

/** Stalls forever at a named point when the faults ask for it (test-only; see the module comment). */
export async function stallPoint(point: 'before-rename', detail: string): Promise<void> {
  if (point === 'before-rename' && faultsFromEnvironment()?.stallBeforeRename) {
    process.stderr.write(`rtslib-fault: stalled before rename ${detail}\n`);
    await new Promise<never>(() => {
      setInterval(() => undefined, 60_000);
    });
  }
}
