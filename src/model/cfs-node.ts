/**
 * The base of every configfs-backed object: its path, whether it exists, and
 * its attributes, parameters and auth attributes.
 */
import type { FabricModule } from './fabric-module.js';
import type { Snapshot } from '../cfs/snapshot.js';
import type { StorageObject, StorageObjectLocation } from './storage-object.js';
import type { LUN } from './lun.js';
import type { FabricName } from '../cfs/fabrics.js';
import type { Configfs, CfsOp } from '../cfs/configfs.js';
import { groupPath, child, STRUCTURE_EXCLUDES, type AttributeGroup } from '../cfs/tree.js';
import { removalBatch, type RemovalOptions } from '../cfs/removal.js';
import { validateSettingName, validateValue } from '../cfs/names.js';
import { authValue, AUTH_UNSET } from '../cfs/values.js';
import { RTSLibError, RTSLibInvalidArgumentError, RTSLibNotInCFSError, toLibraryError } from '../errors.js';

/**
 * How an object is opened:
 * - `any`: look it up, or create it when it does not exist;
 * - `lookup`: it must exist (else {@link RTSLibNotInCFSError});
 * - `create`: it must not exist (else {@link RTSLibError} with code `EEXIST`).
 */
export type Mode = 'any' | 'lookup' | 'create';

/** Validates a mode argument. */
export function validateMode(mode: unknown): Mode {
  if (mode === 'any' || mode === 'lookup' || mode === 'create') return mode;
  throw new RTSLibInvalidArgumentError('mode', `expected 'any', 'lookup' or 'create', got ${JSON.stringify(mode)}`);
}

/**
 * What an object needs of the root it belongs to: its configfs tree.
 * {@link RTSRoot} is the one users pass; objects hold it as this, so that
 * no module of the model imports the root that lists them.
 */
export interface RootHandle {
  /** The configfs tree. */
  readonly cfs: Configfs;
  /** The fabric module of that name (loaded or not). */
  fabricModule(name: FabricName): FabricModule;
  /** The object of a storage object known to exist at `location`, of its plugin's class (no I/O). */
  storageObjectAt(location: StorageObjectLocation): StorageObject;
  /** Every LUN of every TPG (from `snapshot` when given). */
  luns(snapshot?: Snapshot): Promise<LUN[]>;
}

/** What {@link openMode} needs of a node: its description and, when it has one, its absolute path. */
export interface ModeSubject {
  describe(): string;
  readonly path?: string;
}

/**
 * The one mode check of every `open` (rtslib-fb's `_create_in_cfs_ine`):
 * `create` of a node that exists is {@link RTSLibError} `EEXIST`, `lookup`
 * of one that does not is {@link RTSLibNotInCFSError}; returns whether the
 * node must be created. `state` says what "exists" means where it is not a
 * directory (e.g. `has 2 member(s)` for an ACL group).
 */
export function openMode(mode: Mode, exists: boolean, node: ModeSubject, state: { present?: string; absent?: string } = {}): boolean {
  if (exists && mode === 'create') {
    throw new RTSLibError(
      `${node.describe()} ${state.present ?? 'already exists'}`,
      node.path === undefined ? { code: 'EEXIST' } : { operation: { errno: -17, code: 'EEXIST', syscall: 'mkdir', path: node.path } },
    );
  }
  if (!exists && mode === 'lookup') throw new RTSLibNotInCFSError(`${node.describe()} ${state.absent ?? 'does not exist'}`, node.path);
  return !exists;
}

/** An attribute as listed by `listAttributes` and friends. */
export interface AttributeInfo {
  /** File name. */
  name: string;
  /** Whether it can be read. */
  readable: boolean;
  /** Whether it can be written. */
  writable: boolean;
}

/** Common behaviour of every object that is a directory in configfs. */
export abstract class CFSNode {
  /** The configfs tree this node lives in. */
  readonly cfs: Configfs;
  /** Root-relative configfs path of the node's directory. */
  readonly relativePath: string;
  /** @internal */
  protected fresh = false;

  protected constructor(cfs: Configfs, relativePath: string) {
    this.cfs = cfs;
    this.relativePath = relativePath;
  }

  /** Absolute configfs path of the node's directory. */
  get path(): string {
    return this.cfs.abs(this.relativePath);
  }

  /** True when this object created the node (rather than finding it). */
  get isFresh(): boolean {
    return this.fresh;
  }

  /** Whether the node exists in configfs now. */
  async exists(): Promise<boolean> {
    const [result] = await this.cfs.run([{ op: 'stat', path: this.relativePath }], { stopOnError: false });
    return result?.ok === true;
  }

  /** Throws {@link RTSLibNotInCFSError} unless the node exists. */
  protected async checkExists(): Promise<void> {
    if (!(await this.exists())) throw new RTSLibNotInCFSError(`${this.describe()} does not exist in configfs`, this.path);
  }

  /** A short human description, e.g. `storage object rd_mcp_0/ram1`. */
  abstract describe(): string;

  /** Removes the node (and what must go first) from configfs. */
  abstract delete(): Promise<void>;

  /**
   * Removes `roots` (default: this node) with everything inside them and
   * what must go first, in one batch planned by the one removal planner
   * (cfs/removal.ts) from a structure read of `scope` (default: this node;
   * wider where what must go first lies outside, e.g. a LUN's mapped LUNs).
   */
  protected async removeFromTree(scope: string = this.relativePath, roots: readonly string[] = [this.relativePath], options: RemovalOptions = {}): Promise<void> {
    const snap = await this.cfs.snapshot(scope, { excludeNames: STRUCTURE_EXCLUDES });
    const ops = removalBatch(snap, roots, options);
    if (ops.length > 0) await this.cfs.apply(ops, { what: `delete ${this.describe()}` });
  }

  /** Attribute groups this kind of node has (default: `attrib`). */
  protected groups(): readonly AttributeGroup[] {
    return ['attrib'];
  }

  private checkGroup(group: AttributeGroup): void {
    if (!this.groups().includes(group)) {
      throw new RTSLibError(`${this.describe()} has no ${group} group`, { code: 'ERR_RTSLIB_NO_SUCH_GROUP' });
    }
  }

  /**
   * Reads the file `name` of the node through the one read path
   * ({@link Configfs.readValue}). A missing file is
   * {@link RTSLibNotInCFSError}: naming the node when the node is gone,
   * else naming the file.
   */
  protected async readFile(name: string): Promise<string> {
    const path = child(this.relativePath, name);
    const text = await this.readOptionalFile(name);
    if (text === null) throw new RTSLibNotInCFSError(`${this.describe()} has no ${name}`, this.cfs.abs(path));
    return text;
  }

  /**
   * Reads the file `name` of a node for which the kernel may not have it
   * (a loopback TPG's `enable`, a portal's `cxgbit`): null when the node
   * exists without it; {@link RTSLibNotInCFSError} naming the node when the
   * node is gone.
   */
  protected async readOptionalFile(name: string): Promise<string | null> {
    const text = await this.cfs.readValue(child(this.relativePath, name), { what: `${name} of ${this.describe()}`, missing: 'null' });
    if (text === null) await this.checkExists();
    return text;
  }

  /** Reads one file of a group; an unknown name is {@link RTSLibInvalidArgumentError}, a missing node {@link RTSLibNotInCFSError}. */
  protected async readGroupValue(group: AttributeGroup, name: string): Promise<string> {
    this.checkGroup(group);
    validateSettingName(`${group} name`, name);
    const path = child(groupPath(this.relativePath, group), name);
    const text = await this.cfs.readValue(path, { what: `${group} ${name} of ${this.describe()}`, missing: 'null' });
    if (text !== null) return text;
    await this.checkExists();
    throw new RTSLibInvalidArgumentError(`${group} name`, `${this.describe()} has no ${group} ${JSON.stringify(name)}`);
  }

  /** Writes one file of a group; the name is checked first and nothing is written when it is unknown. */
  protected async writeGroupValue(group: AttributeGroup, name: string, value: unknown, secret = false): Promise<void> {
    this.checkGroup(group);
    validateSettingName(`${group} name`, name);
    const text = validateValue(`${group} ${name}`, value, secret);
    const path = child(groupPath(this.relativePath, group), name);
    const ops: CfsOp[] = [
      { op: 'stat', path },
      { op: 'write', path, value: text, secret },
    ];
    const [stat, write] = await this.cfs.run(ops);
    if (!stat?.ok) {
      await this.checkExists();
      throw new RTSLibInvalidArgumentError(`${group} name`, `${this.describe()} has no ${group} ${JSON.stringify(name)}`);
    }
    if (!write?.ok) throw toLibraryError(`could not set ${group} ${name} of ${this.describe()}`, write);
  }

  /** Lists a group's files with their readable/writable bits. */
  protected async listGroup(group: AttributeGroup): Promise<AttributeInfo[]> {
    this.checkGroup(group);
    await this.checkExists();
    const dir = groupPath(this.relativePath, group);
    const snap = await this.cfs.snapshot(dir, { maxDepth: 1 });
    return snap.childFiles(dir).map((name) => ({
      name,
      readable: snap.isReadable(child(dir, name)),
      writable: snap.isWritable(child(dir, name)),
    }));
  }

  /** Reads an attribute (`attrib/<name>`). */
  getAttribute(name: string): Promise<string> {
    return this.readGroupValue('attrib', name);
  }

  /** Writes an attribute (`attrib/<name>`). */
  setAttribute(name: string, value: string | number | boolean): Promise<void> {
    return this.writeGroupValue('attrib', name, value);
  }

  /** Lists attribute names; `writable` filters to writable (true) or read-only (false) ones. */
  async listAttributes(filter: { writable?: boolean } = {}): Promise<string[]> {
    return (await this.listGroup('attrib')).filter((a) => filter.writable === undefined || a.writable === filter.writable).map((a) => a.name);
  }

  /** Reads a parameter (`param/<name>`). */
  getParameter(name: string): Promise<string> {
    return this.readGroupValue('param', name);
  }

  /** Writes a parameter (`param/<name>`). */
  setParameter(name: string, value: string | number | boolean): Promise<void> {
    return this.writeGroupValue('param', name, value);
  }

  /** Lists parameter names. */
  async listParameters(filter: { writable?: boolean } = {}): Promise<string[]> {
    return (await this.listGroup('param')).filter((a) => filter.writable === undefined || a.writable === filter.writable).map((a) => a.name);
  }

  /** Reads an auth attribute (`auth/<name>`); null when the kernel reports it unset (`NULL`). */
  async getAuthAttribute(name: string): Promise<string | null> {
    return authValue(await this.readGroupValue('auth', name));
  }

  /** Writes an auth attribute; null or '' unsets it. The value never appears in errors. */
  setAuthAttribute(name: string, value: string | null): Promise<void> {
    return this.writeGroupValue('auth', name, value === null || value === '' ? AUTH_UNSET : value, true);
  }

  /** Lists auth attribute names. */
  async listAuthAttributes(filter: { writable?: boolean } = {}): Promise<string[]> {
    return (await this.listGroup('auth')).filter((a) => filter.writable === undefined || a.writable === filter.writable).map((a) => a.name);
  }
}
