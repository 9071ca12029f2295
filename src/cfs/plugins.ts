/**
 * The storage plugins (backstores) of the kernel, under their three names:
 * the configfs directory prefix, rtslib-fb's saveconfig name, and what the
 * kernel's `hba_info` calls them.
 */
import type { KernelPlugin } from './tree.js';
import { validateValue } from './names.js';
import { RTSLibInvalidArgumentError } from '../errors.js';

/** saveconfig.json / rtslib-fb names of the plugins. */
export type PluginName = 'ramdisk' | 'fileio' | 'block' | 'pscsi' | 'user';

/** Description of one storage plugin. */
export interface PluginInfo {
  /** Name in saveconfig.json and rtslib-fb. */
  name: PluginName;
  /** configfs directory prefix (`<kernel>_<index>`). */
  kernel: KernelPlugin;
  /** Kernel module that provides it. */
  module: string;
  /** Whether the object gets a generated `wwn/vpd_unit_serial` (pscsi passes the device's through). */
  hasUnitSerial: boolean;
}

/** All plugins, keyed by saveconfig name. */
export const PLUGINS: Readonly<Record<PluginName, PluginInfo>> = {
  ramdisk: { name: 'ramdisk', kernel: 'rd_mcp', module: 'target_core_mod', hasUnitSerial: true },
  fileio: { name: 'fileio', kernel: 'fileio', module: 'target_core_file', hasUnitSerial: true },
  block: { name: 'block', kernel: 'iblock', module: 'target_core_iblock', hasUnitSerial: true },
  pscsi: { name: 'pscsi', kernel: 'pscsi', module: 'target_core_pscsi', hasUnitSerial: false },
  user: { name: 'user', kernel: 'user', module: 'target_core_user', hasUnitSerial: true },
};

/** The plugin whose configfs prefix is `kernel`. */
export function pluginByKernelName(kernel: KernelPlugin): PluginInfo {
  const info = Object.values(PLUGINS).find((p) => p.kernel === kernel);
  if (!info) throw new Error(`unknown kernel plugin ${kernel}`);
  return info;
}

/** Parses an `hba_info` text (`HBA Index: 3 plugin: rd_mcp version: v5.0`). */
export function parseHbaInfo(text: string): { hbaId: number | null; plugin: string | null; version: string | null } {
  const id = /HBA Index:\s*(\d+)/.exec(text);
  const plugin = /plugin:\s*(\S+)/.exec(text);
  const version = /version:\s*(\S+)/.exec(text);
  return { hbaId: id ? Number(id[1]) : null, plugin: plugin?.[1] ?? null, version: version?.[1] ?? null };
}

/** The TCMU control parameters a user may add (target_core_user.c `tcmu_opt_tokens`, less those set from the options). */
const USER_CONTROL_KEYS = new Set(['max_data_area_mb', 'hw_block_size', 'nl_reply_supported', 'data_pages_per_blk', 'cmd_ring_size_mb']);

/**
 * Checks an extra TCMU control string: comma-separated `key=value` pairs of
 * known keys with plain values (no parameter can be smuggled in). Returns it.
 */
export function validateUserControl(control: unknown): string {
  const text = validateValue('control', control);
  for (const pair of text.split(',')) {
    const m = /^([a-z_]+)=([^=,]+)$/.exec(pair);
    if (!m || !USER_CONTROL_KEYS.has(m[1] as string)) {
      throw new RTSLibInvalidArgumentError('control', `must be key=value pairs of ${[...USER_CONTROL_KEYS].join(', ')}, got ${JSON.stringify(pair)}`);
    }
  }
  return text;
}

/**
 * Whether a storage object of `plugin` can have ALUA groups, as rtslib-fb
 * decides it: never pscsi (rtslib-fb reads its `attrib/alua_support`, which
 * the kernel shows as 0 for every pass-through device: they answer ALUA
 * themselves), user (TCMU) only when its handler set `attrib/alua_support` to 1, every
 * other plugin always. `aluaSupportAttribute` is that file's value, when read.
 */
export function supportsAlua(plugin: PluginName, aluaSupportAttribute: string | undefined): boolean {
  if (plugin === 'pscsi') return false;
  if (plugin === 'user') return aluaSupportAttribute?.trim() === '1';
  return true;
}
