/**
 * A target portal group (`<target>/tpgt_<tag>`): holds LUNs, ACLs and portals.
 */
import type { Target } from './target.js';
import { CFSNode, openMode, validateMode, type Mode } from './cfs-node.js';
import {
  STRUCTURE_EXCLUDES,
  TPG_FILES,
  aclsPath,
  child,
  lunsPath,
  parseLunDirName,
  parsePortalDirName,
  parseTpgDirName,
  portalsPath,
  tpgPath,
  type AttributeGroup,
} from '../cfs/tree.js';
import { validateInteger } from '../cfs/names.js';
import { generateWwn, normalizeWwn } from '../cfs/wwn.js';
import { RTSLibInvalidArgumentError } from '../errors.js';
import type { CfsOp } from '../cfs/configfs.js';
import { NodeACL } from './node-acl.js';
import { LUN } from './lun.js';
import { NetworkPortal } from './network-portal.js';
import type { Snapshot } from '../cfs/snapshot.js';

/** Options for {@link TPG.open}. */
export interface TPGOptions {
  /** Tag (1-65535); the lowest free one when omitted (then the mode is `create`). */
  tag?: number;
  /** Default `any` with a tag, `create` without. */
  mode?: Mode;
  /** For fabrics with a nexus (loopback, vhost, ...): `true` generates one, a string sets it. */
  nexus?: boolean | string;
}

/**
 * Ops creating the TPG directory `tpgDir` (root-relative) and, for fabrics
 * with one, setting its `nexus`. The object model and the config planner
 * both create TPGs with it.
 * @internal
 */
export function tpgCreateOps(tpgDir: string, nexus?: string): CfsOp[] {
  const ops: CfsOp[] = [{ op: 'mkdir', path: tpgDir }];
  if (nexus !== undefined) ops.push({ op: 'write', path: child(tpgDir, TPG_FILES.nexus), value: nexus });
  return ops;
}

/** A target portal group. */
export class TPG extends CFSNode {
  /** Its target. */
  readonly target: Target;
  /** Its tag. */
  readonly tag: number;

  private constructor(target: Target, tag: number) {
    super(target.cfs, tpgPath(target.relativePath, tag));
    this.target = target;
    this.tag = tag;
  }

  /**
   * Builds the object of a TPG known to exist (from a snapshot), without I/O.
   * @internal
   */
  static existing(target: Target, tag: number): TPG {
    return new TPG(target, tag);
  }

  /** e.g. `TPG 1 of iscsi target iqn…` */
  describe(): string {
    return `TPG ${this.tag} of ${this.target.describe()}`;
  }

  protected override groups(): readonly AttributeGroup[] {
    return ['attrib', 'param', 'auth'];
  }

  /**
   * Opens (looks up or creates) a TPG of `target`.
   * @example
   * const tpg = await TPG.open(target, { tag: 1 });
   */
  static async open(target: Target, options: TPGOptions = {}): Promise<TPG> {
    const mode = validateMode(options.mode ?? (options.tag === undefined ? 'create' : 'any'));
    if (options.tag !== undefined) validateInteger('tag', options.tag, 1, 65535);
    let nexus: string | undefined;
    if (options.nexus !== undefined && options.nexus !== false) {
      if (!target.fabric.has('nexus')) throw new RTSLibInvalidArgumentError('nexus', `fabric ${target.fabric.name} has no nexus`);
      nexus = options.nexus === true ? generateWwn(target.fabric.info.wwnTypes[0]!) : normalizeWwn(target.fabric.info, options.nexus, 'nexus').wwn;
    }
    const snap = await target.cfs.snapshot(target.relativePath, { maxDepth: 1 });
    const tags = new Set(
      snap
        .childDirs(target.relativePath)
        .map(parseTpgDirName)
        .filter((t): t is number => t !== null),
    );
    let tag = options.tag;
    if (tag === undefined) {
      tag = 1;
      while (tags.has(tag)) tag++;
    }
    const tpg = new TPG(target, tag);
    const exists = tags.has(tag);
    if (openMode(mode, exists, tpg)) {
      await target.cfs.apply(tpgCreateOps(tpg.relativePath, nexus), { what: `create ${tpg.describe()}` });
      tpg.fresh = true;
    }
    return tpg;
  }

  /** The nexus WWN (loopback, vhost, ...), or null when none is set or the fabric has none. */
  async nexus(): Promise<string | null> {
    const text = await this.readOptionalFile(TPG_FILES.nexus);
    return text === null || text === '' ? null : text;
  }

  /** Whether the TPG is enabled (fabrics without an `enable` file are always enabled). */
  async enabled(): Promise<boolean> {
    const text = await this.readOptionalFile(TPG_FILES.enable);
    return text === null ? true : text === '1';
  }

  /** Enables or disables the TPG (fabrics with an `enable` file only). */
  async setEnabled(enabled: boolean): Promise<void> {
    await this.cfs.apply([{ op: 'write', path: child(this.relativePath, TPG_FILES.enable), value: enabled ? '1' : '0' }], {
      what: `${enabled ? 'enable' : 'disable'} ${this.describe()}`,
    });
  }

  /** One snapshot of the TPG's directory and its acls/, lun/ and np/ entries (no attribute files read). */
  private async childrenSnapshot(): Promise<Snapshot> {
    await this.checkExists();
    return this.cfs.snapshot(this.relativePath, { maxDepth: 2, excludeNames: STRUCTURE_EXCLUDES });
  }

  /**
   * The TPG's node ACLs, from one snapshot.
   * @example
   * for (const acl of await tpg.nodeAcls()) console.log(acl.nodeWwn);
   */
  async nodeAcls(): Promise<NodeACL[]> {
    const snap = await this.childrenSnapshot();
    return snap.childDirs(aclsPath(this.relativePath)).map((name) => NodeACL.existing(this, name));
  }

  /**
   * The TPG's LUNs in index order, from one snapshot.
   * @example
   * const indexes = (await tpg.luns()).map((lun) => lun.index);
   */
  async luns(): Promise<LUN[]> {
    const snap = await this.childrenSnapshot();
    return snap
      .childDirs(lunsPath(this.relativePath))
      .map(parseLunDirName)
      .filter((n): n is number => n !== null)
      .sort((a, b) => a - b)
      .map((index) => LUN.existing(this, index));
  }

  /**
   * The TPG's network portals, from one snapshot.
   * @example
   * const addresses = (await tpg.networkPortals()).map((np) => `${np.ip}:${np.port}`);
   */
  async networkPortals(): Promise<NetworkPortal[]> {
    const snap = await this.childrenSnapshot();
    return snap
      .childDirs(portalsPath(this.relativePath))
      .map(parsePortalDirName)
      .filter((p): p is { ip: string; port: number } => p !== null)
      .map((p) => NetworkPortal.existing(this, p.ip, p.port));
  }

  /** Removes the TPG with its LUNs, ACLs and portals. */
  async delete(): Promise<void> {
    await this.checkExists();
    await this.removeFromTree();
  }
}
