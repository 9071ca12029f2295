/**
 * `npm run test:kernel`: boots one guest and runs the whole kernel test suite
 * (vitest, `vitest.kernel.config.ts`) inside it against the real LIO kernel,
 * then one more guest for each file that needs a guest of its own
 * (`*.own-guest.test.ts`: it leaves the kernel damaged). Extra arguments are
 * passed to vitest (e.g. a file filter) and run every matching file in one
 * guest.
 *
 * RTSLIB_SKIP_KERNEL_TESTS=1 skips the suite on a developer machine and says
 * so; it is refused under CI.
 */
import { readdirSync } from 'node:fs';
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

/** The files that need a guest of their own, relative to the repository. */
function ownGuestFiles(): string[] {
  return readdirSync('test/kernel', { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.own-guest.test.ts'))
    .map((f) => `test/kernel/${f}`)
    .sort();
}

const seconds = (ms: number | null) => (ms === null ? '?' : (ms / 1000).toFixed(1));

/** Runs vitest with `args` in a fresh guest; returns whether it passed. */
async function runGuest(what: string, files: 'shared' | 'own-guest' | 'all', args: string[]): Promise<boolean> {
  console.log(`kernel suite: ${what}: booting the guest (qemu, software emulation)`);
  const result = await runInVm({
    script: `node node_modules/vitest/vitest.mjs run --config vitest.kernel.config.ts ${args.map(shellQuote).join(' ')}`,
    env: { RTSLIB_KERNEL_FILES: files },
    echo: process.stdout,
    // the guest is emulated, so its speed follows the host's: the suite took 16 min on one host and over 25 on a slower one
    timeoutMs: Number(process.env.RTSLIB_VM_TIMEOUT_MS ?? 50 * 60_000),
  });
  console.log(
    `kernel suite: ${what}: guest kernel ${result.kernelVersion}, boot ${seconds(result.bootMs)} s, whole run ${seconds(result.totalMs)} s, exit code ${result.exitCode ?? 'none'}`,
  );
  if (result.failure) {
    console.error(`kernel suite: ${what}: ${result.failure}\n--- console tail ---\n${tail(result.output)}`);
    return false;
  }
  return result.exitCode === 0;
}

const args = process.argv.slice(2);
let passed: boolean;
if (args.length) passed = await runGuest('the chosen files', 'all', args);
else {
  passed = await runGuest('the suite', 'shared', []);
  for (const file of ownGuestFiles()) passed = (await runGuest(file, 'own-guest', [file])) && passed;
}
process.exit(passed ? 0 : 1);
