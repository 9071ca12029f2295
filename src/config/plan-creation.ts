/**
 * The creation side of plans: storage objects (through the model's plugin
 * recipes and creation ops), ALUA groups, targets with their TPGs, LUNs,
 * portals, ACLs and mapped LUNs (through the model's creation ops), and
 * fabric modules' discovery authentication; for objects that exist, the
 * settings that differ.
 */
import type { Snapshot } from '../cfs/snapshot.js';
import { FABRICS, type FabricName } from '../cfs/fabrics.js';
import { PLUGINS } from '../cfs/plugins.js';
import {
  ACL_FILES,
  DEFAULT_ALUA_GROUP,
  LUN_FILES,
  MAPPED_LUN_FILES,
  PORTAL_FILES,
  TPG_FILES,
  TPG_ATTRIBUTES,
  ROOT_FILES,
  aclPath,
  aluaGroupPath,
  child,
  discoveryAuthPath,
  fabricPath,
  groupPath,
  hbaPath,
  lunPath,
  mappedLunPath,
  normalizePortalAddress,
  portalPath,
  storageObjectPath,
  tpgPath,
  ALUA_GROUP_FILES,
  DISCOVERY_AUTH_FILES,
  settingPath,
} from '../cfs/tree.js';
import { normalizeWwn, generateWwn, wwnToConfigfs } from '../cfs/wwn.js';
import { randomLinkAlias } from '../cfs/names.js';
import { storageObjectCreationOps, type CreationRecipe } from '../model/storage-object.js';
import { STORAGE_PLUGINS } from '../model/storage-plugins.js';
import { discoveryAuthState } from '../model/dump.js';
import { savedRegistrationFiles, withSavedRegistrations } from '../model/persistent-reservations.js';
import { lunCreateOps } from '../model/lun.js';
import { mappedLunCreateOps } from '../model/mapped-lun.js';
import { aclSettingOps } from '../model/node-acl.js';
import { tpgCreateOps } from '../model/tpg.js';
import { RTSLibError } from '../errors.js';
import { AUTH_UNSET } from '../cfs/values.js';
import { ALUA_SAVED_SETTINGS, CHAP_KEYS, DISCOVERY_KEYS } from '../model/saveconfig-format.js';
import type { AluaTpgConfig, FabricModuleConfig, SaveConfig, StorageObjectConfig, TargetConfig } from '../model/saveconfig-format.js';
import type { PlanOp, PlanStep } from './plan.js';
import type { FirstOfClass, PlanBuilder } from './plan-builder.js';
import { P, op, same, setExisting, setNew, settingsOver, show, sortedSettings, stepName } from './plan-builder.js';
import type { AlikeSettings } from '../cfs/phased-ops.js';
import { initialSettingsClass } from './initial-settings.js';
import { keyPathOf, pathOf, skipped, type Leniency } from './plan-leniency.js';
import { kernelHasModule } from '../model/fabric-module.js';
import { soKey, storageObjectDirs, targetDir, targetKey } from './plan-scope.js';
import { aluaGroupInSnapshot, mappedLunsInSnapshot, settingsInSnapshot, settingsOfEntry, type CurrentSettings } from './current-settings.js';

/**
 * What the model's plugin classes would write to create `so` (devices are
 * checked here). Keys the file leaves out take rtslib-fb's defaults: fileio
 * `write_back` and `aio` false, block `readonly` false and `exclusive` true;
 * like rtslib-fb, a block entry's `write_back` and a fileio entry's old
 * `buffered_mode` are not creation settings (the saved
 * `attributes.emulate_write_cache` is what sets the write cache).
 */
async function recipeFor(so: StorageObjectConfig, released: ReadonlySet<string>): Promise<CreationRecipe> {
  const wwn = 'wwn' in so && so.wwn ? { wwn: so.wwn } : {};
  switch (so.plugin) {
    case 'fileio':
      return STORAGE_PLUGINS.fileio.recipe({ dev: so.dev, ...(so.size ? { size: so.size } : {}), writeBack: so.write_back ?? false, aio: so.aio ?? false, ...wwn }, released);
    case 'block':
      return STORAGE_PLUGINS.block.recipe({ dev: so.dev, readonly: so.readonly ?? false, exclusive: so.exclusive ?? true, ...wwn }, released);
    case 'ramdisk':
      return STORAGE_PLUGINS.ramdisk.recipe({ size: so.size, nullio: so.nullio ?? false, ...wwn }, released);
    case 'pscsi':
      return STORAGE_PLUGINS.pscsi.recipe({ dev: so.dev }, released);
    case 'user':
      return STORAGE_PLUGINS.user.recipe(
        {
          config: so.config,
          size: so.size,
          ...(so.hw_max_sectors === undefined ? {} : { hwMaxSectors: so.hw_max_sectors }),
          ...(so.control ? { control: so.control } : {}),
          ...wwn,
        },
        released,
      );
  }
}

/** In a lenient plan, lets the step's last operation (a setting) be skipped, reported under `path`. */
function tolerateLast(s: PlanStep, lenient: Leniency | undefined, path: () => string): void {
  const last = s.ops[s.ops.length - 1];
  if (lenient && last) last.tolerate = path();
}

/**
 * A group of settings of a new storage object (its attributes, or its
 * default ALUA group's): conditional writes, since the kernel's start may
 * already hold them. `entries` are each setting's name as a plan shows it
 * and value; `file` gives its path under `soDir`, and (lenient plans) the
 * config key a skipped one is reported under.
 *
 * The later new objects of a class (initial-settings.ts) compare with the
 * first one's files (`PhasedOp.likeAs`). A later one that asks for exactly
 * what the first one asks for in the group gets no writes of its own: it
 * follows the first one's (`PhasedOp.alike`), dropped or written with them
 * (at W(1000,16) a restore's 44,000 settings of new objects were half its
 * operations, all dropped). Lenient plans keep every write (each reports
 * its own key).
 */
function newObjectSettings(
  s: PlanStep,
  phase: number,
  soDir: string,
  first: FirstOfClass | null,
  group: string,
  entries: readonly (readonly [name: string, value: unknown])[],
  file: (name: string) => { path: string; tolerate?: () => string },
  lenient: Leniency | undefined,
): void {
  const follows = first !== null && !lenient;
  const known = follows ? first.groups.get(group) : undefined;
  if (known !== undefined && first?.dir !== soDir && sameSettings(known.wanted, entries)) {
    known.alike.members.push({ dir: soDir, step: stepName(s) });
    (s.changes ??= []).push(...known.changes);
    return;
  }
  // the first of its class: later ones asking for the same join the record its writes carry
  const alike: AlikeSettings | undefined = follows && first.dir === soDir ? { dir: soDir, members: [] } : undefined;
  const shownBefore = s.changes?.length ?? 0;
  for (const [name, value] of entries) {
    const { path, tolerate } = file(name);
    setNew(s, phase, path, name, value);
    const last = s.ops[s.ops.length - 1] as PlanOp;
    if (alike) last.alike = alike;
    else if (first !== null && first.dir !== soDir) last.likeAs = `${first.dir}${path.slice(soDir.length)}`;
    if (tolerate) tolerateLast(s, lenient, tolerate);
  }
  if (alike) first?.groups.set(group, { wanted: entries, changes: s.changes?.slice(shownBefore) ?? [], alike });
}

/** Whether two lists of settings (name, value) ask for the same, in the same order. */
function sameSettings(a: readonly (readonly [string, unknown])[], b: readonly (readonly [string, unknown])[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i]![0] !== b[i]![0] || String(a[i]![1]) !== String(b[i]![1])) return false;
  return true;
}

/** The settings of a new ALUA group of an existing or new storage object (not its default group: see {@link newObjectSettings}). */
function aluaGroupSettings(s: PlanStep, dir: string, g: AluaTpgConfig, lenient: Leniency | undefined): void {
  for (const setting of ALUA_SAVED_SETTINGS) {
    const v = g[setting];
    if (v === undefined) continue;
    setNew(s, P.aluaGroupSettings, child(dir, setting), setting, v);
    tolerateLast(s, lenient, () => keyPathOf(lenient!, g, setting));
  }
}

function addAluaGroup(b: PlanBuilder, so: StorageObjectConfig, soDir: string, g: AluaTpgConfig, lenient: Leniency | undefined): void {
  const dir = aluaGroupPath(soDir, g.name);
  const s = b.step('create', `ALUA group ${g.name} (id ${g.tg_pt_gp_id}) of storage object ${so.plugin}/${so.name}`);
  op(s, P.storageObjectSettings, { op: 'mkdir', path: dir });
  op(s, P.storageObjectSettings, { op: 'write', path: child(dir, ALUA_GROUP_FILES.id), value: String(g.tg_pt_gp_id) });
  aluaGroupSettings(s, dir, g, lenient);
}

function modifyAluaGroup(b: PlanBuilder, so: StorageObjectConfig, soDir: string, cur: AluaTpgConfig, g: AluaTpgConfig): void {
  const dir = aluaGroupPath(soDir, g.name);
  const s: PlanStep = { action: 'modify', object: `ALUA group ${g.name} of storage object ${so.plugin}/${so.name}`, ops: [] };
  setExisting(s, P.storageObjectSettings, child(dir, ALUA_GROUP_FILES.id), 'tg_pt_gp_id', cur.tg_pt_gp_id, g.tg_pt_gp_id);
  for (const setting of ALUA_SAVED_SETTINGS) {
    const v = g[setting];
    if (v === undefined) continue;
    setExisting(s, P.aluaGroupSettings, child(dir, setting), setting, cur[setting], v);
  }
  if (s.ops.length) b.steps.push(s);
}

/**
 * Attributes/parameters of a node: conditional writes for a new node,
 * differing ones for an existing node. `entry` is the config entry they come
 * from; in a lenient plan a setting the kernel lacks is skipped with a warning.
 */
function groupSettings(
  s: PlanStep,
  phase: number,
  dir: string,
  group: 'attrib' | 'param',
  desired: readonly (readonly [name: string, value: string | number])[],
  current: CurrentSettings | undefined,
  isNew: boolean,
  entry: object,
  lenient: Leniency | undefined,
): void {
  const key = group === 'attrib' ? 'attributes' : 'parameters';
  const groupDir = groupPath(dir, group);
  for (const [k, v] of desired) {
    if (isNew) {
      setNew(s, phase, child(groupDir, k), `${group}/${k}`, v);
      tolerateLast(s, lenient, () => keyPathOf(lenient!, entry, key, k));
      continue;
    }
    const now = current?.(k);
    if (now !== undefined) {
      // the path is built only for a setting that changes (an unchanged re-apply compares ~40 per storage object)
      if (!same(now, v)) setExisting(s, phase, child(groupDir, k), `${group}/${k}`, now, v);
    } else if (lenient) skipped(lenient, keyPathOf(lenient, entry, key, k), `the kernel has no writable ${group === 'attrib' ? 'attribute' : 'parameter'} ${k} here`);
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
    const path = settingPath(dir, 'auth', file);
    if (!current) {
      if (v !== '') {
        op(s, phase, { op: 'write', path, value: v, ...(secret ? { secret: true } : {}) });
        (s.changes ??= []).push(`${key} = ${show(v, secret)}`);
      }
    } else setAuth(s, phase, path, key, current[key] ?? '', v, secret);
  }
}

/**
 * An auth file (CHAP, discovery) of an existing node: written when it
 * differs; an empty value is written as the kernel's `NULL` (it refuses an
 * empty write with EFAULT), as rtslib-fb writes it.
 */
function setAuth(s: PlanStep, phase: number, path: string, key: string, current: string, desired: string, secret: boolean): void {
  if (same(current, desired)) return;
  setExisting(s, phase, path, key, current === '' ? AUTH_UNSET : current, desired === '' ? AUTH_UNSET : desired, secret);
}

/** Creates or reconciles one storage object. */
function planStorageObject(
  b: PlanBuilder,
  snap: Snapshot,
  so: StorageObjectConfig,
  cur: StorageObjectConfig | undefined,
  where: { path: string } | undefined,
  recipe: CreationRecipe | undefined,
  lenient: Leniency | undefined,
): string {
  if (cur && where) {
    // Settings fixed at creation must match: changing them means recreating the object.
    const fixed: [string, unknown, unknown][] = [];
    if ('dev' in so) fixed.push(['dev', (cur as { dev?: string }).dev, so.dev]);
    if ((so.plugin === 'ramdisk' || so.plugin === 'user' || so.plugin === 'fileio') && so.size) fixed.push(['size', (cur as { size?: number }).size, so.size]);
    if (so.plugin === 'ramdisk') fixed.push(['nullio', (cur as { nullio?: boolean }).nullio ?? false, so.nullio ?? false]);
    if (so.plugin === 'block') fixed.push(['readonly', (cur as { readonly?: boolean }).readonly ?? false, so.readonly ?? false]);
    if (so.plugin === 'fileio') fixed.push(['aio', (cur as { aio?: boolean }).aio ?? false, so.aio ?? false]);
    if (so.plugin === 'user') fixed.push(['config', (cur as { config?: string }).config, so.config]);
    for (const [name, now, want] of fixed) {
      if (!same(now, want))
        throw new RTSLibError(
          `storage object ${so.plugin}/${so.name} exists with ${name} ${JSON.stringify(now)}, the config says ${JSON.stringify(want)}: ${name} is fixed at creation; remove the object first (or use restore)`,
          { code: 'ERR_RTSLIB_CONFLICT' },
        );
    }
    const s: PlanStep = { action: 'modify', object: `storage object ${so.plugin}/${so.name}`, ops: [] };
    if ('wwn' in so && so.wwn && 'wwn' in cur) setExisting(s, P.storageObjectSettings, settingPath(where.path, 'wwn', 'vpd_unit_serial'), 'wwn', cur.wwn, so.wwn);
    const attrs = settingsOver<string | number>(so.attributes, 'write_back' in so && so.write_back !== undefined ? { emulate_write_cache: so.write_back ? 1 : 0 } : undefined);
    // its settings compared straight from the snapshot (the planner's dump leaves them out)
    groupSettings(s, P.storageObjectSettings, where.path, 'attrib', attrs, settingsInSnapshot(snap, groupPath(where.path, 'attrib')), false, so, lenient);
    if (s.ops.length) b.steps.push(s);
    for (const g of so.alua_tpgs ?? []) {
      const c = aluaGroupInSnapshot(snap, so.plugin, where.path, g.name);
      if (c) modifyAluaGroup(b, so, where.path, c, g);
      else if (g.name !== DEFAULT_ALUA_GROUP) addAluaGroup(b, so, where.path, g, lenient);
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
  // the first new object of its class (the kernel starts them with the same settings): read for this one's, or followed
  const cls = initialSettingsClass(so, recipe);
  const first = cls === null ? null : b.firstNewOfClass(cls, soDir);
  newObjectSettings(
    s,
    P.storageObjectSettings,
    soDir,
    first,
    'attrib',
    settingsOver<string | number>(so.attributes, recipe.attributes).map(([k, v]) => [`attrib/${k}`, v] as const),
    (name) => {
      const k = name.slice('attrib/'.length);
      const path = settingPath(soDir, 'attrib', k);
      return so.attributes && Object.prototype.hasOwnProperty.call(so.attributes, k) ? { path, tolerate: () => keyPathOf(lenient!, so, 'attributes', k) } : { path };
    },
    lenient,
  );
  // saved APTPL registrations, before any LUN exports the object
  for (const o of planned.attributes) op(s, P.storageObjectSettings, o);
  if (recipe.aptplRegistrations?.length) (s.changes ??= []).push(`APTPL registrations restored: ${recipe.aptplRegistrations.length}`);
  for (const g of so.alua_tpgs ?? []) {
    if (g.name === DEFAULT_ALUA_GROUP) {
      const dir = aluaGroupPath(soDir, g.name);
      newObjectSettings(
        b.step('modify', `ALUA group ${g.name} of storage object ${so.plugin}/${so.name}`),
        P.aluaGroupSettings,
        soDir,
        first,
        'alua',
        ALUA_SAVED_SETTINGS.flatMap((setting) => (g[setting] === undefined ? [] : [[setting, g[setting]] as const])),
        (setting) => ({ path: child(dir, setting), tolerate: () => keyPathOf(lenient!, g, setting as (typeof ALUA_SAVED_SETTINGS)[number]) }),
        lenient,
      );
    } else addAluaGroup(b, so, soDir, g, lenient);
  }
  return soDir;
}

/**
 * Creates or reconciles one target with its TPGs; `soDirs` maps storage
 * object refs to their (future) paths. In a lenient plan, LUNs of storage
 * objects the plan skipped (`skippedSos`) are skipped too, with the mapped
 * LUNs that map them.
 */
function planTarget(
  b: PlanBuilder,
  t: TargetConfig,
  cur: TargetConfig | undefined,
  soDirs: ReadonlyMap<string, string>,
  snap: Snapshot,
  lenient: Leniency | undefined,
  skippedSos: ReadonlySet<string>,
  readOnlySos: ReadonlySet<string>,
): void {
  const { fabric, dir, wwn } = targetDir(t);
  const name = `${fabric.name} ${wwn}`;
  if (!cur) op(b.step('create', `target ${name}`), P.createTarget, { op: 'mkdir', path: dir });
  if (t.parameters) {
    const s: PlanStep = { action: cur ? 'modify' : 'create', object: `parameters of target ${name}`, ops: [] };
    groupSettings(s, P.targetSettings, dir, 'param', sortedSettings(t.parameters), settingsOfEntry(cur?.parameters), !cur, t, lenient);
    if (s.ops.length) b.steps.push(s);
  }
  const curTpgs = new Map((cur?.tpgs ?? []).map((g) => [g.tag, g]));
  for (const g of t.tpgs ?? []) {
    const c = curTpgs.get(g.tag);
    const tdir = tpgPath(dir, g.tag);
    const tname = `TPG ${g.tag} of ${name}`;
    const s: PlanStep = { action: c ? 'modify' : 'create', object: tname, ops: [] };
    if (!c) for (const o of tpgCreateOps(tdir, fabric.features.includes('nexus') ? generateWwn(fabric.wwnTypes[0]!) : undefined)) op(s, P.createTarget, o);
    groupSettings(s, P.targetSettings, tdir, 'attrib', sortedSettings(g.attributes), settingsOfEntry(c?.attributes), !c, g, lenient);
    groupSettings(s, P.targetSettings, tdir, 'param', sortedSettings(g.parameters), settingsOfEntry(c?.parameters), !c, g, lenient);
    if (fabric.features.includes('auth')) chapSettings(s, P.targetSettings, tdir, g, c);
    if (s.ops.length) b.steps.push(s);
    // LUNs
    const curLuns = new Map((c?.luns ?? []).map((l) => [l.index, l]));
    const skippedLuns = new Set<number>();
    for (const l of g.luns ?? []) {
      if (lenient && skippedSos.has(l.storage_object)) {
        skipped(lenient, pathOf(lenient, l), `its storage object ${l.storage_object} was skipped`);
        skippedLuns.add(l.index);
        continue;
      }
      const cl = curLuns.get(l.index);
      const ldir = lunPath(tdir, l.index);
      if (cl) {
        if (cl.storage_object !== l.storage_object) {
          throw new RTSLibError(`LUN ${l.index} of ${tname} exports ${cl.storage_object}, the config says ${l.storage_object}: remove the LUN first (or use restore)`, {
            code: 'ERR_RTSLIB_CONFLICT',
          });
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
      for (const o of lunCreateOps(ldir, soDir, l.alias ?? randomLinkAlias(), l.alua_tg_pt_gp_name || undefined)) {
        op(ls, o.op === 'write' ? P.childSettings : P.children, o);
        if (o.op === 'write') (ls.changes ??= []).push(`alua_tg_pt_gp_name = ${JSON.stringify(l.alua_tg_pt_gp_name)}`);
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
      for (const [key, file] of [
        ['iser', PORTAL_FILES.iser],
        ['offload', PORTAL_FILES.offload],
      ] as const) {
        const want = p[key] ?? false;
        if (cp) setExisting(ps, P.childSettings, child(pdir, file), key, cp[key] ? 1 : 0, want ? 1 : 0);
        else if (want) {
          op(ps, P.childSettings, { op: 'write', path: child(pdir, file), value: '1' });
          (ps.changes ??= []).push(`${key} = true`);
        }
      }
      if (ps.ops.length) b.steps.push(ps);
    }
    // ACLs and mapped LUNs
    // where the kernel makes a new mapped LUN read-only by itself: under prod_mode_write_protect, and on a LUN of a read-only device
    const prodModeWriteProtect = Number(g.attributes?.[TPG_ATTRIBUTES.prodModeWriteProtect] ?? c?.attributes?.[TPG_ATTRIBUTES.prodModeWriteProtect] ?? 0) === 1;
    const readOnlyLuns = new Set([...(c?.luns ?? []), ...(g.luns ?? [])].filter((l) => readOnlySos.has(l.storage_object)).map((l) => l.index));
    const curAcls = new Map((c?.node_acls ?? []).map((a) => [normalizeWwn(fabric, a.node_wwn, 'node_wwn').wwn, a]));
    for (const a of g.node_acls ?? []) {
      const nwwn = normalizeWwn(fabric, a.node_wwn, 'node_wwn').wwn;
      const ca = curAcls.get(nwwn);
      const adir = aclPath(tdir, wwnToConfigfs(fabric, nwwn));
      const aname = `ACL ${nwwn} of ${tname}`;
      const as: PlanStep = { action: ca ? 'modify' : 'create', object: aname, ops: [] };
      if (!ca) op(as, P.children, { op: 'mkdir', path: adir });
      groupSettings(as, P.childSettings, adir, 'attrib', sortedSettings(a.attributes), settingsOfEntry(ca?.attributes), !ca, a, lenient);
      if (a.tag !== undefined) {
        if (ca) setExisting(as, P.childSettings, child(adir, ACL_FILES.tag), 'tag', ca.tag ?? '', a.tag);
        else if (a.tag) {
          for (const o of aclSettingOps(adir, { tag: a.tag })) op(as, P.childSettings, o);
          (as.changes ??= []).push(`tag = ${JSON.stringify(a.tag)}`);
        }
      }
      if (a.tcq_depth !== undefined) {
        setNew(as, P.childSettings, child(adir, ACL_FILES.cmdsnDepth), 'tcq_depth (cmdsn_depth)', a.tcq_depth);
        tolerateLast(as, lenient, () => keyPathOf(lenient!, a, 'tcq_depth'));
      }
      if (fabric.features.includes('auth')) chapSettings(as, P.childSettings, adir, a, ca);
      if (as.ops.length) b.steps.push(as);
      // an existing ACL's mapped LUNs looked up in the snapshot (the planner's dump leaves them out)
      const curMapped = ca ? mappedLunsInSnapshot(snap, adir) : undefined;
      for (const m of a.mapped_luns ?? []) {
        if (lenient && skippedLuns.has(m.tpg_lun)) {
          skipped(lenient, pathOf(lenient, m), `LUN ${m.tpg_lun} was skipped`);
          continue;
        }
        const mdir = mappedLunPath(adir, m.index);
        const cm = curMapped?.(m.index);
        if (cm) {
          if (cm.tpg_lun !== m.tpg_lun)
            throw new RTSLibError(`mapped LUN ${m.index} of ${aname} maps LUN ${cm.tpg_lun}, the config says ${m.tpg_lun}: remove it first (or use restore)`, {
              code: 'ERR_RTSLIB_CONFLICT',
            });
          // a step only for a mapped LUN that changes (an unchanged re-apply compares one per LUN per ACL)
          if (cm.write_protect !== Boolean(m.write_protect)) {
            const ms = b.step('modify', `mapped LUN ${m.index} of ${aname}`);
            setExisting(ms, P.childSettings, child(mdir, MAPPED_LUN_FILES.writeProtect), 'write_protect', cm.write_protect ? 1 : 0, m.write_protect ? 1 : 0);
          }
          continue;
        }
        const ms = b.step('create', `mapped LUN ${m.index} of ${aname} -> LUN ${m.tpg_lun}`);
        // write_protect left out is false, as rtslib-fb writes it; written only where the kernel would start it as true
        const writeProtect = m.write_protect ? true : prodModeWriteProtect || readOnlyLuns.has(m.tpg_lun) ? false : undefined;
        for (const o of mappedLunCreateOps(mdir, lunPath(tdir, m.tpg_lun), m.alias ?? randomLinkAlias(), writeProtect)) op(ms, o.op === 'write' ? P.childSettings : P.children, o);
        if (m.write_protect) (ms.changes ??= []).push('write_protect = true');
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
    if (v !== undefined) setAuth(s, P.childSettings, child(dir, file), key, cur?.[key] ?? '', v, secret);
  }
  if (fm.discovery_enable_auth !== undefined)
    setExisting(s, P.enable, child(dir, DISCOVERY_AUTH_FILES.enforce), 'discovery_enable_auth', cur?.discovery_enable_auth ? 1 : 0, fm.discovery_enable_auth ? 1 : 0);
  if (s.ops.length) b.steps.push(s);
}

/**
 * The discovery authentication of every loaded fabric that has it, set to
 * the file's entry for that fabric, or to none when the file has no entry
 * (what a whole clear or restore leaves, as rtslib-fb's `clear_existing`
 * resets it: user ids and passwords emptied, not enforced).
 */
export function planDiscoveryAuth(b: PlanBuilder, snap: Snapshot, entries: readonly FabricModuleConfig[] = []): Set<string> {
  const covered = new Set<string>();
  for (const fabric of Object.values(FABRICS)) {
    const state = discoveryAuthState(snap, fabric);
    if (!state) continue;
    const entry = entries.find((f) => f.name === fabric.name);
    const desired: FabricModuleConfig = { name: fabric.name, discovery_enable_auth: entry?.discovery_enable_auth ?? false };
    for (const [key] of DISCOVERY_KEYS) desired[key] = entry?.[key] ?? '';
    planFabricModule(b, desired, state);
    covered.add(fabric.name);
  }
  return covered;
}

/** Options of {@link planCreation}. */
export interface CreationOptions {
  /** Device paths the plan's removals release (their in-use probe is skipped). */
  released: ReadonlySet<string>;
  /** Whether a storage object / target (by key) exists and is kept: it is reconciled, not created. */
  exists: { so: (key: string) => boolean; target: (key: string) => boolean };
  /** Paths the plan's removals remove. */
  removed: ReadonlySet<string>;
  /** A lenient plan: skip what this kernel cannot apply, with warnings. */
  lenient?: Leniency;
  /** The whole configuration is restored: fabrics the file has no entry for lose their discovery authentication. */
  whole?: boolean;
}

/**
 * Adds the creation/reconciliation steps for `desired` (already scoped) over
 * `current`. Returns the keys of the storage objects a lenient plan skipped.
 */
export async function planCreation(b: PlanBuilder, snap: Snapshot, desired: SaveConfig, current: SaveConfig, options: CreationOptions): Promise<Set<string>> {
  const { released, exists, removed, lenient } = options;
  const dirs = storageObjectDirs(snap);
  const soDirs = new Map<string, string>();
  for (const [key, where] of dirs) if (!removed.has(where.path)) soDirs.set(key, where.path);
  const curSos = new Map((current.storage_objects ?? []).map((so) => [soKey(so), so]));
  // The device checks of new objects (stat, in-use probe) run concurrently, before anything is planned.
  const fresh = (desired.storage_objects ?? []).filter((so) => !exists.so(soKey(so)));
  // the registrations the kernel saved (APTPL) for a restored unit serial come back with the object, as rtslib-fb does it
  const dbroot = snap.text(ROOT_FILES.dbroot)?.trim();
  const aptplFiles = fresh.length ? await savedRegistrationFiles(dbroot) : new Set<string>();
  const outcomes = await Promise.allSettled(fresh.map(async (so) => withSavedRegistrations(await recipeFor(so, released), dbroot, aptplFiles)));
  const recipes = new Map<string, CreationRecipe>();
  const skippedSos = new Set<string>();
  outcomes.forEach((outcome, i) => {
    const so = fresh[i]!;
    if (outcome.status === 'fulfilled') recipes.set(soKey(so), outcome.value);
    else if (lenient && outcome.reason instanceof RTSLibError) {
      skipped(lenient, pathOf(lenient, so), `storage object ${so.plugin}/${so.name} cannot be created here (${outcome.reason.message})`);
      skippedSos.add(soKey(so));
    } else throw outcome.reason;
  });
  for (const so of desired.storage_objects ?? []) {
    const key = soKey(so);
    if (skippedSos.has(key)) continue;
    const keep = exists.so(key);
    soDirs.set(key, planStorageObject(b, snap, so, keep ? curSos.get(key) : undefined, keep ? dirs.get(key) : undefined, recipes.get(key), lenient));
  }
  // fabrics the plan uses that are not loaded: loaded first, or (lenient) skipped when the kernel has no module for them
  const fabrics = new Set([...(desired.targets ?? []), ...(desired.fabric_modules ?? [])].map((t) => ('fabric' in t ? t.fabric : t.name) as FabricName));
  const missingFabrics = new Set<FabricName>();
  for (const name of [...fabrics].sort()) {
    if (snap.kind(fabricPath(FABRICS[name].dir)) === 'dir') continue;
    if (lenient && !(await kernelHasModule(FABRICS[name].module))) missingFabrics.add(name);
    else b.steps.push({ action: 'create', object: `fabric module ${name} (load)`, ops: [], loadFabric: name });
  }
  const missing = (entry: TargetConfig | FabricModuleConfig): boolean => {
    const name = ('fabric' in entry ? entry.fabric : entry.name) as FabricName;
    if (!lenient || !missingFabrics.has(name)) return false;
    skipped(lenient, pathOf(lenient, entry), `the kernel has no ${name} fabric (module ${FABRICS[name].module})`);
    return true;
  };
  const curFms = new Map((current.fabric_modules ?? []).map((f) => [f.name, f]));
  // a whole restore sets every loaded fabric's discovery authentication; the file's entries for the others follow
  const covered = options.whole ? planDiscoveryAuth(b, snap, desired.fabric_modules) : new Set<string>();
  for (const fm of desired.fabric_modules ?? []) {
    if (!missing(fm) && !covered.has(fm.name)) planFabricModule(b, fm, curFms.get(fm.name));
  }
  const curTargets = new Map((current.targets ?? []).map((t) => [targetKey(t), t]));
  const readOnlySos = new Set([...(current.storage_objects ?? []), ...(desired.storage_objects ?? [])].filter((so) => so.plugin === 'block' && so.readonly === true).map(soKey));
  for (const t of desired.targets ?? []) {
    if (missing(t)) continue;
    const key = targetKey(t);
    planTarget(b, t, exists.target(key) ? curTargets.get(key) : undefined, soDirs, snap, lenient, skippedSos, readOnlySos);
  }
  return skippedSos;
}

/** A snapshot a plan was made from inside an exclusive hold, and what made it still true. */
