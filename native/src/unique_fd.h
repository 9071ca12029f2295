// RAII owners for file descriptors and directory streams.
//
// Every descriptor the engine opens is held by a UniqueFd (or, once handed to
// fdopendir(), by the UniqueDir that now owns it), so no code path can leak one.
// Both types are move-only.
#ifndef RTSLIB_UNIQUE_FD_H
#define RTSLIB_UNIQUE_FD_H

#include <dirent.h>
#include <unistd.h>

#include <cerrno>

namespace rtslib {

class UniqueFd {
 public:
  UniqueFd() noexcept = default;
  explicit UniqueFd(int fd) noexcept : fd_(fd) {}
  ~UniqueFd() { reset(); }

  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;

  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) reset(other.release());
    return *this;
  }

  int get() const noexcept { return fd_; }
  bool valid() const noexcept { return fd_ >= 0; }
  explicit operator bool() const noexcept { return valid(); }

  // Gives up ownership without closing.
  int release() noexcept {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }

  // Closes the owned descriptor (if any) and takes ownership of `fd`.
  // errno is preserved so callers can close before reporting an earlier error.
  void reset(int fd = -1) noexcept {
    if (fd_ >= 0) {
      int saved = errno;
      ::close(fd_);
      errno = saved;
    }
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

class UniqueDir {
 public:
  UniqueDir() noexcept = default;
  ~UniqueDir() { reset(); }

  UniqueDir(const UniqueDir&) = delete;
  UniqueDir& operator=(const UniqueDir&) = delete;

  UniqueDir(UniqueDir&& other) noexcept : dir_(other.dir_) { other.dir_ = nullptr; }
  UniqueDir& operator=(UniqueDir&& other) noexcept {
    if (this != &other) {
      reset();
      dir_ = other.dir_;
      other.dir_ = nullptr;
    }
    return *this;
  }

  // fdopendir() takes ownership of the descriptor only when it succeeds; on
  // failure `fd` keeps it (and closes it when destroyed) and errno is set.
  static UniqueDir fromFd(UniqueFd& fd) noexcept {
    UniqueDir out;
    DIR* d = ::fdopendir(fd.get());
    if (d != nullptr) {
      fd.release();
      out.dir_ = d;
    }
    return out;
  }

  DIR* get() const noexcept { return dir_; }
  bool valid() const noexcept { return dir_ != nullptr; }
  explicit operator bool() const noexcept { return valid(); }

  void reset() noexcept {
    if (dir_ != nullptr) {
      int saved = errno;
      ::closedir(dir_);
      errno = saved;
      dir_ = nullptr;
    }
  }

 private:
  DIR* dir_ = nullptr;
};

}  // namespace rtslib

#endif  // RTSLIB_UNIQUE_FD_H
