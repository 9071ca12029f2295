/**
 * `rtslib clear`: removes the whole configuration (or one target or storage
 * object) from the kernel (targetctl clear).
 */
import type { Command } from 'commander';
import type { ClearOptions } from '../../config/planner.js';
import type { CliIO } from '../cli-io.js';
import { runPlan } from '../plan-runner.js';
import { withPlanOutputOptions, type PlanOutputOptions } from '../plan-output.js';
import { targetRoot } from '../target-root.js';
import { collect } from '../option-parsers.js';

/** Options of `rtslib clear`. */
export interface ClearCommandOptions extends PlanOutputOptions {
  /** `--target WWN`. */
  target?: string;
  /** `--storage-object NAME`, repeatable. */
  storageObject?: string[];
}

/** Adds `clear` to the program. */
export function registerClearCommand(program: Command, io: CliIO): void {
  withPlanOutputOptions(program.command('clear'))
    .description('remove the whole configuration from the kernel (discovery authentication is reset too)')
    .option('--target <wwn>', 'remove only this target')
    .option('--storage-object <name>', 'remove only this storage object and the LUNs using it (repeat for several)', collect)
    .action(async (options: ClearCommandOptions, command: Command) => {
      const root = await targetRoot(command, io);
      const { planClear } = await import('../../config/planner.js');
      const planOptions: ClearOptions = {
        ...(options.target === undefined ? {} : { target: options.target }),
        ...(options.storageObject === undefined ? {} : { storageObject: options.storageObject }),
      };
      await runPlan(root, io, 'clear', () => planClear(root, planOptions), undefined, options);
    });
}
