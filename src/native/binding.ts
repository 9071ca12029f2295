/**
 * Loads the native addon (`rtslib.node`) and declares its typed surface.
 *
 * The addon is found with node-gyp-build from the package root: a local build
 * in `build/Release` wins, else a bundled prebuild in `prebuilds/`. Setting
 * `RTSLIB_ADDON_PATH` loads that file instead (used for sanitizer builds). It
 * is loaded on first use, not at import.
 */
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { errnoNumber, faultsFromEnvironment } from './faults.js';
import { unpackTree, type NativePackedTree } from './packed-tree.js';
import { RTSLibError } from '../errors.js';
import type { NativeInquiry, NativeInquiryOptions, NativeScsiDevice, NativeScsiDeviceInfo, NativeScsiHost, NativeSysfsOptions } from './scsi-types.js';

export type OpKind = 'read' | 'write' | 'mkdir' | 'rmdir' | 'symlink' | 'unlink' | 'readlink' | 'list' | 'stat';

export interface NativeOp {
  op: OpKind;
  /** Absolute path strictly below `BatchOptions.root` (the root itself only for list/stat/read). */
  path: string;
  /** write: the value; its UTF-8 encoding is written with exactly one write() (at most 4095 bytes). */
  value?: string;
  /** symlink: the link contents. */
  target?: string;
  /** mkdir: permission bits, default 0o755. */
  mode?: number;
  /** Consecutive independent ops form a group that runs concurrently. */
  independent?: boolean;
  /**
   * Indexes of earlier ops of the batch (each lower than this op's) that must
   * finish before this one starts. Inside a group of independent ops this
   * makes chains (remove a LUN's mapped LUNs, then the LUN, then its storage
   * object) that run side by side without a barrier between their steps.
   * With `stopOnError`, an op whose `after` op failed never starts.
   */
  after?: readonly number[];
}

/**
 * A batch in packed form: what {@link NativeOp}s hold, as a few typed arrays
 * and NUL-joined strings that the addon reads with a handful of Node-API
 * calls for the whole batch instead of several per operation (src/native/packed-ops.ts
 * makes it). Validated as the object form is, with the same messages.
 */
export interface NativePackedOps {
  /** Per operation: its code (its place in {@link PACKED_OP_KINDS}), plus 0x80 when it is independent. */
  kinds: Uint8Array;
  /** The operations' paths, joined with NUL bytes. */
  paths: string;
  /** The values of the writes and the targets of the symlinks, in operation order, joined with NUL bytes. */
  texts: string;
  /** Per operation, a mkdir's permission bits, or -1 for the default 0o755; absent when no operation has any. */
  modes?: Int32Array;
  /** Operation i's `after` indexes are afterList[afterStart[i]] up to afterList[afterStart[i + 1]]; both absent when no operation has any. */
  afterStart?: Uint32Array;
  afterList?: Uint32Array;
}

/** The operations by their code in {@link NativePackedOps.kinds} (the addon's own order). */
export const PACKED_OP_KINDS: readonly OpKind[] = ['read', 'write', 'mkdir', 'rmdir', 'symlink', 'unlink', 'readlink', 'list', 'stat'];

export interface BatchOptions {
  /** Absolute directory every op path must lie below. */
  root: string;
  /** Default true: after the first failure no further op starts. */
  stopOnError?: boolean;
  /** Threads for a group of independent ops, 1..64, default 8. */
  concurrency?: number;
  /** Per-op timeout in ms, default 0 = none. A timed-out op's thread is abandoned. */
  timeoutMs?: number;
  /**
   * Default false. Marks a batch that undoes an earlier one (a rollback). Only
   * fault injection tells the two apart: `failUndoAt` counts the mutating ops of
   * undo batches, `failAt` and `stallAt` those of the others.
   */
  undo?: boolean;
}

export type NativeDirEntryType = 'dir' | 'file' | 'link' | 'other';

export interface NativeDirEntry {
  name: string;
  type: NativeDirEntryType;
}

export interface NativeStat {
  /** st_mode including the file type bits. */
  mode: number;
  type: NativeDirEntryType;
}

export interface NativeSuccess {
  ok: true;
  /** read: Buffer; readlink: string; list: entries; stat: NativeStat; otherwise absent. */
  value?: Buffer | string | NativeDirEntry[] | NativeStat;
}

export interface NativeFailure {
  ok: false;
  /** Negative errno, like Node's system errors. */
  errno: number;
  syscall: string;
  path: string;
  /** Extra detail, e.g. for a short write or a timeout. */
  message?: string;
  skipped?: undefined;
}

export interface NativeSkipped {
  ok: false;
  /** Not run because an earlier op failed and stopOnError was set. */
  skipped: true;
}

export type NativeResult = NativeSuccess | NativeFailure | NativeSkipped;

export interface TreeOptions {
  /** Absolute directory the walked dir must be (or lie below). */
  root: string;
  /** Deepest level returned (entries of the walked dir are level 1); default unlimited. */
  maxDepth?: number;
  /** Basenames (dir or file) skipped entirely, at any depth. */
  excludeNames?: string[];
  /**
   * fnmatch(3) patterns of paths relative to `root` (`*` within one
   * segment), skipped entirely; each pattern's last segment is a literal
   * name, and only entries of that name are matched.
   */
  excludePaths?: string[];
  /** Only these names directly in the walked dir are walked (with everything below them); default all. */
  only?: string[];
  /** Default true. Files without the owner-read bit are never read. */
  readValues?: boolean;
  /** With `readValues: false`, files of these basenames are still read. */
  valueNames?: string[];
  /** Default true. False (with `readValues: false`): files other than `valueNames` are left out. */
  listFiles?: boolean;
}

export interface NativeTree {
  /** Relative to the walked dir; depth-first, siblings sorted by name (byte order). */
  paths: string[];
  /** 0 dir, 1 file, 2 symlink, 3 other. */
  kinds: Uint8Array;
  /** Permission bits (st_mode & 0o7777). */
  modes: Uint16Array;
  /** readlink() value for symlinks, else null. */
  links: (string | null)[];
  /** All file values concatenated, byte-faithful. */
  data: Buffer;
  /** paths.length + 1 entries: value i is data[offsets[i], offsets[i+1]). */
  offsets: Uint32Array;
  /** 0, or the negative errno of reading that entry. */
  errnos: Int32Array;
}

/**
 * Test-only fault injection in the batch engine (see `NativeBinding.setFaultInjection`).
 * Counts are 1-based indexes of mutating ops (mkdir, rmdir, write, symlink,
 * unlink; never read, readlink, list, stat) in the order they are about to run,
 * counted from the last `setFaultInjection` call across all batches. Within a
 * group of independent ops the order is whatever the threads do. Every field is
 * a non-negative integer.
 */
export interface NativeFaultConfig {
  /** The k-th mutating op of forward (non-undo) batches fails without any syscall; 0 (default) = never. */
  failAt?: number;
  /** The same, counted separately, among the mutating ops of batches run with `undo: true`. */
  failUndoAt?: number;
  /** Positive errno the failed op reports (as `-errno`), 1..4095, default EIO. */
  errno?: number;
  /**
   * Before the k-th forward mutating op, write one line
   * `rtslib-fault: stalled before operation <k> <op> <path>` to fd 2 and sleep
   * `stallMs`, then perform the op normally; 0 (default) = never.
   */
  stallAt?: number;
  /** How long the stall lasts in ms, 0..2^31-1; default: until the process ends (a test kills it). */
  stallMs?: number;
  /** With `stallAt`: the stall also ends as soon as this absolute path exists (a test releases the run when it is ready). */
  stallUntil?: string;
}

/**
 * A held flock (see `NativeBinding.tryLockFile`). The lock lives as long as its
 * file descriptor: `release()` closes it, and a lock never released is closed
 * when the object is garbage-collected or the process exits.
 */
export interface NativeFileLock {
  /** Closes the descriptor, releasing the lock. Idempotent. */
  release(): void;
  /** True until `release()`. */
  readonly held: boolean;
  /** Major number of the locked file's device (st_dev), as in /proc/locks (hex there). */
  readonly major: number;
  /** Minor number of the locked file's device (st_dev), as in /proc/locks (hex there). */
  readonly minor: number;
  /** Inode number of the locked file (st_ino), as in /proc/locks (decimal there). */
  readonly inode: number;
}

export interface NativeBinding {
  /**
   * Runs a batch (the operations as objects, or packed). A result without a
   * value (most of them) may be one frozen object shared by the batch's
   * other such results.
   */
  executeBatch(ops: NativeOp[] | NativePackedOps, options: BatchOptions): Promise<NativeResult[]>;
  readTree(dir: string, options: TreeOptions): Promise<NativeTree>;

  // SCSI discovery (types in ./scsi-types.ts). Paths must be absolute and
  // free of NUL bytes (else TypeError, thrown before any system call);
  // failures reject with errno (negative), syscall and path.

  /** SCSI hosts from `<sysfsRoot>/class/scsi_host/host<N>`, sorted; [] without a SCSI subsystem. */
  listScsiHosts(options?: NativeSysfsOptions): Promise<NativeScsiHost[]>;
  /** SCSI devices from `<sysfsRoot>/bus/scsi/devices/H:C:T:L` with their nodes, sorted by address. */
  listScsiDevices(options?: NativeSysfsOptions): Promise<NativeScsiDevice[]>;
  /**
   * The SCSI device of a device node (or a symlink to one): stat()s it and follows
   * `<sysfsRoot>/dev/{block,char}/MAJ:MIN` to the device, checking the node's `dev`
   * number. Rejects ENOENT (stat) for a missing path, ENODEV for a non-SCSI node.
   */
  resolveScsiDevice(path: string, options?: NativeSysfsOptions): Promise<NativeScsiDevice>;
  /**
   * SG_IO INQUIRY: standard data when `vpdPage` is undefined, else that VPD page;
   * decoded (pages 0x00, 0x80, 0x83) plus the raw bytes. RangeError for a vpdPage
   * outside 0-255 or a timeoutMs below 1. A failed command rejects EIO (ETIMEDOUT on
   * timeout) with the SCSI, host and driver status and the sense in the message and
   * as scsiStatus/hostStatus/driverStatus/senseKey/asc/ascq.
   */
  scsiInquiry(devicePath: string, options?: NativeInquiryOptions): Promise<NativeInquiry>;
  /** SG_GET_SCSI_ID / SCSI_IOCTL_GET_IDLUN, and BLKGETSIZE64, BLKSSZGET, BLKPBSZGET on block nodes. */
  scsiDeviceInfo(devicePath: string): Promise<NativeScsiDeviceInfo>;
  /**
   * Opens the node exclusively and non-blocking (block: O_RDONLY|O_EXCL, sg:
   * O_RDWR|O_EXCL, other char nodes O_RDONLY): true on EBUSY, false when it opened.
   */
  probeInUse(devicePath: string): Promise<boolean>;

  /**
   * Takes an advisory flock on `path` the way targetcli takes /var/run/targetcli.lock:
   * opens it O_RDWR|O_CREAT|O_CLOEXEC (mode 0o644 before the umask; never truncated),
   * then `flock(LOCK_EX or LOCK_SH | LOCK_NB)`. Synchronous and never blocks: returns
   * null when a conflicting lock is held by another open file description (another
   * process, or another tryLockFile in this one). Other failures throw an Error with
   * errno (negative), syscall ('open' or 'flock') and path. `path` must be an absolute
   * string without NUL bytes and `exclusive` a boolean (else TypeError, before any
   * system call).
   */
  tryLockFile(path: string, exclusive: boolean): NativeFileLock | null;

  /**
   * Test only. Turns fault injection in the batch engine on with `config` (and
   * resets both counters), or off with null/undefined; while off nothing is counted
   * and the engine pays one relaxed atomic load per op. An injected failure is an
   * op result `{ ok: false, errno, syscall, path, message: 'injected fault' }`,
   * syscall being the op's primary one ('open' for write); stopOnError then skips
   * the rest as for any failure. The state is process-global: turn it off after
   * each test. TypeError for a non-object config, an unknown key or a non-number
   * field; RangeError for a negative or fractional count or an errno outside 1..4095.
   */
  setFaultInjection(config: NativeFaultConfig | null): void;
  /** Test only. Mutating ops counted since the last `setFaultInjection`: forward and undo batches. */
  faultInjectionCounts(): { forward: number; undo: number };
}

/** The package root: two levels above this file in both src/native/ and dist/native/. */
const packageRoot = fileURLToPath(new URL('../../', import.meta.url));

/** The platform an addon is built for, as prebuildify names it: `linux-x64`, with the C library. */
function platformName(): string {
  const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header;
  return `${process.platform}-${process.arch} (${header?.glibcVersionRuntime ? 'glibc' : 'musl'}, Node.js ${process.versions.node}, Node-API ${process.versions.napi})`;
}

/** What the addon itself exports: {@link NativeBinding}, but for readTree, whose tree comes packed. */
interface AddonBinding extends Omit<NativeBinding, 'readTree'> {
  readTree(dir: string, options: TreeOptions): Promise<NativePackedTree>;
}

/**
 * Loads the addon: `RTSLIB_ADDON_PATH` when set, else node-gyp-build's
 * search of the package (a local `build/Release` first, then the bundled
 * `prebuilds/<platform>-<arch>/`). Failing, one line says for which
 * platform, what was looked for, why not, and how to build it.
 */
function loadBinding(): AddonBinding {
  const require = createRequire(import.meta.url);
  const override = process.env['RTSLIB_ADDON_PATH'];
  try {
    if (override) return require(resolve(override)) as AddonBinding;
    const nodeGypBuild = require('node-gyp-build') as (dir: string) => unknown;
    return nodeGypBuild(packageRoot) as AddonBinding;
  } catch (cause) {
    const reason = (cause instanceof Error ? cause.message : String(cause)).split('\n')[0]!.trim();
    const lookedFor = override ? `RTSLIB_ADDON_PATH=${override}` : `build/Release/rtslib.node and prebuilds/${process.platform}-${process.arch}/ in ${packageRoot}`;
    const fix = override ? 'unset RTSLIB_ADDON_PATH or point it at a built rtslib.node' : 'build it with `npm rebuild rtslib --build-from-source` (needs python3, make and g++)';
    throw new RTSLibError(`cannot load the native addon for ${platformName()}: looked for ${lookedFor} (${reason}); ${fix}`, { code: 'ERR_RTSLIB_NO_ADDON', cause });
  }
}

let loaded: AddonBinding | null = null;
const bound = new Map<PropertyKey, unknown>();

/** The addon, loaded on first use; test-only fault injection the environment asks for (native/faults.ts) is switched on then. */
function binding(): AddonBinding {
  if (loaded) return loaded;
  const addon = loadBinding();
  const faults = faultsFromEnvironment();
  if (faults) {
    addon.setFaultInjection({
      ...(faults.failAt === undefined ? {} : { failAt: faults.failAt }),
      ...(faults.failUndoAt === undefined ? {} : { failUndoAt: faults.failUndoAt }),
      ...(faults.stallAt === undefined ? {} : { stallAt: faults.stallAt }),
      ...(faults.stallMs === undefined ? {} : { stallMs: faults.stallMs }),
      ...(faults.stallUntil === undefined ? {} : { stallUntil: faults.stallUntil }),
      errno: errnoNumber(faults.errno),
    });
  }
  loaded = addon;
  return addon;
}

/**
 * The native addon. Importing the library does not load it: the first call
 * that needs the kernel does (so `--help`, `--version` and checking a file
 * work where the addon cannot load), and a failure to load is an
 * {@link RTSLibError} with code `ERR_RTSLIB_NO_ADDON`.
 */
export const native: NativeBinding = new Proxy({} as NativeBinding, {
  get(_target, key) {
    if (!bound.has(key)) {
      const addon = binding();
      if (key === 'readTree') {
        // the addon's tree comes packed (packed-tree.ts); a bad argument still throws before the promise
        bound.set(key, (dir: string, options: TreeOptions): Promise<NativeTree> => addon.readTree(dir, options).then(unpackTree));
      } else {
        const value: unknown = (addon as unknown as Record<PropertyKey, unknown>)[key];
        bound.set(key, typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(addon) : value);
      }
    }
    return bound.get(key);
  },
});
