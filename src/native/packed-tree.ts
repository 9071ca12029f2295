/**
 * The tree reader's result as the addon returns it ({@link NativePackedTree}),
 * made the {@link NativeTree} the library reads: the paths and link texts
 * cross as two NUL-joined strings (split here by one builtin call each)
 * instead of a string and a Node-API call or three per entry, the main
 * thread's largest cost in reading a tree of 100,000 entries under emulation.
 */
import { RTSLibError } from '../errors.js';
import type { NativeTree } from './binding.js';

/** A tree as the addon's readTree returns it. */
export interface NativePackedTree extends Omit<NativeTree, 'paths' | 'links'> {
  /** The entries' paths, joined with NUL bytes ('' for no entry). */
  paths: string;
  /** The entries that are links read without error, in order. */
  linkIndexes: Uint32Array;
  /** Their link texts, joined with NUL bytes. */
  links: string;
}

/** Unpacks a tree; throws when its parts disagree in length (an addon of another build). */
export function unpackTree(packed: NativePackedTree): NativeTree {
  const n = packed.kinds.length;
  const paths = n === 0 ? [] : packed.paths.split('\0');
  const links = new Array<string | null>(n).fill(null);
  const linked = packed.linkIndexes;
  const texts = linked.length === 0 ? [] : packed.links.split('\0');
  if (paths.length !== n || texts.length !== linked.length || packed.offsets.length !== n + 1) {
    throw new RTSLibError(`the native tree reader returned ${paths.length} paths, ${texts.length} links and ${packed.offsets.length} offsets for ${n} entries`, {
      code: 'ERR_RTSLIB',
    });
  }
  for (let k = 0; k < linked.length; k++) links[linked[k] as number] = texts[k] as string;
  return { paths, kinds: packed.kinds, modes: packed.modes, links, data: packed.data, offsets: packed.offsets, errnos: packed.errnos };
}
