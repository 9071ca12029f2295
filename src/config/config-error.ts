/**
 * The error of a config that does not follow the saveconfig.json format, and
 * how its JSON paths are spelled. Kept apart from the schema so that code
 * which only reports such errors does not load the schema library.
 */
import { RTSLibError } from '../errors.js';

/** One problem found in a config, with the JSON path of the offending value. */
export interface ConfigIssue {
  /** e.g. `targets[0].tpgs[0].luns[2].storage_object` (`$` for the whole document). */
  path: string;
  /** What is wrong. */
  message: string;
}

/** A config file (or object) that does not follow the saveconfig.json format. Nothing was written. */
export class RTSLibConfigError extends RTSLibError {
  /** Every problem found, in document order. */
  readonly issues: readonly ConfigIssue[];
  constructor(issues: readonly ConfigIssue[], source?: string) {
    const first = issues[0];
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
    super(`invalid config${source ? ` ${source}` : ''}: ${first ? `${first.path}: ${first.message}` : 'unknown problem'}${more}`, { code: 'ERR_RTSLIB_CONFIG' });
    this.issues = issues;
  }
}

/**
 * Formats a zod path as a JSON path: `targets[0].tpgs[1].tag`; a key that is
 * not a plain identifier is quoted (`attributes["a b"]`), so hostile names
 * stay on one line and cannot pass for another path.
 */
export function jsonPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '$';
  return path
    .map((p, i) => {
      if (typeof p === 'number') return `[${p}]`;
      const key = String(p);
      return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `${i === 0 ? '' : '.'}${key}` : `[${JSON.stringify(key)}]`;
    })
    .join('');
}
