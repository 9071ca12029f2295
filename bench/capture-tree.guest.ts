/**
 * Captures the whole-tree snapshot of W(N, A) in the guest
 * (`npm run bench:capture`, N and A from RTSLIB_BENCH_N / RTSLIB_BENCH_A,
 * default 1000 and 4) into bench/out/tree-<N>x<A>.json, with the config
 * that built it, so that the planner and the dump can be profiled on the
 * host against a real tree (bench/plan-profile.ts). Times the restore (with
 * its plan) and an unchanged re-apply on the way.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { RTSRoot, executePlan, planApply, planClear, planRestore } from '../src/index.js';
import { native } from '../src/native/index.js';
import { UNREAD_NAMES } from '../src/cfs/tree.js';
import { workloadConfig } from './workload-config.js';

const N = Number(process.env.RTSLIB_BENCH_N ?? 1000);
const A = Number(process.env.RTSLIB_BENCH_A ?? 4);
const DIR = '/tmp/capture-tree';
const OUT = fileURLToPath(new URL(`./out/tree-${N}x${A}.json`, import.meta.url));

const root = new RTSRoot();
await executePlan(root, await planClear(root), { command: 'clear' });
rmSync(DIR, { recursive: true, force: true });
mkdirSync(DIR, { recursive: true });
const config = workloadConfig(N, A, DIR);

let t = performance.now();
const plan = await planRestore(root, config);
const planMs = performance.now() - t;
t = performance.now();
const done = await executePlan(root, plan, { command: 'restore' });
const executeMs = performance.now() - t;

t = performance.now();
const tree = await native.readTree(root.cfs.root, { root: root.cfs.root, excludeNames: [...UNREAD_NAMES] });
const snapshotMs = performance.now() - t;

t = performance.now();
const reapply = await planApply(root, config);
const reapplyMs = performance.now() - t;

await executePlan(root, await planClear(root), { command: 'clear' });
rmSync(DIR, { recursive: true, force: true });

const result = {
  n: N,
  a: A,
  restore: { planMs: Math.round(planMs), executeMs: Math.round(executeMs), operations: done.operations, skipped: done.skipped },
  snapshotMs: Math.round(snapshotMs),
  reapply: { planMs: Math.round(reapplyMs), steps: reapply.steps.length },
  entries: tree.paths.length,
};
mkdirSync(fileURLToPath(new URL('./out/', import.meta.url)), { recursive: true });
writeFileSync(
  OUT,
  JSON.stringify({
    ...result,
    config,
    tree: {
      paths: tree.paths,
      kinds: [...tree.kinds],
      modes: [...tree.modes],
      links: tree.links,
      data: tree.data.toString('base64'),
      offsets: [...tree.offsets],
      errnos: [...tree.errnos],
    },
  }),
);
console.log(JSON.stringify(result));
