/**
 * The saveconfig.json format as rtslib-fb 2.1.75 writes it
 * (`/etc/target/saveconfig.json`), validated strictly with zod: unknown or
 * misspelled keys, wrong types, invalid names and WWNs, and dangling or
 * duplicate references are errors naming their JSON path. rtslib-fb silently
 * drops what it does not know; we refuse it before anything is written.
 */
import { z } from 'zod';
import { FABRICS, isFabricName, type FabricName } from '../cfs/fabrics.js';
import { MAX_VALUE_BYTES, validateControlValue, validateName, validateSettingName, validateValue } from '../cfs/names.js';
import { normalizeWwn } from '../cfs/wwn.js';
import { DEFAULT_ALUA_GROUP, normalizePortalAddress } from '../cfs/tree.js';
import { validateUserControl } from '../cfs/plugins.js';
import { RTSLibConfigError, jsonPath, type ConfigIssue } from './config-error.js';
import { ALUA_SAVED_SETTINGS, storageObjectRef } from './format.js';

export { RTSLibConfigError, jsonPath, type ConfigIssue } from './config-error.js';
export { ALUA_SAVED_SETTINGS, storageObjectRef, parseStorageObjectRef } from './format.js';

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
    try {
      check(value);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message.replace(/^invalid [^:]*: /, '') });
    }
  };
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
/** Attribute values: rtslib-fb saves those that parse as integers as integers. */
const attributes = z.record(settingName, z.union([int, cfsValue]));
const parameters = z.record(settingName, cfsValue);
const size = int.positive();
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
  size: size.optional(),
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
  storage_object: z.string().regex(/^\/backstores\/(block|fileio|pscsi|ramdisk|user)\/[^/]+$/, 'must be /backstores/<plugin>/<name>'),
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

const nodeAcl = z.strictObject({
  node_wwn: z
    .string()
    .min(1)
    .superRefine(checkedBy((v) => validateValue('value', v))),
  attributes: attributes.optional(),
  mapped_luns: z.array(mappedLun).optional(),
  tag: z
    .string()
    .max(63)
    .superRefine(checkedBy((v) => validateValue('value', v)))
    .optional(),
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

const target = z.strictObject({
  wwn: z
    .string()
    .min(1)
    .superRefine(checkedBy((v) => validateValue('value', v))),
  fabric: z.string().refine(isFabricName, { message: `must be one of ${Object.keys(FABRICS).join(', ')}` }),
  parameters: parameters.optional(),
  tpgs: z.array(tpg).optional(),
});

const fabricModule = z.strictObject({
  name: z.string().refine(isFabricName, { message: `must be one of ${Object.keys(FABRICS).join(', ')}` }),
  discovery_enable_auth: flag.optional(),
  discovery_userid: chapValue.optional(),
  discovery_password: chapValue.optional(),
  discovery_mutual_userid: chapValue.optional(),
  discovery_mutual_password: chapValue.optional(),
});

/** The zod schema of a whole saveconfig.json document (structure and types only). */
export const saveConfigSchema = z.strictObject({
  storage_objects: z.array(storageObject).optional(),
  targets: z.array(target).optional(),
  fabric_modules: z.array(fabricModule).optional(),
});

/** A saveconfig.json document. */
export type SaveConfig = z.infer<typeof saveConfigSchema>;
/** A storage object entry. */
export type StorageObjectConfig = z.infer<typeof storageObject>;
/** An ALUA target port group entry of a storage object. */
export type AluaTpgConfig = z.infer<typeof aluaTpg>;
/** A target entry. */
export type TargetConfig = z.infer<typeof target>;
/** A TPG entry. */
export type TpgConfig = z.infer<typeof tpg>;
/** A LUN entry. */
export type LunConfig = z.infer<typeof lun>;
/** A network portal entry. */
export type PortalConfig = z.infer<typeof portal>;
/** A node ACL entry. */
export type NodeAclConfig = z.infer<typeof nodeAcl>;
/** A mapped LUN entry. */
export type MappedLunConfig = z.infer<typeof mappedLun>;
/** A fabric module entry (discovery authentication). */
export type FabricModuleConfig = z.infer<typeof fabricModule>;

/** Records issues for values that appear twice in a list. */
function unique<T>(items: readonly T[], key: (item: T) => string | number | undefined, at: (i: number) => string, what: string, issues: ConfigIssue[]): void {
  const seen = new Map<string | number, number>();
  items.forEach((item, i) => {
    const k = key(item);
    if (k === undefined) return;
    const first = seen.get(k);
    if (first !== undefined) issues.push({ path: at(i), message: `duplicate ${what} ${JSON.stringify(k)} (first at ${at(first)})` });
    else seen.set(k, i);
  });
}

/** Checks what the structure alone cannot: names, WWNs, references and duplicates. */
function crossCheck(config: SaveConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const sos = config.storage_objects ?? [];
  unique(
    sos,
    (so) => so.name,
    (i) => `storage_objects[${i}].name`,
    'storage object name (names must be unique across plugins)',
    issues,
  );
  const aluaGroups = new Map<string, Set<string>>();
  sos.forEach((so, i) => {
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
    aluaGroups.set(storageObjectRef(so.plugin, so.name), new Set([DEFAULT_ALUA_GROUP, ...groups.map((g) => g.name)]));
    if ((so.plugin === 'block' || so.plugin === 'fileio' || so.plugin === 'pscsi') && !so.dev.startsWith('/') && !(so.plugin === 'pscsi' && /^\d+:\d+:\d+(:\d+)?$/.test(so.dev))) {
      issues.push({ path: `storage_objects[${i}].dev`, message: `must be an absolute path${so.plugin === 'pscsi' ? ' or H:C:T:L' : ''}, got ${JSON.stringify(so.dev)}` });
    }
    if (so.plugin === 'fileio' && so.size === undefined && so.dev.startsWith('/dev/') === false) {
      // a file needs a size unless it already exists; checked against the disk by the planner
    }
  });
  const targets = config.targets ?? [];
  unique(
    targets,
    (t) => `${t.fabric} ${t.wwn.toLowerCase()}`,
    (i) => `targets[${i}].wwn`,
    'target',
    issues,
  );
  targets.forEach((t, ti) => {
    const at = `targets[${ti}]`;
    const fabric = isFabricName(t.fabric) ? FABRICS[t.fabric as FabricName] : undefined;
    if (fabric) {
      try {
        normalizeWwn(fabric, t.wwn);
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
        const groups = aluaGroups.get(l.storage_object);
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
  });
  unique(
    config.fabric_modules ?? [],
    (f) => f.name,
    (i) => `fabric_modules[${i}].name`,
    'fabric module',
    issues,
  );
  (config.fabric_modules ?? []).forEach((f, i) => {
    if (isFabricName(f.name) && !FABRICS[f.name].features.includes('discovery_auth')) {
      issues.push({ path: `fabric_modules[${i}].name`, message: `the ${f.name} fabric has no discovery authentication` });
    }
  });
  return issues;
}

/**
 * Validates a parsed saveconfig.json document: structure, types, names, WWNs,
 * references and duplicates. Returns it typed, or throws
 * {@link RTSLibConfigError} listing every problem with its JSON path.
 * @example
 * const config = validateConfig(JSON.parse(text));
 */
export function validateConfig(document: unknown, source?: string): SaveConfig {
  const parsed = saveConfigSchema.safeParse(document);
  if (!parsed.success) {
    throw new RTSLibConfigError(
      parsed.error.issues.map((i) => ({ path: jsonPath(i.path), message: i.message })),
      source,
    );
  }
  const issues = crossCheck(parsed.data);
  if (issues.length) throw new RTSLibConfigError(issues, source);
  return parsed.data;
}

/**
 * Parses saveconfig.json text and validates it. Malformed JSON is an
 * {@link RTSLibConfigError} too, with the position the parser gave.
 */
export function parseConfig(text: string, source?: string): SaveConfig {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (err) {
    throw new RTSLibConfigError([{ path: '$', message: `not valid JSON: ${(err as Error).message}` }], source);
  }
  return validateConfig(document, source);
}
