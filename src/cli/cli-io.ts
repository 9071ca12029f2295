/**
 * Where the `rtslib` command writes: its standard output and error streams,
 * and whether output goes to a terminal (the progress bar is shown only then).
 */

/** The streams a command run writes to. */
export interface CliIO {
  /** Results: listings, plans, summary lines (and the progress bar on a terminal). */
  stdout: NodeJS.WritableStream;
  /** The one-line error message of a failed run. */
  stderr: NodeJS.WritableStream;
  /** Whether stdout is a terminal. */
  isTTY: boolean;
}

/** The streams of this process. */
export function processIO(): CliIO {
  return { stdout: process.stdout, stderr: process.stderr, isTTY: process.stdout.isTTY === true };
}

/** Writes each line followed by a newline. */
export function writeLines(stream: NodeJS.WritableStream, lines: readonly string[]): void {
  if (lines.length) stream.write(`${lines.join('\n')}\n`);
}
