/**
 * Validation of node ACLs, mapped LUNs, portals and ACL groups: everything
 * here is refused (or parsed) before any kernel operation. The objects are
 * built on a Configfs rooted in a temp dir only so that the validation paths
 * can run; no test here is evidence about configfs itself.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mkdtempSync, rmSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  RTSRoot,
  Target,
  TPG,
  NodeACL,
  MappedLUN,
  NetworkPortal,
  NodeACLGroup,
  MappedLUNGroup,
  RTSLibInvalidArgumentError,
  parseSessionInfo,
  normalizePortalAddress,
  validateAclTag,
  validateGroupName,
} from '../../src/index.js';
import { validateChapValue, validateQueueDepth } from '../../src/model/node-acl.js';
import { removalBatch } from '../../src/cfs/removal.js';
import { Snapshot } from '../../src/cfs/snapshot.js';
import { resolveLink, portalPath, aclAuthPath } from '../../src/cfs/tree.js';

/** Every path under `dir`, for "nothing was written" checks. */
function listTree(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const rel = prefix ? `${prefix}/${name}` : name;
    out.push(rel);
    if (statSync(join(dir, name)).isDirectory()) out.push(...listTree(join(dir, name), rel));
  }
  return out;
}

describe('session info parsing', () => {
  test('no session', () => {
    const info = parseSessionInfo('No active iSCSI Session for Initiator Endpoint: iqn.1994-05.com.redhat:client1\n');
    expect(info.active).toBe(false);
    expect(info.connections).toEqual([]);
  });

  test('an active session with one connection', () => {
    const text = [
      'InitiatorName: iqn.1994-05.com.redhat:client1',
      'InitiatorAlias: client1.example',
      'LIO Session ID: 3   ISID: 0x00 02 3d 00 00 00  TSIH: 7  SessionType: Normal',
      'Session State: TARG_SESS_STATE_LOGGED_IN',
      '---------------------[iSCSI Session Values]-----------------------',
      '  CmdSN/WR  :  CmdSN/WC  :  ExpCmdSN  :  MaxCmdSN  :     ITT    :     TTT',
      ' 0x00000000   0x00000000   0x0000001b   0x0000009a   0x00000019   0xffffffff',
      '----------------------[iSCSI Connections]-------------------------',
      'CID: 0  Connection State: TARG_CONN_STATE_LOGGED_IN',
      '   Address 192.168.122.1 TCP  StatSN: 0x0000001a',
      'CID: 1  Connection State: TARG_CONN_STATE_IN_LOGOUT',
      '   Address fe80::1 TCP  StatSN: 0x00000001',
    ].join('\n');
    const info = parseSessionInfo(text);
    expect(info).toMatchObject({
      active: true,
      initiatorName: 'iqn.1994-05.com.redhat:client1',
      alias: 'client1.example',
      sessionId: 3,
      tsih: 7,
      type: 'Normal',
      state: 'LOGGED_IN',
    });
    expect(info.connections).toEqual([
      { cid: 0, state: 'LOGGED_IN', address: '192.168.122.1', transport: 'TCP' },
      { cid: 1, state: 'IN_LOGOUT', address: 'fe80::1', transport: 'TCP' },
    ]);
  });

  test('partial or unexpected text does not throw', () => {
    expect(parseSessionInfo('').active).toBe(false);
    expect(parseSessionInfo('   Address 10.0.0.1 TCP').connections).toEqual([]);
    expect(parseSessionInfo('InitiatorName: iqn.x\nsomething new: 1').active).toBe(true);
  });
});

describe('validators', () => {
  test('tags and group names', () => {
    expect(validateAclTag('tag', 'group_a')).toBe('group_a');
    expect(() => validateAclTag('tag', '')).toThrow(RTSLibInvalidArgumentError);
    expect(() => validateAclTag('tag', 'a\nb')).toThrow(RTSLibInvalidArgumentError);
    expect(() => validateAclTag('tag', 'NULL')).toThrow(RTSLibInvalidArgumentError);
    expect(() => validateAclTag('tag', 'x'.repeat(64))).toThrow(/63/);
    expect(() => validateAclTag('tag', 5)).toThrow(RTSLibInvalidArgumentError);
    expect(validateGroupName('hosts')).toBe('hosts');
    expect(() => validateGroupName('a.b')).toThrow(/'\.'/);
  });

  test('queue depth and CHAP values; secrets are never echoed', () => {
    expect(validateQueueDepth(64)).toBe(64);
    expect(() => validateQueueDepth(0)).toThrow(RTSLibInvalidArgumentError);
    expect(() => validateQueueDepth(513)).toThrow(RTSLibInvalidArgumentError);
    expect(() => validateQueueDepth(1.5)).toThrow(RTSLibInvalidArgumentError);
    expect(validateChapValue('password', null)).toBe('NULL');
    expect(validateChapValue('password', '')).toBe('NULL');
    expect(validateChapValue('password', 'secret123456')).toBe('secret123456');
    for (const bad of ['TOPSECRET'.repeat(40), 'TOPSECRET\nx', 'TOPSECRET\0']) {
      try {
        validateChapValue('password', bad);
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(RTSLibInvalidArgumentError);
        expect((e as Error).message).not.toContain('TOPSECRET');
      }
    }
    expect(() => validateChapValue('password', 42)).toThrow(RTSLibInvalidArgumentError);
  });

  test('portal addresses', () => {
    expect(normalizePortalAddress('127.0.0.1')).toBe('127.0.0.1');
    expect(normalizePortalAddress('[::1]')).toBe('::1');
    expect(normalizePortalAddress('::1')).toBe('::1');
    expect(normalizePortalAddress('0:0:0:0:0:0:0:1')).toBe('::1');
    expect(normalizePortalAddress('[FE80::A]')).toBe('fe80::a');
    expect(normalizePortalAddress('0.0.0.0')).toBe('0.0.0.0');
    for (const bad of ['300.1.1.1', 'localhost', '[127.0.0.1', '', '1.2.3.4:3260', 'fe80::1%eth0']) {
      expect(() => normalizePortalAddress(bad)).toThrow(RTSLibInvalidArgumentError);
    }
    expect(portalPath('t/tpgt_1', '::1', 3261)).toBe('t/tpgt_1/np/[::1]:3261');
    expect(aclAuthPath('t/tpgt_1/acls/i', 'password')).toBe('t/tpgt_1/acls/i/auth/password');
  });

  test('configfs links as the kernel writes them (up to the mount, then target/...) resolve', () => {
    const root = '/sys/kernel/config/target';
    const link = 'iscsi/iqn.x:t/tpgt_1/acls/iqn.y:i/lun_0/abc';
    expect(resolveLink(link, '../../../../../../../target/iscsi/iqn.x:t/tpgt_1/lun/lun_0', root)).toBe('iscsi/iqn.x:t/tpgt_1/lun/lun_0');
    expect(resolveLink('iscsi/t/tpgt_1/lun/lun_0/x', '../../../../../../target/core/rd_mcp_1/r', root)).toBe('core/rd_mcp_1/r');
    expect(resolveLink(link, '../../../../../../../other/x', root)).toBeNull();
  });
});

describe('removal batches of ACLs and mapped LUNs', () => {
  const tree = {
    paths: ['lun_0', 'lun_0/aa', 'lun_0/write_protect', 'lun_3', 'lun_3/bb', 'attrib', 'tag'],
    kinds: [0, 2, 1, 0, 2, 0, 1],
  };
  const snap = new Snapshot('/r', 'i/t/tpgt_1/acls/a', {
    paths: tree.paths,
    kinds: tree.kinds,
    modes: tree.paths.map(() => 0o644),
    errnos: tree.paths.map(() => 0),
    offsets: [0, 0, 0, 0, 0, 0, 0, 0],
    data: Buffer.alloc(0),
    links: tree.paths.map((_, i) => (tree.kinds[i] === 2 ? '/r/x' : null)),
  } as unknown as ConstructorParameters<typeof Snapshot>[2]);
  const acl = 'i/t/tpgt_1/acls/a';

  test('an ACL: links, then mapped LUN dirs, then the ACL', () => {
    const ops = removalBatch(snap, [acl]).filter((o) => o.op !== 'stat');
    expect(ops.map((o) => `${o.op} ${o.path}`)).toEqual([`unlink ${acl}/lun_0/aa`, `unlink ${acl}/lun_3/bb`, `rmdir ${acl}/lun_0`, `rmdir ${acl}/lun_3`, `rmdir ${acl}`]);
  });

  test('mapped LUNs: links first', () => {
    const ops = removalBatch(snap, [`${acl}/lun_3`]);
    expect(ops.map((o) => o.op)).toEqual(['unlink', 'stat', 'rmdir']);
  });
});

describe('objects refuse bad input before any write (temp dir, not configfs)', () => {
  let dir: string;
  let tpg: TPG;
  let loopTpg: TPG;
  let snapshotOfDir: string[];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rtslib-acl-unit-'));
    const root = new RTSRoot({ configfs: dir, plainDirectory: true, lockFile: null, stateDir: null });
    const target = await Target.open(root, 'iscsi', { wwn: 'iqn.2003-01.org.example:t1' });
    tpg = await TPG.open(target, { tag: 1 });
    const loop = await Target.open(root, 'loopback', { wwn: 'naa.5001405c73a169b8' });
    // a plain directory has no nexus file to write (configfs makes it)
    loopTpg = await TPG.open(loop, { tag: 1, nexus: false });
    snapshotOfDir = listTree(dir);
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('NodeACL', async () => {
    await expect(NodeACL.open(tpg, 'iqn.bad name')).rejects.toBeInstanceOf(RTSLibInvalidArgumentError);
    await expect(NodeACL.open(tpg, 'nonsense')).rejects.toBeInstanceOf(RTSLibInvalidArgumentError);
    await expect(NodeACL.open(tpg, 'iqn.1994-05.com.redhat:c', { mode: 'sometimes' as never })).rejects.toBeInstanceOf(RTSLibInvalidArgumentError);
    await expect(NodeACL.open(tpg, 'iqn.1994-05.com.redhat:c', { queueDepth: 0 })).rejects.toBeInstanceOf(RTSLibInvalidArgumentError);
    await expect(NodeACL.open(tpg, 'iqn.1994-05.com.redhat:c', { tag: 'NULLX' })).rejects.toBeInstanceOf(RTSLibInvalidArgumentError);
    await expect(NodeACL.open(tpg, 'iqn.1994-05.com.redhat:c', { attributes: { 'a/b': 1 } })).rejects.toBeInstanceOf(RTSLibInvalidArgumentError);
    await expect(NodeACL.open(loopTpg, 'naa.5001405c73a169b9')).rejects.toThrow(/has no node ACLs/);
    expect(NodeACL.normalizeInitiator(tpg, 'IQN.1994-05.COM.redhat:C').wwn).toBe('iqn.1994-05.com.redhat:c');
    expect(NodeACL.normalizeInitiator(tpg, 'naa.5001405c73a169b9').type).toBe('naa');
    expect(listTree(dir)).toEqual(snapshotOfDir);
  });

  test('MappedLUN', async () => {
    const acl = NodeACL.existing(tpg, 'iqn.1994-05.com.redhat:c');
    await expect(MappedLUN.open(acl, { index: -1, tpgLun: 0 })).rejects.toBeInstanceOf(RTSLibInvalidArgumentError);
    await expect(MappedLUN.open(acl, { index: 65536, tpgLun: 0 })).rejects.toBeInstanceOf(RTSLibInvalidArgumentError);
    await expect(MappedLUN.open(acl, { tpgLun: 70000 })).rejects.toBeInstanceOf(RTSLibInvalidArgumentError);
    await expect(MappedLUN.open(acl, { tpgLun: 0, alias: '../x' })).rejects.toBeInstanceOf(RTSLibInvalidArgumentError);
    await expect(MappedLUN.open(acl, { tpgLun: 0, writeProtect: 1 as never })).rejects.toBeInstanceOf(RTSLibInvalidArgumentError);
    expect(listTree(dir)).toEqual(snapshotOfDir);
  });

  test('NetworkPortal', async () => {
    await expect(NetworkPortal.open(tpg, '999.0.0.1')).rejects.toBeInstanceOf(RTSLibInvalidArgumentError);
    await expect(NetworkPortal.open(tpg, '127.0.0.1', { port: 65536 })).rejects.toBeInstanceOf(RTSLibInvalidArgumentError);
    await expect(NetworkPortal.open(tpg, '127.0.0.1', { port: 0 })).rejects.toBeInstanceOf(RTSLibInvalidArgumentError);
    await expect(NetworkPortal.open(tpg, '127.0.0.1', { iser: 'yes' as never })).rejects.toBeInstanceOf(RTSLibInvalidArgumentError);
    await expect(NetworkPortal.open(loopTpg, '127.0.0.1')).rejects.toThrow(/has no network portals/);
    expect(NetworkPortal.existing(tpg, '::1', 3261).relativePath).toBe('iscsi/iqn.2003-01.org.example:t1/tpgt_1/np/[::1]:3261');
    expect(listTree(dir)).toEqual(snapshotOfDir);
  });

  test('NodeACLGroup and MappedLUNGroup', async () => {
    await expect(NodeACLGroup.open(tpg, 'a.b')).rejects.toBeInstanceOf(RTSLibInvalidArgumentError);
    await expect(NodeACLGroup.open(tpg, 'g', { initiators: ['bad wwn'] })).rejects.toBeInstanceOf(RTSLibInvalidArgumentError);
    await expect(NodeACLGroup.open(loopTpg, 'g')).rejects.toThrow(/has no node ACLs/);
    const group = await NodeACLGroup.open(tpg, 'g');
    await expect(MappedLUNGroup.open(group, { tpgLun: 0 })).rejects.toThrow(/no members/);
    await expect(group.mappedLunGroup({ tpgLun: -3 })).rejects.toBeInstanceOf(RTSLibInvalidArgumentError);
    expect(listTree(dir)).toEqual(snapshotOfDir);
  });
});
