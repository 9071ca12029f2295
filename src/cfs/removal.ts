/**
 * The one removal planner: from a snapshot of the tree and the user-made
 * nodes to remove (targets, TPGs, LUNs, portals, ACLs, mapped LUNs, storage
 * objects, ALUA groups, HBAs), the operations that remove them with
 * everything inside them and everything that must go first, in the kernel's
 * order ({@link PHASE}). It works from what the kernel has, never from a
 * dumped config, so it copes with any tree a killed run (ours or another
 * tool's) can leave: LUN and mapped-LUN directories without their link,
 * empty HBAs, disabled TPGs, storage objects never enabled.
 */
import type { CfsOp } from './configfs.js';
import type { Snapshot } from './snapshot.js';
import { PHASE } from './phases.js';
import { TPG_FILES, child, nodeType, splitPath, type NodeType } from './tree.js';
import type { PhasedOp } from './phased-ops.js';

/** Options of {@link planRemoval}. */
export interface RemovalOptions {
  /**
   * Also remove the HBA of a storage object when the removal leaves it empty
   * (default true; false for the original rtslib's Backstore model, where
   * the HBA belongs to the Backstore).
   */
  removeEmptiedHbas?: boolean;
}

/** What {@link planRemoval} plans. */
export interface RemovalPlan {
  /** The operations, each with its phase. */
  ops: PhasedOp[];
  /** Every user-made node removed (root-relative), the given ones and what goes with them. */
  removed: Set<string>;
}

/** Phase of the operation removing a node of each type. */
const REMOVAL_PHASE: Record<NodeType, number> = {
  mappedLunLink: PHASE.unlinkMappedLun,
  mappedLun: PHASE.rmdirMappedLun,
  acl: PHASE.rmdirAclUnlinkLun,
  lunLink: PHASE.rmdirAclUnlinkLun,
  lun: PHASE.rmdirLunPortal,
  portal: PHASE.rmdirLunPortal,
  tpg: PHASE.rmdirTpg,
  target: PHASE.rmdirTarget,
  aluaGroup: PHASE.rmdirAluaGroup,
  storageObject: PHASE.rmdirStorageObject,
  hba: PHASE.rmdirHba,
};

/**
 * Plans removing `roots` (root-relative paths of user-made nodes present in
 * `snap`; others are ignored) with their contents, and what must go before
 * them: the mapped LUNs that map a removed LUN, the LUNs that export a
 * removed storage object. An enabled TPG that goes is disabled first. The
 * snapshot must reach the nodes' children (and, for those cascades, the
 * TPG's ACLs and the LUNs' links).
 */
export function planRemoval(snap: Snapshot, roots: Iterable<string>, options: RemovalOptions = {}): RemovalPlan {
  const removed = new Set<string>();
  const pending: string[] = [];
  const typeOf = (path: string): NodeType | null => {
    const kind = snap.kind(path);
    return kind === 'dir' || kind === 'link' ? nodeType(path, kind) : null;
  };
  const add = (path: string): void => {
    if (removed.has(path) || typeOf(path) === null) return;
    removed.add(path);
    pending.push(path);
  };
  // Links that point at each LUN and storage object: who must go first.
  let linksTo: Map<string, string[]> | null = null;
  const linksPointingAt = (path: string): string[] => {
    if (!linksTo) {
      linksTo = new Map();
      for (const link of allLinks(snap)) {
        const target = snap.link(link);
        if (!target) continue;
        const list = linksTo.get(target) ?? [];
        list.push(link);
        linksTo.set(target, list);
      }
    }
    return linksTo.get(path) ?? [];
  };
  for (const root of roots) add(root);
  while (pending.length) {
    const path = pending.pop() as string;
    const type = typeOf(path) as NodeType;
    // everything user-made inside it
    for (const name of snap.children(path)) add(child(path, name));
    for (const group of ['lun', 'np', 'acls', 'alua']) for (const name of snap.children(child(path, group))) add(child(path, group, name));
    if (type === 'lun' || type === 'storageObject') {
      // a LUN goes with the mapped LUNs that map it; a storage object with the LUNs that export it
      for (const link of linksPointingAt(path)) add(splitPath(link).parent);
    }
  }
  if (options.removeEmptiedHbas ?? true) {
    for (const path of [...removed]) {
      if (typeOf(path) !== 'storageObject') continue;
      const hba = splitPath(path).parent;
      if (snap.childDirs(hba).every((so) => removed.has(child(hba, so)))) removed.add(hba);
    }
  }
  const ops: PhasedOp[] = [];
  for (const path of [...removed].sort()) {
    const type = typeOf(path) as NodeType;
    if (type === 'tpg' && snap.text(child(path, TPG_FILES.enable))?.trim() === '1') {
      ops.push({ op: 'write', path: child(path, TPG_FILES.enable), value: '0', independent: true, phase: PHASE.disable });
    }
    const op: CfsOp = type === 'lunLink' || type === 'mappedLunLink' ? { op: 'unlink', path, independent: true } : { op: 'rmdir', path, independent: true };
    ops.push({ ...op, phase: REMOVAL_PHASE[type] });
  }
  ops.sort((a, b) => a.phase - b.phase);
  return { ops, removed };
}

/** Every LUN link and mapped-LUN link in the snapshot. */
function allLinks(snap: Snapshot): string[] {
  const out: string[] = [];
  for (const [path, kind] of snap.entries()) {
    if (kind === 'link' && nodeType(path, 'link') !== null) out.push(path);
  }
  return out;
}

/**
 * The batch removing `roots` as {@link planRemoval} plans it, joined by
 * {@link sequencePhases}: what the object model's `delete()`s run.
 */
export function removalBatch(snap: Snapshot, roots: Iterable<string>, options: RemovalOptions = {}): CfsOp[] {
  return sequencePhases(planRemoval(snap, roots, options).ops);
}

/**
 * Joins phased operations into one batch for {@link Configfs.apply}: a
 * dependent no-op (a `stat` of the root) between phases, since the engine
 * runs a maximal run of independent operations together.
 */
export function sequencePhases(ops: readonly PhasedOp[]): CfsOp[] {
  const out: CfsOp[] = [];
  let phase: number | null = null;
  for (const { phase: p, whenDiffers: _w, optional: _o, step: _s, ...op } of [...ops].sort((a, b) => a.phase - b.phase)) {
    if (phase !== null && p !== phase) out.push({ op: 'stat', path: '' });
    phase = p;
    out.push(op as CfsOp);
  }
  return out;
}
