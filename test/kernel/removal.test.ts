/**
 * The one removal planner (cfs/removal.ts) on trees a killed run leaves:
 * LUN and mapped-LUN directories without their link, made here with raw
 * `mkdir` as a kill between `mkdir` and `symlink` leaves them. `rtslib
 * clear`, a scoped clear (`--target`, `--storage-object`) and the object
 * model's `Target.delete()`, `TPG.delete()` and `LUN.delete()` all remove
 * them; nothing the removal does not name is touched.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mkdirSync, readdirSync } from 'node:fs';
import { LUN, RTSRoot, TPG, Target, executePlan, planClear, planRestore, type SaveConfig } from '../../src/index.js';
import { TARGET, configuredTree, rawExists } from './helpers.js';
import { rtslibInProcess } from './support/cli-in-process.js';
import { configC, makeBackingFiles } from './support/write-scenarios.js';

const root = new RTSRoot();
const config: SaveConfig = configC();
const target = config.targets![0]!;
const WWN = target.wwn;
const TAG = target.tpgs![0]!.tag;
const INITIATOR = target.tpgs![0]!.node_acls![0]!.node_wwn;
const TPG_DIR = `${TARGET}/iscsi/${WWN}/tpgt_${TAG}`;

async function restoreC(): Promise<void> {
  await root.cfs.exclusive(async () => executePlan(root, await planRestore(root, config), { command: 'restore' }));
}

/** What a killed run leaves: a LUN and two mapped LUNs without links. */
function leaveLinklessDirectories(): void {
  mkdirSync(`${TPG_DIR}/lun/lun_40`);
  mkdirSync(`${TPG_DIR}/acls/${INITIATOR}/lun_40`);
  mkdirSync(`${TPG_DIR}/acls/${INITIATOR}/lun_41`);
}

/** The fileio storage object directories (`core/fileio_<n>/<name>`). */
const storageObjectDirs = (): string[] =>
  readdirSync(`${TARGET}/core`)
    .filter((hba) => /^fileio_\d+$/.test(hba))
    .flatMap((hba) =>
      readdirSync(`${TARGET}/core/${hba}`, { withFileTypes: true })
        .filter((e) => e.isDirectory())
        .map((e) => `core/${hba}/${e.name}`),
    );

beforeAll(async () => {
  makeBackingFiles();
  await root.cfs.exclusive(async () => executePlan(root, await planClear(root), { command: 'clear' }));
}, 120_000);

afterAll(async () => {
  await root.cfs.exclusive(async () => executePlan(root, await planClear(root), { command: 'clear' }));
}, 120_000);

describe('link-less LUN and mapped-LUN directories', () => {
  test('a scoped clear (--target) removes the target with them and leaves the storage objects', async () => {
    await restoreC();
    leaveLinklessDirectories();
    const run = await rtslibInProcess('clear', '--target', WWN);
    expect(run.status, run.stderr).toBe(0);
    expect(rawExists(`${TARGET}/iscsi/${WWN}`)).toBe(false);
    expect(storageObjectDirs()).toHaveLength(config.storage_objects!.length);
    const all = await rtslibInProcess('clear');
    expect(all.status, all.stderr).toBe(0);
    expect(configuredTree()).toEqual([]);
  }, 180_000);

  test('a scoped clear (--storage-object) removes the object with the LUN and mapped LUN that use it, and nothing else', async () => {
    await restoreC();
    leaveLinklessDirectories();
    const name = config.storage_objects![0]!.name;
    const run = await rtslibInProcess('clear', '--storage-object', name);
    expect(run.status, run.stderr).toBe(0);
    expect(storageObjectDirs().some((p) => p.endsWith(`/${name}`))).toBe(false);
    expect(rawExists(`${TPG_DIR}/lun/lun_0`)).toBe(false); // exported the object
    expect(rawExists(`${TPG_DIR}/acls/${INITIATOR}/lun_0`)).toBe(false); // mapped that LUN
    expect(rawExists(`${TPG_DIR}/lun/lun_1`)).toBe(true);
    expect(rawExists(`${TPG_DIR}/lun/lun_40`)).toBe(true); // not named by the removal
  }, 180_000);

  test('rtslib clear removes everything', async () => {
    await restoreC();
    leaveLinklessDirectories();
    const run = await rtslibInProcess('clear');
    expect(run.status, run.stderr).toBe(0);
    expect(configuredTree()).toEqual([]);
  }, 180_000);

  test('LUN.delete() removes a link-less LUN (a mapped LUN without a link maps nothing and stays); TPG.delete() and Target.delete() remove the rest', async () => {
    await restoreC();
    leaveLinklessDirectories();
    const t = await Target.open(root, 'iscsi', { wwn: WWN, mode: 'lookup' });
    const tpg = await TPG.open(t, { tag: TAG, mode: 'lookup' });
    await (await LUN.open(tpg, { index: 40, mode: 'lookup' })).delete();
    expect(rawExists(`${TPG_DIR}/lun/lun_40`)).toBe(false);
    expect(rawExists(`${TPG_DIR}/acls/${INITIATOR}/lun_40`)).toBe(true); // it held no link to LUN 40
    await tpg.delete();
    expect(rawExists(TPG_DIR)).toBe(false);
    leaveLinklessTpg();
    await t.delete();
    expect(rawExists(`${TARGET}/iscsi/${WWN}`)).toBe(false);
    expect(storageObjectDirs()).toHaveLength(config.storage_objects!.length);
  }, 180_000);
});

/** A second TPG with only link-less children, for Target.delete(). */
function leaveLinklessTpg(): void {
  mkdirSync(TPG_DIR);
  mkdirSync(`${TPG_DIR}/lun/lun_7`);
  mkdirSync(`${TPG_DIR}/acls/${INITIATOR}`);
  mkdirSync(`${TPG_DIR}/acls/${INITIATOR}/lun_7`);
}
