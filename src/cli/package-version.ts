/**
 * The version `rtslib --version` prints: the package's own.
 */
import { readFileSync } from 'node:fs';

/** The `version` of this package's package.json (`src/cli` and `dist/cli` both sit two levels below it). */
export function packageVersion(): string {
  const manifest: unknown = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
  const version = typeof manifest === 'object' && manifest !== null ? (manifest as Record<string, unknown>)['version'] : undefined;
  return typeof version === 'string' ? version : 'unknown';
}
