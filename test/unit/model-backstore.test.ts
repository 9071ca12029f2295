/**
 * Backstore and PSCSI storage object: argument parsing and validation (no
 * configfs: the root points at a directory that does not exist, so any
 * attempted I/O would fail with ENOENT instead of the expected error).
 */
import { describe, expect, test } from 'vitest';
import {
  FileIOBackstore,
  IBlockBackstore,
  PSCSIBackstore,
  PSCSIStorageObject,
  RDMCPBackstore,
  RTSLibInvalidArgumentError,
  RTSRoot,
  UserBackstore,
  parsePSCSIDevice,
  parsePSCSIInfo,
} from '../../src/index.js';
import { hbaStorageObjectNames, validateBackstoreIndex } from '../../src/model/backstore.js';
import { pscsiControl, pscsiUdevPath } from '../../src/model/pscsi-storage-object.js';
import { Snapshot } from '../../src/cfs/snapshot.js';
import { parseHbaInfo } from '../../src/cfs/plugins.js';

const root = new RTSRoot({ configfs: '/nonexistent/rtslib-unit/target' });

describe('PSCSI dev parsing', () => {
  test('H:C:T:L and paths outside legacy mode', () => {
    expect(parsePSCSIDevice('2:0:1:3', false)).toEqual({ kind: 'address', host: 2, channel: 0, target: 1, lun: 3 });
    expect(parsePSCSIDevice('/dev/sg4', false)).toEqual({ kind: 'path', path: '/dev/sg4' });
    for (const bad of ['0:0:0', '1:2', 'a:b:c:d', '1:2:3:4:5', 'sda', 'dev/sda', '', '-1:0:0:0', '1:0:0:99999999999', '1:0:0:0 ']) {
      expect(() => parsePSCSIDevice(bad, false), bad).toThrow(RTSLibInvalidArgumentError);
    }
    for (const bad of [undefined, null, 3, {}]) expect(() => parsePSCSIDevice(bad, false)).toThrow(RTSLibInvalidArgumentError);
  });

  test('legacy mode also takes C:T:L', () => {
    expect(parsePSCSIDevice('0:1:2', true)).toEqual({ kind: 'address', host: null, channel: 0, target: 1, lun: 2 });
    expect(parsePSCSIDevice('3:0:1:2', true)).toEqual({ kind: 'address', host: 3, channel: 0, target: 1, lun: 2 });
    expect(() => parsePSCSIDevice('0:1', true)).toThrow(/C:T:L/);
  });

  test('control strings: legacy omits scsi_host_id', () => {
    const d = { host: 3, channel: 0, target: 1, lun: 2 };
    expect(pscsiControl(d, false)).toBe('scsi_host_id=3,scsi_channel_id=0,scsi_target_id=1,scsi_lun_id=2');
    expect(pscsiControl(d, true)).toBe('scsi_channel_id=0,scsi_target_id=1,scsi_lun_id=2');
  });

  test('udev_path: block node, else sg, else tape, else changer', () => {
    expect(pscsiUdevPath({ blockDevice: '/dev/sda', sgDevice: '/dev/sg0', tapeDevices: [], changerDevice: null })).toBe('/dev/sda');
    expect(pscsiUdevPath({ blockDevice: null, sgDevice: '/dev/sg1', tapeDevices: ['/dev/st0'], changerDevice: null })).toBe('/dev/sg1');
    expect(pscsiUdevPath({ blockDevice: null, sgDevice: null, tapeDevices: ['/dev/st0', '/dev/nst0'], changerDevice: null })).toBe('/dev/st0');
    expect(pscsiUdevPath({ blockDevice: null, sgDevice: null, tapeDevices: [], changerDevice: '/dev/sch0' })).toBe('/dev/sch0');
    expect(pscsiUdevPath({ blockDevice: null, sgDevice: null, tapeDevices: [], changerDevice: null })).toBeNull();
  });

  test('info parsing (kernel 6.1 text, normal and PHBA mode)', () => {
    const info =
      'Status: ACTIVATED  Max Queue Depth: 0  SectorSize: 512  HwMaxSectors: 4294967288\n' +
      '        SCSI Device Bus Location: Channel ID: 0 Target ID: 1 LUN: 2 Host ID: 5\n' +
      '        Vendor: Linux    Model: scsi_debug       Rev: 0191\n';
    expect(parsePSCSIInfo(info)).toEqual({ channel: 0, target: 1, lun: 2, host: 5, vendor: 'Linux', model: 'scsi_debug', rev: '0191' });
    const legacy = info.replace('Host ID: 5', 'Host ID: PHBA Mode').replace('Model: scsi_debug      ', 'Model: Two Words Disk  ');
    expect(parsePSCSIInfo(legacy)).toMatchObject({ host: 'PHBA Mode', model: 'Two Words Disk' });
    expect(parsePSCSIInfo('Status: DEACTIVATED')).toMatchObject({ host: null, vendor: null });
  });
});

describe('Backstore validation (nothing written)', () => {
  test('index must be a non-negative integer', () => {
    expect(validateBackstoreIndex(0)).toBe(0);
    expect(validateBackstoreIndex(2 ** 31 - 1)).toBe(2 ** 31 - 1);
    for (const bad of [-1, 1.5, NaN, Infinity, 2 ** 31, '3', null, undefined]) {
      expect(() => validateBackstoreIndex(bad), String(bad)).toThrow(RTSLibInvalidArgumentError);
    }
  });

  test('every open rejects a bad index or mode before any I/O', async () => {
    for (const open of [RDMCPBackstore.open, FileIOBackstore.open, IBlockBackstore.open, UserBackstore.open, PSCSIBackstore.open]) {
      await expect(open(root, -1)).rejects.toMatchObject({ code: 'ERR_RTSLIB_INVALID_ARGUMENT', argument: 'index' });
      await expect(open(root, 0.5)).rejects.toBeInstanceOf(RTSLibInvalidArgumentError);
      await expect(open(root, 1, { mode: 'sometimes' as never })).rejects.toMatchObject({ argument: 'mode' });
    }
    await expect(PSCSIBackstore.open(root, 1, { legacy: 'yes' as never })).rejects.toMatchObject({ argument: 'legacy' });
  });

  test('PSCSIStorageObject rejects a bad dev, name or mode before any I/O', async () => {
    await expect(PSCSIStorageObject.open(root, 'd', { dev: '0:0:0' })).rejects.toMatchObject({ argument: 'dev' });
    await expect(PSCSIStorageObject.open(root, 'd', { dev: 'sda' })).rejects.toMatchObject({ argument: 'dev' });
    await expect(PSCSIStorageObject.open(root, 'a/b', { dev: '0:0:0:0' })).rejects.toBeInstanceOf(RTSLibInvalidArgumentError);
    await expect(PSCSIStorageObject.open(root, 'd', { dev: '0:0:0:0', mode: 'nope' as never })).rejects.toMatchObject({ argument: 'mode' });
  });

  test('storage object names of an HBA snapshot exclude hba_info and hba_mode', () => {
    const snap = new Snapshot('/sys/kernel/config/target', 'core/rd_mcp_7', {
      paths: ['hba_info', 'hba_mode', 'ram1', 'ram2'],
      kinds: Uint8Array.from([1, 1, 0, 0]),
      modes: Uint16Array.from([0o444, 0o644, 0o755, 0o755]),
      errnos: Int32Array.from([0, 0, 0, 0]),
      offsets: Uint32Array.from([0, 0, 0, 0, 0]),
      data: Buffer.alloc(0),
      links: [null, null, null, null],
    });
    expect(hbaStorageObjectNames(snap, 'core/rd_mcp_7')).toEqual(['ram1', 'ram2']);
  });

  test('hba_info versions', () => {
    expect(parseHbaInfo('HBA Index: 5 plugin: pscsi version: v5.0').version).toBe('v5.0');
    expect(parseHbaInfo('HBA Index: 5 plugin: pscsi').version).toBeNull();
  });
});
