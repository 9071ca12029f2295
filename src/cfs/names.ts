/**
 * Validation of the names that become configfs directory names, and of the
 * values written into configfs files. All checks run before anything is
 * written and raise {@link RTSLibInvalidArgumentError}.
 */
import { randomBytes } from 'node:crypto';
import { RTSLibInvalidArgumentError } from '../errors.js';

/** A new link name for a LUN or mapped LUN (10 hex digits, as rtslib-fb makes them). */
export function randomLinkAlias(): string {
  // 5 random bytes each, drawn from a pool: a plan of thousands of LUNs asks once per 1,000
  if (aliasPool.length - aliasNext < 5) {
    aliasPool = randomBytes(5000);
    aliasNext = 0;
  }
  aliasNext += 5;
  return aliasPool.toString('hex', aliasNext - 5, aliasNext);
}
let aliasPool = Buffer.alloc(0);
let aliasNext = 0;

/** The longest directory name configfs accepts (bytes). */
export const MAX_NAME_BYTES = 255;

/** The longest value a configfs store accepts (bytes): one page less its terminator. */
export const MAX_VALUE_BYTES = 4095;

/**
 * Checks that `name` can be used as one configfs directory name: not empty or
 * whitespace only, no `/`, no `..`, no NUL or other control characters, at most
 * {@link MAX_NAME_BYTES} bytes. Returns the name unchanged.
 */
export function validateName(argument: string, name: unknown): string {
  if (typeof name !== 'string') throw new RTSLibInvalidArgumentError(argument, `expected a string, got ${typeof name}`);
  if (name.trim() === '') throw new RTSLibInvalidArgumentError(argument, 'must not be empty or whitespace only');
  if (name.includes('/')) throw new RTSLibInvalidArgumentError(argument, `must not contain '/': ${JSON.stringify(name)}`);
  if (name.includes('..') || name === '.') throw new RTSLibInvalidArgumentError(argument, `must not be '.' or contain '..': ${JSON.stringify(name)}`);
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(name)) throw new RTSLibInvalidArgumentError(argument, `must not contain NUL or control characters: ${JSON.stringify(name)}`);
  if (name.length > MAX_NAME_BYTES / 3) {
    const bytes = Buffer.byteLength(name, 'utf8');
    if (bytes > MAX_NAME_BYTES) throw new RTSLibInvalidArgumentError(argument, `is ${bytes} bytes long; at most ${MAX_NAME_BYTES} are allowed`);
  }
  return name;
}

/** Checks that `value` is an integer in [min, max]. Returns it. */
export function validateInteger(argument: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new RTSLibInvalidArgumentError(argument, `expected an integer, got ${JSON.stringify(value)}`);
  }
  if (value < min || value > max) throw new RTSLibInvalidArgumentError(argument, `${value} is outside ${min}-${max}`);
  return value;
}

/**
 * Checks that a value can be written to a configfs attribute: a string (or
 * number/boolean, converted), no NUL, at most {@link MAX_VALUE_BYTES} bytes.
 * Returns the string to write. `secret` keeps the value out of the message.
 */
export function validateValue(argument: string, value: unknown, secret = false): string {
  let text: string;
  if (typeof value === 'string') text = value;
  else if (typeof value === 'number' && Number.isFinite(value)) text = String(value);
  else if (typeof value === 'boolean') text = value ? '1' : '0';
  else throw new RTSLibInvalidArgumentError(argument, `expected a string, number or boolean, got ${typeof value}`);
  // A newline would end the value early and start another (`8192\nMaxBurstLength=512`): no control characters at all.
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(text)) {
    // the message's copy of the value is made only here: this check runs for every value a plan writes
    const shown = secret ? '(secret)' : JSON.stringify(text.length > 40 ? text.slice(0, 40) + '…' : text);
    if (text.includes('\0')) throw new RTSLibInvalidArgumentError(argument, `must not contain NUL: ${shown}`);
    throw new RTSLibInvalidArgumentError(argument, `must not contain a newline or other control character: ${shown}`);
  }
  // a UTF-16 unit is at most 3 bytes of UTF-8: a short value needs no count
  if (text.length > MAX_VALUE_BYTES / 3) {
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes > MAX_VALUE_BYTES) throw new RTSLibInvalidArgumentError(argument, `is ${bytes} bytes; configfs stores at most ${MAX_VALUE_BYTES}`);
  }
  return text;
}

/**
 * Checks a value that is embedded in a storage object's `control` string
 * (`fd_dev_name=<path>,fd_dev_size=…`, `udev_path=<dev>`,
 * `dev_config=<config>`): as {@link validateValue}, and no `,` or `=`,
 * which would end it and start another parameter. Returns the string.
 */
export function validateControlValue(argument: string, value: unknown): string {
  const text = validateValue(argument, value);
  if (/[,=]/.test(text)) throw new RTSLibInvalidArgumentError(argument, `must not contain ',' or '=' (it goes into the kernel's control string): ${JSON.stringify(text)}`);
  return text;
}

/**
 * Checks the name of an attribute, parameter or auth file (`attrib/<name>`,
 * `param/<name>`): the kernel's are C identifiers (`emulate_write_cache`,
 * `MaxBurstLength`), so letters, digits and `_`, starting with a letter.
 * Anything else (`../enable`) is refused before it becomes a path.
 */
export function validateSettingName(argument: string, name: unknown): string {
  if (typeof name !== 'string') throw new RTSLibInvalidArgumentError(argument, `expected a string, got ${typeof name}`);
  if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(name) || name.length > MAX_NAME_BYTES) {
    throw new RTSLibInvalidArgumentError(argument, `must be letters, digits and '_', starting with a letter: ${JSON.stringify(name.length > 40 ? `${name.slice(0, 40)}…` : name)}`);
  }
  return name;
}

const SIZE_UNITS: Record<string, number> = { '': 1, B: 1, K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40, P: 2 ** 50 };

/**
 * Parses a size: a positive integer number of bytes, or a string like `512`,
 * `1M`, `1MB`, `1.5G`, `2TiB` (base 1024, case-insensitive). Returns bytes.
 */
export function parseSize(argument: string, size: unknown): number {
  let bytes: number;
  if (typeof size === 'number') {
    bytes = size;
  } else if (typeof size === 'string') {
    const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgtp]?)(?:i?b)?\s*$/i.exec(size);
    if (!m) throw new RTSLibInvalidArgumentError(argument, `cannot parse size ${JSON.stringify(size)} (use bytes or e.g. "512M", "1G")`);
    bytes = Math.floor(Number(m[1]) * (SIZE_UNITS[(m[2] ?? '').toUpperCase()] ?? 1));
  } else {
    throw new RTSLibInvalidArgumentError(argument, `expected a number of bytes or a size string, got ${typeof size}`);
  }
  if (!Number.isSafeInteger(bytes) || bytes <= 0) {
    throw new RTSLibInvalidArgumentError(argument, `must be a positive whole number of bytes, got ${JSON.stringify(size)}`);
  }
  return bytes;
}
