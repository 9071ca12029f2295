/**
 * Building plans: a {@link PlanBuilder} collects the steps of one plan and
 * hands out HBA indexes; `op`, `setNew` and `setExisting` add phased
 * operations (and the human-readable changes) to a step.
 */
import type { CfsOp } from '../cfs/configfs.js';
import type { AlikeSettings } from '../cfs/phased-ops.js';
import type { Snapshot } from '../cfs/snapshot.js';
import { PHASE } from '../cfs/phases.js';
import { CORE_DIR, hbaPath, parseHbaDirName, type KernelPlugin } from '../cfs/tree.js';
import type { PlanAction, PlanOp, PlanStep } from './plan.js';

/** The kernel's order (cfs/phases.ts), for short. */
export const P = PHASE;
/** Whether a current and a desired setting are the same value (as text, surrounding blanks aside). */
export const same = (a: unknown, b: unknown): boolean => a === b || String(a ?? '').trim() === String(b ?? '').trim();

/**
 * A group's settings sorted by name, as plans list them (none when the group is absent). A config read from
 * a file has them sorted already (a dump writes them so): then no sort runs,
 * which an unchanged re-apply would otherwise pay per storage object.
 */
export function sortedSettings<V>(values: Record<string, V> | undefined): [name: string, value: V][] {
  if (!values) return [];
  const entries = Object.entries(values);
  for (let k = 1; k < entries.length; k++) {
    if ((entries[k - 1] as [string, V])[0] > (entries[k] as [string, V])[0]) return entries.sort(byName);
  }
  return entries;
}

/**
 * The settings of `over` with those of `base` that `over` does not name,
 * sorted by name: what `{ ...base, ...over }` sorted would hold, without
 * copying the (tens of) settings of `over` into a new object per storage
 * object (a copy that costs a plan of thousands of them most of its time in
 * a fresh or emulated process).
 */
export function settingsOver<V>(over: Record<string, V> | undefined, base: Record<string, V> | undefined): [name: string, value: V][] {
  const entries = sortedSettings(over);
  if (!base) return entries;
  let added = false;
  for (const name of Object.keys(base)) {
    if (over && Object.prototype.hasOwnProperty.call(over, name)) continue;
    entries.push([name, base[name] as V]);
    added = true;
  }
  return added ? entries.sort(byName) : entries;
}

/** Orders [name, value] pairs by name. */
const byName = (x: readonly [string, unknown], y: readonly [string, unknown]): number => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0);
/** A value as a plan shows it (secrets never). */
export const show = (value: unknown, secret: boolean): string => (secret ? '(secret)' : JSON.stringify(value));

/** The first new storage object of a class (initial-settings.ts), and what later ones of the class may follow. */
export interface FirstOfClass {
  /** Its directory. */
  readonly dir: string;
  /**
   * Per group of its settings (`attrib`, its default ALUA group): what the
   * group asks for (each setting's name and value, in order), the lines a
   * plan shows for them, and the record its conditional writes carry
   * (`PhasedOp.alike`), which a later object asking for the same joins.
   */
  readonly groups: Map<string, { readonly wanted: readonly (readonly [name: string, value: unknown])[]; readonly changes: readonly string[]; readonly alike: AlikeSettings }>;
}

/** Builds the steps of one plan. */
export class PlanBuilder {
  /** The steps, in the order added. */
  readonly steps: PlanStep[] = [];
  /** HBA indexes in use after the plan's removals, per kernel plugin. */
  private readonly usedHbas = new Map<KernelPlugin, Set<number>>();

  constructor(snap: Snapshot, removedHbas: ReadonlySet<string> = new Set()) {
    for (const hba of snap.childDirs(CORE_DIR)) {
      const parsed = parseHbaDirName(hba);
      if (!parsed || removedHbas.has(hbaPath(parsed.plugin, parsed.index))) continue;
      let set = this.usedHbas.get(parsed.plugin);
      if (!set) this.usedHbas.set(parsed.plugin, (set = new Set()));
      set.add(parsed.index);
    }
  }

  /** Adds a step. */
  step(action: PlanAction, object: string): PlanStep {
    const s: PlanStep = { action, object, ops: [] };
    this.steps.push(s);
    return s;
  }

  /** The first new storage object of each class (initial-settings.ts), by class. */
  private readonly firstOfClass = new Map<string, FirstOfClass>();

  /**
   * The first new storage object of `cls` this plan creates, whose settings
   * stand for those of the later ones; `dir` itself when it is the first.
   */
  firstNewOfClass(cls: string, dir: string): FirstOfClass {
    let first = this.firstOfClass.get(cls);
    if (!first) this.firstOfClass.set(cls, (first = { dir, groups: new Map() }));
    return first;
  }

  /** Lowest free HBA index of a plugin (not used, not taken by this plan). */
  allocateHba(plugin: KernelPlugin): number {
    let set = this.usedHbas.get(plugin);
    if (!set) this.usedHbas.set(plugin, (set = new Set()));
    // indexes are only taken, never given back, so the search goes on from the last one found
    let i = this.nextHba.get(plugin) ?? 0;
    while (set.has(i)) i++;
    set.add(i);
    this.nextHba.set(plugin, i + 1);
    return i;
  }

  /** Where {@link allocateHba}'s search for a free index starts, per plugin. */
  private readonly nextHba = new Map<KernelPlugin, number>();
}

/** Each step's name, made once: what its operations carry as `PhasedOp.step`. */
const stepNames = new WeakMap<PlanStep, string>();

/** The name a step's operations carry (`<action> <object>`, what an error names): {@link executePlan} copies no operation that already has it. */
export function stepName(step: PlanStep): string {
  let name = stepNames.get(step);
  if (name === undefined) {
    name = `${step.action} ${step.object}`;
    stepNames.set(step, name);
  }
  return name;
}

/**
 * Adds an operation to a step, in a phase. The step takes `o` over (it is
 * given its phase in place, which saves a copy per operation on plans of
 * tens of thousands): pass a fresh object.
 */
export function op(step: PlanStep, phase: number, o: CfsOp, whenDiffers = false): void {
  const planned = o as PlanOp;
  planned.phase = phase;
  planned.step = stepName(step);
  if (whenDiffers) planned.whenDiffers = true;
  step.ops.push(planned);
}

/** A setting of a new object: a conditional write (skipped at execution when the default already matches). */
export function setNew(step: PlanStep, phase: number, path: string, name: string, value: unknown, secret = false, optional = false): void {
  const planned: PlanOp = { op: 'write', path, value: String(value), phase, whenDiffers: true, step: stepName(step) };
  if (secret) planned.secret = true;
  if (optional) planned.optional = true;
  step.ops.push(planned);
  (step.changes ??= []).push(`${name} = ${show(value, secret)}`);
}

/** A setting of an existing object whose current value is known: written only when it differs. */
export function setExisting(step: PlanStep, phase: number, path: string, name: string, current: unknown, desired: unknown, secret = false): void {
  if (same(current, desired)) return;
  op(step, phase, {
    op: 'write',
    path,
    value: String(desired),
    ...(current === undefined || current === null ? {} : { previous: String(current) }),
    ...(secret ? { secret: true } : {}),
  });
  (step.changes ??= []).push(`${name}: ${show(current ?? '', secret)} -> ${show(desired, secret)}`);
}
