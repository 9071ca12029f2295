/**
 * What a write run needs to put the tree back as it was: an image of the
 * tree before the run (the user-made directories and links with what
 * recreates them, and every writable setting in the form that writes it
 * back), the plan that brings a tree back to it (undo and crash recovery),
 * and the check that it did.
 *
 * A run that removes anything records the whole tree (removing one ALUA
 * group changes the LUNs that were its members; removing a target takes
 * its LUNs' settings with it; a clear records it part by part as it
 * goes, see write-run.ts); a run that only creates and changes records
 * the previous value of each file it writes. Undo removes what the run
 * created (planned from the tree as it is, so half-made objects go too),
 * recreates what is missing, and writes back every setting that differs.
 */
import type { CfsOp } from './configfs.js';
import type { Snapshot } from './snapshot.js';
import { PHASE } from './phases.js';
import type { PhasedOp } from './phased-ops.js';
import { planRemoval } from './removal.js';
import { holdsSetting, settingFromShown } from './settings.js';
import { HBA_FILES, TPG_FILES, child, nodeType, ownerNode, splitPath, type NodeType, ALUA_GROUP_FILES, DISCOVERY_AUTH_FILES } from './tree.js';

/** A user-made directory of the image, with the operations that make it again. */
export interface ImageDir {
  /** Root-relative path. */
  path: string;
  /** What it is. */
  type: NodeType;
  /** The operations that create it (a storage object's control string, udev_path and enable; an ALUA group's id); default one mkdir. */
  create?: CfsOp[];
}

/** A LUN or mapped-LUN link of the image. */
export interface ImageLink {
  /** Root-relative path of the link. */
  path: string;
  /** Root-relative path it points at. */
  target: string;
}

/** A writable file's setting, in the form that writes it back. */
export interface ImageValue {
  /** Root-relative path. */
  path: string;
  /** The text to write. */
  value: string;
}

/** The part of the tree a write run may change, as it was before the run. */
export interface TreeImage {
  /** True when `dirs` and `links` list every user-made node of the tree (of the parts in `covers`). */
  whole: boolean;
  /**
   * The parts of the tree (root-relative paths of the units of
   * image-as-it-goes.ts: HBAs, nodes, a node's own part, top-level
   * entries) a `whole` image holds; absent: the whole root. A run that
   * reads its image as it goes changes nothing outside the parts its
   * journal covers.
   * Undo and recovery recreate and compare only what the image lists, so a
   * partial image needs no other handling.
   */
  covers?: string[];
  /** User-made directories (when `whole`). */
  dirs: ImageDir[];
  /** LUN and mapped-LUN links (when `whole`). */
  links: ImageLink[];
  /** Settings to put back. */
  values: ImageValue[];
}

/** Supplies the operations that recreate a storage object from what a snapshot shows of it (plugin knowledge lives above this layer). */
export type StorageObjectRecreator = (snap: Snapshot, path: string) => CfsOp[];

/** The image of a whole snapshot (which must hold values: not a structure-only read). */
export function captureWholeImage(snap: Snapshot, recreate: StorageObjectRecreator): TreeImage {
  const image: TreeImage = { whole: true, dirs: [], links: [], values: [] };
  const inCreateOps = new Set<string>();
  for (const [path, kind] of snap.entries()) {
    if (kind === 'dir') {
      const type = nodeType(path, 'dir');
      if (!type) continue;
      let create: CfsOp[] | undefined;
      if (type === 'storageObject') create = recreate(snap, path);
      else if (type === 'hba') {
        const mode = child(path, HBA_FILES.mode);
        inCreateOps.add(mode);
        create = [{ op: 'mkdir', path }];
        if (snap.text(mode)?.trim() === '1') create.push({ op: 'write', path: mode, value: '1' });
      } else if (type === 'aluaGroup') {
        const id = child(path, ALUA_GROUP_FILES.id);
        inCreateOps.add(id);
        create = [
          { op: 'mkdir', path },
          { op: 'write', path: id, value: snap.text(id)?.trim() ?? '0' },
        ];
      }
      image.dirs.push({ path, type, ...(create ? { create } : {}) });
    } else if (kind === 'link') {
      const target = snap.link(path);
      if (nodeType(path, 'link') && target) image.links.push({ path, target });
    }
  }
  for (const [path, text] of snap.writableFiles()) {
    if (inCreateOps.has(path)) continue;
    const value = settingFromShown(path, text);
    if (value !== null) image.values.push({ path, value });
  }
  return image;
}

/** An image of nothing (a whole one: no node), covering `covers`. */
export function emptyImage(covers: string[] = []): TreeImage {
  return { whole: true, covers, dirs: [], links: [], values: [] };
}

/** A copy of `image` whose lists can grow without changing it (see {@link addToImage}). */
export function copyOfImage(image: TreeImage): TreeImage {
  const copy: TreeImage = { ...image, dirs: [...image.dirs], links: [...image.links], values: [...image.values] };
  if (image.covers) copy.covers = [...image.covers];
  return copy;
}

/** Adds the image of another, separate part of the tree to `image` (in place: a run's image grows chunk by chunk). */
export function addToImage(image: TreeImage, part: TreeImage): void {
  image.whole &&= part.whole;
  if (image.covers && part.covers) for (const path of part.covers) image.covers.push(path);
  else delete image.covers;
  for (const dir of part.dirs) image.dirs.push(dir);
  for (const link of part.links) image.links.push(link);
  for (const value of part.values) image.values.push(value);
}

/** The image of a run that removes nothing: the settings it overwrites, as they were. */
export function valuesImage(values: readonly ImageValue[]): TreeImage {
  return { whole: false, dirs: [], links: [], values: [...values] };
}

/** Order of creation inside a phase (parents first). */
const CREATE_ORDER: readonly NodeType[] = ['hba', 'storageObject', 'aluaGroup', 'target', 'tpg', 'lun', 'lunLink', 'portal', 'acl', 'mappedLun', 'mappedLunLink'];

/** Phase in which a node of each type is created. */
const CREATE_PHASE: Record<NodeType, number> = {
  hba: PHASE.createStorageObject,
  storageObject: PHASE.createStorageObject,
  aluaGroup: PHASE.storageObjectSettings,
  target: PHASE.createTarget,
  tpg: PHASE.createTarget,
  lun: PHASE.children,
  lunLink: PHASE.children,
  portal: PHASE.children,
  acl: PHASE.children,
  mappedLun: PHASE.children,
  mappedLunLink: PHASE.children,
};

/** Phase in which a setting of a node of each type is written. */
const SETTING_PHASE: Record<NodeType, number> = {
  hba: PHASE.storageObjectSettings,
  storageObject: PHASE.storageObjectSettings,
  aluaGroup: PHASE.aluaGroupSettings,
  target: PHASE.targetSettings,
  tpg: PHASE.targetSettings,
  lun: PHASE.childSettings,
  lunLink: PHASE.childSettings,
  portal: PHASE.childSettings,
  acl: PHASE.childSettings,
  mappedLun: PHASE.childSettings,
  mappedLunLink: PHASE.childSettings,
};

/** Phase of writing a setting back. Enabling comes last (a TPG, discovery authentication). */
export function settingPhase(path: string): number {
  const owner = ownerNode(path);
  const name = path.slice(path.lastIndexOf('/') + 1);
  if ((owner?.type === 'tpg' && name === TPG_FILES.enable) || name === DISCOVERY_AUTH_FILES.enforce) return PHASE.enable;
  return owner ? SETTING_PHASE[owner.type] : PHASE.childSettings;
}

/** User-made nodes of a snapshot. */
function userNodes(snap: Snapshot): Set<string> {
  const out = new Set<string>();
  for (const [path, kind] of snap.entries()) if ((kind === 'dir' || kind === 'link') && nodeType(path, kind)) out.add(path);
  return out;
}

/**
 * The operations that bring the tree of `now` back to `image`: remove what
 * the run created (`created`: the directories and links it made or
 * planned to make), recreate the image's nodes that are missing, and write
 * back every setting of the image (conditional writes: only those that
 * differ). `now` must hold the structure, and the enable values of TPGs.
 */
export function planUndo(now: Snapshot, image: TreeImage, created: readonly string[]): PhasedOp[] {
  const removal = planRemoval(
    now,
    created.filter((p) => now.has(p)),
    { removeEmptiedHbas: false },
  );
  const ops: PhasedOp[] = [...removal.ops];
  if (image.whole) {
    const present = userNodes(now);
    for (const path of removal.removed.keys()) present.delete(path);
    // An HBA whose storage objects all have to be made again is made again too: the kernel numbers the
    // objects of an HBA (`TCM FILEIO ID: n` in `info`), and only a new HBA starts from 0 again.
    for (const hba of image.dirs.filter((d) => d.type === 'hba' && present.has(d.path))) {
      const inside = (p: string): boolean => splitPath(p).parent === hba.path;
      const mine = image.dirs.filter((d) => d.type === 'storageObject' && inside(d.path));
      if (mine.length && !mine.some((d) => present.has(d.path)) && ![...present].some(inside)) {
        ops.push({ op: 'rmdir', path: hba.path, independent: true, phase: PHASE.rmdirHba });
        present.delete(hba.path);
      }
    }
    const missing: { path: string; type: NodeType; ops: CfsOp[] }[] = [];
    for (const dir of image.dirs) {
      if (!present.has(dir.path)) missing.push({ path: dir.path, type: dir.type, ops: dir.create ?? [{ op: 'mkdir', path: dir.path }] });
    }
    for (const link of image.links) {
      if (!present.has(link.path)) missing.push({ path: link.path, type: nodeType(link.path, 'link') as NodeType, ops: [{ op: 'symlink', path: link.path, target: link.target }] });
    }
    missing.sort((a, b) => CREATE_ORDER.indexOf(a.type) - CREATE_ORDER.indexOf(b.type) || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    for (const node of missing) for (const op of node.ops) ops.push({ ...op, phase: CREATE_PHASE[node.type] });
  }
  for (const { path, value } of image.values) ops.push({ op: 'write', path, value, phase: settingPhase(path), whenDiffers: true });
  return ops.sort((a, b) => a.phase - b.phase);
}

/**
 * What still differs from `image` in `now` (which must hold values):
 * missing or extra nodes, links pointing elsewhere, settings not as they
 * were. Paths only: values are never shown (some are secrets).
 */
export function imageDifferences(now: Snapshot, image: TreeImage, created: readonly string[]): string[] {
  const out: string[] = [];
  const expected = new Set<string>();
  if (image.whole) {
    for (const dir of image.dirs) {
      expected.add(dir.path);
      if (now.kind(dir.path) !== 'dir') out.push(`missing ${dir.path}`);
    }
    for (const link of image.links) {
      expected.add(link.path);
      if (now.kind(link.path) !== 'link') out.push(`missing ${link.path}`);
      else if (now.link(link.path) !== link.target) out.push(`${link.path} points elsewhere`);
    }
  }
  for (const path of created) if (!expected.has(path) && now.has(path)) out.push(`left over ${path}`);
  for (const { path, value } of image.values) {
    const shown = now.text(path);
    if (shown === undefined) {
      if (now.has(path) || (ownerNode(path) && now.has((ownerNode(path) as { path: string }).path))) out.push(`cannot read ${path}`);
      continue;
    }
    if (!holdsSetting(path, shown, value)) out.push(`${path} differs`);
  }
  return out;
}
