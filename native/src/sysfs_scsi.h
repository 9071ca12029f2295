// SCSI hosts and devices as sysfs shows them, read below a sysfs root
// directory given as an argument ("/sys" on a real system; a fake tree in
// tests). Pure C++, no Node-API; runs on worker threads.
//
//   <sysfs>/class/scsi_host/hostN/            host N: proc_name and other attributes
//   <sysfs>/bus/scsi/devices/H:C:T:L/         device: type, vendor, model, rev, state,
//                                             queue_depth, and one sub-directory per
//                                             class with its nodes (block/sda,
//                                             scsi_generic/sg0, scsi_tape/st0, ...)
//   <sysfs>/dev/{block,char}/MAJ:MIN          symlink to the node's directory
#ifndef RTSLIB_SYSFS_SCSI_H
#define RTSLIB_SYSFS_SCSI_H

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "scsi_error.h"

namespace rtslib {
namespace scsi {

struct ScsiHost {
  std::uint32_t number = 0;
  bool hasProcName = false;
  std::string procName;
  // Every readable regular file of the host's directory (proc_name included),
  // trailing whitespace removed; files that fail to read are left out.
  std::map<std::string, std::string> attributes;
};

// One device node of a SCSI device, from a class sub-directory.
struct ScsiNode {
  std::string subsystem;  // class directory name: block, scsi_generic, scsi_tape, bsg, ...
  std::string name;       // e.g. sda, sg0, nst0a, 0:0:0:0
  std::string devNode;    // /dev/<DEVNAME from uevent, else name>
  bool hasDev = false;
  std::uint32_t major = 0;
  std::uint32_t minor = 0;
};

struct ScsiAddress {
  std::uint32_t host = 0;
  std::uint32_t channel = 0;
  std::uint32_t target = 0;
  std::uint64_t lun = 0;
};

struct ScsiDevice {
  ScsiAddress address;
  std::string hctl;  // "H:C:T:L", the sysfs directory name
  int type = -1;     // peripheral device type; -1 when unreadable
  std::string typeName;
  std::string vendor;
  std::string model;
  std::string rev;
  std::string state;
  bool hasQueueDepth = false;
  std::uint32_t queueDepth = 0;
  std::string blockDevice;               // "" when none
  std::string sgDevice;                  // "" when none
  std::vector<std::string> tapeDevices;  // st* first, then nst*
  std::string changerDevice;             // "" when none
  std::vector<ScsiNode> nodes;           // every class node with a dev number, sorted
};

// Parses "H:C:T:L" (decimal, no signs, no spaces).
bool parseHctl(const std::string& s, ScsiAddress* out);
// Parses "MAJ:MIN" (a sysfs `dev` file, trailing newline allowed).
bool parseDevNumber(const std::string& s, std::uint32_t* major, std::uint32_t* minor);

// Reads a small file (sysfs attribute); false with *err set on failure.
bool readSmallFile(const std::string& path, std::string* out, int* err);
// Removes trailing whitespace (newline, spaces) and leading spaces/tabs.
std::string trimValue(const std::string& s);

// All hosts, sorted by number. A sysfs root without class/scsi_host (no SCSI
// subsystem) yields an empty list; a missing sysfs root is ENOENT.
bool listHosts(const std::string& sysfsRoot, std::vector<ScsiHost>* out, SysError* error);

// All devices (directories named H:C:T:L), sorted by address. Devices that
// vanish while being read are left out.
bool listDevices(const std::string& sysfsRoot, std::vector<ScsiDevice>* out, SysError* error);

// One device by its H:C:T:L name: its attributes and nodes. ENOENT if absent.
bool readDevice(const std::string& sysfsRoot, const std::string& hctl, ScsiDevice* out,
                SysError* error);

// Finds the SCSI device owning the block (`isBlock`) or character device
// number: through <sysfs>/dev/{block,char}/MAJ:MIN when present, else by
// scanning every device's nodes. A partition resolves to its disk's device.
// ENODEV when no SCSI device has that number.
bool findDeviceByDevNumber(const std::string& sysfsRoot, bool isBlock, std::uint32_t major,
                           std::uint32_t minor, ScsiDevice* out, SysError* error);

// stat()s `devicePath` (following symlinks such as /dev/disk/by-id/...), then
// findDeviceByDevNumber(). ENOENT (and other stat errors) from stat; ENODEV
// when the path is not a block or character device or not a SCSI one.
bool resolveDevicePath(const std::string& sysfsRoot, const std::string& devicePath, ScsiDevice* out,
                       SysError* error);

}  // namespace scsi
}  // namespace rtslib

#endif  // RTSLIB_SYSFS_SCSI_H
