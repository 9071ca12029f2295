/**
 * A node ACL of a TPG (`<tpg>/acls/<initiator wwn>`): what one initiator may
 * see (its mapped LUNs), its CHAP credentials, queue depth and tag.
 */
import type { TPGHandle } from './tpg-handle.js';
import { MappedLUN, mappedLunIndexes } from './mapped-lun.js';
import { CFSNode, openMode, validateMode, type Mode } from './cfs-node.js';
import type { CfsOp } from '../cfs/configfs.js';
import type { FabricFeature, WwnType } from '../cfs/fabrics.js';
import { ACL_FILES, aclPath, child, type AttributeGroup, settingPath, splitPath } from '../cfs/tree.js';
import { validateInteger, validateSettingName, validateValue } from '../cfs/names.js';
import { normalizeWwn, wwnFromConfigfs, wwnToConfigfs } from '../cfs/wwn.js';
import { AUTH_UNSET, integerValue } from '../cfs/values.js';
import { RTSLibInvalidArgumentError, RTSLibNotInCFSError } from '../errors.js';
import { authenticatesTarget, readChap, writeChap, type ChapCredentials } from './chap.js';
import { nodeAclForm, type DumpOptions } from './saved-forms.js';
import type { NodeAclConfig } from './saveconfig-format.js';

export { MAX_CHAP_BYTES, validateChapValue, type ChapCredentials } from './chap.js';

/** The longest tag the kernel keeps (MAX_ACL_TAG_SIZE less its terminator). */
export const MAX_ACL_TAG_BYTES = 63;

/** The queue-depth range the iSCSI fabric accepts for `cmdsn_depth`. */
export const QUEUE_DEPTH_RANGE = { min: 1, max: 512 } as const;

/** Attribute values accepted by {@link NodeACLOptions.attributes}. */
export type AttributeValue = string | number | boolean;

/** Options for {@link NodeACL.open}. */
export interface NodeACLOptions {
  /** Default `any`. */
  mode?: Mode;
  /** Tag written to the ACL's `tag` file (groups ACLs, see NodeACLGroup); null clears it. */
  tag?: string | null;
  /** Queue depth (`cmdsn_depth`, iSCSI), 1-512. */
  queueDepth?: number;
  /** Attributes (`attrib/<name>`) to set. */
  attributes?: Readonly<Record<string, AttributeValue>>;
}

/** One connection of an active iSCSI session. */
export interface SessionConnection {
  /** Connection id. */
  cid: number;
  /** State without the `TARG_CONN_STATE_` prefix, e.g. `LOGGED_IN`. */
  state?: string;
  /** Initiator address. */
  address?: string;
  /** Transport, e.g. `TCP`. */
  transport?: string;
}

/** What an ACL's `info` file says about the initiator's session. */
export interface SessionInfo {
  /** Whether the initiator has a session now. */
  active: boolean;
  /** `InitiatorName:` */
  initiatorName?: string;
  /** `InitiatorAlias:` */
  alias?: string;
  /** `LIO Session ID:` */
  sessionId?: number;
  /** `ISID:` as printed. */
  isid?: string;
  /** `TSIH:` */
  tsih?: number;
  /** `SessionType:` (`Normal` or `Discovery`). */
  type?: string;
  /** Session state without the `TARG_SESS_STATE_` prefix, e.g. `LOGGED_IN`. */
  state?: string;
  /** The session's connections. */
  connections: SessionConnection[];
  /** The file's text as read. */
  raw: string;
}

/**
 * Parses the kernel's ACL `info` text. Unknown lines are ignored, so kernels
 * that add fields still parse.
 * @example
 * parseSessionInfo('No active iSCSI Session for Initiator Endpoint: iqn.1994-05.com.redhat:c1').active; // false
 */
export function parseSessionInfo(text: string): SessionInfo {
  const info: SessionInfo = { active: false, connections: [], raw: text };
  if (/^\s*No active/i.test(text) || text.trim() === '') return info;
  const after = (line: string, key: string): string | undefined => {
    const i = line.indexOf(key);
    return i < 0 ? undefined : line.slice(i + key.length).trim();
  };
  for (const line of text.split('\n')) {
    const name = after(line, 'InitiatorName:');
    if (name !== undefined) {
      info.active = true;
      info.initiatorName = name;
      continue;
    }
    const alias = after(line, 'InitiatorAlias:');
    if (alias !== undefined) {
      info.alias = alias;
      continue;
    }
    if (line.includes('LIO Session ID:')) {
      info.active = true;
      const id = /LIO Session ID:\s*(\d+)/.exec(line)?.[1];
      if (id !== undefined) info.sessionId = Number(id);
      const isid = /ISID:\s*(\S+)/.exec(line)?.[1];
      if (isid !== undefined) info.isid = isid;
      const tsih = /TSIH:\s*(\d+)/.exec(line)?.[1];
      if (tsih !== undefined) info.tsih = Number(tsih);
      const type = /SessionType:\s*(\S+)/.exec(line)?.[1];
      if (type !== undefined) info.type = type;
      continue;
    }
    const sess = /TARG_SESS_STATE_(\w+)/.exec(line)?.[1];
    if (sess !== undefined) {
      info.state = sess;
      continue;
    }
    const cid = /CID:\s*(\d+)/.exec(line)?.[1];
    if (cid !== undefined) {
      const conn: SessionConnection = { cid: Number(cid) };
      const state = /TARG_CONN_STATE_(\w+)/.exec(line)?.[1];
      if (state !== undefined) conn.state = state;
      info.connections.push(conn);
      continue;
    }
    const addr = /^\s*Address\s+(\S+)(?:\s+([A-Za-z]+))?/.exec(line);
    if (addr) {
      const last = info.connections[info.connections.length - 1];
      if (last) {
        last.address = addr[1] as string;
        if (addr[2] !== undefined) last.transport = addr[2];
      }
    }
  }
  return info;
}

/**
 * Checks an ACL tag: a non-empty string of at most 63 bytes, without control
 * characters, and not starting with `NULL` (the kernel's "clear" word).
 * @example
 * validateAclTag('tag', 'group_a'); // 'group_a'
 */
export function validateAclTag(argument: string, tag: unknown): string {
  if (typeof tag !== 'string') throw new RTSLibInvalidArgumentError(argument, `expected a string, got ${typeof tag}`);
  if (tag.trim() === '' || tag.trim() !== tag) throw new RTSLibInvalidArgumentError(argument, `must be non-empty without leading or trailing whitespace: ${JSON.stringify(tag)}`);
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(tag)) throw new RTSLibInvalidArgumentError(argument, `must not contain control characters: ${JSON.stringify(tag)}`);
  if (tag.startsWith(AUTH_UNSET)) throw new RTSLibInvalidArgumentError(argument, `must not start with ${AUTH_UNSET} (the kernel reads that as "clear")`);
  const bytes = Buffer.byteLength(tag, 'utf8');
  if (bytes > MAX_ACL_TAG_BYTES) throw new RTSLibInvalidArgumentError(argument, `is ${bytes} bytes; the kernel keeps at most ${MAX_ACL_TAG_BYTES}`);
  return tag;
}

/**
 * Validates a queue depth (1-512).
 * @example
 * validateQueueDepth(64); // 64
 */
export function validateQueueDepth(depth: unknown): number {
  return validateInteger('queueDepth', depth, QUEUE_DEPTH_RANGE.min, QUEUE_DEPTH_RANGE.max);
}

/** Ops writing validated ACL settings into `dir`. @internal */
export function aclSettingOps(dir: string, settings: { tag?: string | null; queueDepth?: number; attributes?: Readonly<Record<string, AttributeValue>> }): CfsOp[] {
  const ops: CfsOp[] = [];
  if (settings.tag !== undefined) ops.push({ op: 'write', path: child(dir, ACL_FILES.tag), value: settings.tag === null ? AUTH_UNSET : settings.tag });
  if (settings.queueDepth !== undefined) ops.push({ op: 'write', path: child(dir, ACL_FILES.cmdsnDepth), value: String(settings.queueDepth) });
  for (const [name, value] of Object.entries(settings.attributes ?? {})) {
    ops.push({ op: 'write', path: settingPath(dir, 'attrib', name), value: validateValue(`attribute ${name}`, value) });
  }
  return ops;
}

/** Validates {@link NodeACLOptions} settings (tag, queue depth, attribute names and values). @internal */
export function validateAclSettings(options: NodeACLOptions): void {
  if (options.tag !== undefined && options.tag !== null) validateAclTag('tag', options.tag);
  if (options.queueDepth !== undefined) validateQueueDepth(options.queueDepth);
  if (options.attributes !== undefined) {
    if (typeof options.attributes !== 'object' || options.attributes === null) throw new RTSLibInvalidArgumentError('attributes', 'expected an object');
    for (const [name, value] of Object.entries(options.attributes)) {
      validateSettingName('attribute name', name);
      validateValue(`attribute ${name}`, value);
    }
  }
}

/**
 * A node ACL: one initiator's access to a TPG.
 * @example
 * const acl = await NodeACL.open(tpg, 'iqn.1994-05.com.redhat:client1');
 */
export class NodeACL extends CFSNode {
  /** Its TPG. */
  readonly tpg: TPGHandle;
  /** The initiator's normalised WWN. */
  readonly nodeWwn: string;
  /** The WWN's format. */
  readonly wwnType: WwnType;

  private constructor(tpg: TPGHandle, wwn: string, type: WwnType) {
    super(tpg.cfs, aclPath(tpg.relativePath, wwnToConfigfs(tpg.target.fabric.info, wwn)));
    this.tpg = tpg;
    this.nodeWwn = wwn;
    this.wwnType = type;
  }

  /**
   * Builds the object of an ACL known to exist, from its configfs directory name, without I/O.
   * @internal
   */
  static existing(tpg: TPGHandle, dirName: string): NodeACL {
    const info = tpg.target.fabric.info;
    const wwn = wwnFromConfigfs(info, dirName);
    let type: WwnType = info.wwnTypes[0] ?? 'free';
    try {
      type = normalizeWwn(info, wwn).type;
    } catch {
      // a name another tool created; keep it as found
    }
    return new NodeACL(tpg, wwn, type);
  }

  /**
   * Validates an initiator WWN for a TPG's fabric (which must support ACLs)
   * and returns the normalised WWN and its type.
   * @example
   * NodeACL.normalizeInitiator(tpg, 'IQN.1994-05.com.redhat:c1'); // { wwn: 'iqn.1994-05.com.redhat:c1', type: 'iqn' }
   */
  static normalizeInitiator(tpg: TPGHandle, nodeWwn: unknown): { wwn: string; type: WwnType } {
    const fabric = tpg.target.fabric;
    if (!fabric.has('acls')) throw new RTSLibInvalidArgumentError('nodeWwn', `fabric ${fabric.name} has no node ACLs`);
    return normalizeWwn(fabric.info, nodeWwn, 'nodeWwn');
  }

  /**
   * e.g. `ACL iqn.1994-05.com.redhat:c1 of TPG 1 of …`
   * @example
   * acl.describe(); // 'ACL iqn.1994-05.com.redhat:client1 of TPG 1 of iscsi target iqn…'
   */
  describe(): string {
    return `ACL ${this.nodeWwn} of ${this.tpg.describe()}`;
  }

  /**
   * Whether the ACL's fabric has `feature` (rtslib-fb's `has_feature`).
   * @example
   * if (acl.hasFeature('auth')) console.log('CHAP');
   */
  hasFeature(feature: FabricFeature): boolean {
    return this.tpg.target.fabric.has(feature);
  }

  protected override groups(): readonly AttributeGroup[] {
    return ['attrib', 'param', 'auth'];
  }

  /**
   * Opens (looks up or creates) the ACL of initiator `nodeWwn` in `tpg`.
   * Settings given in `options` are written in the same batch as the
   * directory (all-or-nothing); for an ACL that exists they are written too.
   * @example
   * const acl = await NodeACL.open(tpg, 'iqn.1994-05.com.redhat:client1', { tag: 'group_a', queueDepth: 64 });
   */
  static async open(tpg: TPGHandle, nodeWwn: string, options: NodeACLOptions = {}): Promise<NodeACL> {
    const mode = validateMode(options.mode ?? 'any');
    const { wwn, type } = NodeACL.normalizeInitiator(tpg, nodeWwn);
    validateAclSettings(options);
    const acl = new NodeACL(tpg, wwn, type);
    const exists = await acl.exists();
    openMode(mode, exists, acl);
    const settings = aclSettingOps(acl.relativePath, options);
    if (!exists) {
      if (!(await tpg.exists())) throw new RTSLibNotInCFSError(`${tpg.describe()} does not exist`, tpg.path);
      await tpg.cfs.apply([{ op: 'mkdir', path: acl.relativePath }, ...settings], { what: `create ${acl.describe()}` });
      acl.fresh = true;
    } else if (settings.length > 0) {
      await tpg.cfs.apply(settings, { what: `configure ${acl.describe()}` });
    }
    return acl;
  }

  /**
   * The ACL's tag, or null when none is set.
   * @example
   * const tag = await acl.tag(); // 'group_a' or null
   */
  async tag(): Promise<string | null> {
    const text = await this.readOptionalFile(ACL_FILES.tag);
    return text === null || text === '' || text === AUTH_UNSET ? null : text;
  }

  /**
   * Sets (or with null clears) the ACL's tag.
   * @example
   * await acl.setTag('group_a');
   */
  async setTag(tag: string | null): Promise<void> {
    if (tag !== null) validateAclTag('tag', tag);
    await this.cfs.apply(aclSettingOps(this.relativePath, { tag }), { what: `set the tag of ${this.describe()}` });
  }

  /**
   * The queue depth (`cmdsn_depth`), or null when the fabric has none.
   * @example
   * const depth = await acl.queueDepth(); // 64
   */
  async queueDepth(): Promise<number | null> {
    const text = await this.readOptionalFile(ACL_FILES.cmdsnDepth);
    return text === null ? null : integerValue(text);
  }

  /**
   * Sets the queue depth (`cmdsn_depth`, 1-512).
   * @example
   * await acl.setQueueDepth(128);
   */
  async setQueueDepth(depth: number): Promise<void> {
    validateQueueDepth(depth);
    await this.cfs.apply(aclSettingOps(this.relativePath, { queueDepth: depth }), { what: `set the queue depth of ${this.describe()}` });
  }

  /**
   * What the kernel says about the initiator's session (`info`).
   * @example
   * const { active } = await acl.sessionInfo();
   */
  async sessionInfo(): Promise<SessionInfo> {
    const text = await this.readOptionalFile(ACL_FILES.info);
    return parseSessionInfo(text ?? '');
  }

  /**
   * The CHAP credentials (unset ones are null).
   * @example
   * const { userid } = await acl.chap();
   */
  chap(): Promise<ChapCredentials> {
    return readChap(this);
  }

  /**
   * Sets the CHAP credentials given (null or '' unsets one; omitted ones are
   * left alone), all-or-nothing. Values never appear in errors.
   * @example
   * await acl.setChap({ userid: 'user1', password: 'secret123456' });
   */
  setChap(credentials: Partial<ChapCredentials>): Promise<void> {
    return writeChap(this, credentials);
  }

  /**
   * Whether the initiator must authenticate the target too (`auth/authenticate_target`, read-only).
   * @example
   * if (await acl.authenticateTarget()) console.log('mutual CHAP');
   */
  authenticateTarget(): Promise<boolean> {
    return authenticatesTarget(this);
  }

  /**
   * The ACL's mapped LUNs in index order, from one read of its directory.
   * @example
   * const indexes = (await acl.mappedLuns()).map((m) => m.index);
   */
  async mappedLuns(): Promise<MappedLUN[]> {
    await this.checkExists();
    const snap = await this.cfs.snapshot(this.relativePath, { maxDepth: 1 });
    return mappedLunIndexes(snap, this.relativePath).map((index) => MappedLUN.existing(this, index));
  }

  /**
   * The ACL's saveconfig.json entry with its mapped LUNs (rtslib-fb's
   * `dump()`), from one read of its directory.
   * @example
   * const entry = await acl.dump({ secrets: false });
   */
  async dump(options: DumpOptions = {}): Promise<NodeAclConfig> {
    await this.checkExists();
    const snap = await this.cfs.snapshot(this.relativePath);
    return nodeAclForm(snap, this.tpg.target.fabric.info, this.tpg.relativePath, splitPath(this.relativePath).name, options);
  }

  /**
   * Removes the ACL with its mapped LUNs, in one batch.
   * @example
   * await acl.delete();
   */
  async delete(): Promise<void> {
    await this.checkExists();
    await this.removeFromTree();
  }
}
