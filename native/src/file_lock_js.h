// tryLockFile(path, exclusive) for JavaScript: a non-blocking flock
// (file_lock.h) returned as a NativeFileLock object that owns the descriptor,
// or null when the lock is held elsewhere. Synchronous: LOCK_NB never waits.
#ifndef RTSLIB_FILE_LOCK_JS_H
#define RTSLIB_FILE_LOCK_JS_H

#include <napi.h>

namespace rtslib {

// Adds tryLockFile to the module's exports.
void InitFileLock(Napi::Env env, Napi::Object exports);

}  // namespace rtslib

#endif  // RTSLIB_FILE_LOCK_JS_H
