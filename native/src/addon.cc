// Module entry: exports executeBatch, readTree, the SCSI discovery functions
// (discovery_worker.h), tryLockFile (file_lock_js.h) and the test-only
// fault-injection hook (fault_injection_js.h), nothing else.
#include <napi.h>

#include "batch_worker.h"
#include "discovery_worker.h"
#include "fault_injection_js.h"
#include "file_lock_js.h"
#include "tree_worker.h"

namespace {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("executeBatch", Napi::Function::New(env, rtslib::ExecuteBatch, "executeBatch"));
  exports.Set("readTree", Napi::Function::New(env, rtslib::ReadTree, "readTree"));
  rtslib::InitScsiDiscovery(env, exports);
  rtslib::InitFileLock(env, exports);
  rtslib::InitFaultInjection(env, exports);
  return exports;
}

}  // namespace

NODE_API_MODULE(rtslib, Init)
