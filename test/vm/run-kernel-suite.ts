/**
 * `npm run test:kernel`: boots one guest and runs the whole kernel test suite
 * (vitest, `vitest.kernel.config.ts`) inside it against the real LIO kernel.
 * Extra arguments are passed to vitest (e.g. a file filter).
 *
 * RTSLIB_SKIP_KERNEL_TESTS=1 skips the suite on a developer machine and says
 * so; it is refused under CI.
 */
import { ensureVmPackages } from './packages.js';
import { runInVm, tail } from './vm.js';

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

if (process.env.RTSLIB_SKIP_KERNEL_TESTS === '1') {
  if (process.env.CI) {
    console.error('RTSLIB_SKIP_KERNEL_TESTS is set but CI is too: kernel tests never skip in CI');
    process.exit(1);
  }
  console.log('SKIPPED: kernel test suite (RTSLIB_SKIP_KERNEL_TESTS=1); nothing was tested on the real kernel');
  process.exit(0);
}

ensureVmPackages();
const vitestArgs = process.argv.slice(2).map(shellQuote).join(' ');
console.log('kernel suite: booting the guest (qemu, software emulation)');
const result = await runInVm({
  script: `node node_modules/vitest/vitest.mjs run --config vitest.kernel.config.ts ${vitestArgs}`,
  echo: process.stdout,
  // the guest is emulated, so its speed follows the host's: the suite took 16 min on one host and over 25 on a slower one
  timeoutMs: Number(process.env.RTSLIB_VM_TIMEOUT_MS ?? 50 * 60_000),
});
const seconds = (ms: number | null) => (ms === null ? '?' : (ms / 1000).toFixed(1));
console.log(`kernel suite: guest kernel ${result.kernelVersion}, boot ${seconds(result.bootMs)} s, whole run ${seconds(result.totalMs)} s, exit code ${result.exitCode ?? 'none'}`);
if (result.failure) {
  console.error(`kernel suite: ${result.failure}\n--- console tail ---\n${tail(result.output)}`);
  process.exit(1);
}
process.exit(result.exitCode ?? 1);
