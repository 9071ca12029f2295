/**
 * saveconfig.json files written by seven rtslib-fb versions (2.1.fb51 of
 * 2014 to 2.2.4) and Debian's targetctl, kept in test/fixtures/saveconfig/:
 * each restores with ours, strictly, and gives the same tree as
 * targetctl (Debian's rtslib-fb 2.1.75) makes of the same file. The one
 * thing targetctl 2.1.75 cannot read is 2.2.4's block `exclusive` key (it
 * skips that object with its LUN and mapped LUN, and says so): ours restores
 * the whole file, and equals targetctl's tree but for exactly those.
 *
 * npm test restores three of them (the oldest, 2.1.75 and the newest);
 * `npm run test:fixtures` (RTSLIB_FIXTURES=all) every one. With the 2.1.75
 * tree restored, every object's own `dump()` is its entry of the whole
 * dump and what rtslib-fb's `dump()` of the same object returns.
 *
 * The files name the devices of the guest they were written in: backing
 * files under /tmp/rtslib-fixtures, /dev/loop0 and /dev/loop1, and the
 * scsi_debug disk as /dev/sda; this test makes them again (the scsi_debug
 * disk's node is substituted when the guest names it otherwise).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { RTSRoot, dumpConfig, executePlan, parseConfig, planClear, planRestore, type SaveConfig } from '../../src/index.js';
import { SYSTEM_PYTHON, configuredTree, rtslibFb, unloadScsiDebug } from './helpers.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/saveconfig/', import.meta.url));
const BACKING = '/tmp/rtslib-fixtures';
const COPIES = '/tmp/rtslib-fixture-copies';
const FILES = readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.json'))
  .sort();
const root = new RTSRoot();
let disk = '';

/** The TCMU object's attributes cannot be set while no handler runs: rtslib-fb says so and goes on (as with its own files). */
const TCMU_NOTICE = /^Storage Object user\/user1: Cannot set attribute \w+: \[Errno 3\] No such process, skipped$/;

async function clearAll(): Promise<void> {
  await executePlan(root, await planClear(root));
  expect(configuredTree()).toEqual([]);
}

/** The guest's node of the scsi_debug disk. */
async function scsiDebugNode(): Promise<string> {
  for (let i = 0; i < 300; i++) {
    for (const name of existsSync('/sys/block') ? readdirSync('/sys/block') : []) {
      const model = `/sys/block/${name}/device/model`;
      if (existsSync(model) && readFileSync(model, 'utf8').trim() === 'scsi_debug') return `/dev/${name}`;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the scsi_debug disk did not appear');
}

/** Generated names that a file without them leaves to chance (fb51 saved no LUN or mapped LUN aliases). */
function withoutAliases(config: SaveConfig): SaveConfig {
  const copy = structuredClone(config);
  for (const t of copy.targets ?? [])
    for (const g of t.tpgs ?? []) {
      for (const l of g.luns ?? []) delete l.alias;
      for (const a of g.node_acls ?? []) for (const m of a.mapped_luns ?? []) delete m.alias;
    }
  return copy;
}

/** A value with object keys sorted and lists in a fixed order (rtslib-fb lists in the kernel's order, ours sorted). */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical).sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/** The tree without block1, the LUNs that export it and the mapped LUNs that map those. */
function withoutBlock1(config: SaveConfig): SaveConfig {
  const copy = structuredClone(config);
  copy.storage_objects = copy.storage_objects?.filter((so) => so.name !== 'block1');
  for (const t of copy.targets ?? [])
    for (const g of t.tpgs ?? []) {
      const gone = new Set((g.luns ?? []).filter((l) => l.storage_object === '/backstores/block/block1').map((l) => l.index));
      g.luns = g.luns?.filter((l) => !gone.has(l.index));
      for (const a of g.node_acls ?? []) a.mapped_luns = a.mapped_luns?.filter((m) => !gone.has(m.tpg_lun));
    }
  return copy;
}

beforeAll(async () => {
  await clearAll();
  mkdirSync(BACKING, { recursive: true });
  mkdirSync(COPIES, { recursive: true });
  execFileSync('truncate', ['-s', '64M', `${BACKING}/file1.img`]);
  execFileSync('truncate', ['-s', '32M', `${BACKING}/filedev1.img`]);
  execFileSync('truncate', ['-s', '16M', `${BACKING}/block1.img`]);
  execFileSync('losetup', ['/dev/loop0', `${BACKING}/filedev1.img`]);
  execFileSync('losetup', ['/dev/loop1', `${BACKING}/block1.img`]);
  for (const m of ['sd_mod', 'target_core_pscsi']) execFileSync('modprobe', [m]);
  execFileSync('modprobe', ['scsi_debug', 'dev_size_mb=8', 'num_tgts=1', 'max_luns=1']);
  disk = await scsiDebugNode();
  for (const file of FILES) writeFileSync(`${COPIES}/${file}`, readFileSync(`${FIXTURES}${file}`, 'utf8').replaceAll('"/dev/sda"', JSON.stringify(disk)));
}, 180_000);

afterAll(async () => {
  await clearAll();
  for (const loop of ['/dev/loop0', '/dev/loop1']) spawnSync('losetup', ['-d', loop]);
  await unloadScsiDebug();
  rmSync(BACKING, { recursive: true, force: true });
  rmSync(COPIES, { recursive: true, force: true });
}, 180_000);

describe('files other rtslib-fb versions wrote', () => {
  test('the fixtures are there: seven versions and targetctl', () => {
    expect(FILES).toEqual([
      'rtslib-fb-2.1.71.json',
      'rtslib-fb-2.1.75.json',
      'rtslib-fb-2.1.fb51.json',
      'rtslib-fb-2.1.fb60.json',
      'rtslib-fb-2.1.fb67.json',
      'rtslib-fb-2.1.fb69.json',
      'rtslib-fb-2.2.4.json',
      'targetctl-2.1.53.json',
    ]);
  });

  const ours = new Map<string, SaveConfig>();

  // targetctl-2.1.53.json is byte for byte rtslib-fb-2.1.75.json (Debian's targetctl is that rtslib-fb): restored once
  const distinct = FILES.filter((f, i) => FILES.findIndex((g) => readFileSync(`${FIXTURES}${g}`, 'utf8') === readFileSync(`${FIXTURES}${f}`, 'utf8')) === i);
  test('identical files are restored once', () => {
    expect(FILES.filter((f) => !distinct.includes(f))).toEqual(['targetctl-2.1.53.json']);
  });

  // npm test restores the oldest, the newest and Debian's; RTSLIB_FIXTURES=all (npm run test:fixtures) every one
  const sample =
    process.env.RTSLIB_FIXTURES === 'all' ? distinct : distinct.filter((f) => ['rtslib-fb-2.1.fb51.json', 'rtslib-fb-2.1.75.json', 'rtslib-fb-2.2.4.json'].includes(f));
  for (const file of sample) {
    test(`${file}: ours restores it strictly, and targetctl makes the same tree of it`, async () => {
      const copy = `${COPIES}/${file}`;
      const config = parseConfig(readFileSync(copy, 'utf8'), file);
      await clearAll();
      await executePlan(root, await planRestore(root, config));
      const mine = await dumpConfig(root);
      ours.set(file, mine);

      await clearAll();
      const r = spawnSync(SYSTEM_PYTHON, ['/usr/bin/targetctl', 'restore', copy], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      const notices = r.stderr.trim().split('\n').filter(Boolean);
      const theirs = await dumpConfig(root);
      const lacksAliases = !config.targets?.some((t) => t.tpgs?.some((g) => g.luns?.some((l) => l.alias !== undefined)));
      const norm = (c: SaveConfig): SaveConfig => (lacksAliases ? withoutAliases(c) : c);
      if (file === 'rtslib-fb-2.2.4.json') {
        // rtslib-fb 2.1.75 does not know `exclusive` (2.2.4 added it): it skips block1, its LUN and the mapped LUN of that LUN
        expect(notices.filter((l) => !TCMU_NOTICE.test(l))).toEqual([
          expect.stringMatching(/^Could not create StorageObject block1: .*unexpected keyword argument 'exclusive', skipped$/),
          expect.stringMatching(/^Could not find matching StorageObject for LUN 1, skipped$/),
          expect.stringMatching(/^Could not find matching TPG LUN 1 for MappedLUN 1, skipped$/),
        ]);
        expect(norm(theirs)).toEqual(norm(withoutBlock1(mine)));
        expect(mine.storage_objects?.some((so) => so.name === 'block1')).toBe(true);
      } else {
        for (const line of notices) expect(line).toMatch(TCMU_NOTICE);
        expect(norm(theirs)).toEqual(norm(mine));
      }
    });
  }

  test('what the 2.1.75 file says, ours restores exactly: its dump is the file', () => {
    const file = parseConfig(readFileSync(`${COPIES}/rtslib-fb-2.1.75.json`, 'utf8'));
    const sorted = (c: SaveConfig): unknown => canonical(withoutAliases(c));
    expect(sorted(ours.get('rtslib-fb-2.1.75.json')!)).toEqual(sorted(file));
    // and the same tree comes from every full file, whatever version wrote it
    for (const name of ['rtslib-fb-2.2.4.json', 'rtslib-fb-2.1.71.json', 'rtslib-fb-2.1.fb69.json'].filter((n) => ours.has(n))) {
      const other = ours.get(name)!;
      const strip = (c: SaveConfig): SaveConfig => ({ ...c, storage_objects: c.storage_objects?.map((so) => (so.plugin === 'user' ? { ...so, control: '' } : so)) });
      expect(sorted(strip(other))).toEqual(sorted(strip(ours.get('rtslib-fb-2.1.75.json')!)));
    }
  });
});

/** Every object's own dump, keyed by where it is: what ours and rtslib-fb's `dump()` methods return. */
type ObjectDumps = Record<'storageObjects' | 'aluaGroups' | 'targets' | 'tpgs' | 'luns' | 'portals' | 'acls' | 'mappedLuns' | 'fabrics', Record<string, unknown>>;

async function ourObjectDumps(): Promise<ObjectDumps> {
  const out: ObjectDumps = { storageObjects: {}, aluaGroups: {}, targets: {}, tpgs: {}, luns: {}, portals: {}, acls: {}, mappedLuns: {}, fabrics: {} };
  for (const so of await root.storageObjects()) {
    out.storageObjects[`${so.plugin}/${so.name}`] = await so.dump();
    for (const group of await so.aluaTpgs()) out.aluaGroups[`${so.plugin}/${so.name}/${group.name}`] = await group.dump();
  }
  for (const target of await root.targets()) {
    const t = `${target.fabric.name}/${target.wwn}`;
    out.targets[t] = await target.dump();
    for (const tpg of await target.tpgs()) {
      const g = `${t}/${tpg.tag}`;
      out.tpgs[g] = await tpg.dump();
      for (const lun of await tpg.luns()) out.luns[`${g}/${lun.index}`] = await lun.dump();
      for (const portal of await tpg.networkPortals()) out.portals[`${g}/${portal.ip}:${portal.port}`] = await portal.dump();
      for (const acl of await tpg.nodeAcls()) {
        out.acls[`${g}/${acl.nodeWwn}`] = await acl.dump();
        for (const mapped of await acl.mappedLuns()) out.mappedLuns[`${g}/${acl.nodeWwn}/${mapped.index}`] = await mapped.dump();
      }
    }
  }
  for (const fabric of root.fabricModules()) if (await fabric.isLoaded()) out.fabrics[fabric.name] = await fabric.dump();
  return out;
}

/** The same walk with rtslib-fb's objects (IPv6 portal keys without the brackets rtslib-fb adds). */
function rtslibFbObjectDumps(): ObjectDumps {
  return rtslibFb<ObjectDumps>(`
root = rtslib.RTSRoot()
out = {k: {} for k in ('storageObjects', 'aluaGroups', 'targets', 'tpgs', 'luns', 'portals', 'acls', 'mappedLuns', 'fabrics')}
for so in root.storage_objects:
    out['storageObjects'][so.plugin + '/' + so.name] = so.dump()
    for g in so.alua_tpgs:
        out['aluaGroups'][so.plugin + '/' + so.name + '/' + g.name] = g.dump()
for t in root.targets:
    tk = t.fabric_module.name + '/' + t.wwn
    out['targets'][tk] = t.dump()
    for tpg in t.tpgs:
        gk = tk + '/' + str(tpg.tag)
        out['tpgs'][gk] = tpg.dump()
        for lun in tpg.luns:
            out['luns'][gk + '/' + str(lun.lun)] = lun.dump()
        for p in tpg.network_portals:
            out['portals'][gk + '/' + p.ip_address.strip('[]') + ':' + str(p.port)] = p.dump()
        for acl in tpg.node_acls:
            out['acls'][gk + '/' + acl.node_wwn] = acl.dump()
            for m in acl.mapped_luns:
                out['mappedLuns'][gk + '/' + acl.node_wwn + '/' + str(m.mapped_lun)] = m.dump()
for fm in root.fabric_modules:
    if fm.exists:
        out['fabrics'][fm.name] = fm.dump()
print(json.dumps(out))
`);
}

describe("each object's dump()", () => {
  test('every object of the 2.1.75 fixture dumps its entry of the whole dump, and what rtslib-fb dumps for it', async () => {
    await clearAll();
    await executePlan(root, await planRestore(root, parseConfig(readFileSync(`${COPIES}/rtslib-fb-2.1.75.json`, 'utf8'))));
    const whole = await root.dump();
    const mine = await ourObjectDumps();

    // each entry is the whole dump's, at every level
    const wholeSos = Object.fromEntries((whole.storage_objects ?? []).map((so) => [`${so.plugin}/${so.name}`, so]));
    expect(mine.storageObjects).toEqual(wholeSos);
    expect(Object.keys(mine.storageObjects)).toHaveLength(7);
    for (const [key, so] of Object.entries(wholeSos)) for (const g of so.alua_tpgs ?? []) expect(mine.aluaGroups[`${key}/${g.name}`]).toEqual(g);
    expect(Object.keys(mine.aluaGroups).length).toBeGreaterThan(5);
    const wholeTargets = Object.fromEntries((whole.targets ?? []).map((t) => [`${t.fabric}/${t.wwn}`, t]));
    expect(mine.targets).toEqual(wholeTargets);
    let counted = 0;
    for (const [key, t] of Object.entries(wholeTargets))
      for (const tpg of t.tpgs ?? []) {
        const g = `${key}/${tpg.tag}`;
        expect(mine.tpgs[g]).toEqual(tpg);
        for (const lun of tpg.luns ?? []) expect(mine.luns[`${g}/${lun.index}`]).toEqual(lun);
        for (const p of tpg.portals ?? []) expect(mine.portals[`${g}/${p.ip_address.replace(/^\[|\]$/g, '')}:${p.port}`]).toEqual(p);
        for (const acl of tpg.node_acls ?? []) {
          expect(mine.acls[`${g}/${acl.node_wwn}`]).toEqual(acl);
          for (const m of acl.mapped_luns ?? []) expect(mine.mappedLuns[`${g}/${acl.node_wwn}/${m.index}`]).toEqual(m);
          counted += 1 + (acl.mapped_luns?.length ?? 0);
        }
      }
    expect(counted).toBeGreaterThan(3);
    // a fabric that enforces discovery authentication is in the whole dump as it dumps itself
    expect(whole.fabric_modules).toEqual([mine.fabrics.iscsi]);
    expect(mine.fabrics.loopback).toEqual({ name: 'loopback' });
    // a password-free dump leaves out the passwords only
    const [iscsi] = (await root.targets()).filter((t) => t.fabric.name === 'iscsi');
    const redacted = JSON.stringify(await iscsi!.dump({ secrets: false }));
    expect(redacted).not.toMatch(/_password/);
    expect(redacted).toMatch(/chap_userid|chap_mutual_userid/);

    // rtslib-fb's dump() of each object says the same (lists in the kernel's order there, sorted here)
    const theirs = rtslibFbObjectDumps();
    for (const kind of Object.keys(mine) as (keyof ObjectDumps)[]) {
      expect(Object.keys(theirs[kind]).sort(), kind).toEqual(Object.keys(mine[kind]).sort());
      for (const key of Object.keys(mine[kind])) expect(canonical(theirs[kind][key]), `${kind} ${key}`).toEqual(canonical(mine[kind][key]));
    }
  });
});
