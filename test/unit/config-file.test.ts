/**
 * saveconfig.json on disk: atomic, durable writes with mode 0600, sorted keys
 * as rtslib-fb writes them, capped gzip backups, and clear read errors.
 */
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RTSLibConfigError, RTSLibError } from '../../src/index.js';
import { readConfigFile, writeConfigFile, validateConfig, defaultConfigFile, DEBIAN_CONFIG_FILE, type SaveConfig } from '../../src/config/index.js';
import { configText } from '../../src/config/config-file.js';

const REFERENCE = new URL('../fixtures/reference/rtslib-fb-2.1.75-saveconfig.json', import.meta.url);
let dir = '';
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rtslib-config-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const config = (): SaveConfig => validateConfig(JSON.parse(readFileSync(REFERENCE, 'utf8')));
const small = (n: number): SaveConfig => ({ storage_objects: [{ plugin: 'ramdisk', name: `r${n}`, size: 4096, alua_tpgs: [] }], targets: [], fabric_modules: [] });

describe('config files', () => {
  test('written with mode 0600, keys sorted and indented as rtslib-fb does, read back equal; no temporary file left', async () => {
    const file = join(dir, 'etc', 'saveconfig.json');
    await writeConfigFile(file, config());
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toBe(configText(config()));
    expect(readFileSync(file, 'utf8')).toBe(`${JSON.stringify(JSON.parse(readFileSync(REFERENCE, 'utf8')), null, 2)}\n`);
    expect(await readConfigFile(file)).toEqual(config());
    expect(readdirSync(join(dir, 'etc'))).toEqual(['saveconfig.json']);
  });

  test('an existing file is replaced, even when it was world-readable; the previous content goes to a gzip backup', async () => {
    const file = join(dir, 'saveconfig.json');
    writeFileSync(file, configText(small(1)));
    chmodSync(file, 0o644);
    const result = await writeConfigFile(file, small(2));
    expect(statSync(file).mode & 0o777).toBe(0o600);
    // targetcli's name: backup/saveconfig-YYYYMMDD-HH:MM:SS-json.gz, local time
    expect(result.backup).toMatch(/\/backup\/saveconfig-\d{8}-\d{2}:\d{2}:\d{2}-json\.gz$/);
    expect(gunzipSync(readFileSync(result.backup!)).toString()).toBe(configText(small(1)));
    expect(statSync(result.backup!).mode & 0o777).toBe(0o600);
    // unchanged content: no new backup
    expect((await writeConfigFile(file, small(2))).backup).toBeUndefined();
  });

  test('backups are capped: the oldest go first; one within the same second replaces the other, as with targetcli', async () => {
    const file = join(dir, 'saveconfig.json');
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      for (let i = 0; i < 6; i++) {
        vi.setSystemTime(new Date(2026, 11, 2, 13, 0, i));
        await writeConfigFile(file, small(i), { backups: 3 });
      }
      expect(readdirSync(join(dir, 'backup')).sort()).toEqual([
        'saveconfig-20261202-13:00:03-json.gz',
        'saveconfig-20261202-13:00:04-json.gz',
        'saveconfig-20261202-13:00:05-json.gz',
      ]);
      // the same second again: the newest backup is replaced
      await writeConfigFile(file, small(9), { backups: 3 });
      expect(readdirSync(join(dir, 'backup'))).toHaveLength(3);
    } finally {
      vi.useRealTimers();
    }
    const backups = readdirSync(join(dir, 'backup')).sort();
    expect(backups).toHaveLength(3);
    const contents = backups.map((b) => (JSON.parse(gunzipSync(readFileSync(join(dir, 'backup', b))).toString()) as SaveConfig).storage_objects![0]!.name);
    expect(contents.sort()).toEqual(['r2', 'r3', 'r5']);
    expect((await readConfigFile(file)).storage_objects![0]!.name).toBe('r9');
  });

  test('no backup when the file is what the newest backup holds (targetcli compares them)', async () => {
    const file = join(dir, 'saveconfig.json');
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(new Date(2026, 11, 2, 13, 0, 0));
      writeFileSync(file, configText(small(1)));
      expect((await writeConfigFile(file, small(2))).backup).toBeDefined();
      writeFileSync(file, configText(small(1))); // back to what the backup holds
      vi.setSystemTime(new Date(2026, 11, 2, 13, 0, 5));
      expect((await writeConfigFile(file, small(3))).backup).toBeUndefined();
      expect(readdirSync(join(dir, 'backup'))).toEqual(['saveconfig-20261202-13:00:00-json.gz']);
    } finally {
      vi.useRealTimers();
    }
  });

  test("the default file: $RTSLIB_CONFIG, else Debian's targetctl file where /etc/rtslib-fb-target exists, else /etc/target's", () => {
    expect(defaultConfigFile({ RTSLIB_CONFIG: '/srv/lio.json' }, () => true)).toBe('/srv/lio.json');
    expect(defaultConfigFile({}, (d) => d === '/etc/rtslib-fb-target')).toBe(DEBIAN_CONFIG_FILE);
    expect(DEBIAN_CONFIG_FILE).toBe('/etc/rtslib-fb-target/saveconfig.json');
    expect(defaultConfigFile({ RTSLIB_CONFIG: '' }, () => false)).toBe('/etc/target/saveconfig.json');
  });

  test('backups: 0 keeps none', async () => {
    const file = join(dir, 'saveconfig.json');
    await writeConfigFile(file, small(1), { backups: 0 });
    await writeConfigFile(file, small(2), { backups: 0 });
    expect(readdirSync(dir)).toEqual(['saveconfig.json']);
  });

  test('failures: a missing file, an unwritable place, malformed JSON', async () => {
    await expect(readConfigFile(join(dir, 'nope.json'))).rejects.toMatchObject({
      code: 'ENOENT',
      syscall: 'open',
      message: expect.stringMatching(/cannot read .*nope\.json: ENOENT/),
    });
    writeFileSync(join(dir, 'blocker'), 'x');
    const err = await writeConfigFile(join(dir, 'blocker', 'saveconfig.json'), small(1)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RTSLibError);
    expect((err as RTSLibError).code).toMatch(/^(ENOTDIR|EEXIST)$/);
    writeFileSync(join(dir, 'bad.json'), '{"storage_objects": [}');
    await expect(readConfigFile(join(dir, 'bad.json'))).rejects.toBeInstanceOf(RTSLibConfigError);
    await expect(writeConfigFile(join(dir, 'x.json'), small(1), { backups: -1 })).rejects.toThrow(/invalid backups/);
  });
});
