import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { BASE_ENTRY, Snapshot } from '../../src/cfs/snapshot.js';
import { mappedLunForm } from '../../src/model/saved-forms.js';
import { ROOT, fakeTree } from './support/fake-snapshot.js';
import { removalBatch } from '../../src/cfs/removal.js';

const tree = fakeTree;

const T = 'iscsi/iqn.2003-01.org.x:t1';
const TPG = `${T}/tpgt_1`;
const sample = new Snapshot(
  ROOT,
  'iscsi',
  tree([
    ['iqn.2003-01.org.x:t1', 'd'],
    ['iqn.2003-01.org.x:t1/tpgt_1', 'd'],
    ['iqn.2003-01.org.x:t1/tpgt_1/enable', 'f', '1\n'],
    ['iqn.2003-01.org.x:t1/tpgt_1/acls', 'd'],
    ['iqn.2003-01.org.x:t1/tpgt_1/acls/iqn.1994-05.com.redhat:c', 'd'],
    ['iqn.2003-01.org.x:t1/tpgt_1/acls/iqn.1994-05.com.redhat:c/cmdsn_depth', 'f', '64\n'],
    ['iqn.2003-01.org.x:t1/tpgt_1/acls/iqn.1994-05.com.redhat:c/lun_0', 'd'],
    ['iqn.2003-01.org.x:t1/tpgt_1/acls/iqn.1994-05.com.redhat:c/lun_0/m0', 'l', '../../../lun/lun_0'],
    ['iqn.2003-01.org.x:t1/tpgt_1/lun', 'd'],
    ['iqn.2003-01.org.x:t1/tpgt_1/lun/lun_0', 'd'],
    ['iqn.2003-01.org.x:t1/tpgt_1/lun/lun_0/l0', 'l', `${ROOT}/core/fileio_0/f`],
    ['iqn.2003-01.org.x:t1/tpgt_1/lun/lun_1', 'd'],
    ['iqn.2003-01.org.x:t1/tpgt_1/lun/lun_1/l1', 'l', `${ROOT}/core/fileio_1/g`],
    ['iqn.2003-01.org.x:t1/tpgt_1/np', 'd'],
    ['iqn.2003-01.org.x:t1/tpgt_1/np/[::1]:3260', 'd'],
    ['iqn.2003-01.org.x:t1/tpgt_1/secret', 'f', 'x\n', 0o200],
  ]),
);

describe('snapshot', () => {
  test("lists each directory's children from a depth-first tree, and from a tree in any other order", () => {
    const entries: [string, 'd' | 'f'][] = [
      ['a', 'd'],
      ['a/b', 'd'],
      ['a/b/c', 'f'],
      ['a/bc', 'd'],
      ['a/bc/x', 'f'],
      ['a/d', 'f'],
      ['ab', 'd'],
      ['ab/e', 'f'],
      ['f', 'f'],
    ];
    const orders = [entries, [...entries].reverse(), [entries[2]!, entries[8]!, entries[4]!, entries[1]!, entries[0]!, ...entries.slice(5, 8), entries[3]!]];
    for (const order of orders) {
      const snap = new Snapshot(ROOT, '', tree(order));
      const listed = (path: string) => [...snap.children(path)].sort();
      expect([listed(''), listed('a'), listed('a/b'), listed('a/bc'), listed('ab'), listed('f')]).toEqual([['a', 'ab', 'f'], ['b', 'bc', 'd'], ['c'], ['x'], ['e'], []]);
      const at = snap.entryIndex('a/bc') as number;
      expect(snap.childrenAt(at).names).toEqual(['x']);
      expect(snap.childrenAt(at).indexes.map((i) => snap.kindAt(i))).toEqual(['file']);
      expect([...snap.childrenAt(BASE_ENTRY).names].sort()).toEqual(['a', 'ab', 'f']);
    }
  });

  test("a file's text is its bytes as UTF-8 without one trailing newline, whether the whole tree's data is ASCII or not", () => {
    // the snapshot slices one string of an all-ASCII tree and decodes each value of any other tree on its own
    const value = fc.oneof(
      fc.string({ unit: 'grapheme-ascii', maxLength: 12 }),
      fc.string({ unit: 'grapheme', maxLength: 6 }),
      fc.constantFrom('', '\n', '\n\n', 'x\n', 'é\n', '\u00ff'),
    );
    fc.assert(
      fc.property(fc.array(value, { minLength: 1, maxLength: 8 }), (values) => {
        const snap = new Snapshot(ROOT, '', tree(values.map((v, i) => [`f${i}`, 'f', v] as const)));
        const texts = values.map((_, i) => snap.text(`f${i}`));
        // each value asked for again, and through settingTexts, gives the same text
        expect(snap.settingTexts('')).toEqual(values.map((v, i) => [`f${i}`, texts[i]]).sort((a, b) => (a[0]! < b[0]! ? -1 : 1)));
        expect(texts).toEqual(values.map((v) => (v.endsWith('\n') ? v.slice(0, -1) : v)));
      }),
    );
  });

  test('indexes kinds, children, values and links', () => {
    expect(sample.kind(TPG)).toBe('dir');
    expect(sample.childDirs(TPG)).toEqual(['acls', 'lun', 'np']);
    expect(sample.text(`${TPG}/enable`)).toBe('1');
    expect(sample.text(`${TPG}/secret`)).toBeUndefined();
    expect(sample.isWritable(`${TPG}/secret`)).toBe(true);
    expect(sample.link(`${TPG}/lun/lun_0/l0`)).toBe('core/fileio_0/f');
    expect(sample.link(`${TPG}/acls/iqn.1994-05.com.redhat:c/lun_0/m0`)).toBe(`${TPG}/lun/lun_0`);
    expect(sample.has('iscsi')).toBe(true);
    expect(sample.has('iscsi/nothing')).toBe(false);
  });

  test('the entry-index readers (what a dump walks mapped LUNs with) answer as the path readers do, for every entry, below a base', () => {
    let links = 0;
    for (const [path, kind] of sample.entries()) {
      const i = sample.entryIndex(path);
      expect(i, path).toBeTypeOf('number');
      expect(sample.kindAt(i!)).toBe(kind);
      expect(sample.textAt(i)).toBe(sample.text(path));
      expect(sample.linkAt(i!)).toBe(sample.link(path));
      if (sample.link(path) !== undefined) links++;
      const { names, indexes } = sample.childrenAt(i!);
      expect(names).toEqual(sample.children(path));
      expect(indexes).toEqual(names.map((name) => sample.entryIndex(`${path}/${name}`)));
      if (kind !== 'dir') expect(names).toEqual([]);
    }
    expect(links).toBe(3);
    expect(sample.entryIndex(`${TPG}/nothing`)).toBeUndefined();
    expect(sample.textAt(undefined)).toBeUndefined();
    expect(sample.textAt(sample.entryIndex(`${TPG}/secret`))).toBeUndefined();
    expect(sample.childrenAt(10_000)).toEqual({ names: [], indexes: [] });
    // the base directory has an entry index too, as has() and kind() know it
    expect(sample.entryIndex('iscsi')).toBe(BASE_ENTRY);
    expect(sample.kindAt(BASE_ENTRY)).toBe('dir');
    expect(sample.childrenAt(BASE_ENTRY).names).toEqual(sample.children('iscsi'));
    expect(sample.textAt(BASE_ENTRY)).toBeUndefined();
    expect(sample.linkAt(BASE_ENTRY)).toBeUndefined();
  });

  test("a mapped LUN's entry is the same from the whole tree's snapshot and from one of the mapped LUN directory alone (what MappedLUN.dump reads)", () => {
    const acl = `${TPG}/acls/iqn.1994-05.com.redhat:c`;
    const own = new Snapshot(
      ROOT,
      `${acl}/lun_0`,
      tree([
        ['m0', 'l', '../../../lun/lun_0'],
        ['write_protect', 'f', '1\n'],
      ]),
    );
    expect(mappedLunForm(own, acl, 'lun_0')).toEqual({ alias: 'm0', index: 0, tpg_lun: 0, write_protect: true });
    expect(mappedLunForm(sample, acl, 'lun_0')).toEqual({ alias: 'm0', index: 0, tpg_lun: 0, write_protect: false });
    expect(mappedLunForm(sample, acl, 'lun_9')).toBeNull();
  });

  test("a mapped LUN's TPG LUN is its link's last segment, and the resolved target's where that segment is no LUN directory", () => {
    const acl = `${TPG}/acls/iqn.1994-05.com.redhat:c`;
    const mapped = (target: string) => mappedLunForm(new Snapshot(ROOT, `${acl}/lun_0`, tree([['m0', 'l', target]])), acl, 'lun_0');
    expect(mapped(`${ROOT}/${TPG}/lun/lun_3`)?.tpg_lun).toBe(3);
    expect(mapped('../../../lun/lun_4/')?.tpg_lun).toBe(4);
    expect(mapped('../../../lun/lun_5/.')?.tpg_lun).toBe(5);
    expect(mapped('../../../lun/lun_6/l6/..')?.tpg_lun).toBe(6);
    expect(mapped('../../../lun')).toBeNull();
  });
});

describe('removal batches of the object model', () => {
  test('a target goes in kernel order: disable, mapped LUNs, ACLs and LUN links, LUNs and portals, TPG, target', () => {
    const ops = removalBatch(sample, [T])
      .filter((o) => o.op !== 'stat')
      .map((o) => `${o.op} ${o.path.slice(TPG.length + 1) || o.path}`);
    expect(ops).toEqual([
      'write enable',
      'unlink acls/iqn.1994-05.com.redhat:c/lun_0/m0',
      'rmdir acls/iqn.1994-05.com.redhat:c/lun_0',
      'rmdir acls/iqn.1994-05.com.redhat:c',
      'unlink lun/lun_0/l0',
      'unlink lun/lun_1/l1',
      'rmdir lun/lun_0',
      'rmdir lun/lun_1',
      'rmdir np/[::1]:3260',
      `rmdir ${TPG}`,
      `rmdir ${T}`,
    ]);
  });

  test('a LUN takes the mapped LUNs that point at it, and nothing else', () => {
    const ops = removalBatch(sample, [`${TPG}/lun/lun_0`])
      .filter((o) => o.op !== 'stat')
      .map((o) => `${o.op} ${o.path.slice(TPG.length + 1)}`);
    expect(ops).toEqual(['unlink acls/iqn.1994-05.com.redhat:c/lun_0/m0', 'rmdir acls/iqn.1994-05.com.redhat:c/lun_0', 'unlink lun/lun_0/l0', 'rmdir lun/lun_0']);
    expect(
      removalBatch(sample, [`${TPG}/lun/lun_1`])
        .filter((o) => o.op !== 'stat')
        .map((o) => o.path.slice(TPG.length + 1)),
    ).toEqual(['lun/lun_1/l1', 'lun/lun_1']);
  });
});
