/**
 * Start-up of the `rtslib` command in the guest (`npm run bench:startup`):
 * `node -e 0` and `rtslib --version`, `--help`, `ls` and `save -` (on the
 * guest's configfs, with a small tree in it), run in turn, REPS times each,
 * medians and the ratio to `node -e 0`. In the emulated guest every file a
 * start reads crosses 9p, so the number of modules loaded weighs more than
 * on the host. The command's rows run with its code cache (written by the
 * warm-up run, as by any first run of a verb); the same starts without it
 * (RTSLIB_CODE_CACHE=off: a first start after an install) and the compiled
 * modules run one by one (without the bundle, scripts/bundle-cli.mjs) are
 * timed in the same run. Writes one JSON
 * document to stdout and to bench/out/startup.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { release } from 'node:os';
import { fileURLToPath } from 'node:url';
import { median } from './stats.js';

const REPS = Number(process.env.RTSLIB_BENCH_REPS ?? 9);
const BIN = fileURLToPath(new URL('../bin/rtslib.js', import.meta.url));
const OUT = fileURLToPath(new URL('./out/startup.json', import.meta.url));
/** The command without its bundle: the compiled modules one by one, as bin/rtslib.js ran them before. */
const UNBUNDLED = [
  '--input-type=module',
  '-e',
  `const { main } = await import(${JSON.stringify(fileURLToPath(new URL('../dist/cli/main.js', import.meta.url)))}); process.exitCode = await main(process.argv.slice(1));`,
  '--',
];

function timedRun(args: string[], input?: string, env?: NodeJS.ProcessEnv): number {
  const start = performance.now();
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', ...(input === undefined ? {} : { input }), ...(env ? { env: { ...process.env, ...env } } : {}) });
  const ms = performance.now() - start;
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

// a small tree for ls and save: a ramdisk object exported by a loopback target
const config = JSON.stringify({
  storage_objects: [{ plugin: 'ramdisk', name: 'startup', size: 1048576 }],
  targets: [{ fabric: 'loopback', wwn: 'naa.5001405aabb0f001', tpgs: [{ tag: 1, luns: [{ index: 0, storage_object: '/backstores/ramdisk/startup' }] }] }],
});
timedRun([BIN, 'restore', '-'], config);

const commands: Record<string, string[]> = {
  'node -e 0': ['-e', '0'],
  'rtslib --version': [BIN, '--version'],
  'rtslib --help': [BIN, '--help'],
  'rtslib ls': [BIN, 'ls'],
  'rtslib save -': [BIN, 'save', '-'],
  'rtslib --help (no code cache)': [BIN, '--help'],
  'rtslib ls (no code cache)': [BIN, 'ls'],
  'rtslib --help (unbundled)': [...UNBUNDLED, '--help'],
  'rtslib ls (unbundled)': [...UNBUNDLED, 'ls'],
};
/** The rows that run without the command's code cache (bin/bundle-loader.js): a first start after an install or a build. */
const NO_CACHE = { RTSLIB_CODE_CACHE: 'off' };
const envOf = (name: string): NodeJS.ProcessEnv | undefined => (name.includes('(no code cache)') ? NO_CACHE : undefined);
const times: Record<string, number[]> = Object.fromEntries(Object.keys(commands).map((k) => [k, []]));
for (const [name, args] of Object.entries(commands)) timedRun(args, undefined, envOf(name)); // warm-up: page cache, 9p, the code cache written
for (let i = 0; i < REPS; i++) for (const [name, args] of Object.entries(commands)) times[name]!.push(timedRun(args, undefined, envOf(name)));
timedRun([BIN, 'clear']);

const node = median(times['node -e 0']!);
const rows = Object.entries(times).map(([name, t]) => ({
  command: name,
  medianMs: Math.round(median(t)),
  minMs: Math.round(Math.min(...t)),
  maxMs: Math.round(Math.max(...t)),
  ratioToNode: Number((median(t) / node).toFixed(2)),
}));
const result = { kernel: release(), node: process.version, reps: REPS, rows };
mkdirSync(fileURLToPath(new URL('./out/', import.meta.url)), { recursive: true });
writeFileSync(OUT, `${JSON.stringify(result, null, 2)}\n`);
console.log(JSON.stringify(result, null, 2));
