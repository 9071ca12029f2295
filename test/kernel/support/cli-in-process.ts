/**
 * The `rtslib` command run in this process through `main()`: the same
 * program as bin/rtslib.js without a node start per call (seconds in the
 * emulated guest), for the many checks of exit codes and messages. Tests of
 * the command as a process (kills, locks, the bin wrapper) use
 * cli-process.ts.
 */
import { Writable } from 'node:stream';
import { main } from '../../../src/cli/main.js';

/** What a finished command printed and returned. */
export interface InProcessRun {
  status: number;
  stdout: string;
  stderr: string;
}

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

/** Runs `rtslib ...argv` in this process. */
export async function rtslibInProcess(...argv: string[]): Promise<InProcessRun> {
  const stdout = new Capture();
  const stderr = new Capture();
  const status = await main(argv, { stdout, stderr, isTTY: false });
  return { status, stdout: stdout.text, stderr: stderr.text };
}
