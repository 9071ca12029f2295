/**
 * The storage object and TPG properties rtslib-fb has, read and set on the
 * real kernel and cross-checked with rtslib-fb: unit serial set, configured,
 * version; fileio on a block device (is it one, its size); block major,
 * minor, size; ramdisk pages and page size; TCMU control tuples; TPG nexus
 * made by default and set later; enabling a fabric without `enable`; mapped
 * LUNs writable unless asked, even where the kernel would start them
 * read-only.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import {
  BlockStorageObject,
  FileIOStorageObject,
  LUN,
  MappedLUN,
  NodeACL,
  RDMCPStorageObject,
  RTSRoot,
  TPG,
  Target,
  UserBackedStorageObject,
  executePlan,
  planClear,
} from '../../src/index.js';
import { configuredTree, rawRead, rtslibFb } from './helpers.js';

const DIR = '/tmp/model-properties';
const root = new RTSRoot();
const loops: string[] = [];

beforeAll(async () => {
  await executePlan(root, await planClear(root));
  mkdirSync(DIR, { recursive: true });
  for (const [i, size] of [
    [0, '24M'],
    [1, '12M'],
  ] as const) {
    execFileSync('truncate', ['-s', size, `${DIR}/loop${i}.img`]);
    loops.push(execFileSync('losetup', ['-f', '--show', `${DIR}/loop${i}.img`], { encoding: 'utf8' }).trim());
  }
});

afterAll(async () => {
  await executePlan(root, await planClear(root));
  expect(configuredTree()).toEqual([]);
  for (const loop of loops) execFileSync('losetup', ['-d', loop]);
  rmSync(DIR, { recursive: true, force: true });
});

describe('storage object properties, as rtslib-fb reads them', () => {
  test('fileio on a block device, block, ramdisk, TCMU; unit serial set; configured; version', async () => {
    const fb1 = await FileIOStorageObject.open(root, 'p_fileio_blk', { dev: loops[0]! });
    const ff = await FileIOStorageObject.open(root, 'p_fileio_file', { dev: `${DIR}/f.img`, size: '8M' });
    const blk = await BlockStorageObject.open(root, 'p_block', { dev: loops[1]! });
    const ram = await RDMCPStorageObject.open(root, 'p_ram', { size: '8M' });
    const user = await UserBackedStorageObject.open(root, 'p_user', { size: '16M', config: `file/${DIR}/u.img` });
    await ram.setWwn('6f7a1d52-3c0e-4c55-9a0b-0000000000aa');
    const fb = rtslibFb<Record<string, unknown>>(`
sos = {s.name: s for s in rtslib.RTSRoot().storage_objects if s.name.startswith('p_')}
print(json.dumps({
  'fileio_blk': [sos['p_fileio_blk'].is_block, sos['p_fileio_blk'].size],
  'fileio_file': [sos['p_fileio_file'].is_block, sos['p_fileio_file'].size],
  'block': [sos['p_block'].major, sos['p_block'].minor, sos['p_block'].size],
  'ram': [sos['p_ram'].page_size, sos['p_ram'].pages, sos['p_ram'].size, sos['p_ram'].wwn],
  'user': sos['p_user'].control_tuples,
  'configured': sorted(n for n, s in sos.items() if s.is_configured()),
  'version': {n: s.version for n, s in sos.items()},
  'status': {n: s.status for n, s in sos.items()},
  'udevPath': {n: s.udev_path for n, s in sos.items()},
}))`);
    const all = [fb1, ff, blk, ram, user];
    const ours = {
      fileio_blk: [await fb1.isBlock(), await fb1.size()],
      fileio_file: [await ff.isBlock(), await ff.size()],
      block: [await blk.major(), await blk.minor(), await blk.size()],
      ram: [await ram.pageSize(), await ram.pages(), await ram.size(), await ram.wwn()],
      user: await user.controlTuples(),
      configured: (await Promise.all(all.map(async (s) => ((await s.isConfigured()) ? s.name : null)))).filter((n) => n !== null).sort(),
      version: Object.fromEntries(await Promise.all(all.map(async (s) => [s.name, await s.version()]))),
      status: Object.fromEntries(await Promise.all(all.map(async (s) => [s.name, await s.status()]))),
      // rtslib-fb shows an unset udev_path as ''
      udevPath: Object.fromEntries(await Promise.all(all.map(async (s) => [s.name, (await s.udevPath()) ?? '']))),
    };
    expect(ours).toEqual(fb);
    // the facts the comparison rests on
    expect(ours.fileio_blk).toEqual([true, 24 * 1024 * 1024]);
    expect(ours.block[2]).toBe(12 * 1024 * 1024);
    expect(ours.ram.slice(0, 2)).toEqual([4096, 2048]);
    expect(new Set(Object.values(ours.status))).toEqual(new Set(['deactivated']));
    expect(await blk.exclusive()).toBe(true);
  });
});

describe('TPG and mapped LUN behaviour, as rtslib-fb', () => {
  test("a nexus fabric's TPG gets a nexus by default, or later; setEnabled where there is no enable file does nothing", async () => {
    const t = await Target.open(root, 'loopback', { wwn: 'naa.5001405cccccccc1' });
    const auto = await TPG.open(t, { tag: 1 });
    expect(await auto.nexus()).toMatch(/^naa\.5001405[0-9a-f]{9}$/);
    const t2 = await Target.open(root, 'loopback', { wwn: 'naa.5001405cccccccc2' });
    const later = await TPG.open(t2, { tag: 1, nexus: false });
    expect(await later.nexus()).toBeNull();
    await later.setNexus('naa.5001405dddddddd2');
    await expect(later.setNexus()).rejects.toMatchObject({ code: 'EEXIST' });
    await auto.setEnabled(false);
    expect(await auto.enabled()).toBe(true);
    const fb = rtslibFb<Record<string, string>>(`
print(json.dumps({t.wwn: [g for g in t.tpgs][0].nexus for t in rtslib.RTSRoot().targets if t.wwn.startswith('naa.5001405cccccccc')}))`);
    expect(fb).toEqual({ 'naa.5001405cccccccc1': await auto.nexus(), 'naa.5001405cccccccc2': 'naa.5001405dddddddd2' });
  });

  test('a mapped LUN is writable unless asked, even under prod_mode_write_protect, as rtslib-fb makes it', async () => {
    const ram = (await root.storageObjects()).find((s) => s.name === 'p_ram')!;
    const t = await Target.open(root, 'iscsi', { wwn: 'iqn.2003-01.org.rtslib.props:t1' });
    const tpg = await TPG.open(t, { tag: 1 });
    await tpg.setAttribute('prod_mode_write_protect', 1);
    const lun = await LUN.open(tpg, { storageObject: ram });
    const acl = await NodeACL.open(tpg, 'iqn.1994-05.com.redhat:p1');
    const plain = await MappedLUN.open(acl, { tpgLun: lun });
    const ro = await MappedLUN.open(acl, { tpgLun: lun, writeProtect: true });
    expect([await plain.writeProtect(), await ro.writeProtect()]).toEqual([false, true]);
    rtslibFb(`
t = [t for t in rtslib.RTSRoot().targets if t.wwn == 'iqn.2003-01.org.rtslib.props:t1'][0]
g = [g for g in t.tpgs][0]
a = rtslib.NodeACL(g, 'iqn.1994-05.com.redhat:p2')
rtslib.MappedLUN(a, 0, [l for l in g.luns][0])
print('null')`);
    expect(rawRead(`${tpg.path}/acls/iqn.1994-05.com.redhat:p2/lun_0/write_protect`)).toBe(rawRead(`${plain.path}/write_protect`));
  });
});
