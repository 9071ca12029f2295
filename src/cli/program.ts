/**
 * The commander program of `rtslib`: global options, the verbs, and output
 * routed to the given streams. Commander never exits the process or prints
 * errors itself: it throws, and {@link main} turns that into one line and an
 * exit code.
 */
import { Command, Option } from 'commander';
import { nonEmpty, seconds } from './option-parsers.js';
import { DEFAULT_TARGET_ROOT } from '../cfs/tree.js';
import { outputWidth, type CliIO } from './cli-io.js';
import { EXIT_CODES_HELP } from './exit-codes.js';
import { packageVersion } from './package-version.js';
import { registerApplyCommand } from './commands/apply.js';
import { registerClearCommand } from './commands/clear.js';
import { registerDiffCommand } from './commands/diff.js';
import { registerDiscoverCommand } from './commands/discover.js';
import { registerLsCommand } from './commands/ls.js';
import { registerRecoverCommand } from './commands/recover.js';
import { registerRestoreCommand } from './commands/restore.js';
import { registerSaveCommand } from './commands/save.js';

/**
 * Builds the program. Help and version go to `io.stdout`; commander's own
 * error output is suppressed (its errors are thrown, see `exitOverride`).
 */
export function buildProgram(io: CliIO): Command {
  const program = new Command('rtslib');
  const width = (): number => outputWidth(io);
  program
    .description('Manage the Linux SCSI target (LIO) through configfs. Save, restore and clear are compatible with targetctl.')
    .version(packageVersion(), '-V, --version', 'print the version')
    .helpOption('-h, --help', 'print help')
    .helpCommand('help [command]', 'print help for a command')
    .option('--configfs <dir>', 'the LIO target root in configfs', nonEmpty, DEFAULT_TARGET_ROOT)
    .addOption(new Option('--lock-timeout <seconds>', 'how long a write or save waits for /var/run/targetcli.lock (default 120; 0: not at all)').argParser(seconds))
    .addOption(
      new Option(
        '--timeout <seconds>',
        'give up on a configfs call of restore, apply, clear or recover that takes longer; the tree is put back by `rtslib recover` once the kernel returns (default: no limit)',
      ).argParser(seconds),
    )
    .addOption(new Option('--state-dir <dir>', 'where write runs keep their crash-recovery journal (default /var/lib/rtslib)').argParser(nonEmpty))
    .configureHelp({ showGlobalOptions: true })
    .exitOverride()
    .configureOutput({
      writeOut: (text) => {
        io.stdout.write(text);
      },
      writeErr: () => {},
      outputError: () => {},
      getOutHelpWidth: width,
      getErrHelpWidth: width,
      getOutHasColors: () => false,
      getErrHasColors: () => false,
    })
    .addHelpText('after', `\n${EXIT_CODES_HELP}\n\nErrors are reported as one line on stderr: "rtslib: <message>".`);
  registerLsCommand(program, io);
  registerSaveCommand(program, io);
  registerRestoreCommand(program, io);
  registerClearCommand(program, io);
  registerApplyCommand(program, io);
  registerDiffCommand(program, io);
  registerDiscoverCommand(program, io);
  registerRecoverCommand(program, io);
  return program;
}

/** The verb a command line runs (the first operand, skipping global options and their values), when it is one of the program's. */
export function commandName(program: Command, argv: readonly string[]): string | undefined {
  const valued = new Set(
    program.options
      .filter((o) => o.required || o.optional)
      .flatMap((o) => [o.long, o.short])
      .filter((f): f is string => !!f),
  );
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i]!;
    if (arg === '--') return undefined;
    if (arg.startsWith('-')) {
      if (valued.has(arg)) i += 1;
      continue;
    }
    return program.commands.some((c) => c.name() === arg) ? arg : undefined;
  }
  return undefined;
}
