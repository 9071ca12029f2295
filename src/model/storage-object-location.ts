/**
 * Where a storage object lives, and reading that from its configfs path.
 * A module of its own so that the saveconfig entries (saved-forms.ts), which
 * the storage object classes use, can use it too.
 */
import { pluginByKernelName, type PluginName } from '../cfs/plugins.js';
import { CORE_DIR, parseHbaDirName } from '../cfs/tree.js';

/** Where a storage object lives: its plugin, HBA index and name. */
export interface StorageObjectLocation {
  plugin: PluginName;
  hbaIndex: number;
  name: string;
}

/** The storage object a root-relative path names (`core/<plugin>_<index>/<name>`), or null. */
export function storageObjectLocationOf(path: string): StorageObjectLocation | null {
  const parts = path.split('/');
  if (parts.length !== 3 || parts[0] !== CORE_DIR) return null;
  const parsed = parseHbaDirName(parts[1]!);
  return parsed ? { plugin: pluginByKernelName(parsed.plugin).name, hbaIndex: parsed.index, name: parts[2]! } : null;
}
