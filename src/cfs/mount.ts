/**
 * The target root must be on configfs: a `--configfs` or `root` that names
 * an ordinary directory would otherwise get directories and files made in
 * it. Checked with statfs before the first write; tests that work on a
 * plain directory say so explicitly.
 */
import { statfs } from 'node:fs/promises';
import { RTSLibError, systemCallError } from '../errors.js';

/** `CONFIGFS_MAGIC` from include/uapi/linux/magic.h. */
export const CONFIGFS_MAGIC = 0x62656570;

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
