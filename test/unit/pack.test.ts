/**
 * The package as users get it. `npm pack` (its prepack builds dist/ and the
 * x64 and arm64 prebuilds) of a copy of the sources; the tarball installed
 * with --ignore-scripts into a new project (so nothing compiles) loads the
 * bundled x64 prebuild from import and require, runs `rtslib --version` and
 * exposes `rtslib/cli`; the arm64 prebuild is loaded by Debian's arm64 Node
 * under qemu-user (.cache/arm64-node, made by scripts/arm64-node-sysroot.sh;
 * CI requires it). `npm pack --dry-run` of the repository lists exactly the
 * files a user needs.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const repo = resolve(import.meta.dirname, '../..');
let work = '';

function run(cmd: string, args: string[], options: SpawnSyncOptions = {}): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', ...options, env: { ...process.env, npm_config_nodedir: '/usr', ...(options.env ?? {}) } });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return String(r.stdout);
}

/** The files `npm pack` puts in the tarball, from its --json report. */
function packedFiles(json: string): string[] {
  const report = JSON.parse(json.slice(json.indexOf('['))) as { files: { path: string }[] }[];
  return report[0]!.files.map((f) => f.path).sort();
}

/** What may be in the tarball: the built library and command (and the command's bundle, never a code cache written by a run), the addon's sources and prebuilds, the docs. */
const ALLOWED =
  /^(package\.json|README\.md|LICENSE|binding\.gyp|bin\/rtslib\.js|bin\/bundle-loader\.js|bin\/package\.json|dist\/.+\.(js|d\.ts|js\.map|d\.ts\.map)|dist\/cli\/rtslib\.cjs|docs\/[\w-]+\.md|man\/rtslib\.8|contrib\/systemd\/rtslib\.service|native\/src\/[\w.-]+\.(cc|h|gypi)|prebuilds\/README\.md|prebuilds\/linux-(x64|arm64)\/rtslib\.glibc\.node)$/;
/** What must be in it. */
const REQUIRED = [
  'package.json',
  'README.md',
  'LICENSE',
  'binding.gyp',
  'bin/rtslib.js',
  'bin/bundle-loader.js',
  'bin/package.json',
  'dist/index.js',
  'dist/index.d.ts',
  'dist/cli/main.js',
  'dist/cli/main.d.ts',
  'dist/cli/rtslib.cjs',
  'docs/api.md',
  'docs/rtslib-fb-compat.md',
  'man/rtslib.8',
  'contrib/systemd/rtslib.service',
  'native/src/addon.cc',
  'native/src/sources.gypi',
];

const ARM64_NODE = join(repo, '.cache/arm64-node');

const PROBE = `
const fs = require('node:fs'); const os = require('node:os'); const path = require('node:path');
module.exports = async function probe(lib) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rtslib-pack-'));
  const results = await new lib.Configfs(dir, { plainDirectory: true, lockFile: null, stateDir: null }).run([{ op: 'mkdir', path: 'a' }, { op: 'stat', path: 'a' }]);
  const maps = fs.readFileSync('/proc/self/maps', 'utf8').split('\\n').filter((l) => l.endsWith('.node')).map((l) => l.slice(l.indexOf('/')));
  fs.rmSync(dir, { recursive: true, force: true });
  return { results, addons: [...new Set(maps)], exportsRTSRoot: typeof lib.RTSRoot };
};`;

/** Runs an addon file directly (any Node, any architecture): a batch and a tree read in a temporary directory. */
const ADDON_PROBE = `
const fs = require('node:fs'); const os = require('node:os'); const path = require('node:path');
const addon = require(process.argv[2]);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rtslib-addon-'));
fs.writeFileSync(dir + '/f', '');
addon.executeBatch([{ op: 'mkdir', path: dir + '/a' }, { op: 'write', path: dir + '/f', value: 'x' }, { op: 'read', path: dir + '/f' }], { root: dir, stopOnError: true }).then(async (results) => {
  const tree = await addon.readTree(dir, { root: dir });
  // the addon's own tree comes packed (src/native/packed-tree.ts): its paths NUL-joined
  console.log(JSON.stringify({ arch: process.arch, ok: results.map((r) => r.ok), read: String(results[2].value), paths: tree.paths.split('\\0') }));
  fs.rmSync(dir, { recursive: true, force: true });
});`;

describe('packed package', () => {
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'rtslib-pack-test-'));
  });
  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test('npm pack --dry-run of the repository lists what a user needs and nothing else', () => {
    const files = packedFiles(run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: repo }));
    expect(files.filter((f) => !ALLOWED.test(f))).toEqual([]);
    expect(REQUIRED.filter((f) => !files.includes(f))).toEqual([]);
    // every path the docs tell users to import is exported
    const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as {
      exports: Record<string, unknown>;
      repository?: unknown;
      bugs?: unknown;
      homepage?: unknown;
      keywords?: unknown[];
    };
    expect(Object.keys(pkg.exports).sort()).toEqual(['.', './cli', './package.json']);
    const docs = ['README.md', 'docs/api.md'].map((f) => readFileSync(join(repo, f), 'utf8')).join('\n');
    for (const [, path] of docs.matchAll(/['`(]rtslib\/([\w./-]+)['`)]/g)) expect(Object.keys(pkg.exports), `rtslib/${path}`).toContain(`./${path}`);
    expect(pkg.repository && pkg.bugs && pkg.homepage && pkg.keywords?.length).toBeTruthy();
  });

  test('npm pack bundles the x64 and arm64 prebuilds; installed with --ignore-scripts, the x64 one loads from import and require', () => {
    // Pack a copy of the package's sources, so the working tree's build/
    // (which other tests load) is not rebuilt underneath them.
    const stage = join(work, 'stage');
    mkdirSync(stage);
    for (const entry of [
      'package.json',
      'README.md',
      'LICENSE',
      'binding.gyp',
      'tsconfig.json',
      'tsconfig.build.json',
      'bin',
      'src',
      'docs',
      'man',
      'contrib',
      'scripts',
      'native/src',
      'prebuilds/README.md',
    ]) {
      cpSync(join(repo, entry), join(stage, entry), { recursive: true });
    }
    symlinkSync(join(repo, 'node_modules'), join(stage, 'node_modules'));
    const files = packedFiles(run('npm', ['pack', '--json', '--pack-destination', work], { cwd: stage }));
    expect(files).toContain('prebuilds/linux-x64/rtslib.glibc.node');
    expect(files).toContain('prebuilds/linux-arm64/rtslib.glibc.node');
    expect(files.filter((f) => !ALLOWED.test(f))).toEqual([]);
    const tarball = `rtslib-${(JSON.parse(readFileSync(join(stage, 'package.json'), 'utf8')) as { version: string }).version}.tgz`;
    const app = join(work, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true }));
    run('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline', join(work, tarball)], { cwd: app });
    const installed = join(app, 'node_modules/rtslib');
    expect(existsSync(join(installed, 'prebuilds/linux-x64/rtslib.glibc.node'))).toBe(true);
    expect(existsSync(join(installed, 'build'))).toBe(false);
    expect(existsSync(join(installed, 'dist/index.d.ts'))).toBe(true);
    writeFileSync(join(app, 'probe.cjs'), PROBE);
    const esm = run(
      'node',
      [
        '--input-type=module',
        '-e',
        `import * as lib from 'rtslib'; import { createRequire } from 'node:module'; const probe = createRequire(import.meta.url)('./probe.cjs'); console.log(JSON.stringify(await probe(lib)));`,
      ],
      { cwd: app },
    );
    const cjs = run('node', ['-e', `const lib = require('rtslib'); require('./probe.cjs')(lib).then((r) => console.log(JSON.stringify(r)));`], { cwd: app });
    for (const out of [esm, cjs]) {
      const probe = JSON.parse(out.trim().split('\n').at(-1)!) as { results: { ok: boolean }[]; addons: string[]; exportsRTSRoot: string };
      expect(probe.results.map((r) => r.ok)).toEqual([true, true]);
      expect(probe.addons).toEqual([join(installed, 'prebuilds/linux-x64/rtslib.glibc.node')]);
      expect(probe.exportsRTSRoot).toBe('function');
    }
    // the command and the in-process entry point
    expect(run(join(app, 'node_modules/.bin/rtslib'), ['--version'], { cwd: app }).trim()).toMatch(/^\d+\.\d+\.\d+/);
    // the command's bundle (dist/cli/rtslib.cjs, run with its code cache) as installed: help, and a verb that loads the prebuild
    expect(run(join(app, 'node_modules/.bin/rtslib'), ['--help'], { cwd: app })).toMatch(/^Usage: rtslib /);
    const plainRoot = join(app, 'target');
    mkdirSync(join(plainRoot, 'core'), { recursive: true });
    const ls = run(join(app, 'node_modules/.bin/rtslib'), ['--configfs', plainRoot, 'ls', '/backstores/fileio'], { cwd: app, env: { RTSLIB_PLAIN_DIRECTORY: '1' } });
    expect(ls).toMatch(/^o- fileio \.+ \[Storage Objects: 0\]$/m);
    expect(run('node', ['--input-type=module', '-e', `const { main } = await import('rtslib/cli'); console.log(typeof main);`], { cwd: app }).trim()).toBe('function');

    // the arm64 prebuild, run by Debian's arm64 Node under qemu-user
    writeFileSync(join(app, 'addon-probe.cjs'), ADDON_PROBE);
    const arm64 = join(installed, 'prebuilds/linux-arm64/rtslib.glibc.node');
    if (!existsSync(join(ARM64_NODE, 'usr/bin/node'))) {
      if (process.env.RTSLIB_REQUIRE_ARM64 === '1') throw new Error(`no arm64 Node in ${ARM64_NODE}: run scripts/arm64-node-sysroot.sh`);
      console.warn(`pack test: no arm64 Node in ${ARM64_NODE}; the arm64 prebuild was checked by machine and symbols only (prepack)`);
      return;
    }
    const out = run('qemu-aarch64', ['-L', ARM64_NODE, join(ARM64_NODE, 'usr/bin/node'), join(app, 'addon-probe.cjs'), arm64], { cwd: app });
    expect(JSON.parse(out.trim())).toEqual({ arch: 'arm64', ok: [true, true, true], read: 'x', paths: ['a', 'f'] });
  }, 600_000);
});
