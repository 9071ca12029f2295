/**
 * rtslib: manage the Linux kernel SCSI target (LIO) through configfs.
 * @packageDocumentation
 */
export * from './errors.js';
export { Configfs, RTSLibOperationError, RTSLibTimeoutError, DEFAULT_LOCK_TIMEOUT_MS } from './cfs/configfs.js';
export type { CfsOp, RunOptions, ApplyOptions, SnapshotOptions, FailedStep, ConfigfsOptions } from './cfs/configfs.js';
export { RTSLibLockTimeoutError, TARGETCLI_LOCK_FILE } from './cfs/write-lock.js';
export type { LockHolder, LockMode } from './cfs/write-lock.js';
export { RTSLibRecoveryError } from './cfs/recovery.js';
export type { RecoveryReport } from './cfs/recovery.js';
export { DEFAULT_STATE_DIR } from './cfs/configfs.js';
export type { AlikeSettings, PhasedOp } from './cfs/phased-ops.js';
export { Snapshot } from './cfs/snapshot.js';
export type { NodeKind } from './cfs/snapshot.js';
export { DEFAULT_TARGET_ROOT } from './cfs/tree.js';
export { PLUGINS } from './cfs/plugins.js';
export type { PluginName, PluginInfo } from './cfs/plugins.js';
export { parseSize, validateValue, validateControlValue, validateSettingName, validateName } from './cfs/names.js';
export { CFSNode } from './model/cfs-node.js';
export type { Mode, AttributeInfo } from './model/cfs-node.js';
export { StorageObject } from './model/storage-object.js';
export type { HbaPlacement, StorageObjectLocation } from './model/storage-object.js';
export type { PSCSIPlacement } from './model/pscsi-storage-object.js';
export { RDMCPStorageObject } from './model/rdmcp-storage-object.js';
export type { RDMCPOptions } from './model/rdmcp-storage-object.js';
export { RTSRoot } from './model/rts-root.js';
export type { RTSRootOptions } from './model/rts-root.js';
export { FabricModule, modprobe } from './model/fabric-module.js';
export type { DiscoveryAuth } from './model/fabric-module.js';
export { DEFAULT_DBROOT, PREFERRED_DBROOTS } from './model/persistent-reservations.js';
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
export type {
  ScsiHost,
  ScsiDevice,
  ScsiNode,
  ScsiInquiry,
  ScsiStandardInquiry,
  ScsiDesignator,
  ScsiDeviceInfo,
  ScsiDiscoveryOptions,
  ScsiInquiryOptions,
} from './scsi/discovery.js';
export { FileIOStorageObject } from './model/fileio-storage-object.js';
export type { FileIOOptions } from './model/fileio-storage-object.js';
export { BlockStorageObject, SHARED_OPEN_KERNEL } from './model/block-storage-object.js';
export type { BlockOptions } from './model/block-storage-object.js';
export { UserBackedStorageObject } from './model/user-storage-object.js';
export type { UserOptions } from './model/user-storage-object.js';
export { PSCSIStorageObject, parsePSCSIDevice, parsePSCSIInfo } from './model/pscsi-storage-object.js';
export type { PSCSIOptions, PSCSIDeviceSpec } from './model/pscsi-storage-object.js';
export { Backstore, PSCSIBackstore, IBlockBackstore, FileIOBackstore, RDMCPBackstore, UserBackstore } from './model/backstore.js';
export type { BackstoreOptions, PSCSIBackstoreOptions } from './model/backstore.js';
export { NodeACL, parseSessionInfo, validateAclTag, MAX_ACL_TAG_BYTES, QUEUE_DEPTH_RANGE, MAX_CHAP_BYTES } from './model/node-acl.js';
export type { NodeACLOptions, ChapCredentials, SessionInfo, SessionConnection, AttributeValue } from './model/node-acl.js';
export { MappedLUN } from './model/mapped-lun.js';
export type { MappedLUNOptions } from './model/mapped-lun.js';
export { NetworkPortal, normalizePortalAddress, DEFAULT_ISCSI_PORT } from './model/network-portal.js';
export type { NetworkPortalOptions } from './model/network-portal.js';
export { NodeACLGroup, MappedLUNGroup, validateGroupName } from './model/node-acl-group.js';
export type { NodeACLGroupOptions, MappedLUNGroupOptions } from './model/node-acl-group.js';
export { ALUATargetPortGroup, ALUA_SETTINGS } from './model/alua-target-port-group.js';
export type { ALUAOptions, ALUASetting } from './model/alua-target-port-group.js';
export type { Session } from './model/rts-root.js';
export type { NativeResult, NativeDirEntry } from './native/index.js';
export {
  saveConfigSchema,
  checkConfig,
  parseConfigText,
  validateConfig,
  parseConfig,
  MAX_LISTED_ISSUES,
  RTSLibConfigError,
  dumpConfig,
  redactSecrets,
  readConfigFile,
  loadConfigFile,
  writeConfigFile,
  saveConfigFile,
  mergeConfigPart,
  DEFAULT_CONFIG_FILE,
  DEBIAN_CONFIG_FILE,
  DEFAULT_BACKUPS,
  defaultConfigFile,
  planRestore,
  planClear,
  planApply,
  executePlan,
  formatPlan,
  planWrites,
} from './config/index.js';
export type {
  ConfigIssue,
  CheckConfigOptions,
  CheckedConfig,
  SaveConfig,
  StorageObjectConfig,
  AluaTpgConfig,
  TargetConfig,
  TpgConfig,
  LunConfig,
  PortalConfig,
  NodeAclConfig,
  MappedLunConfig,
  FabricModuleConfig,
  ChapConfig,
  BlockStorageObjectConfig,
  FileIOStorageObjectConfig,
  RamdiskStorageObjectConfig,
  PSCSIStorageObjectConfig,
  UserStorageObjectConfig,
  SavedAttributes,
  SavedParameters,
  DumpOptions,
  ObjectDumpOptions,
  WriteConfigOptions,
  ConfigPart,
  SaveConfigFileOptions,
  WriteConfigResult,
  RestoreOptions,
  ClearOptions,
  ApplyPlanOptions,
  ExecuteOptions,
  ExecuteResult,
  Plan,
  PlanStep,
  PlanAction,
  PlanOp,
} from './config/index.js';
