/**
 * FileIO storage objects (`fileio` plugin): a file (created sparse by the
 * kernel when missing) or a block device, written through the page cache
 * (write-back) or not.
 */
import { statSync, type Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import { dirname, isAbsolute } from 'node:path';
import { parseSize, validateControlValue } from '../cfs/names.js';
import { infoField } from '../cfs/values.js';
import { RTSLibInvalidArgumentError } from '../errors.js';
import { isInUse } from '../scsi/discovery.js';
import { blockDeviceSize } from '../scsi/block-device-size.js';
import type { Mode, RootHandle } from './cfs-node.js';
import { StorageObject, stringAttributes, type CreationRecipe, type HbaPlacement, type MadeWith, type ShownStorageObject, type StorageObjectLocation } from './storage-object.js';

/** Options for {@link FileIOStorageObject.open}. */
export interface FileIOOptions {
  /** Absolute path of the backing file or block device; required to create. */
  dev?: string;
  /** Size (bytes or `"1G"`); required for a file, ignored for a block device. */
  size?: number | string;
  /** Unit serial; generated when omitted. */
  wwn?: string;
  /** Write-back caching (`fd_buffered_io=1` and `emulate_write_cache=1`). */
  writeBack?: boolean;
  /** Asynchronous I/O (`fd_async_io=1`). */
  aio?: boolean;
  /** Attributes to set after creation. */
  attributes?: Record<string, string | number | boolean>;
  /** Default: `create` when `dev` is given, else `lookup`. */
  mode?: Mode;
}

/** Checks a device or file path that goes into a control string: absolute, no control characters, no `,` or `=`; returns it. */
export function validateDevicePath(argument: string, path: unknown): string {
  const text = validateControlValue(argument, path);
  if (!isAbsolute(text)) throw new RTSLibInvalidArgumentError(argument, `must be an absolute path, got ${JSON.stringify(text)}`);
  return text;
}

/** How a fileio object was made, from its `info` (`File`, `Size`, `Mode: Buffered-WCE`, `Async`). @internal */
export function fileioMadeWith(shown: ShownStorageObject): MadeWith {
  const file = infoField(shown.info, 'File') ?? shown.udevPath;
  const size = Number(infoField(shown.info, 'Size') ?? 0);
  const aio = infoField(shown.info, 'Async') === '1';
  // a block device takes its size from the device; a file needs it
  const control = [`fd_dev_name=${file}${size > 0 ? `,fd_dev_size=${size}` : ''}`];
  if (/Mode:\s*Buffered-WCE/.test(shown.info)) control.push('fd_buffered_io=1');
  if (aio) control.push('fd_async_io=1');
  return { control, dev: shown.udevPath || file, size, aio };
}

/** `stat` of a path, null when it cannot be had. */
function statOrNull(path: string): Stats | null {
  try {
    return statSync(path, { throwIfNoEntry: false }) ?? null;
  } catch {
    return null;
  }
}

/**
 * What creating a fileio storage object with `options` writes (control
 * strings, udev_path, unit serial, attributes), after checking the options
 * and the device; nothing is written here. Devices in `released` are
 * freed by the same plan before the object is created: not checked for use.
 * @internal
 */
export async function fileioRecipe(options: FileIOOptions, released: ReadonlySet<string> = new Set()): Promise<CreationRecipe> {
  if (options.dev === undefined) throw new RTSLibInvalidArgumentError('dev', 'is required to create a fileio storage object');
  const dev = validateDevicePath('dev', options.dev);
  // sync and without exceptions: a restore plans thousands of these, mostly for files not made yet
  const existing = statOrNull(dev);
  const control: string[] = [];
  let fileSystem: number | undefined;
  if (existing?.isBlockDevice()) {
    if (!released.has(dev) && (await isInUse(dev))) throw new RTSLibInvalidArgumentError('dev', `block device ${dev} is in use`);
    control.push(`fd_dev_name=${dev}`);
  } else if (existing && !existing.isFile()) {
    throw new RTSLibInvalidArgumentError('dev', `${dev} is neither a file nor a block device`);
  } else {
    const parent = statOrNull(dirname(dev));
    if (!parent?.isDirectory()) throw new RTSLibInvalidArgumentError('dev', `directory ${dirname(dev)} does not exist`);
    if (options.size === undefined) throw new RTSLibInvalidArgumentError('size', `is required for the file ${dev}`);
    control.push(`fd_dev_name=${dev},fd_dev_size=${parseSize('size', options.size)}`);
    fileSystem = (existing ?? parent).dev;
  }
  if (options.writeBack) control.push('fd_buffered_io=1');
  if (options.aio) control.push('fd_async_io=1');
  return {
    control,
    udevPath: dev,
    ...(fileSystem === undefined ? {} : { fileSystem }),
    ...(options.wwn === undefined ? {} : { wwn: options.wwn }),
    attributes: { ...(options.writeBack ? { emulate_write_cache: '1' } : {}), ...stringAttributes(options.attributes) },
  };
}

/** A fileio storage object. */
export class FileIOStorageObject extends StorageObject {
  private constructor(root: RootHandle, location: StorageObjectLocation) {
    super(root, location);
  }

  /**
   * Builds the object of a storage object known to exist (from a snapshot), without I/O.
   * @internal
   */
  static existing(root: RootHandle, location: StorageObjectLocation): FileIOStorageObject {
    return new FileIOStorageObject(root, location);
  }

  protected override madeWith(shown: ShownStorageObject): MadeWith {
    return fileioMadeWith(shown);
  }

  /**
   * Opens (looks up or creates) the fileio storage object `name`.
   * @example
   * const disk = await FileIOStorageObject.open(root, 'disk1', { dev: '/var/lib/luns/disk1.img', size: '10G', writeBack: true });
   * @param placement internal: pins the object to a Backstore's HBA (use `Backstore.storageObject`).
   */
  static async open(root: RootHandle, name: string, options: FileIOOptions = {}, placement?: HbaPlacement): Promise<FileIOStorageObject> {
    const mode = options.mode ?? (options.dev === undefined ? 'lookup' : 'create');
    return StorageObject.openWith(
      root,
      'fileio',
      name,
      mode,
      (r, loc) => new FileIOStorageObject(r, loc),
      () => fileioRecipe(options),
      placement,
    );
  }

  /** Whether the backing file is a block device (rtslib-fb's `is_block`). */
  async isBlock(): Promise<boolean> {
    const file = infoField(await this.info(), 'File');
    return file !== undefined && (await stat(file).catch(() => null))?.isBlockDevice() === true;
  }

  /** Size in bytes: the file's (from `info`), or the block device's (which the kernel does not report), as rtslib-fb gives it. */
  async size(): Promise<number> {
    const info = await this.info();
    const size = Number(infoField(info, 'Size'));
    if (size > 0) return size;
    const file = infoField(info, 'File');
    return (file === undefined ? undefined : blockDeviceSize(file)) ?? size;
  }

  /** Whether write-back caching is on (`emulate_write_cache`). */
  async writeBack(): Promise<boolean> {
    return (await this.getAttribute('emulate_write_cache')) === '1';
  }

  /** Whether asynchronous I/O is on. */
  async aio(): Promise<boolean> {
    return infoField(await this.info(), 'Async') === '1';
  }
}
