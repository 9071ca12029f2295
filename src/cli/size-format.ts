/**
 * Sizes for people, in binary units with one decimal, as targetcli prints
 * them: `64.0MiB`.
 */

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'] as const;

/** `bytes` in the largest of `units` (1024 apart) it reaches, one decimal; `small(bytes)` below 1 KiB. */
function scaled(bytes: number, units: readonly string[], small: (bytes: number) => string): string {
  if (!Number.isFinite(bytes) || bytes < 0) return String(bytes);
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? small(bytes) : `${value.toFixed(1)}${units[unit]}`;
}

/** A byte count in binary units with one decimal (`512B`, `8.0MiB`, `1.5GiB`). */
export function formatSize(bytes: number): string {
  return scaled(bytes, UNITS, (n) => `${n}B`);
}

/** A byte count as targetcli prints it (its `bytes_to_human`): `512 bytes` below 1 KiB, else up to PiB (`8.0MiB`). */
export function humanSize(bytes: number): string {
  return scaled(bytes, UNITS.slice(0, 6), (n) => `${n} bytes`);
}
