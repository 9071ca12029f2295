/**
 * A read for a config (dump, streamed save, an apply's plan) skips what
 * saveconfig.json has no key for (cfs/tree.ts CONFIG_EXCLUDES: a storage
 * object's `pr/` and `action/`, its `wwn/` files but the unit serial, its
 * own files but `info` and `udev_path`, its HBA's files, the ALUA groups'
 * `alua_support_lba_dependent`, a LUN's ALUA offline, status and write_md),
 * and still gives exactly the config the whole tree gives.
 * On the reference tree of kernel 6.1, read by the real tree reader.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RTSRoot, dumpConfig, planApply, saveConfigFile } from '../../src/index.js';
import { configText } from '../../src/config/config-file.js';
import type { Snapshot } from '../../src/cfs/snapshot.js';
import { dumpSnapshot } from '../../src/model/dump.js';
import { buildFakeTargetRoot } from './support/fake-target-root.js';
import { recordSnapshots } from './support/recorded-snapshots.js';

const SO = 'core/fileio_0/file1';
const TPG = 'iscsi/iqn.2003-01.org.linux-iscsi.ref:t1/tpgt_1';
const LUN = `${TPG}/lun/lun_0`;
let tmp = '';
let root: RTSRoot;

/** The snapshots `fn` reads through `root.cfs.snapshot`. */
async function snapshotsOf(fn: () => Promise<unknown>): Promise<Snapshot[]> {
  return (await recordSnapshots(root, fn)).reads.map((r) => r.snap);
}

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'rtslib-config-read-'));
  buildFakeTargetRoot(join(tmp, 'target'));
  root = new RTSRoot({ configfs: join(tmp, 'target'), plainDirectory: true, lockFile: join(tmp, 'lock'), stateDir: join(tmp, 'state') });
});

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('a read for a config', () => {
  test('skips the state and reports a config has no key for, and gives the same config', async () => {
    const whole = await root.cfs.snapshot('');
    expect(whole.has(`${SO}/pr/res_aptpl_active`)).toBe(true);
    let config;
    const [read] = await snapshotsOf(async () => (config = await dumpConfig(root)));
    expect(read).toBeDefined();
    expect(config).toEqual(dumpSnapshot(whole));
    for (const skipped of [
      `${SO}/pr`,
      `${SO}/pr/res_aptpl_active`,
      `${SO}/wwn/company_id`,
      `${SO}/wwn/vpd_assoc_logical_unit`,
      `${SO}/alua/default_tg_pt_gp/alua_support_lba_dependent`,
      `${LUN}/alua_tg_pt_offline`,
      `${LUN}/alua_tg_pt_status`,
      `${LUN}/alua_tg_pt_write_md`,
      `${SO}/enable`,
      `${SO}/alias`,
      `${SO}/alua_lu_gp`,
      `${SO}/lba_map`,
      'core/fileio_0/hba_info',
      'core/fileio_0/hba_mode',
    ]) {
      expect(whole.has(skipped), skipped).toBe(true);
      expect(read!.has(skipped), skipped).toBe(false);
    }
    // a file of the same name elsewhere is read: the TPG's enable, as a config holds it
    for (const kept of [`${SO}/wwn/vpd_unit_serial`, `${SO}/info`, `${SO}/udev_path`, `${SO}/alua/default_tg_pt_gp/alua_access_type`, `${LUN}/alua_tg_pt_gp`, `${TPG}/enable`])
      expect(read!.has(kept), kept).toBe(true);
    // a storage object's files are most of the tree: about a quarter fewer entries
    expect(read!.size).toBeLessThan(whole.size * 0.8);
  });

  test('an unchanged apply plans nothing from the smaller read', async () => {
    const config = dumpSnapshot(await root.cfs.snapshot(''));
    let steps = -1;
    const [read] = await snapshotsOf(async () => (steps = (await planApply(root, config, { prune: true })).steps.length));
    expect(steps).toBe(0);
    expect(read!.has(`${SO}/pr`)).toBe(false);
  });

  test('inside a write run, an apply without prune reads only what a config holds; with prune, the whole tree (the undo image of its removals)', async () => {
    const config = dumpSnapshot(await root.cfs.snapshot(''));
    const [plain] = await snapshotsOf(() => root.cfs.exclusive(() => planApply(root, config)));
    expect(plain!.has(`${SO}/pr`)).toBe(false);
    const [pruning] = await snapshotsOf(() => root.cfs.exclusive(() => planApply(root, config, { prune: true })));
    expect(pruning!.has(`${SO}/pr`)).toBe(true);
  });

  test('a streamed save writes the text of the whole tree, reading no skipped file', async () => {
    const file = join(tmp, 'saveconfig.json');
    const reads = await snapshotsOf(() => saveConfigFile(root, file, { backups: 0 }));
    expect(readFileSync(file, 'utf8')).toBe(configText(dumpSnapshot(await root.cfs.snapshot(''))));
    for (const snap of reads) {
      expect(snap.has(`${SO}/wwn/company_id`)).toBe(false);
      expect(snap.has(`${LUN}/alua_tg_pt_offline`)).toBe(false);
    }
  });
});
