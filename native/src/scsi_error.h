// What a failed SCSI discovery step reports: the errno, the system call and
// the path (Node's system-error shape), plus, for a SCSI command that reached
// the device, its SCSI/host/driver status and sense data.
#ifndef RTSLIB_SCSI_ERROR_H
#define RTSLIB_SCSI_ERROR_H

#include <cstdint>
#include <cstring>
#include <string>

namespace rtslib {
namespace scsi {

struct SysError {
  int err = 0;
  const char* syscall = "";  // static string
  std::string path;
  std::string detail;  // message replacing strerror(err) when not empty

  // Set when an SG_IO command completed with a failure status.
  bool hasScsiStatus = false;
  std::uint8_t scsiStatus = 0;
  std::uint16_t hostStatus = 0;
  std::uint16_t driverStatus = 0;
  bool hasSense = false;
  std::uint8_t senseKey = 0;
  std::uint8_t asc = 0;
  std::uint8_t ascq = 0;
};

namespace detail {
// strerror_r has two signatures (XSI returns int, GNU returns char*).
[[maybe_unused]] inline const char* pickStrerror(int rc, const char* buf) {
  return rc == 0 ? buf : "unknown error";
}
[[maybe_unused]] inline const char* pickStrerror(const char* s, const char*) { return s; }
}  // namespace detail

// strerror() text of an errno, thread-safe.
inline std::string errnoText(int err) {
  char buf[256];
  buf[0] = '\0';
  return detail::pickStrerror(strerror_r(err, buf, sizeof buf), buf);
}

}  // namespace scsi
}  // namespace rtslib

#endif  // RTSLIB_SCSI_ERROR_H
