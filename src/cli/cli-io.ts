/**
 * Where the `rtslib` command reads and writes: its standard streams (a file
 * argument `-` is stdin or stdout), and whether output goes to a terminal
 * (the progress bar is shown only then).
 */

/** The streams a command run writes to. */
export interface CliIO {
  /** Results: listings, plans, summary lines (and the progress bar on a terminal). */
  stdout: NodeJS.WritableStream;
  /** The one-line error message of a failed run. */
  stderr: NodeJS.WritableStream;
  /** Whether stdout is a terminal. */
  isTTY: boolean;
  /** Where a file argument `-` is read from (default: the process's stdin). */
  stdin?: NodeJS.ReadableStream;
}

/** The width output that is not on a terminal is drawn to (help, `ls`), as targetcli does. */
export const DEFAULT_WIDTH = 80;

/** The terminal's width when stdout is one, else {@link DEFAULT_WIDTH}. */
export function outputWidth(io: CliIO): number {
  const columns = (io.stdout as NodeJS.WritableStream & { columns?: number }).columns;
  return io.isTTY && typeof columns === 'number' && columns > 0 ? columns : DEFAULT_WIDTH;
}

/** The streams of this process. */
export function processIO(): CliIO {
  return { stdout: process.stdout, stderr: process.stderr, isTTY: process.stdout.isTTY === true, stdin: process.stdin };
}

/** Writes each line followed by a newline. */
export function writeLines(stream: NodeJS.WritableStream, lines: readonly string[]): void {
  if (lines.length) stream.write(`${lines.join('\n')}\n`);
}
