# Stage 2 of the guest, run by the host's own /bin/sh (dash) after switch_root.
# Prepares a LIO-capable system (configfs, target modules, loopback network,
# tmpfs scratch space) and runs the job script named on the kernel command line.
# The job's output goes to the console; its exit code is printed as a marker
# line that the host-side harness parses, then the guest powers off.
job=""
tmpfs=1
for arg in $(cat /proc/cmdline); do
  case "$arg" in
    rtslib.job=*) job="${arg#rtslib.job=}" ;;
    rtslib.tmpfs=*) tmpfs="${arg#rtslib.tmpfs=}" ;;
  esac
done
finish() {
  echo "@@RTSLIB-VM-EXIT=$1@@"
  sync
  echo o > /proc/sysrq-trigger
  sleep 30
}
trap 'finish 125' EXIT
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
[ "$tmpfs" = 1 ] && mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
mkdir -p /run/lock /run/lock/iscsi
# open-iscsi keeps its state under /etc/iscsi and /var/lib/iscsi, which are the
# host's own directories here: give the guest private copies (tmpfs) so an
# initiator run in the guest never changes the host.
for d in /etc/iscsi /var/lib/iscsi; do
  if [ -d "$d" ]; then
    mkdir -p "/run/private$d" && cp -a "$d/." "/run/private$d/" 2>/dev/null
    mount -t tmpfs tmpfs "$d" && cp -a "/run/private$d/." "$d/"
  fi
done
modprobe configfs && mount -t configfs none /sys/kernel/config || finish 126
for m in target_core_mod target_core_iblock target_core_file target_core_pscsi target_core_user tcm_loop iscsi_target_mod sd_mod sg loop; do
  modprobe "$m" || { echo "rtslib-vm: modprobe $m failed"; finish 126; }
done
# targetcli needs a system D-Bus (it asks it for TCMU handlers): give the guest one
if command -v dbus-daemon >/dev/null 2>&1; then
  mkdir -p /run/dbus && dbus-daemon --system --fork --nopidfile || echo "rtslib-vm: no system D-Bus (targetcli will not run)"
fi
hostname rtslib-vm
ip link set lo up 2>/dev/null || ifconfig lo 127.0.0.1 up
echo "rtslib-vm: guest kernel $(uname -r), $(nproc) cpus, LIO $(cat /sys/kernel/config/target/version 2>/dev/null | sed 's/.*v\([0-9.]*\) .*/\1/')"
if [ -z "$job" ] || [ ! -f "$job/command.sh" ]; then
  echo "rtslib-vm: no job script given"; finish 127
fi
# The job's output goes through a pipe, not the console tty, so programs
# print plain lines (no cursor movement) and the host sees a clean log.
mkfifo /run/job-output
cat /run/job-output &
reader=$!
# A process that dies of a fault (SIGSEGV, SIGBUS, SIGILL...) leaves its
# registers and code bytes in the kernel's log, printed below if the job ends so.
echo 1 > /proc/sys/kernel/print-fatal-signals
/bin/sh "$job/command.sh" > /run/job-output 2>&1 < /dev/null
rc=$?
wait $reader
if [ "$rc" -gt 128 ]; then
  echo "rtslib-vm: the job ended by signal $((rc - 128)); the kernel's log of fatal signals:"
  dmesg | grep -E -A 24 'segfault at|general protection|traps:|potentially unexpected fatal signal' | tail -n 60
fi
trap - EXIT
finish $rc
