import { describe, expect, test } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cpioArchive } from '../../test/vm/initramfs.js';

describe('initramfs cpio writer', () => {
  test('writes a newc archive that cpio extracts byte for byte', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rtslib-cpio-'));
    try {
      const data = Buffer.from([0, 1, 2, 255, 10, 0x41]);
      const archive = cpioArchive([
        { name: 'bin', mode: 0o040755 },
        { name: 'bin/tool', mode: 0o100755, data },
        { name: 'init', mode: 0o100755, data: Buffer.from('#!/bin/sh\necho hi\n') },
      ]);
      expect(archive.length % 4).toBe(0);
      writeFileSync(join(dir, 'a.cpio'), archive);
      const r = spawnSync('sh', ['-c', 'if command -v cpio >/dev/null; then cpio -idm --quiet < a.cpio; else busybox cpio -idm < a.cpio; fi'], { cwd: dir, encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      expect(readFileSync(join(dir, 'bin/tool'))).toEqual(data);
      expect(readFileSync(join(dir, 'init'), 'utf8')).toBe('#!/bin/sh\necho hi\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
