/**
 * The addon is loaded on the first call that needs the kernel, not at
 * import: with an addon that cannot load (RTSLIB_ADDON_PATH names a missing
 * file), `--help`, `--version`, checking a config file and importing the
 * library all work, and the first kernel call fails with one line that
 * names the platform, what was looked for and how to build it.
 * (Runs the compiled package in dist/: `npm test` builds it first.)
 */
import { describe, expect, test } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const repo = resolve(import.meta.dirname, '../..');
const bin = join(repo, 'bin/rtslib.js');
const env = { ...process.env, RTSLIB_ADDON_PATH: '/nonexistent/rtslib.node' };
const cli = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env });
const dir = mkdtempSync(join(tmpdir(), 'rtslib-addon-'));

describe('the addon only when needed', () => {
  test('--version and --help work without it', () => {
    const version = cli('--version');
    expect(version.status, version.stderr).toBe(0);
    const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { version: string };
    expect(version.stdout).toBe(`${pkg.version}\n`);
    expect(cli('-V').stdout).toBe(`${pkg.version}\n`);
    const help = cli('--help');
    expect(help.status, help.stderr).toBe(0);
    expect(help.stdout).toMatch(/^Usage: rtslib/);
  });

  test('a config file is checked without it: an invalid one is exit 2 with its problem', () => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ storage_objects: [{ plugin: 'ramdisk', name: 'r1', size: 1048576, colour: 'red' }] }));
    const r = cli('restore', file, '--configfs', dir);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/storage_objects\[0\].*colour/);
    expect(r.stderr).not.toMatch(/native addon/);
  });

  test('the first kernel call says in one line, once prefixed, for which platform, what was looked for and how to fix it', () => {
    const r = cli('ls', '--configfs', dir);
    expect(r.status).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      new RegExp(
        `^rtslib: cannot load the native addon for ${process.platform}-${process.arch} \\((glibc|musl), Node\\.js [\\d.]+, Node-API \\d+\\): looked for RTSLIB_ADDON_PATH=/nonexistent/rtslib\\.node \\(Cannot find module '/nonexistent/rtslib\\.node'\\); unset RTSLIB_ADDON_PATH`,
      ),
    );
    expect(r.stderr).not.toMatch(/rtslib: rtslib:|Require stack/);
  });

  test('importing the library loads nothing; the first call that needs it throws ERR_RTSLIB_NO_ADDON', () => {
    const code = `
      const lib = await import(${JSON.stringify(join(repo, 'dist/index.js'))});
      const before = process.report.getReport().sharedObjects.filter((s) => s.endsWith('.node'));
      const error = await new lib.RTSRoot({ configfs: ${JSON.stringify(dir)} }).version().catch((e) => e);
      console.log(JSON.stringify({ before, name: error.name, code: error.code, isLibError: error instanceof lib.RTSLibError }));`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8', env });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ before: [], name: 'RTSLibError', code: 'ERR_RTSLIB_NO_ADDON', isLibError: true });
  });
});
