import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Kernel files run one at a time in name order, whatever the timing cache
 * says: they share one kernel. The pscsi tests (pscsi.test.ts) come after
 * every test that adds or removes SCSI devices (discovery, loopback LUNs):
 * after them, in the same guest, scsi_debug reloads showed no devices and a
 * tcm_loop LUN removal hung, which is still to be understood.
 */
class ByName extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    return [...files].sort((a, b) => a.moduleId.localeCompare(b.moduleId));
  }
}

/** Kernel tests: run only inside the VM (`npm run test:kernel`), one file at a time. */
export default defineConfig({
  test: {
    include: ['test/kernel/**/*.test.ts'],
    setupFiles: ['test/kernel/setup.ts'],
    pool: 'forks',
    fileParallelism: false,
    maxWorkers: 1,
    // One process for every file: each file's own process would load (and transform) the library again,
    // some 10 s a file in the emulated guest. The files clean up after themselves (the tree, fault hooks).
    isolate: false,
    testTimeout: 180_000,
    hookTimeout: 180_000,
    reporters: ['verbose'],
    sequence: { sequencer: ByName },
  },
});
