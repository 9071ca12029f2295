/**
 * Ramdisk storage objects (`rd_mcp` plugin; `ramdisk` in saveconfig.json),
 * optionally nullio (reads return zeros, writes are discarded, no memory used).
 */
import { PAGE_SIZE } from './page-size.js';
import { infoField } from '../cfs/values.js';
import type { RootHandle, Mode } from './cfs-node.js';
import { parseSize } from '../cfs/names.js';
import { RTSLibInvalidArgumentError } from '../errors.js';
import { StorageObject, stringAttributes, type CreationRecipe, type HbaPlacement, type MadeWith, type ShownStorageObject, type StorageObjectLocation } from './storage-object.js';

/** Options for {@link RDMCPStorageObject.open}. */
export interface RDMCPOptions {
  /** Size in bytes or as a string (`"64M"`); required to create. */
  size?: number | string;
  /** Unit serial; generated when omitted. */
  wwn?: string;
  /** Create a nullio device (no memory backing). */
  nullio?: boolean;
  /** Attributes to set after creation. */
  attributes?: Record<string, string | number>;
  /** Default: `create` when `size` is given, else `lookup`. */
  mode?: Mode;
}

/** The pages and page size a ramdisk's `info` shows (`PAGES/PAGE_SIZE: 2048*4096`); NaN when it shows none. */
function pagesIn(info: string): { pages: number; pageSize: number } {
  const [pages, pageSize] = infoField(info, 'PAGES/PAGE_SIZE')?.split('*') ?? [];
  return { pages: Number(pages ?? NaN), pageSize: Number(pageSize ?? NaN) };
}

/** How a ramdisk was made, from its `info` (`PAGES/PAGE_SIZE`, `nullio`). @internal */
export function rdmcpMadeWith(shown: ShownStorageObject): MadeWith {
  const pages = infoField(shown.info, 'PAGES/PAGE_SIZE')?.split('*')[0] ?? '1';
  const nullio = infoField(shown.info, 'nullio') === '1';
  return { control: [`rd_pages=${pages}`, ...(nullio ? ['rd_nullio=1'] : [])], size: PAGE_SIZE * Number(pages), nullio };
}

/**
 * What creating a ramdisk storage object with `options` writes (control
 * strings, udev_path, unit serial, attributes), after checking the options
 * and the device; nothing is written here.
 * @internal
 */
export async function rdmcpRecipe(options: RDMCPOptions): Promise<CreationRecipe> {
  if (options.size === undefined) throw new RTSLibInvalidArgumentError('size', 'is required to create a ramdisk storage object');
  const pages = Math.max(1, Math.floor(parseSize('size', options.size) / PAGE_SIZE));
  return {
    control: [`rd_pages=${pages}`, ...(options.nullio ? ['rd_nullio=1'] : [])],
    ...(options.wwn === undefined ? {} : { wwn: options.wwn }),
    attributes: stringAttributes(options.attributes),
  };
}

/** A ramdisk (rd_mcp) storage object. */
export class RDMCPStorageObject extends StorageObject {
  private constructor(root: RootHandle, location: StorageObjectLocation) {
    super(root, location);
  }

  /**
   * Builds the object of a storage object known to exist (from a snapshot), without I/O.
   * @internal
   */
  static existing(root: RootHandle, location: StorageObjectLocation): RDMCPStorageObject {
    return new RDMCPStorageObject(root, location);
  }

  protected override madeWith(shown: ShownStorageObject): MadeWith {
    return rdmcpMadeWith(shown);
  }

  /**
   * Opens (looks up or creates) the ramdisk storage object `name`.
   * @example
   * const ram = await RDMCPStorageObject.open(new RootHandle(), 'ram1', { size: '64M' });
   * @param placement internal: pins the object to a Backstore's HBA (use `Backstore.storageObject`).
   */
  static async open(root: RootHandle, name: string, options: RDMCPOptions = {}, placement?: HbaPlacement): Promise<RDMCPStorageObject> {
    const mode = options.mode ?? (options.size === undefined ? 'lookup' : 'create');
    if (options.size !== undefined) parseSize('size', options.size);
    return StorageObject.openWith(
      root,
      'ramdisk',
      name,
      mode,
      (r, loc) => new RDMCPStorageObject(r, loc),
      () => rdmcpRecipe(options),
      placement,
    );
  }

  /** Size in bytes (pages times page size, from `info`). */
  async size(): Promise<number> {
    const { pages, pageSize } = pagesIn(await this.info());
    return pages * pageSize;
  }

  /** The page size the kernel counts the ramdisk in (from `info`, the running kernel's page size). */
  async pageSize(): Promise<number> {
    return pagesIn(await this.info()).pageSize;
  }

  /** The ramdisk's number of pages (from `info`). */
  async pages(): Promise<number> {
    return pagesIn(await this.info()).pages;
  }

  /** Whether the ramdisk is nullio (no backing pages). */
  async nullio(): Promise<boolean> {
    return infoField(await this.info(), 'nullio') === '1';
  }
}
