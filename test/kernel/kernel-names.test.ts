/**
 * Objects a user named like the kernel's own directories (`statistics`,
 * `members`, `pr`, `attrib`, `fabric_statistics`, `wwn`): the reads skip
 * those names only where the kernel puts them (cfs/tree.ts KERNEL_PLACES),
 * so such objects are listed, saved, cleared and restored like any other.
 * Skipped by name alone, a storage object named `statistics` was missing
 * from listings and saves, and a clear failed on its HBA.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { RTSRoot, dumpConfig, executePlan, planClear, planRestore, readConfigFile, saveConfigFile, type SaveConfig } from '../../src/index.js';
import { TARGET } from './helpers.js';

const root = new RTSRoot();
const DIR = '/run/rtslib-kernel-names';
const NAMES = ['statistics', 'members', 'pr', 'attrib', 'fabric_statistics', 'wwn'];
const WWN = 'iqn.2003-01.org.linux-iscsi.names:t';
const INITIATOR = 'iqn.1994-05.com.redhat:names';

const config: SaveConfig = {
  storage_objects: NAMES.map((name) => ({
    plugin: 'ramdisk',
    name,
    size: 1 << 20,
    // an ALUA group named like the kernel's groups too (its own `members` file is never read)
    alua_tpgs: [{ name: name === 'members' ? 'members' : 'statistics', tg_pt_gp_id: 7 }],
  })),
  targets: [
    {
      fabric: 'iscsi',
      wwn: WWN,
      tpgs: [
        {
          tag: 1,
          luns: NAMES.map((name, index) => ({ index, storage_object: `/backstores/ramdisk/${name}` })),
          node_acls: [{ node_wwn: INITIATOR, mapped_luns: NAMES.map((_, index) => ({ index, tpg_lun: index })) }],
        },
      ],
    },
  ],
  fabric_modules: [],
};

const clear = async (): Promise<void> => {
  await executePlan(root, await planClear(root), { command: 'clear' });
};

beforeAll(async () => {
  mkdirSync(DIR, { recursive: true });
  await clear();
}, 120_000);

afterAll(async () => {
  await clear();
  rmSync(DIR, { recursive: true, force: true });
}, 120_000);

describe('objects named like the kernel directories', () => {
  test('are listed, dumped, saved, cleared and restored like any other', async () => {
    await executePlan(root, await planRestore(root, config), { command: 'restore' });
    expect((await root.storageObjects()).map((so) => so.name).sort()).toEqual([...NAMES].sort());

    const dumped = await dumpConfig(root);
    expect(dumped.storage_objects?.map((so) => [so.name, so.alua_tpgs?.map((g) => g.name)])).toEqual(
      [...NAMES].sort().map((name) => [name, [name === 'members' ? 'members' : 'statistics'].concat('default_tg_pt_gp').sort()]),
    );
    expect(dumped.targets?.[0]?.tpgs?.[0]?.luns).toHaveLength(NAMES.length);
    expect(dumped.targets?.[0]?.tpgs?.[0]?.node_acls?.[0]?.mapped_luns).toHaveLength(NAMES.length);

    const file = `${DIR}/saveconfig.json`;
    await saveConfigFile(root, file, { backups: 0 });
    expect((JSON.parse(readFileSync(file, 'utf8')) as SaveConfig).storage_objects?.map((so) => so.name)).toEqual([...NAMES].sort());

    await clear();
    expect(readdirSync(`${TARGET}/core`).filter((n) => n !== 'alua')).toEqual([]);
    // the fabric's own files (lio_version, cpus_allowed_list) and discovery_auth stay
    expect(
      readdirSync(`${TARGET}/iscsi`, { withFileTypes: true })
        .filter((e) => e.isDirectory() && e.name !== 'discovery_auth')
        .map((e) => e.name),
    ).toEqual([]);

    await executePlan(root, await planRestore(root, await readConfigFile(file)), { command: 'restore' });
    expect(await dumpConfig(root)).toEqual(dumped);
  }, 300_000);
});
