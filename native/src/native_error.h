// The one error every native step reports: a system error (errno, syscall,
// path, optional message) in Node's shape, or a TypeError / RangeError with a
// message. Pure C++ (no Node-API); js::toJsError (js_util.h) turns it into
// the JavaScript Error.
#ifndef RTSLIB_NATIVE_ERROR_H
#define RTSLIB_NATIVE_ERROR_H

#include <string>
#include <utility>

namespace rtslib {

struct NativeError {
  enum class Kind { kSystem, kTypeError, kRangeError };

  Kind kind = Kind::kSystem;
  int err = 0;               // kSystem: positive errno
  const char* syscall = "";  // kSystem: static string
  std::string path;          // kSystem
  // kSystem: replaces strerror(err) in the message when not empty;
  // kTypeError / kRangeError: the whole message.
  std::string message;

  static NativeError system(int err, const char* syscall, std::string path,
                            std::string message = std::string()) {
    NativeError e;
    e.err = err;
    e.syscall = syscall;
    e.path = std::move(path);
    e.message = std::move(message);
    return e;
  }
  static NativeError typeError(std::string message) {
    NativeError e;
    e.kind = Kind::kTypeError;
    e.message = std::move(message);
    return e;
  }
  static NativeError rangeError(std::string message) {
    NativeError e;
    e.kind = Kind::kRangeError;
    e.message = std::move(message);
    return e;
  }
};

// Replaces *error (when not null; E is NativeError or a type derived from it)
// with a system error, clearing every other field. Returns false, so a
// failing step can `return fail(error, ...)`.
template <typename E>
bool fail(E* error, int err, const char* syscall, const std::string& path,
          std::string message = std::string()) {
  if (error != nullptr) {
    *error = E();
    static_cast<NativeError&>(*error) = NativeError::system(err, syscall, path, std::move(message));
  }
  return false;
}

}  // namespace rtslib

#endif  // RTSLIB_NATIVE_ERROR_H
