/**
 * Layer 4: the saveconfig.json format, dump and save, and the one planner
 * behind restore, clear, apply and diff.
 */
export {
  saveConfigSchema,
  checkConfig,
  parseConfigText,
  validateConfig,
  parseConfig,
  MAX_LISTED_ISSUES,
  RTSLibConfigError,
  jsonPath,
  storageObjectRef,
  parseStorageObjectRef,
  ALUA_SAVED_SETTINGS,
} from './schema.js';
export type { ConfigIssue, CheckConfigOptions, CheckedConfig } from './schema.js';
export type {
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
} from '../model/saveconfig-format.js';
export { dumpConfig, redactSecrets } from '../model/dump.js';
export type { DumpOptions } from '../model/dump.js';
export type { DumpOptions as ObjectDumpOptions } from '../model/saved-forms.js';
export { readConfigFile, loadConfigFile, writeConfigFile, defaultConfigFile, DEFAULT_CONFIG_FILE, DEBIAN_CONFIG_FILE, DEFAULT_BACKUPS } from './config-file.js';
export type { WriteConfigOptions, WriteConfigResult } from './config-file.js';
export { planRestore, planClear, planApply, executePlan } from './planner.js';
export type { RestoreOptions, ClearOptions, ApplyOptions as ApplyPlanOptions, ExecuteOptions, ExecuteResult } from './planner.js';
export { formatPlan, planWrites } from './plan.js';
export type { Plan, PlanStep, PlanAction, PlanOp } from './plan.js';
export { saveConfigFile, mergeConfigPart } from './partial-save.js';
export type { ConfigPart, SaveConfigFileOptions } from './partial-save.js';
