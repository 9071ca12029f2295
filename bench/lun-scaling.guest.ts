/**
 * Object-model scaling (runs in the guest: `npm run bench:luns`): creates
 * 1,000 LUNs one at a time through `LUN.open` (lowest free index each time)
 * and compares what the last ones cost with what the first ones did, side by
 * side with the syscall floor doing the same thing in C (readdir of the LUN
 * directory, mkdir, symlink per LUN) in the same guest. configfs itself finds
 * names by walking a directory's children, so some growth is the kernel's:
 * the floor shows how much.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { release } from 'node:os';
import { LUN, RDMCPStorageObject, RTSRoot, TPG, Target } from '../src/index.js';
import { median, runFloor, timed } from './stats.js';

const COUNT = Number(process.env.RTSLIB_BENCH_LUNS ?? 1000);
const WINDOW = Math.min(50, Math.floor(COUNT / 4));
const root = new RTSRoot();
const ram = await RDMCPStorageObject.open(root, 'bench_luns', { size: '4M' });

interface Series {
  totalMs: number;
  firstMs: number;
  lastMs: number;
  growth: number;
  timesMs: number[];
}
function series(times: number[]): Series {
  const firstMs = median(times.slice(0, WINDOW));
  const lastMs = median(times.slice(-WINDOW));
  return { totalMs: times.reduce((a, b) => a + b, 0), firstMs, lastMs, growth: lastMs / firstMs, timesMs: times };
}

// The floor first, on its own target, removed again before ours runs.
const floorTarget = await Target.open(root, 'loopback');
const floorTpg = await TPG.open(floorTarget, { tag: 1 });
const timesFile = '/tmp/lun-floor-times.txt';
runFloor(['luns', floorTpg.path, ram.path, String(COUNT), timesFile]);
const floor = series(readFileSync(timesFile, 'utf8').trim().split('\n').map(Number));
await floorTarget.delete();

const target = await Target.open(root, 'loopback');
const tpg = await TPG.open(target, { tag: 1 });
const times: number[] = [];
for (let i = 0; i < COUNT; i++) times.push(await timed(() => LUN.open(tpg, { storageObject: ram })));
const ours = series(times);
const removal = await timed(() => target.delete());
await ram.delete();

const row = (name: string, s: Series) => `| ${name} | ${(s.totalMs / 1000).toFixed(1)} | ${s.firstMs.toFixed(2)} | ${s.lastMs.toFixed(2)} | ${s.growth.toFixed(2)}x |`;
console.log(`LUN creation one at a time, lowest free index, kernel ${release()}, ${COUNT} LUNs, windows of ${WINDOW}`);
console.log('| tool | total (s) | median first (ms) | median last (ms) | last/first |');
console.log('|---|---|---|---|---|');
console.log(row('floor (C)', floor));
console.log(row('rtslib LUN.open', ours));
console.log(
  `ours/floor: first ${(ours.firstMs / floor.firstMs).toFixed(2)}x, last ${(ours.lastMs / floor.lastMs).toFixed(2)}x; the growth beyond the floor's: ${(ours.growth / floor.growth).toFixed(2)}x`,
);
console.log(`target with ${COUNT} LUNs removed in ${(removal / 1000).toFixed(1)} s (parallel teardown)`);
mkdirSync('bench/out', { recursive: true });
writeFileSync(
  'bench/out/lun-scaling.json',
  JSON.stringify({ date: new Date().toISOString(), kernel: release(), count: COUNT, window: WINDOW, floor, ours, removalMs: removal }, null, 2) + '\n',
);
