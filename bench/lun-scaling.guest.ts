/**
 * Object-model scaling (runs in the guest: `npm run bench:luns`): creates
 * 1,000 LUNs one at a time through `LUN.open` (lowest free index each time)
 * and compares what the last ones cost with what the first ones did.
 * rtslib-fb rescans configfs per LUN, so its cost grows with the count.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { release } from 'node:os';
import { LUN, RDMCPStorageObject, RTSRoot, TPG, Target } from '../src/index.js';
import { median, timed } from './stats.js';

const COUNT = Number(process.env.RTSLIB_BENCH_LUNS ?? 1000);
const WINDOW = Math.min(50, Math.floor(COUNT / 4));
const root = new RTSRoot();
const ram = await RDMCPStorageObject.open(root, 'bench_luns', { size: '4M' });
const target = await Target.open(root, 'loopback');
const tpg = await TPG.open(target, { tag: 1 });
const times: number[] = [];
for (let i = 0; i < COUNT; i++) times.push(await timed(() => LUN.open(tpg, { storageObject: ram })));
const first = median(times.slice(0, WINDOW));
const last = median(times.slice(-WINDOW));
console.log(`LUN creation through the object model, kernel ${release()}: ${COUNT} LUNs in ${(times.reduce((a, b) => a + b, 0) / 1000).toFixed(1)} s`);
console.log(`  median of the first ${WINDOW}: ${first.toFixed(1)} ms, of the last ${WINDOW}: ${last.toFixed(1)} ms, ratio ${(last / first).toFixed(2)}x`);
const removal = await timed(() => target.delete());
console.log(`  target with ${COUNT} LUNs removed in ${(removal / 1000).toFixed(1)} s (parallel teardown)`);
await ram.delete();
mkdirSync('bench/out', { recursive: true });
writeFileSync('bench/out/lun-scaling.json', JSON.stringify({ date: new Date().toISOString(), kernel: release(), count: COUNT, window: WINDOW, firstMedianMs: first, lastMedianMs: last, ratio: last / first, removalMs: removal, timesMs: times }, null, 2) + '\n');
