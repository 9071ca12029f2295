/**
 * Runs a shell command inside a throw-away qemu guest that boots Debian's
 * kernel, shares this machine's root filesystem over 9p and has LIO loaded
 * (see CONTRIBUTING.md). One guest boot per call.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { findGuestKernel } from './kernel-image.js';
import { buildInitramfs } from './initramfs.js';

/** The checkout's root directory (shared into the guest at the same path). */
export const REPO_ROOT = resolve(fileURLToPath(new URL('../../', import.meta.url)));

/** What to run in the guest. */
export interface VmRunOptions {
  /** Shell script text run by /bin/sh (dash) in the guest, in `cwd`. */
  script: string;
  /** Working directory in the guest (default: the checkout). */
  cwd?: string;
  /** Extra environment for the script. */
  env?: Record<string, string>;
  /** Whole-run bound, boot included (default 15 minutes). */
  timeoutMs?: number;
  /** Guest memory in MiB (default 2048). */
  memoryMiB?: number;
  /** Copy the guest console to this stream as it arrives (default: none). */
  echo?: NodeJS.WritableStream;
}

/** What came back from the guest. */
export interface VmRunResult {
  /** Exit code of the script; null when the guest did not finish. */
  exitCode: number | null;
  /** The console output (carriage returns removed). */
  output: string;
  /** Guest kernel version booted. */
  kernelVersion: string;
  /** Milliseconds from qemu start to stage 2's first line. */
  bootMs: number | null;
  /** Milliseconds for the whole run. */
  totalMs: number;
  /** Why the run failed, when it did (timeout, qemu failure, a kernel fault). */
  failure?: string;
}

/**
 * The first console line of a kernel fault (an oops, a BUG, a panic). A
 * kernel that faulted is not trusted with the rest of the run: the run
 * fails, and the guest is stopped {@link FAULT_GRACE_MS} later (the trace
 * and the test that was running get printed first) instead of hanging
 * until the whole-run bound. A soft lockup is a slow emulated CPU, not a fault.
 */
const KERNEL_FAULT = /\]\s(?:BUG: (?!soft lockup)|kernel BUG at|Oops|general protection fault|Kernel panic|Unable to handle kernel)/;
const FAULT_GRACE_MS = 60_000;

/** Whether a guest console line starts a kernel fault (see {@link KERNEL_FAULT}). */
export function isKernelFault(line: string): boolean {
  return KERNEL_FAULT.test(line);
}

const EXIT_MARKER = /@@RTSLIB-VM-EXIT=(\d+)@@/;
const READY_MARKER = 'rtslib-vm: guest kernel';

/** Environment variables passed through to the guest when set on the host. */
const PASSED_ENV = ['PATH', 'HOME', 'LANG', 'CI', 'NO_COLOR'];

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

// eslint-disable-next-line no-control-regex
const TERMINAL_CONTROL = /\x1b\[[0-9;?]*[A-Za-z]|\x1bc/g;

/** Removes carriage returns and terminal control sequences from console text. */
function cleanConsole(text: string): string {
  return text
    .replace(/\r/g, '')
    .replace(TERMINAL_CONTROL, '')
    .replace(/^Booting from ROM\.*/, '');
}

/** Console lines that the harness itself causes and that mean nothing to a reader. */
function isHarnessNoise(line: string): boolean {
  return /^SeaBIOS /.test(line);
}

/** Returns the last `lines` lines of `text`. */
export function tail(text: string, lines = 40): string {
  return text.split('\n').slice(-lines).join('\n');
}

/**
 * Calls `onLine` with each whole line read from `stream` and returns a function
 * that passes on the unfinished last line, for when the stream has closed. The
 * console is cleaned a whole line at a time (escape sequences can be split
 * across chunks), and a character's UTF-8 bytes split across chunks stay one
 * character (a CI log once showed each ✓ as three replacement characters).
 */
export function readLines(stream: Readable, onLine: (line: string) => void): () => void {
  let pending = '';
  stream.setEncoding('utf8').on('data', (chunk: string) => {
    const lines = (pending + chunk).split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) onLine(line);
  });
  return () => {
    if (pending) onLine(pending);
    pending = '';
  };
}

/** The 9p cache modes the guest's share may be mounted with. */
const SHARE_CACHE_MODES: readonly string[] = ['none', 'loose', 'fscache', 'mmap'];

/** The 9p cache mode of the guest's share: RTSLIB_VM_9P_CACHE (one of {@link SHARE_CACHE_MODES}), loose by default. */
function shareCache(): string {
  const mode = process.env.RTSLIB_VM_9P_CACHE ?? 'loose';
  if (!SHARE_CACHE_MODES.includes(mode)) throw new Error(`RTSLIB_VM_9P_CACHE=${JSON.stringify(mode)}: expected one of ${SHARE_CACHE_MODES.join(', ')}`);
  return mode;
}

/** Boots a guest, runs `options.script` in it and returns its output and exit code. */
export async function runInVm(options: VmRunOptions): Promise<VmRunResult> {
  const kernel = findGuestKernel();
  const jobId = `${process.pid}-${Date.now()}`;
  // Inside the checkout: the guest mounts a tmpfs on /tmp (unless the
  // checkout itself is under /tmp), hiding the host's /tmp.
  const jobDir = join(REPO_ROOT, '.vm', 'jobs', jobId);
  mkdirSync(jobDir, { recursive: true });
  const initramfs = buildInitramfs(kernel, join(REPO_ROOT, '.vm', `initramfs-${kernel.version}.cpio`));
  const env: Record<string, string> = {};
  for (const name of PASSED_ENV) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  for (const [name, value] of Object.entries(process.env)) {
    if (name.startsWith('RTSLIB_') && value !== undefined) env[name] = value;
  }
  Object.assign(env, options.env ?? {});
  env.RTSLIB_IN_VM = '1';
  // Temporary files (tsx's IPC socket among them) go to the guest's own tmpfs: when the checkout is
  // under /tmp the guest shares the host's /tmp over 9p, where a Unix socket cannot be created.
  env.TMPDIR = '/run/tmp';
  // Write runs keep their crash-recovery journal in the guest, never in the host's /var/lib (shared over 9p).
  env.RTSLIB_STATE_DIR ??= '/run/rtslib-state';
  const exports = Object.entries(env)
    .map(([k, v]) => `export ${k}=${shellQuote(v)}`)
    .join('\n');
  writeFileSync(join(jobDir, 'command.sh'), `${exports}\nmkdir -p "$TMPDIR"\ncd ${shellQuote(options.cwd ?? REPO_ROOT)} || exit 127\n${options.script}\n`);
  const stage2 = join(REPO_ROOT, 'test', 'vm', 'guest-stage2.sh');
  if (!existsSync(stage2)) throw new Error(`missing ${stage2}`);
  // The qemu options stay in their flag/value pairs.
  // prettier-ignore
  const args = [
    // One host thread for both vCPUs: with a thread each (qemu 7.2's default), node in the guest died
    // of SIGSEGV or SIGILL at start in 4 of 14 boots of one script, every time in the same generated
    // code of a worker thread, jumping into the middle of an instruction (the CI run that ended 139);
    // with one thread, 0 of 6. The benchmarks choose the threaded mode (bench/run-in-vm.ts).
    '-accel', process.env.RTSLIB_VM_ACCEL ?? 'tcg,thread=single',
    '-cpu', 'max',
    '-m', String(options.memoryMiB ?? 2048),
    '-smp', '2',
    '-nographic', '-no-reboot', '-nodefaults',
    '-serial', 'stdio',
    '-kernel', kernel.image,
    '-initrd', initramfs,
    // A checkout under /tmp must stay visible: then the guest keeps the host's /tmp.
    // The share is mounted cache=loose (RTSLIB_VM_9P_CACHE=none for no page cache): every module file,
    // Python package and binary the guest runs is read once, not over 9p on every start (targetcli ls
    // 17 s -> 4.6 s, python3 -c 'import rtslib_fb' 6 s -> 1.7 s, the kernel suite 1307 s -> 742 s on
    // one host). The host changes nothing under the guest while it runs; stage 2 syncs before power-off.
    '-append', `console=ttyS0 panic=-1 quiet loglevel=3 rtslib.stage2=${stage2} rtslib.job=${jobDir} rtslib.tmpfs=${REPO_ROOT.startsWith('/tmp/') ? 0 : 1} rtslib.9pcache=${shareCache()}`,
    '-virtfs', 'local,path=/,mount_tag=hostroot,security_model=passthrough,multidevs=remap',
  ];
  const started = Date.now();
  const timeoutMs = options.timeoutMs ?? 15 * 60_000;
  return await new Promise<VmRunResult>((resolvePromise, reject) => {
    const child = spawn('qemu-system-x86_64', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let bootMs: number | null = null;
    let timedOut = false;
    let finished = false; // after the exit marker only the power-off follows
    let kernelFault: string | null = null;
    let faultTimer: NodeJS.Timeout | undefined;
    const onLine = (line: string) => {
      output += line + '\n';
      if (finished) return;
      if (EXIT_MARKER.test(line)) {
        finished = true;
        return;
      }
      // (after the exit marker, init's exit panics the kernel: that is the guest's power-off)
      if (kernelFault === null && isKernelFault(line)) {
        kernelFault = line.trim();
        faultTimer = setTimeout(() => child.kill('SIGKILL'), FAULT_GRACE_MS);
      }
      if (bootMs === null && line.includes(READY_MARKER)) bootMs = Date.now() - started;
      if (options.echo && !isHarnessNoise(line) && !(bootMs === null && line === '')) options.echo.write(line + '\n');
    };
    const onConsoleLine = (line: string) => onLine(cleanConsole(line));
    const flushStdout = readLines(child.stdout, onConsoleLine);
    const flushStderr = readLines(child.stderr, onConsoleLine);
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`could not start qemu-system-x86_64 (${err.message}): install the Debian package qemu-system-x86`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      clearTimeout(faultTimer);
      flushStdout();
      flushStderr();
      rmSync(jobDir, { recursive: true, force: true });
      const match = EXIT_MARKER.exec(output);
      const result: VmRunResult = {
        exitCode: match ? Number(match[1]) : null,
        output: output.replace(/@@RTSLIB-VM-EXIT=\d+@@\n?/, ''),
        kernelVersion: kernel.version,
        bootMs,
        totalMs: Date.now() - started,
      };
      if (kernelFault !== null) result.failure = `the guest kernel faulted (the run is not trusted after it): ${kernelFault}`;
      else if (timedOut) result.failure = `the guest did not finish within ${timeoutMs} ms`;
      else if (!match) result.failure = `qemu exited (code ${code}, signal ${signal}) before the guest reported an exit code`;
      resolvePromise(result);
    });
  });
}
