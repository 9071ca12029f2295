import { describe, expect, test } from 'vitest';
import { FABRICS } from '../../src/cfs/fabrics.js';
import { generateWwn, normalizeTargetWwn, normalizeWwn, wwnFromConfigfs, wwnToConfigfs } from '../../src/cfs/wwn.js';

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

  test('every form rtslib-fb (2.1.75 and 2.1.76+) accepts', () => {
    // FC WWPNs with colons, 0x, dashes, any case; NAA types c-f (NPIV ports) since 2.1.76
    for (const fc of [FABRICS.qla2xxx, FABRICS.tcm_fc, FABRICS.efct]) {
      expect(normalizeWwn(fc, '21:00:00:24:FF:31:4C:48').wwn).toBe('naa.21000024ff314c48');
      expect(normalizeWwn(fc, '0x21000024ff314c48').wwn).toBe('naa.21000024ff314c48');
      expect(normalizeWwn(fc, '21-00-00-24-ff-31-4c-48').wwn).toBe('naa.21000024ff314c48');
      expect(normalizeWwn(fc, 'c0:50:76:0a:1b:2c:00:10').wwn).toBe('naa.c050760a1b2c0010');
      expect(normalizeWwn(fc, 'naa.f0507600aabbccdd').wwn).toBe('naa.f0507600aabbccdd');
      expect(() => normalizeWwn(fc, 'naa.6001405c73a169b8')).toThrow(/not a valid/);
      expect(() => normalizeWwn(fc, '21:00:00:24:ff:31:4c')).toThrow(/not a valid/);
    }
    // InfiniBand GIDs: 32 hex digits, ib. optional, 0x stripped
    expect(normalizeWwn(FABRICS.srpt, '0xFE800000000000000002c903000e8acd').wwn).toBe('ib.fe800000000000000002c903000e8acd');
    expect(normalizeWwn(FABRICS.srpt, 'ib.fe800000000000000002c903000e8acd').wwn).toBe('ib.fe800000000000000002c903000e8acd');
    // iSCSI: a bare 16-digit hex is NAA when its first digit is an NAA type, else EUI
    expect(normalizeWwn(FABRICS.iscsi, '5001405c73a169b8')).toEqual({ wwn: 'naa.5001405c73a169b8', type: 'naa' });
    expect(normalizeWwn(FABRICS.iscsi, '0x3001405c73a169b8')).toEqual({ wwn: 'eui.3001405c73a169b8', type: 'eui' });
    expect(normalizeWwn(FABRICS.sbp, '0011223344556677').wwn).toBe('eui.0011223344556677');
    // ibmvscsis takes any name, lower-cased
    expect(normalizeWwn(FABRICS.ibmvscsis, ' Some-Name ').wwn).toBe('some-name');
    // iqn: the month is 00-19 and a dot must follow the date part
    expect(() => normalizeWwn(FABRICS.iscsi, 'iqn.2003-01.com:foo')).toThrow(/not a valid/);
  });

  test("a target's naa.6 WWN (old versions' wrong prefix) becomes naa.5, as rtslib-fb fixes it up; ACLs do not get the fix-up", () => {
    expect(normalizeTargetWwn(FABRICS.loopback, 'naa.6001405c73a169b8').wwn).toBe('naa.5001405c73a169b8');
    expect(normalizeTargetWwn(FABRICS.loopback, 'naa.5001405c73a169b8').wwn).toBe('naa.5001405c73a169b8');
    expect(() => normalizeWwn(FABRICS.vhost, 'naa.6001405c73a169b8', 'node_wwn')).toThrow(/not a valid/);
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
