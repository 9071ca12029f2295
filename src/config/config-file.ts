/**
 * saveconfig.json on disk: read and validate; write atomically and durably
 * (a temporary file in the same directory, fsync, rename, fsync of the
 * directory, mode 0600, so a power loss leaves the old file or the new one,
 * never a torn or empty one), with optional gzip backups of the previous
 * file in `<dir>/backup/`, capped in number as targetcli keeps them.
 */
import { open, readFile, readdir, rename, mkdir, unlink } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { RTSLibError, toLibraryError } from '../errors.js';
import { processAlive, stallPoint } from '../cfs/processes.js';
import type { CheckedConfig } from './schema.js';
import type { SaveConfig } from '../model/saveconfig-format.js';

/** targetctl's default file. */
export const DEFAULT_CONFIG_FILE = '/etc/target/saveconfig.json';

/** How many backups {@link writeConfigFile} keeps by default (as targetcli). */
export const DEFAULT_BACKUPS = 10;

/** Options of {@link writeConfigFile}. */
export interface WriteConfigOptions {
  /** Keep a gzip copy of the previous file in `<dir>/backup/`, at most this many (0: none; default 10). */
  backups?: number;
}

/** What {@link writeConfigFile} did. */
export interface WriteConfigResult {
  /** Path of the backup of the previous file, when one was made. */
  backup?: string;
}

/** An I/O failure on a config file, as an RTSLibError with errno, syscall and path. */
const ioError = toLibraryError;

/** JSON with keys sorted at every level and two-space indent, as rtslib-fb writes it (`sort_keys=True, indent=2`). */
export function configText(config: SaveConfig): string {
  const sort = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(sort);
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(
        Object.keys(value)
          .sort()
          .map((k) => [k, sort((value as Record<string, unknown>)[k])]),
      );
    }
    return value;
  };
  return `${JSON.stringify(sort(config), null, 2)}\n`;
}

/**
 * Reads and validates a saveconfig.json file strictly.
 * @throws RTSLibConfigError for malformed JSON or a document that breaks the schema
 * @throws RTSLibError with the errno when the file cannot be read
 */
export async function readConfigFile(file: string): Promise<SaveConfig> {
  return (await loadConfigFile(file)).config;
}

/**
 * Reads and checks a saveconfig.json file; with `lenient`, keys the format
 * does not have are left out and returned as warnings (see `checkConfig`).
 * @throws RTSLibConfigError for malformed JSON or a document that is not a config
 * @throws RTSLibError with the errno when the file cannot be read
 * @example
 * const { config, warnings } = await loadConfigFile('/etc/target/saveconfig.json', { lenient: true });
 */
export async function loadConfigFile(file: string, options: { lenient?: boolean } = {}): Promise<CheckedConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw ioError(`cannot read ${file}`, err);
  }
  // the schema (and its library) is loaded only when a file is read
  const { parseConfigText } = await import('./schema.js');
  return parseConfigText(text, { source: file, ...(options.lenient ? { lenient: true } : {}) });
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Removes the temporary files of earlier writes of `file` whose process is
 * gone (a save killed between writing its temporary file and renaming it
 * leaves one, with the whole config and its secrets in it).
 */
async function removeStaleTemps(file: string): Promise<void> {
  const dir = dirname(file);
  const pattern = new RegExp(`^\\.${escapeRegExp(basename(file))}\\.(\\d+)\\.[0-9a-f]+\\.tmp$`);
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const m = pattern.exec(name);
    if (m && !processAlive(Number(m[1]))) await unlink(join(dir, name)).catch(() => undefined);
  }
}

/** Writes `data` to `file` through a temporary file in the same directory: write, fsync, rename, fsync the directory. */
async function writeAtomically(file: string, data: string | Buffer, mode: number): Promise<void> {
  const dir = dirname(file);
  await removeStaleTemps(file);
  const temp = join(dir, `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let renamed = false;
  try {
    const handle = await open(temp, 'wx', mode);
    try {
      await handle.writeFile(data);
      await handle.chmod(mode);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await stallPoint('before-rename', temp);
    await rename(temp, file);
    renamed = true;
    const dirHandle = await open(dir, 'r');
    try {
      await dirHandle.sync();
    } finally {
      await dirHandle.close();
    }
  } catch (err) {
    if (!renamed) await unlink(temp).catch(() => undefined);
    throw err;
  }
}

/** Keeps a gzip copy of the current file (when it differs from `next`) and prunes old copies. */
async function backUp(file: string, next: string, keep: number): Promise<string | undefined> {
  let previous: Buffer;
  try {
    previous = await readFile(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  if (previous.toString('utf8') === next) return undefined;
  const dir = join(dirname(file), 'backup');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').replace(/\..*/, '');
  const stem = basename(file).replace(/\.json$/, '');
  // within one second, a counter after the stamp keeps names unique and in order
  const taken = (await readdir(dir)).map((n) => new RegExp(`^${escapeRegExp(stem)}-${stamp}(?:-(\\d+))?\\.json\\.gz$`).exec(n)).filter((m) => m !== null);
  const counter = taken.length === 0 ? 0 : Math.max(...taken.map((m) => Number(m[1] ?? 0))) + 1;
  const backup = join(dir, `${stem}-${stamp}${counter ? `-${counter}` : ''}.json.gz`);
  await writeAtomically(backup, gzipSync(previous), 0o600);
  const pattern = new RegExp(`^${escapeRegExp(stem)}-\\d{8}-\\d{6}(-\\d+)?\\.json\\.gz$`);
  // oldest first: by time stamp, then by the counter added within one second
  const order = (n: string): [string, number] => {
    const m = /-(\d{8}-\d{6})(?:-(\d+))?\.json\.gz$/.exec(n);
    return [m?.[1] ?? '', Number(m?.[2] ?? 0)];
  };
  const old = (await readdir(dir))
    .filter((n) => pattern.test(n))
    .sort((a, b) => {
      const [ta, na] = order(a);
      const [tb, nb] = order(b);
      return ta === tb ? na - nb : ta < tb ? -1 : 1;
    });
  for (const name of old.slice(0, Math.max(0, old.length - keep))) await unlink(join(dir, name));
  return backup;
}

/**
 * Writes a config as saveconfig.json atomically and durably with mode 0600
 * (CHAP secrets live in it), backing up the previous file first.
 * @example
 * await writeConfigFile('/etc/target/saveconfig.json', await dumpConfig(root));
 */
export async function writeConfigFile(file: string, config: SaveConfig, options: WriteConfigOptions = {}): Promise<WriteConfigResult> {
  const keep = options.backups ?? DEFAULT_BACKUPS;
  if (!Number.isInteger(keep) || keep < 0)
    throw new RTSLibError(`invalid backups: ${String(options.backups)} (a whole number, 0 for none)`, { code: 'ERR_RTSLIB_INVALID_ARGUMENT' });
  const text = configText(config);
  try {
    await mkdir(dirname(file), { recursive: true, mode: 0o755 });
    const backup = keep > 0 ? await backUp(file, text, keep) : undefined;
    await writeAtomically(file, text, 0o600);
    return backup ? { backup } : {};
  } catch (err) {
    throw err instanceof RTSLibError ? err : ioError(`cannot save ${file}`, err);
  }
}
