/**
 * Executing operations phase by phase ({@link PHASE}) through the batch
 * engine: each phase's conditional writes are read first (one crossing) and
 * dropped where the file already holds the value, then the phase runs in
 * chunks, independent operations in parallel. Consecutive removal phases
 * run as one group instead: each removal waits only for the removals it
 * needs (what is inside the object and what refers to it), so the kernel's
 * slow LUN and storage-object removals of different objects overlap.
 *
 * Forward runs stop at the first failure and report it with what was done,
 * so the caller can undo; undo runs go on past failures and report all of
 * them. Any refusal by the engine (a path or value it rejects before any
 * system call) is a failure of that chunk's first operation, never an
 * exception that would leave earlier phases in place without an undo.
 */
import type { CfsOp, Configfs, FailedStep } from './configfs.js';
import { failedStep } from './configfs.js';
import { holdsSetting } from './settings.js';
import type { NativeResult } from '../native/index.js';

/** A configfs operation with the phase it runs in. */
export type PhasedOp = CfsOp & {
  /** Phases run in increasing order; within one, in list order. */
  phase: number;
  /** A write dropped when the file already holds the value (compared as settings, see settings.ts). */
  whenDiffers?: boolean;
  /** With `whenDiffers`: also dropped when the file does not exist. */
  optional?: boolean;
  /**
   * With `whenDiffers`: a file whose value stands for this one's, compared
   * instead of reading this file. The planner sets it on the settings of an
   * object this run creates, naming the same setting of another new object
   * that the kernel starts with the same values (see plan-creation.ts);
   * when that file is not read in the same phase, this one is.
   */
  likeAs?: string;
  /**
   * With `whenDiffers`, on a setting of an object this run creates: the
   * same setting of later new objects that the kernel starts with the same
   * value and that are to hold the same value as this one (the planner
   * gives them no operation of their own, see config/plan-creation.ts).
   * Each is written right after this one when this one is written, and
   * dropped with it when it is dropped.
   */
  alike?: AlikeSettings;
  /**
   * Paths of operations of the same run that must finish before this one
   * (each names one operation). Consecutive phases whose operations all
   * carry it (removals, see removal.ts) run as one group: every operation
   * starts as soon as those it waits for are done, so the removals of many
   * LUNs overlap instead of each phase waiting for the slowest of all.
   */
  waitsFor?: readonly string[];
  /** What the operation is part of, for error messages (`create LUN 0 of TPG 1 of iscsi iqn.…`). */
  step?: string;
  /**
   * A setting a lenient run may do without (`storage_objects[2].attributes.foo`):
   * when the file does not exist, or the kernel refuses the write, a forward
   * run skips it, reports it in {@link PhasedRunResult.tolerated} and goes on.
   */
  tolerate?: string;
};

/**
 * The objects whose settings follow one object's ({@link PhasedOp.alike}):
 * one record is shared by all the settings of one group of that object, and
 * grows as the planner adds objects to it.
 */
export interface AlikeSettings {
  /** The directory of the object whose operations carry the record. */
  readonly dir: string;
  /** Each following object: its directory (its setting's path is this directory and the rest of the carrier's path), and the step its write is part of. */
  readonly members: { readonly dir: string; readonly step: string }[];
}

/** The number of writes an operation stands for: itself and the same setting of each object that follows it ({@link PhasedOp.alike}). */
export function writesOf(op: PhasedOp): number {
  return op.alike === undefined ? 1 : 1 + op.alike.members.length;
}

/** The writes of the objects that follow `op` ({@link PhasedOp.alike}), in member order. */
function alikeWrites(op: Extract<PhasedOp, { op: 'write' }>, alike: AlikeSettings): PhasedOp[] {
  const rest = op.path.slice(alike.dir.length);
  return alike.members.map((m) => ({ op: 'write', path: `${m.dir}${rest}`, value: op.value, phase: op.phase, step: m.step, ...(op.secret ? { secret: true } : {}) }));
}

/** Options of {@link runPhased}. */
export interface PhasedRunOptions {
  /** `forward` stops at the first failure; `undo` runs everything and reports every failure. */
  mode: 'forward' | 'undo';
  /** Called as operations complete, with the number done and the total. */
  onProgress?: (done: number, total: number) => void;
  /**
   * Called when a `mkdir` of an HBA directory fails with EEXIST in a forward
   * run (another writer that does not lock took the index): returns the
   * directory to use instead, or null to fail. The remaining operations are
   * rewritten to the new directory and the run goes on.
   */
  renameHba?: (path: string) => Promise<string | null>;
  /** Whether a path is an HBA directory this run creates. */
  isNewHba?: (path: string) => boolean;
  /**
   * Forward runs: called for each chunk before it goes to the engine, and
   * started for the next chunk as soon as one has gone, so that it runs
   * while the kernel works (a write run reads the undo image of what the
   * chunk changes here). The chunk waits for it; a rejection stops the run
   * ({@link PhasedRunResult.stoppedBy}). Called again for a chunk whose
   * operations changed, so it must be cheap for operations it has seen.
   */
  prepareChunk?: (chunk: readonly PhasedOp[]) => Promise<void>;
}

/** One failed operation. */
export interface PhasedFailure {
  /** The operation as planned. */
  op: PhasedOp;
  /** What the kernel (or the engine) reported. */
  cause: FailedStep;
}

/** What {@link runPhased} did. */
export interface PhasedRunResult {
  /** Operations performed. */
  operations: number;
  /** Conditional writes dropped because the file already held the value. */
  skipped: number;
  /** Operations that succeeded, in execution order. */
  done: PhasedOp[];
  /** Forward: the failure that stopped the run (at most one); undo: every failure. */
  failures: PhasedFailure[];
  /** Forward: the operations marked `tolerate` that were skipped, with why (the file is absent, or the kernel refused the write). */
  tolerated: PhasedFailure[];
  /** Forward: the rejection of {@link PhasedRunOptions.prepareChunk} that stopped the run before its chunk went to the engine. */
  stoppedBy?: Error;
}

/** Largest number of operations sent in one crossing (bounds memory and gives progress). */
const CHUNK = 2000;

/**
 * The first chunk of a run that prepares its chunks ({@link PhasedRunOptions.prepareChunk}):
 * nothing overlaps the first chunk's preparation, so it is small, and each
 * chunk after it twice the one before (up to {@link CHUNK}), so that each
 * preparation is about as long as the chunk it overlaps.
 */
const FIRST_PREPARED_CHUNK = 250;

/**
 * The chunk for the engine: each operation as planned ({@link Configfs.run}
 * passes only the fields the engine reads), one that waits for others of the
 * chunk ({@link PhasedOp.waitsFor}) with their indexes as `after`; those in
 * earlier chunks have finished.
 */
function engineChunk(chunk: readonly PhasedOp[]): CfsOp[] {
  let index: Map<string, number> | null = null;
  return chunk.map((op, i) => {
    if (op.waitsFor === undefined || op.waitsFor.length === 0) return op;
    index ??= new Map(chunk.map((o, j) => [o.path, j]));
    const after: number[] = [];
    for (const p of op.waitsFor) {
      const j = index.get(p);
      if (j !== undefined && j < i) after.push(j);
    }
    return after.length ? { ...op, after } : op;
  });
}

/** Each phase's operations, in list order (a plan has tens of thousands of operations in a score of phases). */
export function opsByPhase(ops: readonly PhasedOp[]): Map<number, PhasedOp[]> {
  const byPhase = new Map<number, PhasedOp[]>();
  for (const op of ops) {
    let list = byPhase.get(op.phase);
    if (!list) byPhase.set(op.phase, (list = []));
    list.push(op);
  }
  return byPhase;
}

/** The operations by phase, each phase's in list order: a stable sort by phase without comparing every operation. */
export function inPhaseOrder(ops: readonly PhasedOp[]): PhasedOp[] {
  const byPhase = opsByPhase(ops);
  const out: PhasedOp[] = [];
  for (const phase of [...byPhase.keys()].sort((a, b) => a - b)) for (const op of byPhase.get(phase) as PhasedOp[]) out.push(op);
  return out;
}

/**
 * The phases in run order, as groups run one after another: consecutive
 * phases whose operations all say what they wait for form one group, every
 * other phase is a group of its own.
 */
function phaseGroups(ops: readonly PhasedOp[]): number[][] {
  const phases = [...new Set(ops.map((op) => op.phase))].sort((a, b) => a - b);
  const chained = new Set(phases);
  for (const op of ops) if (op.waitsFor === undefined) chained.delete(op.phase);
  const groups: number[][] = [];
  for (const phase of phases) {
    const last = groups[groups.length - 1];
    if (last && chained.has(phase) && chained.has(last[0] as number)) last.push(phase);
    else groups.push([phase]);
  }
  return groups;
}

/**
 * The operations of a chained group (its `phases`' lists of `byPhase`) in an order the engine can run them in
 * (each after what it waits for), one object's chain after another: a
 * depth-first walk from the last phase's operations, so that a chunk holds
 * whole chains (a LUN's mapped LUNs, its link and directory, its storage
 * object and HBA) and its barrier costs little.
 */
function chainOrder(phases: readonly number[], byPhase: ReadonlyMap<number, readonly PhasedOp[]>): PhasedOp[] {
  const lists = [...phases].sort((a, b) => b - a).map((phase) => byPhase.get(phase) ?? []);
  const byPath = new Map<string, PhasedOp>();
  for (const list of lists) for (const op of list) byPath.set(op.path, op);
  const out: PhasedOp[] = [];
  const seen = new Set<PhasedOp>();
  const visit = (op: PhasedOp): void => {
    if (seen.has(op)) return;
    seen.add(op);
    for (const path of op.waitsFor ?? []) {
      const first = byPath.get(path);
      if (!first) continue;
      if (first.phase >= op.phase) throw new Error(`internal: ${op.op} ${op.path} waits for ${first.op} ${first.path} of a phase not before its own`);
      visit(first);
    }
    out.push(op);
  };
  // from the last phase back, each phase's operations in list order
  for (const list of lists) for (const op of list) visit(op);
  return out;
}

/** The failure of a whole chunk that the engine refused to start (it throws before any system call). */
function refusal(op: PhasedOp, error: unknown): FailedStep {
  const message = error instanceof Error ? error.message : String(error);
  return { errno: -22, code: 'EINVAL', syscall: 'validate', path: op.path, step: 0, op: op.op, detail: `refused by the engine: ${message}` };
}

/**
 * Moves `from` (a directory) to `to` at the start of every path and link
 * target, in each of `lists`: an operation that changes is replaced by a
 * changed copy (the same copy in every list), the caller's objects are left
 * as they were.
 */
function rewritePrefix(lists: PhasedOp[][], from: string, to: string): void {
  const under = (p: string): boolean => p === from || p.startsWith(`${from}/`);
  const move = (p: string): string => (under(p) ? `${to}${p.slice(from.length)}` : p);
  const moved = new Map<PhasedOp, PhasedOp>();
  // a record of following objects is shared by many operations: moved once, still shared
  const movedAlike = new Map<AlikeSettings, AlikeSettings>();
  /** The record with its directories moved (the same record when none moves). */
  const moveAlike = (alike: AlikeSettings): AlikeSettings => {
    let copy = movedAlike.get(alike);
    if (!copy) {
      copy =
        under(alike.dir) || alike.members.some((m) => under(m.dir)) ? { dir: move(alike.dir), members: alike.members.map((m) => ({ dir: move(m.dir), step: m.step })) } : alike;
      movedAlike.set(alike, copy);
    }
    return copy;
  };
  const movedOp = (op: PhasedOp): PhasedOp => {
    const alikeMoves = op.alike !== undefined && moveAlike(op.alike) !== op.alike;
    if (!under(op.path) && !(op.op === 'symlink' && under(op.target)) && !(op.likeAs !== undefined && under(op.likeAs)) && !alikeMoves) return op;
    let copy = moved.get(op);
    if (copy) return copy;
    copy = { ...op, path: move(op.path) };
    if (copy.op === 'symlink') copy.target = move(copy.target);
    if (copy.likeAs !== undefined) copy.likeAs = move(copy.likeAs);
    if (copy.alike !== undefined) copy.alike = moveAlike(copy.alike);
    moved.set(op, copy);
    return copy;
  };
  for (const list of lists) for (let i = 0; i < list.length; i++) list[i] = movedOp(list[i] as PhasedOp);
}

/** Executes `ops` phase by phase; see the module comment. Never throws for a failed operation. */
export async function runPhased(cfs: Configfs, input: readonly PhasedOp[], options: PhasedRunOptions): Promise<PhasedRunResult> {
  // the list is the run's own (an HBA index taken by another writer rewrites it); the operations stay the caller's
  const ops = [...input];
  const undo = options.mode === 'undo';
  let total = 0;
  for (const op of ops) total += writesOf(op);
  const prepare = undo ? undefined : options.prepareChunk;
  const result: PhasedRunResult = { operations: 0, skipped: 0, done: [], failures: [], tolerated: [] };
  let progressed = 0;
  options.onProgress?.(0, total);
  // each phase's operations in list order, gathered once
  const byPhase = opsByPhase(ops);
  for (const group of phaseGroups(ops)) {
    let items = group.length === 1 ? [...(byPhase.get(group[0] as number) ?? [])] : chainOrder(group, byPhase);
    const conditional = items.filter((op) => op.whenDiffers && op.op === 'write');
    if (conditional.length) {
      // each file read once: the op's own, or the one that stands for it when that is read anyway
      const own = new Set(conditional.filter((op) => !op.likeAs).map((op) => op.path));
      const readPath = (op: PhasedOp): string => (op.likeAs && own.has(op.likeAs) ? op.likeAs : op.path);
      const from = conditional.map(readPath);
      const paths = [...new Set(from)];
      let reads: NativeResult[];
      try {
        reads = await cfs.run(
          paths.map((path) => ({ op: 'read', path, independent: true })),
          { stopOnError: false, undo },
        );
      } catch {
        reads = paths.map(() => ({ ok: false, skipped: true }));
      }
      const readOf = new Map(paths.map((path, i) => [path, reads[i] as NativeResult]));
      const drop = new Set<PhasedOp>();
      // the same setting of many new objects read from one that stands for them: compared once per value
      const heldFrom = new Map<string, Map<string, boolean>>();
      conditional.forEach((op, i) => {
        const read = from[i] as string;
        const r = readOf.get(read) as NativeResult;
        // a file that does not exist: dropped when optional, else the write stays and fails naming it
        if (!r.ok) {
          if ('errno' in r && r.errno === -2 && (op.optional || (op.tolerate && !undo))) {
            drop.add(op);
            if (op.tolerate && !op.optional) result.tolerated.push({ op, cause: failedStep({ op: 'read', path: op.path }, i, r) as FailedStep });
          }
          return;
        }
        const value = (op as Extract<PhasedOp, { op: 'write' }>).value;
        const shownText = (): string => (Buffer.isBuffer(r.value) ? r.value.toString('utf8') : String(r.value ?? ''));
        let held: boolean | undefined;
        if (read === op.path) held = holdsSetting(op.path, shownText(), value);
        else {
          // a stand-in is the same setting (file and group) of another object: what holds for one holds for the other
          let byValue = heldFrom.get(read);
          if (!byValue) heldFrom.set(read, (byValue = new Map()));
          held = byValue.get(value);
          if (held === undefined) byValue.set(value, (held = holdsSetting(op.path, shownText(), value)));
        }
        if (held) drop.add(op);
      });
      // the objects that follow a setting (PhasedOp.alike) go with it: dropped, or written right after it
      let dropped = 0;
      const kept: PhasedOp[] = [];
      for (const op of items) {
        if (drop.has(op)) dropped += writesOf(op);
        else {
          kept.push(op);
          if (op.alike !== undefined && op.whenDiffers && op.op === 'write') for (const w of alikeWrites(op, op.alike)) kept.push(w);
        }
      }
      result.skipped += dropped;
      progressed += dropped;
      items = kept;
    }
    let start = 0;
    /** The chunk at `start`, already sent to the engine. */
    let sent: Promise<NativeResult[]> | null = null;
    /** The preparation of the chunk at `start`, started while the one before it ran. */
    let preparing: Promise<void> | null = null;
    /** Whether the chunk at `start` was sent as prepared, unchanged (its preparation finished before it went). */
    let sentPrepared = false;
    /** The size of the chunk at `start`. */
    let size = prepare ? FIRST_PREPARED_CHUNK : CHUNK;
    const nextSize = (): number => Math.min(CHUNK, size * 2);
    while (start < items.length) {
      const chunk = items.slice(start, start + size);
      if (prepare) {
        if (!sentPrepared) {
          try {
            await preparing;
            // again for the chunk as it is now (an HBA moved, a tolerated failure): cheap for what was prepared
            await prepare(chunk);
          } catch (error) {
            result.stoppedBy = error instanceof Error ? error : new Error(String(error));
            return result;
          }
        }
        sentPrepared = false;
        const next = items.slice(start + chunk.length, start + chunk.length + nextSize());
        preparing = next.length ? prepare(next) : null;
        preparing?.catch(() => undefined);
      }
      let results: NativeResult[];
      try {
        results = await (sent ?? cfs.run(engineChunk(chunk), { stopOnError: !undo, undo }));
      } catch (error) {
        result.failures.push({ op: chunk[0] as PhasedOp, cause: refusal(chunk[0] as PhasedOp, error) });
        if (!undo) return result;
        start += chunk.length;
        continue;
      } finally {
        sent = null;
      }
      // The next chunk goes to the kernel before this one's results are gone through, so the kernel
      // does not wait on this thread: when every operation succeeded (or in an undo, which goes on
      // regardless), nothing below changes what runs next. The chunks still run one after another.
      // A prepared chunk goes once its preparation (which ran while this chunk did) has finished;
      // when that failed, it does not go, and the next turn stops the run.
      const following = start + chunk.length;
      if (following < items.length && (undo || results.every((r) => r.ok))) {
        let ready = true;
        if (prepare) {
          try {
            await preparing;
            sentPrepared = true;
          } catch {
            ready = false;
          }
        }
        if (ready) {
          sent = cfs.run(engineChunk(items.slice(following, following + nextSize())), { stopOnError: !undo, undo });
          // awaited on the next turn; a progress callback that throws before then must not leave it unhandled
          sent.catch(() => undefined);
        }
      }
      let stoppedAt = -1;
      // operations the engine did not reach because a tolerated failure stopped the chunk
      const unreached: PhasedOp[] = [];
      let toleratedStop = false;
      for (let i = 0; i < results.length; i++) {
        const r = results[i] as NativeResult;
        const op = chunk[i] as PhasedOp;
        if (r.ok) {
          result.done.push(op);
          result.operations++;
          continue;
        }
        const cause = failedStep(op, i, r);
        if (!cause) {
          unreached.push(op);
          continue;
        }
        if (!undo && op.tolerate !== undefined && stoppedAt < 0) {
          result.tolerated.push({ op, cause });
          toleratedStop = true;
          continue;
        }
        if (!undo && stoppedAt < 0) stoppedAt = i;
        if (undo || stoppedAt === i) result.failures.push({ op, cause });
      }
      if (stoppedAt < 0 && toleratedStop && unreached.length) {
        // a setting the run may do without failed: run what the engine did not reach
        progressed += chunk.length - unreached.length;
        items.splice(start, chunk.length, ...unreached);
        continue;
      }
      if (stoppedAt >= 0) {
        const failed = chunk[stoppedAt] as PhasedOp;
        // another writer took an HBA index this run planned: move to a free one and go on
        if (failed.op === 'mkdir' && result.failures[0]?.cause.code === 'EEXIST' && options.renameHba && options.isNewHba?.(failed.path)) {
          const from = failed.path;
          const to = await options.renameHba(from);
          if (to !== null) {
            result.failures.pop();
            rewritePrefix([ops, items, ...byPhase.values()], from, to);
            // what the chunk did before the failure stays done; the rest runs again with the new name
            progressed += stoppedAt;
            start += stoppedAt;
            continue;
          }
        }
        return result;
      }
      progressed += chunk.length;
      start += chunk.length;
      size = nextSize();
      options.onProgress?.(Math.min(progressed, total), total);
    }
  }
  options.onProgress?.(total, total);
  return result;
}
