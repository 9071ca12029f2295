/**
 * Property: every file ours saves, ours restores to the same file, and
 * rtslib-fb (targetctl) restores to the same tree. Trees are generated
 * with fast-check and built through the object model: every plugin
 * (fileio on a file and on a block device, block, ramdisk and nullio, TCMU,
 * pscsi on a scsi_debug disk), one name under two plugins, ALUA groups on
 * every plugin that supports them with LUNs bound to them, every software
 * fabric the guest has (iSCSI, loopback, vhost), ACL groups (tags), CHAP on
 * TPGs and ACLs (mutual too), discovery authentication, IPv6 portals,
 * write-protected mapped LUNs and a disabled second TPG. For each:
 * save → clear → restore → save gives the identical file; clear →
 * targetctl restore → save gives it again.
 *
 * RTSLIB_ROUNDTRIP_RUNS sets how many trees (default 2, the first being
 * one with every feature on); RTSLIB_ROUNDTRIP_SEED replays a run.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, rmdirSync, writeFileSync } from 'node:fs';
import fc from 'fast-check';
import { FABRICS } from '../../src/cfs/fabrics.js';
import {
  ALUATargetPortGroup,
  BlockStorageObject,
  FabricModule,
  FileIOStorageObject,
  LUN,
  MappedLUN,
  NetworkPortal,
  NodeACL,
  PSCSIStorageObject,
  RDMCPStorageObject,
  RTSRoot,
  TPG,
  Target,
  UserBackedStorageObject,
  dumpConfig,
  executePlan,
  planApply,
  planClear,
  planRestore,
  readConfigFile,
  saveConfigFile,
  type SaveConfig,
  type StorageObject,
} from '../../src/index.js';
import { configText } from '../../src/config/config-file.js';
import { dumpSnapshot } from '../../src/model/dump.js';
import { SYSTEM_PYTHON, TARGET, configuredTree, unloadScsiDebug } from './helpers.js';

const DIR = '/tmp/cfg-roundtrip';
const FABRIC_DIRS = new Set(Object.values(FABRICS).map((f) => f.dir));
const RUNS = Number(process.env.RTSLIB_ROUNDTRIP_RUNS ?? 2);
const SEED = process.env.RTSLIB_ROUNDTRIP_SEED === undefined ? undefined : Number(process.env.RTSLIB_ROUNDTRIP_SEED);

/** What one generated tree has. */
interface TreeSpec {
  fileioFile: boolean;
  fileioOnBlock: boolean;
  block: boolean;
  twins: boolean;
  ramdisk: boolean;
  nullio: boolean;
  user: boolean;
  pscsi: boolean;
  alua: boolean;
  writeBack: boolean;
  readonly: boolean;
  ipv6: boolean;
  acls: number;
  aclGroup: boolean;
  aclChap: boolean;
  mutualChap: boolean;
  tpgChap: boolean;
  writeProtect: boolean;
  secondTpg: boolean;
  discoveryAuth: boolean;
  loopback: boolean;
  vhost: boolean;
  tpgAttribute: boolean;
}

const EVERYTHING: TreeSpec = {
  fileioFile: true,
  fileioOnBlock: true,
  block: true,
  twins: true,
  ramdisk: true,
  nullio: true,
  user: true,
  pscsi: true,
  alua: true,
  writeBack: true,
  readonly: true,
  ipv6: true,
  acls: 3,
  aclGroup: true,
  aclChap: true,
  mutualChap: true,
  tpgChap: true,
  writeProtect: true,
  secondTpg: true,
  discoveryAuth: true,
  loopback: true,
  vhost: true,
  tpgAttribute: true,
};

const specArbitrary: fc.Arbitrary<TreeSpec> = fc.record({
  fileioFile: fc.boolean(),
  fileioOnBlock: fc.boolean(),
  block: fc.boolean(),
  twins: fc.boolean(),
  ramdisk: fc.boolean(),
  nullio: fc.boolean(),
  user: fc.boolean(),
  pscsi: fc.boolean(),
  alua: fc.boolean(),
  writeBack: fc.boolean(),
  readonly: fc.boolean(),
  ipv6: fc.boolean(),
  acls: fc.integer({ min: 0, max: 3 }),
  aclGroup: fc.boolean(),
  aclChap: fc.boolean(),
  mutualChap: fc.boolean(),
  tpgChap: fc.boolean(),
  writeProtect: fc.boolean(),
  secondTpg: fc.boolean(),
  discoveryAuth: fc.boolean(),
  loopback: fc.boolean(),
  vhost: fc.boolean(),
  tpgAttribute: fc.boolean(),
});

const root = new RTSRoot();
const loops: string[] = [];
let pscsiDisk: string | null = null;
let vhostAvailable = false;
/** The fabric directories there before this file: those it loads go again at the end (later files compare whole trees). */
let fabricsBefore: string[] = [];

/** Waits for scsi_debug's disk to appear and returns its H:C:T:L. */
async function scsiDebugDisk(): Promise<string | null> {
  if (spawnSync('modprobe', ['scsi_debug', 'num_tgts=1', 'max_luns=1', 'dev_size_mb=8']).status !== 0) return null;
  for (let i = 0; i < 300; i++) {
    for (const host of existsSync('/sys/bus/scsi/devices') ? readdirSync('/sys/bus/scsi/devices') : []) {
      if (!/^\d+:\d+:\d+:\d+$/.test(host)) continue;
      const model = readFileSync(`/sys/bus/scsi/devices/${host}/model`, 'utf8').trim();
      if (model === 'scsi_debug' && existsSync(`/sys/bus/scsi/devices/${host}/block`)) return host;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return null;
}

/** Removes everything with our clear (which also resets discovery authentication). */
async function clearAll(): Promise<void> {
  await executePlan(root, await planClear(root));
  expect(configuredTree()).toEqual([]);
}

/** Builds a tree through the object model. */
async function build(spec: TreeSpec, run: number): Promise<void> {
  const sos: StorageObject[] = [];
  const aluaCapable: StorageObject[] = [];
  const file = (name: string) => `${DIR}/${name}-${run}.img`;
  if (spec.fileioFile) {
    const so = await FileIOStorageObject.open(root, 'f_file', { dev: file('f_file'), size: '16M', writeBack: spec.writeBack });
    sos.push(so);
    aluaCapable.push(so);
  }
  if (spec.fileioOnBlock) sos.push(await FileIOStorageObject.open(root, 'f_blk', { dev: loops[0]!, writeBack: spec.writeBack }));
  if (spec.block) {
    const so = await BlockStorageObject.open(root, 'b1', { dev: loops[1]!, readonly: spec.readonly });
    sos.push(so);
    aluaCapable.push(so);
  }
  if (spec.twins) {
    // one name under two plugins: block/twin and fileio/twin
    sos.push(await BlockStorageObject.open(root, 'twin', { dev: loops[2]! }));
    sos.push(await FileIOStorageObject.open(root, 'twin', { dev: file('twin'), size: '8M' }));
  }
  if (spec.ramdisk) {
    const so = await RDMCPStorageObject.open(root, 'r1', { size: '8M', attributes: { emulate_3pc: 0 } });
    sos.push(so);
    aluaCapable.push(so);
  }
  if (spec.nullio) sos.push(await RDMCPStorageObject.open(root, 'n1', { size: '8M', nullio: true }));
  if (spec.user) sos.push(await UserBackedStorageObject.open(root, 'u1', { size: '16M', config: `file/${file('u1')}` }));
  if (spec.pscsi && pscsiDisk) sos.push(await PSCSIStorageObject.open(root, 'p1', { dev: pscsiDisk }));
  const groups = new Map<StorageObject, string>();
  if (spec.alua) {
    let tag = 2;
    for (const so of aluaCapable) {
      const g = await ALUATargetPortGroup.open(so, `ao_${so.name}`, { tag: tag++, settings: { nonop_delay_msecs: 50, preferred: 1 } });
      groups.set(so, g.name);
    }
  }

  const t = await Target.open(root, 'iscsi', { wwn: `iqn.2003-01.org.linux-iscsi.roundtrip:t${run}` });
  const tpg = await TPG.open(t, { tag: 1 });
  if (spec.tpgAttribute) await tpg.setAttribute('default_cmdsn_depth', 48);
  const luns: LUN[] = [];
  for (const so of sos) {
    const lun = await LUN.open(tpg, { storageObject: so });
    luns.push(lun);
    const group = groups.get(so);
    if (group) writeFileSync(`${lun.path}/alua_tg_pt_gp`, group);
  }
  await NetworkPortal.open(tpg, '127.0.0.1', { port: 3260 });
  if (spec.ipv6) await NetworkPortal.open(tpg, '[::1]', { port: 3261 });
  if (spec.tpgChap) {
    await tpg.setAuthAttribute('userid', 'tpg-user');
    await tpg.setAuthAttribute('password', 'tpg-secret-1');
  }
  for (let i = 0; i < spec.acls; i++) {
    const acl = await NodeACL.open(tpg, `iqn.1994-05.com.redhat:client${i}`, spec.aclGroup && i > 0 ? { tag: 'group_a' } : {});
    if (spec.aclChap)
      await acl.setChap({ userid: `user${i}`, password: `secret-${i}-xyz`, ...(spec.mutualChap && i === 0 ? { mutualUserid: 'tgt', mutualPassword: 'mutual-secret' } : {}) });
    for (const [j, lun] of luns.entries()) await MappedLUN.open(acl, { tpgLun: lun, writeProtect: spec.writeProtect && j % 2 === 1 });
  }
  await tpg.setEnabled(true);
  if (spec.secondTpg) {
    const second = await TPG.open(t, { tag: 2 });
    if (luns[0]) await LUN.open(second, { storageObject: sos[0]! });
  }
  if (spec.discoveryAuth) {
    writeFileSync(`${TARGET}/iscsi/discovery_auth/userid`, 'disc-user');
    writeFileSync(`${TARGET}/iscsi/discovery_auth/password`, 'disc-secret');
    writeFileSync(`${TARGET}/iscsi/discovery_auth/enforce_discovery_auth`, '1');
  }
  if (spec.loopback && sos.length) {
    const lt = await Target.open(root, 'loopback');
    await LUN.open(await TPG.open(lt, { tag: 1, nexus: true }), { storageObject: sos[sos.length - 1]! });
  }
  if (spec.vhost && vhostAvailable && sos.length) {
    const vt = await Target.open(root, 'vhost');
    await LUN.open(await TPG.open(vt, { tag: 1, nexus: true }), { storageObject: sos[0]! });
  }
}

beforeAll(async () => {
  await clearAll();
  fabricsBefore = readdirSync(TARGET);
  mkdirSync(DIR, { recursive: true });
  for (let i = 0; i < 3; i++) {
    execFileSync('truncate', ['-s', '16M', `${DIR}/loop${i}.img`]);
    loops.push(execFileSync('losetup', ['-f', '--show', `${DIR}/loop${i}.img`], { encoding: 'utf8' }).trim());
  }
  pscsiDisk = await scsiDebugDisk();
  vhostAvailable = await new FabricModule(root, 'vhost').available();
}, 180_000);

afterAll(async () => {
  await clearAll();
  for (const loop of loops) execFileSync('losetup', ['-d', loop]);
  await unloadScsiDebug();
  for (const dir of readdirSync(TARGET)) if (!fabricsBefore.includes(dir) && FABRIC_DIRS.has(dir)) rmdirSync(`${TARGET}/${dir}`);
  rmSync(DIR, { recursive: true, force: true });
}, 180_000);

describe('saveconfig.json round trips, as a property on the real kernel', () => {
  test('guest facts the property relies on', () => {
    expect(pscsiDisk, 'scsi_debug gives a disk for pscsi').toMatch(/^\d+:\d+:\d+:\d+$/);
    expect(loops).toHaveLength(3);
  });

  test(`save (streamed, as the whole dump's text) → clear → restore → save is identical, and targetctl restores the same tree (${RUNS} trees)`, async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(specArbitrary, async (spec) => {
        run++;
        await clearAll();
        await build(spec, run);
        const file = `${DIR}/saved-${run}.json`;
        // the streamed save writes, byte for byte, the text of the whole dump
        await saveConfigFile(root, file, { backups: 0 });
        const saved = readFileSync(file, 'utf8');
        expect(saved).toBe(configText(await dumpConfig(root)));
        // the reads for a config skip what it has no key for (CONFIG_EXCLUDES), and give what the whole tree gives
        expect(saved).toBe(configText(dumpSnapshot(await root.cfs.snapshot(''))));
        expect((await planApply(root, await readConfigFile(file), { prune: true })).steps).toEqual([]);

        await clearAll();
        expect(readFileSync(`${TARGET}/iscsi/discovery_auth/enforce_discovery_auth`, 'utf8').trim()).toBe('0');
        await executePlan(root, await planRestore(root, await readConfigFile(file)));
        expect(configText(await dumpConfig(root))).toBe(saved);

        await clearAll();
        const r = spawnSync(SYSTEM_PYTHON, ['/usr/bin/targetctl', 'restore', file], { encoding: 'utf8' });
        expect(r.status, r.stderr).toBe(0);
        // rtslib-fb cannot set a TCMU object's attributes while no handler runs (ESRCH) and says so; nothing else may be reported
        for (const line of r.stderr.trim().split('\n').filter(Boolean))
          expect(line).toMatch(/^Storage Object user\/u1: Cannot set attribute \w+: \[Errno 3\] No such process, skipped$/);
        expect(configText(await dumpConfig(root))).toBe(saved);
      }),
      { numRuns: RUNS, examples: [[EVERYTHING]], ...(SEED === undefined ? {} : { seed: SEED }), endOnFailure: true },
    );
  }, 1_800_000);
});

describe('new objects the kernel starts alike (src/config/initial-settings.ts)', () => {
  test('fileio files on one filesystem, and ramdisks, start with the same settings; a restore reads the first and still gives each its own', async () => {
    await clearAll();
    const objects = (attributes: Record<string, Record<string, number>>): SaveConfig => ({
      storage_objects: [
        ...['f1', 'f2', 'f3', 'f4'].map((name) => ({
          plugin: 'fileio' as const,
          name,
          dev: `${DIR}/${name}.img`,
          size: 4 << 20,
          write_back: false,
          ...(attributes[name] ? { attributes: attributes[name] } : {}),
        })),
        ...['r1', 'r2', 'r3'].map((name) => ({ plugin: 'ramdisk' as const, name, size: 1 << 20, ...(attributes[name] ? { attributes: attributes[name] } : {}) })),
      ],
      targets: [],
    });
    const attributesOf = (config: SaveConfig): Record<string, Record<string, unknown>> =>
      Object.fromEntries((config.storage_objects ?? []).map((so) => [so.name, (so as { attributes?: Record<string, unknown> }).attributes ?? {}]));

    // the kernel's own start: what each new object shows before any attribute is written
    await executePlan(root, await planRestore(root, objects({})), { command: 'restore' });
    const start = attributesOf(await dumpConfig(root));
    for (const name of ['f2', 'f3', 'f4']) expect(start[name], `${name} starts as f1 does`).toEqual(start['f1']);
    for (const name of ['r2', 'r3']) expect(start[name], `${name} starts as r1 does`).toEqual(start['r1']);

    // each object but the first of its class asks for something else than the start
    const flip = (name: string, key: string): number => (Number(start[name]![key]) === 1 ? 0 : 1);
    const wanted = {
      f2: { ...(start['f2'] as Record<string, number>), emulate_tpu: flip('f2', 'emulate_tpu'), block_size: 4096 },
      f3: { ...(start['f3'] as Record<string, number>), emulate_3pc: flip('f3', 'emulate_3pc') },
      r2: { ...(start['r2'] as Record<string, number>), emulate_caw: flip('r2', 'emulate_caw') },
    };
    const plan = await planRestore(root, objects(wanted));
    const likeAs = plan.steps.flatMap((s) => s.ops).filter((o) => o.likeAs !== undefined);
    expect(likeAs.length, 'the later objects of each class compare with the first').toBeGreaterThan(40);
    // f4 and r3 ask for what f1 and r1 ask for: no writes of their own, they follow the first one's
    const writesUnder = (p: typeof plan, name: string): number => p.steps.flatMap((s) => s.ops).filter((o) => o.op === 'write' && o.path.includes(`/${name}/attrib/`)).length;
    expect([writesUnder(plan, 'f4'), writesUnder(plan, 'r3')]).toEqual([0, 0]);
    expect(writesUnder(plan, 'f2'), 'f2 asks for something else: its own writes').toBeGreaterThan(20);
    await executePlan(root, plan, { command: 'restore' });
    const after = attributesOf(await dumpConfig(root));
    for (const name of ['f1', 'f4', 'r1', 'r3']) expect(after[name], name).toEqual(start[name]);
    for (const [name, attrs] of Object.entries(wanted)) expect(after[name], name).toEqual(attrs);

    // the first of a class asks for something else than the start, and one that follows it too: both get it (the follower's write is made when the first one's is)
    const both = { ...(start['f1'] as Record<string, number>), emulate_tpu: flip('f1', 'emulate_tpu') };
    const followed = await planRestore(root, objects({ f1: both, f4: both }));
    expect(writesUnder(followed, 'f4')).toBe(0);
    const result = await executePlan(root, followed, { command: 'restore' });
    const again = attributesOf(await dumpConfig(root));
    expect(again['f1'], 'f1').toEqual(both);
    expect(again['f4'], 'f4 follows f1').toEqual(both);
    for (const name of ['f2', 'f3']) expect(again[name], name).toEqual(start[name]);
    // f1's and f4's emulate_tpu were written; every other setting of theirs held (skipped), f4's counted with f1's
    expect(result.skipped).toBe(2 * (Object.keys(both).length - 1));
    await clearAll();
  }, 180_000);
});
