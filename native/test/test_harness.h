// The native tests' harness: CHECK / CHECK_EQ (count a failure, print where,
// go on), a fresh temporary directory per test (g_tmp), file helpers, and a
// runner that prints one line per test. No test framework.
#ifndef RTSLIB_TEST_HARNESS_H
#define RTSLIB_TEST_HARNESS_H

#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <initializer_list>
#include <string>
#include <vector>

#include "fs_util.h"
#include "unique_fd.h"

namespace rtslib_test {

inline int g_checkFailures = 0;
inline std::string g_tmp;  // the running test's temporary directory

#define CHECK(cond)                                                                 \
  do {                                                                              \
    if (!(cond)) {                                                                  \
      ++rtslib_test::g_checkFailures;                                               \
      std::fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
    }                                                                               \
  } while (0)

#define CHECK_EQ(a, b)                                                                        \
  do {                                                                                        \
    const auto& check_a_ = (a);                                                               \
    const auto& check_b_ = (b);                                                               \
    if (!(check_a_ == check_b_)) {                                                            \
      ++rtslib_test::g_checkFailures;                                                         \
      std::fprintf(stderr, "%s:%d: CHECK_EQ failed: %s == %s\n", __FILE__, __LINE__, #a, #b); \
    }                                                                                         \
  } while (0)

inline int removeEntry(const char* path, const struct stat*, int type, struct FTW*) {
  return type == FTW_DP ? ::rmdir(path) : ::unlink(path);
}

inline void removeTree(const std::string& path) {
  ::nftw(path.c_str(), removeEntry, 32, FTW_DEPTH | FTW_PHYS);
}

inline std::string makeTempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl =
      std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/rtslib-native-XXXXXX";
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  if (::mkdtemp(buf.data()) == nullptr) {
    std::perror("mkdtemp");
    std::exit(2);
  }
  return std::string(buf.data());
}

// mkdir -p (errors ignored: a later step fails loudly).
inline void mkdirs(const std::string& path) {
  std::size_t pos = 0;
  while (pos != std::string::npos) {
    pos = path.find('/', pos + 1);
    ::mkdir(path.substr(0, pos).c_str(), 0755);
  }
}

// Creates (or truncates) `path` with `content` and exactly `mode`, creating
// missing parent directories. Exits on failure.
inline void writeFile(const std::string& path, const std::string& content, mode_t mode = 0644) {
  mkdirs(path.substr(0, path.find_last_of('/')));
  rtslib::UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode));
  if (!fd) {
    std::perror(path.c_str());
    std::exit(2);
  }
  if (::write(fd.get(), content.data(), content.size()) != static_cast<ssize_t>(content.size())) {
    std::perror("write");
    std::exit(2);
  }
  ::fchmod(fd.get(), mode);
}

inline std::string readFile(const std::string& path) {
  rtslib::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  std::string out;
  if (fd) rtslib::readAll(fd.get(), &out);
  return out;
}

inline bool exists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

struct TestCase {
  const char* name;
  void (*fn)();
};

// Runs each test in a fresh g_tmp (removed afterwards) and prints its result.
// Returns the process exit status: 0 when every check passed.
inline int runTests(std::initializer_list<TestCase> tests) {
  int passed = 0;
  int failed = 0;
  for (const TestCase& t : tests) {
    g_tmp = makeTempDir();
    const int before = g_checkFailures;
    t.fn();
    removeTree(g_tmp);
    if (g_checkFailures == before) {
      ++passed;
      std::printf("ok   %s\n", t.name);
    } else {
      ++failed;
      std::printf("FAIL %s\n", t.name);
    }
  }
  std::printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}

}  // namespace rtslib_test

#endif  // RTSLIB_TEST_HARNESS_H
