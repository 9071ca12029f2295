/**
 * PSCSI storage objects (`pscsi` plugin): a real SCSI device (disk, tape,
 * changer, or any sg-only device) passed through to initiators. The device's
 * own unit serial is passed through: no `wwn/vpd_unit_serial` is written.
 *
 * Two ways to address the device:
 * - rtslib-fb style ({@link PSCSIStorageObject.open}, an HBA of its own):
 *   `dev` is `H:C:T:L` or a device node (`/dev/sdX`, `/dev/sgN`, `/dev/stN`,
 *   `/dev/nstN`, `/dev/schN`, or a symlink to one). The control string names
 *   the host: `scsi_host_id=H,scsi_channel_id=C,scsi_target_id=T,scsi_lun_id=L`.
 * - through a {@link PSCSIBackstore} in legacy mode: the backstore index is the
 *   SCSI host number, `dev` is `C:T:L` (or a device node on that host) and the
 *   control string has no `scsi_host_id`.
 */
import { validateValue } from '../cfs/names.js';
import { infoField } from '../cfs/values.js';
import { RTSLibError, RTSLibInvalidArgumentError } from '../errors.js';
import { isInUse, listScsiDevices, resolveScsiDevice, type ScsiDevice } from '../scsi/discovery.js';
import type { Mode, RootHandle } from './cfs-node.js';
import { StorageObject, type CreationRecipe, type HbaPlacement, type MadeWith, type ShownStorageObject, type StorageObjectLocation } from './storage-object.js';

/** Options for {@link PSCSIStorageObject.open}. */
export interface PSCSIOptions {
  /** `H:C:T:L` (legacy backstore: `C:T:L`) or a SCSI device node path; required to create. */
  dev?: string;
  /** Default: `create` when `dev` is given, else `lookup`. */
  mode?: Mode;
}

/** Where a PSCSI object goes when opened through a Backstore (see {@link HbaPlacement}). */
export interface PSCSIPlacement extends HbaPlacement {
  /** Legacy (PHBA) mode: `hbaIndex` is the SCSI host number and no `scsi_host_id` is written. */
  legacy: boolean;
}

/** A parsed `dev` argument. */
export type PSCSIDeviceSpec = { kind: 'address'; host: number | null; channel: number; target: number; lun: number } | { kind: 'path'; path: string };

/** The message of the original rtslib for a device on another host than a legacy backstore's. */
export const NOT_IN_BACKSTORE = 'The specified SCSI device does not belong to the backstore';

/**
 * Parses `dev`: `H:C:T:L`, `C:T:L` (only when `legacy`), or an absolute path.
 * Throws {@link RTSLibInvalidArgumentError} otherwise.
 */
export function parsePSCSIDevice(dev: unknown, legacy: boolean): PSCSIDeviceSpec {
  const text = validateValue('dev', dev);
  if (text.startsWith('/')) return { kind: 'path', path: text };
  const parts = text.split(':');
  const numeric = parts.every((p) => /^\d{1,10}$/.test(p)) && parts.every((p) => Number(p) <= 0xffffffff);
  if (numeric && parts.length === 4) {
    const [h, c, t, l] = parts.map(Number) as [number, number, number, number];
    return { kind: 'address', host: h, channel: c, target: t, lun: l };
  }
  if (numeric && parts.length === 3 && legacy) {
    const [c, t, l] = parts.map(Number) as [number, number, number];
    return { kind: 'address', host: null, channel: c, target: t, lun: l };
  }
  const expected = legacy ? '"C:T:L", "H:C:T:L" or an absolute device path' : '"H:C:T:L" or an absolute device path';
  throw new RTSLibInvalidArgumentError('dev', `expected ${expected}, got ${JSON.stringify(text)}`);
}

/** The pscsi control string for a device (legacy: without `scsi_host_id`). */
export function pscsiControl(device: { host: number; channel: number; target: number; lun: number }, legacy: boolean): string {
  const ctl = `scsi_channel_id=${device.channel},scsi_target_id=${device.target},scsi_lun_id=${device.lun}`;
  return legacy ? ctl : `scsi_host_id=${device.host},${ctl}`;
}

/** The node written to `udev_path`: the block node, else the sg node, else a tape node, else the changer node. */
export function pscsiUdevPath(device: Pick<ScsiDevice, 'blockDevice' | 'sgDevice' | 'tapeDevices' | 'changerDevice'>): string | null {
  return device.blockDevice ?? device.sgDevice ?? device.tapeDevices[0] ?? device.changerDevice ?? null;
}

/** Parses the `SCSI Device Bus Location` and `Vendor/Model/Rev` parts of a pscsi `info` text. */
export function parsePSCSIInfo(info: string): {
  channel: number | null;
  target: number | null;
  lun: number | null;
  host: number | 'PHBA Mode' | null;
  vendor: string | null;
  model: string | null;
  rev: string | null;
} {
  const num = (key: string): number | null => {
    const v = infoField(info, key);
    return v !== undefined && /^\d+$/.test(v) ? Number(v) : null;
  };
  const hostText = /Host ID: (PHBA Mode|\d+)/.exec(info)?.[1];
  const inquiry = /Vendor: (.*?) Model: (.*?) Rev: ([^\n]*)/.exec(info);
  return {
    channel: num('Channel ID'),
    target: num('Target ID'),
    lun: num('LUN'),
    host: hostText === undefined ? null : hostText === 'PHBA Mode' ? 'PHBA Mode' : Number(hostText),
    vendor: inquiry ? (inquiry[1] as string).trim() : null,
    model: inquiry ? (inquiry[2] as string).trim() : null,
    rev: inquiry ? (inquiry[3] as string).trim() : null,
  };
}

/** How a pscsi object was made, from its `info` (`Host ID`, `Channel ID`, `Target ID`, `LUN`). @internal */
export function pscsiMadeWith(shown: ShownStorageObject): MadeWith {
  const at = parsePSCSIInfo(shown.info);
  const host = typeof at.host === 'number' ? at.host : 0;
  return { control: [pscsiControl({ host, channel: at.channel ?? 0, target: at.target ?? 0, lun: at.lun ?? 0 }, at.host === 'PHBA Mode')], dev: shown.udevPath };
}

/**
 * Finds the SCSI device `spec` names and checks it can be passed through:
 * it exists, (legacy) it is on host `legacyHost`, it has a device node, and
 * that node is not in use. Throws {@link RTSLibInvalidArgumentError} before
 * anything is written.
 */
export async function resolvePSCSIDevice(
  spec: PSCSIDeviceSpec,
  legacyHost: number | null,
  released: ReadonlySet<string> = new Set(),
): Promise<{ device: ScsiDevice; udevPath: string }> {
  let device: ScsiDevice;
  if (spec.kind === 'address') {
    const host = spec.host ?? legacyHost;
    if (legacyHost !== null && host !== legacyHost) {
      throw new RTSLibInvalidArgumentError('dev', `${NOT_IN_BACKSTORE} (${spec.host}:${spec.channel}:${spec.target}:${spec.lun} is not on SCSI host ${legacyHost})`);
    }
    const found = (await listScsiDevices()).find((d) => d.host === host && d.channel === spec.channel && d.target === spec.target && d.lun === spec.lun);
    if (!found) throw new RTSLibInvalidArgumentError('dev', `no SCSI device at ${host}:${spec.channel}:${spec.target}:${spec.lun}`);
    device = found;
  } else {
    try {
      device = await resolveScsiDevice(spec.path);
    } catch (error) {
      if (error instanceof RTSLibError && (error.code === 'ENOENT' || error.code === 'ENODEV' || error.code === 'ENOTDIR')) {
        throw new RTSLibInvalidArgumentError('dev', `${spec.path} is not a SCSI device node (${error.code})`);
      }
      throw error;
    }
    if (legacyHost !== null && device.host !== legacyHost) {
      throw new RTSLibInvalidArgumentError('dev', `${NOT_IN_BACKSTORE} (${spec.path} is ${device.hctl}, not on SCSI host ${legacyHost})`);
    }
  }
  const udevPath = pscsiUdevPath(device);
  if (udevPath === null) throw new RTSLibInvalidArgumentError('dev', `SCSI device ${device.hctl} has no device node`);
  if (!released.has(udevPath) && (await isInUse(udevPath))) throw new RTSLibInvalidArgumentError('dev', `SCSI device ${device.hctl} (${udevPath}) is in use`);
  return { device, udevPath };
}

/**
 * What creating a pscsi storage object on `dev` writes: the control string
 * for the resolved device and its udev_path. `legacyHost` is the SCSI host
 * of a legacy (PHBA) HBA, or null. The device must exist and not be in use
 * (unless in `released`: freed by the same plan first); nothing is written here.
 * @internal
 */
export async function pscsiRecipe(dev: unknown, legacyHost: number | null, released: ReadonlySet<string> = new Set()): Promise<CreationRecipe> {
  if (dev === undefined) throw new RTSLibInvalidArgumentError('dev', 'is required to create a pscsi storage object');
  const { device, udevPath } = await resolvePSCSIDevice(parsePSCSIDevice(dev, legacyHost !== null), legacyHost, released);
  // No wwn: pscsi has no generated unit serial (PLUGINS.pscsi.hasUnitSerial is false).
  return { control: [pscsiControl(device, legacyHost !== null)], udevPath };
}

/** A pscsi storage object. */
export class PSCSIStorageObject extends StorageObject {
  private constructor(root: RootHandle, location: StorageObjectLocation) {
    super(root, location);
  }

  /**
   * Builds the object of a storage object known to exist (from a snapshot), without I/O.
   * @internal
   */
  static existing(root: RootHandle, location: StorageObjectLocation): PSCSIStorageObject {
    return new PSCSIStorageObject(root, location);
  }

  protected override madeWith(shown: ShownStorageObject): MadeWith {
    return pscsiMadeWith(shown);
  }

  /**
   * Opens (looks up or creates) the pscsi storage object `name`, in an HBA of
   * its own (rtslib-fb style). A missing device or a device in use is an
   * {@link RTSLibInvalidArgumentError} and nothing is written.
   * @param placement internal: pins the object to a Backstore's HBA (use `PSCSIBackstore.storageObject`).
   * @example
   * const tape = await PSCSIStorageObject.open(root, 'tape0', { dev: '/dev/nst0' });
   * const disk = await PSCSIStorageObject.open(root, 'disk0', { dev: '2:0:0:0' });
   */
  static async open(root: RootHandle, name: string, options: PSCSIOptions = {}, placement?: PSCSIPlacement): Promise<PSCSIStorageObject> {
    const legacy = placement?.legacy ?? false;
    const mode = options.mode ?? (options.dev === undefined ? 'lookup' : 'create');
    if (options.dev !== undefined) parsePSCSIDevice(options.dev, legacy);
    const recipe = () => pscsiRecipe(options.dev, legacy ? placement!.hbaIndex : null);
    return StorageObject.openWith(root, 'pscsi', name, mode, (r, loc) => new PSCSIStorageObject(r, loc), recipe, placement);
  }

  /**
   * The device's `H:C:T:L` from the kernel's `info`; in legacy (PHBA) mode
   * the host is the HBA index. Null when the kernel does not show an address.
   */
  async hctl(): Promise<string | null> {
    const info = parsePSCSIInfo(await this.info());
    const host = info.host === 'PHBA Mode' ? this.hbaIndex : info.host;
    if (host === null || info.channel === null || info.target === null || info.lun === null) return null;
    return `${host}:${info.channel}:${info.target}:${info.lun}`;
  }

  /** Whether the kernel shows the object in legacy (PHBA) mode (`Host ID: PHBA Mode`). */
  async legacyMode(): Promise<boolean> {
    return parsePSCSIInfo(await this.info()).host === 'PHBA Mode';
  }

  /** The device's INQUIRY vendor as the kernel shows it, or null. */
  async vendor(): Promise<string | null> {
    return parsePSCSIInfo(await this.info()).vendor;
  }

  /** The device's INQUIRY model as the kernel shows it, or null. */
  async model(): Promise<string | null> {
    return parsePSCSIInfo(await this.info()).model;
  }

  /** The device's INQUIRY revision as the kernel shows it, or null. */
  async rev(): Promise<string | null> {
    return parsePSCSIInfo(await this.info()).rev;
  }
}
