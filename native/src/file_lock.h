// Advisory whole-file locks with flock(2), taken the way targetcli takes
// /var/run/targetcli.lock, so that rtslib and targetcli (or two rtslib
// processes) exclude each other. Never blocks: LOCK_NB. Pure C++ (no
// Node-API): the native unit tests use it directly.
//
// flock locks belong to the open file description: the lock lives as long as
// the descriptor (and any duplicate of it) stays open, is released when the
// holding process dies, and two separate open() calls of the same file
// conflict even within one process.
#ifndef RTSLIB_FILE_LOCK_H
#define RTSLIB_FILE_LOCK_H

#include <cstdint>
#include <string>

#include "native_error.h"
#include "unique_fd.h"

namespace rtslib {

enum class LockState {
  kHeld,   // locked; `fd` owns the lock
  kBusy,   // another open file description holds a conflicting lock
  kError,  // open, flock or fstat failed: `error`
};

struct FileLockAttempt {
  LockState state = LockState::kError;
  UniqueFd fd;  // valid only when kHeld: closing it releases the lock

  // kError: a system error on the path; syscall "open", "flock" or "fstat".
  NativeError error;

  // kHeld: the locked file as /proc/locks names it (MAJ:MIN:INODE).
  std::uint32_t devMajor = 0;
  std::uint32_t devMinor = 0;
  std::uint64_t inode = 0;
};

// Opens `path` with O_RDWR | O_CREAT | O_CLOEXEC (mode 0644 before the umask,
// never truncated: the file's contents are not ours) and takes flock
// LOCK_EX (exclusive) or LOCK_SH (shared) with LOCK_NB, retrying EINTR.
// `path` must be absolute and free of NUL bytes (else EINVAL, no syscall).
// Never throws.
FileLockAttempt tryLockFile(const std::string& path, bool exclusive);

}  // namespace rtslib

#endif  // RTSLIB_FILE_LOCK_H
