/**
 * `rtslib --timeout` on the real kernel, with a configfs call that really
 * blocks: a loopback LUN whose backing disk (scsi_debug, its responses
 * delayed by seconds) has a read in flight cannot be removed until that read
 * has completed (the kernel drains the LUN's commands, and tcm_loop removes
 * the initiator's disk, inside the unlink). `rtslib --timeout 2 clear`
 * gives up on that call after 2 s with one line naming it, exit 1, keeps
 * the journal and undoes nothing behind the call; once the kernel has
 * returned, `rtslib recover` puts back exactly the tree before the clear.
 * As a process, the command prints its error at the timeout but ends only
 * when the kernel returns: Linux ends no process while one of its threads
 * is in an uninterruptible wait.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { basename } from 'node:path';
import { listScsiDevices, listScsiHosts, type ScsiDevice } from '../../src/index.js';
import { rawTree, unloadScsiDebug } from './helpers.js';
import { rtslibInProcess } from './support/cli-in-process.js';
import { startCli } from './support/cli-process.js';

const SCSI_DEBUG = '/sys/bus/pseudo/drivers/scsi_debug';
const DIR = '/tmp/timeout-test';
const STATE = `${DIR}/state`;
const WWN = 'naa.5001405aabb00001';
/** How long the backing disk takes to answer a command. */
const DELAY_S = 8;
/** The same, while a command is started as a process. */
const PROCESS_DELAY_S = 25;

let backing: ScsiDevice;
let tree: string[] = [];

function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

/** The kernel's tick rate (scsi_debug's `delay` is in jiffies). */
function kernelHz(): number {
  const release = run('uname', ['-r']).trim();
  const config = readFileSync(`/boot/config-${release}`, 'utf8');
  return Number(/^CONFIG_HZ=(\d+)$/m.exec(config)?.[1]);
}

/** Sets scsi_debug's response delay (refused while commands are queued, so retried). */
async function setDelay(jiffies: number): Promise<void> {
  for (let i = 0; ; i++) {
    try {
      writeFileSync(`${SCSI_DEBUG}/delay`, String(jiffies));
      return;
    } catch (error) {
      if (i > 600) throw error;
      await sleep(200);
    }
  }
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

/**
 * Delays the backing disk's answers by `seconds`, starts a direct read of
 * the loopback disk and waits until it is in flight on the backing disk
 * (where it stays for `seconds`). When the read has ended, the disk answers
 * at once again (so the disk the kernel adds back on recovery is scanned
 * without delay). `ended` resolves with dd's exit code and when it ended.
 */
async function readInFlight(seconds: number): Promise<{ ended: Promise<{ code: number | null; at: number }> }> {
  const disk = await loopbackDisk();
  await setDelay(seconds * kernelHz());
  const dd = spawn('dd', [`if=${disk}`, 'of=/dev/null', 'bs=4096', 'count=1', 'iflag=direct'], { stdio: 'ignore' });
  const ended = new Promise<{ code: number | null; at: number }>((resolve) => dd.on('exit', (code) => resolve({ code, at: Date.now() }))).then(async (end) => {
    await setDelay(1);
    return end;
  });
  for (let i = 0; inflight(backing.blockDevice!) === 0; i++) {
    if (i > 100) throw new Error('the read did not reach the backing disk');
    await sleep(50);
  }
  return { ended };
}

beforeAll(async () => {
  for (const m of ['sd_mod', 'target_core_iblock', 'tcm_loop']) run('modprobe', [m]);
  await unloadScsiDebug();
  // no scsi_debug host is left (host numbers are reused), so any one after the load is this file's
  for (let i = 0; (await listScsiHosts()).some((h) => h.procName === 'scsi_debug'); i++) {
    if (i > 150) throw new Error('scsi_debug hosts stayed after the module was unloaded');
    await sleep(200);
  }
  run('modprobe', ['scsi_debug', 'dev_size_mb=8']);
  for (let i = 0; ; i++) {
    const hosts = (await listScsiHosts()).filter((h) => h.procName === 'scsi_debug').map((h) => h.host);
    const devices = await listScsiDevices();
    const disk = devices.find((d) => hosts.includes(d.host) && d.blockDevice && existsSync(d.blockDevice));
    if (disk) {
      backing = disk;
      break;
    }
    if (i > 300)
      throw new Error(`the scsi_debug disk did not appear: hosts ${JSON.stringify(hosts)}, devices ${JSON.stringify(devices.map((d) => [d.hctl, d.vendor, d.blockDevice]))}`);
    await sleep(200);
  }
  rmSync(DIR, { recursive: true, force: true });
  mkdirSync(STATE, { recursive: true });
  const config = {
    storage_objects: [{ plugin: 'block', name: 'slow', dev: backing.blockDevice, write_back: false }],
    targets: [{ fabric: 'loopback', wwn: WWN, tpgs: [{ tag: 1, luns: [{ index: 0, storage_object: '/backstores/block/slow', alias: 'slowlink01' }] }] }],
  };
  writeFileSync(`${DIR}/config.json`, JSON.stringify(config));
  const restored = await rtslibInProcess('--state-dir', STATE, 'restore', `${DIR}/config.json`);
  expect(restored.status, restored.stderr).toBe(0);
  // one read before the delay: the disk works, and the kernel's own first reads of it are over
  run('dd', [`if=${await loopbackDisk()}`, 'of=/dev/null', 'bs=4096', 'count=1', 'iflag=direct']);
  tree = rawTree();
}, 120_000);

afterAll(async () => {
  if (existsSync(SCSI_DEBUG)) await setDelay(1);
  await rtslibInProcess('--state-dir', STATE, 'recover');
  await rtslibInProcess('--state-dir', STATE, 'clear');
  await unloadScsiDebug();
  rmSync(DIR, { recursive: true, force: true });
}, 180_000);

describe('--timeout with a configfs call the kernel holds', () => {
  test('clear gives up on the blocked call, keeps the journal, and recover restores the tree once the kernel returns', async () => {
    const read = (await readInFlight(DELAY_S)).ended;
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
    expect(gaveUpAfter).toBeLessThan(DELAY_S * 1000);
    const journal = /the journal (\S+) is kept/.exec(cleared.stderr)![1]!;
    expect(existsSync(journal)).toBe(true);

    expect((await read).code).toBe(0);
    // `recover` takes the lock and waits for nothing else: it puts back what the clear removed
    const recovered = await rtslibInProcess('--state-dir', STATE, 'recover');
    expect(recovered.status, recovered.stderr).toBe(0);
    expect(recovered.stdout + recovered.stderr).toMatch(/rolled back/);
    expect(existsSync(journal)).toBe(false);
    expect(rawTree()).toEqual(tree);
    expect(readdirSync(STATE)).toEqual([]);
  }, 120_000);

  test('as a process: the error is printed at the timeout, the exit comes when the kernel returns', async () => {
    // longer, so that a node start in the guest plus the timeout ends well before the read
    const read = (await readInFlight(PROCESS_DELAY_S)).ended;
    const started = Date.now();
    const cli = startCli(['--state-dir', STATE, '--timeout', '2', 'clear']);
    const line = await cli.waitFor(/ETIMEDOUT/, 60_000);
    const printedAt = Date.now() - started;
    const result = await cli.done;
    const exitedAt = Date.now() - started;
    expect(line).toMatch(/timed out after 2000 ms/);
    expect(result.code).toBe(1);
    const { code, at } = await read;
    expect(code).toBe(0);
    const readEndedAt = at - started;
    // printed while the kernel still held the call; the process ended only when it let go
    // (the read's end and the call's return are one kernel event; the two exits are seen within ms)
    expect(printedAt).toBeLessThan(readEndedAt - 2000);
    expect(exitedAt).toBeGreaterThan(readEndedAt - 1000);
    console.log(`--timeout 2 as a process: error printed after ${printedAt} ms, the held read ended after ${readEndedAt} ms, the process after ${exitedAt} ms`);
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
