import { describe, expect, test } from 'vitest';
import { validateName, validateValue, parseSize, validateInteger } from '../../src/cfs/names.js';
import { attributeText, authValue } from '../../src/cfs/values.js';
import { RTSLibInvalidArgumentError } from '../../src/errors.js';

describe('names', () => {
  test.each([
    ['', /empty/],
    ['   ', /whitespace/],
    ['a/b', /'\/'/],
    ['..', /'\.\.'/],
    ['a..b', /'\.\.'/],
    ['.', /'\.'/],
    ['a\0b', /NUL/],
    ['x'.repeat(256), /256 bytes/],
    ['é'.repeat(128), /256 bytes/],
  ])('rejects %j', (name, message) => {
    expect(() => validateName('name', name)).toThrow(RTSLibInvalidArgumentError);
    expect(() => validateName('name', name)).toThrow(message);
  });

  test('accepts ordinary names up to 255 bytes', () => {
    expect(validateName('name', 'disk-1_A.b')).toBe('disk-1_A.b');
    expect(validateName('name', 'x'.repeat(255))).toHaveLength(255);
    expect(validateName('name', 'iqn.2003-01.org.linux-iscsi.host:sn.1')).toBe('iqn.2003-01.org.linux-iscsi.host:sn.1');
  });

  test('non-strings are rejected', () => {
    expect(() => validateName('name', 3)).toThrow(/expected a string/);
  });
});

describe('values', () => {
  test('strings, numbers and booleans become text', () => {
    expect(validateValue('v', 'abc')).toBe('abc');
    expect(validateValue('v', 12)).toBe('12');
    expect(validateValue('v', true)).toBe('1');
  });

  test('NUL and oversize values are rejected; secrets are not echoed', () => {
    expect(() => validateValue('v', 'a\0')).toThrow(/NUL/);
    expect(() => validateValue('v', 'x'.repeat(4096))).toThrow(/4096 bytes/);
    let message = '';
    try {
      validateValue('password', 'hunter2\0', true);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/NUL/);
    expect(message).not.toContain('hunter2');
  });

  test('the byte limits count UTF-8 bytes, whatever the length in characters', () => {
    // 3-byte characters: 1,365 are 4,095 bytes, one more is over; a 4-byte one (two UTF-16 units) likewise
    expect(validateValue('v', '€'.repeat(1365))).toHaveLength(1365);
    expect(() => validateValue('v', '€'.repeat(1366))).toThrow(/4098 bytes/);
    expect(() => validateValue('v', '😀'.repeat(1023) + 'xxxx')).toThrow(/4096 bytes/);
    expect(validateName('name', '€'.repeat(85))).toHaveLength(85);
    expect(() => validateName('name', '€'.repeat(86))).toThrow(/258 bytes/);
    // a value with both a NUL and a newline is reported for the NUL; a secret's never shown
    expect(() => validateValue('v', 'a\nb\0')).toThrow(/NUL: "a\\nb\\u0000"/);
    expect(() => validateValue('v', 'hunter2\n', true)).toThrow(/control character: \(secret\)$/);
  });

  test('integers are range-checked', () => {
    expect(validateInteger('lun', 0, 0, 65535)).toBe(0);
    expect(() => validateInteger('lun', 65536, 0, 65535)).toThrow(/outside 0-65535/);
    expect(() => validateInteger('lun', 1.5, 0, 65535)).toThrow(/integer/);
  });

  test('one trailing newline is dropped, other bytes kept', () => {
    expect(attributeText(Buffer.from('1\n'))).toBe('1');
    expect(attributeText(Buffer.from('a\nb\n\n'))).toBe('a\nb\n');
    expect(attributeText(Buffer.from('x\n\0'))).toBe('x\n\0');
    expect(attributeText(Buffer.from(''))).toBe('');
  });

  test('auth NULL is unset', () => {
    expect(authValue('NULL')).toBeNull();
    expect(authValue('')).toBeNull();
    expect(authValue('user')).toBe('user');
  });
});

describe('sizes', () => {
  test.each([
    [512, 512],
    ['512', 512],
    ['1K', 1024],
    ['1MB', 1048576],
    ['1m', 1048576],
    ['1.5G', 1.5 * 2 ** 30],
    ['2TiB', 2 * 2 ** 40],
    [' 64M ', 64 * 2 ** 20],
  ])('%j is %d bytes', (input, bytes) => {
    expect(parseSize('size', input)).toBe(bytes);
  });

  test.each([0, -1, '0', '-5M', 'abc', '1X', 1.5, NaN, null])('rejects %j', (input) => {
    expect(() => parseSize('size', input)).toThrow(RTSLibInvalidArgumentError);
  });
});
