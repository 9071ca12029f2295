/**
 * How `restore`, `clear`, `apply` and `diff` report a plan: a summary line
 * for people (the default), nothing with `--quiet` (errors and warnings
 * still go to stderr), or with `--json` one JSON document on stdout with
 * the steps, what was done and the warnings. Secrets never appear: a
 * step's changes show them as `(secret)`.
 */
import type { ExecuteResult } from '../config/planner.js';
import { stepOperations, type Plan } from '../config/plan.js';
import type { ConfigIssue } from '../config/config-error.js';

/** The output options the plan commands share. */
export interface PlanOutputOptions {
  /** `--json`: one machine-readable document on stdout. */
  json?: boolean;
  /** `--quiet`: nothing on stdout. */
  quiet?: boolean;
}

/** One step of the `--json` document. */
export interface PlanStepJson {
  action: 'create' | 'modify' | 'remove';
  object: string;
  /** Settings written (`name: old -> new`, `name = value`; secrets as `(secret)`). */
  changes: string[];
  /** configfs operations in the step. */
  operations: number;
}

/** The `--json` document of a plan command. */
export interface PlanJson {
  command: string;
  /** True when nothing was written (`diff`, `apply --dry-run`). */
  dryRun: boolean;
  steps: PlanStepJson[];
  /** What was done, after a run that wrote: operations performed and conditional writes skipped. */
  done: { operations: number; skipped: number } | null;
  /** What a lenient run skipped, by JSON path. */
  warnings: ConfigIssue[];
}

/** The `--json` document of a plan and, when it ran, its result. */
export function planJson(command: string, plan: Plan, result: ExecuteResult | undefined, dryRun: boolean): PlanJson {
  const operations = stepOperations(plan);
  return {
    command,
    dryRun,
    steps: plan.steps.map((s) => ({ action: s.action, object: s.object, changes: s.changes ?? [], operations: operations.get(s) ?? s.ops.length })),
    done: result ? { operations: result.operations, skipped: result.skipped } : null,
    warnings: result?.warnings ?? plan.warnings ?? [],
  };
}

/** Writes the `--json` document. */
export function writePlanJson(stdout: NodeJS.WritableStream, doc: PlanJson): void {
  stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
}

/** Adds `--json` and `--quiet` to a plan command. */
export function withPlanOutputOptions<C extends { option(flags: string, description: string): C }>(command: C): C {
  return command
    .option('--json', 'print one JSON document: the steps, what was done, the warnings (secrets never shown)')
    .option('--quiet', 'print nothing on success (warnings and errors still go to stderr)');
}
