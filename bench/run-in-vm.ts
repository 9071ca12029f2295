/**
 * Runs a benchmark script inside one guest boot of the test VM:
 * `tsx bench/run-in-vm.ts bench/<name>.guest.ts [args]`. The syscall floor is
 * compiled on the host first; the guest script gets its path in
 * RTSLIB_BENCH_FLOOR and writes its results under bench/out/.
 * RTSLIB_BENCH_NODE_OPTIONS becomes NODE_OPTIONS in the guest.
 */
import { cpus, loadavg } from 'node:os';
import { ensureVmPackages } from '../test/vm/packages.js';
import { runInVm, tail } from '../test/vm/vm.js';
import { buildFloor } from './floor/build.js';

const [script, ...args] = process.argv.slice(2);
if (!script) {
  console.error('usage: tsx bench/run-in-vm.ts <guest script> [args]');
  process.exit(2);
}
ensureVmPackages();
// Measurements need the guest's two vCPUs on two host threads (the harness's default is one; see
// test/vm/vm.ts); the smoke run, which only checks that the benchmark runs, asks for one.
process.env.RTSLIB_VM_ACCEL ??= 'tcg,thread=multi';
const floor = buildFloor();
const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
const result = await runInVm({
  script: `node node_modules/tsx/dist/cli.mjs ${quote(script)} ${args.map(quote).join(' ')}`,
  // the guest sees only its emulated CPU: tell it what it runs on, and how busy the host was
  env: {
    RTSLIB_BENCH_FLOOR: floor,
    RTSLIB_BENCH_HOST_CPU: `${cpus()[0]?.model ?? 'unknown'}, ${cpus().length} cores`,
    RTSLIB_BENCH_HOST_LOAD: loadavg()
      .map((x) => x.toFixed(2))
      .join(' '),
    // node's own options for every node process of the run (e.g. a larger heap for W(10000, 2)); recorded in the results
    ...(process.env['RTSLIB_BENCH_NODE_OPTIONS'] ? { NODE_OPTIONS: process.env['RTSLIB_BENCH_NODE_OPTIONS'] } : {}),
  },
  echo: process.stdout,
  timeoutMs: Number(process.env.RTSLIB_VM_TIMEOUT_MS ?? 60 * 60_000),
  memoryMiB: 4096,
});
console.log(
  `bench: guest kernel ${result.kernelVersion}, whole run ${(result.totalMs / 1000).toFixed(1)} s, exit code ${result.exitCode ?? 'none'}; host load average now ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`,
);
if (result.failure) {
  console.error(`bench: ${result.failure}\n${tail(result.output)}`);
  process.exit(1);
}
process.exit(result.exitCode ?? 1);
