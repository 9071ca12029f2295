#include "file_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <cerrno>
#include <utility>

#include "fs_util.h"
#include "path_guard.h"

namespace rtslib {

namespace {

FileLockAttempt failure(int err, const char* syscall, const std::string& path) {
  FileLockAttempt out;
  out.state = LockState::kError;
  out.error = NativeError::system(err, syscall, path);
  return out;
}

}  // namespace

FileLockAttempt tryLockFile(const std::string& path, bool exclusive) {
  // The glue validates too; this keeps the pure function safe on its own.
  if (path.empty() || path[0] != '/' || hasNul(path)) return failure(EINVAL, "open", path);

  // O_CLOEXEC (added by openRetry): a child process must not inherit the
  // descriptor, or the lock would outlive our release() for as long as the
  // child runs.
  UniqueFd fd = openRetry(AT_FDCWD, path.c_str(), O_RDWR | O_CREAT, 0644);
  if (!fd) return failure(errno, "open", path);

  const int operation = (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB;
  int rc;
  do {
    rc = ::flock(fd.get(), operation);
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) {
    if (errno == EWOULDBLOCK) {
      FileLockAttempt busy;
      busy.state = LockState::kBusy;
      return busy;  // `fd` closes here
    }
    return failure(errno, "flock", path);
  }

  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return failure(errno, "fstat", path);

  FileLockAttempt out;
  out.state = LockState::kHeld;
  out.fd = std::move(fd);
  out.devMajor = major(st.st_dev);
  out.devMinor = minor(st.st_dev);
  out.inode = static_cast<std::uint64_t>(st.st_ino);
  return out;
}

}  // namespace rtslib
