/**
 * PSCSI storage objects and the original rtslib's Backstore API on the real
 * kernel, with scsi_debug providing two SCSI hosts of two disks each:
 * rtslib-fb style objects on H:C:T:L and on an sg node; refusals (in use,
 * missing) with nothing written; RDMCPBackstore with several objects;
 * PSCSIBackstore legacy mode when modes are mixed (PHBA mode itself is in
 * pscsi-phba.own-guest.test.ts: it damages the kernel it runs on). Checked in
 * the raw configfs tree and with rtslib-fb.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { closeSync, constants, existsSync, openSync, readdirSync, rmdirSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  PSCSIBackstore,
  PSCSIStorageObject,
  RDMCPBackstore,
  RDMCPStorageObject,
  RTSLibError,
  RTSLibInvalidArgumentError,
  RTSLibNotInCFSError,
  RTSLibOperationError,
  RTSRoot,
  inquiry,
  isInUse,
  listScsiDevices,
  listScsiHosts,
  type ScsiDevice,
} from '../../src/index.js';
import { TARGET, liveTree, rawExists, rawRead, rawTree, referenceTree, shapeUnder, unloadScsiDebug } from './helpers.js';
import { SCSI_DEBUG, fbObjects, loadScsiDebugDisks, run } from './support/scsi-debug.js';

const CORE = `${TARGET}/core`;
const root = new RTSRoot();
let coreBefore: string[] = [];
let hostA = -1;
let hostB = -1;
let hostTape = -1;
let devices: ScsiDevice[] = [];
const dev = (host: number, lun: number): ScsiDevice => devices.find((d) => d.host === host && d.lun === lun)!;
const core = () => rawTree(CORE);

beforeAll(async () => {
  coreBefore = core();
  ({ hostA, hostB, devices } = await loadScsiDebugDisks());
  // A third host with tapes (no block node; the peripheral type is read when a host is scanned).
  writeFileSync(`${SCSI_DEBUG}/ptype`, '1');
  writeFileSync(`${SCSI_DEBUG}/add_host`, '1');
  for (let i = 0; ; i++) {
    const tapes = (await listScsiDevices()).filter(
      (d) => d.typeName === 'tape' && d.sgDevice && d.tapeDevices.length > 0 && [d.sgDevice, ...d.tapeDevices].every((n) => existsSync(n)),
    );
    if (tapes.length === 2) {
      devices.push(...tapes);
      hostTape = tapes[0]!.host;
      break;
    }
    if (i > 300) throw new Error('scsi_debug tapes did not appear');
    await sleep(200);
  }
  writeFileSync(`${SCSI_DEBUG}/ptype`, '0');
  // lsscsi agrees on the hosts.
  const lsscsiHosts = run('lsscsi', ['-H'])
    .split('\n')
    .filter((l) => /scsi_debug/.test(l))
    .map((l) => Number(/^\[(\d+)\]/.exec(l)?.[1]));
  expect(lsscsiHosts).toEqual([hostA, hostB, hostTape]);
}, 120_000);

afterAll(async () => {
  // Remove whatever this file left in core/ (objects first, then HBAs), then scsi_debug.
  const keep = new Set(coreBefore);
  if (existsSync(CORE)) {
    for (const hba of readdirSync(CORE)) {
      if (keep.has(hba) || !/^[a-z_]+_\d+$/.test(hba)) continue;
      for (const so of readdirSync(`${CORE}/${hba}`)) {
        if (so === 'hba_info' || so === 'hba_mode') continue;
        try {
          rmdirSync(`${CORE}/${hba}/${so}`);
        } catch {
          /* reported by the tests */
        }
      }
      try {
        rmdirSync(`${CORE}/${hba}`);
      } catch {
        /* reported by the tests */
      }
    }
  }
  await unloadScsiDebug();
});

describe('PSCSIStorageObject, rtslib-fb style (an HBA of its own)', () => {
  test('on H:C:T:L and on /dev/sgN: control, udev_path, enable, and the device serial passed through', async () => {
    const d0 = dev(hostA, 0);
    const d1 = dev(hostA, 1);
    const a = await PSCSIStorageObject.open(root, 'mp_hctl', { dev: d0.hctl });
    const b = await PSCSIStorageObject.open(root, 'mp_sg', { dev: d1.sgDevice! });
    try {
      for (const [so, d] of [
        [a, d0],
        [b, d1],
      ] as const) {
        expect(so.isFresh).toBe(true);
        expect(so.path).toMatch(new RegExp(`^${CORE}/pscsi_\\d+/${so.name}$`));
        const info = rawRead(`${so.path}/info`);
        expect(info).toContain(`SCSI Device Bus Location: Channel ID: ${d.channel} Target ID: ${d.target} LUN: ${d.lun} Host ID: ${d.host}`);
        expect(info).toMatch(/Vendor: Linux\s+Model: scsi_debug\s+Rev: \S+/);
        // A disk's udev_path is its block node, also when given as its sg node
        // (the kernel opens it with blkdev_get_by_path: an sg node fails with ENOTBLK).
        expect(rawRead(`${so.path}/udev_path`)).toBe(d.blockDevice);
        expect(rawRead(`${so.path}/enable`)).toBe('1');
        // Nothing written to vpd_unit_serial: it shows the device's own VPD 0x80 serial.
        const serial = (await inquiry(d.sgDevice!, { vpdPage: 0x80 })).unitSerial;
        expect(rawRead(`${so.path}/wwn/vpd_unit_serial`)).toBe(`T10 VPD Unit Serial Number: ${serial}`);
        expect(await so.hctl()).toBe(d.hctl);
        expect(await so.udevPath()).toBe(d.blockDevice);
        expect(await so.vendor()).toBe('Linux');
        expect(await so.model()).toBe('scsi_debug');
        expect(await so.rev()).toBe(d.rev);
        expect(await so.legacyMode()).toBe(false);
        expect(rawRead(`${TARGET}/${so.hbaPath}/hba_mode`)).toBe('0');
        // Every directory, file and mode the reference dump shows for its pscsi object.
        expect(shapeUnder(liveTree(`${TARGET}/${so.hbaPath}`, so.hbaPath), so.relativePath)).toEqual(shapeUnder(referenceTree(), 'core/pscsi_4/pscsi1'));
        // The kernel holds the block device exclusively now.
        expect(await isInUse(d.blockDevice!)).toBe(true);
      }
      expect(a.hbaIndex).not.toBe(b.hbaIndex);
      const fb = fbObjects();
      expect(fb.find((o) => o.name === 'mp_hctl')).toMatchObject({ plugin: 'pscsi', udev_path: d0.blockDevice, path: a.path });
      expect(fb.find((o) => o.name === 'mp_sg')).toMatchObject({ plugin: 'pscsi', udev_path: d1.blockDevice, path: b.path });
      // Lookup finds them; create refuses.
      const again = await PSCSIStorageObject.open(root, 'mp_hctl');
      expect(again.isFresh).toBe(false);
      expect(again.path).toBe(a.path);
      await expect(PSCSIStorageObject.open(root, 'mp_hctl', { dev: d0.hctl })).rejects.toMatchObject({ code: 'EEXIST' });
    } finally {
      await a.delete();
      await b.delete();
    }
    expect(rawExists(a.path)).toBe(false);
    expect(rawExists(`${TARGET}/${a.hbaPath}`)).toBe(false);
    expect(rawExists(`${TARGET}/${b.hbaPath}`)).toBe(false);
    expect(core()).toEqual(coreBefore);
  });

  test('a tape (no block node, where rtslib-fb fails): udev_path is its sg node', async () => {
    const tape = dev(hostTape, 0);
    expect(tape.blockDevice).toBeNull();
    const nst = tape.tapeDevices.find((n) => n.startsWith('/dev/nst'))!;
    const byPath = await PSCSIStorageObject.open(root, 'mp_tape', { dev: nst });
    const tape1 = dev(hostTape, 1);
    const byHctl = await PSCSIStorageObject.open(root, 'mp_tape1', { dev: tape1.hctl });
    try {
      for (const [so, d] of [
        [byPath, tape],
        [byHctl, tape1],
      ] as const) {
        expect(rawRead(`${so.path}/info`)).toContain(`Channel ID: ${d.channel} Target ID: ${d.target} LUN: ${d.lun} Host ID: ${d.host}`);
        expect(rawRead(`${so.path}/udev_path`)).toBe(d.sgDevice);
        expect(rawRead(`${so.path}/enable`)).toBe('1');
        expect(await so.hctl()).toBe(d.hctl);
        expect(fbObjects().find((o) => o.name === so.name)).toMatchObject({ plugin: 'pscsi', udev_path: d.sgDevice });
      }
    } finally {
      await byPath.delete();
      await byHctl.delete();
    }
    expect(core()).toEqual(coreBefore);
  });

  test('a device in use is refused before anything is written', async () => {
    const d = dev(hostB, 0);
    const fd = openSync(d.blockDevice!, constants.O_RDONLY | constants.O_EXCL);
    try {
      for (const spec of [d.hctl, d.blockDevice!, d.sgDevice!]) {
        const error = await PSCSIStorageObject.open(root, 'mp_busy', { dev: spec }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(RTSLibInvalidArgumentError);
        expect(String((error as Error).message)).toMatch(/in use/);
        expect(core()).toEqual(coreBefore);
      }
    } finally {
      closeSync(fd);
    }
    // A device another storage object holds is in use too.
    const holder = await PSCSIStorageObject.open(root, 'mp_holder', { dev: d.hctl });
    try {
      await expect(PSCSIStorageObject.open(root, 'mp_busy', { dev: d.sgDevice! })).rejects.toThrow(/in use/);
    } finally {
      await holder.delete();
    }
    expect(core()).toEqual(coreBefore);
  });

  test('a missing device or a non-SCSI node is refused with nothing written', async () => {
    const absent = Math.max(...(await listScsiHosts()).map((h) => h.host)) + 40;
    for (const spec of [`${absent}:0:0:0`, `${hostA}:0:0:7`, '/dev/sdzz', '/dev/null', `${hostA}:0:0`]) {
      await expect(PSCSIStorageObject.open(root, 'mp_missing', { dev: spec }), spec).rejects.toBeInstanceOf(RTSLibInvalidArgumentError);
      expect(core()).toEqual(coreBefore);
    }
    await expect(PSCSIStorageObject.open(root, 'mp_missing')).rejects.toBeInstanceOf(RTSLibNotInCFSError);
    expect(core()).toEqual(coreBefore);
  });
});

describe('RDMCPBackstore (the seed API)', () => {
  test('create, two ramdisks, storageObjects, version, modes, rollback, delete', async () => {
    await expect(RDMCPBackstore.open(root, 7, { mode: 'lookup' })).rejects.toBeInstanceOf(RTSLibNotInCFSError);
    expect(core()).toEqual(coreBefore);
    const bs = await RDMCPBackstore.open(root, 7, { mode: 'create' });
    try {
      expect(bs.isFresh).toBe(true);
      expect(bs).toMatchObject({ index: 7, name: 'rd_mcp_7', plugin: 'rd_mcp', path: `${CORE}/rd_mcp_7` });
      expect(rawExists(`${CORE}/rd_mcp_7/hba_info`)).toBe(true);
      expect(await bs.version()).toBe('v5.0');
      expect(await bs.version()).toBe(/version: (\S+)/.exec(rawRead(`${CORE}/rd_mcp_7/hba_info`))?.[1]);
      expect(await bs.storageObjects()).toEqual([]);

      const ram1 = await bs.storageObject('mp_ram1', { size: '1M' });
      const ram2 = await bs.storageObject('mp_ram2', { size: '2M', nullio: true });
      expect(ram1.path).toBe(`${CORE}/rd_mcp_7/mp_ram1`);
      expect(ram2.path).toBe(`${CORE}/rd_mcp_7/mp_ram2`);
      expect(ram1.isFresh && ram2.isFresh).toBe(true);
      expect(await ram1.size()).toBe(2 ** 20);
      expect(await ram2.nullio()).toBe(true);
      expect(rawRead(`${ram1.path}/enable`)).toBe('1');
      expect((await bs.storageObjects()).sort()).toEqual(['mp_ram1', 'mp_ram2']);
      const fb = fbObjects()
        .filter((o) => o.path.startsWith(`${CORE}/rd_mcp_7/`))
        .map((o) => o.name)
        .sort();
      expect(fb).toEqual(['mp_ram1', 'mp_ram2']);

      // Modes on the backstore and on its objects.
      const looked = await RDMCPBackstore.open(root, 7, { mode: 'lookup' });
      expect(looked.isFresh).toBe(false);
      expect((await RDMCPBackstore.open(root, 7)).isFresh).toBe(false);
      await expect(RDMCPBackstore.open(root, 7, { mode: 'create' })).rejects.toMatchObject({ code: 'EEXIST' });
      await expect(looked.storageObject('mp_ram1', { size: '1M' })).rejects.toMatchObject({ code: 'EEXIST' });
      const found = await looked.storageObject('mp_ram1');
      expect(found.isFresh).toBe(false);
      expect(found.path).toBe(ram1.path);
      await expect(looked.storageObject('mp_nope')).rejects.toBeInstanceOf(RTSLibNotInCFSError);

      // A kernel refusal: the object is rolled back, the backstore stays.
      const snapshot = core();
      const error = await bs.storageObject('mp_ram3', { size: '1M', attributes: { no_such_attribute: 1 } }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RTSLibOperationError);
      expect(error).toMatchObject({ code: 'ENOENT', path: `${CORE}/rd_mcp_7/mp_ram3/attrib/no_such_attribute` });
      expect(core()).toEqual(snapshot);

      // Deleting an object of a backstore leaves the backstore's HBA, also when it was the last one.
      await ram2.delete();
      expect(rawExists(ram2.path)).toBe(false);
      expect(await bs.storageObjects()).toEqual(['mp_ram1']);
      await found.delete();
      expect(rawExists(ram1.path)).toBe(false);
      expect(rawExists(`${CORE}/rd_mcp_7`)).toBe(true);
      expect(await bs.storageObjects()).toEqual([]);
      // An object found rtslib-fb style leaves an HBA that holds other objects.
      await bs.storageObject('mp_ram1', { size: '1M' });
      await bs.storageObject('mp_ram2', { size: '1M' });
      const viaFb = await RDMCPStorageObject.open(root, 'mp_ram1');
      expect(viaFb.hbaIndex).toBe(7);
      await viaFb.delete();
      expect(await bs.storageObjects()).toEqual(['mp_ram2']);
      await bs.storageObject('mp_ram1', { size: '1M' });
      expect((await bs.storageObjects()).sort()).toEqual(['mp_ram1', 'mp_ram2']);
    } finally {
      await bs.delete();
    }
    expect(rawExists(`${CORE}/rd_mcp_7`)).toBe(false);
    expect(core()).toEqual(coreBefore);
    await expect(bs.storageObjects()).rejects.toBeInstanceOf(RTSLibNotInCFSError);
    await expect(bs.delete()).rejects.toBeInstanceOf(RTSLibNotInCFSError);
  });
});

describe('PSCSIBackstore legacy mode', () => {
  test('a legacy object in a non-legacy HBA that has devices: the kernel refuses with EEXIST', async () => {
    const bs = await PSCSIBackstore.open(root, hostB, { mode: 'create' });
    try {
      await bs.storageObject('mp_virt', { dev: dev(hostB, 0).hctl });
      expect(rawRead(`${CORE}/pscsi_${hostB}/mp_virt/info`)).toContain(`Host ID: ${hostB}`);
      const snapshot = core();
      const legacy = await PSCSIBackstore.open(root, hostB, { mode: 'lookup', legacy: true });
      const error = await legacy.storageObject('mp_leg', { dev: '0:0:1' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RTSLibOperationError);
      expect(error).toMatchObject({ code: 'EEXIST', syscall: 'write', path: `${CORE}/pscsi_${hostB}/mp_leg/enable` });
      expect(core()).toEqual(snapshot);
    } finally {
      await bs.delete();
    }
    expect(core()).toEqual(coreBefore);
  });

  test('an absent SCSI host: "Cannot create backstore, hba scsi%d does not exist", in every mode', async () => {
    const absent = Math.max(...(await listScsiHosts()).map((h) => h.host)) + 50;
    for (const mode of ['any', 'create', 'lookup'] as const) {
      const error = await PSCSIBackstore.open(root, absent, { legacy: true, mode }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RTSLibError);
      expect(String((error as Error).message)).toBe(`Cannot create backstore, hba scsi${absent} does not exist`);
    }
    expect(core()).toEqual(coreBefore);
    // Without legacy the index is only a number.
    const bs = await PSCSIBackstore.open(root, absent, { mode: 'create' });
    expect(bs.isFresh).toBe(true);
    await bs.delete();
    expect(core()).toEqual(coreBefore);
  });
});
