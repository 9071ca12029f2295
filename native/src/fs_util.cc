#include "fs_util.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string_view>
#include <utility>

namespace rtslib {

namespace {

// strerror_r has two signatures (XSI returns int, GNU returns char*).
[[maybe_unused]] const char* pickStrerror(int rc, const char* buf) {
  return rc == 0 ? buf : "unknown error";
}
[[maybe_unused]] const char* pickStrerror(const char* s, const char*) { return s; }

// Lists the directory open as `fd` from its start, consuming `fd`.
int listOpen(UniqueFd fd, std::vector<DirEntry>* out, ListFailure* failure,
             SyscallTracker* tracker) {
  UniqueDir dir = UniqueDir::fromFd(fd);
  if (!dir) return errno;
  ::rewinddir(dir.get());  // a duplicate shares its original's offset
  for (;;) {
    errno = 0;
    const dirent* de = ::readdir(dir.get());
    if (de == nullptr) {
      if (errno != 0) return errno;
      break;
    }
    const std::string_view name(de->d_name);
    if (name == "." || name == "..") continue;
    bool known = false;
    DirEntry entry{std::string(name), entryTypeFromDirent(de->d_type, &known)};
    if (!known) {
      markSyscall(tracker, "lstat");
      struct stat st;
      if (::fstatat(::dirfd(dir.get()), de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
        const int err = errno;
        if (err == ENOENT) continue;  // removed while we were listing
        if (failure != nullptr) {
          failure->syscall = "lstat";
          failure->entry = std::move(entry.name);
        }
        return err;
      }
      markSyscall(tracker, "scandir");
      entry.type = entryTypeFromMode(st.st_mode);
    }
    out->push_back(std::move(entry));
  }
  std::sort(out->begin(), out->end(),
            [](const DirEntry& a, const DirEntry& b) { return a.name < b.name; });
  return 0;
}

}  // namespace

EntryType entryTypeFromMode(mode_t mode) noexcept {
  if (S_ISDIR(mode)) return EntryType::kDir;
  if (S_ISREG(mode)) return EntryType::kFile;
  if (S_ISLNK(mode)) return EntryType::kLink;
  return EntryType::kOther;
}

EntryType entryTypeFromDirent(unsigned char type, bool* known) noexcept {
  *known = type != DT_UNKNOWN;
  switch (type) {
    case DT_DIR: return EntryType::kDir;
    case DT_REG: return EntryType::kFile;
    case DT_LNK: return EntryType::kLink;
    default: return EntryType::kOther;
  }
}

UniqueFd openRetry(int dirfd, const char* path, int flags, mode_t mode) {
  int fd;
  do {
    fd = ::openat(dirfd, path, flags | O_CLOEXEC, mode);
  } while (fd < 0 && errno == EINTR);
  return UniqueFd(fd);
}

int listDir(const char* path, std::vector<DirEntry>* out, ListFailure* failure,
            SyscallTracker* tracker) {
  out->clear();
  UniqueFd fd = openRetry(AT_FDCWD, path, O_RDONLY | O_DIRECTORY);
  if (!fd) return errno;
  return listOpen(std::move(fd), out, failure, tracker);
}

int listDirFd(int dirfd, std::vector<DirEntry>* out, ListFailure* failure) {
  out->clear();
  // fdopendir takes ownership of the descriptor it is given: list a duplicate.
  UniqueFd fd(::fcntl(dirfd, F_DUPFD_CLOEXEC, 0));
  if (!fd) return errno;
  return listOpen(std::move(fd), out, failure, nullptr);
}

int readAll(int fd, std::string* out, std::size_t limit, ReadOverflow overflow) {
  const std::size_t start = out->size();
  // Read through a stack buffer: growing `out` first would zero-fill a page
  // per file, and most configfs and sysfs values are a few bytes.
  char buf[8192];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;  // nothing was consumed; safe to retry a read
      const int err = errno;
      out->resize(start);
      return err;
    }
    if (n == 0) return 0;
    out->append(buf, static_cast<std::size_t>(n));
    if (out->size() - start < limit) continue;
    if (overflow == ReadOverflow::kTruncate) {
      out->resize(start + limit);
      return 0;
    }
    if (out->size() - start > limit) {
      out->resize(start);
      return EFBIG;
    }
  }
}

int readLinkAt(int dirfd, const char* path, std::string* out) {
  std::size_t size = 256;
  for (;;) {
    out->resize(size);
    const ssize_t n = ::readlinkat(dirfd, path, &(*out)[0], size);
    if (n < 0) {
      const int err = errno;
      out->clear();
      return err;
    }
    if (static_cast<std::size_t>(n) < size) {
      out->resize(static_cast<std::size_t>(n));
      return 0;
    }
    if (size >= (1u << 16)) {
      out->clear();
      return ENAMETOOLONG;
    }
    size *= 2;
  }
}

std::string errnoText(int err) {
  char buf[256];
  buf[0] = '\0';
  return pickStrerror(strerror_r(err, buf, sizeof buf), buf);
}

}  // namespace rtslib
