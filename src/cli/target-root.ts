/**
 * The global `--configfs DIR` option and the {@link RTSRoot} it opens.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { RTSRoot } from '../model/rts-root.js';

/** Options every command accepts (declared on the program). */
export interface GlobalOptions {
  /** The LIO target root in configfs (default `/sys/kernel/config/target`). */
  configfs: string;
}

/** The target tree a command works on: the one `--configfs` names (relative paths are taken from the working directory). */
export function targetRoot(command: Command): RTSRoot {
  const { configfs } = command.optsWithGlobals<GlobalOptions>();
  return new RTSRoot({ configfs: resolve(configfs) });
}
