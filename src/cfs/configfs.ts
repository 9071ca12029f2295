/**
 * The library's one door to the kernel: runs batches of configfs operations
 * through the native engine (one crossing per batch) and takes snapshots.
 * Paths given to it are relative to the target root; it joins them.
 */
import { native, type NativeDirEntry, type NativeOp, type NativeResult, type NativeTree } from '../native/index.js';
import { packOps } from '../native/packed-ops.js';
import { RTSLibError, RTSLibNotInCFSError, operationCause, toLibraryError, type OperationCause } from '../errors.js';
import { DEFAULT_TARGET_ROOT, STATISTICS_DIRS, kernelPlaces } from './tree.js';
import { Snapshot } from './snapshot.js';
import { attributeText } from './values.js';
import { TARGETCLI_LOCK_FILE, heldMode, holdToken, withLock, type LockMode } from './write-lock.js';
import { checkConfigfsMount } from './mount.js';

/** What every {@link CfsOp} has. */
export interface CfsOpBase {
  /** Relative to the target root. */
  path: string;
  /** Consecutive independent operations form a group that runs concurrently. */
  independent?: boolean;
  /**
   * Indexes (in the same batch, lower than this operation's) of operations
   * that must finish before this one starts: chains inside a group of
   * independent operations, without a barrier between their steps.
   */
  after?: readonly number[];
}

/** One configfs operation, with a path relative to the target root. */
export type CfsOp = CfsOpBase &
  (
    | { op: 'mkdir'; mode?: number }
    | { op: 'rmdir' }
    | { op: 'write'; value: string; secret?: boolean; previous?: string }
    | { op: 'symlink'; target: string }
    | { op: 'unlink' }
    | { op: 'read' }
    | { op: 'readlink' }
    | { op: 'list' }
    | { op: 'stat' }
  );

/** Options of {@link Configfs.run}. */
export interface RunOptions {
  /** Stop at the first failure (default true). */
  stopOnError?: boolean;
  /** Threads for runs of independent operations (default 8). */
  concurrency?: number;
  /** Per-operation timeout in ms (default: the Configfs's `timeoutMs`). */
  timeoutMs?: number;
  /** The batch undoes a failed run (counted apart by the engine's test-only fault hook). */
  undo?: boolean;
}

/** Options of a {@link Configfs}. */
export interface ConfigfsOptions {
  /** Default per-operation timeout in ms (0 = none). */
  timeoutMs?: number;
  /**
   * The lock file every write takes (exclusive) and saves take (shared):
   * default `/var/run/targetcli.lock`, the one targetcli takes (or
   * `RTSLIB_LOCK_FILE`); null takes no cross-process lock.
   */
  lockFile?: string | null;
  /** How long a write or save waits for the lock, in ms (default 120000; 0: fail at once when it is held). */
  lockTimeoutMs?: number;
  /**
   * Where write runs keep their journal for crash recovery: default
   * `/var/lib/rtslib` (or `RTSLIB_STATE_DIR`); null keeps none.
   */
  stateDir?: string | null;
  /**
   * The root is a plain directory standing in for configfs (tests only):
   * skips the check that the root is a configfs mount.
   */
  plainDirectory?: boolean;
  /** Told one line about what a user should know: waiting for the lock (and who holds it), an interrupted run that was recovered. */
  onNotice?: (message: string) => void;
  /** Runs first inside every outermost exclusive hold (the model uses it to recover an interrupted run). */
  onExclusiveHold?: (cfs: Configfs) => Promise<void>;
  /** Runs before an outermost shared hold is taken (to turn it into recovery first when needed). */
  beforeSharedHold?: (cfs: Configfs) => Promise<void>;
}

/** Default lock wait of a write, in ms. */
export const DEFAULT_LOCK_TIMEOUT_MS = 120_000;

/** Operations that change the tree. */
const MUTATING: ReadonlySet<CfsOp['op']> = new Set(['mkdir', 'rmdir', 'write', 'symlink', 'unlink']);

/** Whether an operation changes the tree (the others read it). */
export function changesTree(op: Pick<CfsOp, 'op'>): boolean {
  return MUTATING.has(op.op);
}

/** Options of {@link Configfs.apply}. */
export interface ApplyOptions extends RunOptions {
  /** What the batch does, for error messages ("create storage object rd_mcp_0/ram1"). */
  what: string;
}

/** Options of {@link Configfs.snapshot}. */
export interface SnapshotOptions {
  /** Names (directories or files) not to read, at any depth (default: the statistics directories). The ALUA `members` lists are never read. */
  excludeNames?: readonly string[];
  /** How deep to walk below the base (default: unlimited). */
  maxDepth?: number;
  /** Read the files' values (default true); false lists names, kinds and modes only (every text is then empty). */
  values?: boolean;
  /** Only these names directly in the base are read, with everything below them (default: all). */
  only?: readonly string[];
  /** With `values: false`, the files of these names are still read (at any depth). */
  valuesOf?: readonly string[];
  /** With `values: false`: false leaves out every file but those of `valuesOf` (a listing of the structure; default true). */
  files?: boolean;
}

/** A failed operation of a batch. */
export interface FailedStep extends OperationCause {
  /** Index of the operation in the batch. */
  step: number;
  /** The operation kind. */
  op: CfsOp['op'];
  /** Extra text from the engine (short write, timeout). */
  detail?: string;
}

/**
 * Raised when a batch ({@link Configfs.apply}) or a write run fails: names
 * the step, the file and the errno. What it did was undone unless
 * `undoFailures` or `notUndone` say otherwise.
 */
export class RTSLibOperationError extends RTSLibError {
  /** The first failing step. */
  readonly step: FailedStep;
  /** Failures while undoing (empty when the undo was clean). */
  readonly undoFailures: readonly FailedStep[];
  /** What still differs from the tree before the run after the undo (paths; empty when it is back as it was). */
  readonly notUndone: readonly string[];
  /**
   * @param note - replaces the sentence about the undo (a subclass that did not undo says why).
   */
  constructor(what: string, step: FailedStep, undoFailures: readonly FailedStep[], notUndone: readonly string[] = [], note?: string) {
    let undo = '';
    if (note !== undefined) {
      undo = `; ${note}`;
    } else if (notUndone.length) {
      undo = `; the undo left ${notUndone.length} difference(s) from the tree before (${notUndone.slice(0, 3).join(', ')}${notUndone.length > 3 ? ', …' : ''}): run \`rtslib recover\` to finish it`;
    } else if (undoFailures.length) {
      undo = `; undo also failed at ${undoFailures.length} step(s), first: ${undoFailures[0]?.code} ${undoFailures[0]?.syscall} '${undoFailures[0]?.path}'`;
    }
    super(`could not ${what}: ${step.code}, ${step.syscall} '${step.path}'${step.detail ? ` (${step.detail})` : ''}${undo}`, { operation: step });
    this.step = step;
    this.undoFailures = undoFailures;
    this.notUndone = notUndone;
  }
}

/**
 * Raised when an operation of a write run did not return within the
 * configured timeout (`timeoutMs`, the command's `--timeout`). A configfs
 * call that blocks in the kernel cannot be interrupted, so it may still
 * complete after the error: the run does not undo behind it (an undo would
 * race it, and queue behind it in the kernel). Its journal stays, and
 * `rtslib recover` (or the next write run, which recovers first) puts the
 * tree back to exactly what it was before the run, once the call has
 * returned. `code` is `ETIMEDOUT`.
 */
export class RTSLibTimeoutError extends RTSLibOperationError {
  /** The journal kept for recovery. */
  readonly journal: string;
  constructor(what: string, step: FailedStep, journal: string) {
    super(
      what,
      step,
      [],
      [],
      `the kernel may still complete that call, so nothing was undone: the journal ${journal} is kept, and \`rtslib recover\` (or the next write) puts the tree back as it was before once the call has returned`,
    );
    this.journal = journal;
  }
}

/** The failure of operation `index` of a batch from its result; null when it succeeded or was skipped. */
export function failedStep(op: CfsOp, index: number, result: NativeResult): FailedStep | null {
  if (result.ok) return null;
  if ('skipped' in result) return null;
  return { ...operationCause(result.errno, result.syscall, result.path), step: index, op: op.op, ...(result.message ? { detail: result.message } : {}) };
}

/**
 * The operation that reverses a successful one: rmdir for mkdir, unlink for
 * symlink, the previous value for a write that carries it; null otherwise.
 */
export function undoOf(op: CfsOp): CfsOp | null {
  if (op.op === 'mkdir') return { op: 'rmdir', path: op.path };
  if (op.op === 'symlink') return { op: 'unlink', path: op.path };
  if (op.op === 'write' && op.previous !== undefined) return { op: 'write', path: op.path, value: op.previous };
  return null;
}

/** Where journals are kept unless configured (or `RTSLIB_STATE_DIR`). */
export const DEFAULT_STATE_DIR = '/var/lib/rtslib';

/** Whether a batch result is a failure with ENOENT. */
function isMissing(result: NativeResult | undefined): boolean {
  return result !== undefined && !result.ok && 'errno' in result && result.errno === -2;
}

/** Access to one configfs target tree. */
export class Configfs {
  /** Absolute path of the target root, e.g. `/sys/kernel/config/target`. */
  readonly root: string;
  /** Default per-operation timeout in ms (0 = none). */
  readonly timeoutMs: number;
  /** The lock file writes take (null: none). */
  readonly lockFile: string | null;
  /** How long a write waits for the lock, in ms. */
  readonly lockTimeoutMs: number;
  /** Where write runs keep their journal (null: none). */
  readonly stateDir: string | null;
  /** Whether the root is a plain directory standing in for configfs (tests). */
  readonly plainDirectory: boolean;
  private readonly options: ConfigfsOptions;
  private mountChecked = false;
  private writes = 0;

  constructor(root: string = DEFAULT_TARGET_ROOT, options: ConfigfsOptions = {}) {
    this.root = root.replace(/\/+$/, '') || '/';
    this.timeoutMs = options.timeoutMs ?? 0;
    this.lockFile = options.lockFile === undefined ? process.env['RTSLIB_LOCK_FILE'] || TARGETCLI_LOCK_FILE : options.lockFile;
    this.lockTimeoutMs = options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
    this.stateDir = options.stateDir === undefined ? process.env['RTSLIB_STATE_DIR'] || DEFAULT_STATE_DIR : options.stateDir;
    this.plainDirectory = options.plainDirectory ?? false;
    this.options = options;
  }

  /** Tells the user something (waiting for the lock, a recovered run), when someone listens. */
  notice(message: string): void {
    this.options.onNotice?.(message);
  }

  /**
   * Runs `fn` as the only writer: holds the lock exclusive (re-entrant
   * along the call chain), after checking the root is on configfs and
   * recovering an interrupted run when this is the outermost hold.
   */
  exclusive<T>(fn: () => Promise<T>, options: { recover?: boolean } = {}): Promise<T> {
    return this.hold('exclusive', fn, options.recover ?? true);
  }

  /** Runs `fn` while no writer runs (the lock held shared), e.g. to save a consistent tree. */
  async shared<T>(fn: () => Promise<T>): Promise<T> {
    if (heldMode(this.lockFile) === null) await this.options.beforeSharedHold?.(this);
    return this.hold('shared', fn);
  }

  /** Whether the current call chain holds the lock exclusive. */
  get writing(): boolean {
    return heldMode(this.lockFile) === 'exclusive';
  }

  /** How many batches that change the tree this Configfs has run (a snapshot is current while it stays the same). */
  get writeCount(): number {
    return this.writes;
  }

  /** Identifies the current outermost exclusive hold (null outside one): a snapshot taken under it stays true while it lasts. */
  get holdToken(): object | null {
    return this.writing ? holdToken(this.lockFile) : null;
  }

  private hold<T>(mode: LockMode, fn: () => Promise<T>, recover = true): Promise<T> {
    return withLock(
      mode,
      {
        file: this.lockFile,
        timeoutMs: this.lockTimeoutMs,
        onWait: (message) => this.notice(message),
      },
      fn,
      async (acquired) => {
        if (acquired !== 'exclusive') return;
        await this.checkMount();
        if (recover) await this.options.onExclusiveHold?.(this);
      },
    );
  }

  /** Throws unless the root is a configfs mount (once; skipped for a plain directory). */
  async checkMount(): Promise<void> {
    if (this.plainDirectory || this.mountChecked) return;
    await checkConfigfsMount(this.root);
    this.mountChecked = true;
  }

  /** Absolute path of a root-relative path. */
  abs(path: string): string {
    return path === '' ? this.root : `${this.root}/${path}`;
  }

  /** The engine's form of an operation: absolute paths, and only the fields it reads (built field by field, once per operation of every batch). */
  private toNative(op: CfsOp): NativeOp {
    let out: NativeOp;
    switch (op.op) {
      case 'write':
        out = { op: 'write', path: this.abs(op.path), value: op.value };
        break;
      case 'symlink':
        out = { op: 'symlink', path: this.abs(op.path), target: this.abs(op.target) };
        break;
      case 'mkdir':
        out = op.mode === undefined ? { op: 'mkdir', path: this.abs(op.path) } : { op: 'mkdir', path: this.abs(op.path), mode: op.mode };
        break;
      default:
        out = { op: op.op, path: this.abs(op.path) };
    }
    if (op.independent) out.independent = true;
    if (op.after?.length) out.after = op.after;
    return out;
  }

  /**
   * Runs a batch in one native crossing and returns each operation's
   * result. A batch that changes the tree holds the lock exclusive (see
   * {@link exclusive}) unless the call chain already does.
   */
  async run(ops: readonly CfsOp[], options: RunOptions = {}): Promise<NativeResult[]> {
    if (ops.length === 0) return [];
    const mutating = ops.some(changesTree);
    if (!this.writing && mutating) return this.exclusive(() => this.run(ops, options));
    if (mutating) this.writes++;
    // packed: a few Node-API calls for the whole batch (the object form only for what cannot be packed, to name it)
    return native.executeBatch(packOps(ops, (path) => this.abs(path)) ?? ops.map((op) => this.toNative(op)), {
      root: this.root,
      stopOnError: options.stopOnError ?? true,
      concurrency: options.concurrency ?? 8,
      timeoutMs: options.timeoutMs ?? this.timeoutMs,
      ...(options.undo ? { undo: true } : {}),
    });
  }

  /**
   * Runs a batch all-or-nothing: stops at the first failure, then undoes what
   * the batch did (removes directories and links it created, restores values
   * given as `previous`), in reverse order, and throws
   * {@link RTSLibOperationError} naming the failing step.
   */
  async apply(ops: readonly CfsOp[], options: ApplyOptions): Promise<NativeResult[]> {
    const results = await this.run(ops, { ...options, stopOnError: true });
    let failure: FailedStep | null = null;
    for (let i = 0; i < results.length && !failure; i++) failure = failedStep(ops[i] as CfsOp, i, results[i] as NativeResult);
    if (!failure) return results;
    const undo: CfsOp[] = [];
    for (let i = ops.length - 1; i >= 0; i--) {
      const reverse = (results[i] as NativeResult).ok ? undoOf(ops[i] as CfsOp) : null;
      if (reverse) undo.push(reverse);
    }
    const undoResults = await this.run(undo, { stopOnError: false });
    const undoFailures = undoResults.map((r, i) => failedStep(undo[i] as CfsOp, i, r)).filter((f): f is FailedStep => f !== null);
    throw new RTSLibOperationError(options.what, failure, undoFailures);
  }

  /** Reads the subtree at `base` (root-relative, '' for all) in one crossing. */
  async snapshot(base = '', options: SnapshotOptions = {}): Promise<Snapshot> {
    return new Snapshot(this.root, base, await this.readTree(base, options));
  }

  /**
   * {@link snapshot}'s read without the index: the tree as the engine
   * returns it (a run's undo image keeps its parts so until it needs them,
   * see image-as-it-goes.ts).
   */
  async readTree(base = '', options: SnapshotOptions = {}): Promise<NativeTree> {
    try {
      // never the ALUA `members` lists (see UNREAD_NAMES: reading one can crash the kernel); each name only where the kernel puts it
      const skipped = kernelPlaces([...(options.excludeNames ?? STATISTICS_DIRS), 'members']);
      return await native.readTree(this.abs(base), {
        root: this.root,
        excludePaths: skipped.paths,
        ...(skipped.names.length ? { excludeNames: skipped.names } : {}),
        ...(options.maxDepth === undefined ? {} : { maxDepth: options.maxDepth }),
        ...(options.values === false ? { readValues: false } : {}),
        ...(options.only ? { only: [...options.only] } : {}),
        ...(options.valuesOf ? { valueNames: [...options.valuesOf] } : {}),
        ...(options.files === false ? { listFiles: false } : {}),
      });
    } catch (error) {
      throw toLibraryError(`could not read ${this.abs(base)}`, error);
    }
  }

  /**
   * Names (and kinds) of the entries of directory `path`, in one crossing and
   * without a stat per entry; null when the directory does not exist.
   */
  async list(path: string): Promise<NativeDirEntry[] | null> {
    const [result] = await this.run([{ op: 'list', path }], { stopOnError: false });
    if (result?.ok) return result.value as NativeDirEntry[];
    if (isMissing(result)) return null;
    throw toLibraryError(`could not list ${this.abs(path)}`, result);
  }

  /**
   * The one single-value read of the library: the text of the file at
   * `path` (root-relative) without its one trailing newline, in one
   * crossing. A file that does not exist is null with `missing: 'null'`,
   * else {@link RTSLibNotInCFSError} naming its path (errno ENOENT); any
   * other failure is an {@link RTSLibError} with the errno, syscall and
   * path, its message starting `could not read <what>`.
   */
  async readValue(path: string, options: { what: string; missing: 'null' | 'throw' }): Promise<string | null> {
    const [result] = await this.run([{ op: 'read', path }], { stopOnError: false });
    if (result?.ok) return attributeText(result.value as Buffer);
    if (isMissing(result)) {
      if (options.missing === 'null') return null;
      throw new RTSLibNotInCFSError(`${options.what} does not exist`, this.abs(path));
    }
    throw toLibraryError(`could not read ${options.what}`, result);
  }

  /** Whether the target root exists (configfs mounted and target_core_mod loaded). */
  async available(): Promise<boolean> {
    const [result] = await this.run([{ op: 'stat', path: '' }], { stopOnError: false });
    return result?.ok === true;
  }
}
