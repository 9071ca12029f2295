/**
 * A target root on a plain directory, built from the reference configfs
 * listing of kernel 6.1 (test/fixtures/reference/configfs-tree-linux-6.1.txt):
 * directories, files with their values and the kernel's owner mode bits,
 * symlinks. Host tests read it with the real native tree reader.
 */
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** The reference fixtures' directory. */
export const REFERENCE_DIR = resolve(import.meta.dirname, '../../fixtures/reference');

/** The reference listing's lines (`D dir/`, `F rw path = value`, `L link -> target`). */
export function referenceListing(): string[] {
  return readFileSync(join(REFERENCE_DIR, 'configfs-tree-linux-6.1.txt'), 'utf8').split('\n');
}

/** Materializes a listing (by default the reference one) under `dir`. */
export function buildFakeTargetRoot(dir: string, lines: readonly string[] = referenceListing()): void {
  const unescape = (v: string): string => v.replace(/\\x([0-9a-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
  for (const line of lines) {
    let m: RegExpExecArray | null;
    if ((m = /^D (.*)\/$/.exec(line))) mkdirSync(join(dir, m[1]!), { recursive: true });
    else if ((m = /^L (.*) -> (.*)$/.exec(line))) {
      mkdirSync(dirname(join(dir, m[1]!)), { recursive: true });
      symlinkSync(join(dir, m[2]!), join(dir, m[1]!));
    } else if ((m = /^F (\S\S) (.*?) = (.*)$/.exec(line))) {
      // the kernel's owner mode bits (rw, r-, -w): what a dump reads and saves depends on them
      mkdirSync(dirname(join(dir, m[2]!)), { recursive: true });
      writeFileSync(join(dir, m[2]!), `${unescape(m[3]!)}\n`, { mode: (m[1]![0] === 'r' ? 0o444 : 0) | (m[1]![1] === 'w' ? 0o200 : 0) });
    }
  }
}
