import { defineConfig } from 'vitest/config';

/** Unit tests: run on the host, no kernel needed. */
export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 30_000,
  },
});
