/**
 * Crashes: `kill -9` of processes running restores, applies and clears (the
 * `rtslib` command, and the library) at random moments (at a random
 * operation, through the fault hook's stall, and at random times); after each, the next command recovers and the tree is
 * exactly the configuration before or after, with no leftover HBA, and the
 * lock is free. Trees that killed runs of other tools leave (no journal):
 * LUN and mapped-LUN directories without links, empty HBAs, a disabled TPG
 * are cleared and restored over. A clear reads its undo image as it goes:
 * the journals of its moments (after it disabled the TPG, at its first
 * removal), left as a kill leaves them, put the tree back, and a read that
 * fails stops it with nothing changed. A save killed between writing its
 * temporary file and renaming it leaves the old file, and the next save
 * removes the temporary file.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { RTSRoot, executePlan, planClear, planRestore, planApply, type Plan, type SaveConfig } from '../../src/index.js';
import { native } from '../../src/native/index.js';
import { Journal, readJournal } from '../../src/cfs/journal.js';
import { recreateStorageObject } from '../../src/model/recreation.js';
import { TARGET, configuredTree } from './helpers.js';
import { REPO, runCli, startCli } from './support/cli-process.js';
import { BACKING_DIR, configA, configB, configC, fingerprint, makeBackingFiles, treeDiff, writeConfig } from './support/write-scenarios.js';

const KILLS = Number(process.env.RTSLIB_KILLS ?? 6);
const LOCK = '/var/run/targetcli.lock';
const N = 6;
const root = new RTSRoot();
const files = { a: '', b: '', c: '' };

function run(makePlan: () => Promise<Plan>, command: string): Promise<unknown> {
  return root.cfs.exclusive(async () => executePlan(root, await makePlan(), { command }));
}
const restore = (config: SaveConfig): Promise<unknown> => run(() => planRestore(root, config), 'restore');

/** A random integer in [lo, hi]. */
const rand = (lo: number, hi: number): number => lo + Math.floor(Math.random() * (hi - lo + 1));

interface Scenario {
  name: string;
  args: string[];
  plan: () => Promise<Plan>;
  command: string;
  total: number;
  after: Awaited<ReturnType<typeof fingerprint>>;
}

const scenarios: Scenario[] = [];
let before: Awaited<ReturnType<typeof fingerprint>> = new Map();
const outcomes: Record<string, number> = {};
const log: string[] = [];

beforeAll(async () => {
  makeBackingFiles();
  mkdirSync(`${BACKING_DIR}/cfg`, { recursive: true });
  files.a = writeConfig(`${BACKING_DIR}/cfg/a.json`, configA(N, { loopback: false }));
  files.b = writeConfig(`${BACKING_DIR}/cfg/b.json`, configB(N, { loopback: false }));
  files.c = writeConfig(`${BACKING_DIR}/cfg/c.json`, configC());
  for (const s of [
    { name: 'restore', args: ['restore', files.c], plan: () => planRestore(root, configC()), command: 'restore' },
    { name: 'apply --prune', args: ['apply', '--prune', files.b], plan: () => planApply(root, configB(N, { loopback: false }), { prune: true }), command: 'apply' },
    // a whole clear journals its undo image part by part, each before the chunk that changes it: a kill at any of them
    { name: 'clear', args: ['clear'], plan: () => planClear(root), command: 'clear' },
  ]) {
    await restore(configA(N, { loopback: false }));
    native.setFaultInjection({ failAt: 0 });
    await run(s.plan, s.command);
    const total = native.faultInjectionCounts().forward;
    native.setFaultInjection(null);
    scenarios.push({ ...s, total, after: await fingerprint() });
  }
  await restore(configA(N, { loopback: false }));
  before = await fingerprint();
});

afterAll(async () => {
  native.setFaultInjection(null);
  await run(() => planClear(root), 'clear');
  rmSync(BACKING_DIR, { recursive: true, force: true });
  console.log(`kill -9 outcomes: ${JSON.stringify(outcomes)}\n${log.join('\n')}`);
});

/**
 * A process that runs one restore, apply or clear through the library when told
 * (a line on stdin): started ahead, so that its node start-up (seconds in
 * the emulated guest) overlaps the previous kill's checks. The command is
 * killed too, below; both run the same write run.
 */
function startWriter(): { child: ChildProcess; go(args: string[], stallAt: number): Promise<void> } {
  const script = `
    import { RTSRoot, executePlan, planApply, planClear, planRestore, readConfigFile } from ${JSON.stringify(`${REPO}dist/index.js`)};
    import { native } from ${JSON.stringify(`${REPO}dist/native/index.js`)};
    import ${JSON.stringify(`${REPO}dist/config/schema.js`)}; // loaded now, not when told to go
    process.stdin.once('data', async (line) => {
      const { args, stallAt } = JSON.parse(String(line));
      native.setFaultInjection({ stallAt });
      const root = new RTSRoot();
      const config = args[0] === 'clear' ? null : await readConfigFile(args.at(-1));
      const plan = () => (config === null ? planClear(root) : args[0] === 'restore' ? planRestore(root, config) : planApply(root, config, { prune: true }));
      await root.cfs.exclusive(async () => executePlan(root, await plan(), { command: args[0] }));
    });
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  const stalled = new Promise<void>((resolve, reject) => {
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (/rtslib-fault: stalled before operation/.test(stderr)) resolve();
    });
    child.on('close', () => reject(new Error(`the writer exited before stalling: ${stderr}`)));
  });
  stalled.catch(() => undefined); // a writer killed or left unused at the end is not an error
  return {
    child,
    go(args, stallAt) {
      child.stdin!.write(`${JSON.stringify({ args, stallAt })}\n`);
      return stalled;
    },
  };
}

describe('kill -9 of restores, applies and clears', () => {
  test(
    `${KILLS} kills at random moments: the next command recovers to the old or the new configuration`,
    async () => {
      let writer = startWriter();
      for (let i = 0; i < KILLS; i++) {
        const s = scenarios[i % scenarios.length]!;
        // most kills hit a library writer at a random operation; every fourth the command itself, at a random
        // operation or (every eighth) at a random time
        const viaCli = i % 4 === 3;
        const byStall = !viaCli || i % 8 !== 7;
        const k = rand(1, s.total);
        if (viaCli) {
          const cli = startCli(s.args, byStall ? { RTSLIB_FAULTS: JSON.stringify({ stallAt: k }) } : {});
          if (byStall) await cli.waitFor(/^rtslib-fault: stalled before operation/);
          else await new Promise((r) => setTimeout(r, rand(2000, 10_000)));
          cli.child.kill('SIGKILL');
          await cli.done;
        } else {
          await writer.go(s.args, k);
          writer.child.kill('SIGKILL');
          await new Promise((r) => writer.child.once('close', r));
          writer = startWriter();
        }
        // the lock died with the process
        const lock = native.tryLockFile(LOCK, true);
        expect(lock, `kill ${i}: the lock is free`).not.toBeNull();
        lock!.release();
        // the next command: `rtslib recover`, a save (which recovers first and never records a half-applied
        // tree), or the library's recover() (no node start: seconds each in the emulated guest)
        const saved = `${BACKING_DIR}/cfg/saved-${i}.json`;
        const how = i % 8 === 1 ? 'rtslib recover' : i % 8 === 5 ? 'rtslib save' : 'root.recover()';
        let said: string;
        if (how === 'root.recover()') said = (await new RTSRoot().recover())?.message ?? 'nothing to recover';
        else {
          const next = how === 'rtslib recover' ? await runCli(['recover']) : await runCli(['save', '--no-backup', saved]);
          expect(next.code, `kill ${i}: ${next.stderr}`).toBe(0);
          said = `${next.stdout}${next.stderr}`;
        }
        const now = await fingerprint();
        const isOld = treeDiff(before, now).length === 0;
        const isNew = treeDiff(s.after, now).length === 0;
        const what = `kill ${i} (${s.name} by ${viaCli ? 'the command' : 'the library'}, ${byStall ? `at operation ${k} of ${s.total}` : 'at a random time'}), then ${how}: ${said.trim()}`;
        expect(isOld || isNew, `${what}\n${treeDiff(before, now, 8).join('\n')}`).toBe(true);
        // what it said matches what it did
        if (/was rolled back/.test(said)) expect(isOld, what).toBe(true);
        if (/had finished/.test(said)) expect(isNew, what).toBe(true);
        if (how === 'rtslib save') {
          const dumped = JSON.parse(readFileSync(saved, 'utf8')) as SaveConfig;
          const newLuns = s.name === 'clear' ? undefined : (s.name === 'restore' ? configC() : configB(N)).targets![0]!.tpgs![0]!.luns!.length;
          expect(dumped.targets?.[0]?.tpgs?.[0]?.luns?.length, what).toBe(isOld ? N : newLuns);
        }
        const key = /was rolled back/.test(said) ? 'rolled back' : /had finished/.test(said) ? 'had finished' : isOld ? 'nothing to do (old)' : 'nothing to do (new)';
        outcomes[key] = (outcomes[key] ?? 0) + 1;
        log.push(what);
        if (!isOld) {
          await restore(configA(N, { loopback: false }));
          expect(treeDiff(before, await fingerprint())).toEqual([]);
        }
      }
      writer.child.kill('SIGKILL');
    },
    Math.max(30, KILLS) * 60_000,
  ); // a minute a kill at most (the full sweep runs 100)
});

describe('trees that killed runs of other tools leave', () => {
  test(
    'LUN and mapped-LUN directories without links, empty HBAs and a disabled TPG: clear and restore succeed',
    async () => {
      const tpg = `${TARGET}/iscsi/iqn.2003-01.org.linux-iscsi.safety:t1/tpgt_1`;
      // what a kill between mkdir and symlink, or between removals, leaves
      mkdirSync(`${tpg}/lun/lun_40`);
      mkdirSync(`${tpg}/lun/lun_41`);
      mkdirSync(`${tpg}/acls/iqn.1994-05.com.redhat:c1/lun_40`);
      mkdirSync(`${tpg}/acls/iqn.1994-05.com.redhat:c2/lun_41`);
      mkdirSync(`${TARGET}/core/fileio_90`);
      mkdirSync(`${TARGET}/core/rd_mcp_91`);
      mkdirSync(`${TARGET}/core/rd_mcp_92/half_made`, { recursive: true });
      writeFileSync(`${tpg}/enable`, '0');
      const c = await runCli(['clear']);
      expect(c.code, c.stderr).toBe(0);
      expect(configuredTree()).toEqual([]);
      // the same leftovers under a tree a restore replaces
      await restore(configA(N, { loopback: false }));
      mkdirSync(`${tpg}/lun/lun_40`);
      mkdirSync(`${tpg}/acls/iqn.1994-05.com.redhat:c3/lun_40`);
      mkdirSync(`${TARGET}/core/fileio_90`);
      const r = await runCli(['restore', files.a]);
      expect(r.code, r.stderr).toBe(0);
      expect(treeDiff(before, await fingerprint())).toEqual([]);
    },
    5 * 60_000,
  );
});

describe('a clear reads its undo image as it goes', () => {
  test(
    'the journals of its moments recover the tree; a failed read of an HBA stops it with nothing changed',
    async () => {
      const wwn = 'iqn.2003-01.org.linux-iscsi.safety:t1';
      expect(treeDiff(before, await fingerprint())).toEqual([]);
      const stateDir = root.cfs.stateDir!;
      const journalFile = Journal.fileFor(stateDir, root.cfs.root);
      /** The journal's files (the journal and its image parts) as they are now. */
      const journalFiles = (): Map<string, string> =>
        new Map(
          readdirSync(stateDir)
            .filter((name) => `${stateDir}/${name}`.startsWith(journalFile) && !name.endsWith('.tmp'))
            .map((name) => [name, readFileSync(`${stateDir}/${name}`, 'utf8')]),
        );
      const imageOf = async (files: Map<string, string>): Promise<{ covers?: string[]; dirs: { path: string }[]; values: { path: string }[] }> => {
        // the image recovery would read from those files
        const dir = mkdtempSync(`${BACKING_DIR}/journal-`);
        for (const [name, text] of files) writeFileSync(`${dir}/${name}`, text);
        const state = await readJournal(dir, root.cfs.root, recreateStorageObject);
        rmSync(dir, { recursive: true });
        return state!.record.image;
      };
      /** A root whose clear keeps the journal's files when it first reads HBAs and when it sends its first removal; `failRead` makes that read fail. */
      const watched = (failRead: boolean): { root: RTSRoot; moments: Map<string, string>[] } => {
        const clearing = new RTSRoot();
        const moments: Map<string, string>[] = [];
        const read = clearing.cfs.readTree.bind(clearing.cfs);
        clearing.cfs.readTree = async (base, options) => {
          if (base !== 'core') return read(base, options);
          if (moments.length === 0) moments.push(journalFiles());
          if (failRead) throw Object.assign(new Error('test: the HBA cannot be read'), { code: 'EIO' });
          return read(base, options);
        };
        const run = clearing.cfs.run.bind(clearing.cfs);
        clearing.cfs.run = async (batch, options) => {
          if (moments.length === 1 && batch.some((op) => op.op === 'rmdir')) moments.push(journalFiles());
          return run(batch, options);
        };
        return { root: clearing, moments };
      };
      const putBack = (files: Map<string, string>): void => {
        for (const [name, text] of files) writeFileSync(`${stateDir}/${name}`, text, { mode: 0o600 });
      };

      // a read that fails: the clear stops before its first removal, and what it did (the TPG disabled) is undone
      const failing = watched(true);
      const error = await failing.root.cfs.exclusive(async () => executePlan(failing.root, await planClear(failing.root), { command: 'clear' })).catch((e: unknown) => e);
      expect((error as Error).message).toBe('test: the HBA cannot be read');
      expect(treeDiff(before, await fingerprint())).toEqual([]);
      expect(journalFiles().size).toBe(0);

      // a clear that succeeds: its journal after it disabled the TPG (when it reads the first removals' parts), and at its first removal
      const tpg = `iscsi/${wwn}/tpgt_1`;
      const clearing = watched(false);
      await clearing.root.cfs.exclusive(async () => executePlan(clearing.root, await planClear(clearing.root), { command: 'clear' }));
      expect(configuredTree()).toEqual([]);
      const [first, atRemoval] = clearing.moments as [Map<string, string>, Map<string, string>];
      const firstImage = await imageOf(first);
      // the journal (with nothing in it) and the TPG's own part, written before its enable was
      expect(first.size).toBe(2);
      expect(firstImage.covers).toEqual([tpg]);
      expect(firstImage.dirs.map((d) => d.path)).toEqual([tpg]);
      expect(firstImage.values.map((v) => v.path)).toContain(`${tpg}/enable`);
      expect(firstImage.values.every((v) => v.path.startsWith(`${tpg}/`) && !/\/(lun|np|acls)\//.test(v.path.slice(tpg.length)))).toBe(true);
      const removalImage = await imageOf(atRemoval);
      expect(removalImage.covers?.filter((c) => c.startsWith('core/')).length).toBeGreaterThan(0);
      expect(removalImage.dirs.some((d) => d.path.startsWith(`${tpg}/acls/`) && /\/lun_\d+$/.test(d.path))).toBe(true);
      // a kill after the last removal, before the run was marked done: the journal of the first removal puts it all back
      putBack(atRemoval);
      expect((await new RTSRoot().recover())?.outcome).toBe('rolled-back');
      expect(treeDiff(before, await fingerprint())).toEqual([]);
      expect(journalFiles().size).toBe(0);
      // a kill with the TPG disabled and nothing removed, and the journal of then: the TPG is enabled again
      writeFileSync(`${TARGET}/${tpg}/enable`, '0');
      expect(treeDiff(before, await fingerprint())).not.toEqual([]);
      putBack(first);
      const report = await new RTSRoot().recover();
      expect(report?.outcome).toBe('rolled-back');
      expect(report?.command).toBe('clear');
      expect(treeDiff(before, await fingerprint())).toEqual([]);
      expect(journalFiles().size).toBe(0);
    },
    5 * 60_000,
  );
});

describe('a restore planned outside its write (no snapshot of the same hold) reads its image as it goes', () => {
  test(
    'failures early, midway and at its last operation put the tree back byte for byte; without one it gives the new tree',
    async () => {
      expect(treeDiff(before, await fingerprint())).toEqual([]);
      const restoreC = scenarios.find((s) => s.name === 'restore') as Scenario;
      for (const k of [1, Math.ceil(restoreC.total / 2), restoreC.total]) {
        // planned, then executed in a hold of its own: the plan's snapshot is no basis there
        const plan = await planRestore(root, configC());
        native.setFaultInjection({ failAt: k, errno: 5 }); // EIO
        const error = await executePlan(root, plan, { command: 'restore' }).catch((e: unknown) => e);
        native.setFaultInjection(null);
        expect(error, `operation ${k}`).toMatchObject({ code: 'EIO', notUndone: [] });
        expect(treeDiff(before, await fingerprint()), `operation ${k}`).toEqual([]);
      }
      // the run reads the parts it changes (targets, TPGs, LUNs, ACLs, mapped LUNs, HBAs), never from the root down
      const plan = await planRestore(root, configC());
      const wholeReads: string[] = [];
      // every read of the tree (a snapshot's too) goes through readTree
      const read = root.cfs.readTree.bind(root.cfs);
      root.cfs.readTree = async (base, options) => {
        if (!base) wholeReads.push(JSON.stringify(options ?? {}));
        return read(base, options);
      };
      try {
        await executePlan(root, plan, { command: 'restore' });
      } finally {
        root.cfs.readTree = read;
      }
      expect(wholeReads).toEqual([]);
      expect(treeDiff(restoreC.after, await fingerprint())).toEqual([]);
      await restore(configA(N, { loopback: false }));
      expect(treeDiff(before, await fingerprint())).toEqual([]);
    },
    5 * 60_000,
  );
});

describe('a save killed between writing its temporary file and renaming it', () => {
  test(
    'leaves the old file whole (mode 0600); the next save removes the temporary file',
    async () => {
      const dir = `${BACKING_DIR}/save`;
      mkdirSync(dir, { recursive: true });
      const file = `${dir}/saveconfig.json`;
      const first = await runCli(['save', '--no-backup', file]);
      expect(first.code, first.stderr).toBe(0);
      const old = readFileSync(file, 'utf8');
      await restore(configC());
      for (let i = 0; i < 3; i++) {
        const cli = startCli(['save', '--no-backup', file], { RTSLIB_FAULTS: JSON.stringify({ stallBeforeRename: true }) });
        const marker = await cli.waitFor(/^rtslib-fault: stalled before rename /);
        cli.child.kill('SIGKILL');
        await cli.done;
        const temp = marker.replace(/^rtslib-fault: stalled before rename /, '');
        expect(readdirSync(dir)).toContain(temp.slice(dir.length + 1));
        expect(statSync(temp).mode & 0o777).toBe(0o600);
        expect(readFileSync(file, 'utf8')).toBe(old);
        expect(statSync(file).mode & 0o777).toBe(0o600);
      }
      const next = await runCli(['save', '--no-backup', file]);
      expect(next.code, next.stderr).toBe(0);
      expect(readdirSync(dir)).toEqual(['saveconfig.json']);
      expect(JSON.parse(readFileSync(file, 'utf8')).targets[0].wwn).toBe('iqn.2003-01.org.linux-iscsi.safety:c');
      await restore(configA(N, { loopback: false }));
    },
    5 * 60_000,
  );
});
