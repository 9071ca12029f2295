#include "js_util.h"

#include <cmath>

#include "fs_util.h"

namespace rtslib {
namespace js {

void throwTypeError(Napi::Env env, const std::string& message) {
  toJsError(env, NativeError::typeError(message)).ThrowAsJavaScriptException();
}

void throwRangeError(Napi::Env env, const std::string& message) {
  toJsError(env, NativeError::rangeError(message)).ThrowAsJavaScriptException();
}

void throwIntegerRange(Napi::Env env, const Name& what, std::int64_t min, std::int64_t max) {
  throwRangeError(env, what.str() + " must be an integer from " + std::to_string(min) + " to " +
                           std::to_string(max));
}

std::string Name::str() const {
  std::string out(text_);
  if (indexed_) out += "[" + std::to_string(index_) + "]" + field_;
  return out;
}

void throwPathFault(Napi::Env env, const Name& what, const PathCheck& check) {
  const std::string message = what.str() + ": " + check.message;
  if (isTypeFault(check.fault)) {
    throwTypeError(env, message);
  } else {
    throwRangeError(env, message);
  }
}

bool rootedOptions(const Napi::CallbackInfo& info, std::size_t index, const std::string& fn,
                   Napi::Object* options, std::string* root) {
  if (info.Length() <= index || !info[index].IsObject()) {
    throwTypeError(info.Env(), fn + ": options must be an object");
    return false;
  }
  *options = info[index].As<Napi::Object>();
  std::string raw;
  if (!requireString(*options, "root", "options.root", &raw)) return false;
  const PathCheck check = normalizeAbsolute(raw);
  if (!check.ok()) {
    throwPathFault(info.Env(), "options.root", check);
    return false;
  }
  *root = check.normalized;
  return true;
}

bool get(const Napi::Object& obj, const Key& key, Napi::Value* out) {
  *out = key.read(obj);
  return !obj.Env().IsExceptionPending();
}

bool requireString(const Napi::Object& obj, const Key& key, const Name& what, std::string* out) {
  if (!requireJoined(obj, key, what, out)) return false;
  if (hasNul(*out)) {
    throwTypeError(obj.Env(), what.str() + " must not contain a NUL byte");
    return false;
  }
  return true;
}

bool requireJoined(const Napi::Object& obj, const Key& key, const Name& what, std::string* out) {
  Napi::Value v;
  if (!get(obj, key, &v)) return false;
  if (!v.IsString()) {
    throwTypeError(obj.Env(), what.str() + " must be a string");
    return false;
  }
  *out = v.As<Napi::String>().Utf8Value();  // the length is kept: NUL bytes included
  return true;
}

bool optionalBool(const Napi::Object& obj, const Key& key, const Name& what, bool* out) {
  Napi::Value v;
  if (!get(obj, key, &v)) return false;
  if (v.IsUndefined()) return true;
  if (!v.IsBoolean()) {
    throwTypeError(obj.Env(), what.str() + " must be a boolean");
    return false;
  }
  *out = v.As<Napi::Boolean>().Value();
  return true;
}

bool optionalInteger(const Napi::Object& obj, const Key& key, const Name& what, std::int64_t min,
                     std::int64_t max, std::int64_t* out, bool* present) {
  *present = false;
  Napi::Value v;
  if (!get(obj, key, &v)) return false;
  if (v.IsUndefined()) return true;
  if (!v.IsNumber()) {
    throwTypeError(obj.Env(), what.str() + " must be a number");
    return false;
  }
  const double d = v.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(d) || std::trunc(d) != d || d < static_cast<double>(min) ||
      d > static_cast<double>(max)) {
    throwIntegerRange(obj.Env(), what, min, max);
    return false;
  }
  *out = static_cast<std::int64_t>(d);
  *present = true;
  return true;
}

Napi::Error toJsError(Napi::Env env, const NativeError& e) {
  switch (e.kind) {
    case NativeError::Kind::kTypeError: return Napi::TypeError::New(env, e.message);
    case NativeError::Kind::kRangeError: return Napi::RangeError::New(env, e.message);
    case NativeError::Kind::kSystem: break;
  }
  const std::string message = std::string(e.syscall) + " '" + e.path +
                              "': " + (e.message.empty() ? errnoText(e.err) : e.message);
  Napi::Error error = Napi::Error::New(env, message);
  error.Set("errno", Napi::Number::New(env, -e.err));
  error.Set("syscall", Napi::String::New(env, e.syscall));
  error.Set("path", Napi::String::New(env, e.path));
  return error;
}

bool takePendingException(Napi::Env env, Napi::Value* out) {
  if (!env.IsExceptionPending()) return false;
  *out = env.GetAndClearPendingException().Value();
  return true;
}

}  // namespace js
}  // namespace rtslib
