/**
 * The original rtslib's Backstore objects: an HBA directory
 * `core/<plugin>_<index>` opened explicitly by index, able to hold several
 * storage objects. (rtslib-fb dropped them for one hidden HBA per storage
 * object; both models work on the same kernel tree.)
 *
 * PSCSI legacy mode: the backstore index is a real SCSI host number and
 * storage objects are addressed as `C:T:L`; their control string omits
 * `scsi_host_id`, which puts the kernel HBA in its PHBA mode
 * (PHV_LLD_SCSI_HOST_NO): the objects' `info` shows `Host ID: PHBA Mode` and
 * the HBA's `hba_mode` reads 1 from the first legacy device on, until the HBA
 * is removed. The flag itself is not persisted by this library (as in the
 * original rtslib), so it must be given again in lookup mode. What the kernel
 * (6.1) does when the two modes are mixed:
 * - a storage object with `scsi_host_id` in an HBA in PHBA mode: the control
 *   write fails with EINVAL ("Unable to accept scsi_host_id while phv_mode ==
 *   PHV_LLD_SCSI_HOST_NO"), even after its devices were removed;
 * - a legacy storage object in a non-legacy HBA that has devices: `enable`
 *   fails with EEXIST ("Unable to set hba_mode with active devices").
 * Both come back as the {@link RTSLibOperationError} of the batch, rolled back.
 */
import { storagePluginOf } from './storage-plugins.js';
import { CORE_DIR, HBA_FILES, STRUCTURE_EXCLUDES, hbaDirName, hbaPath } from '../cfs/tree.js';
import { parseHbaInfo } from '../cfs/plugins.js';
import { RTSLibError, RTSLibInvalidArgumentError, RTSLibNotInCFSError } from '../errors.js';
import { listScsiHosts } from '../scsi/discovery.js';
import { CFSNode, openMode, validateMode } from './cfs-node.js';
import type { RootHandle, Mode } from './cfs-node.js';
import type { AttributeGroup, KernelPlugin } from '../cfs/tree.js';
import type { Snapshot } from '../cfs/snapshot.js';
import { BlockStorageObject, type BlockOptions } from './block-storage-object.js';
import { FileIOStorageObject, type FileIOOptions } from './fileio-storage-object.js';
import { PSCSIStorageObject, type PSCSIOptions } from './pscsi-storage-object.js';
import { RDMCPStorageObject, type RDMCPOptions } from './rdmcp-storage-object.js';
import { UserBackedStorageObject, type UserOptions } from './user-storage-object.js';
import type { StorageObject } from './storage-object.js';

/** Options common to every `Backstore.open`. */
export interface BackstoreOptions {
  /** `any` (default), `lookup` or `create`. */
  mode?: Mode;
}

/** Options of {@link PSCSIBackstore.open}. */
export interface PSCSIBackstoreOptions extends BackstoreOptions {
  /**
   * Legacy (PHBA) mode: the index must be an existing SCSI host number and
   * storage objects are addressed as `C:T:L` on that host. Not persisted by
   * the kernel: give it again in lookup mode.
   */
  legacy?: boolean;
}

/** Largest HBA index accepted (the kernel keeps it in a u32; pscsi compares it with an int host number). */
const MAX_INDEX = 0x7fffffff;

/** Validates a backstore index. */
export function validateBackstoreIndex(index: unknown): number {
  if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index > MAX_INDEX) {
    throw new RTSLibInvalidArgumentError('index', `must be an integer from 0 to ${MAX_INDEX}, got ${typeof index === 'number' ? String(index) : JSON.stringify(index)}`);
  }
  return index;
}

/** Names of the storage objects in a snapshot of an HBA directory (every entry but `hba_info` and `hba_mode`). */
export function hbaStorageObjectNames(snap: Snapshot, hba: string): string[] {
  return snap.children(hba).filter((n) => n !== HBA_FILES.info && n !== HBA_FILES.mode);
}

function isEnoent(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { errno?: unknown }).errno === -2;
}

/** An HBA (`core/<plugin>_<index>`) of the original rtslib's model. */
export abstract class Backstore extends CFSNode {
  /** The root this backstore was opened from. */
  readonly root: RootHandle;
  /** The backstore (HBA) index. */
  readonly index: number;
  /** Kernel plugin name (`pscsi`, `iblock`, `fileio`, `rd_mcp`, `user`). */
  readonly plugin: KernelPlugin;

  protected constructor(root: RootHandle, plugin: KernelPlugin, index: number) {
    super(root.cfs, hbaPath(plugin, index));
    this.root = root;
    this.plugin = plugin;
    this.index = index;
  }

  /** The directory name, `<plugin>_<index>`. */
  get name(): string {
    return hbaDirName(this.plugin, this.index);
  }

  /** e.g. `backstore rd_mcp_7 (core/rd_mcp_7)` */
  describe(): string {
    return `backstore ${this.name} (${this.relativePath})`;
  }

  /** HBAs have no attribute groups. */
  protected override groups(): readonly AttributeGroup[] {
    return [];
  }

  /**
   * Looks up or creates `core/<plugin>_<index>` according to `mode`.
   * `check` runs before any write (and before lookups).
   * @internal
   */
  protected static async openHba<T extends Backstore>(backstore: T, mode: unknown, check?: () => Promise<void>): Promise<T> {
    const m = validateMode(mode ?? 'any');
    if (check) await check();
    const cfs = backstore.cfs;
    const snap = await cfs.snapshot(CORE_DIR, { maxDepth: 1 });
    if (!openMode(m, snap.kind(backstore.relativePath) === 'dir', backstore)) return backstore;
    try {
      await cfs.apply([{ op: 'mkdir', path: backstore.relativePath }], { what: `create ${backstore.describe()}` });
    } catch (error) {
      // Another process created it between the snapshot and the mkdir: fine in 'any' mode.
      if (m === 'any' && error instanceof RTSLibError && error.code === 'EEXIST') return backstore;
      throw error;
    }
    backstore.fresh = true;
    return backstore;
  }

  /** One read of the HBA directory; NotInCFS when it is gone. */
  private async read(depth = 1): Promise<Snapshot> {
    try {
      return await this.cfs.snapshot(this.relativePath, { maxDepth: depth, excludeNames: STRUCTURE_EXCLUDES });
    } catch (error) {
      if (isEnoent(error)) throw new RTSLibNotInCFSError(`${this.describe()} does not exist in configfs`, this.path);
      throw error;
    }
  }

  /** Names of the storage objects in this HBA. */
  async storageObjects(): Promise<string[]> {
    return hbaStorageObjectNames(await this.read(), this.relativePath);
  }

  /** The kernel's `hba_info` line, e.g. `HBA Index: 5 plugin: pscsi version: v5.0`. */
  async hbaInfo(): Promise<string> {
    return this.readFile(HBA_FILES.info);
  }

  /** The plugin version from `hba_info` (e.g. `v5.0`), or null when the kernel does not show one. */
  async version(): Promise<string | null> {
    return parseHbaInfo(await this.hbaInfo()).version;
  }

  /** Deletes every storage object of the HBA, then the HBA, in one batch. */
  async delete(): Promise<void> {
    await this.read(0);
    await this.removeFromTree('');
  }

  /** Opens a storage object of this backstore's plugin in this HBA. */
  abstract storageObject(name: string, options?: object): Promise<StorageObject>;

  /** Placement passed to the storage object classes. */
  protected placement(): { hbaIndex: number; ownedByBackstore: true } {
    return { hbaIndex: this.index, ownedByBackstore: true };
  }

  /** saveconfig.json name of the plugin (`block` for iblock, `ramdisk` for rd_mcp). */
  get pluginName(): string {
    return storagePluginOf(this.plugin).info.name;
  }
}

/** A pscsi HBA; in legacy mode its index is a SCSI host number. */
export class PSCSIBackstore extends Backstore {
  /** Whether this object was opened in legacy (PHBA) mode. */
  readonly legacyMode: boolean;

  private constructor(root: RootHandle, index: number, legacy: boolean) {
    super(root, 'pscsi', index);
    this.legacyMode = legacy;
  }

  /**
   * Opens `core/pscsi_<index>`. With `legacy`, the index must be an existing
   * SCSI host number (else RTSLibError "Cannot create backstore, hba scsi<N>
   * does not exist"), checked in every mode.
   * @example
   * const bs = await PSCSIBackstore.open(root, 2, { legacy: true });
   * const disk = await bs.storageObject('disk0', { dev: '0:0:0' });
   */
  static async open(root: RootHandle, index: number, options: PSCSIBackstoreOptions = {}): Promise<PSCSIBackstore> {
    validateBackstoreIndex(index);
    if (options.legacy !== undefined && typeof options.legacy !== 'boolean') throw new RTSLibInvalidArgumentError('legacy', 'must be a boolean');
    const legacy = options.legacy ?? false;
    return Backstore.openHba(
      new PSCSIBackstore(root, index, legacy),
      options.mode,
      legacy
        ? async () => {
            const hosts = await listScsiHosts();
            if (!hosts.some((h) => h.host === index)) {
              throw new RTSLibError(`Cannot create backstore, hba scsi${index} does not exist`, { code: 'ENODEV' });
            }
          }
        : undefined,
    );
  }

  /** Same as {@link PSCSIStorageObject.open} in this HBA; in legacy mode `dev` is `C:T:L` or a node on host `index`. */
  storageObject(name: string, options: PSCSIOptions = {}): Promise<PSCSIStorageObject> {
    return PSCSIStorageObject.open(this.root, name, options, { ...this.placement(), legacy: this.legacyMode });
  }

  /** The kernel's `hba_mode` (1 once a legacy device put the HBA in PHBA mode). */
  async hbaMode(): Promise<number> {
    return Number((await this.readFile(HBA_FILES.mode)).trim());
  }
}

/** An iblock HBA. */
export class IBlockBackstore extends Backstore {
  private constructor(root: RootHandle, index: number) {
    super(root, 'iblock', index);
  }

  /** Opens `core/iblock_<index>`. */
  static async open(root: RootHandle, index: number, options: BackstoreOptions = {}): Promise<IBlockBackstore> {
    validateBackstoreIndex(index);
    return Backstore.openHba(new IBlockBackstore(root, index), options.mode);
  }

  /** Same as {@link BlockStorageObject.open} in this HBA. */
  storageObject(name: string, options: BlockOptions = {}): Promise<BlockStorageObject> {
    return BlockStorageObject.open(this.root, name, options, this.placement());
  }
}

/** A fileio HBA. */
export class FileIOBackstore extends Backstore {
  private constructor(root: RootHandle, index: number) {
    super(root, 'fileio', index);
  }

  /** Opens `core/fileio_<index>`. */
  static async open(root: RootHandle, index: number, options: BackstoreOptions = {}): Promise<FileIOBackstore> {
    validateBackstoreIndex(index);
    return Backstore.openHba(new FileIOBackstore(root, index), options.mode);
  }

  /** Same as {@link FileIOStorageObject.open} in this HBA. */
  storageObject(name: string, options: FileIOOptions = {}): Promise<FileIOStorageObject> {
    return FileIOStorageObject.open(this.root, name, options, this.placement());
  }
}

/** An rd_mcp (ramdisk) HBA. */
export class RDMCPBackstore extends Backstore {
  private constructor(root: RootHandle, index: number) {
    super(root, 'rd_mcp', index);
  }

  /**
   * Opens `core/rd_mcp_<index>`.
   * @example
   * const bs = await RDMCPBackstore.open(root, 7, { mode: 'create' });
   * await bs.storageObject('ram1', { size: '16M' });
   */
  static async open(root: RootHandle, index: number, options: BackstoreOptions = {}): Promise<RDMCPBackstore> {
    validateBackstoreIndex(index);
    return Backstore.openHba(new RDMCPBackstore(root, index), options.mode);
  }

  /** Same as {@link RDMCPStorageObject.open} in this HBA. */
  storageObject(name: string, options: RDMCPOptions = {}): Promise<RDMCPStorageObject> {
    return RDMCPStorageObject.open(this.root, name, options, this.placement());
  }
}

/** A user (TCMU) HBA. */
export class UserBackstore extends Backstore {
  private constructor(root: RootHandle, index: number) {
    super(root, 'user', index);
  }

  /** Opens `core/user_<index>`. */
  static async open(root: RootHandle, index: number, options: BackstoreOptions = {}): Promise<UserBackstore> {
    validateBackstoreIndex(index);
    return Backstore.openHba(new UserBackstore(root, index), options.mode);
  }

  /** Same as {@link UserBackedStorageObject.open} in this HBA. */
  storageObject(name: string, options: UserOptions = {}): Promise<UserBackedStorageObject> {
    return UserBackedStorageObject.open(this.root, name, options, this.placement());
  }
}
