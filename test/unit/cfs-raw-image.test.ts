/**
 * A run's undo image kept as read (cfs/raw-image.ts): the reads of a
 * clear's units on the reference tree of kernel 6.1 (the real tree reader
 * on a plain directory) make, once journalled and read back, the image
 * those reads made when the run captured it at once; a part whose fields
 * do not agree is refused as a journal this version cannot read.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RTSRoot, planClear } from '../../src/index.js';
import { Journal, readJournal } from '../../src/cfs/journal.js';
import { changesTree } from '../../src/cfs/configfs.js';
import { imageUnitOf, readUnits, type ImageUnit } from '../../src/cfs/image-as-it-goes.js';
import { imageOfRawPart, parseRawPart, rawPartJson, type RawImagePart } from '../../src/cfs/raw-image.js';
import { addToImage, captureWholeImage, type TreeImage } from '../../src/cfs/tree-image.js';
import { nodeType } from '../../src/cfs/tree.js';
import { recreateStorageObject } from '../../src/model/recreation.js';
import { buildFakeTargetRoot } from './support/fake-target-root.js';
import { fakeTree } from './support/fake-snapshot.js';

let tmp = '';
let root: RTSRoot;

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'rtslib-raw-image-'));
  const target = join(tmp, 'target');
  buildFakeTargetRoot(target);
  writeFileSync(join(target, 'iscsi/discovery_auth/password'), 's3cr\xe9t\n');
  root = new RTSRoot({ configfs: target, plainDirectory: true, lockFile: join(tmp, 'lock'), stateDir: join(tmp, 'state') });
});

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** Every unit a whole clear of the tree changes (what the run reads before its chunks). */
async function clearUnits(): Promise<ImageUnit[]> {
  const plan = await planClear(root);
  const units = new Map<string, ImageUnit>();
  for (const step of plan.steps) for (const op of step.ops) if (changesTree(op)) units.set(imageUnitOf(op).path, imageUnitOf(op));
  return [...units.values()];
}

/** The image the run made of the same reads when it captured each at once (its code before reads were kept raw), as the oracle. */
async function capturedAtOnce(part: RawImagePart): Promise<TreeImage> {
  const image: TreeImage = { whole: true, covers: [], dirs: [], links: [], values: [] };
  for (const read of part.reads) {
    const names = read.tree ? [...new Set(read.tree.paths.map((p) => p.split('/')[0] as string))] : [];
    const own = names.length ? captureWholeImage(await root.cfs.snapshot(read.base, { only: names }), recreateStorageObject) : { whole: true, dirs: [], links: [], values: [] };
    // a node's own directory comes first (a top-level entry's own part, such as a fabric's, is no node)
    const type = read.node === undefined ? null : nodeType(read.node, 'dir');
    if (read.node !== undefined && type) own.dirs.unshift({ path: read.node, type });
    addToImage(image, { ...own, covers: [] });
  }
  image.covers = [...part.covers];
  return image;
}

describe('an undo image kept as read', () => {
  test('journalled and read back, it is the image captured at once: nodes, links, settings (secrets and non-ASCII bytes included), storage objects made again', async () => {
    const units = await clearUnits();
    expect(units.length).toBeGreaterThan(10);
    const part = await readUnits(root.cfs, units);
    const expected = await capturedAtOnce(part);
    // it holds what a clear must put back
    expect(expected.dirs.some((d) => d.type === 'storageObject' && d.create?.some((op) => op.op === 'write'))).toBe(true);
    expect(expected.links.length).toBeGreaterThan(0);
    expect(expected.values).toContainEqual({ path: 'iscsi/discovery_auth/password', value: 's3cr\xe9t' });
    expect(imageOfRawPart(root.cfs.root, part, recreateStorageObject)).toEqual(expected);
    // through its JSON form, as recovery reads it
    const parsed = parseRawPart(JSON.parse(rawPartJson(part)));
    expect(parsed).toEqual(part);
    expect(imageOfRawPart(root.cfs.root, parsed!, recreateStorageObject)).toEqual(expected);
    // through the journal's files
    const state = join(tmp, 'journal');
    const journal = await Journal.begin(state, { root: root.cfs.root, command: 'clear', created: [], image: { whole: true, covers: [], dirs: [], links: [], values: [] } });
    await journal.addImagePart(part);
    const read = await readJournal(state, root.cfs.root, recreateStorageObject);
    expect(read?.record.image).toEqual(expected);
    await journal.remove();
    expect(readdirSync(state)).toEqual([]);
  });

  test('a part whose fields do not agree is no part; the journal holding it is refused (ERR_RTSLIB_JOURNAL), never read in part', async () => {
    const tree = fakeTree([
      ['a', 'd'],
      ['a/x', 'f', '1'],
      ['a/l', 'l', '../b'],
    ]);
    const good = JSON.parse(rawPartJson({ covers: ['a'], reads: [{ base: '', tree }] })) as { covers: string[]; reads: Record<string, unknown>[] };
    expect(parseRawPart(good)).toEqual({ covers: ['a'], reads: [{ base: '', tree }] });
    const withTree = (change: Record<string, unknown>): unknown => ({ ...good, reads: [{ ...good.reads[0], tree: { ...(good.reads[0]!.tree as object), ...change } }] });
    const broken: [string, unknown][] = [
      ['a path too many', withTree({ paths: ['a', 'a/x', 'a/l', 'a/y'] })],
      ['a link list of another length', withTree({ links: [null] })],
      ['modes of an odd byte count', withTree({ modes: Buffer.from([1, 2, 3]).toString('base64') })],
      ['offsets past the data', withTree({ offsets: Buffer.from(Uint32Array.from([0, 1, 9, 9]).buffer).toString('base64') })],
      ['offsets going back', withTree({ offsets: Buffer.from(Uint32Array.from([0, 1, 0, 1]).buffer).toString('base64') })],
      ['no data', withTree({ data: undefined })],
      ['a path that is no string', withTree({ paths: ['a', 7, 'a/l'] })],
      ['no base', { ...good, reads: [{ tree: good.reads[0]!.tree }] }],
      ['covers that are no list', { ...good, covers: 'a' }],
      ['a read that is no object', { ...good, reads: [3] }],
    ];
    for (const [what, value] of broken) expect(parseRawPart(value), what).toBeNull();
    const state = join(tmp, 'broken');
    const journal = await Journal.begin(state, { root: root.cfs.root, command: 'clear', created: [], image: { whole: true, covers: [], dirs: [], links: [], values: [] } });
    await journal.addImagePart({ covers: ['a'], reads: [{ base: '', tree }] });
    const partFile = readdirSync(state).find((name) => name.includes('.part-'))!;
    expect(await readJournal(state, root.cfs.root, recreateStorageObject)).not.toBeNull();
    writeFileSync(join(state, partFile), JSON.stringify(broken[3]![1]));
    await expect(readJournal(state, root.cfs.root, recreateStorageObject)).rejects.toMatchObject({ code: 'ERR_RTSLIB_JOURNAL' });
    expect(readFileSync(join(state, partFile), 'utf8')).toContain('reads');
    await journal.remove();
  });
});
