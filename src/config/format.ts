/**
 * Small facts of the saveconfig.json format shared by dump, the planner and
 * the schema: the ALUA settings saved per group and how a LUN names its
 * storage object (`/backstores/<plugin>/<name>`).
 */
import { PLUGINS, type PluginName } from '../cfs/plugins.js';
import { ACL_AUTH_FILES, ALUA_GROUP_SETTINGS, type AluaGroupSetting } from '../cfs/tree.js';

/** ALUA settings saved per group (rtslib-fb's `alua_rw_params`: every setting but `alua_support_lba_dependent`), all integers. */
export const ALUA_SAVED_SETTINGS = ALUA_GROUP_SETTINGS.filter((s): s is Exclude<AluaGroupSetting, 'alua_support_lba_dependent'> => s !== 'alua_support_lba_dependent');

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
