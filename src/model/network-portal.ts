/**
 * A network portal of a TPG (`<tpg>/np/<ip>:<port>`, IPv6 in brackets): an
 * address the iSCSI target listens on.
 */
import type { TPGHandle } from './tpg-handle.js';
import { CFSNode, openMode, validateMode, type Mode } from './cfs-node.js';
import type { CfsOp } from '../cfs/configfs.js';
import { PORTAL_FILES, child, normalizePortalAddress, portalPath, splitPath, type AttributeGroup } from '../cfs/tree.js';
import { validateInteger } from '../cfs/names.js';
import { RTSLibError, RTSLibInvalidArgumentError, RTSLibNotInCFSError } from '../errors.js';
import { portalForm } from './saved-forms.js';
import type { PortalConfig } from './saveconfig-format.js';

/** The iSCSI port used when none is given. */
export const DEFAULT_ISCSI_PORT = 3260;

/** Options for {@link NetworkPortal.open}. */
export interface NetworkPortalOptions {
  /** TCP port 1-65535 (default 3260). */
  port?: number;
  /** Default `any`. */
  mode?: Mode;
  /** Enable iSER on the portal after creating it (`iser` ← 1). */
  iser?: boolean;
  /** Enable offload on the portal after creating it (`cxgbit` ← 1). */
  offload?: boolean;
}

export { normalizePortalAddress } from '../cfs/tree.js';

/**
 * Validates a portal port (1-65535).
 * @example
 * validatePort(3260); // 3260
 */
export function validatePort(port: unknown): number {
  return validateInteger('port', port, 1, 65535);
}

/**
 * A network portal of a TPG.
 * @example
 * const np = await NetworkPortal.open(tpg, '0.0.0.0');
 */
export class NetworkPortal extends CFSNode {
  /** Its TPG. */
  readonly tpg: TPGHandle;
  /** Its IP address (IPv6 without brackets). */
  readonly ip: string;
  /** Its TCP port. */
  readonly port: number;

  private constructor(tpg: TPGHandle, ip: string, port: number) {
    super(tpg.cfs, portalPath(tpg.relativePath, ip, port));
    this.tpg = tpg;
    this.ip = ip;
    this.port = port;
  }

  /**
   * Builds the object of a portal known to exist, without I/O.
   * @internal
   */
  static existing(tpg: TPGHandle, ip: string, port: number): NetworkPortal {
    return new NetworkPortal(tpg, ip, port);
  }

  /**
   * The address as rtslib-fb spells it (`ip_address`, and in saveconfig.json):
   * an IPv6 address in brackets.
   * @example
   * (await NetworkPortal.open(tpg, '::1')).ipAddress; // '[::1]'
   */
  get ipAddress(): string {
    return this.ip.includes(':') ? `[${this.ip}]` : this.ip;
  }

  /**
   * e.g. `portal 127.0.0.1:3260 of TPG 1 of …`
   * @example
   * np.describe(); // 'portal 127.0.0.1:3260 of TPG 1 of …'
   */
  describe(): string {
    return `portal ${this.ipAddress}:${this.port} of ${this.tpg.describe()}`;
  }

  protected override groups(): readonly AttributeGroup[] {
    return [];
  }

  /**
   * Opens (looks up or creates) a portal of `tpg` (fabrics with portals only).
   * @example
   * const np = await NetworkPortal.open(tpg, '::1', { port: 3261 });
   */
  static async open(tpg: TPGHandle, ip: string, options: NetworkPortalOptions = {}): Promise<NetworkPortal> {
    const mode = validateMode(options.mode ?? 'any');
    const fabric = tpg.target.fabric;
    if (!fabric.has('nps')) throw new RTSLibInvalidArgumentError('ip', `fabric ${fabric.name} has no network portals`);
    const address = normalizePortalAddress(ip);
    const port = validatePort(options.port ?? DEFAULT_ISCSI_PORT);
    for (const key of ['iser', 'offload'] as const) {
      if (options[key] !== undefined && typeof options[key] !== 'boolean') throw new RTSLibInvalidArgumentError(key, `expected a boolean, got ${typeof options[key]}`);
    }
    const np = new NetworkPortal(tpg, address, port);
    const exists = await np.exists();
    openMode(mode, exists, np);
    if (!exists) {
      if (!(await tpg.exists())) throw new RTSLibNotInCFSError(`${tpg.describe()} does not exist`, tpg.path);
      const ops: CfsOp[] = [{ op: 'mkdir', path: np.relativePath }];
      if (options.iser) ops.push({ op: 'write', path: child(np.relativePath, PORTAL_FILES.iser), value: '1' });
      if (options.offload) ops.push({ op: 'write', path: child(np.relativePath, PORTAL_FILES.offload), value: '1' });
      await tpg.cfs.apply(ops, { what: `create ${np.describe()}` });
      np.fresh = true;
    } else {
      if (options.iser !== undefined) await np.setIser(options.iser);
      if (options.offload !== undefined) await np.setOffload(options.offload);
    }
    return np;
  }

  private async readSwitch(file: string): Promise<boolean> {
    // null: the kernel does not offer the switch
    return (await this.readOptionalFile(file))?.trim() === '1';
  }

  private async writeSwitch(file: string, on: boolean, what: string): Promise<void> {
    if (typeof on !== 'boolean') throw new RTSLibInvalidArgumentError(what, `expected a boolean, got ${typeof on}`);
    const path = child(this.relativePath, file);
    const [stat] = await this.cfs.run([{ op: 'stat', path }], { stopOnError: false });
    if (!stat?.ok) {
      await this.checkExists();
      if (!on) return; // nothing to switch off
      throw new RTSLibError(`cannot enable ${what} on ${this.describe()}: the kernel offers no ${file} file`, { code: 'ERR_RTSLIB_NOT_SUPPORTED' });
    }
    await this.cfs.apply([{ op: 'write', path, value: on ? '1' : '0' }], { what: `${on ? 'enable' : 'disable'} ${what} (${file}) on ${this.describe()}` });
  }

  /**
   * Whether iSER is enabled (false when the kernel offers no `iser` file).
   * @example
   * const iser = await np.iser();
   */
  iser(): Promise<boolean> {
    return this.readSwitch(PORTAL_FILES.iser);
  }

  /**
   * Enables or disables iSER (`iser`).
   * @example
   * await np.setIser(false);
   */
  setIser(on: boolean): Promise<void> {
    return this.writeSwitch(PORTAL_FILES.iser, on, 'iser');
  }

  /**
   * Whether offload (cxgbit) is enabled (false when the kernel offers no `cxgbit` file).
   * @example
   * const offload = await np.offload();
   */
  offload(): Promise<boolean> {
    return this.readSwitch(PORTAL_FILES.offload);
  }

  /**
   * Enables or disables offload (`cxgbit`).
   * @example
   * await np.setOffload(false);
   */
  setOffload(on: boolean): Promise<void> {
    return this.writeSwitch(PORTAL_FILES.offload, on, 'offload');
  }

  /**
   * The portal's saveconfig.json entry (rtslib-fb's `dump()`): address
   * (IPv6 in brackets), port, iSER and offload.
   * @example
   * const { ip_address, port } = await portal.dump();
   */
  async dump(): Promise<PortalConfig> {
    await this.checkExists();
    const snap = await this.cfs.snapshot(this.relativePath, { maxDepth: 1 });
    return portalForm(snap, this.tpg.relativePath, splitPath(this.relativePath).name)!;
  }

  /**
   * Removes the portal.
   * @example
   * await np.delete();
   */
  async delete(): Promise<void> {
    await this.checkExists();
    await this.removeFromTree();
  }
}
