/**
 * `rtslib apply <file> [--prune] [--dry-run]`: makes the kernel match a
 * saveconfig.json file, touching only what differs.
 */
import type { Command } from 'commander';
import { readConfigArgument } from '../config-input.js';
import { formatPlan, planWrites } from '../../config/plan.js';
import { writeLines, type CliIO } from '../cli-io.js';
import { runPlan } from '../plan-runner.js';
import { planJson, withPlanOutputOptions, writePlanJson, type PlanOutputOptions } from '../plan-output.js';
import { targetRoot } from '../target-root.js';

/** Options of `rtslib apply`. */
export interface ApplyCommandOptions extends PlanOutputOptions {
  /** Also remove what the file does not have. */
  prune?: boolean;
  /** Print the plan, write nothing. */
  dryRun?: boolean;
}

/** Adds `apply` to the program. */
export function registerApplyCommand(program: Command, io: CliIO): void {
  withPlanOutputOptions(program.command('apply'))
    .argument('<file>', 'the saveconfig.json file to apply (- for standard input)')
    .description('change the kernel configuration to match a saveconfig.json file, touching only what differs')
    .option('--prune', 'also remove objects the file does not have')
    .option('--dry-run', 'print what would change and write nothing')
    .action(async (file: string, options: ApplyCommandOptions, command: Command) => {
      const { config } = await readConfigArgument(file, io);
      const root = await targetRoot(command, io);
      const { planApply } = await import('../../config/planner.js');
      if (options.dryRun) {
        // a dry run writes nothing, so it takes no lock
        const plan = await planApply(root, config, { prune: options.prune === true });
        if (options.json) writePlanJson(io.stdout, planJson('apply', plan, undefined, true));
        else if (options.quiet) return;
        else if (plan.steps.length === 0) io.stdout.write('nothing to do\n');
        else writeLines(io.stdout, [...formatPlan(plan), `dry run: ${plan.steps.length} steps, ${planWrites(plan)} operations, nothing written`]);
        return;
      }
      await runPlan(
        root,
        io,
        'apply',
        () => planApply(root, config, { prune: options.prune === true }),
        (plan) => {
          if (plan.steps.length) return true;
          if (!options.json && !options.quiet) io.stdout.write('nothing to do\n');
          return false;
        },
        options,
      );
    });
}
