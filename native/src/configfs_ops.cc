#include "configfs_ops.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "unique_fd.h"

namespace rtslib {

bool parseOpKind(std::string_view name, OpKind* out) noexcept {
  static constexpr struct {
    const char* name;
    OpKind kind;
  } kTable[] = {
      {"read", OpKind::kRead},       {"write", OpKind::kWrite},
      {"mkdir", OpKind::kMkdir},     {"rmdir", OpKind::kRmdir},
      {"symlink", OpKind::kSymlink}, {"unlink", OpKind::kUnlink},
      {"readlink", OpKind::kReadlink}, {"list", OpKind::kList},
      {"stat", OpKind::kStat},
  };
  for (const auto& entry : kTable) {
    if (name == entry.name) {
      *out = entry.kind;
      return true;
    }
  }
  return false;
}

const char* opKindName(OpKind kind) noexcept {
  switch (kind) {
    case OpKind::kRead: return "read";
    case OpKind::kWrite: return "write";
    case OpKind::kMkdir: return "mkdir";
    case OpKind::kRmdir: return "rmdir";
    case OpKind::kSymlink: return "symlink";
    case OpKind::kUnlink: return "unlink";
    case OpKind::kReadlink: return "readlink";
    case OpKind::kList: return "list";
    case OpKind::kStat: return "stat";
  }
  return "unknown";
}

bool isMutating(OpKind kind) noexcept {
  switch (kind) {
    case OpKind::kWrite:
    case OpKind::kMkdir:
    case OpKind::kRmdir:
    case OpKind::kSymlink:
    case OpKind::kUnlink:
      return true;
    case OpKind::kRead:
    case OpKind::kReadlink:
    case OpKind::kList:
    case OpKind::kStat:
      return false;
  }
  return false;
}

const char* primarySyscall(OpKind kind) noexcept {
  switch (kind) {
    case OpKind::kRead: return "open";
    case OpKind::kWrite: return "open";
    case OpKind::kMkdir: return "mkdir";
    case OpKind::kRmdir: return "rmdir";
    case OpKind::kSymlink: return "symlink";
    case OpKind::kUnlink: return "unlink";
    case OpKind::kReadlink: return "readlink";
    case OpKind::kList: return "scandir";
    case OpKind::kStat: return "lstat";
  }
  return "unknown";
}

const char* entryTypeName(EntryType type) noexcept {
  switch (type) {
    case EntryType::kDir: return "dir";
    case EntryType::kFile: return "file";
    case EntryType::kLink: return "link";
    case EntryType::kOther: return "other";
  }
  return "other";
}

EntryType entryTypeFromMode(mode_t mode) noexcept {
  if (S_ISDIR(mode)) return EntryType::kDir;
  if (S_ISREG(mode)) return EntryType::kFile;
  if (S_ISLNK(mode)) return EntryType::kLink;
  return EntryType::kOther;
}

int readAll(int fd, std::string* out) {
  const std::size_t start = out->size();
  // Read through a stack buffer: growing `out` first would zero-fill a page
  // per file, and most configfs values are a few bytes.
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
    if (out->size() - start > kMaxReadBytes) {
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

namespace {

int openRetry(const char* path, int flags) {
  int fd;
  do {
    fd = ::open(path, flags);
  } while (fd < 0 && errno == EINTR);
  return fd;
}

class Tracker {
 public:
  explicit Tracker(SyscallTracker* t) : t_(t) {}
  void operator()(const char* syscall) const {
    if (t_ != nullptr) t_->store(syscall, std::memory_order_release);
  }

 private:
  SyscallTracker* t_;
};

OpResult doRead(const Op& op, const Tracker& mark) {
  mark("open");
  UniqueFd fd(openRetry(op.path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return OpResult::failure(errno, "open", op.displayPath);
  mark("read");
  OpResult r = OpResult::success();
  const int err = readAll(fd.get(), &r.bytes);
  if (err != 0) {
    std::string message;
    if (err == EFBIG) {
      message = "file larger than " + std::to_string(kMaxReadBytes) + " bytes";
    }
    return OpResult::failure(err, "read", op.displayPath, std::move(message));
  }
  r.valueKind = ValueKind::kBytes;
  return r;
}

OpResult doWrite(const Op& op, const Tracker& mark) {
  mark("open");
  UniqueFd fd(openRetry(op.path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd) return OpResult::failure(errno, "open", op.displayPath);
  mark("write");
  // Exactly one write(): a configfs store is executed per write() call, so a
  // retry (after EINTR or a short count) would run the store a second time
  // with a fragment of the value. A short write is reported, never retried.
  const ssize_t n = ::write(fd.get(), op.value.data(), op.value.size());
  if (n < 0) return OpResult::failure(errno, "write", op.displayPath);
  if (static_cast<std::size_t>(n) != op.value.size()) {
    return OpResult::failure(EIO, "write", op.displayPath,
                             "short write: wrote " + std::to_string(n) + " of " +
                                 std::to_string(op.value.size()) + " bytes");
  }
  return OpResult::success();
}

OpResult doList(const Op& op, const Tracker& mark) {
  mark("scandir");
  UniqueFd fd(openRetry(op.path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd) return OpResult::failure(errno, "scandir", op.displayPath);
  UniqueDir dir = UniqueDir::fromFd(fd);
  if (!dir) return OpResult::failure(errno, "scandir", op.displayPath);

  OpResult r = OpResult::success();
  r.valueKind = ValueKind::kEntries;
  for (;;) {
    errno = 0;
    const dirent* de = ::readdir(dir.get());
    if (de == nullptr) {
      if (errno != 0) return OpResult::failure(errno, "scandir", op.displayPath);
      break;
    }
    const std::string_view name(de->d_name);
    if (name == "." || name == "..") continue;
    DirEntry entry;
    entry.name.assign(name);
    switch (de->d_type) {
      case DT_DIR: entry.type = EntryType::kDir; break;
      case DT_REG: entry.type = EntryType::kFile; break;
      case DT_LNK: entry.type = EntryType::kLink; break;
      case DT_UNKNOWN: {
        mark("lstat");
        struct stat st;
        if (::fstatat(::dirfd(dir.get()), de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
          if (errno == ENOENT) continue;  // removed while we were listing
          return OpResult::failure(errno, "lstat", op.displayPath + "/" + entry.name);
        }
        mark("scandir");
        entry.type = entryTypeFromMode(st.st_mode);
        break;
      }
      default: entry.type = EntryType::kOther; break;
    }
    r.entries.push_back(std::move(entry));
  }
  std::sort(r.entries.begin(), r.entries.end(),
            [](const DirEntry& a, const DirEntry& b) { return a.name < b.name; });
  return r;
}

}  // namespace

OpResult runOp(const Op& op, SyscallTracker* tracker) {
  const Tracker mark(tracker);
  const char* p = op.path.c_str();
  switch (op.kind) {
    case OpKind::kRead:
      return doRead(op, mark);
    case OpKind::kWrite:
      return doWrite(op, mark);
    case OpKind::kMkdir:
      mark("mkdir");
      if (::mkdir(p, op.mode) != 0) return OpResult::failure(errno, "mkdir", op.displayPath);
      return OpResult::success();
    case OpKind::kRmdir:
      mark("rmdir");
      if (::rmdir(p) != 0) return OpResult::failure(errno, "rmdir", op.displayPath);
      return OpResult::success();
    case OpKind::kSymlink:
      mark("symlink");
      if (::symlink(op.target.c_str(), p) != 0) {
        return OpResult::failure(errno, "symlink", op.displayPath);
      }
      return OpResult::success();
    case OpKind::kUnlink:
      mark("unlink");
      if (::unlink(p) != 0) return OpResult::failure(errno, "unlink", op.displayPath);
      return OpResult::success();
    case OpKind::kReadlink: {
      mark("readlink");
      OpResult r = OpResult::success();
      const int err = readLinkAt(AT_FDCWD, p, &r.bytes);
      if (err != 0) return OpResult::failure(err, "readlink", op.displayPath);
      r.valueKind = ValueKind::kString;
      return r;
    }
    case OpKind::kList:
      return doList(op, mark);
    case OpKind::kStat: {
      mark("lstat");
      struct stat st;
      if (::lstat(p, &st) != 0) return OpResult::failure(errno, "lstat", op.displayPath);
      OpResult r = OpResult::success();
      r.valueKind = ValueKind::kStat;
      r.stat.mode = static_cast<std::uint32_t>(st.st_mode);
      r.stat.type = entryTypeFromMode(st.st_mode);
      return r;
    }
  }
  return OpResult::failure(EINVAL, "unknown", op.displayPath, "unknown operation");
}

}  // namespace rtslib
