/**
 * The config file argument of `restore`, `apply` and `diff`: a path, or `-`
 * for standard input; read and checked before anything touches the kernel.
 */
import { loadConfigFile } from '../config/config-file.js';
import type { CheckedConfig } from '../config/schema.js';
import { text } from 'node:stream/consumers';
import type { CliIO } from './cli-io.js';

/** The file argument that means standard input or output. */
export const STDIO = '-';

/** Reads and checks the config named by `file` (`-`: standard input), strictly or with `lenient`. */
export async function readConfigArgument(file: string, io: CliIO, options: { lenient?: boolean } = {}): Promise<CheckedConfig> {
  if (file !== STDIO) return loadConfigFile(file, options);
  const { parseConfigText } = await import('../config/schema.js');
  return parseConfigText(await text(io.stdin ?? process.stdin), { source: '<stdin>', ...(options.lenient ? { lenient: true } : {}) });
}
