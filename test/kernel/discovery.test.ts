/**
 * SCSI discovery on the real kernel: scsi_debug provides disks, tapes and
 * medium changers (three hosts), tcm_loop a LIO LUN. What the library finds
 * (sysfs, INQUIRY, ioctls, the in-use probe) is compared field by field with
 * what the standard tools of the same guest report: `lsscsi -g`, `lsscsi -H`,
 * `sg_inq` (standard, -p 0x00, 0x80, 0x83) and `blockdev`.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { spawnSync } from 'node:child_process';
import { closeSync, constants, existsSync, openSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { unloadScsiDebug } from './helpers.js';
import {
  LUN,
  RDMCPStorageObject,
  RTSLibError,
  RTSRoot,
  TPG,
  Target,
  deviceInfo,
  inquiry,
  isInUse,
  listScsiDevices,
  listScsiHosts,
  resolveScsiDevice,
  type ScsiDesignator,
  type ScsiDevice,
} from '../../src/index.js';

const SCSI_DEBUG = '/sys/bus/pseudo/drivers/scsi_debug';

function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

// ---------------------------------------------------------------------------
// Parsers of the peers' text output.

interface LsscsiDevice {
  hctl: string;
  type: string;
  vendor: string;
  model: string;
  rev: string;
  node: string;
  sg: string;
}

/** `lsscsi -g`: fixed columns (hctl 13, type 8, vendor 8+1, model 16+1, rev 4+2), then the nodes. */
function lsscsiDevices(): LsscsiDevice[] {
  return run('lsscsi', ['-g'])
    .split('\n')
    .filter((l) => l.startsWith('['))
    .map((line) => {
      const hctl = line.slice(1, line.indexOf(']'));
      const [node = '', sg = ''] = line.slice(53).trim().split(/\s+/);
      return {
        hctl,
        type: line.slice(13, 21).trim(),
        vendor: line.slice(21, 29).trim(),
        model: line.slice(30, 46).trim(),
        rev: line.slice(47, 51).trim(),
        node,
        sg,
      };
    });
}

/** `lsscsi -H`: `[N]    proc_name`. */
function lsscsiHosts(): { host: number; procName: string }[] {
  return run('lsscsi', ['-H'])
    .split('\n')
    .flatMap((line) => {
      const m = /^\[(\d+)\]\s+(\S+)/.exec(line);
      return m ? [{ host: Number(m[1]), procName: m[2]! }] : [];
    });
}

/** lsscsi's short type names where they differ from ours. */
const LSSCSI_TYPE: Record<string, string> = { process: 'processor', enclosu: 'enclosure', 'no dev': 'no-device' };

function sgInq(args: string[]): string {
  return run('sg_inq', args);
}

function field(text: string, re: RegExp): string {
  const m = re.exec(text);
  if (!m) throw new Error(`${re} not found in:\n${text}`);
  return m[1]!;
}

interface SgDesignator {
  length: number;
  typeName: string;
  codeSetName: string;
  associationName: string;
  naaHex?: string;
  vendorId?: string;
  vendorSpecific?: string;
  number?: number;
  scsiName?: string;
}

const SG_TYPES: Record<string, string> = {
  NAA: 'naa',
  'T10 vendor identification': 't10',
  'EUI-64 based': 'eui64',
  'SCSI name string': 'scsi-name',
  'Relative target port': 'relative-target-port',
  'Target port group': 'target-port-group',
  'Logical unit group': 'logical-unit-group',
  'MD5 logical unit identifier': 'md5',
  'Protocol specific port identifier': 'protocol-port',
  'UUID identifier': 'uuid',
};
const SG_CODE_SETS: Record<string, string> = { Binary: 'binary', ASCII: 'ascii', 'UTF-8': 'utf8' };

/** `sg_inq -p 0x83`: one block per "Designation descriptor number N". */
function parseSgInq83(text: string): SgDesignator[] {
  return text
    .split(/\n\s*Designation descriptor number \d+, /)
    .slice(1)
    .map((block) => {
      const type = field(block, /designator_type: (.+?),\s+code_set:/);
      const d: SgDesignator = {
        length: Number(field(block, /^descriptor length: (\d+)/)),
        typeName: SG_TYPES[type] ?? (type.startsWith('vendor specific') ? 'vendor-specific' : `sg_inq:${type}`),
        codeSetName: SG_CODE_SETS[field(block, /code_set: (\S+)/)] ?? 'reserved',
        associationName: /associated with the Addressed logical unit/.test(block)
          ? 'lun'
          : /associated with the Target port/.test(block)
            ? 'target-port'
            : /associated with the Target device/.test(block)
              ? 'target-device'
              : 'reserved',
      };
      const naa = /\[0x([0-9a-f]+)\]/.exec(block);
      if (d.typeName === 'naa' && naa) d.naaHex = naa[1]!;
      if (d.typeName === 't10') {
        d.vendorId = field(block, /vendor id: (.*)/).trim();
        d.vendorSpecific = (/vendor specific: (.*)/.exec(block)?.[1] ?? '').trim();
      }
      const num = /(?:Relative target port|Target port group|Logical unit group): 0x([0-9a-f]+)/.exec(block);
      if (num) d.number = parseInt(num[1]!, 16);
      if (d.typeName === 'scsi-name') d.scsiName = field(block, /SCSI name string:\s*\n\s*(.+)/).trim();
      return d;
    });
}

/**
 * Checks our decoding of a device's pages against sg_inq's, on the same node.
 * `exactLength`: the device returns exactly the standard data's length (scsi_debug
 * does; other targets may pad up to the allocation length).
 */
async function compareInquiry(node: string, exactLength = true): Promise<void> {
  // Standard INQUIRY data.
  const std = await inquiry(node);
  const text = sgInq([node]);
  const s = std.standard!;
  expect(std.vpdPage).toBeNull();
  expect(std.problem).toBeNull();
  expect(s.peripheralQualifier).toBe(Number(field(text, /PQual=(\d+)/)));
  expect(s.peripheralDeviceType).toBe(Number(field(text, /PDT=(\d+)/)));
  expect(s.removable).toBe(field(text, /RMB=(\d)/) === '1');
  expect(s.version).toBe(parseInt(field(text, /version=0x([0-9a-f]+)/), 16));
  expect(s.normaca).toBe(field(text, /NormACA=(\d)/) === '1');
  expect(s.hisup).toBe(field(text, /HiSUP=(\d)/) === '1');
  expect(s.responseDataFormat).toBe(Number(field(text, /Resp_data_format=(\d+)/)));
  expect(s.sccs).toBe(field(text, /SCCS=(\d)/) === '1');
  expect(s.acc).toBe(field(text, /ACC=(\d)/) === '1');
  expect(s.tpgs).toBe(Number(field(text, /TPGS=(\d)/)));
  expect(s.threePc).toBe(field(text, /3PC=(\d)/) === '1');
  expect(s.protect).toBe(field(text, /Protect=(\d)/) === '1');
  expect(s.encserv).toBe(field(text, /EncServ=(\d)/) === '1');
  expect(s.multip).toBe(field(text, /MultiP=(\d)/) === '1');
  expect(s.cmdque).toBe(field(text, /CmdQue=(\d)/) === '1');
  expect(s.vendor).toBe(field(text, /Vendor identification: (.*)/).trim());
  expect(s.product).toBe(field(text, /Product identification: (.*)/).trim());
  expect(s.revision).toBe(field(text, /Product revision level: (.*)/).trim());
  expect(s.additionalLength + 5).toBe(Number(field(text, /length=(\d+) \(0x/)));
  if (exactLength) expect(std.raw.length).toBe(s.additionalLength + 5);
  else expect(std.raw.length).toBeGreaterThanOrEqual(s.additionalLength + 5);

  // VPD 0x00.
  const p0 = await inquiry(node, { vpdPage: 0x00 });
  const pages = [...sgInq(['-p', '0x00', node]).matchAll(/^\s+0x([0-9a-f]+)\s/gm)].map((m) => parseInt(m[1]!, 16));
  expect(p0.problem).toBeNull();
  expect(p0.supportedPages).toEqual(pages);
  expect(pages).toContain(0x80);

  // VPD 0x80.
  const p80 = await inquiry(node, { vpdPage: 0x80, timeoutMs: 10_000 });
  expect(p80.pageCode).toBe(0x80);
  expect(p80.unitSerial).toBe(field(sgInq(['-p', '0x80', node]), /Unit serial number: (.*)/).trim());

  // VPD 0x83.
  const p83 = await inquiry(node, { vpdPage: 0x83 });
  const theirs = parseSgInq83(sgInq(['-p', '0x83', node]));
  expect(p83.problem).toBeNull();
  expect(p83.truncated).toBe(false);
  const ours = p83.designators!;
  expect(ours.length).toBe(theirs.length);
  expect(theirs.length).toBeGreaterThan(0);
  ours.forEach((d: ScsiDesignator, i) => {
    const t = theirs[i]!;
    expect(4 + d.hex.length / 2).toBe(t.length);
    expect(d.typeName).toBe(t.typeName);
    expect(d.codeSetName).toBe(t.codeSetName);
    expect(d.associationName).toBe(t.associationName);
    if (t.naaHex !== undefined) expect(d.hex).toBe(t.naaHex);
    if (t.vendorId !== undefined) {
      expect(d.vendorId).toBe(t.vendorId);
      expect(d.vendorSpecific).toBe(t.vendorSpecific);
    }
    if (t.number !== undefined) {
      expect(d.relativeTargetPort ?? d.targetPortGroup ?? d.logicalUnitGroup).toBe(t.number);
    }
    if (t.scsiName !== undefined) expect(d.identifier).toBe(t.scsiName);
  });
}

// ---------------------------------------------------------------------------

/** The devices scsi_debug added, by host. */
let debugDevices: ScsiDevice[] = [];
let debugHosts: number[] = [];

beforeAll(async () => {
  for (const m of ['sd_mod', 'sg', 'st', 'ch']) run('modprobe', [m]);
  await unloadScsiDebug();
  const hostsBefore = new Set((await listScsiHosts()).map((h) => h.host));
  // Host 1: disks (2 targets x 2 LUNs), each with one partition.
  run('modprobe', ['scsi_debug', 'num_tgts=2', 'max_luns=2', 'add_host=1', 'num_parts=1', 'dev_size_mb=16']);
  const count = (type: number) => async () => {
    const hosts = new Set((await listScsiHosts()).filter((h) => h.procName === 'scsi_debug').map((h) => h.host));
    const found = (await listScsiDevices()).filter((d) => hosts.has(d.host) && d.type === type);
    const complete =
      found.length === 4 &&
      found.every(
        (d) =>
          (type === 0 ? d.blockDevice !== null : type === 1 ? d.tapeDevices.length > 0 : d.changerDevice !== null) &&
          d.sgDevice !== null &&
          [d.blockDevice, d.sgDevice, ...d.tapeDevices, d.changerDevice].every((n) => n === null || existsSync(n)),
      );
    return complete ? found : undefined;
  };
  await waitFor('4 scsi_debug disks', count(0));
  // Host 2: tapes; host 3: medium changers (the peripheral type is a global of
  // scsi_debug, read when a host's devices are scanned; set back to 0 after).
  writeFileSync(`${SCSI_DEBUG}/ptype`, '1');
  writeFileSync(`${SCSI_DEBUG}/add_host`, '1');
  await waitFor('4 scsi_debug tapes', count(1));
  writeFileSync(`${SCSI_DEBUG}/ptype`, '8');
  writeFileSync(`${SCSI_DEBUG}/add_host`, '1');
  await waitFor('4 scsi_debug changers', count(8));
  writeFileSync(`${SCSI_DEBUG}/ptype`, '0');
  debugHosts = (await listScsiHosts()).filter((h) => !hostsBefore.has(h.host) && h.procName === 'scsi_debug').map((h) => h.host);
  debugDevices = (await listScsiDevices()).filter((d) => debugHosts.includes(d.host));
  // Partitions are read by the kernel when the disk is added.
  await waitFor('partitions', () => debugDevices.every((d) => d.type !== 0 || existsSync(`${d.blockDevice}1`)) || undefined);
});

afterAll(async () => {
  await unloadScsiDebug();
});

describe('SCSI discovery on the real kernel (scsi_debug)', () => {
  test('three scsi_debug hosts with 4 disks, 4 tapes and 4 changers', () => {
    expect(debugHosts.length).toBe(3);
    expect(debugDevices.filter((d) => d.typeName === 'disk').length).toBe(4);
    expect(debugDevices.filter((d) => d.typeName === 'tape').length).toBe(4);
    expect(debugDevices.filter((d) => d.typeName === 'mediumx').length).toBe(4);
    for (const d of debugDevices) {
      expect(d).toMatchObject({ vendor: 'Linux', model: 'scsi_debug', state: 'running' });
      expect(d.queueDepth).toBeGreaterThan(0);
    }
    const tape = debugDevices.find((d) => d.typeName === 'tape')!;
    expect(tape.tapeDevices).toHaveLength(8);
    expect(tape.tapeDevices[0]).toMatch(/^\/dev\/st\d+$/);
    expect(tape.tapeDevices[4]).toMatch(/^\/dev\/nst\d+$/);
  });

  test('hosts match lsscsi -H, attributes match sysfs', async () => {
    const ours = await listScsiHosts();
    expect(ours.map((h) => ({ host: h.host, procName: h.procName }))).toEqual(lsscsiHosts());
    for (const h of ours.filter((x) => debugHosts.includes(x.host))) {
      const dir = `/sys/class/scsi_host/host${h.host}`;
      for (const name of ['proc_name', 'can_queue', 'cmd_per_lun', 'sg_tablesize', 'unique_id', 'state']) {
        expect(h.attributes[name], name).toBe(readFileSync(`${dir}/${name}`, 'utf8').trim());
      }
      expect(h.attributes).not.toHaveProperty('scan'); // write-only
      expect(h.attributes).not.toHaveProperty('host_reset');
    }
  });

  test('devices match lsscsi -g field by field', async () => {
    const ours = await listScsiDevices();
    const theirs = lsscsiDevices();
    expect(ours.map((d) => d.hctl)).toEqual(theirs.map((d) => d.hctl));
    ours.forEach((d, i) => {
      const t = theirs[i]!;
      const primary = d.blockDevice ?? d.tapeDevices[0] ?? d.changerDevice ?? '-';
      expect({ hctl: d.hctl, type: d.typeName, vendor: d.vendor, model: d.model, rev: d.rev, node: primary, sg: d.sgDevice ?? '-' }).toEqual({
        ...t,
        type: LSSCSI_TYPE[t.type] ?? t.type,
      });
      expect(`${d.host}:${d.channel}:${d.target}:${d.lun}`).toBe(d.hctl);
    });
  });

  test('every node resolves back to its H:C:T:L, symlinks and partitions too', async () => {
    for (const d of debugDevices) {
      const nodes = [d.blockDevice, d.sgDevice, ...d.tapeDevices, d.changerDevice].filter((n): n is string => n !== null);
      expect(nodes.length).toBeGreaterThan(1);
      for (const node of nodes) {
        const r = await resolveScsiDevice(node);
        expect(r.hctl, node).toBe(d.hctl);
        expect(r).toEqual(d);
      }
      if (d.blockDevice) expect((await resolveScsiDevice(`${d.blockDevice}1`)).hctl).toBe(d.hctl);
    }
    const disk = debugDevices.find((d) => d.blockDevice !== null)!;
    const link = '/tmp/rtslib-by-id-link';
    rmSync(link, { force: true });
    symlinkSync(disk.blockDevice!, link);
    expect((await resolveScsiDevice(link)).hctl).toBe(disk.hctl);
    rmSync(link);
    await expect(resolveScsiDevice('/dev/null')).rejects.toMatchObject({ code: 'ENODEV', errno: -19, syscall: 'stat', path: '/dev/null' });
    await expect(resolveScsiDevice('/dev/sdzz')).rejects.toMatchObject({ code: 'ENOENT', errno: -2, syscall: 'stat', path: '/dev/sdzz' });
    await expect(resolveScsiDevice('/dev/sdzz')).rejects.toBeInstanceOf(RTSLibError);
  });

  test('INQUIRY (standard, 0x00, 0x80, 0x83) matches sg_inq on disk, sg, tape and changer nodes', async () => {
    const tape = debugDevices.find((d) => d.typeName === 'tape')!;
    const changer = debugDevices.find((d) => d.typeName === 'mediumx')!;
    const disk0 = debugDevices.find((d) => d.blockDevice !== null)!;
    // Every disk through its block node; one device of each type through its sg node,
    // the tape through its non-rewinding node and the changer through its own.
    const nodes = [
      ...debugDevices.filter((d) => d.blockDevice !== null).map((d) => d.blockDevice!),
      disk0.sgDevice!,
      tape.sgDevice!,
      changer.sgDevice!,
      tape.tapeDevices.find((n) => n.startsWith('/dev/nst'))!,
      changer.changerDevice!,
    ];
    for (const node of nodes) await compareInquiry(node);
    // Serial numbers differ per device, and the disk and its sg node agree.
    const disk = debugDevices.find((d) => d.blockDevice !== null)!;
    const viaBlock = await inquiry(disk.blockDevice!, { vpdPage: 0x83 });
    const viaSg = await inquiry(disk.sgDevice!, { vpdPage: 0x83 });
    expect(viaBlock.raw.equals(viaSg.raw)).toBe(true);
    const serials = new Set(await Promise.all(debugDevices.map(async (d) => (await inquiry(d.sgDevice!, { vpdPage: 0x80 })).unitSerial)));
    expect(serials.size).toBe(debugDevices.length);
  }, 400_000);

  test('an unsupported VPD page is a SCSI command failure with the sense in the message', async () => {
    const disk = debugDevices.find((d) => d.blockDevice !== null)!;
    const supported = (await inquiry(disk.sgDevice!, { vpdPage: 0 })).supportedPages!;
    const page = [0xc7, 0xd3, 0xfe].find((p) => !supported.includes(p))!;
    const error = await inquiry(disk.sgDevice!, { vpdPage: page }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RTSLibError);
    expect(error).toMatchObject({ name: 'RTSLibScsiCommandError', code: 'EIO', syscall: 'ioctl', path: disk.sgDevice, scsiStatus: 2, senseKey: 5 });
    expect(String((error as Error).message)).toMatch(/CHECK CONDITION.*ILLEGAL REQUEST/);
  });

  test('sizes and addresses match blockdev and the H:C:T:L', async () => {
    for (const d of debugDevices) {
      if (d.blockDevice) {
        const info = await deviceInfo(d.blockDevice);
        expect(info.sizeBytes).toBe(Number(run('blockdev', ['--getsize64', d.blockDevice]).trim()));
        expect(info.logicalBlockSize).toBe(Number(run('blockdev', ['--getss', d.blockDevice]).trim()));
        expect(info.physicalBlockSize).toBe(Number(run('blockdev', ['--getpbsz', d.blockDevice]).trim()));
        expect(info.sizeBytes).toBe(16 * 1024 * 1024);
        expect(info.idlun).toEqual({ host: d.host & 0xff, channel: d.channel & 0xff, target: d.target & 0xff, lun: d.lun & 0xff });
      }
      const sg = await deviceInfo(d.sgDevice!);
      expect(sg.idlun).toEqual({ host: d.host, channel: d.channel, target: d.target, lun: d.lun });
      expect(sg.sizeBytes).toBeUndefined();
      for (const node of [d.tapeDevices.find((n) => n.startsWith('/dev/nst')), d.changerDevice]) {
        if (node) expect((await deviceInfo(node)).idlun, node).toEqual({ host: d.host, channel: d.channel, target: d.target, lun: d.lun });
      }
    }
  }, 300_000);

  test('the in-use probe sees exclusive opens (block), any open (sg) and open tapes', async () => {
    const disk = debugDevices.find((d) => d.blockDevice !== null)!;
    const blk = disk.blockDevice!;
    expect(await isInUse(blk)).toBe(false);
    let fd = openSync(blk, constants.O_RDONLY | constants.O_EXCL);
    try {
      expect(await isInUse(blk)).toBe(true);
    } finally {
      closeSync(fd);
    }
    expect(await isInUse(blk)).toBe(false);
    // A plain (non-exclusive) open does not make a block device busy.
    fd = openSync(blk, constants.O_RDONLY);
    try {
      expect(await isInUse(blk)).toBe(false);
    } finally {
      closeSync(fd);
    }
    // Held by another process, exclusively.
    const child = spawnSync(
      'node',
      [
        '-e',
        `
      const fs = require('node:fs'); const { execFileSync } = require('node:child_process');
      const fd = fs.openSync(${JSON.stringify(blk)}, fs.constants.O_RDONLY | fs.constants.O_EXCL);
      try { fs.openSync(${JSON.stringify(blk)}, fs.constants.O_RDONLY | fs.constants.O_EXCL); console.log('second-open-succeeded'); }
      catch (e) { console.log(e.code); }
      fs.closeSync(fd);`,
      ],
      { encoding: 'utf8' },
    );
    expect(child.stdout.trim()).toBe('EBUSY');

    const sg = disk.sgDevice!;
    expect(await isInUse(sg)).toBe(false);
    fd = openSync(sg, constants.O_RDWR | constants.O_NONBLOCK);
    try {
      expect(await isInUse(sg)).toBe(true);
    } finally {
      closeSync(fd);
    }
    expect(await isInUse(sg)).toBe(false);

    const tape = debugDevices.find((d) => d.typeName === 'tape')!.tapeDevices.find((n) => n.startsWith('/dev/nst'))!;
    expect(await isInUse(tape)).toBe(false);
    fd = openSync(tape, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      expect(await isInUse(tape)).toBe(true);
    } finally {
      closeSync(fd);
    }
    expect(await isInUse(tape)).toBe(false);
  });
});

describe('a LIO loopback LUN discovered as a SCSI device', () => {
  test('tcm_loop LUN: found, resolved, and its VPD 0x80 serial is the storage object vpd_unit_serial', async () => {
    const root = new RTSRoot();
    const before = new Set((await listScsiDevices()).map((d) => d.hctl));
    const so = await RDMCPStorageObject.open(root, 'scsi_disc_ram', { size: '16M' });
    const target = await Target.open(root, 'loopback');
    try {
      const tpg = await TPG.open(target, { tag: 1, nexus: true });
      await LUN.open(tpg, { storageObject: so });
      const serial = await so.wwn();
      const device = await waitFor('the loopback LUN as a SCSI disk', async () =>
        (await listScsiDevices()).find((d) => !before.has(d.hctl) && d.vendor === 'LIO-ORG' && d.blockDevice !== null && existsSync(d.blockDevice)),
      );
      const host = (await listScsiHosts()).find((h) => h.host === device.host);
      expect(host?.procName).toBe('tcm_loopback');
      expect(device).toMatchObject({ typeName: 'disk', type: 0, state: 'running' });
      expect((await resolveScsiDevice(device.blockDevice!)).hctl).toBe(device.hctl);

      const p80 = await inquiry(device.blockDevice!, { vpdPage: 0x80 });
      expect(p80.unitSerial).toBe(serial);
      const p83 = await inquiry(device.sgDevice ?? device.blockDevice!, { vpdPage: 0x83 });
      const t10 = p83.designators!.find((d) => d.typeName === 't10')!;
      expect(t10.vendorId).toBe('LIO-ORG');
      expect(t10.vendorSpecific).toMatch(new RegExp(`:${serial}$`));
      expect(p83.designators!.some((d) => d.typeName === 'naa' && d.naa === 6 && d.associationName === 'lun')).toBe(true);
      await compareInquiry(device.blockDevice!, false);
      const info = await deviceInfo(device.blockDevice!);
      expect(info.sizeBytes).toBe(16 * 1024 * 1024);
      expect(info.sizeBytes).toBe(Number(run('blockdev', ['--getsize64', device.blockDevice!]).trim()));
    } finally {
      await target.delete();
      await so.delete();
    }
    await waitFor('the loopback LUN to go', async () => (await listScsiDevices()).every((d) => before.has(d.hctl)) || undefined);
  }, 300_000);
});
