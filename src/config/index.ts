/**
 * Layer 4: the saveconfig.json format, dump and save, and the one planner
 * behind restore, clear, apply and diff.
 */
export { saveConfigSchema, validateConfig, parseConfig, RTSLibConfigError, jsonPath, storageObjectRef, parseStorageObjectRef, ALUA_SAVED_SETTINGS } from './schema.js';
export type {
  ConfigIssue,
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
} from './schema.js';
export { dumpConfig, redactSecrets } from './dump.js';
export type { DumpOptions } from './dump.js';
export { readConfigFile, writeConfigFile, DEFAULT_CONFIG_FILE } from './config-file.js';
export type { WriteConfigOptions, WriteConfigResult } from './config-file.js';
export { planRestore, planClear, planApply, executePlan } from './planner.js';
export type { RestoreOptions, ClearOptions, ApplyOptions as ApplyPlanOptions, ExecuteOptions, ExecuteResult } from './planner.js';
export { formatPlan, planWrites } from './plan.js';
export type { Plan, PlanStep, PlanAction, PlanOp } from './plan.js';
