/**
 * The one table of storage plugins on the model side: for each plugin (by
 * its saveconfig name) the kernel's facts (cfs/plugins.ts), the class of its
 * storage objects, and how an existing object was made (`madeWith`, read
 * from its `info`), which the dump saves and undo and crash recovery make
 * again. RTSRoot's listings, the config planner, the dump, recreation and
 * the Backstore model all take their per-plugin knowledge from here.
 */
import type { Configfs } from '../cfs/configfs.js';
import type { Snapshot } from '../cfs/snapshot.js';
import { PLUGINS, pluginByKernelName, type PluginInfo, type PluginName } from '../cfs/plugins.js';
import { STORAGE_OBJECT_FILES, child, groupPath, type KernelPlugin } from '../cfs/tree.js';
import type { MadeWith, ShownStorageObject, StorageObject, StorageObjectLocation } from './storage-object.js';
import { BlockStorageObject, blockMadeWith } from './block-storage-object.js';
import { FileIOStorageObject, fileioMadeWith } from './fileio-storage-object.js';
import { PSCSIStorageObject, pscsiMadeWith } from './pscsi-storage-object.js';
import { RDMCPStorageObject, rdmcpMadeWith } from './rdmcp-storage-object.js';
import { UserBackedStorageObject, userMadeWith } from './user-storage-object.js';

/** What the model knows of one storage plugin. */
export interface StoragePlugin {
  /** The kernel's names and module. */
  readonly info: PluginInfo;
  /** The object of an existing storage object, without I/O. */
  existing(cfs: Configfs, location: StorageObjectLocation): StorageObject;
  /** How an existing object was made, from what the kernel shows of it. */
  madeWith(shown: ShownStorageObject): MadeWith;
}

/** Every storage plugin, keyed by saveconfig name. */
export const STORAGE_PLUGINS: Readonly<Record<PluginName, StoragePlugin>> = {
  ramdisk: { info: PLUGINS.ramdisk, existing: (cfs, loc) => RDMCPStorageObject.existing(cfs, loc), madeWith: rdmcpMadeWith },
  fileio: { info: PLUGINS.fileio, existing: (cfs, loc) => FileIOStorageObject.existing(cfs, loc), madeWith: fileioMadeWith },
  block: { info: PLUGINS.block, existing: (cfs, loc) => BlockStorageObject.existing(cfs, loc), madeWith: blockMadeWith },
  pscsi: { info: PLUGINS.pscsi, existing: (cfs, loc) => PSCSIStorageObject.existing(cfs, loc), madeWith: pscsiMadeWith },
  user: { info: PLUGINS.user, existing: (cfs, loc) => UserBackedStorageObject.existing(cfs, loc), madeWith: userMadeWith },
};

/** The plugin whose configfs prefix is `kernel` (`rd_mcp` → ramdisk). */
export function storagePluginOf(kernel: KernelPlugin): StoragePlugin {
  return STORAGE_PLUGINS[pluginByKernelName(kernel).name];
}

/** How the storage object at `path` (`core/<plugin>_<n>/<name>`, of plugin `kernel`) was made, as `snap` shows it. */
export function madeWith(snap: Snapshot, kernel: KernelPlugin, path: string): MadeWith {
  return storagePluginOf(kernel).madeWith({
    info: snap.text(child(path, STORAGE_OBJECT_FILES.info)) ?? '',
    udevPath: snap.text(child(path, STORAGE_OBJECT_FILES.udevPath))?.trim() ?? '',
    attribute: (name) => snap.text(child(groupPath(path, 'attrib'), name)),
  });
}
