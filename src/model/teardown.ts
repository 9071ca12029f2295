/**
 * Plans the removal of configfs subtrees in the order the kernel requires:
 * TPGs disabled first, then mapped-LUN links and directories, ACLs, LUN links
 * and directories, portals, TPGs, targets; storage objects after every LUN
 * that uses them, then their HBA. Removals that do not depend on each other
 * are marked independent so the engine overlaps the kernel's waits.
 */
import type { CfsOp } from '../cfs/configfs.js';
import type { Snapshot } from '../cfs/snapshot.js';
import { TPG_FILES, aclsPath, child, lunsPath, portalsPath, parseTpgDirName, aluaGroupPath, DEFAULT_ALUA_GROUP } from '../cfs/tree.js';

/** Ops that remove every symlink directly inside `dir`, then `dir` itself. */
function removeDirWithLinks(snap: Snapshot, dir: string): { links: CfsOp[]; dir: CfsOp } {
  return {
    links: snap.childLinks(dir).map((name) => ({ op: 'unlink', path: child(dir, name), independent: true })),
    dir: { op: 'rmdir', path: dir, independent: true },
  };
}

/** Appends ops removing TPG `tpg` (with everything in it) to `phases`. */
function planTpgRemoval(snap: Snapshot, tpg: string, phases: CfsOp[][]): void {
  const enable = child(tpg, TPG_FILES.enable);
  if (snap.text(enable) === '1') phases[0]!.push({ op: 'write', path: enable, value: '0', independent: true });
  for (const acl of snap.childDirs(aclsPath(tpg))) {
    const aclDir = child(aclsPath(tpg), acl);
    for (const mapped of snap.childDirs(aclDir).filter((n) => /^lun_\d+$/.test(n))) {
      const r = removeDirWithLinks(snap, child(aclDir, mapped));
      phases[1]!.push(...r.links);
      phases[2]!.push(r.dir);
    }
    phases[3]!.push({ op: 'rmdir', path: aclDir, independent: true });
  }
  for (const lun of snap.childDirs(lunsPath(tpg))) {
    const r = removeDirWithLinks(snap, child(lunsPath(tpg), lun));
    phases[3]!.push(...r.links);
    phases[4]!.push(r.dir);
  }
  for (const np of snap.childDirs(portalsPath(tpg))) phases[4]!.push({ op: 'rmdir', path: child(portalsPath(tpg), np), independent: true });
  phases[5]!.push({ op: 'rmdir', path: tpg, independent: true });
}

/**
 * Ops removing one TPG LUN (`lun`, inside `tpg`): first the mapped LUNs of
 * every ACL that point at it, then its own link and directory.
 */
export function planLunRemoval(snap: Snapshot, tpg: string, lun: string): CfsOp[] {
  const phases: CfsOp[][] = [[], [], [], []];
  for (const acl of snap.childDirs(aclsPath(tpg))) {
    const aclDir = child(aclsPath(tpg), acl);
    for (const mapped of snap.childDirs(aclDir).map((n) => child(aclDir, n))) {
      const links = snap.childLinks(mapped);
      if (!links.some((l) => snap.link(child(mapped, l)) === lun)) continue;
      const r = removeDirWithLinks(snap, mapped);
      phases[0]!.push(...r.links);
      phases[1]!.push(r.dir);
    }
  }
  const r = removeDirWithLinks(snap, lun);
  phases[2]!.push(...r.links);
  phases[3]!.push(r.dir);
  return sequence(phases);
}

/**
 * Ops removing mapped LUNs (root-relative `<acl>/lun_<n>` paths present in
 * `snap`): every link first, then the directories.
 */
export function planMappedLunRemoval(snap: Snapshot, mappedLuns: readonly string[]): CfsOp[] {
  const phases: CfsOp[][] = [[], []];
  for (const mapped of mappedLuns) {
    const r = removeDirWithLinks(snap, mapped);
    phases[0]!.push(...r.links);
    phases[1]!.push(r.dir);
  }
  return sequence(phases);
}

/**
 * Ops removing node ACLs (root-relative `<tpg>/acls/<initiator>` paths present
 * in `snap`, with their children): their mapped LUNs' links, the mapped LUN
 * directories, then the ACL directories.
 */
export function planNodeAclRemoval(snap: Snapshot, acls: readonly string[]): CfsOp[] {
  const phases: CfsOp[][] = [[], [], []];
  for (const acl of acls) {
    for (const mapped of snap.childDirs(acl).filter((n) => /^lun_\d+$/.test(n))) {
      const r = removeDirWithLinks(snap, child(acl, mapped));
      phases[0]!.push(...r.links);
      phases[1]!.push(r.dir);
    }
    phases[2]!.push({ op: 'rmdir', path: acl, independent: true });
  }
  return sequence(phases);
}

/** Number of removal phases; each must finish before the next starts. */
const PHASES = 8;

/**
 * Ops removing the given TPGs and targets (root-relative paths present in
 * `snap`), in kernel-safe order. A target's TPGs are removed with it.
 */
export function planFabricRemoval(snap: Snapshot, targets: readonly string[], tpgs: readonly string[] = []): CfsOp[] {
  const phases: CfsOp[][] = Array.from({ length: PHASES }, () => []);
  for (const tpg of tpgs) planTpgRemoval(snap, tpg, phases);
  for (const target of targets) {
    for (const name of snap.childDirs(target)) {
      if (parseTpgDirName(name) !== null) planTpgRemoval(snap, child(target, name), phases);
    }
    phases[6]!.push({ op: 'rmdir', path: target, independent: true });
  }
  return sequence(phases);
}

/**
 * Directory names a snapshot for {@link planStorageObjectRemoval} can skip:
 * it needs each object's `alua/` groups (depth 3 below the HBA), nothing else.
 */
export const STORAGE_OBJECT_REMOVAL_EXCLUDES: readonly string[] = ['statistics', 'attrib', 'wwn', 'pr', 'action'];

/**
 * Ops removing storage objects with their ALUA groups (other than the
 * kernel's default one), then their HBA directories when they empty them,
 * unless `keepHbas`. Their LUNs must be gone already. `snap` must reach the
 * ALUA group directories (`<hba>/<object>/alua/<group>`).
 */
export function planStorageObjectRemoval(snap: Snapshot, objects: readonly { path: string; hba: string }[], options: { keepHbas?: boolean } = {}): CfsOp[] {
  const phases: CfsOp[][] = [[], [], []];
  const removedPerHba = new Map<string, number>();
  for (const so of objects) {
    for (const group of snap.childDirs(child(so.path, 'alua'))) {
      if (group !== DEFAULT_ALUA_GROUP) phases[0]!.push({ op: 'rmdir', path: aluaGroupPath(so.path, group), independent: true });
    }
    phases[1]!.push({ op: 'rmdir', path: so.path, independent: true });
    removedPerHba.set(so.hba, (removedPerHba.get(so.hba) ?? 0) + 1);
  }
  for (const [hba, removed] of removedPerHba) {
    if (!options.keepHbas && snap.childDirs(hba).length === removed) phases[2]!.push({ op: 'rmdir', path: hba, independent: true });
  }
  return sequence(phases);
}

/**
 * Joins phases into one op list. The engine runs a maximal run of independent
 * ops together, so a dependent no-op barrier (a `stat` of the root) separates
 * consecutive phases.
 */
function sequence(phases: CfsOp[][]): CfsOp[] {
  const out: CfsOp[] = [];
  for (const phase of phases) {
    if (phase.length === 0) continue;
    if (out.length > 0) out.push({ op: 'stat', path: '' });
    out.push(...phase);
  }
  return out;
}
