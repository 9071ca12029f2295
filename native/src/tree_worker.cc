#include "tree_worker.h"

#include <cstdint>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "js_util.h"
#include "path_guard.h"
#include "promise_worker.h"
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

struct TreeJob {
  std::string dir;
  TreeOptions options;
  TreeResult result;

  bool run(NativeError* error) { return readTree(dir, options, &result, error); }

  // The tree packed (src/native/packed-tree.ts unpacks it): the paths as
  // one NUL-joined string, the links as the entry indexes that have one and
  // their texts NUL-joined (no path or link holds a NUL byte). A few
  // Node-API calls for the whole tree instead of three per entry.
  Napi::Value build(Napi::Env env) {
    const std::size_t n = result.paths.size();
    Napi::Object tree = Napi::Object::New(env);

    std::string paths;
    std::size_t bytes = n;
    for (const std::string& path : result.paths) bytes += path.size();
    paths.reserve(bytes);
    std::vector<std::uint32_t> linkIndexes;
    std::string links;
    for (std::size_t i = 0; i < n; ++i) {
      if (i > 0) paths.push_back('\0');
      paths.append(result.paths[i]);
      if (result.hasLink[i] == 0) continue;
      if (!linkIndexes.empty()) links.push_back('\0');
      links.append(result.links[i]);
      linkIndexes.push_back(static_cast<std::uint32_t>(i));
    }
    tree.Set("paths", Napi::String::New(env, paths));
    tree.Set("kinds", typedArray(env, result.kinds));
    tree.Set("modes", typedArray(env, result.modes));
    tree.Set("linkIndexes", typedArray(env, linkIndexes));
    tree.Set("links", Napi::String::New(env, links));
    tree.Set("data", Napi::Buffer<char>::Copy(env, result.data.data(), result.data.size()));
    tree.Set("offsets", typedArray(env, result.offsets));
    tree.Set("errnos", typedArray(env, result.errnos));
    return tree;
  }
};

// Reads options[key], an optional array of strings without NUL bytes, into
// *out (and sets *present when given and the key is there); throws a
// TypeError naming the key and returns false otherwise.
bool stringList(const Napi::Object& options, const char* key, std::vector<std::string>* out,
                bool* present = nullptr) {
  const Napi::Env env = options.Env();
  Napi::Value value;
  if (!js::get(options, key, &value)) return false;
  if (value.IsUndefined()) return true;
  if (present != nullptr) *present = true;
  if (!value.IsArray()) {
    js::throwTypeError(env, std::string("options.") + key + " must be an array of strings");
    return false;
  }
  const Napi::Array items = value.As<Napi::Array>();
  const std::uint32_t count = items.Length();
  for (std::uint32_t i = 0; i < count; ++i) {
    const Napi::Value item = items.Get(i);
    if (env.IsExceptionPending()) return false;
    const std::string what = std::string("options.") + key + "[" + std::to_string(i) + "]";
    if (!item.IsString()) {
      js::throwTypeError(env, what + " must be a string");
      return false;
    }
    std::string s = item.As<Napi::String>().Utf8Value();
    if (hasNul(s)) {
      js::throwTypeError(env, what + " must not contain a NUL byte");
      return false;
    }
    out->push_back(std::move(s));
  }
  return true;
}

}  // namespace

Napi::Value ReadTree(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsString()) {
    js::throwTypeError(env, "readTree: dir must be a string");
    return env.Undefined();
  }
  Napi::Object options;
  std::string root;
  if (!js::rootedOptions(info, 1, "readTree", &options, &root)) return env.Undefined();
  const std::string rawDir = info[0].As<Napi::String>().Utf8Value();
  const PathCheck dir = checkUnderRoot(root, rawDir, /*allowRoot=*/true);
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
  if (!js::optionalBool(options, "readValues", "options.readValues", &treeOptions.readValues) ||
      !js::optionalBool(options, "listFiles", "options.listFiles", &treeOptions.listFiles)) {
    return env.Undefined();
  }

  if (!stringList(options, "excludeNames", &treeOptions.excludeNames) ||
      !stringList(options, "excludePaths", &treeOptions.excludePaths) ||
      !stringList(options, "valueNames", &treeOptions.valueNames) ||
      !stringList(options, "only", &treeOptions.topNames, &treeOptions.onlyTop)) {
    return env.Undefined();
  }
  // the walked directory relative to the root, for excludePaths
  if (dir.normalized.size() > root.size()) {
    treeOptions.base = dir.normalized.substr(root == "/" ? 1 : root.size() + 1);
  }

  return queuePromise(env, "rtslib.readTree", TreeJob{dir.normalized, std::move(treeOptions), {}});
}

}  // namespace rtslib
