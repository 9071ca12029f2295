/**
 * The saveconfig.json structure (schema.ts) checked in plain code, without
 * zod: the fast path of {@link checkConfig} and of a streamed save's
 * entries. A check here answers true only for a value the zod schema accepts
 * and returns unchanged (deep-equal, same prototypes); for anything else,
 * including what zod would accept after changing it (an object with
 * another prototype) and a `__proto__` key, it answers false and
 * zod decides, with its issues, paths and messages. It never throws.
 *
 * Why: in a fresh `rtslib` process on the benchmark's emulated CPU, zod's
 * walk of a W(250,4) file took about 0.8 s of the restore's cold start
 * (bench/FINDINGS.md, section 18); this walk does the same checks in a
 * fraction of it. A property test (test/unit/config-plain-check.test.ts)
 * holds the two to the same verdicts.
 */
import { isFabricName } from '../cfs/fabrics.js';
import { MAX_VALUE_BYTES, validateControlValue, validateName, validateSettingName, validateValue } from '../cfs/names.js';
import { normalizePortalAddress } from '../cfs/tree.js';
import { validateUserControl, type PluginName } from '../cfs/plugins.js';
import { QUEUE_DEPTH_RANGE } from '../model/node-acl.js';
import {
  ALUA_SAVED_SETTINGS,
  CHAP_KEYS,
  DISCOVERY_KEYS,
  STORAGE_OBJECT_REF_PATTERN,
  type FabricModuleConfig,
  type SaveConfig,
  type StorageObjectConfig,
  type TargetConfig,
} from '../model/saveconfig-format.js';

/** An object as JSON.parse makes them (the prototype zod's output has too). */
type JsonObject = Record<string, unknown>;

/** Whether a value is an object of the kind JSON.parse makes: not null, not an array, Object's prototype. */
const isJsonObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype && !Array.isArray(value);

/** A safe integer (what zod's `int()` accepts) within `[min, max]`. */
const isIntIn = (value: unknown, min: number, max: number): boolean => Number.isSafeInteger(value) && (value as number) >= min && (value as number) <= max;

/** Whether every key of `o` is one of `allowed` (a strict zod object's keys). */
function onlyKeys(o: JsonObject, allowed: ReadonlySet<string>): boolean {
  for (const key of Object.keys(o)) if (!allowed.has(key)) return false;
  return true;
}

/** Whether `value` is an array whose every entry passes `entryOk`. */
function arrayOf(value: unknown, entryOk: (entry: unknown) => boolean): boolean {
  if (!Array.isArray(value)) return false;
  for (let i = 0; i < value.length; i++) if (!entryOk(value[i])) return false;
  return true;
}

// The validators below throw on a bad value; the exported checks turn that into false.
const isString = (value: unknown): value is string => typeof value === 'string';
const cfsName = (value: unknown): boolean => isString(value) && (validateName('name', value), true);
const cfsValue = (value: unknown): boolean => isString(value) && value.length <= MAX_VALUE_BYTES && (validateValue('value', value), true);
const controlValue = (value: unknown): boolean => isString(value) && value.length <= MAX_VALUE_BYTES && (validateControlValue('value', value), true);
const chapValue = (value: unknown): boolean => isString(value) && value.length <= 255 && (validateValue('value', value, true), true);
const flag = (value: unknown): boolean => typeof value === 'boolean';
const positive = (value: unknown): boolean => isIntIn(value, 1, Number.MAX_SAFE_INTEGER);
const u16 = (value: unknown): boolean => isIntIn(value, 0, 65535);
const optional = (value: unknown, ok: (value: unknown) => boolean): boolean => value === undefined || ok(value);

/** Whether an object can be a settings record: JSON-like, without symbol keys (zod checks those of a record too). */
const isSettingsRecord = (value: unknown): value is JsonObject => isJsonObject(value) && Object.getOwnPropertySymbols(value).length === 0;

/** An entry's settings (`attributes`): setting names, each an integer or a configfs value. */
function attributesOk(value: unknown): boolean {
  if (!isSettingsRecord(value)) return false;
  for (const key of Object.keys(value)) {
    validateSettingName('name', key);
    const v = value[key];
    if (!(isString(v) ? cfsValue(v) : Number.isSafeInteger(v))) return false;
  }
  return true;
}

/** `parameters`: setting names, each a configfs value (strings only). */
function parametersOk(value: unknown): boolean {
  if (!isSettingsRecord(value)) return false;
  for (const key of Object.keys(value)) {
    validateSettingName('name', key);
    if (!cfsValue(value[key])) return false;
  }
  return true;
}

const MAPPED_LUN_KEYS: ReadonlySet<string> = new Set(['index', 'tpg_lun', 'write_protect', 'alias']);
/** An ACL's `mapped_luns` (an ACL of a large target has thousands). */
function mappedLunsOk(value: unknown): boolean {
  return arrayOf(value, (m) => isJsonObject(m) && onlyKeys(m, MAPPED_LUN_KEYS) && u16(m.index) && u16(m.tpg_lun) && optional(m.write_protect, flag) && optional(m.alias, cfsName));
}

const ALUA_TPG_KEYS: ReadonlySet<string> = new Set(['name', 'tg_pt_gp_id', ...ALUA_SAVED_SETTINGS]);
function aluaTpgOk(g: unknown): boolean {
  if (!isJsonObject(g) || !onlyKeys(g, ALUA_TPG_KEYS) || !cfsName(g.name) || !u16(g.tg_pt_gp_id)) return false;
  for (const s of ALUA_SAVED_SETTINGS) if (!optional(g[s], Number.isSafeInteger)) return false;
  return true;
}

const COMMON_SO_KEYS = ['name', 'plugin', 'attributes', 'alua_tpgs'];
/** Each plugin's keys (schema.ts: blockSO, fileioSO, ...). */
const STORAGE_OBJECT_KEYS: Readonly<Record<PluginName, ReadonlySet<string>>> = {
  block: new Set([...COMMON_SO_KEYS, 'dev', 'wwn', 'write_back', 'readonly', 'exclusive']),
  fileio: new Set([...COMMON_SO_KEYS, 'dev', 'wwn', 'write_back', 'buffered_mode', 'size', 'aio']),
  ramdisk: new Set([...COMMON_SO_KEYS, 'wwn', 'size', 'nullio']),
  pscsi: new Set([...COMMON_SO_KEYS, 'dev']),
  user: new Set([...COMMON_SO_KEYS, 'wwn', 'size', 'config', 'hw_max_sectors', 'control']),
};
/** The flags a storage object may have (which plugin has which is in {@link STORAGE_OBJECT_KEYS}). */
const STORAGE_OBJECT_FLAGS = ['write_back', 'readonly', 'exclusive', 'buffered_mode', 'aio', 'nullio'] as const;

function storageObjectOk(so: unknown): boolean {
  if (!isJsonObject(so) || !isString(so.plugin) || !Object.prototype.hasOwnProperty.call(STORAGE_OBJECT_KEYS, so.plugin)) return false;
  if (!onlyKeys(so, STORAGE_OBJECT_KEYS[so.plugin as PluginName]) || !cfsName(so.name) || !optional(so.attributes, attributesOk) || !optional(so.wwn, cfsValue)) return false;
  if (!optional(so.alua_tpgs, (v) => arrayOf(v, aluaTpgOk))) return false;
  for (const f of STORAGE_OBJECT_FLAGS) if (!optional(so[f], flag)) return false;
  switch (so.plugin) {
    case 'block':
      return controlValue(so.dev);
    case 'fileio':
      return controlValue(so.dev) && optional(so.size, (v) => isIntIn(v, 0, Number.MAX_SAFE_INTEGER));
    case 'ramdisk':
      return positive(so.size);
    case 'pscsi':
      return cfsValue(so.dev);
    default: // user
      return (
        positive(so.size) &&
        controlValue(so.config) &&
        optional(so.hw_max_sectors, positive) &&
        optional(so.control, (v) => isString(v) && v.length <= MAX_VALUE_BYTES && (v === '' || (validateUserControl(v), true)))
      );
  }
}

const CHAP_NAMES = CHAP_KEYS.map(([key]) => key);
const chapOk = (o: JsonObject): boolean => CHAP_NAMES.every((k) => optional(o[k], chapValue));
/** A string of at least one character that is a configfs value (a WWN, a node WWN). */
const wwnValue = (value: unknown): boolean => isString(value) && value.length >= 1 && (validateValue('value', value), true);

const LUN_KEYS: ReadonlySet<string> = new Set(['index', 'storage_object', 'alias', 'alua_tg_pt_gp_name']);
const lunOk = (l: unknown): boolean =>
  isJsonObject(l) &&
  onlyKeys(l, LUN_KEYS) &&
  u16(l.index) &&
  isString(l.storage_object) &&
  STORAGE_OBJECT_REF_PATTERN.test(l.storage_object) &&
  optional(l.alias, cfsName) &&
  optional(l.alua_tg_pt_gp_name, (v) => v === null || cfsName(v));

const PORTAL_KEYS: ReadonlySet<string> = new Set(['ip_address', 'port', 'iser', 'offload']);
const portalOk = (p: unknown): boolean =>
  isJsonObject(p) &&
  onlyKeys(p, PORTAL_KEYS) &&
  isString(p.ip_address) &&
  p.ip_address.length >= 1 &&
  (normalizePortalAddress(p.ip_address), true) &&
  isIntIn(p.port, 1, 65535) &&
  optional(p.iser, flag) &&
  optional(p.offload, flag);

const NODE_ACL_KEYS: ReadonlySet<string> = new Set(['node_wwn', 'attributes', 'mapped_luns', 'tag', 'tcq_depth', ...CHAP_NAMES]);
const nodeAclOk = (a: unknown): boolean =>
  isJsonObject(a) &&
  onlyKeys(a, NODE_ACL_KEYS) &&
  wwnValue(a.node_wwn) &&
  optional(a.attributes, attributesOk) &&
  optional(a.mapped_luns, mappedLunsOk) &&
  optional(a.tag, (v) => isString(v) && v.length <= 63 && (validateValue('value', v), true)) &&
  optional(a.tcq_depth, (v) => isIntIn(v, QUEUE_DEPTH_RANGE.min, QUEUE_DEPTH_RANGE.max)) &&
  chapOk(a);

const TPG_KEYS: ReadonlySet<string> = new Set(['tag', 'enable', 'attributes', 'parameters', 'luns', 'portals', 'node_acls', ...CHAP_NAMES]);
const tpgOk = (g: unknown): boolean =>
  isJsonObject(g) &&
  onlyKeys(g, TPG_KEYS) &&
  isIntIn(g.tag, 1, 65535) &&
  optional(g.enable, (v) => flag(v) || v === 0 || v === 1) &&
  optional(g.attributes, attributesOk) &&
  optional(g.parameters, parametersOk) &&
  optional(g.luns, (v) => arrayOf(v, lunOk)) &&
  optional(g.portals, (v) => arrayOf(v, portalOk)) &&
  optional(g.node_acls, (v) => arrayOf(v, nodeAclOk)) &&
  chapOk(g);

const isFabric = (value: unknown): boolean => isString(value) && isFabricName(value);
const TARGET_KEYS: ReadonlySet<string> = new Set(['wwn', 'fabric', 'parameters', 'tpgs']);
const targetOk = (t: unknown): boolean =>
  isJsonObject(t) && onlyKeys(t, TARGET_KEYS) && wwnValue(t.wwn) && isFabric(t.fabric) && optional(t.parameters, parametersOk) && optional(t.tpgs, (v) => arrayOf(v, tpgOk));

const DISCOVERY_NAMES = DISCOVERY_KEYS.map(([key]) => key);
const FABRIC_MODULE_KEYS: ReadonlySet<string> = new Set(['name', 'discovery_enable_auth', ...DISCOVERY_NAMES]);
const fabricModuleOk = (f: unknown): boolean =>
  isJsonObject(f) && onlyKeys(f, FABRIC_MODULE_KEYS) && isFabric(f.name) && optional(f.discovery_enable_auth, flag) && DISCOVERY_NAMES.every((k) => optional(f[k], chapValue));

const CONFIG_KEYS: ReadonlySet<string> = new Set(['storage_objects', 'targets', 'fabric_modules']);
const configOk = (d: unknown): boolean =>
  isJsonObject(d) &&
  onlyKeys(d, CONFIG_KEYS) &&
  optional(d.storage_objects, (v) => arrayOf(v, storageObjectOk)) &&
  optional(d.targets, (v) => arrayOf(v, targetOk)) &&
  optional(d.fabric_modules, (v) => arrayOf(v, fabricModuleOk));

/** `check`'s answer, false where one of the validators it calls throws. */
const withoutThrowing = <T>(check: (value: unknown) => boolean) =>
  ((value: unknown): boolean => {
    try {
      return check(value);
    } catch {
      return false;
    }
  }) as (value: unknown) => value is T;

/** Whether zod's `saveConfigSchema` accepts a (legacy-form-free) document and returns it unchanged. */
export const isPlainlyValidConfig = withoutThrowing<SaveConfig>(configOk);
/** The same for one `storage_objects` entry. */
export const isPlainlyValidStorageObject = withoutThrowing<StorageObjectConfig>(storageObjectOk);
/** The same for one `targets` entry. */
export const isPlainlyValidTarget = withoutThrowing<TargetConfig>(targetOk);
/** The same for a `fabric_modules` list. */
export const isPlainlyValidFabricModules = withoutThrowing<FabricModuleConfig[]>((v) => arrayOf(v, fabricModuleOk));
/** The same for an entry's `attributes`. */
export const isPlainlyValidAttributes = withoutThrowing<Record<string, string | number>>(attributesOk);
/** The same for an ACL's `mapped_luns`. */
export const isPlainlyValidMappedLuns = withoutThrowing<unknown[]>(mappedLunsOk);
