/**
 * User-backed storage objects (`user` plugin, TCMU): I/O is handled by a
 * userspace handler such as tcmu-runner. The object can be created while no
 * handler runs.
 */
import { parseSize, validateControlValue } from '../cfs/names.js';
import { validateUserControl } from '../cfs/plugins.js';
import { infoField } from '../cfs/values.js';
import { STORAGE_OBJECT_ATTRIBUTES } from '../cfs/tree.js';
import { RTSLibInvalidArgumentError } from '../errors.js';
import type { Mode, RootHandle } from './cfs-node.js';
import { StorageObject, stringAttributes, type CreationRecipe, type HbaPlacement, type MadeWith, type ShownStorageObject, type StorageObjectLocation } from './storage-object.js';

/** Options for {@link UserBackedStorageObject.open}. */
export interface UserOptions {
  /** Handler configuration `<handler>/<config>`, e.g. `rbd/pool/image`; required to create. */
  config?: string;
  /** Size (bytes or `"1G"`); required to create. */
  size?: number | string;
  /** Unit serial; generated when omitted. */
  wwn?: string;
  /** Max sectors per command exported to initiators. */
  hwMaxSectors?: number;
  /** Extra control string, e.g. `max_data_area_mb=64`. */
  control?: string;
  /** Attributes to set after creation. */
  attributes?: Record<string, string | number | boolean>;
  /** Default: `create` when `size` is given, else `lookup`. */
  mode?: Mode;
}

/** The TCMU control keys and the `info` fields that show them (target_core_user.c). */
const USER_SHOWN_CONTROL = [
  ['dev_config', 'Config'],
  ['dev_size', 'Size'],
  ['max_data_area_mb', 'MaxDataAreaMB'],
  ['data_pages_per_blk', 'DataPagesPerBlk'],
  ['hw_max_sectors', 'HwMaxSectors'],
  ['cmd_ring_size_mb', 'CmdRingSizeMB'],
] as const;

/** How a TCMU object was made, from its `info` and `hw_block_size` attribute. @internal */
export function userMadeWith(shown: ShownStorageObject): MadeWith {
  const set = (value: string | undefined): value is string => value !== undefined && value !== 'NULL';
  const control: string[] = [];
  for (const [key, field] of USER_SHOWN_CONTROL) {
    const value = infoField(shown.info, field);
    if (set(value)) control.push(`${key}=${value}`);
  }
  // what a saved config records as `control`: the keys a user may set
  const userControl: string[] = [];
  const maxArea = infoField(shown.info, 'MaxDataAreaMB');
  if (set(maxArea)) userControl.push(`max_data_area_mb=${maxArea}`);
  const blockSize = shown.attribute(STORAGE_OBJECT_ATTRIBUTES.hwBlockSize);
  if (set(blockSize)) userControl.push(`hw_block_size=${blockSize}`);
  const pagesPerBlock = infoField(shown.info, 'DataPagesPerBlk');
  if (set(pagesPerBlock)) userControl.push(`data_pages_per_blk=${pagesPerBlock}`);
  const config = infoField(shown.info, 'Config');
  return {
    control,
    size: Number(infoField(shown.info, 'Size')),
    config: set(config) ? config : '',
    hwMaxSectors: Number(infoField(shown.info, 'HwMaxSectors')),
    userControl: userControl.join(','),
  };
}

/**
 * What creating a user storage object with `options` writes (control
 * strings, udev_path, unit serial, attributes), after checking the options
 * and the device; nothing is written here.
 * @internal
 */
export async function userRecipe(options: UserOptions): Promise<CreationRecipe> {
  if (options.config === undefined) throw new RTSLibInvalidArgumentError('config', 'is required to create a user storage object');
  const config = validateControlValue('config', options.config);
  if (!/^[^/,]+\/\S*$/.test(config)) throw new RTSLibInvalidArgumentError('config', `must be "<handler>/<config>" without commas or spaces, got ${JSON.stringify(config)}`);
  if (options.size === undefined) throw new RTSLibInvalidArgumentError('size', 'is required to create a user storage object');
  const control = [`dev_config=${config}`, `dev_size=${parseSize('size', options.size)}`];
  if (options.hwMaxSectors !== undefined) {
    if (!Number.isInteger(options.hwMaxSectors) || options.hwMaxSectors <= 0) throw new RTSLibInvalidArgumentError('hwMaxSectors', 'must be a positive integer');
    control.push(`hw_max_sectors=${options.hwMaxSectors}`);
  }
  if (options.control) control.push(validateUserControl(options.control));
  return { control, ...(options.wwn === undefined ? {} : { wwn: options.wwn }), attributes: stringAttributes(options.attributes) };
}

/** A TCMU (user) storage object. */
export class UserBackedStorageObject extends StorageObject {
  private constructor(root: RootHandle, location: StorageObjectLocation) {
    super(root, location);
  }

  /**
   * Builds the object of a storage object known to exist (from a snapshot), without I/O.
   * @internal
   */
  static existing(root: RootHandle, location: StorageObjectLocation): UserBackedStorageObject {
    return new UserBackedStorageObject(root, location);
  }

  protected override madeWith(shown: ShownStorageObject): MadeWith {
    return userMadeWith(shown);
  }

  /**
   * Opens (looks up or creates) the user-backed storage object `name`.
   * @example
   * const rbd = await UserBackedStorageObject.open(root, 'img1', { config: 'rbd/pool/img1', size: '10G' });
   * @param placement internal: pins the object to a Backstore's HBA (use `Backstore.storageObject`).
   */
  static async open(root: RootHandle, name: string, options: UserOptions = {}, placement?: HbaPlacement): Promise<UserBackedStorageObject> {
    const mode = options.mode ?? (options.size === undefined ? 'lookup' : 'create');
    return StorageObject.openWith(
      root,
      'user',
      name,
      mode,
      (r, loc) => new UserBackedStorageObject(r, loc),
      () => userRecipe(options),
      placement,
    );
  }

  /** Size in bytes. */
  async size(): Promise<number> {
    return Number(infoField(await this.info(), 'Size'));
  }

  /** The handler configuration, or null when unset. */
  async config(): Promise<string | null> {
    const value = infoField(await this.info(), 'Config');
    return value === undefined || value === 'NULL' ? null : value;
  }

  /**
   * The control settings a handler may be given, as one string
   * (`max_data_area_mb=…,hw_block_size=…,data_pages_per_blk=…`; rtslib-fb's
   * `control_tuples`, what saveconfig.json records as `control`).
   */
  async controlTuples(): Promise<string> {
    const [info, blockSize] = await Promise.all([this.info(), this.getAttribute(STORAGE_OBJECT_ATTRIBUTES.hwBlockSize).catch(() => undefined)]);
    return userMadeWith({ info, udevPath: '', attribute: (name) => (name === STORAGE_OBJECT_ATTRIBUTES.hwBlockSize ? blockSize : undefined) }).userControl ?? '';
  }

  /** Max sectors per command. */
  async hwMaxSectors(): Promise<number> {
    return Number(infoField(await this.info(), 'HwMaxSectors'));
  }
}
