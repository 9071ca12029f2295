// ioctls on SCSI device nodes (/dev/sdX, /dev/sgN, /dev/stN, /dev/nstN,
// /dev/schN): SG_IO INQUIRY, the SCSI address (SCSI_IOCTL_GET_IDLUN,
// SG_GET_SCSI_ID), block sizes, and an O_EXCL in-use probe. Pure C++ over
// system calls; every descriptor is RAII-owned; runs on worker threads.
#ifndef RTSLIB_SCSI_IOCTL_H
#define RTSLIB_SCSI_IOCTL_H

#include <cstdint>
#include <string>
#include <vector>

#include "scsi_error.h"

namespace rtslib {
namespace scsi {

constexpr unsigned kDefaultInquiryTimeoutMs = 30000;

// Issues INQUIRY through SG_IO: standard data when `vpdPage` < 0, else the
// VPD page (EVPD=1). The first request asks for 255 bytes (a one-byte
// allocation length, safe for SPC-2 devices); when the response says it holds
// more, the command is repeated with the full length (at most 0xffff).
// `data` receives the bytes transferred (residual subtracted).
// Failures: open/ioctl errno; a SCSI status other than GOOD (and sense keys
// other than NO SENSE / RECOVERED ERROR) is EIO with the status, host and
// driver status and sense in *error; a command timeout is ETIMEDOUT.
bool inquiry(const std::string& devicePath, int vpdPage, unsigned timeoutMs,
             std::vector<std::uint8_t>* data, SysError* error);

struct DeviceInfo {
  bool hasIdlun = false;
  std::uint32_t host = 0;
  std::uint32_t channel = 0;
  std::uint32_t target = 0;
  std::uint64_t lun = 0;
  bool hasSize = false;
  std::uint64_t sizeBytes = 0;  // BLKGETSIZE64
  bool hasLogicalBlockSize = false;
  std::uint32_t logicalBlockSize = 0;  // BLKSSZGET
  bool hasPhysicalBlockSize = false;
  std::uint32_t physicalBlockSize = 0;  // BLKPBSZGET
};

// Opens the node read-only and non-blocking and asks what applies: sg nodes
// SG_GET_SCSI_ID (full-width numbers), other nodes SCSI_IOCTL_GET_IDLUN (each
// number truncated to 8 bits by the kernel's interface); block nodes also
// their size and logical/physical block sizes. An ioctl the node does not
// support (ENOTTY, EINVAL) leaves its fields absent.
bool deviceInfo(const std::string& devicePath, DeviceInfo* out, SysError* error);

// Tries to open the node exclusively: block nodes O_RDONLY|O_EXCL, sg nodes
// O_RDWR|O_EXCL (sg refuses O_EXCL read-only), other character nodes (st,
// ch: exclusive or not by driver) O_RDONLY; always O_NONBLOCK so the probe
// never waits. *busy is true on EBUSY, false when the open succeeded.
bool probeInUse(const std::string& devicePath, bool* busy, SysError* error);

// Text for the statuses in a SysError (used in messages).
std::string describeScsiFailure(const SysError& e);

}  // namespace scsi
}  // namespace rtslib

#endif  // RTSLIB_SCSI_IOCTL_H
