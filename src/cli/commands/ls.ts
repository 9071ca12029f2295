/**
 * `rtslib ls [--json]`: the configuration as a tree like `targetcli ls`, or
 * as saveconfig.json; from one dump, without secrets.
 */
import type { Command } from 'commander';
import { writeLines, type CliIO } from '../cli-io.js';
import { configJson } from '../config-json.js';
import { targetRoot } from '../target-root.js';
import { treeView } from '../tree-view.js';

/** Options of `rtslib ls`. */
export interface LsOptions {
  /** Print JSON instead of the tree. */
  json?: boolean;
}

/** Adds `ls` to the program. */
export function registerLsCommand(program: Command, io: CliIO): void {
  program
    .command('ls')
    .description('show the configuration as a tree (CHAP passwords are never shown)')
    .option('--json', 'print it as saveconfig.json JSON instead, without passwords')
    .action(async (options: LsOptions, command: Command) => {
      const { dumpConfig, redactSecrets } = await import('../../model/dump.js');
      const config = redactSecrets(await dumpConfig(await targetRoot(command, io), { secrets: false, lock: false }));
      if (options.json) io.stdout.write(`${configJson(config)}\n`);
      else writeLines(io.stdout, treeView(config));
    });
}
