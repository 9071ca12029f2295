/**
 * Hardware fabrics' port WWNs from sysfs, on a fake sysfs tree laid out as
 * the kernel lays it out (class directories linking into the device tree).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hardwareWwns } from '../../src/model/hardware-wwns.js';

let sys = '';

/** An FC host `hostN` under a PCI device driven by `driver` (or in subsystem `subsystem`), with its port name. */
function fcHost(n: number, portName: string, link: { driver?: string; subsystem?: string }): void {
  const device = join(sys, 'devices', `pci0000:00/0000:00:0${n}.0`);
  const host = join(device, `host${n}`, 'fc_host', `host${n}`);
  mkdirSync(host, { recursive: true });
  writeFileSync(join(host, 'port_name'), `${portName}\n`);
  if (link.driver) {
    mkdirSync(join(sys, 'bus', 'pci', 'drivers', link.driver), { recursive: true });
    symlinkSync(join(sys, 'bus', 'pci', 'drivers', link.driver), join(device, 'driver'));
  }
  if (link.subsystem) {
    mkdirSync(join(sys, 'bus', link.subsystem), { recursive: true });
    symlinkSync(join(sys, 'bus', link.subsystem), join(device, 'subsystem'));
  }
  mkdirSync(join(sys, 'class', 'fc_host'), { recursive: true });
  symlinkSync(host, join(sys, 'class', 'fc_host', `host${n}`));
}

beforeAll(() => {
  sys = mkdtempSync(join(tmpdir(), 'rtslib-sysfs-'));
  fcHost(1, '0x21000024FF314C48', { driver: 'qla2xxx' });
  fcHost(2, '0x21000024ff314c49', { driver: 'lpfc' });
  fcHost(3, '0x2000001b21aabbcc', { subsystem: 'fcoe' });
  fcHost(4, '0x10000090fa000001', { driver: 'efct' });
  mkdirSync(join(sys, 'class', 'infiniband', 'mlx5_0', 'ports', '1', 'gids'), { recursive: true });
  writeFileSync(join(sys, 'class', 'infiniband', 'mlx5_0', 'ports', '1', 'gids', '0'), 'fe80:0000:0000:0000:0002:c903:000e:8ACD\n');
  for (const [fw, local, guid] of [
    ['fw0', '0', '0x0011223344556677'],
    ['fw1', '1', '0x00112233445566AA'],
  ]) {
    mkdirSync(join(sys, 'bus', 'firewire', 'devices', fw!), { recursive: true });
    writeFileSync(join(sys, 'bus', 'firewire', 'devices', fw!, 'is_local'), `${local}\n`);
    writeFileSync(join(sys, 'bus', 'firewire', 'devices', fw!, 'guid'), `${guid}\n`);
  }
});

afterAll(() => rmSync(sys, { recursive: true, force: true }));

describe('hardware WWNs, as rtslib-fb reads them', () => {
  test('FC ports by their driver or subsystem, InfiniBand GIDs, the local FireWire GUID', async () => {
    expect(await hardwareWwns({ from: 'fc_host', driver: 'qla2xxx' }, sys)).toEqual(['naa.21000024ff314c48']);
    expect(await hardwareWwns({ from: 'fc_host', driver: 'efct' }, sys)).toEqual(['naa.10000090fa000001']);
    expect(await hardwareWwns({ from: 'fc_host', subsystem: 'fcoe' }, sys)).toEqual(['naa.2000001b21aabbcc']);
    expect(await hardwareWwns({ from: 'infiniband' }, sys)).toEqual(['ib.fe800000000000000002c903000e8acd']);
    expect(await hardwareWwns({ from: 'firewire' }, sys)).toEqual(['eui.00112233445566aa']);
  });

  test('a host without such ports has none', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'rtslib-sysfs-'));
    try {
      for (const source of [{ from: 'fc_host', driver: 'qla2xxx' }, { from: 'infiniband' }, { from: 'firewire' }, { from: 'ibmvscsis' }] as const) {
        expect(await hardwareWwns(source, empty)).toEqual([]);
      }
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
