/**
 * rtslib: manage the Linux kernel SCSI target (LIO) through configfs.
 * @packageDocumentation
 */
export * from './errors.js';
export { Configfs, RTSLibOperationError } from './cfs/configfs.js';
export type { CfsOp, RunOptions, ApplyOptions, SnapshotOptions, FailedStep } from './cfs/configfs.js';
export { Snapshot } from './cfs/snapshot.js';
export type { NodeKind } from './cfs/snapshot.js';
export { DEFAULT_TARGET_ROOT } from './cfs/tree.js';
export { PLUGINS } from './cfs/plugins.js';
export type { PluginName, PluginInfo } from './cfs/plugins.js';
export { parseSize } from './cfs/names.js';
export { CFSNode } from './model/cfs-node.js';
export type { Mode, AttributeInfo } from './model/cfs-node.js';
export { StorageObject } from './model/storage-object.js';
export type { StorageObjectLocation } from './model/storage-object.js';
export { RDMCPStorageObject } from './model/rdmcp-storage-object.js';
export type { RDMCPOptions } from './model/rdmcp-storage-object.js';
export { RTSRoot } from './model/rts-root.js';
export type { RTSRootOptions } from './model/rts-root.js';
export { FabricModule, modprobe } from './model/fabric-module.js';
export { FABRICS } from './cfs/fabrics.js';
export type { FabricName, FabricInfo, FabricFeature, WwnType } from './cfs/fabrics.js';
export { normalizeWwn, generateWwn } from './cfs/wwn.js';
export { Target } from './model/target.js';
export type { TargetOptions } from './model/target.js';
export { TPG } from './model/tpg.js';
export type { TPGOptions } from './model/tpg.js';
export { LUN, MAX_LUN } from './model/lun.js';
export type { LUNOptions } from './model/lun.js';
export { listScsiHosts, listScsiDevices, resolveScsiDevice, inquiry, deviceInfo, isInUse, RTSLibScsiCommandError } from './scsi/discovery.js';
export type { ScsiHost, ScsiDevice, ScsiNode, ScsiInquiry, ScsiStandardInquiry, ScsiDesignator, ScsiDeviceInfo, ScsiDiscoveryOptions, ScsiInquiryOptions } from './scsi/discovery.js';
