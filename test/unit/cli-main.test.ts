/**
 * The `rtslib` command run in-process through `main()`: exit codes, the
 * one-line error contract, help and version, and the verbs that only read
 * (ls, diff, apply --dry-run) and save, against a fake target root built from
 * the reference configfs listing (test/fixtures/reference/configfs-tree-linux-6.1.txt).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Readable, Writable } from 'node:stream';
import { existsSync, statfsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { main, type CliIO } from '../../src/cli/main.js';
import { REFERENCE_DIR, buildFakeTargetRoot } from './support/fake-target-root.js';

const REFERENCE_CONFIG = join(REFERENCE_DIR, 'rtslib-fb-2.1.75-saveconfig.json');
const PASSWORD = 'secret123456';

/** A stream that keeps what is written to it. */
class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.text += chunk.toString();
    done();
  }
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(...argv: string[]): Promise<Run> {
  return runWithInput(undefined, ...argv);
}

/** `run` with `input` as standard input. */
async function runWithInput(input: string | undefined, ...argv: string[]): Promise<Run> {
  const stdout = new Capture();
  const stderr = new Capture();
  const io: CliIO = { stdout, stderr, isTTY: false, ...(input === undefined ? {} : { stdin: Readable.from([Buffer.from(input)]) }) };
  const code = await main(argv, io);
  return { code, stdout: stdout.text, stderr: stderr.text };
}

/** Asserts the error contract: exactly one line `rtslib: ...` on stderr, no stack trace. */
function expectOneErrorLine(r: Run): string {
  const lines = r.stderr.split('\n');
  expect(lines).toHaveLength(2);
  expect(lines[1]).toBe('');
  expect(lines[0]).toMatch(/^rtslib: \S/);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  return lines[0]!;
}

let tmp = '';
let root = '';

/** Every path below a directory with its kind, to check that nothing was written. */
function listing(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .map((e) => `${e.isDirectory() ? 'D' : e.isSymbolicLink() ? 'L' : 'F'} ${join(e.parentPath, e.name)}`)
    .sort();
}

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'rtslib-cli-'));
  root = join(tmp, 'target');
  // the fake root is a plain directory (said explicitly), with a lock file and journal directory of its own
  process.env['RTSLIB_PLAIN_DIRECTORY'] = '1';
  process.env['RTSLIB_LOCK_FILE'] = join(tmp, 'targetcli.lock');
  process.env['RTSLIB_STATE_DIR'] = join(tmp, 'state');
  buildFakeTargetRoot(root);
  writeFileSync(join(tmp, 'malformed.json'), '{ "storage_objects": [ ');
  writeFileSync(join(tmp, 'invalid.json'), JSON.stringify({ storage_objects: [{ plugin: 'ramdisk', name: 'r' }] }));
  writeFileSync(join(tmp, 'empty.json'), '{}');
});

afterAll(() => {
  delete process.env['RTSLIB_PLAIN_DIRECTORY'];
  delete process.env['RTSLIB_LOCK_FILE'];
  delete process.env['RTSLIB_STATE_DIR'];
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('usage errors exit 2 with one line and a hint', () => {
  test('unknown command', async () => {
    const r = await run('frobnicate');
    expect(r.code).toBe(2);
    expect(expectOneErrorLine(r)).toBe("rtslib: unknown command 'frobnicate' (see 'rtslib --help')");
    expect(r.stdout).toBe('');
  });

  test('a misspelt command gets a suggestion', async () => {
    const r = await run('lss');
    expect(r.code).toBe(2);
    expect(expectOneErrorLine(r)).toContain('Did you mean ls?');
  });

  test('unknown option, global and per command (hint names the command)', async () => {
    const global = await run('--frob');
    expect(global.code).toBe(2);
    expect(expectOneErrorLine(global)).toBe("rtslib: unknown option '--frob' (see 'rtslib --help')");
    const local = await run('--configfs', root, 'ls', '--frob');
    expect(local.code).toBe(2);
    expect(expectOneErrorLine(local)).toBe("rtslib: unknown option '--frob' (see 'rtslib ls --help')");
  });

  test('apply without its file', async () => {
    const r = await run('apply');
    expect(r.code).toBe(2);
    expect(expectOneErrorLine(r)).toBe("rtslib: missing required argument 'file' (see 'rtslib apply --help')");
  });

  test('too many arguments, missing option value, no command', async () => {
    expect((await run('save', 'a', 'b')).code).toBe(2);
    const r = await run('restore', '--target');
    expect(r.code).toBe(2);
    expectOneErrorLine(r);
    const empty = await run('--configfs', '', 'ls');
    expect(empty.code).toBe(2);
    expect(expectOneErrorLine(empty)).toContain("option '--configfs <dir>' argument '' is invalid");
    for (const bad of ['-1', 'soon', '']) {
      const timeout = await run('--timeout', bad, 'clear');
      expect(timeout.code).toBe(2);
      expect(expectOneErrorLine(timeout)).toContain(`option '--timeout <seconds>' argument '${bad}' is invalid. Must be a number of seconds, 0 or more.`);
    }
    const none = await run();
    expect(none.code).toBe(2);
    expect(expectOneErrorLine(none)).toBe("rtslib: missing command (see 'rtslib --help')");
  });
});

describe('help and version exit 0 on stdout', () => {
  test('--help lists the verbs and documents the exit codes', async () => {
    const r = await run('--help');
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    for (const verb of ['ls', 'save', 'restore', 'clear', 'apply', 'diff', 'discover']) expect(r.stdout).toMatch(new RegExp(`^  ${verb} `, 'm'));
    expect(r.stdout).toContain('--configfs <dir>');
    expect(r.stdout).toMatch(/Exit codes:\n {2}0 .*\n {2}1 .*\n {2}2 +usage error/);
    expect(r.stdout).toContain('invalid config content (malformed JSON, schema error)');
  });

  test('help for a verb, both spellings', async () => {
    const a = await run('apply', '--help');
    const b = await run('help', 'apply');
    expect(a.code).toBe(0);
    expect(b.code).toBe(0);
    expect(a.stdout).toContain('Usage: rtslib apply [options] <file>');
    expect(a.stdout).toContain('--dry-run');
    expect(a.stdout.indexOf('--configfs <dir>')).toBeGreaterThan(a.stdout.indexOf('Global Options:'));
    expect(a.stdout).toContain('Global Options:');
    expect(b.stdout).toBe(a.stdout);
  });

  test('--version prints the package version', async () => {
    const r = await run('--version');
    const pkg = JSON.parse(readFileSync(resolve(import.meta.dirname, '../../package.json'), 'utf8')) as { version: string };
    expect(r).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: '' });
  });
});

describe('config files: invalid content exits 2, a missing file exits 1', () => {
  test('diff with malformed JSON', async () => {
    const file = join(tmp, 'malformed.json');
    const r = await run('--configfs', root, 'diff', file);
    expect(r.code).toBe(2);
    expect(expectOneErrorLine(r)).toMatch(new RegExp(`^rtslib: invalid config ${file}: \\$: not valid JSON`));
    expect(r.stdout).toBe('');
  });

  test('apply with a schema error names the JSON path', async () => {
    const r = await run('--configfs', root, 'apply', join(tmp, 'invalid.json'));
    expect(r.code).toBe(2);
    expect(expectOneErrorLine(r)).toContain('storage_objects[0].size');
  });

  test('restore from a file that does not exist', async () => {
    const file = join(tmp, 'missing.json');
    const r = await run('--configfs', root, 'restore', file);
    expect(r.code).toBe(1);
    const line = expectOneErrorLine(r);
    expect(line).toContain('ENOENT');
    expect(line).toContain(file);
  });
});

describe('against a fake target root (the reference setup)', () => {
  test('ls draws the tree without the CHAP password', async () => {
    const r = await run('--configfs', root, 'ls');
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).not.toContain(PASSWORD);
    // as targetcli draws it: dot leaders, [summary] at column 80 ([...] when there is none)
    const lines = r.stdout.split('\n').map((l) => l.replace(/ \.{3,} \[(.*)\]$/, (_, summary: string) => (summary === '...' ? '' : ` [${summary}]`)));
    expect(r.stdout.split('\n')[0]).toMatch(/^o- \/ \.+ \[\.\.\.\]$/);
    expect(lines[0]).toBe('o- /');
    for (const line of [
      '  | | o- file1 [/tmp/bs/file1.img (64.0MiB) write-back activated]',
      '  |     | o- group_a [(iqn.1994-05.com.redhat:client1), Mapped LUNs: 2]',
      '  |     |   o- mapped_lun1 [lun1 block/block1 (ro)]',
      '  |     | o- lun0 [fileio/file1 (/tmp/bs/file1.img) (default_tg_pt_gp)]',
      '  |       o- [::1]:3261 [OK]',
      // the loopback target is its TPG, with the nexus the tree holds
      '    o- naa.5001405c73a169b8 [naa.50014055d755532a]',
      '        o- lun0 [ramdisk/null1 (default_tg_pt_gp)]',
    ])
      expect(lines).toContain(line);
  });

  test('ls PATH draws that subtree; an unknown path is a usage error', async () => {
    const r = await run('--configfs', root, 'ls', '/backstores/fileio');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n')[0]).toMatch(/^o- fileio \.+ \[Storage Objects: 1\]$/);
    expect(r.stdout.split('\n')[1]).toMatch(/^ {2}o- file1 \.+ \[/);
    expect(r.stdout).not.toMatch(/ramdisk|iscsi/);
    const bad = await run('--configfs', root, 'ls', '/no/such');
    expect(bad.code).toBe(2);
    expect(expectOneErrorLine(bad)).toMatch(/no such path in the tree: \/no\/such/);
  });

  test('ls --json is the dump without passwords', async () => {
    const r = await run('ls', '--json', '--configfs', root);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain(PASSWORD);
    expect(r.stdout).not.toMatch(/password/);
    const config = JSON.parse(r.stdout) as { targets: { wwn: string }[] };
    expect(config.targets.map((t) => t.wwn).sort()).toEqual(['iqn.2003-01.org.linux-iscsi.ref:t1', 'naa.5001405c73a169b8']);
  });

  test('diff against the reference config: no differences, exit 0', async () => {
    const r = await run('--configfs', root, 'diff', REFERENCE_CONFIG);
    expect(r).toEqual({ code: 0, stdout: 'no differences\n', stderr: '' });
  });

  test('diff against an empty config lists removals and exits 0; apply --dry-run --prune prints the same and writes nothing', async () => {
    const before = listing(root);
    const diff = await run('--configfs', root, 'diff', join(tmp, 'empty.json'));
    expect(diff.code).toBe(0);
    const planned = diff.stdout.trimEnd().split('\n');
    expect(planned).toContain('- remove storage object fileio/file1');
    expect(planned).toContain('- remove target loopback naa.5001405c73a169b8');
    expect(planned.every((l) => /^[-+~] |^ {4}/.test(l))).toBe(true);
    const dry = await run('--configfs', root, 'apply', '--dry-run', '--prune', join(tmp, 'empty.json'));
    expect(dry.code).toBe(0);
    const lines = dry.stdout.trimEnd().split('\n');
    expect(lines.slice(0, -1)).toEqual(planned);
    expect(lines.at(-1)).toMatch(/^dry run: \d+ steps, \d+ operations, nothing written$/);
    expect(listing(root)).toEqual(before);
  });

  test('diff --exit-code: 0 without differences, 3 with them (the plan still printed), errors stay 1 and 2', async () => {
    expect(await run('--configfs', root, 'diff', '--exit-code', REFERENCE_CONFIG)).toEqual({ code: 0, stdout: 'no differences\n', stderr: '' });
    const changed = await run('--configfs', root, 'diff', '--exit-code', join(tmp, 'empty.json'));
    expect(changed.code).toBe(3);
    expect(changed.stderr).toBe('');
    expect(changed.stdout).toContain('- remove storage object fileio/file1');
    expect((await run('--configfs', root, 'diff', '--exit-code', join(tmp, 'nope.json'))).code).toBe(1);
  });

  test('--json: one document with the steps (secrets never shown); --quiet: nothing on stdout', async () => {
    const same = await run('--configfs', root, 'diff', '--json', REFERENCE_CONFIG);
    expect(same.code).toBe(0);
    expect(JSON.parse(same.stdout)).toEqual({ command: 'diff', dryRun: true, steps: [], done: null, warnings: [] });
    const diff = await run('--configfs', root, 'diff', '--json', join(tmp, 'empty.json'));
    const doc = JSON.parse(diff.stdout) as { steps: { action: string; object: string; operations: number }[] };
    expect(doc.steps.length).toBeGreaterThan(5);
    expect(doc.steps).toContainEqual(expect.objectContaining({ action: 'remove', object: 'storage object fileio/file1' }));
    expect(doc.steps.every((s) => s.operations > 0)).toBe(true);
    const dry = await run('--configfs', root, 'apply', '--dry-run', '--prune', '--json', join(tmp, 'empty.json'));
    expect(JSON.parse(dry.stdout)).toEqual({ ...doc, command: 'apply' });
    expect(dry.stdout + diff.stdout).not.toContain(PASSWORD);
    expect(await run('--configfs', root, 'apply', '--quiet', join(tmp, 'empty.json'))).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(await run('--configfs', root, 'diff', '--quiet', '--exit-code', join(tmp, 'empty.json'))).toEqual({ code: 3, stdout: '', stderr: '' });
    expect(await run('--configfs', root, 'diff', '--quiet', '--exit-code', REFERENCE_CONFIG)).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  test('- is standard input for diff, apply and restore, and standard output for save', async () => {
    const text = readFileSync(REFERENCE_CONFIG, 'utf8');
    expect(await runWithInput(text, '--configfs', root, 'diff', '-')).toEqual({ code: 0, stdout: 'no differences\n', stderr: '' });
    expect(await runWithInput('{}', '--configfs', root, 'apply', '-')).toEqual({ code: 0, stdout: 'nothing to do\n', stderr: '' });
    const bad = await runWithInput('{"storage_objects": [}', '--configfs', root, 'restore', '-');
    expect(bad.code).toBe(2);
    expect(expectOneErrorLine(bad)).toMatch(/<stdin>/);
    const before = listing(root);
    const saved = await run('--configfs', root, 'save', '-');
    expect(saved.code, saved.stderr).toBe(0);
    // the same document a file gets (secrets included), and no file named '-'
    const file = join(tmp, 'stdout-compare.json');
    expect((await run('--configfs', root, 'save', '--no-backup', file)).code).toBe(0);
    expect(saved.stdout).toBe(readFileSync(file, 'utf8'));
    expect(saved.stdout).toContain(PASSWORD);
    expect(existsSync('-')).toBe(false);
    expect(listing(root)).toEqual(before);
    expect((await run('--configfs', root, 'save', '-', '--target', 'naa.5001405c73a169b8')).code).toBe(2);
  });

  test('apply without --prune of an empty config has nothing to do', async () => {
    const r = await run('--configfs', root, 'apply', join(tmp, 'empty.json'));
    expect(r).toEqual({ code: 0, stdout: 'nothing to do\n', stderr: '' });
  });

  test('a root that is not on configfs is refused before anything is written (unless declared a plain directory)', async () => {
    const before = listing(root);
    delete process.env['RTSLIB_PLAIN_DIRECTORY'];
    try {
      for (const args of [['apply', '--prune', join(tmp, 'empty.json')], ['clear'], ['restore', REFERENCE_CONFIG], ['recover']]) {
        const r = await run('--configfs', root, ...args);
        expect(r.code, args.join(' ')).toBe(1);
        expect(expectOneErrorLine(r)).toBe(`rtslib: ${root} is not on configfs (filesystem type 0x${statfsSync(root).type.toString(16)}): refusing to write there`);
      }
    } finally {
      process.env['RTSLIB_PLAIN_DIRECTORY'] = '1';
    }
    expect(listing(root)).toEqual(before);
    // reading is fine
    expect((await run('--configfs', root, 'ls')).code).toBe(0);
  });

  test('save writes the config with its secrets, mode 0600, and prints one line', async () => {
    const file = join(tmp, 'etc', 'saveconfig.json');
    const r = await run('--configfs', root, 'save', file);
    expect(r).toEqual({ code: 0, stdout: `saved ${file}\n`, stderr: '' });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toContain(PASSWORD);
    writeFileSync(file, '{}');
    const again = await run('--configfs', root, 'save', file);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(new RegExp(`^saved ${file} \\(backup ${join(tmp, 'etc', 'backup')}/saveconfig-\\d{8}-\\d\\d:\\d\\d:\\d\\d-json\\.gz\\)\\n$`));
    writeFileSync(file, '{}');
    const none = await run('--configfs', root, 'save', '--no-backup', file);
    expect(none.stdout).toBe(`saved ${file}\n`);
  });

  test('a target root that does not exist is a runtime error naming errno and path', async () => {
    const missing = join(tmp, 'no-such-root');
    const r = await run('--configfs', missing, 'ls');
    expect(r.code).toBe(1);
    const line = expectOneErrorLine(r);
    expect(line).toContain('ENOENT');
    expect(line).toContain(missing);
  });
});
