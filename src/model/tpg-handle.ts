/**
 * What the children of a TPG (its LUNs, node ACLs and network portals) need
 * of their TPG. {@link TPG} is one, and at run time a child's `tpg` is the
 * TPG object itself; typing it as this keeps the children's modules from
 * importing the TPG module that lists them (no import cycle).
 */
import type { CFSNode } from './cfs-node.js';
import type { Target } from './target.js';
import type { LUN } from './lun.js';

/** A TPG as its children see it: a configfs node with its target and tag. */
export type TPGHandle = Pick<CFSNode, 'cfs' | 'relativePath' | 'path' | 'describe' | 'exists'> & {
  /** The target the TPG belongs to. */
  readonly target: Target;
  /** The TPG's tag. */
  readonly tag: number;
  /** The object of its LUN `index` (no I/O). */
  lun(index: number): LUN;
};
