/**
 * The streamed whole save (`saveConfigFile` without a part), on a fake target
 * root read by the real native tree reader: the file is byte for byte what
 * `configText(dumpConfig())` makes, for the reference tree, for one larger
 * than the read window, and for empty lists; the whole tree is never read at
 * once; an entry that fails the check leaves the old file, no temporary
 * file and no backup; backups are made only when the text changes.
 */
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RTSRoot } from '../../src/model/rts-root.js';
import { dumpConfig } from '../../src/model/dump.js';
import { DUMP_READ_CHUNK, openStreamedDump, type DumpEntry } from '../../src/model/streamed-dump.js';
import { configText, configTextPieces } from '../../src/config/config-file.js';
import { saveConfigFile } from '../../src/config/partial-save.js';
import { parseConfig, RTSLibConfigError } from '../../src/config/schema.js';
import type { SnapshotOptions } from '../../src/cfs/configfs.js';
import { CONFIG_EXCLUDES } from '../../src/cfs/tree.js';
import { buildFakeTargetRoot, referenceListing } from './support/fake-target-root.js';

let tmp = '';
beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), 'rtslib-stream-'));
});
afterEach(() => {
  rmSync(tmp, { recursive: true, force: true });
});

/** A root on a fake tree made of `lines`; every snapshot it takes is recorded. */
function rootOn(lines: readonly string[]): { root: RTSRoot; reads: Array<{ base: string; options: SnapshotOptions }> } {
  const dir = join(tmp, 'target');
  buildFakeTargetRoot(dir, lines);
  const root = new RTSRoot({ configfs: dir, plainDirectory: true, lockFile: join(tmp, 'lock'), stateDir: join(tmp, 'state') });
  const reads: Array<{ base: string; options: SnapshotOptions }> = [];
  const snapshot = root.cfs.snapshot.bind(root.cfs);
  root.cfs.snapshot = (base = '', options = {}) => {
    reads.push({ base, options });
    return snapshot(base, options);
  };
  return { root, reads };
}

/** The reference listing with `extra` more ramdisks (`rd_mcp_<100+k>/extra<k>`, copies of ram1). */
function withRamdisks(extra: number): string[] {
  const lines = referenceListing();
  const ram = lines.filter((l) => /^(D|F \S\S) core\/rd_mcp_2\//.test(l));
  const copies = [];
  for (let k = 0; k < extra; k++)
    copies.push(...ram.map((l) => l.replace(/rd_mcp_2\/ram1/g, `rd_mcp_${100 + k}/extra${String(k).padStart(3, '0')}`).replace(/rd_mcp_2\//g, `rd_mcp_${100 + k}/`)));
  return [...lines, ...copies];
}

/** Saves with the stream and returns the file's text, checking it against the whole dump's text. */
async function savedText(root: RTSRoot, options: { force?: boolean } = {}): Promise<string> {
  const file = join(tmp, 'etc', 'saveconfig.json');
  await saveConfigFile(root, file, { backups: 0, ...options });
  const text = readFileSync(file, 'utf8');
  expect(text).toBe(configText(await dumpConfig(root)));
  return text;
}

describe('the streamed whole save', () => {
  test('writes the reference tree byte for byte as the whole dump does, without reading the whole tree at once', async () => {
    const { root, reads } = rootOn(referenceListing());
    const text = await savedText(root);
    const config = parseConfig(text);
    expect(config.storage_objects?.map((s) => s.name)).toEqual(['block1', 'file1', 'null1', 'pscsi1', 'ram1', 'user1']);
    expect(config.targets).toHaveLength(2);
    // the save's own reads: the structure (depth 3, no values), then each object, target and discovery_auth directory
    const saveReads = reads.slice(
      0,
      reads.findIndex((r) => r.base === '' && r.options.maxDepth === undefined),
    );
    expect(saveReads[0]).toEqual({ base: '', options: { maxDepth: 3, values: false } });
    expect(saveReads.slice(1)).toEqual([
      { base: 'iscsi/discovery_auth', options: {} },
      // the storage objects in one walk of core/, through their HBAs only, in dump order (and no file a config has no key for)
      { base: 'core', options: { only: ['iblock_1', 'fileio_0', 'rd_mcp_3', 'pscsi_4', 'rd_mcp_2', 'user_5'], excludeNames: CONFIG_EXCLUDES } },
      { base: 'iscsi/iqn.2003-01.org.linux-iscsi.ref:t1', options: { excludeNames: CONFIG_EXCLUDES } },
      { base: 'loopback/naa.5001405c73a169b8', options: { excludeNames: CONFIG_EXCLUDES } },
    ]);
  });

  test(`more storage objects than a read chunk (${DUMP_READ_CHUNK}), one HBA's objects in two chunks: the same text, in order`, async () => {
    // aaa shares ram1's HBA (rd_mcp_2) and sorts first, ram1 in the last chunk: that HBA is read with two chunks
    const lines = withRamdisks(3 * DUMP_READ_CHUNK + 5);
    const aaa = lines.filter((l) => /^(D|F \S\S) core\/rd_mcp_2\/ram1/.test(l)).map((l) => l.replace('rd_mcp_2/ram1', 'rd_mcp_2/aaa'));
    const { root, reads } = rootOn([...lines, ...aaa]);
    const config = parseConfig(await savedText(root));
    const names = config.storage_objects?.map((s) => s.name) ?? [];
    expect(names).toHaveLength(7 + 3 * DUMP_READ_CHUNK + 5);
    expect(names).toEqual([...names].sort());
    expect(names[0]).toBe('aaa');
    const chunks = reads.filter((r) => r.base === 'core' && r.options.only);
    expect(chunks).toHaveLength(4);
    expect(chunks.filter((r) => r.options.only?.includes('rd_mcp_2'))).toHaveLength(2);
  });

  test('the first target is read while the last storage objects are dumped, not after', async () => {
    const { root, reads } = rootOn(withRamdisks(2 * DUMP_READ_CHUNK));
    // how many entries had been taken when each read started
    let taken = 0;
    const startedAt: Array<{ base: string; taken: number }> = [];
    const snapshot = root.cfs.snapshot.bind(root.cfs);
    root.cfs.snapshot = (base = '', options = {}) => {
      startedAt.push({ base, taken });
      return snapshot(base, options);
    };
    const kinds: DumpEntry['kind'][] = [];
    await root.cfs.shared(async () => {
      const dump = await openStreamedDump(root.cfs);
      for await (const e of dump.entries()) {
        kinds.push(e.kind);
        taken++;
      }
    });
    const objects = kinds.filter((k) => k === 'storageObject').length;
    expect(objects).toBe(6 + 2 * DUMP_READ_CHUNK);
    expect(kinds.indexOf('target')).toBe(objects);
    const firstTarget = startedAt.find((r) => r.base.startsWith('iscsi/iqn.'));
    // started while the third (last) chunk of objects was still being dumped
    expect(firstTarget?.taken).toBeLessThan(objects);
    expect(reads.filter((r) => r.base === 'core' && r.options.only)).toHaveLength(3);
  });

  test('empty lists: storage objects without targets, targets without storage objects, nothing at all', async () => {
    const lines = referenceListing();
    const noTargets = lines.filter((l) => !/ (iscsi|loopback)\//.test(l));
    expect(parseConfig(await savedText(rootOn(noTargets).root)).targets).toEqual([]);
    rmSync(join(tmp, 'target'), { recursive: true });
    // no storage objects: the LUNs have nothing to export and are left out of the dump
    const noObjects = lines.filter((l) => !/ core\/[a-z_]+_\d+\//.test(l) && !/\/lun\//.test(l) && !/\/acls\/.*\/lun_/.test(l));
    const config = parseConfig(await savedText(rootOn(noObjects).root));
    expect(config.storage_objects).toEqual([]);
    expect(config.targets?.length).toBe(2);
    rmSync(join(tmp, 'target'), { recursive: true });
    const nothing = lines.filter((l) => !/ core\/[a-z_]+_\d+\//.test(l) && !/ (iscsi|loopback)\//.test(l));
    expect(await savedText(rootOn(nothing).root, { force: true })).toBe('{\n  "fabric_modules": [],\n  "storage_objects": [],\n  "targets": []\n}\n');
  });

  test('an entry that fails the check: the old file stays, with no temporary file and no backup', async () => {
    // a fileio object whose backing file is a relative path cannot be restored: refused at storage_objects[1].dev
    const lines = referenceListing().map((l) =>
      l.replace('File: /tmp/bs/file1.img', 'File: tmp/bs/file1.img').replace('udev_path = /tmp/bs/file1.img', 'udev_path = tmp/bs/file1.img'),
    );
    const { root } = rootOn(lines);
    const dir = join(tmp, 'etc');
    const file = join(dir, 'saveconfig.json');
    mkdirSync(dir);
    const before = '{"storage_objects": [], "targets": []}\n';
    writeFileSync(file, before);
    const err = await saveConfigFile(root, file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RTSLibConfigError);
    expect((err as RTSLibConfigError).issues[0]).toEqual({ path: 'storage_objects[1].dev', message: 'must be an absolute path, got "tmp/bs/file1.img"' });
    expect(readFileSync(file, 'utf8')).toBe(before);
    expect(readdirSync(dir)).toEqual(['saveconfig.json']);
  });

  test('a backup is made when the text changes, not when it is the same', async () => {
    const { root } = rootOn(referenceListing());
    const file = join(tmp, 'etc', 'saveconfig.json');
    expect(await saveConfigFile(root, file)).toEqual({});
    expect(await saveConfigFile(root, file)).toEqual({});
    expect(existsSync(join(tmp, 'etc', 'backup'))).toBe(false);
    writeFileSync(join(tmp, 'target', 'core', 'rd_mcp_2', 'ram1', 'attrib', 'emulate_tpu'), '1\n');
    const { backup } = await saveConfigFile(root, file);
    expect(backup).toMatch(/\/backup\/saveconfig-\d{8}-\d\d:\d\d:\d\d-json\.gz$/);
    expect(readdirSync(join(tmp, 'etc', 'backup'))).toHaveLength(1);
  });
});

describe('configTextPieces', () => {
  test('a storage object after the targets is refused', async () => {
    async function* entries(): AsyncGenerator<DumpEntry> {
      yield { kind: 'target', entry: { fabric: 'loopback', wwn: 'naa.5001405c73a169b8' } };
      yield { kind: 'storageObject', entry: { plugin: 'ramdisk', name: 'r', size: 4096 } };
    }
    const pieces: string[] = [];
    const err = await (async () => {
      for await (const p of configTextPieces({ fabricModules: [], entries: entries() })) pieces.push(p);
    })().catch((e: unknown) => e);
    expect(String(err)).toMatch(/a storage object came after the targets/);
  });
});
