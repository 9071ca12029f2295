/**
 * Persistent reservations that survive a restart (APTPL): the kernel writes
 * a storage object's registrations to `<dbroot>/pr/aptpl_<unit serial>`
 * when an initiator asks for APTPL; when the object is created again, they
 * are written back to its `pr/res_aptpl_metadata`, one registration a write,
 * before any LUN exports it (rtslib-fb's `_config_pr_aptpl`).
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CreationRecipe } from './storage-object.js';

/** Where rtslib-fb sets the kernel's dbroot (`/etc/target`); the kernel's own default is `/var/target`. */
export const DEFAULT_DBROOT = '/etc/target';

/** The dbroot `RTSRoot.open()` sets, the first that is a directory: Debian's and Ubuntu's rtslib-fb use the first, upstream's the second. */
export const PREFERRED_DBROOTS: readonly string[] = ['/etc/rtslib-fb-target', DEFAULT_DBROOT];

/** The name of the file the kernel keeps a storage object's APTPL registrations in, under `<dbroot>/pr`. */
function aptplName(unitSerial: string): string {
  return `aptpl_${unitSerial}`;
}

/** The file the kernel keeps a storage object's APTPL registrations in. */
function aptplFile(dbroot: string, unitSerial: string): string {
  return join(dbroot, 'pr', aptplName(unitSerial));
}

/**
 * The names of the files under `<dbroot>/pr` (empty when it cannot be
 * listed): a plan that creates many storage objects lists it once and
 * reads only the files that are there, instead of trying one per object.
 * @internal
 */
export async function savedRegistrationFiles(dbroot: string | null | undefined): Promise<ReadonlySet<string>> {
  if (!dbroot) return new Set();
  try {
    return new Set(await readdir(join(dbroot, 'pr')));
  } catch {
    return new Set();
  }
}

/**
 * The registrations saved for a storage object, each as the kernel takes it
 * back in `pr/res_aptpl_metadata` (the `key=value` lines of one
 * `PR_REG_START`…`PR_REG_END` block joined by commas); none when there is
 * no file or it is not one the kernel wrote.
 */
async function savedRegistrations(dbroot: string, unitSerial: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(aptplFile(dbroot, unitSerial), 'utf8');
  } catch {
    return [];
  }
  // one key=value a line; the block markers are whole lines (`PR_REG_START: 0`), as rtslib-fb reads them
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  if (!lines[0]?.startsWith('PR_REG_START:')) return [];
  const registrations: string[] = [];
  let current: string[] = [];
  for (const line of lines) {
    if (line.startsWith('PR_REG_START:')) current = [];
    else if (line.startsWith('PR_REG_END:')) registrations.push(current.join(','));
    else current.push(line);
  }
  return registrations;
}

/**
 * `recipe` with the registrations saved for its unit serial under `dbroot`
 * (none when there is no dbroot, no serial or nothing saved): what creating
 * the object writes back, by the model and by a restore alike. `present`,
 * the listing of `<dbroot>/pr` ({@link savedRegistrationFiles}), saves
 * trying to read a file it does not name.
 * @internal
 */
export async function withSavedRegistrations(recipe: CreationRecipe, dbroot: string | null | undefined, present?: ReadonlySet<string>): Promise<CreationRecipe> {
  if (!dbroot || recipe.wwn === undefined) return recipe;
  if (present && !present.has(aptplName(recipe.wwn))) return recipe;
  const aptplRegistrations = await savedRegistrations(dbroot, recipe.wwn);
  return aptplRegistrations.length ? { ...recipe, aptplRegistrations } : recipe;
}
