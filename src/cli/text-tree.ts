/**
 * A tree of labelled nodes drawn as text the way targetcli draws its `ls`:
 *
 * ```
 * o- /
 *   o- backstores
 *   | o- block [Storage Objects: 1]
 *   |   o- disk1 [/dev/sdb, write-thru]
 *   o- iscsi [Targets: 0]
 * ```
 */

/** One node of a drawn tree. */
export interface TreeNode {
  /** The node's name (may include `-> target` for links). */
  label: string;
  /** Short description shown in brackets after the label. */
  summary?: string;
  /** Children, drawn in this order. */
  children?: readonly TreeNode[];
}

function draw(node: TreeNode, prefix: string, childPrefix: string, lines: string[]): void {
  lines.push(`${prefix}o- ${node.label}${node.summary ? ` [${node.summary}]` : ''}`);
  const children = node.children ?? [];
  children.forEach((child, i) => {
    const last = i === children.length - 1;
    draw(child, childPrefix, `${childPrefix}${last ? '  ' : '| '}`, lines);
  });
}

/** The lines drawing a tree, one per node, depth-first. */
export function renderTree(root: TreeNode): string[] {
  const lines: string[] = [];
  draw(root, '', '  ', lines);
  return lines;
}
