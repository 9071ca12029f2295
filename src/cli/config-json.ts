/**
 * What `rtslib ls --json` prints: the config as saveconfig.json, with every
 * CHAP and discovery password removed.
 */
import { redactSecrets } from '../model/dump.js';
import type { SaveConfig } from '../model/saveconfig-format.js';

/** Pretty JSON of a config without its secrets. */
export function configJson(config: SaveConfig): string {
  return JSON.stringify(redactSecrets(config), null, 2);
}
