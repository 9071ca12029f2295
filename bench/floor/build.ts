/** Compiles the syscall-floor program (bench/floor/cfs_floor.c) and returns its path. */
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../../', import.meta.url));

/** Builds `.vm/bench/cfs_floor` (outside /tmp, so the guest sees it) and returns its path. */
export function buildFloor(): string {
  const out = join(repo, '.vm', 'bench');
  mkdirSync(out, { recursive: true });
  const binary = join(out, 'cfs_floor');
  const r = spawnSync('cc', ['-O2', '-Wall', '-Wextra', '-Wno-format-truncation', '-o', binary, join(repo, 'bench/floor/cfs_floor.c')], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error('could not compile bench/floor/cfs_floor.c');
  return binary;
}
