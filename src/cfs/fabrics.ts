/**
 * The fabric modules LIO knows: their configfs directory, kernel module,
 * features and WWN formats (as rtslib-fb describes them), and how a WWN is
 * written in the fabric's configfs directory name.
 */

/** Features a fabric may offer. */
export type FabricFeature = 'discovery_auth' | 'acls' | 'auth' | 'nps' | 'tpgts' | 'nexus' | 'cpus_allowed_list';

/** WWN formats. */
export type WwnType = 'iqn' | 'naa' | 'eui' | 'ib' | 'free';

/** Names of the fabrics. */
export type FabricName = 'iscsi' | 'loopback' | 'vhost' | 'qla2xxx' | 'efct' | 'srpt' | 'tcm_fc' | 'sbp' | 'xen-pvscsi' | 'ibmvscsis' | 'usb_gadget';

/** Description of one fabric. */
export interface FabricInfo {
  /** Fabric name (as in saveconfig.json's `fabric`). */
  name: FabricName;
  /** Its configfs directory under the target root. */
  dir: string;
  /** Kernel module that provides it. */
  module: string;
  /** What it supports. */
  features: readonly FabricFeature[];
  /** Accepted WWN formats, in order of preference. */
  wwnTypes: readonly WwnType[];
  /** How the WWN is spelled in configfs (`naa.5001…` → `50:01:…` for FC). */
  wwnInConfigfs: 'same' | 'colon-hex' | 'strip-prefix' | 'ib-hex';
  /** Where the ports' WWNs of a hardware fabric are found in sysfs (it cannot make up a WWN); absent for software fabrics. */
  hardwareWwns?: HardwareWwnSource;
}

/**
 * Where a hardware fabric's port WWNs are, as rtslib-fb finds them:
 * `fc_host/host*\/port_name` of the hosts whose device's driver (or
 * subsystem) is the fabric's; InfiniBand ports' first GID; the local
 * FireWire node's GUID; the IBM vSCSI server adapters' device-tree names.
 */
export type HardwareWwnSource =
  { from: 'fc_host'; driver: string } | { from: 'fc_host'; subsystem: string } | { from: 'infiniband' } | { from: 'firewire' } | { from: 'ibmvscsis' };

const ALL_ISCSI: readonly FabricFeature[] = ['discovery_auth', 'acls', 'auth', 'nps', 'tpgts', 'cpus_allowed_list'];

/** Every fabric, keyed by name. */
export const FABRICS: Readonly<Record<FabricName, FabricInfo>> = {
  iscsi: { name: 'iscsi', dir: 'iscsi', module: 'iscsi_target_mod', features: ALL_ISCSI, wwnTypes: ['iqn', 'naa', 'eui'], wwnInConfigfs: 'same' },
  loopback: { name: 'loopback', dir: 'loopback', module: 'tcm_loop', features: ['nexus'], wwnTypes: ['naa'], wwnInConfigfs: 'same' },
  vhost: { name: 'vhost', dir: 'vhost', module: 'tcm_vhost', features: ['nexus', 'acls', 'tpgts'], wwnTypes: ['naa'], wwnInConfigfs: 'same' },
  qla2xxx: {
    name: 'qla2xxx',
    dir: 'qla2xxx',
    module: 'tcm_qla2xxx',
    features: ['acls'],
    wwnTypes: ['naa'],
    wwnInConfigfs: 'colon-hex',
    hardwareWwns: { from: 'fc_host', driver: 'qla2xxx' },
  },
  efct: { name: 'efct', dir: 'efct', module: 'efct', features: ['acls'], wwnTypes: ['naa'], wwnInConfigfs: 'colon-hex', hardwareWwns: { from: 'fc_host', driver: 'efct' } },
  srpt: { name: 'srpt', dir: 'srpt', module: 'ib_srpt', features: ['acls'], wwnTypes: ['ib'], wwnInConfigfs: 'ib-hex', hardwareWwns: { from: 'infiniband' } },
  tcm_fc: { name: 'tcm_fc', dir: 'fc', module: 'tcm_fc', features: ['acls'], wwnTypes: ['naa'], wwnInConfigfs: 'colon-hex', hardwareWwns: { from: 'fc_host', subsystem: 'fcoe' } },
  sbp: { name: 'sbp', dir: 'sbp', module: 'sbp_target', features: [], wwnTypes: ['eui'], wwnInConfigfs: 'strip-prefix', hardwareWwns: { from: 'firewire' } },
  'xen-pvscsi': { name: 'xen-pvscsi', dir: 'xen-pvscsi', module: 'xen-scsiback', features: ['nexus', 'tpgts'], wwnTypes: ['naa'], wwnInConfigfs: 'same' },
  ibmvscsis: { name: 'ibmvscsis', dir: 'ibmvscsis', module: 'ibmvscsis', features: [], wwnTypes: ['free'], wwnInConfigfs: 'same', hardwareWwns: { from: 'ibmvscsis' } },
  usb_gadget: { name: 'usb_gadget', dir: 'usb_gadget', module: 'tcm_usb_gadget', features: ['nexus'], wwnTypes: ['naa'], wwnInConfigfs: 'same' },
};

/** The fabric whose configfs directory is `dir`, if any. */
export function fabricByDir(dir: string): FabricInfo | undefined {
  return Object.values(FABRICS).find((f) => f.dir === dir);
}

/** Whether `name` is a known fabric name. */
export function isFabricName(name: string): name is FabricName {
  return Object.prototype.hasOwnProperty.call(FABRICS, name);
}
