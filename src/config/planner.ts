/**
 * The one planner behind restore, clear, apply and diff: from a snapshot of
 * the kernel and a desired config it produces the ordered configfs
 * operations, in the kernel's write order (anchors §2: storage objects with
 * their control, udev_path, enable and unit serial, then attributes and ALUA
 * groups, then targets, TPGs, LUNs, portals, ACLs and mapped LUNs, TPG
 * enable last; removals in the reverse order). The concerns live beside it:
 * plan-scope.ts (what a plan addresses), plan-removals.ts (removals, from
 * the one removal planner), plan-creation.ts (creation and changes, through
 * the model's creation ops) and plan-execution.ts (the write run).
 */
import type { RTSRoot } from '../model/rts-root.js';
import type { Snapshot } from '../cfs/snapshot.js';
import { RTSLibError } from '../errors.js';
import { PlanBuilder } from './plan-builder.js';
import { planCreation, planDiscoveryAuth } from './plan-creation.js';
import { leniencyFor } from './plan-leniency.js';
import { readState, withBasis } from './plan-execution.js';
import { planRemovals, pruneRoots, releasedDevices, removedHbaDirs } from './plan-removals.js';
import { clearRoots, isWhole, scope, scopeNames, soKey, storageObjectDirs, targetKey, type Scope } from './plan-scope.js';
import type { SaveConfig } from '../model/saveconfig-format.js';
import type { Plan } from './plan.js';

export { executePlan, type ExecuteOptions, type ExecuteResult } from './plan-execution.js';

/** Options of {@link planRestore}. */
export interface RestoreOptions extends Scope {
  /** Remove what exists first (default true, as targetctl); false refuses objects that already exist. */
  clearExisting?: boolean;
  /**
   * A boot restore: what this kernel cannot apply (an attribute or parameter
   * it lacks or refuses, a storage object whose device cannot be used, with
   * the LUNs and mapped LUNs that need it, a fabric it has no module for) is
   * skipped and reported in the plan's and the result's `warnings`, each
   * naming the entry's JSON path; everything else is applied. Default false:
   * any such problem refuses the whole restore before anything is written.
   */
  lenient?: boolean;
}

/** Options of {@link planClear}. */
export type ClearOptions = Scope;

/** Options of {@link planApply}. */
export interface ApplyOptions {
  /** Also remove objects the config does not have (default false). */
  prune?: boolean;
  /** Skip what this kernel cannot apply, with warnings (see {@link RestoreOptions.lenient}). */
  lenient?: boolean;
}

/**
 * Plans removing everything (targets first, then storage objects and their
 * HBAs, empty HBAs included, and discovery authentication reset as
 * rtslib-fb's `clear_existing` does), or one target, or storage objects
 * with the LUNs (and mapped LUNs) that export them. Planned from the tree as the
 * kernel has it, so half-made objects a killed run left go too.
 * @example
 * await executePlan(root, await planClear(root), { command: 'clear' });
 */
export async function planClear(root: RTSRoot, options: ClearOptions = {}): Promise<Plan> {
  // clearing everything is planned from the tree alone: no dump
  const { snap, current, basis } = await readState(root, { structureOnly: true, dump: !isWhole(options), removesAll: isWhole(options) });
  return withBasis(clearPlanOf(snap, current, options), basis);
}

/** {@link planClear} of a snapshot and its dump (with secrets). @internal */
export function clearPlanOf(snap: Snapshot, current: SaveConfig, options: ClearOptions = {}): Plan {
  if (!isWhole(options)) scope(current, options, 'the kernel');
  const b = new PlanBuilder(snap);
  planRemovals(b, snap, clearRoots(snap, options));
  // a whole clear also resets discovery authentication, as rtslib-fb's clear_existing does
  if (isWhole(options)) planDiscoveryAuth(b, snap);
  return { steps: b.steps };
}

/**
 * Plans a restore of `config` as targetctl does it: by default what exists
 * (in the restored scope) is removed first; with `clearExisting: false`,
 * storage objects or targets that already exist are refused. `target` /
 * `storageObject` restore just that part of the file.
 * @example
 * const plan = await planRestore(root, await readConfigFile('/etc/target/saveconfig.json'));
 * await executePlan(root, plan, { command: 'restore' });
 */
export async function planRestore(root: RTSRoot, config: SaveConfig, options: RestoreOptions = {}): Promise<Plan> {
  const { snap, current, basis } = await readState(root, { structureOnly: true });
  return withBasis(await restorePlanOf(snap, current, config, options), basis);
}

/** {@link planRestore} over a snapshot and its dump (with secrets). @internal */
export async function restorePlanOf(snap: Snapshot, current: SaveConfig, config: SaveConfig, options: RestoreOptions = {}): Promise<Plan> {
  const scoped = scope(config, options, 'the config');
  const clearing = options.clearExisting ?? true;
  const removal = new PlanBuilder(snap);
  let released = new Set<string>();
  let removed = new Set<string>();
  if (clearing) {
    removed = planRemovals(removal, snap, clearRoots(snap, options));
    released = releasedDevices(current, snap, removed);
  }
  // A restored target's LUNs use the storage objects the kernel keeps; only those it lacks are created.
  const dirs = storageObjectDirs(snap);
  const named = new Set(scopeNames(options));
  const desired: SaveConfig = isWhole(options)
    ? scoped
    : {
        ...scoped,
        storage_objects: (scoped.storage_objects ?? []).filter((so) => {
          const where = dirs.get(soKey(so));
          return named.has(so.name) || !where || removed.has(where.path);
        }),
      };
  if (!clearing) {
    const soNames = new Set((current.storage_objects ?? []).map(soKey));
    for (const so of desired.storage_objects ?? []) {
      if (soNames.has(soKey(so)))
        throw new RTSLibError(`storage object ${so.plugin}/${so.name} exists: not restoring (restore without --no-clear replaces it)`, { code: 'EEXIST' });
    }
    const targets = new Set((current.targets ?? []).map(targetKey));
    for (const t of desired.targets ?? []) {
      if (targets.has(targetKey(t))) throw new RTSLibError(`target ${t.fabric} ${t.wwn} exists: not restoring (restore without --no-clear replaces it)`, { code: 'EEXIST' });
    }
  }
  const b = new PlanBuilder(snap, removedHbaDirs(removed));
  b.steps.push(...removal.steps);
  // What is restored is created anew: it was removed above, or (no-clear) it did not exist.
  const removedSos = new Set([...dirs].filter(([, where]) => removed.has(where.path)).map(([key]) => key));
  const emptyCurrent: SaveConfig = { storage_objects: [], targets: [], fabric_modules: current.fabric_modules ?? [] };
  const lenient = options.lenient ? leniencyFor(config) : undefined;
  const skippedSos = await planCreation(b, snap, desired, emptyCurrent, {
    released,
    exists: { so: () => false, target: () => false },
    removed,
    whole: clearing && isWhole(options),
    ...(lenient ? { lenient } : {}),
  });
  // LUNs of restored targets may only name storage objects that exist after the plan.
  const kept = new Set([...dirs.keys()].filter((k) => !removedSos.has(k)));
  for (const so of desired.storage_objects ?? []) kept.add(soKey(so));
  for (const t of desired.targets ?? [])
    for (const g of t.tpgs ?? [])
      for (const l of g.luns ?? []) {
        if (!kept.has(l.storage_object) && !skippedSos.has(l.storage_object))
          throw new RTSLibError(`target ${t.wwn} TPG ${g.tag} LUN ${l.index}: storage object ${l.storage_object} does not exist and is not restored`, { code: 'ENOENT' });
      }
  return { steps: b.steps, ...(lenient ? { warnings: lenient.warnings } : {}) };
}

/**
 * Plans reconciling the kernel with `config`: creates what is missing,
 * changes attributes, parameters and settings that differ, and with `prune`
 * removes what the config does not have. An unchanged config gives an empty
 * plan (zero writes). Settings fixed at creation (a storage object's device
 * or size, the storage object a LUN exports) cannot be changed in place and
 * are refused with a clear error before anything is written.
 * @example
 * const plan = await planApply(root, config, { prune: true });
 * console.log(formatPlan(plan).join('\n'));
 */
export async function planApply(root: RTSRoot, config: SaveConfig, options: ApplyOptions = {}): Promise<Plan> {
  // without prune an apply removes nothing: inside a write run too, only what a config holds is read
  const { snap, current, basis } = await readState(root, { removes: options.prune === true });
  return withBasis(await applyPlanOf(snap, current, config, options), basis);
}

/** {@link planApply} over a snapshot and its dump (with secrets). @internal */
export async function applyPlanOf(snap: Snapshot, current: SaveConfig, config: SaveConfig, options: ApplyOptions = {}): Promise<Plan> {
  const b = new PlanBuilder(snap);
  const removed = options.prune ? planRemovals(b, snap, pruneRoots(snap, config)) : new Set<string>();
  const curSoKeys = new Set((current.storage_objects ?? []).map(soKey));
  const curTargetKeys = new Set((current.targets ?? []).map(targetKey));
  const creation = new PlanBuilder(snap, removedHbaDirs(removed));
  const lenient = options.lenient ? leniencyFor(config) : undefined;
  await planCreation(creation, snap, config, current, {
    released: new Set(),
    exists: { so: (k) => curSoKeys.has(k), target: (k) => curTargetKeys.has(k) },
    removed,
    ...(lenient ? { lenient } : {}),
  });
  // a LUN of a kept target may name a storage object that exists only in the kernel
  return { steps: [...b.steps, ...creation.steps], ...(lenient ? { warnings: lenient.warnings } : {}) };
}
