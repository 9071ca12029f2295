/**
 * `rtslib ls` rendering: the tree drawn from the rtslib-fb reference
 * saveconfig.json with targetcli's names and summaries (the kernel suite
 * compares it with `targetcli ls` of the same tree), the JSON form without
 * secrets, determinism, and the generic tree and table drawing.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parseConfig } from '../../src/config/schema.js';
import type { SaveConfig } from '../../src/model/saveconfig-format.js';
import { configTree, portalAddress, storageObjectSummary, treeView } from '../../src/cli/tree-view.js';
import { configJson } from '../../src/cli/config-json.js';
import { renderTree } from '../../src/cli/text-tree.js';
import { formatSize, humanSize } from '../../src/cli/size-format.js';
import { maskSecrets } from '../../src/model/dump.js';

const REFERENCE = resolve(import.meta.dirname, '../fixtures/reference/rtslib-fb-2.1.75-saveconfig.json');
const PASSWORD = 'secret123456';
const reference = (): SaveConfig => maskSecrets(parseConfig(readFileSync(REFERENCE, 'utf8'), REFERENCE));
const FACTS = { deviceSize: (dev: string) => (dev === '/dev/loop0' ? 8 * 1024 ** 2 : undefined), nexus: () => 'naa.5001405000000001' };
/** A drawn line without its dot leader: `o- name [summary]`, or `o- name` for `[...]`. */
const plain = (line: string): string => line.replace(/ \.{3,} \[(.*)\]$/, (_, summary: string) => (summary === '...' ? '' : ` [${summary}]`));

describe('targetcli layout', () => {
  const drawn = treeView(reference())!;
  test('every line ends its [summary] at column 80 after a dot leader; nodes without one show [...]', () => {
    expect(drawn[0]).toBe(`o- / ${'.'.repeat(80 - 'o- / '.length - ' [...]'.length)} [...]`);
    for (const line of drawn) {
      expect(line).toMatch(/^[ |]*o- \S.* \.{3,} \[.*\]$/);
      if (line.length > 80)
        expect(line).toMatch(/ \.\.\. \[/); // too long for 80: the shortest leader
      else expect(line).toHaveLength(80);
    }
    expect(treeView(reference(), { width: 120 })!.every((l) => l.length >= 120)).toBe(true);
  });

  test('a path draws that subtree, as targetcli names it; an unknown path is null', () => {
    const fileio = treeView(reference(), { path: '/backstores/fileio' })!.map(plain);
    expect(fileio.slice(0, 2)).toEqual(['o- fileio [Storage Objects: 1]', '  o- file1 [/tmp/bs/file1.img (64.0MiB) write-back activated]']);
    expect(fileio.slice(2).every((l) => l.startsWith('    '))).toBe(true); // its ALUA groups, below file1
    const luns = treeView(reference(), { path: '/iscsi/iqn.2003-01.org.linux-iscsi.ref:t1/tpg1/luns/lun0' })!.map(plain);
    expect(luns).toEqual(['o- lun0 [fileio/file1 (/tmp/bs/file1.img) (default_tg_pt_gp)]']);
    // a loopback target is its TPG, as targetcli draws it
    expect(treeView(reference(), { path: '/loopback/naa.5001405c73a169b8/luns/lun0' })).not.toBeNull();
    expect(treeView(reference(), { path: '/nope' })).toBeNull();
  });
});

describe('treeView on the reference config', () => {
  const lines = treeView(reference(), { facts: FACTS })!.map(plain);
  const text = lines.join('\n');

  test('the reference file really holds the CHAP password this suite looks for', () => {
    expect(readFileSync(REFERENCE, 'utf8')).toContain(PASSWORD);
  });

  test('never shows a CHAP password', () => {
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain('(secret)');
  });

  test('root, backstores with every plugin and their objects, as targetcli words them', () => {
    expect(lines.slice(0, 25)).toEqual([
      'o- /',
      '  o- backstores',
      '  | o- block [Storage Objects: 1]',
      '  | | o- block1 [/dev/loop0 (8.0MiB) write-thru activated]',
      '  | |   o- alua [ALUA Groups: 1]',
      '  | |     o- default_tg_pt_gp [ALUA state: Active/optimized]',
      '  | o- fileio [Storage Objects: 1]',
      '  | | o- file1 [/tmp/bs/file1.img (64.0MiB) write-back activated]',
      '  | |   o- alua [ALUA Groups: 2]',
      '  | |     o- ao_group [ALUA state: Active/optimized]',
      '  | |     o- default_tg_pt_gp [ALUA state: Active/optimized]',
      '  | o- pscsi [Storage Objects: 1]',
      '  | | o- pscsi1 [/dev/sda activated]',
      '  | |   o- alua [ALUA Groups: 0]',
      '  | o- ramdisk [Storage Objects: 2]',
      '  | | o- null1 [nullio (8.0MiB) activated]',
      '  | | | o- alua [ALUA Groups: 1]',
      '  | | |   o- default_tg_pt_gp [ALUA state: Active/optimized]',
      '  | | o- ram1 [(8.0MiB) activated]',
      '  | |   o- alua [ALUA Groups: 1]',
      '  | |     o- default_tg_pt_gp [ALUA state: Active/optimized]',
      '  | o- user:file [Storage Objects: 1]',
      '  |   o- user1 [tmp/bs/user1.img (16.0MiB) deactivated]',
      '  |     o- alua [ALUA Groups: 1]',
      '  |       o- default_tg_pt_gp [ALUA state: Active/optimized]',
    ]);
  });

  test('iscsi target with TPG, ACL group and mapped LUNs, LUNs in numeric order and portals', () => {
    const start = lines.indexOf('  o- iscsi [Targets: 1]');
    expect(start).toBeGreaterThan(0);
    expect(lines.slice(start, start + 15)).toEqual([
      '  o- iscsi [Targets: 1]',
      '  | o- iqn.2003-01.org.linux-iscsi.ref:t1 [TPGs: 1]',
      '  |   o- tpg1 [no-gen-acls, no-auth]',
      '  |     o- acls [ACLs: 1]',
      '  |     | o- group_a [(iqn.1994-05.com.redhat:client1), Mapped LUNs: 2]',
      '  |     |   o- mapped_lun0 [lun0 fileio/file1 (rw)]',
      '  |     |   o- mapped_lun1 [lun1 block/block1 (ro)]',
      '  |     o- luns [LUNs: 4]',
      '  |     | o- lun0 [fileio/file1 (/tmp/bs/file1.img) (default_tg_pt_gp)]',
      '  |     | o- lun1 [block/block1 (/dev/loop0) (default_tg_pt_gp)]',
      '  |     | o- lun2 [ramdisk/ram1 (default_tg_pt_gp)]',
      '  |     | o- lun3 [pscsi/pscsi1 (/dev/sda) (None)]',
      '  |     o- portals [Portals: 2]',
      '  |       o- 127.0.0.1:3260 [OK]',
      '  |       o- [::1]:3261 [OK]',
    ]);
  });

  test('loopback: the one TPG drawn as the target (nexus), no ACLs or portals, last branch closed', () => {
    expect(lines.slice(-4)).toEqual([
      '  o- loopback [Targets: 1]',
      '    o- naa.5001405c73a169b8 [naa.5001405000000001]',
      '      o- luns [LUNs: 1]',
      '        o- lun0 [ramdisk/null1 (default_tg_pt_gp)]',
    ]);
  });

  test('deterministic: the order of the input lists does not matter', () => {
    const shuffled = reference();
    shuffled.storage_objects?.reverse();
    shuffled.targets?.reverse();
    for (const t of shuffled.targets ?? [])
      for (const g of t.tpgs ?? []) {
        g.luns?.reverse();
        g.portals?.reverse();
        for (const a of g.node_acls ?? []) a.mapped_luns?.reverse();
      }
    expect(treeView(shuffled, { facts: FACTS })!.map(plain)).toEqual(lines);
  });
});

describe('treeView edge cases', () => {
  test('an empty config shows the four kernel backstores and no fabric', () => {
    expect(treeView({})!.map(plain)).toEqual([
      'o- /',
      '  o- backstores',
      '    o- block [Storage Objects: 0]',
      '    o- fileio [Storage Objects: 0]',
      '    o- pscsi [Storage Objects: 0]',
      '    o- ramdisk [Storage Objects: 0]',
    ]);
  });

  test('authentication wording of fabric, TPGs and ACLs; disabled TPG; passwords only tested for presence', () => {
    const acl = (wwn: string, extra: object = {}) => ({ node_wwn: `iqn.1994-05.com.example:${wwn}`, ...extra });
    const config: SaveConfig = maskSecrets({
      targets: [
        {
          fabric: 'iscsi',
          wwn: 'iqn.2003-01.org.example:t',
          tpgs: [
            {
              tag: 1,
              attributes: { authentication: 1, generate_node_acls: 0 },
              node_acls: [
                acl('a', { chap_mutual_userid: 'm', chap_mutual_password: PASSWORD }),
                acl('b', { chap_mutual_userid: 'm' }),
                acl('c', { tag: 'g' }),
                acl('d', { tag: 'g' }),
              ],
            },
            { tag: 2, attributes: { authentication: 1, generate_node_acls: 1 }, chap_mutual_userid: 'tm', chap_mutual_password: PASSWORD, node_acls: [acl('e')] },
            { tag: 3, attributes: { authentication: 1, generate_node_acls: 1 } },
            { tag: 10, enable: 0, chap_userid: 'tu', chap_password: PASSWORD },
          ],
        },
      ],
      fabric_modules: [{ name: 'iscsi', discovery_enable_auth: true, discovery_userid: 'du', discovery_password: PASSWORD, discovery_mutual_userid: 'dm' }],
    });
    const lines = treeView(config)!.map(plain);
    expect(lines.join('\n')).not.toContain(PASSWORD);
    expect(lines.slice(6)).toEqual([
      '  o- iscsi [1-way disc auth, Targets: 1]',
      '    o- iqn.2003-01.org.example:t [TPGs: 4]',
      '      o- tpg1 [no-gen-acls, auth per-acl]',
      '      | o- acls [ACLs: 3]',
      '      | | o- g [(group of 2), 1-way auth, Mapped LUNs: 0]',
      '      | | o- iqn.1994-05.com.example:a [mutual auth, Mapped LUNs: 0]',
      '      | | o- iqn.1994-05.com.example:b [1-way auth, Mapped LUNs: 0]',
      '      | o- luns [LUNs: 0]',
      '      | o- portals [Portals: 0]',
      '      o- tpg2 [gen-acls, tpg-auth, mutual auth]',
      '      | o- acls [ACLs: 1]',
      '      | | o- iqn.1994-05.com.example:e [auth via tpg, Mapped LUNs: 0]',
      '      | o- luns [LUNs: 0]',
      '      | o- portals [Portals: 0]',
      '      o- tpg3 [gen-acls, tpg-auth, 1-way auth]',
      '      | o- acls [ACLs: 0]',
      '      | o- luns [LUNs: 0]',
      '      | o- portals [Portals: 0]',
      '      o- tpg10 [disabled]',
      '        o- acls [ACLs: 0]',
      '        o- luns [LUNs: 0]',
      '        o- portals [Portals: 0]',
    ]);
  });

  test('storage object summaries', () => {
    expect(storageObjectSummary({ plugin: 'block', name: 'b', dev: '/dev/sdb', readonly: true, write_back: true }, false, { deviceSize: () => 512 })).toBe(
      '/dev/sdb (512 bytes) ro write-back deactivated',
    );
    expect(storageObjectSummary({ plugin: 'block', name: 'b', dev: '/dev/sdb' }, true)).toBe('/dev/sdb (unknown size) write-thru activated');
    expect(storageObjectSummary({ plugin: 'fileio', name: 'f', dev: '/img', size: 3 * 1024 ** 3, write_back: false }, true)).toBe('/img (3.0GiB) write-thru activated');
    expect(storageObjectSummary({ plugin: 'ramdisk', name: 'r', size: 1024 }, false)).toBe('(1.0KiB) deactivated');
    expect(storageObjectSummary({ plugin: 'user', name: 'u', config: '', size: 4096 }, false)).toBe('(no config) (4.0KiB) deactivated');
  });

  test('portal addresses put bare IPv6 addresses in brackets', () => {
    expect(portalAddress({ ip_address: '::1', port: 3260 })).toBe('[::1]:3260');
    expect(portalAddress({ ip_address: '[fe80::1]', port: 3261 })).toBe('[fe80::1]:3261');
    expect(portalAddress({ ip_address: '10.0.0.1', port: 3260 })).toBe('10.0.0.1:3260');
  });

  test('configTree is the structure treeView draws', () => {
    expect(renderTree(configTree({}))).toEqual(treeView({}));
  });
});

describe('ls --json', () => {
  test('pretty JSON of the config without CHAP passwords, user ids kept', () => {
    const json = configJson(reference());
    expect(json).not.toContain(PASSWORD);
    expect(json).not.toMatch(/password/);
    const back = JSON.parse(json) as SaveConfig;
    expect(back.targets?.[0]?.tpgs?.[0]?.node_acls?.[0]?.chap_userid).toBe('user1');
    expect(back.storage_objects?.map((so) => so.name).sort()).toEqual(['block1', 'file1', 'null1', 'pscsi1', 'ram1', 'user1']);
    expect(json.split('\n')[1]).toMatch(/^ {2}"/);
  });
});

describe('renderTree and formatSize', () => {
  test('siblings below a non-last node keep a | rail', () => {
    expect(
      renderTree({
        label: 'r',
        children: [
          { label: 'a', summary: 's', children: [{ label: 'a1' }, { label: 'a2', children: [{ label: 'x' }] }] },
          { label: 'b', children: [{ label: 'b1' }] },
        ],
      }).map(plain),
    ).toEqual(['o- r', '  o- a [s]', '  | o- a1', '  | o- a2', '  |   o- x', '  o- b', '    o- b1']);
  });

  test('binary units with one decimal', () => {
    expect([0, 512, 1024, 1536, 8 * 1024 ** 2, 3 * 1024 ** 4].map(formatSize)).toEqual(['0B', '512B', '1.0KiB', '1.5KiB', '8.0MiB', '3.0TiB']);
    // targetcli's bytes_to_human
    expect([0, 1023, 1024, 1536, 8 * 1024 ** 2, 3 * 1024 ** 4, 2 * 1024 ** 5].map(humanSize)).toEqual(['0 bytes', '1023 bytes', '1.0KiB', '1.5KiB', '8.0MiB', '3.0TiB', '2.0PiB']);
  });
});
