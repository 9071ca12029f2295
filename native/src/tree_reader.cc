#include "tree_reader.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <limits>
#include <string_view>

#include "configfs_ops.h"
#include "unique_fd.h"

namespace rtslib {

namespace {

constexpr int kDirFlags = O_RDONLY | O_DIRECTORY | O_CLOEXEC;

int openAtRetry(int dirfd, const char* name, int flags) {
  int fd;
  do {
    fd = ::openat(dirfd, name, flags);
  } while (fd < 0 && errno == EINTR);
  return fd;
}

// Reads the names in an open directory (consuming `fd`), sorted by bytes,
// without "." and "..". Returns 0 or a positive errno.
int listNames(UniqueFd fd, std::vector<std::string>* names) {
  UniqueDir dir = UniqueDir::fromFd(fd);
  if (!dir) return errno;
  for (;;) {
    errno = 0;
    const dirent* de = ::readdir(dir.get());
    if (de == nullptr) {
      if (errno != 0) return errno;
      break;
    }
    const std::string_view name(de->d_name);
    if (name == "." || name == "..") continue;
    names->emplace_back(name);
  }
  std::sort(names->begin(), names->end());
  return 0;
}

// Lists the directory open as `dirfd` through a second descriptor (fdopendir
// takes ownership of the one it is given; `dirfd` stays usable for openat).
int listDir(int dirfd, std::vector<std::string>* names) {
  UniqueFd fd(::fcntl(dirfd, F_DUPFD_CLOEXEC, 0));
  if (!fd) return errno;
  return listNames(std::move(fd), names);
}

class Walker {
 public:
  Walker(const TreeOptions& options, TreeResult* out) : options_(options), out_(out) {}

  // Walks the directory open as `dirfd`, whose entries are at depth
  // `depth + 1`, given its sorted `names`. Returns false only if the data
  // outgrew 32-bit offsets.
  bool walkNames(int dirfd, const std::string& prefix, int depth,
                 const std::vector<std::string>& names) {
    const int entryDepth = depth + 1;
    for (const std::string& name : names) {
      if (isExcluded(name)) continue;
      const std::string rel = prefix.empty() ? name : prefix + "/" + name;

      struct stat st;
      if (::fstatat(dirfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
        if (errno == ENOENT) continue;  // removed while we were walking
        const std::size_t i = addEntry(rel, TreeKind::kOther, 0);
        out_->errnos[i] = -errno;
        continue;
      }
      const auto perm = static_cast<std::uint16_t>(st.st_mode & 07777);

      if (S_ISDIR(st.st_mode)) {
        const std::size_t i = addEntry(rel, TreeKind::kDir, perm);
        if (options_.maxDepth >= 0 && entryDepth >= options_.maxDepth) continue;
        // A subdirectory that cannot be opened or listed gets the errno on
        // its own entry; the walk goes on.
        UniqueFd child(openAtRetry(dirfd, name.c_str(), kDirFlags | O_NOFOLLOW));
        if (!child) {
          out_->errnos[i] = -errno;
          continue;
        }
        std::vector<std::string> childNames;
        const int err = listDir(child.get(), &childNames);
        if (err != 0) {
          out_->errnos[i] = -err;
          continue;
        }
        if (!walkNames(child.get(), rel, entryDepth, childNames)) return false;
      } else if (S_ISLNK(st.st_mode)) {
        const std::size_t i = addEntry(rel, TreeKind::kSymlink, perm);
        std::string target;
        const int err = readLinkAt(dirfd, name.c_str(), &target);
        if (err != 0) {
          out_->errnos[i] = -err;
        } else {
          out_->links[i] = std::move(target);
          out_->hasLink[i] = 1;
        }
      } else if (S_ISREG(st.st_mode)) {
        const std::size_t i = addEntry(rel, TreeKind::kFile, perm);
        if (options_.readValues && (st.st_mode & S_IRUSR) != 0) {
          if (!readFile(dirfd, name, i)) return false;
        }
      } else {
        addEntry(rel, TreeKind::kOther, perm);
      }
    }
    return true;
  }

 private:
  bool isExcluded(const std::string& name) const {
    return std::find(options_.excludeNames.begin(), options_.excludeNames.end(), name) !=
           options_.excludeNames.end();
  }

  // Appends an entry with an empty value; returns its index.
  std::size_t addEntry(const std::string& rel, TreeKind kind, std::uint16_t perm) {
    out_->paths.push_back(rel);
    out_->kinds.push_back(static_cast<std::uint8_t>(kind));
    out_->modes.push_back(perm);
    out_->links.emplace_back();
    out_->hasLink.push_back(0);
    out_->errnos.push_back(0);
    out_->offsets.push_back(static_cast<std::uint32_t>(out_->data.size()));
    return out_->paths.size() - 1;
  }

  // Reads the file into data; the entry's value ends where data ends (the
  // closing offset is appended later). Returns false on offset overflow.
  bool readFile(int dirfd, const std::string& name, std::size_t index) {
    UniqueFd fd(openAtRetry(dirfd, name.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    if (!fd) {
      out_->errnos[index] = -errno;
      return true;
    }
    const int err = readAll(fd.get(), &out_->data);  // on error, data is restored
    if (err != 0) out_->errnos[index] = -err;
    return out_->data.size() <= std::numeric_limits<std::uint32_t>::max();
  }

  const TreeOptions& options_;
  TreeResult* out_;
};

}  // namespace

bool readTree(const std::string& dir, const TreeOptions& options, TreeResult* out,
              TreeError* error) {
  *out = TreeResult();
  UniqueFd top(openAtRetry(AT_FDCWD, dir.c_str(), kDirFlags));
  if (!top) {
    *error = TreeError{errno, "opendir", dir};
    return false;
  }
  // A failure to list the top directory rejects the whole walk.
  std::vector<std::string> names;
  const int err = listDir(top.get(), &names);
  if (err != 0) {
    *error = TreeError{err, "scandir", dir};
    return false;
  }

  if (options.maxDepth != 0) {
    Walker walker(options, out);
    if (!walker.walkNames(top.get(), std::string(), 0, names)) {
      *out = TreeResult();
      *error = TreeError{EOVERFLOW, "read", dir};
      return false;
    }
  }
  // Offsets: entry i's value is data[offsets[i], offsets[i+1]). addEntry()
  // stored each entry's start; values are appended right after their entry,
  // so the next entry's start (or the final size) is its end.
  out->offsets.push_back(static_cast<std::uint32_t>(out->data.size()));
  return true;
}

}  // namespace rtslib
