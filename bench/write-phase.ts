/**
 * One write phase of ours timed in parts: shared by the workload benchmark
 * and bench/concurrency.guest.ts.
 */
import { RTSRoot, executePlan, type ExecuteResult, type Plan } from '../src/index.js';
import { cpuSince } from './stats.js';

/** The parts of a write phase, in milliseconds (a row's details in the results). */
export type WritePhaseDetails = {
  /** From the call until the plan was made (the hold taken, the tree read). */
  planMs: number;
  /** From the plan until the run returned. */
  execMs: number;
  /** The run's undo image and journal: until its first progress call. */
  imageMs: number;
  /** The operations: the rest of the run. */
  opsMs: number;
  steps: number;
  operations: number;
  skipped: number;
  userMs: number;
  sysMs: number;
};

/** What {@link writePhase} measured. */
export interface WritePhase {
  plan: Plan;
  result: ExecuteResult;
  /** Whole phase, from the call (the hold taken, the plan made, executed). */
  ms: number;
  details: WritePhaseDetails;
}

/**
 * One write phase of ours as the docs recommend it, on `given` (else a new
 * RTSRoot): plan and execute inside one `root.cfs.exclusive` hold, so that a
 * plan that removes reads the tree once (its read is also the run's undo image). Times the plan, the run's
 * undo image and journal (until its first progress call) and the
 * operations, and the process's CPU time (user: ours; system: the kernel's
 * work for us, in every thread).
 */
export async function writePhase(makePlan: (root: RTSRoot) => Promise<Plan>, given?: RTSRoot): Promise<WritePhase> {
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const root = given ?? new RTSRoot();
  let planAt = 0;
  let firstProgressAt = 0;
  const { plan, result } = await root.cfs.exclusive(async () => {
    const made = await makePlan(root);
    planAt = performance.now();
    const done = await executePlan(root, made, {
      onProgress: () => {
        if (!firstProgressAt) firstProgressAt = performance.now();
      },
    });
    return { plan: made, result: done };
  });
  const end = performance.now();
  const planMs = planAt - t0;
  const imageMs = firstProgressAt ? firstProgressAt - planAt : 0;
  return {
    plan,
    result,
    ms: end - t0,
    details: {
      planMs,
      execMs: end - planAt,
      imageMs,
      opsMs: end - planAt - imageMs,
      steps: plan.steps.length,
      operations: result.operations,
      skipped: result.skipped,
      ...cpuSince(cpu0),
    },
  };
}
