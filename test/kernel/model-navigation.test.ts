/**
 * Moving between objects as rtslib-fb does (LUN → storage object and
 * mapped LUNs, ACL → mapped LUNs, target → TPGs, TPG → ACL groups, storage
 * object → attached LUNs, root → ACL groups and mapped LUNs, fabric →
 * targets), cross-checked with rtslib-fb on the same tree; cascading
 * deletes that leave what rtslib-fb's leave; and a targetd-style export
 * flow whose answers equal rtslib-fb's.
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
  RDMCPBackstore,
  RDMCPStorageObject,
  RTSRoot,
  TPG,
  Target,
  dumpConfig,
  executePlan,
  planClear,
  type SaveConfig,
} from '../../src/index.js';
import { configuredTree, rawTree, rtslibFb } from './helpers.js';

const DIR = '/tmp/model-navigation';
const IQN = 'iqn.2003-01.org.rtslib.nav:t1';
const LOOP = 'naa.5001405aaaaaaaa1';
const C1 = 'iqn.1994-05.com.redhat:c1';
const C2 = 'iqn.1994-05.com.redhat:c2';
const C3 = 'iqn.1994-05.com.redhat:c3';
const R1_SERIAL = '6f7a1d52-3c0e-4c55-9a0b-0000000000b1';
const F1_SERIAL = '6f7a1d52-3c0e-4c55-9a0b-0000000000b2';
const root = new RTSRoot();
let loop = '';

async function clearAll(): Promise<void> {
  await executePlan(root, await planClear(root));
  expect(configuredTree()).toEqual([]);
}

/** Two storage objects exported by three LUNs in three TPGs of two fabrics, three ACLs (two in one group). Aliases fixed. */
async function build(): Promise<void> {
  const r1 = await RDMCPStorageObject.open(root, 'r1', { size: '4M', wwn: R1_SERIAL });
  const f1 = await FileIOStorageObject.open(root, 'f1', { dev: `${DIR}/f1.img`, size: '8M', wwn: F1_SERIAL });
  const t = await Target.open(root, 'iscsi', { wwn: IQN });
  const tpg1 = await TPG.open(t, { tag: 1 });
  const tpg2 = await TPG.open(t, { tag: 2 });
  const l0 = await LUN.open(tpg1, { index: 0, storageObject: r1, alias: 'l0' });
  const l1 = await LUN.open(tpg1, { index: 1, storageObject: f1, alias: 'l1' });
  await LUN.open(tpg2, { index: 0, storageObject: r1, alias: 'l20' });
  const a1 = await NodeACL.open(tpg1, C1, { tag: 'g1' });
  const a2 = await NodeACL.open(tpg1, C2, { tag: 'g1' });
  const a3 = await NodeACL.open(tpg1, C3);
  await MappedLUN.open(a1, { index: 0, tpgLun: l0, alias: 'm10' });
  await MappedLUN.open(a1, { index: 1, tpgLun: l1, alias: 'm11' });
  await MappedLUN.open(a2, { index: 0, tpgLun: l0, alias: 'm20' });
  await MappedLUN.open(a3, { index: 5, tpgLun: l1, alias: 'm35' });
  const lt = await Target.open(root, 'loopback', { wwn: LOOP });
  await LUN.open(await TPG.open(lt, { tag: 1, nexus: 'naa.5001405bbbbbbbb1' }), { index: 0, storageObject: r1, alias: 'll0' });
}

/** The same as `build`, with rtslib-fb. */
function buildWithRtslibFb(): void {
  rtslibFb(`
from rtslib_fb import RDMCPStorageObject, FileIOStorageObject, FabricModule, Target, TPG, LUN, NodeACL, MappedLUN
r1 = RDMCPStorageObject('r1', size=4*1024*1024, wwn='${R1_SERIAL}')
f1 = FileIOStorageObject('f1', '${DIR}/f1.img', size=8*1024*1024, wwn='${F1_SERIAL}')
t = Target(FabricModule('iscsi'), '${IQN}')
tpg1 = TPG(t, 1); tpg2 = TPG(t, 2)
l0 = LUN(tpg1, 0, r1, 'l0'); l1 = LUN(tpg1, 1, f1, 'l1'); LUN(tpg2, 0, r1, 'l20')
a1 = NodeACL(tpg1, '${C1}'); a1.tag = 'g1'
a2 = NodeACL(tpg1, '${C2}'); a2.tag = 'g1'
a3 = NodeACL(tpg1, '${C3}')
MappedLUN(a1, 0, l0, alias='m10'); MappedLUN(a1, 1, l1, alias='m11'); MappedLUN(a2, 0, l0, alias='m20'); MappedLUN(a3, 5, l1, alias='m35')
lt = Target(FabricModule('loopback'), '${LOOP}')
ltpg = TPG(lt, 1)
LUN(ltpg, 0, r1, 'll0')
print('null')`);
}

/** A LUN as both libraries can name it. */
const lunKey = (l: LUN): string => `${l.tpg.target.fabric.name}/${l.tpg.target.wwn}/${l.tpg.tag}/${l.index}`;
const FB_LUN = `'%s/%s/%d/%d' % (l.parent_tpg.parent_target.fabric_module.name, l.parent_tpg.parent_target.wwn, l.parent_tpg.tag, l.lun)`;
const mappedKey = (m: MappedLUN): string => `${m.acl.nodeWwn}/${m.index}`;
const FB_MAPPED = `'%s/%d' % (m.parent_nodeacl.node_wwn, m.mapped_lun)`;

beforeAll(async () => {
  await clearAll();
  mkdirSync(DIR, { recursive: true });
  execFileSync('truncate', ['-s', '16M', `${DIR}/blk.img`]);
  loop = execFileSync('losetup', ['-f', '--show', `${DIR}/blk.img`], { encoding: 'utf8' }).trim();
  await build();
});

afterAll(async () => {
  await clearAll();
  if (loop) execFileSync('losetup', ['-d', loop]);
  rmSync(DIR, { recursive: true, force: true });
});

describe('navigation, cross-checked with rtslib-fb on the same tree', () => {
  test('storage object → attached LUNs; LUN → storage object and mapped LUNs', async () => {
    const fb = rtslibFb<Record<string, { luns: string[]; back: string[][]; mapped: string[][] }>>(`
out = {}
for so in rtslib.RTSRoot().storage_objects:
    luns = sorted(so.attached_luns, key=lambda l: ${FB_LUN})
    out[so.name] = {'luns': [${FB_LUN} for l in luns], 'back': [[l.storage_object.plugin, l.storage_object.name] for l in luns],
                    'mapped': [sorted(${FB_MAPPED} for m in l.mapped_luns) for l in luns]}
print(json.dumps(out))`);
    const ours: typeof fb = {};
    for (const so of await root.storageObjects()) {
      const luns = (await so.attachedLuns()).sort((a, b) => (lunKey(a) < lunKey(b) ? -1 : 1));
      const back = await Promise.all(luns.map(async (l) => (await l.storageObject()).plugin + '\0' + (await l.storageObject()).name));
      ours[so.name] = {
        luns: luns.map(lunKey),
        back: back.map((b) => b.split('\0')),
        mapped: await Promise.all(luns.map(async (l) => (await l.mappedLuns()).map(mappedKey).sort())),
      };
    }
    expect(ours).toEqual(fb);
    expect(ours.r1?.luns).toHaveLength(3); // the tree is what the test means it to be
    expect(ours.f1?.mapped).toEqual([[`${C1}/1`, `${C3}/5`]]);
  });

  test('ACL → mapped LUNs; target → TPGs; TPG and root → ACL groups; root → mapped LUNs; fabric → targets', async () => {
    const fb = rtslibFb<{
      acl: Record<string, number[]>;
      tpgs: number[];
      groups: string[];
      rootGroups: string[];
      rootMappedGroups: string[];
      rootMapped: string[];
      fabric: Record<string, string[]>;
    }>(`
root = rtslib.RTSRoot()
t = [t for t in root.targets if t.wwn == '${IQN}'][0]
tpg1 = [g for g in t.tpgs if g.tag == 1][0]
print(json.dumps({
  'acl': {a.node_wwn: sorted(m.mapped_lun for m in a.mapped_luns) for a in tpg1.node_acls},
  'tpgs': sorted(g.tag for g in t.tpgs),
  'groups': sorted(g.name for g in tpg1.node_acl_groups),
  'rootGroups': sorted(g.name for tpg in root.tpgs if tpg.has_feature('acls') for g in tpg.node_acl_groups),
  'rootMappedGroups': sorted(g.name + '/' + str(m.mapped_lun) for tpg in root.tpgs if tpg.has_feature('acls') for g in tpg.node_acl_groups for m in g.mapped_lun_groups),
  'rootMapped': sorted(${FB_MAPPED} for m in root.mapped_luns),
  'fabric': {f.name: sorted(t.wwn for t in f.targets) for f in root.fabric_modules if f.name in ('iscsi', 'loopback')},
}))`);
    const t = (await root.fabricModule('iscsi').targets()).find((x) => x.wwn === IQN)!;
    const tpgs = await t.tpgs();
    const tpg1 = tpgs.find((g) => g.tag === 1)!;
    const acl: Record<string, number[]> = {};
    for (const a of await tpg1.nodeAcls()) acl[a.nodeWwn] = (await a.mappedLuns()).map((m) => m.index);
    const ours = {
      acl,
      tpgs: tpgs.map((g) => g.tag),
      groups: (await tpg1.nodeAclGroups()).map((g) => g.name),
      rootGroups: (await root.nodeAclGroups()).map((g) => g.name).sort(),
      rootMappedGroups: (await root.mappedLunGroups()).map((m) => `${m.group.name}/${m.index}`).sort(),
      rootMapped: (await root.mappedLuns()).map(mappedKey).sort(),
      fabric: {
        iscsi: (await root.fabricModule('iscsi').targets()).map((x) => x.wwn).sort(),
        loopback: (await root.fabricModule('loopback').targets()).map((x) => x.wwn).sort(),
      },
    };
    // a group's mapped LUN groups are those of its "first" member: ours the lowest WWN (c1: 0 and 1),
    // rtslib-fb the one the kernel lists first (c2, the newest: 0); they agree on every group whose members agree
    const { rootMappedGroups: ourGroups, ...ourRest } = ours;
    const { rootMappedGroups: fbGroups, ...fbRest } = fb;
    expect(ourRest).toEqual(fbRest);
    expect(ourGroups).toEqual(['g1/0', 'g1/1']);
    expect(fbGroups).toEqual(['g1/0']);
    expect(ours.groups).toEqual(['g1']);
    // a group's members are its ACLs
    expect((await (await tpg1.nodeAclGroups())[0]!.nodeAcls()).map((a) => a.nodeWwn).sort()).toEqual([C1, C2]);
  });
});

describe('TPG CHAP and mapped LUN groups', () => {
  test('TPG CHAP and authenticateTarget read and set, as rtslib-fb reads them; MappedLUNGroup.exists()', async () => {
    const t = (await root.fabricModule('iscsi').targets()).find((x) => x.wwn === IQN)!;
    const tpg1 = (await t.tpgs()).find((g) => g.tag === 1)!;
    expect(await tpg1.chap()).toEqual({ userid: null, password: null, mutualUserid: null, mutualPassword: null });
    await tpg1.setChap({ userid: 'tpg-user', password: 'tpg-secret-1', mutualUserid: 'tpg-target', mutualPassword: 'tpg-mutual-1' });
    const fb = rtslibFb<[string, string, string, string, boolean]>(`
t = [t for t in rtslib.RTSRoot().targets if t.wwn == '${IQN}'][0]
g = [g for g in t.tpgs if g.tag == 1][0]
print(json.dumps([g.chap_userid, g.chap_password, g.chap_mutual_userid, g.chap_mutual_password, bool(g.authenticate_target)]))`);
    expect(fb).toEqual(['tpg-user', 'tpg-secret-1', 'tpg-target', 'tpg-mutual-1', await tpg1.authenticateTarget()]);
    expect(await tpg1.authenticateTarget()).toBe(true);
    await tpg1.setChap({ mutualUserid: null, mutualPassword: null });
    expect(await tpg1.authenticateTarget()).toBe(false);
    const group = (await tpg1.nodeAclGroups())[0]!;
    const mlg = (await group.mappedLunGroups()).find((m) => m.index === 0)!;
    expect(await mlg.exists()).toBe(true);
    for (const m of await mlg.mappedLuns()) await m.delete();
    expect(await mlg.exists()).toBe(false);
  });
});

describe('cascading deletes, as rtslib-fb does them', () => {
  test("StorageObject.delete() removes the LUNs that export it and their mapped LUNs in one batch, leaving what rtslib-fb's delete leaves", async () => {
    await clearAll();
    await build();
    const r1 = (await root.storageObjects()).find((so) => so.name === 'r1')!;
    await r1.delete();
    // rtslib-fb numbers HBAs its own way: the paths are compared without HBA indexes (the dump compares the rest)
    const withoutHbaIndex = (paths: string[]) => paths.map((p) => p.replace(/^core\/([a-z_]+?)_\d+(\/|$)/, 'core/$1_N$2')).sort();
    const oursTree = withoutHbaIndex(rawTree());
    const oursDump: SaveConfig = await dumpConfig(root);
    await clearAll();
    buildWithRtslibFb();
    rtslibFb("[so for so in rtslib.RTSRoot().storage_objects if so.name == 'r1'][0].delete()\nprint('null')");
    expect(withoutHbaIndex(rawTree())).toEqual(oursTree);
    expect(await dumpConfig(root)).toEqual(oursDump);
    // what went: three LUNs and the two mapped LUNs of LUN 0 of TPG 1; what stayed: f1, its LUN and both its mapped LUNs
    expect(oursDump.storage_objects?.map((so) => so.name)).toEqual(['f1']);
    expect(oursDump.targets?.find((x) => x.wwn === IQN)?.tpgs?.map((g) => g.luns?.map((l) => l.index))).toEqual([[1], []]);
    expect(oursTree.some((p) => p.endsWith('/lun_0/m10') || p.endsWith('/lun_0/m20'))).toBe(false);
  });

  test('Backstore.delete() takes the LUNs exporting its objects along', async () => {
    await clearAll();
    const bs = await RDMCPBackstore.open(root, 7);
    const so = await bs.storageObject('inbs', { size: '4M' });
    const t = await Target.open(root, 'loopback', { wwn: LOOP });
    await LUN.open(await TPG.open(t, { tag: 1 }), { storageObject: so });
    await bs.delete();
    expect(rawTree().filter((p) => p.startsWith('core/rd_mcp_7') || /^loopback\/[^/]+\/tpgt_1\/lun\/lun_0$/.test(p))).toEqual([]);
  });
});

describe('a targetd-style export flow', () => {
  /** targetd's export listing: every mapped LUN of every LUN of every storage object. */
  const FB_EXPORTS = `
exports = []
for so in rtslib.RTSRoot().storage_objects:
    for l in so.attached_luns:
        for m in l.mapped_luns:
            exports.append([m.parent_nodeacl.node_wwn, l.parent_tpg.parent_target.wwn, m.mapped_lun, so.name])
print(json.dumps(sorted(exports)))`;

  async function ourExports(): Promise<[string, string, number, string][]> {
    const out: [string, string, number, string][] = [];
    for (const so of await root.storageObjects()) {
      for (const lun of await so.attachedLuns()) for (const m of await lun.mappedLuns()) out.push([m.acl.nodeWwn, lun.tpg.target.wwn, m.index, so.name]);
    }
    return out.sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
  }

  test('create, export, list, unexport, delete: every answer equals rtslib-fb’s', async () => {
    await clearAll();
    // create a block object and export it to two initiators through one LUN
    const vol = await BlockStorageObject.open(root, 'vol1', { dev: loop });
    const t = await Target.open(root, 'iscsi', { wwn: IQN });
    const tpg = await TPG.open(t, { tag: 1 });
    const lun = await LUN.open(tpg, { storageObject: vol });
    for (const initiator of [C1, C2]) await MappedLUN.open(await NodeACL.open(tpg, initiator), { tpgLun: lun });
    const listed = await ourExports();
    expect(listed).toEqual([
      [C1, IQN, 0, 'vol1'],
      [C2, IQN, 0, 'vol1'],
    ]);
    expect(listed).toEqual(rtslibFb(FB_EXPORTS));
    // unexport one initiator: its mapped LUN goes; the LUN stays while another maps it
    const m = (await lun.mappedLuns()).find((x) => x.acl.nodeWwn === C1)!;
    await m.delete();
    expect(await ourExports()).toEqual(rtslibFb(FB_EXPORTS));
    expect(await ourExports()).toEqual([[C2, IQN, 0, 'vol1']]);
    // unexport the last: the LUN goes with it (targetd removes an unmapped LUN), then the volume
    for (const x of await lun.mappedLuns()) await x.delete();
    if ((await lun.mappedLuns()).length === 0) await lun.delete();
    expect(await vol.attachedLuns()).toEqual([]);
    await vol.delete();
    expect(await ourExports()).toEqual(rtslibFb(FB_EXPORTS));
    expect((await root.storageObjects()).map((so) => so.name)).toEqual([]);
  });
});
