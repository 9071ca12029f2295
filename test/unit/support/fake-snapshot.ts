/**
 * Snapshots built from a list of entries, as the native tree reader returns
 * them, for host tests of code that plans from a snapshot.
 */
import { Snapshot } from '../../../src/cfs/snapshot.js';
import type { NativeTree } from '../../../src/native/index.js';

/** The default target root. */
export const ROOT = '/sys/kernel/config/target';

/** One entry: path (relative to the snapshot's base), kind, value or link target, mode. */
export type FakeEntry = [string, 'd' | 'f' | 'l', (string | undefined)?, (number | undefined)?];

/** Builds a NativeTree (as the engine returns it) from a list of entries. */
export function fakeTree(entries: readonly FakeEntry[]): NativeTree {
  const values = entries.map(([, kind, value]) => (kind === 'f' ? Buffer.from(value ?? '') : Buffer.alloc(0)));
  const offsets = new Uint32Array(entries.length + 1);
  values.forEach((v, i) => (offsets[i + 1] = offsets[i]! + v.length));
  return {
    paths: entries.map(([p]) => p),
    kinds: Uint8Array.from(entries.map(([, k]) => ({ d: 0, f: 1, l: 2 })[k])),
    modes: Uint16Array.from(entries.map(([, k, , m]) => m ?? (k === 'f' ? 0o644 : 0o755))),
    links: entries.map(([, k, v]) => (k === 'l' ? (v ?? null) : null)),
    data: Buffer.concat(values),
    offsets,
    errnos: new Int32Array(entries.length),
  };
}

/** A snapshot of `base` (root-relative) holding `entries`. */
export function fakeSnapshot(entries: readonly FakeEntry[], base = ''): Snapshot {
  return new Snapshot(ROOT, base, fakeTree(entries));
}

/** Every parent directory of the given paths, as `d` entries, followed by the entries themselves (sorted). */
export function withParents(entries: readonly FakeEntry[]): FakeEntry[] {
  const dirs = new Set<string>();
  for (const [path] of entries) {
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
  }
  const explicit = new Set(entries.map(([p]) => p));
  const all: FakeEntry[] = [...[...dirs].filter((d) => !explicit.has(d)).map((d): FakeEntry => [d, 'd']), ...entries];
  return all.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
