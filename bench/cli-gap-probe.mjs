// Preloaded (`node --import ./bench/cli-gap-probe.mjs ...`) by bench/cli-gap.guest.ts:
// when the process exits, writes what it measured of itself to the file named by
// RTSLIB_PROBE_OUT, as one JSON object: milliseconds since the process started
// (upMs), its CPU time (userMs, sysMs: every thread) and the time its garbage
// collections took (gcMs, gcCount).
import { writeFileSync } from 'node:fs';
import { PerformanceObserver, performance } from 'node:perf_hooks';

const out = process.env.RTSLIB_PROBE_OUT;
if (out) {
  let gcMs = 0;
  let gcCount = 0;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      gcMs += entry.duration;
      gcCount++;
    }
  }).observe({ entryTypes: ['gc'] });
  process.on('exit', () => {
    const cpu = process.cpuUsage();
    writeFileSync(out, JSON.stringify({ upMs: performance.now(), userMs: cpu.user / 1000, sysMs: cpu.system / 1000, gcMs, gcCount }) + '\n');
  });
}
