#include "batch_worker.h"

#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
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
    // Most operations succeed without a value, or are skipped: those share
    // one frozen result object each, made once per batch, instead of an
    // object built per operation.
    Napi::Object done;
    Napi::Object skipped;
    for (std::size_t i = 0; i < results.size(); ++i) {
      const OpResult& r = results[i];
      Napi::Value value;
      if (r.state == ResultState::kOk && r.valueKind == ValueKind::kNone) {
        if (done.IsEmpty()) done = frozen(env, resultToJs(env, keys, r));
        value = done;
      } else if (r.state == ResultState::kSkipped) {
        if (skipped.IsEmpty()) skipped = frozen(env, resultToJs(env, keys, r));
        value = skipped;
      } else {
        value = resultToJs(env, keys, r);
      }
      if (env.IsExceptionPending()) break;
      out.Set(static_cast<std::uint32_t>(i), value);
      if (env.IsExceptionPending()) break;
    }
    return out;
  }

  static Napi::Object frozen(Napi::Env env, Napi::Value value) {
    Napi::Object obj = value.As<Napi::Object>();
    napi_object_freeze(env, obj);
    return obj;
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

// Largest permission bits a mkdir takes.
constexpr std::int64_t kMaxMode = 07777;

// The checks both forms of a batch make of an operation's fields, with the
// same messages ("ops[3].path ..."). Each throws (pending exception) and
// returns false when it refuses the field.

// ops[index].path (op->displayPath) must lie below root; op->path is set to
// it normalised.
bool checkPath(Napi::Env env, const std::string& root, std::uint32_t index, Op* op) {
  const PathCheck check = checkUnderRoot(root, op->displayPath, allowsRootPath(op->kind));
  if (!check.ok()) {
    js::throwPathFault(env, js::Name("ops", index, ".path"), check);
    return false;
  }
  op->path = check.normalized;
  return true;
}

// A write's value must fit one store.
bool checkValue(Napi::Env env, std::uint32_t index, const Op& op) {
  if (op.value.size() <= kMaxWriteBytes) return true;
  js::throwRangeError(
      env, js::Name("ops", index, ".value").str() + " is " + std::to_string(op.value.size()) +
               " bytes; configfs accepts at most " + std::to_string(kMaxWriteBytes) +
               " (it silently truncates longer stores)");
  return false;
}

// A symlink's target must not be empty.
bool checkTarget(Napi::Env env, std::uint32_t index, const Op& op) {
  if (!op.target.empty()) return true;
  js::throwTypeError(env, js::Name("ops", index, ".target").str() + " must not be empty");
  return false;
}

// Throws the RangeError for ops[index].after[k], which names no earlier
// operation.
void throwNotEarlier(Napi::Env env, std::uint32_t index, std::uint32_t k) {
  js::throwRangeError(env, js::Name("ops", index, ".after").str() + "[" + std::to_string(k) +
                               "] must be the index of an earlier operation (0 to " +
                               std::to_string(static_cast<std::int64_t>(index) - 1) + ")");
}

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
      throwNotEarlier(env, index, k);
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
  if (!checkPath(env, root, index, op)) return false;

  switch (op->kind) {
    case OpKind::kWrite:
      if (!js::requireString(obj, keys.value, at(".value"), &op->value)) return false;
      if (!checkValue(env, index, *op)) return false;
      break;
    case OpKind::kSymlink:
      if (!js::requireString(obj, keys.target, at(".target"), &op->target)) return false;
      if (!checkTarget(env, index, *op)) return false;
      break;
    case OpKind::kMkdir: {
      std::int64_t mode = 0;
      bool present = false;
      if (!js::optionalInteger(obj, keys.mode, at(".mode"), 0, kMaxMode, &mode, &present)) {
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

// The packed form of a batch (src/native/binding.ts, NativePackedOps): the
// operations as a few typed arrays and joined strings, read with a handful of
// Node-API calls for the whole batch instead of several per operation.
struct PackedKeys {
  explicit PackedKeys(Napi::Env env)
      : kinds(env, "kinds"),
        paths(env, "paths"),
        texts(env, "texts"),
        modes(env, "modes"),
        afterStart(env, "afterStart"),
        afterList(env, "afterList") {}
  js::Key kinds, paths, texts, modes, afterStart, afterList;
};

// Bit of a packed kind that marks an independent operation.
constexpr std::uint8_t kPackedIndependent = 0x80;

// A typed array of a packed batch, its elements viewed (not copied).
template <typename T>
struct PackedArray {
  bool present = false;
  const T* data = nullptr;
  std::size_t length = 0;
  T operator[](std::size_t i) const { return data[i]; }
};

// obj[key] as a typed array of type `type`; an absent optional one is left
// not present.
template <typename T>
bool packedArray(const Napi::Object& obj, const js::Key& key, const char* field,
                 napi_typedarray_type type, bool required, PackedArray<T>* out) {
  Napi::Env env = obj.Env();
  Napi::Value value;
  if (!js::get(obj, key, &value)) return false;
  if (value.IsUndefined() && !required) return true;
  napi_typedarray_type actual = napi_uint8_array;
  std::size_t elements = 0;
  void* first = nullptr;
  if (!value.IsTypedArray() ||
      napi_get_typedarray_info(env, value, &actual, &elements, &first, nullptr, nullptr) !=
          napi_ok ||
      actual != type) {
    js::throwTypeError(env, std::string("ops.") + field + " must be a " +
                                (type == napi_uint8_array   ? "Uint8Array"
                                 : type == napi_int32_array ? "Int32Array"
                                                            : "Uint32Array"));
    return false;
  }
  // the first element, the byte offset of the view already applied
  out->present = true;
  out->data = static_cast<const T*>(first);
  out->length = elements;
  return true;
}

// Splits a NUL-joined string into exactly `count` fields (none when count is
// 0); false when it holds another number (a field with a NUL byte of its own).
bool splitFields(const std::string& joined, std::size_t count, std::vector<std::string_view>* out) {
  out->clear();
  if (count == 0) return joined.empty();
  out->reserve(count);
  std::size_t from = 0;
  for (;;) {
    const std::size_t nul = joined.find('\0', from);
    out->emplace_back(std::string_view(joined).substr(
        from, nul == std::string::npos ? std::string::npos : nul - from));
    if (nul == std::string::npos) break;
    from = nul + 1;
  }
  return out->size() == count;
}

// Converts and validates a packed batch, with the checks and messages of
// parseOp ("ops[3].path ...").
bool parsePackedOps(Napi::Env env, const Napi::Object& obj, const std::string& root,
                    std::vector<Op>* ops) {
  const PackedKeys keys(env);
  PackedArray<std::uint8_t> kinds;
  if (!packedArray(obj, keys.kinds, "kinds", napi_uint8_array, true, &kinds)) return false;
  const std::size_t count = kinds.length;
  if (count == 0) {
    js::throwTypeError(env, "executeBatch: ops must not be empty");
    return false;
  }
  std::string paths;
  std::string texts;
  if (!js::requireJoined(obj, keys.paths, "ops.paths", &paths)) return false;
  if (!js::requireJoined(obj, keys.texts, "ops.texts", &texts)) return false;
  PackedArray<std::int32_t> modes;
  PackedArray<std::uint32_t> afterStart;
  PackedArray<std::uint32_t> afterList;
  if (!packedArray(obj, keys.modes, "modes", napi_int32_array, false, &modes) ||
      !packedArray(obj, keys.afterStart, "afterStart", napi_uint32_array, false, &afterStart) ||
      !packedArray(obj, keys.afterList, "afterList", napi_uint32_array, afterStart.present,
                   &afterList)) {
    return false;
  }
  if (modes.present && modes.length != count) {
    js::throwTypeError(env, "ops.modes must have one element per operation");
    return false;
  }
  if (afterStart.present && afterStart.length != count + 1) {
    js::throwTypeError(env, "ops.afterStart must have one element per operation and one more");
    return false;
  }

  std::vector<std::string_view> pathFields;
  if (!splitFields(paths, count, &pathFields)) {
    js::throwTypeError(env,
                       "ops.paths must hold one path per operation, joined with NUL bytes (a path "
                       "must not contain one)");
    return false;
  }
  std::size_t textCount = 0;
  std::vector<OpKind> opKinds(count);
  for (std::size_t i = 0; i < count; ++i) {
    const std::uint8_t code = kinds[i] & static_cast<std::uint8_t>(~kPackedIndependent);
    if (!opKindFromCode(code, &opKinds[i])) {
      js::throwTypeError(env, js::Name("ops", static_cast<std::uint32_t>(i), ".op").str() +
                                  ": unknown operation code " + std::to_string(code));
      return false;
    }
    if (opKinds[i] == OpKind::kWrite || opKinds[i] == OpKind::kSymlink) ++textCount;
  }
  std::vector<std::string_view> textFields;
  if (!splitFields(texts, textCount, &textFields)) {
    js::throwTypeError(env,
                       "ops.texts must hold one value per write and one target per symlink, joined "
                       "with NUL bytes (neither may contain one)");
    return false;
  }

  ops->resize(count);
  std::size_t text = 0;
  for (std::size_t i = 0; i < count; ++i) {
    const auto index = static_cast<std::uint32_t>(i);
    const auto at = [index](const char* field) { return js::Name("ops", index, field); };
    Op& op = (*ops)[i];
    op.kind = opKinds[i];
    op.independent = (kinds[i] & kPackedIndependent) != 0;
    op.displayPath.assign(pathFields[i]);
    if (!checkPath(env, root, index, &op)) return false;
    if (op.kind == OpKind::kWrite) {
      op.value.assign(textFields[text++]);
      if (!checkValue(env, index, op)) return false;
    } else if (op.kind == OpKind::kSymlink) {
      op.target.assign(textFields[text++]);
      if (!checkTarget(env, index, op)) return false;
    } else if (op.kind == OpKind::kMkdir && modes.present && modes[i] != -1) {
      if (modes[i] < 0 || modes[i] > kMaxMode) {
        js::throwIntegerRange(env, at(".mode"), 0, kMaxMode);
        return false;
      }
      op.mode = static_cast<mode_t>(modes[i]);
    }
    if (!afterStart.present) continue;
    const std::uint32_t from = afterStart[i];
    const std::uint32_t to = afterStart[i + 1];
    if (from > to || to > afterList.length) {
      js::throwRangeError(
          env, at(".after").str() + ": ops.afterStart is not ascending within ops.afterList");
      return false;
    }
    op.after.reserve(to - from);
    for (std::uint32_t k = from; k < to; ++k) {
      if (afterList[k] >= index) {
        throwNotEarlier(env, index, k - from);
        return false;
      }
      op.after.push_back(afterList[k]);
    }
  }
  return true;
}

}  // namespace

Napi::Value ExecuteBatch(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject()) {
    js::throwTypeError(env, "executeBatch: ops must be an array or a packed batch");
    return env.Undefined();
  }
  Napi::Object options;
  std::string root;
  if (!js::rootedOptions(info, 1, "executeBatch", &options, &root)) return env.Undefined();

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

  // Everything is validated before the worker is queued: a bad operation
  // anywhere in the batch means no syscall at all.
  std::vector<Op> ops;
  if (!info[0].IsArray()) {
    if (!parsePackedOps(env, info[0].As<Napi::Object>(), root, &ops)) return env.Undefined();
    return queuePromise(env, "rtslib.executeBatch", BatchJob{std::move(ops), batchOptions, {}});
  }
  const Napi::Array array = info[0].As<Napi::Array>();
  const std::uint32_t count = array.Length();
  if (count == 0) {
    js::throwTypeError(env, "executeBatch: ops must not be empty");
    return env.Undefined();
  }
  ops.resize(count);
  const OpKeys keys(env);
  for (std::uint32_t i = 0; i < count; ++i) {
    const Napi::Value value = array.Get(i);
    if (env.IsExceptionPending()) return env.Undefined();
    if (!parseOp(env, value, keys, i, root, &ops[i])) return env.Undefined();
  }

  return queuePromise(env, "rtslib.executeBatch", BatchJob{std::move(ops), batchOptions, {}});
}

}  // namespace rtslib
