/** How a block object was made, from its `info` (`UDEV PATH`, `readonly`). @internal */
export function blockMadeWith(shown: ShownStorageObject): MadeWith {
  const readonly = infoField(shown.info, 'readonly') === '1';
  return { control: [`udev_path=${infoField(shown.info, 'UDEV PATH') ?? shown.udevPath}`, `readonly=${readonly ? 1 : 0}`], dev: shown.udevPath, readonly };
}

/**
 * Block storage objects (`iblock` plugin; `block` in saveconfig.json): a
 * block device exported directly.
 */
import { stat } from 'node:fs/promises';
import { infoField } from '../cfs/values.js';
import { RTSLibError, RTSLibInvalidArgumentError } from '../errors.js';
import { release } from 'node:os';
import { isInUse } from '../scsi/discovery.js';
import { blockDeviceSize } from '../scsi/block-device-size.js';
import type { Mode, RootHandle } from './cfs-node.js';
import { StorageObject, stringAttributes, type CreationRecipe, type HbaPlacement, type MadeWith, type ShownStorageObject, type StorageObjectLocation } from './storage-object.js';
import { validateDevicePath } from './fileio-storage-object.js';

/** Options for {@link BlockStorageObject.open}. */
export interface BlockOptions {
  /** Absolute path of the block device; required to create. */
  dev?: string;
  /** Unit serial; generated when omitted. */
  wwn?: string;
  /** Export read-only. */
  readonly?: boolean;
  /** Enable the write cache emulation (`emulate_write_cache`). */
  writeBack?: boolean;
  /**
   * Open the device exclusively (default true, what every kernel does);
   * false shares it with other users, which needs the iblock `exclusive`
   * control of Linux 6.17 or later (refused on older kernels, as rtslib-fb does).
   */
  exclusive?: boolean;
  /** Attributes to set after creation. */
  attributes?: Record<string, string | number | boolean>;
  /** Default: `create` when `dev` is given, else `lookup`. */
  mode?: Mode;
}

/** The first Linux release whose iblock takes `exclusive=0` (open the device shared). */
export const SHARED_OPEN_KERNEL = [6, 17] as const;

/** Whether the running kernel's release is at least `major.minor`. */
function kernelAtLeast([major, minor]: readonly [number, number]): boolean {
  const m = /^(\d+)\.(\d+)/.exec(release());
  return m !== null && (Number(m[1]) > major || (Number(m[1]) === major && Number(m[2]) >= minor));
}

/**
 * What creating a block storage object with `options` writes (control
 * strings, udev_path, unit serial, attributes), after checking the options
 * and the device; nothing is written here. Devices in `released` are
 * freed by the same plan before the object is created: not checked for use.
 * @internal
 */
export async function blockRecipe(options: BlockOptions, released: ReadonlySet<string> = new Set()): Promise<CreationRecipe> {
  if (options.dev === undefined) throw new RTSLibInvalidArgumentError('dev', 'is required to create a block storage object');
  const dev = validateDevicePath('dev', options.dev);
  const st = await stat(dev).catch(() => null);
  if (!st) throw new RTSLibInvalidArgumentError('dev', `${dev} does not exist`);
  if (!st.isBlockDevice()) throw new RTSLibInvalidArgumentError('dev', `${dev} is not a block device`);
  const exclusive = options.exclusive ?? true;
  if (!exclusive && !kernelAtLeast(SHARED_OPEN_KERNEL)) {
    throw new RTSLibInvalidArgumentError('exclusive', `false needs Linux ${SHARED_OPEN_KERNEL.join('.')} or later to open a block device shared (this kernel is ${release()})`);
  }
  if (exclusive && !released.has(dev) && (await isInUse(dev))) throw new RTSLibInvalidArgumentError('dev', `block device ${dev} is in use`);
  return {
    control: [`udev_path=${dev}`, `readonly=${options.readonly ? 1 : 0}`, ...(exclusive ? [] : ['exclusive=0'])],
    udevPath: dev,
    ...(options.wwn === undefined ? {} : { wwn: options.wwn }),
    attributes: { ...(options.writeBack ? { emulate_write_cache: '1' } : {}), ...stringAttributes(options.attributes) },
  };
}

/** An iblock storage object. */
export class BlockStorageObject extends StorageObject {
  private constructor(root: RootHandle, location: StorageObjectLocation) {
    super(root, location);
  }

  /**
   * Builds the object of a storage object known to exist (from a snapshot), without I/O.
   * @internal
   */
  static existing(root: RootHandle, location: StorageObjectLocation): BlockStorageObject {
    return new BlockStorageObject(root, location);
  }

  protected override madeWith(shown: ShownStorageObject): MadeWith {
    return blockMadeWith(shown);
  }

  /**
   * Opens (looks up or creates) the block storage object `name`.
   * @example
   * const lv = await BlockStorageObject.open(root, 'lv1', { dev: '/dev/vg0/lv1' });
   * @param placement internal: pins the object to a Backstore's HBA (use `Backstore.storageObject`).
   */
  static async open(root: RootHandle, name: string, options: BlockOptions = {}, placement?: HbaPlacement): Promise<BlockStorageObject> {
    const mode = options.mode ?? (options.dev === undefined ? 'lookup' : 'create');
    return StorageObject.openWith(
      root,
      'block',
      name,
      mode,
      (r, loc) => new BlockStorageObject(r, loc),
      () => blockRecipe(options),
      placement,
    );
  }

  /** Whether the device is exported read-only. */
  /** The block device's major number (from `info`). */
  async major(): Promise<number> {
    return Number(infoField(await this.info(), 'Major'));
  }

  /** The block device's minor number (from `info`). */
  async minor(): Promise<number> {
    return Number(infoField(await this.info(), 'Minor'));
  }

  /** The block device's size in bytes. */
  async size(): Promise<number> {
    const dev = await this.udevPath();
    const size = dev === null ? undefined : blockDeviceSize(dev);
    if (size === undefined) throw new RTSLibError(`${this.describe()}: the size of its device ${dev ?? '(none)'} cannot be read`, { code: 'ENOENT' });
    return size;
  }

  /**
   * Whether the device is open exclusively: true except where a kernel
   * that has the iblock `exclusive` control (6.17+) reports it off.
   */
  async exclusive(): Promise<boolean> {
    return infoField(await this.info(), 'exclusive') !== '0';
  }

  /** Whether the device is exported read-only (from `info`). */
  async readonly(): Promise<boolean> {
    return infoField(await this.info(), 'readonly') === '1';
  }

  /** Whether the write cache emulation is on. */
  async writeBack(): Promise<boolean> {
    return (await this.getAttribute('emulate_write_cache')) === '1';
  }
}
