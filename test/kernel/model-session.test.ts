/**
 * A live iSCSI session: the real open-iscsi initiator in the guest logs in
 * with CHAP to a target built through the object model, and the ACL's
 * `sessionInfo()` (and `RTSRoot.sessions()`) must report it as the kernel
 * and rtslib-fb see it; a wrong password gets no session; after the logout
 * the session is gone.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { randomBytes } from 'node:crypto';
import { LUN, MappedLUN, NetworkPortal, NodeACL, RDMCPStorageObject, RTSRoot, TPG, Target } from '../../src/index.js';
import { GUEST_INITIATOR, login, logout, sessionDisk, startInitiator } from '../vm/iscsi-initiator.js';
import { rawRead, rtslibFb } from './helpers.js';

const suffix = randomBytes(3).toString('hex');
const IQN = `iqn.2003-01.org.rtslib.test:session-${suffix}`;
const CHAP = { userid: 'session-user', password: `pw-${suffix}-0123456789` };

describe('a live iSCSI session', () => {
  const root = new RTSRoot();
  let so: RDMCPStorageObject | undefined;
  let target: Target | undefined;
  let acl: NodeACL;

  beforeAll(async () => {
    await startInitiator();
    so = await RDMCPStorageObject.open(root, `session_${suffix}`, { size: '8M' });
    target = await Target.open(root, 'iscsi', { wwn: IQN });
    const tpg = await TPG.open(target, { tag: 1 });
    const lun = await LUN.open(tpg, { index: 0, storageObject: so });
    acl = await NodeACL.open(tpg, GUEST_INITIATOR);
    await acl.setChap(CHAP);
    await MappedLUN.open(acl, { index: 0, tpgLun: lun });
    await NetworkPortal.open(tpg, '127.0.0.1');
    await tpg.setAttribute('authentication', 1);
    await tpg.setEnabled(true);
  });

  afterAll(async () => {
    if (sessionDisk(IQN)) logout(IQN);
    await target?.delete();
    await so?.delete();
  });

  test('no session before the login', async () => {
    const info = await acl.sessionInfo();
    expect(info.active).toBe(false);
    expect(info.raw).toContain(GUEST_INITIATOR);
    expect((await root.sessions()).filter((s) => s.nodeAcl.nodeWwn === GUEST_INITIATOR)).toEqual([]);
  });

  test('a wrong CHAP password gets no session', async () => {
    await expect(login(IQN, { chap: { userid: CHAP.userid, password: 'wrong-password-000' } })).rejects.toThrow(/iscsiadm/);
    expect((await acl.sessionInfo()).active).toBe(false);
  });

  test('logged in with CHAP: sessionInfo and RTSRoot.sessions report the session as the kernel does', async () => {
    const disk = await login(IQN, { chap: CHAP });
    expect(disk).toMatch(/^\/dev\/sd[a-z]+$/);
    const info = await acl.sessionInfo();
    expect(info).toMatchObject({ active: true, initiatorName: GUEST_INITIATOR, type: 'Normal', state: 'LOGGED_IN' });
    expect(info.sessionId).toBeGreaterThanOrEqual(1);
    expect(info.tsih).toBeGreaterThanOrEqual(1);
    expect(info.isid).toMatch(/^0x[0-9a-f]+/);
    expect(info.connections).toEqual([{ cid: 0, state: 'LOGGED_IN', address: '127.0.0.1', transport: 'TCP' }]);
    // the counters in the middle change from read to read; the head is stable
    expect(info.raw.split('\n').slice(0, 3)).toEqual(rawRead(`${acl.path}/info`).split('\n').slice(0, 3));
    const sessions = await root.sessions();
    expect(sessions.map((s) => [s.nodeAcl.nodeWwn, s.nodeAcl.tpg.target.wwn, s.info.sessionId])).toEqual([[GUEST_INITIATOR, IQN, info.sessionId]]);
    // rtslib-fb's view of the same ACL
    const fb = rtslibFb<{ state: string; connected: string[] } | null>(`
t = rtslib.Target(rtslib.FabricModule('iscsi'), ${JSON.stringify(IQN)}, mode='lookup')
acl = next(a for a in rtslib.TPG(t, 1).node_acls if a.node_wwn == ${JSON.stringify(GUEST_INITIATOR)})
s = acl.session
print(json.dumps(None if s is None else {'state': s['state'], 'connected': [c['address'] for c in s['connections']]}))`);
    expect(fb).toEqual({ state: 'LOGGED_IN', connected: ['127.0.0.1'] });
  });

  test('after the logout the session is gone', async () => {
    logout(IQN);
    for (let i = 0; i < 50 && (await acl.sessionInfo()).active; i++) await new Promise((r) => setTimeout(r, 100));
    expect((await acl.sessionInfo()).active).toBe(false);
    expect(await root.sessions()).toEqual([]);
  });
});
