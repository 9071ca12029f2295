#include "fault_injection_js.h"

#include <cstdint>
#include <string>

#include "fault_injection.h"
#include "js_util.h"

namespace rtslib {

namespace {

// Number.MAX_SAFE_INTEGER: every larger count would be inexact in JavaScript.
constexpr std::int64_t kMaxSafeInteger = 9007199254740991;
constexpr std::int64_t kMaxErrno = 4095;  // the kernel's MAX_ERRNO
constexpr std::int64_t kMaxStallMs = 0x7fffffff;

constexpr const char* kKeys[] = {"failAt",  "failUndoAt", "errno",
                                 "stallAt", "stallMs",    "stallUntil"};

// A misspelt key would silently leave injection doing nothing, and the test
// relying on it would pass for the wrong reason.
bool checkKeys(const Napi::Object& obj) {
  Napi::Env env = obj.Env();
  const Napi::Array names = obj.GetPropertyNames();
  if (env.IsExceptionPending()) return false;
  for (std::uint32_t i = 0; i < names.Length(); ++i) {
    const Napi::Value name = names.Get(i);
    if (env.IsExceptionPending()) return false;
    const std::string key = name.ToString().Utf8Value();
    if (env.IsExceptionPending()) return false;
    bool known = false;
    for (const char* k : kKeys) known = known || key == k;
    if (!known) {
      js::throwTypeError(env, "setFaultInjection: unknown option '" + key + "'");
      return false;
    }
  }
  return true;
}

bool optionalCount(const Napi::Object& obj, const char* key, std::uint64_t* out) {
  std::int64_t value = 0;
  bool present = false;
  if (!js::optionalInteger(obj, key, std::string("config.") + key, 0, kMaxSafeInteger, &value,
                           &present)) {
    return false;
  }
  if (present) *out = static_cast<std::uint64_t>(value);
  return true;
}

Napi::Value SetFaultInjection(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const Napi::Value arg = info.Length() > 0 ? info[0] : env.Undefined();
  if (arg.IsNull() || arg.IsUndefined()) {
    clearFaultInjection();
    return env.Undefined();
  }
  if (!arg.IsObject() || arg.IsArray() || arg.IsFunction()) {
    js::throwTypeError(env, "setFaultInjection: config must be an object, null or undefined");
    return env.Undefined();
  }
  const Napi::Object obj = arg.As<Napi::Object>();
  if (!checkKeys(obj)) return env.Undefined();

  // Everything is read and checked before anything is applied.
  FaultConfig config;
  if (!optionalCount(obj, "failAt", &config.failAt)) return env.Undefined();
  if (!optionalCount(obj, "failUndoAt", &config.failUndoAt)) return env.Undefined();
  if (!optionalCount(obj, "stallAt", &config.stallAt)) return env.Undefined();
  std::int64_t value = 0;
  bool present = false;
  if (!js::optionalInteger(obj, "errno", "config.errno", 1, kMaxErrno, &value, &present)) {
    return env.Undefined();
  }
  if (present) config.err = static_cast<int>(value);
  if (!js::optionalInteger(obj, "stallMs", "config.stallMs", 0, kMaxStallMs, &value, &present)) {
    return env.Undefined();
  }
  if (present) config.stallMs = value;
  Napi::Value until;
  if (!js::get(obj, "stallUntil", &until)) return env.Undefined();
  if (!until.IsUndefined()) {
    if (!js::requireString(obj, "stallUntil", "config.stallUntil", &config.stallUntil)) {
      return env.Undefined();
    }
    if (config.stallUntil.empty() || config.stallUntil[0] != '/') {
      js::throwTypeError(env, "config.stallUntil must be an absolute path");
      return env.Undefined();
    }
  }

  setFaultInjection(config);
  return env.Undefined();
}

Napi::Value FaultInjectionCounts(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const FaultCounts counts = faultInjectionCounts();
  Napi::Object out = Napi::Object::New(env);
  out.Set("forward", Napi::Number::New(env, static_cast<double>(counts.forward)));
  out.Set("undo", Napi::Number::New(env, static_cast<double>(counts.undo)));
  return out;
}

}  // namespace

void InitFaultInjection(Napi::Env env, Napi::Object exports) {
  exports.Set("setFaultInjection",
              Napi::Function::New(env, SetFaultInjection, "setFaultInjection"));
  exports.Set("faultInjectionCounts",
              Napi::Function::New(env, FaultInjectionCounts, "faultInjectionCounts"));
}

}  // namespace rtslib
