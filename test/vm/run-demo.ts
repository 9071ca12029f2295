/**
 * `npm run demo`: boots the test VM and runs the demo in it against the real
 * kernel, printing each step.
 */
import { ensureVmPackages } from './packages.js';
import { runInVm, tail } from './vm.js';

ensureVmPackages();
console.log('demo: booting the guest (qemu, software emulation; this takes about 10 s)');
const result = await runInVm({
  script: 'node node_modules/tsx/dist/cli.mjs examples/provision-demo.ts',
  echo: process.stdout,
  timeoutMs: 10 * 60_000,
});
console.log(`demo: guest kernel ${result.kernelVersion}, whole run ${(result.totalMs / 1000).toFixed(1)} s, exit code ${result.exitCode ?? 'none'}`);
if (result.failure) {
  console.error(`demo: ${result.failure}\n--- console tail ---\n${tail(result.output)}`);
  process.exit(1);
}
process.exit(result.exitCode ?? 1);
