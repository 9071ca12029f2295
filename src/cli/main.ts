/**
 * Entry point of the `rtslib` command (bin/rtslib.js runs it): parses the
 * command line, runs the verb, and returns the exit code. It never calls
 * `process.exit`, so it can be run in-process by tests.
 */
import { processIO, type CliIO } from './cli-io.js';
import { reportError } from './error-report.js';
import { ExitCode, ExitStatus } from './exit-codes.js';
import { buildProgram, commandName } from './program.js';

export { ExitCode } from './exit-codes.js';
export type { CliIO } from './cli-io.js';

/**
 * Runs `rtslib` with the given arguments (without the node and script
 * paths, i.e. `process.argv.slice(2)`). Failures are reported as one line
 * `rtslib: <message>` on `io.stderr`; the result is the exit code
 * ({@link ExitCode}: 0 success, 1 runtime error, 2 usage error or invalid config).
 * @example
 * process.exitCode = await main(process.argv.slice(2));
 */
export async function main(argv: readonly string[], io: CliIO = processIO()): Promise<ExitCode> {
  const program = buildProgram(io);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return ExitCode.Success;
  } catch (error) {
    if (error instanceof ExitStatus) return error.exitCode;
    const report = reportError(error, commandName(program, argv));
    if (report.exitCode !== ExitCode.Success) io.stderr.write(`rtslib: ${report.message}\n${(report.details ?? []).map((d) => `rtslib: ${d}\n`).join('')}`);
    return report.exitCode;
  }
}
