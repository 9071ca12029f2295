/**
 * The dump in pieces, for a save that streams it to its file: one listing
 * of the tree's structure (names, kinds and modes, no values), then the
 * storage objects read 64 at a time (one walk of `core/` through their HBA
 * directories) and each target's subtree on its own, each turned into its
 * entries and let go. The reads run ahead of the dump, storage objects and
 * targets in one queue, so the first target is read while the last objects
 * are dumped. Memory holds the read being dumped and at most
 * {@link READS_AHEAD} more (chunks of objects or targets), never the whole
 * tree and its dump at once. The entries and their order are those of
 * {@link dumpSnapshot}.
 */
import type { Configfs } from '../cfs/configfs.js';
import { FABRICS, type FabricInfo } from '../cfs/fabrics.js';
import { PLUGINS } from '../cfs/plugins.js';
import { CONFIG_EXCLUDES, CORE_DIR, DISCOVERY_AUTH_DIR, child, discoveryAuthPath, fabricPath, hbaDirName, storageObjectPath } from '../cfs/tree.js';
import { wwnFromConfigfs } from '../cfs/wwn.js';
import { storageObjectRef, type FabricModuleConfig, type StorageObjectConfig, type TargetConfig } from './saveconfig-format.js';
import { aluaSupportedIn, byKey, fabricModuleForm, storageObjectForm, targetForm, type DumpOptions } from './saved-forms.js';
import { listStorageObjects, type StorageObjectLocation } from './storage-object.js';
import { madeWith } from './storage-plugins.js';

/** How many storage objects are read in one crossing (their HBA directories, in one walk of `core/`). */
export const DUMP_READ_CHUNK = 64;

/** How many reads (chunks of storage objects, or targets) run ahead of the one being dumped. */
const READS_AHEAD = 2;

/** One entry of a streamed dump. */
export type DumpEntry = { kind: 'storageObject'; entry: StorageObjectConfig } | { kind: 'target'; entry: TargetConfig };

/** A dump whose entries are read as they are iterated: see {@link openStreamedDump}. */
export interface StreamedDump {
  /** How many storage objects the dump holds (known before any is read). */
  readonly storageObjectCount: number;
  /** How many targets the dump holds (known before any is read). */
  readonly targetCount: number;
  /** The fabric modules' entries (read up front: at most one per fabric), as {@link dumpSnapshot} keeps them. */
  readonly fabricModules: readonly FabricModuleConfig[];
  /**
   * Every storage object's entry, then every target's, each group in the
   * dump's order. Iterate it once, while the shared lock that
   * {@link openStreamedDump} was called under is still held.
   */
  entries(): AsyncGenerator<DumpEntry>;
}

/** A target directory found by the structure listing. */
interface TargetLocation {
  fabric: FabricInfo;
  path: string;
  key: string;
}

/**
 * Yields `read(item)` for each item in order, with up to `window` reads
 * under way ahead of the one yielded. A read that fails fails the
 * iteration when its turn comes; reads started ahead of a failure, or of an
 * early stop, are awaited by no one and marked handled.
 */
async function* readAhead<T, R>(items: readonly T[], read: (item: T) => Promise<R>, window: number): AsyncGenerator<R> {
  const pending: Promise<R>[] = [];
  let next = 0;
  const start = (): void => {
    const p = read(items[next++] as T);
    p.catch(() => undefined);
    pending.push(p);
  };
  while (pending.length < window && next < items.length) start();
  while (pending.length) {
    const result = await (pending.shift() as Promise<R>);
    if (next < items.length) start();
    yield result;
  }
}

/**
 * Lists the tree's structure and reads the fabric modules; the entries are
 * read as {@link StreamedDump.entries} is iterated. Call it, and iterate,
 * under one shared hold of the configfs lock (`cfs.shared`), so no write
 * run of ours changes the tree between the listing and the last read.
 * @example
 * await root.cfs.shared(async () => {
 *   const dump = await openStreamedDump(root.cfs);
 *   for await (const e of dump.entries()) console.log(e.kind, e.entry.name ?? '');
 * });
 */
export async function openStreamedDump(cfs: Configfs, options: DumpOptions = {}): Promise<StreamedDump> {
  // depth 3 reaches core/<hba>/<object> and <fabric>/<target>/<tpg>; no values are read
  const structure = await cfs.snapshot('', { maxDepth: 3, values: false });
  const storageObjects = listStorageObjects(structure).sort(byKey((s) => `${s.name}\0${s.plugin}`));
  const fabricModules: FabricModuleConfig[] = [];
  const targets: TargetLocation[] = [];
  for (const fabric of Object.values(FABRICS)) {
    const fdir = fabricPath(fabric.dir);
    if (structure.kind(fdir) !== 'dir') continue;
    if (fabric.features.includes('discovery_auth') && structure.kind(discoveryAuthPath(fabric.dir)) === 'dir') {
      const fm = fabricModuleForm(await cfs.snapshot(discoveryAuthPath(fabric.dir)), fabric, options);
      if (fm.discovery_enable_auth) fabricModules.push(fm);
    }
    for (const dirName of structure.childDirs(fdir)) {
      if (dirName !== DISCOVERY_AUTH_DIR) targets.push({ fabric, path: child(fdir, dirName), key: `${fabric.name}\0${wwnFromConfigfs(fabric, dirName)}` });
    }
  }
  fabricModules.sort(byKey((f) => f.name));
  targets.sort(byKey((t) => t.key));
  return {
    storageObjectCount: storageObjects.length,
    targetCount: targets.length,
    fabricModules,
    entries: () => dumpEntries(cfs, storageObjects, targets, options),
  };
}

/** One read of the dump's queue: a chunk of storage objects, or a target. */
type DumpRead = { kind: 'storageObjects'; chunk: readonly StorageObjectLocation[] } | { kind: 'target'; target: TargetLocation };

async function* dumpEntries(cfs: Configfs, storageObjects: readonly StorageObjectLocation[], targets: readonly TargetLocation[], options: DumpOptions): AsyncGenerator<DumpEntry> {
  const refs = new Map<string, { ref: string; alua: boolean }>();
  const reads: DumpRead[] = [];
  for (let i = 0; i < storageObjects.length; i += DUMP_READ_CHUNK) reads.push({ kind: 'storageObjects', chunk: storageObjects.slice(i, i + DUMP_READ_CHUNK) });
  for (const target of targets) reads.push({ kind: 'target', target });
  const read = async (r: DumpRead) => {
    if (r.kind === 'target') return { ...r, snap: await cfs.snapshot(r.target.path, { excludeNames: CONFIG_EXCLUDES }) };
    // one walk of core/ per chunk, through the chunk's HBA directories only (in dump order, an HBA may come in two chunks)
    const hbas = [...new Set(r.chunk.map((s) => hbaDirName(PLUGINS[s.plugin].kernel, s.hbaIndex)))];
    return { ...r, snap: await cfs.snapshot(CORE_DIR, { only: hbas, excludeNames: CONFIG_EXCLUDES }) };
  };
  // every storage object's read comes before every target's, so refs is whole when the first target is dumped
  for await (const r of readAhead(reads, read, READS_AHEAD)) {
    const { snap } = r;
    if (r.kind === 'target') {
      yield { kind: 'target', entry: targetForm(snap, r.target.fabric, r.target.path, refs, options) };
      continue;
    }
    for (const location of r.chunk) {
      const { plugin, name } = location;
      const so = storageObjectPath(PLUGINS[plugin].kernel, location.hbaIndex, name);
      refs.set(so, { ref: storageObjectRef(plugin, name), alua: aluaSupportedIn(snap, plugin, so) });
      yield { kind: 'storageObject', entry: storageObjectForm(snap, location, madeWith(snap, PLUGINS[plugin].kernel, so)) };
    }
  }
}
