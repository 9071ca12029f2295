/**
 * The `rtslib` command run in this process through `main()`: the same
 * program as bin/rtslib.js without a node start per call (seconds in the
 * emulated guest), for the many checks of exit codes and messages. Tests of
 * the command as a process (kills, locks, the bin wrapper) use
 * cli-process.ts.
 */
import { Readable, Writable } from 'node:stream';
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
export function rtslibInProcess(...argv: string[]): Promise<InProcessRun> {
  return rtslibInProcessWith({}, ...argv);
}

/** {@link rtslibInProcess} with `input` as standard input and `env` set in process.env for the run. */
export async function rtslibInProcessWith(options: { input?: string; env?: Record<string, string> }, ...argv: string[]): Promise<InProcessRun> {
  const stdout = new Capture();
  const stderr = new Capture();
  const saved = Object.fromEntries(Object.keys(options.env ?? {}).map((k) => [k, process.env[k]]));
  Object.assign(process.env, options.env ?? {});
  try {
    const stdin = options.input === undefined ? {} : { stdin: Readable.from([Buffer.from(options.input)]) };
    const status = await main(argv, { stdout, stderr, isTTY: false, ...stdin });
    return { status, stdout: stdout.text, stderr: stderr.text };
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}
