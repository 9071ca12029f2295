/**
 * A part of a run's undo image kept as the engine read it (see
 * image-as-it-goes.ts): the tree reads themselves, not the image made from
 * them. A run that finishes never needs its image, so the reads go to the
 * journal as they are (typed arrays as base64) and become an image (see
 * tree-image.ts) only when the run is undone or recovered. The image made
 * then is the one that would have been made at the read: the same
 * snapshot of the same read gives it.
 */
import type { NativeTree } from '../native/index.js';
import { Snapshot } from './snapshot.js';
import { addToImage, captureWholeImage, emptyImage, type StorageObjectRecreator, type TreeImage } from './tree-image.js';
import { nodeType } from './tree.js';

/** One tree read of a part of the image. */
export interface RawRead {
  /** The directory read (root-relative); the tree's paths are relative to it. */
  base: string;
  /** The read (with values), or null when there was nothing to read (a node's own part without files of its own). */
  tree: NativeTree | null;
  /** A node's own part (image-as-it-goes.ts): the node, put before what was read. */
  node?: string;
}

/** A part of the image as read: the units it covers and their reads, in order. */
export interface RawImagePart {
  /** Root-relative paths of the units read (TreeImage.covers). */
  covers: string[];
  /** The reads, in the order their images are added. */
  reads: RawRead[];
}

/** The image of a read part (as captureWholeImage of each read would have made it at the time). */
export function imageOfRawPart(root: string, part: RawImagePart, recreate: StorageObjectRecreator): TreeImage {
  const image = emptyImage();
  for (const read of part.reads) {
    const own = read.tree ? captureWholeImage(new Snapshot(root, read.base, read.tree), recreate) : emptyImage();
    if (read.node !== undefined) {
      const type = nodeType(read.node, 'dir');
      if (type) own.dirs.unshift({ path: read.node, type });
    }
    addToImage(image, { ...own, covers: [] });
  }
  image.covers = [...part.covers];
  return image;
}

/** A typed array's bytes as base64 (the journal is read back on the machine that wrote it: native byte order). */
function base64Of(array: Uint8Array | Uint16Array | Uint32Array | Int32Array): string {
  return Buffer.from(array.buffer, array.byteOffset, array.byteLength).toString('base64');
}

/** The JSON form of a tree read: its arrays as they are, its typed arrays and data as base64. */
interface TreeJson {
  paths: string[];
  links: (string | null)[];
  kinds: string;
  modes: string;
  data: string;
  offsets: string;
  errnos: string;
}

/** The JSON form of a read part (see {@link parseRawPart}). */
export function rawPartJson(part: RawImagePart): string {
  return JSON.stringify({
    covers: part.covers,
    reads: part.reads.map((read) => ({
      base: read.base,
      ...(read.node === undefined ? {} : { node: read.node }),
      tree:
        read.tree &&
        ({
          paths: read.tree.paths,
          links: read.tree.links,
          kinds: base64Of(read.tree.kinds),
          modes: base64Of(read.tree.modes),
          data: read.tree.data.toString('base64'),
          offsets: base64Of(read.tree.offsets),
          errnos: base64Of(read.tree.errnos),
        } satisfies TreeJson),
    })),
  });
}

/** The bytes of a base64 field, copied to a buffer of their own (aligned for any typed array), or null when it is none or not a whole number of `size`-byte items. */
function bytesOf(value: unknown, size: number): ArrayBuffer | null {
  if (typeof value !== 'string') return null;
  const bytes = Buffer.from(value, 'base64');
  if (bytes.length % size !== 0) return null;
  return new Uint8Array(bytes).buffer;
}

const isString = (v: unknown): v is string => typeof v === 'string';

/** A tree read from its JSON form, or null when it is not one (wrong types, lengths that do not agree). */
function treeOf(value: unknown): NativeTree | null {
  if (typeof value !== 'object' || value === null) return null;
  const json = value as Partial<Record<keyof TreeJson, unknown>>;
  const { paths, links } = json;
  if (!Array.isArray(paths) || !paths.every(isString) || !Array.isArray(links) || !links.every((l) => l === null || isString(l))) return null;
  const kinds = bytesOf(json.kinds, 1);
  const modes = bytesOf(json.modes, 2);
  const offsets = bytesOf(json.offsets, 4);
  const errnos = bytesOf(json.errnos, 4);
  if (!kinds || !modes || !offsets || !errnos || !isString(json.data)) return null;
  const tree: NativeTree = {
    paths,
    links,
    kinds: new Uint8Array(kinds),
    modes: new Uint16Array(modes),
    data: Buffer.from(json.data, 'base64'),
    offsets: new Uint32Array(offsets),
    errnos: new Int32Array(errnos),
  };
  const n = paths.length;
  if (links.length !== n || tree.kinds.length !== n || tree.modes.length !== n || tree.errnos.length !== n || tree.offsets.length !== n + 1) return null;
  // every value lies inside the data, in order
  for (let i = 0; i < n; i++) if ((tree.offsets[i] as number) > (tree.offsets[i + 1] as number)) return null;
  if (tree.offsets[0] !== 0 || tree.offsets[n] !== tree.data.length) return null;
  return tree;
}

/** A read part from its parsed JSON form, or null when the value is no such part. */
export function parseRawPart(value: unknown): RawImagePart | null {
  if (typeof value !== 'object' || value === null) return null;
  const { covers, reads } = value as { covers?: unknown; reads?: unknown };
  if (!Array.isArray(covers) || !covers.every(isString) || !Array.isArray(reads)) return null;
  const out: RawRead[] = [];
  for (const read of reads as unknown[]) {
    if (typeof read !== 'object' || read === null) return null;
    const { base, node, tree } = read as { base?: unknown; node?: unknown; tree?: unknown };
    if (!isString(base) || (node !== undefined && !isString(node))) return null;
    const parsed = tree === null ? null : treeOf(tree);
    if (tree !== null && parsed === null) return null;
    out.push({ base, tree: parsed, ...(node === undefined ? {} : { node }) });
  }
  return { covers, reads: out };
}
