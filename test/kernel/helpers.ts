/**
 * Helpers for kernel tests: raw configfs inspection with plain `fs` (an
 * independent check of what the library did) and rtslib-fb as a peer.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, readlinkSync, lstatSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

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

/** The kernel 6.1 tree dump in test/fixtures/reference (what rtslib-fb left after provisioning one of everything). */
export const REFERENCE_TREE = fileURLToPath(new URL('../fixtures/reference/configfs-tree-linux-6.1.txt', import.meta.url));

/** One entry of a tree: kind, owner mode bits, value or link target. */
export interface Entry {
  kind: 'D' | 'F' | 'L';
  mode?: string;
  value?: string;
}

/** Parses the reference dump into path → entry (paths relative to the target root, no trailing slash). */
export function referenceTree(): Map<string, Entry> {
  const tree = new Map<string, Entry>();
  for (const line of readFileSync(REFERENCE_TREE, 'utf8').split('\n')) {
    let m: RegExpExecArray | null;
    if ((m = /^D (.*)\/$/.exec(line)) && m[1] !== '.') tree.set(m[1]!, { kind: 'D' });
    else if ((m = /^L (.*) -> (.*)$/.exec(line))) tree.set(m[1]!, { kind: 'L', value: m[2]! });
    else if ((m = /^F (\S\S) (.*?) = ?(.*)$/.exec(line))) tree.set(m[2]!, { kind: 'F', mode: m[1]!, value: m[3]! });
  }
  return tree;
}

/** The same view of the live tree, values escaped as the dump does. */
export function liveTree(dir = TARGET, prefix = '', out = new Map<string, Entry>()): Map<string, Entry> {
  for (const name of readdirSync(dir)) {
    const rel = prefix ? `${prefix}/${name}` : name;
    const abs = `${dir}/${name}`;
    const st = lstatSync(abs);
    if (st.isSymbolicLink()) out.set(rel, { kind: 'L', value: relative(TARGET, resolve(dirname(abs), readlinkSync(abs))) });
    else if (st.isDirectory()) {
      out.set(rel, { kind: 'D' });
      liveTree(abs, rel, out);
    } else {
      const mode = `${st.mode & 0o400 ? 'r' : '-'}${st.mode & 0o200 ? 'w' : '-'}`;
      let value = '';
      // never the ALUA `members` lists: reading one while a storage object's release is pending can crash the kernel
      if (mode[0] === 'r' && !/statistics\//.test(rel) && name !== 'members') {
        value = readFileSync(abs)
          .toString('latin1')
          .slice(0, 4096)
          .replace(/\n$/, '')
          .replace(/[^\x20-\x7e]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
      }
      out.set(rel, { kind: 'F', mode, value });
    }
  }
  return out;
}

/** `D`/`F <mode>`/`L -> target` lines for the entries under `prefix` (made relative to it), sorted: a tree's shape. */
export function shapeUnder(tree: Map<string, Entry>, prefix: string): string[] {
  return [...tree]
    .filter(([p]) => p.startsWith(`${prefix}/`))
    .map(([p, e]) => {
      const rel = p.slice(prefix.length + 1);
      return e.kind === 'L' ? `L ${rel}` : e.kind === 'F' ? `F ${e.mode} ${rel}` : `D ${rel}`;
    })
    .sort();
}

/**
 * The configured part of the live tree: HBAs and storage objects under core/,
 * and targets under the fabrics (not the fabric directories themselves, which
 * stay once a fabric module is loaded, nor discovery_auth). Empty after a clear.
 */
export function configuredTree(): string[] {
  return rawTree().filter((p) => {
    const [top, second] = p.split('/');
    if (second === undefined) return false;
    if (top === 'core') return second !== 'alua';
    return second !== 'discovery_auth' && !['version', 'lio_version', 'cpus_allowed_list'].includes(second);
  });
}
