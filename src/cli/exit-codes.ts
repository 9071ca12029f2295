/**
 * The exit codes of the `rtslib` command.
 */

/** What the process exit status of `rtslib` means. */
export const ExitCode = {
  /** The command did what was asked (`diff` exits 0 whether or not there are differences, unless `--exit-code`). */
  Success: 0,
  /** A runtime failure: the kernel refused an operation, an I/O error, a missing file. */
  Failure: 1,
  /** A usage error (unknown command or option, missing argument, conflicting options) or an invalid config file (malformed JSON, schema error). */
  Usage: 2,
  /** `diff --exit-code` found differences (as `git diff --exit-code`, but 3: 1 and 2 are errors). */
  Differences: 3,
} as const;

/** One of the values of {@link ExitCode}. */
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** The exit codes explained, as printed at the end of `rtslib --help`. */
export const EXIT_CODES_HELP = [
  'Exit codes:',
  `  ${ExitCode.Success}  success ("diff" exits ${ExitCode.Success} whether or not there are differences, unless --exit-code)`,
  `  ${ExitCode.Failure}  runtime error: the kernel refused an operation, I/O error, missing file`,
  `  ${ExitCode.Usage}  usage error (unknown command or option, missing argument, conflicting options),`,
  '     or invalid config content (malformed JSON, schema error); nothing was written',
  `  ${ExitCode.Differences}  "diff --exit-code": there are differences`,
].join('\n');

/** Thrown by a command that ends with an exit status other than success but is no error (no message is printed). */
export class ExitStatus extends Error {
  constructor(readonly exitCode: ExitCode) {
    super(`exit status ${exitCode}`);
    this.name = 'ExitStatus';
  }
}
