#include "batch_worker.h"

#include <cmath>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "batch_engine.h"
#include "configfs_ops.h"
#include "js_util.h"
#include "path_guard.h"
#include "promise_worker.h"

namespace rtslib {

namespace {

// The keys of a result object, made JavaScript strings once per batch.
struct ResultKeys {
  explicit ResultKeys(Napi::Env env)
      : ok(Napi::String::New(env, "ok")),
        skipped(Napi::String::New(env, "skipped")),
        errnoKey(Napi::String::New(env, "errno")),
        syscall(Napi::String::New(env, "syscall")),
        path(Napi::String::New(env, "path")),
        message(Napi::String::New(env, "message")),
        value(Napi::String::New(env, "value")),
        name(Napi::String::New(env, "name")),
        type(Napi::String::New(env, "type")),
        mode(Napi::String::New(env, "mode")) {}
  Napi::String ok, skipped, errnoKey, syscall, path, message, value, name, type, mode;
};

Napi::Value resultToJs(Napi::Env env, const ResultKeys& k, const OpResult& r) {
  Napi::Object obj = Napi::Object::New(env);
  switch (r.state) {
    case ResultState::kSkipped:
      obj.Set(k.ok, Napi::Boolean::New(env, false));
      obj.Set(k.skipped, Napi::Boolean::New(env, true));
      return obj;
    case ResultState::kError:
      obj.Set(k.ok, Napi::Boolean::New(env, false));
      obj.Set(k.errnoKey, Napi::Number::New(env, -r.error.err));
      obj.Set(k.syscall, Napi::String::New(env, r.error.syscall));
      obj.Set(k.path, Napi::String::New(env, r.error.path));
      if (!r.error.message.empty()) obj.Set(k.message, Napi::String::New(env, r.error.message));
      return obj;
    case ResultState::kOk: break;
  }
  obj.Set(k.ok, Napi::Boolean::New(env, true));
  switch (r.valueKind) {
    case ValueKind::kNone: break;
    case ValueKind::kBytes:
      obj.Set(k.value, Napi::Buffer<char>::Copy(env, r.bytes.data(), r.bytes.size()));
      break;
    case ValueKind::kString: obj.Set(k.value, Napi::String::New(env, r.bytes)); break;
    case ValueKind::kEntries: {
      Napi::Array entries = Napi::Array::New(env, r.entries.size());
      for (std::size_t i = 0; i < r.entries.size(); ++i) {
        Napi::Object e = Napi::Object::New(env);
        e.Set(k.name, Napi::String::New(env, r.entries[i].name));
        e.Set(k.type, Napi::String::New(env, entryTypeName(r.entries[i].type)));
        entries.Set(static_cast<std::uint32_t>(i), e);
      }
      obj.Set(k.value, entries);
      break;
    }
    case ValueKind::kStat: {
      Napi::Object st = Napi::Object::New(env);
      st.Set(k.mode, Napi::Number::New(env, r.stat.mode));
      st.Set(k.type, Napi::String::New(env, entryTypeName(r.stat.type)));
      obj.Set(k.value, st);
      break;
    }
  }
  return obj;
}

struct BatchJob {
  std::vector<Op> ops;
  BatchOptions options;
  std::vector<OpResult> results;

  bool run(NativeError*) {
    results = runBatch(ops, options);  // failures are per-operation results
    return true;
  }
  Napi::Value build(Napi::Env env) {
    Napi::Array out = Napi::Array::New(env, results.size());
    const ResultKeys keys(env);
    for (std::size_t i = 0; i < results.size(); ++i) {
      out.Set(static_cast<std::uint32_t>(i), resultToJs(env, keys, results[i]));
      if (env.IsExceptionPending()) break;
    }
    return out;
  }
};

bool allowsRootPath(OpKind kind) {
  return kind == OpKind::kList || kind == OpKind::kStat || kind == OpKind::kRead;
}

// The keys of an operation object, made JavaScript strings once per batch.
struct OpKeys {
  explicit OpKeys(Napi::Env env)
      : op(env, "op"),
        path(env, "path"),
        value(env, "value"),
        target(env, "target"),
        mode(env, "mode"),
        independent(env, "independent"),
        after(env, "after") {}
  js::Key op, path, value, target, mode, independent, after;
};

// ops[index].after: optional array of indexes of earlier operations that must
// finish first (batch_engine.h). Each must be an integer from 0 to index - 1.
bool parseAfter(Napi::Env env, const Napi::Object& obj, const OpKeys& keys, std::uint32_t index,
                std::vector<std::uint32_t>* out) {
  Napi::Value value;
  if (!js::get(obj, keys.after, &value)) return false;
  if (value.IsUndefined()) return true;
  const js::Name what("ops", index, ".after");
  if (!value.IsArray()) {
    js::throwTypeError(env, what.str() + " must be an array of operation indexes");
    return false;
  }
  const Napi::Array list = value.As<Napi::Array>();
  const std::uint32_t length = list.Length();
  out->reserve(length);
  for (std::uint32_t k = 0; k < length; ++k) {
    const Napi::Value item = list.Get(k);
    if (env.IsExceptionPending()) return false;
    if (!item.IsNumber()) {
      js::throwTypeError(env, what.str() + "[" + std::to_string(k) + "] must be a number");
      return false;
    }
    const double d = item.As<Napi::Number>().DoubleValue();
    if (!std::isfinite(d) || std::trunc(d) != d || d < 0 || d >= static_cast<double>(index)) {
      js::throwRangeError(env, what.str() + "[" + std::to_string(k) +
                                   "] must be the index of an earlier operation (0 to " +
                                   std::to_string(static_cast<std::int64_t>(index) - 1) + ")");
      return false;
    }
    out->push_back(static_cast<std::uint32_t>(d));
  }
  return true;
}

// Converts and validates ops[index]. Throws (pending exception) and returns
// false on the first problem. A message names the field ("ops[3].path"); the
// name is formatted only then.
bool parseOp(Napi::Env env, const Napi::Value& value, const OpKeys& keys, std::uint32_t index,
             const std::string& root, Op* op) {
  const auto at = [index](const char* field) { return js::Name("ops", index, field); };
  if (!value.IsObject() || value.IsArray()) {
    js::throwTypeError(env, at("").str() + " must be an object");
    return false;
  }
  const Napi::Object obj = value.As<Napi::Object>();

  std::string kindName;
  if (!js::requireString(obj, keys.op, at(".op"), &kindName)) return false;
  if (!parseOpKind(kindName, &op->kind)) {
    js::throwTypeError(env, at(".op").str() + ": unknown operation '" + kindName + "'");
    return false;
  }

  if (!js::requireString(obj, keys.path, at(".path"), &op->displayPath)) return false;
  const PathCheck check = checkUnderRoot(root, op->displayPath, allowsRootPath(op->kind));
  if (!check.ok()) {
    js::throwPathFault(env, at(".path"), check);
    return false;
  }
  op->path = check.normalized;

  switch (op->kind) {
    case OpKind::kWrite:
      if (!js::requireString(obj, keys.value, at(".value"), &op->value)) return false;
      if (op->value.size() > kMaxWriteBytes) {
        js::throwRangeError(env, at(".value").str() + " is " + std::to_string(op->value.size()) +
                                     " bytes; configfs accepts at most " +
                                     std::to_string(kMaxWriteBytes) +
                                     " (it silently truncates longer stores)");
        return false;
      }
      break;
    case OpKind::kSymlink:
      if (!js::requireString(obj, keys.target, at(".target"), &op->target)) return false;
      if (op->target.empty()) {
        js::throwTypeError(env, at(".target").str() + " must not be empty");
        return false;
      }
      break;
    case OpKind::kMkdir: {
      std::int64_t mode = 0;
      bool present = false;
      if (!js::optionalInteger(obj, keys.mode, at(".mode"), 0, 07777, &mode, &present)) {
        return false;
      }
      op->mode = present ? static_cast<mode_t>(mode) : 0755;
      break;
    }
    default: break;
  }

  bool independent = false;
  if (!js::optionalBool(obj, keys.independent, at(".independent"), &independent)) return false;
  op->independent = independent;
  return parseAfter(env, obj, keys, index, &op->after);
}

}  // namespace

Napi::Value ExecuteBatch(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsArray()) {
    js::throwTypeError(env, "executeBatch: ops must be an array");
    return env.Undefined();
  }
  Napi::Object options;
  std::string root;
  if (!js::rootedOptions(info, 1, "executeBatch", &options, &root)) return env.Undefined();
  const Napi::Array array = info[0].As<Napi::Array>();

  BatchOptions batchOptions;
  if (!js::optionalBool(options, "stopOnError", "options.stopOnError", &batchOptions.stopOnError)) {
    return env.Undefined();
  }
  std::int64_t number = 0;
  bool present = false;
  if (!js::optionalInteger(options, "concurrency", "options.concurrency", kMinConcurrency,
                           kMaxConcurrency, &number, &present)) {
    return env.Undefined();
  }
  if (present) batchOptions.concurrency = static_cast<unsigned>(number);
  if (!js::optionalInteger(options, "timeoutMs", "options.timeoutMs", 0, 0x7fffffff, &number,
                           &present)) {
    return env.Undefined();
  }
  if (present) batchOptions.timeoutMs = static_cast<std::uint32_t>(number);
  if (!js::optionalBool(options, "undo", "options.undo", &batchOptions.undo)) {
    return env.Undefined();
  }

  const std::uint32_t count = array.Length();
  if (count == 0) {
    js::throwTypeError(env, "executeBatch: ops must not be empty");
    return env.Undefined();
  }

  // Everything is validated before the worker is queued: a bad operation
  // anywhere in the batch means no syscall at all.
  std::vector<Op> ops(count);
  const OpKeys keys(env);
  for (std::uint32_t i = 0; i < count; ++i) {
    const Napi::Value value = array.Get(i);
    if (env.IsExceptionPending()) return env.Undefined();
    if (!parseOp(env, value, keys, i, root, &ops[i])) return env.Undefined();
  }

  return queuePromise(env, "rtslib.executeBatch", BatchJob{std::move(ops), batchOptions, {}});
}

}  // namespace rtslib
