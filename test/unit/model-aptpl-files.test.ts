/**
 * The APTPL registrations a storage object gets back when it is created
 * (model/persistent-reservations.ts): read from `<dbroot>/pr/aptpl_<serial>`,
 * and, for a plan creating many objects, only for the files a listing of
 * `<dbroot>/pr` names.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { savedRegistrationFiles, withSavedRegistrations } from '../../src/model/persistent-reservations.js';
import type { CreationRecipe } from '../../src/model/storage-object.js';

const SERIAL = '6001405aaaaaaaaaaaaaaaaaaaaaaaaa';
const OTHER = '6001405bbbbbbbbbbbbbbbbbbbbbbbbb';
// the shape the kernel writes (drivers/target/target_core_pr.c, __core_scsi3_write_aptpl_to_file)
const APTPL = ['PR_REG_START: 0', 'initiator_fabric=iSCSI', 'initiator_node=iqn.1994-05.com.redhat:c', 'sa_res_key=1', 'res_holder=0', 'PR_REG_END: 0', ''].join('\n');

let dbroot: string;
beforeEach(() => {
  dbroot = mkdtempSync(join(tmpdir(), 'rtslib-aptpl-'));
  mkdirSync(join(dbroot, 'pr'));
  writeFileSync(join(dbroot, 'pr', `aptpl_${SERIAL}`), APTPL);
});
afterEach(() => rmSync(dbroot, { recursive: true, force: true }));

const recipe = (wwn: string): CreationRecipe => ({ control: [], wwn }) as unknown as CreationRecipe;

describe('saved APTPL registrations', () => {
  test('the listing names the files under <dbroot>/pr; none without a dbroot or a pr directory', async () => {
    expect([...(await savedRegistrationFiles(dbroot))]).toEqual([`aptpl_${SERIAL}`]);
    expect((await savedRegistrationFiles(null)).size).toBe(0);
    expect((await savedRegistrationFiles(join(dbroot, 'absent'))).size).toBe(0);
  });

  test('a listed file is read back as one registration per block', async () => {
    const present = await savedRegistrationFiles(dbroot);
    const got = await withSavedRegistrations(recipe(SERIAL), dbroot, present);
    expect(got.aptplRegistrations).toEqual(['initiator_fabric=iSCSI,initiator_node=iqn.1994-05.com.redhat:c,sa_res_key=1,res_holder=0']);
    // without a listing the file is tried directly
    expect((await withSavedRegistrations(recipe(SERIAL), dbroot)).aptplRegistrations).toEqual(got.aptplRegistrations);
  });

  test('with a listing, a file it does not name is not read (no attempt per object)', async () => {
    const present = await savedRegistrationFiles(dbroot);
    // written after the listing: the listing decides
    writeFileSync(join(dbroot, 'pr', `aptpl_${OTHER}`), APTPL);
    expect((await withSavedRegistrations(recipe(OTHER), dbroot, present)).aptplRegistrations).toBeUndefined();
    expect((await withSavedRegistrations(recipe(OTHER), dbroot)).aptplRegistrations).toHaveLength(1);
  });
});
