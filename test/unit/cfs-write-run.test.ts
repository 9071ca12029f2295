/**
 * Mechanics of a write run on a plain directory (not evidence about
 * configfs; the kernel suite is): refusal before anything is written, the
 * undo after a failure in a later phase, an engine refusal in the middle
 * of a run treated as a failure (undone, no residue), the journal's life,
 * recovery from a journal a killed run left, an operation past the
 * timeout (held by the fault hook), and the lock.
 */
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Configfs, RTSLibOperationError, RTSLibTimeoutError } from '../../src/cfs/configfs.js';
import { native } from '../../src/native/index.js';
import { Journal, readJournal } from '../../src/cfs/journal.js';
import { PHASE } from '../../src/cfs/phases.js';
import { recoverInterruptedRun } from '../../src/cfs/recovery.js';
import { runWrite } from '../../src/cfs/write-run.js';
import { RTSLibLockTimeoutError, lockHolder } from '../../src/cfs/write-lock.js';
import { valuesImage } from '../../src/cfs/tree-image.js';
import { RTSLibInvalidArgumentError } from '../../src/errors.js';
import { runPhased, type PhasedOp } from '../../src/cfs/phased-ops.js';

let dir = '';
let root = '';
let cfs: Configfs;
const recreate = () => [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rtslib-run-'));
  root = join(dir, 'target');
  mkdirSync(join(root, 'core'), { recursive: true });
  mkdirSync(join(root, 'iscsi'));
  writeFileSync(join(root, 'setting'), 'old');
  cfs = new Configfs(root, { plainDirectory: true, lockFile: join(dir, 'lock'), stateDir: join(dir, 'state'), lockTimeoutMs: 2000 });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const tree = (): string[] => readdirSync(root, { recursive: true }).map(String).sort();
const T = 'iscsi/iqn.2003-01.org.example:t1';
const ops: PhasedOp[] = [
  { op: 'mkdir', path: 'core/fileio_0', phase: PHASE.createStorageObject },
  { op: 'mkdir', path: 'core/fileio_0/f', phase: PHASE.createStorageObject },
  { op: 'write', path: 'setting', value: 'new', phase: PHASE.targetSettings },
  { op: 'mkdir', path: T, phase: PHASE.createTarget },
  { op: 'mkdir', path: `${T}/tpgt_1`, phase: PHASE.createTarget },
];
const EMPTY = ['core', 'iscsi', 'setting'];
const DONE = ['core', 'core/fileio_0', 'core/fileio_0/f', 'iscsi', T.replace('iscsi/', 'iscsi/'), `${T}/tpgt_1`, 'setting'].sort();

describe('write runs on a plain directory', () => {
  test('operations the engine would refuse are refused before anything is written', async () => {
    for (const bad of [
      { op: 'mkdir', path: '../x' },
      { op: 'mkdir', path: '/abs' },
      { op: 'write', path: 'a', value: 'x\0y' },
      { op: 'symlink', path: 'l', target: 'a/../../b' },
    ] as const) {
      await expect(runWrite(cfs, [...ops, { ...bad, phase: PHASE.children } as PhasedOp], { command: 'test', recreateStorageObject: recreate })).rejects.toBeInstanceOf(
        RTSLibInvalidArgumentError,
      );
      expect(tree()).toEqual(EMPTY);
    }
  });

  test('a failure in a later phase undoes what the run created and changed; the journal goes', async () => {
    const failing: PhasedOp[] = [...ops, { op: 'mkdir', path: `${T}/tpgt_1/lun/lun_0`, phase: PHASE.children }];
    const error = await runWrite(cfs, failing, { command: 'test', recreateStorageObject: recreate }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RTSLibOperationError);
    expect((error as RTSLibOperationError).code).toBe('ENOENT');
    expect(tree()).toEqual(EMPTY);
    expect(readdirSync(join(dir, 'state'))).toEqual([]);
  });

  test('settings marked tolerate (lenient runs) are skipped when absent or refused, reported, and the run goes on', async () => {
    mkdirSync(join(root, 'ro'));
    const lenient: PhasedOp[] = [
      ...ops,
      // a file that is not there (conditional: found by the read before the phase)
      { op: 'write', path: 'core/fileio_0/f/absent', value: '1', phase: PHASE.storageObjectSettings, whenDiffers: true, tolerate: 'storage_objects[0].attributes.absent' },
      // a write that fails (a directory cannot be written): the engine stops the chunk there, the rest still runs
      { op: 'write', path: 'ro', value: '1', phase: PHASE.childSettings, tolerate: 'targets[0].tpgs[0].attributes.ro' },
      { op: 'mkdir', path: `${T}/tpgt_1/after`, phase: PHASE.childSettings },
    ];
    const result = await runWrite(cfs, lenient, { command: 'test', recreateStorageObject: recreate });
    expect(result.tolerated.map((t) => [t.op.tolerate, t.cause.code])).toEqual([
      ['storage_objects[0].attributes.absent', 'ENOENT'],
      ['targets[0].tpgs[0].attributes.ro', 'EISDIR'],
    ]);
    expect(tree()).toEqual([...DONE, `${T}/tpgt_1/after`, 'ro'].sort());
    // without tolerate the same failure undoes the run
    const strict = lenient.map(({ tolerate: _t, ...o }) => o as PhasedOp);
    rmSync(root, { recursive: true });
    mkdirSync(join(root, 'core'), { recursive: true });
    mkdirSync(join(root, 'iscsi'));
    mkdirSync(join(root, 'ro'));
    writeFileSync(join(root, 'setting'), 'old');
    await expect(runWrite(cfs, strict, { command: 'test', recreateStorageObject: recreate })).rejects.toBeInstanceOf(RTSLibOperationError);
    expect(tree()).toEqual([...EMPTY, 'ro'].sort());
  });

  test('an engine refusal in the middle of a run is a failure of the run: undone, no residue', async () => {
    const run = cfs.run.bind(cfs);
    let batches = 0;
    cfs.run = async (batch, options) => {
      if (!options?.undo && batch.some((o) => o.op === 'mkdir' && o.path === T)) {
        batches++;
        throw new TypeError('ops[0].path: refused');
      }
      return run(batch, options);
    };
    const error = await runWrite(cfs, ops, { command: 'test', recreateStorageObject: recreate }).catch((e: unknown) => e);
    expect(batches).toBe(1);
    expect(error).toBeInstanceOf(RTSLibOperationError);
    expect((error as RTSLibOperationError).message).toMatch(/refused by the engine: ops\[0\]\.path: refused/);
    expect(tree()).toEqual(EMPTY);
  });

  test('success leaves no journal; a journal left by a killed run is rolled back by the next write', async () => {
    await runWrite(cfs, ops, { command: 'test', recreateStorageObject: recreate });
    expect(tree()).toEqual(DONE);
    expect(readdirSync(join(dir, 'state'))).toEqual([]);
    // a run that was killed after making `extra` and changing `setting` (pid 999999 is gone)
    mkdirSync(join(root, 'iscsi/iqn.2003-01.org.example:extra'));
    writeFileSync(join(root, 'setting'), 'mid'); // same length: plain files are not truncated by a write, configfs values are replaced
    const journal = await Journal.begin(join(dir, 'state'), {
      root,
      command: 'apply',
      created: ['iscsi/iqn.2003-01.org.example:extra'],
      image: valuesImage([{ path: 'setting', value: 'new' }]),
    });
    expect(existsSync(journal.file)).toBe(true);
    const next = new Configfs(root, { plainDirectory: true, lockFile: join(dir, 'lock'), stateDir: join(dir, 'state') });
    const report = await recoverInterruptedRun(next, recreate);
    expect(report).toMatchObject({ outcome: 'rolled-back', command: 'apply', pid: process.pid });
    expect(tree()).toEqual(DONE);
    expect(existsSync(journal.file)).toBe(false);
    expect(await recoverInterruptedRun(next, recreate)).toBeNull();
  });

  describe('a run that removes storage objects reads their image as it goes', () => {
    // a clear: the target and its TPG go in earlier phases than the storage object and its HBA; another HBA stays
    const SO = 'core/fileio_0/f';
    const clearing: PhasedOp[] = [
      { op: 'rmdir', path: `${T}/tpgt_1`, phase: PHASE.rmdirTpg },
      { op: 'rmdir', path: T, phase: PHASE.rmdirTarget },
      { op: 'rmdir', path: SO, phase: PHASE.rmdirStorageObject },
      { op: 'rmdir', path: 'core/fileio_0', phase: PHASE.rmdirHba },
    ];
    const BEFORE = ['core', 'core/fileio_0', SO, 'core/rd_mcp_1', 'core/rd_mcp_1/level', 'iscsi', T, `${T}/tpgt_1`, 'iscsi/level', 'setting'].sort();
    type Image = { covers?: string[]; dirs: { path: string }[]; values: { path: string }[] };
    /** The journal's image as recovery reads it: the journal's with its parts. */
    const journalImage = async (): Promise<Image> => (await readJournal(join(dir, 'state'), root, recreateSo))!.record.image;
    const recreateSo = (_snap: unknown, path: string) => [{ op: 'mkdir' as const, path }];

    beforeEach(() => {
      mkdirSync(join(root, SO), { recursive: true });
      mkdirSync(join(root, 'core/rd_mcp_1'), { recursive: true });
      mkdirSync(join(root, T, 'tpgt_1'), { recursive: true });
      writeFileSync(join(root, 'iscsi/level'), '1');
      writeFileSync(join(root, 'core/rd_mcp_1/level'), '2');
      expect(tree()).toEqual(BEFORE);
    });

    /** Records the journal's image as each removal is sent, and the reads of the tree, in order. */
    function spy(): { spied: Configfs; events: string[]; images: Map<string, Image> } {
      const events: string[] = [];
      const images = new Map<string, Image>();
      const spied = Object.create(cfs) as Configfs;
      spied.run = async (batch, options) => {
        const first = batch[0];
        if (first?.op === 'rmdir') {
          images.set(first.path, await journalImage());
          events.push(`send rmdir ${first.path}`);
        }
        return cfs.run(batch, options);
      };
      spied.readTree = async (base, options) => {
        const what = `${base}:${options?.only?.join(',') ?? 'all'}`;
        events.push(`read ${what}`);
        const tree = await cfs.readTree(base, options);
        events.push(`read done ${what}`);
        return tree;
      };
      return { spied, events, images };
    }

    /** A TPG whose enable the run writes, a LUN and a mapped LUN (each with its link) it removes with the storage object; an ACL's setting and a fabric file it leaves alone. */
    const tpg = `${T}/tpgt_1`;
    const acl = `${tpg}/acls/iqn.2003-01.org.example:i1`;
    const lun = `${tpg}/lun/lun_0`;
    const mapped = `${acl}/lun_0`;
    const removing: PhasedOp[] = [
      { op: 'write', path: `${tpg}/enable`, value: '0', phase: PHASE.disable },
      { op: 'unlink', path: `${mapped}/link`, phase: PHASE.unlinkMappedLun },
      { op: 'rmdir', path: mapped, phase: PHASE.rmdirMappedLun },
      { op: 'unlink', path: `${lun}/so`, phase: PHASE.rmdirAclUnlinkLun },
      { op: 'rmdir', path: lun, phase: PHASE.rmdirLunPortal },
      { op: 'rmdir', path: SO, phase: PHASE.rmdirStorageObject },
      { op: 'rmdir', path: 'core/fileio_0', phase: PHASE.rmdirHba },
    ];
    function makeNodes(): string[] {
      mkdirSync(join(root, lun), { recursive: true });
      mkdirSync(join(root, mapped), { recursive: true });
      mkdirSync(join(root, acl, 'attrib'));
      writeFileSync(join(root, acl, 'attrib/depth'), '5');
      writeFileSync(join(root, tpg, 'enable'), '1');
      symlinkSync(join(root, SO), join(root, lun, 'so'));
      symlinkSync(join(root, lun), join(root, mapped, 'link'));
      return tree();
    }

    test('each part of the tree is in the journal before its first change, read with the chunk that changes it; parts left alone are not read', async () => {
      makeNodes();
      const { spied, events } = spy();
      const covers = new Map<string, string[]>();
      const keep = spied.run;
      spied.run = async (batch, options) => {
        const first = batch[0];
        if (first && first.op !== 'read' && first.op !== 'list') covers.set(first.path, [...((await journalImage()).covers ?? [])]);
        if (first?.path === SO) {
          const image = await journalImage();
          expect(image.dirs.map((d) => d.path).sort()).toEqual(['core/fileio_0', SO, tpg, mapped, lun]);
          expect(image.values.map((v) => v.path)).toEqual([`${tpg}/enable`]);
        }
        return keep(batch, options);
      };
      await runWrite(spied, removing, { command: 'clear', recreateStorageObject: recreateSo });
      expect(events.filter((e) => e.startsWith('read ') && !e.startsWith('read done'))).toEqual([
        `read ${tpg}:enable`,
        `read ${acl}:lun_0`,
        `read ${tpg}/lun:lun_0`,
        'read core:fileio_0',
      ]);
      expect(Object.fromEntries(covers)).toEqual({
        [`${tpg}/enable`]: [tpg],
        [`${mapped}/link`]: [tpg, mapped],
        [mapped]: [tpg, mapped],
        [`${lun}/so`]: [tpg, mapped, lun],
        [lun]: [tpg, mapped, lun],
        [SO]: [tpg, mapped, lun, 'core/fileio_0'],
        ['core/fileio_0']: [tpg, mapped, lun, 'core/fileio_0'],
      });
      expect(readdirSync(join(dir, 'state'))).toEqual([]);
    });

    test('a failure after the links and directories went puts back every part: links, directories and the setting', async () => {
      makeNodes();
      mkdirSync(join(root, SO, 'busy')); // the storage object's rmdir fails: ENOTEMPTY
      const before = tree();
      const error = await runWrite(cfs, removing, { command: 'clear', recreateStorageObject: recreateSo }).catch((e: unknown) => e);
      expect((error as RTSLibOperationError).code).toBe('ENOTEMPTY');
      expect(tree()).toEqual(before);
      expect(readFileSync(join(root, tpg, 'enable'), 'utf8')).toBe('1');
      expect(readlinkSync(join(root, mapped, 'link'))).toContain(lun);
      expect(readdirSync(join(dir, 'state'))).toEqual([]);
    });

    test('a run that removes and creates: parts made by the run (a new ACL and its mapped LUN, whose parent is new too) are read as absent, and an undo removes them', async () => {
      makeNodes();
      const before = tree();
      const acl2 = `${tpg}/acls/iqn.2003-01.org.example:i2`;
      const mixed: PhasedOp[] = [
        { op: 'unlink', path: `${mapped}/link`, phase: PHASE.unlinkMappedLun },
        { op: 'rmdir', path: mapped, phase: PHASE.rmdirMappedLun },
        { op: 'mkdir', path: acl2, phase: PHASE.children },
        { op: 'mkdir', path: `${acl2}/lun_0`, phase: PHASE.children },
        { op: 'symlink', path: `${acl2}/lun_0/link`, target: lun, phase: PHASE.children },
      ];
      const { spied, events } = spy();
      const covers: string[][] = [];
      const keep = spied.run;
      spied.run = async (batch, options) => {
        if (batch.some((o) => o.op === 'mkdir')) covers.push([...((await journalImage()).covers ?? [])]);
        return keep(batch, options);
      };
      await runWrite(spied, mixed, { command: 'restore', recreateStorageObject: recreateSo });
      expect(covers).toEqual([[mapped, acl2, `${acl2}/lun_0`]]);
      // the new ACL's directory could not be read for its mapped LUN: an image of nothing, not a failure
      expect(events.filter((e) => e.startsWith('read ') && !e.startsWith('read done'))).toEqual([`read ${acl}:lun_0`, `read ${acl2}:lun_0`]);
      expect(existsSync(join(root, acl2, 'lun_0/link'))).toBe(true);
      // the same run failing at its last operation: what it made goes, what it removed comes back
      rmSync(join(root, acl2), { recursive: true });
      mkdirSync(join(root, mapped));
      symlinkSync(join(root, lun), join(root, mapped, 'link'));
      expect(tree()).toEqual(before);
      const failing = [...mixed, { op: 'mkdir', path: `${tpg}/missing/x`, phase: PHASE.childSettings } as PhasedOp];
      await expect(runWrite(cfs, failing, { command: 'restore', recreateStorageObject: recreateSo })).rejects.toBeInstanceOf(RTSLibOperationError);
      expect(tree()).toEqual(before);
      expect(readdirSync(join(dir, 'state'))).toEqual([]);
    });

    test('a run that removes an ALUA group and keeps its storage object reads everything outside core first (the LUNs that were its members change)', async () => {
      mkdirSync(join(root, SO, 'alua/group'), { recursive: true });
      const { spied, events } = spy();
      await runWrite(spied, [{ op: 'rmdir', path: `${SO}/alua/group`, phase: PHASE.rmdirAluaGroup }], { command: 'apply', recreateStorageObject: recreateSo });
      expect(events.filter((e) => e.startsWith('read ') && !e.startsWith('read done'))).toEqual(['read :iscsi,setting', 'read core:fileio_0']);
    });

    test('the journal files from before core was read (a run killed then) roll the targets back and leave core as it is', async () => {
      const { spied, images } = spy();
      // the journal with its parts as they were when the targets were gone and the storage object's image not yet in them
      const state = join(dir, 'state');
      let files = new Map<string, string>();
      const readTree = spied.readTree;
      spied.readTree = async (base, options) => {
        if (base === 'core') files = new Map(readdirSync(state).map((name) => [name, readFileSync(join(state, name), 'utf8')]));
        return readTree(base, options);
      };
      await runWrite(spied, clearing, { command: 'clear', recreateStorageObject: recreateSo });
      expect(images.get(SO)?.covers).toEqual([`${T}/tpgt_1`, T, 'core/fileio_0']);
      expect(files.size).toBe(3); // the journal (an empty first part) and the parts of the TPG and the target
      expect(readdirSync(state)).toEqual([]);
      // the tree as a kill after the targets' removal leaves it, with the journal of then
      mkdirSync(join(root, SO), { recursive: true });
      for (const [name, text] of files) writeFileSync(join(state, name), text);
      const report = await recoverInterruptedRun(cfs, recreate);
      expect(report?.outcome).toBe('rolled-back');
      expect(tree()).toEqual(BEFORE);
      expect(readdirSync(state)).toEqual([]);
    });

    test("the journal's parts: read in order with it, a part that is not JSON refused, a killed writer's temporary part removed, all removed with it", async () => {
      const state = join(dir, 'state');
      const journal = await Journal.begin(state, {
        root,
        command: 'clear',
        created: [],
        image: { whole: true, covers: ['iscsi'], dirs: [{ path: T, type: 'target' }], links: [], values: [] },
      });
      await journal.addImagePart({ whole: true, covers: ['core/fileio_0'], dirs: [{ path: 'core/fileio_0', type: 'hba' }], links: [], values: [] });
      await journal.addImagePart({
        whole: true,
        covers: ['core/fileio_1'],
        dirs: [{ path: 'core/fileio_1', type: 'hba' }],
        links: [],
        values: [{ path: 'core/fileio_1/x', value: '1' }],
      });
      writeFileSync(`${journal.file}.part-2.999999.0badc0de.tmp`, '{"whole":'); // a writer killed mid-part (pid 999999 is gone)
      const read = (await readJournal(state, root, recreate))!.record.image;
      expect(read.covers).toEqual(['iscsi', 'core/fileio_0', 'core/fileio_1']);
      expect(read.dirs.map((d) => d.path)).toEqual([T, 'core/fileio_0', 'core/fileio_1']);
      expect(read.values).toEqual([{ path: 'core/fileio_1/x', value: '1' }]);
      expect(readdirSync(state).filter((name) => name.endsWith('.tmp'))).toEqual([]);
      writeFileSync(`${journal.file}.part-2`, '{"whole":');
      await expect(readJournal(state, root, recreate)).rejects.toMatchObject({ code: 'ERR_RTSLIB_JOURNAL' });
      await journal.remove();
      expect(readdirSync(state)).toEqual([]);
    });

    test("a failure in core's removals puts back both parts", async () => {
      mkdirSync(join(root, SO, 'busy')); // the storage object's rmdir fails: ENOTEMPTY
      const error = await runWrite(cfs, clearing, { command: 'clear', recreateStorageObject: recreateSo }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RTSLibOperationError);
      expect((error as RTSLibOperationError).code).toBe('ENOTEMPTY');
      expect(tree()).toEqual([...BEFORE, `${SO}/busy`].sort());
      expect(readdirSync(join(dir, 'state'))).toEqual([]);
    });

    test("an HBA that cannot be read: the removals done are undone, the error is the read's, nothing in core changed", async () => {
      const { spied } = spy();
      const read = spied.readTree;
      spied.readTree = async (base, options) => {
        if (base === 'core') throw Object.assign(new Error('could not read core/fileio_0'), { code: 'EIO' });
        return read(base, options);
      };
      const error = await runWrite(spied, clearing, { command: 'clear', recreateStorageObject: recreateSo }).catch((e: unknown) => e);
      expect((error as Error).message).toBe('could not read core/fileio_0');
      expect(tree()).toEqual(BEFORE);
      expect(readdirSync(join(dir, 'state'))).toEqual([]);
    });
  });

  test('a run that had finished (done marker) keeps what it wrote', async () => {
    const journal = await Journal.begin(join(dir, 'state'), { root, command: 'restore', created: ['core/rd_mcp_0'], image: valuesImage([]) });
    mkdirSync(join(root, 'core/rd_mcp_0'));
    writeFileSync(`${journal.file}.done`, '');
    const report = await recoverInterruptedRun(cfs, recreate);
    expect(report?.outcome).toBe('completed');
    expect(tree()).toEqual(['core', 'core/rd_mcp_0', 'iscsi', 'setting']);
    expect(readdirSync(join(dir, 'state'))).toEqual([]);
  });

  test('an operation past the timeout stops the run without an undo behind it; recovery puts the tree back once it returned', async () => {
    const release = join(dir, 'release');
    const timed = new Configfs(root, { plainDirectory: true, lockFile: join(dir, 'lock'), stateDir: join(dir, 'state'), timeoutMs: 200 });
    // the last mutating operation (the write of `setting`, in the last phase) is held until `release` exists
    native.setFaultInjection({ stallAt: 5, stallUntil: release });
    try {
      const error = await runWrite(timed, ops, { command: 'test', recreateStorageObject: recreate }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RTSLibTimeoutError);
      const timeout = error as RTSLibTimeoutError;
      expect(timeout.code).toBe('ETIMEDOUT');
      expect(timeout.step).toMatchObject({ op: 'write', path: join(root, 'setting'), detail: 'timed out after 200 ms' });
      expect(timeout.undoFailures).toEqual([]);
      expect(timeout.message).toMatch(
        /^could not test: ETIMEDOUT, (open|write) '.*\/setting' \(timed out after 200 ms\); the kernel may still complete that call, so nothing was undone: the journal .* is kept/,
      );
      expect(existsSync(timeout.journal)).toBe(true);
      // nothing was undone behind the held call, and nothing after it ran
      expect(tree()).toEqual(DONE);
      expect(readFileSync(join(root, 'setting'), 'utf8')).toBe('old');
      writeFileSync(release, '');
      for (let i = 0; readFileSync(join(root, 'setting'), 'utf8') !== 'new'; i++) {
        if (i > 200) throw new Error('the held write never completed');
        await new Promise((r) => setTimeout(r, 10));
      }
    } finally {
      native.setFaultInjection(null);
    }
    expect((await recoverInterruptedRun(timed, recreate))?.outcome).toBe('rolled-back');
    expect(tree()).toEqual(EMPTY);
    expect(readFileSync(join(root, 'setting'), 'utf8')).toBe('old');
    expect(readdirSync(join(dir, 'state'))).toEqual([]);
  });

  test('a conditional write with likeAs compares with that file when it is read anyway, and is not read itself', async () => {
    mkdirSync(join(root, 'a'));
    mkdirSync(join(root, 'b'));
    writeFileSync(join(root, 'a', 'same'), '1');
    writeFileSync(join(root, 'a', 'other'), '0');
    writeFileSync(join(root, 'b', 'other'), '0');
    // b/same does not exist: reading it would fail, so a dropped write proves it was not read
    const run = await runPhased(
      cfs,
      [
        { op: 'write', path: 'a/same', value: '1', phase: 1, whenDiffers: true },
        { op: 'write', path: 'b/same', value: '1', phase: 1, whenDiffers: true, likeAs: 'a/same' },
        { op: 'write', path: 'a/other', value: '2', phase: 1, whenDiffers: true },
        { op: 'write', path: 'b/other', value: '2', phase: 1, whenDiffers: true, likeAs: 'a/other' },
        // its stand-in is not read in this phase: its own file is
        { op: 'write', path: 'b/other', value: '0', phase: 2, whenDiffers: true, likeAs: 'a/absent' },
      ],
      { mode: 'forward' },
    );
    expect(run.failures).toEqual([]);
    expect(run.skipped).toBe(2);
    expect(run.done.map((o) => o.path)).toEqual(['a/other', 'b/other', 'b/other']);
    expect(readFileSync(join(root, 'b', 'other'), 'utf8')).toBe('0');
  });

  test('the settings of objects that follow another (alike) are dropped with its setting, or written right after it under their own steps', async () => {
    for (const d of ['a', 'b', 'c']) {
      mkdirSync(join(root, d));
      writeFileSync(join(root, d, 'same'), '1');
      writeFileSync(join(root, d, 'other'), '0');
    }
    const alike = {
      dir: 'a',
      members: [
        { dir: 'b', step: 'create b' },
        { dir: 'c', step: 'create c' },
      ],
    };
    const progress: [number, number][] = [];
    const run = await runPhased(
      cfs,
      [
        { op: 'write', path: 'a/same', value: '1', phase: 1, whenDiffers: true, alike, step: 'create a' },
        { op: 'write', path: 'a/other', value: '2', phase: 1, whenDiffers: true, alike, step: 'create a' },
        { op: 'write', path: 'setting', value: 'new', phase: 2 },
      ],
      { mode: 'forward', onProgress: (done, total) => progress.push([done, total]) },
    );
    expect(run.failures).toEqual([]);
    // a/same held: it and b/same, c/same were dropped (three skipped); a/other differed: all three written
    expect(run.skipped).toBe(3);
    expect(run.operations).toBe(4);
    expect(run.done.map((o) => [o.path, o.step])).toEqual([
      ['a/other', 'create a'],
      ['b/other', 'create b'],
      ['c/other', 'create c'],
      ['setting', undefined],
    ]);
    for (const d of ['a', 'b', 'c']) expect(readFileSync(join(root, d, 'other'), 'utf8'), d).toBe('2');
    // progress counts the followers' writes
    expect(progress[0]).toEqual([0, 7]);
    expect(progress[progress.length - 1]).toEqual([7, 7]);
  });

  test("a follower's write that fails stops the run naming the follower's step; a follower's path outside the root is refused before anything is written", async () => {
    mkdirSync(join(root, 'a'));
    writeFileSync(join(root, 'a', 'x'), '0');
    // b/x cannot be written: b is a file, not a directory
    writeFileSync(join(root, 'b'), '');
    const failed = await runPhased(
      cfs,
      [{ op: 'write', path: 'a/x', value: '1', phase: 1, whenDiffers: true, alike: { dir: 'a', members: [{ dir: 'b', step: 'create b' }] }, step: 'create a' }],
      { mode: 'forward' },
    );
    expect(failed.done.map((o) => o.path)).toEqual(['a/x']);
    expect(failed.failures.map((f) => [f.op.path, f.op.step])).toEqual([['b/x', 'create b']]);
    await expect(
      runWrite(
        cfs,
        [
          ...ops,
          {
            op: 'write',
            path: 'core/fileio_0/f/x',
            value: '1',
            phase: PHASE.storageObjectSettings,
            whenDiffers: true,
            alike: { dir: 'core/fileio_0/f', members: [{ dir: '../out', step: 'create out' }] },
          },
        ],
        {
          command: 'test',
          recreateStorageObject: recreate,
        },
      ),
    ).rejects.toBeInstanceOf(RTSLibInvalidArgumentError);
    expect(tree()).toEqual(['a', 'a/x', 'b', ...EMPTY].sort());
  });

  test("an HBA index another writer took under an object that follows another's settings: its writes move with it", async () => {
    mkdirSync(join(root, 'core', 'fileio_1')); // taken by someone else between the plan and the run
    mkdirSync(join(root, 'a'));
    writeFileSync(join(root, 'a', 'x'), '0');
    const alike = { dir: 'a', members: [{ dir: 'core/fileio_1/b', step: 'create b' }] };
    const planned: PhasedOp[] = [
      { op: 'mkdir', path: 'core/fileio_1', phase: PHASE.createStorageObject },
      { op: 'mkdir', path: 'core/fileio_1/b', phase: PHASE.createStorageObject },
      { op: 'write', path: 'a/x', value: '1', phase: PHASE.storageObjectSettings, whenDiffers: true, alike },
    ];
    const before = JSON.parse(JSON.stringify(planned)) as PhasedOp[];
    const run = await runPhased(cfs, planned, { mode: 'forward', isNewHba: (path) => /^core\/fileio_\d+$/.test(path), renameHba: async () => 'core/fileio_2' });
    expect(run.done.map((o) => o.path)).toEqual(['core/fileio_2', 'core/fileio_2/b', 'a/x']);
    // a plain directory has no setting files: the follower's write reaches the moved directory and finds none there
    expect(run.failures.map((f) => [f.op.path, f.op.step, f.cause.code])).toEqual([['core/fileio_2/b/x', 'create b', 'ENOENT']]);
    expect(planned).toEqual(before);
  });

  test("an HBA index another writer took: the run moves to a free one, its later operations with it, and leaves the caller's operations as they were", async () => {
    mkdirSync(join(root, 'core', 'fileio_0')); // taken by someone else between the plan and the run
    writeFileSync(join(root, 'core', 'fileio_0', 'theirs'), '1');
    const planned: PhasedOp[] = [
      { op: 'mkdir', path: 'core/fileio_0', phase: PHASE.createStorageObject },
      { op: 'mkdir', path: 'core/fileio_0/disk', phase: PHASE.createStorageObject },
      { op: 'mkdir', path: T, phase: PHASE.createTarget },
      { op: 'symlink', path: `${T}/disk`, target: 'core/fileio_0/disk', phase: PHASE.children },
      { op: 'write', path: 'setting', value: 'new', phase: PHASE.targetSettings, whenDiffers: true, likeAs: 'core/fileio_0/absent' },
    ];
    const before = JSON.parse(JSON.stringify(planned)) as PhasedOp[];
    const renamed: string[] = [];
    const run = await runPhased(cfs, planned, {
      mode: 'forward',
      isNewHba: (path) => /^core\/fileio_\d+$/.test(path),
      renameHba: async (from) => {
        renamed.push(from);
        return 'core/fileio_1';
      },
    });
    expect(run.failures).toEqual([]);
    expect(renamed).toEqual(['core/fileio_0']);
    expect(run.done.map((o) => o.path).sort()).toEqual(['core/fileio_1', 'core/fileio_1/disk', T, `${T}/disk`, 'setting'].sort());
    const link = run.done.find((o) => o.op === 'symlink');
    expect(link?.op === 'symlink' ? link.target : null).toBe('core/fileio_1/disk');
    expect(run.done.find((o) => o.path === 'setting')?.likeAs).toBe('core/fileio_1/absent');
    expect(readdirSync(join(root, 'core', 'fileio_0'))).toEqual(['theirs']);
    expect(existsSync(join(root, 'core', 'fileio_1', 'disk'))).toBe(true);
    expect(readFileSync(join(root, 'setting'), 'utf8')).toBe('new');
    // the operations given are the caller's: not rewritten
    expect(planned).toEqual(before);
  });

  test('removal phases run as one group: each removal waits in the engine only for what it needs, one crossing', async () => {
    // 30 LUN-like chains: a/i/x/y (y inside x inside i), removed deepest first, phases 2, 4, 8
    const planned: PhasedOp[] = [];
    for (let i = 0; i < 30; i++) {
      mkdirSync(join(root, 'a', String(i), 'x', 'y'), { recursive: true });
      planned.push(
        { op: 'rmdir', path: `a/${i}/x/y`, independent: true, phase: PHASE.rmdirMappedLun, waitsFor: [] },
        { op: 'rmdir', path: `a/${i}/x`, independent: true, phase: PHASE.rmdirLunPortal, waitsFor: [`a/${i}/x/y`] },
        { op: 'rmdir', path: `a/${i}`, independent: true, phase: PHASE.rmdirStorageObject, waitsFor: [`a/${i}/x`] },
      );
    }
    // a phase whose operations do not say what they wait for stays a barrier
    planned.push({ op: 'rmdir', path: 'a', independent: true, phase: PHASE.rmdirHba });
    const batches: { path: string; after?: readonly number[] }[][] = [];
    const spied = Object.create(cfs) as Configfs;
    spied.run = (batch, options) => {
      batches.push(batch.map((o) => ({ path: o.path, ...(o.after ? { after: o.after } : {}) })));
      return cfs.run(batch, options);
    };
    const run = await runPhased(spied, planned, { mode: 'forward' });
    expect(run.failures).toEqual([]);
    expect(run.operations).toBe(91);
    expect(existsSync(join(root, 'a'))).toBe(false);
    // the 90 chained removals in one crossing, then the barrier phase
    expect(batches.map((b) => b.length)).toEqual([90, 1]);
    const first = batches[0] ?? [];
    const at = new Map(first.map((o, i) => [o.path, i]));
    for (const [i, o] of first.entries()) {
      const parts = o.path.split('/');
      const child = parts.length < 4 ? `${o.path}/${parts.length === 2 ? 'x' : 'y'}` : null;
      // each directory waits for the one inside it, named by its index, which comes first
      expect(o.after ?? []).toEqual(child ? [at.get(child)] : []);
      if (child) expect(at.get(child)).toBeLessThan(i);
    }
    // chains stay together: a chain's three removals are within one chain's length of each other
    expect(Math.abs((at.get('a/7') ?? 0) - (at.get('a/7/x/y') ?? 0))).toBe(2);
    // done in an order that undoes in reverse: each directory after what was inside it
    const done = run.done.map((o) => o.path);
    expect(done.indexOf('a/3/x/y')).toBeLessThan(done.indexOf('a/3/x'));
    expect(done.indexOf('a/3')).toBeLessThan(done.indexOf('a'));
  });

  test('a phase larger than a chunk: the next chunk is sent as soon as one succeeds, before its results are gone through; never after a failure', async () => {
    // 4500 writes in one phase: three chunks (2000, 2000, 500)
    const files = Array.from({ length: 4500 }, (_, i) => `f${i}`);
    for (const f of files) writeFileSync(join(root, f), '0');
    const writes = (value: (i: number) => string): PhasedOp[] => files.map((f, i) => ({ op: 'write', path: f, value: value(i), phase: PHASE.targetSettings }));
    const events: string[] = [];
    const spied = Object.create(cfs) as Configfs;
    spied.run = (batch, options) => {
      events.push(`send ${batch.length}`);
      return cfs.run(batch, options);
    };
    const run = await runPhased(
      spied,
      writes(() => '1'),
      { mode: 'forward', onProgress: (done) => events.push(`progress ${done}`) },
    );
    expect(run.failures).toEqual([]);
    expect(run.operations).toBe(4500);
    expect(readFileSync(join(root, 'f4499'), 'utf8')).toBe('1');
    // each chunk is in the engine while the one before it is counted
    expect(events).toEqual(['progress 0', 'send 2000', 'send 2000', 'progress 2000', 'send 500', 'progress 4000', 'progress 4500', 'progress 4500']);

    // a write that fails in the first chunk: nothing after it is sent
    events.length = 0;
    rmSync(join(root, 'f1500'));
    mkdirSync(join(root, 'f1500')); // writing a directory fails (EISDIR)
    const failed = await runPhased(
      spied,
      writes(() => '2'),
      { mode: 'forward' },
    );
    expect(failed.failures.map((f) => [f.op.path, f.cause.code])).toEqual([['f1500', 'EISDIR']]);
    expect(events).toEqual(['send 2000']);
    expect(readFileSync(join(root, 'f1499'), 'utf8')).toBe('2');
    expect(readFileSync(join(root, 'f2000'), 'utf8')).toBe('1');
  });

  test("prepareChunk: chunks start small and double; each one's preparation starts as the chunk before it goes and is awaited before its own; a rejection stops the run", async () => {
    const files = Array.from({ length: 4500 }, (_, i) => `f${i}`);
    for (const f of files) writeFileSync(join(root, f), '0');
    const writes: PhasedOp[] = files.map((f) => ({ op: 'write', path: f, value: '1', phase: PHASE.targetSettings }));
    const events: string[] = [];
    const sizes: number[] = [];
    const spied = Object.create(cfs) as Configfs;
    spied.run = async (batch, options) => {
      events.push(`send ${batch[0]?.path}`);
      sizes.push(batch.length);
      const results = await cfs.run(batch, options);
      events.push(`done ${batch[0]?.path}`);
      return results;
    };
    const prepared: number[] = [];
    const prepareChunk = async (chunk: readonly PhasedOp[]): Promise<void> => {
      events.push(`prepare ${chunk[0]?.path}`);
      prepared.push(chunk.length);
      await new Promise((r) => setTimeout(r, 5));
      events.push(`prepared ${chunk[0]?.path}`);
    };
    const run = await runPhased(spied, writes, { mode: 'forward', prepareChunk });
    expect(run.failures).toEqual([]);
    expect(run.operations).toBe(4500);
    // nothing overlaps the first chunk's preparation: it is small, and each chunk after it twice the one before, up to 2,000
    expect(sizes).toEqual([250, 500, 1000, 2000, 750]);
    expect(prepared).toEqual(sizes);
    // the next chunk's preparation runs while this one is in the engine; a chunk goes once it is prepared
    // and the one before it is done (before that one's results are gone through), and is prepared once
    expect(events.slice(0, 4)).toEqual(['prepare f0', 'prepared f0', 'prepare f250', 'send f0']);
    for (const [first, before] of [
      ['f250', 'f0'],
      ['f750', 'f250'],
      ['f1750', 'f750'],
      ['f3750', 'f1750'],
    ] as const) {
      expect(events.indexOf(`prepare ${first}`)).toBeLessThan(events.indexOf(`done ${before}`));
      expect(events.lastIndexOf(`prepared ${first}`)).toBeLessThan(events.indexOf(`send ${first}`));
      // right after the later of the two
      expect(events.indexOf(`send ${first}`)).toBe(Math.max(events.indexOf(`done ${before}`), events.lastIndexOf(`prepared ${first}`)) + 1);
      expect(events.filter((e) => e === `prepare ${first}`)).toHaveLength(1);
    }
    // a run without preparation sends chunks of 2,000 from the start
    sizes.length = 0;
    await runPhased(spied, writes, { mode: 'forward' });
    expect(sizes).toEqual([2000, 2000, 500]);
    // a preparation that fails: its chunk never goes, the run stops with what was done
    const failing = await runPhased(spied, writes, {
      mode: 'forward',
      prepareChunk: async (chunk) => {
        if (chunk[0]?.path === 'f750') throw new Error('cannot read');
      },
    });
    expect((failing.stoppedBy as Error).message).toBe('cannot read');
    expect(failing.operations).toBe(750);
    expect(failing.failures).toEqual([]);
  });

  test('in a removal group, a failure stops what waits for it; the run reports it and what was done', async () => {
    mkdirSync(join(root, 'b', 'x', 'keep'), { recursive: true }); // b/x is not empty: its rmdir fails
    mkdirSync(join(root, 'c', 'x'), { recursive: true });
    const run = await runPhased(
      cfs,
      [
        { op: 'rmdir', path: 'b/x', independent: true, phase: PHASE.rmdirMappedLun, waitsFor: [] },
        { op: 'rmdir', path: 'b', independent: true, phase: PHASE.rmdirLunPortal, waitsFor: ['b/x'] },
        { op: 'rmdir', path: 'c/x', independent: true, phase: PHASE.rmdirMappedLun, waitsFor: [] },
        { op: 'rmdir', path: 'c', independent: true, phase: PHASE.rmdirLunPortal, waitsFor: ['c/x'] },
      ],
      { mode: 'forward' },
    );
    expect(run.failures.map((f) => [f.op.path, f.cause.code])).toEqual([['b/x', 'ENOTEMPTY']]);
    expect(existsSync(join(root, 'b', 'x'))).toBe(true);
    expect(run.done.map((o) => o.path)).not.toContain('b');
  });

  test('a write waits for the lock another process holds, names it, and times out', async () => {
    const holder = spawn('flock', ['-x', '-o', join(dir, 'lock'), 'sleep', '5'], { stdio: 'ignore' });
    try {
      for (let i = 0; i < 50 && !(await lockHolder(join(dir, 'lock'))); i++) await new Promise((r) => setTimeout(r, 50));
      expect(await lockHolder(join(dir, 'lock'))).toMatchObject({ pid: holder.pid, mode: 'exclusive', command: `flock -x -o ${join(dir, 'lock')} sleep 5` });
      const notices: string[] = [];
      const waiting = new Configfs(root, {
        plainDirectory: true,
        lockFile: join(dir, 'lock'),
        stateDir: join(dir, 'state'),
        lockTimeoutMs: 1500,
        onNotice: (m) => notices.push(m),
      });
      const started = Date.now();
      const error = await runWrite(waiting, ops, { command: 'test', recreateStorageObject: recreate }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RTSLibLockTimeoutError);
      expect((error as Error).message).toMatch(new RegExp(`is locked by pid ${holder.pid} \\(flock .*sleep 5\\); gave up after 2 s`));
      expect(Date.now() - started).toBeGreaterThanOrEqual(1400);
      expect(notices).toEqual([`waiting for ${join(dir, 'lock')}, held by pid ${holder.pid} (flock -x -o ${join(dir, 'lock')} sleep 5)`]);
      expect(tree()).toEqual(EMPTY);
    } finally {
      holder.kill('SIGKILL');
    }
  });

  test('holds are re-entrant along the call chain and serialised between independent callers', async () => {
    const order: string[] = [];
    await Promise.all([
      cfs.exclusive(async () => {
        order.push('a start');
        await cfs.exclusive(async () => {
          order.push('a nested');
        });
        await new Promise((r) => setTimeout(r, 50));
        order.push('a end');
      }),
      cfs.exclusive(async () => {
        order.push('b');
      }),
    ]);
    expect(order).toEqual(['a start', 'a nested', 'a end', 'b']);
    await expect(cfs.shared(() => cfs.exclusive(async () => undefined))).rejects.toThrow(/cannot write while holding the configfs lock shared/);
  });
});
