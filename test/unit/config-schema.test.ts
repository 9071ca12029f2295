/**
 * The saveconfig.json schema: the real file rtslib-fb wrote validates; every
 * kind of mistake is an RTSLibConfigError naming its JSON path.
 */
import { describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { RTSLibConfigError, parseConfig, validateConfig, type SaveConfig } from '../../src/config/index.js';
import { configText } from '../../src/config/config-file.js';

const REFERENCE = new URL('../fixtures/reference/rtslib-fb-2.1.75-saveconfig.json', import.meta.url);
const reference = (): SaveConfig & Record<string, unknown> => JSON.parse(readFileSync(REFERENCE, 'utf8'));

/** The issues validateConfig reports for a document changed by `edit`. */
function issuesOf(edit: (doc: any) => void): { path: string; message: string }[] {
  const doc = reference();
  edit(doc);
  try {
    validateConfig(doc);
  } catch (err) {
    expect(err).toBeInstanceOf(RTSLibConfigError);
    return [...(err as RTSLibConfigError).issues];
  }
  throw new Error('the document was accepted');
}

const tpg0 = (doc: any) => doc.targets.find((t: any) => t.fabric === 'iscsi').tpgs[0];
const iscsiIndex = () => reference().targets!.findIndex((t) => t.fabric === 'iscsi');

describe('saveconfig.json schema', () => {
  test('the file rtslib-fb 2.1.75 wrote validates, and survives our writer unchanged', () => {
    const config = validateConfig(reference());
    expect(config.storage_objects).toHaveLength(6);
    expect(parseConfig(configText(config))).toEqual(config);
    expect(JSON.parse(configText(config))).toEqual(reference());
  });

  test('an unknown or misspelled key is an error at its path', () => {
    const t = iscsiIndex();
    expect(
      issuesOf((d) => {
        tpg0(d).luns[0].storage_objet = tpg0(d).luns[0].storage_object;
      }),
    ).toEqual(expect.arrayContaining([expect.objectContaining({ path: `targets[${t}].tpgs[0].luns[0]`, message: expect.stringMatching(/storage_objet/) })]));
    expect(
      issuesOf((d) => {
        d.storage_objects[0].write_bak = true;
      })[0]?.path,
    ).toBe('storage_objects[0]');
    expect(
      issuesOf((d) => {
        d.extra = 1;
      })[0]?.path,
    ).toBe('$');
  });

  test('wrong types name the field', () => {
    const t = iscsiIndex();
    expect(
      issuesOf((d) => {
        tpg0(d).tag = '1';
      })[0]?.path,
    ).toBe(`targets[${t}].tpgs[0].tag`);
    expect(
      issuesOf((d) => {
        tpg0(d).node_acls[0].mapped_luns[0].write_protect = 'yes';
      })[0]?.path,
    ).toBe(`targets[${t}].tpgs[0].node_acls[0].mapped_luns[0].write_protect`);
    expect(
      issuesOf((d) => {
        d.storage_objects.find((s: any) => s.plugin === 'ramdisk').size = -5;
      })[0]?.message,
    ).toMatch(/>0|positive|too small/i);
    expect(
      issuesOf((d) => {
        d.storage_objects[0].plugin = 'floppy';
      })[0]?.path,
    ).toMatch(/^storage_objects\[0\]/);
  });

  test('dangling references and duplicates', () => {
    const t = iscsiIndex();
    expect(
      issuesOf((d) => {
        tpg0(d).luns[0].storage_object = '/backstores/fileio/nope';
      }),
    ).toEqual([expect.objectContaining({ path: `targets[${t}].tpgs[0].luns[0].storage_object`, message: expect.stringMatching(/not in storage_objects/) })]);
    expect(
      issuesOf((d) => {
        tpg0(d).node_acls[0].mapped_luns[0].tpg_lun = 9;
      })[0],
    ).toMatchObject({ path: `targets[${t}].tpgs[0].node_acls[0].mapped_luns[0].tpg_lun`, message: 'TPG 1 has no LUN 9' });
    expect(
      issuesOf((d) => {
        d.storage_objects[1].name = d.storage_objects[0].name;
      })[0],
    ).toMatchObject({ path: 'storage_objects[1].name', message: expect.stringMatching(/duplicate storage object name.*across plugins/) });
    expect(
      issuesOf((d) => {
        tpg0(d).luns[1].index = tpg0(d).luns[0].index;
      })[0]?.message,
    ).toMatch(/duplicate LUN index/);
    expect(
      issuesOf((d) => {
        tpg0(d).node_acls.push({ ...tpg0(d).node_acls[0], node_wwn: tpg0(d).node_acls[0].node_wwn.toUpperCase() });
      })[0]?.message,
    ).toMatch(/duplicate node ACL/);
    expect(
      issuesOf((d) => {
        tpg0(d).luns[0].alua_tg_pt_gp_name = 'ghost';
      })[0]?.message,
    ).toMatch(/ghost is not an ALUA group/);
  });

  test('names and WWNs the kernel would refuse', () => {
    const t = iscsiIndex();
    expect(
      issuesOf((d) => {
        d.storage_objects[0].name = 'a/b';
      })[0],
    ).toMatchObject({ path: 'storage_objects[0].name', message: expect.stringMatching(/'\/'/) });
    expect(
      issuesOf((d) => {
        d.storage_objects[0].name = '   ';
      })[0]?.path,
    ).toBe('storage_objects[0].name');
    expect(
      issuesOf((d) => {
        d.storage_objects[0].name = 'x'.repeat(256);
      })[0]?.message,
    ).toMatch(/256 bytes/);
    expect(
      issuesOf((d) => {
        d.targets[t].wwn = 'not-an-iqn';
      })[0],
    ).toMatchObject({ path: `targets[${t}].wwn`, message: expect.stringMatching(/not a valid iscsi WWN/) });
    expect(
      issuesOf((d) => {
        tpg0(d).node_acls[0].node_wwn = 'iqn.bad wwn';
      })[0]?.path,
    ).toBe(`targets[${t}].tpgs[0].node_acls[0].node_wwn`);
    expect(
      issuesOf((d) => {
        d.targets[t].fabric = 'scsi-over-pigeon';
      })[0]?.path,
    ).toBe(`targets[${t}].fabric`);
    expect(
      issuesOf((d) => {
        d.storage_objects.find((s: any) => s.plugin === 'fileio').dev = 'relative.img';
      })[0]?.message,
    ).toMatch(/absolute path/);
  });

  test('malformed JSON is a config error at $, and messages never carry the CHAP password', () => {
    expect(() => parseConfig('{"targets": [', 'x.json')).toThrow(RTSLibConfigError);
    expect(() => parseConfig('{"targets": [', 'x.json')).toThrow(/invalid config x\.json: \$: not valid JSON/);
    expect(
      JSON.stringify(
        issuesOf((d) => {
          tpg0(d).node_acls[0].chap_password = 12345;
        }),
      ),
    ).not.toContain('12345');
    const issues = issuesOf((d) => {
      tpg0(d).node_acls[0].chap_password = 'x'.repeat(300);
    });
    expect(JSON.stringify(issues)).not.toContain('x'.repeat(300));
  });

  test('property: any JSON value is either accepted or refused with RTSLibConfigError (never another error)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        try {
          validateConfig(value);
        } catch (err) {
          return err instanceof RTSLibConfigError && err.issues.length > 0;
        }
        return true;
      }),
      { numRuns: 500 },
    );
  });

  test('property: mutating one field of the reference to another JSON type is refused or accepted, never a crash', () => {
    const paths: string[][] = [];
    const walk = (v: unknown, p: string[]) => {
      if (v && typeof v === 'object')
        for (const [k, c] of Object.entries(v)) {
          paths.push([...p, k]);
          walk(c, [...p, k]);
        }
    };
    walk(reference(), []);
    fc.assert(
      fc.property(fc.constantFrom(...paths), fc.jsonValue(), (path, value) => {
        const doc: any = reference();
        let node = doc;
        for (const k of path.slice(0, -1)) node = node[k];
        node[path[path.length - 1]!] = value;
        try {
          validateConfig(doc);
          return true;
        } catch (err) {
          return err instanceof RTSLibConfigError && err.issues.every((i) => typeof i.path === 'string' && i.path.length > 0);
        }
      }),
      { numRuns: 500 },
    );
  });
});
