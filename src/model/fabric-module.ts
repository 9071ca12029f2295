/**
 * A fabric module (iSCSI, loopback, FC, ...): its configfs directory, whether
 * the kernel offers it, and its targets.
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { release } from 'node:os';
import type { RootHandle } from './cfs-node.js';
import { FABRICS, isFabricName, type FabricInfo, type FabricName, type FabricFeature } from '../cfs/fabrics.js';
import { fabricPath } from '../cfs/tree.js';
import { RTSLibError, RTSLibInvalidArgumentError } from '../errors.js';

/** Loads a kernel module with `modprobe` (argument vector, no shell). */
export function modprobe(module: string, timeoutMs = 30_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('modprobe', ['--', module], { stdio: ['ignore', 'ignore', 'pipe'], timeout: timeoutMs });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (err) => reject(new RTSLibError(`could not run modprobe ${module}: ${err.message}`, { code: 'ERR_RTSLIB_MODPROBE', cause: err })));
    child.on('close', (code) => (code === 0 ? resolve() : reject(new RTSLibError(`modprobe ${module} failed (exit ${code}): ${stderr.trim()}`, { code: 'ERR_RTSLIB_MODPROBE' }))));
  });
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

  /** Whether the fabric's directory exists now (module loaded and registered). */
  async exists(): Promise<boolean> {
    const [r] = await this.root.cfs.run([{ op: 'stat', path: this.relativePath }], { stopOnError: false });
    return r?.ok === true;
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
