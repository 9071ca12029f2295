/**
 * Forms of saveconfig.json that older rtslib-fb versions wrote and that
 * rtslib-fb still restores, rewritten to the current form before the file
 * is checked: the plugin names `iblock` and `rd_mcp` (rtslib-fb 2.1.fb1–fb9
 * wrote `rd_mcp`; restore maps both), and TPGs without a `tag` (restore
 * gives them the lowest free tag from 1 up). Other old keys are part of the
 * schema itself (`tcq_depth`, `buffered_mode`, `enable` as 0/1).
 */

/** Storage object plugin names rtslib-fb's restore maps to the current ones. */
export const PLUGIN_ALIASES: Readonly<Record<string, string>> = { iblock: 'block', rd_mcp: 'ramdisk' };

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The document with the old forms rewritten (a copy when anything changes; the input is never modified). */
export function withLegacyForms(document: unknown): unknown {
  if (!isObject(document)) return document;
  let copy: Record<string, unknown> | undefined;
  const writable = (): Record<string, unknown> => (copy ??= structuredClone(document));
  const sos = document.storage_objects;
  if (Array.isArray(sos)) {
    sos.forEach((so: unknown, i) => {
      if (isObject(so) && typeof so.plugin === 'string' && Object.prototype.hasOwnProperty.call(PLUGIN_ALIASES, so.plugin)) {
        ((writable().storage_objects as unknown[])[i] as Record<string, unknown>).plugin = PLUGIN_ALIASES[so.plugin];
      }
    });
  }
  const targets = document.targets;
  if (Array.isArray(targets)) {
    targets.forEach((t: unknown, ti) => {
      if (!isObject(t) || !Array.isArray(t.tpgs)) return;
      const tpgs = t.tpgs as unknown[];
      if (!tpgs.some((g) => isObject(g) && !('tag' in g))) return;
      const used = new Set(tpgs.filter(isObject).map((g) => g.tag));
      let next = 1;
      tpgs.forEach((g, gi) => {
        if (!isObject(g) || 'tag' in g) return;
        while (used.has(next)) next++;
        used.add(next);
        (((writable().targets as unknown[])[ti] as Record<string, unknown>).tpgs as Record<string, unknown>[])[gi]!.tag = next;
      });
    });
  }
  return copy ?? document;
}
