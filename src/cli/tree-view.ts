/**
 * The `rtslib ls` tree: a saveconfig.json document drawn as `targetcli ls`
 * draws the same tree, with targetcli's names and summaries (storage objects
 * with size, cache mode and activated/deactivated; TPGs with nexus, ACL
 * generation and authentication; ACL groups; LUN and ACL counts), siblings
 * in targetcli's order. Unlike targetcli it lists only the fabrics that have
 * targets or discovery authentication, and no module is loaded to draw it.
 * Pure and deterministic; passwords are tested for presence, never drawn.
 */
import { FABRICS, isFabricName } from '../cfs/fabrics.js';
import {
  storageObjectRef,
  type AluaTpgConfig,
  type FabricModuleConfig,
  type MappedLunConfig,
  type NodeAclConfig,
  type PortalConfig,
  type SaveConfig,
  type StorageObjectConfig,
  type TargetConfig,
  type TpgConfig,
  type LunConfig,
} from '../model/saveconfig-format.js';
import { humanSize } from './size-format.js';
import { findNode, renderTree, type TreeNode } from './text-tree.js';

/** ALUA access states by number, as targetcli names them. */
const ALUA_STATES: Readonly<Record<number, string>> = {
  0: 'Active/optimized',
  1: 'Active/non-optimized',
  2: 'Standby',
  3: 'Unavailable',
  4: 'LBA Dependent',
  14: 'Offline',
  15: 'Transitioning',
};

/**
 * What `ls` shows that the saveconfig document does not hold: read by the
 * command from the tree and the system, passed in so the drawing stays pure.
 */
export interface TreeFacts {
  /** Bytes of the block device at `dev` (a block storage object's size). */
  deviceSize?: (dev: string) => number | undefined;
  /** The I_T nexus of a TPG of a fabric that has one (loopback, vhost). */
  nexus?: (fabric: string, wwn: string, tag: number) => string | undefined;
}

/** targetcli's order of siblings: by name, a trailing number compared as a number (lun2 before lun10). */
function sortingKey(label: string): [string, number] {
  const m = /^(.*?)(\d+)$/.exec(label);
  return m ? [m[1] as string, Number(m[2])] : [label, 0];
}

function byLabel(a: TreeNode, b: TreeNode): number {
  const [ap, an] = sortingKey(a.label);
  const [bp, bn] = sortingKey(b.label);
  return ap < bp ? -1 : ap > bp ? 1 : an - bn;
}

function node(label: string, summary: string | undefined, children?: readonly TreeNode[]): TreeNode {
  return { label, ...(summary ? { summary } : {}), ...(children === undefined ? {} : { children: [...children].sort(byLabel) }) };
}

/** Code-point order, independent of the locale. */
function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function count(what: string, n: number): string {
  return `${what}: ${n}`;
}

/** Whether a flag setting (`1`, `true`) is on. */
function on(value: unknown): boolean {
  return value === true || Number(value) === 1;
}

function cacheMode(writeBack: boolean | undefined): string {
  return writeBack ? 'write-back' : 'write-thru';
}

/** The storage object references (`/backstores/fileio/disk1`) some LUN uses: the kernel's "activated" objects. */
function exportedObjects(config: SaveConfig): Set<string> {
  return new Set((config.targets ?? []).flatMap((t) => (t.tpgs ?? []).flatMap((g) => (g.luns ?? []).map((l) => l.storage_object))));
}

/**
 * The bracketed summary of a storage object, as targetcli words it: device
 * or file, size, cache mode, then `activated` (a LUN uses it) or
 * `deactivated`.
 */
export function storageObjectSummary(so: StorageObjectConfig, activated: boolean, facts: TreeFacts = {}): string {
  const status = activated ? 'activated' : 'deactivated';
  const size = (bytes: number | undefined): string => (bytes === undefined ? '(unknown size)' : `(${humanSize(bytes)})`);
  switch (so.plugin) {
    case 'block':
      return `${so.dev} ${size(facts.deviceSize?.(so.dev))} ${so.readonly ? 'ro ' : ''}${cacheMode(so.write_back)} ${status}`;
    case 'fileio':
      return `${so.dev} ${size(so.size)} ${cacheMode(so.write_back)} ${status}`;
    case 'pscsi':
      return `${so.dev} ${status}`;
    case 'ramdisk':
      return `${so.nullio ? 'nullio ' : ''}${size(so.size)} ${status}`;
    case 'user': {
      const config = so.config ? so.config.slice(so.config.indexOf('/') + 1) : '(no config)';
      return `${config} ${size(so.size)} ${status}`;
    }
  }
}

function aluaGroupNode(group: AluaTpgConfig): TreeNode {
  const state = group.alua_access_state ?? 0;
  return node(group.name, `ALUA state: ${ALUA_STATES[state] ?? String(state)}`);
}

function storageObjectNode(so: StorageObjectConfig, exported: ReadonlySet<string>, facts: TreeFacts): TreeNode {
  const groups = so.alua_tpgs ?? [];
  const alua = node('alua', count('ALUA Groups', groups.length), groups.map(aluaGroupNode));
  return node(so.name, storageObjectSummary(so, exported.has(storageObjectRef(so.plugin, so.name)), facts), [alua]);
}

/** The backstore node a storage object is listed under: its plugin, `user:<handler>` for TCMU objects (as targetcli). */
function backstoreName(so: StorageObjectConfig): string {
  if (so.plugin !== 'user') return so.plugin;
  return `user:${so.config.split('/')[0] ?? ''}`;
}

function backstoresNode(config: SaveConfig, facts: TreeFacts): TreeNode {
  const objects = config.storage_objects ?? [];
  const exported = exportedObjects(config);
  const names = new Set<string>(['block', 'fileio', 'pscsi', 'ramdisk', ...objects.map(backstoreName)]);
  return node(
    'backstores',
    undefined,
    [...names].map((name) => {
      const own = objects.filter((so) => backstoreName(so) === name);
      return node(
        name,
        count('Storage Objects', own.length),
        own.map((so) => storageObjectNode(so, exported, facts)),
      );
    }),
  );
}

/** Whether both mutual CHAP credentials are set: the kernel's `authenticate_target` (passwords are only tested for presence). */
function authenticatesTarget(holder: { chap_mutual_userid?: string | undefined; chap_mutual_password?: string | undefined }): boolean {
  return !!holder.chap_mutual_userid && !!holder.chap_mutual_password;
}

function storageObjectName(ref: string): string {
  return ref.replace(/^\/backstores\//, '');
}

function mappedLunNode(mapped: MappedLunConfig, luns: ReadonlyMap<number, LunConfig>): TreeNode {
  const lun = luns.get(mapped.tpg_lun);
  const summary = lun ? `lun${mapped.tpg_lun} ${storageObjectName(lun.storage_object)} (${mapped.write_protect ? 'ro' : 'rw'})` : 'BROKEN LUN LINK';
  return node(`mapped_lun${mapped.index}`, summary);
}

/** The ACL nodes of a TPG: one per untagged ACL, one per tag for the ACLs that share it (targetcli's groups). */
function aclNodes(tpg: TpgConfig, auth: boolean, luns: ReadonlyMap<number, LunConfig>): TreeNode[] {
  const byName = new Map<string, NodeAclConfig[]>();
  for (const acl of tpg.node_acls ?? []) {
    const name = acl.tag || acl.node_wwn;
    byName.set(name, [...(byName.get(name) ?? []), acl]);
  }
  return [...byName].map(([name, group]) => {
    const members = [...group].sort((a, b) => byText(a.node_wwn, b.node_wwn));
    const first = members[0] as NodeAclConfig;
    const parts: string[] = [];
    if (name !== first.node_wwn) parts.push(members.length > 1 ? `(group of ${members.length})` : `(${first.node_wwn})`);
    if (auth && on(tpg.attributes?.['authentication'])) {
      if (on(tpg.attributes?.['generate_node_acls'])) parts.push('auth via tpg');
      else parts.push(authenticatesTarget(first) ? 'mutual auth' : '1-way auth');
    }
    const mapped = first.mapped_luns ?? [];
    parts.push(count('Mapped LUNs', mapped.length));
    return node(
      name,
      parts.join(', '),
      mapped.map((m) => mappedLunNode(m, luns)),
    );
  });
}

function lunNode(lun: LunConfig, devices: ReadonlyMap<string, string>): TreeNode {
  const dev = devices.get(lun.storage_object);
  return node(`lun${lun.index}`, `${storageObjectName(lun.storage_object)}${dev ? ` (${dev})` : ''} (${lun.alua_tg_pt_gp_name ?? 'None'})`);
}

/** `ip:port`, with IPv6 addresses in brackets. */
export function portalAddress(portal: PortalConfig): string {
  const ip = portal.ip_address.includes(':') && !portal.ip_address.startsWith('[') ? `[${portal.ip_address}]` : portal.ip_address;
  return `${ip}:${portal.port}`;
}

function portalNode(portal: PortalConfig): TreeNode {
  return node(portalAddress(portal), portal.iser ? 'iser' : portal.offload ? 'offload' : 'OK');
}

/** targetcli's TPG summary: the nexus, then ACL generation and authentication. */
function tpgSummary(tpg: TpgConfig, features: readonly string[], nexus: string | undefined): string {
  if (tpg.enable === false || tpg.enable === 0) return 'disabled';
  const parts: string[] = [];
  if (features.includes('nexus')) parts.push(nexus ?? 'None');
  if (features.includes('acls')) {
    const generated = on(tpg.attributes?.['generate_node_acls']);
    parts.push(generated ? 'gen-acls' : 'no-gen-acls');
    if (features.includes('auth')) {
      if (!on(tpg.attributes?.['authentication'])) parts.push('no-auth');
      else if (!generated) parts.push('auth per-acl');
      else {
        parts.push('tpg-auth');
        if (authenticatesTarget(tpg)) parts.push('mutual auth');
        else parts.push('1-way auth');
      }
    }
  }
  return parts.join(', ');
}

function tpgNode(target: TargetConfig, tpg: TpgConfig, features: readonly string[], devices: ReadonlyMap<string, string>, facts: TreeFacts): TreeNode {
  const luns = new Map((tpg.luns ?? []).map((l) => [l.index, l]));
  const children: TreeNode[] = [];
  if (features.includes('acls')) {
    const acls = aclNodes(tpg, features.includes('auth'), luns);
    children.push(node('acls', count('ACLs', acls.length), acls));
  }
  children.push(
    node(
      'luns',
      count('LUNs', luns.size),
      [...luns.values()].map((l) => lunNode(l, devices)),
    ),
  );
  if (features.includes('nps')) {
    const portals = tpg.portals ?? [];
    children.push(node('portals', count('Portals', portals.length), portals.map(portalNode)));
  }
  return node(`tpg${tpg.tag}`, tpgSummary(tpg, features, facts.nexus?.(target.fabric, target.wwn, tpg.tag)), children);
}

/**
 * A target: its TPGs below it, or, for a fabric with one TPG per target
 * (no `tpgts`: loopback, FC, ...), that TPG drawn as the target itself, as
 * targetcli draws it.
 */
function targetNode(target: TargetConfig, devices: ReadonlyMap<string, string>, facts: TreeFacts): TreeNode {
  const features = isFabricName(target.fabric) ? FABRICS[target.fabric].features : [];
  const tpgs = (target.tpgs ?? []).map((tpg) => tpgNode(target, tpg, features, devices, facts));
  const only = tpgs[0];
  if (!features.includes('tpgts') && tpgs.length === 1 && only) return { ...only, label: target.wwn };
  return node(target.wwn, count('TPGs', tpgs.length), tpgs);
}

/** targetcli's fabric summary: how discovery is authenticated (when it is), and the target count. */
function fabricSummary(module: FabricModuleConfig | undefined, targets: number): string {
  const parts: string[] = [];
  if (module?.discovery_enable_auth) parts.push(module.discovery_mutual_userid && module.discovery_mutual_password ? 'mutual disc auth' : '1-way disc auth');
  parts.push(count('Targets', targets));
  return parts.join(', ');
}

function fabricNodes(config: SaveConfig, facts: TreeFacts): TreeNode[] {
  const targets = config.targets ?? [];
  const modules = config.fabric_modules ?? [];
  const devices = new Map((config.storage_objects ?? []).flatMap((so): [string, string][] => ('dev' in so ? [[storageObjectRef(so.plugin, so.name), so.dev]] : [])));
  const names = [...new Set([...targets.map((t) => t.fabric), ...modules.map((m) => m.name)])];
  return names.map((fabric) => {
    const own = targets.filter((t) => t.fabric === fabric);
    return node(
      fabric,
      fabricSummary(
        modules.find((m) => m.name === fabric),
        own.length,
      ),
      own.map((t) => targetNode(t, devices, facts)),
    );
  });
}

/**
 * The tree `rtslib ls` draws for a config. Passwords are only tested for
 * presence (mutual authentication is on when both mutual credentials are
 * set) and never drawn.
 */
export function configTree(config: SaveConfig, facts: TreeFacts = {}): TreeNode {
  return node('/', undefined, [backstoresNode(config, facts), ...fabricNodes(config, facts)]);
}

/**
 * The lines of `rtslib ls` for a config, `width` columns wide: the whole
 * tree, or the subtree at `path` (`/backstores/fileio`, `/iscsi/<wwn>/tpg1`;
 * null when there is no such node).
 * @example
 * writeLines(io.stdout, treeView(await dumpConfig(root, { secrets: false }))!);
 */
export function treeView(config: SaveConfig, options: { path?: string; width?: number; facts?: TreeFacts } = {}): string[] | null {
  const found = findNode(configTree(config, options.facts), options.path ?? '/');
  return found ? renderTree(found, options.width) : null;
}
