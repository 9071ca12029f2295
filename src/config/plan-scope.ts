/**
 * What a plan addresses: the keys that identify storage objects and
 * targets across a config and the kernel, the part of a config a partial
 * restore names, and the nodes of the tree a (partial) clear removes.
 */
import type { Snapshot } from '../cfs/snapshot.js';
import { FABRICS, fabricByDir, type FabricInfo, type FabricName } from '../cfs/fabrics.js';
import { PLUGINS, type PluginName } from '../cfs/plugins.js';
import { child, hbaPath, nodeType, storageObjectPath, targetPath } from '../cfs/tree.js';
import { normalizeWwn, wwnFromConfigfs, wwnToConfigfs } from '../cfs/wwn.js';
import { listStorageObjects } from '../model/storage-object.js';
import { RTSLibError } from '../errors.js';
import { storageObjectRef } from './format.js';
import type { SaveConfig, TargetConfig } from './schema.js';

/** A part of the configuration: one target (by WWN) and/or one storage object (by name); neither means all. */
export interface Scope {
  /** A target, by WWN. */
  target?: string;
  /** A storage object, by name. */
  storageObject?: string;
}

/** A storage object's key: its plugin and name. */
export const soKey = (so: { plugin: string; name: string }) => storageObjectRef(so.plugin as PluginName, so.name);
/** A target's key: fabric and normalised WWN. */
export function targetKey(t: TargetConfig): string {
  return `${t.fabric} ${normalizeWwn(FABRICS[t.fabric as FabricName], t.wwn).wwn}`;
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

/** The fabric, configfs directory and normalised WWN of a target of a config. */
export function targetDir(t: TargetConfig): { fabric: FabricInfo; dir: string; wwn: string } {
  const fabric = FABRICS[t.fabric as FabricName];
  const wwn = normalizeWwn(fabric, t.wwn).wwn;
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
        normal = normalizeWwn(fabric, wwn).wwn;
      } catch {
        normal = undefined;
      }
      if (names.includes(want) || (normal !== undefined && names.includes(normal))) out.push(child(top, name));
    }
  }
  return out;
}

/** The storage objects of the snapshot with this name (any plugin). */
function storageObjectsNamed(snap: Snapshot, name: string): string[] {
  return listStorageObjects(snap)
    .filter((so) => so.name === name)
    .map((so) => storageObjectPath(PLUGINS[so.plugin].kernel, so.hbaIndex, so.name));
}

/** What clearing (all, one target, or one storage object with the LUNs exporting it) removes. */
export function clearRoots(snap: Snapshot, options: Scope): string[] {
  if (options.target === undefined && options.storageObject === undefined) return everything(snap);
  return [
    ...(options.target === undefined ? [] : targetsNamed(snap, options.target)),
    ...(options.storageObject === undefined ? [] : storageObjectsNamed(snap, options.storageObject)),
  ];
}

/** The part of `config` a partial restore/clear addresses (`what` names the config in errors when the part is missing). */
export function scope(config: SaveConfig, options: Scope, what: string): SaveConfig {
  if (options.target === undefined && options.storageObject === undefined) return config;
  const out: SaveConfig = { storage_objects: [], targets: [], fabric_modules: [] };
  if (options.storageObject !== undefined) {
    out.storage_objects = (config.storage_objects ?? []).filter((so) => so.name === options.storageObject);
    if (!out.storage_objects.length && what) throw new RTSLibError(`${what} has no storage object named ${JSON.stringify(options.storageObject)}`, { code: 'ENOENT' });
  }
  if (options.target !== undefined) {
    const want = options.target.toLowerCase();
    out.targets = (config.targets ?? []).filter((t) => t.wwn.toLowerCase() === want || targetKey(t).endsWith(` ${want}`));
    if (!out.targets.length && what) throw new RTSLibError(`${what} has no target ${JSON.stringify(options.target)}`, { code: 'ENOENT' });
  }
  return out;
}
