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

/** Adds `diff` to the program. */
export function registerDiffCommand(program: Command, io: CliIO): void {
  program
    .command('diff')
    .argument('<file>', 'the saveconfig.json file to compare with (- for standard input)')
    .description('print what "apply --prune" would change (+ create, ~ modify, - remove); writes nothing')
    .option('--exit-code', `exit ${ExitCode.Differences} when there are differences (0 when none)`)
    .action(async (file: string, options: { exitCode?: boolean }, command: Command) => {
      const { config } = await readConfigArgument(file, io);
      const { planApply } = await import('../../config/planner.js');
      const plan = await planApply(await targetRoot(command, io), config, { prune: true });
      if (plan.steps.length === 0) io.stdout.write('no differences\n');
      else writeLines(io.stdout, formatPlan(plan));
      if (options.exitCode && plan.steps.length > 0) throw new ExitStatus(ExitCode.Differences);
    });
}
