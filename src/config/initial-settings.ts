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
 * for the others (`PhasedOp.likeAs`), and a later one that asks for the same
 * settings as the first follows its writes instead of having its own
 * (`PhasedOp.alike`, see plan-creation.ts).
 */
import type { StorageObjectConfig } from '../model/saveconfig-format.js';
import type { CreationRecipe } from '../model/storage-object.js';

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
  // fileio: the recipe knows the filesystem of a regular file (none for a block device)
  if (so.plugin !== 'fileio' || recipe.fileSystem === undefined) return null;
  return `fileio ${recipe.fileSystem} ${shapingControl(recipe)}`;
}
