/**
 * The base of every configfs-backed object: its path, whether it exists, and
 * its attributes, parameters and auth attributes.
 */
import type { Configfs, CfsOp } from '../cfs/configfs.js';
import { groupPath, child, STRUCTURE_EXCLUDES, type AttributeGroup } from '../cfs/tree.js';
import { removalBatch, type RemovalOptions } from '../cfs/removal.js';
import { validateSettingName, validateValue } from '../cfs/names.js';
import { attributeText, authValue, AUTH_UNSET } from '../cfs/values.js';
import { RTSLibError, RTSLibInvalidArgumentError, RTSLibNotInCFSError, operationCause } from '../errors.js';

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

  /** Reads one file of a group; throws a clear error when the name is unknown. */
  protected async readGroupValue(group: AttributeGroup, name: string): Promise<string> {
    this.checkGroup(group);
    validateSettingName(`${group} name`, name);
    const path = child(groupPath(this.relativePath, group), name);
    const [result] = await this.cfs.run([{ op: 'read', path }]);
    if (!result || !result.ok) {
      if (result && 'errno' in result && result.errno === -2) {
        await this.checkExists();
        throw new RTSLibInvalidArgumentError(`${group} name`, `${this.describe()} has no ${group} ${JSON.stringify(name)}`);
      }
      const cause = result && 'errno' in result ? operationCause(result.errno, result.syscall, result.path) : undefined;
      throw new RTSLibError(`could not read ${group} ${name} of ${this.describe()}${cause ? `: ${cause.code}` : ''}`, cause ? { operation: cause } : {});
    }
    return attributeText(result.value as Buffer);
  }

  /** Writes one file of a group; the name is checked first and nothing is written when it is unknown. */
  protected async writeGroupValue(group: AttributeGroup, name: string, value: unknown, secret = false): Promise<void> {
    this.checkGroup(group);
    validateSettingName(`${group} name`, name);
    const text = validateValue(`${group} ${name}`, value, secret);
    const path = child(groupPath(this.relativePath, group), name);
    const ops: CfsOp[] = [{ op: 'stat', path }, { op: 'write', path, value: text, secret }];
    const [stat, write] = await this.cfs.run(ops);
    if (!stat?.ok) {
      await this.checkExists();
      throw new RTSLibInvalidArgumentError(`${group} name`, `${this.describe()} has no ${group} ${JSON.stringify(name)}`);
    }
    if (!write?.ok) {
      const cause = 'errno' in write! ? operationCause(write.errno, write.syscall, write.path) : undefined;
      throw new RTSLibError(`could not set ${group} ${name} of ${this.describe()}${cause ? `: ${cause.code}` : ''}`, cause ? { operation: cause } : {});
    }
  }

  /** Lists a group's files with their readable/writable bits. */
  protected async listGroup(group: AttributeGroup): Promise<AttributeInfo[]> {
    this.checkGroup(group);
    await this.checkExists();
    const dir = groupPath(this.relativePath, group);
    const snap = await this.cfs.snapshot(dir, { maxDepth: 1 });
    return snap.childFiles(dir).map((name) => ({
      name,
      readable: snap.isReadable(`${dir}/${name}`),
      writable: snap.isWritable(`${dir}/${name}`),
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
