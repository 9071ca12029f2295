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
import { FABRICS, type FabricInfo, type FabricName } from '../cfs/fabrics.js';
import { PLUGINS, type PluginName } from '../cfs/plugins.js';
import {
  ACL_FILES, CORE_DIR, DEFAULT_ALUA_GROUP, LUN_FILES, MAPPED_LUN_FILES, PORTAL_FILES, STORAGE_OBJECT_FILES, TPG_FILES,
  aclPath, aluaGroupPath, child, discoveryAuthPath, fabricPath, groupPath, hbaPath, lunPath, mappedLunPath, parseHbaDirName, portalPath,
  storageObjectPath, targetPath, tpgPath, type KernelPlugin,
} from '../cfs/tree.js';
import { normalizeWwn, generateWwn, wwnToConfigfs } from '../cfs/wwn.js';
import { normalizePortalAddress } from '../model/network-portal.js';
import { FabricModule } from '../model/fabric-module.js';
import { listStorageObjects, storageObjectCreationOps, type CreationRecipe } from '../model/storage-object.js';
import { fileioRecipe } from '../model/fileio-storage-object.js';
import { blockRecipe } from '../model/block-storage-object.js';
import { rdmcpRecipe } from '../model/rdmcp-storage-object.js';
import { userRecipe } from '../model/user-storage-object.js';
import { pscsiRecipe } from '../model/pscsi-storage-object.js';
import { RTSLibError } from '../errors.js';
import { RTSLibOperationError, failedStep, undoOf, type FailedStep } from '../cfs/configfs.js';
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
}

/** Phases, in execution order. Removals first (reverse write order), then creation. */
const P = {
  disable: 0, unlinkMapped: 1, rmdirMapped: 2, rmdirAclUnlinkLun: 3, rmdirLunPortal: 4, rmdirTpg: 5, rmdirTarget: 6,
  rmdirAlua: 7, rmdirSo: 8, rmdirHba: 9,
  createSo: 10, settings: 11, children: 12, childSettings: 13, enable: 14,
} as const;


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

/** Adds steps removing targets, TPGs, LUNs, ACLs, mapped LUNs, portals and storage objects that are in `current` but chosen by `pick`. */
function planRemovals(b: PlanBuilder, snap: Snapshot, current: SaveConfig, pick: {
  target?: (t: TargetConfig) => boolean;
  tpg?: (t: TargetConfig, g: TpgConfig) => boolean;
  lun?: (t: TargetConfig, g: TpgConfig, l: LunConfig) => boolean;
  portal?: (t: TargetConfig, g: TpgConfig, ip: string, port: number) => boolean;
  acl?: (t: TargetConfig, g: TpgConfig, a: NodeAclConfig) => boolean;
  mapped?: (t: TargetConfig, g: TpgConfig, a: NodeAclConfig, index: number) => boolean;
  storageObject?: (so: StorageObjectConfig) => boolean;
  alua?: (so: StorageObjectConfig, group: string) => boolean;
}): void {
  const dirs = storageObjectDirs(snap);
  for (const t of current.targets ?? []) {
    const { fabric, dir, wwn } = targetDir(t);
    const wholeTarget = pick.target?.(t) ?? false;
    for (const g of t.tpgs ?? []) {
      const tdir = tpgPath(dir, g.tag);
      const wholeTpg = wholeTarget || (pick.tpg?.(t, g) ?? false);
      const removedLuns = new Set<number>();
      for (const l of g.luns ?? []) if (wholeTpg || pick.lun?.(t, g, l)) removedLuns.add(l.index);
      if (wholeTpg && g.enable && snap.kind(child(tdir, TPG_FILES.enable)) === 'file') {
        op(b.step('remove', `TPG ${g.tag} of ${fabric.name} ${wwn} (disable)`), P.disable, { op: 'write', path: child(tdir, TPG_FILES.enable), value: '0', independent: true });
      }
      for (const a of g.node_acls ?? []) {
        const adir = aclPath(tdir, wwnToConfigfs(fabric, normalizeWwn(fabric, a.node_wwn, 'node_wwn').wwn));
        const wholeAcl = wholeTpg || (pick.acl?.(t, g, a) ?? false);
        for (const m of a.mapped_luns ?? []) {
          if (!(wholeAcl || removedLuns.has(m.tpg_lun) || pick.mapped?.(t, g, a, m.index))) continue;
          const s = b.step('remove', `mapped LUN ${m.index} of ACL ${a.node_wwn} in TPG ${g.tag} of ${fabric.name} ${wwn}`);
          const mdir = mappedLunPath(adir, m.index);
          for (const link of snap.childLinks(mdir)) op(s, P.unlinkMapped, { op: 'unlink', path: child(mdir, link), independent: true });
          op(s, P.rmdirMapped, { op: 'rmdir', path: mdir, independent: true });
        }
        if (wholeAcl) op(b.step('remove', `ACL ${a.node_wwn} of TPG ${g.tag} of ${fabric.name} ${wwn}`), P.rmdirAclUnlinkLun, { op: 'rmdir', path: adir, independent: true });
      }
      for (const l of g.luns ?? []) {
        if (!removedLuns.has(l.index)) continue;
        const s = b.step('remove', `LUN ${l.index} of TPG ${g.tag} of ${fabric.name} ${wwn}`);
        const ldir = lunPath(tdir, l.index);
        for (const link of snap.childLinks(ldir)) op(s, P.rmdirAclUnlinkLun, { op: 'unlink', path: child(ldir, link), independent: true });
        op(s, P.rmdirLunPortal, { op: 'rmdir', path: ldir, independent: true });
      }
      for (const p of g.portals ?? []) {
        const ip = normalizePortalAddress(p.ip_address);
        if (!(wholeTpg || pick.portal?.(t, g, ip, p.port))) continue;
        op(b.step('remove', `portal ${p.ip_address}:${p.port} of TPG ${g.tag} of ${fabric.name} ${wwn}`), P.rmdirLunPortal, { op: 'rmdir', path: portalPath(tdir, ip, p.port), independent: true });
      }
      if (wholeTpg) op(b.step('remove', `TPG ${g.tag} of ${fabric.name} ${wwn}`), P.rmdirTpg, { op: 'rmdir', path: tdir, independent: true });
    }
    if (wholeTarget) op(b.step('remove', `target ${fabric.name} ${wwn}`), P.rmdirTarget, { op: 'rmdir', path: dir, independent: true });
  }
  const removedPerHba = new Map<string, number>();
  for (const so of current.storage_objects ?? []) {
    const where = dirs.get(soKey(so));
    if (!where) continue;
    const whole = pick.storageObject?.(so) ?? false;
    // the groups as the kernel has them (a structure-only dump does not list a TCMU object's groups)
    for (const group of snap.childDirs(child(where.path, 'alua'))) {
      if (group === DEFAULT_ALUA_GROUP || !(whole || pick.alua?.(so, group))) continue;
      op(b.step('remove', `ALUA group ${group} of storage object ${so.plugin}/${so.name}`), P.rmdirAlua, { op: 'rmdir', path: aluaGroupPath(where.path, group), independent: true });
    }
    if (!whole) continue;
    const s = b.step('remove', `storage object ${so.plugin}/${so.name}`);
    op(s, P.rmdirSo, { op: 'rmdir', path: where.path, independent: true });
    const n = (removedPerHba.get(where.hba) ?? 0) + 1;
    removedPerHba.set(where.hba, n);
    if (snap.childDirs(where.hba).length === n) op(s, P.rmdirHba, { op: 'rmdir', path: where.hba, independent: true });
  }
}

/** HBA directories a set of removal steps deletes. */
function removedHbaDirs(steps: readonly PlanStep[]): Set<string> {
  return new Set(steps.flatMap((s) => s.ops.filter((o) => o.phase === P.rmdirHba).map((o) => o.path)));
}

/** Devices that storage objects removed by the plan hold (so creating on them again is allowed). */
function releasedDevices(current: SaveConfig, removed: (so: StorageObjectConfig) => boolean): Set<string> {
  return new Set((current.storage_objects ?? []).filter(removed).flatMap((so) => ('dev' in so && so.dev ? [so.dev] : [])));
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
  op(s, P.settings, { op: 'mkdir', path: dir });
  op(s, P.settings, { op: 'write', path: child(dir, 'tg_pt_gp_id'), value: String(g.tg_pt_gp_id) });
  for (const setting of ALUA_SAVED_SETTINGS) {
    const v = g[setting];
    if (v !== undefined) setNew(s, P.childSettings, child(dir, setting), setting, v);
  }
}

function modifyAluaGroup(b: PlanBuilder, so: StorageObjectConfig, soDir: string, cur: AluaTpgConfig, g: AluaTpgConfig): void {
  const dir = aluaGroupPath(soDir, g.name);
  const s: PlanStep = { action: 'modify', object: `ALUA group ${g.name} of storage object ${so.plugin}/${so.name}`, ops: [] };
  setExisting(s, P.settings, child(dir, 'tg_pt_gp_id'), 'tg_pt_gp_id', cur.tg_pt_gp_id, g.tg_pt_gp_id);
  for (const setting of ALUA_SAVED_SETTINGS) {
    const v = g[setting];
    if (v === undefined) continue;
    setExisting(s, P.childSettings, child(dir, setting), setting, cur[setting], v);
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
    if ('wwn' in so && so.wwn && 'wwn' in cur) setExisting(s, P.settings, child(groupPath(where.path, 'wwn'), 'vpd_unit_serial'), 'wwn', cur.wwn, so.wwn);
    const attrs = { ...(('write_back' in so && so.write_back !== undefined) ? { emulate_write_cache: so.write_back ? 1 : 0 } : {}), ...so.attributes };
    groupSettings(s, P.settings, where.path, 'attrib', attrs, cur.attributes, false);
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
  for (const o of planned.create) op(s, P.createSo, o);
  const soDir = storageObjectPath(kernel, index, so.name);
  const attributes = { ...recipe.attributes, ...(so.attributes ?? {}) };
  for (const [k, v] of Object.entries(attributes).sort(([a], [c]) => (a < c ? -1 : 1))) setNew(s, P.settings, child(groupPath(soDir, 'attrib'), k), `attrib/${k}`, v);
  for (const g of so.alua_tpgs ?? []) {
    if (g.name === DEFAULT_ALUA_GROUP) {
      const gs = b.step('modify', `ALUA group ${g.name} of storage object ${so.plugin}/${so.name}`);
      for (const setting of ALUA_SAVED_SETTINGS) if (g[setting] !== undefined) setNew(gs, P.childSettings, child(aluaGroupPath(soDir, g.name), setting), setting, g[setting]);
    } else addAluaGroup(b, so, soDir, g);
  }
  return soDir;
}

/** Creates or reconciles one target with its TPGs; `soDirs` maps storage object refs to their (future) paths. */
function planTarget(b: PlanBuilder, t: TargetConfig, cur: TargetConfig | undefined, soDirs: ReadonlyMap<string, string>, snap: Snapshot): void {
  const { fabric, dir, wwn } = targetDir(t);
  const name = `${fabric.name} ${wwn}`;
  if (!cur) op(b.step('create', `target ${name}`), P.createSo, { op: 'mkdir', path: dir });
  if (t.parameters) {
    const s: PlanStep = { action: cur ? 'modify' : 'create', object: `parameters of target ${name}`, ops: [] };
    groupSettings(s, P.settings, dir, 'param', t.parameters, cur?.parameters, !cur);
    if (s.ops.length) b.steps.push(s);
  }
  const curTpgs = new Map((cur?.tpgs ?? []).map((g) => [g.tag, g]));
  for (const g of t.tpgs ?? []) {
    const c = curTpgs.get(g.tag);
    const tdir = tpgPath(dir, g.tag);
    const tname = `TPG ${g.tag} of ${name}`;
    const s: PlanStep = { action: c ? 'modify' : 'create', object: tname, ops: [] };
    if (!c) {
      op(s, P.createSo, { op: 'mkdir', path: tdir });
      if (fabric.features.includes('nexus')) op(s, P.createSo, { op: 'write', path: child(tdir, TPG_FILES.nexus), value: generateWwn(fabric.wwnTypes[0]!) });
    }
    groupSettings(s, P.settings, tdir, 'attrib', g.attributes, c?.attributes, !c);
    groupSettings(s, P.settings, tdir, 'param', g.parameters, c?.parameters, !c);
    if (fabric.features.includes('auth')) chapSettings(s, P.settings, tdir, g, c);
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
async function planCreation(b: PlanBuilder, snap: Snapshot, desired: SaveConfig, current: SaveConfig, released: ReadonlySet<string>, exists: { so: (key: string) => boolean; target: (key: string) => boolean }): Promise<void> {
  const dirs = storageObjectDirs(snap);
  const soDirs = new Map<string, string>();
  for (const [key, where] of dirs) soDirs.set(key, where.path);
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

/** Directories a structure-only snapshot skips (statistics and the settings groups). */
const STRUCTURE_EXCLUDES: readonly string[] = ['statistics', 'fabric_statistics', 'attrib', 'param', 'auth', 'wwn', 'pr', 'action'];

/** The snapshot and its dump (with secrets) the planner works from; `structureOnly` leaves the settings out. */
async function readState(root: RTSRoot, structureOnly = false): Promise<{ snap: Snapshot; current: SaveConfig }> {
  // Removal and recreation need the objects, not their settings: skip the attribute groups then.
  const snap = await root.cfs.snapshot('', structureOnly ? { excludeNames: STRUCTURE_EXCLUDES } : {});
  return { snap, current: dumpSnapshot(snap, { secrets: true }) };
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

/** Removal picks for clearing `scoped` (the whole tree when unscoped). */
function clearPicks(current: SaveConfig, options: ClearOptions): Parameters<typeof planRemovals>[3] {
  const all = options.target === undefined && options.storageObject === undefined;
  if (all) return { target: () => true, storageObject: () => true };
  const so = options.storageObject;
  const soRefs = new Set((current.storage_objects ?? []).filter((s) => s.name === so).map(soKey));
  const want = options.target?.toLowerCase();
  return {
    target: (t) => want !== undefined && (t.wwn.toLowerCase() === want),
    lun: (_t, _g, l) => soRefs.has(l.storage_object),
    storageObject: (s) => s.name === so,
  };
}

/**
 * Plans removing everything (targets first, then storage objects), or one
 * target, or one storage object with the LUNs (and mapped LUNs) that export it.
 * @example
 * await executePlan(root, await planClear(root));
 */
export async function planClear(root: RTSRoot, options: ClearOptions = {}): Promise<Plan> {
  const { snap, current } = await readState(root, true);
  if (options.target !== undefined || options.storageObject !== undefined) scope(current, options, 'the kernel');
  const b = new PlanBuilder(snap);
  planRemovals(b, snap, current, clearPicks(current, options));
  return { steps: b.steps };
}

/**
 * Plans a restore of `config` as targetctl does it: by default what exists
 * (in the restored scope) is removed first; with `clearExisting: false`,
 * storage objects or targets that already exist are refused. `target` /
 * `storageObject` restore just that part of the file.
 * @example
 * const plan = await planRestore(root, await readConfigFile('/etc/target/saveconfig.json'));
 * await executePlan(root, plan);
 */
export async function planRestore(root: RTSRoot, config: SaveConfig, options: RestoreOptions = {}): Promise<Plan> {
  const { snap, current } = await readState(root, true);
  const desired = scope(config, options, 'the config');
  const clearing = options.clearExisting ?? true;
  const removal = new PlanBuilder(snap);
  let released = new Set<string>();
  if (clearing) {
    const picks = clearPicks(current, options);
    planRemovals(removal, snap, current, picks);
    released = releasedDevices(current, picks.storageObject ?? (() => false));
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
  const b = new PlanBuilder(snap, removedHbaDirs(removal.steps));
  b.steps.push(...removal.steps);
  // What is restored is created anew: it was removed above, or (no-clear) it did not exist.
  const removedSos = new Set((current.storage_objects ?? []).filter(clearing ? (clearPicks(current, options).storageObject ?? (() => false)) : () => false).map(soKey));
  const emptyCurrent: SaveConfig = { storage_objects: [], targets: [], fabric_modules: current.fabric_modules ?? [] };
  await planCreation(b, snap, desired, emptyCurrent, released, { so: () => false, target: () => false });
  // LUNs of restored targets may only name storage objects that exist after the plan.
  const kept = new Set((current.storage_objects ?? []).map(soKey).filter((k) => !removedSos.has(k)));
  for (const so of desired.storage_objects ?? []) kept.add(soKey(so));
  for (const t of desired.targets ?? []) for (const g of t.tpgs ?? []) for (const l of g.luns ?? []) {
    if (!kept.has(l.storage_object)) throw new RTSLibError(`target ${t.wwn} TPG ${g.tag} LUN ${l.index}: storage object ${l.storage_object} does not exist and is not restored`, { code: 'ENOENT' });
  }
  return { steps: b.steps };
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
  const { snap, current } = await readState(root);
  const b = new PlanBuilder(snap);
  if (options.prune) {
    const wantSos = new Map((config.storage_objects ?? []).map((so) => [soKey(so), so]));
    const wantTargets = new Map((config.targets ?? []).map((t) => [targetKey(t), t]));
    const tpgOf = (t: TargetConfig, g: TpgConfig) => wantTargets.get(targetKey(t))?.tpgs?.find((x) => x.tag === g.tag);
    const aclOf = (t: TargetConfig, g: TpgConfig, a: NodeAclConfig) => {
      const f = FABRICS[t.fabric as FabricName];
      const w = normalizeWwn(f, a.node_wwn, 'node_wwn').wwn;
      return tpgOf(t, g)?.node_acls?.find((x) => normalizeWwn(f, x.node_wwn, 'node_wwn').wwn === w);
    };
    planRemovals(b, snap, current, {
      target: (t) => !wantTargets.has(targetKey(t)),
      tpg: (t, g) => !tpgOf(t, g),
      lun: (t, g, l) => !tpgOf(t, g)?.luns?.some((x) => x.index === l.index),
      portal: (t, g, ip, port) => !tpgOf(t, g)?.portals?.some((x) => normalizePortalAddress(x.ip_address) === ip && x.port === port),
      acl: (t, g, a) => !aclOf(t, g, a),
      mapped: (t, g, a, index) => !aclOf(t, g, a)?.mapped_luns?.some((x) => x.index === index),
      storageObject: (so) => !wantSos.has(soKey(so)),
      alua: (so, group) => !wantSos.get(soKey(so))?.alua_tpgs?.some((g) => g.name === group),
    });
  }
  const curSoKeys = new Set((current.storage_objects ?? []).map(soKey));
  const curTargetKeys = new Set((current.targets ?? []).map(targetKey));
  const creation = new PlanBuilder(snap, removedHbaDirs(b.steps));
  await planCreation(creation, snap, config, current, new Set(), { so: (k) => curSoKeys.has(k), target: (k) => curTargetKeys.has(k) });
  // a LUN of a kept target may name a storage object that exists only in the kernel
  return { steps: [...b.steps, ...creation.steps] };
}

// ---------------------------------------------------------------- execution

/** Largest number of operations sent in one crossing (bounds memory and gives progress). */
const CHUNK = 2000;

/**
 * Executes a plan phase by phase through the batch engine (independent
 * removals run in parallel). Conditional writes whose file already holds the
 * value are dropped first. When an operation fails, what this run created
 * is removed again (in reverse order) and {@link RTSLibOperationError} names
 * the step's object, the file and the errno; removals already done stay done.
 */
export async function executePlan(root: RTSRoot, plan: Plan, options: ExecuteOptions = {}): Promise<ExecuteResult> {
  const cfs = root.cfs;
  const all: { op: PlanOp; step: PlanStep }[] = [];
  for (const step of plan.steps) for (const o of step.ops) all.push({ op: o, step });
  const phases = [...new Set(all.map((x) => x.op.phase))].sort((a, b) => a - b);
  const total = all.length;
  let done = 0;
  let skipped = 0;
  const undo: CfsOp[] = [];
  options.onProgress?.(0, total);
  for (const step of plan.steps) if (step.loadFabric) await new FabricModule(root, step.loadFabric).load();
  for (const phase of phases) {
    let items = all.filter((x) => x.op.phase === phase);
    const conditional = items.filter((x) => x.op.whenDiffers);
    if (conditional.length) {
      const reads = await cfs.run(conditional.map((x) => ({ op: 'read', path: x.op.path, independent: true })), { stopOnError: false });
      const drop = new Set<PlanOp>();
      conditional.forEach((x, i) => {
        const r = reads[i]!;
        const o = x.op as Extract<PlanOp, { op: 'write' }>;
        // a file that does not exist: skipped when optional, else the write is kept and fails naming it
        if (!r.ok) { if (x.op.optional && 'errno' in r && r.errno === -2) drop.add(x.op); return; }
        const text = Buffer.isBuffer(r.value) ? r.value.toString('utf8') : String(r.value ?? '');
        if (same(text, o.value)) drop.add(x.op);
        else if (!o.secret) o.previous = text.trim();
      });
      done += drop.size;
      skipped += drop.size;
      items = items.filter((x) => !drop.has(x.op));
    }
    for (let start = 0; start < items.length; start += CHUNK) {
      const chunk = items.slice(start, start + CHUNK);
      const ops = chunk.map((x) => { const { phase: _p, whenDiffers: _w, optional: _o, ...o } = x.op; return o as CfsOp; });
      const results = await cfs.run(ops, { stopOnError: true });
      let failure: { step: PlanStep; cause: FailedStep } | null = null;
      for (let i = 0; i < results.length; i++) {
        const r = results[i]!;
        const f = failedStep(ops[i]!, i, r);
        if (f && !failure) failure = { step: chunk[i]!.step, cause: f };
        const reverse = r.ok ? undoOf(ops[i]!) : null;
        if (reverse) undo.push(reverse);
      }
      done += chunk.length;
      if (failure) {
        const rollback = [...undo].reverse();
        const undoResults = await cfs.run(rollback, { stopOnError: false });
        const undoFailures = undoResults.map((r, i) => failedStep(rollback[i]!, i, r)).filter((f): f is FailedStep => f !== null);
        throw new RTSLibOperationError(`${failure.step.action} ${failure.step.object}`, failure.cause, undoFailures);
      }
      options.onProgress?.(done, total);
    }
  }
  options.onProgress?.(total, total);
  return { operations: total - skipped, skipped };
}

