/**
 * `rtslib ls [PATH] [--json]`: the configuration as a tree like `targetcli
 * ls` (dot leaders, `[summary]` at the right, as wide as the terminal or 80
 * columns), or the subtree at PATH; or as saveconfig.json; from one read
 * of the tree, without secrets.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { outputWidth, writeLines, type CliIO } from '../cli-io.js';
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
    .argument('[path]', 'show only this subtree, as targetcli names it (/backstores/fileio, /iscsi/<wwn>/tpg1/acls, ...)')
    .description('show the configuration as a tree (CHAP passwords are never shown)')
    .option('--json', 'print it as saveconfig.json JSON instead, without passwords')
    .action(async (path: string | undefined, options: LsOptions, command: Command) => {
      const { dumpSnapshot, maskSecrets, redactSecrets, tpgNexus } = await import('../../model/dump.js');
      const { blockDeviceSize } = await import('../../scsi/block-device-size.js');
      // one read of the tree, without the lock (ls never waits for a writer)
      const snap = await (await targetRoot(command, io)).cfs.snapshot('');
      const config = dumpSnapshot(snap);
      if (options.json) io.stdout.write(`${configJson(redactSecrets(config))}\n`);
      else {
        const facts = { deviceSize: blockDeviceSize, nexus: (fabric: string, wwn: string, tag: number) => tpgNexus(snap, fabric, wwn, tag) };
        const lines = treeView(maskSecrets(config), { ...(path === undefined ? {} : { path }), width: outputWidth(io), facts });
        if (!lines) throw new InvalidArgumentError(`no such path in the tree: ${path ?? '/'}`);
        writeLines(io.stdout, lines);
      }
    });
}
