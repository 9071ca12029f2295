/**
 * A plan: the ordered configfs operations that take the kernel from its
 * current state to a desired one, grouped in steps (one per object touched),
 * in the kernel's write order. Built by the planner, printed by `diff`,
 * executed by {@link executePlan}.
 */
import { changesTree } from '../cfs/configfs.js';
import type { FabricName } from '../cfs/fabrics.js';
import type { PhasedOp } from '../cfs/phased-ops.js';
import type { ConfigIssue } from './config-error.js';

/** What a step does to its object. */
export type PlanAction = 'create' | 'modify' | 'remove';

/**
 * One configfs operation of a plan, with the phase it runs in (phases run in
 * increasing order; within one, in plan order). A write marked `whenDiffers`
 * is dropped at execution when the file already holds the value (or does not
 * exist and the write is `optional`): new objects start with the kernel's
 * defaults, so only settings that differ from them cost a write.
 */
export type PlanOp = PhasedOp;

/** One object created, changed or removed. */
export interface PlanStep {
  /** What is done. */
  action: PlanAction;
  /** The object, e.g. `storage object fileio/disk1`, `LUN 0 of TPG 1 of iscsi iqn.…`. */
  object: string;
  /** The configfs operations (paths relative to the target root; secret values marked `secret`). */
  ops: PlanOp[];
  /** A fabric module to load first (its configfs directory is created, with `modprobe` if needed); not undone. */
  loadFabric?: FabricName;
  /** Settings written: `name: old -> new` for a change, `name = value` for a new object (secrets shown as `(secret)`). */
  changes?: string[];
}

/** The ordered steps of a restore, clear or apply. */
export interface Plan {
  /** Steps in execution order. */
  steps: PlanStep[];
  /** What a lenient plan skipped while planning, each with the JSON path of the config entry (absent unless lenient). */
  warnings?: ConfigIssue[];
}

/** Number of write-like operations (everything but reads) a plan performs. */
export function planWrites(plan: Plan): number {
  return plan.steps.reduce((n, s) => n + s.ops.filter(changesTree).length, 0);
}

/** Lines describing a plan for people (`+` create, `~` modify, `-` remove); secrets never shown. */
export function formatPlan(plan: Plan): string[] {
  const sign = { create: '+', modify: '~', remove: '-' } as const;
  const lines: string[] = [];
  for (const step of plan.steps) {
    lines.push(`${sign[step.action]} ${step.action} ${step.object}`);
    for (const change of step.changes ?? []) lines.push(`    ${change}`);
  }
  return lines;
}
