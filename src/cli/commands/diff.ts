/**
 * `rtslib diff <file>`: what `apply --prune` would change to make the kernel
 * match a saveconfig.json file. Writes nothing; exits 0 either way.
 */
import type { Command } from 'commander';
import { readConfigFile } from '../../config/config-file.js';
import { formatPlan } from '../../config/plan.js';
import { writeLines, type CliIO } from '../cli-io.js';
import { targetRoot } from '../target-root.js';

/** Adds `diff` to the program. */
export function registerDiffCommand(program: Command, io: CliIO): void {
  program
    .command('diff')
    .argument('<file>', 'the saveconfig.json file to compare with')
    .description('print what "apply --prune" would change (+ create, ~ modify, - remove); writes nothing')
    .action(async (file: string, _options: Record<string, never>, command: Command) => {
      const config = await readConfigFile(file);
      const { planApply } = await import('../../config/planner.js');
      const plan = await planApply(await targetRoot(command, io), config, { prune: true });
      if (plan.steps.length === 0) io.stdout.write('no differences\n');
      else writeLines(io.stdout, formatPlan(plan));
    });
}
