/**
 * Start-up as rtslib-fb's `RTSRoot()`: with configfs unmounted and the
 * target modules unloaded, `RTSRoot.open()` mounts configfs and loads
 * target_core_mod; a root that is not the kernel's is never created.
 * (Runs last in the suite: it unloads every target module the earlier
 * files loaded, and leaves target_core_mod loaded again.)
 */
import { describe, expect, test } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmdirSync, statSync } from 'node:fs';
import { FABRICS } from '../../src/cfs/fabrics.js';
import { PREFERRED_DBROOTS, RTSLibNotInCFSError, RTSRoot, executePlan, planClear } from '../../src/index.js';
import { TARGET, rawRead, rtslibFb, unloadScsiDebug } from './helpers.js';

const FABRIC_DIRS = new Set(Object.values(FABRICS).map((f) => f.dir));

/** Target modules, users before what they use. */
const MODULES = ['iscsi_target_mod', 'tcm_loop', 'vhost_scsi', 'target_core_user', 'target_core_pscsi', 'target_core_file', 'target_core_iblock', 'target_core_mod'];

/**
 * Unloads a module after the modules that hold it (ib_isert and cxgbit hold
 * iscsi_target_mod once a portal asked for iSER or offload); a module stays
 * in use for a moment after the last session or thread using it ends.
 */
async function unload(m: string): Promise<void> {
  if (!existsSync(`/sys/module/${m}`)) return;
  for (const holder of readdirSync(`/sys/module/${m}/holders`)) await unload(holder);
  let r = spawnSync('true', { encoding: 'utf8' });
  for (let i = 0; i < 60 && existsSync(`/sys/module/${m}`); i++) {
    r = spawnSync('modprobe', ['-r', m], { encoding: 'utf8' });
    if (r.status === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  const held = existsSync(`/sys/module/${m}`)
    ? `refcnt ${readFileSync(`/sys/module/${m}/refcnt`, 'utf8').trim()}, holders ${readdirSync(`/sys/module/${m}/holders`).join(' ') || 'none'}`
    : '';
  expect(existsSync(`/sys/module/${m}`), `modprobe -r ${m}: ${String(r.stderr)} ${held}`).toBe(false);
}

const mounted = (): boolean =>
  readFileSync('/proc/mounts', 'utf8')
    .split('\n')
    .some((l) => l.split(' ')[1] === '/sys/kernel/config');

describe('RTSRoot.open()', () => {
  test('mounts configfs and loads target_core_mod when they are missing', async () => {
    const root = new RTSRoot();
    await executePlan(root, await planClear(root));
    await unloadScsiDebug();
    // a loaded fabric's directory holds its module
    for (const dir of readdirSync(TARGET)) if (statSync(`${TARGET}/${dir}`).isDirectory() && FABRIC_DIRS.has(dir)) rmdirSync(`${TARGET}/${dir}`);
    for (const m of MODULES) await unload(m);
    const umount = spawnSync('umount', ['/sys/kernel/config'], { encoding: 'utf8' });
    expect(umount.status, umount.stderr).toBe(0);
    expect(mounted()).toBe(false);
    expect(existsSync(TARGET)).toBe(false);

    // a root that is not the kernel's is not made
    await expect(RTSRoot.open({ configfs: '/tmp/not-a-target-root' })).rejects.toBeInstanceOf(RTSLibNotInCFSError);

    const opened = await RTSRoot.open();
    expect(mounted()).toBe(true);
    expect(existsSync('/sys/module/target_core_mod')).toBe(true);
    expect(await opened.version()).toMatch(/^Target Engine Core ConfigFS Infrastructure/);
    // and it works: a fabric loads on demand
    expect(await opened.fabricModule('loopback').targets()).toEqual([]);
    // the freshly loaded kernel's dbroot (/var/target) became rtslib-fb's on this system, the one rtslib-fb itself reports
    const preferred = PREFERRED_DBROOTS.find((d) => existsSync(d) && statSync(d).isDirectory());
    expect(preferred).toBeDefined();
    expect(rawRead(`${TARGET}/dbroot`)).toBe(preferred);
    expect(rtslibFb<string>('print(json.dumps(rtslib.RTSRoot().dbroot))')).toBe(preferred);
  });
});
