// The file-system plumbing every native step shares: opening with EINTR
// retry, sorted directory listings, entry kinds from st_mode / d_type,
// whole-file and symlink reads, and errno text. Pure C++ (no Node-API).
#ifndef RTSLIB_FS_UTIL_H
#define RTSLIB_FS_UTIL_H

#include <sys/types.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "unique_fd.h"

namespace rtslib {

// The kind of a directory entry. The numbers are part of readTree's result
// (its `kinds` column).
enum class EntryType : std::uint8_t { kDir = 0, kFile = 1, kLink = 2, kOther = 3 };
EntryType entryTypeFromMode(mode_t mode) noexcept;
// From a dirent's d_type; *known is false for DT_UNKNOWN (then kOther).
EntryType entryTypeFromDirent(unsigned char type, bool* known) noexcept;

struct DirEntry {
  std::string name;
  EntryType type = EntryType::kOther;
};

// Where a running step currently is: the batch engine reads it to name the
// syscall in a timeout error. May be null wherever it is taken.
using SyscallTracker = std::atomic<const char*>;
inline void markSyscall(SyscallTracker* tracker, const char* syscall) {
  if (tracker != nullptr) tracker->store(syscall, std::memory_order_release);
}

// Upper bound on what a single readAll collects by default (protects against
// endless files such as a character device reached by mistake).
constexpr std::size_t kMaxReadBytes = 16u * 1024u * 1024u;

// openat(dirfd, path, flags | O_CLOEXEC, mode), retried while it fails with
// EINTR. Pass AT_FDCWD for an absolute path. On failure the result is invalid
// and errno is set.
UniqueFd openRetry(int dirfd, const char* path, int flags, mode_t mode = 0);

// Where a failed listing failed: "scandir" (opening or reading the
// directory) or "lstat" of the entry `entry`.
struct ListFailure {
  const char* syscall = "scandir";
  std::string entry;  // empty unless syscall is "lstat"
};

// The entries of the directory `path` (or of the open directory `dirfd`,
// read through a duplicate so `dirfd` stays usable for openat), except "."
// and "..", sorted by name bytes. Entries whose type readdir does not report
// (DT_UNKNOWN) are lstat'ed; one removed meanwhile (ENOENT) is left out.
// Returns 0 or a positive errno, with *failure (when not null) saying where.
int listDir(const char* path, std::vector<DirEntry>* out, ListFailure* failure = nullptr,
            SyscallTracker* tracker = nullptr);
int listDirFd(int dirfd, std::vector<DirEntry>* out, ListFailure* failure = nullptr);

// What readAll does past its limit: fail with EFBIG (appending nothing), or
// stop reading and keep the first `limit` bytes.
enum class ReadOverflow { kFail, kTruncate };

// Reads from an open descriptor until end of file, appending to `out`;
// retries EINTR. Returns 0 or a positive errno (nothing appended then).
int readAll(int fd, std::string* out, std::size_t limit = kMaxReadBytes,
            ReadOverflow overflow = ReadOverflow::kFail);

// readlinkat() into a string, growing the buffer as needed. Returns 0 or a
// positive errno.
int readLinkAt(int dirfd, const char* path, std::string* out);

// strerror() text of an errno ("No such file or directory"), thread-safe.
std::string errnoText(int err);

}  // namespace rtslib

#endif  // RTSLIB_FS_UTIL_H
