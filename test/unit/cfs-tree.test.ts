import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  hbaPath,
  storageObjectPath,
  parseHbaDirName,
  tpgPath,
  parseTpgDirName,
  lunPath,
  parseLunDirName,
  portalDirName,
  parsePortalDirName,
  aclPath,
  mappedLunPath,
  resolveLink,
  targetPath,
} from '../../src/cfs/tree.js';
import { parseHbaInfo } from '../../src/cfs/plugins.js';

describe('configfs tree paths', () => {
  test('storage objects live in core/<plugin>_<index>/<name>', () => {
    expect(hbaPath('rd_mcp', 2)).toBe('core/rd_mcp_2');
    expect(storageObjectPath('fileio', 0, 'file1')).toBe('core/fileio_0/file1');
    expect(parseHbaDirName('rd_mcp_12')).toEqual({ plugin: 'rd_mcp', index: 12 });
    expect(parseHbaDirName('alua')).toBeNull();
    expect(parseHbaDirName('rd_mcp_x')).toBeNull();
  });

  test('fabric objects', () => {
    const tpg = tpgPath(targetPath('iscsi', 'iqn.2003-01.org.x:t1'), 1);
    expect(tpg).toBe('iscsi/iqn.2003-01.org.x:t1/tpgt_1');
    expect(parseTpgDirName('tpgt_7')).toBe(7);
    expect(parseTpgDirName('tpgt_')).toBeNull();
    expect(lunPath(tpg, 3)).toBe(`${tpg}/lun/lun_3`);
    expect(parseLunDirName('lun_65535')).toBe(65535);
    expect(mappedLunPath(aclPath(tpg, 'iqn.1994-05.com.redhat:c'), 0)).toBe(`${tpg}/acls/iqn.1994-05.com.redhat:c/lun_0`);
  });

  test('portal names bracket IPv6 and parse back', () => {
    expect(portalDirName('127.0.0.1', 3260)).toBe('127.0.0.1:3260');
    expect(portalDirName('::1', 3261)).toBe('[::1]:3261');
    expect(portalDirName('[::1]', 3261)).toBe('[::1]:3261');
    expect(parsePortalDirName('[::1]:3261')).toEqual({ ip: '::1', port: 3261 });
    expect(parsePortalDirName('0.0.0.0:3260')).toEqual({ ip: '0.0.0.0', port: 3260 });
    expect(parsePortalDirName('nonsense')).toBeNull();
  });

  test('symlink targets resolve relative to the root, absolute or relative', () => {
    const root = '/sys/kernel/config/target';
    expect(resolveLink('iscsi/t/tpgt_1/lun/lun_0/x', `${root}/core/fileio_0/file1`, root)).toBe('core/fileio_0/file1');
    expect(resolveLink('iscsi/t/tpgt_1/lun/lun_0/x', '../../../../../core/rd_mcp_1/r', root)).toBe('core/rd_mcp_1/r');
    expect(resolveLink('a/b', '/elsewhere/x', root)).toBeNull();
    expect(resolveLink('a', '../../x', root)).toBeNull();
  });

  test('symlink targets of any form resolve as a walk of their segments does (the kernel form takes a shortcut)', () => {
    // the oracle: the whole path's segments walked, `..` popping
    const walk = (linkPath: string, target: string, root: string): string | null => {
      const rootParts = root.split('/').filter((p) => p !== '' && p !== '.');
      const parent = linkPath.includes('/') ? linkPath.slice(0, linkPath.lastIndexOf('/')) : '';
      const out: string[] = [];
      for (const part of target.startsWith('/') ? target.split('/') : [...rootParts, ...parent.split('/'), ...target.split('/')]) {
        if (part === '' || part === '.') continue;
        if (part !== '..') out.push(part);
        else if (out.pop() === undefined) return null;
      }
      return out.length < rootParts.length || rootParts.some((p, i) => out[i] !== p) ? null : out.slice(rootParts.length).join('/');
    };
    const segment = fc.constantFrom('a', 'b', 'core', 'target', 'config', 'kernel', 'sys', '.', '..', '', '...', 'lun_0');
    const path = fc.array(segment, { maxLength: 7 }).map((s) => s.join('/'));
    const plain = fc.array(fc.constantFrom('a', 'b', 'core', 'target', 'config', 'kernel', 'sys', '...'), { minLength: 1, maxLength: 7 }).map((s) => s.join('/'));
    const kernelForm = fc.tuple(fc.nat(12), path).map(([ups, rest]) => `${'../'.repeat(ups)}${rest}`);
    const root = fc.constantFrom('/sys/kernel/config/target', '/target', '/', '/a/./b/');
    fc.assert(
      fc.property(
        fc.oneof(plain, path),
        fc.oneof(
          kernelForm,
          path,
          path.map((p) => `/${p}`),
        ),
        root,
        (linkPath, target, r) => {
          expect(resolveLink(linkPath, target, r)).toBe(walk(linkPath, target, r));
        },
      ),
      { numRuns: 5000 },
    );
    // the kernel's own form, as a mapped LUN's link has it
    const root6 = '/sys/kernel/config/target';
    const mapped = 'iscsi/iqn.2003-01.org.x:t/tpgt_1/acls/iqn.1994-05.com.y:c/lun_0/0123456789';
    expect(resolveLink(mapped, '../../../../../../../target/iscsi/iqn.2003-01.org.x:t/tpgt_1/lun/lun_0', root6)).toBe('iscsi/iqn.2003-01.org.x:t/tpgt_1/lun/lun_0');
    expect(resolveLink(mapped, '../../../../../../target/x', root6)).toBe('target/x');
    expect(resolveLink(mapped, '../../../../../../../../config/target', root6)).toBe('');
    expect(resolveLink(mapped, '../../../../../../../../x/target', root6)).toBeNull();
    expect(resolveLink(mapped, `${'../'.repeat(11)}sys`, root6)).toBeNull();
    expect(resolveLink(mapped, '../../../lun/lun_0', root6)).toBe('iscsi/iqn.2003-01.org.x:t/tpgt_1/lun/lun_0');
  });

  test('hba_info parses', () => {
    expect(parseHbaInfo('HBA Index: 3 plugin: rd_mcp version: v5.0')).toEqual({ hbaId: 3, plugin: 'rd_mcp', version: 'v5.0' });
    expect(parseHbaInfo('garbage')).toEqual({ hbaId: null, plugin: null, version: null });
  });
});
