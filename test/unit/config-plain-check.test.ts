/**
 * The plain check of a saveconfig.json document (src/config/plain-check.ts),
 * the fast path that spares zod's walk: it must accept exactly what the zod
 * schema accepts and returns unchanged, and so every file rtslib-fb writes.
 */
import { describe, expect, test } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { RTSLibConfigError, checkConfig, saveConfigSchema } from '../../src/config/index.js';
import { withLegacyForms } from '../../src/config/legacy-forms.js';
import { isPlainlyValidConfig } from '../../src/config/plain-check.js';
import { ConfigEntryChecker } from '../../src/config/schema.js';
import { ALUA_SAVED_SETTINGS } from '../../src/model/saveconfig-format.js';

const FIXTURES = new URL('../fixtures/', import.meta.url);
const fixtureFiles = [
  ...readdirSync(new URL('saveconfig/', FIXTURES))
    .filter((f) => f.endsWith('.json'))
    .map((f) => new URL(`saveconfig/${f}`, FIXTURES)),
  new URL('reference/rtslib-fb-2.1.75-saveconfig.json', FIXTURES),
];

/** zod's verdict: accepted with the document unchanged (deep-equal, prototypes included). */
function zodKeepsAsIs(document: unknown): boolean {
  const r = saveConfigSchema.safeParse(document);
  return r.success && isDeepStrictEqual(r.data, document);
}

// Values a hostile or careless file may hold where a field is expected.
const hostileString = fc.oneof(
  fc.string({ maxLength: 6 }),
  fc.constantFrom('', ' ', '..', 'a/b', 'a\nb', 'x\0', 'a,b', 'k=v', 'é', 'x'.repeat(5000), '__proto__', 'constructor', '[::1]', '0:0:0:0'),
);
const hostileValue = fc.oneof(
  hostileString,
  fc.integer({ min: -3, max: 70000 }),
  fc.constantFrom(0.5, -0, Number.NaN, Infinity, Number.MAX_SAFE_INTEGER + 2, true, false, null, undefined, [], {}, 0, 1),
);
/**
 * Documents whose every field, entry and list is valid `odds` times to one
 * hostile (and whose entries have one key more once in `odds + 1`).
 */
function arbitraries(odds: number) {
  /** Mostly a valid value, sometimes a hostile one. */
  /** A valid value `odds` times to one hostile value (or, when given, one of the `tricky` values, which are almost right). */
  const field = <T>(valid: fc.Arbitrary<T>, ...tricky: unknown[]): fc.Arbitrary<unknown> =>
    fc.oneof({ weight: odds, arbitrary: valid }, { weight: 1, arbitrary: tricky.length ? fc.oneof(fc.constantFrom(...tricky), hostileValue) : hostileValue });
  /** A record of these fields, each present or not, now and then with one key more (a hostile one, `__proto__` among them). */
  function entry(shape: Record<string, fc.Arbitrary<unknown>>, required: string[]): fc.Arbitrary<unknown> {
    const rec = fc.record(shape, { requiredKeys: required });
    const extra = fc.oneof(
      { weight: odds, arbitrary: fc.constant(null) },
      { weight: 1, arbitrary: fc.tuple(fc.oneof(hostileString, fc.constantFrom(...Object.keys(shape))), hostileValue) },
    );
    const object = fc.tuple(rec, extra).map(([r, e]) => (e ? { ...r, [e[0]]: e[1] } : r));
    return fc.oneof({ weight: odds, arbitrary: object }, { weight: 1, arbitrary: hostileValue });
  }
  const list = (item: fc.Arbitrary<unknown>, maxLength = 3): fc.Arbitrary<unknown> => field(fc.array(item, { maxLength }));

  const name = fc.stringMatching(/^[a-z][a-z0-9_-]{0,6}(\.[a-z0-9]{1,3})?$/);
  const settingName = fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9_]{0,8}$/);
  const flag = field(fc.boolean());
  const u16 = field(fc.nat(65535), 65536, -1, 1.5);
  const settings = (values: fc.Arbitrary<unknown>) =>
    field(fc.dictionary(fc.oneof({ weight: odds, arbitrary: settingName }, { weight: 1, arbitrary: hostileString }), values, { maxKeys: 4 }));
  const attributes = settings(field(fc.oneof(fc.integer(), name)));
  const chap = { chap_userid: field(name), chap_password: field(name), chap_mutual_userid: field(name), chap_mutual_password: field(name) };
  const aluaTpg = entry({ name: field(name), tg_pt_gp_id: u16, ...Object.fromEntries(ALUA_SAVED_SETTINGS.map((s) => [s, field(fc.integer())])) }, ['name', 'tg_pt_gp_id']);
  const common = { name: field(name), attributes, alua_tpgs: list(aluaTpg, 2) };
  const dev = field(fc.constantFrom('/dev/sdb', '/tmp/a.img', '0:0:1:0', 'rel'), 'a,b', 'a=b', '');
  const wwn = field(name);
  /** Each plugin's entry, and now and then one with another plugin's keys. */
  const storageObject = fc.oneof(
    entry({ ...common, plugin: field(fc.constant('block')), dev, wwn, write_back: flag, readonly: flag, exclusive: flag }, ['name', 'plugin', 'dev']),
    entry({ ...common, plugin: field(fc.constant('fileio')), dev, wwn, write_back: flag, buffered_mode: flag, size: field(fc.nat()), aio: flag }, ['name', 'plugin', 'dev']),
    entry({ ...common, plugin: field(fc.constant('ramdisk')), wwn, size: field(fc.nat()), nullio: flag }, ['name', 'plugin', 'size']),
    entry({ ...common, plugin: field(fc.constant('pscsi')), dev }, ['name', 'plugin', 'dev']),
    entry(
      {
        ...common,
        plugin: field(fc.constant('user')),
        wwn,
        size: field(fc.nat()),
        config: field(fc.constantFrom('file//tmp/x', 'glfs/a@b'), 'a=b', 'a,b'),
        hw_max_sectors: field(fc.integer({ min: 1, max: 2048 }), 0),
        control: field(fc.constantFrom('', 'max_data_area_mb=8'), 'bad', 'max_data_area_mb=8,', 'x=1'),
      },
      ['name', 'plugin', 'size', 'config'],
    ),
    entry({ ...common, plugin: field(fc.constantFrom('block', 'fileio', 'ramdisk', 'pscsi', 'user', 'iblock')), dev, size: field(fc.nat()), nullio: flag, aio: flag }, [
      'name',
      'plugin',
    ]),
  );
  const lun = entry(
    {
      index: u16,
      storage_object: field(fc.constantFrom('/backstores/fileio/a', '/backstores/block/b'), '/backstores/nope/c', 'fileio/a', '/backstores/fileio/a/b'),
      alias: field(name),
      alua_tg_pt_gp_name: field(fc.option(name, { nil: null })),
    },
    ['index', 'storage_object'],
  );
  const portal = entry(
    {
      ip_address: field(fc.constantFrom('0.0.0.0', '192.0.2.1', '[::1]', '::'), 'host', '[1.2.3.4]', ''),
      port: field(fc.integer({ min: 1, max: 65535 }), 0, 65536, -1),
      iser: flag,
      offload: flag,
    },
    ['ip_address', 'port'],
  );
  const mappedLun = entry({ index: u16, tpg_lun: u16, write_protect: flag, alias: field(name) }, ['index', 'tpg_lun']);
  const nodeAcl = entry(
    {
      node_wwn: field(fc.constantFrom('iqn.1994-05.com.redhat:c1', 'naa.5001405abcdef012')),
      attributes,
      mapped_luns: list(mappedLun),
      tag: field(name),
      tcq_depth: field(fc.integer({ min: 1, max: 512 }), 0, 513),
      ...chap,
    },
    ['node_wwn'],
  );
  const tpg = entry(
    {
      tag: field(fc.integer({ min: 1, max: 65535 }), 0, 65536),
      enable: field(fc.constantFrom(true, false, 0, 1), 2, -1, '1'),
      attributes,
      parameters: settings(field(name)),
      luns: list(lun),
      portals: list(portal, 2),
      node_acls: list(nodeAcl, 2),
      ...chap,
    },
    ['tag'],
  );
  const fabric = field(fc.constantFrom('iscsi', 'loopback', 'vhost', 'srpt', 'qla2xxx'), 'nosuch', 'ISCSI', 'toString');
  const target = entry({ wwn: field(fc.constantFrom('iqn.2003-01.org.x:t', 'naa.5001405abcdef012')), fabric, parameters: settings(field(name)), tpgs: list(tpg, 2) }, [
    'wwn',
    'fabric',
  ]);
  const fabricModule = entry(
    {
      name: fabric,
      discovery_enable_auth: flag,
      discovery_userid: field(name),
      discovery_password: field(name),
      discovery_mutual_userid: field(name),
      discovery_mutual_password: field(name),
    },
    ['name'],
  );
  const document = entry({ storage_objects: list(storageObject), targets: list(target, 2), fabric_modules: list(fabricModule, 2) }, []);
  return { document, storageObject, aluaTpg, target, tpg, lun, portal, nodeAcl, mappedLun, fabricModule };
}
/** Often hostile documents, and mostly valid ones (where the edges of the valid values get tried). */
const documentArb = fc.oneof(arbitraries(10).document, arbitraries(80).document);

const TARGET = { wwn: 'iqn.2003-01.org.x:t', fabric: 'iscsi' };
/** One part, hostile one field in nine, inside a document otherwise valid: where each part's edges are tried. */
const PARTS: [string, (part: unknown) => unknown][] = [
  ['storageObject', (so) => ({ storage_objects: [so] })],
  ['aluaTpg', (g) => ({ storage_objects: [{ name: 'a', plugin: 'ramdisk', size: 1, alua_tpgs: [g] }] })],
  ['target', (t) => ({ targets: [t] })],
  ['tpg', (g) => ({ targets: [{ ...TARGET, tpgs: [g] }] })],
  ['lun', (l) => ({ targets: [{ ...TARGET, tpgs: [{ tag: 1, luns: [l] }] }] })],
  ['portal', (p) => ({ targets: [{ ...TARGET, tpgs: [{ tag: 1, portals: [p] }] }] })],
  ['nodeAcl', (a) => ({ targets: [{ ...TARGET, tpgs: [{ tag: 1, node_acls: [a] }] }] })],
  ['mappedLun', (m) => ({ targets: [{ ...TARGET, tpgs: [{ tag: 1, node_acls: [{ node_wwn: 'iqn.1994-05.com.redhat:c1', mapped_luns: [m] }] }] }] })],
  ['fabricModule', (f) => ({ fabric_modules: [f] })],
];
const partArbitraries = arbitraries(8);

describe('the plain check of a document', () => {
  test('accepts exactly the documents zod accepts and returns unchanged (random, often hostile, documents)', () => {
    let accepted = 0;
    fc.assert(
      fc.property(documentArb, (document) => {
        const plain = isPlainlyValidConfig(document);
        expect(plain).toBe(zodKeepsAsIs(document));
        if (plain) accepted++;
      }),
      {
        numRuns: 3000,
        examples: [
          [JSON.parse('{"storage_objects": [{"name": "a", "plugin": "ramdisk", "size": 1, "__proto__": 1}]}')],
          [JSON.parse('{"targets": [{"wwn": "iqn.2003-01.org.x:t", "fabric": "iscsi", "parameters": {"__proto__": "x"}}]}')],
          [{ storage_objects: [{ name: 'a', plugin: 'ramdisk', size: 1, wwn: undefined }] }],
          [{ storage_objects: [Object.assign(Object.create(null), { name: 'a', plugin: 'ramdisk', size: 1 })] }],
          [{ storage_objects: [{ name: 'a', plugin: 'ramdisk', size: 1, attributes: { [Symbol('k')]: 1 } }] }],
        ],
      },
    );
    // the property is worth something only if both verdicts come up
    console.log('ACCEPTED', accepted);
    expect(accepted).toBeGreaterThan(60);
  });

  test.each(PARTS)('accepts exactly what zod accepts unchanged: %s, inside a valid document', (part, wrap) => {
    const arbitrary = partArbitraries[part as keyof typeof partArbitraries];
    fc.assert(
      fc.property(arbitrary, (value) => {
        const document = wrap(value);
        expect(isPlainlyValidConfig(document)).toBe(zodKeepsAsIs(document));
      }),
      { numRuns: 1000 },
    );
  });

  /** Edges of each field, each in an otherwise valid document: the verdicts must agree (and come out both ways). */
  const tpgWith = (g: object) => ({ targets: [{ ...TARGET, tpgs: [{ tag: 1, ...g }] }] });
  const aclWith = (a: object) => tpgWith({ node_acls: [{ node_wwn: 'iqn.1994-05.com.redhat:c1', ...a }] });
  const user = (u: object) => ({ storage_objects: [{ name: 'u', plugin: 'user', size: 1, config: 'file//x', ...u }] });
  const edges: [string, unknown, boolean][] = [
    ...[0, 1, 65535, 65536].map((port): [string, unknown, boolean] => [`portal port ${port}`, tpgWith({ portals: [{ ip_address: '0.0.0.0', port }] }), port >= 1 && port <= 65535]),
    ...[0, 1, 65535, 65536].map((tag): [string, unknown, boolean] => [`TPG tag ${tag}`, { targets: [{ ...TARGET, tpgs: [{ tag }] }] }, tag >= 1 && tag <= 65535]),
    ...[true, 0, 1, 2, -1, '1'].map((enable): [string, unknown, boolean] => [`enable ${JSON.stringify(enable)}`, tpgWith({ enable }), [true, 0, 1].includes(enable as never)]),
    ...[0, 1, 512, 513].map((d): [string, unknown, boolean] => [`tcq_depth ${d}`, aclWith({ tcq_depth: d }), d >= 1 && d <= 512]),
    ['ACL tag of 63 characters', aclWith({ tag: 't'.repeat(63) }), true],
    ['ACL tag of 64 characters', aclWith({ tag: 't'.repeat(64) }), false],
    ['CHAP password of 255 characters', aclWith({ chap_password: 'p'.repeat(255) }), true],
    ['CHAP password of 256 characters', aclWith({ chap_password: 'p'.repeat(256) }), false],
    ['hw_max_sectors 0', user({ hw_max_sectors: 0 }), false],
    ['hw_max_sectors 1', user({ hw_max_sectors: 1 }), true],
    ['user control ""', user({ control: '' }), true],
    ['user control max_data_area_mb=8', user({ control: 'max_data_area_mb=8' }), true],
    ['user control "bad"', user({ control: 'bad' }), false],
    ['ramdisk size 0', { storage_objects: [{ name: 'r', plugin: 'ramdisk', size: 0 }] }, false],
    ['fileio size 0', { storage_objects: [{ name: 'f', plugin: 'fileio', dev: '/dev/sdb', size: 0 }] }, true],
    ['a value of 4,095 characters', { storage_objects: [{ name: 'r', plugin: 'ramdisk', size: 1, wwn: 'w'.repeat(4095) }] }, true],
    ['a value of 4,096 characters', { storage_objects: [{ name: 'r', plugin: 'ramdisk', size: 1, wwn: 'w'.repeat(4096) }] }, false],
    ['a LUN without an ALUA group (null)', tpgWith({ luns: [{ index: 0, storage_object: '/backstores/ramdisk/r', alua_tg_pt_gp_name: null }] }), true],
    ['a name with ..', { storage_objects: [{ name: 'a..b', plugin: 'ramdisk', size: 1 }] }, false],
    ['an iblock plugin (not rewritten here)', { storage_objects: [{ name: 'b', plugin: 'iblock', dev: '/dev/sdb' }] }, false],
  ];
  test.each(edges)('agrees with zod at an edge: %s', (_, document, valid) => {
    expect(zodKeepsAsIs(document)).toBe(valid);
    expect(isPlainlyValidConfig(document)).toBe(valid);
  });

  test.each(fixtureFiles.map((u) => [u.pathname.split('/').slice(-2).join('/'), u] as const))('agrees with zod on %s', (_, file) => {
    const document = withLegacyForms(JSON.parse(readFileSync(file, 'utf8')));
    expect(isPlainlyValidConfig(document)).toBe(zodKeepsAsIs(document));
  });

  test('takes the fast path for the files current rtslib-fb and targetctl write', () => {
    for (const name of ['saveconfig/rtslib-fb-2.2.4.json', 'saveconfig/rtslib-fb-2.1.75.json', 'saveconfig/targetctl-2.1.53.json', 'reference/rtslib-fb-2.1.75-saveconfig.json']) {
      expect(isPlainlyValidConfig(JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8'))), name).toBe(true);
    }
  });

  test('checkConfig gives the same config and the same refusals on either path', () => {
    const reference = JSON.parse(readFileSync(fixtureFiles.at(-1)!, 'utf8'));
    // the fast path returns the document itself; zod's path (a lenient check of a key to skip) a copy
    expect(checkConfig(reference).config).toBe(reference);
    const withExtra = structuredClone(reference);
    withExtra.storage_objects[0].extra = 1;
    const lenient = checkConfig(withExtra, { lenient: true });
    expect(lenient.config).toEqual(reference);
    expect(lenient.warnings).toEqual([{ path: 'storage_objects[0].extra', message: 'unknown key: skipped' }]);
    // what only the cross-check finds is refused on the fast path too
    const dangling = structuredClone(reference);
    dangling.targets.find((t: { tpgs?: unknown[] }) => t.tpgs?.length).tpgs[0].luns[0].storage_object = '/backstores/fileio/nosuch';
    expect(isPlainlyValidConfig(dangling)).toBe(true);
    expect(() => checkConfig(dangling)).toThrow(RTSLibConfigError);
    expect(() => checkConfig(dangling)).toThrow(/names \/backstores\/fileio\/nosuch, which is not in storage_objects/);
  });

  test("a streamed save's entry checker refuses a bad entry with zod's path and message, after plain entries pass", () => {
    const check = new ConfigEntryChecker('the dump to save');
    expect(check.fabricModules([])).toEqual([]);
    const so = { name: 'a', plugin: 'ramdisk', size: 1 };
    expect(check.storageObject(so)).toBe(so);
    expect(() => check.storageObject({ name: 'b', plugin: 'ramdisk', size: 0 })).toThrow(/storage_objects\[1\]\.size/);
  });
});
