// Lexical validation of the paths a batch or a tree walk may touch.
//
// Nothing here performs a syscall: every check runs before the first
// operation of a batch, so a bad path anywhere in a batch means nothing runs.
#ifndef RTSLIB_PATH_GUARD_H
#define RTSLIB_PATH_GUARD_H

#include <string>
#include <string_view>

namespace rtslib {

enum class PathFault {
  kNone,
  kEmpty,         // TypeError: missing/empty path
  kNulByte,       // TypeError: contains '\0'
  kRelative,      // TypeError: does not start with '/'
  kDotComponent,  // RangeError: has a "." or ".." component
  kOutsideRoot,   // RangeError: not below the root
  kEqualsRoot,    // RangeError: is the root itself where that is not allowed
};

// True when the fault should be reported to JavaScript as a TypeError (as
// opposed to a RangeError).
bool isTypeFault(PathFault fault) noexcept;

struct PathCheck {
  PathFault fault = PathFault::kNone;
  std::string normalized;  // valid when fault == kNone
  std::string message;     // human-readable reason when fault != kNone

  bool ok() const noexcept { return fault == PathFault::kNone; }
};

// Checks that `path` is absolute, free of NUL bytes and of "." / ".."
// components, and returns it with repeated and trailing slashes removed
// ("/a//b/" -> "/a/b"; "/" stays "/").
PathCheck normalizeAbsolute(std::string_view path);

// Normalises `path` and checks that it lies strictly below `normalizedRoot`
// (itself the output of normalizeAbsolute). When `allowRoot` is true the root
// itself is accepted too.
PathCheck checkUnderRoot(std::string_view normalizedRoot, std::string_view path, bool allowRoot);

// Returns true when `s` contains a NUL byte.
bool hasNul(std::string_view s) noexcept;

}  // namespace rtslib

#endif  // RTSLIB_PATH_GUARD_H
