// setFaultInjection(config) and faultInjectionCounts() for JavaScript: the
// test-only hook of the batch engine (fault_injection.h). Synchronous.
#ifndef RTSLIB_FAULT_INJECTION_JS_H
#define RTSLIB_FAULT_INJECTION_JS_H

#include <napi.h>

namespace rtslib {

// Adds setFaultInjection and faultInjectionCounts to the module's exports.
void InitFaultInjection(Napi::Env env, Napi::Object exports);

}  // namespace rtslib

#endif  // RTSLIB_FAULT_INJECTION_JS_H
