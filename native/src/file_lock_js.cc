#include "file_lock_js.h"

#include <cstdint>
#include <string>
#include <utility>

#include "file_lock.h"
#include "js_util.h"
#include "path_guard.h"
#include "unique_fd.h"

namespace rtslib {

namespace {

// A held flock. The UniqueFd is the lock: release() closes it, and if the
// object is garbage-collected (or the environment torn down) first, the
// destructor, run by the finalizer, closes it.
class NativeFileLock : public Napi::ObjectWrap<NativeFileLock> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "NativeFileLock",
                       {
                           InstanceMethod<&NativeFileLock::Release>("release"),
                           InstanceAccessor<&NativeFileLock::Held>("held"),
                           InstanceAccessor<&NativeFileLock::Major>("major"),
                           InstanceAccessor<&NativeFileLock::Minor>("minor"),
                           InstanceAccessor<&NativeFileLock::Inode>("inode"),
                       });
  }

  // Only tryLockFile constructs one, passing the attempt as an External (which
  // JavaScript cannot make); the descriptor is moved out of it.
  explicit NativeFileLock(const Napi::CallbackInfo& info) : Napi::ObjectWrap<NativeFileLock>(info) {
    if (info.Length() != 1 || !info[0].IsExternal()) {
      js::throwTypeError(info.Env(), "NativeFileLock cannot be constructed; use tryLockFile()");
      return;
    }
    FileLockAttempt* attempt = info[0].As<Napi::External<FileLockAttempt>>().Data();
    fd_ = std::move(attempt->fd);
    major_ = attempt->devMajor;
    minor_ = attempt->devMinor;
    inode_ = attempt->inode;
  }

 private:
  // Idempotent: a second release() finds no descriptor.
  Napi::Value Release(const Napi::CallbackInfo& info) {
    fd_.reset();
    return info.Env().Undefined();
  }
  Napi::Value Held(const Napi::CallbackInfo& info) {
    return Napi::Boolean::New(info.Env(), fd_.valid());
  }
  Napi::Value Major(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), major_);
  }
  Napi::Value Minor(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), minor_);
  }
  // Exact for inode numbers below 2^53 (all that /proc/locks matching needs
  // on the filesystems holding /var/run).
  Napi::Value Inode(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), static_cast<double>(inode_));
  }

  UniqueFd fd_;
  std::uint32_t major_ = 0;
  std::uint32_t minor_ = 0;
  std::uint64_t inode_ = 0;
};

Napi::Value TryLockFile(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsString()) {
    js::throwTypeError(env, "tryLockFile: path must be a string");
    return env.Undefined();
  }
  const std::string path = info[0].As<Napi::String>().Utf8Value();
  if (path.empty() || path[0] != '/') {
    js::throwTypeError(env, "tryLockFile: path must be absolute");
    return env.Undefined();
  }
  if (hasNul(path)) {
    js::throwTypeError(env, "tryLockFile: path must not contain a NUL byte");
    return env.Undefined();
  }
  if (info.Length() < 2 || !info[1].IsBoolean()) {
    js::throwTypeError(env, "tryLockFile: exclusive must be a boolean");
    return env.Undefined();
  }
  const bool exclusive = info[1].As<Napi::Boolean>().Value();

  FileLockAttempt attempt = tryLockFile(path, exclusive);
  switch (attempt.state) {
    case LockState::kBusy: return env.Null();
    case LockState::kError:
      js::toJsError(env, attempt.error).ThrowAsJavaScriptException();
      return env.Undefined();
    case LockState::kHeld: break;
  }
  // If construction fails (an exception is pending), `attempt` still owns the
  // descriptor and closes it on return.
  auto* ctor = static_cast<Napi::FunctionReference*>(info.Data());
  Napi::Object lock = ctor->New({Napi::External<FileLockAttempt>::New(env, &attempt)});
  if (env.IsExceptionPending()) return env.Undefined();
  return lock;
}

}  // namespace

void InitFileLock(Napi::Env env, Napi::Object exports) {
  // The class is not exported: tryLockFile is the only way to a lock. Its
  // constructor travels as tryLockFile's data, freed with that function.
  auto* ctor = new Napi::FunctionReference(Napi::Persistent(NativeFileLock::Define(env)));
  Napi::Function fn = Napi::Function::New(env, TryLockFile, "tryLockFile", ctor);
  fn.AddFinalizer([](Napi::Env, Napi::FunctionReference* ref) { delete ref; }, ctor);
  exports.Set("tryLockFile", fn);
}

}  // namespace rtslib
