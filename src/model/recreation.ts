/**
 * The operations that make a storage object again exactly as a snapshot
 * shows it, for undo and crash recovery: the kernel shows how the object
 * was made (its `info` and `udev_path`) but not the `control` string that
 * made it, so it is rebuilt here per plugin from what `info` says
 * (drivers/target/target_core_{file,iblock,rd,pscsi,user}.c,
 * `*_show_configfs_dev_params`). Settings (attributes, unit serial, ALUA)
 * are written back separately, as every other setting.
 */
import type { CfsOp } from '../cfs/configfs.js';
import type { Snapshot } from '../cfs/snapshot.js';
import { STORAGE_OBJECT_FILES, child, parseHbaDirName, splitPath } from '../cfs/tree.js';
import { infoField } from '../cfs/values.js';
import { parsePSCSIInfo, pscsiControl } from './pscsi-storage-object.js';

/** The control strings that made the object, from its `info`. */
function controlStrings(kernelPlugin: string, info: string, udevPath: string): string[] {
  switch (kernelPlugin) {
    case 'fileio': {
      const file = infoField(info, 'File') ?? udevPath;
      const size = Number(infoField(info, 'Size') ?? 0);
      // a block device takes its size from the device; a file needs it
      const out = [`fd_dev_name=${file}${size > 0 ? `,fd_dev_size=${size}` : ''}`];
      if (/Mode:\s*Buffered-WCE/.test(info)) out.push('fd_buffered_io=1');
      if (infoField(info, 'Async') === '1') out.push('fd_async_io=1');
      return out;
    }
    case 'iblock':
      return [`udev_path=${infoField(info, 'UDEV PATH') ?? udevPath}`, `readonly=${infoField(info, 'readonly') === '1' ? 1 : 0}`];
    case 'rd_mcp': {
      const pages = infoField(info, 'PAGES/PAGE_SIZE')?.split('*')[0] ?? '1';
      return [`rd_pages=${pages}`, ...(infoField(info, 'nullio') === '1' ? ['rd_nullio=1'] : [])];
    }
    case 'pscsi': {
      const at = parsePSCSIInfo(info);
      const host = typeof at.host === 'number' ? at.host : 0;
      return [pscsiControl({ host, channel: at.channel ?? 0, target: at.target ?? 0, lun: at.lun ?? 0 }, at.host === 'PHBA Mode')];
    }
    case 'user': {
      const out: string[] = [];
      // the control keys of target_core_user.c and the `info` fields that show them
      for (const [key, shown] of [['dev_config', 'Config'], ['dev_size', 'Size'], ['max_data_area_mb', 'MaxDataAreaMB'], ['data_pages_per_blk', 'DataPagesPerBlk'], ['hw_max_sectors', 'HwMaxSectors'], ['cmd_ring_size_mb', 'CmdRingSizeMB']] as const) {
        const value = infoField(info, shown);
        if (value !== undefined && value !== 'NULL') out.push(`${key}=${value}`);
      }
      return out;
    }
    default:
      return [];
  }
}

/**
 * The operations that recreate the storage object at `path`
 * (`core/<plugin>_<n>/<name>`) as `snap` shows it: mkdir, its control
 * string(s), `udev_path`, `enable`. Its HBA is made separately.
 */
export function recreateStorageObject(snap: Snapshot, path: string): CfsOp[] {
  const hba = parseHbaDirName(splitPath(splitPath(path).parent).name);
  const info = snap.text(child(path, STORAGE_OBJECT_FILES.info)) ?? '';
  const udevPath = snap.text(child(path, STORAGE_OBJECT_FILES.udevPath))?.trim() ?? '';
  const ops: CfsOp[] = [{ op: 'mkdir', path }];
  if (!hba || snap.text(child(path, STORAGE_OBJECT_FILES.enable))?.trim() !== '1') return ops;
  for (const value of controlStrings(hba.plugin, info, udevPath)) ops.push({ op: 'write', path: child(path, STORAGE_OBJECT_FILES.control), value });
  if (udevPath !== '') ops.push({ op: 'write', path: child(path, STORAGE_OBJECT_FILES.udevPath), value: udevPath });
  ops.push({ op: 'write', path: child(path, STORAGE_OBJECT_FILES.enable), value: '1' });
  return ops;
}
