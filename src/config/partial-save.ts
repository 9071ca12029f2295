/**
 * Saving part of the configuration into an existing saveconfig.json
 * (rtslib-fb's `save_to_file(save_file, so_path)`): the entries of one
 * storage object, or one target, are replaced by what the kernel has now
 * (or removed when the kernel no longer has them); every other entry of the
 * file stays as it was. Unlike rtslib-fb, every target with a LUN on a
 * saved storage object is brought up to date (not only the first), the
 * storage objects a saved target needs are added when the file lacks them,
 * and the merged file is validated before it replaces the old one, so a
 * partial save never leaves a file that cannot be restored.
 */
import { RTSLibError } from '../errors.js';
import type { RTSRoot } from '../model/rts-root.js';
import { readFile } from 'node:fs/promises';
import { configTextPieces, loadConfigFile, writeConfigFile, writeConfigText, type WriteConfigOptions, type WriteConfigResult } from './config-file.js';
import { dumpConfig } from '../model/dump.js';
import { openStreamedDump } from '../model/streamed-dump.js';
import { parseStorageObjectRef } from '../model/saveconfig-format.js';
import { namesTarget, soKey, targetKey } from './plan-scope.js';
import { ConfigEntryChecker, validateConfig } from './schema.js';
import type { SaveConfig, StorageObjectConfig, TargetConfig } from '../model/saveconfig-format.js';

/** Which entries a partial save replaces. */
export interface ConfigPart {
  /** A storage object: `/backstores/<plugin>/<name>` (rtslib-fb's `so_path`), or a name (every plugin). */
  storageObject?: string;
  /** A target, by WWN (any fabric). */
  target?: string;
}

/** Options of {@link saveConfigFile}. */
export interface SaveConfigFileOptions extends WriteConfigOptions {
  /** Save only this part into the existing file (which must be a valid config, or absent); default: the whole configuration. */
  part?: ConfigPart;
  /**
   * Replace a file that holds storage objects or targets with a
   * configuration that holds none (default false: refused with
   * `ERR_RTSLIB_EMPTY_SAVE`, since an empty kernel usually means modules
   * not loaded yet rather than a configuration to keep; targetcli-fb #85).
   */
  force?: boolean;
}

/** What a saved file holds, when it is a JSON document with storage objects or targets; null when it holds none or cannot be read. */
async function heldObjects(file: string): Promise<{ storageObjects: number; targets: number } | null> {
  let doc: unknown;
  try {
    doc = JSON.parse(await readFile(file, 'utf8'));
  } catch {
    return null;
  }
  const count = (key: string) => {
    const list = (doc as Record<string, unknown> | null)?.[key];
    return Array.isArray(list) ? list.length : 0;
  };
  const held = { storageObjects: count('storage_objects'), targets: count('targets') };
  return held.storageObjects + held.targets > 0 ? held : null;
}

/** Whether a storage object entry is the one `spec` names. */
function isStorageObject(spec: string, so: StorageObjectConfig): boolean {
  const ref = parseStorageObjectRef(spec);
  return ref ? ref.plugin === so.plugin && ref.name === so.name : so.name === spec;
}

/** Whether a target has a LUN on one of these storage objects (by key). */
function usesAny(t: TargetConfig, keys: ReadonlySet<string>): boolean {
  return (t.tpgs ?? []).some((g) => (g.luns ?? []).some((l) => keys.has(l.storage_object)));
}

/**
 * `saved` with the entries of `part` replaced by those of `current` (the
 * kernel's dump): see the module comment. Pure; the result is validated.
 * @throws RTSLibError ENOENT when neither the file nor the kernel has the part
 */
export function mergeConfigPart(saved: SaveConfig, current: SaveConfig, part: ConfigPart): SaveConfig {
  if (part.storageObject === undefined && part.target === undefined) return current;
  const savedSos = saved.storage_objects ?? [];
  const curSos = current.storage_objects ?? [];
  const savedTargets = saved.targets ?? [];
  const curTargets = current.targets ?? [];
  // the storage objects and targets whose entries are replaced
  const soKeys = new Set<string>();
  const targetKeys = new Set<string>();
  if (part.storageObject !== undefined) {
    const spec = part.storageObject;
    for (const so of [...savedSos, ...curSos]) if (isStorageObject(spec, so)) soKeys.add(soKey(so));
    if (!soKeys.size) throw new RTSLibError(`neither the file nor the kernel has storage object ${JSON.stringify(spec)}`, { code: 'ENOENT' });
    for (const t of [...savedTargets, ...curTargets]) if (usesAny(t, soKeys)) targetKeys.add(targetKey(t));
  }
  if (part.target !== undefined) {
    const spec = part.target;
    const found = [...savedTargets, ...curTargets].filter((t) => namesTarget(t, spec));
    for (const t of found) targetKeys.add(targetKey(t));
    if (!found.length) throw new RTSLibError(`neither the file nor the kernel has target ${JSON.stringify(spec)}`, { code: 'ENOENT' });
  }
  const replace = <T>(saved: readonly T[], current: readonly T[], key: (x: T) => string, keys: ReadonlySet<string>): T[] => {
    const now = new Map(current.filter((x) => keys.has(key(x))).map((x) => [key(x), x]));
    const out: T[] = [];
    for (const x of saved) {
      if (!keys.has(key(x))) out.push(x);
      else if (now.has(key(x))) {
        out.push(now.get(key(x))!);
        now.delete(key(x));
      }
    }
    return [...out, ...now.values()];
  };
  const targets = replace(savedTargets, curTargets, targetKey, targetKeys);
  // a saved target's LUNs need their storage objects in the file: add the kernel's where the file lacks them
  const inFile = new Set(replace(savedSos, curSos, soKey, soKeys).map(soKey));
  for (const t of targets) {
    if (!targetKeys.has(targetKey(t))) continue;
    for (const g of t.tpgs ?? []) for (const l of g.luns ?? []) if (!inFile.has(l.storage_object)) soKeys.add(l.storage_object);
  }
  const merged: SaveConfig = {
    ...saved,
    storage_objects: replace(savedSos, curSos, soKey, soKeys),
    targets,
  };
  return validateConfig(merged, 'merged by the partial save');
}

/**
 * The whole configuration as a save records it: the dump, checked as a
 * restore would check it (what is saved must restore), before it goes
 * anywhere.
 */
export async function checkedDump(root: RTSRoot): Promise<SaveConfig> {
  return validateConfig(await dumpConfig(root), 'the dump to save');
}

/**
 * Saves the configuration to a saveconfig.json file (atomically, mode
 * 0600, with backups; see `writeConfigFile`), after checking that what it
 * writes is a config a restore accepts; or with `part` only one
 * storage object's or target's entries into the existing file. A whole
 * save streams: each storage object's and target's subtree is read,
 * checked and written in turn under one shared hold of the lock, so memory
 * does not grow with the tree (see `openStreamedDump`); the file is
 * replaced only when every entry was written.
 * @example
 * await saveConfigFile(root, '/etc/target/saveconfig.json', { part: { storageObject: '/backstores/fileio/disk1' } });
 */
export async function saveConfigFile(root: RTSRoot, file: string, options: SaveConfigFileOptions = {}): Promise<WriteConfigResult> {
  const { part, force, ...write } = options;
  if (!part || (part.storageObject === undefined && part.target === undefined)) {
    // the whole configuration streams to the file under one shared hold: each object's subtree is read,
    // checked and written in turn, so neither the tree nor the document is ever held whole
    return root.cfs.shared(async () => {
      const dump = await openStreamedDump(root.cfs);
      if (!force && dump.storageObjectCount === 0 && dump.targetCount === 0) {
        const held = await heldObjects(file);
        if (held) {
          throw new RTSLibError(
            `refusing to replace ${file}, which holds ${held.storageObjects} storage object(s) and ${held.targets} target(s), with an empty configuration (is the target stack loaded?); force it with --force`,
            { code: 'ERR_RTSLIB_EMPTY_SAVE' },
          );
        }
      }
      const check = new ConfigEntryChecker('the dump to save');
      const pieces = configTextPieces({ fabricModules: dump.fabricModules, entries: dump.entries() }, (item) => {
        if (item.kind === 'fabricModules') check.fabricModules(item.entry);
        else if (item.kind === 'storageObject') check.storageObject(item.entry);
        else check.target(item.entry);
      });
      return writeConfigText(file, pieces, write);
    });
  }
  // read, merge and write under the exclusive lock: two partial saves never lose each other's entries
  return root.cfs.exclusive(async () => {
    let saved: SaveConfig = { storage_objects: [], targets: [], fabric_modules: [] };
    try {
      saved = (await loadConfigFile(file)).config;
    } catch (err) {
      if (!(err instanceof RTSLibError && err.code === 'ENOENT')) throw err;
    }
    return writeConfigFile(file, mergeConfigPart(saved, await dumpConfig(root, { lock: false }), part), write);
  });
}
