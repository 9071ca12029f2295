import { describe, expect, test } from 'vitest';
import { FABRICS } from '../../src/cfs/fabrics.js';
import { generateWwn, normalizeWwn, wwnFromConfigfs, wwnToConfigfs } from '../../src/cfs/wwn.js';

describe('WWNs', () => {
  test('iSCSI accepts IQNs and rejects spaces and underscores', () => {
    expect(normalizeWwn(FABRICS.iscsi, 'IQN.2003-01.org.Example:T1').wwn).toBe('iqn.2003-01.org.example:t1');
    expect(() => normalizeWwn(FABRICS.iscsi, 'iqn.2003-01.org.ex:a_b')).toThrow(/not a valid iscsi WWN/);
    expect(() => normalizeWwn(FABRICS.iscsi, 'target1')).toThrow(/iqn or naa or eui/);
  });

  test('NAA WWNs are cleaned of 0x, colons and dashes', () => {
    expect(normalizeWwn(FABRICS.loopback, '0x50:01:40:5c:73:a1:69:b8').wwn).toBe('naa.5001405c73a169b8');
    expect(normalizeWwn(FABRICS.loopback, 'naa.5001405C73A169B8').wwn).toBe('naa.5001405c73a169b8');
    expect(() => normalizeWwn(FABRICS.loopback, 'naa.3001405c73a169b8')).toThrow();
  });

  test('generated WWNs are valid for their fabric', () => {
    for (const fabric of [FABRICS.iscsi, FABRICS.loopback, FABRICS.vhost, FABRICS.sbp, FABRICS.srpt]) {
      const wwn = generateWwn(fabric.wwnTypes[0]!);
      expect(normalizeWwn(fabric, wwn).wwn).toBe(wwn);
    }
    expect(generateWwn('iqn')).toMatch(/^iqn\.2003-01\.org\.linux-iscsi\.[^:]+:sn\.[0-9a-f]{12}$/);
  });

  test('FC spells WWNs with colons in configfs, and back', () => {
    expect(wwnToConfigfs(FABRICS.qla2xxx, 'naa.21000024ff314c48')).toBe('21:00:00:24:ff:31:4c:48');
    expect(wwnFromConfigfs(FABRICS.qla2xxx, '21:00:00:24:ff:31:4c:48')).toBe('naa.21000024ff314c48');
    expect(wwnToConfigfs(FABRICS.srpt, 'ib.fe800000000000000002c90300a0b1c2')).toBe('0xfe800000000000000002c90300a0b1c2');
    expect(wwnFromConfigfs(FABRICS.sbp, '0014051234567890')).toBe('eui.0014051234567890');
  });
});
