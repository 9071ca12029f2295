/**
 * The planner and the dump on the host, against a tree captured in the guest
 * (bench/capture-tree.guest.ts): `tsx bench/plan-profile.ts
 * bench/out/tree-1000x4.json` times dumpSnapshot, the unchanged re-apply's
 * plan, the restore's plan and the clear's plan, REPS times each (medians).
 * Add `node --cpu-prof --import tsx` to see where the time goes. Host times
 * are not the guest's, but the share of each part is.
 */
import { readFileSync } from 'node:fs';
import { Snapshot } from '../src/cfs/snapshot.js';
import { DEFAULT_TARGET_ROOT } from '../src/cfs/tree.js';
import { applyPlanOf, clearPlanOf, restorePlanOf } from '../src/config/planner.js';
import { PLANNER_DUMP } from '../src/config/plan-execution.js';
import { dumpSnapshot } from '../src/model/dump.js';
import { captureWholeImage } from '../src/cfs/tree-image.js';
import { recreateStorageObject } from '../src/model/recreation.js';
import type { SaveConfig } from '../src/index.js';
import type { NativeTree } from '../src/native/index.js';
import { median } from './stats.js';

interface Captured {
  n: number;
  a: number;
  config: SaveConfig;
  tree: Omit<NativeTree, 'kinds' | 'modes' | 'data' | 'offsets' | 'errnos'> & { kinds: number[]; modes: number[]; data: string; offsets: number[]; errnos: number[] };
}

const file = process.argv[2] ?? 'bench/out/tree-1000x4.json';
const REPS = Number(process.env.RTSLIB_BENCH_REPS ?? 5);
const captured = JSON.parse(readFileSync(file, 'utf8')) as Captured;
const tree: NativeTree = {
  paths: captured.tree.paths,
  kinds: Uint8Array.from(captured.tree.kinds),
  modes: Uint16Array.from(captured.tree.modes),
  links: captured.tree.links,
  data: Buffer.from(captured.tree.data, 'base64'),
  offsets: Uint32Array.from(captured.tree.offsets),
  errnos: Int32Array.from(captured.tree.errnos),
};

async function time(what: string, fn: () => unknown): Promise<void> {
  const times: number[] = [];
  for (let i = 0; i < REPS; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  console.log(`${what.padEnd(28)} ${median(times).toFixed(1).padStart(8)} ms (min ${Math.min(...times).toFixed(1)}, max ${Math.max(...times).toFixed(1)})`);
}

console.log(`W(${captured.n},${captured.a}): ${tree.paths.length} entries`);
const snapshot = (): Snapshot => new Snapshot(DEFAULT_TARGET_ROOT, '', tree);
const snap = snapshot();
const current = dumpSnapshot(snap, { secrets: true });
await time('snapshot index', snapshot);
await time('dumpSnapshot', () => dumpSnapshot(snap, { secrets: true }));
await time('planner dump', () => dumpSnapshot(snap, PLANNER_DUMP));
await time('re-apply plan (dump + diff)', () => {
  const s = snapshot();
  return applyPlanOf(s, dumpSnapshot(s, PLANNER_DUMP), captured.config);
});
await time('re-apply diff only', () => applyPlanOf(snap, current, captured.config));
await time('restore plan (diff only)', () => restorePlanOf(snap, current, captured.config));
await time('clear plan (diff only)', () => clearPlanOf(snap, current));
await time('clear plan (fresh snapshot)', () => clearPlanOf(snapshot(), current));
await time('captureWholeImage', () => captureWholeImage(snapshot(), recreateStorageObject));
