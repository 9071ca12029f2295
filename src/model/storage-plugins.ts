/**
 * The one table of storage plugins on the model side: for each plugin (by
 * its saveconfig name) the kernel's facts (cfs/plugins.ts), the class of its
 * storage objects, and how an existing object was made (`madeWith`, read
 * from its `info`), which the dump saves and undo and crash recovery make
 * again. RTSRoot's listings, the config planner, the dump, recreation and
 * the Backstore model all take their per-plugin knowledge from here.
 */
import type { RootHandle } from './cfs-node.js';
import type { Snapshot } from '../cfs/snapshot.js';
import { PLUGINS, pluginByKernelName, type PluginInfo, type PluginName } from '../cfs/plugins.js';
import type { KernelPlugin } from '../cfs/tree.js';
import { shownIn, type CreationRecipe, type MadeWith, type ShownStorageObject, type StorageObject, type StorageObjectLocation } from './storage-object.js';
import { BlockStorageObject, blockMadeWith, blockRecipe, type BlockOptions } from './block-storage-object.js';
import { FileIOStorageObject, fileioMadeWith, fileioRecipe, type FileIOOptions } from './fileio-storage-object.js';
import { PSCSIStorageObject, pscsiMadeWith, pscsiRecipe, type PSCSIOptions } from './pscsi-storage-object.js';
import { RDMCPStorageObject, rdmcpMadeWith, rdmcpRecipe, type RDMCPOptions } from './rdmcp-storage-object.js';
import { UserBackedStorageObject, userMadeWith, userRecipe, type UserOptions } from './user-storage-object.js';

/** The creation options of each plugin (what its class's `open` takes). */
export interface StoragePluginOptions {
  ramdisk: RDMCPOptions;
  fileio: FileIOOptions;
  block: BlockOptions;
  pscsi: PSCSIOptions;
  user: UserOptions;
}

/** What the model knows of one storage plugin. */
export interface StoragePlugin<O = unknown> {
  /** The kernel's names and module. */
  readonly info: PluginInfo;
  /** The object of an existing storage object, without I/O. */
  existing(root: RootHandle, location: StorageObjectLocation): StorageObject;
  /** How an existing object was made, from what the kernel shows of it. */
  madeWith(shown: ShownStorageObject): MadeWith;
  /**
   * What creating an object with `options` writes, after checking them and
   * the device (nothing is written); devices in `released` are freed by the
   * same plan first and not checked for use.
   */
  recipe(options: O, released: ReadonlySet<string>): Promise<CreationRecipe>;
}

/** Every storage plugin, keyed by saveconfig name. */
export const STORAGE_PLUGINS: { readonly [P in PluginName]: StoragePlugin<StoragePluginOptions[P]> } = {
  ramdisk: { info: PLUGINS.ramdisk, existing: (root, loc) => RDMCPStorageObject.existing(root, loc), madeWith: rdmcpMadeWith, recipe: (o) => rdmcpRecipe(o) },
  fileio: { info: PLUGINS.fileio, existing: (root, loc) => FileIOStorageObject.existing(root, loc), madeWith: fileioMadeWith, recipe: fileioRecipe },
  block: { info: PLUGINS.block, existing: (root, loc) => BlockStorageObject.existing(root, loc), madeWith: blockMadeWith, recipe: blockRecipe },
  pscsi: {
    info: PLUGINS.pscsi,
    existing: (root, loc) => PSCSIStorageObject.existing(root, loc),
    madeWith: pscsiMadeWith,
    recipe: (o, released) => pscsiRecipe(o.dev, null, released),
  },
  user: { info: PLUGINS.user, existing: (root, loc) => UserBackedStorageObject.existing(root, loc), madeWith: userMadeWith, recipe: (o) => userRecipe(o) },
};

/** The plugin whose configfs prefix is `kernel` (`rd_mcp` → ramdisk). */
export function storagePluginOf(kernel: KernelPlugin): StoragePlugin<never> {
  return STORAGE_PLUGINS[pluginByKernelName(kernel).name];
}

/** How the storage object at `path` (`core/<plugin>_<n>/<name>`, of plugin `kernel`) was made, as `snap` shows it. */
export function madeWith(snap: Snapshot, kernel: KernelPlugin, path: string): MadeWith {
  return storagePluginOf(kernel).madeWith(shownIn(snap, path));
}
