/**
 * Peak memory of a save (run by bench/workload.guest.ts in a child node
 * process, inside the guest, on a built W(N, A) tree): the whole-tree
 * snapshot, then dumpConfig + writeConfigFile, and nothing else. Prints one
 * JSON line: the peak before any work (node, tsx and the library loaded) and
 * after, from /proc/self/status (VmHWM) and process.resourceUsage().maxRSS,
 * all in KiB.
 *
 *   node --import tsx bench/workload-rss.guest.ts <saveconfig file>
 */
import { readFileSync } from 'node:fs';
import { RTSRoot, dumpConfig, writeConfigFile } from '../src/index.js';

/** A `Vm…:   123 kB` line of /proc/self/status, in KiB. */
function status(field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) : NaN;
}

const file = process.argv[2];
if (!file) {
  console.error('usage: node --import tsx bench/workload-rss.guest.ts <file>');
  process.exit(2);
}
const baselineKiB = status('VmHWM');
const root = new RTSRoot();
const t0 = performance.now();
const entries = (await root.cfs.snapshot('')).size;
const snapshotMs = performance.now() - t0;
const t1 = performance.now();
await writeConfigFile(file, await dumpConfig(root), { backups: 0 });
const saveMs = performance.now() - t1;
console.log(
  JSON.stringify({
    baselineKiB,
    vmHwmKiB: status('VmHWM'),
    maxRssKiB: process.resourceUsage().maxRSS,
    snapshotMs,
    saveMs,
    snapshotEntries: entries,
  }),
);
