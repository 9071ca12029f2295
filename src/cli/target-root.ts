/**
 * The global options that say which target tree a command works on and how
 * it shares it (`--configfs`, `--lock-timeout`, `--timeout`, `--state-dir`), and the
 * {@link RTSRoot} they open.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { RTSRoot } from '../model/rts-root.js';
import type { CliIO } from './cli-io.js';

/** The longest per-call timeout the engine takes (about 24 days). */
const MAX_TIMEOUT_MS = 0x7fffffff;

/** Options every command accepts (declared on the program). */
export interface GlobalOptions {
  /** The LIO target root in configfs (default `/sys/kernel/config/target`). */
  configfs: string;
  /** Seconds a write or save waits for the configfs lock. */
  lockTimeout?: number;
  /** Seconds one configfs call of a write may take (0 or absent: no limit). */
  timeout?: number;
  /** Where write runs keep their crash-recovery journal. */
  stateDir?: string;
}

/**
 * The target tree a command works on: the one `--configfs` names (relative
 * paths are taken from the working directory). The object model (and the
 * native addon) is loaded here, when a command needs it, not at start-up.
 * Notices (waiting for the lock, a recovered run) go to stderr as one line
 * each. `RTSLIB_PLAIN_DIRECTORY=1` lets tests use a plain directory.
 */
export async function targetRoot(command: Command, io: CliIO): Promise<RTSRoot> {
  const { configfs, lockTimeout, timeout, stateDir } = command.optsWithGlobals<GlobalOptions>();
  const { RTSRoot } = await import('../model/rts-root.js');
  return new RTSRoot({
    configfs: resolve(configfs),
    ...(lockTimeout === undefined ? {} : { lockTimeoutMs: lockTimeout * 1000 }),
    ...(timeout ? { timeoutMs: Math.min(Math.ceil(timeout * 1000), MAX_TIMEOUT_MS) } : {}),
    ...(stateDir === undefined ? {} : { stateDir: resolve(stateDir) }),
    ...(process.env['RTSLIB_PLAIN_DIRECTORY'] === '1' ? { plainDirectory: true } : {}),
    onNotice: (message) => {
      io.stderr.write(`rtslib: ${message}\n`);
    },
  });
}
