/**
 * dump: the whole configuration as saveconfig.json, read from ONE snapshot
 * of the target tree (rtslib-fb walks and re-reads configfs per object; its
 * mapped-LUN dump scans every LUN per mapping). Each entry is the one that
 * object's own `dump()` returns (saved-forms.ts).
 */
import { madeWith } from './storage-plugins.js';
import type { RTSRoot } from './rts-root.js';
import type { Snapshot } from '../cfs/snapshot.js';
import { FABRICS, isFabricName } from '../cfs/fabrics.js';
import { wwnToConfigfs } from '../cfs/wwn.js';
import { PLUGINS } from '../cfs/plugins.js';
import { CONFIG_EXCLUDES, DISCOVERY_AUTH_DIR, TPG_FILES, child, fabricPath, storageObjectPath, targetPath, tpgPath } from '../cfs/tree.js';
import { listStorageObjects } from './storage-object.js';
import { SECRET_KEYS, storageObjectRef, type FabricModuleConfig, type SaveConfig, type StorageObjectConfig, type TargetConfig } from './saveconfig-format.js';
import { aluaSupportedIn, byKey, fabricModuleForm, storageObjectForm, targetForm, type DumpOptions as ObjectDumpOptions, type PlannerDumpOptions } from './saved-forms.js';

export { discoveryAuthState } from './saved-forms.js';

/** Options of {@link dumpConfig}. */
export interface DumpOptions extends ObjectDumpOptions {
  /**
   * Hold the configfs lock shared while reading (default true), so the dump
   * never records a half-applied write run; false reads without waiting
   * (what `rtslib ls` shows).
   */
  lock?: boolean;
}

/**
 * Builds the saveconfig.json document from a snapshot of the whole target
 * root (the planner's view leaves storage objects' settings out: see
 * {@link PlannerDumpOptions}).
 */
export function dumpSnapshot(snap: Snapshot, options: PlannerDumpOptions = {}): SaveConfig {
  const refs = new Map<string, { ref: string; alua: boolean }>();
  const storageObjects: StorageObjectConfig[] = [];
  for (const location of listStorageObjects(snap)) {
    const { plugin, hbaIndex, name } = location;
    const kernel = PLUGINS[plugin].kernel;
    const so = storageObjectPath(kernel, hbaIndex, name);
    refs.set(so, { ref: storageObjectRef(plugin, name), alua: aluaSupportedIn(snap, plugin, so) });
    storageObjects.push(storageObjectForm(snap, location, madeWith(snap, kernel, so), options));
  }
  const targets: TargetConfig[] = [];
  const fabricModules: FabricModuleConfig[] = [];
  for (const fabric of Object.values(FABRICS)) {
    const fdir = fabricPath(fabric.dir);
    if (!snap.has(fdir) || snap.kind(fdir) !== 'dir') continue;
    // rtslib-fb's RTSRoot.dump keeps the fabric modules that enforce discovery authentication
    const fm = fabricModuleForm(snap, fabric, options);
    if (fm.discovery_enable_auth) fabricModules.push(fm);
    for (const dirName of snap.childDirs(fdir)) {
      if (dirName !== DISCOVERY_AUTH_DIR) targets.push(targetForm(snap, fabric, child(fdir, dirName), refs, options));
    }
  }
  return {
    fabric_modules: fabricModules.sort(byKey((f) => f.name)),
    storage_objects: storageObjects.sort(byKey((s) => `${s.name}\0${s.plugin}`)),
    targets: targets.sort(byKey((t) => `${t.fabric}\0${t.wwn}`)),
  };
}

/**
 * The whole configuration as saveconfig.json, from one snapshot of the tree
 * (less what a config has no key for: cfs/tree.ts CONFIG_EXCLUDES).
 * @example
 * const config = await dumpConfig(new RTSRoot());
 * console.log(config.storage_objects?.length, config.targets?.length);
 */
export async function dumpConfig(root: RTSRoot, options: DumpOptions = {}): Promise<SaveConfig> {
  const read = (): Promise<Snapshot> => root.cfs.snapshot('', { excludeNames: CONFIG_EXCLUDES });
  return dumpSnapshot(await (options.lock === false ? read() : root.cfs.shared(read)), options);
}

/** A deep copy of a config with every password (CHAP and discovery) removed; user ids stay. */
export function redactSecrets(config: SaveConfig): SaveConfig {
  return withSecrets(config, () => undefined);
}

/** A deep copy of a config with the value of every secret key (CHAP and discovery passwords) replaced by `replace(value)`; undefined removes the key. */
function withSecrets(config: SaveConfig, replace: (value: unknown) => unknown): SaveConfig {
  return JSON.parse(JSON.stringify(config, (key, value: unknown) => (SECRET_KEYS.has(key) ? replace(value) : value))) as SaveConfig;
}

/**
 * A deep copy of a config with every password that is set replaced by
 * `(secret)`: what it shows is only whether one is set (for `ls`, which
 * says "mutual auth" when both mutual credentials are).
 */
export function maskSecrets(config: SaveConfig): SaveConfig {
  return withSecrets(config, (value) => (value ? '(secret)' : value));
}

/**
 * The I_T nexus of a TPG (loopback, vhost) as the snapshot shows it: its
 * `nexus` file, `''` when it has none, undefined when the fabric or TPG is
 * unknown.
 */
export function tpgNexus(snap: Snapshot, fabric: string, wwn: string, tag: number): string | undefined {
  if (!isFabricName(fabric)) return undefined;
  const info = FABRICS[fabric];
  if (!info.features.includes('nexus')) return undefined;
  const file = child(tpgPath(targetPath(info.dir, wwnToConfigfs(info, wwn)), tag), TPG_FILES.nexus);
  return snap.has(file) ? (snap.text(file) ?? '').trim() : '';
}
