/**
 * The root of the target tree: entry point of the object model and home of
 * the listings. Every listing is answered from one snapshot (one native
 * crossing) of the tree's structure, never by re-scanning configfs per object.
 */
import { STORAGE_PLUGINS } from './storage-plugins.js';
import { Configfs, type ConfigfsOptions } from '../cfs/configfs.js';
import { hasJournal } from '../cfs/journal.js';
import { recoverInterruptedRun, recoverUnderLock, type RecoveryReport } from '../cfs/recovery.js';
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
} from '../cfs/tree.js';
import { FABRICS, type FabricName } from '../cfs/fabrics.js';
import { PLUGINS } from '../cfs/plugins.js';
import { wwnFromConfigfs } from '../cfs/wwn.js';
import { RTSLibNotInCFSError } from '../errors.js';
import { listStorageObjects, type StorageObject, type StorageObjectLocation } from './storage-object.js';
import { FabricModule } from './fabric-module.js';
import { Target } from './target.js';
import { TPG } from './tpg.js';
import { LUN } from './lun.js';
import { NodeACL, parseSessionInfo, type SessionInfo } from './node-acl.js';
import { MappedLUN } from './mapped-lun.js';
import { NetworkPortal } from './network-portal.js';
import { ALUATargetPortGroup } from './alua-target-port-group.js';

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
        const report = await recoverUnderLock(cfs);
        if (report) cfs.notice(report.message);
      },
      // A save must not record a half-applied tree: recover first when a journal is there.
      beforeSharedHold: async (cfs) => {
        if (cfs.stateDir !== null && (await hasJournal(cfs.stateDir, cfs.root))) await cfs.exclusive(async () => undefined);
      },
    });
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
    return recoverInterruptedRun(this.cfs);
  }

  /** Absolute path of the target root. */
  get path(): string {
    return this.cfs.root;
  }

  /** The kernel's target core version line (`version`), or throws when LIO is not loaded. */
  async version(): Promise<string> {
    const snap = await this.cfs.snapshot('', { maxDepth: 1 });
    const text = snap.text(ROOT_FILES.version);
    if (text === undefined) throw new RTSLibNotInCFSError('the target core is not loaded (no version file in configfs)', this.cfs.abs(ROOT_FILES.version));
    return text;
  }

  /** One read of the tree's structure (directories, links, a few files), for the listings. */
  private structure(): Promise<Snapshot> {
    return this.cfs.snapshot('', { excludeNames: STRUCTURE_EXCLUDES });
  }

  /** Where every storage object is (plugin, HBA index, name), from one snapshot. */
  async storageObjectLocations(): Promise<StorageObjectLocation[]> {
    return listStorageObjects(await this.cfs.snapshot(CORE_DIR, { maxDepth: 2 }));
  }

  /** Every storage object, as objects of its plugin's class. */
  async storageObjects(): Promise<StorageObject[]> {
    return (await this.storageObjectLocations()).map((loc) => STORAGE_PLUGINS[loc.plugin].existing(this.cfs, loc));
  }

  /** Every fabric module this library knows, loaded or not (see {@link FabricModule.available}). */
  fabricModules(): FabricModule[] {
    return (Object.keys(FABRICS) as FabricName[]).map((name) => new FabricModule(this, name));
  }

  /** Every target of every loaded fabric. */
  async targets(snapshot?: Snapshot): Promise<Target[]> {
    const snap = snapshot ?? (await this.structure());
    const out: Target[] = [];
    for (const fabric of this.fabricModules()) {
      for (const dir of snap.childDirs(fabric.relativePath)) {
        if (dir === 'discovery_auth') continue;
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
      const so = STORAGE_PLUGINS[loc.plugin].existing(this.cfs, loc);
      const dir = child(storageObjectPath(PLUGINS[loc.plugin].kernel, loc.hbaIndex, loc.name), 'alua');
      for (const name of snap.childDirs(dir)) out.push(ALUATargetPortGroup.existing(so, name));
    }
    return out;
  }
}
