/** Boots the guest once and runs a trivial command: `tsx test/vm/smoke.ts`. */
import { runInVm, tail } from './vm.js';

const result = await runInVm({ script: process.argv[2] ?? 'uname -r; ls /sys/kernel/config/target', echo: process.stdout, timeoutMs: 120_000 });
console.log(`\nexit=${result.exitCode} boot=${result.bootMs}ms total=${result.totalMs}ms${result.failure ? ` failure=${result.failure}\n${tail(result.output)}` : ''}`);
process.exit(result.exitCode ?? 1);
