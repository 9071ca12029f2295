/**
 * ALUA target port groups on the real kernel, cross-checked with rtslib-fb.
 */
import { afterAll, describe, expect, test } from 'vitest';
import { ALUATargetPortGroup, FileIOBackstore, RDMCPStorageObject, RTSLibError, RTSLibInvalidArgumentError, RTSRoot } from '../../src/index.js';
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
