/**
 * The `rtslib ls` tree: a saveconfig.json document drawn like `targetcli ls`,
 * backstores first (every plugin), then each fabric that has targets (or
 * discovery settings) with targets, TPGs, ACLs, LUNs and portals. Pure, and
 * deterministic: siblings are sorted by name or index. CHAP user ids are
 * shown; passwords are never read.
 */
import { FABRICS, isFabricName } from '../cfs/fabrics.js';
import type { PluginName } from '../cfs/plugins.js';
import type {
  AluaTpgConfig,
  FabricModuleConfig,
  MappedLunConfig,
  NodeAclConfig,
  PortalConfig,
  SaveConfig,
  StorageObjectConfig,
  TargetConfig,
  TpgConfig,
  LunConfig,
} from '../model/saveconfig-format.js';
import { formatSize } from './size-format.js';
import { findNode, renderTree, type TreeNode } from './text-tree.js';

/** The backstore plugins in the order `ls` lists them. */
const PLUGIN_ORDER: readonly PluginName[] = ['block', 'fileio', 'pscsi', 'ramdisk', 'user'];

/** ALUA access states by number (SPC-4 asymmetric access states). */
const ALUA_STATES: Readonly<Record<number, string>> = {
  0: 'Active/optimized',
  1: 'Active/non-optimized',
  2: 'Standby',
  3: 'Unavailable',
  4: 'LBA dependent',
  14: 'Offline',
  15: 'Transitioning',
};

/** Code-point order, independent of the locale. */
function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function count(what: string, n: number): string {
  return `${what}: ${n}`;
}

function joinParts(parts: readonly (string | false | undefined)[]): string | undefined {
  const kept = parts.filter((p): p is string => typeof p === 'string' && p.length > 0);
  return kept.length ? kept.join(', ') : undefined;
}

function withSummary(label: string, summary: string | undefined, children?: readonly TreeNode[]): TreeNode {
  return { label, ...(summary === undefined ? {} : { summary }), ...(children === undefined ? {} : { children }) };
}

function cacheMode(writeBack: boolean | undefined): string | undefined {
  return writeBack === undefined ? undefined : writeBack ? 'write-back' : 'write-thru';
}

/** The bracketed summary of a storage object: device or file, size, cache mode and flags. */
export function storageObjectSummary(so: StorageObjectConfig): string | undefined {
  switch (so.plugin) {
    case 'block':
      return joinParts([so.dev, cacheMode(so.write_back), so.readonly === true && 'read-only', so.exclusive === true && 'exclusive']);
    case 'fileio':
      return joinParts([
        so.dev,
        so.size === undefined ? undefined : formatSize(so.size),
        cacheMode(so.write_back),
        so.aio === true && 'aio',
        so.buffered_mode === true && 'buffered',
      ]);
    case 'pscsi':
      return so.dev;
    case 'ramdisk':
      return joinParts([formatSize(so.size), so.nullio === true && 'nullio']);
    case 'user':
      return joinParts([so.config, formatSize(so.size)]);
  }
}

function aluaGroupNode(group: AluaTpgConfig): TreeNode {
  const state = group.alua_access_state === undefined ? undefined : (ALUA_STATES[group.alua_access_state] ?? `state ${group.alua_access_state}`);
  return withSummary(group.name, joinParts([`id ${group.tg_pt_gp_id}`, state]));
}

function storageObjectNode(so: StorageObjectConfig): TreeNode {
  const groups = [...(so.alua_tpgs ?? [])].sort((a, b) => a.tg_pt_gp_id - b.tg_pt_gp_id);
  const children = groups.length ? [withSummary('alua', count('ALUA Groups', groups.length), groups.map(aluaGroupNode))] : undefined;
  return withSummary(so.name, storageObjectSummary(so), children);
}

function backstoresNode(storageObjects: readonly StorageObjectConfig[]): TreeNode {
  return {
    label: 'backstores',
    children: PLUGIN_ORDER.map((plugin) => {
      const objects = storageObjects.filter((so) => so.plugin === plugin).sort((a, b) => byText(a.name, b.name));
      return withSummary(plugin, count('Storage Objects', objects.length), objects.map(storageObjectNode));
    }),
  };
}

function chapParts(holder: { chap_userid?: string | undefined; chap_mutual_userid?: string | undefined }): (string | undefined)[] {
  return [holder.chap_userid ? `chap user ${holder.chap_userid}` : undefined, holder.chap_mutual_userid ? `mutual chap user ${holder.chap_mutual_userid}` : undefined];
}

function mappedLunNode(mapped: MappedLunConfig): TreeNode {
  return withSummary(`mapped_lun${mapped.index} -> lun${mapped.tpg_lun}`, mapped.write_protect === true ? 'ro' : 'rw');
}

function aclNode(acl: NodeAclConfig): TreeNode {
  const mapped = [...(acl.mapped_luns ?? [])].sort((a, b) => a.index - b.index);
  const summary = joinParts([acl.tag ? `tag ${acl.tag}` : undefined, ...chapParts(acl), count('Mapped LUNs', mapped.length)]);
  return withSummary(acl.node_wwn, summary, mapped.map(mappedLunNode));
}

function lunNode(lun: LunConfig): TreeNode {
  return withSummary(`lun${lun.index} -> ${lun.storage_object}`, lun.alua_tg_pt_gp_name ? `alua ${lun.alua_tg_pt_gp_name}` : undefined);
}

/** `ip:port`, with IPv6 addresses in brackets. */
export function portalAddress(portal: PortalConfig): string {
  const ip = portal.ip_address.includes(':') && !portal.ip_address.startsWith('[') ? `[${portal.ip_address}]` : portal.ip_address;
  return `${ip}:${portal.port}`;
}

function portalNode(portal: PortalConfig): TreeNode {
  return withSummary(portalAddress(portal), joinParts([portal.iser === true && 'iser', portal.offload === true && 'offload']));
}

function flagAttribute(tpg: TpgConfig, name: string, on: string, off: string): string | undefined {
  const value = tpg.attributes?.[name];
  if (value === undefined) return undefined;
  return Number(value) === 1 ? on : off;
}

function tpgNode(tpg: TpgConfig, features: readonly string[]): TreeNode {
  const enabled = tpg.enable === false || tpg.enable === 0 ? 'disabled' : 'enabled';
  const summary = joinParts([
    enabled,
    flagAttribute(tpg, 'generate_node_acls', 'gen-acls', 'no-gen-acls'),
    flagAttribute(tpg, 'authentication', 'auth', 'no-auth'),
    ...chapParts(tpg),
  ]);
  const children: TreeNode[] = [];
  const acls = [...(tpg.node_acls ?? [])].sort((a, b) => byText(a.node_wwn, b.node_wwn));
  if (acls.length || features.includes('acls')) children.push(withSummary('acls', count('ACLs', acls.length), acls.map(aclNode)));
  const luns = [...(tpg.luns ?? [])].sort((a, b) => a.index - b.index);
  children.push(withSummary('luns', count('LUNs', luns.length), luns.map(lunNode)));
  const portals = [...(tpg.portals ?? [])].sort((a, b) => byText(a.ip_address, b.ip_address) || a.port - b.port);
  if (portals.length || features.includes('nps')) children.push(withSummary('portals', count('Portals', portals.length), portals.map(portalNode)));
  return withSummary(`tpg${tpg.tag}`, summary, children);
}

function targetNode(target: TargetConfig): TreeNode {
  const features = isFabricName(target.fabric) ? FABRICS[target.fabric].features : [];
  const tpgs = [...(target.tpgs ?? [])].sort((a, b) => a.tag - b.tag);
  return withSummary(
    target.wwn,
    count('TPGs', tpgs.length),
    tpgs.map((tpg) => tpgNode(tpg, features)),
  );
}

function discoverySummary(module: FabricModuleConfig | undefined): string | undefined {
  if (!module) return undefined;
  return joinParts([
    module.discovery_enable_auth === undefined ? undefined : `discovery auth ${module.discovery_enable_auth ? 'enabled' : 'disabled'}`,
    module.discovery_userid ? `discovery user ${module.discovery_userid}` : undefined,
    module.discovery_mutual_userid ? `discovery mutual user ${module.discovery_mutual_userid}` : undefined,
  ]);
}

function fabricNodes(config: SaveConfig): TreeNode[] {
  const targets = config.targets ?? [];
  const modules = config.fabric_modules ?? [];
  const known = Object.keys(FABRICS);
  const names = [...new Set([...targets.map((t) => t.fabric), ...modules.map((m) => m.name)])].sort((a, b) => known.indexOf(a) - known.indexOf(b) || byText(a, b));
  return names.map((fabric) => {
    const own = targets.filter((t) => t.fabric === fabric).sort((a, b) => byText(a.wwn, b.wwn));
    const summary = joinParts([count('Targets', own.length), discoverySummary(modules.find((m) => m.name === fabric))]);
    return withSummary(fabric, summary, own.map(targetNode));
  });
}

/** The tree `rtslib ls` draws for a config. */
export function configTree(config: SaveConfig): TreeNode {
  return { label: '/', children: [backstoresNode(config.storage_objects ?? []), ...fabricNodes(config)] };
}

/**
 * The lines of `rtslib ls` for a config, `width` columns wide: the whole
 * tree, or the subtree at `path` (`/backstores/fileio`, `/iscsi/<wwn>/tpg1`;
 * null when there is no such node).
 * @example
 * writeLines(io.stdout, treeView(await dumpConfig(root, { secrets: false }))!);
 */
export function treeView(config: SaveConfig, options: { path?: string; width?: number } = {}): string[] | null {
  const node = findNode(configTree(config), options.path ?? '/');
  return node ? renderTree(node, options.width) : null;
}
