/** The kernel page size the ramdisk plugin counts in (x86-64 and most Linux targets). */
export const PAGE_SIZE = 4096;
