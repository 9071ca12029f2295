/**
 * The configfs batch engine on the real kernel: ordering, stop-on-error,
 * per-operation errno, and parallel removal of 100 LUNs.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { native, type NativeOp, type NativeResult } from '../../src/native/index.js';
import { TARGET, rawExists, rawTree } from './helpers.js';

const HBA = `${TARGET}/core/rd_mcp_901`;
const SO = `${HBA}/batch_so`;
const FILEIO_HBA = `${TARGET}/core/fileio_901`;
const FILEIO_SO = `${FILEIO_HBA}/batch_file`;
const FABRIC = `${TARGET}/loopback`;
const WWN = 'naa.5001405aaaaaaaa1';
const TPG = `${FABRIC}/${WWN}/tpgt_1`;

const errnoOf = (r: NativeResult | undefined) => (r && !r.ok && 'errno' in r ? r.errno : undefined);
const skipped = (r: NativeResult | undefined) => r !== undefined && !r.ok && 'skipped' in r && r.skipped === true;

async function cleanup(): Promise<void> {
  const ops: NativeOp[] = [];
  if (rawExists(TPG)) {
    for (const lun of rawTree(`${TPG}/lun`).filter((p) => /^lun_\d+\/[^/]+$/.test(p))) ops.push({ op: 'unlink', path: `${TPG}/lun/${lun}` });
    for (const lun of rawTree(`${TPG}/lun`).filter((p) => /^lun_\d+$/.test(p))) ops.push({ op: 'rmdir', path: `${TPG}/lun/${lun}` });
    ops.push({ op: 'rmdir', path: TPG });
  }
  if (rawExists(`${FABRIC}/${WWN}`)) ops.push({ op: 'rmdir', path: `${FABRIC}/${WWN}` });
  if (rawExists(SO)) ops.push({ op: 'rmdir', path: SO });
  if (rawExists(FILEIO_SO)) ops.push({ op: 'rmdir', path: FILEIO_SO });
  if (rawExists(FILEIO_HBA)) ops.push({ op: 'rmdir', path: FILEIO_HBA });
  if (rawExists(HBA)) ops.push({ op: 'rmdir', path: HBA });
  if (ops.length) await native.executeBatch(ops, { root: TARGET, stopOnError: false });
}

describe('batch engine on configfs', () => {
  afterEach(cleanup);

  test('runs operations in order: each depends on the one before', async () => {
    const results = await native.executeBatch(
      [
        { op: 'mkdir', path: HBA },
        { op: 'mkdir', path: SO },
        { op: 'write', path: `${SO}/control`, value: 'rd_pages=32' },
        { op: 'write', path: `${SO}/enable`, value: '1' },
        { op: 'read', path: `${SO}/info` },
        { op: 'list', path: SO },
        { op: 'stat', path: `${SO}/control` },
      ],
      { root: TARGET },
    );
    expect(results.map((r) => r.ok)).toEqual(Array(7).fill(true));
    expect(String((results[4] as { value: Buffer }).value)).toMatch(/PAGES\/PAGE_SIZE: 32\*4096/);
    const names = (results[5] as { value: { name: string; type: string }[] }).value.map((e) => `${e.name}:${e.type}`);
    expect(names).toEqual(expect.arrayContaining(['attrib:dir', 'wwn:dir', 'control:file', 'enable:file', 'info:file']));
    expect((results[6] as { value: { mode: number } }).value.mode & 0o777).toBe(0o200); // control is write-only
  });

  test('stops at the first error: later operations are skipped and not done', async () => {
    const results = await native.executeBatch(
      [
        { op: 'mkdir', path: HBA },
        { op: 'mkdir', path: HBA },
        { op: 'mkdir', path: SO },
      ],
      { root: TARGET, stopOnError: true },
    );
    expect(results[0]?.ok).toBe(true);
    expect(results[1]).toMatchObject({ ok: false, errno: -17, syscall: 'mkdir', path: HBA });
    expect(skipped(results[2])).toBe(true);
    expect(rawExists(SO)).toBe(false);
  });

  test("reports each operation's errno: EEXIST, ENOENT, EINVAL from a bad control string", async () => {
    const results = await native.executeBatch(
      [
        { op: 'mkdir', path: HBA },
        { op: 'mkdir', path: SO },
        { op: 'mkdir', path: SO },
        { op: 'read', path: `${SO}/no_such_attribute` },
        { op: 'mkdir', path: FILEIO_HBA },
        { op: 'mkdir', path: FILEIO_SO },
        { op: 'write', path: `${FILEIO_SO}/control`, value: 'fd_buffered_io=2' },
        { op: 'write', path: `${SO}/enable`, value: '1' },
        { op: 'rmdir', path: `${TARGET}/core/rd_mcp_999` },
      ],
      { root: TARGET, stopOnError: false },
    );
    expect(results[0]?.ok && results[1]?.ok).toBe(true);
    expect(results[2]).toMatchObject({ ok: false, errno: -17, syscall: 'mkdir' });
    expect(results[3]).toMatchObject({ ok: false, errno: -2, syscall: 'open', path: `${SO}/no_such_attribute` });
    expect(results[4]?.ok && results[5]?.ok).toBe(true);
    expect(results[6]).toMatchObject({ ok: false, errno: -22, syscall: 'write', path: `${FILEIO_SO}/control` }); // the kernel rejects fd_buffered_io=2
    expect(results[7]).toMatchObject({ ok: false, errno: -22, syscall: 'write', path: `${SO}/enable` }); // enable without rd_pages
    expect(results[8]).toMatchObject({ ok: false, errno: -2, syscall: 'rmdir' });
  });

  test('removes 100 LUNs in parallel and leaves nothing behind', async () => {
    const setup: NativeOp[] = [
      { op: 'mkdir', path: HBA },
      { op: 'mkdir', path: SO },
      { op: 'write', path: `${SO}/control`, value: 'rd_pages=32' },
      { op: 'write', path: `${SO}/enable`, value: '1' },
      ...(rawExists(FABRIC) ? [] : [{ op: 'mkdir' as const, path: FABRIC }]),
      { op: 'mkdir', path: `${FABRIC}/${WWN}` },
      { op: 'mkdir', path: TPG },
    ];
    for (let i = 0; i < 100; i++) {
      setup.push({ op: 'mkdir', path: `${TPG}/lun/lun_${i}` }, { op: 'symlink', path: `${TPG}/lun/lun_${i}/l${i}`, target: SO });
    }
    expect((await native.executeBatch(setup, { root: TARGET })).every((r) => r.ok)).toBe(true);
    expect(rawTree(`${TPG}/lun`).filter((p) => /^lun_\d+$/.test(p))).toHaveLength(100);

    const unlinks: NativeOp[] = Array.from({ length: 100 }, (_, i) => ({ op: 'unlink', path: `${TPG}/lun/lun_${i}/l${i}`, independent: true }));
    const rmdirs: NativeOp[] = Array.from({ length: 100 }, (_, i) => ({ op: 'rmdir', path: `${TPG}/lun/lun_${i}`, independent: true }));
    const results = await native.executeBatch([...unlinks, { op: 'stat', path: TARGET }, ...rmdirs], { root: TARGET, concurrency: 8 });
    expect(results.every((r) => r.ok)).toBe(true);
    expect(rawTree(`${TPG}/lun`)).toEqual([]);
    const errors = results.map(errnoOf).filter((e) => e !== undefined);
    expect(errors).toEqual([]);
  });
});
