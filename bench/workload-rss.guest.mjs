/**
 * Peak memory of a save (run by bench/workload.guest.ts in a child node
 * process, inside the guest, on a built W(N, A) tree): `saveConfigFile` of
 * the built library (dist/, as users load it), which streams the dump to the
 * file, and nothing else. Prints one JSON line: the peak before any work
 * (node and the library loaded) and after, from /proc/self/status (VmHWM)
 * and process.resourceUsage().maxRSS, all in KiB; the save's time and the
 * file's size.
 *
 *   node bench/workload-rss.guest.mjs <saveconfig file>
 */
import { readFileSync, statSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { RTSRoot, saveConfigFile } from '../dist/index.js';

/** A `Vm…:   123 kB` line of /proc/self/status, in KiB. */
function status(field) {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) : NaN;
}

const file = process.argv[2];
if (!file) {
  console.error('usage: node bench/workload-rss.guest.mjs <file>');
  process.exit(2);
}
const baselineKiB = status('VmHWM');
const t0 = performance.now();
await saveConfigFile(new RTSRoot(), file, { backups: 0 });
const saveMs = performance.now() - t0;
console.log(JSON.stringify({ baselineKiB, vmHwmKiB: status('VmHWM'), maxRssKiB: process.resourceUsage().maxRSS, saveMs, bytes: statSync(file).size }));
