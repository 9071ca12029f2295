/**
 * `rtslib --timeout` on the real kernel, with a configfs call that really
 * blocks: a loopback LUN whose backing device (a device-mapper device over a
 * loop device, suspended, so it holds every I/O until it is resumed) has a
 * read in flight cannot be removed until that read has completed (the kernel
 * drains the LUN's commands, and tcm_loop removes the initiator's disk,
 * inside the unlink). `rtslib --timeout 2 clear` gives up on that call
 * after 2 s with one line naming it, exit 1, keeps the journal and undoes
 * nothing behind the call; once the device is resumed and the kernel has
 * returned, `rtslib recover` puts back exactly the tree before the clear.
 * As a process, the command prints its error at the timeout but ends only
 * when the kernel returns: Linux ends no process while one of its threads
 * is in an uninterruptible wait.
 *
 * The file's name puts it before the files that load and unload scsi_debug
 * (discovery, pscsi): on this kernel, removing scsi_debug's hosts can leave
 * a stale `/bus/scsi/devices/host0` behind, after which adding a SCSI host
 * (scsi_debug's again, or tcm_loop's disk) fails or oopses in the guest.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { basename } from 'node:path';
import { listScsiDevices, listScsiHosts } from '../../src/index.js';
import { rawTree } from './helpers.js';
import { rtslibInProcess } from './support/cli-in-process.js';
import { startCli } from './support/cli-process.js';

const DIR = '/tmp/timeout-test';
const STATE = `${DIR}/state`;
const WWN = 'naa.5001405aabb00001';
/** The device-mapper device the block storage object is on. */
const DM_NAME = 'rtslib-timeout';

let loop = '';
let backing = '';
let tree: string[] = [];

function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

/** Commands in flight on a block device (`/sys/block/X/inflight`: reads, writes). */
function inflight(device: string): number {
  const [reads, writes] = readFileSync(`/sys/block/${basename(device)}/inflight`, 'utf8')
    .trim()
    .split(/\s+/)
    .map(Number);
  return (reads ?? 0) + (writes ?? 0);
}

/** The loopback target's LUN as the guest's SCSI disk. */
async function loopbackDisk(): Promise<string> {
  const hosts = new Set((await listScsiHosts()).filter((h) => h.procName === 'tcm_loopback').map((h) => h.host));
  for (let i = 0; i < 300; i++) {
    const disk = (await listScsiDevices()).find((d) => hosts.has(d.host) && d.vendor === 'LIO-ORG' && d.blockDevice && existsSync(d.blockDevice));
    if (disk?.blockDevice) return disk.blockDevice;
    await sleep(200);
  }
  throw new Error('the loopback LUN did not appear as a disk');
}

/** A held read: `ended` resolves with dd's exit code and when it ended; `release` resumes the device. */
interface HeldRead {
  ended: Promise<{ code: number | null; at: number }>;
  release: () => number;
}

/**
 * Suspends the backing device, starts a direct read of the loopback disk
 * and waits until the read is in flight (held by the suspended device until
 * `release`).
 */
async function holdRead(): Promise<HeldRead> {
  const disk = await loopbackDisk();
  run('dmsetup', ['suspend', '--noudevsync', DM_NAME]);
  const dd = spawn('dd', [`if=${disk}`, 'of=/dev/null', 'bs=4096', 'count=1', 'iflag=direct'], { stdio: 'ignore' });
  const ended = new Promise<{ code: number | null; at: number }>((resolve) => dd.on('exit', (code) => resolve({ code, at: Date.now() })));
  for (let i = 0; inflight(disk) === 0; i++) {
    if (i > 100) throw new Error('the read did not reach the loopback disk');
    await sleep(50);
  }
  return {
    ended,
    release: () => {
      run('dmsetup', ['resume', '--noudevsync', DM_NAME]);
      return Date.now();
    },
  };
}

beforeAll(async () => {
  for (const m of ['sd_mod', 'dm_mod', 'target_core_iblock', 'tcm_loop']) run('modprobe', [m]);
  rmSync(DIR, { recursive: true, force: true });
  mkdirSync(STATE, { recursive: true });
  writeFileSync(`${DIR}/disk.img`, Buffer.alloc(8 << 20));
  loop = run('losetup', ['--find', '--show', `${DIR}/disk.img`]).trim();
  spawnSync('dmsetup', ['remove', '--noudevsync', DM_NAME]);
  run('dmsetup', ['create', '--noudevsync', DM_NAME, '--table', `0 ${(8 << 20) / 512} linear ${loop} 0`]);
  backing = `/dev/${run('dmsetup', ['info', '-c', '--noheadings', '-o', 'blkdevname', DM_NAME]).trim()}`;
  for (let i = 0; !existsSync(backing); i++) {
    if (i > 100) throw new Error(`${backing} did not appear`);
    await sleep(50);
  }
  const config = {
    storage_objects: [{ plugin: 'block', name: 'slow', dev: backing, write_back: false }],
    targets: [{ fabric: 'loopback', wwn: WWN, tpgs: [{ tag: 1, luns: [{ index: 0, storage_object: '/backstores/block/slow', alias: 'slowlink01' }] }] }],
  };
  writeFileSync(`${DIR}/config.json`, JSON.stringify(config));
  const restored = await rtslibInProcess('--state-dir', STATE, 'restore', `${DIR}/config.json`);
  expect(restored.status, restored.stderr).toBe(0);
  // one read before holding any: the disk works, and the kernel's own first reads of it are over
  run('dd', [`if=${await loopbackDisk()}`, 'of=/dev/null', 'bs=4096', 'count=1', 'iflag=direct']);
  tree = rawTree();
}, 120_000);

afterAll(async () => {
  spawnSync('dmsetup', ['resume', '--noudevsync', DM_NAME]);
  await rtslibInProcess('--state-dir', STATE, 'recover');
  await rtslibInProcess('--state-dir', STATE, 'clear');
  spawnSync('dmsetup', ['remove', '--noudevsync', DM_NAME]);
  if (loop) spawnSync('losetup', ['--detach', loop]);
  rmSync(DIR, { recursive: true, force: true });
}, 180_000);

describe('--timeout with a configfs call the kernel holds', () => {
  test('clear gives up on the blocked call, keeps the journal, and recover restores the tree once the kernel returns', async () => {
    const held = await holdRead();
    const started = Date.now();
    const cleared = await rtslibInProcess('--state-dir', STATE, '--timeout', '2', 'clear');
    const gaveUpAfter = Date.now() - started;
    expect(cleared.status).toBe(1);
    expect(cleared.stdout).toBe('');
    expect(cleared.stderr.split('\n')).toHaveLength(2); // one line
    expect(cleared.stderr).toMatch(
      new RegExp(
        `^rtslib: could not .*: ETIMEDOUT, (unlink|rmdir) '/sys/kernel/config/target/loopback/${WWN}/tpgt_1/lun/lun_0[^']*' \\(timed out after 2000 ms\\); the kernel may still complete that call, so nothing was undone: the journal ${STATE}/journal-[0-9a-f]+\\.json is kept`,
      ),
    );
    // it gave up at the timeout, while the read (and so the call) was still held
    expect(gaveUpAfter).toBeGreaterThanOrEqual(2000);
    expect(gaveUpAfter).toBeLessThan(10_000);
    const journal = /the journal (\S+) is kept/.exec(cleared.stderr)![1]!;
    expect(existsSync(journal)).toBe(true);

    held.release();
    expect((await held.ended).code).toBe(0);
    // `recover` takes the lock and waits for nothing else: it puts back what the clear removed
    const recovered = await rtslibInProcess('--state-dir', STATE, 'recover');
    expect(recovered.status, recovered.stderr).toBe(0);
    expect(recovered.stdout + recovered.stderr).toMatch(/rolled back/);
    expect(existsSync(journal)).toBe(false);
    expect(rawTree()).toEqual(tree);
    expect(readdirSync(STATE)).toEqual([]);
  }, 120_000);

  test('as a process: the error is printed at the timeout, the exit comes when the kernel returns', async () => {
    const held = await holdRead();
    const started = Date.now();
    const cli = startCli(['--state-dir', STATE, '--timeout', '2', 'clear']);
    let exited = false;
    const done = cli.done.then((result) => {
      exited = true;
      return result;
    });
    const line = await cli.waitFor(/ETIMEDOUT/, 60_000);
    const printedAt = Date.now() - started;
    expect(line).toMatch(/timed out after 2000 ms/);
    // the error is out, the call is still held: the process does not end
    await sleep(3000);
    expect(exited).toBe(false);
    const releasedAt = held.release() - started;
    const result = await done;
    const exitedAt = Date.now() - started;
    expect(result.code).toBe(1);
    expect((await held.ended).code).toBe(0);
    expect(exitedAt).toBeGreaterThanOrEqual(releasedAt);
    console.log(`--timeout 2 as a process: error printed after ${printedAt} ms, the device released after ${releasedAt} ms, the process ended after ${exitedAt} ms`);
    const recovered = await rtslibInProcess('--state-dir', STATE, 'recover');
    expect(recovered.status, recovered.stderr).toBe(0);
    expect(rawTree()).toEqual(tree);
  }, 240_000);

  test('a call that returns within the timeout is unaffected', async () => {
    const cleared = await rtslibInProcess('--state-dir', STATE, '--timeout', '30', 'clear');
    expect(cleared.status, cleared.stderr).toBe(0);
    expect(rawTree().filter((p) => p.includes('loopback/naa'))).toEqual([]);
    const restored = await rtslibInProcess('--state-dir', STATE, '--timeout', '30', 'restore', `${DIR}/config.json`);
    expect(restored.status, restored.stderr).toBe(0);
    expect(rawTree()).toEqual(tree);
  }, 120_000);
});
