/**
 * Helpers for kernel tests: raw configfs inspection with plain `fs` (an
 * independent check of what the library did) and rtslib-fb as a peer.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, lstatSync, writeFileSync } from 'node:fs';

/** The real target root. */
export const TARGET = '/sys/kernel/config/target';

/** Debian's python3 (rtslib-fb is installed for it, not for other pythons on PATH). */
export const SYSTEM_PYTHON = '/usr/bin/python3';

/** Reads a configfs file with plain fs, trailing newline dropped. */
export function rawRead(path: string): string {
  return readFileSync(path, 'utf8').replace(/\n$/, '');
}

/** Whether a path exists (without following a final symlink). */
export function rawExists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Every path under the target root (relative), sorted; statistics skipped. */
export function rawTree(dir = TARGET, prefix = ''): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (name === 'statistics' || name === 'fabric_statistics') continue;
    const rel = prefix ? `${prefix}/${name}` : name;
    out.push(rel);
    const st = lstatSync(`${dir}/${name}`);
    if (st.isDirectory()) out.push(...rawTree(`${dir}/${name}`, rel));
  }
  return out;
}

/** Runs a Python snippet with rtslib-fb imported as `rtslib`; returns its parsed JSON stdout. */
export function rtslibFb<T>(code: string): T {
  const script = `import json, sys\nimport rtslib_fb as rtslib\n${code}`;
  const r = spawnSync(SYSTEM_PYTHON, ['-c', script], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`rtslib-fb script failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

/**
 * Unloads scsi_debug, waiting (up to 30 s) for the last users of its devices
 * (a test process closing descriptors, the kernel finishing a scan) to go.
 * Its hosts are removed first so no new opens can start. Throws if it stays.
 */
export async function unloadScsiDebug(): Promise<void> {
  const dir = '/sys/bus/pseudo/drivers/scsi_debug';
  if (!existsSync(dir)) return;
  for (let i = 0; i < 60; i++) {
    if (!existsSync(dir)) return;
    if (spawnSync('modprobe', ['-r', 'scsi_debug'], { stdio: 'ignore' }).status === 0) return;
    try {
      const hosts = Number(readFileSync(`${dir}/add_host`, 'utf8').trim());
      if (hosts > 0) writeFileSync(`${dir}/add_host`, String(-hosts));
    } catch {
      // the module may be going away under us
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error('scsi_debug stayed in use for 30 s and could not be unloaded');
}
