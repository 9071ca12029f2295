/**
 * The kernel's configfs tree for LIO, described once. Every other module
 * builds configfs paths through these functions; none concatenates paths
 * itself. Paths are relative to the target root (`/sys/kernel/config/target`
 * by default); {@link Configfs} joins them with the root it was given.
 *
 * Shape (kernel 6.1, see test/fixtures/reference/configfs-tree-linux-6.1.txt):
 * ```
 * version, dbroot
 * core/<plugin>_<index>/{hba_info,hba_mode}
 * core/<plugin>_<index>/<so>/{control,enable,info,udev_path,alias,...}
 * core/<plugin>_<index>/<so>/{attrib,wwn,pr,alua,action,statistics}/
 * <fabric>/discovery_auth/, <fabric>/version
 * <fabric>/<wwn>/tpgt_<tag>/{enable,nexus,...}
 * <fabric>/<wwn>/tpgt_<tag>/{attrib,param,auth}/
 * <fabric>/<wwn>/tpgt_<tag>/lun/lun_<n>/<alias> -> core/.../<so>
 * <fabric>/<wwn>/tpgt_<tag>/np/<ip>:<port>/
 * <fabric>/<wwn>/tpgt_<tag>/acls/<initiator>/{cmdsn_depth,tag,info,attrib,auth,param}
 * <fabric>/<wwn>/tpgt_<tag>/acls/<initiator>/lun_<n>/{write_protect,<alias> -> ../lun/lun_<m>}
 * ```
 */

/** Where the kernel mounts the target tree. */
export const DEFAULT_TARGET_ROOT = '/sys/kernel/config/target';

/** Kernel (configfs) names of the storage plugins. */
export type KernelPlugin = 'rd_mcp' | 'fileio' | 'iblock' | 'pscsi' | 'user';

import { isIP } from 'node:net';
import { RTSLibInvalidArgumentError } from '../errors.js';
import { FABRICS } from './fabrics.js';

/** Joins relative path segments with `/` (two or three without an array: plans build one per operation). */
function join(first: string, second: string, ...more: string[]): string {
  const two = `${first}/${second}`;
  return more.length === 0 ? two : more.length === 1 ? `${two}/${more[0]}` : `${two}/${more.join('/')}`;
}

/** Top-level files. */
export const ROOT_FILES = { version: 'version', dbroot: 'dbroot' } as const;

/** The `core/` directory holding HBAs and storage objects. */
export const CORE_DIR = 'core';

/** Attribute-group directories an object can have. */
export type AttributeGroup = 'attrib' | 'param' | 'auth' | 'wwn' | 'pr' | 'alua';

/** Directories whose contents are statistics: never needed to describe configuration. */
export const STATISTICS_DIRS = ['statistics', 'fabric_statistics'] as const;

/**
 * What a read of the tree never opens: the statistics directories, and
 * the ALUA `members` files. Reading a `members` list can crash the kernel
 * (6.1: a general protection fault in `target_lu_gp_members_show`) when a
 * storage object whose release was delayed by an open file is still on the
 * list after its HBA was removed; the lists are the kernel's bookkeeping,
 * not configuration, so nothing needs them.
 */
export const UNREAD_NAMES: readonly string[] = [...STATISTICS_DIRS, 'members'];

/**
 * Directories a structure-only read skips: statistics and the settings
 * groups. What is left is every user-made directory and link, and the
 * files directly in them (a TPG's `enable`, a storage object's `info`).
 */
export const STRUCTURE_EXCLUDES: readonly string[] = [...UNREAD_NAMES, 'attrib', 'param', 'auth', 'wwn', 'pr', 'action'];

/** The `wwn/` files of a storage object that a config does not hold (it keeps the unit serial alone). */
const UNSAVED_WWN_FILES = [
  'company_id',
  'vendor_id',
  'product_id',
  'revision',
  'vpd_protocol_identifier',
  'vpd_assoc_logical_unit',
  'vpd_assoc_target_port',
  'vpd_assoc_scsi_target_device',
] as const;

/** The files of a TPG LUN that a config does not hold (it keeps the ALUA group alone). */
const UNSAVED_LUN_FILES = ['alua_tg_pt_offline', 'alua_tg_pt_status', 'alua_tg_pt_write_md'] as const;

/**
 * The files directly in a storage object's directory that a config does not
 * hold (it keeps what `info` and `udev_path` show): the write-only
 * `control`, the `enable` every saved object has, its `alias`, LU group
 * and LBA map.
 */
const UNSAVED_STORAGE_OBJECT_FILES = ['control', 'enable', 'alias', 'alua_lu_gp', 'lba_map'] as const;

/** An HBA directory's files, which a config does not hold (the HBA is named by its storage objects' plugin). */
const UNSAVED_HBA_FILES = ['hba_info', 'hba_mode'] as const;

/**
 * What a read for a config (a dump, a save, an apply's plan) skips: the
 * statistics, and the state and reports that saveconfig.json has no key
 * for: a storage object's `pr/` (reservations; APTPL registrations are
 * saved in the dbroot, not in the config) and `action/`, its `wwn/` files
 * but the unit serial, its own files but `info` and `udev_path`, its HBA's
 * files, the ALUA groups' `alua_support_lba_dependent`, a LUN's ALUA
 * offline, status and write_md files. About a third of a storage object's
 * files; what is left is exactly what a dump reads.
 */
export const CONFIG_EXCLUDES: readonly string[] = [
  ...STATISTICS_DIRS,
  'pr',
  'action',
  ...UNSAVED_WWN_FILES,
  ...UNSAVED_STORAGE_OBJECT_FILES,
  ...UNSAVED_HBA_FILES,
  'alua_support_lba_dependent',
  ...UNSAVED_LUN_FILES,
];

/**
 * Where the kernel puts each directory or file a read may skip, as fnmatch
 * patterns of root-relative paths (`*` within one segment; `<fabric>` stands
 * for every fabric directory of {@link FABRICS}). A name is skipped only
 * there: a storage object, ALUA group or LU group that a user named
 * `statistics`, `members`, `pr` or `attrib` is read like any other (rtslib-fb
 * and targetcli create them; skipping them by name alone hid them from
 * listings, saves and clears).
 */
const KERNEL_PLACES: Readonly<Record<string, readonly string[]>> = {
  statistics: ['core/*_[0-9]*/*/statistics', '<fabric>/*/tpgt_*/lun/lun_*/statistics', '<fabric>/*/tpgt_*/acls/*/lun_*/statistics'],
  fabric_statistics: ['<fabric>/*/fabric_statistics', '<fabric>/*/tpgt_*/acls/*/fabric_statistics'],
  members: ['core/*_[0-9]*/*/alua/*/members', 'core/alua/lu_gps/*/members'],
  attrib: ['core/*_[0-9]*/*/attrib', '<fabric>/*/tpgt_*/attrib', '<fabric>/*/tpgt_*/acls/*/attrib'],
  param: ['<fabric>/*/param', '<fabric>/*/tpgt_*/param', '<fabric>/*/tpgt_*/acls/*/param'],
  auth: ['<fabric>/*/tpgt_*/auth', '<fabric>/*/tpgt_*/acls/*/auth'],
  wwn: ['core/*_[0-9]*/*/wwn'],
  pr: ['core/*_[0-9]*/*/pr'],
  action: ['core/*_[0-9]*/*/action'],
  ...Object.fromEntries(UNSAVED_WWN_FILES.map((name) => [name, [`core/*_[0-9]*/*/wwn/${name}`]])),
  ...Object.fromEntries(UNSAVED_STORAGE_OBJECT_FILES.map((name) => [name, [`core/*_[0-9]*/*/${name}`]])),
  ...Object.fromEntries(UNSAVED_HBA_FILES.map((name) => [name, [`core/*_[0-9]*/${name}`]])),
  alua_support_lba_dependent: ['core/*_[0-9]*/*/alua/*/alua_support_lba_dependent'],
  ...Object.fromEntries(UNSAVED_LUN_FILES.map((name) => [name, [`<fabric>/*/tpgt_*/lun/lun_*/${name}`]])),
};

/**
 * The places of the kernel's `names` (see {@link KERNEL_PLACES}) as patterns
 * for the tree reader's `excludePaths`, and the names it has no places for
 * (skipped by name, at any depth).
 */
export function kernelPlaces(names: readonly string[]): { paths: string[]; names: string[] } {
  const paths: string[] = [];
  const byName: string[] = [];
  for (const name of new Set(names)) {
    const places = KERNEL_PLACES[name];
    if (!places) {
      byName.push(name);
      continue;
    }
    for (const place of places) {
      if (place.startsWith('<fabric>/')) for (const fabric of Object.values(FABRICS)) paths.push(`${fabric.dir}${place.slice('<fabric>'.length)}`);
      else paths.push(place);
    }
  }
  return { paths, names: byName };
}

/** {@link STRUCTURE_EXCLUDES} less the settings groups a read needs (e.g. the ACLs' `attrib` for ACL groups). */
export function structureExcludesKeeping(...groups: AttributeGroup[]): string[] {
  return STRUCTURE_EXCLUDES.filter((name) => !(groups as string[]).includes(name));
}

/** An HBA directory name: `<plugin>_<index>`. */
export function hbaDirName(plugin: KernelPlugin, index: number): string {
  return `${plugin}_${index}`;
}

/** An HBA directory's name: `<plugin>_<index>` (parsed by {@link parseHbaDirName}, tested by {@link nodeType}). */
const HBA_DIR_NAME = /^(rd_mcp|fileio|iblock|pscsi|user)_(\d+)$/;

/** Parses an HBA directory name; null when it is not one. */
export function parseHbaDirName(name: string): { plugin: KernelPlugin; index: number } | null {
  const m = HBA_DIR_NAME.exec(name);
  return m ? { plugin: m[1] as KernelPlugin, index: Number(m[2]) } : null;
}

/** `core/<plugin>_<index>` */
export function hbaPath(plugin: KernelPlugin, index: number): string {
  return join(CORE_DIR, hbaDirName(plugin, index));
}

/** Files of an HBA directory. */
export const HBA_FILES = { info: 'hba_info', mode: 'hba_mode' } as const;

/** `core/<plugin>_<index>/<name>` */
export function storageObjectPath(plugin: KernelPlugin, index: number, name: string): string {
  return join(hbaPath(plugin, index), name);
}

/** Files directly inside a storage object's directory. */
export const STORAGE_OBJECT_FILES = {
  control: 'control',
  enable: 'enable',
  info: 'info',
  udevPath: 'udev_path',
  alias: 'alias',
  aluaLuGroup: 'alua_lu_gp',
  lbaMap: 'lba_map',
} as const;

/** `wwn/` files of a storage object. */
export const WWN_FILES = { unitSerial: 'vpd_unit_serial', vendorId: 'vendor_id', productId: 'product_id', revision: 'revision' } as const;

/** `pr/` files of a storage object. */
export const PR_FILES = { aptplMetadata: 'res_aptpl_metadata' } as const;

/** Path of a file or directory inside an object directory. */
export function child(dir: string, name: string, ...more: string[]): string {
  return join(dir, name, ...more);
}

/** `<dir>/<group>` attribute-group directory of an object. */
export function groupPath(dir: string, group: AttributeGroup): string {
  return join(dir, group);
}

/** `<dir>/<group>/<name>`: one setting (attribute, parameter, auth value, ...) of an object. */
export function settingPath(dir: string, group: AttributeGroup, name: string): string {
  return join(dir, group, name);
}

/** `<so>/alua`: the directory of a storage object's ALUA target port groups. */
export function aluaGroupsPath(storageObject: string): string {
  return join(storageObject, 'alua');
}

/** The files of an ALUA target port group that hold its settings (target_core_configfs.c, `target_tg_pt_gp_attrs`, less `tg_pt_gp_id` and `members`). */
export const ALUA_GROUP_SETTINGS = [
  'alua_access_state',
  'alua_access_status',
  'alua_access_type',
  'alua_write_metadata',
  'preferred',
  'nonop_delay_msecs',
  'trans_delay_msecs',
  'implicit_trans_secs',
  'alua_support_active_nonoptimized',
  'alua_support_active_optimized',
  'alua_support_lba_dependent',
  'alua_support_offline',
  'alua_support_standby',
  'alua_support_transitioning',
  'alua_support_unavailable',
] as const;

/** One of {@link ALUA_GROUP_SETTINGS}. */
export type AluaGroupSetting = (typeof ALUA_GROUP_SETTINGS)[number];

/** Files of an ALUA target port group directory the library reads or writes by name. */
export const ALUA_GROUP_FILES = { id: 'tg_pt_gp_id' } as const;

/** `auth/` files of a node ACL (CHAP credentials), as rtslib-fb names them. */
export const ACL_AUTH_FILES = {
  userid: 'userid',
  password: 'password',
  mutualUserid: 'userid_mutual',
  mutualPassword: 'password_mutual',
  authenticateTarget: 'authenticate_target',
} as const;

/** Files of a fabric's `discovery_auth` directory: whether it is enforced, and the same CHAP files as a node's `auth/`. */
export const DISCOVERY_AUTH_FILES = {
  enforce: 'enforce_discovery_auth',
  ...ACL_AUTH_FILES,
} as const;

/** Files directly in a fabric's directory. */
export const FABRIC_FILES = { cpusAllowedList: 'cpus_allowed_list' } as const;

/** The files a fabric's version is in, the first that exists (rtslib-fb's `version_attributes`). */
export const FABRIC_VERSION_FILES = ['lio_version', 'version'] as const;

/** The highest LUN and mapped LUN index the kernel takes. */
export const MAX_LUN = 65535;

/** The discovery authentication group of a fabric's directory (not a target). */
export const DISCOVERY_AUTH_DIR = 'discovery_auth';

/** Storage object attributes (`attrib/<name>`) the library reads or writes by name. */
export const STORAGE_OBJECT_ATTRIBUTES = { writeCache: 'emulate_write_cache', aluaSupport: 'alua_support', hwBlockSize: 'hw_block_size' } as const;

/** `<so>/alua/<group>` */
export function aluaGroupPath(storageObject: string, group: string): string {
  return join(storageObject, 'alua', group);
}

/** The ALUA group every storage object has. */
export const DEFAULT_ALUA_GROUP = 'default_tg_pt_gp';

/** `<fabric>` */
export function fabricPath(fabricDir: string): string {
  return fabricDir;
}

/** `<fabric>/discovery_auth` */
export function discoveryAuthPath(fabricDir: string): string {
  return join(fabricDir, DISCOVERY_AUTH_DIR);
}

/** `<fabric>/<wwn>` */
export function targetPath(fabricDir: string, wwn: string): string {
  return join(fabricDir, wwn);
}

/** A TPG directory name: `tpgt_<tag>`. */
export function tpgDirName(tag: number): string {
  return `tpgt_${tag}`;
}

/** A TPG directory's name (`tpgt_<tag>`). */
const TPG_DIR_NAME = /^tpgt_(\d+)$/;

/** Parses `tpgt_<tag>`; null when it is not one. */
export function parseTpgDirName(name: string): number | null {
  const m = TPG_DIR_NAME.exec(name);
  return m ? Number(m[1]) : null;
}

/** `<fabric>/<wwn>/tpgt_<tag>` */
export function tpgPath(target: string, tag: number): string {
  return join(target, tpgDirName(tag));
}

/** Files of a TPG directory. */
export const TPG_FILES = { enable: 'enable', nexus: 'nexus', address: 'address', dynamicSessions: 'dynamic_sessions' } as const;

/**
 * The files whose values a plan that removes everything reads (a TPG's
 * `enable`, to disable it before its removal; discovery authentication, to
 * reset it): the rest of its read is a listing of names, kinds, modes and
 * links, without opening a file.
 */
export const CLEAR_PLAN_VALUES: readonly string[] = [TPG_FILES.enable, ...Object.values(DISCOVERY_AUTH_FILES)];

/** TPG attributes (`attrib/<name>`) the library reads by name: under `prod_mode_write_protect`, new mapped LUNs start write-protected. */
export const TPG_ATTRIBUTES = { prodModeWriteProtect: 'prod_mode_write_protect' } as const;

/** A LUN directory name: `lun_<n>` (TPG LUNs and mapped LUNs share the form). */
export function lunDirName(index: number): string {
  return `lun_${index}`;
}

/** A LUN (or mapped LUN) directory's name (`lun_<index>`). */
const LUN_DIR_NAME = /^lun_(\d+)$/;

/** Parses `lun_<n>`; null when it is not one. */
export function parseLunDirName(name: string): number | null {
  const m = LUN_DIR_NAME.exec(name);
  return m ? Number(m[1]) : null;
}

/** `<tpg>/lun` */
export function lunsPath(tpg: string): string {
  return join(tpg, 'lun');
}

/** `<tpg>/lun/lun_<n>` */
export function lunPath(tpg: string, index: number): string {
  return join(lunsPath(tpg), lunDirName(index));
}

/** Files of a TPG LUN directory. */
export const LUN_FILES = {
  aluaGroup: 'alua_tg_pt_gp',
  aluaOffline: 'alua_tg_pt_offline',
  aluaStatus: 'alua_tg_pt_status',
  aluaWriteMetadata: 'alua_tg_pt_write_md',
} as const;

/** `<tpg>/np` */
export function portalsPath(tpg: string): string {
  return join(tpg, 'np');
}

/** Directory name of a network portal: `ip:port`, IPv6 in brackets. */
export function portalDirName(ip: string, port: number): string {
  return ip.includes(':') && !ip.startsWith('[') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

/**
 * Validates and normalises a portal IP address: IPv4 as given, IPv6 (with or
 * without brackets) in its canonical compressed lower-case form without brackets.
 * @example
 * normalizePortalAddress('[0:0:0:0:0:0:0:1]'); // '::1'
 */
export function normalizePortalAddress(ip: unknown): string {
  if (typeof ip !== 'string') throw new RTSLibInvalidArgumentError('ip', `expected a string, got ${typeof ip}`);
  const bare = ip.startsWith('[') && ip.endsWith(']') ? ip.slice(1, -1) : ip;
  const family = isIP(bare);
  if (family === 4) return bare;
  if (family === 6) {
    if (bare.includes('%')) throw new RTSLibInvalidArgumentError('ip', `zone ids are not supported: ${JSON.stringify(ip)}`);
    try {
      return new URL(`http://[${bare}]/`).hostname.slice(1, -1);
    } catch {
      return bare.toLowerCase();
    }
  }
  throw new RTSLibInvalidArgumentError('ip', `${JSON.stringify(ip)} is not an IPv4 or IPv6 address`);
}

/** Parses a portal directory name into its address (IPv6 without brackets) and port. */
export function parsePortalDirName(name: string): { ip: string; port: number } | null {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(name);
  if (!m) return null;
  return { ip: (m[1] ?? m[2]) as string, port: Number(m[3]) };
}

/** `<tpg>/np/<ip>:<port>` */
export function portalPath(tpg: string, ip: string, port: number): string {
  return join(portalsPath(tpg), portalDirName(ip, port));
}

/** `<tpg>/acls` */
export function aclsPath(tpg: string): string {
  return join(tpg, 'acls');
}

/** `<tpg>/acls/<initiator>` */
export function aclPath(tpg: string, initiator: string): string {
  return join(aclsPath(tpg), initiator);
}

/** Files of a node ACL directory. */
export const ACL_FILES = { cmdsnDepth: 'cmdsn_depth', tag: 'tag', info: 'info' } as const;

/** `<acl>/lun_<n>` */
export function mappedLunPath(acl: string, index: number): string {
  return join(acl, lunDirName(index));
}

/** Files of a mapped LUN directory. */
export const MAPPED_LUN_FILES = { writeProtect: 'write_protect' } as const;

/** Splits a relative path into its parent and last segment. */
export function splitPath(path: string): { parent: string; name: string } {
  const i = path.lastIndexOf('/');
  return i < 0 ? { parent: '', name: path } : { parent: path.slice(0, i), name: path.slice(i + 1) };
}

/**
 * Resolves a configfs symlink's target (as `readlink` returns it, relative to
 * the link's directory or absolute) to a path relative to the target root.
 * Relative targets are resolved against the link's absolute directory, so the
 * kernel's form (`../` up to the configfs mount, then `target/...`) works.
 * Returns null when it points outside the root.
 */
export function resolveLink(linkPath: string, target: string, root: string): string | null {
  return resolveLinkUnder(linkPath, target, rootSegments(root));
}

/** The segments of an absolute root (`/sys/kernel/config/target` → `['sys', 'kernel', 'config', 'target']`). */
export function rootSegments(root: string): string[] {
  return root.split('/').filter((p) => p !== '' && p !== '.');
}

/** {@link resolveLink} with the root already split ({@link rootSegments}), for many links under one root. */
export function resolveLinkUnder(linkPath: string, target: string, rootParts: readonly string[]): string | null {
  const kernelForm = resolveUpAndDown(linkPath, target, rootParts);
  if (kernelForm !== undefined) return kernelForm;
  const parts = target.startsWith('/') ? target.split('/') : [...rootParts, ...splitPath(linkPath).parent.split('/'), ...target.split('/')];
  const out: string[] = [];
  for (const part of parts) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length === 0) return null;
      out.pop();
    } else out.push(part);
  }
  if (out.length < rootParts.length || rootParts.some((p, i) => out[i] !== p)) return null;
  return out.slice(rootParts.length).join('/');
}

/** An empty, `.` or `..` segment, or a trailing `/`. */
const UNPLAIN_SEGMENT = /(?:^|\/)(?:\.{1,2})?(?:\/|$)/;

/**
 * {@link resolveLinkUnder} of the form the kernel's `readlink` gives (`../`
 * repeated, then a plain path), from a plain link path, with string
 * operations only (a tree read resolves every LUN and mapped-LUN link);
 * undefined for any other form.
 */
function resolveUpAndDown(linkPath: string, target: string, rootParts: readonly string[]): string | null | undefined {
  let ups = 0;
  while (target.startsWith('../', ups * 3)) ups++;
  if (ups === 0) return undefined;
  const down = target.slice(ups * 3);
  if (UNPLAIN_SEGMENT.test(down) || linkPath === '' || UNPLAIN_SEGMENT.test(linkPath)) return undefined;
  // the link's directory is the root's segments, then the link path's but its last
  let depth = 0;
  for (let i = linkPath.indexOf('/'); i >= 0; i = linkPath.indexOf('/', i + 1)) depth++;
  if (ups > rootParts.length + depth) return null;
  if (ups <= depth) {
    // still inside the root: the first (depth - ups) segments of the link path, then `down`
    let end = -1;
    for (let kept = 0; kept < depth - ups; kept++) end = linkPath.indexOf('/', end + 1);
    return end < 0 ? down : `${linkPath.slice(0, end)}/${down}`;
  }
  // above the root: `down` must come back through the root's segments left behind
  const back = rootParts.slice(rootParts.length - (ups - depth)).join('/');
  if (down === back) return '';
  return down.startsWith(`${back}/`) ? down.slice(back.length + 1) : null;
}

/** Name of a network portal's iSER switch file. */
export const PORTAL_FILES = { iser: 'iser', offload: 'cxgbit' } as const;

/** `<acl>/auth/<name>` */
export function aclAuthPath(acl: string, name: string): string {
  return join(groupPath(acl, 'auth'), name);
}

/**
 * The kinds of directories and links that are made by `mkdir` and `symlink`
 * (everything else in the tree, the attribute groups and files, the kernel
 * makes and removes with them).
 */
export type NodeType = 'hba' | 'storageObject' | 'aluaGroup' | 'target' | 'tpg' | 'lun' | 'lunLink' | 'portal' | 'acl' | 'mappedLun' | 'mappedLunLink';

/**
 * The directories the kernel makes inside a node to hold its child nodes (a
 * TPG's LUNs, portals and ACLs; a storage object's ALUA groups). Other
 * nodes hold their child nodes directly (a target its TPGs, an ACL its
 * mapped LUNs, an HBA its storage objects).
 */
export const CHILD_NODE_GROUPS: Readonly<Partial<Record<NodeType, readonly string[]>>> = { tpg: ['lun', 'np', 'acls'], storageObject: ['alua'] };

/**
 * What user-made node a root-relative path is, from its shape alone: an HBA
 * (`core/<plugin>_<n>`), a storage object, an ALUA group other than the
 * default one, a target (`<fabric>/<wwn>`), a TPG, a LUN and its link, a
 * portal, an ACL, a mapped LUN and its link. Null for the kernel's own
 * directories (attribute groups, `core/alua`, `discovery_auth`, statistics)
 * and for the fabric directories themselves.
 */
export function nodeType(path: string, kind: 'dir' | 'link'): NodeType | null {
  // Called for every directory and link of large trees (plans, undo images):
  // the segments are found by position, without splitting the path.
  const s1 = path.indexOf('/');
  if (s1 < 0) return null;
  const s2 = path.indexOf('/', s1 + 1);
  if (path.startsWith(CORE_DIR) && s1 === CORE_DIR.length) {
    if (kind !== 'dir' || !HBA_DIR_NAME.test(path.slice(s1 + 1, s2 < 0 ? undefined : s2))) return null;
    if (s2 < 0) return 'hba';
    const s3 = path.indexOf('/', s2 + 1);
    if (s3 < 0) return 'storageObject';
    const s4 = path.indexOf('/', s3 + 1);
    if (s4 < 0 || path.indexOf('/', s4 + 1) >= 0) return null;
    return path.slice(s3 + 1, s4) === 'alua' && path.slice(s4 + 1) !== DEFAULT_ALUA_GROUP ? 'aluaGroup' : null;
  }
  if (s2 < 0) return kind === 'dir' && path.slice(s1 + 1) !== DISCOVERY_AUTH_DIR ? 'target' : null;
  const s3 = path.indexOf('/', s2 + 1);
  if (!TPG_DIR_NAME.test(path.slice(s2 + 1, s3 < 0 ? undefined : s3))) return null;
  if (s3 < 0) return kind === 'dir' ? 'tpg' : null;
  const s4 = path.indexOf('/', s3 + 1);
  if (s4 < 0) return null;
  const group = path.slice(s3 + 1, s4);
  const s5 = path.indexOf('/', s4 + 1);
  if (s5 < 0) {
    if (kind !== 'dir') return null;
    if (group === 'lun') return LUN_DIR_NAME.test(path.slice(s4 + 1)) ? 'lun' : null;
    if (group === 'np') return 'portal';
    if (group === 'acls') return 'acl';
    return null;
  }
  const s6 = path.indexOf('/', s5 + 1);
  if (s6 < 0) {
    if (group === 'lun' && kind === 'link' && LUN_DIR_NAME.test(path.slice(s4 + 1, s5))) return 'lunLink';
    if (group === 'acls' && kind === 'dir' && LUN_DIR_NAME.test(path.slice(s5 + 1))) return 'mappedLun';
    return null;
  }
  if (path.indexOf('/', s6 + 1) >= 0) return null;
  return group === 'acls' && kind === 'link' && LUN_DIR_NAME.test(path.slice(s5 + 1, s6)) ? 'mappedLunLink' : null;
}

/** The nearest user-made node at or above `path` (a file's owner), or null. */
export function ownerNode(path: string): { path: string; type: NodeType } | null {
  const parts = path.split('/');
  for (let n = parts.length; n > 0; n--) {
    const candidate = parts.slice(0, n).join('/');
    const type = nodeType(candidate, 'dir');
    if (type) return { path: candidate, type };
  }
  return null;
}
