/**
 * CHAP credentials of a node with an `auth/` group (a node ACL, or an iSCSI
 * TPG in its demo-mode/TPG-wide authentication): read, set all or nothing
 * (with the old values kept for the undo), and whether the initiator must
 * authenticate the target. Values never appear in errors.
 */
import type { CFSNode } from './cfs-node.js';
import { ACL_AUTH_FILES, DISCOVERY_AUTH_FILES, child, discoveryAuthPath, groupPath } from '../cfs/tree.js';
import type { Snapshot } from '../cfs/snapshot.js';
import type { FabricInfo } from '../cfs/fabrics.js';
import type { CfsOp } from '../cfs/configfs.js';
import { validateValue } from '../cfs/names.js';
import { AUTH_UNSET, authValue } from '../cfs/values.js';
import { RTSLibInvalidArgumentError } from '../errors.js';

/** The longest CHAP user id or password the kernel keeps. */
export const MAX_CHAP_BYTES = 255;

/** CHAP credentials of an ACL; null means unset. */
export interface ChapCredentials {
  /** `auth/userid` */
  userid: string | null;
  /** `auth/password` */
  password: string | null;
  /** `auth/userid_mutual` */
  mutualUserid: string | null;
  /** `auth/password_mutual` */
  mutualPassword: string | null;
}

/**
 * Validates one CHAP value (user id or password); null/'' mean unset. Never echoes the value.
 * @example
 * validateChapValue('password', null); // 'NULL'
 */
export function validateChapValue(argument: string, value: unknown): string {
  if (value === null || value === '') return AUTH_UNSET;
  if (typeof value !== 'string') throw new RTSLibInvalidArgumentError(argument, `expected a string or null, got ${typeof value}`);
  const text = validateValue(argument, value, true);
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(text)) throw new RTSLibInvalidArgumentError(argument, 'must not contain control characters (value not shown)');
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_CHAP_BYTES) throw new RTSLibInvalidArgumentError(argument, `is ${bytes} bytes; the kernel keeps at most ${MAX_CHAP_BYTES} (value not shown)`);
  return text;
}

/** The node's `auth/` file of each credential. */
export const CHAP_FILES: Readonly<Record<keyof ChapCredentials, string>> = {
  userid: ACL_AUTH_FILES.userid,
  password: ACL_AUTH_FILES.password,
  mutualUserid: ACL_AUTH_FILES.mutualUserid,
  mutualPassword: ACL_AUTH_FILES.mutualPassword,
};

/** The node's `auth/` files, by credential. */
const FILES = Object.entries(CHAP_FILES) as [keyof ChapCredentials, string][];

/** The CHAP credentials of a node (unset ones are null). @internal */
export async function readChap(node: CFSNode): Promise<ChapCredentials> {
  const values = await Promise.all(FILES.map(([, file]) => node.getAuthAttribute(file)));
  return { userid: values[0] ?? null, password: values[1] ?? null, mutualUserid: values[2] ?? null, mutualPassword: values[3] ?? null };
}

/** One credential to write: which, its file, and its validated value. */
export interface ChapChange {
  key: keyof ChapCredentials;
  file: string;
  value: string;
}

/**
 * The credentials given, validated before anything is read or written
 * (null or '' unsets one, as `NULL`; omitted ones are left out); `label`
 * names them in errors, which never show a value. @internal
 */
export function chapChanges(credentials: Partial<ChapCredentials>, label = 'chap'): ChapChange[] {
  return FILES.filter(([key]) => credentials[key] !== undefined).map(([key, file]) => ({ key, file, value: validateChapValue(`${label} ${key}`, credentials[key]) }));
}

/** The secret writes of `changes` into the directory `dir` (an `auth/` group or `discovery_auth`), each with the value it replaces for the undo. @internal */
export function chapOps(dir: string, changes: readonly ChapChange[], previous: Partial<ChapCredentials>): CfsOp[] {
  return changes.map(({ key, file, value }) => ({ op: 'write', path: child(dir, file), value, secret: true, previous: previous[key] ?? AUTH_UNSET }));
}

/** Sets the credentials given (null or '' unsets one; omitted ones are left alone), all or nothing. @internal */
export async function writeChap(node: CFSNode, credentials: Partial<ChapCredentials>): Promise<void> {
  if (typeof credentials !== 'object' || credentials === null) throw new RTSLibInvalidArgumentError('credentials', 'expected an object');
  const changes = chapChanges(credentials);
  if (changes.length === 0) return;
  await node.cfs.apply(chapOps(groupPath(node.relativePath, 'auth'), changes, await readChap(node)), { what: `set the CHAP credentials of ${node.describe()}` });
}

/** Whether the initiator must authenticate the target too (`auth/authenticate_target`, read-only). @internal */
export async function authenticatesTarget(node: CFSNode): Promise<boolean> {
  return (await node.getAuthAttribute(ACL_AUTH_FILES.authenticateTarget)) === '1';
}

/** A fabric's discovery authentication (iSCSI `discovery_auth/`). */
export interface DiscoveryAuth {
  /** Whether initiators must authenticate to discover targets (`enforce_discovery_auth`). */
  enable: boolean;
  /** `userid` */
  userid: string | null;
  /** `password` */
  password: string | null;
  /** `userid_mutual` */
  mutualUserid: string | null;
  /** `password_mutual` */
  mutualPassword: string | null;
  /** Whether the initiator must authenticate the target too (`authenticate_target`, read-only). */
  authenticateTarget: boolean;
}

/**
 * The discovery authentication of a fabric as a snapshot shows it; null
 * when the fabric has none or its `discovery_auth` is not in the snapshot.
 * What the model returns and what the saveconfig dump records both come
 * from here.
 * @internal
 */
export function discoveryAuthIn(snap: Snapshot, fabric: FabricInfo): DiscoveryAuth | null {
  if (!fabric.features.includes('discovery_auth')) return null;
  const dir = discoveryAuthPath(fabric.dir);
  if (snap.kind(dir) !== 'dir') return null;
  const read = (file: string): string | null => authValue(snap.text(child(dir, file))?.trim() ?? '');
  return {
    enable: read(DISCOVERY_AUTH_FILES.enforce) === '1',
    userid: read(DISCOVERY_AUTH_FILES.userid),
    password: read(DISCOVERY_AUTH_FILES.password),
    mutualUserid: read(DISCOVERY_AUTH_FILES.mutualUserid),
    mutualPassword: read(DISCOVERY_AUTH_FILES.mutualPassword),
    authenticateTarget: read(DISCOVERY_AUTH_FILES.authenticateTarget) === '1',
  };
}
