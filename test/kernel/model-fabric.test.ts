/**
 * Fabric module settings on the real kernel, cross-checked with rtslib-fb:
 * discovery authentication, cpus_allowed_list, version, hardware WWNs and
 * whether a fabric needs one; a hardware fabric refuses to make up a WWN.
 */
import { afterAll, describe, expect, test } from 'vitest';
import { RTSLibInvalidArgumentError, RTSRoot, Target, FABRICS, type FabricName } from '../../src/index.js';
import { rawExists, rawRead, rtslibFb, TARGET } from './helpers.js';

const root = new RTSRoot();
const iscsi = root.fabricModule('iscsi');

afterAll(async () => {
  await iscsi.setDiscoveryAuth({ enable: false, userid: null, password: null, mutualUserid: null, mutualPassword: null });
});

describe('fabric modules', () => {
  test('discovery authentication: set by ours, read by rtslib-fb; set by rtslib-fb, read by ours', async () => {
    await iscsi.setDiscoveryAuth({ enable: true, userid: 'disc-user', password: 'disc-secret', mutualUserid: 'disc-target', mutualPassword: 'disc-mutual' });
    const fb = rtslibFb<[boolean, string, string, string, string, boolean]>(`
f = rtslib.FabricModule('iscsi')
print(json.dumps([f.discovery_enable_auth, f.discovery_userid, f.discovery_password, f.discovery_mutual_userid, f.discovery_mutual_password, bool(f.discovery_authenticate_target)]))`);
    expect(fb).toEqual([true, 'disc-user', 'disc-secret', 'disc-target', 'disc-mutual', true]);
    rtslibFb("f = rtslib.FabricModule('iscsi')\nf.discovery_mutual_userid = ''\nf.discovery_mutual_password = ''\nf.discovery_userid = 'other'\nprint('null')");
    expect(await iscsi.discoveryAuth()).toEqual({ enable: true, userid: 'other', password: 'disc-secret', mutualUserid: null, mutualPassword: null, authenticateTarget: false });
    // a secret too long for the kernel is refused before anything is written, and not shown
    const err = await iscsi.setDiscoveryAuth({ userid: 'x', password: `${'p'.repeat(300)}TOPSECRET` }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RTSLibInvalidArgumentError);
    expect(String((err as Error).message)).not.toContain('TOPSECRET');
    expect(rawRead(`${TARGET}/iscsi/discovery_auth/userid`)).toBe('other');
  });

  test('WWN spelling per fabric (to/from configfs, normalised) and features, as rtslib-fb converts and reports them', () => {
    const cases: [FabricName, string][] = [
      ['qla2xxx', 'naa.21000024ff314c48'],
      ['efct', 'naa.21000024ff314c49'],
      ['tcm_fc', 'naa.2000001b21aabbcc'],
      ['srpt', 'ib.fe800000000000000002c90300a1b2c3'],
      ['sbp', 'eui.0123456789abcdef'],
      ['iscsi', 'iqn.2003-01.org.example:t1'],
      ['loopback', 'naa.5001405aaaaaaaa1'],
    ];
    const fb = rtslibFb<[string, string, [string, string], string[]][]>(`
out = []
for name, wwn in ${JSON.stringify(cases)}:
    fm = rtslib.FabricModule(name)
    f = fm.to_fabric_wwn(wwn)
    out.append([f, fm.from_fabric_wwn(f), list(fm.to_normalized_wwn(f)), sorted(fm.features)])
print(json.dumps(out))`);
    const ours = cases.map(([name, wwn]) => {
      const fm = root.fabricModule(name);
      const f = fm.toFabricWwn(wwn);
      const normalized = fm.toNormalizedWwn(f);
      return [f, fm.fromFabricWwn(f), [normalized.wwn, normalized.type], [...fm.info.features].filter((x) => fm.hasFeature(x)).sort()];
    });
    expect(ours).toEqual(fb);
    expect(ours[0]![0]).toBe('21:00:00:24:ff:31:4c:48'); // the forms differ where they should
    expect(ours[3]![0]).toBe('0xfe800000000000000002c90300a1b2c3');
  });

  test('cpus_allowed_list read as rtslib-fb reads it, and set; version as the kernel shows it', async () => {
    const fb = rtslibFb<string>("print(json.dumps(rtslib.FabricModule('iscsi').cpus_allowed_list))");
    const before = await iscsi.cpusAllowedList();
    expect(before).toBe(fb);
    await iscsi.setCpusAllowedList('0');
    expect(rtslibFb<string>("print(json.dumps(rtslib.FabricModule('iscsi').cpus_allowed_list))")).toBe(await iscsi.cpusAllowedList());
    await iscsi.setCpusAllowedList(before);
    await expect(iscsi.setCpusAllowedList('zero')).rejects.toBeInstanceOf(RTSLibInvalidArgumentError);
    await expect(root.fabricModule('loopback').cpusAllowedList()).rejects.toThrow(/no cpus allowed list/);
    // (rtslib-fb 2.1.75's FabricModule.version fails with a NameError: the kernel's files are the reference)
    expect(await iscsi.version()).toBe(rawRead(`${TARGET}/iscsi/lio_version`));
    await root.fabricModule('loopback').load();
    expect(await root.fabricModule('loopback').version()).toBe(rawRead(`${TARGET}/loopback/version`));
    expect(await root.fabricModule('sbp').version()).toBeNull(); // not loaded
  });

  test('hardware WWNs and needsWwn per fabric equal rtslib-fb’s; a hardware fabric will not make up a target WWN', async () => {
    // usb_gadget is commented out of rtslib-fb's fabric registry
    const names = (Object.keys(FABRICS) as FabricName[]).filter((n) => n !== 'usb_gadget');
    const fb = rtslibFb<Record<string, [boolean, string[] | null]>>(`
from rtslib_fb.fabric import fabric_modules
out = {}
for name in ${JSON.stringify(names)}:
    f = fabric_modules[name]()
    w = f.wwns
    out[name] = [f.needs_wwn(), None if w is None else sorted(w)]
print(json.dumps(out))`);
    const ours: Record<string, [boolean, string[] | null]> = {};
    for (const name of names) {
      const f = root.fabricModule(name);
      const w = await f.wwns();
      ours[name] = [f.needsWwn(), w === null ? null : [...w].sort()];
    }
    expect(ours).toEqual(fb);
    expect(ours.qla2xxx?.[0]).toBe(true);
    expect(ours.iscsi).toEqual([false, null]);
    await expect(Target.open(root, 'qla2xxx')).rejects.toThrow(/cannot generate a WWN/);
    expect(rawExists(`${TARGET}/qla2xxx`)).toBe(false);
  });
});
