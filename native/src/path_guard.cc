#include "path_guard.h"

namespace rtslib {

bool isTypeFault(PathFault fault) noexcept {
  return fault == PathFault::kEmpty || fault == PathFault::kNulByte ||
         fault == PathFault::kRelative;
}

bool hasNul(std::string_view s) noexcept { return s.find('\0') != std::string_view::npos; }

namespace {

PathCheck fail(PathFault fault, std::string message) {
  PathCheck out;
  out.fault = fault;
  out.message = std::move(message);
  return out;
}

}  // namespace

PathCheck normalizeAbsolute(std::string_view path) {
  if (path.empty()) return fail(PathFault::kEmpty, "path is empty");
  if (hasNul(path)) return fail(PathFault::kNulByte, "path contains a NUL byte");
  if (path.front() != '/') {
    return fail(PathFault::kRelative, "path must be absolute: '" + std::string(path) + "'");
  }

  PathCheck out;
  out.normalized.reserve(path.size());
  size_t i = 0;
  while (i < path.size()) {
    while (i < path.size() && path[i] == '/') ++i;
    if (i >= path.size()) break;
    size_t end = path.find('/', i);
    if (end == std::string_view::npos) end = path.size();
    std::string_view component = path.substr(i, end - i);
    if (component == "." || component == "..") {
      return fail(PathFault::kDotComponent,
                  "path must not contain '.' or '..' components: '" + std::string(path) + "'");
    }
    out.normalized.push_back('/');
    out.normalized.append(component);
    i = end;
  }
  if (out.normalized.empty()) out.normalized = "/";
  return out;
}

PathCheck checkUnderRoot(std::string_view normalizedRoot, std::string_view path, bool allowRoot) {
  PathCheck out = normalizeAbsolute(path);
  if (!out.ok()) return out;

  const std::string& p = out.normalized;
  if (p == normalizedRoot) {
    if (allowRoot) return out;
    return fail(PathFault::kEqualsRoot,
                "path must be below the root, not the root itself: '" + std::string(path) + "'");
  }
  bool inside;
  if (normalizedRoot == "/") {
    inside = true;  // every other normalised absolute path is below "/"
  } else {
    inside = p.size() > normalizedRoot.size() &&
             p.compare(0, normalizedRoot.size(), normalizedRoot) == 0 &&
             p[normalizedRoot.size()] == '/';
  }
  if (!inside) {
    return fail(PathFault::kOutsideRoot, "path '" + std::string(path) + "' is outside the root '" +
                                             std::string(normalizedRoot) + "'");
  }
  return out;
}

}  // namespace rtslib
