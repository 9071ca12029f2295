/**
 * SCSI discovery's parsing over a fake sysfs tree in a temporary directory
 * (the real thing is tested in the VM: test/kernel/scsi-discovery.test.ts),
 * argument validation, and the error shapes on nodes every machine has.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { RTSLibError, deviceInfo, inquiry, isInUse, listScsiDevices, listScsiHosts, resolveScsiDevice } from '../../src/index.js';

let tmp = '';
let sys = '';

function file(path: string, value: string, mode = 0o644): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, value);
  chmodSync(path, mode);
}

function link(target: string, path: string): void {
  mkdirSync(dirname(path), { recursive: true });
  symlinkSync(target, path);
}

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'rtslib-scsi-'));
  sys = join(tmp, 'sys');
  const h0 = `${sys}/devices/pseudo_0/adapter0/host0`;
  file(`${h0}/scsi_host/host0/proc_name`, 'tcm_loopback\n');
  file(`${h0}/scsi_host/host0/can_queue`, '1024\n');
  file(`${h0}/scsi_host/host0/scan`, '', 0o200);
  link('../../devices/pseudo_0/adapter0/host0/scsi_host/host0', `${sys}/class/scsi_host/host0`);
  const h7 = `${sys}/devices/pci0000:00/host7`;
  file(`${h7}/scsi_host/host7/unique_id`, '7\n');
  link('../../devices/pci0000:00/host7/scsi_host/host7', `${sys}/class/scsi_host/host7`);

  const disk = `${h0}/target0:0:1/0:0:1:3`;
  file(`${disk}/type`, '0\n');
  file(`${disk}/vendor`, 'LIO-ORG \n');
  file(`${disk}/model`, 'demo_ram        \n');
  file(`${disk}/rev`, '4.0 \n');
  file(`${disk}/state`, 'running\n');
  file(`${disk}/queue_depth`, '128\n');
  file(`${disk}/block/sdb/dev`, '8:16\n');
  file(`${disk}/block/sdb/uevent`, 'MAJOR=8\nMINOR=16\nDEVNAME=sdb\nDEVTYPE=disk\n');
  file(`${disk}/scsi_generic/sg1/dev`, '21:1\n');
  file(`${disk}/bsg/0:0:1:3/dev`, '248:1\n');
  file(`${disk}/bsg/0:0:1:3/uevent`, 'DEVNAME=bsg/0:0:1:3\n');
  mkdirSync(`${disk}/scsi_device/0:0:1:3`, { recursive: true });
  link('../../../devices/pseudo_0/adapter0/host0/target0:0:1/0:0:1:3', `${sys}/bus/scsi/devices/0:0:1:3`);
  link('../../devices/pseudo_0/adapter0/host0/target0:0:1/0:0:1:3/block/sdb', `${sys}/dev/block/8:16`);

  const tape = `${h7}/target7:0:0/7:0:0:0`;
  file(`${tape}/type`, '1\n');
  file(`${tape}/vendor`, 'IBM     \n');
  file(`${tape}/model`, 'ULT3580-TD8     \n');
  file(`${tape}/rev`, 'Q3A0\n');
  file(`${tape}/state`, 'running\n');
  for (const [name, minor] of [
    ['st0', 0],
    ['nst0', 128],
    ['st0a', 96],
    ['nst0a', 224],
  ] as const) {
    file(`${tape}/scsi_tape/${name}/dev`, `9:${minor}\n`);
  }
  link('../../../devices/pci0000:00/host7/target7:0:0/7:0:0:0', `${sys}/bus/scsi/devices/7:0:0:0`);
  link('../../../devices/pseudo_0/adapter0/host0', `${sys}/bus/scsi/devices/host0`);
});

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('SCSI discovery over a fake sysfs tree', () => {
  test('lists hosts with every readable attribute', async () => {
    const hosts = await listScsiHosts({ sysfsRoot: sys });
    expect(hosts).toEqual([
      { host: 0, procName: 'tcm_loopback', attributes: { can_queue: '1024', proc_name: 'tcm_loopback' } },
      { host: 7, procName: null, attributes: { unique_id: '7' } },
    ]);
  });

  test('lists devices with their nodes, trimmed and typed', async () => {
    const devices = await listScsiDevices({ sysfsRoot: `${sys}/` });
    expect(devices.map((d) => d.hctl)).toEqual(['0:0:1:3', '7:0:0:0']);
    expect(devices[0]).toEqual({
      host: 0,
      channel: 0,
      target: 1,
      lun: 3,
      hctl: '0:0:1:3',
      type: 0,
      typeName: 'disk',
      vendor: 'LIO-ORG',
      model: 'demo_ram',
      rev: '4.0',
      state: 'running',
      queueDepth: 128,
      blockDevice: '/dev/sdb',
      sgDevice: '/dev/sg1',
      tapeDevices: [],
      changerDevice: null,
      nodes: [
        { subsystem: 'block', name: 'sdb', devNode: '/dev/sdb', major: 8, minor: 16 },
        { subsystem: 'bsg', name: '0:0:1:3', devNode: '/dev/bsg/0:0:1:3', major: 248, minor: 1 },
        { subsystem: 'scsi_generic', name: 'sg1', devNode: '/dev/sg1', major: 21, minor: 1 },
      ],
    });
    expect(devices[1]).toMatchObject({
      host: 7,
      type: 1,
      typeName: 'tape',
      vendor: 'IBM',
      model: 'ULT3580-TD8',
      queueDepth: null,
      blockDevice: null,
      sgDevice: null,
      changerDevice: null,
      tapeDevices: ['/dev/st0', '/dev/st0a', '/dev/nst0', '/dev/nst0a'],
    });
  });

  test('a tree without SCSI lists nothing; a missing root is ENOENT', async () => {
    const empty = join(tmp, 'empty');
    mkdirSync(empty);
    expect(await listScsiHosts({ sysfsRoot: empty })).toEqual([]);
    expect(await listScsiDevices({ sysfsRoot: empty })).toEqual([]);
    await expect(listScsiDevices({ sysfsRoot: join(tmp, 'nope') })).rejects.toMatchObject({
      name: 'RTSLibError',
      code: 'ENOENT',
      errno: -2,
      syscall: 'stat',
      path: join(tmp, 'nope'),
    });
  });

  test('resolving: ENOENT for a missing path, ENODEV for a node that is not SCSI', async () => {
    const missing = join(tmp, 'no-such-device');
    const e1 = await resolveScsiDevice(missing, { sysfsRoot: sys }).catch((e: unknown) => e);
    expect(e1).toBeInstanceOf(RTSLibError);
    expect(e1).toMatchObject({ code: 'ENOENT', errno: -2, syscall: 'stat', path: missing });
    await expect(resolveScsiDevice('/dev/null', { sysfsRoot: sys })).rejects.toMatchObject({
      code: 'ENODEV',
      errno: -19,
      path: '/dev/null',
    });
    await expect(resolveScsiDevice(`${sys}/class`, { sysfsRoot: sys })).rejects.toMatchObject({ code: 'ENODEV' });
  });
});

describe('argument validation happens before any system call', () => {
  test('relative, empty, NUL-containing and non-string paths are TypeErrors', async () => {
    await expect(resolveScsiDevice('dev/sda')).rejects.toBeInstanceOf(TypeError);
    await expect(resolveScsiDevice('')).rejects.toBeInstanceOf(TypeError);
    await expect(inquiry('/dev/sda\0x')).rejects.toBeInstanceOf(TypeError);
    await expect(deviceInfo('sda')).rejects.toBeInstanceOf(TypeError);
    await expect(isInUse('./sda')).rejects.toBeInstanceOf(TypeError);
    await expect(listScsiDevices({ sysfsRoot: 'sys' })).rejects.toBeInstanceOf(TypeError);
    await expect(inquiry(42 as unknown as string)).rejects.toBeInstanceOf(TypeError);
    await expect(inquiry('/dev/null', { vpdPage: '0x80' as unknown as number })).rejects.toBeInstanceOf(TypeError);
  });

  test('vpdPage outside 0-255 and timeouts below 1 ms are RangeErrors', async () => {
    for (const vpdPage of [-1, 256, 1.5, Number.NaN]) {
      await expect(inquiry('/dev/nonexistent', { vpdPage })).rejects.toBeInstanceOf(RangeError);
    }
    for (const timeoutMs of [0, -5, 0.5]) {
      await expect(inquiry('/dev/nonexistent', { timeoutMs })).rejects.toBeInstanceOf(RangeError);
    }
  });
});

describe('ioctls on a node every machine has (/dev/null)', () => {
  test('INQUIRY is refused by the driver with a Node-shaped error', async () => {
    await expect(inquiry('/dev/null', { vpdPage: 0x80, timeoutMs: 1000 })).rejects.toMatchObject({
      name: 'RTSLibError',
      code: 'ENOTTY',
      errno: -25,
      syscall: 'ioctl',
      path: '/dev/null',
    });
    await expect(inquiry('/dev/nonexistent')).rejects.toMatchObject({ code: 'ENOENT', syscall: 'open', path: '/dev/nonexistent' });
  });

  test('device info leaves out what the node does not support; the in-use probe opens it', async () => {
    expect(await deviceInfo('/dev/null')).toEqual({});
    expect(await isInUse('/dev/null')).toBe(false);
    await expect(isInUse('/dev/nonexistent')).rejects.toMatchObject({ code: 'ENOENT', syscall: 'stat' });
  });
});
