/**
 * Persistent reservations that survive a restart (APTPL): the kernel writes
 * a storage object's registrations to `<dbroot>/pr/aptpl_<unit serial>`
 * when an initiator asks for APTPL; when the object is created again, they
 * are written back to its `pr/res_aptpl_metadata`, one registration a write,
 * before any LUN exports it (rtslib-fb's `_config_pr_aptpl`).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CreationRecipe } from './storage-object.js';

/** Where rtslib-fb sets the kernel's dbroot (`/etc/target`); the kernel's own default is `/var/target`. */
export const DEFAULT_DBROOT = '/etc/target';

/** The dbroot `RTSRoot.open()` sets, the first that is a directory: Debian's and Ubuntu's rtslib-fb use the first, upstream's the second. */
export const PREFERRED_DBROOTS: readonly string[] = ['/etc/rtslib-fb-target', DEFAULT_DBROOT];

/** The file the kernel keeps a storage object's APTPL registrations in. */
function aptplFile(dbroot: string, unitSerial: string): string {
  return join(dbroot, 'pr', `aptpl_${unitSerial}`);
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
  const lines = text.split(/\s+/).filter((l) => l !== '');
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
 * the object writes back, by the model and by a restore alike.
 * @internal
 */
export async function withSavedRegistrations(recipe: CreationRecipe, dbroot: string | null | undefined): Promise<CreationRecipe> {
  if (!dbroot || recipe.wwn === undefined) return recipe;
  const aptplRegistrations = await savedRegistrations(dbroot, recipe.wwn);
  return aptplRegistrations.length ? { ...recipe, aptplRegistrations } : recipe;
}
