/**
 * Small facts about other processes that the write-safety code needs.
 */

/** Whether a process with this id exists (signal 0: nothing is sent). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export { stallPoint } from '../native/faults.js';
