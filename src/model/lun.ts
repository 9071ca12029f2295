/**
 * A LUN of a TPG (`<tpg>/lun/lun_<n>`), exporting a storage object through a
 * symlink whose name is the LUN's alias.
 */
import type { TPGHandle } from './tpg-handle.js';
import type { StorageObject } from './storage-object.js';
import { CFSNode, openMode, validateMode, type Mode } from './cfs-node.js';
import { DEFAULT_ALUA_GROUP, LUN_FILES, child, lunPath, lunsPath, parseLunDirName, type AttributeGroup } from '../cfs/tree.js';
import { randomLinkAlias, validateInteger, validateName } from '../cfs/names.js';
import { RTSLibOperationError, type CfsOp } from '../cfs/configfs.js';
import { RTSLibBrokenLink, RTSLibError, RTSLibInvalidArgumentError, RTSLibNotInCFSError } from '../errors.js';

/** The largest LUN index LIO accepts. */
export const MAX_LUN = 65535;

/**
 * Ops creating the LUN directory `lunDir` (root-relative) exporting the
 * storage object `storageObjectDir` through a link named `alias`; with
 * `aluaGroup` (other than the default), its ALUA group membership. The
 * object model and the config planner both create LUNs with it.
 * @internal
 */
export function lunCreateOps(lunDir: string, storageObjectDir: string, alias: string, aluaGroup?: string): CfsOp[] {
  const ops: CfsOp[] = [
    { op: 'mkdir', path: lunDir },
    { op: 'symlink', path: child(lunDir, alias), target: storageObjectDir },
  ];
  if (aluaGroup !== undefined && aluaGroup !== DEFAULT_ALUA_GROUP) ops.push({ op: 'write', path: child(lunDir, LUN_FILES.aluaGroup), value: aluaGroup });
  return ops;
}

/** Options for {@link LUN.open}. */
export interface LUNOptions {
  /** LUN index 0-65535; the lowest free one when omitted. */
  index?: number;
  /** The storage object to export (required to create). */
  storageObject?: StorageObject;
  /** Name of the link (default: 10 random hex digits, as rtslib-fb). */
  alias?: string;
  /** Default: `create` when a storage object is given, else `lookup`. */
  mode?: Mode;
}

/** A LUN of a TPG. */
export class LUN extends CFSNode {
  /** Its TPG. */
  readonly tpg: TPGHandle;
  /** Its index. */
  readonly index: number;

  private constructor(tpg: TPGHandle, index: number) {
    super(tpg.cfs, lunPath(tpg.relativePath, index));
    this.tpg = tpg;
    this.index = index;
  }

  /**
   * Builds the object of a LUN known to exist (from a snapshot), without I/O.
   * @internal
   */
  static existing(tpg: TPGHandle, index: number): LUN {
    return new LUN(tpg, index);
  }

  /** e.g. `LUN 0 of TPG 1 of …` */
  describe(): string {
    return `LUN ${this.index} of ${this.tpg.describe()}`;
  }

  protected override groups(): readonly AttributeGroup[] {
    return [];
  }

  /**
   * Opens (looks up or creates) a LUN.
   * @example
   * const lun = await LUN.open(tpg, { storageObject: ram });
   */
  static async open(tpg: TPGHandle, options: LUNOptions = {}): Promise<LUN> {
    const mode = validateMode(options.mode ?? (options.storageObject ? 'create' : 'lookup'));
    if (options.index !== undefined) validateInteger('LUN index', options.index, 0, MAX_LUN);
    const alias = options.alias === undefined ? randomLinkAlias() : validateName('alias', options.alias);
    // One directory listing (no stat per entry): the cost does not grow with
    // the number of LUNs the TPG already has.
    const entries = await tpg.cfs.list(lunsPath(tpg.relativePath));
    if (entries === null) throw new RTSLibNotInCFSError(`${tpg.describe()} does not exist`, tpg.path);
    const used = new Set(
      entries
        .filter((e) => e.type === 'dir')
        .map((e) => parseLunDirName(e.name))
        .filter((n): n is number => n !== null),
    );
    const automatic = options.index === undefined;
    let index = options.index ?? 0;
    if (automatic) {
      if (mode === 'lookup') throw new RTSLibInvalidArgumentError('LUN index', 'is required to look up a LUN');
      while (used.has(index)) index++;
    }
    const exists = used.has(index);
    if (!openMode(mode, exists, new LUN(tpg, index))) return new LUN(tpg, index);
    const storageObject = options.storageObject;
    if (!storageObject) throw new RTSLibInvalidArgumentError('storageObject', 'is required to create a LUN');
    // Another process may take the index between the listing and the mkdir:
    // with an automatic index, EEXIST on the mkdir moves on to the next one.
    for (let attempt = 0; ; attempt++) {
      if (index > MAX_LUN) throw new RTSLibError(`${tpg.describe()} has no free LUN index`, { code: 'ENOSPC' });
      const lun = new LUN(tpg, index);
      try {
        await tpg.cfs.apply(lunCreateOps(lun.relativePath, storageObject.relativePath, alias), { what: `create ${lun.describe()}` });
      } catch (err) {
        if (automatic && attempt < 16 && err instanceof RTSLibOperationError && err.step.step === 0 && err.code === 'EEXIST') {
          do index++;
          while (used.has(index));
          continue;
        }
        throw err;
      }
      lun.fresh = true;
      return lun;
    }
  }

  /** Root-relative path of the storage object the LUN exports. */
  async storageObjectPath(): Promise<string> {
    await this.checkExists();
    const snap = await this.cfs.snapshot(this.relativePath, { maxDepth: 1 });
    const link = snap.childLinks(this.relativePath)[0];
    const target = link === undefined ? undefined : snap.link(child(this.relativePath, link));
    if (!target) throw new RTSLibBrokenLink(`${this.describe()} has no storage object link`, this.path);
    return target;
  }

  /** The LUN's alias (the name of its storage object link). */
  async alias(): Promise<string> {
    const snap = await this.cfs.snapshot(this.relativePath, { maxDepth: 1 });
    const link = snap.childLinks(this.relativePath)[0];
    if (link === undefined) throw new RTSLibBrokenLink(`${this.describe()} has no storage object link`, this.path);
    return link;
  }

  /** Removes the LUN (and the mapped LUNs that point at it). */
  async delete(): Promise<void> {
    await this.checkExists();
    await this.removeFromTree(this.tpg.relativePath);
  }
}
