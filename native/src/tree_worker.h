// readTree(dir, options): validates on the JS thread, walks on a worker
// thread, resolves a Promise with the columnar tree.
#ifndef RTSLIB_TREE_WORKER_H
#define RTSLIB_TREE_WORKER_H

#include <napi.h>

namespace rtslib {

Napi::Value ReadTree(const Napi::CallbackInfo& info);

}  // namespace rtslib

#endif  // RTSLIB_TREE_WORKER_H
