/**
 * `rtslib recover`: finishes what a write run that never finished (killed,
 * or whose undo failed) left: brings the tree back to exactly the
 * configuration before it, or keeps what it wrote when it had finished every
 * operation, and says which. Every write command does this first on its own.
 */
import type { Command } from 'commander';
import type { CliIO } from '../cli-io.js';
import { targetRoot } from '../target-root.js';

/** Adds `recover` to the program. */
export function registerRecoverCommand(program: Command, io: CliIO): void {
  program
    .command('recover')
    .description('put the tree back after a restore, apply or clear that never finished (every write command does this first)')
    .action(async (_options: Record<string, never>, command: Command) => {
      const root = await targetRoot(command, io);
      const report = await root.recover();
      io.stdout.write(`${report ? report.message : 'nothing to recover: no write run was interrupted'}\n`);
    });
}
