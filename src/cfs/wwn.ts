/**
 * WWN validation, normalisation and generation per fabric, following
 * rtslib-fb's rules so that names stay interchangeable with it.
 */
import { randomUUID } from 'node:crypto';
import { hostname, machine } from 'node:os';
import { RTSLibInvalidArgumentError } from '../errors.js';
import type { FabricInfo, WwnType } from './fabrics.js';
import { validateName } from './names.js';

/** The longest iSCSI name the kernel takes (ISCSI_IQN_LEN, 224 with its terminator). */
const MAX_IQN_BYTES = 223;

const TESTS: Record<WwnType, (wwn: string) => boolean> = {
  free: () => true,
  iqn: (w) => /^iqn\.\d{4}-[01]\d\..*\..*/.test(w) && !/[\s_]/.test(w),
  // rtslib-fb 2.1.76+ also takes NAA types c-f (locally assigned FC WWPNs, e.g. NPIV ports)
  naa: (w) => /^naa\.[125c-f][0-9a-f]{15}$/.test(w),
  eui: (w) => /^eui\.[0-9a-f]{16}$/.test(w),
  ib: (w) => /^ib\.[0-9a-f]{32}$/.test(w),
};

function cleanse(type: WwnType, wwn: string): string {
  let w = wwn.trim().toLowerCase();
  if (type === 'naa' || type === 'eui' || type === 'ib') {
    if (w.startsWith('0x')) w = w.slice(2);
    w = w.replace(/[-:]/g, '');
    if (!/^(naa|eui|ib)\./.test(w)) w = `${type}.${w}`;
  }
  return w;
}

/**
 * Validates and normalises a WWN for a fabric (lower case; `0x`, `-` and `:`
 * removed and the type prefix added for naa/eui/ib). Returns the WWN and its type.
 */
export function normalizeWwn(fabric: FabricInfo, wwn: unknown, argument = 'wwn'): { wwn: string; type: WwnType } {
  if (typeof wwn !== 'string') throw new RTSLibInvalidArgumentError(argument, `expected a string, got ${typeof wwn}`);
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(wwn)) throw new RTSLibInvalidArgumentError(argument, `must not contain a newline or other control character: ${JSON.stringify(wwn)}`);
  if (Buffer.byteLength(wwn) > MAX_IQN_BYTES) throw new RTSLibInvalidArgumentError(argument, `is longer than ${MAX_IQN_BYTES} bytes`);
  for (const type of fabric.wwnTypes) {
    const clean = cleanse(type, wwn);
    if (TESTS[type](clean)) {
      validateName(argument, clean);
      return { wwn: clean, type };
    }
  }
  throw new RTSLibInvalidArgumentError(argument, `${JSON.stringify(wwn)} is not a valid ${fabric.name} WWN (expected ${fabric.wwnTypes.join(' or ')})`);
}

/**
 * {@link normalizeWwn} for a target's WWN, with rtslib-fb's fix-up of the
 * NAA prefix old versions wrote (`naa.6…` becomes `naa.5…`; node ACLs and
 * nexuses do not get it).
 */
export function normalizeTargetWwn(fabric: FabricInfo, wwn: unknown): { wwn: string; type: WwnType } {
  return normalizeWwn(fabric, typeof wwn === 'string' && wwn.startsWith('naa.6') ? `naa.5${wwn.slice(5)}` : wwn);
}

/** Generates a random WWN of `type` the way rtslib-fb does. */
export function generateWwn(type: WwnType): string {
  const hex = randomUUID().replace(/-/g, '');
  switch (type) {
    case 'iqn': {
      const host = (hostname().split('.')[0] ?? 'localhost').replace(/_/g, '').toLowerCase();
      return `iqn.2003-01.org.linux-iscsi.${host}.${machine().replace(/_/g, '').toLowerCase()}:sn.${hex.slice(-12)}`;
    }
    case 'naa':
      return `naa.5001405${hex.slice(-9)}`;
    case 'eui':
      return `eui.001405${hex.slice(-10)}`;
    case 'ib':
      return `ib.fe80000000000000${hex.slice(-16)}`;
    case 'free':
      return randomUUID();
  }
}

/** The WWN as the fabric's configfs directory name spells it. */
export function wwnToConfigfs(fabric: FabricInfo, wwn: string): string {
  switch (fabric.wwnInConfigfs) {
    case 'same':
      return wwn;
    case 'strip-prefix':
      return wwn.slice(wwn.indexOf('.') + 1);
    case 'ib-hex':
      return `0x${wwn.slice(3)}`;
    case 'colon-hex':
      return (wwn.slice(4).match(/.{1,2}/g) ?? []).join(':');
  }
}

/** The WWN from a fabric's configfs directory name. */
export function wwnFromConfigfs(fabric: FabricInfo, dirName: string): string {
  switch (fabric.wwnInConfigfs) {
    case 'same':
      return dirName;
    case 'strip-prefix':
      return `${fabric.wwnTypes[0]}.${dirName}`;
    case 'ib-hex':
      return `ib.${dirName.replace(/^0x/, '')}`;
    case 'colon-hex':
      return `naa.${dirName.replace(/:/g, '')}`;
  }
}
