/**
 * The size of a block device, from sysfs (`/sys/dev/block/<major>:<minor>/size`,
 * in 512-byte sectors whatever the device's block size). Synchronous and
 * cheap: one stat and one small read, for the rare objects that need it
 * (a fileio storage object on a block device, whose size the kernel does not
 * report, and rtslib-fb saves).
 */
import { readFileSync, statSync } from 'node:fs';

/** Bytes of the block device at `path`; undefined when it is not a block device or cannot be read. */
export function blockDeviceSize(path: string): number | undefined {
  try {
    const st = statSync(path);
    if (!st.isBlockDevice()) return undefined;
    const major = Math.floor(st.rdev / 256) & 0xfff;
    const minor = (st.rdev & 0xff) | ((st.rdev >> 12) & 0xfff00);
    const sectors = Number(readFileSync(`/sys/dev/block/${major}:${minor}/size`, 'utf8').trim());
    return Number.isSafeInteger(sectors) && sectors >= 0 ? sectors * 512 : undefined;
  } catch {
    return undefined;
  }
}
