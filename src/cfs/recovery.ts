/**
 * Putting the tree back: the undo of a failed write run, and the recovery
 * of a run that never finished (killed, or its undo failed) from its
 * journal. Both plan from the tree as it is now, so they work whatever
 * state the interruption left, and both check afterwards that the tree is
 * back as it was.
 */
import type { Configfs, FailedStep } from './configfs.js';
import { RTSLibError } from '../errors.js';
import { readJournal, removeJournal, Journal } from './journal.js';
import { processAlive } from './processes.js';
import { runPhased } from './phased-ops.js';
import { imageDifferences, planUndo, type StorageObjectRecreator, type TreeImage } from './tree-image.js';
import { STRUCTURE_EXCLUDES } from './tree.js';

/** What an undo did. */
export interface UndoResult {
  /** Operations of the undo that failed (some may not matter: see `notUndone`). */
  failures: FailedStep[];
  /** What still differs from the image afterwards (paths); empty when the tree is back as it was. */
  notUndone: string[];
}

/**
 * Brings the tree back to `image`: removes what the run created (from the
 * tree as it is, so half-made objects go too), recreates what it removed
 * and writes back the settings it changed; then compares the tree with the
 * image. Runs inside the caller's exclusive hold.
 */
export async function undoToImage(cfs: Configfs, image: TreeImage, created: readonly string[]): Promise<UndoResult> {
  const now = await cfs.snapshot('', { excludeNames: STRUCTURE_EXCLUDES });
  const run = await runPhased(cfs, planUndo(now, image, created), { mode: 'undo' });
  const after = await cfs.snapshot('');
  return { failures: run.failures.map((f) => f.cause), notUndone: imageDifferences(after, image, created) };
}

/** What recovering an interrupted run did. */
export interface RecoveryReport {
  /** `rolled-back`: the tree is as it was before the run; `completed`: the run had finished, the tree is as it left it. */
  outcome: 'rolled-back' | 'completed';
  /** The interrupted run's command. */
  command: string;
  /** Its process id. */
  pid: number;
  /** When it started (ISO 8601). */
  startedAt: string;
  /** One line saying what happened. */
  message: string;
}

/** An interrupted run could not be recovered; its journal is kept for another try. */
export class RTSLibRecoveryError extends RTSLibError {
  /** What still differs from the tree before the interrupted run. */
  readonly notUndone: readonly string[];
  constructor(message: string, notUndone: readonly string[]) {
    super(message, { code: 'ERR_RTSLIB_RECOVERY' });
    this.notUndone = notUndone;
  }
}

/**
 * Finds a write run of this root that never finished (its journal is still
 * there) and brings the tree back to exactly the configuration before it,
 * or, when the run had finished every operation, keeps what it wrote.
 * Null when there is nothing to recover. Takes the lock exclusive.
 * `recreate` makes the operations that recreate a storage object the run
 * removed, from what the journal's image shows of it.
 */
export function recoverInterruptedRun(cfs: Configfs, recreate: StorageObjectRecreator): Promise<RecoveryReport | null> {
  return cfs.exclusive(() => recoverUnderLock(cfs, recreate), { recover: false });
}

/** {@link recoverInterruptedRun} for a caller that holds the lock exclusive already. */
export async function recoverUnderLock(cfs: Configfs, recreate: StorageObjectRecreator): Promise<RecoveryReport | null> {
  const stateDir = cfs.stateDir;
  if (stateDir === null) return null;
  {
    const state = await readJournal(stateDir, cfs.root, recreate);
    if (!state) return null;
    const { record } = state;
    const who = `${record.command} (pid ${record.pid}, started ${record.startedAt})`;
    if (cfs.lockFile === null && record.pid !== process.pid && processAlive(record.pid)) {
      throw new RTSLibError(`a write run, ${who}, may still be running (no lock file to tell): not recovering it`, { code: 'ERR_RTSLIB_LOCKED' });
    }
    const file = Journal.fileFor(stateDir, cfs.root);
    const report = (outcome: RecoveryReport['outcome'], message: string): RecoveryReport => ({
      outcome,
      command: record.command,
      pid: record.pid,
      startedAt: record.startedAt,
      message,
    });
    if (state.done) {
      await removeJournal(file);
      return report('completed', `an interrupted ${who} had finished: the tree keeps the configuration it wrote`);
    }
    const undo = await undoToImage(cfs, record.image, record.created);
    if (undo.notUndone.length) {
      throw new RTSLibRecoveryError(
        `could not roll back the interrupted ${who}: ${undo.notUndone.length} difference(s) from the tree before it remain (${undo.notUndone.slice(0, 3).join(', ')}${undo.notUndone.length > 3 ? ', …' : ''})${undo.failures[0] ? `; first failure: ${undo.failures[0].code}, ${undo.failures[0].syscall} '${undo.failures[0].path}'` : ''}; the journal ${file} is kept`,
        undo.notUndone,
      );
    }
    await removeJournal(file);
    return report('rolled-back', `an interrupted ${who} was rolled back: the tree is as it was before it`);
  }
}
