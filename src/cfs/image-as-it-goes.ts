/**
 * The undo image of a write run read as the run goes (see write-run.ts):
 * a run that removes reads, before each chunk of operations goes, the
 * parts of the tree that chunk changes and adds them to its journal; it
 * starts that read while the chunk before it runs, so that it overlaps the
 * kernel's removals instead of coming before all of them.
 *
 * The parts ("units") partition the tree, so that an operation changes
 * exactly one of them and each is read once, before its first change:
 *
 * - in `core`: an HBA directory with its storage objects (or `core/alua`);
 * - a LUN or a mapped LUN with its link, a portal: the node's directory
 *   with everything in it, read with the other such nodes of the same
 *   parent directory (one tree read per parent per chunk);
 * - a target, a TPG, an ACL: the node's own part, without the nodes in it
 *   (which are units of their own): its directory, files and settings;
 * - anything else outside them: the top-level entry (a fabric's own part
 *   without its targets: discovery authentication; a file of the root).
 *
 * Removing a node changes only its own unit (its parent's listing of
 * nodes is in no unit), with one exception the kernel makes: removing an
 * ALUA group moves the LUNs that were its members back to the default
 * group. A run that removes an ALUA group and keeps its storage object
 * (whose LUNs stay) therefore reads everything outside `core` first.
 */
import { changesTree, type Configfs } from './configfs.js';
import { RTSLibError } from '../errors.js';
import type { Journal } from './journal.js';
import type { PhasedOp } from './phased-ops.js';
import { addToImage, captureWholeImage, copyOfImage, emptyImage, type StorageObjectRecreator, type TreeImage } from './tree-image.js';
import { imageOfRawPart, type RawImagePart, type RawRead } from './raw-image.js';
import { CHILD_NODE_GROUPS, CORE_DIR, child, nodeType, ownerNode, splitPath } from './tree.js';

/** A part of the tree read for the image: a directory (or file) with everything in it, or a node's own part without the nodes in it. */
export interface ImageUnit {
  /** Root-relative path. */
  path: string;
  /** `whole`: with everything below it; `own`: without the user-made nodes in it (and the directories that hold them). */
  read: 'whole' | 'own';
}

/** Whether a path is in `core`. */
function inCore(path: string): boolean {
  return path === CORE_DIR || path.startsWith(`${CORE_DIR}/`);
}

/** The unit (see the module comment) an operation changes. */
export function imageUnitOf(op: PhasedOp): ImageUnit {
  const { path } = op;
  if (inCore(path)) {
    if (path === CORE_DIR) return { path, read: 'own' };
    const slash = path.indexOf('/', CORE_DIR.length + 1);
    return { path: slash < 0 ? path : path.slice(0, slash), read: 'whole' };
  }
  // a node's own operation names it (no walk up the path); a link's unit is its directory's
  const type = op.op === 'mkdir' || op.op === 'rmdir' ? nodeType(path, 'dir') : op.op === 'symlink' || op.op === 'unlink' ? nodeType(path, 'link') : null;
  const owner = type === 'lunLink' || type === 'mappedLunLink' ? { path: splitPath(path).parent, type } : type ? { path, type } : ownerNode(path);
  if (owner) return { path: owner.path, read: owner.type === 'target' || owner.type === 'tpg' || owner.type === 'acl' ? 'own' : 'whole' };
  const slash = path.indexOf('/');
  // a write to a top-level entry writes a file: the file is the unit
  if (slash < 0 && op.op === 'write') return { path, read: 'whole' };
  return { path: slash < 0 ? path : path.slice(0, slash), read: 'own' };
}

/** Whether the run removes an ALUA group whose storage object it keeps (the group's member LUNs then change). */
export function movesAluaMembers(ops: readonly PhasedOp[]): boolean {
  const groups = ops.filter((op) => op.op === 'rmdir' && inCore(op.path) && nodeType(op.path, 'dir') === 'aluaGroup');
  if (groups.length === 0) return false;
  const removed = new Set(ops.filter((op) => op.op === 'rmdir').map((op) => op.path));
  // core/<hba>/<storage object>/alua/<group>
  return groups.some((op) => !removed.has(splitPath(splitPath(op.path).parent).parent));
}

/** A read of a directory that does not exist (yet: its parent is made by the same chunk) is an image of nothing. */
function isMissing(error: unknown): boolean {
  return error instanceof RTSLibError && error.code === 'ENOENT';
}

/** The read of the `names` in directory `parent`, each with everything below it; null when the directory does not exist (yet: its parent is made by the same chunk). */
async function wholeEntries(cfs: Configfs, parent: string, names: readonly string[]): Promise<RawRead | null> {
  try {
    return { base: parent, tree: await cfs.readTree(parent, { only: names }) };
  } catch (error) {
    if (isMissing(error)) return null;
    throw error;
  }
}

/** The read of a node's own part (or a top-level directory's): its directory and what is in it, but not the nodes in it; null when it does not exist. */
async function ownPart(cfs: Configfs, path: string): Promise<RawRead | null> {
  const entries = await cfs.list(path);
  if (entries === null) return null;
  const type = nodeType(path, 'dir');
  const groups = (type && CHILD_NODE_GROUPS[type]) || [];
  const own = entries
    .filter((e) => {
      // every entry of core is a unit of its own
      if (path === CORE_DIR || groups.includes(e.name)) return false;
      return !((e.type === 'dir' || e.type === 'link') && nodeType(child(path, e.name), e.type));
    })
    .map((e) => e.name);
  const read = own.length ? await wholeEntries(cfs, path, own) : null;
  return { base: path, tree: read?.tree ?? null, node: path };
}

/**
 * The reads of `units` (each not read before), one per parent directory of
 * whole units and two per own part, side by side: the part of the image
 * they make, as read (see raw-image.ts).
 */
export async function readUnits(cfs: Configfs, units: readonly ImageUnit[]): Promise<RawImagePart> {
  const byParent = new Map<string, string[]>();
  const reads: Promise<RawRead | null>[] = [];
  for (const unit of units) {
    if (unit.read === 'own') {
      reads.push(ownPart(cfs, unit.path));
      continue;
    }
    const { parent, name } = splitPath(unit.path);
    let names = byParent.get(parent);
    if (!names) byParent.set(parent, (names = []));
    names.push(name);
  }
  for (const [parent, names] of byParent) reads.push(wholeEntries(cfs, parent, names));
  // every read finished before a failure is reported: nothing of the run is left running behind its undo
  const settled = await Promise.allSettled(reads);
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  const out: RawRead[] = [];
  for (const read of settled as PromiseFulfilledResult<RawRead | null>[]) if (read.value) out.push(read.value);
  return { covers: units.map((unit) => unit.path), reads: out };
}

/**
 * The image of everything outside `core`, for a run that changes LUNs
 * without an operation on them ({@link movesAluaMembers}); it covers the
 * top-level entries it read.
 */
export async function imageOutsideCore(cfs: Configfs, recreate: StorageObjectRecreator): Promise<TreeImage> {
  const names = ((await cfs.list('')) ?? []).map((e) => e.name).filter((name) => name !== CORE_DIR);
  const image = names.length ? captureWholeImage(await cfs.snapshot('', { only: names }), recreate) : emptyImage();
  return { ...image, covers: names };
}

/**
 * Reads the units of each chunk before it goes and adds them to the run's
 * journal: what {@link import('./phased-ops.js').PhasedRunOptions.prepareChunk}
 * does for a run that reads its image as it goes. The reads run one after
 * another (each chunk's after the one before), and a unit is read once.
 * They are kept as read (raw-image.ts): {@link image} makes the run's image
 * of them when it is needed, to undo the run.
 */
export class ImageAsItGoes {
  /** Units in the image (and top-level entries read whole). */
  private readonly covered: Set<string>;
  private reading: Promise<void> = Promise.resolve();
  /** The parts read so far, in order. */
  private readonly parts: RawImagePart[] = [];

  /**
   * @param first - the run's image before its first chunk; its `covers` are taken as read already.
   * @param journal - where each part is added before its chunk goes (none without a state directory).
   */
  constructor(
    private readonly cfs: Configfs,
    private readonly first: TreeImage,
    private readonly journal: Journal | null,
    private readonly recreate: StorageObjectRecreator,
  ) {
    this.covered = new Set(first.covers ?? []);
  }

  /** Whether a unit is in the image already (itself, or its top-level entry read whole). */
  private has(unit: ImageUnit): boolean {
    if (this.covered.has(unit.path)) return true;
    const slash = unit.path.indexOf('/');
    return slash > 0 && !inCore(unit.path) && this.covered.has(unit.path.slice(0, slash));
  }

  /** Reads and journals the units `chunk` changes that are not in the image yet; resolves once they are. */
  prepare(chunk: readonly PhasedOp[]): Promise<void> {
    this.reading = this.reading.then(async () => {
      const units = new Map<string, ImageUnit>();
      for (const op of chunk) {
        if (!changesTree(op)) continue;
        const unit = imageUnitOf(op);
        if (!units.has(unit.path) && !this.has(unit)) units.set(unit.path, unit);
      }
      if (units.size === 0) return;
      const part = await readUnits(this.cfs, [...units.values()]);
      // only the new part is written: the journal's bytes grow with the tree, not with the tree times its chunks
      await this.journal?.addImagePart(part);
      this.parts.push(part);
      for (const path of units.keys()) this.covered.add(path);
    });
    return this.reading;
  }

  /** Waits for the reads started (a read for a chunk that never went included), ignoring their failure. */
  async settle(): Promise<void> {
    await this.reading.catch(() => undefined);
  }

  /** The run's image: the first one with every part read so far (call after {@link settle}). */
  image(): TreeImage {
    const image = copyOfImage(this.first);
    for (const part of this.parts) addToImage(image, imageOfRawPart(this.cfs.root, part, this.recreate));
    return image;
  }
}
