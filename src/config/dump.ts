/**
 * dump: the whole configuration as saveconfig.json, read from ONE snapshot
 * of the target tree (rtslib-fb walks and re-reads configfs per object; its
 * mapped-LUN dump scans every LUN per mapping). What each value means and
 * how it is spelled follows rtslib-fb 2.1.75's `dump()` exactly, so files
 * are interchangeable; lists are sorted by their keys so a dump of the same
 * state is always the same JSON.
 */
import { madeWith } from '../model/storage-plugins.js';
import { settingFromShown, ALUA_STATUSES, ALUA_TYPES } from '../cfs/settings.js';
import type { RTSRoot } from '../model/rts-root.js';
import type { Snapshot } from '../cfs/snapshot.js';
import { FABRICS, type FabricInfo } from '../cfs/fabrics.js';
import { PLUGINS, supportsAlua, type PluginName } from '../cfs/plugins.js';
import {
  ACL_FILES,
  LUN_FILES,
  MAPPED_LUN_FILES,
  PORTAL_FILES,
  TPG_FILES,
  WWN_FILES,
  aclsPath,
  child,
  fabricPath,
  groupPath,
  lunPath,
  lunsPath,
  parseLunDirName,
  parsePortalDirName,
  parseTpgDirName,
  portalsPath,
  storageObjectPath,
  ALUA_GROUP_FILES,
  STORAGE_OBJECT_ATTRIBUTES,
  aluaGroupPath,
  aluaGroupsPath,
  settingPath,
  splitPath,
  tpgPath,
} from '../cfs/tree.js';
import { authValue } from '../cfs/values.js';
import { wwnFromConfigfs } from '../cfs/wwn.js';
import { listStorageObjects } from '../model/storage-object.js';
import { discoveryAuthIn } from '../model/fabric-module.js';
import { blockDeviceSize } from '../scsi/block-device-size.js';
import { ALUA_SAVED_SETTINGS, CHAP_KEYS, DISCOVERY_KEYS, SECRET_KEYS, storageObjectRef } from './format.js';
import type {
  AluaTpgConfig,
  FabricModuleConfig,
  LunConfig,
  MappedLunConfig,
  NodeAclConfig,
  PortalConfig,
  SaveConfig,
  StorageObjectConfig,
  TargetConfig,
  TpgConfig,
} from './schema.js';

/** Options of {@link dumpConfig}. */
export interface DumpOptions {
  /** Include CHAP passwords (default true: saveconfig.json needs them). User ids are always included. */
  secrets?: boolean;
  /**
   * Hold the configfs lock shared while reading (default true), so the dump
   * never records a half-applied write run; false reads without waiting
   * (what `rtslib ls` shows).
   */
  lock?: boolean;
}

/** rtslib-fb reads values with `.strip()` and saves those that `int()` accepts as integers. */
function savedValue(text: string): number | string {
  const t = text.trim();
  if (/^[+-]?\d+$/.test(t)) {
    const n = Number(t);
    if (Number.isSafeInteger(n)) return n;
  }
  return t;
}

const byKey =
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
  for (const name of snap.childFiles(dir).sort()) {
    const path = child(dir, name);
    if (!snap.isReadable(path) || !snap.isWritable(path)) continue;
    const text = snap.text(path);
    if (text === undefined) continue;
    out[name] = asText ? text.trim() : savedValue(text);
  }
  return Object.keys(out).length ? out : undefined;
}

/** `attributes` and `parameters` of a node, as rtslib-fb's CFSNode.dump adds them. */
function nodeGroups(snap: Snapshot, dir: string): { attributes?: Record<string, number | string>; parameters?: Record<string, string> } {
  const attributes = groupValues(snap, groupPath(dir, 'attrib'), false);
  const parameters = groupValues(snap, groupPath(dir, 'param'), true) as Record<string, string> | undefined;
  return { ...(attributes ? { attributes } : {}), ...(parameters ? { parameters } : {}) };
}

/** Whether a storage object supports ALUA groups (rtslib-fb: not pscsi; user only with attrib/alua_support=1). */
function aluaSupported(snap: Snapshot, plugin: PluginName, so: string): boolean {
  return supportsAlua(plugin, read(snap, settingPath(so, 'attrib', STORAGE_OBJECT_ATTRIBUTES.aluaSupport)));
}

function dumpAluaGroup(snap: Snapshot, so: string, name: string): AluaTpgConfig {
  const dir = aluaGroupPath(so, name);
  const group: AluaTpgConfig = { name, tg_pt_gp_id: Number(read(snap, child(dir, ALUA_GROUP_FILES.id)) ?? 0) };
  for (const setting of ALUA_SAVED_SETTINGS) {
    const text = read(snap, child(dir, setting));
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

/** The unit serial without its `T10 VPD Unit Serial Number:` prefix. */
function unitSerial(snap: Snapshot, so: string): string {
  const path = settingPath(so, 'wwn', WWN_FILES.unitSerial);
  return settingFromShown(path, read(snap, path) ?? '') ?? '';
}

function dumpStorageObject(snap: Snapshot, plugin: PluginName, hbaIndex: number, name: string): StorageObjectConfig {
  const kernel = PLUGINS[plugin].kernel;
  const so = storageObjectPath(kernel, hbaIndex, name);
  const attributes = groupValues(snap, groupPath(so, 'attrib'), false);
  const alua_tpgs = aluaSupported(snap, plugin, so)
    ? snap
        .childDirs(aluaGroupsPath(so))
        .sort()
        .map((g) => dumpAluaGroup(snap, so, g))
    : [];
  const common = { name, ...(attributes ? { attributes } : {}), alua_tpgs };
  const made = madeWith(snap, kernel, so);
  const writeBack = read(snap, settingPath(so, 'attrib', STORAGE_OBJECT_ATTRIBUTES.writeCache)) === '1';
  // the creation settings under their saveconfig names (rtslib-fb's StorageObject.dump)
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
function chapValues(snap: Snapshot, dir: string, secrets: boolean): Partial<Record<(typeof CHAP_KEYS)[number][0], string>> {
  const out: Partial<Record<(typeof CHAP_KEYS)[number][0], string>> = {};
  for (const [key, file] of CHAP_KEYS) {
    if (!secrets && SECRET_KEYS.has(key)) continue;
    const value = authValue(snap.text(settingPath(dir, 'auth', file)) ?? '');
    if (value) out[key] = value;
  }
  return out;
}

/** LUN index by root-relative LUN path, and storage object ref by storage object path. */
interface Refs {
  storageObjects: Map<string, { ref: string; alua: boolean }>;
}

function dumpLun(snap: Snapshot, tpg: string, index: number, refs: Refs): LunConfig | null {
  const dir = lunPath(tpg, index);
  const alias = snap.childLinks(dir)[0];
  if (alias === undefined) return null;
  const so = refs.storageObjects.get(snap.link(child(dir, alias)) ?? '');
  if (!so) return null;
  let group: string | null = null;
  if (so.alua) {
    const path = child(dir, LUN_FILES.aluaGroup);
    group = settingFromShown(path, read(snap, path) ?? '');
  }
  return { alias, alua_tg_pt_gp_name: group, index, storage_object: so.ref };
}

function dumpPortal(snap: Snapshot, tpg: string, name: string): PortalConfig | null {
  const parsed = parsePortalDirName(name);
  if (!parsed) return null;
  const dir = child(portalsPath(tpg), name);
  const flag = (file: string) => {
    const t = read(snap, child(dir, file));
    return t !== undefined && Number(t) !== 0;
  };
  return { ip_address: parsed.ip.includes(':') ? `[${parsed.ip}]` : parsed.ip, iser: flag(PORTAL_FILES.iser), offload: flag(PORTAL_FILES.offload), port: parsed.port };
}

function dumpAcl(snap: Snapshot, fabric: FabricInfo, tpg: string, dirName: string, secrets: boolean): NodeAclConfig {
  const dir = child(aclsPath(tpg), dirName);
  const mapped: MappedLunConfig[] = [];
  for (const name of snap.childDirs(dir)) {
    const index = parseLunDirName(name);
    if (index === null) continue;
    const mdir = child(dir, name);
    const alias = snap.childLinks(mdir)[0];
    const target = alias === undefined ? undefined : snap.link(child(mdir, alias));
    const tpgLun = target ? parseLunDirName(splitPath(target).name) : null;
    if (alias === undefined || tpgLun === null) continue;
    mapped.push({ alias, index, tpg_lun: tpgLun, write_protect: read(snap, child(mdir, MAPPED_LUN_FILES.writeProtect)) === '1' });
  }
  const tag = read(snap, child(dir, ACL_FILES.tag));
  return {
    ...nodeGroups(snap, dir),
    mapped_luns: mapped.sort(byKey((m) => m.index)),
    node_wwn: wwnFromConfigfs(fabric, dirName),
    ...(tag ? { tag } : {}),
    ...(fabric.features.includes('auth') ? chapValues(snap, dir, secrets) : {}),
  };
}

function dumpTpg(snap: Snapshot, fabric: FabricInfo, target: string, tag: number, refs: Refs, secrets: boolean): TpgConfig {
  const dir = tpgPath(target, tag);
  const enable = read(snap, child(dir, TPG_FILES.enable));
  const luns = snap
    .childDirs(lunsPath(dir))
    .map(parseLunDirName)
    .filter((n): n is number => n !== null)
    .map((i) => dumpLun(snap, dir, i, refs))
    .filter((l): l is LunConfig => l !== null)
    .sort(byKey((l) => l.index));
  const portals = snap
    .childDirs(portalsPath(dir))
    .map((n) => dumpPortal(snap, dir, n))
    .filter((p): p is PortalConfig => p !== null)
    .sort(byKey((p) => `${p.ip_address} ${String(p.port).padStart(5, '0')}`));
  const acls = snap
    .childDirs(aclsPath(dir))
    .map((n) => dumpAcl(snap, fabric, dir, n, secrets))
    .sort(byKey((a) => a.node_wwn));
  return {
    ...nodeGroups(snap, dir),
    tag,
    enable: enable === undefined ? true : Number(enable) !== 0,
    luns,
    portals,
    node_acls: acls,
    ...(fabric.features.includes('auth') ? chapValues(snap, dir, secrets) : {}),
  };
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

/** A fabric's saveconfig entry: only when discovery authentication is enforced, with the values that are set (rtslib-fb's dump). */
function dumpFabricModule(snap: Snapshot, fabric: FabricInfo, secrets: boolean): FabricModuleConfig | null {
  const state = discoveryAuthState(snap, fabric);
  if (!state?.discovery_enable_auth) return null;
  const out: FabricModuleConfig = { name: fabric.name, discovery_enable_auth: true };
  for (const [key] of DISCOVERY_KEYS) {
    if (!secrets && SECRET_KEYS.has(key)) continue;
    if (state[key]) out[key] = state[key];
  }
  return out;
}

/** Builds the saveconfig.json document from a snapshot of the whole target root. */
export function dumpSnapshot(snap: Snapshot, options: DumpOptions = {}): SaveConfig {
  const secrets = options.secrets ?? true;
  const refs: Refs = { storageObjects: new Map() };
  const storageObjects: StorageObjectConfig[] = [];
  for (const { plugin, hbaIndex, name } of listStorageObjects(snap)) {
    const so = storageObjectPath(PLUGINS[plugin].kernel, hbaIndex, name);
    refs.storageObjects.set(so, { ref: storageObjectRef(plugin, name), alua: aluaSupported(snap, plugin, so) });
    storageObjects.push(dumpStorageObject(snap, plugin, hbaIndex, name));
  }
  const targets: TargetConfig[] = [];
  const fabricModules: FabricModuleConfig[] = [];
  for (const fabric of Object.values(FABRICS)) {
    const fdir = fabricPath(fabric.dir);
    if (!snap.has(fdir) || snap.kind(fdir) !== 'dir') continue;
    const fm = dumpFabricModule(snap, fabric, secrets);
    if (fm) fabricModules.push(fm);
    for (const dirName of snap.childDirs(fdir)) {
      if (dirName === 'discovery_auth') continue;
      const tdir = child(fdir, dirName);
      const tags = snap
        .childDirs(tdir)
        .map(parseTpgDirName)
        .filter((t): t is number => t !== null)
        .sort((a, b) => a - b);
      targets.push({
        ...nodeGroups(snap, tdir),
        fabric: fabric.name,
        tpgs: tags.map((tag) => dumpTpg(snap, fabric, tdir, tag, refs, secrets)),
        wwn: wwnFromConfigfs(fabric, dirName),
      });
    }
  }
  return {
    fabric_modules: fabricModules.sort(byKey((f) => f.name)),
    storage_objects: storageObjects.sort(byKey((s) => `${s.name}\0${s.plugin}`)),
    targets: targets.sort(byKey((t) => `${t.fabric}\0${t.wwn}`)),
  };
}

/**
 * The whole configuration as saveconfig.json, from one snapshot of the tree.
 * @example
 * const config = await dumpConfig(new RTSRoot());
 * console.log(config.storage_objects?.length, config.targets?.length);
 */
export async function dumpConfig(root: RTSRoot, options: DumpOptions = {}): Promise<SaveConfig> {
  const read = (): Promise<Snapshot> => root.cfs.snapshot('');
  return dumpSnapshot(await (options.lock === false ? read() : root.cfs.shared(read)), options);
}

/** A deep copy of a config with every password (CHAP and discovery) removed; user ids stay. */
export function redactSecrets(config: SaveConfig): SaveConfig {
  return JSON.parse(JSON.stringify(config, (key, value: unknown) => (SECRET_KEYS.has(key) ? undefined : value))) as SaveConfig;
}
