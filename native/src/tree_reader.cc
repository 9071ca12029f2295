#include "tree_reader.h"

#include <fcntl.h>
#include <fnmatch.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <limits>
#include <memory>
#include <unordered_map>
#include <unordered_set>

#include "fs_util.h"
#include "thread_pool.h"
#include "unique_fd.h"

namespace rtslib {

namespace {

constexpr int kDirFlags = O_RDONLY | O_DIRECTORY;

// Threads that stat and read entries. configfs calls are independent, so
// overlapping them hides the kernel's per-call latency.
constexpr unsigned kReadThreads = 4;
// Directories kept open while their entries wait to be read.
constexpr std::size_t kMaxOpenDirs = 256;

// Lists directories depth-first (serially, by d_type) and queues every entry
// for a pool that lstat's it and reads its link or value through its
// directory's fd; values are laid out in entry order at the end.
class Walker {
 public:
  Walker(const TreeOptions& options, TreeResult* out)
      : options_(options),
        excludeNames_(options.excludeNames.begin(), options.excludeNames.end()),
        valueNames_(options.valueNames.begin(), options.valueNames.end()),
        out_(out) {
    for (const std::string& pattern : options_.excludePaths) {
      const std::size_t slash = pattern.rfind('/');
      patternsByName_[slash == std::string::npos ? pattern : pattern.substr(slash + 1)].push_back(
          &pattern);
    }
  }

  void listTree(const std::shared_ptr<UniqueFd>& dir, const std::string& prefix, int depth,
                const std::vector<DirEntry>& names) {
    const int entryDepth = depth + 1;
    for (const DirEntry& entry : names) {
      if (depth == 0 && options_.onlyTop &&
          std::find(options_.topNames.begin(), options_.topNames.end(), entry.name) ==
              options_.topNames.end()) {
        continue;
      }
      if (isExcluded(entry.name)) continue;
      if (!options_.listFiles && !options_.readValues && entry.type == EntryType::kFile &&
          !isValueName(entry.name)) {
        continue;
      }
      const std::string rel = prefix.empty() ? entry.name : prefix + "/" + entry.name;
      if (isExcludedPath(rel, entry.name)) continue;
      const std::size_t i = addEntry(rel, entry.type);
      tasks_.push_back(Task{dir, entry.name, i});
      if (entry.type != EntryType::kDir) continue;
      if (options_.maxDepth >= 0 && entryDepth >= options_.maxDepth) continue;
      auto child = std::make_shared<UniqueFd>(
          openRetry(dir->get(), entry.name.c_str(), kDirFlags | O_NOFOLLOW));
      if (!*child) {
        out_->errnos[i] = -errno;
        continue;
      }
      std::vector<DirEntry> childNames;
      const int err = listDirFd(child->get(), &childNames);
      if (err != 0) {
        out_->errnos[i] = -err;
        continue;
      }
      if (++openDirs_ >= kMaxOpenDirs) flush();
      listTree(child, rel, entryDepth, childNames);
    }
  }

  // Runs the queued tasks, then lays out the values. Returns false if the
  // data outgrows 32-bit offsets.
  bool finish() {
    flush();
    TreeResult kept;
    std::size_t total = 0;
    for (std::size_t i = 0; i < values_.size(); i++) total += gone_[i] ? 0 : values_[i].size();
    if (total > std::numeric_limits<std::uint32_t>::max()) return false;
    kept.data.reserve(total);
    for (std::size_t i = 0; i < values_.size(); i++) {
      if (gone_[i]) continue;
      kept.paths.push_back(std::move(out_->paths[i]));
      kept.kinds.push_back(out_->kinds[i]);
      kept.modes.push_back(out_->modes[i]);
      kept.links.push_back(std::move(out_->links[i]));
      kept.hasLink.push_back(out_->hasLink[i]);
      kept.errnos.push_back(out_->errnos[i]);
      kept.offsets.push_back(static_cast<std::uint32_t>(kept.data.size()));
      kept.data += values_[i];
    }
    *out_ = std::move(kept);
    return true;
  }

 private:
  struct Task {
    std::shared_ptr<UniqueFd> dir;
    std::string name;
    std::size_t index;
  };

  // Sets and a map, not scans of the option lists: every listed entry is
  // looked up (some hundred patterns, 10^5 entries in a large tree).
  bool isValueName(const std::string& name) const { return valueNames_.count(name) != 0; }

  bool isExcluded(const std::string& name) const { return excludeNames_.count(name) != 0; }

  // Whether the root-relative path of `rel` matches an excludePaths pattern
  // (only patterns ending in `name` are tried).
  bool isExcludedPath(const std::string& rel, const std::string& name) const {
    const auto patterns = patternsByName_.find(name);
    if (patterns == patternsByName_.end()) return false;
    const std::string full = options_.base.empty() ? rel : options_.base + "/" + rel;
    for (const std::string* pattern : patterns->second) {
      if (::fnmatch(pattern->c_str(), full.c_str(), FNM_PATHNAME) == 0) return true;
    }
    return false;
  }

  std::size_t addEntry(const std::string& rel, EntryType kind) {
    out_->paths.push_back(rel);
    out_->kinds.push_back(static_cast<std::uint8_t>(kind));
    out_->modes.push_back(0);
    out_->links.emplace_back();
    out_->hasLink.push_back(0);
    out_->errnos.push_back(0);
    values_.emplace_back();
    gone_.push_back(0);
    return out_->paths.size() - 1;
  }

  // Runs every queued task on the pool and drops the directory fds they held.
  // Each task touches only its own entry's slots. Vectors are not resized
  // while the pool runs.
  void flush() {
    const std::size_t count = tasks_.size();
    std::atomic<std::size_t> next{0};
    ThreadPool::instance().runConcurrently(count > 32 ? kReadThreads : 1, [&]() {
      for (std::size_t t = next.fetch_add(1); t < count; t = next.fetch_add(1)) run(tasks_[t]);
    });
    tasks_.clear();
    openDirs_ = 0;
  }

  void run(const Task& task) {
    const std::size_t i = task.index;
    const int dirfd = task.dir->get();
    const char* name = task.name.c_str();
    struct stat st;
    if (::fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
      if (errno == ENOENT) {
        gone_[i] = 1;  // removed while we were walking
        return;
      }
      if (out_->errnos[i] == 0) out_->errnos[i] = -errno;
      return;
    }
    out_->modes[i] = static_cast<std::uint16_t>(st.st_mode & 07777);
    const EntryType type = entryTypeFromMode(st.st_mode);
    out_->kinds[i] = static_cast<std::uint8_t>(type);
    if (type == EntryType::kLink) {
      const int err = readLinkAt(dirfd, name, &out_->links[i]);
      if (err != 0) {
        out_->links[i].clear();
        out_->errnos[i] = -err;
      } else {
        out_->hasLink[i] = 1;
      }
    } else if (type == EntryType::kFile) {
      if ((!options_.readValues && !isValueName(task.name)) || (st.st_mode & S_IRUSR) == 0) return;
      UniqueFd fd = openRetry(dirfd, name, O_RDONLY | O_NOFOLLOW);
      if (!fd) {
        out_->errnos[i] = -errno;
        return;
      }
      const int err = readAll(fd.get(), &values_[i]);
      if (err != 0) out_->errnos[i] = -err;
    }
  }

  const TreeOptions& options_;
  const std::unordered_set<std::string> excludeNames_;
  const std::unordered_set<std::string> valueNames_;
  // the excludePaths patterns by their last segment
  std::unordered_map<std::string, std::vector<const std::string*>> patternsByName_;
  TreeResult* out_;
  std::vector<Task> tasks_;
  std::vector<std::string> values_;
  std::vector<std::uint8_t> gone_;
  std::size_t openDirs_ = 0;
};

}  // namespace

bool readTree(const std::string& dir, const TreeOptions& options, TreeResult* out,
              NativeError* error) {
  *out = TreeResult();
  auto top = std::make_shared<UniqueFd>(openRetry(AT_FDCWD, dir.c_str(), kDirFlags));
  if (!*top) return fail(error, errno, "opendir", dir);
  // A failure to list the top directory rejects the whole walk.
  std::vector<DirEntry> names;
  const int err = listDirFd(top->get(), &names);
  if (err != 0) return fail(error, err, "scandir", dir);

  if (options.maxDepth != 0) {
    Walker walker(options, out);
    walker.listTree(top, std::string(), 0, names);
    if (!walker.finish()) {
      *out = TreeResult();
      return fail(error, EOVERFLOW, "read", dir, "tree values exceed 4 GiB");
    }
  }
  // Offsets: entry i's value is data[offsets[i], offsets[i+1]).
  out->offsets.push_back(static_cast<std::uint32_t>(out->data.size()));
  return true;
}

}  // namespace rtslib
