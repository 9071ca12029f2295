// Node-API helpers shared by the glue files: argument reading with type
// checks, and the one builder of JavaScript errors. Built with
// NAPI_DISABLE_CPP_EXCEPTIONS: a failing helper leaves a pending JavaScript
// exception and returns false.
#ifndef RTSLIB_JS_UTIL_H
#define RTSLIB_JS_UTIL_H

#include <napi.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "native_error.h"
#include "path_guard.h"

namespace rtslib {
namespace js {

// A property's key: its name, or the name already made a JavaScript string.
// A batch reads the same few keys from thousands of objects; making each key
// once saves a string lookup per property read.
class Key {
 public:
  Key(const char* name) : name_(name) {}  // NOLINT(google-explicit-constructor)
  Key(Napi::Env env, const char* name) : name_(name), value_(Napi::String::New(env, name)) {}
  Napi::Value read(const Napi::Object& obj) const {
    return value_.IsEmpty() ? obj.Get(name_) : obj.Get(value_);
  }

 private:
  const char* name_;
  Napi::Value value_;
};

// What a failed check's message calls the value: "options.root", or the field
// of a list item, "ops[3].path", formatted only when a check fails. It views
// the text it is given: make it for the call that uses it.
class Name {
 public:
  Name(const char* text) : text_(text) {}         // NOLINT(google-explicit-constructor)
  Name(const std::string& text) : text_(text) {}  // NOLINT(google-explicit-constructor)
  Name(const char* list, std::uint32_t index, const char* field)
      : text_(list), index_(index), field_(field), indexed_(true) {}
  std::string str() const;

 private:
  std::string_view text_;
  std::uint32_t index_ = 0;
  const char* field_ = "";
  bool indexed_ = false;
};

void throwTypeError(Napi::Env env, const std::string& message);
void throwRangeError(Napi::Env env, const std::string& message);
// The RangeError "<what> must be an integer from <min> to <max>".
void throwIntegerRange(Napi::Env env, const Name& what, std::int64_t min, std::int64_t max);
// Throws the TypeError or RangeError matching a failed path check.
void throwPathFault(Napi::Env env, const Name& what, const PathCheck& check);

// info[index] as the options object of a call confined to a directory: it
// must be an object ("<fn>: options must be an object") whose `root` is an
// absolute path, returned normalised in *root.
bool rootedOptions(const Napi::CallbackInfo& info, std::size_t index, const std::string& fn,
                   Napi::Object* options, std::string* root);

// obj[key], or false if reading it threw (getters, proxies).
bool get(const Napi::Object& obj, const Key& key, Napi::Value* out);

// Required string property without NUL bytes.
bool requireString(const Napi::Object& obj, const Key& key, const Name& what, std::string* out);
// Required string property that may hold NUL bytes (NUL-joined fields).
bool requireJoined(const Napi::Object& obj, const Key& key, const Name& what, std::string* out);
// Optional properties: *out is left untouched when the property is undefined.
bool optionalBool(const Napi::Object& obj, const Key& key, const Name& what, bool* out);
// An integer in [min, max]; TypeError if not a number, RangeError otherwise.
bool optionalInteger(const Napi::Object& obj, const Key& key, const Name& what, std::int64_t min,
                     std::int64_t max, std::int64_t* out, bool* present);

// The JavaScript error for a NativeError: a TypeError or RangeError with its
// message, or, for a system error, an Error with Node's system-error
// properties errno (negative), syscall and path, and the message
// "<syscall> '<path>': <message, else strerror(err)>". `code` is added by the
// TypeScript layer (src/native/errors.ts).
Napi::Error toJsError(Napi::Env env, const NativeError& error);

// If an exception is pending, clears it and returns it in *out.
bool takePendingException(Napi::Env env, Napi::Value* out);

}  // namespace js
}  // namespace rtslib

#endif  // RTSLIB_JS_UTIL_H
