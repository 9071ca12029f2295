/**
 * `rtslib ls` rendering: the tree drawn from the rtslib-fb reference
 * saveconfig.json, the JSON form without secrets, determinism, and the
 * generic tree and table drawing.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parseConfig } from '../../src/config/schema.js';
import type { SaveConfig } from '../../src/model/saveconfig-format.js';
import { configTree, portalAddress, storageObjectSummary, treeView } from '../../src/cli/tree-view.js';
import { configJson } from '../../src/cli/config-json.js';
import { renderTree } from '../../src/cli/text-tree.js';
import { formatSize } from '../../src/cli/size-format.js';

const REFERENCE = resolve(import.meta.dirname, '../fixtures/reference/rtslib-fb-2.1.75-saveconfig.json');
const PASSWORD = 'secret123456';
const reference = (): SaveConfig => parseConfig(readFileSync(REFERENCE, 'utf8'), REFERENCE);
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
    expect(fileio.slice(0, 2)).toEqual(['o- fileio [Storage Objects: 1]', '  o- file1 [/tmp/bs/file1.img, 64.0MiB, write-back]']);
    expect(fileio.slice(2).every((l) => l.startsWith('    '))).toBe(true); // its ALUA groups, below file1
    const luns = treeView(reference(), { path: '/iscsi/iqn.2003-01.org.linux-iscsi.ref:t1/tpg1/luns/lun0' })!.map(plain);
    expect(luns[0]).toMatch(/^o- lun0 -> \/backstores\//);
    expect(treeView(reference(), { path: '/nope' })).toBeNull();
  });
});

describe('treeView on the reference config', () => {
  const lines = treeView(reference())!.map(plain);
  const text = lines.join('\n');

  test('the reference file really holds the CHAP password this suite looks for', () => {
    expect(readFileSync(REFERENCE, 'utf8')).toContain(PASSWORD);
  });

  test('never shows a CHAP password; shows the CHAP user id', () => {
    expect(text).not.toContain(PASSWORD);
    expect(text).toContain('chap user user1');
  });

  test('root, backstores with every plugin and their objects', () => {
    expect(lines[0]).toBe('o- /');
    expect(lines[1]).toBe('  o- backstores');
    for (const line of [
      '  | o- block [Storage Objects: 1]',
      '  | | o- block1 [/dev/loop0, write-thru]',
      '  | o- fileio [Storage Objects: 1]',
      '  | | o- file1 [/tmp/bs/file1.img, 64.0MiB, write-back]',
      '  | o- pscsi [Storage Objects: 1]',
      '  | | o- pscsi1 [/dev/sda]',
      '  | o- ramdisk [Storage Objects: 2]',
      '  | | o- null1 [8.0MiB, nullio]',
      '  | | o- ram1 [8.0MiB]',
      '  | o- user [Storage Objects: 1]',
      '  |   o- user1 [file/tmp/bs/user1.img, 16.0MiB]',
      '  | |     o- ao_group [id 2, Active/optimized]',
    ])
      expect(lines).toContain(line);
  });

  test('iscsi target with TPG, ACL and mapped LUNs, LUNs and portals, in order', () => {
    const start = lines.indexOf('  o- iscsi [Targets: 1]');
    expect(start).toBeGreaterThan(0);
    expect(lines.slice(start, start + 16)).toEqual([
      '  o- iscsi [Targets: 1]',
      '  | o- iqn.2003-01.org.linux-iscsi.ref:t1 [TPGs: 1]',
      '  |   o- tpg1 [enabled, no-gen-acls, no-auth]',
      '  |     o- acls [ACLs: 1]',
      '  |     | o- iqn.1994-05.com.redhat:client1 [tag group_a, chap user user1, Mapped LUNs: 2]',
      '  |     |   o- mapped_lun0 -> lun0 [rw]',
      '  |     |   o- mapped_lun1 -> lun1 [ro]',
      '  |     o- luns [LUNs: 4]',
      '  |     | o- lun0 -> /backstores/fileio/file1 [alua default_tg_pt_gp]',
      '  |     | o- lun1 -> /backstores/block/block1 [alua default_tg_pt_gp]',
      '  |     | o- lun2 -> /backstores/ramdisk/ram1 [alua default_tg_pt_gp]',
      '  |     | o- lun3 -> /backstores/pscsi/pscsi1',
      '  |     o- portals [Portals: 2]',
      '  |       o- 127.0.0.1:3260',
      '  |       o- [::1]:3261',
      '  o- loopback [Targets: 1]',
    ]);
  });

  test('loopback: no ACLs or portals branches (the fabric has neither), last branch closed', () => {
    expect(lines.slice(-5)).toEqual([
      '  o- loopback [Targets: 1]',
      '    o- naa.5001405c73a169b8 [TPGs: 1]',
      '      o- tpg1 [enabled]',
      '        o- luns [LUNs: 1]',
      '          o- lun0 -> /backstores/ramdisk/null1 [alua default_tg_pt_gp]',
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
    expect(treeView(shuffled)!.map(plain)).toEqual(lines);
  });
});

describe('treeView edge cases', () => {
  test('an empty config shows the five backstores and no fabric', () => {
    expect(treeView({})!.map(plain)).toEqual([
      'o- /',
      '  o- backstores',
      '    o- block [Storage Objects: 0]',
      '    o- fileio [Storage Objects: 0]',
      '    o- pscsi [Storage Objects: 0]',
      '    o- ramdisk [Storage Objects: 0]',
      '    o- user [Storage Objects: 0]',
    ]);
  });

  test('disabled TPG, empty ACL and portal branches of iSCSI, discovery auth without its password', () => {
    const config: SaveConfig = {
      targets: [{ fabric: 'iscsi', wwn: 'iqn.2003-01.org.example:t', tpgs: [{ tag: 2, enable: 0, chap_userid: 'tu', chap_password: PASSWORD }] }],
      fabric_modules: [{ name: 'iscsi', discovery_enable_auth: true, discovery_userid: 'du', discovery_password: PASSWORD, discovery_mutual_password: PASSWORD }],
    };
    const lines = treeView(config)!.map(plain);
    expect(lines.join('\n')).not.toContain(PASSWORD);
    expect(lines.slice(7)).toEqual([
      '  o- iscsi [Targets: 1, discovery auth enabled, discovery user du]',
      '    o- iqn.2003-01.org.example:t [TPGs: 1]',
      '      o- tpg2 [disabled, chap user tu]',
      '        o- acls [ACLs: 0]',
      '        o- luns [LUNs: 0]',
      '        o- portals [Portals: 0]',
    ]);
  });

  test('storage object summaries', () => {
    expect(storageObjectSummary({ plugin: 'block', name: 'b', dev: '/dev/sdb', readonly: true, exclusive: true })).toBe('/dev/sdb, read-only, exclusive');
    expect(storageObjectSummary({ plugin: 'fileio', name: 'f', dev: '/img', aio: true, buffered_mode: true, write_back: false })).toBe('/img, write-thru, aio, buffered');
    expect(storageObjectSummary({ plugin: 'ramdisk', name: 'r', size: 1024 })).toBe('1.0KiB');
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
  });
});
