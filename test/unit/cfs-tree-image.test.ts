/**
 * The undo image (cfs/tree-image.ts) and the setting rules it relies on
 * (cfs/settings.ts), on fake snapshots: what is recorded, and the plan that
 * puts a changed tree back.
 */
import { describe, expect, test } from 'vitest';
import { PHASE } from '../../src/cfs/phases.js';
import { holdsSetting, settingFromShown } from '../../src/cfs/settings.js';
import { captureWholeImage, imageDifferences, planUndo, valuesImage } from '../../src/cfs/tree-image.js';
import type { Snapshot } from '../../src/cfs/snapshot.js';
import { recreateStorageObject } from '../../src/model/recreation.js';
import { ROOT, fakeSnapshot, withParents, type FakeEntry } from './support/fake-snapshot.js';

const T = 'iscsi/iqn.2003-01.org.x:t1';
const G = `${T}/tpgt_1`;
const ACL = `${G}/acls/iqn.1994-05.com.redhat:c`;
const SO = 'core/fileio_0/f';
const FILEIO_INFO =
  'Status: ACTIVATED  Max Queue Depth: 0  SectorSize: 512  HwMaxSectors: 16384\n        TCM FILEIO ID: 0        File: /tmp/f.img  Size: 67108864  Mode: Buffered-WCE Async: 0\n';

const before: FakeEntry[] = [
  ['core/fileio_0/hba_info', 'f', 'HBA Index: 1 plugin: fileio version: v5.0\n', 0o444],
  ['core/fileio_0/hba_mode', 'f', '0\n'],
  [`${SO}/enable`, 'f', '1\n'],
  [`${SO}/info`, 'f', FILEIO_INFO, 0o444],
  [`${SO}/udev_path`, 'f', '/tmp/f.img\n'],
  [`${SO}/control`, 'f', '', 0o200],
  [`${SO}/attrib/block_size`, 'f', '4096\n'],
  [`${SO}/attrib/hw_block_size`, 'f', '512\n', 0o444],
  [`${SO}/wwn/vpd_unit_serial`, 'f', 'T10 VPD Unit Serial Number: 1234-abcd\n'],
  [`${SO}/pr/res_aptpl_metadata`, 'f', 'Ready to process PR APTPL metadata..\n'],
  [`${SO}/alua/default_tg_pt_gp/alua_access_type`, 'f', 'Implicit and Explicit\n'],
  [`${SO}/alua/ao/tg_pt_gp_id`, 'f', '2\n'],
  [`${SO}/alua/ao/preferred`, 'f', '1\n'],
  [`${G}/enable`, 'f', '1\n'],
  [`${G}/attrib/authentication`, 'f', '0\n'],
  [`${G}/auth/userid`, 'f', '\n'],
  [`${G}/lun/lun_0/l0`, 'l', `${ROOT}/${SO}`],
  [`${G}/lun/lun_0/alua_tg_pt_gp`, 'f', 'TG Port Alias: ao\nTG Port Group ID: 2\n'],
  [`${ACL}/lun_3/m`, 'l', '../../../lun/lun_0'],
  [`${ACL}/lun_3/write_protect`, 'f', '1\n'],
  [`${ACL}/auth/password`, 'f', 'sekrit\n'],
  [`${ACL}/tag`, 'f', '\n'],
];
const beforeSnap: Snapshot = fakeSnapshot(withParents(before));

describe('settings as the kernel shows them and as they are written back', () => {
  test('files that show more or other than they take', () => {
    expect(settingFromShown(`${SO}/wwn/vpd_unit_serial`, 'T10 VPD Unit Serial Number: 1234-abcd')).toBe('1234-abcd');
    expect(settingFromShown(`${G}/lun/lun_0/alua_tg_pt_gp`, 'TG Port Alias: ao\nTG Port Group ID: 2')).toBe('ao');
    expect(settingFromShown(`${SO}/alua_lu_gp`, 'LU Group Alias: default_lu_gp\nLU Group ID: 0')).toBe('default_lu_gp');
    expect(settingFromShown(`${SO}/alua/ao/alua_access_type`, 'Implicit and Explicit')).toBe('3');
    expect(settingFromShown(`${SO}/alua/ao/alua_access_status`, 'Altered by Explicit STPG')).toBe('1');
    expect(settingFromShown(`${G}/auth/userid`, '')).toBe('NULL');
    expect(settingFromShown('iscsi/discovery_auth/password_mutual', '')).toBe('NULL');
    expect(settingFromShown(`${ACL}/tag`, '')).toBe('NULL');
  });

  test('state, reports and creation-time values are not settings', () => {
    for (const path of [`${SO}/pr/res_aptpl_metadata`, `${SO}/action/block_dev`, `${SO}/info`, `${SO}/enable`, `${SO}/udev_path`, `${SO}/alua/ao/members`]) {
      expect(settingFromShown(path, 'anything'), path).toBeNull();
    }
    expect(settingFromShown(`${SO}/alias`, '')).toBeNull();
    expect(settingFromShown(`${G}/nexus`, '')).toBeNull();
    expect(settingFromShown(`${G}/enable`, '1')).toBe('1');
  });

  test('a conditional write compares in the written form; unset auth shows empty or NULL', () => {
    expect(holdsSetting(`${SO}/wwn/vpd_unit_serial`, 'T10 VPD Unit Serial Number: x\n', 'x')).toBe(true);
    expect(holdsSetting(`${G}/auth/userid`, '\n', 'NULL')).toBe(true);
    expect(holdsSetting(`${G}/auth/userid`, 'NULL\n', 'NULL')).toBe(true);
    expect(holdsSetting(`${G}/attrib/authentication`, '0\n', '1')).toBe(false);
  });
});

describe('whole image', () => {
  const image = captureWholeImage(beforeSnap, recreateStorageObject);

  test('records the user-made nodes with what recreates them', () => {
    const dirs = Object.fromEntries(image.dirs.map((d) => [d.path, d]));
    expect(Object.keys(dirs).sort()).toEqual(['core/fileio_0', SO, `${SO}/alua/ao`, T, G, `${G}/lun/lun_0`, ACL, `${ACL}/lun_3`].sort());
    expect(dirs[SO]!.create).toEqual([
      { op: 'mkdir', path: SO },
      { op: 'write', path: `${SO}/control`, value: 'fd_dev_name=/tmp/f.img,fd_dev_size=67108864' },
      { op: 'write', path: `${SO}/control`, value: 'fd_buffered_io=1' },
      { op: 'write', path: `${SO}/udev_path`, value: '/tmp/f.img' },
      { op: 'write', path: `${SO}/enable`, value: '1' },
    ]);
    expect(dirs[`${SO}/alua/ao`]!.create).toEqual([
      { op: 'mkdir', path: `${SO}/alua/ao` },
      { op: 'write', path: `${SO}/alua/ao/tg_pt_gp_id`, value: '2' },
    ]);
    expect(image.links).toEqual(
      [
        { path: `${ACL}/lun_3/m`, target: `${G}/lun/lun_0` },
        { path: `${G}/lun/lun_0/l0`, target: SO },
      ].sort((a, b) => (a.path < b.path ? -1 : 1)),
    );
  });

  test('records every writable setting in its written form, and nothing else', () => {
    const values = Object.fromEntries(image.values.map((v) => [v.path, v.value]));
    expect(values).toEqual({
      [`${SO}/attrib/block_size`]: '4096',
      [`${SO}/wwn/vpd_unit_serial`]: '1234-abcd',
      [`${SO}/alua/default_tg_pt_gp/alua_access_type`]: '3',
      [`${SO}/alua/ao/preferred`]: '1',
      [`${G}/enable`]: '1',
      [`${G}/attrib/authentication`]: '0',
      [`${G}/auth/userid`]: 'NULL',
      [`${G}/lun/lun_0/alua_tg_pt_gp`]: 'ao',
      [`${ACL}/lun_3/write_protect`]: '1',
      [`${ACL}/auth/password`]: 'sekrit',
      [`${ACL}/tag`]: 'NULL',
    });
  });

  test('undo of a tree where the run removed the target and made a new LUN elsewhere: remove what it made, recreate in order, settings last', () => {
    const now = fakeSnapshot(withParents([...before.filter(([p]) => !p.startsWith(T)), ['iscsi/iqn.2003-01.org.y:new/tpgt_1/lun/lun_0', 'd']]));
    const ops = planUndo(now, image, ['iscsi/iqn.2003-01.org.y:new', 'iscsi/iqn.2003-01.org.y:new/tpgt_1', 'iscsi/iqn.2003-01.org.y:new/tpgt_1/lun/lun_0']);
    const removals = ops.filter((o) => o.phase <= PHASE.rmdirHba).map((o) => `${o.op} ${o.path}`);
    expect(removals).toEqual(['rmdir iscsi/iqn.2003-01.org.y:new/tpgt_1/lun/lun_0', 'rmdir iscsi/iqn.2003-01.org.y:new/tpgt_1', 'rmdir iscsi/iqn.2003-01.org.y:new']);
    const creations = ops.filter((o) => !o.whenDiffers && o.phase > PHASE.rmdirHba).map((o) => `${o.phase} ${o.op} ${o.path}`);
    expect(creations).toEqual([
      `${PHASE.createTarget} mkdir ${T}`,
      `${PHASE.createTarget} mkdir ${G}`,
      `${PHASE.children} mkdir ${G}/lun/lun_0`,
      `${PHASE.children} symlink ${G}/lun/lun_0/l0`,
      `${PHASE.children} mkdir ${ACL}`,
      `${PHASE.children} mkdir ${ACL}/lun_3`,
      `${PHASE.children} symlink ${ACL}/lun_3/m`,
    ]);
    const settings = Object.fromEntries(ops.filter((o) => o.whenDiffers).map((o) => [o.path, o.phase]));
    expect(settings[`${G}/enable`]).toBe(PHASE.enable);
    expect(settings[`${G}/attrib/authentication`]).toBe(PHASE.targetSettings);
    expect(settings[`${SO}/wwn/vpd_unit_serial`]).toBe(PHASE.storageObjectSettings);
    expect(settings[`${SO}/alua/ao/preferred`]).toBe(PHASE.aluaGroupSettings);
    expect(settings[`${ACL}/lun_3/write_protect`]).toBe(PHASE.childSettings);
    expect(ops.every((o, i) => i === 0 || ops[i - 1]!.phase <= o.phase)).toBe(true);
  });

  test('a storage object the run replaced at the same path is removed and made again as it was', () => {
    const ops = planUndo(beforeSnap, image, [SO]);
    const seq = ops.filter((o) => !o.whenDiffers).map((o) => `${o.op} ${o.path}`);
    expect(seq.indexOf(`rmdir ${SO}`)).toBeGreaterThanOrEqual(0);
    expect(seq.indexOf(`rmdir ${SO}`)).toBeLessThan(seq.indexOf(`mkdir ${SO}`));
    expect(seq).toContain(`write ${SO}/control`);
    // the LUN that exported it went with it and comes back
    expect(seq).toContain(`rmdir ${G}/lun/lun_0`);
    expect(seq).toContain(`symlink ${G}/lun/lun_0/l0`);
  });

  test('an HBA left behind without its storage object is made again too (the kernel numbers its objects from 0)', () => {
    // a failure after the storage object was removed but before its HBA
    const now = fakeSnapshot(withParents(before.filter(([p]) => !p.startsWith(`${SO}/`) && !p.startsWith(`${G}/lun/lun_0/l0`))));
    const seq = planUndo(now, image, [])
      .filter((o) => !o.whenDiffers)
      .map((o) => `${o.phase} ${o.op} ${o.path}`);
    expect(seq.slice(0, 3)).toEqual([`${PHASE.rmdirHba} rmdir core/fileio_0`, `${PHASE.createStorageObject} mkdir core/fileio_0`, `${PHASE.createStorageObject} mkdir ${SO}`]);
  });

  test('differences name paths, never values', () => {
    const after = fakeSnapshot(
      withParents(before.map(([p, k, v, m]): FakeEntry => (p === `${ACL}/auth/password` ? [p, k, 'other\n', m] : [p, k, v, m])).filter(([p]) => p !== `${ACL}/lun_3/m`)),
    );
    const diffs = imageDifferences(after, image, []);
    expect(diffs).toEqual([`missing ${ACL}/lun_3/m`, `${ACL}/auth/password differs`]);
    expect(diffs.join(' ')).not.toContain('sekrit');
    expect(imageDifferences(beforeSnap, image, [])).toEqual([]);
  });
});

describe('values image (a run that removes nothing)', () => {
  test('undo removes what was made and writes back what was changed', () => {
    const image = valuesImage([{ path: `${G}/attrib/authentication`, value: '0' }]);
    const now = fakeSnapshot(withParents([...before, [`${G}/lun/lun_9`, 'd']]));
    expect(planUndo(now, image, [`${G}/lun/lun_9`])).toEqual([
      { op: 'rmdir', path: `${G}/lun/lun_9`, independent: true, phase: PHASE.rmdirLunPortal, waitsFor: [] },
      { op: 'write', path: `${G}/attrib/authentication`, value: '0', phase: PHASE.targetSettings, whenDiffers: true },
    ]);
    expect(imageDifferences(now, image, [`${G}/lun/lun_9`])).toEqual([`left over ${G}/lun/lun_9`]);
  });
});
