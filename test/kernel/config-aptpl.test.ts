/**
 * Persistent reservations that survive a restart: a key registered with
 * APTPL through an iSCSI session (the guest's open-iscsi, an explicit ACL
 * and mapped LUN) is saved by the kernel under the dbroot; after save,
 * clear and restore (ours, and targetctl's), the registration is there
 * again, as rtslib-fb puts it back.
 *
 * Not through tcm_loop: the kernel gives saved registrations back only when
 * an explicit mapped LUN of the registered initiator is made
 * (core_dev_add_initiator_node_lun_acl), and a tcm_loop initiator is its
 * TPG's nexus, generated anew by every restore (rtslib-fb's too), with
 * dynamic ACLs only; such a registration comes back for neither tool.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { RTSLibError, RTSRoot, executePlan, planClear } from '../../src/index.js';
import { SYSTEM_PYTHON, configuredTree, rtslibFb } from './helpers.js';
import { GUEST_INITIATOR, login, logout, startInitiator } from '../vm/iscsi-initiator.js';
import { rtslibInProcess } from './support/cli-in-process.js';

const DIR = '/tmp/cfg-aptpl';
/** rtslib-fb's dbroot (it sets its preferred one whenever it may): both libraries must use the same for the cross-check. */
let DBROOT = '';
let createdPrDir = false;
const SERIAL = '6f7a1d52-3c0e-4c55-9a0b-0000000aa971';
const IQN = 'iqn.2003-01.org.rtslib.aptpl:t1';
const KEY = '0xabc123';
const root = new RTSRoot();
let originalDbroot = '';

async function clearAll(): Promise<void> {
  await executePlan(root, await planClear(root));
  expect(configuredTree()).toEqual([]);
}

function sgPersist(...args: string[]): string {
  const r = spawnSync('sg_persist', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`sg_persist ${args.join(' ')}: exit ${r.status}: ${r.stderr}`);
  return r.stdout;
}

beforeAll(async () => {
  await clearAll();
  originalDbroot = await root.dbroot();
  mkdirSync(DIR, { recursive: true });
  DBROOT = rtslibFb<string>('print(json.dumps(rtslib.RTSRoot().dbroot))');
  createdPrDir = !existsSync(`${DBROOT}/pr`);
  mkdirSync(`${DBROOT}/pr`, { recursive: true });
  writeFileSync(
    `${DIR}/aptpl.json`,
    JSON.stringify({
      storage_objects: [{ plugin: 'fileio', name: 'pr_disk', dev: `${DIR}/pr_disk.img`, size: 16777216, wwn: SERIAL }],
      targets: [
        {
          fabric: 'iscsi',
          wwn: IQN,
          tpgs: [
            {
              tag: 1,
              enable: true,
              attributes: { authentication: 0 },
              portals: [{ ip_address: '127.0.0.1', port: 3260 }],
              luns: [{ index: 0, storage_object: '/backstores/fileio/pr_disk' }],
              node_acls: [{ node_wwn: GUEST_INITIATOR, mapped_luns: [{ index: 0, tpg_lun: 0 }] }],
            },
          ],
        },
      ],
    }),
  );
});

afterAll(async () => {
  await clearAll();
  if (existsSync(originalDbroot)) await root.setDbroot(originalDbroot);
  // what the kernel wrote for this test's unit serial goes (DBROOT may be a real /etc directory)
  rmSync(`${DBROOT}/pr/aptpl_${SERIAL}`, { force: true });
  if (createdPrDir) rmSync(`${DBROOT}/pr`, { recursive: true, force: true });
  rmSync(DIR, { recursive: true, force: true });
});

describe('persistent reservations (APTPL) across save, clear and restore', () => {
  test('dbroot: set while no storage object exists; refused with a clear error while one does', async () => {
    await root.setDbroot(DBROOT);
    expect(await root.dbroot()).toBe(DBROOT);
    expect((await rtslibInProcess('restore', `${DIR}/aptpl.json`)).status).toBe(0);
    const refused = await root.setDbroot(DIR).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(RTSLibError);
    expect(String((refused as Error).message)).toMatch(/only before any storage object is enabled/);
    expect(await root.dbroot()).toBe(DBROOT);
  });

  test('a key registered with APTPL comes back after save, clear, restore: with ours and with targetctl', async () => {
    await startInitiator();
    const keys = async (): Promise<string> => {
      const disk = await login(IQN);
      try {
        return sgPersist('--in', '--read-keys', disk);
      } finally {
        logout(IQN);
      }
    };
    const disk = await login(IQN);
    try {
      sgPersist('--out', '--register', `--param-sark=${KEY}`, '--param-aptpl', disk);
    } finally {
      logout(IQN);
    }
    const saved = `${DBROOT}/pr/aptpl_${SERIAL}`;
    expect(existsSync(saved), 'the kernel saved the APTPL registration').toBe(true);

    expect((await rtslibInProcess('save', '--no-backup', `${DIR}/saved.json`)).status).toBe(0);
    expect((await rtslibInProcess('clear')).status).toBe(0);
    expect(existsSync(saved)).toBe(true);
    const restore = await rtslibInProcess('restore', `${DIR}/saved.json`);
    expect(restore.status, restore.stderr).toBe(0);
    expect(await keys()).toMatch(new RegExp(KEY));

    // targetctl (rtslib-fb) puts it back the same way
    await clearAll();
    const r = spawnSync(SYSTEM_PYTHON, ['/usr/bin/targetctl', 'restore', `${DIR}/saved.json`], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(await keys()).toMatch(new RegExp(KEY));
  });
});
