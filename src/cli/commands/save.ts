/**
 * `rtslib save [file] [--no-backup]`: writes the configuration, CHAP secrets
 * included, to saveconfig.json (mode 0600), keeping backups of the previous
 * file (targetctl save).
 */
import type { Command } from 'commander';
import { DEFAULT_CONFIG_FILE } from '../../config/config-file.js';
import { nonEmpty } from '../option-parsers.js';
import type { CliIO } from '../cli-io.js';
import { targetRoot } from '../target-root.js';

/** Backups of the previous file kept by `save` unless `--no-backup`. */
export const SAVE_BACKUPS = 10;

/** Options of `rtslib save`. */
export interface SaveOptions {
  /** False with `--no-backup`. */
  backup: boolean;
  /** `--storage-object NAME|/backstores/PLUGIN/NAME`: save only its entries into the existing file. */
  storageObject?: string;
  /** `--target WWN`: save only its entries into the existing file. */
  target?: string;
}

/** Adds `save` to the program. */
export function registerSaveCommand(program: Command, io: CliIO): void {
  program
    .command('save')
    .argument('[file]', 'the file to write', DEFAULT_CONFIG_FILE)
    .description('save the configuration, CHAP secrets included, to a saveconfig.json file (mode 0600)')
    .option('--no-backup', `do not keep a backup of the previous file (default: keep up to ${SAVE_BACKUPS})`)
    .option('--storage-object <name>', 'save only this storage object (NAME or /backstores/PLUGIN/NAME) and the targets exporting it into the existing file', nonEmpty)
    .option('--target <wwn>', 'save only this target (and storage objects it needs that the file lacks) into the existing file', nonEmpty)
    .action(async (file: string, options: SaveOptions, command: Command) => {
      const { saveConfigFile } = await import('../../config/partial-save.js');
      const part = {
        ...(options.storageObject === undefined ? {} : { storageObject: options.storageObject }),
        ...(options.target === undefined ? {} : { target: options.target }),
      };
      const result = await saveConfigFile(await targetRoot(command, io), file, { backups: options.backup ? SAVE_BACKUPS : 0, part });
      io.stdout.write(`saved ${Object.keys(part).length ? 'part of the configuration to ' : ''}${file}${result.backup ? ` (backup ${result.backup})` : ''}\n`);
    });
}
