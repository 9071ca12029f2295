/**
 * The guest console's kernel faults (test/vm/vm.ts): a faulted kernel fails
 * the run and stops the guest, instead of the run hanging until its bound
 * (a CI run once spent 40 minutes so after a fault in the guest); and its
 * lines, read whole.
 */
import { describe, expect, test } from 'vitest';
import { PassThrough } from 'node:stream';
import { isKernelFault, readLines } from '../../test/vm/vm.js';

describe('isKernelFault', () => {
  test.each([
    // the lines a CI run's guest printed (kernel 6.1), then others of the kernel's own forms
    '[  813.142493] BUG: Bad page state in process node  pfn:14e00',
    '[  812.790001] general protection fault, probably for non-canonical address 0xc5f0ded9d4e9f2ef: 0000 [#1] PREEMPT SMP NOPTI',
    '[   10.000000] BUG: unable to handle page fault for address: ffff8880deadbeef',
    '[   10.000000] BUG: kernel NULL pointer dereference, address: 0000000000000008',
    '[   10.000000] kernel BUG at drivers/target/target_core_transport.c:123!',
    '[   10.000000] Oops: 0000 [#1] PREEMPT SMP NOPTI',
    '[   10.000000] Kernel panic - not syncing: Fatal exception',
  ])('%s is a fault', (line) => {
    expect(isKernelFault(line)).toBe(true);
  });

  test.each([
    // an emulated CPU can be slow enough for the watchdog: not a fault
    '[  120.000000] watchdog: BUG: soft lockup - CPU#1 stuck for 23s! [node:154]',
    ' ✓ test/kernel/startup.test.ts > RTSRoot.open() > mounts configfs 7232ms',
    'AssertionError: expected BUG: to be fine',
    '[   10.000000] WARNING: CPU: 0 PID: 1 at fs/configfs/dir.c:100 configfs_foo+0x1/0x2',
  ])('%s is not', (line) => {
    expect(isKernelFault(line)).toBe(false);
  });
});

describe('readLines', () => {
  test('a character split across chunks stays one character; lines split across chunks stay one line', () => {
    const stream = new PassThrough();
    const lines: string[] = [];
    const flush = readLines(stream, (line) => lines.push(line));
    const check = Buffer.from(' ✓ test passed\nnext ', 'utf8');
    // ✓ is three bytes (e2 9c 93): cut after its first byte
    stream.write(check.subarray(0, 2));
    stream.write(check.subarray(2, 4));
    stream.write(check.subarray(4));
    stream.write('line\nunfinished');
    flush();
    expect(lines).toEqual([' ✓ test passed', 'next line', 'unfinished']);
  });

  test('each stream keeps its own unfinished line', () => {
    const out = new PassThrough();
    const err = new PassThrough();
    const lines: string[] = [];
    readLines(out, (line) => lines.push(line));
    readLines(err, (line) => lines.push(line));
    out.write('guest ');
    err.write('qemu warning\n');
    out.write('console\n');
    expect(lines).toEqual(['qemu warning', 'guest console']);
  });
});
