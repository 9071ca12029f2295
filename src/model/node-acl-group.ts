/**
 * rtslib-fb's client-side groups: a {@link NodeACLGroup} is the set of node
 * ACLs of one TPG that share a `tag`; a {@link MappedLUNGroup} is the mapped
 * LUNs with the same index across a group's ACLs. Nothing in configfs stores a
 * group: membership is read from the ACLs' `tag` files each time. Changes that
 * touch several ACLs go to the kernel in one all-or-nothing batch.
 */
import type { TPG } from './tpg.js';
import type { FabricFeature } from '../cfs/fabrics.js';
import type { TPGHandle } from './tpg-handle.js';
import type { LUN } from './lun.js';
import { LUN as LUNClass, MAX_LUN } from './lun.js';
import { NodeACL, validateAclTag, validateQueueDepth, type AttributeValue, type SessionInfo } from './node-acl.js';
import { MappedLUN, linkedTpgLun, mappedLunCreateOps, resolveTpgLunArgument } from './mapped-lun.js';
import { openMode, validateMode, type Mode } from './cfs-node.js';
import type { CfsOp } from '../cfs/configfs.js';
import type { Snapshot } from '../cfs/snapshot.js';
import {
  ACL_FILES,
  MAPPED_LUN_FILES,
  structureExcludesKeeping,
  type AttributeGroup,
  aclPath,
  aclsPath,
  child,
  groupPath,
  lunPath,
  mappedLunPath,
  parseLunDirName,
  settingPath,
  splitPath,
} from '../cfs/tree.js';
import { randomLinkAlias, validateInteger, validateName, validateSettingName, validateValue } from '../cfs/names.js';
import { AUTH_UNSET, authValue } from '../cfs/values.js';
import { CHAP_FILES, chapChanges, type ChapCredentials } from './chap.js';
import { normalizeWwn, wwnFromConfigfs, wwnToConfigfs } from '../cfs/wwn.js';
import { RTSLibBrokenLink, RTSLibError, RTSLibInvalidArgumentError, RTSLibNotInCFSError } from '../errors.js';
import { removalBatch } from '../cfs/removal.js';

/** One snapshot of a TPG deep enough for group work: ACL tags, mapped LUNs and their links, and the ACLs' settings groups `keep` (default `attrib`). */
async function groupSnapshot(tpg: TPG, keep: readonly AttributeGroup[] = ['attrib']): Promise<Snapshot> {
  if (!(await tpg.exists())) throw new RTSLibNotInCFSError(`${tpg.describe()} does not exist`, tpg.path);
  return tpg.cfs.snapshot(tpg.relativePath, { maxDepth: 4, excludeNames: structureExcludesKeeping(...keep) });
}

/** One write to every member of a group: the file in the member's settings group, and the value. */
interface MemberWrite {
  /** The member's settings group the file is in; null for a file of the ACL directory itself (`cmdsn_depth`). */
  group: AttributeGroup | null;
  name: string;
  value: string;
}

/** The group names (distinct non-empty tags) of the ACLs of a TPG in a snapshot, sorted. @internal */
export function groupNames(snap: Snapshot, tpg: TPGHandle): string[] {
  const dir = aclsPath(tpg.relativePath);
  const tags = snap.childDirs(dir).map((n) => snap.text(child(dir, n, ACL_FILES.tag))?.trim() ?? '');
  return [...new Set(tags.filter((t) => t !== '' && t !== AUTH_UNSET))].sort();
}

/** Root-relative directories of the ACLs whose tag is `name`, sorted. */
function memberDirs(snap: Snapshot, tpg: TPG, name: string): string[] {
  const dir = aclsPath(tpg.relativePath);
  return snap
    .childDirs(dir)
    .map((n) => child(dir, n))
    .filter((acl) => snap.text(child(acl, ACL_FILES.tag)) === name)
    .sort();
}

/** Mapped LUN indexes present in an ACL directory. */
function mappedIndexes(snap: Snapshot, acl: string): number[] {
  return snap
    .childDirs(acl)
    .map(parseLunDirName)
    .filter((n): n is number => n !== null)
    .sort((a, b) => a - b);
}

/**
 * The mapped LUN groups of `group` as `snap` (its TPG's structure) shows
 * them: one per mapped LUN index of its first member. @internal
 */
export function mappedLunGroupsIn(snap: Snapshot, group: NodeACLGroup): MappedLUNGroup[] {
  const first = memberDirs(snap, group.tpg, group.name)[0];
  return first === undefined ? [] : mappedIndexes(snap, first).map((index) => MappedLUNGroup.existing(group, index));
}

/**
 * Checks a group name: a valid ACL tag without `.` (every WWN has one, so a
 * dot would make names and WWNs ambiguous, as in rtslib-fb).
 * @example
 * validateGroupName('group_a'); // 'group_a'
 */
export function validateGroupName(name: unknown): string {
  const tag = validateAclTag('group name', name);
  if (tag.includes('.')) throw new RTSLibInvalidArgumentError('group name', `'.' is not permitted in group names: ${JSON.stringify(tag)}`);
  return tag;
}

/** Options for {@link NodeACLGroup.open}. */
export interface NodeACLGroupOptions {
  /** `any` (default), `lookup` (the group must have members) or `create` (it must have none). */
  mode?: Mode;
  /** Initiators to add (created as ACLs with the group's tag), in one batch. */
  initiators?: readonly string[];
}

/** Options for {@link MappedLUNGroup.open} and {@link NodeACLGroup.mappedLunGroup}. */
export interface MappedLUNGroupOptions {
  /** Mapped LUN index 0-65535; the lowest index free in every member when omitted on create. */
  index?: number;
  /** The TPG LUN to map (object or index); required to create. */
  tpgLun?: LUN | number;
  /** Write-protect every member's mapping. */
  writeProtect?: boolean;
  /** Link name used in every member (default: random per member). */
  alias?: string;
  /** Default: `create` when `tpgLun` is given, else `lookup`. */
  mode?: Mode;
}

/**
 * The node ACLs of a TPG that share a tag, managed together.
 * @example
 * const group = await NodeACLGroup.open(tpg, 'hosts');
 */
export class NodeACLGroup {
  /** The TPG. */
  readonly tpg: TPG;
  private groupName: string;

  private constructor(tpg: TPG, name: string) {
    this.tpg = tpg;
    this.groupName = name;
  }

  /**
   * Builds the object of a group known to have members (from a snapshot), without I/O.
   * @internal
   */
  static existing(tpg: TPG, name: string): NodeACLGroup {
    return new NodeACLGroup(tpg, name);
  }

  /**
   * The group's name (its members' tag).
   * @example
   * group.name; // 'hosts'
   */
  get name(): string {
    return this.groupName;
  }

  /**
   * e.g. `ACL group group_a of TPG 1 of …`
   * @example
   * group.describe(); // 'ACL group hosts of TPG 1 of …'
   */
  describe(): string {
    return `ACL group ${this.groupName} of ${this.tpg.describe()}`;
  }

  /**
   * Opens a group of `tpg` by name (its members' tag), optionally adding initiators.
   * @example
   * const group = await NodeACLGroup.open(tpg, 'hosts', { initiators: ['iqn.1994-05.com.redhat:a', 'iqn.1994-05.com.redhat:b'] });
   */
  static async open(tpg: TPG, name: string, options: NodeACLGroupOptions = {}): Promise<NodeACLGroup> {
    const mode = validateMode(options.mode ?? 'any');
    validateGroupName(name);
    if (!tpg.target.fabric.has('acls')) throw new RTSLibInvalidArgumentError('tpg', `fabric ${tpg.target.fabric.name} has no node ACLs`);
    const initiators = options.initiators ?? [];
    if (!Array.isArray(initiators)) throw new RTSLibInvalidArgumentError('initiators', 'expected an array of WWNs');
    for (const wwn of initiators) NodeACL.normalizeInitiator(tpg, wwn);
    const group = new NodeACLGroup(tpg, name);
    const snap = await groupSnapshot(tpg);
    const members = memberDirs(snap, tpg, name);
    openMode(mode, members.length > 0, group, { present: `already exists (${members.length} member(s))`, absent: 'has no members' });
    if (initiators.length > 0) await group.addAcls(initiators, snap);
    return group;
  }

  /**
   * The member ACLs, from one snapshot.
   * @example
   * const wwns = (await group.nodeAcls()).map((acl) => acl.nodeWwn);
   */
  async nodeAcls(): Promise<NodeACL[]> {
    const snap = await groupSnapshot(this.tpg);
    return memberDirs(snap, this.tpg, this.groupName).map((dir) => NodeACL.existing(this.tpg, splitPath(dir).name));
  }

  /**
   * The members' initiator WWNs.
   * @example
   * const wwns = await group.wwns();
   */
  async wwns(): Promise<string[]> {
    return (await this.nodeAcls()).map((acl) => acl.nodeWwn);
  }

  /**
   * Whether the group has members.
   * @example
   * if (!(await group.exists())) console.log('no members');
   */
  async exists(): Promise<boolean> {
    return (await this.nodeAcls()).length > 0;
  }

  /**
   * Adds one initiator; see {@link NodeACLGroup.addAcls}.
   * @example
   * const acl = await group.addAcl('iqn.1994-05.com.redhat:c');
   */
  async addAcl(nodeWwn: string): Promise<NodeACL> {
    const [acl] = await this.addAcls([nodeWwn]);
    return acl as NodeACL;
  }

  /**
   * Adds initiators to the group, in one batch. As in rtslib-fb, a joining
   * ACL takes the group's configuration: an existing ACL loses its mapped
   * LUNs and gets the first member's mapped LUNs (same index, TPG LUN and
   * write protection) and writable attributes; then its tag is set. CHAP
   * credentials stay per ACL.
   * @example
   * await group.addAcls(['iqn.1994-05.com.redhat:a', 'iqn.1994-05.com.redhat:b']);
   */
  async addAcls(nodeWwns: readonly string[], snapshot?: Snapshot): Promise<NodeACL[]> {
    const normalized = [...new Set(nodeWwns.map((w) => NodeACL.normalizeInitiator(this.tpg, w).wwn))];
    const snap = snapshot ?? (await groupSnapshot(this.tpg));
    const members = memberDirs(snap, this.tpg, this.groupName);
    const model = members[0];
    const modelLuns =
      model === undefined
        ? []
        : mappedIndexes(snap, model).map((index) => {
            const dir = mappedLunPath(model, index);
            const tpgLun = linkedTpgLun(snap, this.tpg, dir);
            if (tpgLun === null) throw new RTSLibBrokenLink(`mapped LUN ${index} of ${model} has no link to a LUN of ${this.tpg.describe()}`, this.tpg.cfs.abs(dir));
            return { index, tpgLun, writeProtect: snap.text(child(dir, MAPPED_LUN_FILES.writeProtect)) === '1' };
          });
    const modelAttributes =
      model === undefined
        ? []
        : snap
            .childFiles(groupPath(model, 'attrib'))
            .filter((n) => snap.isWritable(settingPath(model, 'attrib', n)) && snap.text(settingPath(model, 'attrib', n)) !== undefined)
            .map((n) => ({ name: n, value: snap.text(settingPath(model, 'attrib', n)) as string }));
    const acls = normalized.map((wwn) => NodeACL.existing(this.tpg, wwnToConfigfs(this.tpg.target.fabric.info, wwn)));
    const removals: string[] = [];
    const ops: CfsOp[] = [];
    const creates: CfsOp[] = [];
    for (const acl of acls) {
      const dir = acl.relativePath;
      if (members.includes(dir)) continue;
      const exists = snap.kind(dir) === 'dir';
      if (!exists) creates.push({ op: 'mkdir', path: dir });
      const previousTag = exists ? snap.text(child(dir, ACL_FILES.tag)) : undefined;
      creates.push({ op: 'write', path: child(dir, ACL_FILES.tag), value: this.groupName, ...(exists ? { previous: previousTag || AUTH_UNSET } : {}) });
      if (model === undefined) continue;
      if (exists) removals.push(...mappedIndexes(snap, dir).map((i) => mappedLunPath(dir, i)));
      for (const attribute of modelAttributes) {
        const path = settingPath(dir, 'attrib', attribute.name);
        const current = exists ? snap.text(path) : undefined;
        if (current === attribute.value) continue;
        creates.push({ op: 'write', path, value: attribute.value, ...(current !== undefined ? { previous: current } : {}) });
      }
      for (const m of modelLuns)
        creates.push(...mappedLunCreateOps(mappedLunPath(dir, m.index), lunPath(this.tpg.relativePath, m.tpgLun), randomLinkAlias(), m.writeProtect ? true : undefined));
    }
    if (removals.length > 0) ops.push(...removalBatch(snap, removals), { op: 'stat', path: '' });
    ops.push(...creates);
    if (ops.length > 0) await this.tpg.cfs.apply(ops, { what: `add ${normalized.length} initiator(s) to ${this.describe()}` });
    return acls;
  }

  /**
   * Removes an initiator from the group: deletes its ACL (with its mapped LUNs).
   * @example
   * await group.removeAcl('iqn.1994-05.com.redhat:c');
   */
  async removeAcl(nodeWwn: string): Promise<void> {
    const { wwn } = NodeACL.normalizeInitiator(this.tpg, nodeWwn);
    const snap = await groupSnapshot(this.tpg);
    const dir = NodeACL.existing(this.tpg, wwnToConfigfs(this.tpg.target.fabric.info, wwn)).relativePath;
    const acl = memberDirs(snap, this.tpg, this.groupName).find((d) => d === dir);
    if (acl === undefined) throw new RTSLibNotInCFSError(`${wwn} is not a member of ${this.describe()}`, this.tpg.cfs.abs(dir));
    await this.tpg.cfs.apply(removalBatch(snap, [acl]), { what: `remove ${wwn} from ${this.describe()}` });
  }

  /**
   * Renames the group: rewrites every member's tag in one batch.
   * @example
   * await group.setName('group_b');
   */
  async setName(name: string): Promise<void> {
    validateGroupName(name);
    const snap = await groupSnapshot(this.tpg);
    const ops: CfsOp[] = memberDirs(snap, this.tpg, this.groupName).map((dir) => ({ op: 'write', path: child(dir, ACL_FILES.tag), value: name, previous: this.groupName }));
    if (ops.length > 0) await this.tpg.cfs.apply(ops, { what: `rename ${this.describe()} to ${name}` });
    this.groupName = name;
  }

  /**
   * Writes `writes` into every member (or only the member whose directory
   * is `only`) in one all-or-nothing batch, each
   * with the value it replaces (from one snapshot) for the undo. A group
   * setting the members lack is refused before anything is written; auth values are
   * secret (never in errors) and an unset one is restored as `NULL`.
   */
  private async applyToMembers(what: string, writes: readonly MemberWrite[], only?: string): Promise<void> {
    const snap = await groupSnapshot(this.tpg, [...new Set(writes.map((w) => w.group).filter((g): g is AttributeGroup => g !== null))]);
    const members = memberDirs(snap, this.tpg, this.groupName).filter((dir) => only === undefined || dir === only);
    if (only !== undefined && members.length === 0) throw new RTSLibInvalidArgumentError('wwn', `${only} is not a member of ${this.describe()}`);
    const ops: CfsOp[] = [];
    for (const dir of members) {
      for (const { group, name, value } of writes) {
        const path = group === null ? child(dir, name) : settingPath(dir, group, name);
        if (group !== null && snap.kind(path) !== 'file')
          throw new RTSLibInvalidArgumentError(`${group} name`, `${this.describe()}: ${dir} has no ${group} ${JSON.stringify(name)}`);
        const shown = snap.text(path);
        const secret = group === 'auth';
        const previous = secret ? (authValue(shown ?? '') ?? AUTH_UNSET) : shown;
        ops.push({ op: 'write', path, value, ...(secret ? { secret: true } : {}), ...(previous === undefined ? {} : { previous }) });
      }
    }
    if (ops.length > 0) await this.tpg.cfs.apply(ops, { what: `${what} of ${this.describe()}` });
  }

  /**
   * Sets an attribute on every member, in one batch.
   * @example
   * await group.setAttribute('dataout_timeout', 5);
   */
  async setAttribute(name: string, value: AttributeValue): Promise<void> {
    validateSettingName('attribute name', name);
    const text = validateValue(`attribute ${name}`, value);
    await this.applyToMembers(`set attribute ${name}`, [{ group: 'attrib', name, value: text }]);
  }

  /**
   * An attribute of the first member (members should agree).
   * @example
   * const timeout = await group.getAttribute('dataout_timeout');
   */
  async getAttribute(name: string): Promise<string> {
    return (await this.firstMember()).getAttribute(name);
  }

  /**
   * Sets a parameter (`param/<name>`) on every member, in one batch.
   * (The kernel's ACL parameters are read-only today; the write is refused
   * and nothing changes.)
   * @example
   * await group.setParameter('MaxBurstLength', 262144);
   */
  async setParameter(name: string, value: AttributeValue): Promise<void> {
    validateSettingName('parameter name', name);
    await this.applyToMembers(`set parameter ${name}`, [{ group: 'param', name, value: validateValue(`parameter ${name}`, value) }]);
  }

  /**
   * A parameter of the first member (members should agree).
   * @example
   * const burst = await group.getParameter('MaxBurstLength');
   */
  async getParameter(name: string): Promise<string> {
    return (await this.firstMember()).getParameter(name);
  }

  /**
   * Attribute names of the first member; `writable` filters.
   * @example
   * const names = await group.listAttributes({ writable: true });
   */
  async listAttributes(filter: { writable?: boolean } = {}): Promise<string[]> {
    return (await this.firstMember()).listAttributes(filter);
  }

  /**
   * Parameter names of the first member; `writable` filters.
   * @example
   * const names = await group.listParameters();
   */
  async listParameters(filter: { writable?: boolean } = {}): Promise<string[]> {
    return (await this.firstMember()).listParameters(filter);
  }

  /** Each member's WWN and one CHAP credential (null when unset), from one read. */
  private async memberCredential(key: keyof ChapCredentials): Promise<[string, string | null][]> {
    const snap = await groupSnapshot(this.tpg, ['auth']);
    const file = CHAP_FILES[key];
    return memberDirs(snap, this.tpg, this.groupName).map((dir) => [
      wwnFromConfigfs(this.tpg.target.fabric.info, splitPath(dir).name),
      authValue(snap.text(settingPath(dir, 'auth', file)) ?? ''),
    ]);
  }

  /**
   * Each member's WWN and CHAP user id (null when unset), from one read
   * (rtslib-fb's `get_userids()`).
   * @example
   * for (const [wwn, userid] of await group.userids()) console.log(wwn, userid);
   */
  userids(): Promise<[string, string | null][]> {
    return this.memberCredential('userid');
  }

  /** Each member's WWN and CHAP password (rtslib-fb's `get_passwords()`). */
  passwords(): Promise<[string, string | null][]> {
    return this.memberCredential('password');
  }

  /** Each member's WWN and mutual CHAP user id (rtslib-fb's `get_mutual_userids()`). */
  mutualUserids(): Promise<[string, string | null][]> {
    return this.memberCredential('mutualUserid');
  }

  /** Each member's WWN and mutual CHAP password (rtslib-fb's `get_mutual_passwords()`). */
  mutualPasswords(): Promise<[string, string | null][]> {
    return this.memberCredential('mutualPassword');
  }

  /**
   * Sets the CHAP credentials given (null or '' unsets one; omitted ones are
   * left alone) on every member, or only on member `wwn`, in one
   * all-or-nothing batch; rtslib-fb's `set_userids(value, wwn)` and the
   * others, all at once. Values never appear in errors.
   * @example
   * await group.setChap({ userid: 'user1', password: 'secret123456' });
   * await group.setChap({ password: 'other-secret' }, 'iqn.1994-05.com.redhat:g2');
   */
  async setChap(credentials: Partial<ChapCredentials>, wwn?: string): Promise<void> {
    if (typeof credentials !== 'object' || credentials === null) throw new RTSLibInvalidArgumentError('credentials', 'expected an object');
    const changes = chapChanges(credentials);
    const only = wwn === undefined ? undefined : aclPath(this.tpg.relativePath, wwnToConfigfs(this.tpg.target.fabric.info, normalizeWwn(this.tpg.target.fabric.info, wwn).wwn));
    if (changes.length > 0)
      await this.applyToMembers(
        'set the CHAP credentials',
        changes.map(({ file, value }) => ({ group: 'auth', name: file, value })),
        only,
      );
  }

  /** rtslib-fb's `set_userids(value, wwn)`: {@link setChap} of the user id. */
  setUserids(userid: string | null, wwn?: string): Promise<void> {
    return this.setChap({ userid }, wwn);
  }

  /** rtslib-fb's `set_passwords(value, wwn)`: {@link setChap} of the password. */
  setPasswords(password: string | null, wwn?: string): Promise<void> {
    return this.setChap({ password }, wwn);
  }

  /** rtslib-fb's `set_mutual_userids(value, wwn)`: {@link setChap} of the mutual user id. */
  setMutualUserids(mutualUserid: string | null, wwn?: string): Promise<void> {
    return this.setChap({ mutualUserid }, wwn);
  }

  /** rtslib-fb's `set_mutual_passwords(value, wwn)`: {@link setChap} of the mutual password. */
  setMutualPasswords(mutualPassword: string | null, wwn?: string): Promise<void> {
    return this.setChap({ mutualPassword }, wwn);
  }

  /**
   * Whether the first member's initiator must authenticate the target too
   * (`auth/authenticate_target`; rtslib-fb's `authenticate_target`).
   * @example
   * if (await group.authenticateTarget()) console.log('mutual CHAP');
   */
  async authenticateTarget(): Promise<boolean> {
    return (await this.firstMember()).authenticateTarget();
  }

  /**
   * Sets every member's queue depth, in one batch.
   * @example
   * await group.setQueueDepth(64);
   */
  async setQueueDepth(depth: number): Promise<void> {
    validateQueueDepth(depth);
    await this.applyToMembers('set the queue depth', [{ group: null, name: ACL_FILES.cmdsnDepth, value: String(depth) }]);
  }

  /**
   * The first member's queue depth.
   * @example
   * const depth = await group.queueDepth();
   */
  async queueDepth(): Promise<number | null> {
    return (await this.firstMember()).queueDepth();
  }

  /**
   * Session information of the members that have an active session.
   * @example
   * const active = (await group.sessions()).length;
   */
  async sessions(): Promise<SessionInfo[]> {
    const infos = await Promise.all((await this.nodeAcls()).map((acl) => acl.sessionInfo()));
    return infos.filter((s) => s.active);
  }

  /**
   * Whether the group's fabric has `feature` (rtslib-fb's `has_feature`).
   * @example
   * if (group.hasFeature('auth')) await group.setChap({ userid: 'u' });
   */
  hasFeature(feature: FabricFeature): boolean {
    return this.tpg.target.fabric.has(feature);
  }

  private async firstMember(): Promise<NodeACL> {
    const first = (await this.nodeAcls())[0];
    if (!first) throw new RTSLibNotInCFSError(`${this.describe()} has no members`);
    return first;
  }

  /**
   * Opens (looks up or creates, for every member at once) a mapped LUN group.
   * @example
   * const mlg = await group.mappedLunGroup({ index: 0, tpgLun: lun, writeProtect: true });
   */
  mappedLunGroup(options: MappedLUNGroupOptions = {}): Promise<MappedLUNGroup> {
    return MappedLUNGroup.open(this, options);
  }

  /**
   * The mapped LUN groups: one per mapped LUN index of the first member.
   * @example
   * for (const mlg of await group.mappedLunGroups()) console.log(mlg.index);
   */
  async mappedLunGroups(): Promise<MappedLUNGroup[]> {
    return mappedLunGroupsIn(await groupSnapshot(this.tpg), this);
  }

  /**
   * Deletes every member ACL (with its mapped LUNs) in one batch.
   * @example
   * await group.delete();
   */
  async delete(): Promise<void> {
    const snap = await groupSnapshot(this.tpg);
    const members = memberDirs(snap, this.tpg, this.groupName);
    if (members.length > 0) await this.tpg.cfs.apply(removalBatch(snap, members), { what: `delete ${this.describe()}` });
  }

  /** @internal */
  static snapshotMembers(group: NodeACLGroup): Promise<{ snap: Snapshot; members: string[] }> {
    return groupSnapshot(group.tpg).then((snap) => ({ snap, members: memberDirs(snap, group.tpg, group.groupName) }));
  }
}

/**
 * The mapped LUNs with one index across the members of a {@link NodeACLGroup}.
 * @example
 * const mlg = await group.mappedLunGroup({ tpgLun: 0 });
 */
export class MappedLUNGroup {
  /** The ACL group. */
  readonly group: NodeACLGroup;
  /** The mapped LUN index. */
  readonly index: number;

  private constructor(group: NodeACLGroup, index: number) {
    this.group = group;
    this.index = index;
  }

  /**
   * Builds the object without I/O.
   * @internal
   */
  static existing(group: NodeACLGroup, index: number): MappedLUNGroup {
    return new MappedLUNGroup(group, index);
  }

  /**
   * e.g. `mapped LUN 0 of ACL group group_a of …`
   * @example
   * mlg.describe(); // 'mapped LUN 0 of ACL group hosts of …'
   */
  describe(): string {
    return `mapped LUN ${this.index} of ${this.group.describe()}`;
  }

  /**
   * Opens (looks up or creates) the mapped LUN `index` in every member of
   * `group`. Creating writes every member's mapping in ONE batch (all or
   * nothing); the TPG LUN must exist and no member may have the index yet.
   * @example
   * const mlg = await MappedLUNGroup.open(group, { tpgLun: 0, writeProtect: true });
   */
  static async open(group: NodeACLGroup, options: MappedLUNGroupOptions = {}): Promise<MappedLUNGroup> {
    const mode = validateMode(options.mode ?? (options.tpgLun === undefined ? 'lookup' : 'create'));
    if (options.index !== undefined) validateInteger('mapped LUN index', options.index, 0, MAX_LUN);
    const tpg = group.tpg;
    const tpgLun = options.tpgLun === undefined ? undefined : resolveTpgLunArgument(tpg, options.tpgLun);
    if (options.writeProtect !== undefined && typeof options.writeProtect !== 'boolean') {
      throw new RTSLibInvalidArgumentError('writeProtect', `expected a boolean, got ${typeof options.writeProtect}`);
    }
    const alias = options.alias === undefined ? undefined : validateName('alias', options.alias);
    const { snap, members } = await NodeACLGroup.snapshotMembers(group);
    if (members.length === 0) {
      openMode(mode, false, group, { absent: 'has no members' });
      throw new RTSLibInvalidArgumentError('group', `${group.describe()} has no members to map a LUN to`);
    }
    const usedBy = members.map((dir) => new Set(mappedIndexes(snap, dir)));
    let index = options.index;
    if (index === undefined) {
      if (mode === 'lookup') throw new RTSLibInvalidArgumentError('mapped LUN index', 'is required to look up a mapped LUN group');
      index = 0;
      while (usedBy.some((used) => used.has(index as number))) index++;
      if (index > MAX_LUN) throw new RTSLibError(`${group.describe()} has no mapped LUN index free in every member`, { code: 'ENOSPC' });
    }
    const mlg = new MappedLUNGroup(group, index);
    const having = usedBy.filter((used) => used.has(index as number)).length;
    openMode(mode, having > 0, mlg, { present: `already exists in ${having} member(s)` });
    if (having === 0) {
      if (tpgLun === undefined) throw new RTSLibInvalidArgumentError('tpgLun', 'is required to create a mapped LUN group');
      if (snap.kind(lunPath(tpg.relativePath, tpgLun)) !== 'dir') throw new RTSLibInvalidArgumentError('tpgLun', `LUN ${tpgLun} does not exist in ${tpg.describe()}`);
      const ops = members.flatMap((dir) =>
        mappedLunCreateOps(mappedLunPath(dir, index as number), lunPath(tpg.relativePath, tpgLun), alias ?? randomLinkAlias(), options.writeProtect),
      );
      await tpg.cfs.apply(ops, { what: `create ${mlg.describe()}` });
    }
    return mlg;
  }

  /**
   * The members' mapped LUNs with this index.
   * @example
   * const mappings = await mlg.mappedLuns();
   */
  async mappedLuns(): Promise<MappedLUN[]> {
    const { snap, members } = await NodeACLGroup.snapshotMembers(this.group);
    return members
      .filter((dir) => snap.kind(mappedLunPath(dir, this.index)) === 'dir')
      .map((dir) => MappedLUN.existing(NodeACL.existing(this.group.tpg, splitPath(dir).name), this.index));
  }

  /**
   * Whether any member has a mapped LUN with this index (rtslib-fb's `MappedLUNGroup` exists while one does).
   * @example
   * if (!(await mlg.exists())) console.log('gone');
   */
  async exists(): Promise<boolean> {
    return (await this.mappedLuns()).length > 0;
  }

  /**
   * The TPG LUN the first member's mapping points at.
   * @example
   * const lun = await mlg.tpgLun(); // lun.index
   */
  async tpgLun(): Promise<LUN> {
    const { snap, members } = await NodeACLGroup.snapshotMembers(this.group);
    const dir = members.map((m) => mappedLunPath(m, this.index)).find((d) => snap.kind(d) === 'dir');
    if (dir === undefined) throw new RTSLibNotInCFSError(`${this.describe()} does not exist`);
    const index = linkedTpgLun(snap, this.group.tpg, dir);
    if (index === null) throw new RTSLibBrokenLink(`${this.describe()} has no link to a TPG LUN`, this.group.tpg.cfs.abs(dir));
    return LUNClass.existing(this.group.tpg, index);
  }

  /**
   * Whether the first member's mapping is write-protected.
   * @example
   * const ro = await mlg.writeProtect();
   */
  async writeProtect(): Promise<boolean> {
    const first = (await this.mappedLuns())[0];
    if (!first) throw new RTSLibNotInCFSError(`${this.describe()} does not exist`);
    return first.writeProtect();
  }

  /**
   * Sets write protection on every member's mapping, in one batch.
   * @example
   * await mlg.setWriteProtect(false);
   */
  async setWriteProtect(writeProtect: boolean): Promise<void> {
    if (typeof writeProtect !== 'boolean') throw new RTSLibInvalidArgumentError('writeProtect', `expected a boolean, got ${typeof writeProtect}`);
    const { snap, members } = await NodeACLGroup.snapshotMembers(this.group);
    const ops: CfsOp[] = members
      .map((m) => mappedLunPath(m, this.index))
      .filter((d) => snap.kind(d) === 'dir')
      .map((d) => {
        const path = child(d, MAPPED_LUN_FILES.writeProtect);
        const previous = snap.text(path);
        return { op: 'write', path, value: writeProtect ? '1' : '0', ...(previous === undefined ? {} : { previous }) };
      });
    if (ops.length > 0) await this.group.tpg.cfs.apply(ops, { what: `set write_protect of ${this.describe()}` });
  }

  /**
   * Deletes the mapping in every member, in one batch.
   * @example
   * await mlg.delete();
   */
  async delete(): Promise<void> {
    const { snap, members } = await NodeACLGroup.snapshotMembers(this.group);
    const dirs = members.map((m) => mappedLunPath(m, this.index)).filter((d) => snap.kind(d) === 'dir');
    if (dirs.length > 0) await this.group.tpg.cfs.apply(removalBatch(snap, dirs), { what: `delete ${this.describe()}` });
  }
}
