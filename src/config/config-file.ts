/**
 * saveconfig.json on disk: read and validate; write atomically and durably
 * (a temporary file in the same directory, fsync, rename, fsync of the
 * directory, mode 0600, so a power loss leaves the old file or the new one,
 * never a torn or empty one), with gzip backups of the previous file named
 * and kept as targetcli keeps them (`<dir>/backup/saveconfig-<time>-json.gz`);
 * and which file is the system's default one.
 */
import { open, readFile, readdir, rename, mkdir, unlink, type FileHandle } from 'node:fs/promises';
import { statSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { RTSLibError, toLibraryError } from '../errors.js';
import { processAlive, stallPoint } from '../cfs/processes.js';
import type { CheckedConfig } from './schema.js';
import type { FabricModuleConfig, SaveConfig } from '../model/saveconfig-format.js';
import type { DumpEntry } from '../model/streamed-dump.js';

/** Upstream targetctl's default file. */
export const DEFAULT_CONFIG_FILE = '/etc/target/saveconfig.json';

/** The default file of Debian's and Ubuntu's targetctl, used where its directory exists. */
export const DEBIAN_CONFIG_FILE = '/etc/rtslib-fb-target/saveconfig.json';

/**
 * The file `save` and `restore` use when given none: `$RTSLIB_CONFIG` when
 * set, else the one the system's targetctl uses
 * ({@link DEBIAN_CONFIG_FILE} where `/etc/rtslib-fb-target` is a directory,
 * as on Debian and Ubuntu, else {@link DEFAULT_CONFIG_FILE}).
 * @example
 * defaultConfigFile(); // '/etc/rtslib-fb-target/saveconfig.json' on Debian
 */
export function defaultConfigFile(env: NodeJS.ProcessEnv = process.env, isDirectory: (dir: string) => boolean = directoryExists): string {
  const configured = env['RTSLIB_CONFIG'];
  if (configured) return configured;
  return isDirectory(dirname(DEBIAN_CONFIG_FILE)) ? DEBIAN_CONFIG_FILE : DEFAULT_CONFIG_FILE;
}

function directoryExists(dir: string): boolean {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

/** How many backups {@link writeConfigFile} keeps by default (as targetcli). */
export const DEFAULT_BACKUPS = 10;

/** Options of {@link writeConfigFile}. */
export interface WriteConfigOptions {
  /** Keep a gzip copy of the previous file in `<dir>/backup/`, at most this many (0: none; default 10, as targetcli's `max_backup_files`). */
  backups?: number;
}

/** What {@link writeConfigFile} did. */
export interface WriteConfigResult {
  /** Path of the backup of the previous file, when one was made. */
  backup?: string;
}

/** An I/O failure on a config file, as an RTSLibError with errno, syscall and path. */
const ioError = toLibraryError;

/** A copy of a JSON value with the keys of every object sorted. */
function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortedKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/** JSON with keys sorted at every level and two-space indent, as rtslib-fb writes it (`sort_keys=True, indent=2`). */
export function configText(config: SaveConfig): string {
  return `${JSON.stringify(sortedKeys(config), null, 2)}\n`;
}

/** A config whose storage objects and targets come one at a time (see `openStreamedDump`). */
export interface ConfigEntries {
  /** The fabric modules' entries. */
  fabricModules: readonly FabricModuleConfig[];
  /** Every storage object, then every target, in file order. */
  entries: AsyncIterable<DumpEntry>;
}

/**
 * The text of {@link configText}, byte for byte, in pieces: one per entry,
 * each made when its entry arrives, so the whole document is never held.
 * @param check - called on each entry before its text is made (a validator that throws stops the text there).
 */
export async function* configTextPieces(
  config: ConfigEntries,
  check?: (entry: DumpEntry | { kind: 'fabricModules'; entry: readonly FabricModuleConfig[] }) => void,
): AsyncGenerator<string> {
  // an entry inside a top-level list sits at depth 2: its lines after the first are indented by four spaces
  const nested = (value: unknown, indent: string): string => JSON.stringify(sortedKeys(value), null, 2).replace(/\n/g, `\n${indent}`);
  check?.({ kind: 'fabricModules', entry: config.fabricModules });
  let list: DumpEntry['kind'] = 'storageObject';
  let count = 0;
  const close = (): string => (count ? '\n  ]' : '[]');
  yield `{\n  "fabric_modules": ${nested(config.fabricModules, '  ')},\n  "storage_objects": `;
  for await (const item of config.entries) {
    if (item.kind !== list) {
      if (list === 'target') throw new RTSLibError('a storage object came after the targets', { code: 'ERR_RTSLIB_INVALID_ARGUMENT' });
      // the storage objects' list ends (empty or not) and the targets' begins
      yield `${close()},\n  "targets": `;
      list = 'target';
      count = 0;
    }
    check?.(item);
    yield `${count++ ? ',\n    ' : '[\n    '}${nested(item.entry, '    ')}`;
  }
  yield list === 'target' ? `${close()}\n}\n` : `${close()},\n  "targets": []\n}\n`;
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

/** What was written to a temporary file: its length and SHA-256, to compare with the file it replaces without holding both. */
interface Written {
  bytes: number;
  sha256: string;
}

/** Text pieces are gathered into writes of about this many characters. */
const WRITE_CHUNK = 1 << 20;

/** Writes `buffer` whole at the handle's position. */
async function writeAll(handle: FileHandle, buffer: Buffer): Promise<void> {
  for (let done = 0; done < buffer.length;) done += (await handle.write(buffer, done, buffer.length - done, null)).bytesWritten;
}

/**
 * Writes `data` (whole, or text pieces as they come) to `file` through a
 * temporary file in the same directory: write, fsync, then
 * `beforeRename` with what was written, rename, fsync the directory. A
 * failure anywhere (a piece that throws included) removes the temporary
 * file and leaves `file` as it was.
 */
async function writeAtomically(file: string, data: string | Buffer | AsyncIterable<string>, mode: number, beforeRename?: (written: Written) => Promise<void>): Promise<void> {
  const dir = dirname(file);
  await removeStaleTemps(file);
  const temp = join(dir, `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let renamed = false;
  try {
    const handle = await open(temp, 'wx', mode);
    const hash = createHash('sha256');
    let bytes = 0;
    const put = async (chunk: Buffer): Promise<void> => {
      hash.update(chunk);
      bytes += chunk.length;
      await writeAll(handle, chunk);
    };
    try {
      if (typeof data === 'string' || Buffer.isBuffer(data)) await put(Buffer.from(data));
      else {
        let pending: string[] = [];
        let size = 0;
        for await (const piece of data) {
          pending.push(piece);
          size += piece.length;
          if (size < WRITE_CHUNK) continue;
          await put(Buffer.from(pending.join(''), 'utf8'));
          pending = [];
          size = 0;
        }
        await put(Buffer.from(pending.join(''), 'utf8'));
      }
      await handle.chmod(mode);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await beforeRename?.({ bytes, sha256: hash.digest('hex') });
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

/** `YYYYMMDD-HH:MM:SS` in local time, as targetcli stamps its backups. */
function backupStamp(date: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}${two(date.getMonth() + 1)}${two(date.getDate())}-${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}`;
}

/**
 * Keeps a gzip copy of the current file as targetcli does
 * (`<dir>/backup/<stem>-YYYYMMDD-HH:MM:SS-json.gz`, mode 0600) when it
 * differs from `next` and from the newest backup, and keeps the newest
 * `keep` copies (a second backup within one second replaces the first, as
 * with targetcli).
 */
async function backUp(file: string, next: Written, keep: number): Promise<string | undefined> {
  let previous: Buffer;
  try {
    previous = await readFile(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  if (previous.length === next.bytes && createHash('sha256').update(previous).digest('hex') === next.sha256) return undefined;
  const dir = join(dirname(file), 'backup');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const stem = basename(file).replace(/\.json$/, '');
  const pattern = new RegExp(`^${escapeRegExp(stem)}-\\d{8}-\\d{2}:\\d{2}:\\d{2}-json\\.gz$`);
  // the names sort by time
  const existing = (await readdir(dir)).filter((n) => pattern.test(n)).sort();
  const newest = existing.at(-1);
  if (
    newest !== undefined &&
    (await readFile(join(dir, newest)).then(
      (data) => gunzipSync(data).equals(previous),
      () => false,
    ))
  )
    return undefined;
  const backup = join(dir, `${stem}-${backupStamp(new Date())}-json.gz`);
  await writeAtomically(backup, gzipSync(previous), 0o600);
  const all = [...new Set([...existing, basename(backup)])].sort();
  for (const name of all.slice(0, Math.max(0, all.length - keep))) await unlink(join(dir, name));
  return backup;
}

/**
 * Writes a config as saveconfig.json atomically and durably with mode 0600
 * (CHAP secrets live in it), backing up the previous file first.
 * @example
 * await writeConfigFile('/etc/target/saveconfig.json', await dumpConfig(root));
 */
export async function writeConfigFile(file: string, config: SaveConfig, options: WriteConfigOptions = {}): Promise<WriteConfigResult> {
  return writeConfigText(file, configText(config), options);
}

/**
 * {@link writeConfigFile} for text that comes in pieces (see
 * {@link configTextPieces}): each piece goes to the temporary file as it
 * comes, so the document is never held whole. When a piece throws, nothing
 * replaces the file and no backup is made.
 */
export async function writeConfigText(file: string, text: string | AsyncIterable<string>, options: WriteConfigOptions = {}): Promise<WriteConfigResult> {
  const keep = options.backups ?? DEFAULT_BACKUPS;
  if (!Number.isInteger(keep) || keep < 0)
    throw new RTSLibError(`invalid backups: ${String(options.backups)} (a whole number, 0 for none)`, { code: 'ERR_RTSLIB_INVALID_ARGUMENT' });
  let backup: string | undefined;
  try {
    await mkdir(dirname(file), { recursive: true, mode: 0o755 });
    await writeAtomically(file, text, 0o600, keep > 0 ? async (written) => void (backup = await backUp(file, written, keep)) : undefined);
    return backup ? { backup } : {};
  } catch (err) {
    throw err instanceof RTSLibError ? err : ioError(`cannot save ${file}`, err);
  }
}
