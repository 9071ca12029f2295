/**
 * Executing plans: the state a plan is made from (and kept as the undo
 * image's basis when it is still true), and the write run that executes a
 * plan all or nothing.
 */
import type { RTSRoot } from '../model/rts-root.js';
import type { Snapshot } from '../cfs/snapshot.js';
import { CLEAR_PLAN_VALUES, CONFIG_EXCLUDES, STRUCTURE_EXCLUDES } from '../cfs/tree.js';
import { runWrite } from '../cfs/write-run.js';
import type { PhasedOp } from '../cfs/phased-ops.js';
import { recreateStorageObject } from '../model/recreation.js';
import { FabricModule } from '../model/fabric-module.js';
import { dumpSnapshot } from '../model/dump.js';
import type { Plan } from './plan.js';
import { stepName } from './plan-builder.js';
import type { ConfigIssue } from './config-error.js';
import type { SaveConfig } from '../model/saveconfig-format.js';
import type { PlannerDumpOptions } from '../model/saved-forms.js';

/** What {@link executePlan} did. */
export interface ExecuteResult {
  /** Operations performed. */
  operations: number;
  /** Conditional writes skipped because the file already held the value. */
  skipped: number;
  /**
   * What a lenient plan skipped: the plan's own warnings, then the settings
   * the run skipped because the kernel lacks the file or refused the value.
   * Each names the config entry's JSON path. Empty for a strict plan.
   */
  warnings: ConfigIssue[];
}

/** Options of {@link executePlan}. */
export interface ExecuteOptions {
  /** Called as operations complete, with the number done and the total. */
  onProgress?: (done: number, total: number) => void;
  /** What the run is, for its journal (`restore`, `apply`, `clear`; default `apply`). */
  command?: string;
}

/** A snapshot a plan was made from inside an exclusive hold, and what made it still true. */
interface Basis {
  snap: Snapshot;
  token: object;
  writes: number;
}

/** Plans made inside an exclusive hold from a full snapshot: {@link executePlan} reuses it for the undo image. */
const bases = new WeakMap<Plan, Basis>();

/** What {@link readState} reads for. */
export interface StateRead {
  /** Only the structure is needed, no settings (a clear, a restore). */
  structureOnly?: boolean;
  /** Dump the snapshot (default true); false leaves `current` empty: a plan that removes everything needs none. */
  dump?: boolean;
  /** The plan may remove objects (default true): made inside a write run, the read is the run's undo image, so the whole tree. */
  removes?: boolean;
  /** It removes everything: a listing with the few values such a plan needs (CLEAR_PLAN_VALUES) is read, inside a write run too. */
  removesAll?: boolean;
}

/**
 * The planner's dump (with secrets): without storage objects' settings and
 * ACLs' mapped LUNs, which the planner looks up in the snapshot
 * (current-settings.ts). @internal
 */
export const PLANNER_DUMP: PlannerDumpOptions = { secrets: true, withoutStorageObjectSettings: true, withoutMappedLuns: true };

/**
 * The snapshot and its dump (with secrets) the planner works from; the
 * dump ({@link PLANNER_DUMP}) leaves out storage objects' attributes and
 * ALUA groups and ACLs' mapped LUNs, which the planner compares straight
 * from the snapshot (current-settings.ts). A plan
 * that may remove objects, made inside a write run (the lock held
 * exclusive), reads the whole tree, values included, since the run's undo
 * image needs it anyway; but one that removes everything reads a listing
 * (`removesAll`), since its run reads the image as it goes, while its
 * removals wait on the kernel (cfs/write-run.ts). Otherwise `structureOnly` leaves the settings out,
 * and a read for a diff leaves out what a config has no key for
 * (CONFIG_EXCLUDES); a run that only writes values reads those values for
 * its undo image itself.
 */
export async function readState(root: RTSRoot, read: StateRead = {}): Promise<{ snap: Snapshot; current: SaveConfig; basis: Basis | null }> {
  // a plan that removes everything reads no values, inside a write run too: its run reads its undo image as it goes, overlapping its removals (write-run.ts)
  const token = read.removes === false || read.removesAll ? null : root.cfs.holdToken;
  const writes = root.cfs.writeCount;
  const snap = await root.cfs.snapshot(
    '',
    read.removesAll
      ? { excludeNames: STRUCTURE_EXCLUDES, values: false, valuesOf: CLEAR_PLAN_VALUES, files: false }
      : token
        ? {}
        : { excludeNames: read.structureOnly ? STRUCTURE_EXCLUDES : CONFIG_EXCLUDES },
  );
  const current = read.dump === false ? { storage_objects: [], targets: [], fabric_modules: [] } : dumpSnapshot(snap, PLANNER_DUMP);
  return { snap, current, basis: token ? { snap, token, writes } : null };
}

/** Records the snapshot a plan was made from (when it can serve as the undo image's basis). */
export function withBasis(plan: Plan, basis: Basis | null): Plan {
  if (basis) bases.set(plan, basis);
  return plan;
}

/**
 * Executes a plan as one write run, all or nothing against the tree as it
 * was (cfs/write-run.ts): holding the lock exclusive, with a journal for
 * crash recovery, phase by phase in the kernel's order (independent
 * removals in parallel, conditional writes skipped where the file already
 * holds the value). When any operation fails, everything the run did is
 * undone, removals and changed values included, and
 * {@link RTSLibOperationError} names the step's object, the file and the
 * errno. Fabric modules the plan needs are loaded first (not undone).
 */
export async function executePlan(root: RTSRoot, plan: Plan, options: ExecuteOptions = {}): Promise<ExecuteResult> {
  const ops: PhasedOp[] = [];
  for (const step of plan.steps) {
    // one name per step, shared by its operations (they name it in an error); the planner's carry it already
    const name = stepName(step);
    for (const o of step.ops) ops.push(o.step === name ? o : { ...o, step: name });
  }
  return root.cfs.exclusive(async () => {
    for (const step of plan.steps) if (step.loadFabric) await new FabricModule(root, step.loadFabric).load();
    const basis = bases.get(plan);
    const fresh = basis && basis.token === root.cfs.holdToken && basis.writes === root.cfs.writeCount;
    const result = await runWrite(root.cfs, ops, {
      command: options.command ?? 'apply',
      recreateStorageObject,
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(fresh ? { basis: basis.snap } : {}),
    });
    const skippedSettings = result.tolerated.map(({ op, cause }) => ({
      path: op.tolerate ?? '$',
      message: `${cause.code === 'ENOENT' ? 'the kernel has no such setting here' : `the kernel refused it (${cause.code})`}: skipped`,
    }));
    return { operations: result.operations, skipped: result.skipped, warnings: [...(plan.warnings ?? []), ...skippedSettings] };
  });
}
