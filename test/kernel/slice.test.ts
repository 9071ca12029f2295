/**
 * The first slice through every layer on the real kernel: the native engine,
 * the configfs layer and the object model create a ramdisk storage object,
 * read it back, are cross-checked by rtslib-fb, and delete it.
 */
import { describe, expect, test } from 'vitest';
import { readdirSync } from 'node:fs';
import { RTSRoot, RDMCPStorageObject } from '../../src/index.js';
import { native } from '../../src/native/index.js';
import { TARGET, rawExists, rawRead, rtslibFb } from './helpers.js';

describe('first slice on the real kernel', () => {
  test('the native engine reads and writes configfs in one batch', async () => {
    const results = await native.executeBatch(
      [
        { op: 'read', path: `${TARGET}/version` },
        { op: 'mkdir', path: `${TARGET}/core/rd_mcp_900` },
        { op: 'read', path: `${TARGET}/core/rd_mcp_900/hba_info` },
        { op: 'mkdir', path: `${TARGET}/core/rd_mcp_900/batch` },
        { op: 'write', path: `${TARGET}/core/rd_mcp_900/batch/control`, value: 'rd_pages=16' },
        { op: 'write', path: `${TARGET}/core/rd_mcp_900/batch/enable`, value: '1' },
        { op: 'read', path: `${TARGET}/core/rd_mcp_900/batch/info` },
        { op: 'rmdir', path: `${TARGET}/core/rd_mcp_900/batch` },
        { op: 'rmdir', path: `${TARGET}/core/rd_mcp_900` },
      ],
      { root: TARGET },
    );
    expect(results.map((r) => r.ok)).toEqual(Array(9).fill(true));
    expect((results[0] as { value: Buffer }).value.toString()).toMatch(/^Target Engine Core ConfigFS Infrastructure v\d/);
    expect((results[2] as { value: Buffer }).value.toString()).toMatch(/plugin: rd_mcp/);
    expect((results[6] as { value: Buffer }).value.toString()).toMatch(/Status: DEACTIVATED[\s\S]*PAGES\/PAGE_SIZE: 16\*4096/);
    expect(rawExists(`${TARGET}/core/rd_mcp_900`)).toBe(false);
  });

  test('creates a ramdisk storage object, reads it back, rtslib-fb sees it, deletes it', async () => {
    const root = new RTSRoot();
    const before = readdirSync(`${TARGET}/core`).sort();
    const so = await RDMCPStorageObject.open(root, 'slice_ram', { size: '8M', attributes: { emulate_caw: 0 } });
    expect(so.isFresh).toBe(true);
    expect(so.path).toBe(`${TARGET}/core/rd_mcp_${so.hbaIndex}/slice_ram`);

    // What the kernel holds, read with plain fs.
    expect(rawRead(`${so.path}/enable`)).toBe('1');
    expect(rawRead(`${so.path}/info`)).toMatch(/PAGES\/PAGE_SIZE: 2048\*4096/);
    const serial = rawRead(`${so.path}/wwn/vpd_unit_serial`).replace('T10 VPD Unit Serial Number: ', '');

    // What the library reads back.
    expect(await so.wwn()).toBe(serial);
    expect(await so.status()).toBe('deactivated'); // activated only while a LUN exports it
    const attributes = await so.attributes();
    expect(attributes.block_size).toBe('512');
    expect(attributes.emulate_caw).toBe('0');
    expect(await so.getAttribute('emulate_caw')).toBe('0');
    await so.setAttribute('emulate_caw', 1);
    expect(rawRead(`${so.path}/attrib/emulate_caw`)).toBe('1');
    expect(await root.storageObjectLocations()).toContainEqual({ plugin: 'ramdisk', hbaIndex: so.hbaIndex, name: 'slice_ram' });

    // The peer sees the same object.
    const seen = rtslibFb<[string, string, string, number][]>('print(json.dumps([[so.plugin, so.name, so.wwn, so.size] for so in rtslib.RTSRoot().storage_objects]))');
    expect(seen).toContainEqual(['ramdisk', 'slice_ram', serial, 8 * 1024 * 1024]);

    await so.delete();
    expect(await so.exists()).toBe(false);
    expect(readdirSync(`${TARGET}/core`).sort()).toEqual(before);
  });
});
