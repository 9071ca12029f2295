/**
 * ALUA target port groups of a storage object (`<so>/alua/<name>`): the
 * access state and behaviour the LUNs in the group report to initiators.
 */
import { ALUA_GROUP_SETTINGS } from '../cfs/tree.js';
import type { StorageObject } from './storage-object.js';
import { lunsExporting } from './lun-exports.js';
import { CFSNode, openMode, validateMode, type Mode } from './cfs-node.js';
import { DEFAULT_ALUA_GROUP, LUN_FILES, aluaGroupPath, child, type AttributeGroup, ALUA_GROUP_FILES, STORAGE_OBJECT_ATTRIBUTES, settingPath } from '../cfs/tree.js';
import { settingFromShown } from '../cfs/settings.js';
import type { LUN } from './lun.js';
import { validateInteger, validateName, validateValue } from '../cfs/names.js';
import { RTSLibALUANotSupportedError, RTSLibInvalidArgumentError, RTSLibNotInCFSError } from '../errors.js';
import type { CfsOp } from '../cfs/configfs.js';
import { aluaGroupForm } from './saved-forms.js';
import type { AluaTpgConfig } from './saveconfig-format.js';

/** The files of an ALUA group that hold its settings (cfs/tree.ts). */
export const ALUA_SETTINGS = ALUA_GROUP_SETTINGS;

/** One of {@link ALUA_SETTINGS}. */
export type ALUASetting = (typeof ALUA_SETTINGS)[number];

/** Options for {@link ALUATargetPortGroup.open}. */
export interface ALUAOptions {
  /** Group id (`tg_pt_gp_id`, 1-65535); required to create. */
  tag?: number;
  /** Settings written after the id. */
  settings?: Partial<Record<ALUASetting, string | number>>;
  /** Default: `create` when `tag` is given, else `lookup`. */
  mode?: Mode;
}

/** An ALUA target port group. */
export class ALUATargetPortGroup extends CFSNode {
  /** The storage object it belongs to. */
  readonly storageObject: StorageObject;
  /** Its name. */
  readonly name: string;

  private constructor(storageObject: StorageObject, name: string) {
    super(storageObject.cfs, aluaGroupPath(storageObject.relativePath, name));
    this.storageObject = storageObject;
    this.name = name;
  }

  /**
   * Builds the object of a group known to exist (from a snapshot), without I/O.
   * @internal
   */
  static existing(storageObject: StorageObject, name: string): ALUATargetPortGroup {
    return new ALUATargetPortGroup(storageObject, name);
  }

  /** e.g. `ALUA group ao of fileio storage object …` */
  describe(): string {
    return `ALUA group ${this.name} of ${this.storageObject.describe()}`;
  }

  protected override groups(): readonly AttributeGroup[] {
    return [];
  }

  /**
   * Opens (looks up or creates) an ALUA target port group.
   * @example
   * const ao = await ALUATargetPortGroup.open(disk, 'ao', { tag: 2, settings: { alua_access_state: 0 } });
   */
  static async open(storageObject: StorageObject, name: string, options: ALUAOptions = {}): Promise<ALUATargetPortGroup> {
    validateName('ALUA group name', name);
    const mode = validateMode(options.mode ?? (options.tag === undefined ? 'lookup' : 'create'));
    if (options.tag !== undefined) validateInteger('ALUA group tag', options.tag, 1, 65535);
    const settings = Object.entries(options.settings ?? {}).map(([key, value]) => {
      if (!(ALUA_SETTINGS as readonly string[]).includes(key)) throw new RTSLibInvalidArgumentError('ALUA setting', `unknown setting ${JSON.stringify(key)}`);
      return [key, validateValue(`ALUA setting ${key}`, value)] as const;
    });
    const group = new ALUATargetPortGroup(storageObject, name);
    const cfs = storageObject.cfs;
    const snap = await cfs.snapshot(storageObject.relativePath, { maxDepth: 3 });
    if (!snap.has(storageObject.relativePath) || snap.kind(storageObject.relativePath) !== 'dir')
      throw new RTSLibNotInCFSError(`${storageObject.describe()} does not exist`, storageObject.path);
    if (snap.text(settingPath(storageObject.relativePath, 'attrib', STORAGE_OBJECT_ATTRIBUTES.aluaSupport)) === '0') {
      throw new RTSLibALUANotSupportedError(`${storageObject.describe()} does not support ALUA`);
    }
    const exists = snap.kind(group.relativePath) === 'dir';
    if (openMode(mode, exists, group)) {
      if (options.tag === undefined) throw new RTSLibInvalidArgumentError('ALUA group tag', 'is required to create a group');
      const ops: CfsOp[] = [
        { op: 'mkdir', path: group.relativePath },
        { op: 'write', path: child(group.relativePath, ALUA_GROUP_FILES.id), value: String(options.tag) },
        ...settings.map(([key, value]): CfsOp => ({ op: 'write', path: child(group.relativePath, key), value })),
      ];
      await cfs.apply(ops, { what: `create ${group.describe()}` });
      group.fresh = true;
    }
    return group;
  }

  /**
   * The LUNs in the group: those exporting its storage object whose
   * `alua_tg_pt_gp` names it, from one read of the tree's structure. (The
   * kernel's own `members` list is never read: reading it can crash 6.1.)
   * @example
   * const ports = (await group.members()).map((lun) => lun.describe());
   */
  async members(): Promise<LUN[]> {
    await this.checkExists();
    const { luns, snap } = await lunsExporting(this.storageObject.root, this.storageObject.relativePath);
    return luns.filter((lun) => {
      const file = child(lun.relativePath, LUN_FILES.aluaGroup);
      return settingFromShown(file, snap.text(file) ?? '') === this.name;
    });
  }

  /** Group id (`tg_pt_gp_id`). */
  async tag(): Promise<number> {
    return Number(await this.readFile(ALUA_GROUP_FILES.id));
  }

  /** Reads one setting. */
  async get(setting: ALUASetting): Promise<string> {
    return this.readFile(setting);
  }

  /** Writes one setting. */
  async set(setting: ALUASetting, value: string | number): Promise<void> {
    if (!(ALUA_SETTINGS as readonly string[]).includes(setting)) throw new RTSLibInvalidArgumentError('ALUA setting', `unknown setting ${JSON.stringify(setting)}`);
    await this.cfs.apply([{ op: 'write', path: child(this.relativePath, setting), value: validateValue(setting, value) }], { what: `set ${setting} of ${this.describe()}` });
  }

  /** Every setting and its value, from one read. */
  async settings(): Promise<Record<ALUASetting, string>> {
    const snap = await this.cfs.snapshot(this.relativePath, { maxDepth: 1 });
    if (!snap.has(this.relativePath)) throw new RTSLibNotInCFSError(`${this.describe()} does not exist`, this.path);
    return Object.fromEntries(ALUA_SETTINGS.map((k) => [k, snap.text(child(this.relativePath, k)) ?? ''])) as Record<ALUASetting, string>;
  }

  /**
   * The group's saveconfig.json entry (rtslib-fb's `dump()`): name, id and
   * the settings a save records.
   * @example
   * const { tg_pt_gp_id, alua_access_state } = await group.dump();
   */
  async dump(): Promise<AluaTpgConfig> {
    const snap = await this.cfs.snapshot(this.relativePath, { maxDepth: 1 });
    if (!snap.has(this.relativePath)) throw new RTSLibNotInCFSError(`${this.describe()} does not exist`, this.path);
    return aluaGroupForm(snap, this.storageObject.relativePath, this.name);
  }

  /** Removes the group (the default group cannot be removed). */
  async delete(): Promise<void> {
    if (this.name === DEFAULT_ALUA_GROUP) throw new RTSLibInvalidArgumentError('ALUA group', `${DEFAULT_ALUA_GROUP} cannot be deleted`);
    await this.checkExists();
    await this.removeFromTree();
  }
}
