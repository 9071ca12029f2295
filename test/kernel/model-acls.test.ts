/**
 * Node ACLs, mapped LUNs, network portals and ACL groups on the real kernel,
 * checked with plain fs and cross-checked with rtslib-fb in the same guest.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readlinkSync, readdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import {
  RTSRoot,
  RDMCPStorageObject,
  Target,
  TPG,
  LUN,
  NodeACL,
  MappedLUN,
  NetworkPortal,
  NodeACLGroup,
  MappedLUNGroup,
  RTSLibError,
  RTSLibInvalidArgumentError,
  RTSLibOperationError,
} from '../../src/index.js';
import { TARGET, rawExists, rawRead, rawTree, rtslibFb } from './helpers.js';

const suffix = randomBytes(3).toString('hex');
const TARGET_WWN = `iqn.2003-01.org.rtslib.test:acls-${suffix}`;
const SO_NAME = `acls_ram_${suffix}`;
const I1 = 'iqn.1994-05.com.redhat:client1';
const GROUP = ['iqn.1994-05.com.redhat:g1', 'iqn.1994-05.com.redhat:g2', 'iqn.1994-05.com.redhat:g3'];

describe('ACLs, mapped LUNs, portals and groups on the real kernel', () => {
  const root = new RTSRoot();
  let before: string[] = [];
  let so: RDMCPStorageObject | undefined;
  let target: Target | undefined;
  let tpg: TPG;
  let lun0: LUN;
  let lun1: LUN;
  let tpgDir: string;

  beforeAll(async () => {
    before = rawTree();
    so = await RDMCPStorageObject.open(root, SO_NAME, { size: '4M' });
    target = await Target.open(root, 'iscsi', { wwn: TARGET_WWN });
    tpg = await TPG.open(target, { tag: 1 });
    lun0 = await LUN.open(tpg, { index: 0, storageObject: so });
    lun1 = await LUN.open(tpg, { index: 1, storageObject: so });
    tpgDir = `${TARGET}/iscsi/${TARGET_WWN}/tpgt_1`;
  });

  afterAll(async () => {
    // Clean up even when a test failed: the target (with everything in it), then the storage object.
    if (target && (await target.exists())) await target.delete();
    if (so && (await so.exists())) await so.delete();
  });

  test('NodeACL: create, lookup, create twice, tag, queue depth, session info', async () => {
    const acl = await NodeACL.open(tpg, I1, { mode: 'create', tag: 'solo', queueDepth: 32 });
    expect(acl.isFresh).toBe(true);
    expect(acl.path).toBe(`${tpgDir}/acls/${I1}`);
    expect(rawRead(`${acl.path}/tag`)).toBe('solo');
    expect(rawRead(`${acl.path}/cmdsn_depth`)).toBe('32');
    expect(await acl.tag()).toBe('solo');
    expect(await acl.queueDepth()).toBe(32);

    const again = await NodeACL.open(tpg, I1.toUpperCase().replace('IQN', 'iqn'), { mode: 'lookup' });
    expect(again.isFresh).toBe(false);
    expect(again.nodeWwn).toBe(I1);
    const twice = await NodeACL.open(tpg, I1, { mode: 'create' }).catch((e: unknown) => e);
    expect(twice).toBeInstanceOf(RTSLibError);
    expect((twice as RTSLibError).code).toBe('EEXIST');

    // 'any' on an existing ACL applies the settings given.
    const existing = await NodeACL.open(tpg, I1, { queueDepth: 100 });
    expect(existing.isFresh).toBe(false);
    expect(rawRead(`${acl.path}/cmdsn_depth`)).toBe('100');

    await acl.setTag('solo2');
    expect(rawRead(`${acl.path}/tag`)).toBe('solo2');
    await acl.setTag(null);
    expect(await acl.tag()).toBeNull();
    await acl.setQueueDepth(128);
    expect(rawRead(`${acl.path}/cmdsn_depth`)).toBe('128');
    await expect(acl.setQueueDepth(0)).rejects.toBeInstanceOf(RTSLibInvalidArgumentError);

    const session = await acl.sessionInfo();
    expect(session.active).toBe(false);
    expect(session.raw).toMatch(/No active iSCSI Session for Initiator Endpoint: iqn\.1994-05\.com\.redhat:client1/);
  });

  test('NodeACL: CHAP credentials set and read back, secrets never in errors', async () => {
    const acl = await NodeACL.open(tpg, I1, { mode: 'lookup' });
    expect(await acl.chap()).toEqual({ userid: null, password: null, mutualUserid: null, mutualPassword: null });
    await acl.setChap({ userid: 'user1', password: 'secret123456', mutualUserid: 'tgt1', mutualPassword: 'mutualsecret12' });
    expect(rawRead(`${acl.path}/auth/password`)).toBe('secret123456');
    expect(rawRead(`${acl.path}/auth/userid`)).toBe('user1');
    expect(rawRead(`${acl.path}/auth/userid_mutual`)).toBe('tgt1');
    expect(rawRead(`${acl.path}/auth/password_mutual`)).toBe('mutualsecret12');
    expect(await acl.chap()).toEqual({ userid: 'user1', password: 'secret123456', mutualUserid: 'tgt1', mutualPassword: 'mutualsecret12' });
    expect(await acl.getAuthAttribute('userid')).toBe('user1');
    expect(await acl.authenticateTarget()).toBe(true);

    const tooLong = 'x'.repeat(300) + 'TOPSECRET';
    const err = await acl.setChap({ password: tooLong }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RTSLibInvalidArgumentError);
    expect(String((err as Error).message)).not.toContain('TOPSECRET');
    expect(rawRead(`${acl.path}/auth/password`)).toBe('secret123456');

    await acl.setChap({ mutualUserid: null, mutualPassword: null });
    expect(await acl.chap()).toEqual({ userid: 'user1', password: 'secret123456', mutualUserid: null, mutualPassword: null });
  });

  test('MappedLUN: write protect after the link, lowest free index, tpgLun from the link', async () => {
    const acl = await NodeACL.open(tpg, I1, { mode: 'lookup' });
    const m0 = await MappedLUN.open(acl, { tpgLun: lun0, writeProtect: true });
    expect(m0.index).toBe(0);
    expect(m0.isFresh).toBe(true);
    expect(rawRead(`${acl.path}/lun_0/write_protect`)).toBe('1');
    const links = readdirSync(`${acl.path}/lun_0`).filter((n) => n !== 'write_protect' && n !== 'statistics');
    expect(links).toHaveLength(1);
    expect(readlinkSync(`${acl.path}/lun_0/${links[0]}`)).toMatch(/\/tpgt_1\/lun\/lun_0$/);
    expect(await m0.writeProtect()).toBe(true);
    expect((await m0.tpgLun()).index).toBe(0);

    const m1 = await MappedLUN.open(acl, { tpgLun: 1, alias: 'second' });
    expect(m1.index).toBe(1);
    expect(await m1.alias()).toBe('second');
    expect((await m1.tpgLun()).index).toBe(1);
    expect(await m1.writeProtect()).toBe(false);
    await m1.setWriteProtect(true);
    expect(rawRead(`${acl.path}/lun_1/write_protect`)).toBe('1');
    await m1.setWriteProtect(false);

    const looked = await MappedLUN.open(acl, { index: 0 });
    expect(looked.isFresh).toBe(false);
    const twice = await MappedLUN.open(acl, { index: 0, tpgLun: 0 }).catch((e: unknown) => e);
    expect((twice as RTSLibError).code).toBe('EEXIST');

    // A TPG LUN that does not exist: refused before any write.
    const treeBefore = rawTree(acl.path);
    await expect(MappedLUN.open(acl, { index: 5, tpgLun: 7 })).rejects.toBeInstanceOf(RTSLibInvalidArgumentError);
    await expect(MappedLUN.open(acl, { index: 70000, tpgLun: 0 })).rejects.toBeInstanceOf(RTSLibInvalidArgumentError);
    expect(rawTree(acl.path)).toEqual(treeBefore);

    await m1.delete();
    expect(rawExists(`${acl.path}/lun_1`)).toBe(false);
  });

  test('NetworkPortal: IPv4 and bracketed IPv6, iser/offload switches', async () => {
    const v4 = await NetworkPortal.open(tpg, '127.0.0.1');
    const v6 = await NetworkPortal.open(tpg, '[::1]', { port: 3261 });
    expect(v4.port).toBe(3260);
    expect(v6.ip).toBe('::1');
    expect(readdirSync(`${tpgDir}/np`).sort()).toEqual(['127.0.0.1:3260', '[::1]:3261']);
    expect(await v4.iser()).toBe(false);
    expect(await v4.offload()).toBe(false);
    await v4.setIser(false);
    await v4.setOffload(false);
    expect(rawRead(`${v4.path}/iser`)).toBe('0');
    // Turning iSER / offload on needs RDMA / Chelsio hardware: without it the
    // kernel refuses, and the error names the file and the errno.
    for (const [file, set, get] of [
      ['iser', (on: boolean) => v4.setIser(on), () => v4.iser()],
      ['cxgbit', (on: boolean) => v4.setOffload(on), () => v4.offload()],
    ] as const) {
      const result = await set(true).then(
        () => null,
        (e: unknown) => e,
      );
      console.log(`portal ${file} <- 1: ${result === null ? 'accepted' : (result as Error).message}`);
      if (result === null) {
        expect(await get()).toBe(true);
        await set(false);
      } else {
        expect(result).toBeInstanceOf(RTSLibOperationError);
        const opErr = result as RTSLibOperationError;
        expect(opErr.step.path).toBe(`${v4.path}/${file}`);
        expect(opErr.message).toContain(opErr.step.code);
        expect(opErr.message).toContain(`${v4.path}/${file}`);
      }
      expect(rawRead(`${v4.path}/${file}`)).toBe('0');
    }
    const again = await NetworkPortal.open(tpg, '0:0:0:0:0:0:0:1', { port: 3261, mode: 'lookup' });
    expect(again.path).toBe(v6.path);
    await expect(NetworkPortal.open(tpg, '300.1.1.1')).rejects.toBeInstanceOf(RTSLibInvalidArgumentError);
    await expect(NetworkPortal.open(tpg, '127.0.0.1', { port: 0 })).rejects.toBeInstanceOf(RTSLibInvalidArgumentError);
    const twice = await NetworkPortal.open(tpg, '127.0.0.1', { mode: 'create' }).catch((e: unknown) => e);
    expect((twice as RTSLibError).code).toBe('EEXIST');
  });

  test('NodeACLGroup of 3 ACLs with one MappedLUNGroup (one batch)', async () => {
    const group = await NodeACLGroup.open(tpg, 'grp', { mode: 'create', initiators: GROUP });
    expect((await group.wwns()).sort()).toEqual([...GROUP].sort());
    for (const wwn of GROUP) expect(rawRead(`${tpgDir}/acls/${wwn}/tag`)).toBe('grp');

    const mlg = await group.mappedLunGroup({ tpgLun: lun1, writeProtect: true });
    expect(mlg).toBeInstanceOf(MappedLUNGroup);
    expect(mlg.index).toBe(0);
    for (const wwn of GROUP) expect(rawRead(`${tpgDir}/acls/${wwn}/lun_0/write_protect`)).toBe('1');
    expect((await mlg.mappedLuns()).length).toBe(3);
    expect((await mlg.tpgLun()).index).toBe(1);
    expect(await mlg.writeProtect()).toBe(true);
    expect((await group.mappedLunGroups()).map((g) => g.index)).toEqual([0]);

    // A fourth member joins and takes the group's mapped LUNs.
    const extra = 'iqn.1994-05.com.redhat:g4';
    await group.addAcl(extra);
    expect(rawRead(`${tpgDir}/acls/${extra}/lun_0/write_protect`)).toBe('1');
    await group.setQueueDepth(16);
    for (const wwn of [...GROUP, extra]) expect(rawRead(`${tpgDir}/acls/${wwn}/cmdsn_depth`)).toBe('16');
    await group.removeAcl(extra);
    expect(rawExists(`${tpgDir}/acls/${extra}`)).toBe(false);

    // Mapping to a missing TPG LUN is refused before any write.
    const treeBefore = rawTree(`${tpgDir}/acls`);
    await expect(group.mappedLunGroup({ tpgLun: 9 })).rejects.toBeInstanceOf(RTSLibInvalidArgumentError);
    expect(rawTree(`${tpgDir}/acls`)).toEqual(treeBefore);
  });

  test('NodeACLGroup CHAP per member, authenticateTarget, attributes and parameters, as rtslib-fb reads and writes them', async () => {
    const group = await NodeACLGroup.open(tpg, 'grp', { mode: 'lookup' });
    const members = [...GROUP].sort();
    const auth = (wwn: string, file: string) => rawRead(`${tpgDir}/acls/${wwn}/auth/${file}`);
    await group.setChap({ userid: 'grpuser', password: 'grp-secret-12', mutualUserid: 'grptgt', mutualPassword: 'grp-mutual-12' });
    for (const wwn of GROUP)
      expect([auth(wwn, 'userid'), auth(wwn, 'password'), auth(wwn, 'userid_mutual'), auth(wwn, 'password_mutual')]).toEqual([
        'grpuser',
        'grp-secret-12',
        'grptgt',
        'grp-mutual-12',
      ]);
    // one member only, as rtslib-fb's set_passwords(value, wwn)
    await group.setPasswords('only-g2-secret', GROUP[1]);
    expect(auth(GROUP[1]!, 'password')).toBe('only-g2-secret');
    expect(auth(GROUP[0]!, 'password')).toBe('grp-secret-12');

    type Seen = {
      userids: [string, string][];
      passwords: [string, string][];
      mutualUserids: [string, string][];
      mutualPasswords: [string, string][];
      authenticateTarget: boolean;
      attributes: string[];
      parameters: string[];
      burst: string;
    };
    // rtslib-fb's view (after running \`before\`, a statement on its group \`g\`)
    const fbSees = (before = 'pass') =>
      rtslibFb<Seen>(`
tpg = rtslib.TPG(rtslib.Target(rtslib.FabricModule('iscsi'), ${JSON.stringify(TARGET_WWN)}, mode='lookup'), 1, mode='lookup')
g = rtslib.NodeACLGroup(tpg, 'grp')
${before}
print(json.dumps({'userids': sorted(g.get_userids()), 'passwords': sorted(g.get_passwords()), 'mutualUserids': sorted(g.get_mutual_userids()),
  'mutualPasswords': sorted(g.get_mutual_passwords()), 'authenticateTarget': bool(g.authenticate_target),
  'attributes': sorted(g.list_attributes(writable=True)), 'parameters': sorted(g.list_parameters()), 'burst': g.get_parameter('MaxBurstLength')}))`);
    // ours says null where rtslib-fb says '' (unset)
    const asFb = (pairs: [string, string | null][]): [string, string][] => pairs.map(([w, v]) => [w, v ?? '']);
    const oursSees = async (): Promise<Seen> => ({
      userids: asFb(await group.userids()),
      passwords: asFb(await group.passwords()),
      mutualUserids: asFb(await group.mutualUserids()),
      mutualPasswords: asFb(await group.mutualPasswords()),
      authenticateTarget: await group.authenticateTarget(),
      attributes: (await group.listAttributes({ writable: true })).sort(),
      parameters: (await group.listParameters()).sort(),
      burst: await group.getParameter('MaxBurstLength'),
    });
    const mine = await oursSees();
    expect(mine.userids).toEqual(members.map((w) => [w, 'grpuser']));
    expect(mine.passwords).toEqual(members.map((w) => [w, w === GROUP[1] ? 'only-g2-secret' : 'grp-secret-12']));
    expect(mine.authenticateTarget).toBe(true);
    expect(mine.attributes).toContain('dataout_timeout');
    expect(mine.parameters).toContain('MaxBurstLength');
    expect(fbSees()).toEqual(mine);

    // unsetting the mutual pair stops target authentication; what rtslib-fb writes, ours reads
    await group.setChap({ mutualUserid: null, mutualPassword: null });
    expect(await group.authenticateTarget()).toBe(false);
    expect(await group.mutualUserids()).toEqual(members.map((w) => [w, null]));
    const after = fbSees(`g.set_userids('fbuser', ${JSON.stringify(GROUP[0])})`);
    expect(after.authenticateTarget).toBe(false);
    expect(await oursSees()).toEqual(after);
    expect((await group.userids()).find(([w]) => w === GROUP[0])).toEqual([GROUP[0], 'fbuser']);

    // refused before any write: a bad value (never echoed), a WWN that is not a member; the kernel's read-only parameters: undone, nothing changed
    const before = rawTree(`${tpgDir}/acls`);
    const bad = await group.setChap({ password: 'leak\nme' }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(RTSLibInvalidArgumentError);
    expect((bad as Error).message).not.toContain('leak');
    await expect(group.setUserids('x', I1)).rejects.toBeInstanceOf(RTSLibInvalidArgumentError);
    await expect(group.setParameter('MaxBurstLength', 1024)).rejects.toBeInstanceOf(RTSLibError);
    expect(rawTree(`${tpgDir}/acls`)).toEqual(before);
    for (const wwn of GROUP) expect(auth(wwn, 'userid')).toBe(wwn === GROUP[0] ? 'fbuser' : 'grpuser');
  });

  test('TPG listings and rtslib-fb see the same ACLs, mapped LUNs and portals', async () => {
    expect((await tpg.nodeAcls()).map((a) => a.nodeWwn).sort()).toEqual([I1, ...GROUP].sort());
    expect((await tpg.luns()).map((l) => l.index)).toEqual([0, 1]);
    expect((await tpg.networkPortals()).map((p) => `${p.ip}|${p.port}`).sort()).toEqual(['127.0.0.1|3260', '::1|3261']);

    const seen = rtslibFb<{ acls: [string, string | null, [number, number, boolean][]][]; portals: [string, number][] }>(`
tpg = rtslib.TPG(rtslib.Target(rtslib.FabricModule('iscsi'), ${JSON.stringify(TARGET_WWN)}, mode='lookup'), 1, mode='lookup')
acls = [[a.node_wwn, a.tag, sorted([m.mapped_lun, m.tpg_lun.lun, bool(m.write_protect)] for m in a.mapped_luns)] for a in tpg.node_acls]
portals = [[p.ip_address, p.port] for p in tpg.network_portals]
print(json.dumps({"acls": sorted(acls), "portals": sorted(portals)}))
`);
    expect(seen.portals).toEqual([
      ['127.0.0.1', 3260],
      ['[::1]', 3261],
    ]);
    // rtslib-fb's ip_address spelling: IPv6 in brackets
    expect((await tpg.networkPortals()).map((p) => [p.ipAddress, p.port]).sort()).toEqual(seen.portals);
    expect(seen.acls).toEqual([...GROUP.map((w) => [w, 'grp', [[0, 1, true]]]), [I1, null, [[0, 0, true]]]].sort((a, b) => String(a[0]).localeCompare(String(b[0]))));
  });

  test('failures: invalid IQN refused before any write; kernel refusal undone and named', async () => {
    const treeBefore = rawTree();
    const bad = await NodeACL.open(tpg, 'iqn.bad name').catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(RTSLibInvalidArgumentError);
    await expect(NodeACL.open(tpg, 'not-a-wwn')).rejects.toBeInstanceOf(RTSLibInvalidArgumentError);
    await expect(NodeACL.open(tpg, I1, { tag: 'x'.repeat(64) })).rejects.toBeInstanceOf(RTSLibInvalidArgumentError);
    expect(rawTree()).toEqual(treeBefore);

    const wwn = 'iqn.1994-05.com.redhat:refused';
    const err = await NodeACL.open(tpg, wwn, { attributes: { no_such_attribute: 1 } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RTSLibOperationError);
    const op = err as RTSLibOperationError;
    expect(op.step.path).toMatch(/attrib\/no_such_attribute$/);
    expect(op.code).toMatch(/^E/);
    expect(op.undoFailures).toEqual([]);
    expect(rawExists(`${tpgDir}/acls/${wwn}`)).toBe(false);
    expect(rawTree()).toEqual(treeBefore);
  });

  test('deleting the target leaves nothing behind', async () => {
    const acl = await NodeACL.open(tpg, I1, { mode: 'lookup' });
    await acl.delete();
    expect(rawExists(acl.path)).toBe(false);
    expect(rawExists(`${tpgDir}/acls/${GROUP[0]}/lun_0`)).toBe(true);

    await target!.delete();
    expect(rawExists(`${TARGET}/iscsi/${TARGET_WWN}`)).toBe(false);
    await so!.delete();
    const after = rawTree();
    expect(after.filter((p) => p.includes(TARGET_WWN) || p.includes(SO_NAME))).toEqual([]);
    // Only the iscsi fabric's own directory and files (the module this test loaded) may be new.
    expect(after.filter((p) => !before.includes(p)).filter((p) => !/^iscsi(\/[^/]+)?$|^iscsi\/discovery_auth\//.test(p))).toEqual([]);
    expect(before.filter((p) => !after.includes(p))).toEqual([]);
  });
});
