/**
 * Partial saves (rtslib-fb's save_to_file(so_path)): only the entries of the
 * named storage object or target change; the merged file always validates.
 */
import { describe, expect, test } from 'vitest';
import { mergeConfigPart, type SaveConfig } from '../../src/config/index.js';

const so = (name: string, size = 1048576) => ({ plugin: 'ramdisk' as const, name, size });
const target = (wwn: string, luns: string[], extra: Record<string, unknown> = {}) => ({
  fabric: 'iscsi',
  wwn,
  tpgs: [{ tag: 1, ...extra, luns: luns.map((n, index) => ({ index, storage_object: `/backstores/ramdisk/${n}` })) }],
});

const saved: SaveConfig = {
  storage_objects: [so('a'), so('b'), so('keep')],
  targets: [target('iqn.2003-01.org.x:t1', ['a']), target('iqn.2003-01.org.x:t2', ['b']), target('iqn.2003-01.org.x:t3', ['keep'])],
  fabric_modules: [{ name: 'iscsi', discovery_enable_auth: true, discovery_userid: 'u' }],
} as SaveConfig;

describe('partial saves', () => {
  test('a storage object: its entry and the targets exporting it are the kernel’s now; everything else stays', () => {
    const current = {
      storage_objects: [so('a', 2097152), so('b'), so('other')],
      targets: [target('iqn.2003-01.org.x:t1', ['a'], { enable: false }), target('iqn.2003-01.org.x:t2', ['b', 'a'])],
      fabric_modules: [],
    } as SaveConfig;
    const merged = mergeConfigPart(saved, current, { storageObject: '/backstores/ramdisk/a' });
    expect(merged.storage_objects).toEqual([so('a', 2097152), so('b'), so('keep')]);
    // both targets with a LUN on it are brought up to date (rtslib-fb only takes the first)
    expect(merged.targets).toEqual([current.targets![0], current.targets![1], saved.targets![2]]);
    expect(merged.fabric_modules).toEqual(saved.fabric_modules);
  });

  test('a storage object the kernel no longer has is removed with the saved targets that exported it, so the file stays restorable', () => {
    const current = { storage_objects: [so('b'), so('keep')], targets: [target('iqn.2003-01.org.x:t2', ['b'])] } as SaveConfig;
    const merged = mergeConfigPart(saved, current, { storageObject: 'a' });
    expect(merged.storage_objects!.map((s) => s.name)).toEqual(['b', 'keep']);
    expect(merged.targets!.map((t) => t.wwn)).toEqual(['iqn.2003-01.org.x:t2', 'iqn.2003-01.org.x:t3']);
  });

  test('a target: its entry is replaced, and storage objects it now needs that the file lacks are added', () => {
    const current = { storage_objects: [so('a'), so('b'), so('fresh')], targets: [target('IQN.2003-01.org.x:T2', ['b', 'fresh'])] } as SaveConfig;
    const merged = mergeConfigPart(saved, current, { target: 'iqn.2003-01.org.x:t2' });
    expect(merged.targets!.map((t) => t.wwn)).toEqual(['iqn.2003-01.org.x:t1', 'IQN.2003-01.org.x:T2', 'iqn.2003-01.org.x:t3']);
    expect(merged.storage_objects!.map((s) => s.name)).toEqual(['a', 'b', 'keep', 'fresh']);
  });

  test('a part neither the file nor the kernel has is an error; a new one is appended to an empty file', () => {
    expect(() => mergeConfigPart(saved, saved, { storageObject: 'ghost' })).toThrow(/neither the file nor the kernel/);
    expect(() => mergeConfigPart(saved, saved, { target: 'iqn.2003-01.org.x:none' })).toThrow(/neither the file nor the kernel/);
    const merged = mergeConfigPart({}, { storage_objects: [so('a')], targets: [target('iqn.2003-01.org.x:t1', ['a'])] } as SaveConfig, { target: 'iqn.2003-01.org.x:t1' });
    expect(merged).toEqual({ storage_objects: [so('a')], targets: [target('iqn.2003-01.org.x:t1', ['a'])] });
  });
});
