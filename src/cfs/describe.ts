/**
 * What a user-made node of the tree is called in messages and plans
 * (`LUN 3 of TPG 1 of iscsi iqn.…`), from its root-relative path alone.
 */
import { fabricByDir } from './fabrics.js';
import { pluginByKernelName } from './plugins.js';
import { CORE_DIR, parseHbaDirName, parseLunDirName, parseTpgDirName, type NodeType } from './tree.js';
import { wwnFromConfigfs } from './wwn.js';

/**
 * Describes the node at `path` of type `type` (see `nodeType`).
 * @example
 * describeNode('core/rd_mcp_0/ram1', 'storageObject'); // 'storage object ramdisk/ram1'
 */
export function describeNode(path: string, type: NodeType): string {
  if (type === 'lunLink' || type === 'mappedLunLink') {
    // a link is named by the LUN or mapped LUN directory that holds it
    return `link of ${describeNode(path.slice(0, path.lastIndexOf('/')), type === 'lunLink' ? 'lun' : 'mappedLun')}`;
  }
  if (type === 'mappedLun') {
    // thousands per ACL in a clear: the ACL's part is made once per ACL, the path not split again
    const slash = path.lastIndexOf('/');
    const acl = path.slice(0, slash);
    if (lastAcl?.path !== acl) lastAcl = { path: acl, text: aclOfMappedLuns(acl.split('/')) };
    return `mapped LUN ${parseLunDirName(path.slice(slash + 1))} of ${lastAcl.text}`;
  }
  const parts = path.split('/');
  if (parts[0] === CORE_DIR) {
    const hba = parseHbaDirName(parts[1] as string);
    const plugin = hba ? pluginByKernelName(hba.plugin).name : parts[1];
    if (type === 'hba') return `HBA ${path}`;
    if (type === 'storageObject') return `storage object ${plugin}/${parts[2]}`;
    return `ALUA group ${parts[4]} of storage object ${plugin}/${parts[2]}`;
  }
  const fabric = fabricByDir(parts[0] as string);
  const wwn = (name: string): string => (fabric ? wwnFromConfigfs(fabric, name) : name);
  if (type === 'target') return `target ${fabric?.name ?? parts[0]} ${wwn(parts[1] as string)}`;
  const tpg = tpgDescription(parts, fabric?.name ?? (parts[0] as string), wwn);
  switch (type) {
    case 'tpg':
      return tpg;
    case 'lun':
      return `LUN ${parseLunDirName(parts[4] as string)} of ${tpg}`;
    case 'portal':
      return `portal ${parts[4]} of ${tpg}`;
    case 'acl':
      return `ACL ${wwn(parts[4] as string)} of ${tpg}`;
    default:
      // a type the path's shape does not have (a storage object's type on a fabric's path): named as it was given
      return `${type} ${path}`;
  }
}

/** The last ACL whose mapped LUNs were described, by its path. */
let lastAcl: { path: string; text: string } | null = null;

/** `ACL <wwn> in TPG <tag> of <fabric> <wwn>` for the ACL of the path's segments. */
function aclOfMappedLuns(parts: readonly string[]): string {
  const fabric = fabricByDir(parts[0] as string);
  const wwn = (name: string): string => (fabric ? wwnFromConfigfs(fabric, name) : name);
  return `ACL ${wwn(parts[4] as string)} in ${tpgDescription(parts, fabric?.name ?? (parts[0] as string), wwn)}`;
}

/** The last TPG described, by its path: a plan describes every node of a TPG one after another. */
let lastTpg: { path: string; text: string } | null = null;

/** `TPG <tag> of <fabric> <wwn>` for the TPG of the path's segments. */
function tpgDescription(parts: readonly string[], fabricName: string, wwn: (name: string) => string): string {
  const path = `${parts[0]}/${parts[1]}/${parts[2]}`;
  if (lastTpg?.path !== path) lastTpg = { path, text: `TPG ${parseTpgDirName(parts[2] as string)} of ${fabricName} ${wwn(parts[1] as string)}` };
  return lastTpg.text;
}
