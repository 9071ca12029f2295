/**
 * Workload W(N, A) as a saveconfig.json document (anchors §5): N fileio
 * storage objects on sparse 1 GiB files in `dir`, one iSCSI target whose
 * TPG 1 holds N LUNs (LUN i exports object i), and A node ACLs each mapping
 * all N LUNs (mapped LUN i -> LUN i). It matches what `cfs_floor create`
 * builds: every storage object gets a unit serial (the floor writes one),
 * the TPG is left disabled and has no network portal, no attribute is
 * changed from the kernel's defaults.
 */
import type { LunConfig, MappedLunConfig, NodeAclConfig, SaveConfig, StorageObjectConfig } from '../src/index.js';

/** The target every implementation creates (the floor uses its own name). */
export const BENCH_TARGET_WWN = 'iqn.2003-01.org.rtslib.bench:w';
/** Size of each backing file (sparse). */
export const BENCH_FILE_SIZE = 1024 * 1024 * 1024;

/** Name of storage object `i`. */
export const soName = (i: number): string => `so${i}`;
/** Backing file of storage object `i` in `dir`. */
export const soFile = (dir: string, i: number): string => `${dir}/so${i}.img`;
/** Initiator name of ACL `j`. */
export const aclWwn = (j: number): string => `iqn.1994-05.com.redhat:client${j}`;
/** The unit serial of object `i`, the one the floor writes. */
export const soSerial = (i: number): string => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;

/** W(n, a) with its backing files in `dir`. */
export function workloadConfig(n: number, a: number, dir: string): SaveConfig {
  const storageObjects: StorageObjectConfig[] = [];
  const luns: LunConfig[] = [];
  for (let i = 0; i < n; i++) {
    storageObjects.push({ plugin: 'fileio', name: soName(i), dev: soFile(dir, i), size: BENCH_FILE_SIZE, write_back: false, wwn: soSerial(i) });
    luns.push({ index: i, storage_object: `/backstores/fileio/${soName(i)}` });
  }
  const acls: NodeAclConfig[] = [];
  for (let j = 0; j < a; j++) {
    const mapped: MappedLunConfig[] = [];
    for (let i = 0; i < n; i++) mapped.push({ index: i, tpg_lun: i });
    acls.push({ node_wwn: aclWwn(j), mapped_luns: mapped });
  }
  return {
    storage_objects: storageObjects,
    targets: [{ fabric: 'iscsi', wwn: BENCH_TARGET_WWN, tpgs: [{ tag: 1, enable: false, luns, node_acls: acls }] }],
  };
}

/** What a W(n, a) tree holds, to check a create or restore built all of it. */
export interface TreeCounts {
  storageObjects: number;
  targets: number;
  luns: number;
  acls: number;
  mappedLuns: number;
}

/** The counts W(n, a) must have. */
export function expectedCounts(n: number, a: number): TreeCounts {
  return { storageObjects: n, targets: 1, luns: n, acls: a, mappedLuns: n * a };
}
