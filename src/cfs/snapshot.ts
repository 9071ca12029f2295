/**
 * One read of (part of) the configfs tree, indexed for lookups. Listings and
 * object reads are answered from a snapshot instead of re-scanning configfs
 * per object.
 */
import { isAscii } from 'node:buffer';
import type { NativeTree } from '../native/index.js';
import { attributeText } from './values.js';
import { resolveLinkUnder, rootSegments } from './tree.js';

/** Kind of a node in a snapshot. */
export type NodeKind = 'dir' | 'file' | 'link' | 'other';

const KINDS: readonly NodeKind[] = ['dir', 'file', 'link', 'other'];
const LINK = KINDS.indexOf('link');
/** The entry index of a snapshot's base directory, which the tree read does not list as an entry of its own. */
export const BASE_ENTRY = -1;
/** The children of an entry that is no directory. */
const NO_NAMES: readonly string[] = [];

/** A directory's children: their names, sorted, and their entry indexes in the same order. */
interface Children {
  names: string[];
  indexes: number[];
}
const NO_CHILDREN: { readonly names: readonly string[]; readonly indexes: readonly number[] } = { names: NO_NAMES, indexes: [] };

/** Whether the directory `dir` is the parent of `path`, whose last '/' is at `slash` (-1: none, the root's child). */
function isParentOf(dir: string, path: string, slash: number): boolean {
  return dir === '' ? slash < 0 : slash === dir.length && path.startsWith(dir);
}

/** An indexed, immutable view of a configfs subtree as it was when read. */
export class Snapshot {
  /** Relative path of the snapshot's top directory ('' for the root). */
  readonly base: string;
  /** Absolute path of the target root the paths are relative to. */
  readonly root: string;
  /** Time the snapshot was taken (ms since the epoch). */
  readonly takenAt: number;
  private readonly tree: NativeTree;
  private readonly index = new Map<string, number>();
  /** Per directory entry, by entry index, its children (names sorted, entry indexes in the same order). */
  private readonly kids: (Children | undefined)[];
  /** The base directory's children. */
  private readonly baseKids: Children = { names: [], indexes: [] };
  /** Children of parents that are no entry of the tree (a tree not in depth-first order), by path. */
  private readonly orphanKids = new Map<string, Children>();
  /** The root's segments, split once for every link resolved. */
  private readonly rootParts: readonly string[];
  /** Links resolved so far, by entry index (planners and the undo image ask for the same links). */
  private readonly resolved = new Map<number, string | null>();
  /**
   * The files' data as one string when it is all ASCII, as the kernel's
   * values nearly always are (made on the first value asked for): a value is
   * then a slice of it, without a buffer view and a decoding call per value
   * (a dump or a diff asks for tens of thousands). Null when some byte is
   * not ASCII: each value is decoded as UTF-8 on its own.
   */
  private dataText: string | null | undefined;

  /**
   * Wraps a native tree read of `root/base`. The tree lists its entries
   * depth first, so each entry's parent is found on a stack of the open
   * directories, by comparing a prefix: no parent path is sliced or hashed
   * (a tree in another order is indexed too, through path lookups).
   */
  constructor(root: string, base: string, tree: NativeTree) {
    this.root = root;
    this.rootParts = rootSegments(root);
    this.base = base;
    this.tree = tree;
    this.takenAt = Date.now();
    const n = tree.paths.length;
    this.kids = new Array<Children | undefined>(n);
    // the open directories, innermost last; the base stays at the bottom
    const openPaths: string[] = [base];
    const openKids: Children[] = [this.baseKids];
    for (let i = 0; i < n; i++) {
      const path = this.pathAt(i) as string;
      this.index.set(path, i);
      const slash = path.lastIndexOf('/');
      let top = openPaths.length - 1;
      while (top >= 0 && !isParentOf(openPaths[top] as string, path, slash)) top--;
      let parent: Children;
      if (top >= 0) {
        openPaths.length = openKids.length = top + 1;
        parent = openKids[top] as Children;
      } else {
        openPaths.length = openKids.length = 1;
        parent = this.kidsForParent(slash < 0 ? '' : path.slice(0, slash));
      }
      parent.names.push(path.slice(slash + 1));
      parent.indexes.push(i);
      if (tree.kinds[i] === 0) {
        // a directory's own list is new here, unless entries below it came first (a tree not depth first)
        const own = (this.orphanKids.size ? this.orphanKids.get(path) : undefined) ?? { names: [], indexes: [] };
        this.kids[i] = own;
        openPaths.push(path);
        openKids.push(own);
      }
    }
  }

  /** The children list of a parent found by path (a tree not in depth-first order). */
  private kidsForParent(parent: string): Children {
    if (parent === this.base) return this.baseKids;
    const at = this.index.get(parent);
    if (at !== undefined) return (this.kids[at] ??= { names: [], indexes: [] });
    let own = this.orphanKids.get(parent);
    if (!own) this.orphanKids.set(parent, (own = { names: [], indexes: [] }));
    return own;
  }

  /** The children of the directory `path`; undefined when it has none listed. */
  private kidsOf(path: string): Children | undefined {
    if (path === this.base) return this.baseKids;
    const at = this.index.get(path);
    return at === undefined ? this.orphanKids.get(path) : this.kids[at];
  }

  /** Number of nodes in the snapshot. */
  get size(): number {
    return this.tree.paths.length;
  }

  /** The root-relative paths of every symlink below the base, depth first (one pass, no entry pairs). */
  linkPaths(): string[] {
    const out: string[] = [];
    const kinds = this.tree.kinds;
    for (let i = 0; i < kinds.length; i++) if (kinds[i] === LINK) out.push(this.pathAt(i) as string);
    return out;
  }

  /** Every node below the base: its root-relative path and kind, depth first, siblings by name. */
  *entries(): IterableIterator<[string, NodeKind]> {
    for (const [path, i] of this.index) yield [path, KINDS[this.tree.kinds[i] as number] as NodeKind];
  }

  /**
   * Every file with its owner-read and owner-write bits, read without error:
   * its root-relative path and text (one trailing newline dropped), in the
   * order of {@link entries}. One pass, no lookup per file.
   */
  *writableFiles(): IterableIterator<[path: string, text: string]> {
    const { kinds, modes, errnos } = this.tree;
    for (const [path, i] of this.index) {
      if (kinds[i] !== 1 || ((modes[i] as number) & 0o600) !== 0o600 || errnos[i] !== 0) continue;
      yield [path, this.valueText(i)];
    }
  }

  /** Whether `path` existed (the snapshot's base directory always does). */
  has(path: string): boolean {
    return path === this.base || this.index.has(path);
  }

  /** The node's kind, or undefined when absent. */
  kind(path: string): NodeKind | undefined {
    if (path === this.base) return 'dir';
    const i = this.index.get(path);
    return i === undefined ? undefined : KINDS[this.tree.kinds[i] as number];
  }

  /** Permission bits of the node (e.g. 0o644), or undefined when absent. */
  mode(path: string): number | undefined {
    const i = this.index.get(path);
    return i === undefined ? undefined : this.tree.modes[i];
  }

  /** Names inside directory `path`, sorted; empty when absent. */
  children(path: string): readonly string[] {
    return this.kidsOf(path)?.names ?? NO_NAMES;
  }

  /** Names of the children of `path` of one kind (0 dir, 1 file, 2 link), without a lookup per child. */
  private childrenOfKind(path: string, kind: number): string[] {
    const own = this.kidsOf(path);
    if (!own) return [];
    const { names, indexes } = own;
    const out: string[] = [];
    for (let k = 0; k < names.length; k++) if (this.tree.kinds[indexes[k] as number] === kind) out.push(names[k] as string);
    return out;
  }

  /** Names of the subdirectories of `path`. */
  childDirs(path: string): string[] {
    return this.childrenOfKind(path, 0);
  }

  /** Names of the files in `path`. */
  childFiles(path: string): string[] {
    return this.childrenOfKind(path, 1);
  }

  /** Names of the symlinks in `path`. */
  childLinks(path: string): string[] {
    return this.childrenOfKind(path, 2);
  }

  /**
   * The files of `dir` that are settings (owner-read and owner-write bits,
   * read without error) with their text, one trailing newline dropped,
   * sorted by name: what a dump's attribute and parameter groups hold. One
   * pass over the directory, no lookup per file.
   */
  settingTexts(dir: string): [name: string, text: string][] {
    const own = this.kidsOf(dir);
    if (!own) return [];
    const { names, indexes } = own;
    const { kinds, modes, errnos } = this.tree;
    const out: [string, string][] = [];
    for (let k = 0; k < names.length; k++) {
      const i = indexes[k] as number;
      if (kinds[i] !== 1 || ((modes[i] as number) & 0o600) !== 0o600 || errnos[i] !== 0) continue;
      out.push([names[k] as string, this.valueText(i)]);
    }
    return out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  }

  /** The raw bytes of a file as the kernel returned them; undefined when absent or unread. */
  raw(path: string): Buffer | undefined {
    return this.rawAt(this.index.get(path));
  }

  /** A file's value as text (one trailing newline dropped); undefined when absent, write-only or unreadable. */
  text(path: string): string | undefined {
    return this.textAt(this.index.get(path));
  }

  /** The entry index of `path` (what the `…At` methods take; {@link BASE_ENTRY} for the snapshot's base directory), or undefined when absent. */
  entryIndex(path: string): number | undefined {
    return path === this.base ? BASE_ENTRY : this.index.get(path);
  }

  /**
   * The children of the directory at entry index `i`: their names, sorted,
   * and their entry indexes in the same order (both empty when `i` is no
   * directory). With {@link kindAt}, {@link textAt} and {@link linkAt} a
   * reader walks a subtree without building or hashing a path per node.
   */
  childrenAt(i: number): { readonly names: readonly string[]; readonly indexes: readonly number[] } {
    return (i === BASE_ENTRY ? this.baseKids : this.kids[i]) ?? NO_CHILDREN;
  }

  /** The root-relative path of the entry at index `i` (the base's for {@link BASE_ENTRY}); undefined past the last entry. With base '' it is the tree's own string. */
  private pathAt(i: number): string | undefined {
    if (i === BASE_ENTRY) return this.base;
    const rel = this.tree.paths[i];
    return rel === undefined || this.base === '' ? rel : `${this.base}/${rel}`;
  }

  /** The kind of the entry at index `i`. */
  kindAt(i: number): NodeKind | undefined {
    return i === BASE_ENTRY ? 'dir' : KINDS[this.tree.kinds[i] as number];
  }

  /** {@link raw} of the entry at index `i`. */
  rawAt(i: number | undefined): Buffer | undefined {
    return this.isReadFile(i) ? this.tree.data.subarray(this.tree.offsets[i], this.tree.offsets[i + 1]) : undefined;
  }

  /** {@link text} of the entry at index `i`. */
  textAt(i: number | undefined): string | undefined {
    return this.isReadFile(i) ? this.valueText(i) : undefined;
  }

  /** Whether the entry at index `i` is a file with its owner-read bit, read without error (what {@link raw} and {@link text} answer for). */
  private isReadFile(i: number | undefined): i is number {
    if (i === undefined || this.tree.kinds[i] !== 1) return false;
    return this.tree.errnos[i] === 0 && ((this.tree.modes[i] as number) & 0o400) !== 0;
  }

  /** The text of the file at entry index `i` (one trailing newline dropped), whatever its mode and errno. */
  private valueText(i: number): string {
    const { data, offsets } = this.tree;
    const start = offsets[i] as number;
    let end = offsets[i + 1] as number;
    if (this.dataText === undefined) this.dataText = isAscii(data) ? data.toString('latin1') : null;
    if (this.dataText === null) return attributeText(data.subarray(start, end));
    if (end > start && this.dataText.charCodeAt(end - 1) === 0x0a) end--;
    return this.dataText.slice(start, end);
  }

  /**
   * {@link text} of the entry at index `i` when it is a setting as
   * {@link settingTexts} has them (owner-read and owner-write bits, read
   * without error); otherwise undefined.
   */
  settingTextAt(i: number | undefined): string | undefined {
    if (i === undefined || ((this.tree.modes[i] as number) & 0o600) !== 0o600) return undefined;
    return this.textAt(i);
  }

  /** The negative errno the read of a file failed with, or 0. */
  readErrno(path: string): number {
    const i = this.index.get(path);
    return i === undefined ? 0 : (this.tree.errnos[i] as number);
  }

  /** Whether the file has its owner-read bit. */
  isReadable(path: string): boolean {
    return ((this.mode(path) ?? 0) & 0o400) !== 0;
  }

  /** Whether the file has its owner-write bit. */
  isWritable(path: string): boolean {
    return ((this.mode(path) ?? 0) & 0o200) !== 0;
  }

  /** A symlink's target resolved to a root-relative path; undefined when not a link, null when outside the root. */
  link(path: string): string | null | undefined {
    const i = this.index.get(path);
    return i === undefined ? undefined : this.linkAt(i);
  }

  /** The target of the symlink at index `i` as the kernel returned it (not resolved); undefined when it is no link. */
  linkTargetAt(i: number): string | undefined {
    return this.tree.links[i] ?? undefined;
  }

  /** {@link link} of the entry at index `i`. */
  linkAt(i: number): string | null | undefined {
    const target = this.tree.links[i];
    if (target === null || target === undefined) return undefined;
    let to = this.resolved.get(i);
    if (to === undefined) {
      to = resolveLinkUnder(this.pathAt(i) as string, target, this.rootParts);
      this.resolved.set(i, to);
    }
    return to;
  }
}
