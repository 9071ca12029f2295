/**
 * PSCSIBackstore legacy (PHBA) mode on the real kernel, in a guest of its
 * own (`npm run test:kernel` boots one for every `*.own-guest.test.ts`
 * after the suite): the backstore's index is the SCSI host, objects name
 * C:T:L, the kernel shows PHBA mode.
 *
 * Why its own guest: in PHBA mode Linux 6.1's target_core_pscsi takes one
 * reference to the SCSI host when the first object enables the mode
 * (pscsi_pmode_enable_hba), but drops one for every object it destroys
 * (pscsi_destroy_device) and one more when the HBA goes
 * (pscsi_detach_hba). Here that is one reference taken and three dropped:
 * the host's count underflows, and once scsi_debug removes its hosts their
 * memory is freed while still in use. In the shared guest this showed up
 * files later as slab corruption: a general protection fault in
 * __kmem_cache_alloc_node (in startup.test.ts after target_core_mod was
 * reloaded, in CI; in removal.test.ts here), scsi_debug reloads without
 * devices, a tcm_loop LUN removal that hung. rtslib-fb's and targetcli's
 * legacy mode make the same calls. So this file runs alone, and leaves
 * scsi_debug loaded: the guest powers off without freeing the host.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { PSCSIBackstore, RTSLibInvalidArgumentError, RTSLibOperationError, RTSRoot, type ScsiDevice } from '../../src/index.js';
import { TARGET, rawExists, rawRead, rawTree } from './helpers.js';
import { fbObjects, loadScsiDebugDisks } from './support/scsi-debug.js';

const CORE = `${TARGET}/core`;
const root = new RTSRoot();
let coreBefore: string[] = [];
let hostA = -1;
let hostB = -1;
let devices: ScsiDevice[] = [];
const dev = (host: number, lun: number): ScsiDevice => devices.find((d) => d.host === host && d.lun === lun)!;
const core = () => rawTree(CORE);

beforeAll(async () => {
  coreBefore = core();
  ({ hostA, hostB, devices } = await loadScsiDebugDisks());
}, 120_000);

describe('PSCSIBackstore legacy (PHBA) mode', () => {
  test('index = SCSI host, dev C:T:L, PHBA mode in the kernel', async () => {
    const bs = await PSCSIBackstore.open(root, hostA, { legacy: true });
    try {
      expect(bs).toMatchObject({ index: hostA, name: `pscsi_${hostA}`, plugin: 'pscsi', legacyMode: true, isFresh: true });
      expect(await bs.version()).toBe('v5.0');
      expect(await bs.hbaMode()).toBe(0);
      const d0 = dev(hostA, 0);
      const so = await bs.storageObject('mp_leg0', { dev: `${d0.channel}:${d0.target}:${d0.lun}` });
      expect(so.path).toBe(`${CORE}/pscsi_${hostA}/mp_leg0`);
      // The kernel shows PHBA mode: no Host ID in info, hba_mode 1.
      expect(rawRead(`${so.path}/info`)).toContain(`Channel ID: ${d0.channel} Target ID: ${d0.target} LUN: ${d0.lun} Host ID: PHBA Mode`);
      expect(rawRead(`${CORE}/pscsi_${hostA}/hba_mode`)).toBe('1');
      expect(await bs.hbaMode()).toBe(1);
      expect(await so.legacyMode()).toBe(true);
      expect(await so.hctl()).toBe(d0.hctl);
      expect(rawRead(`${so.path}/udev_path`)).toBe(d0.blockDevice);
      expect(rawRead(`${so.path}/enable`)).toBe('1');
      expect(fbObjects().find((o) => o.name === 'mp_leg0')).toMatchObject({ plugin: 'pscsi', udev_path: d0.blockDevice, path: so.path });

      // A device of the other host does not belong to the backstore (nothing written).
      const snapshot = core();
      const other = dev(hostB, 1);
      for (const spec of [other.sgDevice!, other.blockDevice!, other.hctl]) {
        const error = await bs.storageObject('mp_other', { dev: spec }).catch((e: unknown) => e);
        expect(error, spec).toBeInstanceOf(RTSLibInvalidArgumentError);
        expect(String((error as Error).message)).toContain('The specified SCSI device does not belong to the backstore');
      }
      expect(core()).toEqual(snapshot);

      // Looked up without the legacy flag and used non-legacy: the kernel refuses scsi_host_id (EINVAL) and it is rolled back.
      const plain = await PSCSIBackstore.open(root, hostA, { mode: 'lookup' });
      expect(plain.legacyMode).toBe(false);
      const refused = await plain.storageObject('mp_nonleg', { dev: dev(hostA, 1).hctl }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(RTSLibOperationError);
      expect(refused).toMatchObject({ code: 'EINVAL', syscall: 'write', path: `${CORE}/pscsi_${hostA}/mp_nonleg/control` });
      expect(core()).toEqual(snapshot);
      // C:T:L is not accepted without the flag.
      await expect(plain.storageObject('mp_nonleg', { dev: '0:0:1' })).rejects.toBeInstanceOf(RTSLibInvalidArgumentError);

      // Looked up again with the flag, by path on the right host.
      const again = await PSCSIBackstore.open(root, hostA, { mode: 'lookup', legacy: true });
      const so1 = await again.storageObject('mp_leg1', { dev: dev(hostA, 1).sgDevice! });
      expect(await so1.hctl()).toBe(dev(hostA, 1).hctl);
      expect((await bs.storageObjects()).sort()).toEqual(['mp_leg0', 'mp_leg1']);

      // Without devices the HBA stays in PHBA mode: hba_mode 1, scsi_host_id still refused.
      await so.delete();
      await so1.delete();
      expect(await bs.storageObjects()).toEqual([]);
      expect(rawRead(`${CORE}/pscsi_${hostA}/hba_mode`)).toBe('1');
      await expect(plain.storageObject('mp_nonleg', { dev: dev(hostA, 1).hctl })).rejects.toMatchObject({ code: 'EINVAL', path: `${CORE}/pscsi_${hostA}/mp_nonleg/control` });
      expect(await bs.storageObjects()).toEqual([]);
    } finally {
      await bs.delete();
    }
    expect(rawExists(`${CORE}/pscsi_${hostA}`)).toBe(false);
    expect(core()).toEqual(coreBefore);
  });
});
