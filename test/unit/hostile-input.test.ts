/**
 * Hostile input never reaches the kernel (property tests with fast-check,
 * against a fake root: a plain directory declared as such). Generated
 * names, WWNs, paths, attribute and parameter names and values carrying
 * newlines, NUL, control characters, `,` and `=`, `/` and `..` are driven
 * through the schema, the planner and the model. Whatever happens: only
 * typed errors (RTSLibError), nothing written when a call is refused, and
 * nothing ever written outside the root.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import {
  FileIOStorageObject,
  RDMCPStorageObject,
  RTSLibError,
  RTSRoot,
  Target,
  TPG,
  UserBackedStorageObject,
  BlockStorageObject,
  executePlan,
  planApply,
  validateConfig,
  RTSLibConfigError,
  type SaveConfig,
} from '../../src/index.js';
import { validateControlValue, validateSettingName, validateValue } from '../../src/cfs/names.js';

let sandbox = '';
let root = '';
let lib: RTSRoot;

/** Everything below a directory (kinds and names), to compare before and after. */
function listing(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .map((e) => `${e.isDirectory() ? 'D' : 'F'} ${join(e.parentPath, e.name)}`)
    .sort();
}

/** An empty fake root: `core/` and `iscsi/` as the kernel has them. */
function resetRoot(): void {
  rmSync(root, { recursive: true, force: true });
  mkdirSync(join(root, 'core'), { recursive: true });
  mkdirSync(join(root, 'iscsi'), { recursive: true });
}

beforeAll(() => {
  sandbox = mkdtempSync(join(tmpdir(), 'rtslib-hostile-'));
  root = join(sandbox, 'root', 'target');
  resetRoot();
  mkdirSync(join(sandbox, 'outside'));
  writeFileSync(join(sandbox, 'outside', 'sentinel'), 'x');
  writeFileSync(join(sandbox, 'disk.img'), '');
  lib = new RTSRoot({ configfs: root, plainDirectory: true, lockFile: join(sandbox, 'lock'), stateDir: join(sandbox, 'state') });
});

afterAll(() => rmSync(sandbox, { recursive: true, force: true }));

/** Pieces hostile input is made of. */
const NASTY = ['\n', '\r', '\0', '\x1b', '\x7f', ',', '=', '/', '..', '../enable', ' ', '\t', 'é', '\u2028', 'NULL', '%s', '"', '*'];
const nasty = fc.array(fc.oneof(fc.constantFrom(...NASTY), fc.string({ maxLength: 4 })), { minLength: 1, maxLength: 5 }).map((parts) => parts.join(''));

const base = (): SaveConfig =>
  ({
    storage_objects: [
      { plugin: 'fileio', name: 'f1', dev: '/var/tmp/f1.img', size: 1048576, attributes: { emulate_tpu: 1 } },
      { plugin: 'user', name: 'u1', config: 'file/var/tmp/u1.img', size: 1048576, control: 'max_data_area_mb=64' },
      { plugin: 'block', name: 'b1', dev: '/dev/loop9' },
    ],
    targets: [
      {
        fabric: 'iscsi',
        wwn: 'iqn.2003-01.org.example:t1',
        tpgs: [
          {
            tag: 1,
            attributes: { authentication: 0 },
            parameters: { MaxBurstLength: '8192' },
            luns: [{ index: 0, storage_object: '/backstores/fileio/f1', alias: 'a0' }],
            portals: [{ ip_address: '127.0.0.1', port: 3260 }],
            node_acls: [{ node_wwn: 'iqn.1994-05.com.redhat:c', tag: 'g', chap_userid: 'u', chap_password: 'p', mapped_luns: [{ index: 0, tpg_lun: 0, alias: 'm0' }] }],
          },
        ],
      },
    ],
  }) as SaveConfig;

/** Places where a hostile string can go in the base config. */
// One case a line: the table reads better than Prettier's layout.
// prettier-ignore
const FIELDS: ((c: any, v: string) => void)[] = [
  (c, v) => { c.storage_objects[0].name = v; },
  (c, v) => { c.storage_objects[0].dev = v; },
  (c, v) => { c.storage_objects[1].config = v; },
  (c, v) => { c.storage_objects[1].control = v; },
  (c, v) => { c.storage_objects[2].dev = v; },
  (c, v) => { c.storage_objects[0].attributes = { [v]: 1 }; },
  (c, v) => { c.storage_objects[0].attributes = { emulate_tpu: v }; },
  (c, v) => { c.targets[0].wwn = v; },
  (c, v) => { c.targets[0].tpgs[0].parameters = { [v]: '1' }; },
  (c, v) => { c.targets[0].tpgs[0].parameters = { MaxBurstLength: v }; },
  (c, v) => { c.targets[0].tpgs[0].luns[0].alias = v; },
  (c, v) => { c.targets[0].tpgs[0].portals[0].ip_address = v; },
  (c, v) => { c.targets[0].tpgs[0].node_acls[0].node_wwn = v; },
  (c, v) => { c.targets[0].tpgs[0].node_acls[0].tag = v; },
  (c, v) => { c.targets[0].tpgs[0].node_acls[0].chap_password = v; },
  (c, v) => { c.targets[0].tpgs[0].node_acls[0].mapped_luns[0].alias = v; },
];
const ORIGINALS = [
  'f1',
  '/var/tmp/f1.img',
  'file/var/tmp/u1.img',
  'max_data_area_mb=64',
  '/dev/loop9',
  'emulate_tpu',
  '1',
  'iqn.2003-01.org.example:t1',
  'MaxBurstLength',
  '8192',
  'a0',
  '127.0.0.1',
  'iqn.1994-05.com.redhat:c',
  'g',
  'p',
  'm0',
];

describe('the checks themselves', () => {
  test('values: no NUL, newline or other control character; control-string values also no , or =', () => {
    for (const bad of ['a\nb', 'a\0b', 'a\rb', 'a\x1bb', '8192\nMaxBurstLength=512', 'x\x7f']) expect(() => validateValue('v', bad)).toThrow(RTSLibError);
    expect(validateValue('v', 'LIO Target é')).toBe('LIO Target é');
    for (const bad of ['/a,b', '/a=b', '/a\nb']) expect(() => validateControlValue('dev', bad)).toThrow(RTSLibError);
    for (const bad of ['../enable', 'a/b', '', ' x', 'x y', '1abc', 'a.b']) expect(() => validateSettingName('name', bad)).toThrow(RTSLibError);
    expect(validateSettingName('name', 'MaxBurstLength')).toBe('MaxBurstLength');
  });
});

describe('property: hostile config values', () => {
  test('the schema accepts or refuses with RTSLibConfigError; what it accepts has no control character, and no , or = in a control-string value', () => {
    fc.assert(
      fc.property(fc.nat({ max: FIELDS.length - 1 }), nasty, fc.nat({ max: 30 }), (field, bad, at) => {
        const config = base() as any;
        const original = ORIGINALS[field]!;
        const cut = Math.min(at, original.length);
        FIELDS[field]!(config, original.slice(0, cut) + bad + original.slice(cut));
        try {
          validateConfig(config);
        } catch (err) {
          expect(err).toBeInstanceOf(RTSLibConfigError);
          return;
        }
        const strings: string[] = [];
        JSON.stringify(config, (key, value: unknown) => {
          strings.push(key);
          if (typeof value === 'string') strings.push(value);
          return value;
        });
        // eslint-disable-next-line no-control-regex
        expect(strings.filter((t) => /[\x00-\x1f\x7f]/.test(t))).toEqual([]);
        expect(/[,=]/.test(config.storage_objects[0].dev) || /[,=]/.test(config.storage_objects[2].dev) || /[,=]/.test(config.storage_objects[1].config)).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  test('planning and executing what the schema accepts writes nothing outside the root; a refusal writes nothing at all', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: FIELDS.length - 1 }), nasty, fc.nat({ max: 30 }), async (field, bad, at) => {
        const config = base() as any;
        const original = ORIGINALS[field]!;
        const cut = Math.min(at, original.length);
        FIELDS[field]!(config, original.slice(0, cut) + bad + original.slice(cut));
        const outside = listing(join(sandbox, 'outside'));
        const before = listing(root);
        try {
          const valid = validateConfig(config);
          const plan = await planApply(lib, valid);
          await executePlan(lib, plan);
        } catch (err) {
          expect(err).toBeInstanceOf(RTSLibError);
          expect(listing(root)).toEqual(before);
        }
        expect(listing(join(sandbox, 'outside'))).toEqual(outside);
        expect(readdirSync(join(sandbox, 'root'))).toEqual(['target']);
        // start the next run from the same fake root
        resetRoot();
      }),
      { numRuns: 300 },
    );
  }, 120_000);
});

describe('property: hostile arguments to the model', () => {
  /** A TPG made before the call under test (for calls on an existing object). */
  const tpg = async (): Promise<TPG> => TPG.open(await Target.open(lib, 'iscsi', { wwn: 'iqn.2003-01.org.example:t9' }), { tag: 1 });
  const calls: ((v: string) => Promise<() => Promise<unknown>>)[] = [
    async (v) => () => RDMCPStorageObject.open(lib, v, { size: '1M' }),
    async (v) => () => FileIOStorageObject.open(lib, 'f', { dev: `/var/tmp/${v}`, size: '1M' }),
    async (v) => () => FileIOStorageObject.open(lib, 'f', { dev: v, size: '1M' }),
    async (v) => () => BlockStorageObject.open(lib, 'b', { dev: `/dev/${v}` }),
    async (v) => () => UserBackedStorageObject.open(lib, 'u', { config: `file/${v}`, size: '1M' }),
    async (v) => () => UserBackedStorageObject.open(lib, 'u', { config: 'file/x', size: '1M', control: v }),
    async (v) => () => RDMCPStorageObject.open(lib, 'r', { size: '1M', attributes: { [v]: 1 } }),
    async (v) => () => RDMCPStorageObject.open(lib, 'r', { size: '1M', wwn: v }),
    async (v) => () => Target.open(lib, 'iscsi', { wwn: v }),
    async (v) => {
      const g = await tpg();
      return () => g.setParameter('MaxBurstLength', v);
    },
    async (v) => {
      const g = await tpg();
      return () => g.setParameter(v, '8192');
    },
    async (v) => {
      const g = await tpg();
      return () => g.setAttribute(v, 1);
    },
    async (v) => {
      const g = await tpg();
      return () => g.setAuthAttribute('password', v);
    },
  ];

  test('only typed errors; a refused call leaves the root as it was; nothing is written outside it', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: calls.length - 1 }), nasty, async (call, bad) => {
        const outside = listing(join(sandbox, 'outside'));
        const attempt = await calls[call]!(bad);
        const before = listing(root);
        try {
          await attempt();
        } catch (err) {
          expect(err).toBeInstanceOf(RTSLibError);
          // a refusal (bad input) leaves the root as it was; a kernel-side failure (the fake root has no kernel files) is undone too
          expect(listing(root)).toEqual(before);
        }
        expect(listing(join(sandbox, 'outside'))).toEqual(outside);
        expect(readdirSync(join(sandbox, 'root'))).toEqual(['target']);
        resetRoot();
      }),
      { numRuns: 500 },
    );
  }, 120_000);
});
