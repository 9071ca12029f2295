/**
 * Types of the native SCSI discovery functions (`listScsiHosts`,
 * `listScsiDevices`, `resolveScsiDevice`, `scsiInquiry`, `scsiDeviceInfo`,
 * `probeInUse` of `NativeBinding` in binding.ts). Implemented in
 * `native/src/{sysfs_scsi,scsi_ioctl,vpd_decoder,discovery_worker}.cc`.
 *
 * Failures reject with an Error carrying Node's system-error fields: `errno`
 * (negative), `syscall` and `path`; a failed SG_IO command also carries
 * {@link NativeScsiCommandFailure}'s fields.
 */
/** Where sysfs is mounted; default `/sys`. A fake tree works for tests. */
export interface NativeSysfsOptions {
  /** Absolute path of the sysfs root (default `/sys`). */
  sysfsRoot?: string;
}

/** A SCSI host adapter: `<sysfs>/class/scsi_host/host<N>`. */
export interface NativeScsiHost {
  /** The host number N. */
  host: number;
  /** The driver's `proc_name` (e.g. `scsi_debug`, `tcm_loopback`), null when absent. */
  procName: string | null;
  /** Every readable attribute file of the host's directory, trailing whitespace removed. */
  attributes: Record<string, string>;
}

/** One device node of a SCSI device, from a class sub-directory of its sysfs directory. */
export interface NativeScsiNode {
  /** Class: `block`, `scsi_generic`, `scsi_tape`, `scsi_changer`, `bsg`, ... */
  subsystem: string;
  /** Name in the class, e.g. `sda`, `sg0`, `nst0a`, `0:0:0:0`. */
  name: string;
  /** `/dev/` + DEVNAME from the node's uevent (else + name). */
  devNode: string;
  /** Device number from the node's `dev` file; null when it has none. */
  major: number | null;
  minor: number | null;
}

/** A SCSI device (logical unit): `<sysfs>/bus/scsi/devices/H:C:T:L`. */
export interface NativeScsiDevice {
  host: number;
  channel: number;
  target: number;
  /** LUN as the kernel numbers it (exact up to 2^53). */
  lun: number;
  /** `H:C:T:L`. */
  hctl: string;
  /** SPC peripheral device type (0 disk, 1 tape, 5 cd/dvd, 8 medium changer, ...); -1 if unreadable. */
  type: number;
  /**
   * Short name of `type`: disk, tape, printer, processor, worm, cd/dvd, scanner, optical,
   * mediumx, comms, raid, enclosure, rbc, card-reader, bridge, osd, adc, security-manager,
   * zbc, wlun, no-device, obsolete-0xa/0xb, reserved-0xNN, unknown.
   */
  typeName: string;
  /** sysfs `vendor`, `model`, `rev`, `state`, trimmed ("" when absent). */
  vendor: string;
  model: string;
  rev: string;
  state: string;
  /** sysfs `queue_depth`; null when absent. */
  queueDepth: number | null;
  /** `/dev/sdX` (from the `block/` sub-directory); null when none. */
  blockDevice: string | null;
  /** `/dev/sgN`; null when the sg driver is not bound. */
  sgDevice: string | null;
  /** Tape nodes: `/dev/stN*` first, then `/dev/nstN*`. */
  tapeDevices: string[];
  /** `/dev/schN`; null when none. */
  changerDevice: string | null;
  /** Every class node of the device with a device number (and all block/sg/tape/changer nodes). */
  nodes: NativeScsiNode[];
}

/** Options of `scsiInquiry`. */
export interface NativeInquiryOptions {
  /** VPD page 0-255 (EVPD=1); standard INQUIRY data when undefined. */
  vpdPage?: number;
  /** SG_IO command timeout in ms (integer >= 1; default 30000). */
  timeoutMs?: number;
}

/** Standard INQUIRY data (SPC "standard INQUIRY data format"). */
export interface NativeStandardInquiry {
  peripheralQualifier: number;
  peripheralDeviceType: number;
  removable: boolean;
  /** 5 SPC-3, 6 SPC-4, 7 SPC-5. */
  version: number;
  normaca: boolean;
  hisup: boolean;
  responseDataFormat: number;
  additionalLength: number;
  sccs: boolean;
  acc: boolean;
  /** Target port group support (ALUA): 0 none, 1 implicit, 2 explicit, 3 both. */
  tpgs: number;
  threePc: boolean;
  protect: boolean;
  encserv: boolean;
  multip: boolean;
  cmdque: boolean;
  /** T10 vendor identification, product identification, product revision level (trimmed). */
  vendor: string;
  product: string;
  revision: string;
  /** Version descriptors (non-zero ones). */
  versionDescriptors: number[];
}

/** One designation descriptor of VPD page 0x83 (device identification). */
export interface NativeDesignator {
  /** Designator type code (0-15). */
  type: number;
  /**
   * vendor-specific, t10, eui64, naa, relative-target-port, target-port-group,
   * logical-unit-group, md5, scsi-name, protocol-port, uuid, reserved.
   */
  typeName: string;
  /** 1 binary, 2 ASCII, 3 UTF-8. */
  codeSet: number;
  codeSetName: 'binary' | 'ascii' | 'utf8' | 'reserved';
  /** 0 the logical unit, 1 the target port, 2 the target device. */
  association: number;
  associationName: 'lun' | 'target-port' | 'target-device' | 'reserved';
  /** Protocol identifier (meaningful when `piv`). */
  protocolIdentifier: number;
  piv: boolean;
  /** Text for ASCII/UTF-8 code sets (padding trimmed), else lowercase hex. */
  identifier: string;
  /** The designator bytes as lowercase hex. */
  hex: string;
  /** The designator length ran past the returned data. */
  truncated: boolean;
  /** NAA designators: the NAA field (2, 3, 5, 6). */
  naa?: number;
  /** T10 vendor ID designators: the vendor (first 8 bytes) and the rest, trimmed. */
  vendorId?: string;
  vendorSpecific?: string;
  /** Types 4, 5, 6: the number. */
  relativeTargetPort?: number;
  targetPortGroup?: number;
  logicalUnitGroup?: number;
}

/** One INQUIRY response: the bytes and what was decoded from them. */
export interface NativeInquiry {
  /** The bytes the device returned (residual count subtracted). */
  raw: Buffer;
  /** The VPD page requested, null for standard data. */
  vpdPage: number | null;
  peripheralQualifier: number;
  peripheralDeviceType: number;
  peripheralTypeName: string;
  /** VPD pages: the header's page code and page length. */
  pageCode?: number;
  pageLength?: number;
  /** A length field claims more bytes than were returned. */
  truncated: boolean;
  /** Why the response is malformed (e.g. another page than requested), else null. */
  problem: string | null;
  /** Standard INQUIRY data (vpdPage null). */
  standard?: NativeStandardInquiry;
  /** VPD page 0x00. */
  supportedPages?: number[];
  /** VPD page 0x80, trimmed. */
  unitSerial?: string;
  /** VPD page 0x83. */
  designators?: NativeDesignator[];
}

/** What `scsiDeviceInfo` learned from ioctls on a device node. */
export interface NativeScsiDeviceInfo {
  /**
   * The SCSI address: SG_GET_SCSI_ID on sg nodes (full width), else
   * SCSI_IOCTL_GET_IDLUN (each number truncated to 8 bits by that interface).
   */
  idlun?: { host: number; channel: number; target: number; lun: number };
  /** Block nodes: BLKGETSIZE64. */
  sizeBytes?: number;
  /** Block nodes: BLKSSZGET. */
  logicalBlockSize?: number;
  /** Block nodes: BLKPBSZGET. */
  physicalBlockSize?: number;
}

/** Extra fields of an error from a SCSI command that completed with a failure status. */
export interface NativeScsiCommandFailure {
  /** SCSI status byte (0x02 CHECK CONDITION, 0x08 BUSY, ...). */
  scsiStatus: number;
  /** Host (transport) status, DID_*. */
  hostStatus: number;
  /** Driver status, DRIVER_*. */
  driverStatus: number;
  /** From the sense data, when there was any. */
  senseKey?: number;
  asc?: number;
  ascq?: number;
}
