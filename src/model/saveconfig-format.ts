/**
 * The saveconfig.json format as rtslib-fb 2.1.75 writes it: the type of each
 * entry (what `dump()` returns, at every level), and the small facts shared
 * by the dump, the planner and the schema (the ALUA settings saved per group,
 * how a LUN names its storage object, the CHAP and discovery keys). The
 * config layer validates files against these types (config/schema.ts).
 */
import { PLUGINS, type PluginName } from '../cfs/plugins.js';
import type { FabricName } from '../cfs/fabrics.js';
import { ACL_AUTH_FILES, ALUA_GROUP_SETTINGS, type AluaGroupSetting } from '../cfs/tree.js';

/** An ALUA setting saved per group. */
export type AluaSavedSetting = Exclude<AluaGroupSetting, 'alua_support_lba_dependent'>;

/** ALUA settings saved per group (rtslib-fb's `alua_rw_params`: every setting but `alua_support_lba_dependent`), all integers. */
export const ALUA_SAVED_SETTINGS = ALUA_GROUP_SETTINGS.filter((s): s is AluaSavedSetting => s !== 'alua_support_lba_dependent');

/** `attributes` of an entry: rtslib-fb saves values that parse as integers as integers. */
export type SavedAttributes = Record<string, number | string>;
/** `parameters` of an entry, saved as text. */
export type SavedParameters = Record<string, string>;

/** An ALUA target port group entry of a storage object (`alua_tpgs`). */
export type AluaTpgConfig = {
  /** The group's name. */
  name: string;
  /** Its id (`tg_pt_gp_id`). */
  tg_pt_gp_id: number;
} & { [S in AluaSavedSetting]?: number | undefined };

/** What every storage object entry has. */
interface StorageObjectEntry {
  /** The object's name. */
  name: string;
  /** Its readable and writable attributes. */
  attributes?: SavedAttributes | undefined;
  /** Its ALUA groups (none when the plugin has none). */
  alua_tpgs?: AluaTpgConfig[] | undefined;
}

/** A block (iblock) storage object entry. */
export interface BlockStorageObjectConfig extends StorageObjectEntry {
  plugin: 'block';
  /** The block device. */
  dev: string;
  /** The unit serial. */
  wwn?: string | undefined;
  /** Whether the write cache is emulated. */
  write_back?: boolean | undefined;
  /** Whether the device is opened read-only. */
  readonly?: boolean | undefined;
  /** Whether the device is claimed exclusively (rtslib-fb 2.1.76+). */
  exclusive?: boolean | undefined;
}

/** A fileio storage object entry. */
export interface FileIOStorageObjectConfig extends StorageObjectEntry {
  plugin: 'fileio';
  /** The backing file or block device. */
  dev: string;
  /** The unit serial. */
  wwn?: string | undefined;
  /** Whether writes are cached. */
  write_back?: boolean | undefined;
  /** The pre-2.1.fb50 name of `write_back` (accepted, ignored as rtslib-fb ignores it). */
  buffered_mode?: boolean | undefined;
  /** Size in bytes (a block device's own size, or 0 in older files). */
  size?: number | undefined;
  /** Whether asynchronous I/O is used. */
  aio?: boolean | undefined;
}

/** A ramdisk (rd_mcp) storage object entry. */
export interface RamdiskStorageObjectConfig extends StorageObjectEntry {
  plugin: 'ramdisk';
  /** The unit serial. */
  wwn?: string | undefined;
  /** Size in bytes. */
  size: number;
  /** Whether it has no backing pages. */
  nullio?: boolean | undefined;
}

/** A pscsi storage object entry. */
export interface PSCSIStorageObjectConfig extends StorageObjectEntry {
  plugin: 'pscsi';
  /** The SCSI device passed through. */
  dev: string;
}

/** A user (TCMU) storage object entry. */
export interface UserStorageObjectConfig extends StorageObjectEntry {
  plugin: 'user';
  /** The unit serial. */
  wwn?: string | undefined;
  /** Size in bytes. */
  size: number;
  /** The handler's config string. */
  config: string;
  /** Maximum sectors per command. */
  hw_max_sectors?: number | undefined;
  /** Extra control keys (`key=value,...`; rtslib-fb writes '' when none). */
  control?: string | undefined;
}

/** A storage object entry, by plugin. */
export type StorageObjectConfig = BlockStorageObjectConfig | FileIOStorageObjectConfig | RamdiskStorageObjectConfig | PSCSIStorageObjectConfig | UserStorageObjectConfig;

/** CHAP keys of TPG and ACL entries. */
export interface ChapConfig {
  chap_userid?: string | undefined;
  chap_password?: string | undefined;
  chap_mutual_userid?: string | undefined;
  chap_mutual_password?: string | undefined;
}

/** A LUN entry of a TPG. */
export interface LunConfig {
  /** The LUN's index. */
  index: number;
  /** `/backstores/<plugin>/<name>` of the object it exports. */
  storage_object: string;
  /** The name of its link to the object. */
  alias?: string | undefined;
  /** Its ALUA group (null when the object has no ALUA). */
  alua_tg_pt_gp_name?: string | null | undefined;
}

/** A network portal entry of a TPG. */
export interface PortalConfig {
  /** IPv4 address, or IPv6 in brackets. */
  ip_address: string;
  port: number;
  iser?: boolean | undefined;
  offload?: boolean | undefined;
}

/** A mapped LUN entry of a node ACL. */
export interface MappedLunConfig {
  /** The index the initiator sees. */
  index: number;
  /** The index of the TPG LUN it maps. */
  tpg_lun: number;
  write_protect?: boolean | undefined;
  /** The name of its link to the TPG LUN. */
  alias?: string | undefined;
}

/** A node ACL entry of a TPG. */
export interface NodeAclConfig extends ChapConfig {
  /** The initiator's WWN. */
  node_wwn: string;
  attributes?: SavedAttributes | undefined;
  mapped_luns?: MappedLunConfig[] | undefined;
  /** The ACL group the ACL belongs to. */
  tag?: string | undefined;
  /** The iSCSI command window under the name rtslib-fb 2.1.fb1–fb13 saved it. */
  tcq_depth?: number | undefined;
}

/** A TPG entry of a target. */
export interface TpgConfig extends ChapConfig {
  tag: number;
  /** Whether it is enabled (0/1 in older files). */
  enable?: boolean | 0 | 1 | undefined;
  attributes?: SavedAttributes | undefined;
  parameters?: SavedParameters | undefined;
  luns?: LunConfig[] | undefined;
  portals?: PortalConfig[] | undefined;
  node_acls?: NodeAclConfig[] | undefined;
}

/** A target entry. */
export interface TargetConfig {
  wwn: string;
  /** The fabric module's name (`iscsi`, `loopback`, …). */
  fabric: FabricName;
  parameters?: SavedParameters | undefined;
  tpgs?: TpgConfig[] | undefined;
}

/** A fabric module entry: its discovery authentication. */
export interface FabricModuleConfig {
  /** The fabric module's name. */
  name: FabricName;
  discovery_enable_auth?: boolean | undefined;
  discovery_userid?: string | undefined;
  discovery_password?: string | undefined;
  discovery_mutual_userid?: string | undefined;
  discovery_mutual_password?: string | undefined;
}

/** A saveconfig.json document. */
export interface SaveConfig {
  storage_objects?: StorageObjectConfig[] | undefined;
  targets?: TargetConfig[] | undefined;
  fabric_modules?: FabricModuleConfig[] | undefined;
}

/** `/backstores/<plugin>/<name>` of a storage object. */
export function storageObjectRef(plugin: PluginName, name: string): string {
  return `/backstores/${plugin}/${name}`;
}

/** What a LUN's `storage_object` must look like: `/backstores/<plugin>/<name>` of one of {@link PLUGINS} (the plugin and the name captured). */
export const STORAGE_OBJECT_REF_PATTERN = new RegExp(`^/backstores/(${Object.keys(PLUGINS).join('|')})/([^/]+)$`);

/** Splits `/backstores/<plugin>/<name>`. */
export function parseStorageObjectRef(ref: string): { plugin: PluginName; name: string } | null {
  const m = STORAGE_OBJECT_REF_PATTERN.exec(ref);
  return m ? { plugin: m[1] as PluginName, name: m[2]! } : null;
}

/** The CHAP keys of TPGs and ACLs: saveconfig key, file in the node's `auth/` group, whether it is a password. */
export const CHAP_KEYS = [
  ['chap_userid', ACL_AUTH_FILES.userid, false],
  ['chap_password', ACL_AUTH_FILES.password, true],
  ['chap_mutual_userid', ACL_AUTH_FILES.mutualUserid, false],
  ['chap_mutual_password', ACL_AUTH_FILES.mutualPassword, true],
] as const;

/** The discovery authentication keys of fabric modules: saveconfig key, file in `discovery_auth/`, whether it is a password. */
export const DISCOVERY_KEYS = [
  ['discovery_userid', 'userid', false],
  ['discovery_password', 'password', true],
  ['discovery_mutual_userid', 'userid_mutual', false],
  ['discovery_mutual_password', 'password_mutual', true],
] as const;

/** The saveconfig keys whose values are passwords. */
export const SECRET_KEYS: ReadonlySet<string> = new Set([...CHAP_KEYS, ...DISCOVERY_KEYS].filter(([, , secret]) => secret).map(([key]) => key));
