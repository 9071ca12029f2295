/**
 * The removal side of plans: steps made from the one removal planner
 * (cfs/removal.ts) over the tree as the kernel has it, what `apply --prune`
 * removes, and what a removal frees for the creations after it.
 */
import type { Snapshot } from '../cfs/snapshot.js';
import { describeNode } from '../cfs/describe.js';
import { planRemoval } from '../cfs/removal.js';
import {
  CORE_DIR,
  DEFAULT_ALUA_GROUP,
  aluaGroupPath,
  child,
  nodeType,
  normalizePortalAddress,
  parseHbaDirName,
  parseLunDirName,
  parsePortalDirName,
  parseTpgDirName,
  splitPath,
  storageObjectPath,
  type NodeType,
  aclsPath,
  aluaGroupsPath,
  lunsPath,
  portalsPath,
} from '../cfs/tree.js';
import { fabricByDir } from '../cfs/fabrics.js';
import { PLUGINS } from '../cfs/plugins.js';
import { normalizeWwn, wwnFromConfigfs } from '../cfs/wwn.js';
import { listStorageObjects } from '../model/storage-object.js';
import { storageObjectRef } from '../model/saveconfig-format.js';
import { stepName, type PlanBuilder } from './plan-builder.js';
import type { PlanStep } from './plan.js';
import type { SaveConfig } from '../model/saveconfig-format.js';
import { soKey, storageObjectDirs, targetKey } from './plan-scope.js';

/**
 * Adds the steps removing `roots` (user-made nodes of the snapshot) with
 * everything in them and what must go first, planned by the one removal
 * planner (cfs/removal.ts) from the tree as the kernel has it. One step per
 * removed object; links go with their directory, a TPG's disabling with the
 * TPG, an emptied HBA with its last storage object.
 */
export function planRemovals(b: PlanBuilder, snap: Snapshot, roots: Iterable<string>): Set<string> {
  const { ops, removed } = planRemoval(snap, roots);
  // each step with its name, which every operation of it carries
  const steps = new Map<string, { step: PlanStep; name: string }>();
  // an emptied HBA goes in the step of (one of) its storage objects
  const soOfHba = new Map<string, string>();
  for (const [p, type] of removed) if (type === 'storageObject') soOfHba.set(splitPath(p).parent, p);
  const stepOf = (path: string): { step: PlanStep; name: string } => {
    const type = removed.get(path);
    let key = path;
    if (type === 'lunLink' || type === 'mappedLunLink') key = splitPath(path).parent;
    else if (type === 'hba') key = soOfHba.get(path) ?? path;
    else if (type === undefined) key = splitPath(path).parent; // a TPG's enable file
    let named = steps.get(key);
    if (!named) {
      const step: PlanStep = { action: 'remove', object: describeNode(key, removed.get(key) as NodeType), ops: [] };
      named = { step, name: stepName(step) };
      steps.set(key, named);
    }
    return named;
  };
  for (const o of ops) {
    const { step, name } = stepOf(o.path);
    o.step = name;
    step.ops.push(o);
  }
  // steps in the order of their first operation
  b.steps.push(...[...steps.values()].map((named) => named.step).sort((x, y) => (x.ops[0]?.phase ?? 0) - (y.ops[0]?.phase ?? 0)));
  return new Set(removed.keys());
}

/** Every target and HBA of the snapshot: what clearing everything removes. */
/** HBA directories a removal deletes. */
export function removedHbaDirs(removed: ReadonlySet<string>): Set<string> {
  return new Set([...removed].filter((p) => nodeType(p, 'dir') === 'hba'));
}

/** Devices that the removed storage objects hold (so creating on them again is allowed). */
export function releasedDevices(current: SaveConfig, snap: Snapshot, removed: ReadonlySet<string>): Set<string> {
  const dirs = storageObjectDirs(snap);
  return new Set((current.storage_objects ?? []).filter((so) => removed.has(dirs.get(soKey(so))?.path ?? '')).flatMap((so) => ('dev' in so && so.dev ? [so.dev] : [])));
}

/**
 * What `apply --prune` removes: every node of the snapshot the config does
 * not have (targets, TPGs, LUNs, portals, ACLs, mapped LUNs, storage
 * objects, ALUA groups), found by walking the tree, so half-made nodes
 * that a dump cannot show are found too.
 */
export function pruneRoots(snap: Snapshot, config: SaveConfig): string[] {
  const roots: string[] = [];
  const wantSos = new Map((config.storage_objects ?? []).map((so) => [soKey(so), so]));
  for (const so of listStorageObjects(snap)) {
    const dir = storageObjectPath(PLUGINS[so.plugin].kernel, so.hbaIndex, so.name);
    const want = wantSos.get(storageObjectRef(so.plugin, so.name));
    if (!want) {
      roots.push(dir);
      continue;
    }
    for (const group of snap.childDirs(aluaGroupsPath(dir))) {
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
      if (!t) {
        roots.push(tdir);
        continue;
      }
      for (const tpgName of snap.childDirs(tdir)) {
        const tag = parseTpgDirName(tpgName);
        if (tag === null) continue;
        const gdir = child(tdir, tpgName);
        const g = t.tpgs?.find((x) => x.tag === tag);
        if (!g) {
          roots.push(gdir);
          continue;
        }
        for (const lun of snap.childDirs(lunsPath(gdir))) {
          const index = parseLunDirName(lun);
          if (index !== null && !g.luns?.some((l) => l.index === index)) roots.push(child(lunsPath(gdir), lun));
        }
        for (const np of snap.childDirs(portalsPath(gdir))) {
          const parsed = parsePortalDirName(np);
          if (parsed && !g.portals?.some((p) => normalizePortalAddress(p.ip_address) === parsed.ip && p.port === parsed.port)) roots.push(child(portalsPath(gdir), np));
        }
        for (const aclName of snap.childDirs(aclsPath(gdir))) {
          const adir = child(aclsPath(gdir), aclName);
          const wwn = wwnFromConfigfs(fabric, aclName);
          const a = g.node_acls?.find((x) => normalizeWwn(fabric, x.node_wwn, 'node_wwn').wwn === wwn);
          if (!a) {
            roots.push(adir);
            continue;
          }
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
