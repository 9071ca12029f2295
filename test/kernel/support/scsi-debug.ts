/**
 * scsi_debug for the pscsi tests: two SCSI hosts with one target of two
 * 8 MiB disks each, loaded fresh, and waited for until every disk has its
 * block and sg nodes.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { listScsiDevices, listScsiHosts, type ScsiDevice } from '../../../src/index.js';
import { rtslibFb, unloadScsiDebug } from '../helpers.js';

/** scsi_debug's driver directory (its `add_host`, `ptype`, ...). */
export const SCSI_DEBUG = '/sys/bus/pseudo/drivers/scsi_debug';

/** Runs a command, throwing with its stderr when it fails; returns its stdout. */
export function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

/** The two hosts scsi_debug made and their four disks. */
export interface ScsiDebugDisks {
  hostA: number;
  hostB: number;
  devices: ScsiDevice[];
}

/** Loads the pscsi modules and scsi_debug (unloaded first) and waits for its two hosts' disks. */
export async function loadScsiDebugDisks(): Promise<ScsiDebugDisks> {
  for (const m of ['sd_mod', 'sg', 'st', 'target_core_pscsi']) run('modprobe', [m]);
  await unloadScsiDebug();
  const before = new Set((await listScsiHosts()).map((h) => h.host));
  run('modprobe', ['scsi_debug', 'add_host=2', 'num_tgts=1', 'max_luns=2', 'dev_size_mb=8']);
  for (let i = 0; ; i++) {
    const hosts = (await listScsiHosts()).filter((h) => h.procName === 'scsi_debug' && !before.has(h.host)).map((h) => h.host);
    const devices = (await listScsiDevices()).filter((d) => hosts.includes(d.host));
    if (hosts.length === 2 && devices.length === 4 && devices.every((d) => d.blockDevice && d.sgDevice && existsSync(d.blockDevice) && existsSync(d.sgDevice))) {
      const [hostA, hostB] = hosts as [number, number];
      return { hostA, hostB, devices };
    }
    if (i > 300) throw new Error('scsi_debug devices did not appear');
    await sleep(200);
  }
}

/** A storage object as rtslib-fb lists it. */
export interface FbObject {
  plugin: string;
  name: string;
  udev_path: string | null;
  path: string;
}

/** The storage objects rtslib-fb sees. */
export const fbObjects = (): FbObject[] =>
  rtslibFb<FbObject[]>(`
out = []
for so in rtslib.RTSRoot().storage_objects:
    out.append({'plugin': so.plugin, 'name': so.name, 'udev_path': so.udev_path, 'path': so.path})
print(json.dumps(out))`);
