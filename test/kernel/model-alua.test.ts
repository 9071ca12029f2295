/**
 * ALUA target port groups on the real kernel, cross-checked with rtslib-fb.
 */
import { afterAll, describe, expect, test } from 'vitest';
import {
  ALUATargetPortGroup,
  FileIOBackstore,
  LUN,
  RDMCPStorageObject,
  RTSLibALUANotSupportedError,
  RTSLibError,
  RTSLibInvalidArgumentError,
  RTSRoot,
  TPG,
  Target,
  UserBackedStorageObject,
} from '../../src/index.js';
import { rawExists, rawRead, rtslibFb } from './helpers.js';

const root = new RTSRoot();
let ram: RDMCPStorageObject | undefined;

afterAll(async () => {
  if (ram && (await ram.exists())) {
    for (const name of ['ao', 'standby']) {
      const g = await ALUATargetPortGroup.open(ram, name).catch(() => undefined);
      await g?.delete();
    }
    await ram.delete();
  }
});

describe('ALUA target port groups', () => {
  test('create with settings, read back, rtslib-fb sees it, delete', async () => {
    ram = await RDMCPStorageObject.open(root, 'alua_ram', { size: '4M' });
    const ao = await ALUATargetPortGroup.open(ram, 'ao', { tag: 2, settings: { nonop_delay_msecs: 200, preferred: 1 } });
    expect(ao.isFresh).toBe(true);
    expect(rawRead(`${ao.path}/tg_pt_gp_id`)).toBe('2');
    expect(rawRead(`${ao.path}/nonop_delay_msecs`)).toBe('200');
    expect(rawRead(`${ao.path}/preferred`)).toBe('1');
    expect(await ao.tag()).toBe(2);
    await ao.set('alua_access_state', 1);
    expect((await ao.settings()).alua_access_state).toBe('1');
    const standby = await ALUATargetPortGroup.open(ram, 'standby', { tag: 3 });
    const fb = rtslibFb<[string, number][]>(`
so = [s for s in rtslib.RTSRoot().storage_objects if s.name == 'alua_ram'][0]
print(json.dumps(sorted([[g.name, g.tg_pt_gp_id] for g in so.alua_tpgs])))`);
    expect(fb).toEqual([
      ['ao', 2],
      ['default_tg_pt_gp', 0],
      ['standby', 3],
    ]);
    await expect(ALUATargetPortGroup.open(ram, 'ao', { tag: 9 })).rejects.toMatchObject({ code: 'EEXIST' });
    await expect(ALUATargetPortGroup.open(ram, 'ghost')).rejects.toThrow(/does not exist/);
    await standby.delete();
    await ao.delete();
    expect(rawExists(ao.path)).toBe(false);
  });

  test('bad input and the default group', async () => {
    ram ??= await RDMCPStorageObject.open(root, 'alua_ram', { size: '4M' });
    await expect(ALUATargetPortGroup.open(ram, 'x', { tag: 0 })).rejects.toBeInstanceOf(RTSLibInvalidArgumentError);
    await expect(ALUATargetPortGroup.open(ram, 'x', { tag: 2, settings: { bogus: 1 } as never })).rejects.toThrow(/unknown setting/);
    await expect(ALUATargetPortGroup.open(ram, 'a/b', { tag: 2 })).rejects.toThrow(/'\/'/);
    expect(rawExists(`${ram.path}/alua/x`)).toBe(false);
    const def = await ALUATargetPortGroup.open(ram, 'default_tg_pt_gp');
    await expect(def.delete()).rejects.toBeInstanceOf(RTSLibError);
    expect(await def.tag()).toBe(0);
  });

  test('deleting a storage object or a backstore removes its extra ALUA groups with it', async () => {
    const so = await RDMCPStorageObject.open(root, 'alua_del', { size: '4M' });
    await ALUATargetPortGroup.open(so, 'extra', { tag: 4 });
    await so.delete();
    expect(rawExists(so.path)).toBe(false);
    expect(rawExists(so.hbaPath)).toBe(false);
    const bs = await FileIOBackstore.open(root, 77, { mode: 'create' });
    const file = await bs.storageObject('alua_bs', { dev: '/tmp/alua_bs.img', size: '1M' });
    await ALUATargetPortGroup.open(file, 'extra', { tag: 5 });
    await bs.delete();
    expect(rawExists(bs.path)).toBe(false);
  });
});

describe('ALUA binding of LUNs, cross-checked with rtslib-fb', () => {
  const IQN = 'iqn.2003-01.org.rtslib.alua:t1';

  test('LUN group get and set, the other alua_tg_pt files, group members, a storage object’s groups and support', async () => {
    const so = await RDMCPStorageObject.open(root, 'bind_ram', { size: '4M' });
    const user = await UserBackedStorageObject.open(root, 'bind_user', { size: '4M', config: 'file//tmp/bind_user.img' });
    const ao = await ALUATargetPortGroup.open(so, 'ao', { tag: 2 });
    const t = await Target.open(root, 'iscsi', { wwn: IQN });
    const tpg = await TPG.open(t, { tag: 1 });
    const l0 = await LUN.open(tpg, { index: 0, storageObject: so });
    const l1 = await LUN.open(tpg, { index: 1, storageObject: so });
    const lu = await LUN.open(tpg, { index: 2, storageObject: user });
    try {
      expect(await l0.aluaTgPtGpName()).toBe('default_tg_pt_gp');
      await l0.setAluaTgPtGpName('ao');
      await l0.setAluaTgPtOffline(true);
      await l0.setAluaTgPtWriteMd(true);
      await l0.setAluaTgPtStatus(1);
      expect([await l0.aluaTgPtGpName(), await l0.aluaTgPtOffline(), await l0.aluaTgPtWriteMd(), await l0.aluaTgPtStatus()]).toEqual(['ao', true, true, 1]);
      await expect(l0.setAluaTgPtStatus(7)).rejects.toBeInstanceOf(RTSLibInvalidArgumentError);
      // what ours reads, rtslib-fb reads: group names, members, the object's groups and support
      const fb = rtslibFb<{ names: (string | null)[]; members: Record<string, unknown>[]; tpgs: string[]; supported: Record<string, boolean> }>(`
root = rtslib.RTSRoot()
so = [s for s in root.storage_objects if s.name == 'bind_ram'][0]
t = [t for t in root.targets if t.wwn == '${IQN}'][0]
tpg = [g for g in t.tpgs if g.tag == 1][0]
luns = sorted(tpg.luns, key=lambda l: l.lun)
ao = [g for g in so.alua_tpgs if g.name == 'ao'][0]
print(json.dumps({'names': [l.alua_tg_pt_gp_name for l in luns], 'members': sorted([dict(m, driver=m['driver'].lower()) for m in ao.members], key=lambda m: m['lun']),
                  'tpgs': sorted(g.name for g in so.alua_tpgs),
                  'supported': {s.name: s.alua_supported for s in root.storage_objects if s.name.startswith('bind_')}}))`);
      // the kernel's members list names the fabric as it displays it (iSCSI): compared in lower case
      const members = (await ao.members()).map((l) => ({ driver: l.tpg.target.fabric.info.dir, target: l.tpg.target.wwn, tpgt: l.tpg.tag, lun: l.index }));
      expect({
        names: [await l0.aluaTgPtGpName(), await l1.aluaTgPtGpName(), await lu.aluaTgPtGpName()],
        members,
        tpgs: (await so.aluaTpgs()).map((g) => g.name),
        supported: { bind_ram: await so.aluaSupported(), bind_user: await user.aluaSupported() },
      }).toEqual(fb);
      expect(members).toEqual([{ driver: 'iscsi', target: IQN, tpgt: 1, lun: 0 }]);
      // a TCMU object without ALUA support has no group to move a LUN to
      if (!(await user.aluaSupported())) {
        expect(await user.aluaTpgs()).toEqual([]);
        await expect(lu.setAluaTgPtGpName('ao')).rejects.toBeInstanceOf(RTSLibALUANotSupportedError);
      }
      // a group the object does not have: the kernel refuses, and says which file
      await expect(l1.setAluaTgPtGpName('nosuch')).rejects.toBeInstanceOf(RTSLibError);
      expect(await l1.aluaTgPtGpName()).toBe('default_tg_pt_gp');
    } finally {
      await t.delete();
      await ao.delete();
      await so.delete();
      await user.delete();
    }
  });
});
