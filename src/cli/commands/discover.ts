/**
 * `rtslib discover [--json]`: the SCSI hosts and devices of this machine
 * (candidates for pscsi and block storage objects).
 */
import type { Command } from 'commander';
import type { ScsiDevice } from '../../scsi/discovery.js';
import { writeLines, type CliIO } from '../cli-io.js';
import { deviceTable, discoveryJson, type DiscoveredDevice, type Discovery } from '../device-table.js';

/** Options of `rtslib discover`. */
export interface DiscoverOptions {
  /** Print JSON instead of tables. */
  json?: boolean;
}

/** The size of a device's block node; null without one or when it cannot be opened (e.g. not root, no medium). */
async function withSize(device: ScsiDevice): Promise<DiscoveredDevice> {
  if (!device.blockDevice) return { ...device, sizeBytes: null };
  const { deviceInfo } = await import('../../scsi/discovery.js');
  try {
    return { ...device, sizeBytes: (await deviceInfo(device.blockDevice)).sizeBytes ?? null };
  } catch {
    return { ...device, sizeBytes: null };
  }
}

/** Lists SCSI hosts and devices, with the sizes of block devices. */
export async function discover(): Promise<Discovery> {
  // the native addon is loaded when discovery runs, not when the command starts
  const { listScsiDevices, listScsiHosts } = await import('../../scsi/discovery.js');
  const [hosts, devices] = await Promise.all([listScsiHosts(), listScsiDevices()]);
  return { hosts, devices: await Promise.all(devices.map(withSize)) };
}

/** Adds `discover` to the program. */
export function registerDiscoverCommand(program: Command, io: CliIO): void {
  program
    .command('discover')
    .description('list the SCSI hosts and devices of this machine')
    .option('--json', 'print JSON instead of tables')
    .action(async (options: DiscoverOptions) => {
      const discovery = await discover();
      if (options.json) io.stdout.write(`${discoveryJson(discovery)}\n`);
      else writeLines(io.stdout, deviceTable(discovery));
    });
}
