/**
 * The one removal planner (cfs/removal.ts) on fake snapshots: what goes,
 * in which phase, including trees a killed run leaves (LUN and mapped-LUN
 * directories without their link, empty HBAs, a TPG left disabled).
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { planRemoval, sequencePhases } from '../../src/cfs/removal.js';
import { describeNode } from '../../src/cfs/describe.js';
import { PHASE } from '../../src/cfs/phases.js';
import { nodeType, ownerNode } from '../../src/cfs/tree.js';
import { ROOT, fakeSnapshot, withParents } from './support/fake-snapshot.js';

const T = 'iscsi/iqn.2003-01.org.x:t1';
const G = `${T}/tpgt_1`;
const ACL = `${G}/acls/iqn.1994-05.com.redhat:c`;

/** A target with two LUNs (one without its link), an ACL with two mapped LUNs (one without its link), two storage objects and an empty HBA. */
const snap = fakeSnapshot(
  withParents([
    ['core/fileio_0/f/enable', 'f', '1\n'],
    ['core/fileio_0/f/alua/default_tg_pt_gp/tg_pt_gp_id', 'f', '0\n'],
    ['core/fileio_0/f/alua/ao/tg_pt_gp_id', 'f', '2\n'],
    ['core/fileio_1/g/enable', 'f', '1\n'],
    ['core/rd_mcp_7', 'd'],
    ['core/alua/lu_gps/default_lu_gp/lu_gp_id', 'f', '0\n'],
    [`${G}/enable`, 'f', '1\n'],
    [`${G}/lun/lun_0/l0`, 'l', `${ROOT}/core/fileio_0/f`],
    [`${G}/lun/lun_1`, 'd'],
    [`${G}/np/[::1]:3260`, 'd'],
    [`${ACL}/lun_0/m0`, 'l', '../../../lun/lun_0'],
    [`${ACL}/lun_5`, 'd'],
    [`${ACL}/cmdsn_depth`, 'f', '64\n'],
    ['iscsi/discovery_auth/userid', 'f', '\n'],
    ['loopback/naa.5001405000000001/tpgt_1/lun/lun_0/x', 'l', `${ROOT}/core/fileio_1/g`],
  ]),
);

describe('node types', () => {
  test('the user-made nodes are recognised from the path alone', () => {
    expect(nodeType('core/fileio_0', 'dir')).toBe('hba');
    expect(nodeType('core/fileio_0/f', 'dir')).toBe('storageObject');
    expect(nodeType('core/fileio_0/f/alua/ao', 'dir')).toBe('aluaGroup');
    expect(nodeType('core/fileio_0/f/alua/default_tg_pt_gp', 'dir')).toBeNull();
    expect(nodeType('core/alua', 'dir')).toBeNull();
    expect(nodeType('core/alua/lu_gps/default_lu_gp', 'dir')).toBeNull();
    expect(nodeType(T, 'dir')).toBe('target');
    expect(nodeType('iscsi/discovery_auth', 'dir')).toBeNull();
    expect(nodeType(G, 'dir')).toBe('tpg');
    expect(nodeType(`${G}/lun/lun_0`, 'dir')).toBe('lun');
    expect(nodeType(`${G}/lun/lun_0/l0`, 'link')).toBe('lunLink');
    expect(nodeType(`${G}/np/[::1]:3260`, 'dir')).toBe('portal');
    expect(nodeType(ACL, 'dir')).toBe('acl');
    expect(nodeType(`${ACL}/lun_0`, 'dir')).toBe('mappedLun');
    expect(nodeType(`${ACL}/lun_0/m0`, 'link')).toBe('mappedLunLink');
    expect(nodeType(`${ACL}/attrib`, 'dir')).toBeNull();
    expect(nodeType(`${T}/fabric_statistics`, 'dir')).toBeNull();
  });

  test('the type is what the layout of the kernel tree says, for any path (property, against the layout spelled out segment by segment)', () => {
    // the layout: core/<hba>[/<so>[/alua/<group>]], <fabric>/<wwn>[/tpgt_<n>[/lun|np|acls/...]]
    const reference = (path: string, kind: 'dir' | 'link'): string | null => {
      const p = path.split('/');
      const hba = /^(?:rd_mcp|fileio|iblock|pscsi|user)_\d+$/;
      const lun = /^lun_\d+$/;
      if (p[0] === 'core') {
        if (kind !== 'dir' || p.length < 2 || !hba.test(p[1]!)) return null;
        return p.length === 2 ? 'hba' : p.length === 3 ? 'storageObject' : p.length === 5 && p[3] === 'alua' && p[4] !== 'default_tg_pt_gp' ? 'aluaGroup' : null;
      }
      if (p.length === 2) return kind === 'dir' && p[1] !== 'discovery_auth' ? 'target' : null;
      if (p.length < 3 || !/^tpgt_\d+$/.test(p[2]!)) return null;
      if (p.length === 3) return kind === 'dir' ? 'tpg' : null;
      if (p.length === 5 && kind === 'dir') return p[3] === 'lun' ? (lun.test(p[4]!) ? 'lun' : null) : p[3] === 'np' ? 'portal' : p[3] === 'acls' ? 'acl' : null;
      if (p.length === 6) {
        if (p[3] === 'lun' && kind === 'link' && lun.test(p[4]!)) return 'lunLink';
        if (p[3] === 'acls' && kind === 'dir' && lun.test(p[5]!)) return 'mappedLun';
        return null;
      }
      return p.length === 7 && p[3] === 'acls' && kind === 'link' && lun.test(p[5]!) ? 'mappedLunLink' : null;
    };
    const segment = fc.constantFrom(
      'core',
      'fileio_0',
      'user_12',
      'fileio_',
      'iscsi',
      'tpgt_1',
      'tpgt_',
      'lun',
      'lun_0',
      'lun_0\n',
      'np',
      'acls',
      'alua',
      'default_tg_pt_gp',
      'discovery_auth',
      '',
      'x',
      'statistics',
    );
    fc.assert(
      fc.property(fc.array(fc.oneof(segment, fc.string()), { minLength: 1, maxLength: 9 }), fc.constantFrom('dir' as const, 'link' as const), (parts, kind) => {
        const path = parts.join('/');
        expect(nodeType(path, kind)).toBe(reference(path, kind));
      }),
      { numRuns: 20000 },
    );
  });

  test('a file belongs to the nearest user-made directory above it', () => {
    expect(ownerNode(`${ACL}/lun_0/write_protect`)).toEqual({ path: `${ACL}/lun_0`, type: 'mappedLun' });
    expect(ownerNode('core/fileio_0/f/alua/default_tg_pt_gp/preferred')).toEqual({ path: 'core/fileio_0/f', type: 'storageObject' });
    expect(ownerNode(`${G}/attrib/authentication`)).toEqual({ path: G, type: 'tpg' });
    expect(ownerNode('iscsi/discovery_auth/userid')).toBeNull();
  });
});

describe('removal planner', () => {
  test('a target goes whole, disabled first, links before their directories, in the kernel order', () => {
    const { ops, removed } = planRemoval(snap, [T]);
    expect([...removed.keys()].sort()).toEqual(
      [T, G, `${G}/lun/lun_0`, `${G}/lun/lun_0/l0`, `${G}/lun/lun_1`, `${G}/np/[::1]:3260`, ACL, `${ACL}/lun_0`, `${ACL}/lun_0/m0`, `${ACL}/lun_5`].sort(),
    );
    const at = (path: string): number => ops.findIndex((o) => o.path === path);
    expect(ops[0]).toMatchObject({ op: 'write', path: `${G}/enable`, value: '0', phase: PHASE.disable });
    expect(ops.find((o) => o.path === `${ACL}/lun_0/m0`)).toMatchObject({ op: 'unlink', phase: PHASE.unlinkMappedLun });
    expect(at(`${ACL}/lun_0/m0`)).toBeLessThan(at(`${ACL}/lun_0`));
    expect(at(`${ACL}/lun_5`)).toBeLessThan(at(ACL));
    expect(at(ACL)).toBeLessThan(at(`${G}/lun/lun_0`));
    expect(at(`${G}/lun/lun_0/l0`)).toBeLessThan(at(`${G}/lun/lun_0`));
    expect(at(`${G}/lun/lun_1`)).toBeLessThan(at(G));
    expect(at(G)).toBeLessThan(at(T));
    expect(ops.every((o, i) => i === 0 || ops[i - 1]!.phase <= o.phase)).toBe(true);
    expect(ops.every((o) => o.independent)).toBe(true);
  });

  test('a LUN goes with the mapped LUNs that map it; a storage object with the LUNs that export it, and its emptied HBA', () => {
    expect([...planRemoval(snap, [`${G}/lun/lun_0`]).removed.keys()].sort()).toEqual([`${G}/lun/lun_0`, `${G}/lun/lun_0/l0`, `${ACL}/lun_0`, `${ACL}/lun_0/m0`].sort());
    const so = planRemoval(snap, ['core/fileio_0/f']);
    expect([...so.removed.keys()].sort()).toEqual(
      ['core/fileio_0', 'core/fileio_0/f', 'core/fileio_0/f/alua/ao', `${G}/lun/lun_0`, `${G}/lun/lun_0/l0`, `${ACL}/lun_0`, `${ACL}/lun_0/m0`].sort(),
    );
    const phases = Object.fromEntries(so.ops.map((o) => [o.path, o.phase]));
    expect(phases['core/fileio_0/f/alua/ao']).toBe(PHASE.rmdirAluaGroup);
    expect(phases['core/fileio_0/f']).toBe(PHASE.rmdirStorageObject);
    expect(phases['core/fileio_0']).toBe(PHASE.rmdirHba);
    expect(planRemoval(snap, ['core/fileio_0/f'], { removeEmptiedHbas: false }).removed.has('core/fileio_0')).toBe(false);
  });

  test('an empty HBA left by a killed run is removed when named; paths that are not user-made nodes are ignored', () => {
    expect(planRemoval(snap, ['core/rd_mcp_7']).ops).toEqual([{ op: 'rmdir', path: 'core/rd_mcp_7', independent: true, phase: PHASE.rmdirHba, waitsFor: [] }]);
    expect(planRemoval(snap, ['core/alua', `${G}/attrib`, 'nowhere/x']).ops).toEqual([]);
  });

  test('each removal waits for what is inside it and what refers to it, and nothing else', () => {
    const waits = (roots: string[]): Record<string, readonly string[] | undefined> => Object.fromEntries(planRemoval(snap, roots).ops.map((o) => [o.path, o.waitsFor]));
    const so = waits(['core/fileio_0/f']);
    expect(so).toEqual({
      [`${ACL}/lun_0/m0`]: [],
      [`${ACL}/lun_0`]: [`${ACL}/lun_0/m0`],
      // a LUN's link after the mapped LUNs that map the LUN; the LUN after its link
      [`${G}/lun/lun_0/l0`]: [`${ACL}/lun_0`],
      [`${G}/lun/lun_0`]: [`${G}/lun/lun_0/l0`, `${ACL}/lun_0`],
      // an ALUA group and its storage object after the LUNs that export the object
      'core/fileio_0/f/alua/ao': [`${G}/lun/lun_0`],
      'core/fileio_0/f': ['core/fileio_0/f/alua/ao', `${G}/lun/lun_0`],
      'core/fileio_0': ['core/fileio_0/f'],
    });
    const target = waits([T]);
    // the disabling is a phase of its own, before the group
    expect(target[`${G}/enable`]).toBeUndefined();
    expect(target[T]).toEqual([G]);
    expect([...(target[G] ?? [])].sort()).toEqual([`${G}/lun/lun_0`, `${G}/lun/lun_1`, `${G}/np/[::1]:3260`, ACL].sort());
    expect([...(target[ACL] ?? [])].sort()).toEqual([`${ACL}/lun_0`, `${ACL}/lun_5`]);
    expect(target[`${G}/np/[::1]:3260`]).toEqual([]);
  });

  test('phases become one batch with a barrier between them', () => {
    const batch = sequencePhases(planRemoval(snap, [`${ACL}/lun_0`]).ops);
    expect(batch).toEqual([
      { op: 'unlink', path: `${ACL}/lun_0/m0`, independent: true },
      { op: 'stat', path: '' },
      { op: 'rmdir', path: `${ACL}/lun_0`, independent: true },
    ]);
  });
});

describe('what plans call the nodes they remove', () => {
  test('every kind of node, and mapped LUNs of ACLs and TPGs taken in any order', () => {
    expect(describeNode('core/fileio_0/f', 'storageObject')).toBe('storage object fileio/f');
    expect(describeNode('core/fileio_0', 'hba')).toBe('HBA core/fileio_0');
    expect(describeNode('core/fileio_0/f/alua/g1', 'aluaGroup')).toBe('ALUA group g1 of storage object fileio/f');
    expect(describeNode(T, 'target')).toBe('target iscsi iqn.2003-01.org.x:t1');
    expect(describeNode(G, 'tpg')).toBe('TPG 1 of iscsi iqn.2003-01.org.x:t1');
    expect(describeNode(`${G}/lun/lun_3`, 'lun')).toBe('LUN 3 of TPG 1 of iscsi iqn.2003-01.org.x:t1');
    expect(describeNode(ACL, 'acl')).toBe('ACL iqn.1994-05.com.redhat:c of TPG 1 of iscsi iqn.2003-01.org.x:t1');
    expect(describeNode('loopback/naa.5001405a0b0c0d0e/tpgt_1/acls/naa.5001405f0f0f0f0f/lun_0', 'mappedLun')).toBe(
      'mapped LUN 0 of ACL naa.5001405f0f0f0f0f in TPG 1 of loopback naa.5001405a0b0c0d0e',
    );
    // a link by the directory that holds it (it was "mapped LUN null of ACL lun_3 in ..." for a LUN's link)
    expect(describeNode(`${G}/lun/lun_3/a1b2c3d4e5`, 'lunLink')).toBe('link of LUN 3 of TPG 1 of iscsi iqn.2003-01.org.x:t1');
    expect(describeNode(`${ACL}/lun_7/m7`, 'mappedLunLink')).toBe('link of mapped LUN 7 of ACL iqn.1994-05.com.redhat:c in TPG 1 of iscsi iqn.2003-01.org.x:t1');
    // a type the path cannot have is named as given, not misread
    expect(describeNode(`${G}/np/10.0.0.1:3260`, 'storageObject')).toBe(`storageObject ${G}/np/10.0.0.1:3260`);
    // the ACL's part is remembered from one mapped LUN to the next: never another ACL's or TPG's
    const mapped = fc.tuple(fc.constantFrom('t1', 't2'), fc.constantFrom(1, 2), fc.constantFrom('c', 'd'), fc.nat({ max: 300 }));
    fc.assert(
      fc.property(fc.array(mapped, { maxLength: 20 }), (items) => {
        for (const [t, tag, acl, lun] of items) {
          const path = `iscsi/iqn.2003-01.org.x:${t}/tpgt_${tag}/acls/iqn.1994-05.com.redhat:${acl}/lun_${lun}`;
          expect(describeNode(path, 'mappedLun')).toBe(`mapped LUN ${lun} of ACL iqn.1994-05.com.redhat:${acl} in TPG ${tag} of iscsi iqn.2003-01.org.x:${t}`);
        }
      }),
    );
  });
});
