import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Kernel files run one at a time in name order, whatever the timing cache
 * says: they share one kernel. The pscsi tests (pscsi.test.ts) come after
 * every test that adds or removes SCSI devices (discovery, loopback LUNs).
 * After PHBA mode, in the same guest, scsi_debug reloads showed no devices,
 * a tcm_loop LUN removal hung and the kernel later faulted: the kernel's
 * PHBA mode drops more references to the SCSI host than it takes (see
 * pscsi-phba.own-guest.test.ts), so that file runs in a guest of its own.
 */
class ByName extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    return [...files].sort((a, b) => a.moduleId.localeCompare(b.moduleId));
  }
}

/**
 * Files that need a guest of their own (they leave the kernel damaged):
 * `npm run test:kernel` boots one for each after the suite, with
 * RTSLIB_KERNEL_FILES=own-guest and the file as the filter. The suite's
 * own boot leaves them out; RTSLIB_KERNEL_FILES=all (a run of chosen files)
 * takes every file.
 */
const OWN_GUEST = 'test/kernel/**/*.own-guest.test.ts';
const files = process.env.RTSLIB_KERNEL_FILES ?? 'shared';

/** Kernel tests: run only inside the VM (`npm run test:kernel`), one file at a time. */
export default defineConfig({
  test: {
    include: files === 'own-guest' ? [OWN_GUEST] : ['test/kernel/**/*.test.ts'],
    exclude: files === 'shared' ? [OWN_GUEST, '**/node_modules/**'] : ['**/node_modules/**'],
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
