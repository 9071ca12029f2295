/**
 * The journal of a write run: written and fsynced before the run's first
 * write, removed when it finished or was undone. A journal that is still
 * there at the next write run (or `rtslib recover`) belongs to a run that
 * was killed, or whose undo failed; it holds what is needed to put the tree
 * back: the image of the tree before the run and what the run creates.
 *
 * One journal per target root, `<stateDir>/journal-<hash of the root>.json`,
 * mode 0600 in a 0700 directory (the image holds CHAP secrets). Writes go
 * through a temporary file, fsync, rename and an fsync of the directory, so
 * a crash leaves the old journal or the new one. A run that finished all
 * its operations first adds `<journal>.done`, so recovery can tell a run
 * that completed from one that did not. A run that reads its image as it
 * goes adds each further part as `<journal>.part-<n>` (written the same
 * way; a part holds an image, or the tree reads it is made of, see
 * raw-image.ts): the image is the journal's with its parts in order, and a
 * part is durable before anything it covers changes.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, readdir, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { RTSLibError, toLibraryError } from '../errors.js';
import { addToImage, copyOfImage, type StorageObjectRecreator, type TreeImage } from './tree-image.js';
import { imageOfRawPart, parseRawPart, rawPartJson, type RawImagePart } from './raw-image.js';
import { processAlive } from './processes.js';

/** What a journal records. */
export interface JournalRecord {
  /** Always `rtslib-journal`. */
  format: 'rtslib-journal';
  /** Format version. */
  version: 1;
  /** Absolute path of the target root the run wrote to. */
  root: string;
  /** Process id of the run. */
  pid: number;
  /** What the run was (`restore`, `apply`, `clear`, ...). */
  command: string;
  /** When it started (ISO 8601). */
  startedAt: string;
  /** Directories and links the run creates (root-relative), as planned. */
  created: string[];
  /** The tree before the run, as far as the run changes it (or, with `image.covers`, as far as it has changed it yet). */
  image: TreeImage;
}

/** A journal on disk. */
export interface JournalState {
  /** The record. */
  record: JournalRecord;
  /** Whether the run finished every operation. */
  done: boolean;
}

/** A journal I/O failure, as an RTSLibError with errno, syscall and path. */
const fsError = toLibraryError;

/** fsync of a directory, so a rename or unlink in it survives a crash. */
async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** The open journal of the current run. */
export class Journal {
  /** Path of the journal file. */
  readonly file: string;
  private record: JournalRecord;
  /** Image parts written so far. */
  private parts = 0;

  private constructor(file: string, record: JournalRecord) {
    this.file = file;
    this.record = record;
  }

  /** Path of the journal of `root` in `stateDir`. */
  static fileFor(stateDir: string, root: string): string {
    return join(stateDir, `journal-${createHash('sha256').update(root).digest('hex').slice(0, 16)}.json`);
  }

  /** Writes a new journal (durably) and returns it. */
  static async begin(stateDir: string, record: Omit<JournalRecord, 'format' | 'version' | 'pid' | 'startedAt'>): Promise<Journal> {
    // the image as it is now: the run adds to its own as it goes, and those parts go to part files
    const image = copyOfImage(record.image);
    const full: JournalRecord = { format: 'rtslib-journal', version: 1, pid: process.pid, startedAt: new Date().toISOString(), ...record, image };
    const journal = new Journal(Journal.fileFor(stateDir, record.root), full);
    try {
      await mkdir(stateDir, { recursive: true, mode: 0o700 });
      await unlink(`${journal.file}.done`).catch(() => undefined);
      for (const part of await partFiles(journal.file)) await unlink(part);
      await journal.write();
    } catch (error) {
      throw fsError(`cannot write the journal in ${stateDir}`, error);
    }
    return journal;
  }

  /** Replaces the list of what the run creates (an HBA moved to another index). */
  async updateCreated(created: readonly string[]): Promise<void> {
    await this.update({ created: [...created] });
  }

  /** Adds a part of the image (durably), as an image or as read (raw-image.ts): the run has read more of the tree it changes and may now change it. */
  async addImagePart(part: TreeImage | RawImagePart): Promise<void> {
    try {
      await writeDurably(partFile(this.file, this.parts), 'reads' in part ? rawPartJson(part) : JSON.stringify(part));
      this.parts++;
    } catch (error) {
      throw fsError(`cannot update the journal ${this.file}`, error);
    }
  }

  private async update(change: Partial<Pick<JournalRecord, 'created'>>): Promise<void> {
    this.record = { ...this.record, ...change };
    try {
      await this.write();
    } catch (error) {
      throw fsError(`cannot update the journal ${this.file}`, error);
    }
  }

  /** Records that every operation succeeded, then removes the journal. */
  async complete(): Promise<void> {
    try {
      const handle = await open(`${this.file}.done`, 'w', 0o600);
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
      await this.remove();
    } catch (error) {
      throw fsError(`cannot finish the journal ${this.file}`, error);
    }
  }

  /** Removes the journal (the tree is as the run left it, or back as it was). */
  async remove(): Promise<void> {
    await removeJournal(this.file);
  }

  private async write(): Promise<void> {
    await writeDurably(this.file, JSON.stringify(this.record));
  }
}

/** The file of image part `n` of a journal. */
function partFile(file: string, n: number): string {
  return `${file}.part-${n}`;
}

/** Writes `text` to `file` through a temporary file, fsync, rename and an fsync of the directory. */
async function writeDurably(file: string, text: string): Promise<void> {
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const handle = await open(temp, 'wx', 0o600);
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temp, file);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  await syncDir(join(file, '..'));
}

/** The image parts of a journal on disk (`<file>.part-<n>`), by number. */
async function partFiles(file: string): Promise<string[]> {
  const dir = join(file, '..');
  const stem = file.slice(dir.length + 1);
  const numbered: [number, string][] = [];
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const m = /^(.*)\.part-(\d+)$/.exec(name);
    if (m && m[1] === stem) numbered.push([Number(m[2]), join(dir, name)]);
  }
  return numbered.sort((a, b) => a[0] - b[0]).map(([, path]) => path);
}

/** Removes a journal file, its image parts and its done marker, durably. */
export async function removeJournal(file: string): Promise<void> {
  try {
    await unlink(file).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
    // after the journal itself: parts without their journal are never read, and are removed by the next begin
    for (const part of await partFiles(file)) await unlink(part).catch(() => undefined);
    await unlink(`${file}.done`).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
    await syncDir(join(file, '..'));
  } catch (error) {
    throw fsError(`cannot remove the journal ${file}`, error);
  }
}

/** Whether `root` has a journal in `stateDir` (one stat, no parsing). */
export async function hasJournal(stateDir: string, root: string): Promise<boolean> {
  try {
    const handle = await open(Journal.fileFor(stateDir, root), 'r');
    await handle.close();
    return true;
  } catch {
    return false;
  }
}

/**
 * Reads the journal of `root`, or null when there is none. Temporary files
 * of journal writes that were killed are removed. Image parts kept as read
 * (raw-image.ts) become images with `recreate`, which makes the
 * operations that recreate a storage object.
 */
export async function readJournal(stateDir: string, root: string, recreate: StorageObjectRecreator): Promise<JournalState | null> {
  const file = Journal.fileFor(stateDir, root);
  const stem = file.slice(stateDir.length + 1);
  for (const name of await readdir(stateDir).catch(() => [] as string[])) {
    const m = new RegExp(`^${stem.replace(/\./g, '\\.')}(?:\\.part-\\d+)?\\.(\\d+)\\.[0-9a-f]+\\.tmp$`).exec(name);
    if (m && !processAlive(Number(m[1]))) await unlink(join(stateDir, name)).catch(() => undefined);
  }
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      await unlink(`${file}.done`).catch(() => undefined);
      return null;
    }
    throw fsError(`cannot read the journal ${file}`, error);
  }
  let record: JournalRecord;
  try {
    record = JSON.parse(text) as JournalRecord;
  } catch {
    throw new RTSLibError(`the journal ${file} is not valid JSON: remove it after checking the tree`, { code: 'ERR_RTSLIB_JOURNAL' });
  }
  if (record.format !== 'rtslib-journal' || record.version !== 1 || record.root !== root || !Array.isArray(record.created) || typeof record.image !== 'object') {
    throw new RTSLibError(`the journal ${file} is not one this version can read`, { code: 'ERR_RTSLIB_JOURNAL' });
  }
  for (const part of await partFiles(file)) {
    let more: unknown;
    try {
      more = JSON.parse(await readFile(part, 'utf8'));
    } catch (error) {
      if (error instanceof SyntaxError)
        throw new RTSLibError(`the journal's image part ${part} is not valid JSON: remove the journal after checking the tree`, { code: 'ERR_RTSLIB_JOURNAL' });
      throw fsError(`cannot read the journal's image part ${part}`, error);
    }
    const unreadable = (): RTSLibError => new RTSLibError(`the journal's image part ${part} is not one this version can read`, { code: 'ERR_RTSLIB_JOURNAL' });
    if (typeof more !== 'object' || more === null) throw unreadable();
    if ('reads' in more) {
      const raw = parseRawPart(more);
      if (!raw) throw unreadable();
      addToImage(record.image, imageOfRawPart(root, raw, recreate));
      continue;
    }
    const image = more as Partial<TreeImage>;
    if (!Array.isArray(image.dirs) || !Array.isArray(image.links) || !Array.isArray(image.values)) throw unreadable();
    addToImage(record.image, image as TreeImage);
  }
  const done = await open(`${file}.done`, 'r').then(
    async (h) => {
      await h.close();
      return true;
    },
    () => false,
  );
  return { record, done };
}
