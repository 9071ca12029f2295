/**
 * A fabric module (iSCSI, loopback, FC, ...): its configfs directory, whether
 * the kernel offers it, and its targets.
 */
import { readFile } from 'node:fs/promises';
import { release } from 'node:os';
import type { RootHandle } from './cfs-node.js';
import { FABRICS, isFabricName, type FabricInfo, type FabricName, type FabricFeature, type WwnType } from '../cfs/fabrics.js';
import { DISCOVERY_AUTH_DIR, DISCOVERY_AUTH_FILES, FABRIC_FILES, FABRIC_VERSION_FILES, child, discoveryAuthPath, fabricPath } from '../cfs/tree.js';
import { hardwareWwns } from './hardware-wwns.js';
import { runTool } from '../cfs/processes.js';
import { chapChanges, chapOps, discoveryAuthIn, type DiscoveryAuth } from './chap.js';

export type { DiscoveryAuth } from './chap.js';
import { normalizeWwn, wwnFromConfigfs, wwnToConfigfs } from '../cfs/wwn.js';
import { Target } from './target.js';
import { fabricModuleForm, type DumpOptions } from './saved-forms.js';
import type { FabricModuleConfig } from './saveconfig-format.js';
import { RTSLibError, RTSLibInvalidArgumentError } from '../errors.js';

/** Loads a kernel module with `modprobe` (argument vector, no shell). */
export function modprobe(module: string, timeoutMs = 30_000): Promise<void> {
  return runTool(`modprobe ${module}`, 'modprobe', ['--', module], 'ERR_RTSLIB_MODPROBE', timeoutMs);
}

/** Whether the running kernel has `module`, built in or as a loadable module. */
export async function kernelHasModule(module: string): Promise<boolean> {
  const dir = `/lib/modules/${release()}`;
  const names = new Set([module, module.replace(/-/g, '_')]);
  for (const file of ['modules.builtin', 'modules.dep']) {
    const text = await readFile(`${dir}/${file}`, 'utf8').catch(() => '');
    for (const line of text.split('\n')) {
      const path = line.split(':')[0] ?? '';
      const base = path
        .slice(path.lastIndexOf('/') + 1)
        .replace(/\.ko(\.[a-z]+)?$/, '')
        .replace(/-/g, '_');
      if (names.has(base)) return true;
    }
  }
  return false;
}

/** Discovery authentication with nothing set. */
const NO_DISCOVERY_AUTH: DiscoveryAuth = { enable: false, userid: null, password: null, mutualUserid: null, mutualPassword: null, authenticateTarget: false };

/** A fabric module of the target tree. */
export class FabricModule {
  /** The root it belongs to. */
  readonly root: RootHandle;
  /** Static description (directory, module, features, WWN types). */
  readonly info: FabricInfo;

  constructor(root: RootHandle, name: FabricName) {
    if (!isFabricName(name)) throw new RTSLibInvalidArgumentError('fabric', `unknown fabric ${JSON.stringify(name)} (known: ${Object.keys(FABRICS).join(', ')})`);
    this.root = root;
    this.info = FABRICS[name];
  }

  /** The fabric's name. */
  get name(): FabricName {
    return this.info.name;
  }

  /** Root-relative configfs path of the fabric's directory. */
  get relativePath(): string {
    return fabricPath(this.info.dir);
  }

  /** Absolute configfs path. */
  get path(): string {
    return this.root.cfs.abs(this.relativePath);
  }

  /** Whether the fabric supports `feature`. */
  has(feature: FabricFeature): boolean {
    return this.info.features.includes(feature);
  }

  /** rtslib-fb's name for {@link has}. */
  hasFeature(feature: FabricFeature): boolean {
    return this.has(feature);
  }

  /**
   * A WWN checked and normalised for this fabric, with its type (rtslib-fb's
   * `to_normalized_wwn`, which returns the pair); every form rtslib-fb
   * accepts is accepted. Throws {@link RTSLibInvalidArgumentError}.
   * @example
   * root.fabricModule('qla2xxx').toNormalizedWwn('21:00:00:24:ff:31:4c:48'); // { wwn: 'naa.21000024ff314c48', type: 'naa' }
   */
  toNormalizedWwn(wwn: string): { wwn: string; type: WwnType } {
    return normalizeWwn(this.info, wwn);
  }

  /**
   * A normalised WWN as this fabric's configfs directories spell it
   * (rtslib-fb's `to_fabric_wwn`: FC ports with colons, SRP without `0x`…).
   * @example
   * root.fabricModule('qla2xxx').toFabricWwn('naa.21000024ff314c48'); // '21:00:00:24:ff:31:4c:48'
   */
  toFabricWwn(wwn: string): string {
    return wwnToConfigfs(this.info, wwn);
  }

  /**
   * A configfs directory name of this fabric as a normalised WWN (rtslib-fb's `from_fabric_wwn`).
   * @example
   * root.fabricModule('qla2xxx').fromFabricWwn('21:00:00:24:ff:31:4c:48'); // 'naa.21000024ff314c48'
   */
  fromFabricWwn(name: string): string {
    return wwnFromConfigfs(this.info, name);
  }

  /** Whether the fabric's directory exists now (module loaded and registered). */
  async exists(): Promise<boolean> {
    const [r] = await this.root.cfs.run([{ op: 'stat', path: this.relativePath }], { stopOnError: false });
    return r?.ok === true;
  }

  /** Whether the fabric's module is loaded (its configfs directory exists; rtslib-fb's `exists`). */
  isLoaded(): Promise<boolean> {
    return this.exists();
  }

  /**
   * The fabric module's version (`version` or `lio_version` in its
   * directory); null when it is not loaded.
   * @example
   * console.log(await root.fabricModule('iscsi').version()); // 'Datera Inc. iSCSI Target v4.1.0'
   */
  async version(): Promise<string | null> {
    const results = await this.root.cfs.run(
      FABRIC_VERSION_FILES.map((name) => ({ op: 'read' as const, path: child(this.relativePath, name), independent: true })),
      { stopOnError: false },
    );
    for (const r of results) if (r.ok && r.value !== undefined) return Buffer.isBuffer(r.value) ? r.value.toString('utf8').trim() : String(r.value).trim();
    return null;
  }

  /** Whether a target of this fabric must be given the WWN of one of its ports (hardware fabrics), as it cannot make one up. */
  needsWwn(): boolean {
    return this.info.hardwareWwns !== undefined;
  }

  /**
   * The WWNs of this host's ports for a hardware fabric (FC, InfiniBand,
   * FireWire, IBM vSCSI), from sysfs; null for fabrics that take any WWN.
   * @example
   * const ports = await root.fabricModule('qla2xxx').wwns(); // ['naa.21000024ff314c48']
   */
  async wwns(): Promise<string[] | null> {
    return this.info.hardwareWwns === undefined ? null : hardwareWwns(this.info.hardwareWwns);
  }

  /** The CPUs the fabric's threads may run on (`cpus_allowed_list`, iSCSI). */
  async cpusAllowedList(): Promise<string> {
    this.assertFeature('cpus_allowed_list');
    await this.load();
    return (await this.root.cfs.readValue(child(this.relativePath, FABRIC_FILES.cpusAllowedList), {
      what: `cpus_allowed_list of fabric ${this.name}`,
      missing: 'throw',
    })) as string;
  }

  /** Sets `cpus_allowed_list` (a CPU list such as `0-3,8`). */
  async setCpusAllowedList(list: string): Promise<void> {
    this.assertFeature('cpus_allowed_list');
    if (typeof list !== 'string' || !/^\s*\d+(-\d+)?(\s*,\s*\d+(-\d+)?)*\s*$/.test(list))
      throw new RTSLibInvalidArgumentError('cpus allowed list', `expected a CPU list such as 0-3,8, got ${JSON.stringify(list)}`);
    await this.root.cfs.apply([{ op: 'write', path: child(this.relativePath, FABRIC_FILES.cpusAllowedList), value: list.replace(/\s+/g, '') }], {
      what: `set cpus_allowed_list of fabric ${this.name}`,
    });
  }

  /**
   * The discovery authentication (iSCSI): whether it is enforced, the
   * credentials (unset ones null) and whether the initiator must
   * authenticate the target; one read.
   * @example
   * const { enable, userid } = await root.fabricModule('iscsi').discoveryAuth();
   */
  async discoveryAuth(): Promise<DiscoveryAuth> {
    this.assertFeature('discovery_auth');
    await this.load();
    const dir = discoveryAuthPath(this.info.dir);
    // (loaded above, so the directory is there; were it gone meanwhile, nothing is set)
    return discoveryAuthIn(await this.root.cfs.snapshot(dir, { maxDepth: 1 }), this.info) ?? NO_DISCOVERY_AUTH;
  }

  /**
   * The fabric module's saveconfig.json entry (rtslib-fb's `dump()`): its
   * name and, for iSCSI, `discovery_enable_auth` with the discovery
   * credentials that are set. A whole save lists only modules that enforce
   * discovery authentication. A module that is not loaded has none set
   * (it is not loaded for this).
   * @example
   * const entry = await root.fabricModule('iscsi').dump({ secrets: false });
   */
  async dump(options: DumpOptions = {}): Promise<FabricModuleConfig> {
    if (!this.info.features.includes('discovery_auth')) return { name: this.name };
    if (!(await this.exists())) return { name: this.name, discovery_enable_auth: false };
    return fabricModuleForm(await this.root.cfs.snapshot(discoveryAuthPath(this.info.dir), { maxDepth: 1 }), this.info, options);
  }

  /**
   * Sets the discovery authentication given (credentials: null or '' unsets
   * one; omitted settings are left alone), all or nothing; values never
   * appear in errors. iSCSI only.
   * @example
   * await root.fabricModule('iscsi').setDiscoveryAuth({ enable: true, userid: 'disc', password: 'disc-secret' });
   */
  async setDiscoveryAuth(settings: Partial<Omit<DiscoveryAuth, 'authenticateTarget'>>): Promise<void> {
    this.assertFeature('discovery_auth');
    if (typeof settings !== 'object' || settings === null) throw new RTSLibInvalidArgumentError('discovery auth', 'expected an object');
    if (settings.enable !== undefined && typeof settings.enable !== 'boolean') throw new RTSLibInvalidArgumentError('discovery auth enable', 'expected a boolean');
    const changes = chapChanges(settings, 'discovery');
    const before = await this.discoveryAuth();
    const dir = discoveryAuthPath(this.info.dir);
    const ops = chapOps(dir, changes, before);
    if (settings.enable !== undefined)
      ops.push({ op: 'write', path: child(dir, DISCOVERY_AUTH_FILES.enforce), value: settings.enable ? '1' : '0', previous: before.enable ? '1' : '0' });
    if (ops.length) await this.root.cfs.apply(ops, { what: `set the discovery authentication of fabric ${this.name}` });
  }

  /**
   * Unsets every discovery credential and stops enforcing discovery
   * authentication, in one batch (rtslib-fb's `clear_discovery_auth_settings`).
   * @example
   * await root.fabricModule('iscsi').clearDiscoveryAuthSettings();
   */
  clearDiscoveryAuthSettings(): Promise<void> {
    return this.setDiscoveryAuth({ enable: false, userid: null, password: null, mutualUserid: null, mutualPassword: null });
  }

  private assertFeature(feature: FabricFeature): void {
    if (!this.has(feature)) throw new RTSLibError(`fabric ${this.name} has no ${feature.replace(/_/g, ' ')}`, { code: 'ERR_RTSLIB_NO_SUCH_FEATURE' });
  }

  /**
   * Whether the fabric can be used on this host: its directory exists, or its
   * kernel module is in the running kernel's module tree (built in or
   * loadable). A missing module makes this false; it never throws.
   */
  async available(): Promise<boolean> {
    if (await this.exists()) return true;
    return kernelHasModule(this.info.module);
  }

  /**
   * The fabric's targets (none when it is not loaded), from one read of its directory.
   * @example
   * const wwns = (await root.fabricModule('iscsi').targets()).map((t) => t.wwn);
   */
  async targets(): Promise<Target[]> {
    if (!(await this.exists())) return [];
    const snap = await this.root.cfs.snapshot(this.relativePath, { maxDepth: 1 });
    return snap
      .childDirs(this.relativePath)
      .filter((dir) => dir !== DISCOVERY_AUTH_DIR)
      .sort()
      .map((dir) => Target.existing(this, wwnFromConfigfs(this.info, dir)));
  }

  /**
   * Makes sure the fabric's directory exists: creates it (the kernel then
   * loads the module) and, if that fails, runs `modprobe` and tries again.
   */
  async load(): Promise<void> {
    if (await this.exists()) return;
    const mkdir = async () => (await this.root.cfs.run([{ op: 'mkdir', path: this.relativePath }], { stopOnError: false }))[0];
    let r = await mkdir();
    if (r?.ok || (r && 'errno' in r && r.errno === -17)) return;
    await modprobe(this.info.module);
    r = await mkdir();
    if (r?.ok || (r && 'errno' in r && r.errno === -17)) return;
    throw new RTSLibError(`fabric ${this.name} is not available: the kernel refused to create ${this.path}${r && 'errno' in r ? ` (errno ${r.errno})` : ''}`, {
      code: 'ERR_RTSLIB_FABRIC_UNAVAILABLE',
    });
  }
}
