/**
 * RTSRoot's listings on the real kernel, each from one snapshot, compared
 * with what rtslib-fb lists in the same guest.
 */
import { afterAll, describe, expect, test } from 'vitest';
import { LUN, MappedLUN, NetworkPortal, NodeACL, RDMCPStorageObject, RTSRoot, TPG, Target } from '../../src/index.js';
import { rtslibFb } from './helpers.js';

const root = new RTSRoot();
const IQN = 'iqn.2003-01.org.linux-iscsi.rtslib:listings';
const cleanup: (() => Promise<void>)[] = [];

afterAll(async () => {
  for (const step of cleanup.reverse()) await step().catch(() => undefined);
});

describe('RTSRoot listings', () => {
  test('match rtslib-fb', async () => {
    const rams = [];
    for (let i = 0; i < 3; i++) {
      const ram = await RDMCPStorageObject.open(root, `list_ram${i}`, { size: '4M' });
      cleanup.push(() => ram.delete());
      rams.push(ram);
    }
    const target = await Target.open(root, 'iscsi', { wwn: IQN });
    cleanup.push(() => target.delete());
    const tpg = await TPG.open(target, { tag: 1 });
    await TPG.open(target, { tag: 2 });
    const luns = [];
    for (const ram of rams) luns.push(await LUN.open(tpg, { storageObject: ram }));
    await NetworkPortal.open(tpg, '127.0.0.1', { port: 3260 });
    for (const client of ['iqn.1994-05.com.redhat:a', 'iqn.1994-05.com.redhat:b']) {
      const acl = await NodeACL.open(tpg, client);
      await MappedLUN.open(acl, { index: 0, tpgLun: luns[0]! });
      await MappedLUN.open(acl, { index: 1, tpgLun: luns[2]!, writeProtect: true });
    }
    const loop = await Target.open(root, 'loopback');
    cleanup.push(() => loop.delete());
    await LUN.open(await TPG.open(loop, { tag: 1 }), { storageObject: rams[1]! });

    const fb = rtslibFb<{ so: string[]; targets: string[]; tpgs: string[]; luns: string[]; acls: string[]; mapped: string[]; nps: string[] }>(`
r = rtslib.RTSRoot()
print(json.dumps({
  'so': sorted(f'{s.plugin}/{s.name}' for s in r.storage_objects),
  'targets': sorted(t.wwn for t in r.targets),
  'tpgs': sorted(f'{t.parent_target.wwn}/{t.tag}' for t in r.tpgs),
  'luns': sorted(f'{l.parent_tpg.parent_target.wwn}/{l.parent_tpg.tag}/{l.lun}' for l in r.luns),
  'acls': sorted(a.node_wwn for a in r.node_acls),
  'mapped': sorted(f'{m.parent_nodeacl.node_wwn}/{m.mapped_lun}/{m.tpg_lun.lun}' for m in r.mapped_luns),
  'nps': sorted(f'{n.ip_address}:{n.port}' for n in r.network_portals),
}))`);
    const sorted = (xs: string[]) => [...xs].sort();
    expect(sorted((await root.storageObjects()).map((s) => `${s.plugin === 'ramdisk' ? 'ramdisk' : s.plugin}/${s.name}`))).toEqual(fb.so);
    expect(sorted((await root.targets()).map((t) => t.wwn))).toEqual(fb.targets);
    expect(sorted((await root.tpgs()).map((t) => `${t.target.wwn}/${t.tag}`))).toEqual(fb.tpgs);
    expect(sorted((await root.luns()).map((l) => `${l.tpg.target.wwn}/${l.tpg.tag}/${l.index}`))).toEqual(fb.luns);
    expect(sorted((await root.nodeAcls()).map((a) => a.nodeWwn))).toEqual(fb.acls);
    const mapped = await root.mappedLuns();
    expect(sorted(await Promise.all(mapped.map(async (m) => `${m.acl.nodeWwn}/${m.index}/${(await m.tpgLun()).index}`)))).toEqual(fb.mapped);
    expect(sorted((await root.networkPortals()).map((n) => `${n.ip}:${n.port}`))).toEqual(fb.nps);
    expect(await root.sessions()).toEqual([]);
    expect((await root.aluaTpgs()).filter((g) => g.storageObject.name.startsWith('list_ram')).map((g) => g.name)).toEqual(Array(3).fill('default_tg_pt_gp'));

    const fabrics = root.fabricModules();
    expect(fabrics.map((f) => f.name).sort()).toEqual(['efct', 'ibmvscsis', 'iscsi', 'loopback', 'qla2xxx', 'sbp', 'srpt', 'tcm_fc', 'usb_gadget', 'vhost', 'xen-pvscsi']);
    const available = Object.fromEntries(await Promise.all(fabrics.map(async (f) => [f.name, await f.available()] as const)));
    expect(available.iscsi).toBe(true);
    expect(available.loopback).toBe(true);
    expect(available.ibmvscsis).toBe(false); // a POWER-only module: absent from an x86 kernel, reported, not thrown
  });
});
