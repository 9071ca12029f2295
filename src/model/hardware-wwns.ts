/**
 * The WWNs of a hardware fabric's ports, read from sysfs as rtslib-fb reads
 * them (`FabricModule.wwns`): a target of such a fabric must be one of them.
 */
import { readFile, readdir, realpath } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { HardwareWwnSource } from '../cfs/fabrics.js';

/** The entries of a directory (none when it cannot be read). */
async function entries(dir: string): Promise<string[]> {
  return (await readdir(dir).catch(() => [] as string[])).sort();
}

/** A sysfs file's text, trimmed; undefined when it cannot be read. */
async function text(path: string): Promise<string | undefined> {
  return (await readFile(path, 'utf8').catch(() => undefined))?.trim();
}

/** The name of what a sysfs link (`driver`, `subsystem`) points at; undefined when there is none. */
async function linkName(path: string): Promise<string | undefined> {
  return basename(await realpath(path).catch(() => ''));
}

/** Hex without its `0x`, lower case. */
const bareHex = (value: string): string => value.replace(/^0x/i, '').toLowerCase();

/**
 * The port WWNs a hardware fabric has on this host, in the fabric's
 * normalised form (`naa.…`, `ib.…`, `eui.…`); `sysfs` is `/sys` except in
 * tests. An empty list when the host has no such port.
 * @internal
 */
export async function hardwareWwns(source: HardwareWwnSource, sysfs = '/sys'): Promise<string[]> {
  const out: string[] = [];
  switch (source.from) {
    case 'fc_host': {
      const hosts = join(sysfs, 'class', 'fc_host');
      for (const host of await entries(hosts)) {
        const portName = await text(join(hosts, host, 'port_name'));
        if (portName === undefined) continue;
        // the host's device is three levels up from its fc_host class directory
        const device = dirname(dirname(dirname(await realpath(join(hosts, host)).catch(() => join(hosts, host)))));
        const owner = 'driver' in source ? await linkName(join(device, 'driver')) : await linkName(join(device, 'subsystem'));
        if (owner === ('driver' in source ? source.driver : source.subsystem)) out.push(`naa.${bareHex(portName)}`);
      }
      break;
    }
    case 'infiniband': {
      const ib = join(sysfs, 'class', 'infiniband');
      for (const hca of await entries(ib)) {
        for (const port of await entries(join(ib, hca, 'ports'))) {
          const gid = await text(join(ib, hca, 'ports', port, 'gids', '0'));
          if (gid !== undefined) out.push(`ib.${gid.replace(/:/g, '').toLowerCase()}`);
        }
      }
      break;
    }
    case 'firewire': {
      // the local node's GUID only (rtslib-fb: "1st local guid, so our share is named uniquely")
      const devices = join(sysfs, 'bus', 'firewire', 'devices');
      for (const fw of (await entries(devices)).filter((n) => n.startsWith('fw'))) {
        if ((await text(join(devices, fw, 'is_local'))) !== '1') continue;
        const guid = await text(join(devices, fw, 'guid'));
        if (guid !== undefined) out.push(`eui.${bareHex(guid)}`);
        break;
      }
      break;
    }
    case 'ibmvscsis': {
      const drivers = join(sysfs, 'module', 'ibmvscsis', 'drivers', 'vio:ibmvscsis');
      for (const adapter of await entries(drivers)) {
        const spec = await text(join(drivers, adapter, 'devspec'));
        if (spec !== undefined) out.push(spec.slice(spec.indexOf('@') + 1));
      }
      break;
    }
  }
  return out;
}
