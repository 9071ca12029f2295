/**
 * What `rtslib ls --json` prints: the config as saveconfig.json, with every
 * CHAP and discovery password removed.
 */
import { redactSecrets } from '../config/dump.js';
import type { SaveConfig } from '../config/schema.js';

/** Pretty JSON of a config without its secrets. */
export function configJson(config: SaveConfig): string {
  return JSON.stringify(redactSecrets(config), null, 2);
}
