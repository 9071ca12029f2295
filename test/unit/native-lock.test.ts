/**
 * tryLockFile: the non-blocking flock rtslib takes on /var/run/targetcli.lock,
 * as targetcli does. Against a lock file in a temp directory; the holders on
 * the other side are this process, a node child and flock(1) from util-linux.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { native } from '../../src/native/index.js';
import { systemCallError } from '../../src/errors.js';
import type { NativeFileLock } from '../../src/native/index.js';
import { addonPath, collect, exited, spawnAddonChild } from './native-child.js';

const E = os.constants.errno;
const hasFlock = spawnSync('flock', ['--version'], { stdio: 'ignore' }).status === 0;

let root: string;
let file: string;
const held: NativeFileLock[] = [];

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'rtslib-lock-'));
  file = path.join(root, 'targetcli.lock');
});

afterEach(() => {
  for (const lock of held.splice(0)) lock.release();
  fs.rmSync(root, { recursive: true, force: true });
});

/** tryLockFile, remembering what it took so afterEach releases it. */
function lock(exclusive: boolean, p = file): NativeFileLock | null {
  const l = native.tryLockFile(p, exclusive);
  if (l) held.push(l);
  return l;
}

/** major/minor of a Linux dev_t, as glibc's major()/minor() decode it. */
function devNumbers(dev: bigint): { major: number; minor: number } {
  return {
    major: Number(((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn)),
    minor: Number((dev & 0xffn) | ((dev >> 12n) & ~0xffn)),
  };
}

/** The /proc/locks line of a flock on `l`'s file held by `pid`, or undefined. */
function procLocksLine(l: { major: number; minor: number; inode: number }, pid: number): string | undefined {
  const hex = (n: number) => n.toString(16).padStart(2, '0');
  const id = `${hex(l.major)}:${hex(l.minor)}:${l.inode}`;
  return fs
    .readFileSync('/proc/locks', 'utf8')
    .split('\n')
    .find((line) => {
      const f = line.trim().split(/\s+/);
      return f[1] === 'FLOCK' && f[4] === String(pid) && f[5] === id;
    });
}

function fileId(p: string) {
  const st = fs.statSync(p, { bigint: true });
  return { ...devNumbers(st.dev), inode: Number(st.ino) };
}

async function waitFor(cond: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('tryLockFile validation (TypeError, before any syscall)', () => {
  const call =
    (...args: unknown[]) =>
    () =>
      (native.tryLockFile as (...a: unknown[]) => unknown)(...args);

  it('rejects a bad path or flag', () => {
    expect(call(1, true)).toThrow(TypeError);
    expect(call(undefined, true)).toThrow(TypeError);
    expect(call('', true)).toThrow(TypeError);
    expect(call('relative.lock', true)).toThrow(/path must be absolute/);
    expect(call(`${root}/a\0b`, true)).toThrow(/NUL/);
    expect(call(file)).toThrow(TypeError);
    expect(call(file, 1)).toThrow(/exclusive must be a boolean/);
    expect(fs.readdirSync(root)).toEqual([]);
    expect(fs.existsSync('relative.lock')).toBe(false);
  });

  it('is not constructible from JavaScript', () => {
    const l = lock(true);
    const ctor = Object.getPrototypeOf(l).constructor as new () => unknown;
    expect(() => new ctor()).toThrow(TypeError);
  });
});

describe('tryLockFile failures', () => {
  it('throws a Node-shaped error for a failing open', () => {
    const missing = path.join(root, 'missing', 'x.lock');
    let err: unknown;
    try {
      native.tryLockFile(missing, true);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(Error);
    expect(err).toMatchObject({ errno: -E.ENOENT, syscall: 'open', path: missing });
    expect(systemCallError('cannot lock', err)).toMatchObject({
      code: 'ENOENT',
      message: `cannot lock: ENOENT, open '${missing}'`,
    });
    expect(() => native.tryLockFile(root, false)).toThrow(expect.objectContaining({ errno: -E.EISDIR, syscall: 'open' }));
  });
});

describe('tryLockFile in one process', () => {
  it('exclusive excludes exclusive and shared (two opens conflict)', () => {
    const a = lock(true);
    expect(a).not.toBeNull();
    expect(a?.held).toBe(true);
    expect(lock(true)).toBeNull();
    expect(lock(false)).toBeNull();
  });

  it('shared locks coexist and exclude an exclusive one', () => {
    const s1 = lock(false);
    const s2 = lock(false);
    expect(s1).not.toBeNull();
    expect(s2).not.toBeNull();
    expect(lock(true)).toBeNull();
    s1?.release();
    expect(lock(true)).toBeNull();
    s2?.release();
    expect(lock(true)).not.toBeNull();
  });

  it('release frees it, is idempotent and clears held', () => {
    const a = lock(true);
    a?.release();
    expect(a?.held).toBe(false);
    a?.release();
    expect(a?.held).toBe(false);
    const b = lock(true);
    expect(b?.held).toBe(true);
  });

  it('creates the file 0644 (less the umask) and never truncates it', () => {
    lock(true)?.release();
    const umask = process.umask();
    expect(fs.statSync(file).mode & 0o7777).toBe(0o644 & ~umask);
    fs.writeFileSync(file, 'someone else\n');
    lock(false);
    expect(fs.readFileSync(file, 'utf8')).toBe('someone else\n');
  });

  it('names its file as /proc/locks does (major, minor, inode)', () => {
    const w = lock(true);
    if (!w) throw new Error('no lock');
    const id = fileId(file);
    expect({ major: w.major, minor: w.minor, inode: w.inode }).toEqual(id);
    expect(procLocksLine(w, process.pid)).toMatch(/FLOCK\s+ADVISORY\s+WRITE/);
    w.release();
    expect(procLocksLine(w, process.pid)).toBeUndefined();
    const r = lock(false);
    if (!r) throw new Error('no lock');
    expect(procLocksLine(r, process.pid)).toMatch(/FLOCK\s+ADVISORY\s+READ/);
  });

  it('is not inherited by a child process (O_CLOEXEC)', async () => {
    const a = lock(true);
    const child = spawn('sleep', ['10'], { stdio: 'ignore' });
    try {
      await new Promise((r) => child.once('spawn', r));
      a?.release();
      // Had the child inherited the descriptor, it would still hold the lock.
      expect(lock(true)).not.toBeNull();
    } finally {
      child.kill('SIGKILL');
    }
    await exited(child);
  });
});

describe('tryLockFile against other processes', () => {
  it('returns null while a node child holds it, and locks once the child is killed', async () => {
    const script = `
      const l = require(process.env.RTSLIB_TEST_ADDON).tryLockFile(process.argv[1], true);
      process.stdout.write(l ? 'locked\\n' : 'busy\\n');
      setInterval(() => {}, 60_000);
    `;
    const child = spawnAddonChild(script, [file]);
    const out = collect(child.stdout);
    try {
      await out.until(/\n/);
      expect(out.text()).toBe('locked\n');
      expect(lock(true)).toBeNull();
      expect(lock(false)).toBeNull();
      expect(procLocksLine(fileId(file), child.pid ?? -1)).toMatch(/WRITE/);
    } finally {
      child.kill('SIGKILL');
    }
    expect(await exited(child)).toEqual({ code: null, signal: 'SIGKILL' });
    expect(lock(true)).not.toBeNull();
  });

  it('the finalizer of a lock never released frees it', async () => {
    const script = `
      const native = require(process.env.RTSLIB_TEST_ADDON);
      const file = process.argv[1];
      (() => { native.tryLockFile(file, true); })();  // dropped, never released
      const stillHeld = native.tryLockFile(file, true) === null;
      let tries = 0;
      const poll = () => {
        globalThis.gc();
        const l = native.tryLockFile(file, true);
        if (l) { l.release(); process.stdout.write(JSON.stringify({ stillHeld, freed: true }) + '\\n'); return; }
        if (++tries > 200) { process.stdout.write(JSON.stringify({ stillHeld, freed: false }) + '\\n'); return; }
        setTimeout(poll, 5);
      };
      poll();
    `;
    const child = spawn(process.execPath, ['--expose-gc', '-e', script, file], {
      env: { ...process.env, RTSLIB_TEST_ADDON: addonPath() },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const out = collect(child.stdout);
    expect(await exited(child)).toEqual({ code: 0, signal: null });
    expect(JSON.parse(out.text())).toEqual({ stillHeld: true, freed: true });
  });

  it.skipIf(!hasFlock)('returns null while flock(1) holds it, and locks once flock is killed', async () => {
    fs.writeFileSync(file, '');
    const id = fileId(file);
    // Its own process group, so the kill reaches flock and its command; -o: the
    // command does not hold the lock's descriptor, flock itself does.
    const child = spawn('flock', ['-x', '-o', file, 'sleep', '10'], { detached: true, stdio: 'ignore' });
    const pid = child.pid ?? -1;
    try {
      await waitFor(() => procLocksLine(id, pid) !== undefined, 'flock(1) to take the lock');
      expect(lock(true)).toBeNull();
      expect(lock(false)).toBeNull();
    } finally {
      process.kill(-pid, 'SIGKILL');
    }
    expect(await exited(child)).toEqual({ code: null, signal: 'SIGKILL' });
    expect(lock(true)).not.toBeNull();
  });

  it.skipIf(!hasFlock)('excludes flock(1) as targetcli would be excluded', () => {
    const flockNb = (mode: '-x' | '-s') => spawnSync('flock', ['-n', mode, file, 'true']).status;
    const w = lock(true);
    expect(flockNb('-x')).toBe(1);
    expect(flockNb('-s')).toBe(1);
    w?.release();
    lock(false);
    expect(flockNb('-s')).toBe(0);
    expect(flockNb('-x')).toBe(1);
    for (const l of held.splice(0)) l.release();
    expect(flockNb('-x')).toBe(0);
  });
});
