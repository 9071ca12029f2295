// One configfs operation (read, write, mkdir, rmdir, symlink, unlink,
// readlink, list, stat), performed with plain syscalls and returning either a
// value or errno + syscall + path. No Node-API here: this links into the
// native unit tests as is.
#ifndef RTSLIB_CONFIGFS_OPS_H
#define RTSLIB_CONFIGFS_OPS_H

#include <sys/types.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace rtslib {

enum class OpKind { kRead, kWrite, kMkdir, kRmdir, kSymlink, kUnlink, kReadlink, kList, kStat };

// Parses the JavaScript name ("read", "write", ...). Returns false if unknown.
bool parseOpKind(std::string_view name, OpKind* out) noexcept;
// The JavaScript name of an operation (the inverse of parseOpKind).
const char* opKindName(OpKind kind) noexcept;
// True for the operations that change the tree: mkdir, rmdir, write, symlink,
// unlink (not read, readlink, list, stat).
bool isMutating(OpKind kind) noexcept;
// The syscall an operation mainly performs; used for reporting a timeout that
// hits before the operation has reached any syscall.
const char* primarySyscall(OpKind kind) noexcept;

enum class EntryType : std::uint8_t { kDir = 0, kFile = 1, kLink = 2, kOther = 3 };
const char* entryTypeName(EntryType type) noexcept;
EntryType entryTypeFromMode(mode_t mode) noexcept;

// Largest value a write may carry: configfs truncates stores at PAGE_SIZE - 1.
constexpr std::size_t kMaxWriteBytes = 4095;
// Upper bound on what a single read collects (protects against endless files
// such as a character device reached by mistake).
constexpr std::size_t kMaxReadBytes = 16u * 1024u * 1024u;

struct Op {
  OpKind kind = OpKind::kRead;
  std::string path;         // normalised absolute path used for the syscall
  std::string displayPath;  // path as given by the caller, used in errors
  std::string value;        // write: exact bytes to write
  std::string target;       // symlink: link contents
  mode_t mode = 0755;       // mkdir
  bool independent = false;
};

struct DirEntry {
  std::string name;
  EntryType type = EntryType::kOther;
};

struct StatInfo {
  std::uint32_t mode = 0;  // st_mode including type bits
  EntryType type = EntryType::kOther;
};

enum class ResultState { kSkipped, kOk, kError };
enum class ValueKind { kNone, kBytes, kString, kEntries, kStat };

struct OpResult {
  ResultState state = ResultState::kSkipped;

  // kError
  int err = 0;                  // positive errno
  const char* syscall = "";     // static string
  std::string path;             // the operation's path as given
  std::string message;          // optional extra detail (short write, timeout)

  // kOk
  ValueKind valueKind = ValueKind::kNone;
  std::string bytes;            // kBytes (read) or kString (readlink)
  std::vector<DirEntry> entries;  // kEntries (list)
  StatInfo stat;                // kStat

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
    r.err = err;
    r.syscall = syscall;
    r.path = std::move(path);
    r.message = std::move(message);
    return r;
  }
};

// Where a running operation currently is; the batch engine reads it to name
// the syscall in a timeout error. May be null.
using SyscallTracker = std::atomic<const char*>;

// Performs `op`. Never throws; all failures are reported in the result.
OpResult runOp(const Op& op, SyscallTracker* tracker = nullptr);

// Reads a whole file from an open descriptor into `out` (appending). Retries
// EINTR. Returns 0 or a positive errno (EFBIG past kMaxReadBytes).
int readAll(int fd, std::string* out);

// readlinkat() into a string, growing the buffer as needed. Returns 0 or a
// positive errno.
int readLinkAt(int dirfd, const char* path, std::string* out);

}  // namespace rtslib

#endif  // RTSLIB_CONFIGFS_OPS_H
