/**
 * Running the `rtslib` command (bin/rtslib.js, the compiled CLI) as a child
 * process in the guest: to completion, or until a line appears on its
 * stderr (a fault hook's stall marker, a lock notice), then killed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The checkout (the guest sees it at the same path). */
export const REPO = fileURLToPath(new URL('../../../', import.meta.url));

/** What a finished command printed and returned. */
export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A running command. */
export interface RunningCli {
  child: ChildProcess;
  /** Resolves when it exits. */
  done: Promise<CliResult>;
  /** Resolves with the first stderr line matching `pattern` (rejects when the process exits first). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** stderr so far. */
  stderr(): string;
}

/** Starts `node bin/rtslib.js ...args` with extra environment. */
export function startCli(args: readonly string[], env: Record<string, string> = {}): RunningCli {
  const child = spawn(process.execPath, [`${REPO}bin/rtslib.js`, ...args], { cwd: REPO, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const waiters: { pattern: RegExp; resolve: (line: string) => void; reject: (e: Error) => void }[] = [];
  child.stdout!.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
    for (const w of [...waiters]) {
      const line = stderr.split('\n').find((l) => w.pattern.test(l));
      if (line !== undefined) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  });
  const done = new Promise<CliResult>((resolve) => {
    child.on('close', (code, signal) => {
      for (const w of waiters.splice(0)) w.reject(new Error(`rtslib ${args.join(' ')} exited (${code ?? signal}) before printing ${w.pattern}: ${stderr}`));
      resolve({ code, signal, stdout, stderr });
    });
  });
  return {
    child,
    done,
    stderr: () => stderr,
    waitFor(pattern, timeoutMs = 120_000) {
      const line = stderr.split('\n').find((l) => pattern.test(l));
      if (line !== undefined) return Promise.resolve(line);
      return new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ${pattern} from rtslib ${args.join(' ')} in ${timeoutMs} ms: ${stderr}`)), timeoutMs);
        waiters.push({
          pattern,
          resolve: (l) => {
            clearTimeout(timer);
            resolve(l);
          },
          reject: (e) => {
            clearTimeout(timer);
            reject(e);
          },
        });
      });
    },
  };
}

/** Runs `rtslib ...args` to completion. */
export function runCli(args: readonly string[], env: Record<string, string> = {}): Promise<CliResult> {
  return startCli(args, env).done;
}
