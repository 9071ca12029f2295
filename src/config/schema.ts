/**
 * The saveconfig.json format as rtslib-fb 2.1.75 writes it
 * (`/etc/target/saveconfig.json`), validated strictly (by plain code,
 * plain-check.ts, and by zod where that refuses a document): unknown or
 * misspelled keys, wrong types, invalid names and WWNs, and dangling or
 * duplicate references are errors naming their JSON path. rtslib-fb silently
 * drops what it does not know; we refuse it before anything is written.
 */
import * as z from 'zod';
import { FABRICS, isFabricName, type FabricName } from '../cfs/fabrics.js';
import { MAX_VALUE_BYTES, validateControlValue, validateName, validateSettingName, validateValue } from '../cfs/names.js';
import { normalizeTargetWwn, normalizeWwn } from '../cfs/wwn.js';
import { DEFAULT_ALUA_GROUP, normalizePortalAddress } from '../cfs/tree.js';
import { validateUserControl } from '../cfs/plugins.js';
import { RTSLibConfigError, jsonPath, type ConfigIssue } from './config-error.js';
import {
  ALUA_SAVED_SETTINGS,
  STORAGE_OBJECT_REF_PATTERN,
  storageObjectRef,
  type AluaTpgConfig,
  type FabricModuleConfig,
  type LunConfig,
  type MappedLunConfig,
  type NodeAclConfig,
  type PortalConfig,
  type SaveConfig,
  type StorageObjectConfig,
  type TargetConfig,
  type TpgConfig,
} from '../model/saveconfig-format.js';
import { withLegacyForms } from './legacy-forms.js';
import {
  isPlainlyValidAttributes,
  isPlainlyValidConfig,
  isPlainlyValidFabricModules,
  isPlainlyValidMappedLuns,
  isPlainlyValidStorageObject,
  isPlainlyValidTarget,
} from './plain-check.js';
import { QUEUE_DEPTH_RANGE } from '../model/node-acl.js';

export { RTSLibConfigError, jsonPath, type ConfigIssue } from './config-error.js';
export { ALUA_SAVED_SETTINGS, storageObjectRef, parseStorageObjectRef } from '../model/saveconfig-format.js';

/**
 * Builds the zod schemas of the format (once, on first use: see
 * {@link schemas}). Every check of a value that is not plainly valid goes
 * through them.
 */
function buildSchemas() {
  const int = z.number().int();
  const flag = z.boolean();
  /** A configfs directory name (no `/`, `..`, NUL, not blank, at most 255 bytes). */
  const cfsName = z.string().superRefine((value, ctx) => {
    try {
      validateName('name', value);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message.replace(/^invalid name: /, '') });
    }
  });
  /** Runs one of the cfs validators as a zod refinement (its message becomes the issue's). */
  function checkedBy(check: (value: string) => unknown) {
    return (value: string, ctx: z.RefinementCtx): void => {
      const problem = problemOf(check, value);
      if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
    };
  }
  /** What a cfs validator says of a value (its message without the argument's name), or undefined when it accepts it. */
  function problemOf(check: (value: string) => unknown, value: string): string | undefined {
    try {
      check(value);
      return undefined;
    } catch (err) {
      return (err as Error).message.replace(/^invalid [^:]*: /, '');
    }
  }
  /** A value written to one configfs file: no NUL, newline or other control character. */
  const cfsValue = z
    .string()
    .max(MAX_VALUE_BYTES)
    .superRefine(checkedBy((v) => validateValue('value', v)));
  /** A value that goes into a storage object's control string: also no `,` or `=`. */
  const controlValue = z
    .string()
    .max(MAX_VALUE_BYTES)
    .superRefine(checkedBy((v) => validateControlValue('value', v)));
  /** The name of an attribute or parameter: letters, digits and `_` (never a path). */
  const settingName = z.string().superRefine(checkedBy((v) => validateSettingName('name', v)));
  /**
   * `exact`, checked first by `plainOk` (plain-check.ts), for the parts of
   * which a large file holds tens of thousands (settings, mapped LUNs), when
   * zod walks a document that failed the plain check of the whole: where the
   * part passes, zod's walk of it, about ten times slower, is skipped; where it
   * fails, `exact` runs and gives its own value, or reports its own issues,
   * paths and messages. `plainOk` accepts only values `exact` returns
   * unchanged: the value is kept as it is.
   */
  function prechecked<T extends z.ZodType>(exact: T, plainOk: (value: unknown) => boolean): T {
    return z.unknown().transform((value, ctx) => {
      if (plainOk(value)) return value;
      // exact's verdict, and its value where zod made one (an object with another prototype, for one)
      const checked = exact.safeParse(value);
      if (checked.success) return checked.data;
      for (const issue of checked.error.issues) ctx.addIssue({ ...issue } as Parameters<typeof ctx.addIssue>[0]);
      return z.NEVER;
    }) as unknown as T;
  }

  /**
   * Settings by name. A `__proto__` key (JSON.parse makes it an own key) is
   * refused by name as any other key that is not a setting name is: zod's
   * record would leave it out without a word.
   */
  function settings<V extends z.ZodType>(value: V) {
    return z.preprocess(
      (input, ctx) => {
        if (input !== null && typeof input === 'object' && Object.hasOwn(input, '__proto__')) {
          ctx.addIssue({ code: 'custom', message: problemOf((v) => validateSettingName('name', v), '__proto__') ?? 'not a setting name', path: ['__proto__'] });
        }
        return input;
      },
      z.record(settingName, value),
    );
  }
  /** Attribute values: rtslib-fb saves those that parse as integers as integers. */
  const exactAttributes = settings(z.union([int, cfsValue]));
  const attributes = prechecked(exactAttributes, isPlainlyValidAttributes);
  const parameters = settings(cfsValue);
  const size = int.positive();
  /** A fileio size: 0 for a block device (the kernel reports no size there, and rtslib-fb saves 0). */
  const fileioSize = int.min(0);
  const chapValue = z
    .string()
    .max(255)
    .superRefine(checkedBy((v) => validateValue('value', v, true)));

  const aluaTpg = z.strictObject({
    name: cfsName,
    tg_pt_gp_id: int.min(0).max(65535),
    ...(Object.fromEntries(ALUA_SAVED_SETTINGS.map((s) => [s, int.optional()])) as Record<(typeof ALUA_SAVED_SETTINGS)[number], z.ZodOptional<z.ZodNumber>>),
  });

  const common = {
    name: cfsName,
    attributes: attributes.optional(),
    alua_tpgs: z.array(aluaTpg).optional(),
  };

  const blockSO = z.strictObject({
    ...common,
    plugin: z.literal('block'),
    dev: controlValue,
    wwn: cfsValue.optional(),
    write_back: flag.optional(),
    readonly: flag.optional(),
    exclusive: flag.optional(),
  });
  const fileioSO = z.strictObject({
    ...common,
    plugin: z.literal('fileio'),
    dev: controlValue,
    wwn: cfsValue.optional(),
    write_back: flag.optional(),
    buffered_mode: flag.optional(),
    size: fileioSize.optional(),
    aio: flag.optional(),
  });
  const ramdiskSO = z.strictObject({ ...common, plugin: z.literal('ramdisk'), wwn: cfsValue.optional(), size, nullio: flag.optional() });
  const pscsiSO = z.strictObject({ ...common, plugin: z.literal('pscsi'), dev: cfsValue });
  const userSO = z.strictObject({
    ...common,
    plugin: z.literal('user'),
    wwn: cfsValue.optional(),
    size,
    config: controlValue,
    hw_max_sectors: int.positive().optional(),
    // rtslib-fb writes an empty string when there is no extra control
    control: z
      .string()
      .max(MAX_VALUE_BYTES)
      .superRefine(
        checkedBy((v) => {
          if (v !== '') validateUserControl(v);
        }),
      )
      .optional(),
  });

  const storageObject = z.discriminatedUnion('plugin', [blockSO, fileioSO, ramdiskSO, pscsiSO, userSO]);

  const chap = {
    chap_userid: chapValue.optional(),
    chap_password: chapValue.optional(),
    chap_mutual_userid: chapValue.optional(),
    chap_mutual_password: chapValue.optional(),
  };

  const lun = z.strictObject({
    index: int.min(0).max(65535),
    storage_object: z.string().regex(STORAGE_OBJECT_REF_PATTERN, 'must be /backstores/<plugin>/<name>'),
    alias: cfsName.optional(),
    alua_tg_pt_gp_name: cfsName.nullable().optional(),
  });

  const portal = z.strictObject({
    ip_address: z
      .string()
      .min(1)
      .superRefine(checkedBy((v) => normalizePortalAddress(v))),
    port: int.min(1).max(65535),
    iser: flag.optional(),
    offload: flag.optional(),
  });

  const mappedLun = z.strictObject({
    index: int.min(0).max(65535),
    tpg_lun: int.min(0).max(65535),
    write_protect: flag.optional(),
    alias: cfsName.optional(),
  });
  /** An ACL's mapped LUNs: an array of {@link mappedLun}, checked plainly first (an ACL of a large target has thousands). */
  const exactMappedLuns = z.array(mappedLun);
  const mappedLuns = prechecked(exactMappedLuns, isPlainlyValidMappedLuns);

  const nodeAcl = z.strictObject({
    node_wwn: z
      .string()
      .min(1)
      .superRefine(checkedBy((v) => validateValue('value', v))),
    attributes: attributes.optional(),
    mapped_luns: mappedLuns.optional(),
    tag: z
      .string()
      .max(63)
      .superRefine(checkedBy((v) => validateValue('value', v)))
      .optional(),
    /** The iSCSI command window (`cmdsn_depth`) under the name rtslib-fb 2.1.fb1–fb13 saved it; later versions still restore it. */
    tcq_depth: int.min(QUEUE_DEPTH_RANGE.min).max(QUEUE_DEPTH_RANGE.max).optional(),
    ...chap,
  });

  const tpg = z.strictObject({
    tag: int.min(1).max(65535),
    enable: z.union([flag, z.literal(0), z.literal(1)]).optional(),
    attributes: attributes.optional(),
    parameters: parameters.optional(),
    luns: z.array(lun).optional(),
    portals: z.array(portal).optional(),
    node_acls: z.array(nodeAcl).optional(),
    ...chap,
  });

  /** A fabric's name, as a target's `fabric` and a fabric module's `name`. */
  const fabricName = z.string().refine(isFabricName, { message: `must be one of ${Object.keys(FABRICS).join(', ')}` });

  const target = z.strictObject({
    wwn: z
      .string()
      .min(1)
      .superRefine(checkedBy((v) => validateValue('value', v))),
    fabric: fabricName,
    parameters: parameters.optional(),
    tpgs: z.array(tpg).optional(),
  });

  const fabricModule = z.strictObject({
    name: fabricName,
    discovery_enable_auth: flag.optional(),
    discovery_userid: chapValue.optional(),
    discovery_password: chapValue.optional(),
    discovery_mutual_userid: chapValue.optional(),
    discovery_mutual_password: chapValue.optional(),
  });

  const fabricModules = z.array(fabricModule);

  const document = z.strictObject({
    storage_objects: z.array(storageObject).optional(),
    targets: z.array(target).optional(),
    fabric_modules: fabricModules.optional(),
  });
  return {
    document,
    storageObject,
    aluaTpg,
    target,
    tpg,
    lun,
    portal,
    nodeAcl,
    mappedLun,
    fabricModule,
    fabricModules,
    /** The parts checked plainly first, each with its zod schema: they must accept and report alike (tests). */
    prechecked: { attributes: { exact: exactAttributes, prechecked: attributes }, mappedLuns: { exact: exactMappedLuns, prechecked: mappedLuns } },
  };
}

type Schemas = ReturnType<typeof buildSchemas>;
let built: Schemas | undefined;
/** The zod schemas, built on first use. */
const schemas = (): Schemas => (built ??= buildSchemas());

/**
 * The zod schema of a whole saveconfig.json document (structure and types
 * only). It is built on first use: a document that passes the plain check
 * (see {@link checkConfig}) needs no zod schema at all.
 */
export const saveConfigSchema: z.ZodLazy<Schemas['document']> = z.lazy(() => schemas().document);

/** The parts checked plainly first, each with its zod schema. @internal */
export const precheckedParts = (): Schemas['prechecked'] => schemas().prechecked;

/**
 * The types of the entries are the model's (model/saveconfig-format.ts: what
 * every `dump()` returns); the schema must accept exactly them. Each line
 * fails to compile when the two disagree in either direction.
 */
const agrees = <A, B>(_toModel: (a: A) => B, _toSchema: (b: B) => A): void => undefined;
agrees<z.infer<Schemas['document']>, SaveConfig>(
  (x) => x,
  (x) => x,
);
agrees<z.infer<Schemas['storageObject']>, StorageObjectConfig>(
  (x) => x,
  (x) => x,
);
agrees<z.infer<Schemas['aluaTpg']>, AluaTpgConfig>(
  (x) => x,
  (x) => x,
);
agrees<z.infer<Schemas['target']>, TargetConfig>(
  (x) => x,
  (x) => x,
);
agrees<z.infer<Schemas['tpg']>, TpgConfig>(
  (x) => x,
  (x) => x,
);
agrees<z.infer<Schemas['lun']>, LunConfig>(
  (x) => x,
  (x) => x,
);
agrees<z.infer<Schemas['portal']>, PortalConfig>(
  (x) => x,
  (x) => x,
);
agrees<z.infer<Schemas['nodeAcl']>, NodeAclConfig>(
  (x) => x,
  (x) => x,
);
agrees<z.infer<Schemas['mappedLun']>, MappedLunConfig>(
  (x) => x,
  (x) => x,
);
agrees<z.infer<Schemas['fabricModule']>, FabricModuleConfig>(
  (x) => x,
  (x) => x,
);

/** Records an issue for each value seen twice, across calls: a list checked entry by entry. */
class SeenValues<K> {
  private readonly first = new Map<K, string>();
  constructor(private readonly what: string) {}

  /** Notes `key` (ignored when undefined) at JSON path `at`; a repeat becomes an issue naming the first. */
  add(key: K | undefined, at: string, issues: ConfigIssue[]): void {
    if (key === undefined) return;
    const first = this.first.get(key);
    if (first !== undefined) issues.push({ path: at, message: `duplicate ${this.what} ${JSON.stringify(key)} (first at ${first})` });
    else this.first.set(key, at);
  }
}

/** Records issues for values that appear twice in one list. */
function unique<T, K>(items: readonly T[], key: (item: T) => K | undefined, at: (i: number) => string, what: string, issues: ConfigIssue[]): void {
  const seen = new SeenValues<K>(what);
  items.forEach((item, i) => seen.add(key(item), at(i), issues));
}

/**
 * What the structure alone cannot check (names, WWNs, references and
 * duplicates), one entry at a time: the storage objects before the targets
 * whose LUNs name them. {@link crossCheck} runs it over a whole config; a
 * streamed save over each entry as it is dumped.
 */
class CrossCheck {
  private readonly storageObjectRefs = new SeenValues<string>('storage object');
  private readonly targetKeys = new SeenValues<string>('target');
  /** Per storage object reference, the names of its ALUA groups. */
  private readonly aluaGroups = new Map<string, Set<string>>();

  /** Checks storage object entry `i`. */
  storageObject(so: StorageObjectConfig, i: number, issues: ConfigIssue[]): void {
    // rtslib-fb keys storage objects by plugin and name: block/disk1 and fileio/disk1 may both exist
    this.storageObjectRefs.add(storageObjectRef(so.plugin, so.name), `storage_objects[${i}].name`, issues);
    const groups = so.alua_tpgs ?? [];
    unique(
      groups,
      (g) => g.name,
      (j) => `storage_objects[${i}].alua_tpgs[${j}].name`,
      'ALUA group name',
      issues,
    );
    unique(
      groups,
      (g) => g.tg_pt_gp_id,
      (j) => `storage_objects[${i}].alua_tpgs[${j}].tg_pt_gp_id`,
      'ALUA group id',
      issues,
    );
    this.aluaGroups.set(storageObjectRef(so.plugin, so.name), new Set([DEFAULT_ALUA_GROUP, ...groups.map((g) => g.name)]));
    if ((so.plugin === 'block' || so.plugin === 'fileio' || so.plugin === 'pscsi') && !so.dev.startsWith('/') && !(so.plugin === 'pscsi' && /^\d+:\d+:\d+(:\d+)?$/.test(so.dev))) {
      issues.push({ path: `storage_objects[${i}].dev`, message: `must be an absolute path${so.plugin === 'pscsi' ? ' or H:C:T:L' : ''}, got ${JSON.stringify(so.dev)}` });
    }
  }

  /** Checks target entry `ti` (after every storage object). */
  target(t: TargetConfig, ti: number, issues: ConfigIssue[]): void {
    const at = `targets[${ti}]`;
    this.targetKeys.add(`${t.fabric} ${t.wwn.toLowerCase()}`, `${at}.wwn`, issues);
    const fabric = isFabricName(t.fabric) ? FABRICS[t.fabric as FabricName] : undefined;
    if (fabric) {
      try {
        normalizeTargetWwn(fabric, t.wwn);
      } catch (err) {
        issues.push({ path: `${at}.wwn`, message: (err as Error).message.replace(/^invalid wwn: /, '') });
      }
    }
    const tpgs = t.tpgs ?? [];
    unique(
      tpgs,
      (g) => g.tag,
      (i) => `${at}.tpgs[${i}].tag`,
      'TPG tag',
      issues,
    );
    tpgs.forEach((g, gi) => {
      const gat = `${at}.tpgs[${gi}]`;
      const luns = g.luns ?? [];
      unique(
        luns,
        (l) => l.index,
        (i) => `${gat}.luns[${i}].index`,
        'LUN index',
        issues,
      );
      const lunIndexes = new Set(luns.map((l) => l.index));
      luns.forEach((l, li) => {
        const groups = this.aluaGroups.get(l.storage_object);
        if (!groups) issues.push({ path: `${gat}.luns[${li}].storage_object`, message: `names ${l.storage_object}, which is not in storage_objects` });
        else if (l.alua_tg_pt_gp_name && !groups.has(l.alua_tg_pt_gp_name)) {
          issues.push({ path: `${gat}.luns[${li}].alua_tg_pt_gp_name`, message: `${l.alua_tg_pt_gp_name} is not an ALUA group of ${l.storage_object}` });
        }
      });
      const portals = g.portals ?? [];
      unique(
        portals,
        (p) => `${p.ip_address.replace(/^\[|\]$/g, '').toLowerCase()}:${p.port}`,
        (i) => `${gat}.portals[${i}]`,
        'portal',
        issues,
      );
      if (portals.length && fabric && !fabric.features.includes('nps')) issues.push({ path: `${gat}.portals`, message: `the ${fabric.name} fabric has no network portals` });
      const acls = g.node_acls ?? [];
      if (acls.length && fabric && !fabric.features.includes('acls')) issues.push({ path: `${gat}.node_acls`, message: `the ${fabric.name} fabric has no node ACLs` });
      unique(
        acls,
        (a) => a.node_wwn.toLowerCase(),
        (i) => `${gat}.node_acls[${i}].node_wwn`,
        'node ACL',
        issues,
      );
      acls.forEach((a, ai) => {
        const aat = `${gat}.node_acls[${ai}]`;
        if (fabric) {
          try {
            normalizeWwn(fabric, a.node_wwn, 'node_wwn');
          } catch (err) {
            issues.push({ path: `${aat}.node_wwn`, message: (err as Error).message.replace(/^invalid node_wwn: /, '') });
          }
        }
        const mapped = a.mapped_luns ?? [];
        unique(
          mapped,
          (m) => m.index,
          (i) => `${aat}.mapped_luns[${i}].index`,
          'mapped LUN index',
          issues,
        );
        mapped.forEach((m, mi) => {
          if (!lunIndexes.has(m.tpg_lun)) issues.push({ path: `${aat}.mapped_luns[${mi}].tpg_lun`, message: `TPG ${g.tag} has no LUN ${m.tpg_lun}` });
        });
      });
    });
  }

  /** Checks the fabric modules' list. */
  fabricModules(modules: readonly FabricModuleConfig[], issues: ConfigIssue[]): void {
    unique(
      modules,
      (f) => f.name,
      (i) => `fabric_modules[${i}].name`,
      'fabric module',
      issues,
    );
    modules.forEach((f, i) => {
      if (isFabricName(f.name) && !FABRICS[f.name].features.includes('discovery_auth')) {
        issues.push({ path: `fabric_modules[${i}].name`, message: `the ${f.name} fabric has no discovery authentication` });
      }
    });
  }
}

/** Checks what the structure alone cannot: names, WWNs, references and duplicates. */
function crossCheck(config: SaveConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const check = new CrossCheck();
  (config.storage_objects ?? []).forEach((so, i) => check.storageObject(so, i, issues));
  (config.targets ?? []).forEach((t, i) => check.target(t, i, issues));
  check.fabricModules(config.fabric_modules ?? [], issues);
  return issues;
}

/** The parts a streamed save checks one by one. */
type EntryKind = 'fabricModules' | 'storageObject' | 'target';
/** Each part's plain check (plain-check.ts). */
const PLAINLY_VALID_ENTRY: Readonly<Record<EntryKind, (value: unknown) => boolean>> = {
  fabricModules: isPlainlyValidFabricModules,
  storageObject: isPlainlyValidStorageObject,
  target: isPlainlyValidTarget,
};

/**
 * Checks a config entry by entry, as a streamed save dumps it, with the
 * rules of {@link validateConfig} (strict: unknown keys are errors): the
 * fabric modules, then each storage object, then each target, in file
 * order. Each call returns the entry typed, or throws
 * {@link RTSLibConfigError} naming the JSON paths of its problems.
 * @example
 * const check = new ConfigEntryChecker('the dump to save');
 * check.fabricModules(dump.fabricModules);
 * for (const so of storageObjects) check.storageObject(so);
 */
export class ConfigEntryChecker {
  private readonly check = new CrossCheck();
  private storageObjects = 0;
  private targets = 0;

  /** @param source - what is checked, for messages (a file name, "the dump to save"). */
  constructor(private readonly source?: string) {}

  /** Checks the fabric modules' list. */
  fabricModules(modules: unknown): FabricModuleConfig[] {
    return this.checked('fabricModules', modules, ['fabric_modules'], (m, issues) => this.check.fabricModules(m, issues));
  }

  /** Checks the next storage object entry. */
  storageObject(entry: unknown): StorageObjectConfig {
    const i = this.storageObjects++;
    return this.checked('storageObject', entry, ['storage_objects', i], (so, issues) => this.check.storageObject(so, i, issues));
  }

  /** Checks the next target entry (after every storage object). */
  target(entry: unknown): TargetConfig {
    const i = this.targets++;
    return this.checked('target', entry, ['targets', i], (t, issues) => this.check.target(t, i, issues));
  }

  /** The entry checked plainly, else by zod (plain-check.ts), then across entries. */
  private checked<K extends EntryKind>(
    kind: K,
    entry: unknown,
    at: readonly PropertyKey[],
    cross: (value: z.infer<Schemas[K]>, issues: ConfigIssue[]) => void,
  ): z.infer<Schemas[K]> {
    let value: z.infer<Schemas[K]>;
    if (PLAINLY_VALID_ENTRY[kind](entry)) value = entry as z.infer<Schemas[K]>;
    else {
      const parsed = schemas()[kind].safeParse(entry);
      if (!parsed.success) {
        throw new RTSLibConfigError(capped(parsed.error.issues.map((i) => ({ path: jsonPath([...at, ...i.path]), message: i.message }))), this.source);
      }
      value = parsed.data as z.infer<Schemas[K]>;
    }
    const issues: ConfigIssue[] = [];
    cross(value, issues);
    if (issues.length) throw new RTSLibConfigError(capped(issues), this.source);
    return value;
  }
}

/** At most this many problems are listed in an {@link RTSLibConfigError}; the rest are counted. */
export const MAX_LISTED_ISSUES = 100;

/** The first {@link MAX_LISTED_ISSUES} issues, and one more that counts the rest. */
function capped(issues: readonly ConfigIssue[]): ConfigIssue[] {
  if (issues.length <= MAX_LISTED_ISSUES) return [...issues];
  const rest = issues.length - MAX_LISTED_ISSUES;
  return [...issues.slice(0, MAX_LISTED_ISSUES), { path: '$', message: `${rest} more problem${rest === 1 ? '' : 's'} not listed` }];
}

/** Options of {@link checkConfig}. */
export interface CheckConfigOptions {
  /**
   * Accept keys the format does not have (other rtslib-fb versions, typos):
   * each becomes a warning naming its JSON path, and is left out. What is
   * not a config at all (malformed JSON, wrong types, invalid names, dangling
   * or duplicate references) is still refused.
   */
  lenient?: boolean;
  /** The file the document came from, for messages. */
  source?: string;
}

/** A checked config, with what a lenient check left out. */
export interface CheckedConfig {
  /** The config, typed (unknown keys removed when lenient). */
  config: SaveConfig;
  /** One per key left out, with its JSON path (empty unless lenient). */
  warnings: ConfigIssue[];
}

/** The object a zod path leads to inside a document. */
function objectAt(document: unknown, path: readonly PropertyKey[]): Record<string, unknown> | undefined {
  let here: unknown = document;
  for (const key of path) {
    if (here === null || typeof here !== 'object') return undefined;
    here = (here as Record<PropertyKey, unknown>)[key];
  }
  return here !== null && typeof here === 'object' && !Array.isArray(here) ? (here as Record<string, unknown>) : undefined;
}

const TOP_LEVEL_KEYS = ['storage_objects', 'targets', 'fabric_modules'];

/**
 * Checks a parsed saveconfig.json document: structure, types, names, WWNs,
 * references and duplicates. Returns it typed, with the warnings of a
 * lenient check, or throws {@link RTSLibConfigError} listing every problem
 * (up to {@link MAX_LISTED_ISSUES}) with its JSON path. A document that
 * needs no change (no legacy forms, nothing a lenient check leaves out) is
 * returned as it is, not copied: a caller that changes it afterwards
 * changes the config too.
 * @example
 * const { config, warnings } = checkConfig(JSON.parse(text), { lenient: true });
 * for (const w of warnings) console.warn(`${w.path}: ${w.message}`);
 */
export function checkConfig(document: unknown, options: CheckConfigOptions = {}): CheckedConfig {
  document = withLegacyForms(document);
  const warnings: ConfigIssue[] = [];
  // a document zod would accept unchanged is not walked by zod (plain-check.ts)
  const config = isPlainlyValidConfig(document) ? document : checkedByZod(document, options, warnings);
  const issues = crossCheck(config);
  if (issues.length) throw new RTSLibConfigError(capped(issues), options.source);
  return { config, warnings };
}

/** {@link checkConfig}'s structure check by zod, for a document the plain check refused: the config (what a lenient check leaves out added to `warnings`), or the error listing zod's issues. */
function checkedByZod(document: unknown, options: CheckConfigOptions, warnings: ConfigIssue[]): SaveConfig {
  let parsed = schemas().document.safeParse(document);
  if (!parsed.success && options.lenient) {
    const unknown = parsed.error.issues.filter((i) => i.code === 'unrecognized_keys');
    const known = objectAt(document, []);
    // a document with none of the format's keys is some other file, not a config to restore leniently
    if (unknown.length && known && TOP_LEVEL_KEYS.some((k) => k in known)) {
      const copy: unknown = structuredClone(document);
      for (const issue of unknown) {
        const holder = objectAt(copy, issue.path);
        for (const key of issue.keys) {
          if (holder) delete holder[key];
          warnings.push({ path: jsonPath([...issue.path, key]), message: 'unknown key: skipped' });
        }
      }
      parsed = schemas().document.safeParse(copy);
    }
  }
  if (!parsed.success) {
    throw new RTSLibConfigError(capped(parsed.error.issues.map((i) => ({ path: jsonPath(i.path), message: i.message }))), options.source);
  }
  return parsed.data;
}

/**
 * Validates a parsed saveconfig.json document strictly (see
 * {@link checkConfig}): unknown keys are errors too.
 * @example
 * const config = validateConfig(JSON.parse(text));
 */
export function validateConfig(document: unknown, source?: string): SaveConfig {
  return checkConfig(document, source === undefined ? {} : { source }).config;
}

/**
 * Parses saveconfig.json text and checks it (see {@link checkConfig}).
 * Malformed JSON is an {@link RTSLibConfigError} too, with the position the
 * parser gave.
 */
export function parseConfigText(text: string, options: CheckConfigOptions = {}): CheckedConfig {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (err) {
    throw new RTSLibConfigError([{ path: '$', message: `not valid JSON: ${(err as Error).message}` }], options.source);
  }
  return checkConfig(document, options);
}

/**
 * Parses saveconfig.json text and validates it strictly. Malformed JSON is
 * an {@link RTSLibConfigError} too, with the position the parser gave.
 */
export function parseConfig(text: string, source?: string): SaveConfig {
  return parseConfigText(text, source === undefined ? {} : { source }).config;
}
