/**
 * The settings of an existing object as the planner compares them with a
 * config: read by name straight from the snapshot (a storage object's
 * attributes and ALUA groups and an ACL's mapped LUNs, the bulk of an
 * unchanged re-apply, are never built into a dumped entry first), or from a
 * dumped entry's group.
 */
import type { Snapshot } from '../cfs/snapshot.js';
import { aluaGroupForm, aluaSupportedIn, forEachMappedLunDir, mappedLunFormAt, savedValue } from '../model/saved-forms.js';
import { aluaGroupPath } from '../cfs/tree.js';
import type { PluginName } from '../cfs/plugins.js';
import type { AluaTpgConfig, MappedLunConfig, SavedAttributes, SavedParameters } from '../model/saveconfig-format.js';

/** A group's current value of setting `name` as a dump saves it; undefined when the kernel has no such readable and writable setting. */
export type CurrentSettings = (name: string) => string | number | undefined;

/** {@link CurrentSettings} of a dumped entry's group (`attributes`, `parameters`). */
export function settingsOfEntry(values: SavedAttributes | SavedParameters | undefined): CurrentSettings | undefined {
  if (!values) return undefined;
  return (name) => (Object.prototype.hasOwnProperty.call(values, name) ? values[name] : undefined);
}

/**
 * {@link CurrentSettings} of the group directory `dir` in the snapshot, as
 * the dump would save them (rtslib-fb's integer form): one lookup of the
 * directory, then its sorted names walked along as a plan asks for them in
 * sorted order.
 */
export function settingsInSnapshot(snap: Snapshot, dir: string): CurrentSettings {
  const at = snap.entryIndex(dir);
  const { names, indexes } = at === undefined ? { names: [], indexes: [] } : snap.childrenAt(at);
  let from = 0;
  return (name) => {
    let k = names.indexOf(name, from);
    if (k < 0) k = names.indexOf(name);
    if (k < 0) return undefined;
    from = k + 1;
    const text = snap.settingTextAt(indexes[k]);
    return text === undefined ? undefined : savedValue(text);
  };
}

/**
 * The ALUA group `name` of the storage object at `so` as a dump saves it;
 * undefined when the object has no such group (or no ALUA support).
 */
export function aluaGroupInSnapshot(snap: Snapshot, plugin: PluginName, so: string, name: string): AluaTpgConfig | undefined {
  if (!aluaSupportedIn(snap, plugin, so) || snap.kind(aluaGroupPath(so, name)) !== 'dir') return undefined;
  return aluaGroupForm(snap, so, name);
}

/** An existing ACL's mapped LUNs as a dump saves them, by mapped LUN index; undefined where it has none that maps a LUN. */
export type CurrentMappedLuns = (index: number) => MappedLunConfig | undefined;

/**
 * {@link CurrentMappedLuns} of the ACL directory `dir` in the snapshot: its
 * children listed once, each mapped LUN's entry built only when asked for
 * (no ACL's whole list built and sorted first, as the dump does).
 */
export function mappedLunsInSnapshot(snap: Snapshot, dir: string): CurrentMappedLuns {
  const at = snap.entryIndex(dir);
  const byIndex = new Map<number, number>();
  if (at !== undefined) forEachMappedLunDir(snap, at, (index, i) => byIndex.set(index, i));
  return (index) => {
    const i = byIndex.get(index);
    return i === undefined ? undefined : (mappedLunFormAt(snap, i, index) ?? undefined);
  };
}
