/**
 * Lenient plans (boot restores): what this kernel cannot apply is skipped
 * and reported as a warning naming the entry's JSON path in the file,
 * instead of refusing the whole config. The planner skips what it can tell
 * in advance (a storage object whose device cannot be used, with the LUNs
 * and mapped LUNs that need it; a fabric the kernel has no module for; an
 * attribute an existing object lacks); the write run skips settings whose
 * file turns out to be absent or whose write the kernel refuses (operations
 * marked `tolerate`).
 */
import type { ConfigIssue } from './config-error.js';
import type { SaveConfig } from '../model/saveconfig-format.js';

/** The state of a lenient plan: where each entry is in the file, and the warnings so far. */
export interface Leniency {
  /** The JSON path of each entry object of the config, as the file has it. */
  readonly paths: WeakMap<object, string>;
  /** Warnings collected while planning, in plan order. */
  readonly warnings: ConfigIssue[];
}

/** A fresh leniency state for `config` (entry paths computed from its lists). */
export function leniencyFor(config: SaveConfig): Leniency {
  const paths = new WeakMap<object, string>();
  (config.storage_objects ?? []).forEach((so, i) => {
    const at = `storage_objects[${i}]`;
    paths.set(so, at);
    (so.alua_tpgs ?? []).forEach((g, j) => paths.set(g, `${at}.alua_tpgs[${j}]`));
  });
  (config.targets ?? []).forEach((t, i) => {
    const at = `targets[${i}]`;
    paths.set(t, at);
    (t.tpgs ?? []).forEach((g, j) => {
      const gat = `${at}.tpgs[${j}]`;
      paths.set(g, gat);
      (g.luns ?? []).forEach((l, k) => paths.set(l, `${gat}.luns[${k}]`));
      (g.portals ?? []).forEach((p, k) => paths.set(p, `${gat}.portals[${k}]`));
      (g.node_acls ?? []).forEach((a, k) => {
        const aat = `${gat}.node_acls[${k}]`;
        paths.set(a, aat);
        (a.mapped_luns ?? []).forEach((m, n) => paths.set(m, `${aat}.mapped_luns[${n}]`));
      });
    });
  });
  (config.fabric_modules ?? []).forEach((f, i) => paths.set(f, `fabric_modules[${i}]`));
  return { paths, warnings: [] };
}

/** The JSON path of an entry (`$` when it is not one of the config's). */
export function pathOf(lenient: Leniency, entry: object): string {
  return lenient.paths.get(entry) ?? '$';
}

/** The JSON path of a key inside an entry: `targets[0].tpgs[0].attributes.foo`. */
export function keyPathOf(lenient: Leniency, entry: object, ...keys: string[]): string {
  return pathOf(lenient, entry) + keys.map((key) => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`)).join('');
}

/** Records that an entry (or a setting of it) was skipped, and why. */
export function skipped(lenient: Leniency, path: string, why: string): void {
  lenient.warnings.push({ path, message: `${why}: skipped` });
}
