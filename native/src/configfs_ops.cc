#include "configfs_ops.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "unique_fd.h"

namespace rtslib {

bool parseOpKind(std::string_view name, OpKind* out) noexcept {
  static constexpr struct {
    const char* name;
    OpKind kind;
  } kTable[] = {
      {"read", OpKind::kRead},         {"write", OpKind::kWrite},     {"mkdir", OpKind::kMkdir},
      {"rmdir", OpKind::kRmdir},       {"symlink", OpKind::kSymlink}, {"unlink", OpKind::kUnlink},
      {"readlink", OpKind::kReadlink}, {"list", OpKind::kList},       {"stat", OpKind::kStat},
  };
  for (const auto& entry : kTable) {
    if (name == entry.name) {
      *out = entry.kind;
      return true;
    }
  }
  return false;
}

bool opKindFromCode(std::uint8_t code, OpKind* out) noexcept {
  if (code > static_cast<std::uint8_t>(OpKind::kStat)) return false;
  *out = static_cast<OpKind>(code);
  return true;
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
    case OpKind::kUnlink: return true;
    case OpKind::kRead:
    case OpKind::kReadlink:
    case OpKind::kList:
    case OpKind::kStat: return false;
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

namespace {

OpResult doRead(const Op& op, SyscallTracker* tracker) {
  markSyscall(tracker, "open");
  UniqueFd fd = openRetry(AT_FDCWD, op.path.c_str(), O_RDONLY);
  if (!fd) return OpResult::failure(errno, "open", op.displayPath);
  markSyscall(tracker, "read");
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

OpResult doWrite(const Op& op, SyscallTracker* tracker) {
  markSyscall(tracker, "open");
  UniqueFd fd = openRetry(AT_FDCWD, op.path.c_str(), O_WRONLY);
  if (!fd) return OpResult::failure(errno, "open", op.displayPath);
  markSyscall(tracker, "write");
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

OpResult doList(const Op& op, SyscallTracker* tracker) {
  markSyscall(tracker, "scandir");
  OpResult r = OpResult::success();
  ListFailure failure;
  const int err = listDir(op.path.c_str(), &r.entries, &failure, tracker);
  if (err != 0) {
    std::string path = op.displayPath;
    if (!failure.entry.empty()) path += "/" + failure.entry;
    return OpResult::failure(err, failure.syscall, std::move(path));
  }
  r.valueKind = ValueKind::kEntries;
  return r;
}

}  // namespace

OpResult runOp(const Op& op, SyscallTracker* tracker) {
  const char* p = op.path.c_str();
  switch (op.kind) {
    case OpKind::kRead: return doRead(op, tracker);
    case OpKind::kWrite: return doWrite(op, tracker);
    case OpKind::kMkdir:
      markSyscall(tracker, "mkdir");
      if (::mkdir(p, op.mode) != 0) return OpResult::failure(errno, "mkdir", op.displayPath);
      return OpResult::success();
    case OpKind::kRmdir:
      markSyscall(tracker, "rmdir");
      if (::rmdir(p) != 0) return OpResult::failure(errno, "rmdir", op.displayPath);
      return OpResult::success();
    case OpKind::kSymlink:
      markSyscall(tracker, "symlink");
      if (::symlink(op.target.c_str(), p) != 0) {
        return OpResult::failure(errno, "symlink", op.displayPath);
      }
      return OpResult::success();
    case OpKind::kUnlink:
      markSyscall(tracker, "unlink");
      if (::unlink(p) != 0) return OpResult::failure(errno, "unlink", op.displayPath);
      return OpResult::success();
    case OpKind::kReadlink: {
      markSyscall(tracker, "readlink");
      OpResult r = OpResult::success();
      const int err = readLinkAt(AT_FDCWD, p, &r.bytes);
      if (err != 0) return OpResult::failure(err, "readlink", op.displayPath);
      r.valueKind = ValueKind::kString;
      return r;
    }
    case OpKind::kList: return doList(op, tracker);
    case OpKind::kStat: {
      markSyscall(tracker, "lstat");
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
