/**
 * How configfs presents values, and how this library turns them into text.
 *
 * Trailing newlines: the kernel ends most attribute values with one `\n`
 * (`show` functions print `"%s\n"`). The native engine returns bytes exactly
 * as read; {@link attributeText} removes exactly one trailing `\n` and
 * nothing else, so multi-line values (`info`) and values ending in NUL
 * (`alua/<group>/members`) keep the rest of their bytes.
 */

/** Decodes a raw configfs value (UTF-8) and drops one trailing newline. */
export function attributeText(raw: Buffer | Uint8Array): string {
  const buf = Buffer.isBuffer(raw) ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  const end = buf.length > 0 && buf[buf.length - 1] === 0x0a ? buf.length - 1 : buf.length;
  return buf.toString('utf8', 0, end);
}

/** The string the kernel's auth files use for an unset value. */
export const AUTH_UNSET = 'NULL';

/** Maps an auth file's text to a value: `NULL` and empty mean unset (null). */
export function authValue(text: string): string | null {
  return text === AUTH_UNSET || text === '' ? null : text;
}

/** Parses a configfs value the kernel prints as an integer; null when it is not one. */
export function integerValue(text: string): number | null {
  return /^-?\d+$/.test(text.trim()) ? Number(text.trim()) : null;
}

/**
 * Reads `Key: value` out of a kernel `info` text (storage objects, ACLs):
 * whitespace is folded and the value is the run of characters after the key
 * up to the next space or colon, as rtslib-fb reads it. Undefined when absent.
 */
export function infoField(info: string, key: string): string | undefined {
  // a storage object's fields are read one after another from the same text: it is folded once
  if (info !== lastInfo) {
    lastInfo = info;
    lastFolded = info.split(/\s+/).filter(Boolean).join(' ');
  }
  let pattern = fieldPatterns.get(key);
  if (pattern === undefined) {
    pattern = new RegExp(`(?:^| )${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: ([^: ]+)`);
    fieldPatterns.set(key, pattern);
  }
  return pattern.exec(lastFolded)?.[1];
}

/** {@link infoField}'s last text and its folded form. */
let lastInfo = '';
let lastFolded = '';
/** {@link infoField}'s pattern per key (the library reads a handful of keys). */
const fieldPatterns = new Map<string, RegExp>();
