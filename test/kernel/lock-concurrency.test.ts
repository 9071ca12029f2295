/**
 * Concurrent writers on the real kernel: 8 `rtslib apply` processes with
 * disjoint configs at once all succeed and every config is held; 3 with
 * the same config all succeed (the later ones find nothing to do); 8
 * processes creating 20 ramdisks each through the library get all 160;
 * index claims go on past indexes another (non-locking) writer takes while
 * a run is under way; targetcli (run for real, with the guest's system
 * D-Bus) and `rtslib apply` never interleave; a save waits for a running
 * apply and records it whole; an interactive targetcli shell's lock is
 * named while we wait, and a lock timeout gives up with its name.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { RTSRoot, dumpConfig, executePlan, planClear, type SaveConfig } from '../../src/index.js';
import { TARGET, configuredTree } from './helpers.js';
import { REPO, runCli, startCli } from './support/cli-process.js';
import { BACKING_DIR, writeConfig } from './support/write-scenarios.js';

const root = new RTSRoot();
const DIR = `${BACKING_DIR}/concurrency`;
const LOCK = '/var/run/targetcli.lock';

/** A config of its own for writer `i`: 3 ramdisks and an iSCSI target exporting them to one ACL. */
function ownConfig(i: number): SaveConfig {
  const sos = [0, 1, 2].map((j) => ({ plugin: 'ramdisk', name: `w${i}r${j}`, size: 1024 * 1024 }));
  return {
    storage_objects: sos,
    targets: [
      {
        fabric: 'iscsi',
        wwn: `iqn.2003-01.org.linux-iscsi.writer:w${i}`,
        tpgs: [
          {
            tag: 1,
            luns: sos.map((so, j) => ({ index: j, storage_object: `/backstores/ramdisk/${so.name}` })),
            node_acls: [{ node_wwn: `iqn.1994-05.com.redhat:w${i}`, mapped_luns: [{ index: 0, tpg_lun: 0 }] }],
          },
        ],
      },
    ],
  } as SaveConfig;
}

/** The file that releases a run stalled by the fault hook (`stallUntil`), and releasing it. */
const release = (name: string): string => `${DIR}/release-${name}`;
const go = (name: string): void => writeFileSync(release(name), '');

async function clearAll(): Promise<void> {
  await root.cfs.exclusive(async () => executePlan(root, await planClear(root), { command: 'clear' }));
}

beforeAll(() => {
  mkdirSync(DIR, { recursive: true });
  expect(configuredTree()).toEqual([]);
});

afterAll(async () => {
  await clearAll();
  rmSync(BACKING_DIR, { recursive: true, force: true });
});

describe('concurrent writers', () => {
  test(
    '8 processes applying disjoint configs at once all succeed, and every config is held',
    async () => {
      const files = Array.from({ length: 8 }, (_, i) => writeConfig(`${DIR}/own-${i}.json`, ownConfig(i)));
      const results = await Promise.all(files.map((f) => runCli(['apply', f])));
      for (const r of results) expect(r.code, r.stderr).toBe(0);
      const dump = await dumpConfig(root);
      expect(dump.storage_objects?.map((so) => so.name).sort()).toEqual(
        Array.from({ length: 8 }, (_, i) => [0, 1, 2].map((j) => `w${i}r${j}`))
          .flat()
          .sort(),
      );
      expect(dump.targets?.map((t) => t.wwn).sort()).toEqual(Array.from({ length: 8 }, (_, i) => `iqn.2003-01.org.linux-iscsi.writer:w${i}`).sort());
      for (const t of dump.targets ?? []) expect(t.tpgs?.[0]?.luns).toHaveLength(3);
      // every HBA index was claimed once
      expect(new Set(configuredTree().filter((p) => /^core\/rd_mcp_\d+$/.test(p))).size).toBe(24);
    },
    10 * 60_000,
  );

  test(
    '3 processes applying the same config all succeed; the later ones find nothing to do',
    async () => {
      await clearAll();
      const file = writeConfig(`${DIR}/same.json`, ownConfig(9));
      const results = await Promise.all([0, 1, 2].map(() => runCli(['apply', file])));
      for (const r of results) expect(r.code, r.stderr).toBe(0);
      expect(results.filter((r) => /^apply: \d+ created, \d+ modified, 0 removed/m.test(r.stdout))).toHaveLength(1);
      expect(results.filter((r) => r.stdout === 'nothing to do\n')).toHaveLength(2);
      expect((await dumpConfig(root)).storage_objects).toHaveLength(3);
    },
    10 * 60_000,
  );

  test(
    '8 processes creating 20 ramdisks each through the library get all 160',
    async () => {
      await clearAll();
      const script = `
      import { RDMCPStorageObject, RTSRoot } from ${JSON.stringify(`${REPO}dist/index.js`)};
      const root = new RTSRoot();
      for (let j = 0; j < 20; j++) await RDMCPStorageObject.open(root, 'p' + process.argv[1] + 'r' + j, { size: '1M' });
    `;
      const codes = await Promise.all(
        Array.from(
          { length: 8 },
          (_, i) =>
            new Promise<{ code: number | null; err: string }>((resolve) => {
              const child = spawn(process.execPath, ['--input-type=module', '-e', script, String(i)], { stdio: ['ignore', 'ignore', 'pipe'] });
              let err = '';
              child.stderr.on('data', (d: Buffer) => {
                err += d.toString();
              });
              child.on('close', (code) => resolve({ code, err }));
            }),
        ),
      );
      for (const c of codes) expect(c.code, c.err).toBe(0);
      const names = (await root.storageObjects()).map((so) => so.name);
      expect(names).toHaveLength(160);
      expect(new Set(names).size).toBe(160);
    },
    10 * 60_000,
  );

  test(
    'index claims go on past HBA indexes another, non-locking writer takes during the run',
    async () => {
      await clearAll();
      // the run stalls before its first operation (the mkdir of core/rd_mcp_0); meanwhile another tool takes 0-30
      const file = writeConfig(`${DIR}/claims.json`, ownConfig(5));
      const cli = startCli(['restore', file], { RTSLIB_FAULTS: JSON.stringify({ stallAt: 1, stallUntil: release('claims') }) });
      await cli.waitFor(/^rtslib-fault: stalled before operation 1 mkdir .*core\/rd_mcp_0/);
      for (let i = 0; i <= 30; i++) mkdirSync(`${TARGET}/core/rd_mcp_${i}`);
      go('claims');
      const r = await cli.done;
      expect(r.code, r.stderr).toBe(0);
      const hbas = configuredTree()
        .filter((p) => /^core\/rd_mcp_\d+\/w5r\d$/.test(p))
        .map((p) => p.split('/')[1]);
      expect(hbas.sort()).toEqual(['rd_mcp_31', 'rd_mcp_32', 'rd_mcp_33']);
      // the same through the model: a creation whose index is taken meanwhile finds the next free one
      const script = `
      import { RDMCPStorageObject, RTSRoot } from ${JSON.stringify(`${REPO}dist/index.js`)};
      const so = await RDMCPStorageObject.open(new RTSRoot(), 'claimed', { size: '1M' });
      console.log(so.hbaIndex);
    `;
      const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
        env: { ...process.env, RTSLIB_FAULTS: JSON.stringify({ stallAt: 1, stallUntil: release('model-claims') }) },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
      });
      await new Promise<void>((resolve) =>
        child.stderr.on('data', (d: Buffer) => {
          err += d.toString();
          if (/stalled before operation 1/.test(err)) resolve();
        }),
      );
      for (let i = 34; i <= 60; i++) mkdirSync(`${TARGET}/core/rd_mcp_${i}`);
      go('model-claims');
      const code = await new Promise((resolve) => child.on('close', resolve));
      expect(code, err).toBe(0);
      expect(Number(out.trim())).toBe(61);
    },
    5 * 60_000,
  );
});

describe('one writer at a time, with targetcli too', () => {
  test(
    'targetcli waits while rtslib apply runs; they never interleave',
    async () => {
      await clearAll();
      const file = writeConfig(`${DIR}/big.json`, ownConfig(1));
      const apply = startCli(['apply', file], { RTSLIB_FAULTS: JSON.stringify({ stallAt: 3, stallUntil: release('targetcli') }) });
      await apply.waitFor(/^rtslib-fault: stalled before operation 3/);
      const tcli = spawn('targetcli', ['/backstores/ramdisk', 'create', 'name=tcli', 'size=1M'], {
        env: { ...process.env, TARGETCLI_HOME: `${DIR}/tcli-home` },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let tcliOut = '';
      tcli.stdout.on('data', (d: Buffer) => {
        tcliOut += d.toString();
      });
      tcli.stderr.on('data', (d: Buffer) => {
        tcliOut += d.toString();
      });
      let tcliDone = false;
      const tcliExit = new Promise<number | null>((resolve) =>
        tcli.on('close', (code) => {
          tcliDone = true;
          resolve(code);
        }),
      );
      // targetcli blocks in flock(LOCK_EX) on the file our apply holds (its Python start alone takes seconds in the emulated guest)
      try {
        for (let i = 0; i < 900 && !tcliDone && !readFileSync('/proc/locks', 'utf8').includes(`-> FLOCK  ADVISORY  WRITE ${tcli.pid} `); i++)
          await new Promise((r) => setTimeout(r, 100));
        expect(readFileSync('/proc/locks', 'utf8')).toContain(`-> FLOCK  ADVISORY  WRITE ${tcli.pid} `);
        expect(tcliDone).toBe(false);
        expect(configuredTree().some((p) => p.endsWith('/tcli'))).toBe(false);
      } finally {
        // whatever happened, the stalled apply goes on, so no later test finds the lock held
        go('targetcli');
      }
      const a = await apply.done;
      expect(a.code, a.stderr).toBe(0);
      expect(await tcliExit, tcliOut).toBe(0);
      const names = (await root.storageObjects()).map((so) => so.name).sort();
      expect(names).toEqual(['tcli', 'w1r0', 'w1r1', 'w1r2']);
      // the apply's objects got the first indexes, targetcli's the next: it started after the apply ended
      expect(configuredTree().filter((p) => /^core\/rd_mcp_\d+\/tcli$/.test(p))).toEqual(['core/rd_mcp_3/tcli']);
    },
    5 * 60_000,
  );

  test(
    'while an interactive targetcli shell holds the lock, rtslib waits and names it; with a lock timeout it gives up naming it',
    async () => {
      await clearAll();
      const home = { ...process.env, TARGETCLI_HOME: `${DIR}/tcli-home` };
      // an interactive session must not save into the host's /etc when it ends
      spawnSync('targetcli', ['set', 'global', 'auto_save_on_exit=false'], { env: home });
      const shell = spawn('targetcli', [], { env: home, stdio: ['pipe', 'ignore', 'ignore'] });
      for (let i = 0; i < 900 && !readFileSync('/proc/locks', 'utf8').includes(`FLOCK  ADVISORY  WRITE ${shell.pid} `); i++) await new Promise((r) => setTimeout(r, 100));
      expect(readFileSync('/proc/locks', 'utf8')).toContain(`FLOCK  ADVISORY  WRITE ${shell.pid} `);
      const file = writeConfig(`${DIR}/wait.json`, ownConfig(2));
      // both at once: one gives up after 1 s, the other waits and says for whom
      const waiting = startCli(['apply', file]);
      const quick = await runCli(['--lock-timeout', '1', 'apply', file]);
      expect(quick.code, quick.stderr).toBe(1);
      expect(quick.stderr).toMatch(new RegExp(`^rtslib: ${LOCK} is locked by pid ${shell.pid} \\(\\S*python3 /usr/bin/targetcli\\); gave up after 1 s`, 'm'));
      expect(configuredTree()).toEqual([]);
      expect(await waiting.waitFor(/^rtslib: waiting for /)).toMatch(new RegExp(`^rtslib: waiting for ${LOCK}, held by pid ${shell.pid} \\(\\S*python3 /usr/bin/targetcli\\)$`));
      shell.stdin!.end('exit\n');
      const done = await waiting.done;
      expect(done.code, done.stderr).toBe(0);
      expect((await dumpConfig(root)).storage_objects).toHaveLength(3);
    },
    5 * 60_000,
  );

  test(
    'a save taken while an apply runs waits for it and records it whole',
    async () => {
      await clearAll();
      const file = writeConfig(`${DIR}/save-during.json`, ownConfig(3));
      const apply = startCli(['apply', file], { RTSLIB_FAULTS: JSON.stringify({ stallAt: 5, stallUntil: release('save') }) });
      await apply.waitFor(/^rtslib-fault: stalled before operation 5/);
      const saved = `${DIR}/during.json`;
      const saving = startCli(['save', '--no-backup', saved]);
      expect(await saving.waitFor(/^rtslib: waiting for /)).toMatch(/^rtslib: waiting for \/var\/run\/targetcli.lock, held by pid \d+ \(.*rtslib\.js apply /);
      go('save');
      const save = await saving.done;
      expect(save.code, save.stderr).toBe(0);
      expect((await apply.done).code).toBe(0);
      const config = JSON.parse(readFileSync(saved, 'utf8')) as SaveConfig;
      expect(config.storage_objects).toHaveLength(3);
      expect(config.targets?.[0]?.tpgs?.[0]?.luns).toHaveLength(3);
      expect(config.targets?.[0]?.tpgs?.[0]?.node_acls?.[0]?.mapped_luns).toHaveLength(1);
    },
    5 * 60_000,
  );
});
