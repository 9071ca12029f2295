/**
 * The operations that make a storage object again exactly as a snapshot
 * shows it, for undo and crash recovery: mkdir, the control strings its
 * plugin rebuilds from `info` (storage-plugins.ts, `madeWith`), `udev_path`
 * and `enable`. Settings (attributes, unit serial, ALUA) are written back
 * separately, as every other setting.
 */
import type { CfsOp } from '../cfs/configfs.js';
import type { Snapshot } from '../cfs/snapshot.js';
import { STORAGE_OBJECT_FILES, child, parseHbaDirName, splitPath } from '../cfs/tree.js';
import { madeWith } from './storage-plugins.js';

/**
 * The operations that recreate the storage object at `path`
 * (`core/<plugin>_<n>/<name>`) as `snap` shows it: mkdir, its control
 * string(s), `udev_path`, `enable`. Its HBA is made separately.
 */
export function recreateStorageObject(snap: Snapshot, path: string): CfsOp[] {
  const hba = parseHbaDirName(splitPath(splitPath(path).parent).name);
  const ops: CfsOp[] = [{ op: 'mkdir', path }];
  if (!hba || snap.text(child(path, STORAGE_OBJECT_FILES.enable))?.trim() !== '1') return ops;
  const made = madeWith(snap, hba.plugin, path);
  for (const value of made.control) ops.push({ op: 'write', path: child(path, STORAGE_OBJECT_FILES.control), value });
  const udevPath = snap.text(child(path, STORAGE_OBJECT_FILES.udevPath))?.trim() ?? '';
  if (udevPath !== '') ops.push({ op: 'write', path: child(path, STORAGE_OBJECT_FILES.udevPath), value: udevPath });
  ops.push({ op: 'write', path: child(path, STORAGE_OBJECT_FILES.enable), value: '1' });
  return ops;
}
