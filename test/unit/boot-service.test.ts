/**
 * What the package ships for the system: the man page rtslib(8), generated
 * from the command's own help (the committed page must be what the
 * generator makes of today's help, and render without warnings), and the
 * boot unit contrib/systemd/rtslib.service, a oneshot after the configfs
 * mount whose command, on a host with nothing saved, succeeds.
 * (Runs the compiled command in dist/: `npm test` builds it first.)
 */
import { describe, expect, test } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const repo = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'rtslib-boot-'));

describe('man page', () => {
  test('man/rtslib.8 is what the generator makes of the current help', () => {
    const fresh = join(dir, 'rtslib.8');
    const r = spawnSync(process.execPath, [join(repo, 'scripts/man-page.mjs'), fresh], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(join(repo, 'man/rtslib.8'), 'utf8'), 'run `npm run man` and commit man/rtslib.8').toBe(readFileSync(fresh, 'utf8'));
  });

  test('it documents every command and renders without warnings', () => {
    const page = readFileSync(join(repo, 'man/rtslib.8'), 'utf8');
    for (const command of ['ls', 'save', 'restore', 'clear', 'apply', 'diff', 'discover', 'recover']) expect(page).toContain(`.SS ${command}\n`);
    expect(page).toMatch(/RTSLIB_CONFIG/);
    if (!existsSync('/usr/bin/groff')) return;
    const r = spawnSync('groff', ['-man', '-Tutf8', '-ww', '-z', join(repo, 'man/rtslib.8')], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
  });
});

describe('boot unit', () => {
  const unit = readFileSync(join(repo, 'contrib/systemd/rtslib.service'), 'utf8');
  const settings = (section: string) =>
    Object.fromEntries(
      (new RegExp(`^\\[${section}\\]\\n([\\s\\S]*?)(?=^\\[|(?![\\s\\S]))`, 'm').exec(unit)?.[1] ?? '')
        .split('\n')
        .filter((l) => /^\w+=/.test(l))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );

  test("is a oneshot after the configfs mount that restores leniently, like Debian's rtslib-fb-targetctl.service", () => {
    expect(settings('Unit')).toMatchObject({ Requires: 'sys-kernel-config.mount', After: expect.stringContaining('sys-kernel-config.mount') });
    expect(settings('Service')).toMatchObject({ Type: 'oneshot', RemainAfterExit: 'yes', ExecStart: 'rtslib restore --lenient' });
    expect(settings('Service')).not.toHaveProperty('ExecStop'); // clearing on stop is opt-in
    expect(unit).toMatch(/^#ExecStop=rtslib clear$/m);
    expect(settings('Install')).toMatchObject({ WantedBy: 'multi-user.target' });
  });

  test('its command succeeds on a host with nothing saved, saying so, before touching the kernel', () => {
    const missing = join(dir, 'none', 'saveconfig.json');
    const argv = settings('Service').ExecStart!.split(' ').slice(1);
    const r = spawnSync(process.execPath, [join(repo, 'bin/rtslib.js'), '--configfs', join(dir, 'no-target-root'), ...argv], {
      encoding: 'utf8',
      env: { ...process.env, RTSLIB_CONFIG: missing },
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(`no saved configuration at ${missing}: nothing to restore\n`);
  });
});
