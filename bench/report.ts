/**
 * Host side of `npm run bench`: turns the guest's results
 * (bench/out/results.json) into bench/RESULTS.md — a table per phase with
 * floor / ours / rtslib-fb and the ratios, the goals with PASS or FAIL
 * computed from the data, rtslib-fb stops, failures — and bench/results.svg,
 * a plot of time against N per phase (no dependency: hand-written SVG).
 *
 *   tsx bench/report.ts [--strict] [results.json] [RESULTS.md] [results.svg]
 *
 * With --strict (the smoke run) the exit code is 1 when any implementation
 * failed a phase or the run did not complete.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { basename, dirname, relative } from 'node:path';
import type { Phase, Series, SeriesId, SizeResult, WorkloadResults } from './workload.guest.js';

const args = process.argv.slice(2);
const strict = args.includes('--strict');
const [input = 'bench/out/results.json', mdOut = 'bench/RESULTS.md', svgOut = 'bench/results.svg'] = args.filter((x) => x !== '--strict');
const results = JSON.parse(readFileSync(input, 'utf8')) as WorkloadResults;
const sizes = results.sizes;

// ---------------------------------------------------------------- values

const LABELS: Record<SeriesId, string> = {
  floor: 'floor (C, serial)',
  ours: 'ours (library API)',
  'ours-dump': 'ours dumpConfig',
  'ours-cli': 'ours (rtslib command)',
  'rtslib-fb': 'rtslib-fb',
};

/** What each row of each phase is. */
const PHASES: { phase: Phase; title: string; rows: Partial<Record<SeriesId, string>> }[] = [
  {
    phase: 'create',
    title: 'Create everything',
    rows: {
      floor: '`cfs_floor create`',
      ours: '`planApply` + `executePlan` of a config built in TS, in one `root.cfs.exclusive` hold',
      'rtslib-fb': 'object API: FileIOStorageObject, Target, TPG, LUN, NodeACL, MappedLUN',
    },
  },
  {
    phase: 'list',
    title: 'List / snapshot the whole tree',
    rows: { floor: '`cfs_floor read` (every readable file)', ours: "`root.cfs.snapshot('')`", 'ours-dump': '`dumpConfig(root)`', 'rtslib-fb': '`RTSRoot().dump()`' },
  },
  {
    phase: 'save',
    title: 'Save',
    rows: {
      floor: 'the full tree read (reference)',
      ours: '`saveConfigFile(root, file, { backups: 0 })` (streamed)',
      'ours-cli': '`rtslib save <file> --no-backup` (process start included)',
      'rtslib-fb': '`RTSRoot().save_to_file(file)`',
    },
  },
  {
    phase: 'clear',
    title: 'Clear',
    rows: {
      floor: '`cfs_floor clear` (serial, kernel order)',
      ours: "`planClear` + `executePlan` in one `root.cfs.exclusive` hold (one tree read: the plan's and the undo image's; parallel teardown)",
      'ours-cli': '`rtslib clear` (process start included)',
      'rtslib-fb': '`RTSRoot().clear_existing(confirm=True)`',
    },
  },
  {
    phase: 'restore',
    title: 'Restore (from the saved file, onto an empty tree)',
    rows: {
      floor: '`cfs_floor create` again (the floor of a restore)',
      ours: '`readConfigFile` + `planRestore` + `executePlan` (plan and run in one hold)',
      'ours-cli': '`rtslib restore <file>` (process start included)',
      'rtslib-fb': '`RTSRoot().restore_from_file(file)` (its own file)',
    },
  },
  { phase: 'reapply', title: 'Re-apply the saved config, unchanged (ours only)', rows: { ours: '`planApply` + `executePlan` on the restored tree, in one hold' } },
];
const ORDER: SeriesId[] = ['floor', 'ours', 'ours-dump', 'ours-cli', 'rtslib-fb'];

const get = (s: SizeResult, phase: Phase, id: SeriesId): Series | undefined => s.phases[phase]?.[id];
const med = (s: SizeResult, phase: Phase, id: SeriesId): number | null => {
  const x = get(s, phase, id);
  return x && x.samples.length ? x.median : null;
};
/** A lower bound in ms for a stopped rtslib-fb phase. */
const stoppedMs = (s: SizeResult, phase: Phase): number | null => {
  const x = get(s, phase, 'rtslib-fb');
  return x?.stopped ? (x.afterS ?? results.settings.fbLimitS) * 1000 : null;
};
const sizeName = (s: SizeResult): string => `W(${s.n},${s.a})`;

function time(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms < 10) return `${ms.toFixed(2)} ms`;
  if (ms < 1000) return `${ms.toFixed(0)} ms`;
  if (ms < 100_000) return `${(ms / 1000).toFixed(2)} s`;
  return `${(ms / 1000).toFixed(0)} s`;
}
const ratio = (x: number): string => `${x < 0.1 ? x.toFixed(3) : x.toFixed(2)}×`;

// ---------------------------------------------------------------- goals

type Verdict = 'PASS' | 'FAIL' | 'n/a';
interface GoalResult {
  goal: string;
  measured: string[];
  verdict: Verdict;
}

/** Which sizes a goal applies to. */
type SizeFilter = (s: SizeResult) => boolean;
const everySize: SizeFilter = () => true;
/** The rtslib command rows count from N = 250 (below it, process start dominates). */
const commandSizes: SizeFilter = (s) => s.n >= 250;

/** A goal `series / reference <= limit` checked at every size (of `only`) that has both. */
function ratioGoal(
  goal: string,
  limit: number,
  phase: Phase,
  ref: (s: SizeResult) => number | null,
  refName: string,
  id: SeriesId = 'ours',
  only: SizeFilter = everySize,
  extra?: (s: SizeResult, ref: number) => string,
): GoalResult {
  const measured: string[] = [];
  let verdict: Verdict = 'n/a';
  for (const s of sizes.filter(only)) {
    const ours = med(s, phase, id);
    const r = ref(s);
    if (ours === null || r === null || r <= 0) continue;
    const x = ours / r;
    const ok = x <= limit;
    measured.push(`${sizeName(s)} ${ratio(x)}${ok ? '' : ' ✗'}${extra ? extra(s, r) : ''}`);
    verdict = verdict === 'FAIL' || !ok ? 'FAIL' : 'PASS';
  }
  if (!measured.length) measured.push(`no size with both ${id} and ${refName}`);
  return { goal, measured, verdict };
}

/** Median of the `node -e 0` times recorded beside `rtslib --version`. */
function nodeStartMs(s: SizeResult): number | null {
  const d = (get(s, 'startup', 'ours-cli')?.details ?? []).map((x) => Number(x.nodeMs)).filter(Number.isFinite);
  return d.length ? ([...d].sort((p, q) => p - q)[Math.floor(d.length / 2)] ?? null) : null;
}

/** Ours' time per object at N = 10,000 against N = 1,000 (same A), per phase, beside the floor's for the same phase. */
function scalingGoal(phase: Phase): GoalResult {
  const g: GoalResult = { goal: `scale: ours' ${phase} time per object at N = 10,000 ≤ 1.2× that at N = 1,000`, measured: [], verdict: 'n/a' };
  for (const a of [...new Set(sizes.map((s) => s.a))].sort((x, y) => x - y)) {
    const small = sizes.find((s) => s.a === a && s.n === 1000);
    const large = sizes.find((s) => s.a === a && s.n === 10000);
    const ts = small && med(small, phase, 'ours');
    const tl = large && med(large, phase, 'ours');
    if (!small || !large || !ts || !tl) continue;
    const x = tl / 10000 / (ts / 1000);
    const ok = x <= 1.2;
    // the floor's own growth for the same work: what of it is the kernel's
    const fs = med(small, phase, 'floor');
    const fl = med(large, phase, 'floor');
    const floorGrowth = fs && fl ? ` (the floor's own: ${ratio(fl / 10000 / (fs / 1000))})` : '';
    g.measured.push(`A = ${a}: ${ratio(x)}${ok ? '' : ' ✗'}${floorGrowth}`);
    g.verdict = g.verdict === 'FAIL' || !ok ? 'FAIL' : 'PASS';
  }
  if (!g.measured.length) g.measured.push('needs N = 1,000 and N = 10,000 with the same A (the W(10000,2) run)');
  return g;
}

/** Issue 15's goals (performance, round two), each at every size of the run that has what it compares. */
function goals(): GoalResult[] {
  const floor = (phase: Phase) => (s: SizeResult) => med(s, phase, 'floor');
  const out: GoalResult[] = [
    ratioGoal('restore ≤ 1.2× floor', 1.2, 'restore', floor('restore'), 'the floor'),
    ratioGoal('clear ≤ 0.6× the serial floor', 0.6, 'clear', floor('clear'), 'the floor', 'ours', everySize, (s, ref) => {
      const ops = detailMedian(s, 'clear', 'ours', 'opsMs');
      return ops === null ? '' : ` (its removals alone, after the undo image: ${ratio(ops / ref)})`;
    }),
    ratioGoal("save ≤ 1.0× the floor's full tree read", 1.0, 'save', floor('save'), 'the floor'),
  ];
  // unchanged re-apply: zero steps and no slower than one snapshot
  const reapply: GoalResult = { goal: 'unchanged re-apply ≤ 1.0× one snapshot (and 0 steps planned)', measured: [], verdict: 'n/a' };
  for (const s of sizes) {
    const t = med(s, 'reapply', 'ours');
    const snap = med(s, 'list', 'ours');
    if (t === null || snap === null) continue;
    const steps = Math.max(0, ...s.reapplySteps);
    const ok = t <= snap && steps === 0;
    reapply.measured.push(`${sizeName(s)} ${ratio(t / snap)}, ${steps} steps${ok ? '' : ' ✗'}`);
    reapply.verdict = reapply.verdict === 'FAIL' || !ok ? 'FAIL' : 'PASS';
  }
  if (!reapply.measured.length) reapply.measured.push('no size with a re-apply');
  out.push(reapply);
  out.push(
    ratioGoal('create ≤ 1.2× floor at A < 16', 1.2, 'create', floor('create'), 'the floor', 'ours', (s) => s.a < 16),
    ratioGoal('create ≤ 1.3× floor at A = 16', 1.3, 'create', floor('create'), 'the floor', 'ours', (s) => s.a >= 16),
    ratioGoal('`rtslib restore` ≤ 1.2× floor (N ≥ 250, process start included)', 1.2, 'restore', floor('restore'), 'the floor', 'ours-cli', commandSizes),
    ratioGoal('`rtslib clear` ≤ 0.6× the serial floor (N ≥ 250)', 0.6, 'clear', floor('clear'), 'the floor', 'ours-cli', commandSizes),
    ratioGoal("`rtslib save` ≤ 1.0× the floor's full tree read (N ≥ 250)", 1.0, 'save', floor('save'), 'the floor', 'ours-cli', commandSizes),
    ratioGoal('`rtslib --version` within 1.5× `node -e 0`', 1.5, 'startup', nodeStartMs, '`node -e 0`', 'ours-cli'),
  );
  // restore at least 13x faster than rtslib-fb at W(250,4), its largest size
  const fb: GoalResult = { goal: 'restore ≥ 13× faster than rtslib-fb at W(250,4)', measured: [], verdict: 'n/a' };
  for (const s of sizes.filter((x) => x.n === 250 && x.a === 4)) {
    const ours = med(s, 'restore', 'ours');
    const done = med(s, 'restore', 'rtslib-fb');
    const stop = stoppedMs(s, 'restore');
    if (ours === null || (done === null && stop === null)) continue;
    const x = (done ?? stop!) / ours;
    const ok = x >= 13;
    fb.measured.push(`${sizeName(s)} ${done === null ? '> ' : ''}${x.toFixed(1)}× faster${done === null ? ' (rtslib-fb stopped)' : ''}${ok ? '' : ' ✗'}`);
    fb.verdict = fb.verdict === 'FAIL' || !ok ? 'FAIL' : 'PASS';
  }
  if (!fb.measured.length) fb.measured.push('no W(250,4) with rtslib-fb in this run');
  out.push(fb);
  for (const phase of ['create', 'restore', 'clear', 'save'] as const) out.push(scalingGoal(phase));
  // the peak memory of a save at N = 10,000
  const rss: GoalResult = { goal: 'peak RSS of a save at N = 10,000 < 512 MiB', measured: [], verdict: 'n/a' };
  for (const s of sizes.filter((x) => x.n >= 10000 && x.rss)) {
    const mib = s.rss!.maxRssKiB / 1024;
    const ok = mib < 512;
    rss.measured.push(`${sizeName(s)} ${mib.toFixed(0)} MiB${ok ? '' : ' ✗'}`);
    rss.verdict = rss.verdict === 'FAIL' || !ok ? 'FAIL' : 'PASS';
  }
  if (!rss.measured.length) rss.measured.push('no N = 10,000 size with a peak-RSS measurement');
  out.push(rss);
  return out;
}

// ---------------------------------------------------------------- markdown

function phaseTable(phase: Phase): string[] {
  const present = ORDER.filter((id) => sizes.some((s) => get(s, phase, id)));
  if (!present.length) return ['(no data)'];
  const hasFloor = present.includes('floor');
  const hasFb = present.includes('rtslib-fb');
  // rtslib-fb's dump() builds the whole config: compare it with dumpConfig, not with the bare snapshot
  const fbMate: SeriesId = phase === 'list' && present.includes('ours-dump') ? 'ours-dump' : 'ours';
  const head = [
    'size',
    ...present.map((id) => LABELS[id]),
    ...(hasFloor ? ['ours / floor'] : []),
    ...(hasFb ? [`${fbMate === 'ours' ? 'ours' : 'ours dumpConfig'} / rtslib-fb`] : []),
  ];
  if (phase === 'reapply') head.push('ours snapshot', 're-apply / snapshot', 'steps planned');
  const lines = [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`];
  for (const s of sizes) {
    if (!present.some((id) => get(s, phase, id))) continue;
    const ours = med(s, phase, 'ours');
    const cells = [sizeName(s)];
    for (const id of present) {
      const x = get(s, phase, id);
      if (x?.stopped && !x.samples.length) cells.push(`stopped > ${x.afterS ?? results.settings.fbLimitS} s`);
      else cells.push(time(med(s, phase, id)) + (x && x.samples.length > 1 ? ` (${time(Math.min(...x.samples))}–${time(Math.max(...x.samples))}, ${x.samples.length})` : ''));
    }
    if (hasFloor) {
      const f = med(s, phase, 'floor');
      cells.push(ours !== null && f ? ratio(ours / f) : '—');
    }
    if (hasFb) {
      const f = med(s, phase, 'rtslib-fb');
      const stop = stoppedMs(s, phase);
      const mate = med(s, phase, fbMate);
      cells.push(mate === null ? '—' : f ? ratio(mate / f) : stop ? `< ${ratio(mate / stop)}` : '—');
    }
    if (phase === 'reapply') {
      const snap = med(s, 'list', 'ours');
      cells.push(time(snap), ours !== null && snap ? ratio(ours / snap) : '—', s.reapplySteps.join(', ') || '—');
    }
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines;
}

/** The median of a numeric detail of a row (null when no sample has it). */
function detailMedian(s: SizeResult, phase: Phase, id: SeriesId, key: string): number | null {
  const v = (get(s, phase, id)?.details ?? []).map((d) => d[key]).filter((x): x is number => typeof x === 'number');
  return v.length ? [...v].sort((p, q) => p - q)[Math.floor(v.length / 2)]! : null;
}

/** Where ours' time goes: planning, the run's undo image, the operations; and the CPU time. */
function breakdown(): string[] {
  const lines = [
    '| size | phase | read file | plan | undo image and journal | operations | steps | operations run | conditional writes skipped | CPU user | CPU system |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const s of sizes) {
    for (const phase of ['create', 'clear', 'restore', 'reapply'] as const) {
      const x = get(s, phase, 'ours');
      if (!x || !x.details.length) continue;
      const pick = (k: string): number | null => detailMedian(s, phase, 'ours', k);
      const count = (k: string): string => {
        const v = pick(k);
        return v === null ? '—' : String(v);
      };
      const ops = pick('opsMs') ?? pick('execMs') ?? (pick('planMs') !== null && x.median !== null ? x.median - pick('planMs')! : null);
      lines.push(
        `| ${sizeName(s)} | ${phase} | ${time(pick('readMs'))} | ${time(pick('planMs'))} | ${time(pick('imageMs'))} | ${time(ops)} | ${count('steps')} | ${count('operations')} | ${count('skipped')} | ${time(pick('userMs'))} | ${time(pick('sysMs'))} |`,
      );
    }
  }
  return lines;
}

/**
 * The kernel's share: wall time and CPU time (user: the program's own; system:
 * the kernel's work on its behalf, all threads) of the floor and of ours, per phase.
 */
function cpuTable(): string[] {
  const lines = [
    '| size | phase | floor wall | floor system | floor user | ours wall | ours system | ours user | ours system / floor system |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const s of sizes) {
    for (const phase of ['create', 'list', 'save', 'clear', 'restore'] as const) {
      const fSys = detailMedian(s, phase, 'floor', 'sysMs');
      const oSys = detailMedian(s, phase, 'ours', 'sysMs');
      if (fSys === null && oSys === null) continue;
      lines.push(
        `| ${sizeName(s)} | ${phase} | ${time(med(s, phase, 'floor'))} | ${time(fSys)} | ${time(detailMedian(s, phase, 'floor', 'userMs'))} | ${time(med(s, phase, 'ours'))} | ${time(oSys)} | ${time(detailMedian(s, phase, 'ours', 'userMs'))} | ${fSys && oSys !== null ? ratio(oSys / fSys) : '—'} |`,
      );
    }
  }
  return lines;
}

function markdown(): string {
  const g = goals();
  const md: string[] = [];
  const rel = (p: string) => relative(dirname(mdOut), p) || basename(p);
  md.push('# Workload benchmark: W(N, A), floor vs ours vs rtslib-fb', '');
  md.push(
    `Generated by \`bench/report.ts\` from \`${input}\`. ${results.complete ? '' : '**The run did not complete: the numbers below are partial.** '}Reproduce with \`npm run ${input.includes('scale') ? 'bench:scale' : 'bench'}\` (one guest boot; \`bench/workload.guest.ts\`).`,
    '',
  );
  md.push('| | |', '|---|---|');
  md.push(`| date | ${results.date} |`);
  md.push(`| guest kernel | ${results.kernel} |`);
  md.push(
    `| machine | host ${results.hostCpu ?? 'unknown'}; guest: ${results.cpu}, ${results.cpus} vCPUs, ${results.memoryMiB} MiB (qemu, software emulation: compare ratios, not absolute times) |`,
  );
  md.push(
    `| host load average | ${results.hostLoadAtStart ?? 'unknown'} when the guest started, ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')} when this report was written (1, 5, 15 min; other work on the host slows the guest unevenly) |`,
  );
  md.push(`| node / python / rtslib-fb | ${results.node} / ${results.python} / python3-rtslib-fb ${results.rtslibFb} |`);
  md.push(`| sizes | ${results.settings.sizes} |`);
  md.push(`| repetitions | ${results.settings.reps} (medians shown; with more than one sample, the range and the count in parentheses) |`);
  md.push(`| rtslib-fb limit | ${results.settings.fbLimitS} s per phase |`);
  if (results.settings.nodeOptions) md.push(`| NODE_OPTIONS | \`${results.settings.nodeOptions}\` (every node process of the run) |`);
  md.push(`| whole run | ${results.wallS ? time(results.wallS * 1000) : '—'} |`, '');
  md.push(
    'W(N, A): N fileio storage objects on sparse 1 GiB files (guest tmpfs), one iSCSI target whose TPG 1 holds N LUNs (LUN i → object i), and A node ACLs each mapping all N LUNs. Every implementation builds the same objects (the floor names its target differently); the TPG stays disabled, without portals, as the floor leaves it. Between implementations and repetitions the tree is cleared (by the floor) and checked empty, and the backing files are removed.',
    '',
  );
  md.push(
    `Times of ours (library API) and rtslib-fb are measured inside their process (rtslib-fb: after \`import rtslib_fb\`, its \`RTSRoot()\` set-up included); the rtslib command rows are wall times of \`node bin/rtslib.js …\`, process start included (\`rtslib --version\` alone is shown under *startup*)${
      results.settings.cliWarmup
        ? ", each verb run once untimed in the warm-up first (its first run after a build writes the code cache that its later runs start from, as a user's first run does)"
        : ', the first of each verb after the build without the code cache it then writes'
    }.`,
    '',
  );

  md.push('## Goals', '', '| goal | measured (ratio per size) | verdict |', '|---|---|---|');
  for (const x of g) md.push(`| ${x.goal} | ${x.measured.join('; ')} | **${x.verdict}** |`);
  md.push('');

  md.push(`![time against N per phase](${rel(svgOut)})`, '');
  for (const p of PHASES) {
    md.push(`## ${p.title}`, '');
    md.push(...Object.entries(p.rows).map(([id, what]) => `- ${LABELS[id as SeriesId]}: ${what}`), '');
    md.push(...phaseTable(p.phase), '');
  }
  const startup = sizes.flatMap(
    (s) => get(s, 'startup', 'ours-cli')?.details.map((d, i) => `${time(get(s, 'startup', 'ours-cli')!.samples[i])} (\`node -e 0\`: ${time(Number(d.nodeMs))})`) ?? [],
  );
  if (startup.length)
    md.push(
      `Process start of the rtslib command alone (\`rtslib --version\`), per size: ${startup.join(', ')}. In the guest the module files come from the host's root over a 9p share (cached in the guest after their first read), so this start (and the command rows above, at small N) mostly measures loading the CLI's modules, not its work.`,
      '',
    );
  const fbStart = sizes.flatMap((s) => {
    const d = Object.values(s.phases)
      .flatMap((rows) => (rows['rtslib-fb']?.details ?? []).map((x, i) => Number(x.wallMs) - (rows['rtslib-fb']!.samples[i] ?? 0)))
      .filter((x) => Number.isFinite(x));
    return d.length ? [`${sizeName(s)} ${time([...d].sort((p, q) => p - q)[Math.floor(d.length / 2)]!)}`] : [];
  });
  if (fbStart.length) md.push(`rtslib-fb's process start and import, not counted in its times (median of wall − in-process per phase): ${fbStart.join(', ')}.`, '');

  md.push(
    "## Where ours' time goes",
    '',
    "Medians per column. Plan: from the call until the plan is made (the lock taken, the tree read). Undo image and journal: from `executePlan` until its first progress report (the image of what the run changes, read unless the plan's read inside the same hold serves, and the journal written). Operations: the rest. CPU: the process's user and system time over the phase, every thread.",
    '',
    ...breakdown(),
    '',
  );
  md.push(
    "## The kernel's share: CPU time, floor and ours",
    '',
    "User: CPU time in the program itself; system: CPU time the kernel spent on its behalf (system calls, in every thread). The guest's 2 vCPUs let ours' threads overlap, so CPU time can exceed wall time; time neither in user nor system is waiting (for the kernel's deferred work, locks, I/O).",
    '',
    ...cpuTable(),
    '',
  );
  const rss = sizes.filter((s) => s.rss);
  if (rss.length) {
    md.push(
      '## Peak memory of a save (ours)',
      '',
      'A child node process that only runs `saveConfigFile` of the built library, which streams the dump to the file (`process.resourceUsage().maxRSS`, and VmHWM before any work: node and the library loaded). Tree entries: the whole-tree snapshot of the list phase.',
      '',
    );
    md.push('| size | tree entries | peak RSS | before the work | save | file |', '|---|---:|---:|---:|---:|---:|');
    for (const s of rss)
      md.push(
        `| ${sizeName(s)} | ${s.rss!.snapshotEntries} | ${(s.rss!.maxRssKiB / 1024).toFixed(0)} MiB | ${(s.rss!.baselineKiB / 1024).toFixed(0)} MiB | ${time(s.rss!.saveMs)} | ${s.rss!.bytes === undefined ? '—' : `${(s.rss!.bytes / 1048576).toFixed(1)} MiB`} |`,
      );
    md.push('');
  }
  md.push('## rtslib-fb stops', '');
  if (results.fbStops.length) {
    for (const s of results.fbStops)
      md.push(`- W(${s.n},${s.a}): ${s.phase} ran past ${s.afterS} s and was stopped; its remaining phases there and every later size with N ≥ ${s.n} were skipped.`);
  } else md.push('None: every rtslib-fb phase finished within the limit.');
  md.push('');
  md.push('## Failures', '');
  if (results.failures.length) for (const f of results.failures) md.push(`- W(${f.n},${f.a}) repetition ${f.rep + 1}, ${f.impl} ${f.phase}: ${f.error}`);
  else md.push('None.');
  md.push('');
  if (results.notes.length) md.push('## Notes', '', ...results.notes.map((n) => `- ${n}`), '');
  const probed = sizes.filter((s) => s.cpuProbeMs?.length);
  if (probed.length)
    md.push(
      `Guest CPU probe (SHA-256 of 8 MiB at the start of each repetition; the emulated CPU runs as fast as the host lets it, and ours spends more of its time in user code than the floor): ${probed
        .map((s) => `${sizeName(s)} ${(s.cpuProbeMs ?? []).map((ms) => time(ms)).join(', ')}`)
        .join('; ')}.`,
      '',
    );
  const trees = sizes.filter((s) => s.treeFiles);
  if (trees.length) md.push(`Tree sizes (files the floor's tree read read): ${trees.map((s) => `${sizeName(s)} ${s.treeFiles}`).join(', ')}.`, '');
  return md.join('\n');
}

// ---------------------------------------------------------------- SVG

const COLORS: Record<SeriesId, string> = { floor: '#333333', ours: '#1f6feb', 'ours-dump': '#54aeff', 'ours-cli': '#8250df', 'rtslib-fb': '#d1242f' };
const DASHES = ['', '6 4', '2 3', '10 3 2 3'];
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function svg(): string {
  const panels = PHASES;
  const cols = 3;
  const pw = 330;
  const ph = 250;
  const m = { l: 58, r: 14, t: 30, b: 40 };
  const rows = Math.ceil(panels.length / cols);
  const As = [...new Set(sizes.map((s) => s.a))].sort((x, y) => x - y);
  const legendH = 56;
  const width = cols * pw;
  const height = rows * ph + legendH + 30;
  const ns = [...new Set(sizes.map((s) => s.n))].sort((x, y) => x - y);
  const xmin = Math.log10(Math.min(...ns) / 1.25);
  const xmax = Math.log10(Math.max(...ns) * 1.25);
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="11">`,
  );
  out.push(`<rect width="${width}" height="${height}" fill="white"/>`);
  out.push(
    `<text x="${width / 2}" y="18" text-anchor="middle" font-size="14" font-weight="bold">W(N, A): time against N (log–log), ${esc(results.kernel)}, ${esc(results.date.slice(0, 10))}</text>`,
  );
  panels.forEach((p, k) => {
    const ox = (k % cols) * pw;
    const oy = 26 + Math.floor(k / cols) * ph;
    const iw = pw - m.l - m.r;
    const ih = ph - m.t - m.b;
    const pts: { id: SeriesId; a: number; n: number; ms: number; stopped: boolean }[] = [];
    for (const s of sizes) {
      for (const id of ORDER) {
        const x = get(s, p.phase, id);
        if (!x) continue;
        if (x.samples.length && x.median !== null) pts.push({ id, a: s.a, n: s.n, ms: Math.max(x.median, 0.01), stopped: false });
        else if (x.stopped) pts.push({ id, a: s.a, n: s.n, ms: (x.afterS ?? results.settings.fbLimitS) * 1000, stopped: true });
      }
    }
    out.push(`<g transform="translate(${ox},${oy})">`);
    out.push(`<text x="${m.l + iw / 2}" y="${m.t - 10}" text-anchor="middle" font-size="12" font-weight="bold">${esc(p.title.replace(/ \(.*\)$/, ''))}</text>`);
    out.push(`<rect x="${m.l}" y="${m.t}" width="${iw}" height="${ih}" fill="none" stroke="#999"/>`);
    if (!pts.length) {
      out.push(`<text x="${m.l + iw / 2}" y="${m.t + ih / 2}" text-anchor="middle" fill="#999">no data</text></g>`);
      return;
    }
    let ylo = Math.floor(Math.log10(Math.min(...pts.map((q) => q.ms))) * 2) / 2;
    let yhi = Math.ceil(Math.log10(Math.max(...pts.map((q) => q.ms))) * 2) / 2;
    if (yhi - ylo < 1) {
      ylo -= 0.5;
      yhi += 0.5;
    }
    const X = (n: number) => m.l + ((Math.log10(n) - xmin) / (xmax - xmin)) * iw;
    const Y = (ms: number) => m.t + ih - ((Math.log10(ms) - ylo) / (yhi - ylo)) * ih;
    // decades, and 2x / 5x steps when the panel spans two decades or less
    const ticks: number[] = [];
    for (let e = Math.floor(ylo); e <= Math.ceil(yhi); e++) for (const f of yhi - ylo <= 2 ? [1, 2, 5] : [1]) ticks.push(f * 10 ** e);
    for (const v of ticks.filter((v) => Math.log10(v) >= ylo - 1e-9 && Math.log10(v) <= yhi + 1e-9)) {
      const y = Y(v);
      out.push(`<line x1="${m.l}" x2="${m.l + iw}" y1="${y.toFixed(1)}" y2="${y.toFixed(1)}" stroke="${Number.isInteger(Math.log10(v)) ? '#e0e0e0' : '#f2f2f2'}"/>`);
      out.push(`<text x="${m.l - 4}" y="${(y + 4).toFixed(1)}" text-anchor="end">${esc(time(v).replace('.00', ''))}</text>`);
    }
    for (const n of ns) {
      const x = X(n);
      out.push(`<line x1="${x.toFixed(1)}" x2="${x.toFixed(1)}" y1="${m.t}" y2="${m.t + ih}" stroke="#f0f0f0"/>`);
      out.push(`<text x="${x.toFixed(1)}" y="${m.t + ih + 14}" text-anchor="middle">${n}</text>`);
    }
    out.push(`<text x="${m.l + iw / 2}" y="${m.t + ih + 30}" text-anchor="middle" fill="#555">N (storage objects = LUNs)</text>`);
    for (const id of ORDER) {
      As.forEach((a, ai) => {
        const line = pts.filter((q) => q.id === id && q.a === a).sort((q, r) => q.n - r.n);
        if (!line.length) return;
        const dash = DASHES[ai % DASHES.length]!;
        // stopped points are lower bounds: marked, not joined
        const done = line.filter((q) => !q.stopped);
        if (done.length > 1) {
          out.push(
            `<polyline fill="none" stroke="${COLORS[id]}" stroke-width="1.8"${dash ? ` stroke-dasharray="${dash}"` : ''} points="${done.map((q) => `${X(q.n).toFixed(1)},${Y(q.ms).toFixed(1)}`).join(' ')}"/>`,
          );
        }
        for (const q of line) {
          const x = X(q.n);
          const y = Y(q.ms);
          if (q.stopped)
            out.push(
              `<path d="M${(x - 5).toFixed(1)},${(y + 4).toFixed(1)} L${x.toFixed(1)},${(y - 5).toFixed(1)} L${(x + 5).toFixed(1)},${(y + 4).toFixed(1)} Z" fill="white" stroke="${COLORS[id]}" stroke-width="1.5"><title>${esc(`${LABELS[id]} W(${q.n},${a}): stopped after ${q.ms / 1000} s`)}</title></path>`,
            );
          else
            out.push(
              `<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="${ai % 2 ? 3.2 : 2.6}" fill="${ai % 2 ? 'white' : COLORS[id]}" stroke="${COLORS[id]}" stroke-width="1.3"><title>${esc(`${LABELS[id]} W(${q.n},${a}): ${time(q.ms)}`)}</title></circle>`,
            );
        }
      });
    }
    out.push('</g>');
  });
  // legend
  const ly = 26 + rows * ph + 8;
  const used = ORDER.filter((id) => sizes.some((s) => Object.values(s.phases).some((r) => r[id])));
  used.forEach((id, i) => {
    const x = 20 + i * 170;
    out.push(`<line x1="${x}" x2="${x + 26}" y1="${ly}" y2="${ly}" stroke="${COLORS[id]}" stroke-width="2.5"/><text x="${x + 32}" y="${ly + 4}">${esc(LABELS[id])}</text>`);
  });
  As.forEach((a, ai) => {
    const x = 20 + ai * 170;
    const dash = DASHES[ai % DASHES.length]!;
    out.push(
      `<line x1="${x}" x2="${x + 26}" y1="${ly + 22}" y2="${ly + 22}" stroke="#555" stroke-width="1.8"${dash ? ` stroke-dasharray="${dash}"` : ''}/><text x="${x + 32}" y="${ly + 26}">A = ${a} ACLs</text>`,
    );
  });
  out.push(
    `<path d="M${20 + As.length * 170 - 5},${ly + 26} L${20 + As.length * 170},${ly + 17} L${20 + As.length * 170 + 5},${ly + 26} Z" fill="white" stroke="#d1242f" stroke-width="1.5"/><text x="${20 + As.length * 170 + 12}" y="${ly + 26}">rtslib-fb stopped at the limit</text>`,
  );
  out.push('</svg>');
  return out.join('\n') + '\n';
}

writeFileSync(mdOut, markdown());
writeFileSync(svgOut, svg());
const verdicts = goals();
console.log(`report: ${mdOut}, ${svgOut}`);
for (const x of verdicts) console.log(`  ${x.verdict.padEnd(4)} ${x.goal}: ${x.measured.join('; ')}`);
if (results.fbStops.length) console.log(`  rtslib-fb stopped: ${results.fbStops.map((s) => `W(${s.n},${s.a}) ${s.phase} after ${s.afterS} s`).join('; ')}`);
for (const f of results.failures) console.log(`  FAILED W(${f.n},${f.a}) rep ${f.rep + 1} ${f.impl} ${f.phase}: ${f.error}`);
if (strict && (results.failures.length || !results.complete)) {
  console.error(`report: ${results.failures.length} failed phase(s)${results.complete ? '' : ', run incomplete'}`);
  process.exit(1);
}
