/**
 * Native engine benchmark (runs in the guest: `npm run bench:engine`).
 * 1. Tree read of a W(200,4) tree: rtslib's readTree (one crossing) against
 *    the plain C floor reading the same files serially. Goal <= 1.0x.
 * 2. Removing 100 LUNs: independent ops in parallel against the same ops
 *    run one after another. Goal <= 0.6x.
 */
import { mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { release } from 'node:os';
import { native, type NativeOp } from '../src/native/index.js';
import { STATISTICS_DIRS } from '../src/cfs/tree.js';
import { median, runFloor, timed } from './stats.js';

const TARGET = '/sys/kernel/config/target';
const REPS = Number(process.env.RTSLIB_BENCH_REPS ?? 5);
const N = Number(process.env.RTSLIB_BENCH_N ?? 200);
const A = Number(process.env.RTSLIB_BENCH_A ?? 4);
const files = '/tmp/bench-files';
mkdirSync(files, { recursive: true });

console.log(`engine benchmark: kernel ${release()}, W(${N},${A}), ${REPS} repetitions`);
const created = runFloor(['create', TARGET, String(N), String(A), files]);
console.log(`  floor created W(${N},${A}) in ${created.ms.toFixed(0)} ms`);

const floorRead: number[] = [];
const oursRead: number[] = [];
let floorFiles = 0;
let ourFiles = 0;
for (let i = 0; i < REPS; i++) {
  const f = runFloor(['read', TARGET]);
  floorRead.push(f.ms);
  floorFiles = f.files;
  oursRead.push(
    await timed(async () => {
      const tree = await native.readTree(TARGET, { root: TARGET, excludeNames: [...STATISTICS_DIRS] });
      ourFiles = tree.kinds.filter((k, j) => k === 1 && (tree.modes[j]! & 0o400) !== 0).length;
    }),
  );
}
console.log(
  `  tree read: floor ${median(floorRead).toFixed(0)} ms (${floorFiles} files), rtslib readTree ${median(oursRead).toFixed(0)} ms (${ourFiles} files), ratio ${(median(oursRead) / median(floorRead)).toFixed(2)}x`,
);
const cleared = runFloor(['clear', TARGET]);
console.log(`  floor cleared W(${N},${A}) serially in ${cleared.ms.toFixed(0)} ms`);
rmSync(files, { recursive: true, force: true });

// Removing 100 LUNs.
const HBA = `${TARGET}/core/rd_mcp_950`;
const SO = `${HBA}/bench`;
const WWN = `${TARGET}/loopback/naa.5001405bbbbbbbb1`;
const TPG = `${WWN}/tpgt_1`;
const LUNS = 100;
const CONCURRENCY = Number(process.env.RTSLIB_BENCH_CONCURRENCY ?? 8);
async function setupLuns(): Promise<void> {
  const ops: NativeOp[] = [
    { op: 'mkdir', path: HBA },
    { op: 'mkdir', path: SO },
    { op: 'write', path: `${SO}/control`, value: 'rd_pages=32' },
    { op: 'write', path: `${SO}/enable`, value: '1' },
    { op: 'mkdir', path: WWN },
    { op: 'mkdir', path: TPG },
  ];
  for (let i = 0; i < LUNS; i++) ops.push({ op: 'mkdir', path: `${TPG}/lun/lun_${i}` }, { op: 'symlink', path: `${TPG}/lun/lun_${i}/l`, target: SO });
  const r = await native.executeBatch(ops, { root: TARGET });
  if (!r.every((x) => x.ok)) throw new Error(`LUN setup failed: ${JSON.stringify(r.find((x) => !x.ok))}`);
}
function removalOps(independent: boolean): NativeOp[] {
  const ops: NativeOp[] = [];
  for (let i = 0; i < LUNS; i++) ops.push({ op: 'unlink', path: `${TPG}/lun/lun_${i}/l`, independent });
  ops.push({ op: 'stat', path: TARGET });
  for (let i = 0; i < LUNS; i++) ops.push({ op: 'rmdir', path: `${TPG}/lun/lun_${i}`, independent });
  return ops;
}
await native.executeBatch([{ op: 'mkdir', path: `${TARGET}/loopback` }], { root: TARGET, stopOnError: false });
const serial: number[] = [];
const parallel: number[] = [];
for (let i = 0; i < Math.max(3, Math.floor(REPS / 2)); i++) {
  for (const [independent, out] of [
    [false, serial],
    [true, parallel],
  ] as const) {
    await setupLuns();
    out.push(
      await timed(async () => {
        const r = await native.executeBatch(removalOps(independent), { root: TARGET, concurrency: CONCURRENCY });
        if (!r.every((x) => x.ok)) throw new Error('LUN removal failed');
      }),
    );
    await native.executeBatch(
      [
        { op: 'rmdir', path: TPG },
        { op: 'rmdir', path: WWN },
        { op: 'rmdir', path: SO },
        { op: 'rmdir', path: HBA },
      ],
      { root: TARGET },
    );
  }
}
console.log(`  remove ${LUNS} LUNs: serial ${median(serial).toFixed(0)} ms, parallel ${median(parallel).toFixed(0)} ms, ratio ${(median(parallel) / median(serial)).toFixed(2)}x`);

const result = {
  date: new Date().toISOString(),
  kernel: release(),
  workload: { N, A },
  repetitions: REPS,
  create: { floorMs: created.ms },
  treeRead: { floorMs: floorRead, oursMs: oursRead, floorFiles, ourFiles, ratio: median(oursRead) / median(floorRead), goal: 1.0 },
  clear: { floorSerialMs: cleared.ms },
  lunRemoval: { luns: LUNS, concurrency: CONCURRENCY, serialMs: serial, parallelMs: parallel, ratio: median(parallel) / median(serial), goal: 0.6 },
};
mkdirSync('bench/out', { recursive: true });
writeFileSync('bench/out/engine.json', JSON.stringify(result, null, 2) + '\n');
console.log('  results written to bench/out/engine.json');
