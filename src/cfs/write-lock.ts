/**
 * One writer at a time, across processes and with targetcli: an advisory
 * `flock` on `/var/run/targetcli.lock`, the file targetcli itself locks
 * around every command (and an interactive targetcli shell for its whole
 * session). Writers take it exclusive, readers that must not see a
 * half-applied run (save) take it shared.
 *
 * Within one process, holds are re-entrant along the async call chain
 * (AsyncLocalStorage): a write run holds the lock and the model calls it
 * makes do not wait for it again. Independent callers in the same process
 * are served one after the other. Waiting polls with a non-blocking flock,
 * so it can time out; while it waits, `onWait` is told once who holds the
 * lock (pid and command, from /proc/locks).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { readFile, stat } from 'node:fs/promises';
import { native } from '../native/index.js';
import { RTSLibError, systemCallError } from '../errors.js';

/** The lock file targetcli uses. */
export const TARGETCLI_LOCK_FILE = '/var/run/targetcli.lock';

/** How a hold shares the lock. */
export type LockMode = 'exclusive' | 'shared';

/** Who holds a lock, from /proc/locks. */
export interface LockHolder {
  /** Process id. */
  pid: number;
  /** Its command line (arguments joined with spaces), or `?` when unreadable. */
  command: string;
  /** How it holds the lock. */
  mode: LockMode;
}

/** How to take the lock. */
export interface LockOptions {
  /** The lock file; null: no cross-process lock (holds are still serialised in this process). */
  file: string | null;
  /** How long to wait for it, in ms (0: do not wait). */
  timeoutMs: number;
  /** Told once, after a short wait, who holds the lock. */
  onWait?: (message: string, holder: LockHolder | null) => void;
}

/** The lock could not be taken in time. */
export class RTSLibLockTimeoutError extends RTSLibError {
  /** Who held it when we gave up, when known. */
  readonly holder: LockHolder | null;
  constructor(file: string, timeoutMs: number, holder: LockHolder | null) {
    super(`${file} is locked${holder ? ` by ${describeHolder(holder)}` : ''}; gave up after ${Math.round(timeoutMs / 1000)} s (set a longer lock timeout, or end that process)`, {
      code: 'ERR_RTSLIB_LOCKED',
    });
    this.holder = holder;
  }
}

/** `pid 1234 (targetcli)` */
function describeHolder(holder: LockHolder): string {
  return `pid ${holder.pid} (${holder.command})`;
}

/** A hold of the current call chain. */
interface Hold {
  mode: LockMode;
  /** Identifies the outermost hold (what was read under it is still true while it lasts). */
  token: object;
}

/** Holds of the current async call chain, by lock key. */
const holds = new AsyncLocalStorage<ReadonlyMap<string, Hold>>();
/** Per lock key, the tail of the queue of holds in this process. */
const queues = new Map<string, Promise<void>>();

const keyOf = (file: string | null): string => file ?? '';

/** How the current async call chain holds the lock of `file`, if it does. */
export function heldMode(file: string | null): LockMode | null {
  return holds.getStore()?.get(keyOf(file))?.mode ?? null;
}

/** The token of the outermost hold of `file` by the current call chain, or null. */
export function holdToken(file: string | null): object | null {
  return holds.getStore()?.get(keyOf(file))?.token ?? null;
}

/** Delay between polls while waiting, and before the holder is named. */
const POLL_MS = 50;
const NOTICE_AFTER_MS = 1000;

/**
 * Runs `fn` holding the lock in `mode` (re-entrant within the call chain).
 * `onAcquired` runs first inside an outermost hold (crash recovery).
 */
export async function withLock<T>(mode: LockMode, options: LockOptions, fn: () => Promise<T>, onAcquired?: (mode: LockMode) => Promise<void>): Promise<T> {
  const key = keyOf(options.file);
  const current = heldMode(options.file);
  if (current) {
    if (current === 'shared' && mode === 'exclusive') {
      throw new RTSLibError('cannot write while holding the configfs lock shared (a write inside a read-only section)', { code: 'ERR_RTSLIB_LOCKED' });
    }
    return fn();
  }
  // in-process queue: one outermost hold at a time
  const previous = queues.get(key) ?? Promise.resolve();
  let release!: () => void;
  const mine = new Promise<void>((resolve) => {
    release = resolve;
  });
  const tail = previous.then(() => mine);
  queues.set(key, tail);
  await previous;
  try {
    const lock = options.file === null ? null : await acquire(options.file, mode, options);
    try {
      const store = new Map(holds.getStore() ?? []);
      store.set(key, { mode, token: {} });
      return await holds.run(store, async () => {
        if (onAcquired) await onAcquired(mode);
        return fn();
      });
    } finally {
      lock?.release();
    }
  } finally {
    release();
    if (queues.get(key) === tail) queues.delete(key);
  }
}

/** Polls a non-blocking flock until it is ours or the timeout passes. */
async function acquire(file: string, mode: LockMode, options: LockOptions): Promise<{ release(): void }> {
  const started = Date.now();
  let noticed = false;
  for (;;) {
    let lock;
    try {
      lock = native.tryLockFile(file, mode === 'exclusive');
    } catch (error) {
      throw systemCallError(`cannot lock ${file}`, error) ?? error;
    }
    if (lock) return lock;
    const waited = Date.now() - started;
    if (waited >= options.timeoutMs) throw new RTSLibLockTimeoutError(file, options.timeoutMs, await lockHolder(file));
    if (!noticed && waited >= Math.min(NOTICE_AFTER_MS, options.timeoutMs) && options.onWait) {
      noticed = true;
      const holder = await lockHolder(file);
      options.onWait(`waiting for ${file}${holder ? `, held by ${describeHolder(holder)}` : ''}`, holder);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** Who holds a flock on `file`, from /proc/locks (null when nobody or unknown). */
export async function lockHolder(file: string): Promise<LockHolder | null> {
  let st;
  let locks: string;
  try {
    st = await stat(file, { bigint: true });
    locks = await readFile('/proc/locks', 'utf8');
  } catch {
    return null;
  }
  const dev = st.dev;
  const major = Number(((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn));
  const minor = Number((dev & 0xffn) | ((dev >> 12n) & ~0xffn));
  for (const line of locks.split('\n')) {
    // `12: FLOCK  ADVISORY  WRITE 4242 00:1a:123 0 EOF` (waiters are marked `->` and skipped)
    const m = /^\d+:\s+FLOCK\s+\S+\s+(READ|WRITE)\s+(\d+)\s+([0-9a-f]+):([0-9a-f]+):(\d+)\s/.exec(line);
    if (!m || parseInt(m[3] as string, 16) !== major || parseInt(m[4] as string, 16) !== minor || BigInt(m[5] as string) !== st.ino) continue;
    const pid = Number(m[2]);
    const command = await readFile(`/proc/${pid}/cmdline`, 'utf8').then(
      (t) => t.split('\0').filter(Boolean).join(' ') || '?',
      () => '?',
    );
    return { pid, command, mode: m[1] === 'WRITE' ? 'exclusive' : 'shared' };
  }
  return null;
}
