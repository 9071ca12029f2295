/**
 * A tree of labelled nodes drawn as text the way targetcli draws its `ls`:
 * each node on one line, its summary in brackets at the right end, joined by
 * a dot leader (`[...]` for a node without one).
 *
 * ```
 * o- / ......................................................... [...]
 *   o- backstores .............................................. [...]
 *   | o- block .................................... [Storage Objects: 1]
 *   | | o- disk1 ............ [/dev/sdb (8.0MiB) write-thru deactivated]
 *   o- iscsi .............................................. [Targets: 0]
 * ```
 */
import { DEFAULT_WIDTH } from './cli-io.js';

/** One node of a drawn tree. */
export interface TreeNode {
  /** The node's name. */
  label: string;
  /** Short description shown in brackets at the right end (`...` when absent, as targetcli shows it). */
  summary?: string;
  /** Children, drawn in this order. */
  children?: readonly TreeNode[];
}

/** One node's line: `o- label`, a dot leader (at least 3 dots), `[summary]` ending at `width`. */
function line(head: string, summary: string | undefined, width: number): string {
  const tail = `[${summary ?? '...'}]`;
  const dots = Math.max(3, width - head.length - tail.length - 2);
  return `${head} ${'.'.repeat(dots)} ${tail}`;
}

function draw(node: TreeNode, prefix: string, childPrefix: string, width: number, lines: string[]): void {
  lines.push(line(`${prefix}o- ${node.label}`, node.summary, width));
  const children = node.children ?? [];
  children.forEach((child, i) => {
    const last = i === children.length - 1;
    draw(child, childPrefix, `${childPrefix}${last ? '  ' : '| '}`, width, lines);
  });
}

/** The lines drawing a tree, one per node, depth-first, each `width` columns wide unless its text needs more. */
export function renderTree(root: TreeNode, width = DEFAULT_WIDTH): string[] {
  const lines: string[] = [];
  draw(root, '', '  ', width, lines);
  return lines;
}

/**
 * The node at `path` (`/`-separated labels from the root, e.g.
 * `/iscsi/iqn.…/tpg1/acls`), or null when there is none.
 */
export function findNode(root: TreeNode, path: string): TreeNode | null {
  let node: TreeNode | undefined = root;
  for (const part of path.split('/').filter(Boolean)) {
    node = node.children?.find((c) => c.label === part);
    if (!node) return null;
  }
  return node;
}
