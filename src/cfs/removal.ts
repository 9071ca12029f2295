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
import { CHILD_NODE_GROUPS, TPG_FILES, child, nodeType, splitPath, type NodeType } from './tree.js';
import { inPhaseOrder, type PhasedOp } from './phased-ops.js';

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
  /** Every user-made node removed (root-relative), the given ones and what goes with them, with its type. */
  removed: Map<string, NodeType>;
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
  const removed = new Map<string, NodeType>();
  const pending: string[] = [];
  // what must go before each removed node (see prerequisites below)
  const inside = new Map<string, string[]>();
  const referrers = new Map<string, string[]>();
  const typeOf = (path: string): NodeType | null => {
    const kind = snap.kind(path);
    return kind === 'dir' || kind === 'link' ? nodeType(path, kind) : null;
  };
  const add = (path: string, type: NodeType | null = typeOf(path)): boolean => {
    if (type === null) return false;
    if (!removed.has(path)) {
      removed.set(path, type);
      pending.push(path);
    }
    return true;
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
  // directories and links only (files go with their directory): no lookup per child
  const addInside = (dir: string, contents: string[]): void => {
    for (const name of snap.childDirs(dir)) {
      const p = `${dir}/${name}`;
      if (add(p, nodeType(p, 'dir'))) contents.push(p);
    }
    for (const name of snap.childLinks(dir)) {
      const p = `${dir}/${name}`;
      if (add(p, nodeType(p, 'link'))) contents.push(p);
    }
  };
  for (const root of roots) add(root);
  while (pending.length) {
    const path = pending.pop() as string;
    const type = removed.get(path) as NodeType;
    // everything user-made inside it (a link has nothing inside)
    if (type !== 'lunLink' && type !== 'mappedLunLink') {
      const contents: string[] = [];
      addInside(path, contents);
      for (const group of CHILD_NODE_GROUPS[type] ?? []) addInside(child(path, group), contents);
      inside.set(path, contents);
    }
    if (type === 'lun' || type === 'storageObject') {
      // a LUN goes with the mapped LUNs that map it; a storage object with the LUNs that export it
      const dirs = linksPointingAt(path).map((link) => splitPath(link).parent);
      referrers.set(path, dirs);
      for (const dir of dirs) add(dir);
    }
  }
  if (options.removeEmptiedHbas ?? true) {
    for (const [path, type] of [...removed]) {
      if (type !== 'storageObject') continue;
      const hba = splitPath(path).parent;
      if (!removed.has(hba) && snap.childDirs(hba).every((so) => removed.has(child(hba, so)))) {
        removed.set(hba, 'hba');
        inside.set(
          hba,
          snap.childDirs(hba).map((so) => child(hba, so)),
        );
      }
    }
  }
  // The removals that must finish before each goes: what is inside it, and
  // what refers to it. These are the orderings of PHASE the kernel needs,
  // per object, so that a write run can remove many LUNs side by side
  // without waiting for every LUN at each phase (phased-ops.ts):
  // - a directory after everything user-made inside it (a mapped LUN after
  //   its link, an ACL after its mapped LUNs, a LUN after its link, a TPG
  //   after its LUNs, portals and ACLs, a target after its TPGs, a storage
  //   object after its ALUA groups, an HBA after its storage objects);
  // - a LUN's link and directory after the mapped LUNs that map the LUN;
  // - a storage object and its ALUA groups after the LUNs that export it.
  // A TPG's disabling is not among them: it runs in its own phase, first.
  const referring = (dir: string): string[] => {
    const out: string[] = [];
    for (const p of referrers.get(dir) ?? linksPointingAt(dir).map((link) => splitPath(link).parent)) if (removed.has(p)) out.push(p);
    return out;
  };
  const prerequisites = (path: string, type: NodeType): readonly string[] => {
    const own = inside.get(path) ?? NOTHING;
    if (type === 'lunLink') return referring(splitPath(path).parent);
    if (type === 'lun' || type === 'storageObject') return [...own, ...referring(path)];
    if (type === 'aluaGroup') return referring(splitPath(splitPath(path).parent).parent);
    return own;
  };
  // by path, then (inPhaseOrder) by phase
  const byPath: PhasedOp[] = [];
  for (const path of [...removed.keys()].sort()) {
    const type = removed.get(path) as NodeType;
    if (type === 'tpg' && snap.text(child(path, TPG_FILES.enable))?.trim() === '1') {
      byPath.push({ op: 'write', path: child(path, TPG_FILES.enable), value: '0', independent: true, phase: PHASE.disable });
    }
    const waitsFor = prerequisites(path, type);
    const phase = REMOVAL_PHASE[type];
    byPath.push(
      type === 'lunLink' || type === 'mappedLunLink' ? { op: 'unlink', path, independent: true, phase, waitsFor } : { op: 'rmdir', path, independent: true, phase, waitsFor },
    );
  }
  return { ops: inPhaseOrder(byPath), removed };
}

/** No prerequisites (shared, never changed: the engine only reads them). */
const NOTHING: readonly string[] = Object.freeze([]);

/** Every LUN link and mapped-LUN link in the snapshot. */
function allLinks(snap: Snapshot): string[] {
  const out: string[] = [];
  for (const path of snap.linkPaths()) if (nodeType(path, 'link') !== null) out.push(path);
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
  for (const { phase: p, whenDiffers: _w, optional: _o, step: _s, waitsFor: _f, ...op } of inPhaseOrder(ops)) {
    if (phase !== null && p !== phase) out.push({ op: 'stat', path: '' });
    phase = p;
    out.push(op as CfsOp);
  }
  return out;
}
