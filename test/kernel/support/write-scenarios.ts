/**
 * Trees and configs for the write-safety tests (fault sweeps, kills,
 * concurrent writers), and the byte-for-byte comparison of the live tree.
 *
 * A is a W(25,4)-like tree: 25 fileio objects (one with an extra ALUA group
 * its LUN belongs to) and a ramdisk, one iSCSI target with 25 LUNs, two
 * portals, 4 ACLs mapping every LUN (some write-protected, one with CHAP
 * and a tag), changed TPG attributes and parameters, and a loopback target.
 * Clearing it, restoring another config over it, or applying a changed one
 * with `--prune` each take more than 300 operations.
 */
import { closeSync, mkdirSync, openSync, truncateSync as truncatePath, writeFileSync } from 'node:fs';
import type { SaveConfig, StorageObjectConfig } from '../../../src/index.js';
import { native } from '../../../src/native/index.js';
import { TARGET, type Entry } from '../helpers.js';

/** Creates `path` if needed and sets its size (no process per file: each costs a lot in the emulated guest). */
function truncateSync(path: string, size: number): void {
  closeSync(openSync(path, 'a'));
  truncatePath(path, size);
}

/** Where backing files live (the guest's tmpfs). */
export const BACKING_DIR = '/tmp/write-safety';

const IQN = 'iqn.2003-01.org.linux-iscsi.safety:t1';
const INITIATORS = ['iqn.1994-05.com.redhat:c1', 'iqn.1994-05.com.redhat:c2', 'iqn.1994-05.com.redhat:c3', 'iqn.1994-05.com.redhat:c4'];

/** Makes the backing files the configs name (sparse, 16 MiB). */
export function makeBackingFiles(count = 40): void {
  mkdirSync(BACKING_DIR, { recursive: true });
  for (let i = 0; i < count; i++) truncateSync(`${BACKING_DIR}/d${i}.img`, 16 * 1024 * 1024);
}

function fileio(i: number, extra: Partial<StorageObjectConfig> = {}): StorageObjectConfig {
  return {
    plugin: 'fileio',
    name: `d${i}`,
    dev: `${BACKING_DIR}/d${i}.img`,
    size: 16 * 1024 * 1024,
    wwn: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    write_back: i % 2 === 0,
    ...extra,
  } as StorageObjectConfig;
}

/** A: the live tree the sweeps start from (see the module comment); `loopback: false` leaves the loopback target out. */
export function configA(n = 25, options: { loopback?: boolean } = {}): SaveConfig {
  const sos: StorageObjectConfig[] = Array.from({ length: n }, (_, i) =>
    fileio(i, i === 0 ? { alua_tpgs: [{ name: 'ao', tg_pt_gp_id: 7, preferred: 1, nonop_delay_msecs: 150 }], attributes: { emulate_tpu: 1 } } : {}),
  );
  sos.push({ plugin: 'ramdisk', name: 'ram0', size: 8 * 1024 * 1024, wwn: '00000000-0000-4000-8000-aaaaaaaaaaaa' } as StorageObjectConfig);
  const luns = Array.from({ length: n }, (_, i) => ({ index: i, storage_object: `/backstores/fileio/d${i}`, alias: `lun${i}`, ...(i === 0 ? { alua_tg_pt_gp_name: 'ao' } : {}) }));
  return {
    storage_objects: sos,
    targets: [
      {
        fabric: 'iscsi',
        wwn: IQN,
        tpgs: [
          {
            tag: 1,
            enable: true,
            attributes: { authentication: 0, generate_node_acls: 0, default_cmdsn_depth: 32 },
            parameters: { MaxRecvDataSegmentLength: '65536', TargetAlias: 'safety target' },
            luns,
            portals: [
              { ip_address: '127.0.0.1', port: 3260 },
              { ip_address: '[::1]', port: 3261 },
            ],
            node_acls: INITIATORS.map((wwn, a) => ({
              node_wwn: wwn,
              ...(a === 0 ? { chap_userid: 'user1', chap_password: 'secretpass123', tag: 'group_a', attributes: { dataout_timeout: 5 } } : {}),
              mapped_luns: Array.from({ length: n }, (_, i) => ({ index: i, tpg_lun: i, alias: `m${a}_${i}`, write_protect: (i + a) % 5 === 0 })),
            })),
          },
        ],
      },
      ...(options.loopback === false
        ? []
        : [{ fabric: 'loopback', wwn: 'naa.5001405abcdef012', tpgs: [{ tag: 1, luns: [{ index: 0, storage_object: '/backstores/ramdisk/ram0', alias: 'lo0' }] }] }]),
    ],
    fabric_modules: [],
  } as SaveConfig;
}

/**
 * B: A with a third of its LUNs dropped (and their mapped LUNs), new objects
 * (three fifths as many) exported to every ACL, and changed settings (apply
 * --prune of it).
 */
export function configB(n = 25, options: { loopback?: boolean } = {}): SaveConfig {
  const b = configA(n, options);
  const tpg = b.targets![0]!.tpgs![0]!;
  const drop = new Set(Array.from({ length: Math.floor(n / 3) }, (_, i) => 3 + i));
  const added = Math.ceil((n * 3) / 5);
  for (let i = n; i < n + added; i++) b.storage_objects!.push(fileio(i));
  b.storage_objects = b.storage_objects!.filter((so) => !(so.plugin === 'fileio' && drop.has(Number(so.name.slice(1)))));
  b.storage_objects[1] = { ...b.storage_objects[1]!, attributes: { emulate_3pc: 0, emulate_tpu: 1 } } as StorageObjectConfig;
  tpg.luns = [
    ...tpg.luns!.filter((l) => !drop.has(l.index)),
    ...Array.from({ length: added }, (_, k) => ({ index: n + k, storage_object: `/backstores/fileio/d${n + k}`, alias: `lun${n + k}` })),
  ];
  tpg.attributes = { ...tpg.attributes, default_cmdsn_depth: 48 };
  tpg.parameters = { ...tpg.parameters, TargetAlias: 'changed alias' };
  tpg.node_acls = tpg.node_acls!.map((acl, a) => ({
    ...acl,
    ...(a === 0 ? { chap_password: 'otherpass9876' } : {}),
    mapped_luns: [
      ...acl.mapped_luns!.filter((m) => !drop.has(m.index)).map((m) => (m.index === 1 ? { ...m, write_protect: !m.write_protect } : m)),
      ...Array.from({ length: added }, (_, k) => ({ index: n + k, tpg_lun: n + k, alias: `n${a}_${k}` })),
    ],
  }));
  return b;
}

/** C: a smaller, different tree (restored over A). */
export function configC(): SaveConfig {
  const sos = Array.from({ length: 6 }, (_, i) => fileio(30 + i));
  return {
    storage_objects: sos,
    targets: [
      {
        fabric: 'iscsi',
        wwn: 'iqn.2003-01.org.linux-iscsi.safety:c',
        tpgs: [
          {
            tag: 2,
            enable: true,
            luns: sos.map((so, i) => ({ index: i, storage_object: `/backstores/fileio/${so.name}`, alias: `c${i}` })),
            portals: [{ ip_address: '127.0.0.1', port: 3262 }],
            node_acls: [{ node_wwn: INITIATORS[0]!, mapped_luns: [{ index: 0, tpg_lun: 0, alias: 'cm0' }] }],
          },
        ],
      },
    ],
    fabric_modules: [],
  } as SaveConfig;
}

/** Writes a config to a file for the command. */
export function writeConfig(file: string, config: SaveConfig): string {
  writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

/**
 * The live tree, every directory, file (owner mode bits and the bytes read)
 * and link (its target), for byte-for-byte comparison. Read with the native
 * tree reader directly (one crossing; plain fs over thousands of files
 * costs seconds in the emulated guest), not through the library's
 * snapshot and undo code under test. The only values normalised are those
 * the kernel numbers itself and no write can set: `hba_info`'s HBA index (a
 * global counter). Statistics and the ALUA `members` lists are not read
 * (reading `members` can crash the kernel).
 */
export async function fingerprint(): Promise<Map<string, Entry>> {
  const tree = await native.readTree(TARGET, { root: TARGET, excludeNames: ['statistics', 'fabric_statistics', 'members'] });
  const out = new Map<string, Entry>();
  tree.paths.forEach((path, i) => {
    const kind = tree.kinds[i];
    if (kind === 0) out.set(path, { kind: 'D' });
    else if (kind === 2) out.set(path, { kind: 'L', value: tree.links[i] ?? '' });
    else {
      const mode = tree.modes[i] as number;
      let value = tree.errnos[i] ? `errno ${tree.errnos[i]}` : tree.data.subarray(tree.offsets[i], tree.offsets[i + 1]).toString('latin1');
      if (path.endsWith('/hba_info')) value = value.replace(/HBA Index: \d+/, 'HBA Index: N');
      out.set(path, { kind: 'F', mode: `${mode & 0o400 ? 'r' : '-'}${mode & 0o200 ? 'w' : '-'}`, value });
    }
  });
  return out;
}

/** The differences between two fingerprints, as lines (at most `max`). */
export function treeDiff(a: Map<string, Entry>, b: Map<string, Entry>, max = 20): string[] {
  const out: string[] = [];
  for (const [path, e] of a) {
    const f = b.get(path);
    if (!f) out.push(`- ${path}`);
    else if (JSON.stringify(e) !== JSON.stringify(f)) out.push(`~ ${path}: ${JSON.stringify(e)} -> ${JSON.stringify(f)}`);
    if (out.length >= max) return out;
  }
  for (const path of b.keys()) {
    if (!a.has(path)) out.push(`+ ${path}`);
    if (out.length >= max) return out;
  }
  return out;
}

/** Sample points 1..n: `count` of them spread evenly (first and last included), or all when `count` is 'all'. */
export function samplePoints(n: number, count: number | 'all'): number[] {
  if (count === 'all' || count >= n) return Array.from({ length: n }, (_, i) => i + 1);
  const out = new Set<number>();
  for (let i = 0; i < count; i++) out.add(1 + Math.round((i * (n - 1)) / (count - 1)));
  return [...out];
}
