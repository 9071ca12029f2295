#include "tree_worker.h"

#include <cstdint>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "js_util.h"
#include "path_guard.h"
#include "tree_reader.h"

namespace rtslib {

namespace {

template <typename T>
Napi::TypedArrayOf<T> typedArray(Napi::Env env, const std::vector<T>& values) {
  Napi::TypedArrayOf<T> array = Napi::TypedArrayOf<T>::New(env, values.size());
  if (!env.IsExceptionPending() && !values.empty()) {
    std::memcpy(array.Data(), values.data(), values.size() * sizeof(T));
  }
  return array;
}

class TreeWorker : public Napi::AsyncWorker {
 public:
  TreeWorker(Napi::Env env, std::string dir, TreeOptions options)
      : Napi::AsyncWorker(env, "rtslib.readTree"),
        deferred_(Napi::Promise::Deferred::New(env)),
        dir_(std::move(dir)),
        options_(std::move(options)) {}

  Napi::Promise Promise() const { return deferred_.Promise(); }

  // Worker thread: no JavaScript access here.
  void Execute() override { ok_ = readTree(dir_, options_, &result_, &error_); }

  void OnOK() override {
    Napi::Env env = Env();
    Napi::HandleScope scope(env);
    if (!ok_) {
      deferred_.Reject(js::toJsError(env, error_).Value());
      return;
    }
    Napi::Object tree = build(env);
    Napi::Value exception;
    if (js::takePendingException(env, &exception)) {
      deferred_.Reject(exception);
    } else {
      deferred_.Resolve(tree);
    }
  }

  void OnError(const Napi::Error& error) override { deferred_.Reject(error.Value()); }

 private:
  Napi::Object build(Napi::Env env) {
    const std::size_t n = result_.paths.size();
    Napi::Object tree = Napi::Object::New(env);

    Napi::Array paths = Napi::Array::New(env, n);
    Napi::Array links = Napi::Array::New(env, n);
    for (std::size_t i = 0; i < n && !env.IsExceptionPending(); ++i) {
      const auto idx = static_cast<std::uint32_t>(i);
      paths.Set(idx, Napi::String::New(env, result_.paths[i]));
      if (result_.hasLink[i] != 0) {
        links.Set(idx, Napi::String::New(env, result_.links[i]));
      } else {
        links.Set(idx, env.Null());
      }
    }
    tree.Set("paths", paths);
    tree.Set("kinds", typedArray(env, result_.kinds));
    tree.Set("modes", typedArray(env, result_.modes));
    tree.Set("links", links);
    tree.Set("data", Napi::Buffer<char>::Copy(env, result_.data.data(), result_.data.size()));
    tree.Set("offsets", typedArray(env, result_.offsets));
    tree.Set("errnos", typedArray(env, result_.errnos));
    return tree;
  }

  Napi::Promise::Deferred deferred_;
  std::string dir_;
  TreeOptions options_;
  TreeResult result_;
  NativeError error_;
  bool ok_ = false;
};

}  // namespace

Napi::Value ReadTree(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsString()) {
    js::throwTypeError(env, "readTree: dir must be a string");
    return env.Undefined();
  }
  if (info.Length() < 2 || !info[1].IsObject()) {
    js::throwTypeError(env, "readTree: options must be an object");
    return env.Undefined();
  }
  const std::string rawDir = info[0].As<Napi::String>().Utf8Value();
  const Napi::Object options = info[1].As<Napi::Object>();

  std::string rawRoot;
  if (!js::requireString(options, "root", "options.root", &rawRoot)) return env.Undefined();
  const PathCheck root = normalizeAbsolute(rawRoot);
  if (!root.ok()) {
    js::throwPathFault(env, "options.root", root);
    return env.Undefined();
  }
  const PathCheck dir = checkUnderRoot(root.normalized, rawDir, /*allowRoot=*/true);
  if (!dir.ok()) {
    js::throwPathFault(env, "readTree: dir", dir);
    return env.Undefined();
  }

  TreeOptions treeOptions;
  std::int64_t depth = 0;
  bool present = false;
  if (!js::optionalInteger(options, "maxDepth", "options.maxDepth", 0, 0x7fffffff, &depth,
                           &present)) {
    return env.Undefined();
  }
  if (present) treeOptions.maxDepth = static_cast<int>(depth);
  if (!js::optionalBool(options, "readValues", "options.readValues", &treeOptions.readValues)) {
    return env.Undefined();
  }

  Napi::Value exclude;
  if (!js::get(options, "excludeNames", &exclude)) return env.Undefined();
  if (!exclude.IsUndefined()) {
    if (!exclude.IsArray()) {
      js::throwTypeError(env, "options.excludeNames must be an array of strings");
      return env.Undefined();
    }
    const Napi::Array names = exclude.As<Napi::Array>();
    const std::uint32_t count = names.Length();
    for (std::uint32_t i = 0; i < count; ++i) {
      const Napi::Value name = names.Get(i);
      if (env.IsExceptionPending()) return env.Undefined();
      const std::string what = "options.excludeNames[" + std::to_string(i) + "]";
      if (!name.IsString()) {
        js::throwTypeError(env, what + " must be a string");
        return env.Undefined();
      }
      std::string s = name.As<Napi::String>().Utf8Value();
      if (hasNul(s)) {
        js::throwTypeError(env, what + " must not contain a NUL byte");
        return env.Undefined();
      }
      treeOptions.excludeNames.push_back(std::move(s));
    }
  }

  auto* worker = new TreeWorker(env, dir.normalized, std::move(treeOptions));  // deletes itself
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

}  // namespace rtslib
