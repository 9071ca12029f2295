#include "thread_pool.h"

#include <pthread.h>

#include <memory>
#include <utility>

namespace rtslib {

namespace {

struct Start {
  ThreadPool* pool;
  ThreadPool::Job job;
};

// pthread_create of a detached thread. Returns 0 or the error number.
int startDetached(void* (*fn)(void*), void* arg) {
  pthread_attr_t attr;
  int err = ::pthread_attr_init(&attr);
  if (err != 0) return err;
  err = ::pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  pthread_t tid;
  if (err == 0) err = ::pthread_create(&tid, &attr, fn, arg);
  ::pthread_attr_destroy(&attr);
  return err;
}

}  // namespace

ThreadPool& ThreadPool::instance() {
  static ThreadPool* const pool = new ThreadPool();  // never destroyed, see the header
  return *pool;
}

bool ThreadPool::submit(Job job) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (idle_ > 0) {
      --idle_;
      queue_.push_back(std::move(job));
      jobAvailable_.notify_one();
      return true;
    }
  }
  auto start = std::make_unique<Start>(Start{this, std::move(job)});
  if (startDetached(threadMain, start.get()) != 0) return false;
  start.release();  // now owned by the thread
  started_.fetch_add(1, std::memory_order_relaxed);
  return true;
}

void* ThreadPool::threadMain(void* raw) {
  std::unique_ptr<Start> start(static_cast<Start*>(raw));
  ThreadPool& pool = *start->pool;
  Job job = std::move(start->job);
  start.reset();
  do {
    job();
    job = nullptr;  // drop what the job holds before idling
  } while (pool.nextJob(&job));
  return nullptr;
}

bool ThreadPool::nextJob(Job* job) {
  std::unique_lock<std::mutex> lock(mu_);
  if (idle_ >= kMaxIdle) return false;
  ++idle_;
  if (!jobAvailable_.wait_for(lock, kIdleTimeout, [this] { return !queue_.empty(); })) {
    --idle_;  // the queue is empty: no job has claimed this thread
    return false;
  }
  *job = std::move(queue_.front());  // submit() already took this thread off idle_
  queue_.pop_front();
  return true;
}

void ThreadPool::runConcurrently(unsigned threads, const std::function<void()>& fn) {
  struct Latch {
    std::mutex mu;
    std::condition_variable done;
    unsigned running = 0;
  };
  // Shared with the helpers: the last one may still be unlocking when the
  // caller returns.
  auto latch = std::make_shared<Latch>();
  for (unsigned i = 1; i < threads; ++i) {
    {
      std::lock_guard<std::mutex> lock(latch->mu);
      ++latch->running;
    }
    const bool started = submit([latch, &fn] {
      fn();
      std::lock_guard<std::mutex> lock(latch->mu);
      if (--latch->running == 0) latch->done.notify_all();
    });
    if (!started) {
      std::lock_guard<std::mutex> lock(latch->mu);
      --latch->running;
      break;  // fewer helpers; the calling thread still does its share
    }
  }
  fn();
  std::unique_lock<std::mutex> lock(latch->mu);
  latch->done.wait(lock, [&latch] { return latch->running == 0; });
}

}  // namespace rtslib
