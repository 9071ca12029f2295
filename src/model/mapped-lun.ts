/**
 * A mapped LUN of a node ACL (`<acl>/lun_<n>`): the LUN number the initiator
 * sees, linked (`<alias>` symlink) to a LUN of the same TPG.
 */
import type { NodeACL } from './node-acl.js';
import type { NativeDirEntry, NativeStat } from '../native/index.js';
import type { LUN } from './lun.js';
import { CFSNode, openMode, validateMode, type Mode } from './cfs-node.js';
import type { CfsOp } from '../cfs/configfs.js';
import type { Snapshot } from '../cfs/snapshot.js';
import { MAPPED_LUN_FILES, MAX_LUN, child, lunPath, lunsPath, mappedLunPath, parseLunDirName, splitPath, type AttributeGroup } from '../cfs/tree.js';
import { randomLinkAlias, validateInteger, validateName } from '../cfs/names.js';
import { RTSLibBrokenLink, RTSLibError, RTSLibInvalidArgumentError, RTSLibNotInCFSError } from '../errors.js';
import type { TPGHandle } from './tpg-handle.js';
import { mappedLunForm } from './saved-forms.js';
import type { MappedLunConfig } from './saveconfig-format.js';

/** Options for {@link MappedLUN.open}. */
export interface MappedLUNOptions {
  /** Mapped LUN index 0-65535 (the LUN number the initiator sees); the lowest free one when omitted on create. */
  index?: number;
  /** The TPG LUN to map (object or index); required to create. */
  tpgLun?: LUN | number;
  /** Write-protect the mapping (`write_protect`, written after the link; default false, written too, as rtslib-fb does). */
  writeProtect?: boolean;
  /** Name of the link (default: 10 random hex digits, as rtslib-fb). */
  alias?: string;
  /** Default: `create` when `tpgLun` is given, else `lookup`. */
  mode?: Mode;
}

/** Resolves and validates a `tpgLun` argument against the TPG of `acl`: the TPG LUN index. @internal */
export function resolveTpgLunArgument(tpg: TPGHandle, tpgLun: unknown): number {
  // a LUN object (told apart structurally: this module does not load the LUN module, which lists mapped LUNs)
  if (tpgLun instanceof CFSNode && 'tpg' in tpgLun && 'index' in tpgLun && typeof tpgLun.index === 'number') {
    const lun = tpgLun as LUN;
    if (lun.tpg.relativePath !== tpg.relativePath) {
      throw new RTSLibInvalidArgumentError('tpgLun', `${lun.describe()} is not in ${tpg.describe()}`);
    }
    return lun.index;
  }
  return validateInteger('tpgLun', tpgLun, 0, MAX_LUN);
}

/**
 * Ops creating one mapped LUN `mappedDir` (root-relative) mapping the TPG
 * LUN `tpgLunDir`: the directory, its link, and `write_protect` when given.
 * The object model and the config planner both create mapped LUNs with it.
 * @internal
 */
export function mappedLunCreateOps(mappedDir: string, tpgLunDir: string, alias: string, writeProtect: boolean | undefined): CfsOp[] {
  const ops: CfsOp[] = [
    { op: 'mkdir', path: mappedDir },
    { op: 'symlink', path: child(mappedDir, alias), target: tpgLunDir },
  ];
  if (writeProtect !== undefined) ops.push({ op: 'write', path: child(mappedDir, MAPPED_LUN_FILES.writeProtect), value: writeProtect ? '1' : '0' });
  return ops;
}

/** The mapped LUN indexes (`lun_<n>` directories) of an ACL directory in a snapshot, in order. @internal */
export function mappedLunIndexes(snap: Snapshot, aclDir: string): number[] {
  return snap
    .childDirs(aclDir)
    .map(parseLunDirName)
    .filter((n): n is number => n !== null)
    .sort((a, b) => a - b);
}

/** The TPG LUN index a mapped LUN directory links to, from a snapshot; null when it has no (valid) link. @internal */
export function linkedTpgLun(snap: Snapshot, tpg: TPGHandle, mappedDir: string): number | null {
  for (const name of snap.childLinks(mappedDir)) {
    const target = snap.link(child(mappedDir, name));
    if (!target) continue;
    const { parent, name: last } = splitPath(target);
    if (parent === lunsPath(tpg.relativePath)) return parseLunDirName(last);
  }
  return null;
}

/**
 * A mapped LUN of a node ACL.
 * @example
 * const mapped = await MappedLUN.open(acl, { tpgLun: 0 });
 */
export class MappedLUN extends CFSNode {
  /** Its node ACL. */
  readonly acl: NodeACL;
  /** Its index (the LUN number the initiator sees). */
  readonly index: number;

  private constructor(acl: NodeACL, index: number) {
    super(acl.cfs, mappedLunPath(acl.relativePath, index));
    this.acl = acl;
    this.index = index;
  }

  /**
   * Builds the object of a mapped LUN known to exist, without I/O.
   * @internal
   */
  static existing(acl: NodeACL, index: number): MappedLUN {
    return new MappedLUN(acl, index);
  }

  /**
   * e.g. `mapped LUN 0 of ACL iqn… of TPG 1 of …`
   * @example
   * mapped.describe(); // 'mapped LUN 0 of ACL iqn… of TPG 1 of …'
   */
  describe(): string {
    return `mapped LUN ${this.index} of ${this.acl.describe()}`;
  }

  protected override groups(): readonly AttributeGroup[] {
    return [];
  }

  /**
   * Opens (looks up or creates) a mapped LUN. Creating checks that the TPG
   * LUN exists before writing anything.
   * @example
   * const mapped = await MappedLUN.open(acl, { index: 0, tpgLun: lun, writeProtect: true });
   */
  static async open(acl: NodeACL, options: MappedLUNOptions = {}): Promise<MappedLUN> {
    const mode = validateMode(options.mode ?? (options.tpgLun === undefined ? 'lookup' : 'create'));
    if (options.index !== undefined) validateInteger('mapped LUN index', options.index, 0, MAX_LUN);
    const tpg = acl.tpg;
    const tpgLun = options.tpgLun === undefined ? undefined : resolveTpgLunArgument(tpg, options.tpgLun);
    if (options.writeProtect !== undefined && typeof options.writeProtect !== 'boolean') {
      throw new RTSLibInvalidArgumentError('writeProtect', `expected a boolean, got ${typeof options.writeProtect}`);
    }
    const alias = options.alias === undefined ? randomLinkAlias() : validateName('alias', options.alias);
    // One crossing, no file reads: the ACL's entries and whether the TPG LUN exists.
    const probe: CfsOp[] = [{ op: 'list', path: acl.relativePath }];
    if (tpgLun !== undefined) probe.push({ op: 'stat', path: lunPath(tpg.relativePath, tpgLun) });
    const [listing, lunStat] = await tpg.cfs.run(probe, { stopOnError: false });
    if (!listing?.ok) throw new RTSLibNotInCFSError(`${acl.describe()} does not exist`, acl.path);
    const entries = listing.value as NativeDirEntry[];
    const used = new Set(
      entries
        .filter((e) => e.type === 'dir')
        .map((e) => parseLunDirName(e.name))
        .filter((n): n is number => n !== null),
    );
    let index = options.index;
    if (index === undefined) {
      if (mode === 'lookup') throw new RTSLibInvalidArgumentError('mapped LUN index', 'is required to look up a mapped LUN');
      index = 0;
      while (used.has(index)) index++;
      if (index > MAX_LUN) throw new RTSLibError(`${acl.describe()} has no free mapped LUN index`, { code: 'ENOSPC' });
    }
    const mapped = new MappedLUN(acl, index);
    const exists = used.has(index);
    openMode(mode, exists, mapped);
    if (!exists) {
      if (tpgLun === undefined) throw new RTSLibInvalidArgumentError('tpgLun', 'is required to create a mapped LUN');
      if (!lunStat?.ok || (lunStat.value as NativeStat | undefined)?.type !== 'dir') {
        throw new RTSLibInvalidArgumentError('tpgLun', `LUN ${tpgLun} does not exist in ${tpg.describe()}`);
      }
      // write_protect is written even when false, as rtslib-fb writes it: the kernel starts a mapped LUN read-only under prod_mode_write_protect or on a read-only LUN
      await tpg.cfs.apply(mappedLunCreateOps(mapped.relativePath, lunPath(tpg.relativePath, tpgLun), alias, options.writeProtect ?? false), {
        what: `create ${mapped.describe()}`,
      });
      mapped.fresh = true;
    }
    return mapped;
  }

  /**
   * The TPG LUN it maps, resolved from its link.
   * @example
   * const lun = await mapped.tpgLun(); // lun.index
   */
  async tpgLun(): Promise<LUN> {
    await this.checkExists();
    const snap = await this.cfs.snapshot(this.relativePath, { maxDepth: 1 });
    const index = linkedTpgLun(snap, this.acl.tpg, this.relativePath);
    if (index === null) throw new RTSLibBrokenLink(`${this.describe()} has no link to a LUN of ${this.acl.tpg.describe()}`, this.path);
    return this.acl.tpg.lun(index);
  }

  /**
   * The mapping's alias (the name of its link).
   * @example
   * const alias = await mapped.alias(); // e.g. 'b8034778ee'
   */
  async alias(): Promise<string> {
    const snap = await this.cfs.snapshot(this.relativePath, { maxDepth: 1 });
    const link = snap.childLinks(this.relativePath)[0];
    if (link === undefined) throw new RTSLibBrokenLink(`${this.describe()} has no LUN link`, this.path);
    return link;
  }

  /**
   * Whether the mapping is write-protected.
   * @example
   * const ro = await mapped.writeProtect();
   */
  async writeProtect(): Promise<boolean> {
    return (await this.readFile(MAPPED_LUN_FILES.writeProtect)).trim() === '1';
  }

  /**
   * Sets or clears write protection.
   * @example
   * await mapped.setWriteProtect(true);
   */
  async setWriteProtect(writeProtect: boolean): Promise<void> {
    if (typeof writeProtect !== 'boolean') throw new RTSLibInvalidArgumentError('writeProtect', `expected a boolean, got ${typeof writeProtect}`);
    await this.cfs.apply([{ op: 'write', path: child(this.relativePath, MAPPED_LUN_FILES.writeProtect), value: writeProtect ? '1' : '0' }], {
      what: `set write_protect of ${this.describe()}`,
    });
  }

  /**
   * The mapped LUN's saveconfig.json entry (rtslib-fb's `dump()`): index,
   * TPG LUN, alias and write protection.
   * @example
   * const { tpg_lun, write_protect } = await mappedLun.dump();
   */
  async dump(): Promise<MappedLunConfig> {
    await this.checkExists();
    const snap = await this.cfs.snapshot(this.relativePath, { maxDepth: 1 });
    const entry = mappedLunForm(snap, this.acl.relativePath, splitPath(this.relativePath).name);
    if (!entry) throw new RTSLibBrokenLink(`${this.describe()} maps no LUN`, this.path);
    return entry;
  }

  /**
   * Removes the mapping (link, then directory).
   * @example
   * await mapped.delete();
   */
  async delete(): Promise<void> {
    await this.checkExists();
    await this.removeFromTree();
  }
}
