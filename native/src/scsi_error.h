// What a failed SCSI discovery step reports: the one native error (errno,
// system call and path, native_error.h) plus, for a SCSI command that reached
// the device, its SCSI/host/driver status and sense data.
#ifndef RTSLIB_SCSI_ERROR_H
#define RTSLIB_SCSI_ERROR_H

#include <cstdint>

#include "native_error.h"

namespace rtslib {
namespace scsi {

struct SysError : NativeError {
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

}  // namespace scsi
}  // namespace rtslib

#endif  // RTSLIB_SCSI_ERROR_H
