/**
 * Builds the guest's tiny initramfs: a static busybox, the stage-1 init script
 * and the virtio/9p modules needed to mount the host's root filesystem.
 * The archive is an uncompressed cpio "newc" stream, written without any
 * external tool.
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { GuestKernel } from './kernel-image.js';

/** Modules that stage 1 loads, in dependency order (see docs/kernel-vm). */
export const STAGE1_MODULES = ['virtio_ring', 'virtio', 'virtio_pci_legacy_dev', 'virtio_pci_modern_dev', 'virtio_pci', 'netfs', 'fscache', '9pnet', '9pnet_virtio', '9p'] as const;

interface CpioEntry {
  name: string;
  mode: number;
  data?: Buffer;
}

function cpioHeader(ino: number, entry: CpioEntry, size: number): Buffer {
  const hex = (n: number) => n.toString(16).padStart(8, '0');
  const nameBytes = Buffer.from(entry.name + '\0');
  const fields = ['070701', hex(ino), hex(entry.mode), hex(0), hex(0), hex(1), hex(0), hex(size), hex(0), hex(0), hex(0), hex(0), hex(nameBytes.length), hex(0)].join('');
  return Buffer.concat([Buffer.from(fields, 'ascii'), nameBytes]);
}

const pad4 = (n: number) => Buffer.alloc((4 - (n % 4)) % 4);

/** Serialises entries into a cpio newc archive (with its trailer). */
export function cpioArchive(entries: CpioEntry[]): Buffer {
  const parts: Buffer[] = [];
  let ino = 1;
  for (const entry of [...entries, { name: 'TRAILER!!!', mode: 0 }]) {
    const data = entry.data ?? Buffer.alloc(0);
    const header = cpioHeader(ino++, entry, data.length);
    parts.push(header, pad4(header.length), data, pad4(data.length));
  }
  return Buffer.concat(parts);
}

/** Writes the initramfs for `kernel` to `outFile` and returns its path. */
export function buildInitramfs(kernel: GuestKernel, outFile: string): string {
  const S_IFDIR = 0o040000;
  const S_IFREG = 0o100000;
  const entries: CpioEntry[] = [
    { name: 'bin', mode: S_IFDIR | 0o755 },
    { name: 'modules', mode: S_IFDIR | 0o755 },
    { name: 'bin/busybox', mode: S_IFREG | 0o755, data: readFileSync('/bin/busybox') },
    { name: 'init', mode: S_IFREG | 0o755, data: readFileSync(new URL('./guest-stage1.sh', import.meta.url)) },
  ];
  for (const module of STAGE1_MODULES) {
    entries.push({ name: `modules/${module}.ko`, mode: S_IFREG | 0o644, data: readFileSync(kernel.modulePath(module)) });
  }
  mkdirSync(dirname(outFile), { recursive: true });
  writeFileSync(outFile, cpioArchive(entries));
  return join(outFile);
}
