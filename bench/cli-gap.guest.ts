/**
 * Why the `rtslib` command is slower than the library at the same work
 * (issue 15, item 6), measured in the guest (`npm run bench:cli-gap`). At
 * W(N, A) (RTSLIB_GAP_SIZE, default 250x16) the tree is saved to a file,
 * cleared and restored by each of these in turn, RTSLIB_GAP_REPS times
 * (default 3):
 *
 * - `rtslib save <file> --no-backup`, `rtslib clear` and `rtslib restore
 *   <file>` (bin/rtslib.js, the bundle);
 * - the same save and write runs through the built library (dist/) in a
 *   fresh node process (bench/cli-gap-library.mjs);
 * - the same through the built library in this, long-running, process;
 * - the command again under node options named in RTSLIB_GAP_NODE_VARIANTS
 *   (`;`-separated, e.g. "--max-semi-space-size=64;--always-sparkplug");
 * - other entry files in place of bin/rtslib.js, named in RTSLIB_GAP_BINS
 *   (`;`-separated paths: an experiment's loader, timed beside the command).
 *
 * Child processes report their own start-to-exit time, CPU time and garbage
 * collection time (bench/cli-gap-probe.mjs); the wall time is measured from
 * here, process start included. With RTSLIB_GAP_PROFILE=1 one more save,
 * clear and restore by the command and by the fresh library process are profiled
 * (--cpu-prof) into bench/out/cli-gap-prof/. Writes bench/out/cli-gap.json
 * and the medians as a Markdown table in bench/out/cli-gap.md.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { PerformanceObserver } from 'node:perf_hooks';
import type * as Library from '../src/index.js';
import { median } from './stats.js';
import { workloadConfig } from './workload-config.js';

const WORK = '/tmp/bench-cli-gap';
const FILES = `${WORK}/files`;
const SAVED = `${WORK}/saveconfig.json`;
/** Where the timed saves write (the restores read SAVED). */
const SAVED_AGAIN = `${WORK}/saved-again.json`;
const PROBE_OUT = `${WORK}/probe.json`;
const PROBE = './bench/cli-gap-probe.mjs';
const PROFILE_DIR = 'bench/out/cli-gap-prof';
const OUT = 'bench/out/cli-gap.json';
const OUT_MD = 'bench/out/cli-gap.md';
const [N, A] = (process.env.RTSLIB_GAP_SIZE ?? '250x16').split('x').map(Number) as [number, number];
const REPS = Number(process.env.RTSLIB_GAP_REPS ?? 3);
const NODE_VARIANTS = (process.env.RTSLIB_GAP_NODE_VARIANTS ?? '')
  .split(';')
  .map((s) => s.trim())
  .filter(Boolean);

/** What is timed: a save to a file, then a clear and a restore of it. */
type Verb = 'save' | 'clear' | 'restore';
const VERBS: readonly Verb[] = ['save', 'clear', 'restore'];
/** The command's arguments for a verb. */
const commandArgs = (verb: Verb, bin = 'bin/rtslib.js'): string[] => [
  bin,
  ...(verb === 'save' ? ['save', SAVED_AGAIN, '--no-backup'] : verb === 'clear' ? ['clear'] : ['restore', SAVED]),
];
/** The same through the library in a fresh process. */
const libraryArgs = (verb: Verb): string[] => ['bench/cli-gap-library.mjs', verb, ...(verb === 'save' ? [SAVED_AGAIN] : verb === 'restore' ? [SAVED] : [])];

/** One timed save, clear or restore of one variant. */
interface Sample {
  variant: string;
  verb: Verb;
  rep: number;
  /** Wall time seen from here (a child's includes its process start). */
  wallMs: number;
  /** The child's own time from its start to its exit (absent in process). */
  upMs?: number;
  userMs: number;
  sysMs: number;
  gcMs: number;
  gcCount: number;
}

const samples: Sample[] = [];

function child(variant: string, verb: Verb, rep: number, nodeArgs: string[], scriptArgs: string[]): void {
  rmSync(PROBE_OUT, { force: true });
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [...nodeArgs, '--import', PROBE, ...scriptArgs], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', RTSLIB_PROBE_OUT: PROBE_OUT },
  });
  const wallMs = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${variant} ${verb} exited ${r.status}: ${(r.stderr || r.stdout).trim()}`);
  const probe = JSON.parse(readFileSync(PROBE_OUT, 'utf8')) as Omit<Sample, 'variant' | 'verb' | 'rep' | 'wallMs'>;
  samples.push({ variant, verb, rep, wallMs, ...probe });
  console.log(`  ${variant} ${verb}: ${(wallMs / 1000).toFixed(2)} s (${r.stdout.trim()})`);
}

let gcMs = 0;
let gcCount = 0;
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    gcMs += e.duration;
    gcCount++;
  }
}).observe({ entryTypes: ['gc'] });

// the built library, as the command and the fresh process run it (not src/ through tsx)
const DIST: string = '../dist/index.js';
const lib = (await import(DIST)) as typeof Library;
async function inProcess(verb: Verb, rep: number): Promise<void> {
  const gc0 = { gcMs, gcCount };
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const root = new lib.RTSRoot();
  if (verb === 'save') await lib.saveConfigFile(root, SAVED_AGAIN, { backups: 0 });
  else {
    const config = verb === 'restore' ? await lib.readConfigFile(SAVED) : null;
    await root.cfs.exclusive(async () => {
      const plan = config ? await lib.planRestore(root, config) : await lib.planClear(root);
      await lib.executePlan(root, plan, { command: verb });
    });
  }
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  await new Promise((resolve) => setTimeout(resolve, 50)); // the gc entries arrive asynchronously
  samples.push({
    variant: 'library, in this process',
    verb,
    rep,
    wallMs,
    userMs: cpu.user / 1000,
    sysMs: cpu.system / 1000,
    gcMs: gcMs - gc0.gcMs,
    gcCount: gcCount - gc0.gcCount,
  });
  console.log(`  library in process ${verb}: ${(wallMs / 1000).toFixed(2)} s`);
}

const cli =
  (variant: string, nodeArgs: string[] = []) =>
  (verb: Verb, rep: number) =>
    child(variant, verb, rep, nodeArgs, commandArgs(verb));
const variants: [string, (verb: Verb, rep: number) => void | Promise<void>][] = [
  ['rtslib command', cli('rtslib command')],
  ['library, fresh process', (verb, rep) => child('library, fresh process', verb, rep, [], libraryArgs(verb))],
  ['library, in this process', inProcess],
  ...(process.env.RTSLIB_GAP_BINS ?? '')
    .split(';')
    .filter(Boolean)
    .map((b): [string, (verb: Verb, rep: number) => void] => [`bin ${b}`, (verb, rep) => child(`bin ${b}`, verb, rep, [], commandArgs(verb, b))]),
  ...NODE_VARIANTS.map((opts): [string, (verb: Verb, rep: number) => void] => [`rtslib command ${opts}`, cli(`rtslib command ${opts}`, opts.split(/\s+/))]),
];

rmSync(WORK, { recursive: true, force: true });
mkdirSync(FILES, { recursive: true });
writeFileSync(`${WORK}/workload.json`, JSON.stringify(workloadConfig(N, A, FILES)));
console.log(`cli-gap: W(${N},${A}), ${REPS} repetitions, variants: ${variants.map(([v]) => v).join('; ')}`);
const setup = spawnSync(process.execPath, ['bin/rtslib.js', 'restore', `${WORK}/workload.json`], { encoding: 'utf8' });
if (setup.status !== 0) throw new Error(`set-up restore failed: ${setup.stderr}`);
const saved = spawnSync(process.execPath, ['bin/rtslib.js', 'save', SAVED, '--no-backup'], { encoding: 'utf8' });
if (saved.status !== 0) throw new Error(`set-up save failed: ${saved.stderr}`);

for (let rep = 0; rep < REPS; rep++) {
  console.log(`repetition ${rep + 1}`);
  for (const [, run] of variants) for (const verb of VERBS) await run(verb, rep);
}
if (process.env.RTSLIB_GAP_PROFILE === '1') {
  rmSync(PROFILE_DIR, { recursive: true, force: true });
  mkdirSync(PROFILE_DIR, { recursive: true });
  const prof = (name: string): string[] => ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`, `--cpu-prof-name=${name}.cpuprofile`];
  console.log('profiles');
  for (const [name, variant, args] of [
    ['command', 'rtslib command (profiled)', commandArgs],
    ['library', 'library, fresh process (profiled)', libraryArgs],
  ] as const) {
    for (const verb of VERBS) child(variant, verb, 0, prof(`${name}-${verb}`), args(verb));
  }
}
spawnSync(process.execPath, ['bin/rtslib.js', 'clear'], { encoding: 'utf8' });

/** Medians (and the wall time's range) of each variant's calls, in milliseconds; null where a variant has no such figure. */
const summary = variants.flatMap(([variant]) =>
  VERBS.map((verb) => {
    const of = samples.filter((s) => s.variant === variant && s.verb === verb);
    const m = (key: 'upMs' | 'userMs' | 'sysMs' | 'gcMs' | 'gcCount'): number | null => (of.some((s) => s[key] === undefined) ? null : median(of.map((s) => s[key] as number)));
    const walls = of.map((s) => s.wallMs);
    return {
      variant,
      verb,
      wallMs: median(walls),
      wallMinMs: Math.min(...walls),
      wallMaxMs: Math.max(...walls),
      upMs: m('upMs'),
      userMs: m('userMs'),
      sysMs: m('sysMs'),
      gcMs: m('gcMs'),
      gcCount: m('gcCount'),
    };
  }),
);
const secs = (ms: number | null): string => (ms === null ? '—' : (ms / 1000).toFixed(2));
console.table(
  summary.map((r) => ({
    variant: r.variant,
    verb: r.verb,
    wallS: secs(r.wallMs),
    upS: secs(r.upMs),
    userS: secs(r.userMs),
    sysS: secs(r.sysMs),
    gcS: secs(r.gcMs),
    gcCount: r.gcCount,
  })),
);
mkdirSync('bench/out', { recursive: true });
writeFileSync(
  OUT,
  JSON.stringify({ date: new Date().toISOString(), size: { n: N, a: A }, reps: REPS, hostLoadAtStart: process.env.RTSLIB_BENCH_HOST_LOAD, samples, medians: summary }, null, 2) +
    '\n',
);
const table = [
  `W(${N},${A}), ${REPS} repetitions, ${new Date().toISOString().slice(0, 10)}; host load average at the start ${process.env.RTSLIB_BENCH_HOST_LOAD ?? 'unknown'}. Medians in seconds (wall: min–max).`,
  '',
  '| variant | call | wall | start to exit | CPU user | CPU system | GC |',
  '|---|---|---:|---:|---:|---:|---:|',
  ...summary.map(
    (r) =>
      `| ${r.variant} | ${r.verb} | ${secs(r.wallMs)} (${secs(r.wallMinMs)}–${secs(r.wallMaxMs)}) | ${secs(r.upMs)} | ${secs(r.userMs)} | ${secs(r.sysMs)} | ${secs(r.gcMs)} |`,
  ),
];
writeFileSync(OUT_MD, table.join('\n') + '\n');
console.log(`wrote ${OUT} and ${OUT_MD}`);
