/**
 * Storage objects (the kernel's "devices" under `core/`), the base of the five
 * plugin classes. In rtslib-fb's model every storage object sits in an HBA
 * directory of its own, `core/<plugin>_<N>`, with N the lowest free index.
 */
import { randomUUID } from 'node:crypto';
import type { Configfs, CfsOp } from '../cfs/configfs.js';
import { RTSLibOperationError } from '../cfs/configfs.js';
import type { Snapshot } from '../cfs/snapshot.js';
import {
  CORE_DIR,
  STORAGE_OBJECT_ATTRIBUTES,
  STORAGE_OBJECT_FILES,
  WWN_FILES,
  HBA_FILES,
  PR_FILES,
  ROOT_FILES,
  child,
  groupPath,
  hbaPath,
  parseHbaDirName,
  storageObjectPath,
  type AttributeGroup,
  type KernelPlugin,
  settingPath,
} from '../cfs/tree.js';
import { PLUGINS, pluginByKernelName, supportsAlua, type PluginName } from '../cfs/plugins.js';
import { ALUATargetPortGroup } from './alua-target-port-group.js';
import { withSavedRegistrations } from './persistent-reservations.js';
import { lunsExporting } from './lun-exports.js';
import { validateName, validateSettingName, validateValue } from '../cfs/names.js';
import { RTSLibError, RTSLibInvalidArgumentError, RTSLibNotInCFSError } from '../errors.js';
import { infoField } from '../cfs/values.js';
import { CFSNode, openMode, validateMode } from './cfs-node.js';
import type { RootHandle, Mode } from './cfs-node.js';
import type { LUN } from './lun.js';
import { storageObjectForm } from './saved-forms.js';
import type { StorageObjectConfig } from './saveconfig-format.js';
import type { StorageObjectLocation } from './storage-object-location.js';

export { storageObjectLocationOf, type StorageObjectLocation } from './storage-object-location.js';

/**
 * An explicit HBA for a storage object (the original rtslib's Backstore
 * model): the object is looked up in, and created in, `core/<plugin>_<hbaIndex>`
 * only; the HBA directory must already exist and is not created or removed
 * by the storage object. Backstores pass it; most callers leave it out.
 */
export interface HbaPlacement {
  /** Index of the existing HBA directory. */
  hbaIndex: number;
  /** The HBA belongs to a Backstore: {@link StorageObject.delete} must leave it. */
  ownedByBackstore: boolean;
}

/** Whether a native or library error is ENOENT. */
function isEnoent(error: unknown): boolean {
  return typeof error === 'object' && error !== null && ((error as { errno?: unknown }).errno === -2 || (error as { code?: unknown }).code === 'ENOENT');
}

/**
 * What the kernel shows of an existing storage object, for a plugin's
 * `madeWith`: its `info` text, its `udev_path`, and its attributes.
 */
export interface ShownStorageObject {
  /** The `info` text. */
  info: string;
  /** The `udev_path` value ('' when unset). */
  udevPath: string;
  /** An attribute's value (`attrib/<name>`), undefined when not read. */
  attribute(name: string): string | undefined;
}

/** What `snap` shows of the storage object at `path`. */
export function shownIn(snap: Snapshot, path: string): ShownStorageObject {
  return {
    info: snap.text(child(path, STORAGE_OBJECT_FILES.info)) ?? '',
    udevPath: snap.text(child(path, STORAGE_OBJECT_FILES.udevPath))?.trim() ?? '',
    attribute: (name) => snap.text(child(groupPath(path, 'attrib'), name)),
  };
}

/**
 * How an existing storage object was made, as the kernel shows it: the
 * control strings that make it again (what undo and crash recovery write),
 * and the creation settings a saved config records. The kernel never shows
 * the control string itself; each plugin rebuilds it from `info`
 * (drivers/target/target_core_{file,iblock,rd,pscsi,user}.c,
 * `*_show_configfs_dev_params`).
 */
export interface MadeWith {
  /** The control strings, in the order they are written. */
  control: string[];
  /** The backing device or file. */
  dev?: string;
  /** Size in bytes (fileio, ramdisk, user). */
  size?: number;
  /** fileio: asynchronous I/O. */
  aio?: boolean;
  /** block: read-only. */
  readonly?: boolean;
  /** ramdisk: no backing pages. */
  nullio?: boolean;
  /** user: the handler's config string. */
  config?: string;
  /** user: the maximum sectors per command. */
  hwMaxSectors?: number;
  /** user: the extra control keys a user may set (`key=value,...`). */
  userControl?: string;
}

/** What a plugin class hands to {@link StorageObject} to create an object. */
export interface CreationRecipe {
  /** The `control` string(s), written in order. */
  control: string[];
  /** `udev_path` value, when the plugin has one. */
  udevPath?: string;
  /** Unit serial (`wwn/vpd_unit_serial`); generated when undefined and the plugin has one. */
  wwn?: string;
  /** Attributes written after enabling. */
  attributes?: Record<string, string>;
  /** Saved APTPL registrations written back (`pr/res_aptpl_metadata`) after the attributes, before any LUN exists. */
  aptplRegistrations?: readonly string[];
  /** fileio on a regular file: the filesystem (`st_dev`) the file is on, or will be created on. */
  fileSystem?: number;
}

/**
 * The operations creating a storage object from a recipe, in the kernel's
 * write order: the HBA directory (when `createHba`), the object, `control`,
 * `udev_path`, `enable`, the unit serial; then, separately, the attributes.
 * Values are validated here, before anything is written.
 */
export function storageObjectCreationOps(plugin: PluginName, hbaIndex: number, name: string, recipe: CreationRecipe, createHba: boolean): { create: CfsOp[]; attributes: CfsOp[] } {
  const kernel = PLUGINS[plugin].kernel;
  const so = storageObjectPath(kernel, hbaIndex, name);
  const create: CfsOp[] = createHba
    ? [
        { op: 'mkdir', path: hbaPath(kernel, hbaIndex) },
        { op: 'mkdir', path: so },
      ]
    : [{ op: 'mkdir', path: so }];
  for (const value of recipe.control) create.push({ op: 'write', path: child(so, STORAGE_OBJECT_FILES.control), value: validateValue('control', value) });
  if (recipe.udevPath !== undefined) create.push({ op: 'write', path: child(so, STORAGE_OBJECT_FILES.udevPath), value: validateValue('udev_path', recipe.udevPath) });
  create.push({ op: 'write', path: child(so, STORAGE_OBJECT_FILES.enable), value: '1' });
  if (recipe.wwn !== undefined && PLUGINS[plugin].hasUnitSerial)
    create.push({ op: 'write', path: settingPath(so, 'wwn', WWN_FILES.unitSerial), value: validateValue('wwn', recipe.wwn) });
  const attributes: CfsOp[] = Object.entries(recipe.attributes ?? {}).map(([k, v]) => ({
    op: 'write',
    path: settingPath(so, 'attrib', validateSettingName('attribute name', k)),
    value: validateValue(`attribute ${k}`, v),
  }));
  for (const registration of recipe.aptplRegistrations ?? [])
    attributes.push({ op: 'write', path: settingPath(so, 'pr', PR_FILES.aptplMetadata), value: validateValue('APTPL registration', registration) });
  return { create, attributes };
}

/** Converts attribute values given as numbers or booleans to the strings written. */
export function stringAttributes(attributes: Record<string, string | number | boolean> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(attributes ?? {}).map(([k, v]) => [k, typeof v === 'boolean' ? (v ? '1' : '0') : String(v)]));
}

/** Snapshot depth that covers HBAs and the storage objects in them. */
const CORE_DEPTH = 2;

/** Finds a storage object by plugin and name in a snapshot of `core/`. */
export function findStorageObject(snap: Snapshot, plugin: PluginName, name: string): StorageObjectLocation | null {
  for (const hba of snap.childDirs(CORE_DIR)) {
    const parsed = parseHbaDirName(hba);
    if (!parsed || parsed.plugin !== PLUGINS[plugin].kernel) continue;
    if (snap.kind(storageObjectPath(parsed.plugin, parsed.index, name)) === 'dir') {
      return { plugin, hbaIndex: parsed.index, name };
    }
  }
  return null;
}

/** Every storage object in a snapshot of `core/`. */
export function listStorageObjects(snap: Snapshot): StorageObjectLocation[] {
  const found: StorageObjectLocation[] = [];
  for (const hba of snap.childDirs(CORE_DIR)) {
    const parsed = parseHbaDirName(hba);
    if (!parsed) continue;
    const plugin = pluginByKernelName(parsed.plugin);
    for (const name of snap.childDirs(hbaPath(parsed.plugin, parsed.index))) {
      found.push({ plugin: plugin.name, hbaIndex: parsed.index, name });
    }
  }
  return found;
}

/** Lowest HBA index of `plugin` not in the snapshot, at or above `from`. */
function lowestFreeHbaIndex(snap: Snapshot, plugin: KernelPlugin, from: number): number {
  const used = new Set(
    snap
      .childDirs(CORE_DIR)
      .map(parseHbaDirName)
      .filter((p) => p?.plugin === plugin)
      .map((p) => p!.index),
  );
  let index = from;
  while (used.has(index)) index++;
  return index;
}

/** A storage object of any plugin. */
export abstract class StorageObject extends CFSNode {
  /** Name of the object. */
  readonly name: string;
  /** saveconfig name of the plugin. */
  readonly plugin: PluginName;
  /** Index of the HBA directory holding it. */
  readonly hbaIndex: number;
  /**
   * True when the object was opened through a Backstore: its HBA belongs to
   * the Backstore and {@link delete} leaves it in place.
   */
  protected ownedByBackstore = false;

  /** The root it was opened from. */
  readonly root: RootHandle;

  protected constructor(root: RootHandle, location: StorageObjectLocation) {
    super(root.cfs, storageObjectPath(PLUGINS[location.plugin].kernel, location.hbaIndex, location.name));
    this.root = root;
    this.name = location.name;
    this.plugin = location.plugin;
    this.hbaIndex = location.hbaIndex;
  }

  /** e.g. `ramdisk storage object ram1 (core/rd_mcp_0/ram1)` */
  describe(): string {
    return `${this.plugin} storage object ${this.name} (${this.relativePath})`;
  }

  protected override groups(): readonly AttributeGroup[] {
    return ['attrib', 'wwn', 'pr', 'alua'];
  }

  /** Where the object is: plugin, HBA index and name. */
  get location(): StorageObjectLocation {
    return { plugin: this.plugin, hbaIndex: this.hbaIndex, name: this.name };
  }

  /** How the object was made, from what the kernel shows of it (its plugin's `madeWith`). */
  protected abstract madeWith(shown: ShownStorageObject): MadeWith;

  /**
   * The object's saveconfig.json entry, as rtslib-fb's `dump()` gives it and
   * as a whole save records it, from one read of its directory.
   * @example
   * const entry = await so.dump(); // { plugin: 'block', name: 'disk1', dev: '/dev/sdb', wwn: '…', … }
   */
  async dump(): Promise<StorageObjectConfig> {
    await this.checkExists();
    const snap = await this.cfs.snapshot(this.relativePath);
    return storageObjectForm(snap, this.location, this.madeWith(shownIn(snap, this.relativePath)));
  }

  /** Root-relative path of the HBA directory. */
  get hbaPath(): string {
    return hbaPath(PLUGINS[this.plugin].kernel, this.hbaIndex);
  }

  /**
   * Opens a storage object of `plugin` according to `mode`. `recipe` is
   * called only when the object must be created; it validates the options
   * (it may look at files and devices) before anything is written.
   * `placement`, when given, pins the object to an existing HBA (Backstore
   * model): lookup and creation happen in that HBA only.
   * @internal
   */
  protected static async openWith<T extends StorageObject>(
    root: RootHandle,
    plugin: PluginName,
    name: string,
    mode: Mode,
    make: (root: RootHandle, location: StorageObjectLocation) => T,
    recipe: (() => CreationRecipe | Promise<CreationRecipe>) | null,
    placement?: HbaPlacement,
  ): Promise<T> {
    if (placement) return StorageObject.openInHba(root, plugin, name, mode, make, recipe, placement);
    const cfs = root.cfs;
    validateName('storage object name', name);
    validateMode(mode);
    const snap = await cfs.snapshot(CORE_DIR, { maxDepth: CORE_DEPTH });
    const existing = findStorageObject(snap, plugin, name);
    const path = existing ? cfs.abs(storageObjectPath(PLUGINS[plugin].kernel, existing.hbaIndex, name)) : cfs.abs(CORE_DIR);
    openMode(
      recipe === null && mode === 'any' ? 'lookup' : mode,
      existing !== null,
      { describe: () => `${plugin} storage object ${name}`, path },
      { absent: 'does not exist (no such name in any HBA)' },
    );
    if (existing) return make(root, existing);
    if (recipe === null) throw new RTSLibInvalidArgumentError('mode', `${plugin} storage objects cannot be created here`);
    const location = await createStorageObject(cfs, snap, plugin, name, await recipe());
    const object = make(root, location);
    object.fresh = true;
    return object;
  }

  /** {@link openWith} for an object pinned to an existing HBA. */
  private static async openInHba<T extends StorageObject>(
    root: RootHandle,
    plugin: PluginName,
    name: string,
    mode: Mode,
    make: (root: RootHandle, location: StorageObjectLocation) => T,
    recipe: (() => CreationRecipe | Promise<CreationRecipe>) | null,
    placement: HbaPlacement,
  ): Promise<T> {
    const cfs = root.cfs;
    validateName('storage object name', name);
    validateMode(mode);
    const kernel = PLUGINS[plugin].kernel;
    const hba = hbaPath(kernel, placement.hbaIndex);
    const so = storageObjectPath(kernel, placement.hbaIndex, name);
    const snap = await cfs.snapshot(hba, { maxDepth: 1 }).catch((error: unknown) => {
      if (isEnoent(error)) throw new RTSLibNotInCFSError(`HBA ${hba} does not exist in configfs`, cfs.abs(hba));
      throw error;
    });
    const location: StorageObjectLocation = { plugin, hbaIndex: placement.hbaIndex, name };
    let object: T;
    const create = openMode(recipe === null && mode === 'any' ? 'lookup' : mode, snap.kind(so) === 'dir', {
      describe: () => `${plugin} storage object ${name} in ${hba}`,
      path: cfs.abs(so),
    });
    if (!create) {
      object = make(root, location);
    } else {
      if (recipe === null) throw new RTSLibInvalidArgumentError('mode', `${plugin} storage objects cannot be created here`);
      await createStorageObject(cfs, snap, plugin, name, await recipe(), placement.hbaIndex);
      object = make(root, location);
      object.fresh = true;
    }
    object.ownedByBackstore = placement.ownedByBackstore;
    return object;
  }

  /** The unit serial (`wwn/vpd_unit_serial` without its `T10 VPD Unit Serial Number: ` prefix). */
  async wwn(): Promise<string> {
    const text = await this.readGroupValue('wwn', WWN_FILES.unitSerial);
    return text.replace(/^T10 VPD Unit Serial Number:\s*/, '');
  }

  /** The kernel's `info` text for the object. */
  async info(): Promise<string> {
    return this.readFile(STORAGE_OBJECT_FILES.info);
  }

  /** The backing device or file (`udev_path`), or null when unset. */
  async udevPath(): Promise<string | null> {
    const text = await this.readOptionalFile(STORAGE_OBJECT_FILES.udevPath);
    return text === null || text === '' ? null : text;
  }

  /**
   * The kernel's status from `info`, in lower case as rtslib-fb gives it:
   * `activated` while at least one LUN exports the object, else
   * `deactivated` (`unknown` when the kernel shows none).
   * @example
   * if ((await so.status()) === 'activated') console.log('exported');
   */
  async status(): Promise<string> {
    return (infoField(await this.info(), 'Status') ?? 'unknown').toLowerCase();
  }

  /** Every readable attribute (`attrib/`) and its value, from one read of the object. */
  async attributes(): Promise<Record<string, string>> {
    await this.checkExists();
    const dir = groupPath(this.relativePath, 'attrib');
    const snap = await this.cfs.snapshot(dir, { maxDepth: 1 });
    const out: Record<string, string> = {};
    for (const name of snap.childFiles(dir)) {
      const text = snap.text(`${dir}/${name}`);
      if (text !== undefined) out[name] = text;
    }
    return out;
  }

  /**
   * Sets the unit serial (`wwn/vpd_unit_serial`) of a configured object;
   * the kernel refuses while a LUN exports it. pscsi objects have none.
   * @example
   * await so.setWwn('6f7a1d52-3c0e-4c55-9a0b-000000000001');
   */
  async setWwn(wwn: string): Promise<void> {
    if (!PLUGINS[this.plugin].hasUnitSerial) throw new RTSLibInvalidArgumentError('wwn', `${this.plugin} storage objects have no unit serial`);
    const value = validateValue('wwn', wwn);
    if (!(await this.isConfigured())) throw new RTSLibError(`${this.describe()} is not configured: it has no unit serial to set`, { code: 'EINVAL' });
    await this.writeGroupValue('wwn', WWN_FILES.unitSerial, value);
  }

  /** Whether the object is configured (`enable` is 1; rtslib-fb's `is_configured()`). */
  async isConfigured(): Promise<boolean> {
    return (await this.readOptionalFile(STORAGE_OBJECT_FILES.enable)) !== '0';
  }

  /**
   * The version of the object's plugin (`version` in its HBA's `hba_info`, rtslib-fb's `version`).
   * @example
   * console.log(await so.version()); // 'v4.0'
   */
  async version(): Promise<string | null> {
    const text = await this.cfs.readValue(child(this.hbaPath, HBA_FILES.info), { what: `hba_info of ${this.hbaPath}`, missing: 'throw' });
    return /\bversion:\s*(\S+)/.exec(text ?? '')?.[1] ?? null;
  }

  /**
   * Whether the object can have ALUA groups (rtslib-fb's `alua_supported`):
   * not pscsi; TCMU only when its handler set `attrib/alua_support`.
   * @example
   * if (await so.aluaSupported()) await ALUATargetPortGroup.open(so, 'ao', { tag: 2 });
   */
  async aluaSupported(): Promise<boolean> {
    if (this.plugin !== 'user') return supportsAlua(this.plugin, undefined);
    await this.checkExists();
    const snap = await this.cfs.snapshot(groupPath(this.relativePath, 'attrib'), { maxDepth: 1 });
    return supportsAlua(this.plugin, snap.text(settingPath(this.relativePath, 'attrib', STORAGE_OBJECT_ATTRIBUTES.aluaSupport)));
  }

  /**
   * The object's ALUA target port groups (the kernel's `default_tg_pt_gp`
   * included), by name, from one read; none when it does not support ALUA.
   * @example
   * const names = (await so.aluaTpgs()).map((g) => g.name);
   */
  async aluaTpgs(): Promise<ALUATargetPortGroup[]> {
    if (!(await this.aluaSupported())) return [];
    const dir = child(this.relativePath, 'alua');
    const snap = await this.cfs.snapshot(dir, { maxDepth: 1 });
    return snap
      .childDirs(dir)
      .sort()
      .map((name) => ALUATargetPortGroup.existing(this, name));
  }

  /**
   * The LUNs (of every target) that export this storage object, from one
   * read of the tree's structure.
   * @example
   * for (const lun of await so.attachedLuns()) console.log(lun.describe());
   */
  async attachedLuns(): Promise<LUN[]> {
    await this.checkExists();
    return (await lunsExporting(this.root, this.relativePath)).luns;
  }

  /**
   * Removes the storage object, then its HBA directory unless the HBA belongs
   * to a Backstore (opened through one) or still holds other storage objects.
   */
  async delete(): Promise<void> {
    await this.checkExists();
    try {
      await this.removeFromTree('', [this.relativePath], { removeEmptiedHbas: !this.ownedByBackstore });
    } catch (error) {
      // Another process put an object into the HBA meanwhile: the HBA stays, the deletion is done.
      if (error instanceof RTSLibOperationError && error.step.path === this.cfs.abs(this.hbaPath) && (error.code === 'ENOTEMPTY' || error.code === 'EBUSY')) return;
      throw error;
    }
  }
}

/**
 * Creates `core/<plugin>_<N>/<name>` in the kernel's write order (HBA, object,
 * control, udev_path, enable, unit serial, attributes) as one batch. With
 * `existingHba` the object goes into that (existing) HBA, which is neither
 * created nor retried. Otherwise N is the lowest free index; when another
 * writer that does not take the lock claims it first (EEXIST on the HBA
 * mkdir), `core/` is listed again and the lowest index free then is tried:
 * a claim never gives up while a free index exists. On any other failure
 * everything done is removed again and the error names the step.
 */
async function createStorageObject(
  cfs: Configfs,
  snapshot: Snapshot,
  plugin: PluginName,
  name: string,
  recipe: CreationRecipe,
  existingHba?: number,
): Promise<StorageObjectLocation> {
  const kernel = PLUGINS[plugin].kernel;
  let index = existingHba ?? lowestFreeHbaIndex(snapshot, kernel, 0);
  const wwn = recipe.wwn ?? (PLUGINS[plugin].hasUnitSerial ? randomUUID() : undefined);
  // registrations the kernel saved for this unit serial come back with the object (rtslib-fb does the same)
  if (recipe.wwn !== undefined && PLUGINS[plugin].hasUnitSerial) {
    recipe = await withSavedRegistrations(recipe, await cfs.readValue(ROOT_FILES.dbroot, { what: 'dbroot', missing: 'null' }));
  }
  for (;;) {
    const planned = storageObjectCreationOps(plugin, index, name, { ...recipe, ...(wwn === undefined ? {} : { wwn }) }, existingHba === undefined);
    const ops = [...planned.create, ...planned.attributes];
    const so = storageObjectPath(kernel, index, name);
    try {
      await cfs.apply(ops, { what: `create ${plugin} storage object ${name} (${so})` });
      return { plugin, hbaIndex: index, name };
    } catch (err) {
      if (existingHba === undefined && err instanceof RTSLibOperationError && err.step.step === 0 && err.code === 'EEXIST') {
        // taken meanwhile: the lowest index free now (always above this one's, or free again)
        const entries = (await cfs.list(CORE_DIR)) ?? [];
        const used = new Set(
          entries
            .map((e) => parseHbaDirName(e.name))
            .filter((p) => p?.plugin === kernel)
            .map((p) => p!.index),
        );
        used.add(index);
        index = 0;
        while (used.has(index)) index++;
        continue;
      }
      throw err;
    }
  }
}
