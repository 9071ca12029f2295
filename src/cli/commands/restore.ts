/**
 * `rtslib restore [file]`: replaces the configuration with a saveconfig.json
 * file, clearing what exists first unless `--no-clear` (targetctl restore).
 * Without a file: `$RTSLIB_CONFIG`, else the system targetctl's default;
 * when that file does not exist there is nothing to restore (exit 0, as
 * targetctl), while a file named on the command line must exist.
 */
import type { Command } from 'commander';
import { DEBIAN_CONFIG_FILE, DEFAULT_CONFIG_FILE, defaultConfigFile } from '../../config/config-file.js';
import { readConfigArgument } from '../config-input.js';
import { RTSLibError } from '../../errors.js';
import type { RestoreOptions as PlanRestoreOptions } from '../../config/planner.js';
import type { CliIO } from '../cli-io.js';
import { runPlan } from '../plan-runner.js';
import { planJson, withPlanOutputOptions, writePlanJson, type PlanOutputOptions } from '../plan-output.js';
import { targetRoot } from '../target-root.js';
import { collect } from '../option-parsers.js';

/** Options of `rtslib restore`. */
export interface RestoreCommandOptions extends PlanOutputOptions {
  /** False with `--no-clear`. */
  clear: boolean;
  /** `--target WWN`. */
  target?: string;
  /** `--storage-object NAME`, repeatable. */
  storageObject?: string[];
  /** `--lenient`. */
  lenient?: boolean;
}

/** Adds `restore` to the program. */
export function registerRestoreCommand(program: Command, io: CliIO): void {
  withPlanOutputOptions(program.command('restore'))
    .argument(
      '[file]',
      `the saveconfig.json file to read (default: $RTSLIB_CONFIG, else targetctl's: ${DEBIAN_CONFIG_FILE} where that directory exists, else ${DEFAULT_CONFIG_FILE}; nothing to do when it does not exist; - for standard input)`,
    )
    .description('restore the configuration from a saveconfig.json file, clearing the existing one first')
    .option('--no-clear', 'keep the existing configuration (objects that already exist are refused)')
    .option('--target <wwn>', 'restore only this target (and the storage objects its LUNs need that the kernel lacks)')
    .option('--storage-object <name>', 'restore only this storage object (repeat for several)', collect)
    .option(
      '--lenient',
      'boot restore: skip what this kernel cannot apply (unknown keys, attributes it lacks, unusable devices, missing fabrics) with one warning each, and apply the rest',
    )
    .action(async (fileArgument: string | undefined, options: RestoreCommandOptions, command: Command) => {
      const file = fileArgument ?? defaultConfigFile();
      let loaded;
      try {
        loaded = await readConfigArgument(file, io, { lenient: options.lenient === true });
      } catch (error) {
        if (fileArgument === undefined && error instanceof RTSLibError && error.code === 'ENOENT') {
          if (options.json) writePlanJson(io.stdout, planJson('restore', { steps: [] }, undefined, true));
          else if (!options.quiet) io.stdout.write(`no saved configuration at ${file}: nothing to restore\n`);
          return;
        }
        throw error;
      }
      const { config, warnings } = loaded;
      const root = await targetRoot(command, io);
      const { planRestore } = await import('../../config/planner.js');
      const planOptions: PlanRestoreOptions = {
        clearExisting: options.clear,
        ...(options.target === undefined ? {} : { target: options.target }),
        ...(options.storageObject === undefined ? {} : { storageObject: options.storageObject }),
        ...(options.lenient ? { lenient: true } : {}),
      };
      await runPlan(
        root,
        io,
        'restore',
        async () => {
          const plan = await planRestore(root, config, planOptions);
          return warnings.length ? { ...plan, warnings: [...warnings, ...(plan.warnings ?? [])] } : plan;
        },
        undefined,
        options,
      );
    });
}
