/**
 * A target portal group (`<target>/tpgt_<tag>`): holds LUNs, ACLs and portals.
 */
import type { FabricFeature } from '../cfs/fabrics.js';
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
import { RTSLibError, RTSLibInvalidArgumentError } from '../errors.js';
import type { CfsOp } from '../cfs/configfs.js';
import { NodeACL } from './node-acl.js';
import { LUN } from './lun.js';
import { NetworkPortal } from './network-portal.js';
import { NodeACLGroup, groupNames } from './node-acl-group.js';
import { authenticatesTarget, readChap, writeChap, type ChapCredentials } from './chap.js';
import type { Snapshot } from '../cfs/snapshot.js';
import { storageObjectRefsUnder, tpgForm, type DumpOptions } from './saved-forms.js';
import type { TpgConfig } from './saveconfig-format.js';

/** Options for {@link TPG.open}. */
export interface TPGOptions {
  /** Tag (1-65535); the lowest free one when omitted (then the mode is `create`). */
  tag?: number;
  /** Default `any` with a tag, `create` without. */
  mode?: Mode;
  /**
   * For fabrics with a nexus (loopback, vhost, ...): a string sets it, `true`
   * generates one, `false` creates the TPG without one (set it later with
   * {@link TPG.setNexus}). Default: generated, as rtslib-fb does.
   */
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

  /**
   * Whether the TPG's fabric has `feature` (rtslib-fb's `has_feature`).
   * @example
   * if (tpg.hasFeature('auth')) console.log('CHAP');
   */
  hasFeature(feature: FabricFeature): boolean {
    return this.target.fabric.has(feature);
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
    if (options.nexus !== undefined && options.nexus !== false && !target.fabric.has('nexus')) {
      throw new RTSLibInvalidArgumentError('nexus', `fabric ${target.fabric.name} has no nexus`);
    }
    // a nexus fabric's new TPG gets one unless told not to (rtslib-fb creates it too)
    const wantNexus = options.nexus ?? target.fabric.has('nexus');
    if (wantNexus !== false) nexus = wantNexus === true ? generateWwn(target.fabric.info.wwnTypes[0]!) : normalizeWwn(target.fabric.info, wantNexus, 'nexus').wwn;
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

  /**
   * The object of the TPG's LUN `index`, without I/O (see {@link luns} for those that exist).
   * @example
   * const lun0 = tpg.lun(0);
   */
  lun(index: number): LUN {
    return LUN.existing(this, index);
  }

  /** The nexus WWN (loopback, vhost, ...), or null when none is set or the fabric has none. */
  async nexus(): Promise<string | null> {
    // the kernel answers ENODEV for a TPG without a nexus
    const text = await this.readOptionalFile(TPG_FILES.nexus).catch((error: unknown) => {
      if (error instanceof RTSLibError && error.code === 'ENODEV') return null;
      throw error;
    });
    return text === null || text === '' ? null : text;
  }

  /**
   * Sets the nexus of a TPG that has none (fabrics with a nexus only): the
   * WWN given, or a generated one. The kernel keeps one nexus per TPG.
   * @example
   * await tpg.setNexus('naa.5001405f1a2b3c4d');
   */
  async setNexus(wwn: string | true = true): Promise<void> {
    if (!this.target.fabric.has('nexus')) throw new RTSLibInvalidArgumentError('nexus', `fabric ${this.target.fabric.name} has no nexus`);
    const nexus = wwn === true ? generateWwn(this.target.fabric.info.wwnTypes[0]!) : normalizeWwn(this.target.fabric.info, wwn, 'nexus').wwn;
    if ((await this.nexus()) !== null) throw new RTSLibError(`${this.describe()} already has a nexus (the kernel keeps one)`, { code: 'EEXIST' });
    await this.cfs.apply([{ op: 'write', path: child(this.relativePath, TPG_FILES.nexus), value: nexus }], { what: `set the nexus of ${this.describe()}` });
  }

  /** Whether the TPG is enabled (fabrics without an `enable` file are always enabled). */
  async enabled(): Promise<boolean> {
    const text = await this.readOptionalFile(TPG_FILES.enable);
    return text === null ? true : text === '1';
  }

  /**
   * Enables or disables the TPG. Fabrics without an `enable` file (loopback,
   * vhost, …) are always enabled: as in rtslib-fb, nothing is written there.
   */
  async setEnabled(enabled: boolean): Promise<void> {
    if (typeof enabled !== 'boolean') throw new RTSLibInvalidArgumentError('enabled', 'expected a boolean');
    if ((await this.readOptionalFile(TPG_FILES.enable)) === null) {
      await this.checkExists();
      return;
    }
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

  /**
   * The TPG's own CHAP credentials (`auth/`: used when the TPG authenticates
   * initiators without ACLs of their own; unset ones are null). iSCSI only.
   * @example
   * const { userid } = await tpg.chap();
   */
  chap(): Promise<ChapCredentials> {
    return readChap(this);
  }

  /**
   * Sets the TPG's CHAP credentials given (null or '' unsets one), all or
   * nothing. Values never appear in errors. iSCSI only.
   * @example
   * await tpg.setChap({ userid: 'tpg-user', password: 'tpg-secret' });
   */
  setChap(credentials: Partial<ChapCredentials>): Promise<void> {
    return writeChap(this, credentials);
  }

  /**
   * Whether initiators must authenticate the target too (`auth/authenticate_target`). iSCSI only.
   * @example
   * if (await tpg.authenticateTarget()) console.log('mutual CHAP');
   */
  authenticateTarget(): Promise<boolean> {
    return authenticatesTarget(this);
  }

  /**
   * The TPG's node ACL groups (ACLs sharing a tag, as rtslib-fb's
   * `node_acl_groups`), by name, from one read of its ACLs.
   * @example
   * const names = (await tpg.nodeAclGroups()).map((g) => g.name);
   */
  async nodeAclGroups(): Promise<NodeACLGroup[]> {
    await this.checkExists();
    const snap = await this.cfs.snapshot(aclsPath(this.relativePath), { maxDepth: 2, excludeNames: STRUCTURE_EXCLUDES });
    return groupNames(snap, this).map((name) => NodeACLGroup.existing(this, name));
  }

  /**
   * The TPG's saveconfig.json entry with its LUNs, portals and ACLs
   * (rtslib-fb's `dump()`), from one read of its directory.
   * @example
   * const entry = await tpg.dump();
   */
  async dump(options: DumpOptions = {}): Promise<TpgConfig> {
    await this.checkExists();
    const snap = await this.cfs.snapshot(this.relativePath);
    return tpgForm(snap, this.target.fabric.info, this.target.relativePath, this.tag, await storageObjectRefsUnder(this.cfs, snap, this.relativePath), options);
  }

  /** Removes the TPG with its LUNs, ACLs and portals. */
  async delete(): Promise<void> {
    await this.checkExists();
    await this.removeFromTree();
  }
}
