import { defineConfig } from 'vitest/config';

/** Kernel tests: run only inside the VM (`npm run test:kernel`), one file at a time. */
export default defineConfig({
  test: {
    include: ['test/kernel/**/*.test.ts'],
    setupFiles: ['test/kernel/setup.ts'],
    pool: 'forks',
    fileParallelism: false,
    maxWorkers: 1,
    testTimeout: 180_000,
    hookTimeout: 180_000,
    reporters: ['verbose'],
  },
});
