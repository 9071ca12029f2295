/**
 * The global `--configfs DIR` option and the {@link RTSRoot} it opens.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { RTSRoot } from '../model/rts-root.js';

/** Options every command accepts (declared on the program). */
export interface GlobalOptions {
  /** The LIO target root in configfs (default `/sys/kernel/config/target`). */
  configfs: string;
}

/**
 * The target tree a command works on: the one `--configfs` names (relative
 * paths are taken from the working directory). The object model (and the
 * native addon) is loaded here, when a command needs it, not at start-up.
 */
export async function targetRoot(command: Command): Promise<RTSRoot> {
  const { configfs } = command.optsWithGlobals<GlobalOptions>();
  const { RTSRoot } = await import('../model/rts-root.js');
  return new RTSRoot({ configfs: resolve(configfs) });
}
