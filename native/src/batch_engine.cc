#include "batch_engine.h"

#include <pthread.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include "fault_injection.h"

namespace rtslib {

namespace {

using Clock = std::chrono::steady_clock;

// runOp behind the test-only fault-injection hook: an injected failure
// replaces the operation, which then performs no syscall.
OpResult runHooked(const Op& op, bool undo, SyscallTracker* tracker = nullptr) {
  OpResult injected;
  if (injectFault(op, undo, &injected)) return injected;
  return runOp(op, tracker);
}

// Per-thread flag, guarded by Shared::mu. Set by the coordinator when it gives
// up on the thread's current task; the thread exits once that task returns.
struct WorkerState {
  bool abandoned = false;
};

struct Task {
  Task(const Op& o, std::size_t i) : op(o), index(i) {}

  const Op op;  // a copy: an abandoned thread may use it after runBatch returns
  const std::size_t index;
  SyscallTracker syscall{nullptr};

  // Guarded by Shared::mu.
  bool queued = false;
  bool started = false;
  bool finished = false;
  bool abandoned = false;  // timed out; `result` holds the timeout error
  Clock::time_point startedAt;
  std::shared_ptr<WorkerState> worker;
  OpResult result;
};

// State shared by the coordinator and every pool thread.
struct Shared {
  Shared(bool stop, bool timed, bool undoBatch)
      : stopOnError(stop), notifyOnStart(timed), undo(undoBatch) {}

  std::mutex mu;
  std::condition_variable workAvailable;
  std::condition_variable taskDone;
  std::deque<std::shared_ptr<Task>> queue;
  bool shutdown = false;
  const bool stopOnError;
  const bool notifyOnStart;  // the coordinator needs start times for deadlines
  const bool undo;           // BatchOptions::undo, for the fault-injection hook

  // Caller holds mu. Tasks that never started stay unstarted (-> skipped).
  void dropQueued() {
    for (auto& t : queue) t->queued = false;
    queue.clear();
  }
};

struct WorkerArgs {
  std::shared_ptr<Shared> shared;
  std::shared_ptr<WorkerState> self;
};

void* workerMain(void* raw) {
  // `args` is declared before `lock` so the lock is released before the last
  // reference to Shared (and thus its mutex) can be dropped.
  std::unique_ptr<WorkerArgs> args(static_cast<WorkerArgs*>(raw));
  Shared& s = *args->shared;
  std::unique_lock<std::mutex> lock(s.mu);
  for (;;) {
    s.workAvailable.wait(lock, [&s] { return s.shutdown || !s.queue.empty(); });
    if (s.shutdown) return nullptr;
    std::shared_ptr<Task> task = std::move(s.queue.front());
    s.queue.pop_front();
    task->queued = false;
    task->started = true;
    task->startedAt = Clock::now();
    task->worker = args->self;
    lock.unlock();
    if (s.notifyOnStart) s.taskDone.notify_all();

    OpResult result = runHooked(task->op, s.undo, &task->syscall);

    lock.lock();
    task->finished = true;
    if (!task->abandoned) {
      const bool failed = result.failed();
      task->result = std::move(result);
      if (failed && s.stopOnError) s.dropQueued();
    }
    s.taskDone.notify_all();
    if (args->self->abandoned) return nullptr;  // a replacement has taken our place
  }
}

// Move-only owner of a joinable pthread (joined on destruction unless detached).
class Thread {
 public:
  Thread() = default;
  ~Thread() { join(); }
  Thread(const Thread&) = delete;
  Thread& operator=(const Thread&) = delete;
  Thread(Thread&& o) noexcept : tid_(o.tid_), joinable_(o.joinable_) { o.joinable_ = false; }
  Thread& operator=(Thread&& o) noexcept {
    if (this != &o) {
      join();
      tid_ = o.tid_;
      joinable_ = o.joinable_;
      o.joinable_ = false;
    }
    return *this;
  }

  int start(void* (*fn)(void*), void* arg) {
    const int err = ::pthread_create(&tid_, nullptr, fn, arg);
    joinable_ = (err == 0);
    return err;
  }
  void join() {
    if (joinable_) {
      ::pthread_join(tid_, nullptr);
      joinable_ = false;
    }
  }
  void detach() {
    if (joinable_) {
      ::pthread_detach(tid_);
      joinable_ = false;
    }
  }

 private:
  pthread_t tid_{};
  bool joinable_ = false;
};

class Pool {
 public:
  explicit Pool(const BatchOptions& options)
      : shared_(std::make_shared<Shared>(options.stopOnError, options.timeoutMs > 0, options.undo)),
        options_(options) {}

  ~Pool() {
    {
      std::lock_guard<std::mutex> lock(shared_->mu);
      shared_->shutdown = true;
    }
    shared_->workAvailable.notify_all();
    workers_.clear();  // joins every live (idle) worker
  }

  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  // Runs ops [first, last) concurrently; fills results and returns true if any
  // of them failed.
  bool runGroup(const std::vector<Op>& ops, std::size_t first, std::size_t last,
                std::vector<OpResult>* results) {
    const std::size_t count = last - first;
    const std::size_t wanted = std::min<std::size_t>(count, options_.concurrency);
    if (ensureWorkers(wanted) == 0) return failUnstartable(ops, first, last, results);

    std::vector<std::shared_ptr<Task>> tasks;
    tasks.reserve(count);
    {
      std::lock_guard<std::mutex> lock(shared_->mu);
      for (std::size_t i = first; i < last; ++i) {
        auto task = std::make_shared<Task>(ops[i], i);
        task->queued = true;
        shared_->queue.push_back(task);
        tasks.push_back(std::move(task));
      }
    }
    shared_->workAvailable.notify_all();

    std::unique_lock<std::mutex> lock(shared_->mu);
    for (;;) {
      bool pending = false;
      bool haveDeadline = false;
      Clock::time_point deadline{};
      const Clock::time_point now = Clock::now();
      for (auto& t : tasks) {
        if (t->finished || t->abandoned) continue;
        if (!t->started) {
          if (t->queued) pending = true;
          continue;
        }
        if (options_.timeoutMs > 0) {
          const Clock::time_point due = t->startedAt + std::chrono::milliseconds(options_.timeoutMs);
          if (now >= due) {
            abandonLocked(*t);
            continue;
          }
          if (!haveDeadline || due < deadline) deadline = due;
          haveDeadline = true;
        }
        pending = true;
      }
      if (!shared_->queue.empty() && ensureWorkers(wanted) == 0) {
        // Every worker was abandoned and none can be started: what is still
        // queued cannot run.
        for (auto& t : shared_->queue) {
          t->queued = false;
          t->finished = true;
          t->result = threadFailure(t->op);
        }
        shared_->queue.clear();
        continue;
      }
      if (!pending) break;
      if (haveDeadline) {
        shared_->taskDone.wait_until(lock, deadline);
      } else {
        shared_->taskDone.wait(lock);
      }
    }

    bool failed = false;
    for (auto& t : tasks) {
      OpResult& out = (*results)[t->index];
      if (t->abandoned || t->finished) {
        out = std::move(t->result);
      } else {
        out = OpResult();  // never started: skipped
      }
      if (out.failed()) failed = true;
    }
    return failed;
  }

 private:
  struct LiveWorker {
    Thread thread;
    std::shared_ptr<WorkerState> state;
  };

  // Starts workers until `n` are alive (abandoned ones do not count). Returns
  // how many are alive; fewer than asked only if pthread_create fails.
  std::size_t ensureWorkers(std::size_t n) {
    while (workers_.size() < n) {
      LiveWorker w;
      w.state = std::make_shared<WorkerState>();
      auto args = std::make_unique<WorkerArgs>();
      args->shared = shared_;
      args->self = w.state;
      if (w.thread.start(workerMain, args.get()) != 0) break;
      args.release();  // now owned by the thread
      workers_.push_back(std::move(w));
    }
    return workers_.size();
  }

  // Caller holds shared_->mu. Gives up on a running task (see batch_engine.h).
  void abandonLocked(Task& t) {
    t.abandoned = true;
    const char* syscall = t.syscall.load(std::memory_order_acquire);
    if (syscall == nullptr) syscall = primarySyscall(t.op.kind);
    t.result = OpResult::failure(
        ETIMEDOUT, syscall, t.op.displayPath,
        "timed out after " + std::to_string(options_.timeoutMs) + " ms");
    if (shared_->stopOnError) shared_->dropQueued();
    for (auto it = workers_.begin(); it != workers_.end(); ++it) {
      if (it->state == t.worker) {
        it->state->abandoned = true;
        it->thread.detach();
        workers_.erase(it);
        break;
      }
    }
  }

  static OpResult threadFailure(const Op& op) {
    return OpResult::failure(EAGAIN, "pthread_create", op.displayPath,
                             "could not start a worker thread");
  }

  // No worker thread could be started at all.
  bool failUnstartable(const std::vector<Op>& ops, std::size_t first, std::size_t last,
                       std::vector<OpResult>* results) {
    bool failed = false;
    for (std::size_t i = first; i < last; ++i) {
      if (failed && options_.stopOnError) break;  // the rest stay skipped
      if (options_.timeoutMs == 0) {
        // Without a timeout nothing requires another thread: run here.
        (*results)[i] = runHooked(ops[i], options_.undo);
      } else {
        (*results)[i] = threadFailure(ops[i]);
      }
      if ((*results)[i].failed()) failed = true;
    }
    return failed;
  }

  std::shared_ptr<Shared> shared_;
  const BatchOptions options_;
  std::vector<LiveWorker> workers_;
};

}  // namespace

std::vector<OpResult> runBatch(const std::vector<Op>& ops, const BatchOptions& rawOptions) {
  BatchOptions options = rawOptions;
  options.concurrency = std::clamp(options.concurrency, kMinConcurrency, kMaxConcurrency);

  std::vector<OpResult> results(ops.size());  // default state: skipped
  std::unique_ptr<Pool> pool;                 // created on first need
  auto getPool = [&]() -> Pool& {
    if (!pool) pool = std::make_unique<Pool>(options);
    return *pool;
  };

  bool failed = false;
  std::size_t i = 0;
  while (i < ops.size()) {
    if (failed && options.stopOnError) break;  // the rest stay skipped
    std::size_t end = i + 1;
    if (ops[i].independent) {
      while (end < ops.size() && ops[end].independent) ++end;
    }
    if (end - i == 1 && options.timeoutMs == 0) {
      // A single operation without a deadline runs on the calling thread.
      results[i] = runHooked(ops[i], options.undo);
      if (results[i].failed()) failed = true;
    } else {
      if (getPool().runGroup(ops, i, end, &results)) failed = true;
    }
    i = end;
  }
  return results;
}

}  // namespace rtslib
