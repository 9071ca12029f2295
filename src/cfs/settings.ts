/**
 * How a writable configfs file's value, as the kernel shows it, is written
 * back. Most files show what was stored (`attrib/*`, `param/*`, ints); a
 * few show more or other text than they accept, and some cannot be set back
 * at all. This is what undo and crash recovery use to put a tree back as it
 * was, and what conditional writes compare against.
 *
 * Sources: drivers/target/target_core_configfs.c (wwn, alua, pr, lba_map),
 * target_core_fabric_configfs.c (tag, alua_tg_pt_gp of a LUN),
 * iscsi/iscsi_target_configfs.c (auth: the store keeps the text; `NULL`
 * clears the flag that makes it count).
 */
import { AUTH_UNSET } from './values.js';

/** ALUA access status names as the kernel shows them, in the order of their numbers. */
export const ALUA_STATUSES = ['None', 'Altered by Explicit STPG', 'Altered by Implicit ALUA'] as const;
/** ALUA access type names as the kernel shows them, in the order of their numbers. */
export const ALUA_TYPES = ['None', 'Implicit', 'Explicit', 'Implicit and Explicit'] as const;

/** Files of the auth groups whose empty value can only be written as `NULL`. */
const AUTH_FILES = new Set(['userid', 'password', 'userid_mutual', 'password_mutual']);

/** Files whose shown value is state or a report, not a setting (or is set at creation). */
const NOT_SETTINGS = new Set(['control', 'info', 'hba_info', 'members', 'enable_group']);

/**
 * The text to write to `path` (root-relative) so that it shows `text` again,
 * or null when the value is not a setting that can be written back: state
 * and reports (`pr/*`, `action/*`, `info`), what a storage object gets at
 * creation (`enable`, `udev_path`), and empty values that no write
 * produces (an empty `alias` or `lba_map`, a TPG without a nexus).
 */
export function settingFromShown(path: string, text: string): string | null {
  // the last two segments and whether the path is under core/, without splitting the whole path
  const cut = path.lastIndexOf('/');
  const name = path.slice(cut + 1);
  const group = cut < 0 ? undefined : path.slice(path.lastIndexOf('/', cut - 1) + 1, cut);
  const inCore = path.startsWith('core/');
  if (NOT_SETTINGS.has(name) || group === 'pr' || group === 'action' || group === 'statistics') return null;
  const value = text.trim();
  if ((group === 'auth' || group === 'discovery_auth') && AUTH_FILES.has(name)) return value === '' ? AUTH_UNSET : value;
  switch (name) {
    case 'vpd_unit_serial': {
      const serial = value.replace(/^T10 VPD Unit Serial Number:\s*/, '');
      return serial === '' ? null : serial;
    }
    case 'alua_lu_gp':
      return /LU Group Alias:\s*(\S+)/.exec(value)?.[1] ?? null;
    case 'alua_tg_pt_gp':
      return /TG Port Alias:\s*(\S+)/.exec(value)?.[1] ?? null;
    case 'alua_access_status':
    case 'alua_access_type': {
      const names: readonly string[] = name === 'alua_access_status' ? ALUA_STATUSES : ALUA_TYPES;
      const index = names.indexOf(value);
      return index >= 0 ? String(index) : /^\d+$/.test(value) ? value : null;
    }
    case 'tag':
      // an ACL's tag: `NULL` clears it
      return value === '' ? AUTH_UNSET : value;
    case 'enable':
      // a storage object is enabled at creation; a TPG's enable is a setting
      return inCore ? null : value;
    case 'udev_path':
    case 'alias':
    case 'lba_map':
    case 'nexus':
      return value === '' || (inCore && name === 'udev_path') ? null : value;
    default:
      return value;
  }
}

/** Whether a file that shows `shown` already holds the setting `desired` (as {@link settingFromShown} would write it). */
export function holdsSetting(path: string, shown: string, desired: string): boolean {
  const current = settingFromShown(path, shown);
  return (current ?? shown.trim()) === desired.trim();
}
