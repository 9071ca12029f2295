/**
 * The root of the target tree: entry point of the object model and home of
 * the listings. Every listing is answered from one snapshot (one native
 * crossing), never by re-scanning configfs per object.
 */
import { Configfs } from '../cfs/configfs.js';
import { CORE_DIR, DEFAULT_TARGET_ROOT, ROOT_FILES } from '../cfs/tree.js';
import { RTSLibNotInCFSError } from '../errors.js';
import { listStorageObjects, type StorageObjectLocation } from './storage-object.js';

/** Options for {@link RTSRoot}. */
export interface RTSRootOptions {
  /** The target root (default `/sys/kernel/config/target`). */
  configfs?: string;
  /** Per-operation timeout in ms for kernel operations (default none). */
  timeoutMs?: number;
}

/** Entry point: the LIO target tree of this host. */
export class RTSRoot {
  /** The configfs access this root and the objects opened from it use. */
  readonly cfs: Configfs;

  constructor(options: RTSRootOptions = {}) {
    this.cfs = new Configfs(options.configfs ?? DEFAULT_TARGET_ROOT, options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs });
  }

  /** Absolute path of the target root. */
  get path(): string {
    return this.cfs.root;
  }

  /** The kernel's target core version line (`version`), or throws when LIO is not loaded. */
  async version(): Promise<string> {
    const snap = await this.cfs.snapshot('', { maxDepth: 1 });
    const text = snap.text(ROOT_FILES.version);
    if (text === undefined) throw new RTSLibNotInCFSError('the target core is not loaded (no version file in configfs)', this.cfs.abs(ROOT_FILES.version));
    return text;
  }

  /** Where every storage object is (plugin, HBA index, name), from one snapshot. */
  async storageObjectLocations(): Promise<StorageObjectLocation[]> {
    return listStorageObjects(await this.cfs.snapshot(CORE_DIR, { maxDepth: 2 }));
  }
}
