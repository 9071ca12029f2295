/**
 * Hostile input on the real kernel: values with newlines, NUL, control
 * characters, `,` and `=` where they would be embedded in a control string,
 * names and WWNs that are not what the kernel takes, attribute and
 * parameter names that are paths, and a target root that is not configfs.
 * Through the command (exit 2, one line, nothing written: the tree stays
 * byte for byte the same) and the library (typed errors before any write).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import {
  FileIOStorageObject,
  NodeACL,
  RDMCPStorageObject,
  RTSLibError,
  RTSLibInvalidArgumentError,
  RTSRoot,
  Target,
  TPG,
  UserBackedStorageObject,
  executePlan,
  planClear,
  planRestore,
  type SaveConfig,
} from '../../src/index.js';
import { rtslibInProcess } from './support/cli-in-process.js';
import { BACKING_DIR, configA, fingerprint, makeBackingFiles, treeDiff, writeConfig } from './support/write-scenarios.js';

const root = new RTSRoot();
let before: Awaited<ReturnType<typeof fingerprint>> = new Map();

/** Runs the command in this process (no start-up cost) and returns exit code and stderr. */
async function rtslib(...argv: string[]): Promise<{ code: number; stderr: string }> {
  const r = await rtslibInProcess(...argv);
  return { code: r.status, stderr: r.stderr };
}

/** A valid config with one field replaced. */
function hostile(edit: (c: any) => void): SaveConfig {
  const c = configA(3, { loopback: false }) as any;
  edit(c);
  return c as SaveConfig;
}

// One case a line: the table reads better than Prettier's layout.
// prettier-ignore
const CASES: [string, (c: any) => void][] = [
  ['a comma in a fileio path (control string injection)', (c) => { c.storage_objects[0].dev = `${BACKING_DIR}/d0.img,fd_dev_size=1`; }],
  ['an = in a fileio path', (c) => { c.storage_objects[0].dev = `${BACKING_DIR}/x=y.img`; }],
  ['a newline in a fileio path', (c) => { c.storage_objects[0].dev = `${BACKING_DIR}/d0.img\nfd_buffered_io=1`; }],
  ['a comma in a block device path', (c) => { c.storage_objects.push({ plugin: 'block', name: 'b', dev: '/dev/loop0,readonly=0' }); }],
  ['a comma in a TCMU config', (c) => { c.storage_objects.push({ plugin: 'user', name: 'u', size: 1048576, config: 'file/x,dev_size=1' }); }],
  ['an unknown key in a TCMU control string', (c) => { c.storage_objects.push({ plugin: 'user', name: 'u', size: 1048576, config: 'file/x', control: 'dev_config=evil/y' }); }],
  ['a newline in a TCMU control string', (c) => { c.storage_objects.push({ plugin: 'user', name: 'u', size: 1048576, config: 'file/x', control: 'max_data_area_mb=8\nhw_block_size=1' }); }],
  ['a parameter value smuggling a second parameter', (c) => { c.targets[0].tpgs[0].parameters.MaxRecvDataSegmentLength = '8192\nMaxBurstLength=512'; }],
  ['an attribute value with a newline', (c) => { c.targets[0].tpgs[0].attributes.authentication = '0\n1'; }],
  ['an attribute name that is a path', (c) => { c.storage_objects[0].attributes = { '../enable': 0 }; }],
  ['a parameter name that is a path', (c) => { c.targets[0].tpgs[0].parameters = { '../../../dbroot': '/tmp' }; }],
  ['a target WWN with a newline', (c) => { c.targets[0].wwn += '\n'; }],
  ['a node WWN with NUL', (c) => { c.targets[0].tpgs[0].node_acls[1].node_wwn += '\0x'; }],
  ['an IQN longer than the kernel takes', (c) => { c.targets[0].wwn = `iqn.2003-01.org.example:${'x'.repeat(220)}`; }],
  ['a storage object name with a slash', (c) => { c.storage_objects[1].name = 'a/b'; }],
  ['a storage object name ..', (c) => { c.storage_objects[1].name = '..'; }],
  ['a CHAP password with a newline', (c) => { c.targets[0].tpgs[0].node_acls[0].chap_password = 'pass\nword'; }],
  ['an ACL tag with a control character', (c) => { c.targets[0].tpgs[0].node_acls[0].tag = 'tag\x1b[2J'; }],
  ['a LUN alias that is a path', (c) => { c.targets[0].tpgs[0].luns[0].alias = '../../x'; }],
  ['a portal address with a comma', (c) => { c.targets[0].tpgs[0].portals[0].ip_address = '127.0.0.1,x'; }],
  ['an ALUA group name that is a path', (c) => { c.storage_objects[0].alua_tpgs[0].name = '../../alua/x'; }],
];

beforeAll(async () => {
  makeBackingFiles(5);
  await root.cfs.exclusive(async () => executePlan(root, await planRestore(root, configA(3, { loopback: false })), { command: 'restore' }));
  before = await fingerprint();
});

afterAll(async () => {
  await root.cfs.exclusive(async () => executePlan(root, await planClear(root), { command: 'clear' }));
  rmSync(BACKING_DIR, { recursive: true, force: true });
});

describe('hostile input through the command: exit 2, one line, nothing written', () => {
  test.each(CASES)('%s', async (_name, edit) => {
    const file = writeConfig(`${BACKING_DIR}/hostile.json`, hostile(edit));
    for (const verb of [['apply', '--prune'], ['restore']]) {
      const r = await rtslib(...verb, file);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/^rtslib: invalid config .*\n$/);
      expect(r.stderr).not.toMatch(/pass\nword|secretpass/);
      expect(treeDiff(before, await fingerprint())).toEqual([]);
    }
  });
});

describe('hostile input through the library: typed errors before any write', () => {
  test('storage objects, targets, ACLs, attributes and parameters', async () => {
    const tpg = await TPG.open(await Target.open(root, 'iscsi', { wwn: 'iqn.2003-01.org.linux-iscsi.safety:t1' }), { tag: 1, mode: 'lookup' });
    const attempts: (() => Promise<unknown>)[] = [
      () => FileIOStorageObject.open(root, 'h1', { dev: `${BACKING_DIR}/d4.img,fd_dev_size=1`, size: '1M' }),
      () => FileIOStorageObject.open(root, 'h1', { dev: `${BACKING_DIR}/d4.img\n`, size: '1M' }),
      () => UserBackedStorageObject.open(root, 'h2', { config: 'file/x=y', size: '1M' }),
      () => UserBackedStorageObject.open(root, 'h2', { config: 'file/x', size: '1M', control: 'max_data_area_mb=8,dev_size=1' }),
      () => RDMCPStorageObject.open(root, 'h3\n', { size: '1M' }),
      () => RDMCPStorageObject.open(root, 'h3', { size: '1M', wwn: 'serial\nx' }),
      () => RDMCPStorageObject.open(root, 'h3', { size: '1M', attributes: { '../enable': 0 } }),
      () => Target.open(root, 'iscsi', { wwn: 'iqn.2003-01.org.example:t\n' }),
      () => NodeACL.open(tpg, 'iqn.1994-05.com.redhat:x', { tag: 'a\nb' }),
      () => tpg.setParameter('MaxRecvDataSegmentLength', '8192\nMaxBurstLength=512'),
      () => tpg.setParameter('../enable', '1'),
      () => tpg.setAttribute('../../enable', 0),
      () => tpg.setAuthAttribute('password', 'a\nb'),
    ];
    for (const attempt of attempts) {
      await expect(attempt()).rejects.toBeInstanceOf(RTSLibInvalidArgumentError);
      expect(treeDiff(before, await fingerprint())).toEqual([]);
    }
  });
});

describe('a target root that is not configfs', () => {
  test('is refused before anything is made in it, by the command and the library', async () => {
    const dir = `${BACKING_DIR}/not-configfs`;
    mkdirSync(dir, { recursive: true });
    const file = writeConfig(`${BACKING_DIR}/small.json`, configA(2, { loopback: false }));
    for (const verb of [['restore', file], ['apply', file], ['clear']]) {
      const r = await rtslib('--configfs', dir, ...verb);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^rtslib: .* is not on configfs \(filesystem type 0x[0-9a-f]+\): refusing to write there\n$/);
    }
    expect(readdirSync(dir)).toEqual([]);
    // a directory that looks like the target root (it has core/): reading works, the first write is refused
    mkdirSync(`${dir}/core`);
    const error = await RDMCPStorageObject.open(new RTSRoot({ configfs: dir }), 'r', { size: '1M' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RTSLibError);
    expect((error as RTSLibError).code).toBe('ERR_RTSLIB_NOT_CONFIGFS');
    expect(readdirSync(dir)).toEqual(['core']);
    expect(readdirSync(`${dir}/core`)).toEqual([]);
  });
});
