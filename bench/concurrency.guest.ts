/**
 * Does the kernel let a restore's or a clear's operations overlap? (issue 15,
 * items 1, 2 and 5; `npm run bench:concurrency`, in the guest). At W(N, A)
 * (RTSLIB_BENCH_SIZE, default 250x16) the library restores the workload and
 * clears it again with the engine's concurrency forced to each value of
 * RTSLIB_BENCH_CONCURRENCIES (default 1,2,4,8,16,32; the library's own is 8),
 * RTSLIB_BENCH_REPS times (default 3), the floor's serial create once per
 * repetition beside them. Each write run is split as in the workload
 * benchmark: the plan, then the operations from the first progress report
 * on. Prints one line per run and the medians per concurrency, and writes
 * bench/out/concurrency.json.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { RTSRoot, planClear, planRestore, validateConfig, type Plan } from '../src/index.js';
import { median, runFloor } from './stats.js';
import { workloadConfig } from './workload-config.js';
import { writePhase, type WritePhaseDetails } from './write-phase.js';

const TARGET = '/sys/kernel/config/target';
const WORK = '/tmp/bench-concurrency';
const FILES = `${WORK}/files`;
const OUT = 'bench/out/concurrency.json';
const [N, A] = (process.env.RTSLIB_BENCH_SIZE ?? '250x16').split('x').map(Number) as [number, number];
const LEVELS = (process.env.RTSLIB_BENCH_CONCURRENCIES ?? '1,2,4,8,16,32').split(',').map(Number);
const REPS = Number(process.env.RTSLIB_BENCH_REPS ?? 3);

/** What one write run at one concurrency took (writePhase's details). */
type Run = Pick<WritePhaseDetails, 'planMs' | 'opsMs' | 'userMs' | 'sysMs'> & { ms: number };

/** Plans and executes in one hold (writePhase), every engine batch at `concurrency`. */
async function writeRun(concurrency: number, makePlan: (root: RTSRoot) => Promise<Plan>): Promise<Run> {
  const root = new RTSRoot();
  const run = root.cfs.run.bind(root.cfs);
  root.cfs.run = (ops, options = {}) => run(ops, { ...options, concurrency });
  const { ms, details } = await writePhase(makePlan, root);
  return { ms, planMs: details.planMs, opsMs: details.opsMs, userMs: details.userMs, sysMs: details.sysMs };
}

rmSync(WORK, { recursive: true, force: true });
mkdirSync(FILES, { recursive: true });
const config = validateConfig(workloadConfig(N, A, FILES));
console.log(`concurrency: W(${N},${A}), concurrencies ${LEVELS.join(', ')}, ${REPS} repetitions`);
// untimed: the first configfs operations of a boot are slower
runFloor(['create', TARGET, '10', '2', FILES]);
runFloor(['clear', TARGET]);

const rows: { rep: number; concurrency: number; restore: Run; clear: Run; floorCreateMs: number }[] = [];
const s = (ms: number): string => (ms / 1000).toFixed(2);
for (let rep = 0; rep < REPS; rep++) {
  const floor = runFloor(['create', TARGET, String(N), String(A), FILES]);
  runFloor(['clear', TARGET]);
  for (const concurrency of LEVELS) {
    const restore = await writeRun(concurrency, (root) => planRestore(root, config));
    const clear = await writeRun(concurrency, (root) => planClear(root));
    rows.push({ rep, concurrency, restore, clear, floorCreateMs: floor.ms });
    console.log(
      `rep ${rep + 1}, concurrency ${concurrency}: restore ${s(restore.ms)} s (operations ${s(restore.opsMs)} s, user ${s(restore.userMs)} s, system ${s(restore.sysMs)} s); clear ${s(clear.ms)} s (operations ${s(clear.opsMs)} s); the floor's serial create ${s(floor.ms)} s`,
    );
  }
}
rmSync(WORK, { recursive: true, force: true });

console.log('medians:');
for (const concurrency of LEVELS) {
  const of = rows.filter((r) => r.concurrency === concurrency);
  const m = (pick: (r: (typeof rows)[number]) => number): string => s(median(of.map(pick)));
  console.log(
    `concurrency ${concurrency}: restore ${m((r) => r.restore.ms)} s (operations ${m((r) => r.restore.opsMs)} s), clear ${m((r) => r.clear.ms)} s (operations ${m((r) => r.clear.opsMs)} s); the floor's serial create ${m((r) => r.floorCreateMs)} s`,
  );
}
mkdirSync('bench/out', { recursive: true });
writeFileSync(OUT, JSON.stringify({ date: new Date().toISOString(), size: { n: N, a: A }, reps: REPS, hostLoadAtStart: process.env.RTSLIB_BENCH_HOST_LOAD, rows }, null, 2) + '\n');
console.log(`wrote ${OUT}`);
