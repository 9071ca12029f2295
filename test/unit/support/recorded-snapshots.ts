/**
 * The tree reads a piece of the library makes: `root.cfs.snapshot` wrapped
 * for the length of one call, recording what each read was asked for and
 * what it returned.
 */
import type { RTSRoot } from '../../../src/model/rts-root.js';
import type { Snapshot } from '../../../src/cfs/snapshot.js';
import type { SnapshotOptions } from '../../../src/cfs/configfs.js';

/** One read: its base, its options and the snapshot it gave. */
export interface RecordedSnapshot {
  base: string;
  options: SnapshotOptions;
  snap: Snapshot;
}

/** Runs `fn`, returning its result and the snapshots it took through `root.cfs.snapshot`, in order. */
export async function recordSnapshots<T>(root: RTSRoot, fn: () => Promise<T>): Promise<{ result: T; reads: RecordedSnapshot[] }> {
  const reads: RecordedSnapshot[] = [];
  const original = root.cfs.snapshot.bind(root.cfs);
  root.cfs.snapshot = async (base = '', options = {}) => {
    const snap = await original(base, options);
    reads.push({ base, options, snap });
    return snap;
  };
  try {
    return { result: await fn(), reads };
  } finally {
    root.cfs.snapshot = original;
  }
}
