/**
 * Runs before every kernel test file: refuses to run anywhere but inside the
 * test VM with LIO loaded, so a kernel test can never pass without the kernel.
 */
import { existsSync } from 'node:fs';

if (process.env.RTSLIB_IN_VM !== '1' || !existsSync('/sys/kernel/config/target/version')) {
  throw new Error('kernel tests run only inside the test VM (npm run test:kernel), with configfs and target_core_mod loaded');
}
