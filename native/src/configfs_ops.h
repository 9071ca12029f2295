// One configfs operation (read, write, mkdir, rmdir, symlink, unlink,
// readlink, list, stat), performed with plain syscalls and returning either a
// value or errno + syscall + path. No Node-API here: this links into the
// native unit tests as is.
#ifndef RTSLIB_CONFIGFS_OPS_H
#define RTSLIB_CONFIGFS_OPS_H

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fs_util.h"
#include "native_error.h"

namespace rtslib {

enum class OpKind { kRead, kWrite, kMkdir, kRmdir, kSymlink, kUnlink, kReadlink, kList, kStat };

// Parses the JavaScript name ("read", "write", ...). Returns false if unknown.
bool parseOpKind(std::string_view name, OpKind* out) noexcept;
// The operation of a packed batch's code: its place in OpKind (read 0, write
// 1, mkdir 2, rmdir 3, symlink 4, unlink 5, readlink 6, list 7, stat 8).
// Returns false past the last.
bool opKindFromCode(std::uint8_t code, OpKind* out) noexcept;
// The JavaScript name of an operation (the inverse of parseOpKind).
const char* opKindName(OpKind kind) noexcept;
// True for the operations that change the tree: mkdir, rmdir, write, symlink,
// unlink (not read, readlink, list, stat).
bool isMutating(OpKind kind) noexcept;
// The syscall an operation mainly performs; used for reporting a timeout that
// hits before the operation has reached any syscall.
const char* primarySyscall(OpKind kind) noexcept;

// The JavaScript name of an entry type: "dir", "file", "link", "other".
const char* entryTypeName(EntryType type) noexcept;

// Largest value a write may carry: configfs truncates stores at PAGE_SIZE - 1.
constexpr std::size_t kMaxWriteBytes = 4095;

struct Op {
  OpKind kind = OpKind::kRead;
  std::string path;         // normalised absolute path used for the syscall
  std::string displayPath;  // path as given by the caller, used in errors
  std::string value;        // write: exact bytes to write
  std::string target;       // symlink: link contents
  mode_t mode = 0755;       // mkdir
  bool independent = false;
  // Indexes (in the same batch, all lower than this operation's) of the
  // operations that must finish before this one starts. Only meaningful
  // inside a group of independent operations (batch_engine.h): earlier groups
  // have finished anyway.
  std::vector<std::uint32_t> after;
};

struct StatInfo {
  std::uint32_t mode = 0;  // st_mode including type bits
  EntryType type = EntryType::kOther;
};

enum class ResultState { kSkipped, kOk, kError };
enum class ValueKind { kNone, kBytes, kString, kEntries, kStat };

struct OpResult {
  ResultState state = ResultState::kSkipped;

  // kError: a system error; its path is the operation's path as given, its
  // message an optional detail (short write, timeout).
  NativeError error;

  // kOk
  ValueKind valueKind = ValueKind::kNone;
  std::string bytes;              // kBytes (read) or kString (readlink)
  std::vector<DirEntry> entries;  // kEntries (list)
  StatInfo stat;                  // kStat

  bool ok() const noexcept { return state == ResultState::kOk; }
  bool failed() const noexcept { return state == ResultState::kError; }

  static OpResult success() {
    OpResult r;
    r.state = ResultState::kOk;
    return r;
  }
  static OpResult failure(int err, const char* syscall, std::string path,
                          std::string message = std::string()) {
    OpResult r;
    r.state = ResultState::kError;
    r.error = NativeError::system(err, syscall, std::move(path), std::move(message));
    return r;
  }
};

// Performs `op`. Never throws; all failures are reported in the result.
// `tracker` (fs_util.h) follows the syscall the operation is in.
OpResult runOp(const Op& op, SyscallTracker* tracker = nullptr);

}  // namespace rtslib

#endif  // RTSLIB_CONFIGFS_OPS_H
