/**
 * The exit codes of the `rtslib` command.
 */

/** What the process exit status of `rtslib` means. */
export const ExitCode = {
  /** The command did what was asked (`diff` exits 0 whether or not there are differences). */
  Success: 0,
  /** A runtime failure: the kernel refused an operation, an I/O error, a missing file. */
  Failure: 1,
  /** A usage error (unknown command or option, missing argument, conflicting options) or an invalid config file (malformed JSON, schema error). */
  Usage: 2,
} as const;

/** One of the values of {@link ExitCode}. */
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** The exit codes explained, as printed at the end of `rtslib --help`. */
export const EXIT_CODES_HELP = [
  'Exit codes:',
  `  ${ExitCode.Success}  success ("diff" exits ${ExitCode.Success} whether or not there are differences)`,
  `  ${ExitCode.Failure}  runtime error: the kernel refused an operation, I/O error, missing file`,
  `  ${ExitCode.Usage}  usage error (unknown command or option, missing argument, conflicting options),`,
  '     or invalid config content (malformed JSON, schema error); nothing was written',
].join('\n');
