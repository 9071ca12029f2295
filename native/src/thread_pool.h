// The process's pool of worker threads, shared by the batch engine and the
// tree reader. Pure C++ (no Node-API).
//
// Threads are raw pthreads, never std::thread: the code is built with
// -fno-exceptions, where a failed std::thread construction aborts the
// process. A failed pthread_create is an ordinary result here (submit()
// returns false) and callers degrade: run on fewer threads, run inline, or
// report an error.
//
// The pool is elastic: submit() hands a job to an idle thread, or starts a new
// thread when none is idle, so a job never waits behind other jobs (a group
// of independent batch operations gets as many threads as it asks for, even
// while other batches run or a pool thread is stuck in the kernel). A thread
// that finishes a job stays idle for reuse; idle threads beyond kMaxIdle, or
// idle longer than kIdleTimeout, end.
#ifndef RTSLIB_THREAD_POOL_H
#define RTSLIB_THREAD_POOL_H

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>

namespace rtslib {

class ThreadPool {
 public:
  using Job = std::function<void()>;

  static constexpr std::size_t kMaxIdle = 64;
  static constexpr std::chrono::seconds kIdleTimeout{30};

  // The process-wide pool, created on first use and never destroyed: a
  // thread the batch engine abandoned may still be inside the kernel (and
  // later come back to the pool) when the process exits.
  static ThreadPool& instance();

  // Runs `job` on a pool thread: an idle one, else a newly started one.
  // Returns false, without running `job`, when no thread is idle and
  // pthread_create fails.
  bool submit(Job job);

  // Calls `fn` on up to `threads` threads at once: the calling thread and up
  // to threads - 1 pool threads (fewer if submit() fails). Returns when every
  // call has returned.
  void runConcurrently(unsigned threads, const std::function<void()>& fn);

  // Threads started since the process began (for tests and benchmarks).
  std::size_t threadsStarted() const { return started_.load(std::memory_order_relaxed); }

  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

 private:
  ThreadPool() = default;
  ~ThreadPool() = default;

  static void* threadMain(void* raw);
  // Called by a pool thread after a job: waits for the next one. False when
  // the thread should end instead.
  bool nextJob(Job* job);

  std::mutex mu_;
  std::condition_variable jobAvailable_;
  std::deque<Job> queue_;  // jobs handed to idle threads, not yet picked up
  // Idle threads not yet claimed by a queued job: the threads waiting in
  // nextJob() minus queue_.size().
  std::size_t idle_ = 0;
  std::atomic<std::size_t> started_{0};
};

}  // namespace rtslib

#endif  // RTSLIB_THREAD_POOL_H
