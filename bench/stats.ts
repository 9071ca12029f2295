/** Small helpers shared by the benchmark scripts. */
import { spawnSync } from 'node:child_process';

/** Median of a non-empty list. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** What the floor program prints. */
export interface FloorResult {
  op: string;
  ms: number;
  files: number;
  bytes: number;
  /** CPU time spent in the program itself (getrusage). */
  userMs: number;
  /** CPU time the kernel spent on its behalf: the system calls (getrusage). */
  sysMs: number;
}

/** Runs the syscall-floor program with `args` and returns its JSON line. */
export function runFloor(args: string[]): FloorResult {
  const floor = process.env.RTSLIB_BENCH_FLOOR;
  if (!floor) throw new Error('RTSLIB_BENCH_FLOOR is not set: run through bench/run-in-vm.ts');
  const r = spawnSync(floor, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`cfs_floor ${args.join(' ')} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim()) as FloorResult;
}

/** CPU time of this process since `from` (all its threads), in milliseconds. */
export function cpuSince(from: NodeJS.CpuUsage): { userMs: number; sysMs: number } {
  const d = process.cpuUsage(from);
  return { userMs: d.user / 1000, sysMs: d.system / 1000 };
}

/** The CPU part of a floor result, for a row's details. */
export function floorCpu(r: FloorResult): { userMs: number; sysMs: number } {
  return { userMs: r.userMs, sysMs: r.sysMs };
}

/** Milliseconds taken by `fn`. */
export async function timed(fn: () => Promise<unknown> | unknown): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}
