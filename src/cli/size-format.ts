/**
 * Sizes for people, as targetcli prints them: `64.0MiB`.
 */

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'] as const;

/** A byte count in binary units with one decimal (`512B`, `8.0MiB`, `1.5GiB`). */
export function formatSize(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return String(bytes);
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${bytes}B` : `${value.toFixed(1)}${UNITS[unit]}`;
}

/** A byte count as targetcli prints it: `512 bytes` below 1 KiB, else binary units with one decimal (`8.0MiB`). */
export function humanSize(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return String(bytes);
  if (bytes < 1024) return `${bytes} bytes`;
  let value = bytes / 1024;
  for (const unit of ['KiB', 'MiB', 'GiB', 'TiB']) {
    if (value < 1024) return `${value.toFixed(1)}${unit}`;
    value /= 1024;
  }
  return `${value.toFixed(1)}PiB`;
}
