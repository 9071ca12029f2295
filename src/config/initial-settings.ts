/**
 * Which new storage objects the kernel starts with the same settings, so
 * that a restore reads the settings of one of them instead of every one's
 * (at W(1000,4) the reads of new objects' settings were 42,000 of a
 * restore's system calls and a third of its time).
 *
 * A new object's attributes (and its default ALUA group's settings) are the
 * kernel's defaults, adjusted by the backend from the device it opens
 * (target_configure_device, and fd_configure_device, rd_configure_device):
 *
 * - ramdisk: nothing depends on the object but `rd_nullio` (the page count
 *   sets only the capacity);
 * - fileio on a regular file: the file's filesystem (block size, unmap and
 *   rotational flags come from it) and the control options other than the
 *   file's name and size (`fd_buffered_io`, `fd_async_io`);
 * - block, pscsi, user, and fileio on a block device: each its own device's
 *   queue limits, so no class: each object's settings are read.
 *
 * Objects of one class share a key; the first new object of a class is read
 * for the others (`PhasedOp.likeAs`).
 */
import { statSync, type Stats } from 'node:fs';
import { dirname } from 'node:path';
import type { StorageObjectConfig } from '../model/saveconfig-format.js';
import type { CreationRecipe } from '../model/storage-object.js';

/** The filesystem a fileio object's file is on (or will be created on), or null for a block device or an unknown place. */
function fileSystemOf(file: string): bigint | null {
  let st: Stats | undefined;
  try {
    st = statSync(file, { throwIfNoEntry: false }) ?? statSync(dirname(file));
  } catch {
    return null;
  }
  if (!st.isFile() && !st.isDirectory()) return null;
  return BigInt(st.dev);
}

/** The control options that shape a new object's settings: all but the device's name and size. */
function shapingControl(recipe: CreationRecipe): string {
  return recipe.control
    .flatMap((c) => c.split(','))
    .filter((c) => !/^(fd_dev_name|fd_dev_size|rd_pages)=/.test(c))
    .sort()
    .join(',');
}

/**
 * The class of new objects the kernel starts with the same settings as this
 * one, or null when its settings depend on its own device.
 */
export function initialSettingsClass(so: StorageObjectConfig, recipe: CreationRecipe): string | null {
  if (so.plugin === 'ramdisk') return `ramdisk ${shapingControl(recipe)}`;
  if (so.plugin !== 'fileio') return null;
  const fs = fileSystemOf(so.dev);
  return fs === null ? null : `fileio ${fs} ${shapingControl(recipe)}`;
}
