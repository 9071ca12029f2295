/**
 * Small facts about other processes that the write-safety code needs, and
 * running the system tools the library calls (modprobe, mount).
 */
import { spawn } from 'node:child_process';
import { RTSLibError } from '../errors.js';

/** Whether a process with this id exists (signal 0: nothing is sent). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Runs a system tool (an argument vector, no shell) and resolves when it
 * exits 0; otherwise rejects with an {@link RTSLibError} of `code` that
 * names it as `what` and carries its standard error.
 */
export function runTool(what: string, command: string, args: readonly string[], code: string, timeoutMs = 30_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const proc = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'], timeout: timeoutMs });
    let stderr = '';
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    proc.on('error', (err) => reject(new RTSLibError(`could not run ${what}: ${err.message}`, { code, cause: err })));
    proc.on('close', (exit) => (exit === 0 ? resolve() : reject(new RTSLibError(`${what} failed (exit ${exit}): ${stderr.trim()}`, { code }))));
  });
}

export { stallPoint } from '../native/faults.js';
