/**
 * The clear, restore and apply plans on fake trees (host only): removals
 * come from the tree as the kernel has it, so what a killed run leaves
 * (LUN and mapped-LUN directories without their link, an empty HBA) is
 * planned for removal; restores remove before they create, and a created
 * object takes an HBA index the removal frees.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyPlanOf, clearPlanOf, restorePlanOf } from '../../src/config/planner.js';
import { dumpSnapshot } from '../../src/model/dump.js';
import { settingsOver } from '../../src/config/plan-builder.js';
import { formatPlan, planWrites, stepOperations, type Plan, type PlanOp } from '../../src/config/plan.js';
import type { SaveConfig } from '../../src/model/saveconfig-format.js';
import { ROOT, fakeSnapshot, withParents, type FakeEntry } from './support/fake-snapshot.js';

const T = 'iscsi/iqn.2003-01.org.x:t1';
const G = `${T}/tpgt_1`;
const ACL = `${G}/acls/iqn.1994-05.com.redhat:c`;

/** A ramdisk's `info` as the kernel shows it. */
const RAMDISK_INFO = 'Status: ACTIVATED  Max Queue Depth: 0  SectorSize: 512  HwMaxSectors: 1024\n        PAGES/PAGE_SIZE: 256*4096  SG_table_count: 1  nullio: 0\n';
/** Ramdisk `r` on HBA rd_mcp_0: its enable and info files. */
const RAMDISK_R: FakeEntry[] = [
  ['core/rd_mcp_0/r/enable', 'f', '1\n'],
  ['core/rd_mcp_0/r/info', 'f', RAMDISK_INFO],
];

/** A ramdisk exported by LUN 0 and mapped by an ACL; LUN 1 and mapped LUN 5 without links; an empty HBA. */
const snap = fakeSnapshot(
  withParents([
    ...RAMDISK_R,
    ['core/rd_mcp_0/r/alua/default_tg_pt_gp/tg_pt_gp_id', 'f', '0\n'],
    ['core/rd_mcp_3', 'd'],
    [`${G}/enable`, 'f', '1\n'],
    [`${G}/lun/lun_0/l0`, 'l', `${ROOT}/core/rd_mcp_0/r`],
    [`${G}/lun/lun_1`, 'd'],
    [`${ACL}/lun_0/m0`, 'l', '../../../lun/lun_0'],
    [`${ACL}/lun_5`, 'd'],
    [`${ACL}/tag`, 'f', '\n'],
  ]),
);
const current = dumpSnapshot(snap, { secrets: true });

/** Every operation of a plan as `op path`, in the order of execution (by phase; steps group an object's operations). */
const opsOf = (plan: Plan): string[] =>
  plan.steps
    .flatMap((s) => s.ops)
    .sort((a, b) => a.phase - b.phase)
    .map((o) => `${o.op} ${o.path}`);

describe('clear plans', () => {
  test('clear removes the link-less LUN and mapped LUN (which a dump cannot show) and the empty HBA', () => {
    expect(current.targets?.[0]?.tpgs?.[0]?.luns?.map((l) => l.index)).toEqual([0]); // the dump sees only LUN 0
    const ops = opsOf(clearPlanOf(snap, current));
    for (const path of [`${G}/lun/lun_1`, `${ACL}/lun_5`, 'core/rd_mcp_3', 'core/rd_mcp_0/r', 'core/rd_mcp_0', T]) expect(ops).toContain(`rmdir ${path}`);
    expect(ops.indexOf(`rmdir ${ACL}/lun_5`)).toBeLessThan(ops.indexOf(`rmdir ${ACL}`));
    expect(ops.indexOf(`rmdir ${G}/lun/lun_1`)).toBeLessThan(ops.indexOf(`rmdir ${G}`));
    expect(ops.indexOf(`rmdir ${G}`)).toBeLessThan(ops.indexOf('rmdir core/rd_mcp_0/r'));
    expect(ops[0]).toBe(`write ${G}/enable`);
  });

  test('a scoped clear of the target leaves the storage objects; of the object, takes its LUN and mapping only', () => {
    const target = opsOf(clearPlanOf(snap, current, { target: 'iqn.2003-01.org.x:t1' }));
    expect(target).toContain(`rmdir ${G}/lun/lun_1`);
    expect(target.some((o) => o.includes('core/'))).toBe(false);
    const so = opsOf(clearPlanOf(snap, current, { storageObject: 'r' }));
    expect(so).toEqual(expect.arrayContaining([`unlink ${ACL}/lun_0/m0`, `rmdir ${ACL}/lun_0`, `rmdir ${G}/lun/lun_0`, 'rmdir core/rd_mcp_0/r', 'rmdir core/rd_mcp_0']));
    expect(so.some((o) => o.endsWith('lun_1') || o.endsWith('lun_5') || o.endsWith(ACL))).toBe(false);
    expect(() => clearPlanOf(snap, current, { target: 'iqn.2003-01.org.x:none' })).toThrow(/no target/);
  });
});

describe('restore and apply plans', () => {
  const config: SaveConfig = {
    storage_objects: [{ plugin: 'ramdisk', name: 'r2', size: 1048576, wwn: '0f0e0d0c-0000-4000-8000-000000000001', attributes: { block_size: 4096 } }],
    targets: [
      {
        fabric: 'iscsi',
        wwn: 'iqn.2003-01.org.x:t2',
        tpgs: [
          {
            tag: 1,
            enable: true,
            luns: [{ index: 0, storage_object: '/backstores/ramdisk/r2', alias: 'a0' }],
            node_acls: [{ node_wwn: 'iqn.1994-05.com.redhat:d', mapped_luns: [{ index: 3, tpg_lun: 0, alias: 'm3', write_protect: true }] }],
          },
        ],
      },
    ],
    fabric_modules: [],
  } as SaveConfig;

  test('restore removes everything first (link-less directories included), then creates in the kernel order through the model ops', async () => {
    const plan = await restorePlanOf(snap, current, config);
    const ops = opsOf(plan);
    const firstCreate = ops.findIndex((o) => o.startsWith('mkdir'));
    expect(ops.slice(0, firstCreate)).toEqual(expect.arrayContaining([`rmdir ${G}/lun/lun_1`, `rmdir ${ACL}/lun_5`, 'rmdir core/rd_mcp_3']));
    expect(ops.slice(firstCreate).some((o) => o.startsWith('rmdir'))).toBe(false);
    // the freed HBA index 0 is taken again
    expect(ops).toContain('mkdir core/rd_mcp_0/r2');
    const t2 = 'iscsi/iqn.2003-01.org.x:t2/tpgt_1';
    expect(ops).toEqual(
      expect.arrayContaining([
        `mkdir ${t2}/lun/lun_0`,
        `symlink ${t2}/lun/lun_0/a0`,
        `mkdir ${t2}/acls/iqn.1994-05.com.redhat:d/lun_3`,
        `symlink ${t2}/acls/iqn.1994-05.com.redhat:d/lun_3/m3`,
        `write ${t2}/acls/iqn.1994-05.com.redhat:d/lun_3/write_protect`,
      ]),
    );
    expect(ops.indexOf(`write ${t2}/enable`)).toBe(ops.length - 1);
    expect(formatPlan(plan).join('\n')).toContain('write_protect = true');
  });

  test("every operation of a plan, removals and creations, carries its step's name (what an error names), so the run copies none", async () => {
    const plan = await restorePlanOf(snap, current, config);
    const ops = plan.steps.flatMap((s) => s.ops.map((o) => ({ step: o.step, want: `${s.action} ${s.object}` })));
    expect(ops.some((o) => o.want.startsWith('remove '))).toBe(true);
    expect(ops.some((o) => o.want.startsWith('create '))).toBe(true);
    for (const o of ops) expect(o.step).toBe(o.want);
  });

  test('apply without prune removes nothing; with prune it removes what the config lacks, link-less directories included', async () => {
    expect(opsOf(await applyPlanOf(snap, current, config)).some((o) => o.startsWith('rmdir') || o.startsWith('unlink'))).toBe(false);
    const pruned = opsOf(await applyPlanOf(snap, current, config, { prune: true }));
    expect(pruned).toEqual(expect.arrayContaining([`rmdir ${T}`, `rmdir ${G}/lun/lun_1`, `rmdir ${ACL}/lun_5`, 'rmdir core/rd_mcp_3', 'rmdir core/rd_mcp_0/r']));
  });
});

describe("an existing storage object's settings, compared straight from the snapshot", () => {
  const so = 'core/rd_mcp_0/r';
  const existing = fakeSnapshot(
    withParents([
      [`${so}/info`, 'f', RAMDISK_INFO],
      [`${so}/attrib/alua_support`, 'f', '1\n', 0o444],
      [`${so}/attrib/block_size`, 'f', '512\n'],
      [`${so}/attrib/emulate_tpu`, 'f', '0\n'],
      [`${so}/attrib/hw_block_size`, 'f', '512\n', 0o444],
      [`${so}/alua/default_tg_pt_gp/alua_access_state`, 'f', '0\n'],
      [`${so}/alua/default_tg_pt_gp/nonop_delay_msecs`, 'f', '100\n'],
      [`${so}/alua/default_tg_pt_gp/tg_pt_gp_id`, 'f', '0\n'],
      [`${so}/wwn/vpd_unit_serial`, 'f', 'T10 VPD Unit Serial Number: 0f0e0d0c-0000-4000-8000-000000000001\n'],
    ]),
  );
  // what readState gives the planner: no attributes or ALUA groups in the storage objects' entries
  const plannerView = dumpSnapshot(existing, { secrets: true, withoutStorageObjectSettings: true });
  const desired = (attributes: Record<string, number>, nonop = 100): SaveConfig =>
    ({
      storage_objects: [
        {
          plugin: 'ramdisk',
          name: 'r',
          size: 1048576,
          wwn: '0f0e0d0c-0000-4000-8000-000000000001',
          attributes,
          alua_tpgs: [{ name: 'default_tg_pt_gp', tg_pt_gp_id: 0, alua_access_state: 0, nonop_delay_msecs: nonop }],
        },
      ],
    }) as SaveConfig;

  test('the planner view leaves the settings out, and an unchanged config plans nothing', async () => {
    expect(plannerView.storage_objects?.[0]).not.toHaveProperty('attributes');
    expect(plannerView.storage_objects?.[0]).not.toHaveProperty('alua_tpgs');
    expect((await applyPlanOf(existing, plannerView, desired({ block_size: 512, emulate_tpu: 0 }))).steps).toEqual([]);
  });

  test('a changed attribute and ALUA setting are written, with the value the kernel had as the previous one', async () => {
    const plan = await applyPlanOf(existing, plannerView, desired({ block_size: 4096, emulate_tpu: 0 }, 250));
    const writes = plan.steps.flatMap((s) => s.ops).map((o) => (o.op === 'write' ? [o.path, o.value, o.previous] : [o.op, o.path]));
    expect(writes).toEqual([
      [`${so}/attrib/block_size`, '4096', '512'],
      [`${so}/alua/default_tg_pt_gp/nonop_delay_msecs`, '250', '100'],
    ]);
    expect(formatPlan(plan).join('\n')).toContain('attrib/block_size: 512 -> 4096');
  });

  test('attributes are compared and written in name order whatever order the config lists them in', async () => {
    const writes = async (attributes: Record<string, number>) =>
      (await applyPlanOf(existing, plannerView, desired(attributes))).steps.flatMap((s) => s.ops).map((o) => (o.op === 'write' ? [o.path, o.value] : [o.op]));
    const expected = [
      [`${so}/attrib/block_size`, '4096'],
      [`${so}/attrib/emulate_tpu`, '1'],
    ];
    expect(await writes({ block_size: 4096, emulate_tpu: 1 })).toEqual(expected);
    expect(await writes({ emulate_tpu: 1, block_size: 4096 })).toEqual(expected);
  });

  test('settingsOver holds what { ...base, ...over } holds, sorted by name', () => {
    const group = fc.dictionary(fc.constantFrom('a', 'b', 'block_size', 'emulate_write_cache', 'z', 'x_1'), fc.integer({ min: 0, max: 9 }));
    fc.assert(
      fc.property(fc.option(group, { nil: undefined }), fc.option(group, { nil: undefined }), (over, base) => {
        const spread = Object.entries({ ...base, ...over }).sort((x, y) => (x[0] < y[0] ? -1 : 1));
        expect(settingsOver(over, base)).toEqual(spread);
      }),
    );
  });

  test('an attribute the kernel lacks, or has read-only, is refused before anything is written (skipped when lenient)', async () => {
    await expect(applyPlanOf(existing, plannerView, desired({ block_size: 512, no_such: 1 }))).rejects.toThrow(/no writable attribute no_such/);
    await expect(applyPlanOf(existing, plannerView, desired({ hw_block_size: 4096 }))).rejects.toThrow(/no writable attribute hw_block_size/);
    const lenient = await applyPlanOf(existing, plannerView, desired({ hw_block_size: 4096, block_size: 4096 }), { lenient: true });
    expect(lenient.steps.flatMap((s) => s.ops).map((o) => o.path)).toEqual([`${so}/attrib/block_size`]);
    expect(lenient.warnings?.map((w) => w.message)).toEqual([expect.stringContaining('no writable attribute hw_block_size')]);
  });
});

describe("an existing ACL's mapped LUNs, looked up one by one in the snapshot", () => {
  const existing = fakeSnapshot(
    withParents([
      ...RAMDISK_R,
      [`${G}/enable`, 'f', '1\n'],
      [`${G}/lun/lun_0/l0`, 'l', `${ROOT}/core/rd_mcp_0/r`],
      [`${G}/lun/lun_1/l1`, 'l', `${ROOT}/core/rd_mcp_0/r`],
      [`${ACL}/lun_0/m0`, 'l', '../../../lun/lun_0'],
      [`${ACL}/lun_0/write_protect`, 'f', '0\n'],
      [`${ACL}/lun_1/m1`, 'l', '../../../lun/lun_1'],
      [`${ACL}/lun_1/write_protect`, 'f', '1\n'],
    ]),
  );
  const whole = dumpSnapshot(existing, { secrets: true });
  // what readState gives the planner: no mapped LUNs in the ACLs' entries
  const plannerView = dumpSnapshot(existing, { secrets: true, withoutStorageObjectSettings: true, withoutMappedLuns: true });
  const aclOf = (c: SaveConfig) => c.targets?.[0]?.tpgs?.[0]?.node_acls?.[0];
  /** The whole dump with ACL's mapped LUNs replaced. */
  const desired = (mapped: { index: number; tpg_lun: number; write_protect: boolean; alias: string }[]): SaveConfig => {
    const config = structuredClone(whole);
    aclOf(config)!.mapped_luns = mapped;
    return config;
  };
  const m0 = { alias: 'm0', index: 0, tpg_lun: 0, write_protect: false };
  const m1 = { alias: 'm1', index: 1, tpg_lun: 1, write_protect: true };

  test('the planner view leaves them out, and the unchanged config plans nothing', async () => {
    expect(aclOf(whole)?.mapped_luns).toEqual([m0, m1]);
    expect(aclOf(plannerView)?.mapped_luns).toEqual([]);
    expect((await applyPlanOf(existing, plannerView, whole)).steps).toEqual([]);
  });

  test("a changed write_protect is written with the kernel's previous value; a new index is created", async () => {
    const plan = await applyPlanOf(existing, plannerView, desired([m0, { ...m1, write_protect: false }, { alias: 'm2', index: 2, tpg_lun: 0, write_protect: false }]));
    expect(plan.steps.map((s) => s.object)).toEqual([
      `mapped LUN 1 of ACL iqn.1994-05.com.redhat:c of TPG 1 of iscsi iqn.2003-01.org.x:t1`,
      expect.stringContaining('mapped LUN 2 of ACL'),
    ]);
    expect(plan.steps[0]?.ops).toEqual([expect.objectContaining({ op: 'write', path: `${ACL}/lun_1/write_protect`, value: '0', previous: '1' })]);
    expect(plan.steps[1]?.ops.map((o) => o.op)).toEqual(['mkdir', 'symlink']);
  });

  test('a mapped LUN that maps another TPG LUN is refused before anything is written', async () => {
    await expect(applyPlanOf(existing, plannerView, desired([m0, { ...m1, tpg_lun: 0 }]))).rejects.toMatchObject({
      code: 'ERR_RTSLIB_CONFLICT',
      message: expect.stringContaining('mapped LUN 1 of ACL iqn.1994-05.com.redhat:c of TPG 1 of iscsi iqn.2003-01.org.x:t1 maps LUN 1, the config says 0'),
    });
  });
});

describe('settings of new objects the kernel starts alike', () => {
  test("ramdisks and fileio files on one filesystem read the first one's settings, and those asking for the same follow its writes; other control options, block objects and a new ALUA default group do not", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rtslib-like-'));
    try {
      const attributes = { block_size: 512, emulate_tpu: 0 };
      const alua = [{ name: 'default_tg_pt_gp', tg_pt_gp_id: 0, alua_access_state: 0 }];
      const config = {
        storage_objects: [
          { plugin: 'ramdisk', name: 'ra', size: 1048576, attributes, alua_tpgs: alua },
          { plugin: 'ramdisk', name: 'rb', size: 2097152, attributes, alua_tpgs: alua },
          { plugin: 'ramdisk', name: 'rc', size: 1048576, attributes: { ...attributes, block_size: 4096 }, alua_tpgs: alua },
          { plugin: 'ramdisk', name: 'rn', size: 1048576, nullio: true, attributes },
          { plugin: 'fileio', name: 'fa', dev: join(dir, 'a.img'), size: 1048576, write_back: false, attributes },
          { plugin: 'fileio', name: 'fb', dev: join(dir, 'b.img'), size: 1048576, write_back: false, attributes },
          { plugin: 'fileio', name: 'fw', dev: join(dir, 'w.img'), size: 1048576, write_back: true, attributes },
          { plugin: 'block', name: 'b1', dev: '/dev/loop0', attributes },
        ],
      } as SaveConfig;
      const plan = await restorePlanOf(fakeSnapshot([]), { storage_objects: [], targets: [] }, config);
      const writes = plan.steps.flatMap((s) => s.ops).filter((o) => o.op === 'write' && o.whenDiffers);
      const writeOf = (object: string, file: string): PlanOp | undefined => writes.find((o) => o.path.endsWith(`/${object}/${file}`));
      const likeOf = (object: string, file: string): string | undefined => writeOf(object, file)?.likeAs;
      const dirOf = (object: string): string => writes.find((o) => o.path.endsWith(`/${object}/attrib/block_size`))!.path.replace(/\/attrib\/block_size$/, '');
      // the first of each class is read; a later one asking for something else compares with it
      expect(likeOf('ra', 'attrib/block_size')).toBeUndefined();
      expect(likeOf('rc', 'attrib/block_size')).toBe(`${dirOf('ra')}/attrib/block_size`);
      expect((writeOf('rc', 'attrib/block_size') as { value?: string } | undefined)?.value).toBe('4096');
      expect(likeOf('rn', 'attrib/block_size')).toBeUndefined(); // nullio: a class of its own
      expect(likeOf('fa', 'attrib/emulate_tpu')).toBeUndefined();
      expect(likeOf('fw', 'attrib/emulate_tpu')).toBeUndefined(); // write-back: another class
      expect(likeOf('b1', 'attrib/emulate_tpu')).toBeUndefined(); // a block device: its own limits
      // one asking for what the first asks for has no writes of its own: it follows the first one's, attributes and ALUA group each
      const hbaOf = (object: string): string => plan.steps.find((s) => s.object.startsWith(`storage object ${object} `))!.object.match(/\((.*)\)$/)![1]!;
      const [rbDir, rcDir, fbDir] = [`${hbaOf('ramdisk/rb')}/rb`, `${hbaOf('ramdisk/rc')}/rc`, `${hbaOf('fileio/fb')}/fb`];
      expect(writes.filter((o) => o.path.includes('/rb/') || o.path.includes('/fb/') || o.path.includes('/rc/alua/'))).toEqual([]);
      for (const file of ['attrib/block_size', 'attrib/emulate_tpu'])
        expect(
          writeOf('ra', file)?.alike?.members.map((m) => m.dir),
          file,
        ).toEqual([rbDir]);
      // rc asks for another block size but the same ALUA settings: it follows ra's ALUA group only
      expect(writeOf('ra', 'alua/default_tg_pt_gp/alua_access_state')?.alike?.members.map((m) => m.dir)).toEqual([rbDir, rcDir]);
      expect(writeOf('ra', 'attrib/block_size')?.alike?.members[0]?.step).toBe(`create storage object ramdisk/rb (${hbaOf('ramdisk/rb')})`);
      expect(writeOf('ra', 'alua/default_tg_pt_gp/alua_access_state')?.alike?.members[0]?.step).toBe('modify ALUA group default_tg_pt_gp of storage object ramdisk/rb');
      expect(writeOf('fa', 'attrib/emulate_tpu')?.alike?.members.map((m) => m.dir)).toEqual([fbDir]);
      expect(writeOf('fw', 'attrib/emulate_tpu')?.alike?.members).toEqual([]);
      // the plan still shows each one's settings, and counts their writes under its own step
      const rbStep = plan.steps.find((s) => s.object.startsWith('storage object ramdisk/rb '))!;
      expect(rbStep.changes).toEqual(expect.arrayContaining(['attrib/block_size = 512', 'attrib/emulate_tpu = 0']));
      const raStep = plan.steps.find((s) => s.object.startsWith('storage object ramdisk/ra '))!;
      expect(stepOperations(plan).get(rbStep)).toBe(stepOperations(plan).get(raStep));
      // followers: rb's two attributes and ALUA setting, rc's ALUA setting, fb's two attributes
      expect(planWrites(plan)).toBe(writes.length + 6 + plan.steps.flatMap((s) => s.ops).filter((o) => !o.whenDiffers).length);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('lenient restores, scopes, and discovery authentication', () => {
  const withDiscovery = fakeSnapshot(
    withParents([
      ...RAMDISK_R,
      ['iscsi/discovery_auth/enforce_discovery_auth', 'f', '1\n'],
      ['iscsi/discovery_auth/userid', 'f', 'disc-user\n'],
      ['iscsi/discovery_auth/password', 'f', 'disc-secret\n'],
      ['iscsi/discovery_auth/userid_mutual', 'f', 'NULL\n'],
      ['iscsi/discovery_auth/password_mutual', 'f', 'NULL\n'],
    ]),
  );
  const state = dumpSnapshot(withDiscovery, { secrets: true });
  const writes = (plan: Plan): Record<string, string> => Object.fromEntries(plan.steps.flatMap((s) => s.ops).flatMap((o) => (o.op === 'write' ? [[o.path, o.value]] : [])));

  test('a whole clear resets discovery authentication as clear_existing does; a scoped clear leaves it', () => {
    const w = writes(clearPlanOf(withDiscovery, state));
    // an empty auth value is written as the kernel's NULL (an empty write is refused with EFAULT)
    expect(w).toMatchObject({ 'iscsi/discovery_auth/enforce_discovery_auth': '0', 'iscsi/discovery_auth/userid': 'NULL', 'iscsi/discovery_auth/password': 'NULL' });
    expect(Object.keys(writes(clearPlanOf(withDiscovery, state, { storageObject: 'r' }))).some((p) => p.includes('discovery_auth'))).toBe(false);
  });

  test('a whole restore of a file without discovery auth leaves none enforced; with an entry, sets exactly it', async () => {
    const none = writes(await restorePlanOf(withDiscovery, state, { storage_objects: [], targets: [], fabric_modules: [] }));
    expect(none['iscsi/discovery_auth/enforce_discovery_auth']).toBe('0');
    const some = writes(await restorePlanOf(withDiscovery, state, { fabric_modules: [{ name: 'iscsi', discovery_enable_auth: true, discovery_userid: 'other' }] }));
    expect(some).toMatchObject({ 'iscsi/discovery_auth/userid': 'other', 'iscsi/discovery_auth/password': 'NULL' });
    expect(some['iscsi/discovery_auth/enforce_discovery_auth']).toBeUndefined(); // already enforced
  });

  const config = (): SaveConfig =>
    ({
      storage_objects: [
        { plugin: 'fileio', name: 'gone', dev: '/nonexistent/rtslib-test/disk.img', size: 0 },
        { plugin: 'ramdisk', name: 'r9', size: 1048576, attributes: { block_size: 4096 } },
      ],
      targets: [
        {
          fabric: 'iscsi',
          wwn: 'iqn.2003-01.org.x:t9',
          tpgs: [
            {
              tag: 1,
              luns: [
                { index: 0, storage_object: '/backstores/fileio/gone' },
                { index: 1, storage_object: '/backstores/ramdisk/r9' },
              ],
              node_acls: [
                {
                  node_wwn: 'iqn.1994-05.com.redhat:d',
                  mapped_luns: [
                    { index: 0, tpg_lun: 0 },
                    { index: 1, tpg_lun: 1 },
                  ],
                },
              ],
            },
          ],
        },
      ],
    }) as SaveConfig;

  test('strict: a storage object that cannot be created refuses the restore; lenient: it is skipped with its LUN and mapped LUN, and warned about', async () => {
    await expect(restorePlanOf(snap, current, config())).rejects.toThrow(/nonexistent\/rtslib-test/);
    const plan = await restorePlanOf(snap, current, config(), { lenient: true });
    expect(plan.warnings?.map((w) => w.path)).toEqual(['storage_objects[0]', 'targets[0].tpgs[0].luns[0]', 'targets[0].tpgs[0].node_acls[0].mapped_luns[0]']);
    expect(plan.warnings?.every((w) => w.message.endsWith(': skipped'))).toBe(true);
    const ops = opsOf(plan);
    expect(ops).toContain('mkdir iscsi/iqn.2003-01.org.x:t9/tpgt_1/lun/lun_1');
    expect(ops).toContain('mkdir iscsi/iqn.2003-01.org.x:t9/tpgt_1/acls/iqn.1994-05.com.redhat:d/lun_1');
    expect(ops.some((o) => o.includes('gone') || o.endsWith('t9/tpgt_1/lun/lun_0') || o.endsWith(':d/lun_0'))).toBe(false);
    // the settings of new objects may be skipped at execution: each carries its JSON path
    const attr = plan.steps.flatMap((s) => s.ops).find((o) => o.path.endsWith('attrib/block_size'));
    expect(attr?.tolerate).toBe('storage_objects[1].attributes.block_size');
    const strict = config();
    strict.storage_objects!.shift();
    strict.targets![0]!.tpgs![0]!.luns!.shift();
    strict.targets![0]!.tpgs![0]!.node_acls![0]!.mapped_luns!.shift();
    expect((await restorePlanOf(snap, current, strict)).steps.flatMap((s) => s.ops).some((o) => o.tolerate !== undefined)).toBe(false);
  });

  test('restore --target brings the storage objects its LUNs need that the kernel lacks, and reuses those it has', async () => {
    const file: SaveConfig = {
      storage_objects: [
        { plugin: 'ramdisk', name: 'r', size: 1048576 },
        { plugin: 'ramdisk', name: 'new', size: 1048576 },
        { plugin: 'ramdisk', name: 'unrelated', size: 1048576 },
      ],
      targets: [
        {
          fabric: 'iscsi',
          wwn: 'iqn.2003-01.org.x:t1',
          tpgs: [
            {
              tag: 1,
              luns: [
                { index: 0, storage_object: '/backstores/ramdisk/r' },
                { index: 2, storage_object: '/backstores/ramdisk/new' },
              ],
            },
          ],
        },
      ],
    } as SaveConfig;
    const ops = opsOf(await restorePlanOf(snap, current, file, { target: 'iqn.2003-01.org.x:t1' }));
    expect(ops).toContain('mkdir core/rd_mcp_1/new'); // the free index after rd_mcp_0 (kept)
    expect(ops.some((o) => o.includes('unrelated') || o === 'rmdir core/rd_mcp_0/r' || o === 'mkdir core/rd_mcp_0/r')).toBe(false);
    expect(ops).toContain(
      `symlink ${G}/lun/lun_0/${ops
        .find((o) => o.startsWith(`symlink ${G}/lun/lun_0/`))!
        .split('/')
        .pop()}`,
    );
    // several storage objects by name
    const two = opsOf(await restorePlanOf(snap, current, file, { storageObject: ['new', 'unrelated'] }));
    expect(two.filter((o) => /^mkdir core\/rd_mcp_\d+\/(new|unrelated)$/.test(o))).toHaveLength(2);
  });
});
