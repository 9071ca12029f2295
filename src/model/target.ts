/**
 * A target: one WWN of one fabric (`<fabric>/<wwn>`), holding TPGs.
 */
import type { FabricModule } from './fabric-module.js';
import { TPG } from './tpg.js';
import type { FabricFeature, FabricName } from '../cfs/fabrics.js';
import { generateWwn, normalizeTargetWwn, wwnToConfigfs } from '../cfs/wwn.js';
import { parseTpgDirName, targetPath } from '../cfs/tree.js';
import { CFSNode, openMode, validateMode, type Mode, type RootHandle } from './cfs-node.js';
import { RTSLibInvalidArgumentError } from '../errors.js';
import { storageObjectRefsUnder, targetForm, type DumpOptions } from './saved-forms.js';
import type { TargetConfig } from './saveconfig-format.js';

/** Options for {@link Target.open}. */
export interface TargetOptions {
  /** The target's WWN; generated for the fabric when omitted (then the mode is `create`). */
  wwn?: string;
  /** Default `any`. */
  mode?: Mode;
}

/** A target of a fabric. */
export class Target extends CFSNode {
  /** The fabric module it belongs to. */
  readonly fabric: FabricModule;
  /** Its normalised WWN. */
  readonly wwn: string;

  private constructor(fabric: FabricModule, wwn: string) {
    super(fabric.root.cfs, targetPath(fabric.relativePath, wwnToConfigfs(fabric.info, wwn)));
    this.fabric = fabric;
    this.wwn = wwn;
  }

  /**
   * Builds the object of a target known to exist (from a snapshot), without I/O.
   * @internal
   */
  static existing(fabric: FabricModule, wwn: string): Target {
    return new Target(fabric, wwn);
  }

  /** e.g. `loopback target naa.5001405…` */
  describe(): string {
    return `${this.fabric.name} target ${this.wwn}`;
  }

  /**
   * Whether the target's fabric has `feature` (rtslib-fb's `has_feature`).
   * @example
   * if (target.hasFeature('auth')) console.log('CHAP');
   */
  hasFeature(feature: FabricFeature): boolean {
    return this.fabric.has(feature);
  }

  protected override groups(): readonly [] {
    return [];
  }

  /**
   * Opens (looks up or creates) a target.
   * @example
   * const target = await Target.open(root, 'iscsi', { wwn: 'iqn.2003-01.org.example:t1' });
   */
  static async open(root: RootHandle, fabricName: FabricName, options: TargetOptions = {}): Promise<Target> {
    const fabric = root.fabricModule(fabricName);
    const mode = validateMode(options.mode ?? (options.wwn === undefined ? 'create' : 'any'));
    // a hardware fabric's target is one of its ports: it cannot be made up (rtslib-fb refuses the same)
    if (options.wwn === undefined && fabric.needsWwn()) {
      throw new RTSLibInvalidArgumentError('wwn', `fabric ${fabric.name} cannot generate a WWN: give one of its ports' (see FabricModule.wwns())`);
    }
    const wwn = options.wwn === undefined ? generateWwn(fabric.info.wwnTypes[0]!) : normalizeTargetWwn(fabric.info, options.wwn).wwn;
    const target = new Target(fabric, wwn);
    const exists = await target.exists();
    if (openMode(mode, exists, target)) {
      await fabric.load();
      await root.cfs.apply([{ op: 'mkdir', path: target.relativePath }], { what: `create ${target.describe()}` });
      target.fresh = true;
    }
    return target;
  }

  /**
   * The target's TPGs in tag order, from one read of its directory.
   * @example
   * const tags = (await target.tpgs()).map((tpg) => tpg.tag);
   */
  async tpgs(): Promise<TPG[]> {
    await this.checkExists();
    const snap = await this.cfs.snapshot(this.relativePath, { maxDepth: 1 });
    return snap
      .childDirs(this.relativePath)
      .map(parseTpgDirName)
      .filter((t): t is number => t !== null)
      .sort((a, b) => a - b)
      .map((tag) => TPG.existing(this, tag));
  }

  /**
   * The target's saveconfig.json entry with its TPGs, LUNs, portals and
   * ACLs (rtslib-fb's `dump()`), from one read of its directory.
   * @example
   * const entry = await target.dump({ secrets: false }); // CHAP passwords left out
   */
  async dump(options: DumpOptions = {}): Promise<TargetConfig> {
    await this.checkExists();
    const snap = await this.cfs.snapshot(this.relativePath);
    return targetForm(snap, this.fabric.info, this.relativePath, await storageObjectRefsUnder(this.cfs, snap, this.relativePath), options);
  }

  /** Removes the target with its TPGs, LUNs, ACLs and portals. */
  async delete(): Promise<void> {
    await this.checkExists();
    await this.removeFromTree();
  }
}
