/**
 * A whole clear, planned inside a write run or not, reads a listing of the
 * structure (directories and links, no other file) with the values of
 * only the files such a plan needs (cfs/tree.ts CLEAR_PLAN_VALUES: a TPG's
 * `enable`, discovery authentication), and plans exactly what a read of
 * the whole tree plans.
 * On the reference tree of kernel 6.1 (an enabled TPG), with discovery
 * authentication set, read by the real tree reader.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RTSRoot, planClear } from '../../src/index.js';
import { clearPlanOf } from '../../src/config/planner.js';
import { CLEAR_PLAN_VALUES } from '../../src/cfs/tree.js';
import { buildFakeTargetRoot } from './support/fake-target-root.js';
import { recordSnapshots } from './support/recorded-snapshots.js';

const TPG = 'iscsi/iqn.2003-01.org.linux-iscsi.ref:t1/tpgt_1';
let tmp = '';
let root: RTSRoot;

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'rtslib-clear-listing-'));
  const target = join(tmp, 'target');
  buildFakeTargetRoot(target);
  writeFileSync(join(target, 'iscsi/discovery_auth/enforce_discovery_auth'), '1\n');
  writeFileSync(join(target, 'iscsi/discovery_auth/userid'), 'discovery-user\n');
  root = new RTSRoot({ configfs: target, plainDirectory: true, lockFile: join(tmp, 'lock'), stateDir: join(tmp, 'state') });
});

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('a whole clear', () => {
  test('plans from a listing what the whole tree plans: the enabled TPG disabled first, discovery authentication reset', async () => {
    const { result: plan, reads } = await recordSnapshots(root, () => planClear(root));
    expect(reads).toHaveLength(1);
    expect(reads[0]!.options).toMatchObject({ values: false });
    const listing = reads[0]!.snap;
    expect(listing.text(`${TPG}/enable`)).toBe('1');
    expect(listing.text('iscsi/discovery_auth/userid')).toBe('discovery-user');
    // no other file is listed
    expect(listing.has('core/fileio_0/file1')).toBe(true);
    expect(listing.has('core/fileio_0/file1/info')).toBe(false);
    expect(listing.has('version')).toBe(false);
    const files = [...listing.entries()].filter(([, kind]) => kind === 'file').map(([path]) => path.slice(path.lastIndexOf('/') + 1));
    expect(files.length).toBeGreaterThan(0);
    expect(files.filter((name) => !CLEAR_PLAN_VALUES.includes(name))).toEqual([]);
    // inside a write run, the same listing
    const held = await root.cfs.exclusive(() => recordSnapshots(root, () => planClear(root)));
    expect(held.reads.map((r) => r.options)).toEqual(reads.map((r) => r.options));
    expect(held.result.steps).toEqual(plan.steps);

    const whole = clearPlanOf(await root.cfs.snapshot(''), { storage_objects: [], targets: [], fabric_modules: [] });
    expect(plan.steps).toEqual(whole.steps);
    const ops = plan.steps.flatMap((s) => s.ops).map((o) => `${o.op} ${o.path}${'value' in o ? ` ${String(o.value)}` : ''}`);
    expect(ops).toContain(`write ${TPG}/enable 0`);
    expect(ops).toContain('write iscsi/discovery_auth/enforce_discovery_auth 0');
    expect(ops.indexOf(`write ${TPG}/enable 0`)).toBeLessThan(ops.indexOf(`rmdir ${TPG}`));
  });
});
