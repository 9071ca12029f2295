/**
 * Runs inside the test VM (`npm run demo`): provisions a ramdisk-backed
 * loopback (tcm_loop) LUN through the library, shows it appearing as a SCSI
 * disk (`lsscsi`), and removes it again.
 */
import { spawnSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { LUN, RDMCPStorageObject, RTSRoot, TPG, Target } from '../src/index.js';

const step = (text: string) => console.log(`\n==> ${text}`);
const lsscsi = () => spawnSync('lsscsi', [], { encoding: 'utf8' }).stdout;

async function waitFor(predicate: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (predicate()) return true;
    await sleep(100);
  }
  return predicate();
}

const root = new RTSRoot();
step(`kernel: ${await root.version()}`);
step('SCSI devices before');
process.stdout.write(lsscsi() || '(none)\n');

step('create ramdisk storage object demo_ram (64 MiB)');
const ram = await RDMCPStorageObject.open(root, 'demo_ram', { size: '64M' });
console.log(`  ${ram.path}  serial ${await ram.wwn()}`);

step('create loopback target with a nexus, and LUN 0 on demo_ram');
const target = await Target.open(root, 'loopback');
const tpg = await TPG.open(target, { tag: 1, nexus: true });
const lun = await LUN.open(tpg, { storageObject: ram, alias: 'demo_lun' });
console.log(`  target ${target.wwn}, nexus ${await tpg.nexus()}, ${lun.path}`);

step('the LUN appears as a local SCSI disk');
const appeared = await waitFor(() => /LIO-ORG\s+demo_ram|RAMDISK-MCP/.test(lsscsi()), 20_000);
process.stdout.write(lsscsi());
if (!appeared) {
  console.error('the loopback LUN did not appear as a SCSI device');
  process.exitCode = 1;
}

step('remove the target and the storage object');
await target.delete();
await ram.delete();
const gone = await waitFor(() => !/RAMDISK-MCP/.test(lsscsi()), 20_000);
process.stdout.write(lsscsi() || '(no SCSI devices)\n');
console.log(gone && appeared ? '\ndemo finished: the disk came and went' : '\ndemo FAILED');
if (!gone) process.exitCode = 1;
