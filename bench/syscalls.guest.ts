/**
 * Which configfs system calls a restore makes, against the floor's create of
 * the same workload (`npm run bench:syscalls`; W(N, A) from RTSLIB_BENCH_N /
 * RTSLIB_BENCH_A, default 50 and 4: strace slows every call). The floor
 * builds W(N, A), `rtslib save` writes it to a file, the floor clears it and
 * `rtslib restore` builds it again; the floor's create and clear and the
 * command's restore and clear run under `strace -f`. Prints, per run, the
 * system calls on paths under /sys/kernel/config by name, and the calls of
 * one storage object and of one mapped LUN in each of the two creations.
 * Writes the traces to bench/out/syscalls-*.txt. Needs strace on the host
 * (the guest runs the host's programs): `apt-get install strace`.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const N = Number(process.env.RTSLIB_BENCH_N ?? 50);
const A = Number(process.env.RTSLIB_BENCH_A ?? 4);
const ROOT = '/sys/kernel/config/target';
const FILES = '/tmp/bench-syscalls';
const SAVED = `${FILES}/saveconfig.json`;
const OUT = fileURLToPath(new URL('./out/', import.meta.url));
const floor = process.env.RTSLIB_BENCH_FLOOR;
if (!floor) throw new Error('RTSLIB_BENCH_FLOOR is not set: run through bench/run-in-vm.ts');
// everything but the calls a process makes on its own memory, signals and clocks
const STRACE = ['-f', '-y', '-qq', '-e', 'trace=!futex,mmap,munmap,mprotect,madvise,brk,rt_sigaction,rt_sigprocmask,epoll_wait,epoll_ctl,getpid,clock_gettime'];

/** Runs a command, throwing with its error output when it fails. */
function run(command: string, args: string[]): void {
  const r = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
}

/** Runs a command under strace; returns the trace's lines about configfs paths. */
function traced(name: string, command: string, args: string[]): string[] {
  const trace = `${FILES}/${name}.strace`;
  run('strace', [...STRACE, '-o', trace, command, ...args]);
  const text = readFileSync(trace, 'utf8');
  writeFileSync(`${OUT}syscalls-${name}.txt`, text);
  return text.split('\n').filter((line) => line.includes('/sys/kernel/config'));
}

/** The lines' system calls by name (a call another thread interrupted counts once, under `resumed`). */
function byCall(lines: readonly string[]): Record<string, number> {
  const counts = new Map<string, number>();
  for (const line of lines) {
    const call = /^(?:\d+\s+)?(?:<\.\.\. (\w+) resumed>|(\w+)\()/.exec(line);
    const key = call ? (call[1] ? 'resumed' : (call[2] as string)) : 'other';
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return Object.fromEntries([...counts].sort((a, b) => b[1] - a[1]));
}

/** The calls of one storage object (`fileio_7`) and one mapped LUN (`lun_7` of each ACL), without pids. */
function sample(lines: readonly string[]): string[] {
  const strip = (line: string): string => line.replace(/^\d+\s+/, '').slice(0, 160);
  return [...lines.filter((l) => l.includes('/fileio_7/')), ...lines.filter((l) => /\/acls\/[^/]+\/lun_7\b/.test(l))].map(strip);
}

spawnSync('modprobe', ['target_core_mod']);
spawnSync('modprobe', ['iscsi_target_mod']);
rmSync(FILES, { recursive: true, force: true });
mkdirSync(FILES, { recursive: true });
mkdirSync(OUT, { recursive: true });
console.log(`W(${N},${A}): configfs system calls per run`);
const floorCreate = traced('floor-create', floor, ['create', ROOT, String(N), String(A), FILES]);
run(process.execPath, ['bin/rtslib.js', 'save', SAVED, '--no-backup']);
const floorClear = traced('floor-clear', floor, ['clear', ROOT]);
const oursRestore = traced('rtslib-restore', process.execPath, ['bin/rtslib.js', 'restore', SAVED]);
const oursClear = traced('rtslib-clear', process.execPath, ['bin/rtslib.js', 'clear']);
for (const [name, lines] of [
  ['floor create', floorCreate],
  ['rtslib restore', oursRestore],
  ['floor clear', floorClear],
  ['rtslib clear', oursClear],
] as const)
  console.log(`${name}: ${lines.length} ${JSON.stringify(byCall(lines))}`);
for (const [name, lines] of [
  ['floor create', floorCreate],
  ['rtslib restore', oursRestore],
] as const)
  console.log(`--- ${name}: storage object fileio_7 and mapped LUN lun_7\n${sample(lines).join('\n')}`);
rmSync(FILES, { recursive: true, force: true });
