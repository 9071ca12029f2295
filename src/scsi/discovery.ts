/**
 * SCSI discovery: the SCSI hosts and devices of this machine (sysfs), their
 * device nodes, INQUIRY data (standard, VPD 0x00 / 0x80 / 0x83), address and
 * sizes (ioctls), and whether a node is in use. Every call is one native
 * crossing that runs off the event loop.
 *
 * Kernel failures reject with an {@link RTSLibError} carrying the errno,
 * syscall and device path ({@link RTSLibError.code} is the errno name, e.g.
 * `ENOENT`); a SCSI command that failed on the device rejects with an
 * {@link RTSLibScsiCommandError} carrying its status and sense. Invalid
 * arguments reject with a TypeError or RangeError before any system call.
 */
import { native } from '../native/index.js';
import type {
  NativeDesignator,
  NativeInquiry,
  NativeInquiryOptions,
  NativeScsiDevice,
  NativeScsiDeviceInfo,
  NativeScsiHost,
  NativeScsiNode,
  NativeStandardInquiry,
  NativeSysfsOptions,
} from '../native/scsi-types.js';
import { RTSLibError, operationCause, type OperationCause } from '../errors.js';

export type ScsiHost = NativeScsiHost;
export type ScsiDevice = NativeScsiDevice;
export type ScsiNode = NativeScsiNode;
export type ScsiInquiry = NativeInquiry;
export type ScsiStandardInquiry = NativeStandardInquiry;
export type ScsiDesignator = NativeDesignator;
export type ScsiDeviceInfo = NativeScsiDeviceInfo;
export type ScsiDiscoveryOptions = NativeSysfsOptions;
export type ScsiInquiryOptions = NativeInquiryOptions;

/** A SCSI command reached the device and completed with a failure status. */
export class RTSLibScsiCommandError extends RTSLibError {
  /** SCSI status byte (0x02 CHECK CONDITION, 0x08 BUSY, ...). */
  readonly scsiStatus: number;
  /** Host (transport) status, DID_*. */
  readonly hostStatus: number;
  /** Driver status, DRIVER_*. */
  readonly driverStatus: number;
  /** Sense key, additional sense code and qualifier, when the device returned sense data. */
  readonly senseKey?: number;
  readonly asc?: number;
  readonly ascq?: number;

  constructor(
    message: string,
    operation: OperationCause,
    status: { scsiStatus: number; hostStatus: number; driverStatus: number; senseKey?: number; asc?: number; ascq?: number },
    cause?: unknown,
  ) {
    super(message, { operation, cause });
    this.scsiStatus = status.scsiStatus;
    this.hostStatus = status.hostStatus;
    this.driverStatus = status.driverStatus;
    if (status.senseKey !== undefined) this.senseKey = status.senseKey;
    if (status.asc !== undefined) this.asc = status.asc;
    if (status.ascq !== undefined) this.ascq = status.ascq;
  }
}

interface NativeSystemError extends Error {
  errno: number;
  syscall: string;
  path: string;
  scsiStatus?: number;
  hostStatus?: number;
  driverStatus?: number;
  senseKey?: number;
  asc?: number;
  ascq?: number;
}

function isNativeSystemError(error: unknown): error is NativeSystemError {
  if (!(error instanceof Error)) return false;
  const e = error as Partial<NativeSystemError>;
  return typeof e.errno === 'number' && typeof e.syscall === 'string' && typeof e.path === 'string';
}

/** Native system errors become RTSLibErrors; argument errors (TypeError, RangeError) pass through. */
function convert(error: unknown, what: string): unknown {
  if (!isNativeSystemError(error)) return error;
  const operation = operationCause(error.errno, error.syscall, error.path);
  const message = `${what}: ${operation.code}: ${error.message}`;
  if (typeof error.scsiStatus === 'number') {
    const status = {
      scsiStatus: error.scsiStatus,
      hostStatus: error.hostStatus ?? 0,
      driverStatus: error.driverStatus ?? 0,
      ...(error.senseKey === undefined ? {} : { senseKey: error.senseKey }),
      ...(error.asc === undefined ? {} : { asc: error.asc }),
      ...(error.ascq === undefined ? {} : { ascq: error.ascq }),
    };
    return new RTSLibScsiCommandError(message, operation, status, error);
  }
  return new RTSLibError(message, { operation, cause: error });
}

async function call<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw convert(error, what);
  }
}

/** The SCSI hosts (`/sys/class/scsi_host`), sorted by number; empty without a SCSI subsystem. */
export function listScsiHosts(options?: ScsiDiscoveryOptions): Promise<ScsiHost[]> {
  return call('listing SCSI hosts', () => native.listScsiHosts(options));
}

/** The SCSI devices (`/sys/bus/scsi/devices/H:C:T:L`) with their nodes, sorted by address. */
export function listScsiDevices(options?: ScsiDiscoveryOptions): Promise<ScsiDevice[]> {
  return call('listing SCSI devices', () => native.listScsiDevices(options));
}

/**
 * The SCSI device behind a device node (`/dev/sdX`, `/dev/sdX1`, `/dev/sgN`,
 * `/dev/stN`, `/dev/nstN`, `/dev/schN`, or a symlink to one such as
 * `/dev/disk/by-id/...`). Rejects with code `ENOENT` when the path does not
 * exist and `ENODEV` when it is not a SCSI device node.
 */
export function resolveScsiDevice(path: string, options?: ScsiDiscoveryOptions): Promise<ScsiDevice> {
  return call(`resolving SCSI device ${path}`, () => native.resolveScsiDevice(path, options));
}

/**
 * Sends INQUIRY to a device node: standard data, or the VPD page
 * `options.vpdPage` (0x00, 0x80 and 0x83 are decoded; every page comes back
 * raw). Prefer the sg node or `/dev/nstN` for tapes: closing `/dev/stN` rewinds.
 */
export function inquiry(devicePath: string, options?: ScsiInquiryOptions): Promise<ScsiInquiry> {
  return call(`INQUIRY on ${devicePath}`, () => native.scsiInquiry(devicePath, options));
}

/** SCSI address (SG_GET_SCSI_ID / SCSI_IOCTL_GET_IDLUN) and, for block nodes, size and block sizes. */
export function deviceInfo(devicePath: string): Promise<ScsiDeviceInfo> {
  return call(`reading device information of ${devicePath}`, () => native.scsiDeviceInfo(devicePath));
}

/**
 * Whether a device node is in use: true when an exclusive open fails with
 * EBUSY (block devices: mounted, in a RAID/LVM/multipath stack, or opened
 * with O_EXCL; sg nodes: open by anyone; tapes: open).
 */
export function isInUse(devicePath: string): Promise<boolean> {
  return call(`probing whether ${devicePath} is in use`, () => native.probeInUse(devicePath));
}
