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

  test('hba_info parses', () => {
    expect(parseHbaInfo('HBA Index: 3 plugin: rd_mcp version: v5.0')).toEqual({ hbaId: 3, plugin: 'rd_mcp', version: 'v5.0' });
    expect(parseHbaInfo('garbage')).toEqual({ hbaId: null, plugin: null, version: null });
  });
});
