/**
 * Executing a plan for a command (restore, clear, apply) and the summary
 * line printed afterwards.
 */
import type { ExecuteResult } from '../config/planner.js';
import { planOperations, planWrites, type Plan } from '../config/plan.js';
import type { RTSRoot } from '../model/rts-root.js';
import { startProgress } from './progress.js';
import { oneLine } from './error-report.js';
import type { CliIO } from './cli-io.js';
import { planJson, writePlanJson, type PlanOutputOptions } from './plan-output.js';

/**
 * `<verb>: 2 created, 1 modified, 0 removed (17 operations)`, or `<verb>: nothing to do`.
 * With the execution's result, the count is what was done (settings already as wanted were skipped).
 */
export function planSummary(verb: string, plan: Plan, result?: ExecuteResult): string {
  if (plan.steps.length === 0) return `${verb}: nothing to do${plan.warnings?.length ? ` (${plan.warnings.length} skipped with a warning)` : ''}`;
  const n = (action: string): number => plan.steps.filter((s) => s.action === action).length;
  const writes = result ? result.operations : planWrites(plan);
  const skipped = result?.skipped ? `, ${result.skipped} already as wanted` : '';
  const warned = (result?.warnings ?? plan.warnings ?? []).length;
  return `${verb}: ${n('create')} created, ${n('modify')} modified, ${n('remove')} removed (${writes} operation${writes === 1 ? '' : 's'}${skipped})${warned ? `, ${warned} skipped with a warning` : ''}`;
}

/**
 * Plans and executes as one write run: the plan is made while the lock is
 * held exclusive (after an interrupted run is recovered), so it is made
 * from a tree nobody else changes until it is executed. A progress bar
 * shows on a terminal for large plans; the summary line follows. On failure
 * the bar is removed and the error (which names the step, file and errno;
 * everything the run did is undone) propagates. `onPlan` may stop before
 * execution by returning false.
 */
export async function runPlan(
  root: RTSRoot,
  io: CliIO,
  verb: string,
  makePlan: () => Promise<Plan>,
  onPlan?: (plan: Plan) => boolean,
  output: PlanOutputOptions = {},
): Promise<void> {
  const { executePlan } = await import('../config/planner.js');
  await root.cfs.exclusive(async () => {
    const plan = await makePlan();
    if (onPlan && !onPlan(plan)) {
      if (output.json) writePlanJson(io.stdout, planJson(verb, plan, undefined, true));
      return;
    }
    let result: ExecuteResult | undefined;
    if (plan.steps.length) {
      const progress = await startProgress(
        // no progress bar on a terminal when the output is a document or nothing
        output.json || output.quiet ? { ...io, isTTY: false } : io,
        planOperations(plan),
        verb,
      );
      try {
        result = await executePlan(root, plan, { command: verb, ...(progress.onProgress ? { onProgress: progress.onProgress } : {}) });
      } finally {
        progress.stop();
      }
    }
    for (const w of result?.warnings ?? plan.warnings ?? []) io.stderr.write(`rtslib: warning: ${oneLine(`${w.path}: ${w.message}`)}\n`);
    if (output.json) writePlanJson(io.stdout, planJson(verb, plan, result ?? { operations: 0, skipped: 0, warnings: plan.warnings ?? [] }, false));
    else if (!output.quiet) io.stdout.write(`${planSummary(verb, plan, result)}\n`);
  });
}
