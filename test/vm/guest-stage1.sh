#!/bin/busybox sh
# Stage 1 of the guest: runs as /init from the tiny initramfs (busybox only).
# Loads the 9p/virtio modules, mounts the host's root filesystem shared by qemu
# and switches into it, handing over to stage 2 (a script in the checkout).
/bin/busybox --install -s /bin
mkdir -p /proc /sys /dev /newroot
mount -t proc proc /proc
mount -t devtmpfs devtmpfs /dev
for m in virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci netfs fscache 9pnet 9pnet_virtio 9p; do
  insmod /modules/$m.ko || { echo "rtslib-vm: insmod $m failed"; echo o > /proc/sysrq-trigger; }
done
stage2=""
cache=none
for arg in $(cat /proc/cmdline); do
  case "$arg" in
    rtslib.stage2=*) stage2="${arg#rtslib.stage2=}" ;;
    rtslib.9pcache=*) cache="${arg#rtslib.9pcache=}" ;;
  esac
done
if ! mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000,cache=$cache hostroot /newroot; then
  echo "rtslib-vm: mounting the host root over 9p failed"; echo o > /proc/sysrq-trigger
fi
mount -t proc proc /newroot/proc
mount -t sysfs sysfs /newroot/sys
mount -t devtmpfs devtmpfs /newroot/dev
umount /proc /dev 2>/dev/null
exec switch_root /newroot /bin/sh "$stage2"
