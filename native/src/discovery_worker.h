// SCSI discovery for JavaScript: listScsiHosts, listScsiDevices,
// resolveScsiDevice, scsiInquiry, scsiDeviceInfo and probeInUse. Arguments are
// validated on the JS thread before any system call; the work runs on a
// worker thread and settles a Promise.
#ifndef RTSLIB_DISCOVERY_WORKER_H
#define RTSLIB_DISCOVERY_WORKER_H

#include <napi.h>

namespace rtslib {

// Adds the six discovery functions to the module's exports.
void InitScsiDiscovery(Napi::Env env, Napi::Object exports);

}  // namespace rtslib

#endif  // RTSLIB_DISCOVERY_WORKER_H
