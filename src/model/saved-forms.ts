/**
 * Each object's saveconfig.json entry, built from a snapshot that holds it:
 * what `dump()` returns for that object, and the pieces the whole-tree dump
 * (dump.ts) is made of, so the two always agree. What each value means and
 * how it is spelled follows rtslib-fb 2.1.75's `dump()` methods exactly;
 * lists are sorted by their keys so a dump of the same state is always the
 * same JSON.
 */
import { settingFromShown, ALUA_STATUSES, ALUA_TYPES } from '../cfs/settings.js';
import type { Snapshot } from '../cfs/snapshot.js';
import type { Configfs } from '../cfs/configfs.js';
import type { FabricInfo } from '../cfs/fabrics.js';
import { PLUGINS, supportsAlua, type PluginName } from '../cfs/plugins.js';
import {
  ACL_FILES,
  ALUA_GROUP_FILES,
  LUN_FILES,
  MAPPED_LUN_FILES,
  PORTAL_FILES,
  STORAGE_OBJECT_ATTRIBUTES,
  TPG_FILES,
  WWN_FILES,
  aclsPath,
  aluaGroupPath,
  aluaGroupsPath,
  child,
  groupPath,
  lunPath,
  lunsPath,
  parseLunDirName,
  parsePortalDirName,
  parseTpgDirName,
  portalsPath,
  settingPath,
  splitPath,
  storageObjectPath,
  tpgPath,
} from '../cfs/tree.js';
import { authValue } from '../cfs/values.js';
import { wwnFromConfigfs } from '../cfs/wwn.js';
import { blockDeviceSize } from '../scsi/block-device-size.js';
import { discoveryAuthIn } from './chap.js';
import type { MadeWith } from './storage-object.js';
import { storageObjectLocationOf, type StorageObjectLocation } from './storage-object-location.js';
import {
  ALUA_SAVED_SETTINGS,
  CHAP_KEYS,
  DISCOVERY_KEYS,
  SECRET_KEYS,
  storageObjectRef,
  type AluaTpgConfig,
  type ChapConfig,
  type FabricModuleConfig,
  type LunConfig,
  type MappedLunConfig,
  type NodeAclConfig,
  type PortalConfig,
  type SavedAttributes,
  type SavedParameters,
  type StorageObjectConfig,
  type TargetConfig,
  type TpgConfig,
} from './saveconfig-format.js';

/** Options of every `dump()`. */
export interface DumpOptions {
  /** Include CHAP and discovery passwords (default true: saveconfig.json needs them). User ids are always included. */
  secrets?: boolean;
}

/**
 * What the planner's view of the kernel leaves out: a storage object's
 * `attributes` and `alua_tpgs` and an ACL's `mapped_luns`, the bulk of a
 * dump, which it compares with a config straight from the snapshot
 * (config/current-settings.ts) instead of building them first. Not
 * reachable from the package's entry points; not marked internal because
 * `dumpSnapshot`'s (model/dump.ts) declaration names it.
 */
export interface PlannerDumpOptions extends DumpOptions {
  /** Leave out storage objects' `attributes` and `alua_tpgs` (default false). */
  withoutStorageObjectSettings?: boolean;
  /** Leave out ACLs' `mapped_luns` (default false), which the planner looks up one by one (config/current-settings.ts). */
  withoutMappedLuns?: boolean;
}

/** How LUNs name the storage objects they export: by storage object path (`core/<hba>/<name>`), its `/backstores/…` reference and whether it has ALUA. */
export type StorageObjectRefs = ReadonlyMap<string, { ref: string; alua: boolean }>;

/** rtslib-fb reads values with `.strip()` and saves those that `int()` accepts as integers. */
export function savedValue(text: string): number | string {
  const t = text.trim();
  if (/^[+-]?\d+$/.test(t)) {
    const n = Number(t);
    if (Number.isSafeInteger(n)) return n;
  }
  return t;
}

/** A comparator of items by a key. */
export const byKey =
  <T>(key: (item: T) => string | number) =>
  (a: T, b: T): number => {
    const ka = key(a);
    const kb = key(b);
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  };

/** Reads a file of the snapshot, stripped as rtslib-fb's fread does; undefined when absent. */
function read(snap: Snapshot, path: string): string | undefined {
  return snap.text(path)?.trim();
}

/** The readable and writable files of a group directory (`attrib`, `param`), rtslib-fb's saved attributes. */
function groupValues(snap: Snapshot, dir: string, asText: boolean): Record<string, number | string> | undefined {
  const out: Record<string, number | string> = {};
  const settings = snap.settingTexts(dir);
  for (const [name, text] of settings) out[name] = asText ? text.trim() : savedValue(text);
  return settings.length ? out : undefined;
}

/** `attributes` and `parameters` of a node, as rtslib-fb's CFSNode.dump adds them. */
function nodeGroups(snap: Snapshot, dir: string): { attributes?: SavedAttributes; parameters?: SavedParameters } {
  const attributes = groupValues(snap, groupPath(dir, 'attrib'), false);
  const parameters = groupValues(snap, groupPath(dir, 'param'), true) as SavedParameters | undefined;
  return { ...(attributes ? { attributes } : {}), ...(parameters ? { parameters } : {}) };
}

/** Whether a storage object supports ALUA groups (rtslib-fb: not pscsi; user only with attrib/alua_support=1). */
export function aluaSupportedIn(snap: Snapshot, plugin: PluginName, so: string): boolean {
  return supportsAlua(plugin, read(snap, settingPath(so, 'attrib', STORAGE_OBJECT_ATTRIBUTES.aluaSupport)));
}

/** The files of a directory that is not there. */
const NO_FILES: { readonly names: readonly string[]; readonly indexes: readonly number[] } = { names: [], indexes: [] };

/** The entry of ALUA group `name` of the storage object at `so` (rtslib-fb's ALUATargetPortGroup.dump). */
export function aluaGroupForm(snap: Snapshot, so: string, name: string): AluaTpgConfig {
  // the group's files found among its children by name: one path lookup per group, not one per setting
  const at = snap.entryIndex(aluaGroupPath(so, name));
  const { names, indexes } = at === undefined ? NO_FILES : snap.childrenAt(at);
  const fileText = (file: string): string | undefined => {
    const k = names.indexOf(file);
    return k < 0 ? undefined : snap.textAt(indexes[k])?.trim();
  };
  const group: AluaTpgConfig = { name, tg_pt_gp_id: Number(fileText(ALUA_GROUP_FILES.id) ?? 0) };
  for (const setting of ALUA_SAVED_SETTINGS) {
    const text = fileText(setting);
    if (text === undefined) continue;
    const value =
      setting === 'alua_access_status'
        ? (ALUA_STATUSES as readonly string[]).indexOf(text)
        : setting === 'alua_access_type'
          ? (ALUA_TYPES as readonly string[]).indexOf(text)
          : Number(text);
    if ((Number.isInteger(value) && value >= 0) || (setting !== 'alua_access_status' && setting !== 'alua_access_type')) group[setting] = value;
  }
  return group;
}

/** A storage object's `attributes` (when it has any) and `alua_tpgs`. */
function storageObjectSettings(snap: Snapshot, plugin: PluginName, so: string): Pick<StorageObjectConfig, 'attributes' | 'alua_tpgs'> {
  const attributes = groupValues(snap, groupPath(so, 'attrib'), false);
  const alua_tpgs = aluaSupportedIn(snap, plugin, so)
    ? snap
        .childDirs(aluaGroupsPath(so))
        .sort()
        .map((g) => aluaGroupForm(snap, so, g))
    : [];
  return { ...(attributes ? { attributes } : {}), alua_tpgs };
}

/** The unit serial without its `T10 VPD Unit Serial Number:` prefix. */
function unitSerial(snap: Snapshot, so: string): string {
  const path = settingPath(so, 'wwn', WWN_FILES.unitSerial);
  return settingFromShown(path, read(snap, path) ?? '') ?? '';
}

/**
 * The entry of the storage object at `location`, made as `made` says
 * (rtslib-fb's StorageObject.dump and its plugins' additions).
 */
export function storageObjectForm(snap: Snapshot, location: StorageObjectLocation, made: MadeWith, options: PlannerDumpOptions = {}): StorageObjectConfig {
  const { plugin, hbaIndex, name } = location;
  const so = storageObjectPath(PLUGINS[plugin].kernel, hbaIndex, name);
  const common = options.withoutStorageObjectSettings ? { name } : { name, ...storageObjectSettings(snap, plugin, so) };
  const writeBack = read(snap, settingPath(so, 'attrib', STORAGE_OBJECT_ATTRIBUTES.writeCache)) === '1';
  switch (plugin) {
    case 'fileio':
      // on a block device the kernel reports no size; rtslib-fb saves the device's
      return {
        ...common,
        plugin,
        write_back: writeBack,
        wwn: unitSerial(snap, so),
        dev: made.dev ?? '',
        size: made.size || (made.dev ? (blockDeviceSize(made.dev) ?? 0) : 0),
        aio: made.aio ?? false,
      };
    case 'block':
      return { ...common, plugin, write_back: writeBack, readonly: made.readonly ?? false, wwn: unitSerial(snap, so), dev: made.dev ?? '' };
    case 'ramdisk':
      return { ...common, plugin, wwn: unitSerial(snap, so), size: made.size ?? 0, ...(made.nullio ? { nullio: true } : {}) };
    case 'pscsi':
      return { ...common, plugin, dev: made.dev ?? '' };
    case 'user':
      return {
        ...common,
        plugin,
        wwn: unitSerial(snap, so),
        size: made.size ?? 0,
        config: made.config ?? '',
        hw_max_sectors: made.hwMaxSectors ?? 0,
        control: made.userControl ?? '',
      };
  }
}

/** CHAP values of a TPG or ACL that are set (rtslib-fb drops unset and empty ones). */
function chapValues(snap: Snapshot, dir: string, secrets: boolean): ChapConfig {
  const out: ChapConfig = {};
  for (const [key, file] of CHAP_KEYS) {
    if (!secrets && SECRET_KEYS.has(key)) continue;
    const value = authValue(snap.text(settingPath(dir, 'auth', file)) ?? '');
    if (value) out[key] = value;
  }
  return out;
}

/** The entry of LUN `index` of the TPG at `tpg`; null when it exports no storage object `refs` knows. */
export function lunForm(snap: Snapshot, tpg: string, index: number, refs: StorageObjectRefs): LunConfig | null {
  const dir = lunPath(tpg, index);
  const alias = snap.childLinks(dir)[0];
  if (alias === undefined) return null;
  const so = refs.get(snap.link(child(dir, alias)) ?? '');
  if (!so) return null;
  let group: string | null = null;
  if (so.alua) {
    const path = child(dir, LUN_FILES.aluaGroup);
    group = settingFromShown(path, read(snap, path) ?? '');
  }
  return { alias, alua_tg_pt_gp_name: group, index, storage_object: so.ref };
}

/** The entry of the portal directory `name` of the TPG at `tpg` (IPv6 in brackets, as rtslib-fb saves it). */
export function portalForm(snap: Snapshot, tpg: string, name: string): PortalConfig | null {
  const parsed = parsePortalDirName(name);
  if (!parsed) return null;
  const dir = child(portalsPath(tpg), name);
  const flag = (file: string) => {
    const t = read(snap, child(dir, file));
    return t !== undefined && Number(t) !== 0;
  };
  return { ip_address: parsed.ip.includes(':') ? `[${parsed.ip}]` : parsed.ip, iser: flag(PORTAL_FILES.iser), offload: flag(PORTAL_FILES.offload), port: parsed.port };
}

/** The entry of mapped LUN directory `name` of the ACL at `acl`; null when it maps nothing. */
export function mappedLunForm(snap: Snapshot, acl: string, name: string): MappedLunConfig | null {
  const at = snap.entryIndex(child(acl, name));
  const index = parseLunDirName(name);
  return at === undefined || index === null ? null : mappedLunFormAt(snap, at, index);
}

/**
 * {@link mappedLunForm} of mapped LUN `index` whose directory is at entry
 * index `at`: its first link (the alias, to the TPG's LUN) and its
 * write_protect file found among its children, with no path built or looked
 * up (an ACL dump reads one per LUN the ACL maps, the most numerous entries
 * of a dump).
 */
export function mappedLunFormAt(snap: Snapshot, at: number, index: number): MappedLunConfig | null {
  const { names, indexes } = snap.childrenAt(at);
  let alias: string | undefined;
  let tpgLun: number | null = null;
  let writeProtect: string | undefined;
  for (let k = 0; k < names.length; k++) {
    const i = indexes[k] as number;
    if (alias === undefined && snap.kindAt(i) === 'link') {
      alias = names[k];
      tpgLun = linkedLunIndex(snap, i);
    } else if (names[k] === MAPPED_LUN_FILES.writeProtect) writeProtect = snap.textAt(i)?.trim();
  }
  if (alias === undefined || tpgLun === null) return null;
  return { alias, index, tpg_lun: tpgLun, write_protect: writeProtect === '1' };
}

/**
 * The index of the TPG LUN that the mapped LUN's link at entry index `i`
 * points to: the last segment of its target as the kernel writes it
 * (`…/lun/lun_<n>`), with the whole path resolved only where that segment
 * is no LUN directory (a dump has one such link per LUN per ACL, its most
 * numerous entries).
 */
function linkedLunIndex(snap: Snapshot, i: number): number | null {
  const raw = snap.linkTargetAt(i);
  if (raw === undefined) return null;
  const direct = parseLunDirName(splitPath(raw).name);
  if (direct !== null) return direct;
  const target = snap.linkAt(i);
  return target ? parseLunDirName(splitPath(target).name) : null;
}

/**
 * Calls `fn` with the index and entry index of each mapped LUN directory
 * (`lun_<n>`) of the ACL directory at entry index `acl`, in the snapshot's
 * order: the one walk of an ACL's mapped LUNs (the dump's, the planner's).
 */
export function forEachMappedLunDir(snap: Snapshot, acl: number, fn: (index: number, at: number) => void): void {
  const { names, indexes } = snap.childrenAt(acl);
  for (let k = 0; k < names.length; k++) {
    const index = parseLunDirName(names[k] as string);
    if (index !== null && snap.kindAt(indexes[k] as number) === 'dir') fn(index, indexes[k] as number);
  }
}

/** The entry of ACL directory `dirName` of the TPG at `tpg`. */
export function nodeAclForm(snap: Snapshot, fabric: FabricInfo, tpg: string, dirName: string, options: PlannerDumpOptions = {}): NodeAclConfig {
  const dir = child(aclsPath(tpg), dirName);
  const at = options.withoutMappedLuns ? undefined : snap.entryIndex(dir);
  const mapped: MappedLunConfig[] = [];
  if (at !== undefined)
    forEachMappedLunDir(snap, at, (index, i) => {
      const form = mappedLunFormAt(snap, i, index);
      if (form) mapped.push(form);
    });
  const tag = read(snap, child(dir, ACL_FILES.tag));
  return {
    ...nodeGroups(snap, dir),
    mapped_luns: mapped.sort(byKey((m) => m.index)),
    node_wwn: wwnFromConfigfs(fabric, dirName),
    ...(tag ? { tag } : {}),
    ...(fabric.features.includes('auth') ? chapValues(snap, dir, options.secrets ?? true) : {}),
  };
}

/** The entry of TPG `tag` of the target at `target`. */
export function tpgForm(snap: Snapshot, fabric: FabricInfo, target: string, tag: number, refs: StorageObjectRefs, options: PlannerDumpOptions = {}): TpgConfig {
  const dir = tpgPath(target, tag);
  const enable = read(snap, child(dir, TPG_FILES.enable));
  const luns = snap
    .childDirs(lunsPath(dir))
    .map(parseLunDirName)
    .filter((n): n is number => n !== null)
    .map((i) => lunForm(snap, dir, i, refs))
    .filter((l): l is LunConfig => l !== null)
    .sort(byKey((l) => l.index));
  const portals = snap
    .childDirs(portalsPath(dir))
    .map((n) => portalForm(snap, dir, n))
    .filter((p): p is PortalConfig => p !== null)
    .sort(byKey((p) => `${p.ip_address} ${String(p.port).padStart(5, '0')}`));
  const acls = snap
    .childDirs(aclsPath(dir))
    .map((n) => nodeAclForm(snap, fabric, dir, n, options))
    .sort(byKey((a) => a.node_wwn));
  return {
    ...nodeGroups(snap, dir),
    tag,
    enable: enable === undefined ? true : Number(enable) !== 0,
    luns,
    portals,
    node_acls: acls,
    ...(fabric.features.includes('auth') ? chapValues(snap, dir, options.secrets ?? true) : {}),
  };
}

/** The entry of the target at `target` (its configfs directory `<fabric>/<name>`). */
export function targetForm(snap: Snapshot, fabric: FabricInfo, target: string, refs: StorageObjectRefs, options: PlannerDumpOptions = {}): TargetConfig {
  const tags = snap
    .childDirs(target)
    .map(parseTpgDirName)
    .filter((t): t is number => t !== null)
    .sort((a, b) => a - b);
  return {
    ...nodeGroups(snap, target),
    fabric: fabric.name,
    tpgs: tags.map((tag) => tpgForm(snap, fabric, target, tag, refs, options)),
    wwn: wwnFromConfigfs(fabric, splitPath(target).name),
  };
}

/**
 * The entry of a fabric module (rtslib-fb's FabricModule.dump): its name,
 * and with discovery authentication `discovery_enable_auth` and the values
 * that are set. The whole dump keeps only those that enforce it.
 */
export function fabricModuleForm(snap: Snapshot, fabric: FabricInfo, options: DumpOptions = {}): FabricModuleConfig {
  const state = discoveryAuthState(snap, fabric);
  if (!state) return { name: fabric.name };
  const out: FabricModuleConfig = { name: fabric.name, discovery_enable_auth: state.discovery_enable_auth };
  for (const [key] of DISCOVERY_KEYS) {
    if (!(options.secrets ?? true) && SECRET_KEYS.has(key)) continue;
    if (state[key]) out[key] = state[key];
  }
  return out;
}

/**
 * The discovery authentication of a loaded fabric as the snapshot shows it,
 * every key present (`''` when unset), enforced or not; null when the fabric
 * has none or is not loaded.
 */
export function discoveryAuthState(snap: Snapshot, fabric: FabricInfo): Required<FabricModuleConfig> | null {
  const state = discoveryAuthIn(snap, fabric);
  if (!state) return null;
  return {
    name: fabric.name,
    discovery_enable_auth: state.enable,
    discovery_userid: state.userid ?? '',
    discovery_password: state.password ?? '',
    discovery_mutual_userid: state.mutualUserid ?? '',
    discovery_mutual_password: state.mutualPassword ?? '',
  };
}

/**
 * The references of the storage objects the LUNs under `base` in `snap`
 * export, for dumping part of a tree: each object's plugin and name from its
 * path, and (TCMU only) one read of whether it has ALUA.
 */
export async function storageObjectRefsUnder(cfs: Configfs, snap: Snapshot, base: string): Promise<StorageObjectRefs> {
  const refs = new Map<string, { ref: string; alua: boolean }>();
  const prefix = base === '' ? '' : `${base}/`;
  for (const [path, kind] of snap.entries()) {
    if (kind !== 'link' || !path.startsWith(prefix)) continue;
    const so = snap.link(path);
    const location = so ? storageObjectLocationOf(so) : null;
    if (!so || !location || refs.has(so)) continue;
    const { plugin, name } = location;
    const aluaText =
      plugin === 'user' ? await cfs.readValue(settingPath(so, 'attrib', STORAGE_OBJECT_ATTRIBUTES.aluaSupport), { what: 'alua_support', missing: 'null' }) : undefined;
    refs.set(so, { ref: storageObjectRef(plugin, name), alua: supportsAlua(plugin, aluaText ?? undefined) });
  }
  return refs;
}
