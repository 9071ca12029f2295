/**
 * The test-only fault-injection hook of the batch engine: failing the k-th
 * mutating op, the separate undo counter, and the stall a crash test kills
 * a process in. Against a plain temp directory, like native-batch.test.ts.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { isNativeFailure, native } from '../../src/native/index.js';
import { systemCallError } from '../../src/errors.js';
import type { NativeFailure, NativeFaultConfig, NativeOp, NativeResult } from '../../src/native/index.js';
import { collect, exited, spawnAddonChild } from './native-child.js';

const E = os.constants.errno;

let root: string;

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'rtslib-faults-'));
});

afterEach(() => {
  native.setFaultInjection(null);
  fs.rmSync(root, { recursive: true, force: true });
});

const at = (...parts: string[]): string => path.join(root, ...parts);

function run(ops: NativeOp[], extra: { stopOnError?: boolean; concurrency?: number; undo?: boolean } = {}) {
  return native.executeBatch(ops, { root, ...extra });
}

function failure(r: NativeResult | undefined): NativeFailure {
  if (r === undefined || !isNativeFailure(r)) throw new Error(`expected a failure, got ${JSON.stringify(r)}`);
  return r;
}

const injected = (errno: number, syscall: string, p: string) => ({
  ok: false,
  errno: -errno,
  syscall,
  path: p,
  message: 'injected fault',
});

describe('setFaultInjection validation', () => {
  const set = (config: unknown) => () => (native.setFaultInjection as (c: unknown) => void)(config);

  it('rejects wrong types with TypeError', () => {
    expect(set('failAt')).toThrow(TypeError);
    expect(set(1)).toThrow(TypeError);
    expect(set([])).toThrow(TypeError);
    expect(set(() => 1)).toThrow(TypeError);
    expect(set({ failAt: '1' })).toThrow(TypeError);
    expect(set({ errno: true })).toThrow(TypeError);
    expect(set({ stallMs: null })).toThrow(TypeError);
    expect(set({ failat: 1 })).toThrow(/unknown option 'failat'/);
  });

  it('rejects values out of range with RangeError', () => {
    expect(set({ failAt: -1 })).toThrow(RangeError);
    expect(set({ failAt: 1.5 })).toThrow(RangeError);
    expect(set({ failUndoAt: Number.NaN })).toThrow(RangeError);
    expect(set({ stallAt: Number.POSITIVE_INFINITY })).toThrow(RangeError);
    expect(set({ failAt: 2 ** 53 })).toThrow(RangeError);
    expect(set({ errno: 0 })).toThrow(RangeError);
    expect(set({ errno: 4096 })).toThrow(RangeError);
    expect(set({ stallMs: -1 })).toThrow(RangeError);
  });

  it('applies nothing from a rejected config', async () => {
    native.setFaultInjection({ failAt: 2 });
    await run([{ op: 'mkdir', path: at('a') }]);
    expect(() => native.setFaultInjection({ failAt: 1, errno: 0 })).toThrow(RangeError);
    // Still the old config, counters not reset: the next mutating op is #2.
    const r = await run([{ op: 'mkdir', path: at('b') }]);
    expect(r[0]).toEqual(injected(E.EIO, 'mkdir', at('b')));
  });

  it('turns off with null or undefined', async () => {
    native.setFaultInjection({ failAt: 1 });
    native.setFaultInjection(null);
    expect((await run([{ op: 'mkdir', path: at('a') }]))[0]).toEqual({ ok: true });
    native.setFaultInjection({ failAt: 1 });
    (native.setFaultInjection as (c?: unknown) => void)(undefined);
    expect((await run([{ op: 'mkdir', path: at('b') }]))[0]).toEqual({ ok: true });
    native.setFaultInjection({ failAt: 1 });
    (native.setFaultInjection as () => void)();
    expect((await run([{ op: 'mkdir', path: at('c') }]))[0]).toEqual({ ok: true });
  });

  it('executeBatch checks options.undo', () => {
    const call = () => native.executeBatch([{ op: 'mkdir', path: at('a') }], { root, undo: 1 as unknown as boolean });
    expect(call).toThrow(TypeError);
    expect(call).toThrow(/options\.undo must be a boolean/);
  });
});

describe('fault injection in executeBatch', () => {
  it('fails the k-th mutating op without running it, and skips the rest', async () => {
    fs.writeFileSync(at('attr'), 'old');
    native.setFaultInjection({ failAt: 3, errno: E.EROFS });
    const r = await run([
      { op: 'mkdir', path: at('a') }, // 1
      { op: 'read', path: at('attr') }, // reads, lists, stats and readlinks are not counted
      { op: 'list', path: at('a') },
      { op: 'stat', path: at('a') },
      { op: 'symlink', path: at('a', 'l'), target: '../attr' }, // 2
      { op: 'readlink', path: at('a', 'l') },
      { op: 'write', path: at('attr'), value: 'new' }, // 3: injected
      { op: 'mkdir', path: at('c') },
    ]);
    expect(r.slice(0, 6).every((x) => x.ok)).toBe(true);
    expect(r[6]).toEqual(injected(E.EROFS, 'open', at('attr')));
    expect(r[7]).toEqual({ ok: false, skipped: true });
    expect(fs.readFileSync(at('attr'), 'utf8')).toBe('old');
    expect(fs.existsSync(at('a', 'l'))).toBe(true);
    expect(fs.existsSync(at('c'))).toBe(false);
    expect(native.faultInjectionCounts()).toEqual({ forward: 3, undo: 0 });

    const err = systemCallError('could not write', failure(r[6]));
    expect(err).toMatchObject({ code: 'EROFS', errno: -E.EROFS, syscall: 'open', path: at('attr') });
    expect(err?.message).toBe(`could not write: EROFS, open '${at('attr')}' (injected fault)`);
  });

  it('counts across batches; only the k-th op fails', async () => {
    native.setFaultInjection({ failAt: 2 });
    expect(await run([{ op: 'mkdir', path: at('a') }])).toEqual([{ ok: true }]);
    const r = await run(
      [
        { op: 'rmdir', path: at('a') },
        { op: 'mkdir', path: at('b') },
      ],
      { stopOnError: false },
    );
    expect(r).toEqual([injected(E.EIO, 'rmdir', at('a')), { ok: true }]);
    expect(fs.existsSync(at('a'))).toBe(true);
    expect(native.faultInjectionCounts()).toEqual({ forward: 3, undo: 0 });
  });

  it('reports each kind with its primary syscall', async () => {
    fs.mkdirSync(at('d'));
    fs.writeFileSync(at('f'), '');
    const cases: [NativeOp, string][] = [
      [{ op: 'mkdir', path: at('m') }, 'mkdir'],
      [{ op: 'rmdir', path: at('d') }, 'rmdir'],
      [{ op: 'symlink', path: at('l'), target: 'f' }, 'symlink'],
      [{ op: 'unlink', path: at('f') }, 'unlink'],
      [{ op: 'write', path: at('f'), value: 'x' }, 'open'],
    ];
    for (const [op, syscall] of cases) {
      native.setFaultInjection({ failAt: 1, errno: E.EPERM });
      expect(await run([op])).toEqual([injected(E.EPERM, syscall, op.path)]);
    }
    expect(fs.readdirSync(root).sort()).toEqual(['d', 'f']);
  });

  it('applies inside a group of independent ops', async () => {
    native.setFaultInjection({ failAt: 2 });
    const r = await run(
      [
        { op: 'mkdir', path: at('g1'), independent: true },
        { op: 'mkdir', path: at('g2'), independent: true },
        { op: 'mkdir', path: at('g3'), independent: true },
        { op: 'mkdir', path: at('after') },
      ],
      { concurrency: 1 },
    );
    expect(r).toEqual([{ ok: true }, injected(E.EIO, 'mkdir', at('g2')), { ok: false, skipped: true }, { ok: false, skipped: true }]);
  });

  it('counts undo batches separately (failUndoAt)', async () => {
    native.setFaultInjection({ failUndoAt: 2, errno: E.EBUSY });
    const forward = await run([
      { op: 'mkdir', path: at('a') },
      { op: 'mkdir', path: at('b') },
    ]);
    expect(forward).toEqual([{ ok: true }, { ok: true }]);
    const undo = await run(
      [
        { op: 'rmdir', path: at('b') },
        { op: 'list', path: root },
        { op: 'rmdir', path: at('a') },
      ],
      { undo: true },
    );
    expect(undo[0]).toEqual({ ok: true });
    expect(undo[2]).toEqual(injected(E.EBUSY, 'rmdir', at('a')));
    expect(fs.existsSync(at('a'))).toBe(true);
    expect(native.faultInjectionCounts()).toEqual({ forward: 2, undo: 2 });

    // failAt does not apply to undo batches.
    native.setFaultInjection({ failAt: 1 });
    expect(await run([{ op: 'rmdir', path: at('a') }], { undo: true })).toEqual([{ ok: true }]);
    expect(native.faultInjectionCounts()).toEqual({ forward: 0, undo: 1 });
  });

  it('resets the counts on every set, and counts nothing while off', async () => {
    native.setFaultInjection({});
    await run([
      { op: 'mkdir', path: at('a') },
      { op: 'rmdir', path: at('a') },
    ]);
    await run([{ op: 'mkdir', path: at('a') }], { undo: true });
    expect(native.faultInjectionCounts()).toEqual({ forward: 2, undo: 1 });
    native.setFaultInjection({});
    expect(native.faultInjectionCounts()).toEqual({ forward: 0, undo: 0 });

    native.setFaultInjection({ failAt: 1, failUndoAt: 1 });
    native.setFaultInjection(null);
    expect(await run([{ op: 'mkdir', path: at('b') }])).toEqual([{ ok: true }]);
    expect(await run([{ op: 'rmdir', path: at('b') }], { undo: true })).toEqual([{ ok: true }]);
    expect(native.faultInjectionCounts()).toEqual({ forward: 0, undo: 0 });
  });
});

// The stall line goes to the process's fd 2, so these run the batch in a child.
const STALL_CHILD = `
const native = require(process.env.RTSLIB_TEST_ADDON);
const [root, config] = [process.argv[1], JSON.parse(process.argv[2])];
native.setFaultInjection(config);
const ops = ['a', 'b', 'c'].map((n) => ({ op: 'mkdir', path: root + '/' + n }));
const start = Date.now();
native.executeBatch(ops, { root }).then((r) => {
  process.stdout.write(JSON.stringify({ r, ms: Date.now() - start }) + '\\n');
});
`;

function stallChild(config: NativeFaultConfig) {
  const child = spawnAddonChild(STALL_CHILD, [root, JSON.stringify(config)]);
  return { child, stdout: collect(child.stdout), stderr: collect(child.stderr) };
}

describe('stallAt', () => {
  it('writes one line to fd 2, sleeps stallMs, then performs the op', async () => {
    const { child, stdout, stderr } = stallChild({ stallAt: 2, stallMs: 300 });
    const status = await exited(child);
    expect(status).toEqual({ code: 0, signal: null });
    expect(stderr.text()).toBe(`rtslib-fault: stalled before operation 2 mkdir ${at('b')}\n`);
    const out = JSON.parse(stdout.text()) as { r: NativeResult[]; ms: number };
    expect(out.r).toEqual([{ ok: true }, { ok: true }, { ok: true }]);
    expect(out.ms).toBeGreaterThanOrEqual(300);
  });

  it('with stallUntil, the stall ends when the file appears', async () => {
    const release = path.join(os.tmpdir(), `rtslib-release-${process.pid}-${Date.now()}`);
    const { child, stdout, stderr } = stallChild({ stallAt: 2, stallUntil: release });
    try {
      await stderr.until(/\n/);
      await new Promise((r) => setTimeout(r, 300));
      expect(fs.existsSync(at('b'))).toBe(false);
      fs.writeFileSync(release, '');
      expect(await exited(child)).toEqual({ code: 0, signal: null });
      expect((JSON.parse(stdout.text()) as { r: NativeResult[] }).r).toEqual([{ ok: true }, { ok: true }, { ok: true }]);
    } finally {
      child.kill('SIGKILL');
      fs.rmSync(release, { force: true });
    }
    expect(() => native.setFaultInjection({ stallAt: 1, stallUntil: 'relative' })).toThrow(TypeError);
  });

  it('stalls until killed by default: a crash between two ops', async () => {
    const { child, stdout, stderr } = stallChild({ stallAt: 2 });
    try {
      await stderr.until(/\n/);
      expect(stderr.text()).toBe(`rtslib-fault: stalled before operation 2 mkdir ${at('b')}\n`);
      expect(fs.existsSync(at('a'))).toBe(true);
      expect(fs.existsSync(at('b'))).toBe(false);
    } finally {
      child.kill('SIGKILL');
    }
    expect(await exited(child)).toEqual({ code: null, signal: 'SIGKILL' });
    expect(stdout.text()).toBe('');
    expect(fs.readdirSync(root)).toEqual(['a']);
  });
});
