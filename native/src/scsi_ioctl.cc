#include "scsi_ioctl.h"

#include <fcntl.h>
#include <linux/fs.h>
#include <linux/major.h>
#include <scsi/scsi.h>
#include <scsi/sg.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "fs_util.h"
#include "vpd_decoder.h"

namespace rtslib {
namespace scsi {

namespace {

// SCSI status, host (DID_*) and driver (DRIVER_*) codes as the kernel reports
// them in sg_io_hdr.
constexpr std::uint8_t kStatusGood = 0x00;
constexpr std::uint8_t kStatusCheckCondition = 0x02;
constexpr std::uint16_t kDidTimeOut = 0x03;
constexpr std::uint16_t kDriverTimeout = 0x06;
constexpr std::uint16_t kDriverSense = 0x08;
constexpr std::uint8_t kSenseNoSense = 0x0;
constexpr std::uint8_t kSenseRecoveredError = 0x1;
constexpr std::uint8_t kSenseUnitAttention = 0x6;

constexpr std::size_t kSenseBytes = 96;
constexpr unsigned kFirstAllocation = 255;
constexpr unsigned kMaxAllocation = 0xffff;
constexpr int kUnitAttentionRetries = 2;

bool ioctlError(SysError* error, int err, const char* request, const std::string& path) {
  return fail(error, err, "ioctl", path, std::string(request) + ": " + errnoText(err));
}

const char* statusName(std::uint8_t status) {
  switch (status) {
    case 0x00: return "GOOD";
    case 0x02: return "CHECK CONDITION";
    case 0x04: return "CONDITION MET";
    case 0x08: return "BUSY";
    case 0x18: return "RESERVATION CONFLICT";
    case 0x28: return "TASK SET FULL";
    case 0x30: return "ACA ACTIVE";
    case 0x40: return "TASK ABORTED";
    default: return "unknown status";
  }
}

const char* senseKeyName(std::uint8_t key) {
  static const char* const kNames[16] = {
      "NO SENSE",       "RECOVERED ERROR", "NOT READY",      "MEDIUM ERROR",
      "HARDWARE ERROR", "ILLEGAL REQUEST", "UNIT ATTENTION", "DATA PROTECT",
      "BLANK CHECK",    "VENDOR SPECIFIC", "COPY ABORTED",   "ABORTED COMMAND",
      "reserved (0xc)", "VOLUME OVERFLOW", "MISCOMPARE",     "COMPLETED",
  };
  return kNames[key & 0x0f];
}

const char* hostStatusName(std::uint16_t status) {
  switch (status) {
    case 0x00: return "DID_OK";
    case 0x01: return "DID_NO_CONNECT";
    case 0x02: return "DID_BUS_BUSY";
    case 0x03: return "DID_TIME_OUT";
    case 0x04: return "DID_BAD_TARGET";
    case 0x05: return "DID_ABORT";
    case 0x06: return "DID_PARITY";
    case 0x07: return "DID_ERROR";
    case 0x08: return "DID_RESET";
    case 0x09: return "DID_BAD_INTR";
    case 0x0a: return "DID_PASSTHROUGH";
    case 0x0b: return "DID_SOFT_ERROR";
    case 0x0c: return "DID_IMM_RETRY";
    case 0x0d: return "DID_REQUEUE";
    case 0x0e: return "DID_TRANSPORT_DISRUPTED";
    case 0x0f: return "DID_TRANSPORT_FAILFAST";
    default: return "DID_?";
  }
}

std::string hex2(unsigned v) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%02x", v & 0xffffu);
  return buf;
}

// Sense key, ASC and ASCQ from fixed (0x70/0x71) or descriptor (0x72/0x73)
// format sense data.
bool parseSense(const std::uint8_t* sense, std::size_t len, std::uint8_t* key, std::uint8_t* asc,
                std::uint8_t* ascq) {
  if (len < 1) return false;
  const std::uint8_t code = sense[0] & 0x7f;
  if (code == 0x72 || code == 0x73) {
    if (len < 2) return false;
    *key = sense[1] & 0x0f;
    *asc = len > 2 ? sense[2] : 0;
    *ascq = len > 3 ? sense[3] : 0;
    return true;
  }
  if (code == 0x70 || code == 0x71) {
    if (len < 3) return false;
    *key = sense[2] & 0x0f;
    *asc = len > 12 ? sense[12] : 0;
    *ascq = len > 13 ? sense[13] : 0;
    return true;
  }
  return false;
}

// One INQUIRY through SG_IO. Returns false with *error on any failure;
// *unitAttention tells the caller a retry makes sense.
bool inquiryOnce(int fd, const std::string& path, int vpdPage, unsigned allocation,
                 unsigned timeoutMs, std::vector<std::uint8_t>* data, SysError* error,
                 bool* unitAttention) {
  SysError scratch;
  if (error == nullptr) error = &scratch;
  *unitAttention = false;
  std::uint8_t cdb[6] = {0x12, 0, 0, 0, 0, 0};
  if (vpdPage >= 0) {
    cdb[1] = 0x01;  // EVPD
    cdb[2] = static_cast<std::uint8_t>(vpdPage);
  }
  cdb[3] = static_cast<std::uint8_t>((allocation >> 8) & 0xff);
  cdb[4] = static_cast<std::uint8_t>(allocation & 0xff);
  std::uint8_t sense[kSenseBytes];
  std::memset(sense, 0, sizeof sense);
  data->assign(allocation, 0);

  sg_io_hdr_t io;
  std::memset(&io, 0, sizeof io);
  io.interface_id = 'S';
  io.dxfer_direction = SG_DXFER_FROM_DEV;
  io.cmd_len = sizeof cdb;
  io.cmdp = cdb;
  io.mx_sb_len = sizeof sense;
  io.sbp = sense;
  io.dxfer_len = allocation;
  io.dxferp = data->data();
  io.timeout = timeoutMs;

  int rc;
  do {
    rc = ::ioctl(fd, SG_IO, &io);
  } while (rc < 0 && errno == EINTR);
  if (rc < 0) {
    data->clear();
    return ioctlError(error, errno, "SG_IO", path);
  }

  const std::size_t senseLen = std::min<std::size_t>(io.sb_len_wr, sizeof sense);
  std::uint8_t key = 0, asc = 0, ascq = 0;
  const bool hasSense = senseLen > 0 && parseSense(sense, senseLen, &key, &asc, &ascq);
  const std::uint8_t status = static_cast<std::uint8_t>(io.status & 0xfe);
  const std::uint16_t driver = static_cast<std::uint16_t>(io.driver_status & 0x0f);

  bool ok = (io.info & SG_INFO_OK_MASK) == SG_INFO_OK;
  if (!ok && io.host_status == 0 && (driver == 0 || driver == kDriverSense)) {
    // Only sense "noise": fine when the status is GOOD or the sense is benign.
    ok = status == kStatusGood || (status == kStatusCheckCondition && hasSense &&
                                   (key == kSenseNoSense || key == kSenseRecoveredError));
  }
  if (ok) {
    const int resid = io.resid;
    std::size_t got = allocation;
    if (resid > 0) {
      got = static_cast<std::size_t>(resid) >= got ? 0 : got - static_cast<std::size_t>(resid);
    }
    data->resize(got);
    return true;
  }

  data->clear();
  const bool timedOut = io.host_status == kDidTimeOut || driver == kDriverTimeout;
  fail(error, timedOut ? ETIMEDOUT : EIO, "ioctl", path);
  error->hasScsiStatus = true;
  error->scsiStatus = status;
  error->hostStatus = io.host_status;
  error->driverStatus = io.driver_status;
  error->hasSense = hasSense;
  error->senseKey = key;
  error->asc = asc;
  error->ascq = ascq;
  std::string what = vpdPage < 0 ? std::string("standard INQUIRY")
                                 : "INQUIRY VPD page " + hex2(static_cast<unsigned>(vpdPage));
  what += timedOut ? " timed out after " + std::to_string(timeoutMs) + " ms" : " failed";
  error->message = "SG_IO " + what + ": " + describeScsiFailure(*error);
  *unitAttention = status == kStatusCheckCondition && hasSense && key == kSenseUnitAttention;
  return false;
}

bool openNode(const std::string& path, int flags, UniqueFd* fd, SysError* error) {
  *fd = openRetry(AT_FDCWD, path.c_str(), flags);
  if (!*fd) return fail(error, errno, "open", path);
  return true;
}

bool unsupported(int err) { return err == ENOTTY || err == EINVAL || err == ENOSYS; }

}  // namespace

std::string describeScsiFailure(const SysError& e) {
  std::string out = "status " + hex2(e.scsiStatus) + " (" + statusName(e.scsiStatus) + ")";
  if (e.hasSense) {
    out += ", sense key " + hex2(e.senseKey) + " (" + senseKeyName(e.senseKey) + "), asc/ascq " +
           hex2(e.asc) + "/" + hex2(e.ascq);
  }
  out += ", host status " + hex2(e.hostStatus) + " (" + hostStatusName(e.hostStatus) + ")";
  out += ", driver status " + hex2(e.driverStatus);
  return out;
}

bool inquiry(const std::string& devicePath, int vpdPage, unsigned timeoutMs,
             std::vector<std::uint8_t>* data, SysError* error) {
  data->clear();
  UniqueFd fd;
  if (!openNode(devicePath, O_RDONLY | O_NONBLOCK, &fd, error)) return false;

  auto attempt = [&](unsigned allocation) {
    bool unitAttention = false;
    for (int i = 0;; ++i) {
      if (inquiryOnce(fd.get(), devicePath, vpdPage, allocation, timeoutMs, data, error,
                      &unitAttention)) {
        return true;
      }
      if (!unitAttention || i >= kUnitAttentionRetries) return false;
    }
  };

  if (!attempt(kFirstAllocation)) return false;
  const std::size_t claimed = inquiryClaimedLength(data->data(), data->size(), vpdPage >= 0);
  if (claimed > kFirstAllocation && data->size() >= kFirstAllocation) {
    const unsigned full = static_cast<unsigned>(std::min<std::size_t>(claimed, kMaxAllocation));
    if (!attempt(full)) return false;
  }
  return true;
}

bool deviceInfo(const std::string& devicePath, DeviceInfo* out, SysError* error) {
  *out = DeviceInfo();
  UniqueFd fd;
  if (!openNode(devicePath, O_RDONLY | O_NONBLOCK, &fd, error)) return false;
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return fail(error, errno, "fstat", devicePath);
  const bool isBlock = S_ISBLK(st.st_mode);
  if (!isBlock && !S_ISCHR(st.st_mode)) {
    return fail(error, ENODEV, "fstat", devicePath, "not a block or character device");
  }

  if (!isBlock && ::major(st.st_rdev) == SCSI_GENERIC_MAJOR) {
    sg_scsi_id id;
    std::memset(&id, 0, sizeof id);
    if (::ioctl(fd.get(), SG_GET_SCSI_ID, &id) == 0) {
      out->hasIdlun = true;
      out->host = static_cast<std::uint32_t>(id.host_no);
      out->channel = static_cast<std::uint32_t>(id.channel);
      out->target = static_cast<std::uint32_t>(id.scsi_id);
      out->lun = static_cast<std::uint32_t>(id.lun);
    } else if (!unsupported(errno)) {
      return ioctlError(error, errno, "SG_GET_SCSI_ID", devicePath);
    }
  }
  if (!out->hasIdlun) {
    struct {
      int fourInOne;
      int hostUniqueId;
    } idlun = {0, 0};
    if (::ioctl(fd.get(), SCSI_IOCTL_GET_IDLUN, &idlun) == 0) {
      const auto v = static_cast<std::uint32_t>(idlun.fourInOne);
      out->hasIdlun = true;
      out->target = v & 0xff;
      out->lun = (v >> 8) & 0xff;
      out->channel = (v >> 16) & 0xff;
      out->host = (v >> 24) & 0xff;
    } else if (!unsupported(errno) && errno != ENODEV) {
      return ioctlError(error, errno, "SCSI_IOCTL_GET_IDLUN", devicePath);
    }
  }
  if (!isBlock) return true;

  std::uint64_t size = 0;
  if (::ioctl(fd.get(), BLKGETSIZE64, &size) == 0) {
    out->hasSize = true;
    out->sizeBytes = size;
  } else if (!unsupported(errno)) {
    return ioctlError(error, errno, "BLKGETSIZE64", devicePath);
  }
  int logical = 0;
  if (::ioctl(fd.get(), BLKSSZGET, &logical) == 0) {
    out->hasLogicalBlockSize = true;
    out->logicalBlockSize = static_cast<std::uint32_t>(logical);
  } else if (!unsupported(errno)) {
    return ioctlError(error, errno, "BLKSSZGET", devicePath);
  }
  unsigned int physical = 0;
  if (::ioctl(fd.get(), BLKPBSZGET, &physical) == 0) {
    out->hasPhysicalBlockSize = true;
    out->physicalBlockSize = physical;
  } else if (!unsupported(errno)) {
    return ioctlError(error, errno, "BLKPBSZGET", devicePath);
  }
  return true;
}

bool probeInUse(const std::string& devicePath, bool* busy, SysError* error) {
  *busy = false;
  struct stat st;
  if (::stat(devicePath.c_str(), &st) != 0) return fail(error, errno, "stat", devicePath);
  int flags = O_RDONLY | O_NONBLOCK;
  if (S_ISBLK(st.st_mode)) {
    flags = O_RDONLY | O_EXCL | O_NONBLOCK;
  } else if (S_ISCHR(st.st_mode)) {
    if (::major(st.st_rdev) == SCSI_GENERIC_MAJOR) flags = O_RDWR | O_EXCL | O_NONBLOCK;
  } else {
    return fail(error, ENODEV, "stat", devicePath, "not a block or character device");
  }
  UniqueFd fd;
  SysError openError;
  if (openNode(devicePath, flags, &fd, &openError)) return true;
  if (openError.err == EBUSY) {
    *busy = true;
    return true;
  }
  if (error != nullptr) *error = openError;
  return false;
}

}  // namespace scsi
}  // namespace rtslib
