/**
 * A LUN of a TPG (`<tpg>/lun/lun_<n>`), exporting a storage object through a
 * symlink whose name is the LUN's alias.
 */
import type { TPGHandle } from './tpg-handle.js';
import { storageObjectLocationOf, type StorageObject } from './storage-object.js';
import { exportedPath } from './lun-exports.js';
import { MappedLUN, linkedTpgLun, mappedLunIndexes } from './mapped-lun.js';
import { NodeACL } from './node-acl.js';
import { CFSNode, openMode, validateMode, type Mode } from './cfs-node.js';
import {
  DEFAULT_ALUA_GROUP,
  LUN_FILES,
  MAX_LUN,
  STRUCTURE_EXCLUDES,
  aclsPath,
  child,
  lunPath,
  lunsPath,
  mappedLunPath,
  parseLunDirName,
  type AttributeGroup,
} from '../cfs/tree.js';
import { randomLinkAlias, validateInteger, validateName } from '../cfs/names.js';
import { RTSLibOperationError, type CfsOp } from '../cfs/configfs.js';
import { RTSLibALUANotSupportedError, RTSLibBrokenLink, RTSLibError, RTSLibInvalidArgumentError, RTSLibNotInCFSError } from '../errors.js';
import { settingFromShown } from '../cfs/settings.js';
import { lunForm, storageObjectRefsUnder } from './saved-forms.js';
import type { LunConfig } from './saveconfig-format.js';

export { MAX_LUN };

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
    const target = exportedPath(snap, this.relativePath);
    if (!target) throw new RTSLibBrokenLink(`${this.describe()} has no storage object link`, this.path);
    return target;
  }

  /**
   * The storage object the LUN exports, as an object of its plugin's class
   * (one read of the LUN's directory).
   * @example
   * const so = await lun.storageObject();
   * console.log(so.plugin, so.name);
   */
  async storageObject(): Promise<StorageObject> {
    const path = await this.storageObjectPath();
    const location = storageObjectLocationOf(path);
    if (!location) throw new RTSLibBrokenLink(`${this.describe()} links to ${path}, which is not a storage object`, this.path);
    return this.tpg.target.fabric.root.storageObjectAt(location);
  }

  /**
   * The mapped LUNs (of every node ACL of the TPG) that map this LUN, from
   * one read of the TPG's ACLs.
   * @example
   * const initiators = (await lun.mappedLuns()).map((m) => m.acl.nodeWwn);
   */
  async mappedLuns(): Promise<MappedLUN[]> {
    await this.checkExists();
    const acls = aclsPath(this.tpg.relativePath);
    const snap = await this.cfs.snapshot(acls, { excludeNames: STRUCTURE_EXCLUDES });
    const out: MappedLUN[] = [];
    for (const aclDir of snap.childDirs(acls).sort()) {
      const acl = NodeACL.existing(this.tpg, aclDir);
      for (const index of mappedLunIndexes(snap, acl.relativePath)) {
        if (linkedTpgLun(snap, this.tpg, mappedLunPath(acl.relativePath, index)) === this.index) out.push(MappedLUN.existing(acl, index));
      }
    }
    return out;
  }

  /**
   * The ALUA target port group the LUN is in (`alua_tg_pt_gp`,
   * rtslib-fb's `alua_tg_pt_gp_name`); null when its storage object has no
   * ALUA (pscsi, TCMU without support).
   * @example
   * console.log(await lun.aluaTgPtGpName()); // 'default_tg_pt_gp'
   */
  async aluaTgPtGpName(): Promise<string | null> {
    if (!(await (await this.storageObject()).aluaSupported())) return null;
    const text = await this.readOptionalFile(LUN_FILES.aluaGroup);
    return text === null ? null : settingFromShown(child(this.relativePath, LUN_FILES.aluaGroup), text);
  }

  /**
   * Moves the LUN into an ALUA target port group of its storage object.
   * @throws RTSLibALUANotSupportedError when the storage object has no ALUA
   * @throws RTSLibOperationError (ENOENT from the kernel) when the object has no such group
   * @example
   * await lun.setAluaTgPtGpName('ao');
   */
  async setAluaTgPtGpName(name: string): Promise<void> {
    validateName('ALUA group name', name);
    if ((await this.aluaTgPtGpName()) === null) throw new RTSLibALUANotSupportedError(`${this.describe()}: its storage object has no ALUA groups`);
    await this.cfs.apply([{ op: 'write', path: child(this.relativePath, LUN_FILES.aluaGroup), value: name }], { what: `move ${this.describe()} to ALUA group ${name}` });
  }

  /** Whether the LUN's target port is offline for ALUA (`alua_tg_pt_offline`). */
  async aluaTgPtOffline(): Promise<boolean> {
    return (await this.readFile(LUN_FILES.aluaOffline)) === '1';
  }

  /** Sets `alua_tg_pt_offline`. */
  async setAluaTgPtOffline(offline: boolean): Promise<void> {
    await this.writeLunFile(LUN_FILES.aluaOffline, offline ? '1' : '0');
  }

  /** The port's ALUA secondary status (`alua_tg_pt_status`): 0 none, 1 altered by an explicit STPG, 2 altered by implicit ALUA. */
  async aluaTgPtStatus(): Promise<number> {
    return Number(await this.readFile(LUN_FILES.aluaStatus));
  }

  /** Sets `alua_tg_pt_status` (0, 1 or 2). */
  async setAluaTgPtStatus(status: number): Promise<void> {
    await this.writeLunFile(LUN_FILES.aluaStatus, String(validateInteger('ALUA status', status, 0, 2)));
  }

  /** Whether the port's ALUA state is written to the metadata file (`alua_tg_pt_write_md`). */
  async aluaTgPtWriteMd(): Promise<boolean> {
    return (await this.readFile(LUN_FILES.aluaWriteMetadata)) === '1';
  }

  /** Sets `alua_tg_pt_write_md`. */
  async setAluaTgPtWriteMd(write: boolean): Promise<void> {
    await this.writeLunFile(LUN_FILES.aluaWriteMetadata, write ? '1' : '0');
  }

  private async writeLunFile(name: string, value: string): Promise<void> {
    await this.checkExists();
    await this.cfs.apply([{ op: 'write', path: child(this.relativePath, name), value }], { what: `set ${name} of ${this.describe()}` });
  }

  /** The LUN's alias (the name of its storage object link). */
  async alias(): Promise<string> {
    const snap = await this.cfs.snapshot(this.relativePath, { maxDepth: 1 });
    const link = snap.childLinks(this.relativePath)[0];
    if (link === undefined) throw new RTSLibBrokenLink(`${this.describe()} has no storage object link`, this.path);
    return link;
  }

  /**
   * The LUN's saveconfig.json entry (rtslib-fb's `dump()`): index, alias,
   * `/backstores/<plugin>/<name>` of its object and its ALUA group.
   * @example
   * const { storage_object } = await lun.dump(); // '/backstores/block/disk1'
   */
  async dump(): Promise<LunConfig> {
    await this.checkExists();
    const snap = await this.cfs.snapshot(this.relativePath, { maxDepth: 1 });
    const entry = lunForm(snap, this.tpg.relativePath, this.index, await storageObjectRefsUnder(this.cfs, snap, this.relativePath));
    if (!entry) throw new RTSLibBrokenLink(`${this.describe()} exports no storage object`, this.path);
    return entry;
  }

  /** Removes the LUN (and the mapped LUNs that point at it). */
  async delete(): Promise<void> {
    await this.checkExists();
    await this.removeFromTree(this.tpg.relativePath);
  }
}
