/**
 * The target root must be on configfs: a `--configfs` or `root` that names
 * an ordinary directory would otherwise get directories and files made in
 * it. Checked with statfs before the first write; tests that work on a
 * plain directory say so explicitly.
 */
import { statfs } from 'node:fs/promises';
import { RTSLibError, systemCallError } from '../errors.js';
import { runTool } from './processes.js';

/** `CONFIGFS_MAGIC` from include/uapi/linux/magic.h. */
export const CONFIGFS_MAGIC = 0x62656570;

/** Where the kernel's configfs is mounted. */
export const CONFIGFS_MOUNT = '/sys/kernel/config';

/** Whether `dir` is on a configfs mount (false when it does not exist). */
export async function isOnConfigfs(dir: string): Promise<boolean> {
  return (await statfs(dir).catch(() => null))?.type === CONFIGFS_MAGIC;
}

/** Mounts configfs on {@link CONFIGFS_MOUNT} (`mount -t configfs configfs /sys/kernel/config`, an argument vector). */
export function mountConfigfs(timeoutMs = 30_000): Promise<void> {
  return runTool('mount -t configfs', 'mount', ['-t', 'configfs', 'configfs', CONFIGFS_MOUNT], 'ERR_RTSLIB_MOUNT', timeoutMs);
}

/** Throws unless `root` is a directory on a configfs mount. */
export async function checkConfigfsMount(root: string): Promise<void> {
  let type: number;
  try {
    type = (await statfs(root)).type;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new RTSLibError(`${root} does not exist: is configfs mounted (mount -t configfs none /sys/kernel/config) and target_core_mod loaded (modprobe target_core_mod)?`, {
        code: 'ENOENT',
        cause: error,
      });
    }
    throw systemCallError(`cannot check ${root}`, error) ?? error;
  }
  if (type !== CONFIGFS_MAGIC) {
    throw new RTSLibError(`${root} is not on configfs (filesystem type 0x${type.toString(16)}): refusing to write there`, { code: 'ERR_RTSLIB_NOT_CONFIGFS' });
  }
}
