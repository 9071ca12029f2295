/**
 * What LUNs export: the storage object a LUN directory links to, and the
 * LUNs of every target that export one storage object. Shared by the
 * storage objects (their attached LUNs), the ALUA groups (their members)
 * and the LUNs themselves; a module of its own so that none of them has to
 * load another.
 */
import type { Snapshot } from '../cfs/snapshot.js';
import { STRUCTURE_EXCLUDES, child } from '../cfs/tree.js';
import type { RootHandle } from './cfs-node.js';
import type { LUN } from './lun.js';

/** What the LUN directory `lunDir` exports (its link's root-relative target), from a snapshot; undefined when it has no link. @internal */
export function exportedPath(snap: Snapshot, lunDir: string): string | undefined {
  const link = snap.childLinks(lunDir)[0];
  return (link === undefined ? undefined : snap.link(child(lunDir, link))) ?? undefined;
}

/**
 * The LUNs of every target that export the storage object at `soPath`,
 * from one read of the tree's structure (returned with them, for callers
 * that look further at those LUNs).
 * @internal
 */
export async function lunsExporting(root: RootHandle, soPath: string): Promise<{ luns: LUN[]; snap: Snapshot }> {
  const snap = await root.cfs.snapshot('', { excludeNames: STRUCTURE_EXCLUDES });
  return { luns: (await root.luns(snap)).filter((lun) => exportedPath(snap, lun.relativePath) === soPath), snap };
}
