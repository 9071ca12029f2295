/**
 * `rtslib save [file] [--no-backup]`: writes the configuration, CHAP secrets
 * included, to saveconfig.json (mode 0600), keeping backups of the previous
 * file (targetctl save).
 */
import type { Command } from 'commander';
import { DEFAULT_CONFIG_FILE, writeConfigFile } from '../../config/config-file.js';
import type { CliIO } from '../cli-io.js';
import { targetRoot } from '../target-root.js';

/** Backups of the previous file kept by `save` unless `--no-backup`. */
export const SAVE_BACKUPS = 10;

/** Options of `rtslib save`. */
export interface SaveOptions {
  /** False with `--no-backup`. */
  backup: boolean;
}

/** Adds `save` to the program. */
export function registerSaveCommand(program: Command, io: CliIO): void {
  program
    .command('save')
    .argument('[file]', 'the file to write', DEFAULT_CONFIG_FILE)
    .description('save the configuration, CHAP secrets included, to a saveconfig.json file (mode 0600)')
    .option('--no-backup', `do not keep a backup of the previous file (default: keep up to ${SAVE_BACKUPS})`)
    .action(async (file: string, options: SaveOptions, command: Command) => {
      const { dumpConfig } = await import('../../config/dump.js');
      const config = await dumpConfig(await targetRoot(command, io), { secrets: true });
      const result = await writeConfigFile(file, config, { backups: options.backup ? SAVE_BACKUPS : 0 });
      io.stdout.write(`saved ${file}${result.backup ? ` (backup ${result.backup})` : ''}\n`);
    });
}
