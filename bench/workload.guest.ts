/**
 * Workload benchmark (runs in the guest: `npm run bench`): W(N, A) built,
 * listed, saved, cleared, restored and re-applied by three implementations
 * side by side in one guest boot — the syscall floor (bench/floor/cfs_floor.c),
 * ours (the library's planner; the `rtslib` command as extra rows) and
 * rtslib-fb (bench/rtslib-fb-workload.py). Every phase is timed on its own;
 * between implementations and repetitions the tree is cleared with the floor
 * and checked to be empty. Results go to bench/out/results.json (or
 * RTSLIB_BENCH_OUT); bench/report.ts turns them into bench/RESULTS.md.
 *
 * Environment:
 *   RTSLIB_BENCH_SIZES     e.g. "10x2" or "100x4,500x4" (NxA; ":ours" or ":floor,ours" picks implementations)
 *   RTSLIB_BENCH_REPS      repetitions per size (default 3); medians and the spread are reported
 *   RTSLIB_BENCH_FB_LIMIT_S  a rtslib-fb phase longer than this is stopped (default 300)
 *   RTSLIB_BENCH_CLI       "first" (default: the rtslib command rows in the first repetition), "all" or "none"
 *   RTSLIB_BENCH_OUT       results file (default bench/out/results.json)
 *   RTSLIB_BENCH_WARMUP    untimed warm-up size run by the floor and ours first (default "10x2"; "none" to skip)
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { RTSRoot, dumpConfig, planApply, planClear, planRestore, planWrites, readConfigFile, saveConfigFile, validateConfig } from '../src/index.js';
import { cpuSince, floorCpu, median, runFloor } from './stats.js';
import { expectedCounts, workloadConfig, type TreeCounts } from './workload-config.js';
import { writePhase } from './write-phase.js';

const TARGET = '/sys/kernel/config/target';
const WORK = '/tmp/bench-workload';
const FILES = `${WORK}/files`;
const OUT = process.env.RTSLIB_BENCH_OUT ?? 'bench/out/results.json';
const FB_LIMIT_S = Number(process.env.RTSLIB_BENCH_FB_LIMIT_S ?? 300);
const CLI_MODE = (process.env.RTSLIB_BENCH_CLI ?? 'first') as 'first' | 'all' | 'none';
/** Starts of `node -e 0` and of `rtslib --version` taken (in turns) for the startup row, whose medians it shows. */
const STARTUP_SAMPLES = 5;
/** The untimed warm-up size (RTSLIB_BENCH_WARMUP). */
const WARMUP_SPEC = process.env.RTSLIB_BENCH_WARMUP ?? '10x2';
const CLI_TIMEOUT_MS = 60 * 60_000;
const PYTHON = '/usr/bin/python3';
const FB_SCRIPT = 'bench/rtslib-fb-workload.py';
// rtslib-fb holds at most 255 mapped LUNs per ACL: it runs at W(250, A) only; W(10000,2) is `npm run bench:scale`
const DEFAULT_SIZES = '250x4,1000x4:floor,ours,250x16:floor,ours,1000x16:floor,ours';

/** The implementations compared. */
export type Impl = 'floor' | 'ours' | 'rtslib-fb';
const IMPLS: readonly Impl[] = ['floor', 'ours', 'rtslib-fb'];
/** The timed phases. */
export type Phase = 'create' | 'list' | 'save' | 'clear' | 'restore' | 'reapply' | 'startup';
/** One timed row of a phase: an implementation, or a variant of ours. */
export type SeriesId = 'floor' | 'ours' | 'ours-dump' | 'ours-cli' | 'rtslib-fb';

/** The samples of one row of one phase at one size. */
export interface Series {
  /** Milliseconds, one per repetition that completed. */
  samples: number[];
  /** Median of the samples (null when none completed). */
  median: number | null;
  /** What each sample was made of (sub-timings, operation counts). */
  details: Record<string, number | string>[];
  /** rtslib-fb only: the phase ran past the limit and was killed. */
  stopped?: boolean;
  /** The limit it was stopped at, in seconds. */
  afterS?: number;
}

/** Everything measured at one size. */
export interface SizeResult {
  n: number;
  a: number;
  reps: number;
  impls: Impl[];
  /** Files the floor's tree read read (the size of the tree). */
  treeFiles?: number;
  phases: Partial<Record<Phase, Partial<Record<SeriesId, Series>>>>;
  /** Steps planned by each unchanged re-apply (each must be 0). */
  reapplySteps: number[];
  /** Peak memory of a child process doing saveConfigFile (streamed) on this tree; snapshotEntries from the list phase. */
  rss?: { baselineKiB: number; vmHwmKiB: number; maxRssKiB: number; saveMs: number; bytes: number; snapshotEntries: number };
  /** Implementations not run here, and why. */
  skipped: Partial<Record<Impl, string>>;
  /** Wall time of the whole size, in seconds. */
  wallS?: number;
  /** The guest CPU's speed at the start of each repetition: {@link cpuProbe}, in milliseconds. */
  cpuProbeMs?: number[];
}

/** A phase that failed (an error, not a stop). */
export interface Failure {
  n: number;
  a: number;
  rep: number;
  impl: Impl;
  phase: string;
  error: string;
}

/** The file bench/report.ts reads. */
export interface WorkloadResults {
  date: string;
  kernel: string;
  cpu: string;
  cpus: number;
  /** The host's CPU (the guest sees only qemu's emulated one). */
  hostCpu: string;
  /** The host's load averages (1, 5, 15 min) when the guest was started: other work on the host slows the guest. */
  hostLoadAtStart: string;
  memoryMiB: number;
  node: string;
  python: string;
  rtslibFb: string;
  settings: { sizes: string; reps: string; fbLimitS: number; cli: string; cliWarmup?: boolean; nodeOptions?: string };
  notes: string[];
  sizes: SizeResult[];
  failures: Failure[];
  fbStops: { n: number; a: number; phase: string; afterS: number }[];
  complete: boolean;
  wallS?: number;
}

// ---------------------------------------------------------------- settings

interface SizeSpec {
  n: number;
  a: number;
  impls: Impl[];
}

function parseSizes(text: string): SizeSpec[] {
  // a comma followed by a digit starts the next size; other commas separate implementations ("1000x2:floor,ours,10000x2:floor,ours")
  return text
    .split(/,(?=\s*\d)/)
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const m = /^(\d+)x(\d+)(?::([a-z,-]+))?$/.exec(s);
      if (!m) throw new Error(`RTSLIB_BENCH_SIZES: bad size ${JSON.stringify(s)} (expected NxA, e.g. 100x4 or 2000x4:ours)`);
      const impls = m[3] ? m[3].split(',') : [...IMPLS];
      for (const i of impls) if (!IMPLS.includes(i as Impl)) throw new Error(`RTSLIB_BENCH_SIZES: unknown implementation ${i} in ${s}`);
      return { n: Number(m[1]), a: Number(m[2]), impls: impls as Impl[] };
    });
}

const SIZES = parseSizes(process.env.RTSLIB_BENCH_SIZES ?? DEFAULT_SIZES);
const repsFor = (_n: number): number => Number(process.env.RTSLIB_BENCH_REPS ?? 3);

// ---------------------------------------------------------------- the tree

function dirs(path: string): string[] {
  try {
    return readdirSync(path, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
  } catch {
    return [];
  }
}

/** Counts what the tree holds (storage objects, targets, LUNs, ACLs, mapped LUNs) with plain readdirs. */
function countTree(): TreeCounts {
  const c: TreeCounts = { storageObjects: 0, targets: 0, luns: 0, acls: 0, mappedLuns: 0 };
  for (const hba of dirs(`${TARGET}/core`)) if (hba !== 'alua') c.storageObjects += dirs(`${TARGET}/core/${hba}`).length;
  for (const fabric of dirs(TARGET)) {
    if (fabric === 'core') continue;
    for (const t of dirs(`${TARGET}/${fabric}`)) {
      if (t === 'discovery_auth') continue;
      c.targets++;
      for (const tpg of dirs(`${TARGET}/${fabric}/${t}`)) {
        if (!tpg.startsWith('tpgt_')) continue;
        const tpgDir = `${TARGET}/${fabric}/${t}/${tpg}`;
        c.luns += dirs(`${tpgDir}/lun`).length;
        for (const acl of dirs(`${tpgDir}/acls`)) {
          c.acls++;
          c.mappedLuns += dirs(`${tpgDir}/acls/${acl}`).filter((d) => d.startsWith('lun_')).length;
        }
      }
    }
  }
  return c;
}

/** HBAs left in core/ (any, even empty ones). */
const hbaCount = (): number => dirs(`${TARGET}/core`).filter((d) => d !== 'alua').length;

function checkCounts(what: string, want: TreeCounts): void {
  const got = countTree();
  const wrong = (Object.keys(want) as (keyof TreeCounts)[]).filter((k) => got[k] !== want[k]);
  if (wrong.length) throw new Error(`${what}: the tree has ${wrong.map((k) => `${got[k]} ${k} (want ${want[k]})`).join(', ')}`);
}

function isEmpty(): boolean {
  const c = countTree();
  return hbaCount() === 0 && c.targets === 0;
}

/** Clears the tree with the floor (untimed) when needed, checks it is empty, and removes the backing files. */
function cleanup(): void {
  if (!isEmpty()) runFloor(['clear', TARGET]);
  if (!isEmpty()) throw new Error(`the tree is not empty after cleanup: ${JSON.stringify(countTree())}, ${hbaCount()} HBAs`);
  rmSync(FILES, { recursive: true, force: true });
  mkdirSync(FILES, { recursive: true });
}

// ---------------------------------------------------------------- runners

/** Thrown when a rtslib-fb phase ran past the limit and was killed. */
class Stopped extends Error {
  constructor(readonly afterS: number) {
    super(`stopped after ${afterS} s`);
  }
}

/** Runs one phase of bench/rtslib-fb-workload.py under the limit; returns its JSON line plus the wall time. */
function runFb(args: string[]): Record<string, unknown> & { ms: number; wallMs: number } {
  const t0 = performance.now();
  const r = spawnSync(PYTHON, [FB_SCRIPT, ...args], { encoding: 'utf8', timeout: FB_LIMIT_S * 1000, killSignal: 'SIGKILL', maxBuffer: 64 << 20 });
  const wallMs = performance.now() - t0;
  if ((r.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT' || r.signal === 'SIGKILL') throw new Stopped(FB_LIMIT_S);
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`rtslib-fb ${args[0]} exited ${r.status}: ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' | ')}`);
  const line = r.stdout.trim().split('\n').pop() ?? '';
  const out = JSON.parse(line) as Record<string, unknown> & { ms: number };
  return { ...out, wallMs };
}

/** Runs `rtslib <args>` (bin/rtslib.js, the compiled CLI) and returns its wall time, process start included. */
function runCli(args: string[]): { ms: number; stdout: string } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['bin/rtslib.js', ...args], { encoding: 'utf8', timeout: CLI_TIMEOUT_MS, killSignal: 'SIGKILL', env: { ...process.env, NO_COLOR: '1' } });
  const ms = performance.now() - t0;
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`rtslib ${args.join(' ')} exited ${r.status}: ${(r.stderr || r.stdout).trim()}`);
  return { ms, stdout: r.stdout.trim() };
}

// ---------------------------------------------------------------- results

const results: WorkloadResults = {
  date: new Date().toISOString(),
  kernel: release(),
  cpu: cpus()[0]?.model ?? 'unknown',
  cpus: cpus().length,
  hostCpu: process.env.RTSLIB_BENCH_HOST_CPU ?? 'unknown',
  hostLoadAtStart: process.env.RTSLIB_BENCH_HOST_LOAD ?? 'unknown',
  memoryMiB: Math.round(totalmem() / 1048576),
  node: process.version,
  python: spawnSync(PYTHON, ['--version'], { encoding: 'utf8' }).stdout?.trim() ?? 'unknown',
  rtslibFb: spawnSync('dpkg-query', ['-W', '-f=${Version}', 'python3-rtslib-fb'], { encoding: 'utf8' }).stdout?.trim() || 'unknown',
  settings: {
    sizes: SIZES.map((s) => `${s.n}x${s.a}${s.impls.length < IMPLS.length ? `:${s.impls.join(',')}` : ''}`).join(','),
    reps: process.env.RTSLIB_BENCH_REPS ?? '3',
    fbLimitS: FB_LIMIT_S,
    cli: CLI_MODE,
    cliWarmup: CLI_MODE !== 'none' && WARMUP_SPEC !== 'none' && WARMUP_SPEC !== '0',
    ...(process.env.NODE_OPTIONS ? { nodeOptions: process.env.NODE_OPTIONS } : {}),
  },
  notes: [],
  sizes: [],
  failures: [],
  fbStops: [],
  complete: false,
};

function save(): void {
  for (const size of results.sizes) {
    for (const rows of Object.values(size.phases)) for (const s of Object.values(rows)) s.median = s.samples.length ? median(s.samples) : null;
  }
  mkdirSync(dirname(OUT), { recursive: true });
  writeFileSync(OUT, JSON.stringify(results, null, 2) + '\n');
}

/** The newest modification time under a directory. */
function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}
if (!existsSync('dist/cli/main.js')) results.notes.push('dist/cli/main.js is missing: the rtslib command rows will fail (run npm run build:ts)');
else if (statSync('dist/cli/main.js').mtimeMs < newest('src')) results.notes.push('dist/ is older than src/: the rtslib command rows ran the last build, not the current sources');
for (const n of results.notes) console.log(`note: ${n}`);

// ---------------------------------------------------------------- the run

/** Bytes hashed by {@link cpuProbe}. */
const PROBE_BYTES = 8 << 20;
const probeData = Buffer.alloc(PROBE_BYTES, 0x5a);
/**
 * Milliseconds to SHA-256 {@link PROBE_BYTES} bytes (native code, no system
 * call, no JIT): how fast the emulated CPU ran at that moment. The guest's
 * speed follows the host's, which other work slows; ours spends more of its
 * time in user code than the floor, so a slow host widens ours' ratios.
 */
function cpuProbe(): number {
  const t0 = performance.now();
  createHash('sha256').update(probeData).digest();
  return performance.now() - t0;
}

const fmt = (ms: number): string => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${ms.toFixed(0)} ms`);
const started = performance.now();
let fbStoppedAt: { n: number; a: number; phase: string } | null = null;

console.log(
  `workload benchmark: kernel ${results.kernel}, ${results.cpus} cpus (${results.cpu}), ${results.memoryMiB} MiB, node ${results.node}, ${results.python}, rtslib-fb ${results.rtslibFb}`,
);
console.log(`host: ${results.hostCpu}, load average at start ${results.hostLoadAtStart}`);
console.log(`sizes ${results.settings.sizes}; rtslib-fb limit ${FB_LIMIT_S} s per phase; rtslib command rows: ${CLI_MODE}`);
mkdirSync(WORK, { recursive: true });
cleanup();

/** Recording the samples of one size. */
class SizeRun {
  readonly size: SizeResult;
  readonly label: string;
  readonly want: TreeCounts;
  rep = 0;
  /** The phase running (named in failures). */
  phase = 'create';

  constructor(
    readonly n: number,
    readonly a: number,
    impls: Impl[],
    readonly warmup = false,
  ) {
    this.size = { n, a, reps: repsFor(n), impls: [...impls], phases: {}, reapplySteps: [], skipped: {} };
    this.label = `${n}x${a}`;
    this.want = expectedCounts(n, a);
  }

  series(phase: Phase, id: SeriesId): Series {
    const rows = (this.size.phases[phase] ??= {});
    return (rows[id] ??= { samples: [], median: null, details: [] });
  }

  record(phase: Phase, id: SeriesId, ms: number, details: Record<string, number | string> = {}, suffix = ''): void {
    const s = this.series(phase, id);
    s.samples.push(ms);
    s.details.push(details);
    if (!this.warmup) this.log(`${id} ${phase}: ${fmt(ms)}${suffix}`);
  }

  log(line: string): void {
    console.log(`  [${this.label} ${this.rep + 1}/${this.size.reps}] ${line}`);
  }
}

/** The floor: create, full tree read (the reference of list and save), serial clear, create again (the floor of a restore). */
function runFloorPhases(r: SizeRun): void {
  const { n, a } = r;
  r.phase = 'create';
  const created = runFloor(['create', TARGET, String(n), String(a), FILES]);
  r.record('create', 'floor', created.ms, floorCpu(created));
  checkCounts('floor create', r.want);
  r.phase = 'list';
  const read = runFloor(['read', TARGET]);
  r.size.treeFiles = read.files;
  r.record('list', 'floor', read.ms, { files: read.files, bytes: read.bytes, ...floorCpu(read) }, ` (tree read, ${read.files} files)`);
  r.series('save', 'floor').samples.push(read.ms);
  r.series('save', 'floor').details.push({ reference: 'the tree read of the list phase', ...floorCpu(read) });
  r.phase = 'clear';
  const cleared = runFloor(['clear', TARGET]);
  r.record('clear', 'floor', cleared.ms, floorCpu(cleared), ' (serial)');
  if (!isEmpty()) throw new Error(`floor clear left objects behind: ${JSON.stringify(countTree())}`);
  r.phase = 'restore';
  const again = runFloor(['create', TARGET, String(n), String(a), FILES]);
  r.record('restore', 'floor', again.ms, floorCpu(again), ' (create again)');
  checkCounts('floor restore', r.want);
}

/** Wall time and CPU time (every thread) of `fn`, with its value. */
async function timedCpu<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number; cpu: { userMs: number; sysMs: number } }> {
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const value = await fn();
  return { value, ms: performance.now() - t0, cpu: cpuSince(cpu0) };
}

/** Ours: the library's planner (and the rtslib command as extra rows). */
async function runOurs(r: SizeRun): Promise<void> {
  const { n, a, rep } = r;
  const oursFile = `${WORK}/ours-saveconfig.json`;
  const cliFile = `${WORK}/ours-cli-saveconfig.json`;
  const config = validateConfig(workloadConfig(n, a, FILES));

  r.phase = 'create';
  const created = await writePhase((root) => planApply(root, config));
  r.record(
    'create',
    'ours',
    created.ms,
    { ...created.details, writes: planWrites(created.plan) },
    ` (plan ${fmt(created.details.planMs)}, ${created.result.operations} operations)`,
  );
  checkCounts('ours create', r.want);

  r.phase = 'list';
  const listed = await timedCpu(async () => (await new RTSRoot().cfs.snapshot('')).size);
  const entries = listed.value;
  r.record('list', 'ours', listed.ms, { entries, ...listed.cpu }, ` (snapshot, ${entries} entries)`);
  const dumped = await timedCpu(() => dumpConfig(new RTSRoot()));
  r.record('list', 'ours-dump', dumped.ms, dumped.cpu, ' (dumpConfig)');

  r.phase = 'save';
  const saved = await timedCpu(() => saveConfigFile(new RTSRoot(), oursFile, { backups: 0 }));
  r.record('save', 'ours', saved.ms, { bytes: statSync(oursFile).size, ...saved.cpu });
  // the warm-up runs each command once untimed: its first run writes the command's code cache (as a user's first run
  // after installing does), so that no timed row is a first run
  const cli = CLI_MODE !== 'none' && (r.warmup || CLI_MODE === 'all' || rep === 0);
  if (cli) {
    r.phase = 'save (rtslib command)';
    r.record('save', 'ours-cli', runCli(['save', cliFile, '--no-backup']).ms, {}, ' (rtslib save, process start included)');
    if (readFileSync(cliFile, 'utf8') !== readFileSync(oursFile, 'utf8')) results.notes.push(`W(${n},${a}): rtslib save and saveConfigFile wrote different files`);
  }
  if (rep === 0 && !r.warmup) {
    r.phase = 'peak RSS';
    const child = spawnSync(process.execPath, ['bench/workload-rss.guest.mjs', `${WORK}/rss-saveconfig.json`], { encoding: 'utf8', timeout: CLI_TIMEOUT_MS });
    const line = (child.stdout ?? '').trim().split('\n').pop() ?? '';
    if (line.startsWith('{')) {
      const rss = { ...(JSON.parse(line) as Omit<NonNullable<SizeResult['rss']>, 'snapshotEntries'>), snapshotEntries: entries };
      r.size.rss = rss;
      r.log(
        `ours peak RSS of a save (child process, streamed): ${(rss.maxRssKiB / 1024).toFixed(0)} MiB (node + library loaded: ${(rss.baselineKiB / 1024).toFixed(0)} MiB), save ${fmt(rss.saveMs)}`,
      );
    }
    if (child.status !== 0) {
      // the first lines say what failed, the last where
      const tailOf = (text: string | null | undefined): string => {
        const lines = (text ?? '').trim().split('\n');
        return (lines.length > 12 ? [...lines.slice(0, 8), '…', ...lines.slice(-4)] : lines).join(' | ') || '(nothing)';
      };
      const note = `W(${n},${a}): the peak-RSS child (node bench/workload-rss.guest.mjs) ended with status ${child.status}, signal ${child.signal}${child.error ? `, error ${child.error.message}` : ''}${line.startsWith('{') ? ' after printing its result' : ''}; stderr: ${tailOf(child.stderr)}; stdout: ${tailOf(child.stdout)}`;
      results.notes.push(note);
      r.log(`NOTE ${note}`);
    }
  }

  r.phase = 'clear';
  const cleared = await writePhase((root) => planClear(root));
  r.record(
    'clear',
    'ours',
    cleared.ms,
    cleared.details,
    ` (plan ${fmt(cleared.details.planMs)}, undo image ${fmt(cleared.details.imageMs)}, ${cleared.result.operations} operations)`,
  );
  if (!isEmpty()) throw new Error(`planClear + executePlan left objects behind: ${JSON.stringify(countTree())}`);

  r.phase = 'restore';
  const t0 = performance.now();
  const fromFile = await readConfigFile(oursFile);
  const readMs = performance.now() - t0;
  const restored = await writePhase((root) => planRestore(root, fromFile));
  r.record(
    'restore',
    'ours',
    readMs + restored.ms,
    { readMs, ...restored.details },
    ` (read file ${fmt(readMs)}, plan ${fmt(restored.details.planMs)}, ${restored.result.operations} operations, ${restored.result.skipped} conditional writes skipped)`,
  );
  checkCounts('ours restore', r.want);

  r.phase = 'reapply';
  const savedConfig = await readConfigFile(oursFile);
  const reapplied = await writePhase((root) => planApply(root, savedConfig));
  const again = reapplied.plan;
  r.size.reapplySteps.push(again.steps.length);
  r.record('reapply', 'ours', reapplied.ms, reapplied.details, ` (${again.steps.length} steps planned)`);
  if (again.steps.length)
    results.notes.push(
      `W(${n},${a}) rep ${rep + 1}: the unchanged re-apply planned ${again.steps.length} steps, e.g. ${again.steps
        .slice(0, 3)
        .map((s) => s.object)
        .join('; ')}`,
    );

  if (cli) {
    r.phase = 'clear (rtslib command)';
    const c = runCli(['clear']);
    r.record('clear', 'ours-cli', c.ms, {}, ` (${c.stdout})`);
    if (!isEmpty()) throw new Error(`rtslib clear left objects behind: ${JSON.stringify(countTree())}`);
    r.phase = 'restore (rtslib command)';
    const s = runCli(['restore', cliFile]);
    r.record('restore', 'ours-cli', s.ms, {}, ` (${s.stdout})`);
    checkCounts('rtslib restore', r.want);
    if (rep === 0) {
      r.phase = 'startup (rtslib command)';
      // one start is a few hundred ms in the guest, and single samples of either spread 2x: the median of five of each, taken in turns
      const nodeStarts: number[] = [];
      const commandStarts: number[] = [];
      for (let k = 0; k < STARTUP_SAMPLES; k++) {
        const t = performance.now();
        const bare = spawnSync(process.execPath, ['-e', '0']);
        nodeStarts.push(performance.now() - t);
        if (bare.status !== 0) throw new Error('node -e 0 failed');
        commandStarts.push(runCli(['--version']).ms);
      }
      const nodeMs = median(nodeStarts);
      r.record('startup', 'ours-cli', median(commandStarts), { nodeMs }, ` (rtslib --version: process start alone, median of ${STARTUP_SAMPLES}; node -e 0: ${fmt(nodeMs)})`);
    }
  }
}

/** rtslib-fb through its object API, its dump and its own save/clear/restore. */
function runRtslibFb(r: SizeRun): void {
  const fbFile = `${WORK}/fb-saveconfig.json`;
  const step = (phase: Phase, args: string[], suffix = ''): Record<string, unknown> => {
    r.phase = phase;
    const out = runFb(args);
    r.record(phase, 'rtslib-fb', out.ms, { wallMs: out.wallMs, importMs: Number(out.importMs ?? 0) }, `${suffix} (process ${fmt(out.wallMs)})`);
    return out;
  };
  step('create', ['create', String(r.n), String(r.a), FILES]);
  checkCounts('rtslib-fb create', r.want);
  step('list', ['dump'], ' (RTSRoot().dump())');
  step('save', ['save', fbFile]);
  step('clear', ['clear']);
  if (!isEmpty()) throw new Error(`rtslib-fb clear_existing left objects behind: ${JSON.stringify(countTree())}`);
  const out = step('restore', ['restore', fbFile]);
  const errors = (out.errors as string[] | undefined) ?? [];
  if (errors.length) throw new Error(`restore_from_file reported ${errors.length} errors: ${errors.slice(0, 3).join(' | ')}`);
  checkCounts('rtslib-fb restore', r.want);
}

const WARMUP = WARMUP_SPEC;
if (WARMUP !== 'none' && WARMUP !== '0') {
  // The first configfs operations of a boot, and ours' first run in this
  // process (JIT, module set-up), are slower than the rest: a small untimed
  // round of the floor and ours keeps that out of the first measured size.
  const [w] = parseSizes(WARMUP);
  const t = performance.now();
  const r = new SizeRun(w!.n, w!.a, ['floor', 'ours'], true);
  try {
    runFloorPhases(r);
    cleanup();
    await runOurs(r);
    console.log(`warm-up: W(${w!.n},${w!.a}) by the floor and ours${CLI_MODE === 'none' ? '' : ' (and each rtslib command once)'}, untimed (${fmt(performance.now() - t)})`);
  } catch (error) {
    results.notes.push(`the warm-up failed in ${r.phase}: ${error instanceof Error ? error.message : String(error)}`);
    console.log(`warm-up: FAILED in ${r.phase}: ${error instanceof Error ? error.message : String(error)}`);
  }
  cleanup();
}

for (const spec of SIZES) {
  const r = new SizeRun(spec.n, spec.a, spec.impls);
  const { n, a, size } = r;
  results.sizes.push(size);
  const sizeStart = performance.now();
  console.log(`W(${n},${a}): ${spec.impls.join(', ')}; ${size.reps} repetition${size.reps === 1 ? '' : 's'}`);
  for (r.rep = 0; r.rep < size.reps; r.rep++) {
    const probe = cpuProbe();
    (size.cpuProbeMs ??= []).push(probe);
    r.log(`guest CPU probe: ${fmt(probe)} (SHA-256 of ${PROBE_BYTES >> 20} MiB)`);
    for (const impl of spec.impls) {
      if (impl === 'rtslib-fb' && fbStoppedAt && n >= fbStoppedAt.n && !(n === fbStoppedAt.n && a < fbStoppedAt.a)) {
        size.skipped['rtslib-fb'] ??= `not run: rtslib-fb was stopped at W(${fbStoppedAt.n},${fbStoppedAt.a}) (${fbStoppedAt.phase} ran past ${FB_LIMIT_S} s)`;
        continue;
      }
      r.phase = 'create';
      try {
        if (impl === 'floor') runFloorPhases(r);
        else if (impl === 'ours') await runOurs(r);
        else runRtslibFb(r);
      } catch (error) {
        if (error instanceof Stopped && impl === 'rtslib-fb') {
          const s = r.series(r.phase as Phase, 'rtslib-fb');
          s.stopped = true;
          s.afterS = error.afterS;
          fbStoppedAt = { n, a, phase: r.phase };
          results.fbStops.push({ n, a, phase: r.phase, afterS: error.afterS });
          size.skipped['rtslib-fb'] = `${r.phase} stopped after ${error.afterS} s; its remaining phases, repetitions and larger sizes skipped`;
          r.log(`rtslib-fb ${r.phase}: STOPPED after ${error.afterS} s (remaining phases and larger sizes skipped)`);
        } else {
          const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
          results.failures.push({ n, a, rep: r.rep, impl, phase: r.phase, error: message });
          r.log(`${impl} ${r.phase}: FAILED ${message}`);
        }
      }
      cleanup();
    }
    save();
  }
  size.wallS = (performance.now() - sizeStart) / 1000;
  save();
}

results.complete = true;
results.wallS = (performance.now() - started) / 1000;
save();
rmSync(WORK, { recursive: true, force: true });
console.log(`workload benchmark done in ${fmt(results.wallS * 1000)}: ${results.failures.length} failed phase(s), ${results.fbStops.length} rtslib-fb stop(s); results in ${OUT}`);
