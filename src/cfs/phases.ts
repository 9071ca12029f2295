/**
 * The kernel's order of operations, as numbered phases. A write run executes
 * its operations phase by phase (each phase finishes before the next
 * starts); within a phase, in order, with runs of independent operations
 * in parallel.
 *
 * Removal goes first and in the reverse of creation order: a TPG is disabled
 * before anything in it goes, a mapped LUN's link before its directory, ACLs
 * and LUN links before LUN directories, LUNs before TPGs and targets, and
 * storage objects only after every LUN that exported them, then their HBA.
 * Creation follows the write order of rtslib-fb and the kernel
 * (target_core_configfs.c): an HBA and its storage object with its control
 * string, udev_path and enable; the object's settings (the unit serial
 * cannot change once a LUN exports it); its ALUA groups; targets and TPGs
 * with their settings; LUNs, portals, ACLs and mapped LUNs; their settings;
 * TPG enable (and discovery authentication's enforcement) last.
 */

/** Phases, in execution order. */
export const PHASE = {
  disable: 0,
  unlinkMappedLun: 1,
  rmdirMappedLun: 2,
  rmdirAclUnlinkLun: 3,
  rmdirLunPortal: 4,
  rmdirTpg: 5,
  rmdirTarget: 6,
  rmdirAluaGroup: 7,
  rmdirStorageObject: 8,
  rmdirHba: 9,
  createStorageObject: 10,
  storageObjectSettings: 11,
  aluaGroupSettings: 12,
  createTarget: 13,
  targetSettings: 14,
  children: 15,
  childSettings: 16,
  enable: 17,
} as const;

/** A phase number. */
export type Phase = (typeof PHASE)[keyof typeof PHASE];

/** Whether operations of `phase` remove things. */
export function isRemovalPhase(phase: number): boolean {
  return phase <= PHASE.rmdirHba;
}
