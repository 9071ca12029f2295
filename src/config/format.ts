/**
 * Small facts of the saveconfig.json format shared by dump, the planner and
 * the schema: the ALUA settings saved per group and how a LUN names its
 * storage object (`/backstores/<plugin>/<name>`).
 */
import { PLUGINS, type PluginName } from '../cfs/plugins.js';
import { ACL_AUTH_FILES } from '../cfs/tree.js';

/** ALUA settings saved per group (alua_rw_params of rtslib-fb), all integers. */
export const ALUA_SAVED_SETTINGS = [
  'alua_access_state',
  'alua_access_status',
  'alua_access_type',
  'alua_write_metadata',
  'preferred',
  'nonop_delay_msecs',
  'trans_delay_msecs',
  'implicit_trans_secs',
  'alua_support_offline',
  'alua_support_standby',
  'alua_support_transitioning',
  'alua_support_active_nonoptimized',
  'alua_support_unavailable',
  'alua_support_active_optimized',
] as const;

/** `/backstores/<plugin>/<name>` of a storage object. */
export function storageObjectRef(plugin: PluginName, name: string): string {
  return `/backstores/${plugin}/${name}`;
}

/** Splits `/backstores/<plugin>/<name>`. */
export function parseStorageObjectRef(ref: string): { plugin: PluginName; name: string } | null {
  const m = /^\/backstores\/([^/]+)\/([^/]+)$/.exec(ref);
  if (!m || !Object.prototype.hasOwnProperty.call(PLUGINS, m[1]!)) return null;
  return { plugin: m[1] as PluginName, name: m[2]! };
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
