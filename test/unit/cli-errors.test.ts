/**
 * How the `rtslib` command reports failures: exit code and the one line,
 * for commander errors, invalid configs, kernel failures (with errno,
 * syscall, path) and anything else. Also the plan summary line and the
 * progress bar's terminal-only rule.
 */
import { describe, expect, test } from 'vitest';
import { Writable } from 'node:stream';
import { CommanderError } from 'commander';
import { RTSLibError, operationCause } from '../../src/errors.js';
import { RTSLibConfigError } from '../../src/config/schema.js';
import { RTSLibOperationError } from '../../src/cfs/configfs.js';
import { oneLine, reportError } from '../../src/cli/error-report.js';
import { ExitCode } from '../../src/cli/exit-codes.js';
import { planSummary } from '../../src/cli/plan-runner.js';
import { PROGRESS_THRESHOLD, startProgress, wantsProgressBar } from '../../src/cli/progress.js';
import type { CliIO } from '../../src/cli/cli-io.js';
import type { Plan } from '../../src/config/plan.js';

describe('reportError', () => {
  test('commander errors: usage (2) with a hint; help and version (0)', () => {
    expect(reportError(new CommanderError(1, 'commander.unknownOption', "error: unknown option '--x'"), 'ls')).toEqual({
      exitCode: ExitCode.Usage,
      message: "unknown option '--x' (see 'rtslib ls --help')",
    });
    expect(reportError(new CommanderError(1, 'commander.conflictingOption', "error: option '--a' cannot be used with option '--b'")).exitCode).toBe(2);
    expect(reportError(new CommanderError(0, 'commander.helpDisplayed', '(outputHelp)')).exitCode).toBe(0);
    expect(reportError(new CommanderError(0, 'commander.version', '1.0.0')).exitCode).toBe(0);
    expect(reportError(new CommanderError(1, 'commander.help', '(outputHelp)'))).toEqual({ exitCode: 2, message: "missing command (see 'rtslib --help')" });
    expect(reportError(new CommanderError(1, 'commander.invalidArgument', "error: option '--configfs <dir>' argument '' is invalid. x"), 'clear')).toEqual({
      exitCode: 2,
      message: "option '--configfs <dir>' argument '' is invalid. x (see 'rtslib clear --help')",
    });
  });

  test('an invalid config is a usage error (2) naming the path', () => {
    const err = new RTSLibConfigError(
      [
        { path: 'targets[0].wwn', message: 'bad wwn' },
        { path: '$', message: 'x' },
      ],
      '/etc/target/saveconfig.json',
    );
    // the first line sums up; every problem follows on a line of its own
    expect(reportError(err)).toEqual({
      exitCode: 2,
      message: 'invalid config /etc/target/saveconfig.json: targets[0].wwn: bad wwn (and 1 more)',
      details: ['  targets[0].wwn: bad wwn', '  $: x'],
    });
  });

  test('a kernel failure (1) carries code, syscall and path, once', () => {
    const op = operationCause(-17, 'mkdir', '/sys/kernel/config/target/core/fileio_0/disk1');
    const plain = new RTSLibError('could not create storage object', { operation: op });
    expect(reportError(plain)).toEqual({ exitCode: 1, message: "could not create storage object (EEXIST, mkdir '/sys/kernel/config/target/core/fileio_0/disk1')" });
    const step = new RTSLibOperationError('create storage object fileio/disk1', { ...op, step: 0, op: 'mkdir' }, []);
    expect(reportError(step)).toEqual({ exitCode: 1, message: step.message });
    expect(step.message).toContain('EEXIST');
  });

  test('errno-only native errors get their code name', () => {
    const err = Object.assign(new Error("opendir '/x': No such file or directory"), { errno: -2, syscall: 'opendir', path: '/x' });
    expect(reportError(err).message).toBe("opendir '/x': No such file or directory (ENOENT, opendir '/x')");
  });

  test('causes without system call details are appended; everything fits one line', () => {
    const err = new RTSLibError('restore failed', { cause: new Error('first\nsecond') });
    expect(reportError(err)).toEqual({ exitCode: 1, message: 'restore failed: first second' });
    expect(reportError('a string')).toEqual({ exitCode: 1, message: 'a string' });
    expect(oneLine('a\n  b\r\nc  ')).toBe('a b c');
  });
});

describe('planSummary', () => {
  const step = (action: 'create' | 'modify' | 'remove', ops: number): Plan['steps'][number] => ({
    action,
    object: 'x',
    ops: Array.from({ length: ops }, (_, i) => ({ op: 'mkdir' as const, path: `d${i}`, phase: 0 })),
  });
  test('counts steps by action and write operations', () => {
    expect(planSummary('restore', { steps: [step('create', 3), step('create', 1), step('remove', 2)] })).toBe('restore: 2 created, 0 modified, 1 removed (6 operations)');
    expect(planSummary('apply', { steps: [step('modify', 1)] })).toBe('apply: 0 created, 1 modified, 0 removed (1 operation)');
    expect(planSummary('clear', { steps: [] })).toBe('clear: nothing to do');
  });
});

describe('progress bar', () => {
  class Capture extends Writable {
    text = '';
    isTTY = true;
    columns = 100;
    override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
      this.text += chunk.toString();
      done();
    }
  }
  const io = (isTTY: boolean): CliIO & { stdout: Capture; stderr: Capture } => ({ stdout: new Capture(), stderr: new Capture(), isTTY });

  test('only on a terminal and only above the threshold', async () => {
    expect(wantsProgressBar(io(false), 10_000)).toBe(false);
    expect(wantsProgressBar(io(true), PROGRESS_THRESHOLD)).toBe(false);
    expect(wantsProgressBar(io(true), PROGRESS_THRESHOLD + 1)).toBe(true);
    const quiet = io(false);
    const none = await startProgress(quiet, 10_000, 'restore');
    expect(none.onProgress).toBeUndefined();
    none.stop();
    expect(quiet.stdout.text).toBe('');
  });

  test('a terminal run draws the bar on stdout and stop() ends it', async () => {
    const tty = io(true);
    const progress = await startProgress(tty, 200, 'restore');
    expect(progress.onProgress).toBeTypeOf('function');
    progress.onProgress?.(0, 200);
    progress.onProgress?.(120, 200);
    progress.onProgress?.(200, 200);
    progress.stop();
    expect(tty.stdout.text).toContain('restore [');
    expect(tty.stdout.text).toMatch(/\d+\/200 operations/);
    expect(tty.stderr.text).toBe('');
  });
});
