// Native unit tests of the pure C++ engine (path guard, single operations,
// batch engine, thread pool, fault injection, file lock, fs util, tree
// reader), run against a temporary directory with the harness of
// test_harness.h. This exercises the engine's mechanics only; configfs
// behaviour is tested in the kernel VM.
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "batch_engine.h"
#include "configfs_ops.h"
#include "fault_injection.h"
#include "file_lock.h"
#include "fs_util.h"
#include "path_guard.h"
#include "test_harness.h"
#include "thread_pool.h"
#include "tree_reader.h"
#include "unique_fd.h"

namespace {

using namespace rtslib_test;
using rtslib::Op;
using rtslib::OpKind;
using rtslib::OpResult;

std::string p(const std::string& rel) { return g_tmp + "/" + rel; }

Op op(OpKind kind, const std::string& path, bool independent = false) {
  Op o;
  o.kind = kind;
  o.path = path;
  o.displayPath = path;
  o.independent = independent;
  return o;
}

Op writeOp(const std::string& path, const std::string& value) {
  Op o = op(OpKind::kWrite, path);
  o.value = value;
  return o;
}

Op symlinkOp(const std::string& path, const std::string& target) {
  Op o = op(OpKind::kSymlink, path);
  o.target = target;
  return o;
}

bool isError(const OpResult& r, int err, const char* syscall, const std::string& path) {
  return r.state == rtslib::ResultState::kError && r.error.err == err &&
         std::strcmp(r.error.syscall, syscall) == 0 && r.error.path == path;
}

bool isSkipped(const OpResult& r) { return r.state == rtslib::ResultState::kSkipped; }

// ---------------------------------------------------------------- path guard

void testPathGuard() {
  using rtslib::checkUnderRoot;
  using rtslib::normalizeAbsolute;
  using rtslib::PathFault;

  CHECK_EQ(normalizeAbsolute("/a//b/").normalized, std::string("/a/b"));
  CHECK_EQ(normalizeAbsolute("/").normalized, std::string("/"));
  CHECK_EQ(normalizeAbsolute("///").normalized, std::string("/"));
  CHECK_EQ(normalizeAbsolute("/a/...").normalized, std::string("/a/..."));
  CHECK_EQ(normalizeAbsolute("/a/..b/.c").normalized, std::string("/a/..b/.c"));
  CHECK(normalizeAbsolute("").fault == PathFault::kEmpty);
  CHECK(normalizeAbsolute("a/b").fault == PathFault::kRelative);
  CHECK(normalizeAbsolute(std::string("/a\0b", 4)).fault == PathFault::kNulByte);
  CHECK(normalizeAbsolute("/a/./b").fault == PathFault::kDotComponent);
  CHECK(normalizeAbsolute("/a/../b").fault == PathFault::kDotComponent);
  CHECK(normalizeAbsolute("/a/b/..").fault == PathFault::kDotComponent);
  CHECK(normalizeAbsolute("/a/b/.").fault == PathFault::kDotComponent);
  CHECK(rtslib::isTypeFault(PathFault::kRelative));
  CHECK(!rtslib::isTypeFault(PathFault::kOutsideRoot));

  CHECK(checkUnderRoot("/r", "/r/x", false).ok());
  CHECK_EQ(checkUnderRoot("/r", "/r//x/", false).normalized, std::string("/r/x"));
  CHECK(checkUnderRoot("/r", "/rx", false).fault == PathFault::kOutsideRoot);
  CHECK(checkUnderRoot("/r", "/", true).fault == PathFault::kOutsideRoot);
  CHECK(checkUnderRoot("/r", "/other/r/x", false).fault == PathFault::kOutsideRoot);
  CHECK(checkUnderRoot("/r", "/r", false).fault == PathFault::kEqualsRoot);
  CHECK(checkUnderRoot("/r", "/r/", true).ok());
  CHECK(checkUnderRoot("/r", "/r/../etc", false).fault == PathFault::kDotComponent);
  CHECK(checkUnderRoot("/", "/x", false).ok());
  CHECK(checkUnderRoot("/", "/", false).fault == PathFault::kEqualsRoot);
  CHECK(checkUnderRoot("/r", "r/x", false).fault == PathFault::kRelative);
}

// ------------------------------------------------------------ single ops

void testErrnoPerOp() {
  writeFile(p("file"), "content");
  ::mkdir(p("full").c_str(), 0755);
  ::mkdir(p("full/child").c_str(), 0755);
  const std::string missing = p("missing");

  CHECK(isError(rtslib::runOp(op(OpKind::kRead, missing)), ENOENT, "open", missing));
  CHECK(isError(rtslib::runOp(writeOp(missing, "x")), ENOENT, "open", missing));
  CHECK(isError(rtslib::runOp(op(OpKind::kRmdir, missing)), ENOENT, "rmdir", missing));
  CHECK(isError(rtslib::runOp(op(OpKind::kUnlink, missing)), ENOENT, "unlink", missing));
  CHECK(isError(rtslib::runOp(op(OpKind::kReadlink, missing)), ENOENT, "readlink", missing));
  CHECK(isError(rtslib::runOp(op(OpKind::kList, missing)), ENOENT, "scandir", missing));
  CHECK(isError(rtslib::runOp(op(OpKind::kStat, missing)), ENOENT, "lstat", missing));
  CHECK(isError(rtslib::runOp(op(OpKind::kMkdir, p("missing/sub"))), ENOENT, "mkdir",
                p("missing/sub")));
  CHECK(isError(rtslib::runOp(op(OpKind::kMkdir, p("file"))), EEXIST, "mkdir", p("file")));
  CHECK(isError(rtslib::runOp(op(OpKind::kRmdir, p("full"))), ENOTEMPTY, "rmdir", p("full")));
  CHECK(isError(rtslib::runOp(op(OpKind::kReadlink, p("file"))), EINVAL, "readlink", p("file")));
  CHECK(isError(rtslib::runOp(symlinkOp(p("file"), "x")), EEXIST, "symlink", p("file")));
  CHECK(isError(rtslib::runOp(op(OpKind::kList, p("file"))), ENOTDIR, "scandir", p("file")));
  CHECK(isError(rtslib::runOp(op(OpKind::kRead, p("full"))), EISDIR, "read", p("full")));
  CHECK(isError(rtslib::runOp(writeOp(p("full"), "x")), EISDIR, "open", p("full")));
}

void testReadWriteExact() {
  const std::string bin("a\0b\nc\n", 6);
  writeFile(p("bin"), bin);
  OpResult r = rtslib::runOp(op(OpKind::kRead, p("bin")));
  CHECK(r.ok());
  CHECK(r.valueKind == rtslib::ValueKind::kBytes);
  CHECK_EQ(r.bytes, bin);

  // Larger than the first read chunk: the buffer must grow.
  std::string big;
  for (int i = 0; i < 100000; ++i) big.push_back(static_cast<char>('a' + i % 26));
  writeFile(p("big"), big);
  r = rtslib::runOp(op(OpKind::kRead, p("big")));
  CHECK(r.ok());
  CHECK_EQ(r.bytes.size(), big.size());
  CHECK(r.bytes == big);

  writeFile(p("empty"), "");
  r = rtslib::runOp(op(OpKind::kRead, p("empty")));
  CHECK(r.ok());
  CHECK(r.bytes.empty());

  // Write: the exact bytes, no newline added, existing file not truncated
  // beyond what one write() replaces (no O_TRUNC, as configfs needs none).
  writeFile(p("attr"), "");
  r = rtslib::runOp(writeOp(p("attr"), "1\n"));
  CHECK(r.ok());
  CHECK_EQ(readFile(p("attr")), std::string("1\n"));
}

void testListStatReadlink() {
  ::mkdir(p("d").c_str(), 0750);
  ::mkdir(p("d/zdir").c_str(), 0755);
  writeFile(p("d/afile"), "x");
  ::symlink("zdir", p("d/mlink").c_str());
  ::mkfifo(p("d/fifo").c_str(), 0644);

  OpResult r = rtslib::runOp(op(OpKind::kList, p("d")));
  CHECK(r.ok());
  CHECK(r.valueKind == rtslib::ValueKind::kEntries);
  CHECK_EQ(r.entries.size(), static_cast<std::size_t>(4));
  if (r.entries.size() == 4) {
    CHECK_EQ(r.entries[0].name, std::string("afile"));
    CHECK(r.entries[0].type == rtslib::EntryType::kFile);
    CHECK_EQ(r.entries[1].name, std::string("fifo"));
    CHECK(r.entries[1].type == rtslib::EntryType::kOther);
    CHECK_EQ(r.entries[2].name, std::string("mlink"));
    CHECK(r.entries[2].type == rtslib::EntryType::kLink);
    CHECK_EQ(r.entries[3].name, std::string("zdir"));
    CHECK(r.entries[3].type == rtslib::EntryType::kDir);
  }

  r = rtslib::runOp(op(OpKind::kStat, p("d")));
  CHECK(r.ok());
  CHECK(S_ISDIR(r.stat.mode));
  CHECK_EQ(r.stat.mode & 07777, 0750u);
  CHECK(r.stat.type == rtslib::EntryType::kDir);

  r = rtslib::runOp(op(OpKind::kStat, p("d/mlink")));  // lstat: the link itself
  CHECK(r.ok());
  CHECK(S_ISLNK(r.stat.mode));
  CHECK(r.stat.type == rtslib::EntryType::kLink);

  r = rtslib::runOp(op(OpKind::kReadlink, p("d/mlink")));
  CHECK(r.ok());
  CHECK(r.valueKind == rtslib::ValueKind::kString);
  CHECK_EQ(r.bytes, std::string("zdir"));

  // A long link target exercises readlink's buffer growth.
  const std::string longTarget(1000, 'x');
  CHECK(rtslib::runOp(symlinkOp(p("d/long"), longTarget)).ok());
  r = rtslib::runOp(op(OpKind::kReadlink, p("d/long")));
  CHECK_EQ(r.bytes, longTarget);

  Op mk = op(OpKind::kMkdir, p("d/moded"));
  mk.mode = 0700;
  CHECK(rtslib::runOp(mk).ok());
  struct stat st;
  CHECK(::lstat(p("d/moded").c_str(), &st) == 0 && (st.st_mode & 07777) == 0700);
  CHECK(rtslib::runOp(op(OpKind::kUnlink, p("d/mlink"))).ok());
  CHECK(!exists(p("d/mlink")));
  CHECK(rtslib::runOp(op(OpKind::kRmdir, p("d/moded"))).ok());
  CHECK(!exists(p("d/moded")));
}

// ------------------------------------------------------------- batch engine

void testOrdering() {
  std::vector<Op> ops = {
      op(OpKind::kMkdir, p("a")),         op(OpKind::kMkdir, p("a/b")),
      symlinkOp(p("a/link"), "b"),        op(OpKind::kList, p("a")),
      op(OpKind::kReadlink, p("a/link")), op(OpKind::kUnlink, p("a/link")),
      op(OpKind::kRmdir, p("a/b")),       op(OpKind::kList, p("a")),
  };
  const std::vector<OpResult> r = rtslib::runBatch(ops, rtslib::BatchOptions());
  CHECK_EQ(r.size(), ops.size());
  for (const OpResult& x : r) CHECK(x.ok());
  CHECK_EQ(r[3].entries.size(), static_cast<std::size_t>(2));
  CHECK_EQ(r[4].bytes, std::string("b"));
  CHECK(r[7].entries.empty());
}

void testStopOnError() {
  std::vector<Op> ops = {
      op(OpKind::kMkdir, p("x")),
      op(OpKind::kMkdir, p("x")),  // EEXIST
      op(OpKind::kMkdir, p("y")),
      op(OpKind::kMkdir, p("z"), true),
  };
  std::vector<OpResult> r = rtslib::runBatch(ops, rtslib::BatchOptions());
  CHECK(r[0].ok());
  CHECK(isError(r[1], EEXIST, "mkdir", p("x")));
  CHECK(isSkipped(r[2]));
  CHECK(isSkipped(r[3]));
  CHECK(!exists(p("y")));
  CHECK(!exists(p("z")));

  rtslib::BatchOptions keepGoing;
  keepGoing.stopOnError = false;
  r = rtslib::runBatch(ops, keepGoing);
  CHECK(isError(r[0], EEXIST, "mkdir", p("x")));
  CHECK(isError(r[1], EEXIST, "mkdir", p("x")));
  CHECK(r[2].ok());
  CHECK(r[3].ok());
  CHECK(exists(p("y")));
}

void testParallelGroup() {
  std::vector<Op> ops;
  ops.push_back(op(OpKind::kMkdir, p("par")));
  for (int i = 0; i < 50; ++i) {
    ops.push_back(op(OpKind::kMkdir, p("par/d" + std::to_string(i)), true));
  }
  ops.push_back(op(OpKind::kList, p("par")));
  for (int i = 0; i < 50; ++i) {
    ops.push_back(op(OpKind::kRmdir, p("par/d" + std::to_string(i)), true));
  }
  ops.push_back(op(OpKind::kList, p("par")));

  for (unsigned concurrency : {1u, 8u, 64u}) {
    rtslib::BatchOptions options;
    options.concurrency = concurrency;
    const std::vector<OpResult> r = rtslib::runBatch(ops, options);
    bool allOk = true;
    for (const OpResult& x : r) allOk = allOk && x.ok();
    CHECK(allOk);
    CHECK_EQ(r[51].entries.size(), static_cast<std::size_t>(50));
    CHECK(r[102].entries.empty());
    CHECK(rtslib::runOp(op(OpKind::kRmdir, p("par"))).ok());
  }
}

void testGroupStopOnError() {
  ::mkdir(p("g-exists").c_str(), 0755);
  std::vector<Op> ops = {
      op(OpKind::kMkdir, p("g1"), true),
      op(OpKind::kMkdir, p("g-exists"), true),  // fails
      op(OpKind::kMkdir, p("g2"), true),
      op(OpKind::kMkdir, p("after")),
  };
  // One worker: the group runs in order, so the op after the failure in the
  // same group has not started and is skipped.
  rtslib::BatchOptions one;
  one.concurrency = 1;
  std::vector<OpResult> r = rtslib::runBatch(ops, one);
  CHECK(r[0].ok());
  CHECK(isError(r[1], EEXIST, "mkdir", p("g-exists")));
  CHECK(isSkipped(r[2]));
  CHECK(isSkipped(r[3]));
  CHECK(!exists(p("g2")));
  CHECK(!exists(p("after")));

  // Many workers: ops of the group may already be running; each reports its
  // own result, and nothing after the group starts.
  ::rmdir(p("g1").c_str());
  r = rtslib::runBatch(ops, rtslib::BatchOptions());
  CHECK(isError(r[1], EEXIST, "mkdir", p("g-exists")));
  CHECK(r[0].ok() || isSkipped(r[0]));
  CHECK(r[2].ok() || isSkipped(r[2]));
  CHECK(isSkipped(r[3]));
  CHECK(!exists(p("after")));
}

// Two operations that can only complete together (a FIFO's reader and
// writer each block in open() until the other arrives) prove that a group's
// operations run concurrently.
void testGroupRunsConcurrently() {
  CHECK(::mkfifo(p("pipe").c_str(), 0600) == 0);
  std::vector<Op> ops = {
      op(OpKind::kRead, p("pipe"), true),
      writeOp(p("pipe"), "through the pipe"),
  };
  ops[1].independent = true;
  rtslib::BatchOptions options;
  options.concurrency = 2;
  options.timeoutMs = 10000;  // a regression must fail, not hang
  const std::vector<OpResult> r = rtslib::runBatch(ops, options);
  CHECK(r[0].ok());
  CHECK(r[1].ok());
  CHECK_EQ(r[0].bytes, std::string("through the pipe"));
}

// Opens the FIFO for writing (meeting the abandoned reader blocked in open)
// and closes it, so the reader's read() sees end-of-file and its thread ends.
void releaseFifoReader(const std::string& path) {
  rtslib::UniqueFd w(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
  CHECK(w.valid());
}

void testTimeout() {
  CHECK(::mkfifo(p("stuck").c_str(), 0600) == 0);
  std::vector<Op> ops = {
      op(OpKind::kRead, p("stuck")),  // blocks in open() until a writer comes
      op(OpKind::kMkdir, p("after-timeout")),
  };
  rtslib::BatchOptions options;
  options.timeoutMs = 100;
  const auto start = std::chrono::steady_clock::now();
  std::vector<OpResult> r = rtslib::runBatch(ops, options);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  CHECK(isError(r[0], ETIMEDOUT, "open", p("stuck")));
  CHECK_EQ(r[0].error.message, std::string("timed out after 100 ms"));
  CHECK(isSkipped(r[1]));
  CHECK(!exists(p("after-timeout")));
  CHECK(elapsed < std::chrono::seconds(5));
  releaseFifoReader(p("stuck"));

  // Without stopOnError the batch goes on on a replacement thread.
  options.stopOnError = false;
  r = rtslib::runBatch(ops, options);
  CHECK(isError(r[0], ETIMEDOUT, "open", p("stuck")));
  CHECK(r[1].ok());
  CHECK(exists(p("after-timeout")));
  releaseFifoReader(p("stuck"));

  // In a group: the stuck op times out, the others complete.
  ::rmdir(p("after-timeout").c_str());
  ops = {
      op(OpKind::kMkdir, p("t1"), true),
      op(OpKind::kRead, p("stuck"), true),
      op(OpKind::kMkdir, p("t2"), true),
  };
  options.stopOnError = true;
  options.concurrency = 4;
  r = rtslib::runBatch(ops, options);
  CHECK(isError(r[1], ETIMEDOUT, "open", p("stuck")));
  CHECK(r[0].ok() || isSkipped(r[0]));
  CHECK(r[2].ok() || isSkipped(r[2]));
  releaseFifoReader(p("stuck"));

  // Operations that finish in time are unaffected by the timeout.
  ops = {op(OpKind::kMkdir, p("quick")), op(OpKind::kStat, p("quick"))};
  options.timeoutMs = 5000;
  r = rtslib::runBatch(ops, options);
  CHECK(r[0].ok());
  CHECK(r[1].ok());

  // Give the released threads a moment to finish before the next test
  // removes the directory (they hold nothing in it, but keep runs tidy).
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
}

// -------------------------------------------------------------- thread pool

// runConcurrently gets every thread it asks for: the calls can only all
// return once they have all started.
void testThreadPoolConcurrent() {
  std::mutex mu;
  std::condition_variable cv;
  int arrived = 0;
  bool allMet = true;
  rtslib::ThreadPool::instance().runConcurrently(4, [&] {
    std::unique_lock<std::mutex> lock(mu);
    ++arrived;
    cv.notify_all();
    if (!cv.wait_for(lock, std::chrono::seconds(10), [&] { return arrived >= 4; })) {
      allMet = false;
    }
  });
  CHECK_EQ(arrived, 4);
  CHECK(allMet);
}

// Pool threads are reused across runBatch calls: many small grouped and
// timed batches start far fewer threads than they use.
void testPoolReuse() {
  std::vector<Op> group;
  for (int i = 0; i < 4; ++i) group.push_back(op(OpKind::kStat, g_tmp, true));
  rtslib::BatchOptions timed;
  timed.timeoutMs = 5000;
  const std::vector<Op> single = {op(OpKind::kStat, g_tmp)};
  rtslib::runBatch(group, rtslib::BatchOptions());
  const std::size_t before = rtslib::ThreadPool::instance().threadsStarted();
  bool allOk = true;
  for (int i = 0; i < 200; ++i) {
    for (const OpResult& r : rtslib::runBatch(group, rtslib::BatchOptions())) {
      allOk = allOk && r.ok();
    }
    for (const OpResult& r : rtslib::runBatch(single, timed)) allOk = allOk && r.ok();
  }
  CHECK(allOk);
  // Without reuse: 1000 threads (4 per group, 1 per timed op).
  const std::size_t started = rtslib::ThreadPool::instance().threadsStarted() - before;
  CHECK(started < 200);
}

// Batches from several threads at once (as from several async workers)
// share the pool; each keeps its own order, concurrency and results.
void testConcurrentBatches() {
  std::atomic<int> nextId{0};
  std::atomic<bool> allOk{true};
  rtslib::ThreadPool::instance().runConcurrently(4, [&] {
    const std::string dir = p("c" + std::to_string(nextId.fetch_add(1)));
    rtslib::BatchOptions options;
    options.concurrency = 2;
    options.timeoutMs = 5000;
    for (int i = 0; i < 25; ++i) {
      std::vector<Op> ops = {op(OpKind::kMkdir, dir)};
      for (int k = 0; k < 6; ++k) {
        ops.push_back(op(OpKind::kMkdir, dir + "/" + std::to_string(k), true));
      }
      ops.push_back(op(OpKind::kList, dir));
      for (int k = 0; k < 6; ++k) {
        ops.push_back(op(OpKind::kRmdir, dir + "/" + std::to_string(k), true));
      }
      ops.push_back(op(OpKind::kRmdir, dir));
      const std::vector<OpResult> r = rtslib::runBatch(ops, options);
      bool ok = r.size() == ops.size() && r[7].entries.size() == 6;
      for (const OpResult& x : r) ok = ok && x.ok();
      if (!ok) allOk = false;
    }
  });
  CHECK(allOk);
}

// ---------------------------------------------------------- fault injection

bool isInjected(const OpResult& r, int err, const char* syscall, const std::string& path) {
  return isError(r, err, syscall, path) && r.error.message == "injected fault";
}

// Turns injection off when a test ends, whatever it checked.
struct FaultOff {
  ~FaultOff() { rtslib::clearFaultInjection(); }
};

void testFaultAtOp() {
  FaultOff off;
  writeFile(p("attr"), "old");
  rtslib::FaultConfig config;
  config.failAt = 3;
  config.err = EROFS;
  rtslib::setFaultInjection(config);
  std::vector<Op> ops = {
      op(OpKind::kMkdir, p("a")),    // mutating 1
      op(OpKind::kRead, p("attr")),  // reads are not counted
      op(OpKind::kList, p("a")),    op(OpKind::kStat, p("a")),
      op(OpKind::kMkdir, p("a/b")),  // mutating 2
      writeOp(p("attr"), "new"),     // mutating 3: fails, no syscall
      op(OpKind::kMkdir, p("c")),    // skipped
  };
  std::vector<OpResult> r = rtslib::runBatch(ops, rtslib::BatchOptions());
  for (int i = 0; i < 5; ++i) CHECK(r[i].ok());
  CHECK(isInjected(r[5], EROFS, "open", p("attr")));
  CHECK(isSkipped(r[6]));
  CHECK(exists(p("a/b")));
  CHECK_EQ(readFile(p("attr")), std::string("old"));
  CHECK(!exists(p("c")));
  CHECK_EQ(rtslib::faultInjectionCounts().forward, 3u);
  CHECK_EQ(rtslib::faultInjectionCounts().undo, 0u);

  // Only the k-th fails: without stopOnError the rest runs normally.
  ::rmdir(p("a/b").c_str());
  ::rmdir(p("a").c_str());
  rtslib::setFaultInjection(config);
  rtslib::BatchOptions keepGoing;
  keepGoing.stopOnError = false;
  r = rtslib::runBatch(ops, keepGoing);
  CHECK(isInjected(r[5], EROFS, "open", p("attr")));
  CHECK(r[6].ok());
  CHECK(exists(p("c")));
  CHECK_EQ(rtslib::faultInjectionCounts().forward, 4u);

  // Each kind reports its primary syscall; the default errno is EIO.
  rtslib::FaultConfig first;
  first.failAt = 1;
  const std::vector<std::pair<Op, const char*>> kinds = {
      {op(OpKind::kMkdir, p("m")), "mkdir"}, {op(OpKind::kRmdir, p("c")), "rmdir"},
      {symlinkOp(p("l"), "c"), "symlink"},   {op(OpKind::kUnlink, p("attr")), "unlink"},
      {writeOp(p("attr"), "x"), "open"},
  };
  for (const auto& k : kinds) {
    rtslib::setFaultInjection(first);
    r = rtslib::runBatch({k.first}, rtslib::BatchOptions());
    CHECK(isInjected(r[0], EIO, k.second, k.first.displayPath));
  }
  CHECK(exists(p("c")));
  CHECK(!exists(p("m")));
  CHECK(!exists(p("l")));
  CHECK_EQ(readFile(p("attr")), std::string("old"));
}

// The pool threads (groups, timeouts) pass the hook too.
void testFaultInPool() {
  FaultOff off;
  rtslib::FaultConfig config;
  config.failAt = 2;
  rtslib::setFaultInjection(config);
  std::vector<Op> ops = {
      op(OpKind::kMkdir, p("g1"), true),
      op(OpKind::kMkdir, p("g2"), true),  // fails
      op(OpKind::kMkdir, p("g3"), true),
      op(OpKind::kMkdir, p("after")),
  };
  rtslib::BatchOptions one;
  one.concurrency = 1;  // the group runs in order
  std::vector<OpResult> r = rtslib::runBatch(ops, one);
  CHECK(r[0].ok());
  CHECK(isInjected(r[1], EIO, "mkdir", p("g2")));
  CHECK(isSkipped(r[2]));
  CHECK(isSkipped(r[3]));
  CHECK(!exists(p("g2")));

  rtslib::setFaultInjection(config);
  rtslib::BatchOptions timed;
  timed.timeoutMs = 5000;
  r = rtslib::runBatch({op(OpKind::kMkdir, p("t1")), op(OpKind::kMkdir, p("t2"))}, timed);
  CHECK(r[0].ok());
  CHECK(isInjected(r[1], EIO, "mkdir", p("t2")));
  CHECK(!exists(p("t2")));
}

void testFaultUndoCounter() {
  FaultOff off;
  rtslib::FaultConfig config;
  config.failUndoAt = 2;
  config.err = EBUSY;
  rtslib::setFaultInjection(config);
  const std::vector<Op> forward = {op(OpKind::kMkdir, p("u1")), op(OpKind::kMkdir, p("u2"))};
  std::vector<OpResult> r = rtslib::runBatch(forward, rtslib::BatchOptions());
  CHECK(r[0].ok() && r[1].ok());  // failUndoAt does not apply to forward batches
  CHECK_EQ(rtslib::faultInjectionCounts().forward, 2u);
  CHECK_EQ(rtslib::faultInjectionCounts().undo, 0u);

  rtslib::BatchOptions undo;
  undo.undo = true;
  r = rtslib::runBatch(
      {op(OpKind::kRmdir, p("u2")), op(OpKind::kList, g_tmp), op(OpKind::kRmdir, p("u1"))}, undo);
  CHECK(r[0].ok());
  CHECK(r[1].ok());
  CHECK(isInjected(r[2], EBUSY, "rmdir", p("u1")));
  CHECK(exists(p("u1")));
  CHECK(!exists(p("u2")));
  CHECK_EQ(rtslib::faultInjectionCounts().forward, 2u);
  CHECK_EQ(rtslib::faultInjectionCounts().undo, 2u);

  // failAt does not apply to undo batches.
  rtslib::FaultConfig forwardOnly;
  forwardOnly.failAt = 1;
  rtslib::setFaultInjection(forwardOnly);
  r = rtslib::runBatch({op(OpKind::kRmdir, p("u1"))}, undo);
  CHECK(r[0].ok());
  CHECK_EQ(rtslib::faultInjectionCounts().undo, 1u);
  CHECK_EQ(rtslib::faultInjectionCounts().forward, 0u);
}

void testFaultResetAndOff() {
  FaultOff off;
  rtslib::FaultConfig config;  // on, but failing nothing: counts only
  rtslib::setFaultInjection(config);
  rtslib::runBatch({op(OpKind::kMkdir, p("r1")), op(OpKind::kRmdir, p("r1"))},
                   rtslib::BatchOptions());
  CHECK_EQ(rtslib::faultInjectionCounts().forward, 2u);
  rtslib::setFaultInjection(config);
  CHECK_EQ(rtslib::faultInjectionCounts().forward, 0u);
  CHECK_EQ(rtslib::faultInjectionCounts().undo, 0u);

  config.failAt = 1;
  config.failUndoAt = 1;
  rtslib::setFaultInjection(config);
  rtslib::clearFaultInjection();
  rtslib::BatchOptions undo;
  undo.undo = true;
  std::vector<OpResult> r = rtslib::runBatch({op(OpKind::kMkdir, p("o1"))}, rtslib::BatchOptions());
  CHECK(r[0].ok());
  r = rtslib::runBatch({op(OpKind::kRmdir, p("o1"))}, undo);
  CHECK(r[0].ok());
  CHECK_EQ(rtslib::faultInjectionCounts().forward, 0u);  // nothing is counted while off
  CHECK_EQ(rtslib::faultInjectionCounts().undo, 0u);
}

// The stall line goes to fd 2 with write(2): capture it through a file.
void testFaultStall() {
  FaultOff off;
  rtslib::FaultConfig config;
  config.stallAt = 2;
  config.stallMs = 150;
  rtslib::setFaultInjection(config);
  const std::string log = p("stderr.log");
  fflush(stderr);
  rtslib::UniqueFd saved(::fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3));
  rtslib::UniqueFd file(::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  CHECK(saved.valid() && file.valid());
  ::dup2(file.get(), STDERR_FILENO);
  const auto start = std::chrono::steady_clock::now();
  const std::vector<OpResult> r = rtslib::runBatch(
      {op(OpKind::kMkdir, p("s1")), op(OpKind::kStat, p("s1")), op(OpKind::kMkdir, p("s2"))},
      rtslib::BatchOptions());
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ::dup2(saved.get(), STDERR_FILENO);
  CHECK(r[0].ok() && r[1].ok() && r[2].ok());  // performed normally after the stall
  CHECK(exists(p("s2")));
  CHECK(elapsed >= std::chrono::milliseconds(150));
  CHECK_EQ(readFile(log), "rtslib-fault: stalled before operation 2 mkdir " + p("s2") + "\n");
}

// `after`: an operation of a group waits for the ones it names. The first
// mkdir is stalled (fault hook), so without the wait its child's mkdir would
// run at once and fail with ENOENT.
void testAfterWaits() {
  FaultOff off;
  rtslib::FaultConfig config;
  config.stallAt = 1;
  config.stallMs = 200;
  rtslib::setFaultInjection(config);
  std::vector<Op> ops = {
      op(OpKind::kMkdir, p("late"), true),
      op(OpKind::kMkdir, p("late/child"), true),
      op(OpKind::kMkdir, p("free"), true),
  };
  ops[1].after = {0};
  rtslib::BatchOptions options;
  options.concurrency = 8;
  const std::vector<OpResult> r = rtslib::runBatch(ops, options);
  CHECK(r[0].ok());
  CHECK(r[1].ok());
  CHECK(r[2].ok());
  CHECK(exists(p("late/child")));
}

// Many chains in one group, each three deep, listed level by level: every
// operation succeeds (each waits for its parent), whatever the concurrency.
void testAfterChains() {
  for (unsigned concurrency : {1u, 3u, 8u, 64u}) {
    std::vector<Op> ops;
    const int chains = 40;
    for (int level = 0; level < 3; ++level) {
      for (int c = 0; c < chains; ++c) {
        std::string path = p("ch" + std::to_string(c));
        for (int l = 1; l <= level; ++l) path += "/l" + std::to_string(l);
        Op o = op(OpKind::kMkdir, path, true);
        if (level > 0) o.after = {static_cast<std::uint32_t>((level - 1) * chains + c)};
        ops.push_back(o);
      }
    }
    // then remove them all, deepest first, each directory after its child
    const std::size_t base = ops.size();
    for (int level = 2; level >= 0; --level) {
      for (int c = 0; c < chains; ++c) {
        std::string path = p("ch" + std::to_string(c));
        for (int l = 1; l <= level; ++l) path += "/l" + std::to_string(l);
        Op o = op(OpKind::kRmdir, path, true);
        if (level < 2) o.after = {static_cast<std::uint32_t>(base + (1 - level) * chains + c)};
        ops.push_back(o);
      }
    }
    ops[base].independent = false;  // a barrier between making and removing
    rtslib::BatchOptions options;
    options.concurrency = concurrency;
    const std::vector<OpResult> r = rtslib::runBatch(ops, options);
    std::size_t okCount = 0;
    for (const OpResult& x : r) okCount += x.ok() ? 1 : 0;
    CHECK_EQ(okCount, ops.size());
    CHECK(!exists(p("ch0")));
  }
}

// A failure: with stopOnError what waits for it never starts; without, it
// runs once the failed operation has finished (an undo goes on regardless).
void testAfterFailure() {
  ::mkdir(p("af-exists").c_str(), 0755);
  std::vector<Op> ops = {
      op(OpKind::kMkdir, p("af-exists"), true),  // EEXIST
      op(OpKind::kMkdir, p("af-next"), true),
  };
  ops[1].after = {0};
  std::vector<OpResult> r = rtslib::runBatch(ops, rtslib::BatchOptions());
  CHECK(isError(r[0], EEXIST, "mkdir", p("af-exists")));
  CHECK(isSkipped(r[1]));
  CHECK(!exists(p("af-next")));

  rtslib::BatchOptions keepGoing;
  keepGoing.stopOnError = false;
  r = rtslib::runBatch(ops, keepGoing);
  CHECK(isError(r[0], EEXIST, "mkdir", p("af-exists")));
  CHECK(r[1].ok());
  CHECK(exists(p("af-next")));
}

// ---------------------------------------------------------------- file lock

using rtslib::LockState;

void testLockConflicts() {
  const std::string path = p("targetcli.lock");
  writeFile(path, "kept");  // an existing file is not truncated
  {
    rtslib::FileLockAttempt a = rtslib::tryLockFile(path, true);
    CHECK(a.state == LockState::kHeld);
    CHECK(a.fd.valid());
    // flock locks belong to the open file description: a second open() of the
    // same file in the same process conflicts.
    rtslib::FileLockAttempt b = rtslib::tryLockFile(path, true);
    CHECK(b.state == LockState::kBusy);
    CHECK(!b.fd.valid());
    CHECK(rtslib::tryLockFile(path, false).state == LockState::kBusy);
    CHECK_EQ(readFile(path), std::string("kept"));

    // Release frees it.
    a.fd.reset();
    rtslib::FileLockAttempt c = rtslib::tryLockFile(path, true);
    CHECK(c.state == LockState::kHeld);
  }
  {
    rtslib::FileLockAttempt s1 = rtslib::tryLockFile(path, false);
    rtslib::FileLockAttempt s2 = rtslib::tryLockFile(path, false);
    CHECK(s1.state == LockState::kHeld);
    CHECK(s2.state == LockState::kHeld);
    CHECK(rtslib::tryLockFile(path, true).state == LockState::kBusy);
    s1.fd.reset();
    CHECK(rtslib::tryLockFile(path, true).state == LockState::kBusy);
    s2.fd.reset();
    CHECK(rtslib::tryLockFile(path, true).state == LockState::kHeld);
  }
}

void testLockFileProperties() {
  const std::string path = p("new.lock");
  rtslib::FileLockAttempt a = rtslib::tryLockFile(path, true);
  CHECK(a.state == LockState::kHeld);
  const int flags = ::fcntl(a.fd.get(), F_GETFD);
  CHECK(flags >= 0 && (flags & FD_CLOEXEC) != 0);
  const int status = ::fcntl(a.fd.get(), F_GETFL);
  CHECK(status >= 0 && (status & O_ACCMODE) == O_RDWR);
  struct stat st;
  CHECK(::stat(path.c_str(), &st) == 0);
  CHECK_EQ(st.st_mode & 07777, 0644u);  // umask 022 in main()
  CHECK_EQ(a.devMajor, static_cast<std::uint32_t>(major(st.st_dev)));
  CHECK_EQ(a.devMinor, static_cast<std::uint32_t>(minor(st.st_dev)));
  CHECK_EQ(a.inode, static_cast<std::uint64_t>(st.st_ino));
  // The descriptor really holds the flock (not a different kind of lock).
  CHECK(::flock(a.fd.get(), LOCK_EX | LOCK_NB) == 0);

  rtslib::FileLockAttempt e = rtslib::tryLockFile(p("missing/x.lock"), true);
  CHECK(e.state == LockState::kError);
  CHECK_EQ(e.error.err, ENOENT);
  CHECK_EQ(std::string(e.error.syscall), std::string("open"));
  CHECK_EQ(e.error.path, p("missing/x.lock"));
  CHECK(!e.fd.valid());
  e = rtslib::tryLockFile(g_tmp, true);  // a directory cannot be opened O_RDWR
  CHECK(e.state == LockState::kError && e.error.err == EISDIR);
  e = rtslib::tryLockFile("relative.lock", true);
  CHECK(e.state == LockState::kError && e.error.err == EINVAL);
  CHECK(!exists("relative.lock"));
  e = rtslib::tryLockFile(std::string("/a\0b", 4), true);
  CHECK(e.state == LockState::kError && e.error.err == EINVAL);
}

// ------------------------------------------------------------------ fs util

void testFsUtil() {
  writeFile(p("d/b"), "12345");
  ::mkdir(p("d/a").c_str(), 0755);
  ::symlink("b", p("d/l").c_str());
  ::mkfifo(p("d/f").c_str(), 0600);
  std::vector<rtslib::DirEntry> entries;
  rtslib::ListFailure failure;
  CHECK_EQ(rtslib::listDir(p("d").c_str(), &entries, &failure), 0);
  CHECK_EQ(entries.size(), static_cast<std::size_t>(4));
  if (entries.size() == 4) {
    CHECK(entries[0].name == "a" && entries[0].type == rtslib::EntryType::kDir);
    CHECK(entries[1].name == "b" && entries[1].type == rtslib::EntryType::kFile);
    CHECK(entries[2].name == "f" && entries[2].type == rtslib::EntryType::kOther);
    CHECK(entries[3].name == "l" && entries[3].type == rtslib::EntryType::kLink);
  }
  CHECK_EQ(rtslib::listDir(p("missing").c_str(), &entries, &failure), ENOENT);
  CHECK_EQ(std::string(failure.syscall), std::string("scandir"));
  CHECK_EQ(rtslib::listDir(p("d/b").c_str(), &entries), ENOTDIR);

  rtslib::UniqueFd dir = rtslib::openRetry(AT_FDCWD, p("d").c_str(), O_RDONLY | O_DIRECTORY);
  CHECK(dir.valid());
  const int fdFlags = ::fcntl(dir.get(), F_GETFD);
  CHECK(fdFlags >= 0 && (fdFlags & FD_CLOEXEC) != 0);  // always added
  CHECK_EQ(rtslib::listDirFd(dir.get(), &entries), 0);
  CHECK_EQ(entries.size(), static_cast<std::size_t>(4));
  CHECK_EQ(rtslib::listDirFd(dir.get(), &entries), 0);  // `dir` itself is not consumed
  CHECK_EQ(entries.size(), static_cast<std::size_t>(4));

  std::string value = "x";
  rtslib::UniqueFd file = rtslib::openRetry(dir.get(), "b", O_RDONLY);
  CHECK_EQ(rtslib::readAll(file.get(), &value, 3, rtslib::ReadOverflow::kTruncate), 0);
  CHECK_EQ(value, std::string("x123"));
  file = rtslib::openRetry(dir.get(), "b", O_RDONLY);
  CHECK_EQ(rtslib::readAll(file.get(), &value, 3), EFBIG);
  CHECK_EQ(value, std::string("x123"));  // nothing appended
  file = rtslib::openRetry(dir.get(), "b", O_RDONLY);
  CHECK_EQ(rtslib::readAll(file.get(), &value, 5), 0);
  CHECK_EQ(value, std::string("x12312345"));

  CHECK(rtslib::entryTypeFromMode(S_IFDIR | 0755) == rtslib::EntryType::kDir);
  CHECK(rtslib::entryTypeFromMode(S_IFCHR) == rtslib::EntryType::kOther);
  CHECK_EQ(rtslib::errnoText(ENOENT), std::string("No such file or directory"));
}

// -------------------------------------------------------------- tree reader

void testTreeReader() {
  ::mkdir(p("t").c_str(), 0755);
  ::mkdir(p("t/b").c_str(), 0755);
  ::mkdir(p("t/b/c").c_str(), 0755);
  ::mkdir(p("t/skip").c_str(), 0755);
  writeFile(p("t/skip/inside"), "hidden");
  const std::string bytes("x\0y\n", 4);
  writeFile(p("t/a"), bytes);
  writeFile(p("t/b/c/deep"), "deep\n");
  writeFile(p("t/control"), "secret", 0200);  // write-only: must not be read
  writeFile(p("t/empty"), "");
  ::symlink("../elsewhere", p("t/link").c_str());
  ::mkfifo(p("t/fifo").c_str(), 0640);

  rtslib::TreeOptions options;
  options.excludeNames = {"skip"};
  rtslib::TreeResult t;
  rtslib::NativeError e;
  CHECK(rtslib::readTree(p("t"), options, &t, &e));

  const std::vector<std::string> expected = {"a",       "b",     "b/c",  "b/c/deep",
                                             "control", "empty", "fifo", "link"};
  CHECK(t.paths == expected);
  const std::size_t n = t.paths.size();
  CHECK_EQ(t.kinds.size(), n);
  CHECK_EQ(t.modes.size(), n);
  CHECK_EQ(t.links.size(), n);
  CHECK_EQ(t.errnos.size(), n);
  CHECK_EQ(t.offsets.size(), n + 1);
  if (t.paths == expected && t.offsets.size() == n + 1) {
    auto value = [&](std::size_t i) {
      return t.data.substr(t.offsets[i], t.offsets[i + 1] - t.offsets[i]);
    };
    CHECK_EQ(value(0), bytes);
    CHECK_EQ(t.kinds[0], 1);
    CHECK_EQ(t.kinds[1], 0);
    CHECK_EQ(t.modes[1], 0755);
    CHECK(value(1).empty());
    CHECK_EQ(value(3), std::string("deep\n"));
    CHECK_EQ(t.kinds[4], 1);
    CHECK_EQ(t.modes[4], 0200);
    CHECK(value(4).empty());
    CHECK_EQ(t.errnos[4], 0);
    CHECK(value(5).empty());
    CHECK_EQ(t.kinds[6], 3);
    CHECK_EQ(t.kinds[7], 2);
    CHECK(t.hasLink[7] == 1);
    CHECK_EQ(t.links[7], std::string("../elsewhere"));
    CHECK(t.hasLink[0] == 0);
    CHECK_EQ(t.offsets[n], static_cast<std::uint32_t>(t.data.size()));
    CHECK_EQ(t.data, bytes + "deep\n");
  }

  // maxDepth 1: only the top directory's entries, directories not entered.
  options.maxDepth = 1;
  CHECK(rtslib::readTree(p("t"), options, &t, &e));
  const std::vector<std::string> shallow = {"a", "b", "control", "empty", "fifo", "link"};
  CHECK(t.paths == shallow);
  options.maxDepth = 2;
  CHECK(rtslib::readTree(p("t"), options, &t, &e));
  CHECK_EQ(t.paths.size(), static_cast<std::size_t>(7));  // adds b/c, not b/c/deep
  options.maxDepth = 0;
  CHECK(rtslib::readTree(p("t"), options, &t, &e));
  CHECK(t.paths.empty());
  CHECK_EQ(t.offsets.size(), static_cast<std::size_t>(1));

  // readValues false: structure only.
  options.maxDepth = -1;
  options.readValues = false;
  CHECK(rtslib::readTree(p("t"), options, &t, &e));
  CHECK(t.data.empty());
  CHECK_EQ(t.paths.size(), expected.size());

  // listFiles false: directories, links and other entries, and of the files only valueNames (read).
  options.listFiles = false;
  options.valueNames = {"deep"};
  CHECK(rtslib::readTree(p("t"), options, &t, &e));
  const std::vector<std::string> structure = {"b", "b/c", "b/c/deep", "fifo", "link"};
  CHECK(t.paths == structure);
  CHECK_EQ(t.data, std::string("deep\n"));
  options.listFiles = true;
  options.valueNames.clear();

  // A failure at the top fails the walk.
  CHECK(!rtslib::readTree(p("nope"), options, &t, &e));
  CHECK_EQ(e.err, ENOENT);
  CHECK_EQ(std::string(e.syscall), std::string("opendir"));
  CHECK_EQ(e.path, p("nope"));
  CHECK(!rtslib::readTree(p("t/a"), options, &t, &e));
  CHECK_EQ(e.err, ENOTDIR);
}

}  // namespace

int main() {
  ::umask(022);
  return runTests({
      {"path guard", testPathGuard},
      {"errno per op", testErrnoPerOp},
      {"read/write exact bytes", testReadWriteExact},
      {"list/stat/readlink", testListStatReadlink},
      {"batch ordering", testOrdering},
      {"stop on error", testStopOnError},
      {"parallel group", testParallelGroup},
      {"group stop on error", testGroupStopOnError},
      {"group runs concurrently", testGroupRunsConcurrently},
      {"after: waits for the named operations", testAfterWaits},
      {"after: many chains in one group", testAfterChains},
      {"after: a failed dependency", testAfterFailure},
      {"timeout", testTimeout},
      {"thread pool runs concurrently", testThreadPoolConcurrent},
      {"thread pool reused across batches", testPoolReuse},
      {"concurrent batches", testConcurrentBatches},
      {"fault at op k", testFaultAtOp},
      {"fault in pool threads", testFaultInPool},
      {"fault undo counter", testFaultUndoCounter},
      {"fault reset and off", testFaultResetAndOff},
      {"fault stall", testFaultStall},
      {"lock conflicts", testLockConflicts},
      {"lock file properties", testLockFileProperties},
      {"fs util", testFsUtil},
      {"tree reader", testTreeReader},
  });
}
