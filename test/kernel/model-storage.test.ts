/**
 * Storage objects of the fileio, block (iblock), ramdisk and user (TCMU)
 * plugins on the real kernel: created through the library, checked in the
 * raw configfs tree, cross-checked with rtslib-fb, deleted without a trace;
 * bad input refused before anything is written; a kernel refusal rolled back.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import {
  BlockStorageObject,
  FileIOStorageObject,
  RDMCPStorageObject,
  RTSLibError,
  RTSLibInvalidArgumentError,
  RTSLibOperationError,
  RTSRoot,
  UserBackedStorageObject,
} from '../../src/index.js';
import { TARGET, rawRead, rawTree, rtslibFb } from './helpers.js';

const DIR = '/tmp/model-storage';
const root = new RTSRoot();
let loop = '';
const coreBefore = () => rawTree(`${TARGET}/core`);

interface FbObject {
  plugin: string;
  name: string;
  udev_path: string;
  size: number;
  wwn: string;
  write_back?: boolean;
  aio?: boolean;
  readonly?: boolean;
  config?: string;
}
const fbObjects = () =>
  rtslibFb<FbObject[]>(`
out = []
for so in rtslib.RTSRoot().storage_objects:
    d = {'plugin': so.plugin, 'name': so.name, 'udev_path': so.udev_path, 'size': so.size, 'wwn': so.wwn}
    for k in ('write_back', 'aio', 'readonly', 'config'):
        if hasattr(so, k): d[k] = getattr(so, k)
    out.append(d)
print(json.dumps(out))`);

beforeAll(() => {
  mkdirSync(DIR, { recursive: true });
  execFileSync('truncate', ['-s', '32M', `${DIR}/loop.img`]);
  loop = execFileSync('losetup', ['-f', '--show', `${DIR}/loop.img`], { encoding: 'utf8' }).trim();
});

afterAll(async () => {
  for (const so of await root.storageObjectLocations()) {
    if (so.name.startsWith('ms_')) execFileSync('sh', ['-c', `rmdir ${TARGET}/core/*_${so.hbaIndex}/${so.name} ${TARGET}/core/*_${so.hbaIndex} 2>/dev/null || true`]);
  }
  if (loop) execFileSync('losetup', ['-d', loop]);
  rmSync(DIR, { recursive: true, force: true });
});

describe('storage objects on the real kernel', () => {
  test('fileio on a sparse file, write-back and aio', async () => {
    const so = await FileIOStorageObject.open(root, 'ms_file', { dev: `${DIR}/file.img`, size: '16M', writeBack: true, aio: true });
    expect(so.isFresh).toBe(true);
    expect(so.path).toMatch(new RegExp(`^${TARGET}/core/fileio_\\d+/ms_file$`));
    const info = rawRead(`${so.path}/info`);
    expect(info).toMatch(new RegExp(`File: ${DIR}/file.img\\s+Size: 16777216\\s+Mode: Buffered-WCE Async: 1`));
    expect(rawRead(`${so.path}/udev_path`)).toBe(`${DIR}/file.img`);
    expect(rawRead(`${so.path}/enable`)).toBe('1');
    expect(rawRead(`${so.path}/attrib/emulate_write_cache`)).toBe('1');
    expect(await so.size()).toBe(16 * 2 ** 20);
    expect(await so.writeBack()).toBe(true);
    expect(await so.aio()).toBe(true);
    expect(await so.udevPath()).toBe(`${DIR}/file.img`);
    const fb = fbObjects().find((o) => o.name === 'ms_file');
    expect(fb).toMatchObject({ plugin: 'fileio', udev_path: `${DIR}/file.img`, size: 16777216, write_back: true, aio: true, wwn: await so.wwn() });
    const lookedUp = await FileIOStorageObject.open(root, 'ms_file');
    expect(lookedUp.isFresh).toBe(false);
    expect(lookedUp.hbaIndex).toBe(so.hbaIndex);
    await expect(FileIOStorageObject.open(root, 'ms_file', { dev: `${DIR}/file.img`, size: '16M' })).rejects.toMatchObject({ code: 'EEXIST' });
    await so.delete();
    expect(coreBefore().some((p) => p.includes('ms_file'))).toBe(false);
  });

  test('block on a loop device, read-only; a device in use is refused', async () => {
    const so = await BlockStorageObject.open(root, 'ms_block', { dev: loop, readonly: true });
    const info = rawRead(`${so.path}/info`);
    expect(info).toMatch(new RegExp(`UDEV PATH: ${loop}\\s+readonly: 1`));
    expect(rawRead(`${so.path}/udev_path`)).toBe(loop);
    expect(await so.readonly()).toBe(true);
    expect(await so.writeBack()).toBe(false);
    const fb = fbObjects().find((o) => o.name === 'ms_block');
    expect(fb).toMatchObject({ plugin: 'block', udev_path: loop, readonly: true, size: 32 * 2 ** 20 });
    const before = coreBefore();
    const err = await BlockStorageObject.open(root, 'ms_block2', { dev: loop }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RTSLibInvalidArgumentError);
    expect((err as Error).message).toMatch(/in use/);
    expect(coreBefore()).toEqual(before);
    await so.delete();
  });

  test('ramdisk, nullio', async () => {
    const so = await RDMCPStorageObject.open(root, 'ms_null', { size: '8M', nullio: true });
    expect(rawRead(`${so.path}/info`)).toMatch(/PAGES\/PAGE_SIZE: 2048\*4096.*nullio: 1/s);
    expect(await so.size()).toBe(8 * 2 ** 20);
    expect(await so.nullio()).toBe(true);
    expect(fbObjects().find((o) => o.name === 'ms_null')).toMatchObject({ plugin: 'ramdisk', size: 8388608 });
    await so.delete();
  });

  test('user (TCMU) is created and listed though no handler runs', async () => {
    const so = await UserBackedStorageObject.open(root, 'ms_user', { config: `file/${DIR}/user.img`, size: '16M', hwMaxSectors: 128 });
    const info = rawRead(`${so.path}/info`);
    expect(info).toMatch(new RegExp(`Config: file/${DIR}/user.img Size: 16777216`));
    expect(info).toMatch(/HwMaxSectors: 128/);
    expect(rawRead(`${so.path}/enable`)).toBe('1');
    expect(await so.config()).toBe(`file/${DIR}/user.img`);
    expect(await so.size()).toBe(16777216);
    expect(await so.hwMaxSectors()).toBe(128);
    expect(fbObjects().find((o) => o.name === 'ms_user')).toMatchObject({ plugin: 'user', config: `file/${DIR}/user.img`, size: 16777216 });
    await so.delete();
  });

  test('bad input is refused before anything is written', async () => {
    const before = coreBefore();
    const cases: [() => Promise<unknown>, RegExp][] = [
      [() => FileIOStorageObject.open(root, 'ms_bad', { dev: '/no/such/dir/f.img', size: '1M' }), /directory \/no\/such\/dir does not exist/],
      [() => FileIOStorageObject.open(root, 'ms_bad', { dev: 'relative.img', size: '1M' }), /absolute path/],
      [() => FileIOStorageObject.open(root, 'ms_bad', { dev: `${DIR}/new.img` }), /size/],
      [() => FileIOStorageObject.open(root, 'ms_bad', { dev: `${DIR}/new.img`, size: 0 }), /positive/],
      [() => FileIOStorageObject.open(root, 'ms/bad', { dev: `${DIR}/new.img`, size: '1M' }), /'\/'/],
      [() => FileIOStorageObject.open(root, ' ', { dev: `${DIR}/new.img`, size: '1M' }), /whitespace/],
      [() => FileIOStorageObject.open(root, 'x'.repeat(256), { dev: `${DIR}/new.img`, size: '1M' }), /256 bytes/],
      [() => BlockStorageObject.open(root, 'ms_bad', { dev: '/dev/no-such-disk' }), /does not exist/],
      [() => BlockStorageObject.open(root, 'ms_bad', { dev: `${DIR}/loop.img` }), /not a block device/],
      [() => UserBackedStorageObject.open(root, 'ms_bad', { config: 'nohandler', size: '1M' }), /handler/],
      [() => RDMCPStorageObject.open(root, 'ms_bad', { size: '-1M' }), /size/],
      [() => RDMCPStorageObject.open(root, 'ms_missing'), /ramdisk storage object ms_missing does not exist/],
    ];
    for (const [attempt, message] of cases) {
      const err = await attempt().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RTSLibError);
      expect((err as Error).message).toMatch(message);
    }
    expect(coreBefore()).toEqual(before);
  });

  test('a step the kernel refuses is rolled back and named', async () => {
    const before = coreBefore();
    const err = await RDMCPStorageObject.open(root, 'ms_rollback', { size: '4M', attributes: { no_such_attribute: 1 } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RTSLibOperationError);
    expect(err).toMatchObject({ code: 'ENOENT', syscall: 'open' });
    expect((err as Error).message).toMatch(/could not create ramdisk storage object ms_rollback .*ENOENT, open '.*\/attrib\/no_such_attribute'/);
    expect(coreBefore()).toEqual(before);
    expect(readdirSync(`${TARGET}/core`).some((d) => d.startsWith('rd_mcp_') && readdirSync(`${TARGET}/core/${d}`).includes('ms_rollback'))).toBe(false);
  });
});
