/**
 * A plan: the ordered configfs operations that take the kernel from its
 * current state to a desired one, grouped in steps (one per object touched),
 * in the kernel's write order. Built by the planner, printed by `diff`,
 * executed by {@link executePlan}.
 */
import { changesTree } from '../cfs/configfs.js';
import type { FabricName } from '../cfs/fabrics.js';
import { writesOf, type PhasedOp } from '../cfs/phased-ops.js';
import { stepName } from './plan-builder.js';
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

/** Number of write-like operations (everything but reads) a plan performs, conditional writes included. */
export function planWrites(plan: Plan): number {
  return operationsOf(plan, changesTree);
}

/** Number of operations a plan's run goes through (what its progress counts), the writes of following objects included (see {@link stepOperations}). */
export function planOperations(plan: Plan): number {
  return operationsOf(plan, () => true);
}

/** The operations of a plan that `counted` takes, each with the writes of the objects that follow it. */
function operationsOf(plan: Plan, counted: (op: PlanOp) => boolean): number {
  let n = 0;
  for (const step of plan.steps) for (const o of step.ops) if (counted(o)) n += writesOf(o);
  return n;
}

/**
 * Each step's number of operations: its own, and the writes of the
 * settings it follows (a new storage object whose settings follow those of
 * the first of its class, `PhasedOp.alike`, has none of its own for them).
 */
export function stepOperations(plan: Plan): Map<PlanStep, number> {
  const counts = new Map(plan.steps.map((s) => [s, s.ops.length]));
  const byName = new Map(plan.steps.map((s) => [stepName(s), s]));
  for (const step of plan.steps)
    for (const o of step.ops) {
      if (o.alike === undefined) continue;
      // each following object's step has one write per operation that carries the record
      for (const m of o.alike.members) {
        const member = byName.get(m.step);
        if (member) counts.set(member, (counts.get(member) ?? 0) + 1);
      }
    }
  return counts;
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
