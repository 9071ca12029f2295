/**
 * Finds the Debian kernel the guest boots and the modules that belong to it.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A bootable kernel image with its module tree. */
export interface GuestKernel {
  /** Version string, e.g. `6.1.0-56-amd64`. */
  version: string;
  /** Path of the vmlinuz image. */
  image: string;
  /** Absolute path of a module's `.ko` file, by module name. */
  modulePath(name: string): string;
}

function compareVersions(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

/**
 * Picks the kernel: `RTSLIB_VM_KERNEL` (a version) if set, else the newest
 * `/boot/vmlinuz-*` whose `/lib/modules/<version>` has the target modules.
 */
export function findGuestKernel(): GuestKernel {
  const wanted = process.env.RTSLIB_VM_KERNEL;
  const candidates = (existsSync('/boot') ? readdirSync('/boot') : [])
    .filter((f) => f.startsWith('vmlinuz-'))
    .map((f) => f.slice('vmlinuz-'.length))
    .filter((v) => (wanted ? v === wanted : true))
    .filter((v) => existsSync(join('/lib/modules', v, 'kernel/drivers/target/target_core_mod.ko')))
    .sort(compareVersions);
  const version = candidates.at(-1);
  if (!version) {
    throw new Error(`no bootable kernel with LIO modules under /boot${wanted ? ` for version ${wanted}` : ''}: install the Debian package linux-image-amd64`);
  }
  const moduleDir = join('/lib/modules', version);
  const depLines = readFileSync(join(moduleDir, 'modules.dep'), 'utf8').split('\n');
  const byName = new Map<string, string>();
  for (const line of depLines) {
    const file = line.split(':')[0];
    if (!file) continue;
    const base = file.slice(file.lastIndexOf('/') + 1).replace(/\.ko(\.xz|\.zst|\.gz)?$/, '');
    byName.set(base, join(moduleDir, file));
  }
  return {
    version,
    image: join('/boot', `vmlinuz-${version}`),
    modulePath(name: string): string {
      const path = byName.get(name);
      if (!path) throw new Error(`module ${name} not found in ${moduleDir}/modules.dep`);
      if (!path.endsWith('.ko')) throw new Error(`module ${name} is compressed (${path}); the initramfs needs plain .ko files`);
      return path;
    },
  };
}
