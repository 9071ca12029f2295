/**
 * `rtslib restore [file]`: replaces the configuration with a saveconfig.json
 * file, clearing what exists first unless `--no-clear` (targetctl restore).
 */
import type { Command } from 'commander';
import { DEFAULT_CONFIG_FILE, loadConfigFile } from '../../config/config-file.js';
import type { RestoreOptions as PlanRestoreOptions } from '../../config/planner.js';
import type { CliIO } from '../cli-io.js';
import { runPlan } from '../plan-runner.js';
import { targetRoot } from '../target-root.js';
import { collect } from '../option-parsers.js';

/** Options of `rtslib restore`. */
export interface RestoreCommandOptions {
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
  program
    .command('restore')
    .argument('[file]', 'the saveconfig.json file to read', DEFAULT_CONFIG_FILE)
    .description('restore the configuration from a saveconfig.json file, clearing the existing one first')
    .option('--no-clear', 'keep the existing configuration (objects that already exist are refused)')
    .option('--target <wwn>', 'restore only this target (and the storage objects its LUNs need that the kernel lacks)')
    .option('--storage-object <name>', 'restore only this storage object (repeat for several)', collect)
    .option(
      '--lenient',
      'boot restore: skip what this kernel cannot apply (unknown keys, attributes it lacks, unusable devices, missing fabrics) with one warning each, and apply the rest',
    )
    .action(async (file: string, options: RestoreCommandOptions, command: Command) => {
      const { config, warnings } = await loadConfigFile(file, { lenient: options.lenient === true });
      const root = await targetRoot(command, io);
      const { planRestore } = await import('../../config/planner.js');
      const planOptions: PlanRestoreOptions = {
        clearExisting: options.clear,
        ...(options.target === undefined ? {} : { target: options.target }),
        ...(options.storageObject === undefined ? {} : { storageObject: options.storageObject }),
        ...(options.lenient ? { lenient: true } : {}),
      };
      await runPlan(root, io, 'restore', async () => {
        const plan = await planRestore(root, config, planOptions);
        return warnings.length ? { ...plan, warnings: [...warnings, ...(plan.warnings ?? [])] } : plan;
      });
    });
}
