/**
 * Storage objects named like the kernel's own directories, on a fake target
 * root read by the real tree reader: the reads skip `statistics`,
 * `members`, `pr`, `attrib` only where the kernel puts them
 * (cfs/tree.ts KERNEL_PLACES), so the objects are listed, dumped and
 * planned for removal. Skipped by name alone, `statistics` and `members`
 * were missing from listings and dumps, and a clear removed their HBA
 * without them (the kernel refuses that).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RTSRoot, dumpConfig, planClear } from '../../src/index.js';
import { kernelPlaces } from '../../src/cfs/tree.js';
import { buildFakeTargetRoot, referenceListing } from './support/fake-target-root.js';

const NAMES = ['statistics', 'pr', 'members', 'attrib'];
let tmp = '';
let root: RTSRoot;

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'rtslib-names-'));
  const lines = referenceListing();
  // copies of the reference ramdisk ram1, one per name, each in an HBA of its own
  const ram = lines.filter((l) => /^(D|F \S\S) core\/rd_mcp_2\//.test(l));
  const copies = NAMES.flatMap((name, k) => ram.map((l) => l.replace(/rd_mcp_2\/ram1/g, `rd_mcp_${50 + k}/${name}`).replace(/rd_mcp_2\//g, `rd_mcp_${50 + k}/`)));
  buildFakeTargetRoot(join(tmp, 'target'), [...lines, ...copies]);
  root = new RTSRoot({ configfs: join(tmp, 'target'), plainDirectory: true, lockFile: join(tmp, 'lock'), stateDir: join(tmp, 'state') });
});

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('storage objects named like kernel directories', () => {
  test('are listed and dumped', async () => {
    const listed = (await root.storageObjects()).map((so) => so.name);
    const dumped = (await dumpConfig(root)).storage_objects?.map((so) => so.name);
    for (const name of NAMES) {
      expect(listed).toContain(name);
      expect(dumped).toContain(name);
    }
  });

  test('a clear removes each of them before its HBA', async () => {
    const ops = (await planClear(root)).steps.flatMap((s) => s.ops).map((o) => `${o.op} ${o.path}`);
    NAMES.forEach((name, k) => {
      const so = ops.indexOf(`rmdir core/rd_mcp_${50 + k}/${name}`);
      expect(so, name).toBeGreaterThanOrEqual(0);
      expect(so, name).toBeLessThan(ops.indexOf(`rmdir core/rd_mcp_${50 + k}`));
    });
  });

  test('the kernel places: patterns per fabric and core; unknown names stay names', () => {
    const { paths, names } = kernelPlaces(['statistics', 'members', 'no_such_group']);
    expect(paths).toContain('core/*_[0-9]*/*/statistics');
    expect(paths).toContain('iscsi/*/tpgt_*/lun/lun_*/statistics');
    expect(paths).toContain('loopback/*/tpgt_*/acls/*/lun_*/statistics');
    expect(paths).toContain('core/alua/lu_gps/*/members');
    expect(paths.every((p) => !p.includes('<fabric>'))).toBe(true);
    expect(names).toEqual(['no_such_group']);
  });
});
