/**
 * Mechanics of the native engine (validation, ordering, stop-on-error,
 * errno shape, groups, timeouts, tree walk) against a plain temp directory.
 * This is not evidence about configfs: kernel behaviour is tested in the VM.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { isNativeFailure, native } from '../../src/native/index.js';
import { RTSLibError, systemCallError } from '../../src/errors.js';
import type { NativeFailure, NativeOp, NativeResult } from '../../src/native/index.js';
import type { NativePackedOps } from '../../src/native/binding.js';
import { packOps } from '../../src/native/packed-ops.js';

const E = os.constants.errno;

let root: string;

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'rtslib-native-'));
});

afterEach(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

const at = (...parts: string[]): string => path.join(root, ...parts);

function run(ops: NativeOp[], extra: { stopOnError?: boolean; concurrency?: number; timeoutMs?: number } = {}) {
  return native.executeBatch(ops, { root, ...extra });
}

function failure(r: NativeResult | undefined): NativeFailure {
  if (r === undefined || !isNativeFailure(r)) throw new Error(`expected a failure, got ${JSON.stringify(r)}`);
  return r;
}

describe('executeBatch input validation (synchronous, before any syscall)', () => {
  it('rejects wrong types with TypeError', () => {
    const call = (ops: unknown, options: unknown) => () => (native.executeBatch as (a: unknown, b: unknown) => unknown)(ops, options);
    expect(call([], { root })).toThrow(TypeError);
    expect(call('nope', { root })).toThrow(TypeError);
    expect(call([{ op: 'mkdir', path: at('a') }], undefined)).toThrow(TypeError);
    expect(call([{ op: 'mkdir', path: at('a') }], {})).toThrow(TypeError);
    expect(call([{ op: 'mkdir', path: at('a') }], { root: 'relative/root' })).toThrow(TypeError);
    expect(call([{ op: 'mkdir' }], { root })).toThrow(TypeError);
    expect(call([{ op: 'chmod', path: at('a') }], { root })).toThrow(/unknown operation 'chmod'/);
    expect(call([{ op: 'mkdir', path: 'a/b' }], { root })).toThrow(TypeError);
    expect(call([{ op: 'mkdir', path: at('a\0b') }], { root })).toThrow(TypeError);
    expect(call([{ op: 'write', path: at('f') }], { root })).toThrow(TypeError);
    expect(call([{ op: 'write', path: at('f'), value: 1 }], { root })).toThrow(TypeError);
    expect(call([{ op: 'write', path: at('f'), value: 'a\0b' }], { root })).toThrow(TypeError);
    expect(call([{ op: 'symlink', path: at('l') }], { root })).toThrow(TypeError);
    expect(call([{ op: 'mkdir', path: at('a'), mode: '755' }], { root })).toThrow(TypeError);
    expect(call([{ op: 'mkdir', path: at('a'), independent: 1 }], { root })).toThrow(TypeError);
    expect(call([null], { root })).toThrow(TypeError);
    expect(call([{ op: 'mkdir', path: at('a') }], { root, concurrency: 'x' })).toThrow(TypeError);
  });

  it('rejects paths and values out of range with RangeError', () => {
    const call =
      (ops: NativeOp[], extra: object = {}) =>
      () =>
        native.executeBatch(ops, { root, ...extra });
    expect(call([{ op: 'mkdir', path: `${root}/../escape` }])).toThrow(RangeError);
    expect(call([{ op: 'mkdir', path: `${root}/./a` }])).toThrow(RangeError);
    expect(call([{ op: 'read', path: `${root}/a/..` }])).toThrow(RangeError);
    expect(call([{ op: 'mkdir', path: '/etc/rtslib-test' }])).toThrow(RangeError);
    expect(call([{ op: 'mkdir', path: `${root}x` }])).toThrow(RangeError);
    expect(call([{ op: 'mkdir', path: root }])).toThrow(RangeError);
    expect(call([{ op: 'rmdir', path: `${root}/` }])).toThrow(RangeError);
    expect(call([{ op: 'write', path: at('f'), value: 'x'.repeat(4096) }])).toThrow(RangeError);
    // 2048 two-byte characters: 4096 bytes of UTF-8.
    expect(call([{ op: 'write', path: at('f'), value: 'é'.repeat(2048) }])).toThrow(RangeError);
    expect(call([{ op: 'mkdir', path: at('a'), mode: 0o10000 }])).toThrow(RangeError);
    expect(call([{ op: 'mkdir', path: at('a') }], { concurrency: 0 })).toThrow(RangeError);
    expect(call([{ op: 'mkdir', path: at('a') }], { concurrency: 65 })).toThrow(RangeError);
    expect(call([{ op: 'mkdir', path: at('a') }], { concurrency: 1.5 })).toThrow(RangeError);
    expect(call([{ op: 'mkdir', path: at('a') }], { timeoutMs: -1 })).toThrow(RangeError);
    // `after` names earlier operations only
    const two = (after: unknown): NativeOp[] => [{ op: 'mkdir', path: at('a') }, { op: 'mkdir', path: at('b'), after } as NativeOp];
    expect(call(two([1]))).toThrow(/ops\[1\]\.after\[0\] must be the index of an earlier operation \(0 to 0\)/);
    expect(call(two([-1]))).toThrow(RangeError);
    expect(call(two([0.5]))).toThrow(RangeError);
    expect(call(two(['0']))).toThrow(TypeError);
    expect(call(two(0))).toThrow(TypeError);
    expect(fs.existsSync(at('a'))).toBe(false);
  });

  it('names the failing operation and its field in the message', () => {
    const call = (ops: unknown[]) => () => (native.executeBatch as (a: unknown, b: unknown) => unknown)(ops, { root });
    // a good operation first: the index in the message is the failing one's
    const good = { op: 'mkdir', path: at('a') };
    expect(call([good, 7])).toThrow(/^ops\[1\] must be an object$/);
    expect(call([good, good, { path: at('b') }])).toThrow(/^ops\[2\]\.op must be a string$/);
    expect(call([good, { op: 'chmod', path: at('b') }])).toThrow(/^ops\[1\]\.op: unknown operation 'chmod'$/);
    expect(call([good, { op: 'mkdir', path: 3 }])).toThrow(/^ops\[1\]\.path must be a string$/);
    expect(call([good, { op: 'mkdir', path: '/etc/x' }])).toThrow(/^ops\[1\]\.path: /);
    expect(call([good, good, good, { op: 'write', path: at('f'), value: 'a\0b' }])).toThrow(/^ops\[3\]\.value must not contain a NUL byte$/);
    expect(call([good, { op: 'write', path: at('f'), value: 'x'.repeat(4096) }])).toThrow(/^ops\[1\]\.value is 4096 bytes/);
    expect(call([good, { op: 'symlink', path: at('l'), target: '' }])).toThrow(/^ops\[1\]\.target must not be empty$/);
    expect(call([good, { op: 'mkdir', path: at('b'), mode: 0o10000 }])).toThrow(/^ops\[1\]\.mode must be an integer from 0 to 4095$/);
    expect(call([good, { op: 'mkdir', path: at('b'), independent: 'yes' }])).toThrow(/^ops\[1\]\.independent must be a boolean$/);
    expect(call([good, { op: 'mkdir', path: at('b'), after: 0 }])).toThrow(/^ops\[1\]\.after must be an array of operation indexes$/);
    expect(call([good, { op: 'mkdir', path: at('b'), after: [0, 'x'] }])).toThrow(/^ops\[1\]\.after\[1\] must be a number$/);
    expect(fs.existsSync(at('a'))).toBe(false);
  });

  it.each(['objects', 'packed'])('runs an operation of a group only after the ones its `after` names (%s)', async (form) => {
    // level by level in one group of eight threads: each directory waits for its parent
    const ops: NativeOp[] = [];
    for (const level of [0, 1, 2]) {
      for (let c = 0; c < 20; c++) {
        const parts = [`c${c}`, ...['x', 'y'].slice(0, level)];
        ops.push({ op: 'mkdir', path: at(...parts), independent: true, ...(level ? { after: [(level - 1) * 20 + c] } : {}) });
      }
    }
    const r = await native.executeBatch(form === 'packed' ? (packOps(ops, (p) => p) as NativePackedOps) : ops, { root, concurrency: 8 });
    expect(r.every((x) => x.ok)).toBe(true);
    expect(fs.existsSync(at('c19', 'x', 'y'))).toBe(true);
  });

  it('accepts the root itself for list, stat and read', async () => {
    const r = await run([
      { op: 'list', path: root },
      { op: 'stat', path: `${root}/` },
    ]);
    expect(r.map((x) => x.ok)).toEqual([true, true]);
  });

  it('runs nothing when any op of the batch is invalid', async () => {
    const ops: NativeOp[] = [
      { op: 'mkdir', path: at('first') },
      { op: 'mkdir', path: at('second') },
      { op: 'mkdir', path: `${root}/../outside` },
    ];
    expect(() => run(ops)).toThrow(RangeError);
    expect(() =>
      run([
        { op: 'mkdir', path: at('first') },
        { op: 'bogus' as 'mkdir', path: at('x') },
      ]),
    ).toThrow(TypeError);
    // Give a wrongly started worker time to act before looking.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(fs.existsSync(at('first'))).toBe(false);
    expect(fs.existsSync(at('second'))).toBe(false);
  });

  it('accepts a 4095-byte value', async () => {
    fs.writeFileSync(at('f'), '');
    const r = await run([{ op: 'write', path: at('f'), value: 'y'.repeat(4095) }]);
    expect(r).toEqual([{ ok: true }]);
    expect(fs.statSync(at('f')).size).toBe(4095);
  });
});

describe('executeBatch semantics', () => {
  it('runs ops in order and returns their values', async () => {
    fs.writeFileSync(at('attr'), '');
    const r = await run([
      { op: 'mkdir', path: at('a') },
      { op: 'mkdir', path: at('a', 'b'), mode: 0o700 },
      { op: 'symlink', path: at('a', 'link'), target: '../a/b' },
      { op: 'write', path: at('attr'), value: 'hello\n' },
      { op: 'read', path: at('attr') },
      { op: 'list', path: at('a') },
      { op: 'stat', path: at('a', 'b') },
      { op: 'stat', path: at('a', 'link') },
      { op: 'readlink', path: at('a', 'link') },
      { op: 'unlink', path: at('a', 'link') },
      { op: 'rmdir', path: at('a', 'b') },
      { op: 'list', path: at('a') },
    ]);
    expect(r[0]).toEqual({ ok: true });
    expect(r[1]).toEqual({ ok: true });
    expect(r[2]).toEqual({ ok: true });
    expect(r[3]).toEqual({ ok: true });
    const read = r[4];
    expect(read?.ok && Buffer.isBuffer(read.value)).toBe(true);
    expect(read?.ok && (read.value as Buffer).toString('latin1')).toBe('hello\n');
    expect(r[5]).toEqual({
      ok: true,
      value: [
        { name: 'b', type: 'dir' },
        { name: 'link', type: 'link' },
      ],
    });
    expect(r[6]).toEqual({ ok: true, value: { mode: fs.constants.S_IFDIR | 0o700, type: 'dir' } });
    expect(r[7]?.ok && (r[7].value as { type: string }).type).toBe('link');
    expect(r[8]).toEqual({ ok: true, value: '../a/b' });
    expect(r[9]).toEqual({ ok: true });
    expect(r[10]).toEqual({ ok: true });
    expect(r[11]).toEqual({ ok: true, value: [] });
    expect(fs.readFileSync(at('attr'), 'latin1')).toBe('hello\n');
  });

  it('reads bytes exactly, including NUL and trailing newline', async () => {
    const bytes = Buffer.from([0x61, 0x00, 0xff, 0x0a, 0x0a]);
    fs.writeFileSync(at('bin'), bytes);
    const big = Buffer.alloc(50_000, 0x42);
    fs.writeFileSync(at('big'), big);
    const r = await run([
      { op: 'read', path: at('bin') },
      { op: 'read', path: at('big') },
    ]);
    expect(r[0]?.ok && (r[0].value as Buffer).equals(bytes)).toBe(true);
    expect(r[1]?.ok && (r[1].value as Buffer).equals(big)).toBe(true);
  });

  it('writes the UTF-8 of the value with nothing added', async () => {
    fs.writeFileSync(at('attr'), '');
    await run([{ op: 'write', path: at('attr'), value: 'iqn.2003-01.org.linux-iscsi:é' }]);
    expect(fs.readFileSync(at('attr'), 'utf8')).toBe('iqn.2003-01.org.linux-iscsi:é');
  });

  it('reports errno, syscall and path like Node', async () => {
    fs.mkdirSync(at('exists'));
    const r = await run(
      [
        { op: 'mkdir', path: at('exists') },
        { op: 'read', path: at('missing') },
        { op: 'write', path: at('missing'), value: '1' },
        { op: 'rmdir', path: at('missing') },
        { op: 'unlink', path: at('missing') },
        { op: 'readlink', path: at('exists') },
        { op: 'list', path: at('missing') },
        { op: 'stat', path: at('missing') },
        { op: 'symlink', path: at('exists'), target: 'x' },
      ],
      { stopOnError: false },
    );
    expect(r[0]).toEqual({ ok: false, errno: -E.EEXIST, syscall: 'mkdir', path: at('exists') });
    expect(r[1]).toEqual({ ok: false, errno: -E.ENOENT, syscall: 'open', path: at('missing') });
    expect(r[2]).toEqual({ ok: false, errno: -E.ENOENT, syscall: 'open', path: at('missing') });
    expect(r[3]).toEqual({ ok: false, errno: -E.ENOENT, syscall: 'rmdir', path: at('missing') });
    expect(r[4]).toEqual({ ok: false, errno: -E.ENOENT, syscall: 'unlink', path: at('missing') });
    expect(r[5]).toEqual({ ok: false, errno: -E.EINVAL, syscall: 'readlink', path: at('exists') });
    expect(r[6]).toEqual({ ok: false, errno: -E.ENOENT, syscall: 'scandir', path: at('missing') });
    expect(r[7]).toEqual({ ok: false, errno: -E.ENOENT, syscall: 'lstat', path: at('missing') });
    expect(r[8]).toEqual({ ok: false, errno: -E.EEXIST, syscall: 'symlink', path: at('exists') });

    // The one adapter (src/errors.ts) keeps errno, syscall and path, as Node's own fs errors do.
    const err = systemCallError('could not create', failure(r[0]));
    expect(err).toBeInstanceOf(RTSLibError);
    expect(err).toMatchObject({ code: 'EEXIST', errno: -E.EEXIST, syscall: 'mkdir', path: at('exists') });
    expect(err?.message).toBe(`could not create: EEXIST, mkdir '${at('exists')}'`);
    let nodeErr: NodeJS.ErrnoException | undefined;
    try {
      fs.mkdirSync(at('exists'));
    } catch (e) {
      nodeErr = e as NodeJS.ErrnoException;
    }
    expect(err).toMatchObject({ code: nodeErr?.code, errno: nodeErr?.errno, syscall: nodeErr?.syscall, path: nodeErr?.path });
    expect(systemCallError('could not open', failure(r[1]))).toMatchObject({ code: 'ENOENT', syscall: 'open' });
  });

  it('stops at the first error and skips the rest', async () => {
    fs.mkdirSync(at('x'));
    const ops: NativeOp[] = [
      { op: 'mkdir', path: at('a') },
      { op: 'mkdir', path: at('x') },
      { op: 'mkdir', path: at('b') },
      { op: 'mkdir', path: at('c'), independent: true },
      { op: 'mkdir', path: at('d'), independent: true },
    ];
    const r = await run(ops);
    expect(r).toEqual([
      { ok: true },
      { ok: false, errno: -E.EEXIST, syscall: 'mkdir', path: at('x') },
      { ok: false, skipped: true },
      { ok: false, skipped: true },
      { ok: false, skipped: true },
    ]);
    expect(fs.existsSync(at('b'))).toBe(false);
    expect(isNativeFailure(r[2] as NativeResult)).toBe(false);

    fs.rmdirSync(at('a'));
    const all = await run(ops, { stopOnError: false });
    expect(all.map((x) => x.ok)).toEqual([true, false, true, true, true]);
  });

  it('stops inside a group: ops not started are skipped', async () => {
    fs.mkdirSync(at('x'));
    const r = await run(
      [
        { op: 'mkdir', path: at('g1'), independent: true },
        { op: 'mkdir', path: at('x'), independent: true },
        { op: 'mkdir', path: at('g2'), independent: true },
        { op: 'mkdir', path: at('after') },
      ],
      { concurrency: 1 },
    );
    expect(r).toEqual([{ ok: true }, { ok: false, errno: -E.EEXIST, syscall: 'mkdir', path: at('x') }, { ok: false, skipped: true }, { ok: false, skipped: true }]);
  });

  it('runs a group of 50 independent ops concurrently', async () => {
    const names = Array.from({ length: 50 }, (_, i) => `lun_${String(i).padStart(2, '0')}`);
    const r = await run(
      [{ op: 'mkdir', path: at('tpg') }, ...names.map((n): NativeOp => ({ op: 'mkdir', path: at('tpg', n), independent: true })), { op: 'list', path: at('tpg') }],
      { concurrency: 16 },
    );
    expect(r.every((x) => x.ok)).toBe(true);
    const listed = r[51]?.ok ? (r[51].value as { name: string }[]).map((e) => e.name) : [];
    expect(listed).toEqual(names);
  });

  it('a group truly overlaps its ops (FIFO reader and writer meet)', async () => {
    execFileSync('mkfifo', [at('pipe')]);
    const r = await run(
      [
        { op: 'read', path: at('pipe'), independent: true },
        { op: 'write', path: at('pipe'), value: 'ping', independent: true },
      ],
      { concurrency: 2, timeoutMs: 10_000 },
    );
    expect(r[1]).toEqual({ ok: true });
    expect(r[0]?.ok && (r[0].value as Buffer).toString()).toBe('ping');
  });

  it('times out a blocked op without blocking the event loop', async () => {
    execFileSync('mkfifo', [at('stuck')]);
    let ticked = false;
    setTimeout(() => {
      ticked = true;
    }, 10);
    const r = await run(
      [
        { op: 'read', path: at('stuck') },
        { op: 'mkdir', path: at('next') },
      ],
      { timeoutMs: 200 },
    );
    expect(ticked).toBe(true);
    expect(r).toEqual([
      { ok: false, errno: -E.ETIMEDOUT, syscall: 'open', path: at('stuck'), message: 'timed out after 200 ms' },
      { ok: false, skipped: true },
    ]);
    expect(systemCallError('could not read', failure(r[0]))?.message).toBe(`could not read: ETIMEDOUT, open '${at('stuck')}' (timed out after 200 ms)`);
    // Release the abandoned thread: the writer meets the blocked reader.
    fs.closeSync(fs.openSync(at('stuck'), 'w'));
  });
});

describe('readTree', () => {
  function makeTree(): string {
    const top = at('target');
    fs.mkdirSync(path.join(top, 'core', 'rd_mcp_0', 'disk'), { recursive: true });
    fs.mkdirSync(path.join(top, 'iscsi', 'skipme'), { recursive: true });
    fs.writeFileSync(path.join(top, 'iscsi', 'skipme', 'x'), 'x');
    fs.writeFileSync(path.join(top, 'core', 'rd_mcp_0', 'disk', 'udev_path'), Buffer.from('a\0b\n', 'latin1'));
    fs.writeFileSync(path.join(top, 'core', 'rd_mcp_0', 'disk', 'control'), 'secret', { mode: 0o200 });
    fs.chmodSync(path.join(top, 'core', 'rd_mcp_0', 'disk', 'control'), 0o200);
    fs.writeFileSync(path.join(top, 'version'), 'Target Engine Core ConfigFS Infrastructure v5.0\n');
    fs.symlinkSync('../core/rd_mcp_0/disk', path.join(top, 'iscsi', 'lun_0'));
    return top;
  }

  it('walks depth-first, sorted, byte-exact, skipping write-only files', async () => {
    const top = makeTree();
    const t = await native.readTree(top, { root, excludeNames: ['skipme'] });
    expect(t.paths).toEqual(['core', 'core/rd_mcp_0', 'core/rd_mcp_0/disk', 'core/rd_mcp_0/disk/control', 'core/rd_mcp_0/disk/udev_path', 'iscsi', 'iscsi/lun_0', 'version']);
    expect(t.kinds).toBeInstanceOf(Uint8Array);
    expect(t.modes).toBeInstanceOf(Uint16Array);
    expect(t.offsets).toBeInstanceOf(Uint32Array);
    expect(t.errnos).toBeInstanceOf(Int32Array);
    expect(Buffer.isBuffer(t.data)).toBe(true);
    expect(Array.from(t.kinds)).toEqual([0, 0, 0, 1, 1, 0, 2, 1]);
    expect(t.modes[3]).toBe(0o200);
    expect(t.links).toEqual([null, null, null, null, null, null, '../core/rd_mcp_0/disk', null]);
    expect(t.offsets.length).toBe(t.paths.length + 1);
    const value = (i: number) => t.data.subarray(t.offsets[i], t.offsets[i + 1]);
    expect(value(3).length).toBe(0); // control: mode 0200, not read
    expect(t.errnos[3]).toBe(0);
    expect(value(4).equals(Buffer.from('a\0b\n', 'latin1'))).toBe(true);
    expect(value(7).toString()).toBe('Target Engine Core ConfigFS Infrastructure v5.0\n');
    expect(Array.from(t.errnos)).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(t.data.length).toBe(t.offsets[t.paths.length]);
  });

  it('honours maxDepth and readValues', async () => {
    const top = makeTree();
    const one = await native.readTree(top, { root, maxDepth: 1 });
    expect(one.paths).toEqual(['core', 'iscsi', 'version']);
    const two = await native.readTree(top, { root, maxDepth: 2, excludeNames: ['skipme', 'version'] });
    expect(two.paths).toEqual(['core', 'core/rd_mcp_0', 'iscsi', 'iscsi/lun_0']);
    const bare = await native.readTree(top, { root, readValues: false });
    expect(bare.data.length).toBe(0);
    expect(bare.paths.length).toBe(10);
    // a listing with the values of some names (write-only files still unread); links are read either way
    const some = await native.readTree(top, { root, readValues: false, valueNames: ['version', 'x', 'control'] });
    const value = (p: string) => some.data.subarray(some.offsets[some.paths.indexOf(p)], some.offsets[some.paths.indexOf(p) + 1]).toString();
    expect(value('version')).toBe('Target Engine Core ConfigFS Infrastructure v5.0\n');
    expect(value('iscsi/skipme/x')).toBe('x');
    expect(value('core/rd_mcp_0/disk/udev_path')).toBe('');
    expect(value('core/rd_mcp_0/disk/control')).toBe('');
    expect(some.links[some.paths.indexOf('iscsi/lun_0')]).toBe('../core/rd_mcp_0/disk');
    expect(() => native.readTree(top, { root, readValues: false, valueNames: [1 as unknown as string] })).toThrow(TypeError);
  });

  it('excludePaths skips a name only at the places its root-relative patterns give, from any walked directory', async () => {
    const top = makeTree();
    // a kernel group (disk/statistics) and a user object of the same name (rd_mcp_0/statistics)
    fs.mkdirSync(path.join(top, 'core', 'rd_mcp_0', 'disk', 'statistics', 'x'), { recursive: true });
    fs.mkdirSync(path.join(top, 'core', 'rd_mcp_0', 'statistics'));
    const excludePaths = ['core/*_[0-9]*/*/statistics'];
    const whole = await native.readTree(top, { root: top, excludePaths });
    expect(whole.paths.filter((p) => p.includes('statistics'))).toEqual(['core/rd_mcp_0/statistics']);
    // from a subdirectory the patterns still match root-relative paths
    const sub = await native.readTree(path.join(top, 'core', 'rd_mcp_0'), { root: top, excludePaths });
    expect(sub.paths.filter((p) => p.includes('statistics'))).toEqual(['statistics']);
    const disk = await native.readTree(path.join(top, 'core', 'rd_mcp_0', 'disk'), { root: top, excludePaths });
    expect(disk.paths).toEqual(['control', 'udev_path']);
    // without the pattern both are read
    expect((await native.readTree(top, { root: top })).paths.filter((p) => p.endsWith('statistics'))).toEqual(['core/rd_mcp_0/disk/statistics', 'core/rd_mcp_0/statistics']);
    expect(() => native.readTree(top, { root: top, excludePaths: 'core' as unknown as string[] })).toThrow(TypeError);
    expect(() => native.readTree(top, { root: top, excludePaths: ['a\0b'] })).toThrow(TypeError);
  });

  it('only: walks just the named entries of the walked directory, with everything below them', async () => {
    const top = makeTree();
    fs.mkdirSync(path.join(top, 'core', 'rd_mcp_1', 'other'), { recursive: true });
    const t = await native.readTree(path.join(top, 'core'), { root: top, only: ['rd_mcp_0', 'no_such'] });
    expect(t.paths).toEqual(['rd_mcp_0', 'rd_mcp_0/disk', 'rd_mcp_0/disk/control', 'rd_mcp_0/disk/udev_path']);
    expect((await native.readTree(path.join(top, 'core'), { root: top, only: [] })).paths).toEqual([]);
    expect(() => native.readTree(top, { root: top, only: [7 as unknown as string] })).toThrow(TypeError);
  });

  it('rejects a failing top directory with a Node-shaped error', async () => {
    const missing = at('nope');
    const err = await native.readTree(missing, { root }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).toMatchObject({ errno: -E.ENOENT, syscall: 'opendir', path: missing });
    expect(systemCallError('could not read', err)).toMatchObject({
      code: 'ENOENT',
      errno: -E.ENOENT,
      syscall: 'opendir',
      path: missing,
      message: `could not read: ENOENT, opendir '${missing}'`,
    });
  });

  it('validates its arguments synchronously', () => {
    expect(() => native.readTree('/etc', { root })).toThrow(RangeError);
    expect(() => native.readTree(`${root}/../x`, { root })).toThrow(RangeError);
    expect(() => native.readTree('rel', { root })).toThrow(TypeError);
    expect(() => native.readTree(root, { root, maxDepth: -1 })).toThrow(RangeError);
    expect(() => native.readTree(root, { root, excludeNames: [1 as unknown as string] })).toThrow(TypeError);
  });
});

describe('readTree on a large tree (read pool, bounded open directories)', () => {
  let big = '';
  beforeEach(() => {
    big = fs.mkdtempSync(path.join(os.tmpdir(), 'rtslib-bigtree-'));
    for (let d = 0; d < 300; d++) {
      const dir = path.join(big, `d${String(d).padStart(3, '0')}`, 'sub');
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, 'a'), `value-${d}\n`);
      fs.writeFileSync(path.join(dir, 'w'), 'secret', { mode: 0o200 });
      fs.symlinkSync(`../../d000`, path.join(dir, 'link'));
    }
  });
  afterEach(() => fs.rmSync(big, { recursive: true, force: true }));

  it('returns every entry, in order, with its own value, mode and link', async () => {
    const tree = await native.readTree(big, { root: big });
    expect(tree.paths.length).toBe(300 * 5);
    expect(tree.paths.slice(0, 5)).toEqual(['d000', 'd000/sub', 'd000/sub/a', 'd000/sub/link', 'd000/sub/w']);
    for (let d = 0; d < 300; d++) {
      const base = d * 5;
      const value = (i: number) => tree.data.subarray(tree.offsets[i]!, tree.offsets[i + 1]!).toString();
      expect(value(base + 2)).toBe(`value-${d}\n`);
      expect(tree.kinds[base + 3]).toBe(2);
      expect(tree.links[base + 3]).toBe('../../d000');
      expect(tree.modes[base + 4]).toBe(0o200);
      expect(value(base + 4)).toBe('');
      expect(tree.kinds[base + 1]).toBe(0);
    }
    expect(Array.from(tree.errnos).every((e) => e === 0)).toBe(true);
  });

  it('names that are not UTF-8, and links to them, read as each one decoded on its own (the tree crosses packed)', async () => {
    // bytes of invalid and truncated UTF-8 at the end, the start and the middle of names, next to valid ones
    const names = [Buffer.from([0x61, 0xe2, 0x82]), Buffer.from([0xff, 0x62]), Buffer.from('é-ok'), Buffer.from([0x63, 0xc3, 0x28, 0x64]), Buffer.from([0xf0, 0x9f, 0x98])];
    const dir = Buffer.from(root);
    for (const name of names) {
      fs.mkdirSync(Buffer.concat([dir, Buffer.from('/'), name]));
      fs.symlinkSync(Buffer.concat([Buffer.from('../'), name]), Buffer.concat([dir, Buffer.from('/'), name, Buffer.from('/l')]));
    }
    const tree = await native.readTree(root, { root });
    const decoded = names.map((n) => n.toString('utf8'));
    const expected = [...names].sort(Buffer.compare).flatMap((n) => [n.toString('utf8'), `${n.toString('utf8')}/l`]);
    expect(tree.paths).toEqual(expected);
    expect(tree.links).toEqual(expected.map((p) => (p.endsWith('/l') ? `../${p.slice(0, -2)}` : null)));
    expect(new Set(tree.paths)).toEqual(new Set(decoded.flatMap((d) => [d, `${d}/l`])));
    // an empty directory is an empty tree
    fs.mkdirSync(at('empty'));
    expect(await native.readTree(at('empty'), { root })).toMatchObject({ paths: [], links: [] });
  });
});

describe('executeBatch in packed form (what Configfs.run sends)', () => {
  const abs = (p: string): string => (p.startsWith('/') ? p : `${root}/${p}`);
  const packed = (ops: NativeOp[]): NativePackedOps => {
    const p = packOps(ops, abs);
    if (!p) throw new Error('not packable');
    return p;
  };
  /** The same batch run in two fresh directories, as objects and packed: the results and the trees they leave. */
  async function bothForms(ops: NativeOp[], extra: { stopOnError?: boolean } = {}) {
    const out = [];
    for (const form of ['objects', 'packed'] as const) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), `rtslib-packed-${form}-`));
      try {
        fs.writeFileSync(`${dir}/f`, '');
        const inDir = (p: string): string => (p.startsWith('/') ? p : `${dir}/${p}`);
        const batch = form === 'objects' ? ops.map((o) => ({ ...o, path: inDir(o.path), ...(o.target ? { target: inDir(o.target) } : {}) })) : packOps(ops, inDir);
        if (!batch) throw new Error('not packable');
        // one thread: a group's operations in their order, so that the results do not depend on timing
        const results = await native.executeBatch(batch, { root: dir, concurrency: 1, ...extra });
        const tree = await native.readTree(dir, { root: dir });
        // error paths name the directory: compared without it
        out.push(
          JSON.parse(
            JSON.stringify({
              results,
              paths: tree.paths,
              kinds: [...tree.kinds],
              modes: [...tree.modes],
              links: tree.links.map((l) => l?.replace(dir, '<dir>') ?? null),
            }).replaceAll(dir, '<dir>'),
          ),
        );
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    }
    return out;
  }

  it('runs any batch exactly as the object form does: same results, same tree', async () => {
    const name = fc.constantFrom('a', 'b', 'a/b', 'a/c', 'b/d', 'f', 'a/f');
    const op: fc.Arbitrary<NativeOp> = fc.oneof(
      fc
        .tuple(name, fc.option(fc.constantFrom(0o700, 0o755, 0o500), { nil: undefined }))
        .map(([p, mode]): NativeOp => (mode === undefined ? { op: 'mkdir', path: p } : { op: 'mkdir', path: p, mode })),
      fc.record({ op: fc.constant('write' as const), path: name, value: fc.string({ unit: 'grapheme', maxLength: 20 }) }),
      fc.record({ op: fc.constant('symlink' as const), path: name, target: name }),
      fc.record({ op: fc.constantFrom('rmdir' as const, 'unlink' as const, 'read' as const, 'readlink' as const, 'list' as const, 'stat' as const), path: name }),
    );
    const batch = fc
      .array(fc.tuple(op, fc.boolean(), fc.array(fc.nat(), { maxLength: 2 })), { minLength: 1, maxLength: 12 })
      .map((items) =>
        items.map(
          ([o, independent, after], i) => ({ ...o, ...(independent ? { independent } : {}), ...(i > 0 && after.length ? { after: after.map((a) => a % i) } : {}) }) as NativeOp,
        ),
      );
    await fc.assert(
      fc.asyncProperty(batch, fc.boolean(), async (ops, stopOnError) => {
        const [objects, packedForm] = await bothForms(ops, { stopOnError });
        expect(packedForm).toEqual(objects);
      }),
      { numRuns: 60 },
    );
  });

  it('refuses what the object form refuses, with the same message, before any syscall', () => {
    const good: NativeOp = { op: 'mkdir', path: 'a' };
    const message = (batch: NativeOp[] | NativePackedOps): string => {
      try {
        void native.executeBatch(batch, { root });
      } catch (e) {
        return (e as Error).message;
      }
      return 'no error';
    };
    const bad: NativeOp[] = [
      { op: 'mkdir', path: '/etc/x' },
      { op: 'mkdir', path: `${root}/../escape` },
      { op: 'write', path: 'f', value: 'x'.repeat(4096) },
      { op: 'write', path: 'f', value: 'é'.repeat(2048) },
      { op: 'symlink', path: 'l', target: '' },
      { op: 'mkdir', path: 'b', mode: 0o10000 },
    ];
    for (const op of bad) {
      const ops = [good, op].map((o) => ({ ...o, path: abs(o.path) }));
      const objects = message(ops);
      expect(objects).toMatch(/^ops\[1\]\./);
      expect(message(packOps(ops, (p) => p) as NativePackedOps)).toBe(objects);
    }
    // what packOps leaves to the object form (which names the field): NUL bytes, indexes it cannot check
    expect(packOps([good, { op: 'write', path: 'f', value: 'a\0b' }], abs)).toBeNull();
    expect(packOps([{ op: 'mkdir', path: 'a\0b' }], abs)).toBeNull();
    expect(packOps([good, { op: 'mkdir', path: 'b', after: [1] }], abs)).toBeNull();
    expect(packOps([{ op: 'chmod' as 'mkdir', path: 'a' }], abs)).toBeNull();
    expect(packOps([{ op: 'write', path: 'f', value: 1 as unknown as string }], abs)).toBeNull();
    expect(packOps([{ op: 'mkdir', path: 3 as unknown as string }], abs)).toBeNull();
    expect(packOps([{ op: 'symlink', path: 'l' } as NativeOp], abs)).toBeNull();
    expect(packOps([{ op: 'mkdir', path: 'b', mode: -1 }], abs)).toBeNull();
    // a hand-made packed batch is checked too
    const one = packed([good, { op: 'mkdir', path: 'b', after: [0] }]);
    expect(message({ ...one, kinds: Uint8Array.of(2, 9) })).toBe('ops[1].op: unknown operation code 9');
    expect(message({ ...one, paths: `${abs('a')}\0${abs('b')}\0${abs('c')}` })).toMatch(/^ops\.paths must hold one path per operation/);
    expect(message({ ...one, texts: 'x' })).toMatch(/^ops\.texts must hold one value per write/);
    expect(message({ ...one, afterList: Uint32Array.of(1) })).toMatch(/^ops\[1\]\.after\[0\] must be the index of an earlier operation \(0 to 0\)$/);
    expect(message({ ...one, afterStart: Uint32Array.of(0, 0) })).toMatch(/^ops\.afterStart must have one element per operation and one more$/);
    expect(message({ ...one, kinds: [2, 2] as unknown as Uint8Array })).toBe('ops.kinds must be a Uint8Array');
    expect(message({ ...one, kinds: new Uint8Array(0) })).toBe('executeBatch: ops must not be empty');
    expect(fs.existsSync(at('a'))).toBe(false);
  });

  it('shares one frozen result among the operations that succeed without a value', async () => {
    const r = await native.executeBatch(
      packed([
        { op: 'mkdir', path: 'a' },
        { op: 'list', path: 'a' },
        { op: 'mkdir', path: 'b' },
      ]),
      { root },
    );
    expect(r).toEqual([{ ok: true }, { ok: true, value: [] }, { ok: true }]);
    expect(r[0]).toBe(r[2]);
    expect(Object.isFrozen(r[0])).toBe(true);
    expect(Object.isFrozen(r[1])).toBe(false);
  });
});
