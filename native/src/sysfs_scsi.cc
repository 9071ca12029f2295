#include "sysfs_scsi.h"

#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <tuple>

#include "fs_util.h"
#include "vpd_decoder.h"

namespace rtslib {
namespace scsi {

namespace {

constexpr std::size_t kMaxAttributeBytes = 64 * 1024;

// lstat() type of `path`, and its mode in *mode; kOther when lstat fails.
EntryType lstatType(const std::string& path, mode_t* mode = nullptr) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) return EntryType::kOther;
  if (mode != nullptr) *mode = st.st_mode;
  return entryTypeFromMode(st.st_mode);
}

bool parseUnsigned(const std::string& s, std::size_t begin, std::size_t end, std::uint64_t max,
                   std::uint64_t* out) {
  if (begin >= end || end - begin > 20) return false;
  std::uint64_t v = 0;
  for (std::size_t i = begin; i < end; ++i) {
    const char c = s[i];
    if (c < '0' || c > '9') return false;
    const std::uint64_t digit = static_cast<std::uint64_t>(c - '0');
    if (v > (max - digit) / 10) return false;
    v = v * 10 + digit;
  }
  *out = v;
  return true;
}

bool readAttribute(const std::string& dir, const char* name, std::string* out) {
  int err = 0;
  std::string raw;
  if (!readSmallFile(dir + "/" + name, &raw, &err)) return false;
  *out = trimValue(raw);
  return true;
}

// The /dev path of a node directory: DEVNAME from its uevent, else its name.
std::string devNodePath(const std::string& nodeDir, const std::string& name) {
  std::string uevent;
  int err = 0;
  if (readSmallFile(nodeDir + "/uevent", &uevent, &err)) {
    std::size_t pos = 0;
    while (pos < uevent.size()) {
      std::size_t eol = uevent.find('\n', pos);
      if (eol == std::string::npos) eol = uevent.size();
      if (uevent.compare(pos, 8, "DEVNAME=") == 0 && eol > pos + 8) {
        return "/dev/" + uevent.substr(pos + 8, eol - pos - 8);
      }
      pos = eol + 1;
    }
  }
  return "/dev/" + name;
}

bool isKnownNodeClass(const std::string& subsystem) {
  return subsystem == "block" || subsystem == "scsi_generic" || subsystem == "scsi_tape" ||
         subsystem == "scsi_changer";
}

void addNode(const std::string& nodeDir, const std::string& subsystem, const std::string& name,
             std::vector<ScsiNode>* nodes) {
  ScsiNode node;
  node.subsystem = subsystem;
  node.name = name;
  std::string dev;
  int err = 0;
  if (readSmallFile(nodeDir + "/dev", &dev, &err)) {
    node.hasDev = parseDevNumber(dev, &node.major, &node.minor);
  }
  if (!node.hasDev && !isKnownNodeClass(subsystem)) return;
  node.devNode = devNodePath(nodeDir, name);
  nodes->push_back(std::move(node));
}

// Class nodes of a device directory: <dir>/<class>/<name>/ (and the
// deprecated <dir>/<class>:<name> symlinks of old kernels).
void collectNodes(const std::string& deviceDir, std::vector<ScsiNode>* nodes) {
  std::vector<DirEntry> entries;
  if (listDir(deviceDir.c_str(), &entries) != 0) return;
  for (const DirEntry& e : entries) {
    const std::string path = deviceDir + "/" + e.name;
    const EntryType kind = lstatType(path);
    if (kind == EntryType::kLink) {
      const std::size_t colon = e.name.find(':');
      if (colon == std::string::npos || colon == 0 || colon + 1 >= e.name.size()) continue;
      const std::string subsystem = e.name.substr(0, colon);
      // "scsi_device:0:0:0:0" style links have more colons; only take the
      // node classes whose names never contain one.
      if (!isKnownNodeClass(subsystem)) continue;
      addNode(path, subsystem, e.name.substr(colon + 1), nodes);
      continue;
    }
    if (kind != EntryType::kDir || e.name == "power") continue;
    std::vector<DirEntry> children;
    if (listDir(path.c_str(), &children) != 0) continue;
    for (const DirEntry& c : children) {
      const std::string nodeDir = path + "/" + c.name;
      if (lstatType(nodeDir) != EntryType::kDir) continue;
      addNode(nodeDir, e.name, c.name, nodes);
    }
  }
}

bool tapeOrder(const std::string& a, const std::string& b) {
  const bool an = a.compare(0, 3, "nst") == 0;
  const bool bn = b.compare(0, 3, "nst") == 0;
  if (an != bn) return !an;
  return a < b;
}

bool addressLess(const ScsiAddress& a, const ScsiAddress& b) {
  return std::tie(a.host, a.channel, a.target, a.lun) <
         std::tie(b.host, b.channel, b.target, b.lun);
}

std::string parentOf(const std::string& path) {
  const std::size_t slash = path.find_last_of('/');
  if (slash == std::string::npos || slash == 0) return "/";
  return path.substr(0, slash);
}

std::string baseName(const std::string& path) {
  const std::size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

bool nodeMatches(const ScsiNode& n, bool isBlock, std::uint32_t major, std::uint32_t minor) {
  return n.hasDev && n.major == major && n.minor == minor && (n.subsystem == "block") == isBlock;
}

std::string devNumberText(bool isBlock, std::uint32_t major, std::uint32_t minor) {
  return std::string(isBlock ? "block " : "char ") + std::to_string(major) + ":" +
         std::to_string(minor);
}

bool scanForDevNumber(const std::string& sysfsRoot, bool isBlock, std::uint32_t major,
                      std::uint32_t minor, ScsiDevice* out, SysError* error) {
  std::vector<ScsiDevice> devices;
  if (!listDevices(sysfsRoot, &devices, error)) return false;
  for (ScsiDevice& d : devices) {
    for (const ScsiNode& n : d.nodes) {
      if (nodeMatches(n, isBlock, major, minor)) {
        *out = std::move(d);
        return true;
      }
    }
  }
  return fail(error, ENODEV, "stat", sysfsRoot,
              "no SCSI device has " + devNumberText(isBlock, major, minor));
}

}  // namespace

bool parseHctl(const std::string& s, ScsiAddress* out) {
  std::size_t parts[5] = {0, 0, 0, 0, 0};
  int colons = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == ':') {
      if (++colons > 3) return false;
      parts[colons] = i + 1;
    }
  }
  if (colons != 3) return false;
  std::uint64_t h = 0, c = 0, t = 0, l = 0;
  if (!parseUnsigned(s, 0, parts[1] - 1, 0xffffffffu, &h) ||
      !parseUnsigned(s, parts[1], parts[2] - 1, 0xffffffffu, &c) ||
      !parseUnsigned(s, parts[2], parts[3] - 1, 0xffffffffu, &t) ||
      !parseUnsigned(s, parts[3], s.size(), UINT64_MAX, &l)) {
    return false;
  }
  out->host = static_cast<std::uint32_t>(h);
  out->channel = static_cast<std::uint32_t>(c);
  out->target = static_cast<std::uint32_t>(t);
  out->lun = l;
  return true;
}

bool parseDevNumber(const std::string& raw, std::uint32_t* major, std::uint32_t* minor) {
  const std::string s = trimValue(raw);
  const std::size_t colon = s.find(':');
  if (colon == std::string::npos) return false;
  std::uint64_t ma = 0, mi = 0;
  if (!parseUnsigned(s, 0, colon, 0xffffffffu, &ma) ||
      !parseUnsigned(s, colon + 1, s.size(), 0xffffffffu, &mi)) {
    return false;
  }
  *major = static_cast<std::uint32_t>(ma);
  *minor = static_cast<std::uint32_t>(mi);
  return true;
}

bool readSmallFile(const std::string& path, std::string* out, int* err) {
  out->clear();
  UniqueFd fd = openRetry(AT_FDCWD, path.c_str(), O_RDONLY | O_NONBLOCK);
  if (!fd) {
    *err = errno;
    return false;
  }
  *err = readAll(fd.get(), out, kMaxAttributeBytes, ReadOverflow::kTruncate);
  return *err == 0;
}

std::string trimValue(const std::string& s) {
  std::size_t b = 0;
  std::size_t e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\t')) ++b;
  while (e > b && (s[e - 1] == '\n' || s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\r' ||
                   s[e - 1] == '\0')) {
    --e;
  }
  return s.substr(b, e - b);
}

bool listHosts(const std::string& sysfsRoot, std::vector<ScsiHost>* out, SysError* error) {
  out->clear();
  struct stat st;
  if (::stat(sysfsRoot.c_str(), &st) != 0) return fail(error, errno, "stat", sysfsRoot);
  const std::string classDir = sysfsRoot + "/class/scsi_host";
  std::vector<DirEntry> entries;
  int err = listDir(classDir.c_str(), &entries);
  if (err != 0) {
    if (err == ENOENT) return true;  // no SCSI subsystem: no hosts
    return fail(error, err, "opendir", classDir);
  }
  for (const DirEntry& e : entries) {
    std::uint64_t number = 0;
    if (e.name.compare(0, 4, "host") != 0 ||
        !parseUnsigned(e.name, 4, e.name.size(), 0xffffffffu, &number)) {
      continue;
    }
    ScsiHost host;
    host.number = static_cast<std::uint32_t>(number);
    const std::string dir = classDir + "/" + e.name;
    std::vector<DirEntry> files;
    err = listDir(dir.c_str(), &files);
    if (err != 0) {
      if (err == ENOENT) continue;  // host removed meanwhile
      return fail(error, err, "opendir", dir);
    }
    for (const DirEntry& f : files) {
      const std::string path = dir + "/" + f.name;
      mode_t mode = 0;
      if (lstatType(path, &mode) != EntryType::kFile ||
          (mode & (S_IRUSR | S_IRGRP | S_IROTH)) == 0) {
        continue;
      }
      std::string value;
      if (!readSmallFile(path, &value, &err)) continue;
      host.attributes[f.name] = trimValue(value);
    }
    const auto it = host.attributes.find("proc_name");
    if (it != host.attributes.end()) {
      host.hasProcName = true;
      host.procName = it->second;
    }
    out->push_back(std::move(host));
  }
  std::sort(out->begin(), out->end(),
            [](const ScsiHost& a, const ScsiHost& b) { return a.number < b.number; });
  return true;
}

bool readDevice(const std::string& sysfsRoot, const std::string& hctl, ScsiDevice* out,
                SysError* error) {
  ScsiDevice d;
  if (!parseHctl(hctl, &d.address)) {
    return fail(error, EINVAL, "stat", hctl, "not an H:C:T:L address");
  }
  const std::string dir = sysfsRoot + "/bus/scsi/devices/" + hctl;
  struct stat st;
  if (::stat(dir.c_str(), &st) != 0) return fail(error, errno, "stat", dir);
  if (!S_ISDIR(st.st_mode)) return fail(error, ENOTDIR, "stat", dir);
  d.hctl = hctl;
  std::string value;
  if (readAttribute(dir, "type", &value)) {
    std::uint64_t type = 0;
    if (parseUnsigned(value, 0, value.size(), 255, &type)) d.type = static_cast<int>(type);
  }
  d.typeName = peripheralTypeName(d.type);
  readAttribute(dir, "vendor", &d.vendor);
  readAttribute(dir, "model", &d.model);
  readAttribute(dir, "rev", &d.rev);
  readAttribute(dir, "state", &d.state);
  if (readAttribute(dir, "queue_depth", &value)) {
    std::uint64_t depth = 0;
    if (parseUnsigned(value, 0, value.size(), 0xffffffffu, &depth)) {
      d.hasQueueDepth = true;
      d.queueDepth = static_cast<std::uint32_t>(depth);
    }
  }
  collectNodes(dir, &d.nodes);
  std::sort(d.nodes.begin(), d.nodes.end(), [](const ScsiNode& a, const ScsiNode& b) {
    if (a.subsystem != b.subsystem) return a.subsystem < b.subsystem;
    if (a.subsystem == "scsi_tape") return tapeOrder(a.name, b.name);
    return a.name < b.name;
  });
  for (const ScsiNode& n : d.nodes) {
    if (n.subsystem == "block" && d.blockDevice.empty()) d.blockDevice = n.devNode;
    if (n.subsystem == "scsi_generic" && d.sgDevice.empty()) d.sgDevice = n.devNode;
    if (n.subsystem == "scsi_changer" && d.changerDevice.empty()) d.changerDevice = n.devNode;
    if (n.subsystem == "scsi_tape") d.tapeDevices.push_back(n.devNode);
  }
  *out = std::move(d);
  return true;
}

bool listDevices(const std::string& sysfsRoot, std::vector<ScsiDevice>* out, SysError* error) {
  out->clear();
  struct stat st;
  if (::stat(sysfsRoot.c_str(), &st) != 0) return fail(error, errno, "stat", sysfsRoot);
  const std::string devicesDir = sysfsRoot + "/bus/scsi/devices";
  std::vector<DirEntry> entries;
  const int err = listDir(devicesDir.c_str(), &entries);
  if (err != 0) {
    if (err == ENOENT) return true;  // no SCSI subsystem: no devices
    return fail(error, err, "opendir", devicesDir);
  }
  for (const DirEntry& e : entries) {
    ScsiAddress address;
    if (!parseHctl(e.name, &address)) continue;
    ScsiDevice d;
    SysError ignored;
    if (!readDevice(sysfsRoot, e.name, &d, &ignored)) continue;  // removed meanwhile
    out->push_back(std::move(d));
  }
  std::sort(out->begin(), out->end(), [](const ScsiDevice& a, const ScsiDevice& b) {
    return addressLess(a.address, b.address);
  });
  return true;
}

bool findDeviceByDevNumber(const std::string& sysfsRoot, bool isBlock, std::uint32_t major,
                           std::uint32_t minor, ScsiDevice* out, SysError* error) {
  const std::string number = std::to_string(major) + ":" + std::to_string(minor);
  const std::string link = sysfsRoot + (isBlock ? "/dev/block/" : "/dev/char/") + number;
  char resolvedBuf[PATH_MAX];
  if (::realpath(link.c_str(), resolvedBuf) == nullptr) {
    // No /sys/dev entry (old kernel, partial fake tree): look everywhere.
    return scanForDevNumber(sysfsRoot, isBlock, major, minor, out, error);
  }
  const std::string resolved = resolvedBuf;
  std::string dev;
  int err = 0;
  std::uint32_t ma = 0, mi = 0;
  if (!readSmallFile(resolved + "/dev", &dev, &err) || !parseDevNumber(dev, &ma, &mi) ||
      ma != major || mi != minor) {
    return scanForDevNumber(sysfsRoot, isBlock, major, minor, out, error);
  }
  // Walk up to the directory named H:C:T:L: node dirs sit at
  // <device>/<class>/<name> (a partition one level deeper).
  std::string hctl;
  std::string below;  // the path component just below the H:C:T:L directory
  std::string child;
  for (std::string p = resolved; p != "/" && !p.empty(); p = parentOf(p)) {
    ScsiAddress address;
    const std::string base = baseName(p);
    if (parseHctl(base, &address)) {
      hctl = base;
      below = child;
      break;
    }
    child = base;
  }
  if (hctl.empty()) {
    return fail(error, ENODEV, "stat", link,
                devNumberText(isBlock, major, minor) + " is not a SCSI device");
  }
  ScsiDevice d;
  if (!readDevice(sysfsRoot, hctl, &d, error)) {
    if (error != nullptr && error->err == ENOENT) {
      return fail(error, ENODEV, "stat", link,
                  devNumberText(isBlock, major, minor) + " is not a SCSI device");
    }
    return false;
  }
  bool matched = false;
  for (const ScsiNode& n : d.nodes) matched = matched || nodeMatches(n, isBlock, major, minor);
  // A partition: <device>/block/<disk>/<partition>.
  if (!matched && isBlock && below == "block") {
    const std::string disk = baseName(parentOf(resolved));
    for (const ScsiNode& n : d.nodes) {
      matched = matched || (n.subsystem == "block" && n.name == disk &&
                            baseName(parentOf(parentOf(resolved))) == "block");
    }
  }
  if (!matched) {
    return fail(error, ENODEV, "stat", link,
                devNumberText(isBlock, major, minor) + " is not a node of SCSI device " + hctl);
  }
  *out = std::move(d);
  return true;
}

bool resolveDevicePath(const std::string& sysfsRoot, const std::string& devicePath, ScsiDevice* out,
                       SysError* error) {
  struct stat st;
  if (::stat(devicePath.c_str(), &st) != 0) return fail(error, errno, "stat", devicePath);
  if (!S_ISBLK(st.st_mode) && !S_ISCHR(st.st_mode)) {
    return fail(error, ENODEV, "stat", devicePath, "not a block or character device");
  }
  const bool isBlock = S_ISBLK(st.st_mode);
  const std::uint32_t major = ::major(st.st_rdev);
  const std::uint32_t minor = ::minor(st.st_rdev);
  if (findDeviceByDevNumber(sysfsRoot, isBlock, major, minor, out, error)) return true;
  if (error != nullptr && error->err == ENODEV) {
    // Report against the path the caller gave.
    error->path = devicePath;
    error->message = "not a SCSI device (" + devNumberText(isBlock, major, minor) + ")";
  }
  return false;
}

}  // namespace scsi
}  // namespace rtslib
