/**
 * What `rtslib discover` prints: the SCSI hosts (number and driver) and the
 * SCSI devices (host, address, type, INQUIRY strings, device nodes, size),
 * as tables or as JSON. Pure.
 */
import type { ScsiDevice, ScsiHost } from '../scsi/discovery.js';
import { formatSize } from './size-format.js';
import { renderTable } from './text-table.js';

/** A SCSI device and the size of its block node, when it has one that could be read. */
export interface DiscoveredDevice extends ScsiDevice {
  /** Bytes (BLKGETSIZE64 of the block node); null without a block node or when it could not be opened. */
  sizeBytes: number | null;
}

/** Everything `rtslib discover` found. */
export interface Discovery {
  /** SCSI hosts, sorted by number. */
  hosts: ScsiHost[];
  /** SCSI devices, sorted by address. */
  devices: DiscoveredDevice[];
}

const NONE = '-';

/** `host<N>` with the driver's name, e.g. `host2 (scsi_debug)`. */
export function hostLabel(host: number, hosts: readonly ScsiHost[]): string {
  const driver = hosts.find((h) => h.host === host)?.procName;
  return driver ? `host${host} (${driver})` : `host${host}`;
}

/**
 * The lines of `rtslib discover`: a table of hosts, a blank line, a table of
 * devices (`-` where a value is unknown).
 */
export function deviceTable(discovery: Discovery): string[] {
  const hosts = discovery.hosts.length
    ? renderTable(
        ['HOST', 'DRIVER'],
        discovery.hosts.map((h) => [`host${h.host}`, h.procName ?? NONE]),
      )
    : ['no SCSI hosts'];
  const devices = discovery.devices.length
    ? renderTable(
        ['HOST', 'H:C:T:L', 'TYPE', 'VENDOR', 'MODEL', 'REV', 'BLOCK', 'SG', 'SIZE'],
        discovery.devices.map((d) => [
          hostLabel(d.host, discovery.hosts),
          d.hctl,
          d.typeName || NONE,
          d.vendor || NONE,
          d.model || NONE,
          d.rev || NONE,
          d.blockDevice ?? NONE,
          d.sgDevice ?? NONE,
          d.sizeBytes === null ? NONE : formatSize(d.sizeBytes),
        ]),
      )
    : ['no SCSI devices'];
  return [...hosts, '', ...devices];
}

/** `rtslib discover --json`: the discovery as pretty JSON. */
export function discoveryJson(discovery: Discovery): string {
  return JSON.stringify(discovery, null, 2);
}
