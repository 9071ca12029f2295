/**
 * saveconfig.json as targetctl users have it, on the real kernel: lenient
 * boot restores that skip what this kernel cannot apply and name every
 * skipped item; scoped restores and clears; partial saves; and the defaults
 * a file leaves out, compared with what targetctl (rtslib-fb) makes of the
 * same file.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { RTSRoot, dumpConfig, executePlan, planClear, readConfigFile, type SaveConfig } from '../../src/index.js';
import { SYSTEM_PYTHON, TARGET, configuredTree, rawRead, rawTree } from './helpers.js';
import { rtslibInProcess } from './support/cli-in-process.js';

const DIR = '/tmp/cfg-compat';
const IQN = 'iqn.2003-01.org.rtslib.compat:t1';
const IQN2 = 'iqn.2003-01.org.rtslib.compat:t2';
const root = new RTSRoot();

async function clearAll(): Promise<void> {
  await executePlan(root, await planClear(root));
  expect(configuredTree()).toEqual([]);
}

function targetctl(...args: string[]): { status: number | null; stderr: string } {
  const r = spawnSync(SYSTEM_PYTHON, ['/usr/bin/targetctl', ...args], { encoding: 'utf8' });
  return { status: r.status, stderr: r.stderr };
}

function write(name: string, config: unknown): string {
  const file = `${DIR}/${name}.json`;
  writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

/** Two targets over three storage objects, with an ACL, as a file would have them. */
function twoTargets(): SaveConfig {
  return {
    storage_objects: [
      { plugin: 'ramdisk', name: 'shared', size: 4194304 },
      { plugin: 'ramdisk', name: 'only1', size: 4194304 },
      { plugin: 'fileio', name: 'only2', dev: `${DIR}/only2.img`, size: 8388608 },
    ],
    targets: [
      {
        fabric: 'iscsi',
        wwn: IQN,
        tpgs: [
          {
            tag: 1,
            luns: [
              { index: 0, storage_object: '/backstores/ramdisk/shared' },
              { index: 1, storage_object: '/backstores/ramdisk/only1' },
            ],
            node_acls: [{ node_wwn: 'iqn.1994-05.com.redhat:c1', mapped_luns: [{ index: 0, tpg_lun: 0 }] }],
          },
        ],
      },
      {
        fabric: 'iscsi',
        wwn: IQN2,
        tpgs: [{ tag: 1, luns: [{ index: 0, storage_object: '/backstores/fileio/only2' }] }],
      },
    ],
  } as SaveConfig;
}

beforeAll(async () => {
  mkdirSync(DIR, { recursive: true });
  await clearAll();
});

afterAll(async () => {
  await clearAll();
  rmSync(DIR, { recursive: true, force: true });
});

describe('restore --lenient (boot restores)', () => {
  /** A good config with three problems: an unknown key, an attribute this kernel lacks, a device that is not there. */
  function threeProblems(): Record<string, unknown> {
    const config = twoTargets() as unknown as { storage_objects: Record<string, unknown>[]; targets: Record<string, unknown>[] };
    config.storage_objects[0]!.attributes = { emulate_3pc: 0, no_such_attribute: 1 };
    config.storage_objects[2]!.dev = '/dev/rtslib-missing/disk.img';
    (config.targets[0]!.tpgs as Record<string, unknown>[])[0]!.future_key = true;
    return config;
  }

  test('without --lenient nothing is written: the unknown key is refused (exit 2); without it, the missing attribute (exit 1)', async () => {
    const file = write('three-problems', threeProblems());
    const strict = await rtslibInProcess('restore', file);
    expect(strict.status).toBe(2);
    expect(strict.stderr).toMatch(/targets\[0\]\.tpgs\[0\]: Unrecognized key: "future_key"/);
    expect(configuredTree()).toEqual([]);
    const noKey = threeProblems();
    delete ((noKey.targets as Record<string, unknown>[])[0]!.tpgs as Record<string, unknown>[])[0]!.future_key;
    (noKey.storage_objects as Record<string, unknown>[])[2]!.dev = `${DIR}/only2.img`;
    const attr = await rtslibInProcess('restore', write('one-problem', noKey));
    expect(attr.status).toBe(1);
    expect(attr.stderr).toMatch(/no_such_attribute/);
    expect(configuredTree()).toEqual([]);
  });

  test('with --lenient the rest is applied, exit 0, one warning line per skipped item naming its JSON path', async () => {
    const run = await rtslibInProcess('restore', '--lenient', `${DIR}/three-problems.json`);
    expect(run.status, run.stderr).toBe(0);
    const warnings = run.stderr.trim().split('\n');
    expect(warnings).toEqual([
      'rtslib: warning: targets[0].tpgs[0].future_key: unknown key: skipped',
      expect.stringMatching(/^rtslib: warning: storage_objects\[2\]: storage object fileio\/only2 cannot be created here \(.*rtslib-missing.*\): skipped$/),
      'rtslib: warning: targets[1].tpgs[0].luns[0]: its storage object /backstores/fileio/only2 was skipped: skipped',
      'rtslib: warning: storage_objects[0].attributes.no_such_attribute: the kernel has no such setting here: skipped',
    ]);
    expect(run.stdout).toMatch(/^restore: \d+ created, .*4 skipped with a warning\n$/);
    // everything else is there: both targets, the two ramdisks, the ACL and its mapped LUN, emulate_3pc
    const tree = await dumpConfig(root);
    expect(tree.storage_objects?.map((so) => `${so.plugin}/${so.name}`)).toEqual(['ramdisk/only1', 'ramdisk/shared']);
    expect(tree.storage_objects?.find((so) => so.name === 'shared')?.attributes?.emulate_3pc).toBe(0);
    expect(tree.targets?.map((t) => [t.wwn, t.tpgs?.[0]?.luns?.length])).toEqual([
      [IQN, 2],
      [IQN2, 0],
    ]);
    expect(tree.targets?.[0]?.tpgs?.[0]?.node_acls?.[0]?.mapped_luns).toHaveLength(1);
  });

  test('--lenient still refuses what is not a config, before any write', async () => {
    await clearAll();
    const dangling = twoTargets();
    dangling.targets![0]!.tpgs![0]!.luns![0]!.storage_object = '/backstores/ramdisk/ghost';
    const run = await rtslibInProcess('restore', '--lenient', write('dangling', dangling));
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/ghost, which is not in storage_objects/);
    writeFileSync(`${DIR}/broken.json`, '{"storage_objects": [');
    expect((await rtslibInProcess('restore', '--lenient', `${DIR}/broken.json`)).status).toBe(2);
    expect(configuredTree()).toEqual([]);
  });
});

describe('scopes as targetctl users expect them', () => {
  test('restore --target brings the storage objects its LUNs need; --storage-object takes several names', async () => {
    await clearAll();
    const file = write('two-targets', twoTargets());
    const one = await rtslibInProcess('restore', '--target', IQN, file);
    expect(one.status, one.stderr).toBe(0);
    let tree = await dumpConfig(root);
    expect(tree.storage_objects?.map((so) => so.name).sort()).toEqual(['only1', 'shared']);
    expect(tree.targets?.map((t) => t.wwn)).toEqual([IQN]);
    // the second target reuses nothing it does not need; its fileio object is created
    const two = await rtslibInProcess('restore', '--target', IQN2, file);
    expect(two.status, two.stderr).toBe(0);
    tree = await dumpConfig(root);
    expect(tree.storage_objects?.map((so) => so.name).sort()).toEqual(['only1', 'only2', 'shared']);
    expect(tree.targets?.map((t) => t.wwn).sort()).toEqual([IQN, IQN2]);
    // replacing two storage objects by name removes the LUNs using them (as clear does) and recreates the objects
    const sos = await rtslibInProcess('restore', '--storage-object', 'only1', '--storage-object', 'only2', file);
    expect(sos.status, sos.stderr).toBe(0);
    tree = await dumpConfig(root);
    expect(tree.storage_objects?.map((so) => so.name).sort()).toEqual(['only1', 'only2', 'shared']);
    expect(tree.targets?.find((t) => t.wwn === IQN)?.tpgs?.[0]?.luns?.map((l) => l.index)).toEqual([0]);
    const clear = await rtslibInProcess('clear', '--storage-object', 'only1', '--storage-object', 'shared');
    expect(clear.status, clear.stderr).toBe(0);
    expect((await dumpConfig(root)).storage_objects?.map((so) => so.name)).toEqual(['only2']);
  });

  test('a whole clear resets discovery authentication (as clear_existing); a restore of a file without it leaves none enforced', async () => {
    const auth = `${TARGET}/iscsi/discovery_auth`;
    writeFileSync(`${auth}/userid`, 'disc-user');
    writeFileSync(`${auth}/password`, 'disc-secret');
    writeFileSync(`${auth}/enforce_discovery_auth`, '1');
    expect((await rtslibInProcess('clear', '--target', IQN2)).status).toBe(0);
    expect(rawRead(`${auth}/enforce_discovery_auth`)).toBe('1'); // a scoped clear leaves it
    expect((await rtslibInProcess('clear')).status).toBe(0);
    expect(rawRead(`${auth}/enforce_discovery_auth`)).toBe('0');
    expect(rawRead(`${auth}/userid`)).toMatch(/^(NULL)?$/);
    expect(rawRead(`${auth}/password`)).toMatch(/^(NULL)?$/);
    writeFileSync(`${auth}/userid`, 'disc-user');
    writeFileSync(`${auth}/enforce_discovery_auth`, '1');
    expect((await rtslibInProcess('restore', `${DIR}/two-targets.json`)).status).toBe(0);
    expect(rawRead(`${auth}/enforce_discovery_auth`)).toBe('0');
  });
});

describe('partial saves', () => {
  test('save --storage-object replaces only its entries (and the targets exporting it) in the existing file, which still restores', async () => {
    await clearAll();
    const file = write('partial', twoTargets());
    expect((await rtslibInProcess('restore', file)).status).toBe(0);
    const before = JSON.parse(readFileSync(file, 'utf8')) as SaveConfig;
    // change the kernel: a new attribute on "shared" and a second ACL on the first target
    writeFileSync(`${TARGET}/${rawTree().find((p) => /^core\/rd_mcp_\d+\/shared$/.test(p))}/attrib/emulate_3pc`, '0');
    await rtslibInProcess('clear', '--target', IQN2);
    const run = await rtslibInProcess('save', '--no-backup', '--storage-object', '/backstores/ramdisk/shared', file);
    expect(run.status, run.stderr).toBe(0);
    const after = await readConfigFile(file);
    // the storage object and the target exporting it are the kernel's now; the other target stays as the file had it
    expect(after.storage_objects?.find((so) => so.name === 'shared')?.attributes?.emulate_3pc).toBe(0);
    expect(after.targets?.map((t) => t.wwn)).toEqual([IQN, IQN2]);
    expect(after.targets?.[0]).toEqual((await dumpConfig(root)).targets?.[0]);
    expect(after.targets?.find((t) => t.wwn === IQN2)).toEqual(before.targets?.find((t) => t.wwn === IQN2));
    expect(after.storage_objects?.find((so) => so.name === 'only2')).toEqual(before.storage_objects?.find((so) => so.name === 'only2'));
    // and the file restores
    expect((await rtslibInProcess('restore', file)).status).toBe(0);
    expect((await dumpConfig(root)).targets?.map((t) => t.wwn).sort()).toEqual([IQN, IQN2]);
  });
});

describe("defaults the file leaves out are rtslib-fb's", () => {
  test('a mapped LUN without write_protect is writable even under prod_mode_write_protect, as targetctl makes it', async () => {
    await clearAll();
    const config = twoTargets();
    config.targets![0]!.tpgs![0]!.attributes = { prod_mode_write_protect: 1 };
    config.targets!.pop();
    config.storage_objects!.pop();
    const file = write('prod-mode', config);
    const mapped = `${TARGET}/iscsi/${IQN}/tpgt_1/acls/iqn.1994-05.com.redhat:c1/lun_0/write_protect`;
    expect((await rtslibInProcess('restore', file)).status).toBe(0);
    expect(rawRead(mapped)).toBe('0');
    await clearAll();
    expect(targetctl('restore', file).status).toBe(0);
    expect(rawRead(mapped)).toBe('0');
  });
});
