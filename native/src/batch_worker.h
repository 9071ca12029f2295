// executeBatch(ops, options): validates on the JS thread, runs the batch on a
// worker thread, resolves a Promise with one result per operation.
#ifndef RTSLIB_BATCH_WORKER_H
#define RTSLIB_BATCH_WORKER_H

#include <napi.h>

namespace rtslib {

Napi::Value ExecuteBatch(const Napi::CallbackInfo& info);

}  // namespace rtslib

#endif  // RTSLIB_BATCH_WORKER_H
