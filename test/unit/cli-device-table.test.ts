/**
 * `rtslib discover` rendering: the host and device tables and the JSON form.
 */
import { describe, expect, test } from 'vitest';
import { deviceTable, discoveryJson, hostLabel, type DiscoveredDevice, type Discovery } from '../../src/cli/device-table.js';
import { renderTable } from '../../src/cli/text-table.js';
import type { ScsiHost } from '../../src/scsi/discovery.js';

const hosts: ScsiHost[] = [
  { host: 0, procName: 'scsi_debug', attributes: { can_queue: '255' } },
  { host: 3, procName: null, attributes: {} },
];

function device(fields: Partial<DiscoveredDevice> & Pick<DiscoveredDevice, 'host' | 'hctl'>): DiscoveredDevice {
  return {
    channel: 0,
    target: 0,
    lun: 0,
    type: 0,
    typeName: 'disk',
    vendor: '',
    model: '',
    rev: '',
    state: 'running',
    queueDepth: null,
    blockDevice: null,
    sgDevice: null,
    tapeDevices: [],
    changerDevice: null,
    nodes: [],
    sizeBytes: null,
    ...fields,
  };
}

const discovery: Discovery = {
  hosts,
  devices: [
    device({ host: 0, hctl: '0:0:0:0', vendor: 'Linux', model: 'scsi_debug', rev: '0191', blockDevice: '/dev/sda', sgDevice: '/dev/sg0', sizeBytes: 8 * 1024 ** 2 }),
    device({ host: 3, hctl: '3:0:1:2', type: 1, typeName: 'tape', vendor: 'IBM', model: 'ULT3580-TD5', rev: 'B170', sgDevice: '/dev/sg1' }),
  ],
};

describe('deviceTable', () => {
  test('hosts, a blank line, then devices with aligned columns and - for unknowns', () => {
    expect(deviceTable(discovery)).toEqual([
      'HOST   DRIVER',
      'host0  scsi_debug',
      'host3  -',
      '',
      'HOST                H:C:T:L  TYPE  VENDOR  MODEL        REV   BLOCK     SG        SIZE',
      'host0 (scsi_debug)  0:0:0:0  disk  Linux   scsi_debug   0191  /dev/sda  /dev/sg0  8.0MiB',
      'host3               3:0:1:2  tape  IBM     ULT3580-TD5  B170  -         /dev/sg1  -',
    ]);
  });

  test('a machine without SCSI says so', () => {
    expect(deviceTable({ hosts: [], devices: [] })).toEqual(['no SCSI hosts', '', 'no SCSI devices']);
  });

  test('host labels name the driver when known', () => {
    expect(hostLabel(0, hosts)).toBe('host0 (scsi_debug)');
    expect(hostLabel(3, hosts)).toBe('host3');
    expect(hostLabel(9, hosts)).toBe('host9');
  });

  test('JSON keeps every field, with sizes', () => {
    const parsed = JSON.parse(discoveryJson(discovery)) as Discovery;
    expect(parsed).toEqual(discovery);
    expect(parsed.devices[0]?.sizeBytes).toBe(8388608);
  });
});

describe('renderTable', () => {
  test('pads columns to the widest cell and trims trailing blanks', () => {
    expect(
      renderTable(
        ['A', 'BB'],
        [
          ['xxx', ''],
          ['y', 'z'],
        ],
      ),
    ).toEqual(['A    BB', 'xxx', 'y    z']);
  });
});
