/**
 * `rtslib diff <file>`: what `apply --prune` would change to make the kernel
 * match a saveconfig.json file. Writes nothing; exits 0 either way, or with
 * `--exit-code` 3 when there are differences.
 */
import type { Command } from 'commander';
import { readConfigArgument } from '../config-input.js';
import { formatPlan } from '../../config/plan.js';
import { writeLines, type CliIO } from '../cli-io.js';
import { targetRoot } from '../target-root.js';
import { ExitCode, ExitStatus } from '../exit-codes.js';
import { planJson, withPlanOutputOptions, writePlanJson, type PlanOutputOptions } from '../plan-output.js';

/** Adds `diff` to the program. */
export function registerDiffCommand(program: Command, io: CliIO): void {
  withPlanOutputOptions(program.command('diff'))
    .argument('<file>', 'the saveconfig.json file to compare with (- for standard input)')
    .description('print what "apply --prune" would change (+ create, ~ modify, - remove); writes nothing')
    .option('--exit-code', `exit ${ExitCode.Differences} when there are differences (0 when none)`)
    .action(async (file: string, options: PlanOutputOptions & { exitCode?: boolean }, command: Command) => {
      const { config } = await readConfigArgument(file, io);
      const { planApply } = await import('../../config/planner.js');
      const plan = await planApply(await targetRoot(command, io), config, { prune: true });
      // --quiet prints nothing: with --exit-code, the status says it
      if (options.json) writePlanJson(io.stdout, planJson('diff', plan, undefined, true));
      else if (!options.quiet) writeLines(io.stdout, plan.steps.length === 0 ? ['no differences'] : formatPlan(plan));
      if (options.exitCode && plan.steps.length > 0) throw new ExitStatus(ExitCode.Differences);
    });
}
