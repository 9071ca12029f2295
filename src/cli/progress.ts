/**
 * The progress bar shown while a large plan executes: on a terminal only,
 * and only for plans of more than {@link PROGRESS_THRESHOLD} operations.
 * Pipes and CI logs get no bar and no extra lines.
 */
import type { SingleBar } from 'cli-progress';
import type { CliIO } from './cli-io.js';

/** Plans with more operations than this get a progress bar (on a terminal). */
export const PROGRESS_THRESHOLD = 50;

/** A progress display for one plan execution. */
export interface PlanProgress {
  /** Pass to `executePlan` as `onProgress`; absent when nothing is shown. */
  onProgress?: (done: number, total: number) => void;
  /** Removes the bar (call when the execution ends, also on failure). */
  stop(): void;
}

/** Whether a plan of `operations` operations gets a bar on this output. */
export function wantsProgressBar(io: CliIO, operations: number): boolean {
  return io.isTTY && operations > PROGRESS_THRESHOLD;
}

/**
 * A bar on stdout driven by `onProgress(done, total)`, or a display that does
 * nothing when {@link wantsProgressBar} says no.
 * @example
 * const progress = await startProgress(io, planWrites(plan), 'restore');
 * try { await executePlan(root, plan, progress.onProgress ? { onProgress: progress.onProgress } : {}); }
 * finally { progress.stop(); }
 */
export async function startProgress(io: CliIO, operations: number, label: string): Promise<PlanProgress> {
  if (!wantsProgressBar(io, operations)) return { stop() {} };
  const { default: cliProgress } = await import('cli-progress');
  const bar: SingleBar = new cliProgress.SingleBar(
    {
      stream: io.stdout,
      format: `${label} [{bar}] {value}/{total} operations`,
      clearOnComplete: true,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    onProgress(done: number, total: number): void {
      if (!started) {
        bar.start(total, done);
        started = true;
        return;
      }
      if (total !== bar.getTotal()) bar.setTotal(total);
      bar.update(done);
    },
    stop(): void {
      if (started) bar.stop();
      started = false;
    },
  };
}
