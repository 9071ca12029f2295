/**
 * `rtslib save [file] [--no-backup] [--backups N] [--force]`: writes the
 * configuration, CHAP secrets included, to saveconfig.json (mode 0600),
 * keeping backups of the previous file as targetcli does (targetctl save).
 * Without a file: `$RTSLIB_CONFIG`, else the system targetctl's default.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { DEBIAN_CONFIG_FILE, DEFAULT_BACKUPS, DEFAULT_CONFIG_FILE, configText, defaultConfigFile } from '../../config/config-file.js';
import { STDIO } from '../config-input.js';
import { nonEmpty, wholeNumber } from '../option-parsers.js';
import type { CliIO } from '../cli-io.js';
import { targetRoot } from '../target-root.js';

/** Options of `rtslib save`. */
export interface SaveOptions {
  /** False with `--no-backup`. */
  backup: boolean;
  /** `--backups N`: how many backups to keep (default 10). */
  backups?: number;
  /** `--force`: replace a file holding objects with an empty configuration. */
  force?: boolean;
  /** `--storage-object NAME|/backstores/PLUGIN/NAME`: save only its entries into the existing file. */
  storageObject?: string;
  /** `--target WWN`: save only its entries into the existing file. */
  target?: string;
}

/** Adds `save` to the program. */
export function registerSaveCommand(program: Command, io: CliIO): void {
  program
    .command('save')
    .argument(
      '[file]',
      `the file to write (default: $RTSLIB_CONFIG, else targetctl's: ${DEBIAN_CONFIG_FILE} where that directory exists, else ${DEFAULT_CONFIG_FILE}; - for standard output)`,
    )
    .description('save the configuration, CHAP secrets included, to a saveconfig.json file (mode 0600)')
    .option('--no-backup', 'do not keep a backup of the previous file')
    .option('--backups <count>', `how many backups of the previous file to keep in <dir>/backup/ (default ${DEFAULT_BACKUPS}, as targetcli)`, wholeNumber)
    .option('--force', 'replace a file that holds storage objects or targets even when the configuration to save holds none')
    .option('--storage-object <name>', 'save only this storage object (NAME or /backstores/PLUGIN/NAME) and the targets exporting it into the existing file', nonEmpty)
    .option('--target <wwn>', 'save only this target (and storage objects it needs that the file lacks) into the existing file', nonEmpty)
    .action(async (fileArgument: string | undefined, options: SaveOptions, command: Command) => {
      const file = fileArgument ?? defaultConfigFile();
      if (file === STDIO) {
        if (options.storageObject !== undefined || options.target !== undefined)
          throw new InvalidArgumentError('a partial save merges into a file: it cannot go to standard output');
        // the same checked dump a file gets, secrets included, without backups or the empty-save guard (nothing is replaced)
        const { checkedDump } = await import('../../config/partial-save.js');
        io.stdout.write(configText(await checkedDump(await targetRoot(command, io))));
        return;
      }
      const { saveConfigFile } = await import('../../config/partial-save.js');
      const part = {
        ...(options.storageObject === undefined ? {} : { storageObject: options.storageObject }),
        ...(options.target === undefined ? {} : { target: options.target }),
      };
      const backups = options.backup ? (options.backups ?? DEFAULT_BACKUPS) : 0;
      const result = await saveConfigFile(await targetRoot(command, io), file, { backups, part, ...(options.force ? { force: true } : {}) });
      io.stdout.write(`saved ${Object.keys(part).length ? 'part of the configuration to ' : ''}${file}${result.backup ? ` (backup ${result.backup})` : ''}\n`);
    });
}
