/**
 * The Debian packages the kernel tests need on the host (the guest runs the
 * host's programs), and installing them when that is possible.
 */
import { spawnSync } from 'node:child_process';

/** Every package the VM harness, the kernel suite and the demo use. */
export const VM_PACKAGES: readonly string[] = [
  'qemu-system-x86',
  'linux-image-amd64',
  'busybox-static',
  'python3-rtslib-fb',
  'targetcli-fb',
  'open-iscsi',
  'sg3-utils',
  'lsscsi',
  'dbus',
  'util-linux',
];

const isRoot = () => process.getuid?.() === 0;
const hasCommand = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;

/** Names of the packages that dpkg does not report as installed. */
export function missingPackages(): string[] {
  if (!hasCommand('dpkg-query')) return [...VM_PACKAGES];
  return VM_PACKAGES.filter((name) => {
    const r = spawnSync('dpkg-query', ['-W', '-f=${db:Status-Status}', name], { encoding: 'utf8' });
    return r.status !== 0 || r.stdout.trim() !== 'installed';
  });
}

/**
 * Makes sure every VM package is installed: installs the missing ones with
 * apt-get when running as root, otherwise throws naming them.
 */
export function ensureVmPackages(log: (line: string) => void = console.log): void {
  const missing = missingPackages();
  if (missing.length === 0) return;
  if (!isRoot() || !hasCommand('apt-get')) {
    throw new Error(`the kernel tests need these Debian packages: ${missing.join(' ')} (as root: apt-get install ${missing.join(' ')})`);
  }
  log(`installing Debian packages for the VM: ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  const install = update.status === 0 ? spawnSync('apt-get', ['install', '-y', '-qq', ...missing], { stdio: 'inherit', env }) : update;
  const still = missingPackages();
  if (install.status !== 0 || still.length > 0) {
    throw new Error(`could not install the Debian packages ${still.join(' ')} (apt-get exited ${install.status})`);
  }
}
