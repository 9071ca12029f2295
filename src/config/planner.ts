/**
 * The one planner behind restore, clear, apply and diff: from a snapshot of
 * the kernel and a desired config it produces the ordered configfs
 * operations, in the kernel's write order (anchors §2: storage objects with
 * their control, udev_path, enable and unit serial, then attributes and ALUA
 * groups, then targets, TPGs, LUNs, portals, ACLs and mapped LUNs, TPG
 * enable last; removals in the reverse order). Execution goes through the
 * batch engine phase by phase; a failure undoes what the run created.
 */
import type { RTSRoot } from '../model/rts-root.js';
import type { Snapshot } from '../cfs/snapshot.js';
import type { CfsOp } from '../cfs/configfs.js';
import { FABRICS, fabricByDir, type FabricInfo, type FabricName } from '../cfs/fabrics.js';
import { PLUGINS, pluginByKernelName, type PluginName } from '../cfs/plugins.js';
import {
  ACL_FILES, CORE_DIR, DEFAULT_ALUA_GROUP, LUN_FILES, MAPPED_LUN_FILES, PORTAL_FILES, STRUCTURE_EXCLUDES, TPG_FILES,
  aclPath, aluaGroupPath, child, discoveryAuthPath, normalizePortalAddress, fabricPath, groupPath, hbaPath, lunPath, mappedLunPath, nodeType, parseHbaDirName,
  parseLunDirName, parsePortalDirName, parseTpgDirName, portalPath, splitPath, storageObjectPath, targetPath, tpgPath, type KernelPlugin, type NodeType,
} from '../cfs/tree.js';
import { normalizeWwn, generateWwn, wwnFromConfigfs, wwnToConfigfs } from '../cfs/wwn.js';
import { PHASE } from '../cfs/phases.js';
import { planRemoval } from '../cfs/removal.js';
import { runWrite } from '../cfs/write-run.js';
import { recreateStorageObject } from '../model/recreation.js';
import { FabricModule } from '../model/fabric-module.js';
import { listStorageObjects, storageObjectCreationOps, type CreationRecipe } from '../model/storage-object.js';
import { fileioRecipe } from '../model/fileio-storage-object.js';
import { blockRecipe } from '../model/block-storage-object.js';
import { rdmcpRecipe } from '../model/rdmcp-storage-object.js';
import { userRecipe } from '../model/user-storage-object.js';
import { pscsiRecipe } from '../model/pscsi-storage-object.js';
import { RTSLibError } from '../errors.js';
import { dumpSnapshot } from './dump.js';
import { ALUA_SAVED_SETTINGS, CHAP_KEYS, DISCOVERY_KEYS, storageObjectRef } from './format.js';
import type {
  AluaTpgConfig, FabricModuleConfig, LunConfig, NodeAclConfig, SaveConfig, StorageObjectConfig, TargetConfig, TpgConfig,
} from './schema.js';
import type { Plan, PlanAction, PlanOp, PlanStep } from './plan.js';

/** Options of {@link planRestore}. */
export interface RestoreOptions {
  /** Remove what exists first (default true, as targetctl); false refuses objects that already exist. */
  clearExisting?: boolean;
  /** Restore only this target (by WWN); its storage objects must exist or be restored too. */
  target?: string;
  /** Restore only this storage object (by name). */
  storageObject?: string;
}

/** Options of {@link planClear}. */
export interface ClearOptions {
  /** Clear only this target (by WWN). */
  target?: string;
  /** Clear only this storage object (by name), with the LUNs that export it. */
  storageObject?: string;
}

/** Options of {@link planApply}. */
export interface ApplyOptions {
  /** Also remove objects the config does not have (default false). */
  prune?: boolean;
}

/** What {@link executePlan} did. */
export interface ExecuteResult {
  /** Operations performed. */
  operations: number;
  /** Conditional writes skipped because the file already held the value. */
  skipped: number;
}

/** Options of {@link executePlan}. */
export interface ExecuteOptions {
  /** Called as operations complete, with the number done and the total. */
  onProgress?: (done: number, total: number) => void;
  /** What the run is, for its journal (`restore`, `apply`, `clear`; default `apply`). */
  command?: string;
}

/** The kernel's order (cfs/phases.ts). */
const P = PHASE;


const same = (a: unknown, b: unknown): boolean => String(a ?? '').trim() === String(b ?? '').trim();
const show = (value: unknown, secret: boolean): string => (secret ? '(secret)' : JSON.stringify(value));

/** Builds the steps of one plan. */
class PlanBuilder {
  readonly steps: PlanStep[] = [];
  /** HBA indexes in use after the plan's removals, per kernel plugin. */
  private readonly usedHbas = new Map<KernelPlugin, Set<number>>();

  constructor(private readonly snap: Snapshot, removedHbas: ReadonlySet<string> = new Set()) {
    for (const hba of snap.childDirs(CORE_DIR)) {
      const parsed = parseHbaDirName(hba);
      if (!parsed || removedHbas.has(hbaPath(parsed.plugin, parsed.index))) continue;
      let set = this.usedHbas.get(parsed.plugin);
      if (!set) this.usedHbas.set(parsed.plugin, (set = new Set()));
      set.add(parsed.index);
    }
  }

  step(action: PlanAction, object: string): PlanStep {
    const s: PlanStep = { action, object, ops: [] };
    this.steps.push(s);
    return s;
  }

  /** Lowest free HBA index of a plugin (not used, not taken by this plan). */
  allocateHba(plugin: KernelPlugin): number {
    let set = this.usedHbas.get(plugin);
    if (!set) this.usedHbas.set(plugin, (set = new Set()));
    let i = 0;
    while (set.has(i)) i++;
    set.add(i);
    return i;
  }
}

function op(step: PlanStep, phase: number, o: CfsOp, whenDiffers = false): void {
  step.ops.push({ ...o, phase, ...(whenDiffers ? { whenDiffers: true } : {}) } as PlanOp);
}

/** A setting of a new object: a conditional write (skipped at execution when the default already matches). */
function setNew(step: PlanStep, phase: number, path: string, name: string, value: unknown, secret = false, optional = false): void {
  step.ops.push({ op: 'write', path, value: String(value), ...(secret ? { secret: true } : {}), phase, whenDiffers: true, ...(optional ? { optional: true } : {}) } as PlanOp);
  (step.changes ??= []).push(`${name} = ${show(value, secret)}`);
}

/** A setting of an existing object whose current value is known: written only when it differs. */
function setExisting(step: PlanStep, phase: number, path: string, name: string, current: unknown, desired: unknown, secret = false): void {
  if (same(current, desired)) return;
  op(step, phase, { op: 'write', path, value: String(desired), ...(current === undefined || current === null ? {} : { previous: String(current) }), ...(secret ? { secret: true } : {}) });
  (step.changes ??= []).push(`${name}: ${show(current ?? '', secret)} -> ${show(desired, secret)}`);
}

// ---------------------------------------------------------------- identities

/** A storage object's key: its plugin and name. */
const soKey = (so: { plugin: string; name: string }) => storageObjectRef(so.plugin as PluginName, so.name);
/** A target's key: fabric and normalised WWN. */
function targetKey(t: TargetConfig): string {
  return `${t.fabric} ${normalizeWwn(FABRICS[t.fabric as FabricName], t.wwn).wwn}`;
}

/** Where the kernel has each storage object (from the snapshot). */
function storageObjectDirs(snap: Snapshot): Map<string, { path: string; hba: string; plugin: PluginName; name: string }> {
  const out = new Map<string, { path: string; hba: string; plugin: PluginName; name: string }>();
  for (const { plugin, hbaIndex, name } of listStorageObjects(snap)) {
    const kernel = PLUGINS[plugin].kernel;
    out.set(storageObjectRef(plugin, name), { path: storageObjectPath(kernel, hbaIndex, name), hba: hbaPath(kernel, hbaIndex), plugin, name });
  }
  return out;
}

function targetDir(t: TargetConfig): { fabric: FabricInfo; dir: string; wwn: string } {
  const fabric = FABRICS[t.fabric as FabricName];
  const wwn = normalizeWwn(fabric, t.wwn).wwn;
  return { fabric, dir: targetPath(fabric.dir, wwnToConfigfs(fabric, wwn)), wwn };
}

// ---------------------------------------------------------------- removal

/** What a removed node is called in a plan (`LUN 3 of TPG 1 of iscsi iqn.…`). */
function describeNode(path: string, type: NodeType): string {
  const parts = path.split('/');
  if (parts[0] === CORE_DIR) {
    const hba = parseHbaDirName(parts[1] as string);
    const plugin = hba ? pluginByKernelName(hba.plugin).name : parts[1];
    if (type === 'hba') return `HBA ${path}`;
    if (type === 'storageObject') return `storage object ${plugin}/${parts[2]}`;
    return `ALUA group ${parts[4]} of storage object ${plugin}/${parts[2]}`;
  }
  const fabric = fabricByDir(parts[0] as string);
  const target = `${fabric?.name ?? parts[0]} ${fabric ? wwnFromConfigfs(fabric, parts[1] as string) : parts[1]}`;
  if (type === 'target') return `target ${target}`;
  const tpg = `TPG ${parseTpgDirName(parts[2] as string)} of ${target}`;
  switch (type) {
    case 'tpg': return tpg;
    case 'lun': return `LUN ${parseLunDirName(parts[4] as string)} of ${tpg}`;
    case 'portal': return `portal ${parts[4]} of ${tpg}`;
    case 'acl': return `ACL ${fabric ? wwnFromConfigfs(fabric, parts[4] as string) : parts[4]} of ${tpg}`;
    default: return `mapped LUN ${parseLunDirName(parts[5] as string)} of ACL ${fabric ? wwnFromConfigfs(fabric, parts[4] as string) : parts[4]} in ${tpg}`;
  }
}

/**
 * Adds the steps removing `roots` (user-made nodes of the snapshot) with
 * everything in them and what must go first, planned by the one removal
 * planner (cfs/removal.ts) from the tree as the kernel has it. One step per
 * removed object; links go with their directory, a TPG's disabling with the
 * TPG, an emptied HBA with its last storage object.
 */
function planRemovals(b: PlanBuilder, snap: Snapshot, roots: Iterable<string>): Set<string> {
  const { ops, removed } = planRemoval(snap, roots);
  const steps = new Map<string, PlanStep>();
  // an emptied HBA goes in the step of (one of) its storage objects
  const soOfHba = new Map<string, string>();
  for (const p of removed) if (nodeType(p, 'dir') === 'storageObject') soOfHba.set(splitPath(p).parent, p);
  const stepOf = (path: string): PlanStep => {
    let key = path;
    const type = nodeType(path, snap.kind(path) === 'link' ? 'link' : 'dir');
    if (type === 'lunLink' || type === 'mappedLunLink') key = splitPath(path).parent;
    else if (type === 'hba') key = soOfHba.get(path) ?? path;
    else if (type === null) key = splitPath(path).parent; // a TPG's enable file
    let step = steps.get(key);
    if (!step) {
      const keyType = nodeType(key, 'dir') as NodeType;
      step = { action: 'remove', object: describeNode(key, keyType), ops: [] };
      steps.set(key, step);
    }
    return step;
  };
  for (const o of ops) stepOf(o.path).ops.push(o);
  // steps in the order of their first operation
  b.steps.push(...[...steps.values()].sort((x, y) => (x.ops[0]?.phase ?? 0) - (y.ops[0]?.phase ?? 0)));
  return removed;
}

/** Every target and HBA of the snapshot: what clearing everything removes. */
function everything(snap: Snapshot): string[] {
  const roots: string[] = [];
  for (const top of snap.childDirs(snap.base)) {
    for (const name of snap.childDirs(top)) {
      const path = child(top, name);
      const type = nodeType(path, 'dir');
      if (type === 'hba' || type === 'target') roots.push(path);
    }
  }
  return roots;
}

/** The targets of the snapshot with this WWN (any fabric). */
function targetsNamed(snap: Snapshot, wwn: string): string[] {
  const want = wwn.toLowerCase();
  const out: string[] = [];
  for (const top of snap.childDirs(snap.base)) {
    const fabric = fabricByDir(top);
    if (!fabric) continue;
    for (const name of snap.childDirs(top)) {
      if (nodeType(child(top, name), 'dir') !== 'target') continue;
      const names = [name.toLowerCase(), wwnFromConfigfs(fabric, name).toLowerCase()];
      let normal: string | undefined;
      try { normal = normalizeWwn(fabric, wwn).wwn; } catch { normal = undefined; }
      if (names.includes(want) || (normal !== undefined && names.includes(normal))) out.push(child(top, name));
    }
  }
  return out;
}

/** The storage objects of the snapshot with this name (any plugin). */
function storageObjectsNamed(snap: Snapshot, name: string): string[] {
  return listStorageObjects(snap).filter((so) => so.name === name).map((so) => storageObjectPath(PLUGINS[so.plugin].kernel, so.hbaIndex, so.name));
}

/** What clearing (all, one target, or one storage object with the LUNs exporting it) removes. */
function clearRoots(snap: Snapshot, options: ClearOptions): string[] {
  if (options.target === undefined && options.storageObject === undefined) return everything(snap);
  return [
    ...(options.target === undefined ? [] : targetsNamed(snap, options.target)),
    ...(options.storageObject === undefined ? [] : storageObjectsNamed(snap, options.storageObject)),
  ];
}

/** HBA directories a removal deletes. */
function removedHbaDirs(removed: ReadonlySet<string>): Set<string> {
  return new Set([...removed].filter((p) => nodeType(p, 'dir') === 'hba'));
}

/** Devices that the removed storage objects hold (so creating on them again is allowed). */
function releasedDevices(current: SaveConfig, snap: Snapshot, removed: ReadonlySet<string>): Set<string> {
  const dirs = storageObjectDirs(snap);
  return new Set((current.storage_objects ?? []).filter((so) => removed.has(dirs.get(soKey(so))?.path ?? '')).flatMap((so) => ('dev' in so && so.dev ? [so.dev] : [])));
}

/**
 * What `apply --prune` removes: every node of the snapshot the config does
 * not have (targets, TPGs, LUNs, portals, ACLs, mapped LUNs, storage
 * objects, ALUA groups), found by walking the tree, so half-made nodes
 * that a dump cannot show are found too.
 */
function pruneRoots(snap: Snapshot, config: SaveConfig): string[] {
  const roots: string[] = [];
  const wantSos = new Map((config.storage_objects ?? []).map((so) => [soKey(so), so]));
  for (const so of listStorageObjects(snap)) {
    const dir = storageObjectPath(PLUGINS[so.plugin].kernel, so.hbaIndex, so.name);
    const want = wantSos.get(storageObjectRef(so.plugin, so.name));
    if (!want) { roots.push(dir); continue; }
    for (const group of snap.childDirs(child(dir, 'alua'))) {
      if (group !== DEFAULT_ALUA_GROUP && !want.alua_tpgs?.some((g) => g.name === group)) roots.push(aluaGroupPath(dir, group));
    }
  }
  for (const hba of snap.childDirs(CORE_DIR)) {
    if (parseHbaDirName(hba) && snap.childDirs(child(CORE_DIR, hba)).length === 0) roots.push(child(CORE_DIR, hba));
  }
  const wantTargets = new Map((config.targets ?? []).map((t) => [targetKey(t), t]));
  for (const top of snap.childDirs(snap.base)) {
    const fabric = fabricByDir(top);
    if (!fabric) continue;
    for (const name of snap.childDirs(top)) {
      const tdir = child(top, name);
      if (nodeType(tdir, 'dir') !== 'target') continue;
      const t = wantTargets.get(`${fabric.name} ${wwnFromConfigfs(fabric, name)}`);
      if (!t) { roots.push(tdir); continue; }
      for (const tpgName of snap.childDirs(tdir)) {
        const tag = parseTpgDirName(tpgName);
        if (tag === null) continue;
        const gdir = child(tdir, tpgName);
        const g = t.tpgs?.find((x) => x.tag === tag);
        if (!g) { roots.push(gdir); continue; }
        for (const lun of snap.childDirs(child(gdir, 'lun'))) {
          const index = parseLunDirName(lun);
          if (index !== null && !g.luns?.some((l) => l.index === index)) roots.push(child(gdir, 'lun', lun));
        }
        for (const np of snap.childDirs(child(gdir, 'np'))) {
          const parsed = parsePortalDirName(np);
          if (parsed && !g.portals?.some((p) => normalizePortalAddress(p.ip_address) === parsed.ip && p.port === parsed.port)) roots.push(child(gdir, 'np', np));
        }
        for (const aclName of snap.childDirs(child(gdir, 'acls'))) {
          const adir = child(gdir, 'acls', aclName);
          const wwn = wwnFromConfigfs(fabric, aclName);
          const a = g.node_acls?.find((x) => normalizeWwn(fabric, x.node_wwn, 'node_wwn').wwn === wwn);
          if (!a) { roots.push(adir); continue; }
          for (const mapped of snap.childDirs(adir)) {
            const index = parseLunDirName(mapped);
            if (index !== null && !a.mapped_luns?.some((m) => m.index === index)) roots.push(child(adir, mapped));
          }
        }
      }
    }
  }
  return roots;
}

// ---------------------------------------------------------------- creation

/** What the model's plugin classes would write to create `so` (devices are checked here). */
async function recipeFor(so: StorageObjectConfig, released: ReadonlySet<string>): Promise<CreationRecipe> {
  const wwn = 'wwn' in so && so.wwn ? { wwn: so.wwn } : {};
  switch (so.plugin) {
    case 'fileio': return fileioRecipe({ dev: so.dev, ...(so.size === undefined ? {} : { size: so.size }), writeBack: so.write_back ?? so.buffered_mode ?? false, aio: so.aio ?? false, ...wwn }, released);
    case 'block': return blockRecipe({ dev: so.dev, readonly: so.readonly ?? false, writeBack: so.write_back ?? false, ...wwn }, released);
    case 'ramdisk': return rdmcpRecipe({ size: so.size, nullio: so.nullio ?? false, ...wwn });
    case 'pscsi': return pscsiRecipe(so.dev, null, released);
    case 'user': return userRecipe({ config: so.config, size: so.size, ...(so.hw_max_sectors === undefined ? {} : { hwMaxSectors: so.hw_max_sectors }), ...(so.control ? { control: so.control } : {}), ...wwn });
  }
}

function addAluaGroup(b: PlanBuilder, so: StorageObjectConfig, soDir: string, g: AluaTpgConfig): void {
  const dir = aluaGroupPath(soDir, g.name);
  const s = b.step('create', `ALUA group ${g.name} (id ${g.tg_pt_gp_id}) of storage object ${so.plugin}/${so.name}`);
  op(s, P.storageObjectSettings, { op: 'mkdir', path: dir });
  op(s, P.storageObjectSettings, { op: 'write', path: child(dir, 'tg_pt_gp_id'), value: String(g.tg_pt_gp_id) });
  for (const setting of ALUA_SAVED_SETTINGS) {
    const v = g[setting];
    if (v !== undefined) setNew(s, P.aluaGroupSettings, child(dir, setting), setting, v);
  }
}

function modifyAluaGroup(b: PlanBuilder, so: StorageObjectConfig, soDir: string, cur: AluaTpgConfig, g: AluaTpgConfig): void {
  const dir = aluaGroupPath(soDir, g.name);
  const s: PlanStep = { action: 'modify', object: `ALUA group ${g.name} of storage object ${so.plugin}/${so.name}`, ops: [] };
  setExisting(s, P.storageObjectSettings, child(dir, 'tg_pt_gp_id'), 'tg_pt_gp_id', cur.tg_pt_gp_id, g.tg_pt_gp_id);
  for (const setting of ALUA_SAVED_SETTINGS) {
    const v = g[setting];
    if (v === undefined) continue;
    setExisting(s, P.aluaGroupSettings, child(dir, setting), setting, cur[setting], v);
  }
  if (s.ops.length) b.steps.push(s);
}

/** Attributes/parameters of a node: conditional writes for a new node, differing ones for an existing node. */
function groupSettings(s: PlanStep, phase: number, dir: string, group: 'attrib' | 'param', desired: Record<string, string | number> | undefined, current: Record<string, string | number> | undefined, isNew: boolean): void {
  for (const [k, v] of Object.entries(desired ?? {}).sort(([a], [c]) => (a < c ? -1 : 1))) {
    const path = child(groupPath(dir, group), k);
    if (isNew) setNew(s, phase, path, `${group}/${k}`, v);
    else if (current && Object.prototype.hasOwnProperty.call(current, k)) setExisting(s, phase, path, `${group}/${k}`, current[k], v);
    else throw new RTSLibError(`${s.object}: the kernel has no writable ${group === 'attrib' ? 'attribute' : 'parameter'} ${k}`, { code: 'ERR_RTSLIB_INVALID_ARGUMENT' });
  }
}

/** The CHAP fields of a TPG or ACL entry. */
type ChapFields = { [K in (typeof CHAP_KEYS)[number][0]]?: string | undefined };

/** CHAP values: set ones for a new node; differing ones for an existing node. */

function chapSettings(s: PlanStep, phase: number, dir: string, desired: ChapFields, current: ChapFields | undefined): void {
  for (const [key, file, secret] of CHAP_KEYS) {
    const v = desired[key];
    if (v === undefined) continue;
    const path = child(groupPath(dir, 'auth'), file);
    if (!current) {
      if (v !== '') { op(s, phase, { op: 'write', path, value: v, ...(secret ? { secret: true } : {}) }); (s.changes ??= []).push(`${key} = ${show(v, secret)}`); }
    } else setExisting(s, phase, path, key, current[key] ?? '', v, secret);
  }
}

/** Creates or reconciles one storage object. */
function planStorageObject(b: PlanBuilder, so: StorageObjectConfig, cur: StorageObjectConfig | undefined, where: { path: string } | undefined, recipe: CreationRecipe | undefined): string {
  if (cur && where) {
    // Settings fixed at creation must match: changing them means recreating the object.
    const fixed: [string, unknown, unknown][] = [];
    if ('dev' in so) fixed.push(['dev', (cur as { dev?: string }).dev, so.dev]);
    if ((so.plugin === 'ramdisk' || so.plugin === 'user' || so.plugin === 'fileio') && so.size !== undefined) fixed.push(['size', (cur as { size?: number }).size, so.size]);
    if (so.plugin === 'ramdisk') fixed.push(['nullio', (cur as { nullio?: boolean }).nullio ?? false, so.nullio ?? false]);
    if (so.plugin === 'block') fixed.push(['readonly', (cur as { readonly?: boolean }).readonly ?? false, so.readonly ?? false]);
    if (so.plugin === 'fileio') fixed.push(['aio', (cur as { aio?: boolean }).aio ?? false, so.aio ?? false]);
    if (so.plugin === 'user') fixed.push(['config', (cur as { config?: string }).config, so.config]);
    for (const [name, now, want] of fixed) {
      if (!same(now, want)) throw new RTSLibError(`storage object ${so.plugin}/${so.name} exists with ${name} ${JSON.stringify(now)}, the config says ${JSON.stringify(want)}: ${name} is fixed at creation; remove the object first (or use restore)`, { code: 'ERR_RTSLIB_CONFLICT' });
    }
    const s: PlanStep = { action: 'modify', object: `storage object ${so.plugin}/${so.name}`, ops: [] };
    if ('wwn' in so && so.wwn && 'wwn' in cur) setExisting(s, P.storageObjectSettings, child(groupPath(where.path, 'wwn'), 'vpd_unit_serial'), 'wwn', cur.wwn, so.wwn);
    const attrs = { ...(('write_back' in so && so.write_back !== undefined) ? { emulate_write_cache: so.write_back ? 1 : 0 } : {}), ...so.attributes };
    groupSettings(s, P.storageObjectSettings, where.path, 'attrib', attrs, cur.attributes, false);
    if (s.ops.length) b.steps.push(s);
    const curGroups = new Map((cur.alua_tpgs ?? []).map((g) => [g.name, g]));
    for (const g of so.alua_tpgs ?? []) {
      const c = curGroups.get(g.name);
      if (c) modifyAluaGroup(b, so, where.path, c, g);
      else if (g.name !== DEFAULT_ALUA_GROUP) addAluaGroup(b, so, where.path, g);
    }
    return where.path;
  }
  if (!recipe) throw new RTSLibError(`storage object ${so.plugin}/${so.name}: no creation recipe`, { code: 'ERR_RTSLIB' });
  const kernel = PLUGINS[so.plugin].kernel;
  const index = b.allocateHba(kernel);
  const planned = storageObjectCreationOps(so.plugin, index, so.name, { ...recipe, attributes: {} }, true);
  const s = b.step('create', `storage object ${so.plugin}/${so.name} (${hbaPath(kernel, index)})`);
  for (const o of planned.create) op(s, P.createStorageObject, o);
  const soDir = storageObjectPath(kernel, index, so.name);
  const attributes = { ...recipe.attributes, ...(so.attributes ?? {}) };
  for (const [k, v] of Object.entries(attributes).sort(([a], [c]) => (a < c ? -1 : 1))) setNew(s, P.storageObjectSettings, child(groupPath(soDir, 'attrib'), k), `attrib/${k}`, v);
  for (const g of so.alua_tpgs ?? []) {
    if (g.name === DEFAULT_ALUA_GROUP) {
      const gs = b.step('modify', `ALUA group ${g.name} of storage object ${so.plugin}/${so.name}`);
      for (const setting of ALUA_SAVED_SETTINGS) if (g[setting] !== undefined) setNew(gs, P.aluaGroupSettings, child(aluaGroupPath(soDir, g.name), setting), setting, g[setting]);
    } else addAluaGroup(b, so, soDir, g);
  }
  return soDir;
}

/** Creates or reconciles one target with its TPGs; `soDirs` maps storage object refs to their (future) paths. */
function planTarget(b: PlanBuilder, t: TargetConfig, cur: TargetConfig | undefined, soDirs: ReadonlyMap<string, string>, snap: Snapshot): void {
  const { fabric, dir, wwn } = targetDir(t);
  const name = `${fabric.name} ${wwn}`;
  if (!cur) op(b.step('create', `target ${name}`), P.createTarget, { op: 'mkdir', path: dir });
  if (t.parameters) {
    const s: PlanStep = { action: cur ? 'modify' : 'create', object: `parameters of target ${name}`, ops: [] };
    groupSettings(s, P.targetSettings, dir, 'param', t.parameters, cur?.parameters, !cur);
    if (s.ops.length) b.steps.push(s);
  }
  const curTpgs = new Map((cur?.tpgs ?? []).map((g) => [g.tag, g]));
  for (const g of t.tpgs ?? []) {
    const c = curTpgs.get(g.tag);
    const tdir = tpgPath(dir, g.tag);
    const tname = `TPG ${g.tag} of ${name}`;
    const s: PlanStep = { action: c ? 'modify' : 'create', object: tname, ops: [] };
    if (!c) {
      op(s, P.createTarget, { op: 'mkdir', path: tdir });
      if (fabric.features.includes('nexus')) op(s, P.createTarget, { op: 'write', path: child(tdir, TPG_FILES.nexus), value: generateWwn(fabric.wwnTypes[0]!) });
    }
    groupSettings(s, P.targetSettings, tdir, 'attrib', g.attributes, c?.attributes, !c);
    groupSettings(s, P.targetSettings, tdir, 'param', g.parameters, c?.parameters, !c);
    if (fabric.features.includes('auth')) chapSettings(s, P.targetSettings, tdir, g, c);
    if (s.ops.length) b.steps.push(s);
    // LUNs
    const curLuns = new Map((c?.luns ?? []).map((l) => [l.index, l]));
    for (const l of g.luns ?? []) {
      const cl = curLuns.get(l.index);
      const ldir = lunPath(tdir, l.index);
      if (cl) {
        if (cl.storage_object !== l.storage_object) {
          throw new RTSLibError(`LUN ${l.index} of ${tname} exports ${cl.storage_object}, the config says ${l.storage_object}: remove the LUN first (or use restore)`, { code: 'ERR_RTSLIB_CONFLICT' });
        }
        if (l.alua_tg_pt_gp_name && cl.alua_tg_pt_gp_name !== null && cl.alua_tg_pt_gp_name !== undefined && l.alua_tg_pt_gp_name !== cl.alua_tg_pt_gp_name) {
          const ms = b.step('modify', `LUN ${l.index} of ${tname}`);
          setExisting(ms, P.childSettings, child(ldir, LUN_FILES.aluaGroup), 'alua_tg_pt_gp_name', cl.alua_tg_pt_gp_name, l.alua_tg_pt_gp_name);
        }
        continue;
      }
      const soDir = soDirs.get(l.storage_object);
      if (!soDir) throw new RTSLibError(`LUN ${l.index} of ${tname}: storage object ${l.storage_object} does not exist and is not being restored`, { code: 'ENOENT' });
      const ls = b.step('create', `LUN ${l.index} of ${tname} -> ${l.storage_object}`);
      op(ls, P.children, { op: 'mkdir', path: ldir });
      op(ls, P.children, { op: 'symlink', path: child(ldir, l.alias ?? randomAlias()), target: soDir });
      if (l.alua_tg_pt_gp_name && l.alua_tg_pt_gp_name !== DEFAULT_ALUA_GROUP) {
        op(ls, P.childSettings, { op: 'write', path: child(ldir, LUN_FILES.aluaGroup), value: l.alua_tg_pt_gp_name });
        (ls.changes ??= []).push(`alua_tg_pt_gp_name = ${JSON.stringify(l.alua_tg_pt_gp_name)}`);
      }
    }
    // portals
    const curPortals = new Map((c?.portals ?? []).map((p) => [`${normalizePortalAddress(p.ip_address)} ${p.port}`, p]));
    for (const p of g.portals ?? []) {
      const ip = normalizePortalAddress(p.ip_address);
      const cp = curPortals.get(`${ip} ${p.port}`);
      const pdir = portalPath(tdir, ip, p.port);
      const ps: PlanStep = { action: cp ? 'modify' : 'create', object: `portal ${p.ip_address}:${p.port} of ${tname}`, ops: [] };
      if (!cp) op(ps, P.children, { op: 'mkdir', path: pdir });
      for (const [key, file] of [['iser', PORTAL_FILES.iser], ['offload', PORTAL_FILES.offload]] as const) {
        const want = p[key] ?? false;
        if (cp) setExisting(ps, P.childSettings, child(pdir, file), key, cp[key] ? 1 : 0, want ? 1 : 0);
        else if (want) { op(ps, P.childSettings, { op: 'write', path: child(pdir, file), value: '1' }); (ps.changes ??= []).push(`${key} = true`); }
      }
      if (ps.ops.length) b.steps.push(ps);
    }
    // ACLs and mapped LUNs
    const curAcls = new Map((c?.node_acls ?? []).map((a) => [normalizeWwn(fabric, a.node_wwn, 'node_wwn').wwn, a]));
    for (const a of g.node_acls ?? []) {
      const nwwn = normalizeWwn(fabric, a.node_wwn, 'node_wwn').wwn;
      const ca = curAcls.get(nwwn);
      const adir = aclPath(tdir, wwnToConfigfs(fabric, nwwn));
      const aname = `ACL ${nwwn} of ${tname}`;
      const as: PlanStep = { action: ca ? 'modify' : 'create', object: aname, ops: [] };
      if (!ca) op(as, P.children, { op: 'mkdir', path: adir });
      groupSettings(as, P.childSettings, adir, 'attrib', a.attributes, ca?.attributes, !ca);
      if (a.tag !== undefined) {
        if (ca) setExisting(as, P.childSettings, child(adir, ACL_FILES.tag), 'tag', ca.tag ?? '', a.tag);
        else if (a.tag) { op(as, P.childSettings, { op: 'write', path: child(adir, ACL_FILES.tag), value: a.tag }); (as.changes ??= []).push(`tag = ${JSON.stringify(a.tag)}`); }
      }
      if (fabric.features.includes('auth')) chapSettings(as, P.childSettings, adir, a, ca);
      if (as.ops.length) b.steps.push(as);
      const curMapped = new Map((ca?.mapped_luns ?? []).map((m) => [m.index, m]));
      for (const m of a.mapped_luns ?? []) {
        const cm = curMapped.get(m.index);
        const mdir = mappedLunPath(adir, m.index);
        if (cm) {
          if (cm.tpg_lun !== m.tpg_lun) throw new RTSLibError(`mapped LUN ${m.index} of ${aname} maps LUN ${cm.tpg_lun}, the config says ${m.tpg_lun}: remove it first (or use restore)`, { code: 'ERR_RTSLIB_CONFLICT' });
          const ms: PlanStep = { action: 'modify', object: `mapped LUN ${m.index} of ${aname}`, ops: [] };
          setExisting(ms, P.childSettings, child(mdir, MAPPED_LUN_FILES.writeProtect), 'write_protect', cm.write_protect ? 1 : 0, m.write_protect ? 1 : 0);
          if (ms.ops.length) b.steps.push(ms);
          continue;
        }
        const ms = b.step('create', `mapped LUN ${m.index} of ${aname} -> LUN ${m.tpg_lun}`);
        op(ms, P.children, { op: 'mkdir', path: mdir });
        op(ms, P.children, { op: 'symlink', path: child(mdir, m.alias ?? randomAlias()), target: lunPath(tdir, m.tpg_lun) });
        if (m.write_protect) { op(ms, P.childSettings, { op: 'write', path: child(mdir, MAPPED_LUN_FILES.writeProtect), value: '1' }); (ms.changes ??= []).push('write_protect = true'); }
      }
    }
    // enable last
    const want = g.enable === undefined ? true : Boolean(g.enable);
    if (!c) {
      // fabrics without an `enable` file (loopback) are always enabled: the write is skipped there
      const es = b.step('modify', `${tname} (${want ? 'enable' : 'disable'})`);
      setNew(es, P.enable, child(tdir, TPG_FILES.enable), 'enable', want ? 1 : 0, false, true);
    } else if (Boolean(c.enable) !== want && snap.kind(child(tdir, TPG_FILES.enable)) === 'file') {
      const es = b.step('modify', `${tname} (${want ? 'enable' : 'disable'})`);
      setExisting(es, P.enable, child(tdir, TPG_FILES.enable), 'enable', c.enable ? 1 : 0, want ? 1 : 0);
    }
  }
}

/** Discovery authentication of a fabric module. */
function planFabricModule(b: PlanBuilder, fm: FabricModuleConfig, cur: FabricModuleConfig | undefined): void {
  const fabric = FABRICS[fm.name as FabricName];
  const dir = discoveryAuthPath(fabric.dir);
  const s: PlanStep = { action: 'modify', object: `discovery authentication of ${fabric.name}`, ops: [] };
  for (const [key, file, secret] of DISCOVERY_KEYS) {
    const v = fm[key];
    if (v !== undefined) setExisting(s, P.childSettings, child(dir, file), key, cur?.[key] ?? '', v, secret);
  }
  if (fm.discovery_enable_auth !== undefined) setExisting(s, P.enable, child(dir, 'enforce_discovery_auth'), 'discovery_enable_auth', cur?.discovery_enable_auth ? 1 : 0, fm.discovery_enable_auth ? 1 : 0);
  if (s.ops.length) b.steps.push(s);
}

function randomAlias(): string {
  return Math.floor(Math.random() * 0xffffffffff).toString(16).padStart(10, '0');
}

/** Adds the creation/reconciliation steps for `desired` (already scoped) over `current`. */
async function planCreation(b: PlanBuilder, snap: Snapshot, desired: SaveConfig, current: SaveConfig, released: ReadonlySet<string>, exists: { so: (key: string) => boolean; target: (key: string) => boolean }, removed: ReadonlySet<string>): Promise<void> {
  const dirs = storageObjectDirs(snap);
  const soDirs = new Map<string, string>();
  for (const [key, where] of dirs) if (!removed.has(where.path)) soDirs.set(key, where.path);
  const curSos = new Map((current.storage_objects ?? []).map((so) => [soKey(so), so]));
  // The device checks of new objects (stat, in-use probe) run concurrently, before anything is planned.
  const fresh = (desired.storage_objects ?? []).filter((so) => !exists.so(soKey(so)));
  const recipes = new Map(await Promise.all(fresh.map(async (so) => [soKey(so), await recipeFor(so, released)] as const)));
  for (const so of desired.storage_objects ?? []) {
    const key = soKey(so);
    const keep = exists.so(key);
    soDirs.set(key, planStorageObject(b, so, keep ? curSos.get(key) : undefined, keep ? dirs.get(key) : undefined, recipes.get(key)));
  }
  const curFms = new Map((current.fabric_modules ?? []).map((f) => [f.name, f]));
  for (const fm of desired.fabric_modules ?? []) planFabricModule(b, fm, curFms.get(fm.name));
  const curTargets = new Map((current.targets ?? []).map((t) => [targetKey(t), t]));
  const fabrics = new Set((desired.targets ?? []).map((t) => t.fabric as FabricName));
  for (const name of [...fabrics].sort()) {
    if (snap.kind(fabricPath(FABRICS[name].dir)) !== 'dir') b.steps.push({ action: 'create', object: `fabric module ${name} (load)`, ops: [], loadFabric: name });
  }
  for (const t of desired.targets ?? []) {
    const key = targetKey(t);
    planTarget(b, t, exists.target(key) ? curTargets.get(key) : undefined, soDirs, snap);
  }
}

/** A snapshot a plan was made from inside an exclusive hold, and what made it still true. */
interface Basis {
  snap: Snapshot;
  token: object;
  writes: number;
}

/** Plans made inside an exclusive hold from a full snapshot: {@link executePlan} reuses it for the undo image. */
const bases = new WeakMap<Plan, Basis>();

/**
 * The snapshot and its dump (with secrets) the planner works from. Inside a
 * write run (the lock held exclusive) the whole tree is read, values
 * included, since the run's undo image needs it anyway; otherwise
 * `structureOnly` leaves the settings out.
 */
async function readState(root: RTSRoot, structureOnly = false): Promise<{ snap: Snapshot; current: SaveConfig; basis: Basis | null }> {
  const token = root.cfs.holdToken;
  const writes = root.cfs.writeCount;
  const snap = await root.cfs.snapshot('', structureOnly && !token ? { excludeNames: STRUCTURE_EXCLUDES } : {});
  return { snap, current: dumpSnapshot(snap, { secrets: true }), basis: token ? { snap, token, writes } : null };
}

/** Records the snapshot a plan was made from (when it can serve as the undo image's basis). */
function withBasis(plan: Plan, basis: Basis | null): Plan {
  if (basis) bases.set(plan, basis);
  return plan;
}

/** The part of `config` a partial restore/clear addresses. */
function scope(config: SaveConfig, options: { target?: string; storageObject?: string }, what: string): SaveConfig {
  if (options.target === undefined && options.storageObject === undefined) return config;
  const out: SaveConfig = { storage_objects: [], targets: [], fabric_modules: [] };
  if (options.storageObject !== undefined) {
    out.storage_objects = (config.storage_objects ?? []).filter((so) => so.name === options.storageObject);
    if (!out.storage_objects.length && what) throw new RTSLibError(`${what} has no storage object named ${JSON.stringify(options.storageObject)}`, { code: 'ENOENT' });
  }
  if (options.target !== undefined) {
    const want = options.target.toLowerCase();
    out.targets = (config.targets ?? []).filter((t) => t.wwn.toLowerCase() === want || targetKey(t).endsWith(` ${want}`));
    if (!out.targets.length && what) throw new RTSLibError(`${what} has no target ${JSON.stringify(options.target)}`, { code: 'ENOENT' });
  }
  return out;
}

/**
 * Plans removing everything (targets first, then storage objects and their
 * HBAs, empty HBAs included), or one target, or one storage object with the
 * LUNs (and mapped LUNs) that export it. Planned from the tree as the
 * kernel has it, so half-made objects a killed run left go too.
 * @example
 * await executePlan(root, await planClear(root), { command: 'clear' });
 */
export async function planClear(root: RTSRoot, options: ClearOptions = {}): Promise<Plan> {
  const { snap, current, basis } = await readState(root, true);
  if (options.target !== undefined || options.storageObject !== undefined) scope(current, options, 'the kernel');
  const b = new PlanBuilder(snap);
  planRemovals(b, snap, clearRoots(snap, options));
  return withBasis({ steps: b.steps }, basis);
}

/**
 * Plans a restore of `config` as targetctl does it: by default what exists
 * (in the restored scope) is removed first; with `clearExisting: false`,
 * storage objects or targets that already exist are refused. `target` /
 * `storageObject` restore just that part of the file.
 * @example
 * const plan = await planRestore(root, await readConfigFile('/etc/target/saveconfig.json'));
 * await executePlan(root, plan, { command: 'restore' });
 */
export async function planRestore(root: RTSRoot, config: SaveConfig, options: RestoreOptions = {}): Promise<Plan> {
  const { snap, current, basis } = await readState(root, true);
  const desired = scope(config, options, 'the config');
  const clearing = options.clearExisting ?? true;
  const removal = new PlanBuilder(snap);
  let released = new Set<string>();
  let removed = new Set<string>();
  if (clearing) {
    removed = planRemovals(removal, snap, clearRoots(snap, options));
    released = releasedDevices(current, snap, removed);
  } else {
    const soNames = new Set((current.storage_objects ?? []).map(soKey));
    for (const so of desired.storage_objects ?? []) {
      if (soNames.has(soKey(so))) throw new RTSLibError(`storage object ${so.plugin}/${so.name} exists: not restoring (restore without --no-clear replaces it)`, { code: 'EEXIST' });
    }
    const targets = new Set((current.targets ?? []).map(targetKey));
    for (const t of desired.targets ?? []) {
      if (targets.has(targetKey(t))) throw new RTSLibError(`target ${t.fabric} ${t.wwn} exists: not restoring (restore without --no-clear replaces it)`, { code: 'EEXIST' });
    }
  }
  const b = new PlanBuilder(snap, removedHbaDirs(removed));
  b.steps.push(...removal.steps);
  // What is restored is created anew: it was removed above, or (no-clear) it did not exist.
  const dirs = storageObjectDirs(snap);
  const removedSos = new Set([...dirs].filter(([, where]) => removed.has(where.path)).map(([key]) => key));
  const emptyCurrent: SaveConfig = { storage_objects: [], targets: [], fabric_modules: current.fabric_modules ?? [] };
  await planCreation(b, snap, desired, emptyCurrent, released, { so: () => false, target: () => false }, removed);
  // LUNs of restored targets may only name storage objects that exist after the plan.
  const kept = new Set([...dirs.keys()].filter((k) => !removedSos.has(k)));
  for (const so of desired.storage_objects ?? []) kept.add(soKey(so));
  for (const t of desired.targets ?? []) for (const g of t.tpgs ?? []) for (const l of g.luns ?? []) {
    if (!kept.has(l.storage_object)) throw new RTSLibError(`target ${t.wwn} TPG ${g.tag} LUN ${l.index}: storage object ${l.storage_object} does not exist and is not restored`, { code: 'ENOENT' });
  }
  return withBasis({ steps: b.steps }, basis);
}

/**
 * Plans reconciling the kernel with `config`: creates what is missing,
 * changes attributes, parameters and settings that differ, and with `prune`
 * removes what the config does not have. An unchanged config gives an empty
 * plan (zero writes). Settings fixed at creation (a storage object's device
 * or size, the storage object a LUN exports) cannot be changed in place and
 * are refused with a clear error before anything is written.
 * @example
 * const plan = await planApply(root, config, { prune: true });
 * console.log(formatPlan(plan).join('\n'));
 */
export async function planApply(root: RTSRoot, config: SaveConfig, options: ApplyOptions = {}): Promise<Plan> {
  const { snap, current, basis } = await readState(root);
  const b = new PlanBuilder(snap);
  const removed = options.prune ? planRemovals(b, snap, pruneRoots(snap, config)) : new Set<string>();
  const curSoKeys = new Set((current.storage_objects ?? []).map(soKey));
  const curTargetKeys = new Set((current.targets ?? []).map(targetKey));
  const creation = new PlanBuilder(snap, removedHbaDirs(removed));
  await planCreation(creation, snap, config, current, new Set(), { so: (k) => curSoKeys.has(k), target: (k) => curTargetKeys.has(k) }, removed);
  // a LUN of a kept target may name a storage object that exists only in the kernel
  return withBasis({ steps: [...b.steps, ...creation.steps] }, basis);
}

// ---------------------------------------------------------------- execution

/**
 * Executes a plan as one write run, all or nothing against the tree as it
 * was (cfs/write-run.ts): holding the lock exclusive, with a journal for
 * crash recovery, phase by phase in the kernel's order (independent
 * removals in parallel, conditional writes skipped where the file already
 * holds the value). When any operation fails, everything the run did is
 * undone, removals and changed values included, and
 * {@link RTSLibOperationError} names the step's object, the file and the
 * errno. Fabric modules the plan needs are loaded first (not undone).
 */
export async function executePlan(root: RTSRoot, plan: Plan, options: ExecuteOptions = {}): Promise<ExecuteResult> {
  const ops = plan.steps.flatMap((step) => step.ops.map((o) => ({ ...o, step: `${step.action} ${step.object}` })));
  return root.cfs.exclusive(async () => {
    for (const step of plan.steps) if (step.loadFabric) await new FabricModule(root, step.loadFabric).load();
    const basis = bases.get(plan);
    const fresh = basis && basis.token === root.cfs.holdToken && basis.writes === root.cfs.writeCount;
    const result = await runWrite(root.cfs, ops, {
      command: options.command ?? 'apply',
      recreateStorageObject,
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(fresh ? { basis: basis.snap } : {}),
    });
    return { operations: result.operations, skipped: result.skipped };
  });
}
