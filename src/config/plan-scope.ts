/**
 * What a plan addresses: the keys that identify storage objects and
 * targets across a config and the kernel, the part of a config a partial
 * restore names, and the nodes of the tree a (partial) clear removes.
 */
import type { Snapshot } from '../cfs/snapshot.js';
import { FABRICS, fabricByDir, type FabricInfo, type FabricName } from '../cfs/fabrics.js';
import { PLUGINS, type PluginName } from '../cfs/plugins.js';
import { child, hbaPath, nodeType, storageObjectPath, targetPath } from '../cfs/tree.js';
import { normalizeTargetWwn, wwnFromConfigfs, wwnToConfigfs } from '../cfs/wwn.js';
import { listStorageObjects } from '../model/storage-object.js';
import { RTSLibError } from '../errors.js';
import { storageObjectRef } from '../model/saveconfig-format.js';
import type { SaveConfig, TargetConfig } from '../model/saveconfig-format.js';

/** A part of the configuration: one target (by WWN) and/or storage objects (by name); neither means all. */
export interface Scope {
  /** A target, by WWN. A restore brings the storage objects its LUNs need (those the kernel lacks). */
  target?: string;
  /** A storage object by name, or several (a name matches under every plugin). */
  storageObject?: string | readonly string[];
}

/** The storage object names of a scope. */
export function scopeNames(options: Scope): string[] {
  const names = options.storageObject;
  return names === undefined ? [] : typeof names === 'string' ? [names] : [...names];
}

/** A storage object's key: its plugin and name. */
export const soKey = (so: { plugin: string; name: string }) => storageObjectRef(so.plugin as PluginName, so.name);
/** A target's key: fabric and normalised WWN. */
export function targetKey(t: TargetConfig): string {
  return `${t.fabric} ${normalizeTargetWwn(FABRICS[t.fabric as FabricName], t.wwn).wwn}`;
}

/** Where the kernel has each storage object (from the snapshot). */
export function storageObjectDirs(snap: Snapshot): Map<string, { path: string; hba: string; plugin: PluginName; name: string }> {
  const out = new Map<string, { path: string; hba: string; plugin: PluginName; name: string }>();
  for (const { plugin, hbaIndex, name } of listStorageObjects(snap)) {
    const kernel = PLUGINS[plugin].kernel;
    out.set(storageObjectRef(plugin, name), { path: storageObjectPath(kernel, hbaIndex, name), hba: hbaPath(kernel, hbaIndex), plugin, name });
  }
  return out;
}

/** Whether a target entry is the one `wwn` names (as written, or normalised for its fabric), case aside. */
export function namesTarget(t: TargetConfig, wwn: string): boolean {
  const want = wwn.toLowerCase();
  return t.wwn.toLowerCase() === want || targetKey(t).endsWith(` ${want}`);
}

/** The fabric, configfs directory and normalised WWN of a target of a config. */
export function targetDir(t: TargetConfig): { fabric: FabricInfo; dir: string; wwn: string } {
  const fabric = FABRICS[t.fabric as FabricName];
  const wwn = normalizeTargetWwn(fabric, t.wwn).wwn;
  return { fabric, dir: targetPath(fabric.dir, wwnToConfigfs(fabric, wwn)), wwn };
}

/** Every target and HBA of the snapshot: what clearing everything removes. */
function everything(snap: Snapshot): string[] {
  const roots: string[] = [];
  for (const top of snap.childDirs(snap.base)) {
    for (const name of snap.childDirs(top)) {
      const path = child(top, name);
      const type = nodeType(path, 'dir');
      if (type === 'hba' || type === 'target') roots.push(path);
    }
  }
  return roots;
}

/** The targets of the snapshot with this WWN (any fabric). */
function targetsNamed(snap: Snapshot, wwn: string): string[] {
  const want = wwn.toLowerCase();
  const out: string[] = [];
  for (const top of snap.childDirs(snap.base)) {
    const fabric = fabricByDir(top);
    if (!fabric) continue;
    for (const name of snap.childDirs(top)) {
      if (nodeType(child(top, name), 'dir') !== 'target') continue;
      const names = [name.toLowerCase(), wwnFromConfigfs(fabric, name).toLowerCase()];
      let normal: string | undefined;
      try {
        normal = normalizeTargetWwn(fabric, wwn).wwn;
      } catch {
        normal = undefined;
      }
      if (names.includes(want) || (normal !== undefined && names.includes(normal))) out.push(child(top, name));
    }
  }
  return out;
}

/** The storage objects of the snapshot with one of these names (any plugin). */
function storageObjectsNamed(snap: Snapshot, names: readonly string[]): string[] {
  const wanted = new Set(names);
  return listStorageObjects(snap)
    .filter((so) => wanted.has(so.name))
    .map((so) => storageObjectPath(PLUGINS[so.plugin].kernel, so.hbaIndex, so.name));
}

/** Whether a scope is the whole configuration. */
export function isWhole(options: Scope): boolean {
  return options.target === undefined && options.storageObject === undefined;
}

/** What clearing (all, one target, or storage objects with the LUNs exporting them) removes. */
export function clearRoots(snap: Snapshot, options: Scope): string[] {
  if (isWhole(options)) return everything(snap);
  return [...(options.target === undefined ? [] : targetsNamed(snap, options.target)), ...storageObjectsNamed(snap, scopeNames(options))];
}

/**
 * The part of `config` a partial restore/clear addresses (`what` names the
 * config in errors when a part is missing): the named storage objects, and
 * the target with the storage objects its LUNs need.
 */
export function scope(config: SaveConfig, options: Scope, what: string): SaveConfig {
  if (isWhole(options)) return config;
  const out: SaveConfig = { storage_objects: [], targets: [], fabric_modules: [] };
  const keys = new Set<string>();
  for (const name of scopeNames(options)) {
    const found = (config.storage_objects ?? []).filter((so) => so.name === name);
    if (!found.length && what) throw new RTSLibError(`${what} has no storage object named ${JSON.stringify(name)}`, { code: 'ENOENT' });
    for (const so of found) keys.add(soKey(so));
  }
  if (options.target !== undefined) {
    const wwn = options.target;
    out.targets = (config.targets ?? []).filter((t) => namesTarget(t, wwn));
    if (!out.targets.length && what) throw new RTSLibError(`${what} has no target ${JSON.stringify(options.target)}`, { code: 'ENOENT' });
    for (const t of out.targets) for (const g of t.tpgs ?? []) for (const l of g.luns ?? []) keys.add(l.storage_object);
  }
  out.storage_objects = (config.storage_objects ?? []).filter((so) => keys.has(soKey(so)));
  return out;
}
