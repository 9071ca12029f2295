/**
 * A write run: a list of phased operations applied all or nothing against
 * the tree as it was. Inside one exclusive hold of the lock (after any
 * interrupted run is recovered), the run
 *
 * 1. refuses operations the engine would refuse, before anything is written;
 * 2. records an image of what it changes (see tree-image.ts) and, when a
 *    state directory is configured, a journal with it, fsynced (a run that
 *    removes reads it part by part as it goes, while the kernel works:
 *    {@link readsImageAsItGoes});
 * 3. executes phase by phase;
 * 4. on any failure (the kernel's, or the engine's refusal mid-run) puts
 *    the tree back to the image, removals and changed values included,
 *    checks that it did, and throws {@link RTSLibOperationError} naming the
 *    step, file and errno (and what, if anything, could not be undone; the
 *    journal then stays for `rtslib recover`); except when an operation
 *    timed out: the kernel may still complete it, so the run does not undo
 *    behind it but keeps the journal ({@link RTSLibTimeoutError});
 * 5. on success marks the journal done and removes it.
 */
import { RTSLibInvalidArgumentError } from '../errors.js';
import { MAX_VALUE_BYTES } from './names.js';
import { RTSLibOperationError, RTSLibTimeoutError, type CfsOp, type Configfs } from './configfs.js';
import { Journal } from './journal.js';
import { runPhased, type AlikeSettings, type PhasedFailure, type PhasedOp, type PhasedRunResult } from './phased-ops.js';
import { undoToImage, type UndoResult } from './recovery.js';
import { settingFromShown } from './settings.js';
import type { Snapshot } from './snapshot.js';
import { ImageAsItGoes, imageOutsideCore, movesAluaMembers } from './image-as-it-goes.js';
import { captureWholeImage, emptyImage, valuesImage, type ImageValue, type StorageObjectRecreator, type TreeImage } from './tree-image.js';
import { CORE_DIR, hbaDirName, nodeType, parseHbaDirName, splitPath } from './tree.js';

/** Options of {@link runWrite}. */
export interface WriteRunOptions {
  /** What the run is, for the journal and messages (`restore`, `apply`, `clear`, ...). */
  command: string;
  /** How to recreate a storage object the run removes, from what a snapshot shows of it. */
  recreateStorageObject: StorageObjectRecreator;
  /** Called as operations complete, with the number done and the total. */
  onProgress?: (done: number, total: number) => void;
  /** A snapshot with values taken inside the current exclusive hold (saves reading the tree again). */
  basis?: Snapshot;
}

/** What {@link runWrite} did. */
export interface WriteRunResult {
  /** Operations performed. */
  operations: number;
  /** Conditional writes skipped because the file already held the value. */
  skipped: number;
  /** Operations marked `tolerate` that were skipped (absent file or refused write), with why. */
  tolerated: PhasedFailure[];
}

/** An empty, `.` or `..` segment (a leading `/` is an empty first segment). */
const BAD_SEGMENT = /(?:^|\/)\.{0,2}(?:\/|$)/;

/** A root-relative path the engine accepts: no empty, `.` or `..` segment, no NUL, not absolute. */
function checkPath(what: string, path: string, allowRoot: boolean): void {
  if (path === '' && allowRoot) return;
  if (path.includes('\0') || BAD_SEGMENT.test(path)) {
    throw new RTSLibInvalidArgumentError(what, `not a path inside the target root: ${JSON.stringify(path)}`);
  }
}

/** Refuses, before anything is written, operations the engine would refuse (the writes of objects that follow a setting included, see PhasedOp.alike). */
export function checkOps(ops: readonly PhasedOp[]): void {
  const alikeSeen = new Set<AlikeSettings>();
  for (const op of ops) {
    checkPath('operation path', op.path, op.op === 'stat' || op.op === 'list' || op.op === 'read');
    if (op.alike !== undefined && !alikeSeen.has(op.alike)) {
      alikeSeen.add(op.alike);
      for (const m of op.alike.members) checkPath('operation path', m.dir, false);
    }
    if (op.op === 'symlink') checkPath('link target', op.target, false);
    if (op.op === 'write') {
      if (op.value.includes('\0')) throw new RTSLibInvalidArgumentError('value', `of ${op.path} contains NUL`);
      // a UTF-16 unit is at most three UTF-8 bytes: only a long value is measured
      if (op.value.length * 3 > MAX_VALUE_BYTES && Buffer.byteLength(op.value) > MAX_VALUE_BYTES)
        throw new RTSLibInvalidArgumentError('value', `of ${op.path} is longer than ${MAX_VALUE_BYTES} bytes`);
    }
  }
}

/** Directories and links the operations create. */
function createdBy(ops: readonly CfsOp[]): string[] {
  return ops.filter((op) => op.op === 'mkdir' || op.op === 'symlink').map((op) => op.path);
}

/** Whether `path` lies inside one of `dirs`. */
function inside(path: string, dirs: ReadonlySet<string>): boolean {
  for (let i = path.lastIndexOf('/'); i > 0; i = path.lastIndexOf('/', i - 1)) if (dirs.has(path.slice(0, i))) return true;
  return false;
}

/** Whether the run removes anything (its image is then of whole subtrees, not of the values it writes). */
function removesAnything(ops: readonly PhasedOp[]): boolean {
  return ops.some((op) => op.op === 'rmdir' || op.op === 'unlink');
}

/**
 * Whether a run reads its image as it goes (see image-as-it-goes.ts). The
 * whole tree's values are a long read (CPU in the kernel), while a run's
 * removals mostly wait for the kernel to drop its references. So a run that
 * removes, without a basis, reads before each chunk the parts of the tree
 * that chunk changes and adds them to the journal's image before the chunk
 * goes, while the chunk before it runs. Every part of the tree is in the
 * journal's image before anything in it changes, so recovery from the
 * journal of any moment puts the tree back.
 */
function readsImageAsItGoes(ops: readonly PhasedOp[], options: WriteRunOptions): boolean {
  return !options.basis && removesAnything(ops);
}

/** The image of what the run changes (see tree-image.ts); as it goes, the part read before the first chunk (see {@link readsImageAsItGoes}). */
async function imageBefore(cfs: Configfs, ops: readonly PhasedOp[], created: readonly string[], options: WriteRunOptions, asItGoes: boolean): Promise<TreeImage> {
  if (asItGoes) return movesAluaMembers(ops) ? imageOutsideCore(cfs, options.recreateStorageObject) : emptyImage();
  if (removesAnything(ops)) {
    return captureWholeImage(options.basis ?? (await cfs.snapshot('')), options.recreateStorageObject);
  }
  const createdDirs = new Set(created);
  // a new object's settings share a few directories: each is looked up once
  const dirInside = new Map<string, boolean>();
  const insideCreated = (path: string): boolean => {
    const dir = path.slice(0, Math.max(path.lastIndexOf('/'), 0));
    let known = dirInside.get(dir);
    if (known === undefined) {
      known = createdDirs.has(dir) || inside(dir, createdDirs);
      dirInside.set(dir, known);
    }
    return known;
  };
  const written = [...new Set(ops.filter((op) => op.op === 'write' && !insideCreated(op.path)).map((op) => op.path))];
  if (written.length === 0) return valuesImage([]);
  const reads = await cfs.run(
    written.map((path) => ({ op: 'read', path, independent: true })),
    { stopOnError: false },
  );
  const values: ImageValue[] = [];
  reads.forEach((r, i) => {
    if (!r.ok || !Buffer.isBuffer(r.value)) return;
    const value = settingFromShown(written[i] as string, r.value.toString('utf8'));
    if (value !== null) values.push({ path: written[i] as string, value });
  });
  return valuesImage(values);
}

/** Lowest index of an HBA's plugin free in the kernel and not taken by this run. */
async function freeHba(cfs: Configfs, hba: string, taken: ReadonlySet<string>): Promise<string | null> {
  const parsed = parseHbaDirName(splitPath(hba).name);
  if (!parsed) return null;
  const entries = (await cfs.list(CORE_DIR)) ?? [];
  const used = new Set(entries.map((e) => e.name));
  for (let index = 0; ; index++) {
    const path = `${CORE_DIR}/${hbaDirName(parsed.plugin, index)}`;
    if (!used.has(hbaDirName(parsed.plugin, index)) && !taken.has(path)) return path;
  }
}

/** Applies `ops` all or nothing; see the module comment. */
export async function runWrite(cfs: Configfs, ops: readonly PhasedOp[], options: WriteRunOptions): Promise<WriteRunResult> {
  checkOps(ops);
  if (ops.length === 0) return { operations: 0, skipped: 0, tolerated: [] };
  return cfs.exclusive(async () => {
    const created = createdBy(ops);
    const asItGoes = readsImageAsItGoes(ops, options);
    const image = await imageBefore(cfs, ops, created, options, asItGoes);
    const journal = cfs.stateDir === null ? null : await Journal.begin(cfs.stateDir, { root: cfs.root, command: options.command, created, image });
    const newHbas = new Set(created.filter((p) => nodeType(p, 'dir') === 'hba'));
    const asItGoesImage = asItGoes ? new ImageAsItGoes(cfs, image, journal, options.recreateStorageObject) : null;
    const run = await runPhased(cfs, ops, {
      mode: 'forward',
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(asItGoesImage ? { prepareChunk: (chunk: readonly PhasedOp[]) => asItGoesImage.prepare(chunk) } : {}),
      isNewHba: (path) => newHbas.has(path),
      renameHba: async (from) => {
        const to = await freeHba(cfs, from, newHbas);
        if (to === null) return null;
        newHbas.add(to);
        const move = (p: string): string => (p === from ? to : p.startsWith(`${from}/`) ? `${to}${p.slice(from.length)}` : p);
        created.splice(0, created.length, ...created.map(move));
        await journal?.updateCreated(created);
        return to;
      },
    });
    // a read started for a chunk that never went is finished (or failed) before the journal is touched again
    await asItGoesImage?.settle();
    // the image to undo to, made of the parts read as the run went only when it is needed
    const imageToUndo = (): TreeImage => asItGoesImage?.image() ?? image;
    if (run.stoppedBy !== undefined) {
      // a read of the image failed: what the run did is covered by the image as far as it was journalled
      await undoAfter(cfs, imageToUndo(), run, journal);
      throw run.stoppedBy;
    }
    const failure = run.failures[0];
    if (!failure) {
      await journal?.complete();
      return { operations: run.operations, skipped: run.skipped, tolerated: run.tolerated };
    }
    // A call that timed out may still complete: undoing now would race it. The journal (which
    // lists every creation the run planned) lets recovery put the tree back once it has returned.
    if (failure.cause.code === 'ETIMEDOUT' && journal) throw new RTSLibTimeoutError(failure.op.step ?? options.command, failure.cause, journal.file);
    const undo = await undoAfter(cfs, imageToUndo(), run, journal, failure);
    throw new RTSLibOperationError(failure.op.step ?? options.command, failure.cause, undo.notUndone.length ? undo.failures : [], undo.notUndone);
  });
}

/**
 * Puts the tree back to `image` after a run stopped: removes what the run
 * made (and a creation that timed out, whose effect is unknown), removes the
 * journal when the tree is back as it was.
 */
async function undoAfter(cfs: Configfs, image: TreeImage, run: PhasedRunResult, journal: Journal | null, failure?: PhasedFailure): Promise<UndoResult> {
  const made = createdBy(run.done);
  if (failure?.cause.code === 'ETIMEDOUT' && (failure.op.op === 'mkdir' || failure.op.op === 'symlink')) made.push(failure.op.path);
  const undo = await undoToImage(cfs, image, made);
  if (undo.notUndone.length === 0) await journal?.remove();
  return undo;
}
