/**
 * The `rtslib` command on the real kernel, every verb, run as users run it
 * (`node bin/rtslib.js …`, the compiled package): exit codes 0/1/2, one-line
 * errors, no CHAP secret ever printed, and bad input leaving configfs as it
 * was. The many bad-input and usage checks run the same program in this
 * process (a node start costs seconds in the emulated guest); one of them
 * runs as a process too.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { configuredTree, rawTree, rtslibFb } from './helpers.js';
import { rtslibInProcess, rtslibInProcessWith } from './support/cli-in-process.js';

const BIN = fileURLToPath(new URL('../../bin/rtslib.js', import.meta.url));
const DIR = '/tmp/cli-test';
const IQN = 'iqn.2003-01.org.rtslib.cli:t1';
const SECRET = 'cli-secret-0123456789';

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}
function rtslib(...args: string[]): Run {
  return rtslibWith({}, ...args);
}
function rtslibWith(env: Record<string, string>, ...args: string[]): Run {
  return rtslibInput(undefined, env, ...args);
}
function rtslibInput(input: string | undefined, env: Record<string, string>, ...args: string[]): Run {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, ...(input === undefined ? {} : { input }) });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A config with every kind of object, on devices that exist in the guest. */
function sampleConfig(): object {
  return {
    storage_objects: [
      { plugin: 'fileio', name: 'disk1', dev: `${DIR}/disk1.img`, size: 16 * 1024 * 1024, write_back: false },
      { plugin: 'ramdisk', name: 'ram1', size: 8 * 1024 * 1024 },
    ],
    targets: [
      {
        fabric: 'iscsi',
        wwn: IQN,
        tpgs: [
          {
            tag: 1,
            enable: true,
            attributes: { authentication: 0 },
            luns: [
              { index: 0, storage_object: '/backstores/fileio/disk1' },
              { index: 1, storage_object: '/backstores/ramdisk/ram1' },
            ],
            portals: [{ ip_address: '127.0.0.1', port: 3260 }],
            node_acls: [
              {
                node_wwn: 'iqn.1994-05.com.redhat:cli-client',
                chap_userid: 'cliuser',
                chap_password: SECRET,
                mapped_luns: [
                  { index: 0, tpg_lun: 0 },
                  { index: 1, tpg_lun: 1, write_protect: true },
                ],
              },
            ],
          },
        ],
      },
      { fabric: 'loopback', wwn: 'naa.5001405aabbccdd0', tpgs: [{ tag: 1, luns: [{ index: 0, storage_object: '/backstores/ramdisk/ram1' }] }] },
    ],
  };
}

let baseline: string[] = [];
beforeAll(() => {
  mkdirSync(DIR, { recursive: true });
  writeFileSync(`${DIR}/sample.json`, JSON.stringify(sampleConfig(), null, 2));
  baseline = rawTree();
});
afterAll(() => {
  rtslibFb('rtslib.RTSRoot().clear_existing(confirm=True)\nprint("null")');
  rmSync(DIR, { recursive: true, force: true });
});

/** Asserts a failure: its exit code, exactly one line on stderr matching `message`, and no secret anywhere. */
function expectFailure(r: Run, code: 1 | 2, message: RegExp): void {
  expect(r.status, r.stderr).toBe(code);
  expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(r.stderr).toMatch(/^rtslib: /);
  expect(r.stderr).toMatch(message);
  expect(r.stderr + r.stdout).not.toContain(SECRET);
}

describe('rtslib command', () => {
  test('apply --dry-run writes nothing; apply creates; re-apply has nothing to do', async () => {
    const dry = await rtslibInProcess('apply', '--dry-run', `${DIR}/sample.json`);
    expect(dry.status, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/\+ create storage object fileio\/disk1/);
    expect(dry.stdout).toMatch(/chap_password = \(secret\)/);
    expect(dry.stdout).not.toContain(SECRET);
    expect(rawTree()).toEqual(baseline);
    const apply = rtslib('apply', `${DIR}/sample.json`);
    expect(apply.status, apply.stderr).toBe(0);
    expect(apply.stdout).toMatch(/^apply: \d+ created/m);
    expect((await rtslibInProcess('apply', `${DIR}/sample.json`)).stdout).toMatch(/nothing to do/);
    expect((await rtslibInProcess('diff', `${DIR}/sample.json`)).stdout).toMatch(/no differences/);
  });

  test('ls shows the tree without secrets; ls --json is the dump with passwords removed', async () => {
    const ls = await rtslibInProcess('ls');
    expect(ls.status, ls.stderr).toBe(0);
    for (const word of [
      'backstores',
      'fileio',
      'disk1',
      'ramdisk',
      'ram1',
      'iscsi',
      IQN,
      'tpg1',
      'loopback',
      'naa.5001405aabbccdd0',
      '127.0.0.1:3260',
      'iqn.1994-05.com.redhat:cli-client',
    ])
      expect(ls.stdout).toContain(word);
    expect(ls.stdout).not.toContain(SECRET);
    const json = await rtslibInProcess('ls', '--json');
    expect(json.status).toBe(0);
    const dumped = JSON.parse(json.stdout) as { targets: { wwn: string; tpgs: { node_acls: Record<string, unknown>[] }[] }[] };
    const acl = dumped.targets.find((t) => t.wwn === IQN)!.tpgs[0]!.node_acls[0]!;
    expect(acl.chap_userid).toBe('cliuser');
    expect(acl).not.toHaveProperty('chap_password');
    expect(json.stdout).not.toContain(SECRET);
  });

  test('save (0600, secrets in the file only), clear, restore: the tree comes back', async () => {
    const file = `${DIR}/etc/saveconfig.json`;
    const save = rtslib('save', file);
    expect(save.status, save.stderr).toBe(0);
    expect(save.stdout).not.toContain(SECRET);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toContain(SECRET);
    const before = rawTree();
    const clear = await rtslibInProcess('clear');
    expect(clear.status, clear.stderr).toBe(0);
    expect(configuredTree()).toEqual([]);
    const restore = rtslib('restore', file);
    expect(restore.status, restore.stderr).toBe(0);
    const after = rawTree();
    // LUN and mapped LUN link names (aliases) and everything else come back; the loopback nexus is generated anew
    expect(after).toEqual(before);
    expect((await rtslibInProcess('diff', file)).stdout).toMatch(/no differences/);
    // a second save backs up the first when it changed; unchanged, no backup
    expect((await rtslibInProcess('save', file)).status).toBe(0);
    expect(existsSync(`${DIR}/etc/backup`)).toBe(false);
  });

  test('restore --no-clear refuses what exists (exit 1, nothing written); partial restore by target', async () => {
    const file = `${DIR}/etc/saveconfig.json`;
    const tree = rawTree();
    expectFailure(await rtslibInProcess('restore', '--no-clear', file), 1, /exists: not restoring/);
    expect(rawTree()).toEqual(tree);
    expect((await rtslibInProcess('clear', '--target', IQN)).status).toBe(0);
    expect(rawTree().some((p) => p.startsWith(`iscsi/${IQN}`))).toBe(false);
    const r = rtslib('restore', '--target', IQN, file);
    expect(r.status, r.stderr).toBe(0);
    expect(rawTree()).toEqual(tree);
  });

  test('without a file: $RTSLIB_CONFIG; a missing default is nothing to restore (exit 0), a missing named file exit 1; an empty save never replaces a full file unless --force', async () => {
    const file = `${DIR}/etc/default.json`;
    const env = { RTSLIB_CONFIG: file };
    rmSync(file, { force: true });
    const tree = rawTree();
    const none = await rtslibInProcessWith({ env }, 'restore');
    expect(none.status, none.stderr).toBe(0);
    expect(none.stdout).toBe(`no saved configuration at ${file}: nothing to restore\n`);
    expect(rawTree()).toEqual(tree);
    expectFailure(await rtslibInProcess('restore', `${DIR}/etc/missing.json`), 1, /cannot read .*missing\.json: ENOENT/);

    const saved = await rtslibInProcessWith({ env }, 'save');
    expect(saved.status, saved.stderr).toBe(0);
    expect(saved.stdout).toBe(`saved ${file}\n`);
    const held = () => (JSON.parse(readFileSync(file, 'utf8')) as { targets?: unknown[]; storage_objects?: unknown[] }).targets?.length ?? 0;
    expect(held()).toBe(2);
    // the kernel emptied (say, modules not loaded at shutdown): save refuses to lose the file
    expect((await rtslibInProcess('clear')).status).toBe(0);
    expectFailure(
      await rtslibInProcessWith({ env }, 'save'),
      1,
      /refusing to replace .*default\.json, which holds 2 storage object\(s\) and 2 target\(s\), with an empty configuration.*--force/,
    );
    expect(held()).toBe(2);
    const back = await rtslibInProcessWith({ env }, 'restore');
    expect(back.status, back.stderr).toBe(0);
    expect(rawTree()).toEqual(tree);
    // --force saves an empty configuration after all, keeping the full one as targetcli names its backups
    expect((await rtslibInProcess('clear')).status).toBe(0);
    const forced = await rtslibInProcessWith({ env }, 'save', '--force', '--backups', '2');
    expect(forced.status, forced.stderr).toBe(0);
    expect(forced.stdout).toMatch(new RegExp(`^saved ${file} \\(backup ${DIR}/etc/backup/default-\\d{8}-\\d\\d:\\d\\d:\\d\\d-json\\.gz\\)\\n$`));
    expect(held()).toBe(0);
    expect((await rtslibInProcess('restore', `${DIR}/etc/saveconfig.json`)).status).toBe(0);
    expect(rawTree()).toEqual(tree);
  });

  test('save - writes the dump to stdout; diff --exit-code - reads stdin: 0 when it matches, 3 when it differs; restore - applies it', async () => {
    const tree = rawTree();
    const out = rtslib('save', '-');
    expect(out.status, out.stderr).toBe(0);
    expect(existsSync('-')).toBe(false);
    expect(out.stdout).toBe(readFileSync(`${DIR}/etc/saveconfig.json`, 'utf8'));
    expect(await rtslibInProcessWith({ input: out.stdout }, 'diff', '--exit-code', '-')).toEqual({ status: 0, stdout: 'no differences\n', stderr: '' });
    const changed = await rtslibInProcessWith({ input: '{}' }, 'diff', '--exit-code', '-');
    expect(changed.status, changed.stderr).toBe(3);
    expect(changed.stdout).toMatch(/^- remove /m);
    expect((await rtslibInProcess('clear')).status).toBe(0);
    const restore = await rtslibInProcessWith({ input: out.stdout }, 'restore', '-');
    expect(restore.status, restore.stderr).toBe(0);
    expect(rawTree()).toEqual(tree);
  });

  test('restore, clear and apply --json report what was done; --quiet prints nothing', async () => {
    const file = `${DIR}/etc/saveconfig.json`;
    const tree = rawTree();
    const cleared = await rtslibInProcess('clear', '--json');
    expect(cleared.status, cleared.stderr).toBe(0);
    const c = JSON.parse(cleared.stdout) as { command: string; dryRun: boolean; steps: { action: string }[]; done: { operations: number } };
    expect(c.command).toBe('clear');
    expect(c.dryRun).toBe(false);
    expect(c.steps.every((s) => s.action === 'remove')).toBe(true);
    expect(c.done.operations).toBeGreaterThan(10);
    const restored = rtslib('restore', '--json', file);
    expect(restored.status, restored.stderr).toBe(0);
    const r = JSON.parse(restored.stdout) as { steps: { action: string; changes: string[] }[]; done: { operations: number } };
    expect(r.steps.some((s) => s.action === 'create')).toBe(true);
    expect(r.done.operations).toBeGreaterThan(10);
    expect(restored.stdout).not.toContain(SECRET);
    expect(restored.stdout).toContain('(secret)');
    expect(rawTree()).toEqual(tree);
    expect((await rtslibInProcess('apply', '--json', file)).stdout).toMatch(/"steps": \[\]/);
    expect(await rtslibInProcess('clear', '--quiet')).toEqual({ status: 0, stdout: '', stderr: '' });
    expect(await rtslibInProcess('restore', '--quiet', file)).toEqual({ status: 0, stdout: '', stderr: '' });
    expect(rawTree()).toEqual(tree);
  });

  test("discover lists the guest's SCSI hosts and devices", async () => {
    const table = await rtslibInProcess('discover');
    expect(table.status, table.stderr).toBe(0);
    const json = await rtslibInProcess('discover', '--json');
    expect(json.status).toBe(0);
    const parsed = JSON.parse(json.stdout) as { hosts: unknown[]; devices: { hctl: string }[] };
    expect(Array.isArray(parsed.hosts)).toBe(true);
    // the loopback target's LUN is a local SCSI disk in the guest
    const lsscsi = execFileSync('lsscsi', [], { encoding: 'utf8' });
    for (const d of parsed.devices) expect(lsscsi).toContain(`[${d.hctl}]`);
    for (const d of parsed.devices) expect(table.stdout).toContain(d.hctl);
  });

  test('ls draws what targetcli ls draws for the same tree: names, summaries, order', async () => {
    writeFileSync(`${DIR}/loop.img`, Buffer.alloc(8 * 1024 * 1024));
    const loop = execFileSync('losetup', ['--find', '--show', `${DIR}/loop.img`], { encoding: 'utf8' }).trim();
    const initiator = (n: string): string => `iqn.1994-05.com.example:ls-${n}`;
    const config = {
      fabric_modules: [
        { name: 'iscsi', discovery_enable_auth: true, discovery_userid: 'du', discovery_password: SECRET, discovery_mutual_userid: 'dm', discovery_mutual_password: `${SECRET}m` },
      ],
      storage_objects: [
        { plugin: 'block', name: 'blk', dev: loop, readonly: true, write_back: false },
        { plugin: 'fileio', name: 'disk1', dev: `${DIR}/disk1.img`, size: 16 * 1024 * 1024, write_back: true },
        { plugin: 'ramdisk', name: 'ram1', size: 8 * 1024 * 1024 },
        { plugin: 'ramdisk', name: 'null1', size: 1024 * 1024, nullio: true },
        { plugin: 'ramdisk', name: 'spare', size: 1536 * 1024 },
      ],
      targets: [
        {
          fabric: 'iscsi',
          wwn: IQN,
          tpgs: [
            {
              tag: 1,
              enable: true,
              attributes: { authentication: 1, generate_node_acls: 0 },
              luns: [
                { index: 0, storage_object: '/backstores/fileio/disk1' },
                { index: 2, storage_object: '/backstores/block/blk' },
                { index: 10, storage_object: '/backstores/ramdisk/ram1' },
              ],
              portals: [
                { ip_address: '127.0.0.1', port: 3260 },
                { ip_address: '[::1]', port: 3261 },
              ],
              node_acls: [
                { node_wwn: initiator('a'), tag: 'group1', chap_userid: 'ua', chap_password: SECRET, mapped_luns: [{ index: 0, tpg_lun: 0 }] },
                { node_wwn: initiator('b'), tag: 'group1', chap_userid: 'ub', chap_password: SECRET, mapped_luns: [{ index: 0, tpg_lun: 0 }] },
                {
                  node_wwn: initiator('c'),
                  chap_userid: 'uc',
                  chap_password: SECRET,
                  chap_mutual_userid: 'mc',
                  chap_mutual_password: `${SECRET}m`,
                  mapped_luns: [
                    { index: 0, tpg_lun: 2, write_protect: true },
                    { index: 1, tpg_lun: 10 },
                  ],
                },
                { node_wwn: initiator('d'), tag: 'solo', mapped_luns: [] },
              ],
            },
            {
              tag: 2,
              enable: true,
              attributes: { authentication: 1, generate_node_acls: 1 },
              chap_userid: 'tu',
              chap_password: SECRET,
              chap_mutual_userid: 'tm',
              chap_mutual_password: `${SECRET}m`,
              luns: [{ index: 0, storage_object: '/backstores/ramdisk/null1' }],
              portals: [{ ip_address: '127.0.0.1', port: 3262 }],
            },
            { tag: 3, enable: false },
          ],
        },
        { fabric: 'loopback', wwn: 'naa.5001405aabbccdd1', tpgs: [{ tag: 1, luns: [{ index: 0, storage_object: '/backstores/ramdisk/ram1' }] }] },
      ],
    };
    writeFileSync(`${DIR}/ls.json`, JSON.stringify(config));
    try {
      const restored = await rtslibInProcess('restore', `${DIR}/ls.json`);
      expect(restored.status, restored.stderr).toBe(0);
      /**
       * `[indent]o- name [summary]`: a drawn line without its dot leader (and colours), and
       * without the rails (`|`), which depend on the siblings below: targetcli draws more fabrics.
       */
      const entries = (text: string): string[] =>
        text
          // eslint-disable-next-line no-control-regex -- targetcli's colour codes, should it print any
          .replace(/\x1b\[[0-9;]*m/g, '')
          .split('\n')
          .filter((l) => /^[ |]*o- /.test(l))
          .map((l) => l.replace(/ \.* ?\[([^[\]]*)\]$/, ' [$1]').replace(/^[ |]*/, (indent) => indent.replace(/\|/g, ' ')));
      const ours = entries((await rtslibInProcess('ls')).stdout);
      const theirs = entries(execFileSync('targetcli', ['ls'], { encoding: 'utf8', env: { ...process.env, TERM: 'dumb' } }));
      // targetcli also lists every fabric it can load, without targets; ours lists the fabrics in use
      const shown = new Set(ours.filter((l) => /^ {2}o- /.test(l)).map((l) => l.split(' ')[3]));
      const kept: string[] = [];
      let keep = true;
      for (const line of theirs) {
        if (/^ {2}o- /.test(line)) keep = shown.has(line.split(' ')[3]);
        if (keep) kept.push(line);
      }
      expect(ours).toEqual(kept);
      expect(ours.length).toBeGreaterThan(45);
      expect(ours.join('\n')).not.toContain(SECRET);
    } finally {
      await rtslibInProcess('clear');
      execFileSync('losetup', ['--detach', loop]);
      const back = await rtslibInProcess('restore', `${DIR}/sample.json`);
      expect(back.status, back.stderr).toBe(0);
    }
  });

  describe('bad input: exit 1 or 2, one line, configfs unchanged', () => {
    const cases: [string, () => object | string, 1 | 2, RegExp][] = [
      ['malformed JSON', () => '{"storage_objects": [', 2, /not valid JSON/],
      ['a schema error (misspelled key)', () => ({ storage_objects: [{ plugin: 'ramdisk', name: 'r', size: 4096, nulio: true }] }), 2, /storage_objects\[0\].*nulio/],
      [
        'a fileio path in a missing directory',
        () => ({ storage_objects: [{ plugin: 'fileio', name: 'f', dev: '/nonexistent-dir/f.img', size: 4096 }] }),
        1,
        /directory \/nonexistent-dir does not exist/,
      ],
      ['a pscsi device that does not exist', () => ({ storage_objects: [{ plugin: 'pscsi', name: 'p', dev: '/dev/sdzz' }] }), 1, /\/dev\/sdzz/],
      [
        // (one name under two plugins is legal, as in rtslib-fb: config-roundtrip.test.ts restores such trees)
        'a storage object named twice under one plugin',
        () => ({
          storage_objects: [
            { plugin: 'ramdisk', name: 'twin', size: 4096 },
            { plugin: 'ramdisk', name: 'twin', size: 8192 },
          ],
        }),
        2,
        /storage_objects\[1\]\.name: duplicate storage object "\/backstores\/ramdisk\/twin"/,
      ],
      [
        'a LUN naming a missing storage object',
        () => ({ targets: [{ fabric: 'iscsi', wwn: 'iqn.2003-01.org.x:y', tpgs: [{ tag: 1, luns: [{ index: 0, storage_object: '/backstores/fileio/ghost' }] }] }] }),
        2,
        /targets\[0\]\.tpgs\[0\]\.luns\[0\]\.storage_object/,
      ],
      ['an invalid WWN', () => ({ targets: [{ fabric: 'iscsi', wwn: 'bogus', tpgs: [] }] }), 2, /targets\[0\]\.wwn/],
    ];
    for (const [name, content, code, message] of cases) {
      test(name, async () => {
        const file = `${DIR}/bad.json`;
        const c = content();
        writeFileSync(file, typeof c === 'string' ? c : JSON.stringify(c));
        const tree = rawTree();
        for (const verb of ['apply', 'restore', 'diff']) {
          if (verb === 'diff' && code === 1) continue; // diff does not look at devices
          expectFailure(await rtslibInProcess(verb, file), code, message);
        }
        // and once through the bin wrapper, as a process
        if (name === 'malformed JSON') expectFailure(rtslib('apply', file), code, message);
        expect(rawTree()).toEqual(tree);
      });
    }

    test('usage errors exit 2', async () => {
      expectFailure(await rtslibInProcess('frobnicate'), 2, /unknown command/);
      expectFailure(await rtslibInProcess('ls', '--bogus'), 2, /unknown option/);
      expectFailure(await rtslibInProcess('apply'), 2, /missing required argument/);
      expectFailure(await rtslibInProcess('restore', `${DIR}/does-not-exist.json`), 1, /ENOENT/);
      expect((await rtslibInProcess('--help')).status).toBe(0);
    });
  });
});
