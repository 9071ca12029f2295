/**
 * The README's main job, run inside the test VM by `npm run demo`:
 *  1. `rtslib apply` a sample config (fileio + ramdisk, an iSCSI target with
 *     an ACL, CHAP and a portal, and a loopback target);
 *  2. `rtslib ls`;
 *  3. log in with the real open-iscsi initiator, write 4 MiB through the
 *     iSCSI disk and read it back verified;
 *  4. `rtslib save`, `rtslib clear`, `rtslib restore`, and show the tree came back.
 * Each step is printed; any failure exits non-zero.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes, createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { GUEST_INITIATOR, login, logout, startInitiator } from '../test/vm/iscsi-initiator.js';

const BIN = fileURLToPath(new URL('../bin/rtslib.js', import.meta.url));
const WORK = '/tmp/rtslib-demo';
const IQN = 'iqn.2003-01.org.rtslib.demo:storage';
const CHAP = { userid: 'demo', password: randomBytes(9).toString('base64url') };

const step = (text: string) => console.log(`\n==> ${text}`);
function rtslib(...args: string[]): string {
  console.log(`$ rtslib ${args.join(' ')}`);
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
  process.stdout.write(r.stdout);
  process.stderr.write(r.stderr);
  if (r.status !== 0) throw new Error(`rtslib ${args[0]} exited with ${r.status}`);
  return r.stdout;
}

mkdirSync(WORK, { recursive: true });
const config = {
  storage_objects: [
    { plugin: 'fileio', name: 'disk1', dev: `${WORK}/disk1.img`, size: 64 * 1024 * 1024, write_back: true },
    { plugin: 'ramdisk', name: 'scratch', size: 32 * 1024 * 1024 },
  ],
  targets: [
    {
      fabric: 'iscsi',
      wwn: IQN,
      tpgs: [
        {
          tag: 1,
          enable: true,
          attributes: { authentication: 1, generate_node_acls: 0 },
          luns: [{ index: 0, storage_object: '/backstores/fileio/disk1', alias: 'disk1' }],
          portals: [{ ip_address: '127.0.0.1', port: 3260 }],
          node_acls: [{ node_wwn: GUEST_INITIATOR, chap_userid: CHAP.userid, chap_password: CHAP.password, mapped_luns: [{ index: 0, tpg_lun: 0 }] }],
        },
      ],
    },
    { fabric: 'loopback', wwn: 'naa.5001405d3e0d0001', tpgs: [{ tag: 1, luns: [{ index: 0, storage_object: '/backstores/ramdisk/scratch' }] }] },
  ],
};
writeFileSync(`${WORK}/desired.json`, JSON.stringify(config, null, 2));

step('what would change (a dry run writes nothing)');
rtslib('apply', '--dry-run', `${WORK}/desired.json`);

step('apply the sample config');
rtslib('apply', `${WORK}/desired.json`);

step('the configuration, as a tree');
const before = rtslib('ls');

step(`log in with open-iscsi as ${GUEST_INITIATOR} (CHAP)`);
await startInitiator();
const disk = await login(IQN, { chap: CHAP });
console.log(`  the target's LUN 0 is ${disk}`);

step(`write 4 MiB of random data to ${disk} and read it back, bypassing the page cache`);
const data = randomBytes(4 * 1024 * 1024);
writeFileSync(`${WORK}/data.bin`, data);
const dd = (...args: string[]) => {
  const r = spawnSync('dd', [...args, 'bs=1M', 'status=none'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`dd ${args.join(' ')} failed: ${r.stderr}`);
};
dd(`if=${WORK}/data.bin`, `of=${disk}`, 'oflag=direct,sync');
dd(`if=${disk}`, `of=${WORK}/back.bin`, 'count=4', 'iflag=direct');
const back = readFileSync(`${WORK}/back.bin`);
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
console.log(`  written sha256 ${sha(data).slice(0, 16)}…, read back ${sha(back).slice(0, 16)}…`);
if (!back.equals(data)) throw new Error('the data read back differs from what was written');
console.log('  verified: identical');
logout(IQN);

step('save, clear, restore');
rtslib('save', `${WORK}/saveconfig.json`);
rtslib('clear');
const empty = rtslib('ls');
rtslib('restore', `${WORK}/saveconfig.json`);

step('the tree came back');
const after = rtslib('ls');
// the loopback TPG's nexus (its initiator WWN, shown as the target's summary) is not saved: a restore makes a new one
const withoutNexus = (tree: string) => tree.replace(/\[naa\.[0-9a-f]{16}\]$/gm, '[naa.<nexus>]');
if (withoutNexus(after) !== withoutNexus(before)) throw new Error('the restored tree differs from the one saved');
if (empty.includes(IQN)) throw new Error('clear left the target behind');
console.log('  identical to the tree before the save (but for the loopback nexus, which a restore makes anew)');

step('clean up');
rtslib('clear');
console.log('\ndemo: done');
