/**
 * Fault injection at every step (the default suite samples the steps; `npm
 * run test:faults` sweeps all of them): a restore over a live tree, an
 * apply --prune and a clear, each of more than 300 operations, fail at the
 * k-th operation with an injected errno. After each, the error names the
 * step, the file and the errno, and the tree is byte for byte the tree
 * before. When the undo fails too, the error says what is left and the
 * journal lets `recover` finish it.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { existsSync, rmSync } from 'node:fs';
import { RTSLibOperationError, RTSRoot, executePlan, planApply, planClear, planRestore, type Plan, type SaveConfig } from '../../src/index.js';
import { native } from '../../src/native/index.js';
import { Journal } from '../../src/cfs/journal.js';
import { configuredTree } from './helpers.js';
import { BACKING_DIR, configA, configB, configC, fingerprint, makeBackingFiles, samplePoints, treeDiff } from './support/write-scenarios.js';

const POINTS: number | 'all' = process.env.RTSLIB_FAULT_POINTS === 'all' ? 'all' : Number(process.env.RTSLIB_FAULT_POINTS ?? 5);
const EIO = 5;
const root = new RTSRoot();

/** Runs a scenario as one write run (plan made inside the hold, as the command does). */
function run(makePlan: () => Promise<Plan>, command: string): Promise<unknown> {
  return root.cfs.exclusive(async () => executePlan(root, await makePlan(), { command }));
}

/** Runs a scenario with faults armed; returns what it threw (undefined when it succeeded). */
async function runFaulty(faults: Parameters<typeof native.setFaultInjection>[0], makePlan: () => Promise<Plan>, command: string): Promise<unknown> {
  native.setFaultInjection(faults);
  try {
    await run(makePlan, command);
    return undefined;
  } catch (e) {
    return e;
  } finally {
    native.setFaultInjection(null);
  }
}

async function restoreA(): Promise<void> {
  await run(() => planRestore(root, configA()), 'restore');
}

const scenarios: { name: string; plan: () => Promise<Plan>; command: string }[] = [
  { name: 'restore of another config over a live tree', plan: () => planRestore(root, configC()), command: 'restore' },
  { name: 'apply --prune of a changed config', plan: () => planApply(root, configB() as SaveConfig, { prune: true }), command: 'apply' },
  { name: 'clear', plan: () => planClear(root), command: 'clear' },
];

const figures: string[] = [];

beforeAll(async () => {
  makeBackingFiles();
  expect(configuredTree()).toEqual([]);
  await restoreA();
});

afterAll(async () => {
  native.setFaultInjection(null);
  await run(() => planClear(root), 'clear');
  rmSync(BACKING_DIR, { recursive: true, force: true });
  console.log(`fault sweep figures:\n${figures.join('\n')}`);
});

describe.each(scenarios)('fault injection: $name', ({ name, plan, command }) => {
  let total = 0;
  let before = new Map();

  beforeAll(async () => {
    // count the operations of the run from A (nothing fails), then start again from A
    native.setFaultInjection({ failAt: 0 });
    await run(plan, command);
    total = native.faultInjectionCounts().forward;
    native.setFaultInjection(null);
    await restoreA();
    before = await fingerprint();
  });

  test('the run has at least 300 operations', () => {
    expect(total).toBeGreaterThanOrEqual(300);
  });

  test(
    'a failure at any operation leaves the tree as it was and names the step',
    async () => {
      const points = samplePoints(total, POINTS);
      let survived = 0;
      for (const k of points) {
        const error = await runFaulty({ failAt: k, errno: EIO }, plan, command);
        expect(error, `operation ${k}`).toBeInstanceOf(RTSLibOperationError);
        const e = error as RTSLibOperationError;
        expect(e.code, `operation ${k}`).toBe('EIO');
        expect(e.step.detail, `operation ${k}`).toBe('injected fault');
        expect(e.message, `operation ${k}`).toMatch(/^could not (create|modify|remove) .+: EIO, \w+ '\/sys\/kernel\/config\/target\/.+'/);
        expect(e.notUndone, `operation ${k}: ${e.message}`).toEqual([]);
        const diff = treeDiff(before, await fingerprint());
        expect(diff, `operation ${k} (${e.message})`).toEqual([]);
        survived++;
      }
      figures.push(
        `${name}: ${total} operations, ${points.length} faults injected (${POINTS === 'all' ? 'every operation' : 'a sample'}), ${survived} left the tree byte for byte as it was`,
      );
    },
    POINTS === 'all' ? 4 * 3600_000 : 15 * 60_000,
  );

  test(
    'a failing undo is reported with what is left, and recover finishes it',
    async () => {
      // the middle operation; in the full sweep the last one too
      for (const k of POINTS === 'all' ? [Math.ceil(total / 2), total] : [Math.ceil(total / 2)]) {
        // how many operations the undo of a failure at k takes, then fail the one in its middle
        native.setFaultInjection({ failAt: k, errno: EIO });
        await run(plan, command).catch(() => undefined);
        const undoOps = native.faultInjectionCounts().undo;
        const j = Math.ceil(undoOps / 2);
        const e = (await runFaulty({ failAt: k, failUndoAt: j, errno: EIO }, plan, command)) as RTSLibOperationError;
        expect(e).toBeInstanceOf(RTSLibOperationError);
        expect(e.notUndone.length, e.message).toBeGreaterThan(0);
        expect(e.message).toMatch(/the undo left \d+ difference\(s\) from the tree before .*rtslib recover/);
        expect(e.undoFailures.some((f) => f.detail === 'injected fault')).toBe(true);
        // the journal is kept: recovery puts the tree back
        expect(existsSync(Journal.fileFor(root.cfs.stateDir!, root.cfs.root))).toBe(true);
        const report = await root.recover();
        expect(report?.outcome).toBe('rolled-back');
        expect(report?.message).toMatch(new RegExp(`^an interrupted ${command} \\(pid ${process.pid}, started .*\\) was rolled back`));
        expect(treeDiff(before, await fingerprint())).toEqual([]);
        figures.push(`${name}: fault at operation ${k}, then at undo operation ${j} of ${undoOps}: reported (${e.notUndone.length} differences left), recovered by recover()`);
      }
      expect(await root.recover()).toBeNull();
    },
    10 * 60_000,
  );
});
