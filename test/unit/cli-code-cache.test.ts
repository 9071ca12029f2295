/**
 * The command's V8 code cache (bin/bundle-loader.js): written after a run
 * that exits 0, used by the next run of the same verb, and never a way for
 * a wrong or foreign cache to change what the command does. Each case runs
 * bin/rtslib.js (the built bundle, dist/cli/rtslib.cjs: `npm test` builds it
 * first) with the cache in a directory of its own (RTSLIB_CODE_CACHE), and
 * reads what the loader says about the cache (RTSLIB_CODE_CACHE_REPORT=1).
 * The verbs that read the tree run against the fake target root built from
 * the reference configfs listing.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildFakeTargetRoot } from './support/fake-target-root.js';

const repo = resolve(import.meta.dirname, '../..');
const bin = join(repo, 'bin/rtslib.js');
let tmp = '';
let root = '';

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  /** What the loader said about the cache: `none, written`, `used`, `rejected, written`, `off`, ... */
  cache: string | undefined;
}

/** The environment of a run with its cache in `cacheDir`. */
function envFor(cacheDir: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    RTSLIB_CODE_CACHE: cacheDir,
    RTSLIB_CODE_CACHE_REPORT: '1',
    RTSLIB_PLAIN_DIRECTORY: '1',
    RTSLIB_LOCK_FILE: join(tmp, 'targetcli.lock'),
    RTSLIB_STATE_DIR: join(tmp, 'state'),
    NO_COLOR: '1',
  };
}

/** The loader's line taken out of stderr. */
function parsed(status: number | null, stdout: string, stderr: string): Run {
  const line = /^rtslib: code cache [^:]+: (.*)$/m.exec(stderr);
  return { status, stdout, stderr: stderr.replace(/^rtslib: code cache .*\n/m, ''), cache: line?.[1] };
}

function rtslib(cacheDir: string, args: string[], nodeArgs: string[] = []): Run {
  const r = spawnSync(process.execPath, [...nodeArgs, bin, ...args], { encoding: 'utf8', env: envFor(cacheDir) });
  return parsed(r.status, r.stdout, r.stderr);
}

function rtslibAsync(cacheDir: string, args: string[]): Promise<Run> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [bin, ...args], { env: envFor(cacheDir) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', fail);
    child.on('close', (status) => done(parsed(status, stdout, stderr)));
  });
}

/** The files in a cache directory, sorted. */
const files = (dir: string): string[] => readdirSync(dir).sort();

let serial = 0;
/** A cache directory of its own for one case (not created: the loader makes it). */
function freshDir(): string {
  return join(tmp, `cache-${++serial}`);
}

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'rtslib-code-cache-'));
  root = join(tmp, 'target');
  buildFakeTargetRoot(root);
});

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('the code cache', () => {
  test('a run that exits 0 writes one private file per verb, and the next run of that verb uses it, with the same output', () => {
    const dir = freshDir();
    const plain = rtslib('off', ['--configfs', root, 'ls']);
    expect(plain.status, plain.stderr).toBe(0);
    expect(plain.cache).toBe('off');
    expect(plain.stdout).toMatch(/^o- \/ /m);

    const first = rtslib(dir, ['--configfs', root, 'ls']);
    expect(first.cache).toBe('none, written');
    expect(lstatSync(dir).mode & 0o777).toBe(0o700);
    const [name] = files(dir);
    expect(files(dir)).toEqual([expect.stringMatching(/^ls-[0-9a-f]{14}\.v8$/)]);
    expect(lstatSync(join(dir, name!)).mode & 0o777).toBe(0o600);

    const second = rtslib(dir, ['--configfs', root, 'ls']);
    expect(second.cache).toBe('used');
    expect(second.status).toBe(0);
    expect(first.stdout).toBe(plain.stdout);
    expect(second.stdout).toBe(plain.stdout);

    // another verb has a cache of its own, made from its own run
    const save = rtslib(dir, ['--configfs', root, 'save', '-']);
    expect(save.status, save.stderr).toBe(0);
    expect(save.cache).toBe('none, written');
    expect(JSON.parse(save.stdout)).toHaveProperty('storage_objects');
    expect(files(dir)).toEqual([name, expect.stringMatching(/^save-[0-9a-f]{14}\.v8$/)]);
    expect(rtslib(dir, ['--configfs', root, 'save', '-']).cache).toBe('used');
  });

  test('a run that fails writes no cache, and says why as it always does', () => {
    const dir = freshDir();
    const r = rtslib(dir, ['--configfs', root, 'restore', join(tmp, 'no-such-file.json')]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/^rtslib: .*no-such-file\.json/);
    expect(r.cache).toBe('none');
    expect(files(dir)).toEqual([]);
    // an argument that is no verb is never a file name
    const hostile = rtslib(dir, ['../../etc/x']);
    expect(hostile.status).toBe(2);
    expect(files(dir)).toEqual([]);
  });

  test('a damaged cache is rejected by V8 and replaced; the run is not changed by it', () => {
    const dir = freshDir();
    const help = rtslib(dir, ['--help']);
    expect(help.cache).toBe('none, written');
    const [name] = files(dir);
    writeFileSync(join(dir, name!), Buffer.alloc(4096, 0x5a), { mode: 0o600 });
    const r = rtslib(dir, ['--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(help.stdout);
    expect(r.cache).toBe('rejected, written');
    expect(rtslib(dir, ['--help']).cache).toBe('used');
  });

  test("Node's options are part of a cache's name: a run under other options writes its own and the old one goes", () => {
    const dir = freshDir();
    expect(rtslib(dir, ['--help']).cache).toBe('none, written');
    const before = files(dir);
    const other = rtslib(dir, ['--help'], ['--max-old-space-size=300']);
    expect(other.cache).toBe('none, written');
    expect(files(dir)).toHaveLength(1);
    expect(files(dir)).not.toEqual(before);
  });

  test('a directory others can write, a file someone else owns and a symbolic link are never read', () => {
    // a directory writable by group and others: no cache at all
    const open = freshDir();
    mkdirSync(open);
    chmodSync(open, 0o777);
    const r = rtslib(open, ['--help']);
    expect(r.status).toBe(0);
    expect(r.cache).toBe('off');
    expect(files(open)).toEqual([]);

    // a cache file owned by another user is not read (it is replaced by one of ours)
    const dir = freshDir();
    expect(rtslib(dir, ['--help']).cache).toBe('none, written');
    const [name] = files(dir);
    const file = join(dir, name!);
    if (process.geteuid?.() === 0) {
      chownSync(file, 65534, 65534);
      expect(rtslib(dir, ['--help']).cache).toBe('none, written');
      expect(lstatSync(file).uid).toBe(0);
    }

    // nor one behind a symbolic link
    rmSync(file);
    writeFileSync(join(tmp, 'elsewhere.v8'), Buffer.alloc(16));
    symlinkSync(join(tmp, 'elsewhere.v8'), file);
    expect(rtslib(dir, ['--help']).cache).toBe('none, written');
    expect(lstatSync(file).isSymbolicLink()).toBe(false);
  });

  test('RTSLIB_CODE_CACHE=off makes no directory and no file', () => {
    const r = rtslib('off', ['--help']);
    expect(r.status).toBe(0);
    expect(r.cache).toBe('off');
    expect(existsSync(join(repo, 'off'))).toBe(false);
  });

  test('eight runs at once each exit 0 with the same output, and leave one whole cache and no temporary file', async () => {
    const dir = freshDir();
    const runs = await Promise.all(Array.from({ length: 8 }, () => rtslibAsync(dir, ['--configfs', root, 'ls'])));
    for (const r of runs) {
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toBe(runs[0]!.stdout);
    }
    expect(files(dir)).toEqual([expect.stringMatching(/^ls-[0-9a-f]{14}\.v8$/)]);
    expect(rtslib(dir, ['--configfs', root, 'ls']).cache).toBe('used');
  }, 60_000);

  test('a temporary file left by a run killed while writing goes at the next write once it is old; a fresh one (a run still writing) stays', () => {
    const dir = freshDir();
    mkdirSync(dir, { mode: 0o700 });
    const old = join(dir, 'other-00000000000000.v8.12345.tmp');
    const fresh = join(dir, 'other-00000000000000.v8.12346.tmp');
    writeFileSync(old, 'partial');
    writeFileSync(fresh, 'partial');
    const hourAgo = new Date(Date.now() - 3600_000);
    utimesSync(old, hourAgo, hourAgo);
    expect(rtslib(dir, ['--help']).cache).toBe('none, written');
    expect(existsSync(old)).toBe(false);
    expect(existsSync(fresh)).toBe(true);
  });
});
