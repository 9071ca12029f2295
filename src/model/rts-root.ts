/**
 * The root of the target tree: entry point of the object model and home of
 * the listings. Every listing is answered from one snapshot (one native
 * crossing) of the tree's structure, never by re-scanning configfs per object.
 */
import { STORAGE_PLUGINS } from './storage-plugins.js';
import { Configfs, type ConfigfsOptions } from '../cfs/configfs.js';
import { hasJournal } from '../cfs/journal.js';
import { recoverInterruptedRun, recoverUnderLock, type RecoveryReport } from '../cfs/recovery.js';
import { recreateStorageObject } from './recreation.js';
import type { Snapshot } from '../cfs/snapshot.js';
import {
  CORE_DIR,
  DEFAULT_TARGET_ROOT,
  ROOT_FILES,
  STRUCTURE_EXCLUDES,
  aclsPath,
  child,
  lunsPath,
  parseLunDirName,
  parsePortalDirName,
  parseTpgDirName,
  portalsPath,
  storageObjectPath,
  ACL_FILES,
  DISCOVERY_AUTH_DIR,
} from '../cfs/tree.js';
import { FABRICS, type FabricName } from '../cfs/fabrics.js';
import { PLUGINS } from '../cfs/plugins.js';
import { wwnFromConfigfs } from '../cfs/wwn.js';
import { RTSLibError, RTSLibInvalidArgumentError, RTSLibNotInCFSError, toLibraryError } from '../errors.js';
import { DEFAULT_DBROOT, PREFERRED_DBROOTS } from './persistent-reservations.js';
import { stat } from 'node:fs/promises';
import { CONFIGFS_MOUNT, isOnConfigfs, mountConfigfs } from '../cfs/mount.js';
import { listStorageObjects, type StorageObject, type StorageObjectLocation } from './storage-object.js';
import { FabricModule, modprobe } from './fabric-module.js';
import { Target } from './target.js';
import { NodeACLGroup, groupNames, mappedLunGroupsIn, type MappedLUNGroup } from './node-acl-group.js';
import { TPG } from './tpg.js';
import { LUN } from './lun.js';
import { NodeACL, parseSessionInfo, type SessionInfo } from './node-acl.js';
import { MappedLUN } from './mapped-lun.js';
import { NetworkPortal } from './network-portal.js';
import { ALUATargetPortGroup } from './alua-target-port-group.js';
import { dumpConfig, type DumpOptions } from './dump.js';
import type { SaveConfig } from './saveconfig-format.js';

/**
 * Options for {@link RTSRoot}: the target root, and how its writes are
 * timed, locked and journaled (see {@link ConfigfsOptions}).
 */
export interface RTSRootOptions extends Pick<ConfigfsOptions, 'timeoutMs' | 'lockFile' | 'lockTimeoutMs' | 'stateDir' | 'plainDirectory' | 'onNotice'> {
  /** The target root (default `/sys/kernel/config/target`). */
  configfs?: string;
}

/** A session listed by {@link RTSRoot.sessions}: the ACL and what its `info` says. */
export interface Session {
  /** The node ACL the initiator logged in through. */
  nodeAcl: NodeACL;
  /** Parsed session information. */
  info: SessionInfo;
}

/**
 * Entry point: the LIO target tree of this host.
 * @example
 * const root = new RTSRoot();
 * for (const so of await root.storageObjects()) console.log(so.plugin, so.name);
 */
export class RTSRoot {
  /** The configfs access this root and the objects opened from it use. */
  readonly cfs: Configfs;

  constructor(options: RTSRootOptions = {}) {
    const { configfs, onNotice, ...rest } = options;
    this.cfs = new Configfs(configfs ?? DEFAULT_TARGET_ROOT, {
      ...rest,
      ...(onNotice ? { onNotice } : {}),
      // The first write after a run that never finished puts the tree back first.
      onExclusiveHold: async (cfs) => {
        const report = await recoverUnderLock(cfs, recreateStorageObject);
        if (report) cfs.notice(report.message);
      },
      // A save must not record a half-applied tree: recover first when a journal is there.
      beforeSharedHold: async (cfs) => {
        if (cfs.stateDir !== null && (await hasJournal(cfs.stateDir, cfs.root))) await cfs.exclusive(async () => undefined);
      },
    });
  }

  /**
   * Opens the target root as rtslib-fb's `RTSRoot()` does: on the kernel's
   * own root (the default), configfs is mounted and `target_core_mod`
   * loaded first when they are missing; a clear error says why when that
   * cannot be done (not root, no such module). Another `configfs` root must
   * exist already. Then, as rtslib-fb's start-up does, the kernel's dbroot
   * becomes the system's rtslib-fb one ({@link PREFERRED_DBROOTS}: the first
   * that is a directory) while no storage object is registered.
   * @example
   * const root = await RTSRoot.open();
   */
  static async open(options: RTSRootOptions = {}): Promise<RTSRoot> {
    const root = new RTSRoot(options);
    if (!(await root.cfs.available())) {
      if ((options.configfs ?? DEFAULT_TARGET_ROOT) !== DEFAULT_TARGET_ROOT) {
        throw new RTSLibNotInCFSError(`the target root ${root.path} does not exist`, root.path);
      }
      if (typeof process.getuid === 'function' && process.getuid() !== 0) {
        throw new RTSLibError(`the LIO target root ${root.path} is missing and only root can mount configfs and load target_core_mod (run as root)`, { code: 'EACCES' });
      }
      if (!(await isOnConfigfs(CONFIGFS_MOUNT))) {
        await modprobe('configfs').catch(() => undefined); // built in on most kernels
        await mountConfigfs();
      }
      await modprobe('target_core_mod');
      if (!(await root.cfs.available())) throw new RTSLibNotInCFSError(`target_core_mod is loaded but ${root.path} did not appear`, root.path);
    }
    await root.usePreferredDbroot();
    return root;
  }

  /**
   * rtslib-fb's start-up step: the kernel's dbroot becomes the system's
   * rtslib-fb one (`/etc/rtslib-fb-target` where that directory exists, as
   * Debian and Ubuntu patch it, else `/etc/target`) when it is not already,
   * so both tools find the same APTPL files. Nothing happens when neither
   * directory exists, or when the kernel keeps its dbroot because a storage
   * object is registered (rtslib-fb only warns then).
   */
  private async usePreferredDbroot(): Promise<void> {
    const current = await this.cfs.readValue(ROOT_FILES.dbroot, { what: 'dbroot', missing: 'null' });
    if (current === null) return;
    for (const dir of PREFERRED_DBROOTS) {
      if (!(await stat(dir).catch(() => null))?.isDirectory()) continue;
      if (current.trim() === dir) return;
      const [write] = await this.cfs.run([{ op: 'write', path: ROOT_FILES.dbroot, value: dir }], { stopOnError: false });
      if (write && !write.ok && (await this.storageObjects()).length === 0) throw toLibraryError(`could not set dbroot to ${dir}`, write);
      return;
    }
  }

  /**
   * Finds a write run that never finished (killed, or its undo failed) and
   * brings the tree back to exactly the configuration before it (or keeps
   * what it wrote when it had finished every operation). Null when there
   * was nothing to recover. Every write does this first on its own.
   * @example
   * const report = await root.recover();
   * if (report) console.log(report.message);
   */
  recover(): Promise<RecoveryReport | null> {
    return recoverInterruptedRun(this.cfs, recreateStorageObject);
  }

  /** Absolute path of the target root. */
  get path(): string {
    return this.cfs.root;
  }

  /**
   * The whole configuration in saveconfig.json form (rtslib-fb's
   * `RTSRoot.dump()`), from one snapshot read under the shared lock; the
   * same as {@link dumpConfig}.
   * @example
   * const { storage_objects, targets } = await root.dump();
   */
  dump(options: DumpOptions = {}): Promise<SaveConfig> {
    return dumpConfig(this, options);
  }

  /** The kernel's target core version line (`version`), or throws when LIO is not loaded. */
  async version(): Promise<string> {
    const snap = await this.cfs.snapshot('', { maxDepth: 1 });
    const text = snap.text(ROOT_FILES.version);
    if (text === undefined) throw new RTSLibNotInCFSError('the target core is not loaded (no version file in configfs)', this.cfs.abs(ROOT_FILES.version));
    return text;
  }

  /**
   * Where the kernel keeps persistent-reservation (APTPL) and ALUA metadata
   * files (`dbroot`; the kernel's default is `/var/target`).
   * @example
   * console.log(await root.dbroot()); // '/etc/target'
   */
  async dbroot(): Promise<string> {
    return (await this.cfs.readValue(ROOT_FILES.dbroot, { what: 'dbroot', missing: 'throw' })) as string;
  }

  /**
   * Sets the dbroot (default `/etc/target`, where rtslib-fb sets it). The
   * directory must exist, and the kernel takes it only while no storage
   * object has been enabled since target_core_mod was loaded.
   * @example
   * await root.setDbroot('/etc/target');
   */
  async setDbroot(dir: string = DEFAULT_DBROOT): Promise<void> {
    if (typeof dir !== 'string' || !dir.startsWith('/')) throw new RTSLibInvalidArgumentError('dbroot', `expected an absolute path, got ${JSON.stringify(dir)}`);
    if (!(await stat(dir).catch(() => null))?.isDirectory()) throw new RTSLibInvalidArgumentError('dbroot', `${dir} is not a directory`);
    if ((await this.dbroot()) === dir) return;
    await this.cfs.apply([{ op: 'write', path: ROOT_FILES.dbroot, value: dir }], { what: `set dbroot to ${dir} (the kernel takes it only before any storage object is enabled)` });
  }

  /** One read of the tree's structure (directories, links, a few files), for the listings. */
  private structure(): Promise<Snapshot> {
    return this.cfs.snapshot('', { excludeNames: STRUCTURE_EXCLUDES });
  }

  /** Where every storage object is (plugin, HBA index, name), from one snapshot. */
  async storageObjectLocations(): Promise<StorageObjectLocation[]> {
    return listStorageObjects(await this.cfs.snapshot(CORE_DIR, { maxDepth: 2 }));
  }

  /**
   * The object of a storage object known to exist at `location`, of its plugin's class (no I/O).
   * @example
   * const so = root.storageObjectAt({ plugin: 'ramdisk', hbaIndex: 0, name: 'ram1' });
   */
  storageObjectAt(location: StorageObjectLocation): StorageObject {
    return STORAGE_PLUGINS[location.plugin].existing(this, location);
  }

  /** Every storage object, as objects of its plugin's class. */
  async storageObjects(): Promise<StorageObject[]> {
    return (await this.storageObjectLocations()).map((loc) => this.storageObjectAt(loc));
  }

  /** Every fabric module this library knows, loaded or not (see {@link FabricModule.available}). */
  fabricModules(): FabricModule[] {
    return (Object.keys(FABRICS) as FabricName[]).map((name) => this.fabricModule(name));
  }

  /**
   * The fabric module of that name, loaded or not.
   * @example
   * const wwns = (await root.fabricModule('iscsi').targets()).map((t) => t.wwn);
   */
  fabricModule(name: FabricName): FabricModule {
    return new FabricModule(this, name);
  }

  /** Every target of every loaded fabric. */
  async targets(snapshot?: Snapshot): Promise<Target[]> {
    const snap = snapshot ?? (await this.structure());
    const out: Target[] = [];
    for (const fabric of this.fabricModules()) {
      for (const dir of snap.childDirs(fabric.relativePath)) {
        if (dir === DISCOVERY_AUTH_DIR) continue;
        out.push(Target.existing(fabric, wwnFromConfigfs(fabric.info, dir)));
      }
    }
    return out;
  }

  /** Every TPG of every target. */
  async tpgs(snapshot?: Snapshot): Promise<TPG[]> {
    const snap = snapshot ?? (await this.structure());
    const out: TPG[] = [];
    for (const target of await this.targets(snap)) {
      const tags = snap
        .childDirs(target.relativePath)
        .map(parseTpgDirName)
        .filter((t): t is number => t !== null)
        .sort((a, b) => a - b);
      for (const tag of tags) out.push(TPG.existing(target, tag));
    }
    return out;
  }

  /** Every LUN of every TPG. */
  async luns(snapshot?: Snapshot): Promise<LUN[]> {
    const snap = snapshot ?? (await this.structure());
    return (await this.tpgs(snap)).flatMap((tpg) =>
      snap
        .childDirs(lunsPath(tpg.relativePath))
        .map(parseLunDirName)
        .filter((n): n is number => n !== null)
        .sort((a, b) => a - b)
        .map((n) => LUN.existing(tpg, n)),
    );
  }

  /** Every node ACL of every TPG. */
  async nodeAcls(snapshot?: Snapshot): Promise<NodeACL[]> {
    const snap = snapshot ?? (await this.structure());
    return (await this.tpgs(snap)).flatMap((tpg) => snap.childDirs(aclsPath(tpg.relativePath)).map((name) => NodeACL.existing(tpg, name)));
  }

  /** Every mapped LUN of every node ACL. */
  async mappedLuns(snapshot?: Snapshot): Promise<MappedLUN[]> {
    const snap = snapshot ?? (await this.structure());
    return (await this.nodeAcls(snap)).flatMap((acl) =>
      snap
        .childDirs(acl.relativePath)
        .map(parseLunDirName)
        .filter((n): n is number => n !== null)
        .sort((a, b) => a - b)
        .map((n) => MappedLUN.existing(acl, n)),
    );
  }

  /**
   * Every node ACL group (ACLs of a TPG sharing a tag) of every TPG, from one read.
   * @example
   * for (const g of await root.nodeAclGroups()) console.log(g.tpg.describe(), g.name);
   */
  async nodeAclGroups(snapshot?: Snapshot): Promise<NodeACLGroup[]> {
    const snap = snapshot ?? (await this.structure());
    return (await this.tpgs(snap)).flatMap((tpg) => groupNames(snap, tpg).map((name) => NodeACLGroup.existing(tpg, name)));
  }

  /**
   * Every mapped LUN group of every ACL group, from one read of the tree's
   * structure (rtslib-fb's `mapped_lun_groups`).
   * @example
   * const indexes = (await root.mappedLunGroups()).map((m) => `${m.group.name}/${m.index}`);
   */
  async mappedLunGroups(snapshot?: Snapshot): Promise<MappedLUNGroup[]> {
    const snap = snapshot ?? (await this.structure());
    return (await this.nodeAclGroups(snap)).flatMap((group) => mappedLunGroupsIn(snap, group));
  }

  /** Every network portal of every TPG. */
  async networkPortals(snapshot?: Snapshot): Promise<NetworkPortal[]> {
    const snap = snapshot ?? (await this.structure());
    return (await this.tpgs(snap)).flatMap((tpg) =>
      snap
        .childDirs(portalsPath(tpg.relativePath))
        .map(parsePortalDirName)
        .filter((p): p is { ip: string; port: number } => p !== null)
        .map((p) => NetworkPortal.existing(tpg, p.ip, p.port)),
    );
  }

  /** Every active session (node ACLs whose `info` reports one), from one snapshot. */
  async sessions(): Promise<Session[]> {
    const snap = await this.structure();
    const out: Session[] = [];
    for (const acl of await this.nodeAcls(snap)) {
      const info = parseSessionInfo(snap.text(child(acl.relativePath, ACL_FILES.info)) ?? '');
      if (info.active) out.push({ nodeAcl: acl, info });
    }
    return out;
  }

  /** Every ALUA target port group of every storage object. */
  async aluaTpgs(): Promise<ALUATargetPortGroup[]> {
    const snap = await this.cfs.snapshot(CORE_DIR, { maxDepth: 4, excludeNames: STRUCTURE_EXCLUDES });
    const out: ALUATargetPortGroup[] = [];
    for (const loc of listStorageObjects(snap)) {
      const so = this.storageObjectAt(loc);
      const dir = child(storageObjectPath(PLUGINS[loc.plugin].kernel, loc.hbaIndex, loc.name), 'alua');
      for (const name of snap.childDirs(dir)) out.push(ALUATargetPortGroup.existing(so, name));
    }
    return out;
  }
}
