/**
 * The package as users get it: `npm run prebuild`, `npm pack`, install the
 * tarball into a new project with --ignore-scripts (so nothing compiles), and
 * load the addon from the bundled prebuild, from both ESM and CommonJS.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const repo = resolve(import.meta.dirname, '../..');
let work = '';

function run(cmd: string, args: string[], options: SpawnSyncOptions = {}): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', ...options, env: { ...process.env, npm_config_nodedir: '/usr', ...(options.env ?? {}) } });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return String(r.stdout);
}

const PROBE = `
const fs = require('node:fs'); const os = require('node:os'); const path = require('node:path');
module.exports = async function probe(lib) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rtslib-pack-'));
  const results = await new lib.Configfs(dir, { plainDirectory: true, lockFile: null, stateDir: null }).run([{ op: 'mkdir', path: 'a' }, { op: 'stat', path: 'a' }]);
  const maps = fs.readFileSync('/proc/self/maps', 'utf8').split('\\n').filter((l) => l.endsWith('.node')).map((l) => l.slice(l.indexOf('/')));
  fs.rmSync(dir, { recursive: true, force: true });
  return { results, addons: [...new Set(maps)], exportsRTSRoot: typeof lib.RTSRoot };
};`;

describe('packed package', () => {
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'rtslib-pack-test-'));
  });
  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test('installs with --ignore-scripts and loads the bundled prebuild from import and require', () => {
    // Build and pack a copy of the package's sources, so the working tree's
    // build/ (which other tests load) is not rebuilt underneath them.
    const stage = join(work, 'stage');
    mkdirSync(stage);
    for (const entry of ['package.json', 'README.md', 'binding.gyp', 'tsconfig.json', 'tsconfig.build.json', 'src', 'native/src', 'prebuilds/README.md']) {
      cpSync(join(repo, entry), join(stage, entry), { recursive: true });
    }
    symlinkSync(join(repo, 'node_modules'), join(stage, 'node_modules'));
    run('npm', ['run', 'prebuild'], { cwd: stage });
    expect(existsSync(join(stage, 'prebuilds/linux-x64/rtslib.glibc.node'))).toBe(true);
    run('npm', ['pack', '--pack-destination', work], { cwd: stage });
    const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
    expect(tarball).toBeDefined();
    const app = join(work, 'app');
    run('mkdir', ['-p', app]);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true }));
    run('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline', join(work, tarball!)], { cwd: app });
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
  }, 300_000);
});
