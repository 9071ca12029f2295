#include "batch_engine.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "fault_injection.h"
#include "thread_pool.h"

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

// Per runner, guarded by Shared::mu. Set by the coordinator when it gives up
// on the runner's current task; the runner leaves the batch once that task
// returns.
struct RunnerState {
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
  bool abandoned = false;   // timed out; `result` holds the timeout error
  std::size_t waiting = 0;  // `after` operations of the group not yet finished
  std::vector<std::shared_ptr<Task>> dependents;  // tasks whose `after` names this one
  Clock::time_point startedAt;
  std::shared_ptr<RunnerState> runner;
  OpResult result;
};

// State shared by a batch's coordinator and its runners.
struct Shared {
  Shared(bool stop, bool timed, bool undoBatch)
      : stopOnError(stop), notifyOnStart(timed), undo(undoBatch) {}

  std::mutex mu;
  // The coordinator waits on it: notified when the group has no active task
  // left, and on every start and finish when deadlines are watched.
  std::condition_variable taskDone;
  // Runners wait on it for ready tasks while others of the group still run
  // (and may release dependents): notified when tasks become ready and when
  // the group has no active task left.
  std::condition_variable workReady;
  // Tasks of the current group queued or running and not given up on: the
  // group is done when it reaches 0.
  std::size_t active = 0;
  // Ready tasks, a min-heap on the operation's index (pushReady/popReady):
  // the lowest ready index runs first, so an operation an `after` releases
  // runs before later operations that were ready earlier, and a chain
  // listed together runs together.
  std::vector<std::shared_ptr<Task>> queue;

  static bool later(const std::shared_ptr<Task>& a, const std::shared_ptr<Task>& b) {
    return a->index > b->index;
  }
  // Caller holds mu.
  void pushReady(std::shared_ptr<Task> t) {
    t->queued = true;
    ++active;
    queue.push_back(std::move(t));
    std::push_heap(queue.begin(), queue.end(), later);
  }
  // Caller holds mu; the queue is not empty.
  std::shared_ptr<Task> popReady() {
    std::pop_heap(queue.begin(), queue.end(), later);
    std::shared_ptr<Task> t = std::move(queue.back());
    queue.pop_back();
    t->queued = false;
    return t;
  }
  // Runners submitted to the pool that have not left the batch; abandoned
  // ones are not counted.
  std::size_t runners = 0;
  const bool stopOnError;
  const bool notifyOnStart;  // the coordinator needs start times for deadlines
  const bool undo;           // BatchOptions::undo, for the fault-injection hook
  // Set when the group stops taking tasks (a failure with stopOnError, or no
  // runner at all): dependents are no longer queued. Reset per group.
  bool stopped = false;

  // Caller holds mu. Tasks that never started stay unstarted (-> skipped).
  void dropQueued() {
    stopped = true;
    for (auto& t : queue) t->queued = false;
    active -= queue.size();
    queue.clear();
    if (active == 0) workReady.notify_all();
  }

  // Caller holds mu. An active task has finished or been given up on (after
  // its release): wakes whoever the change concerns.
  void retire() {
    --active;
    if (active == 0) {
      workReady.notify_all();
      taskDone.notify_all();
    } else if (!queue.empty()) {
      workReady.notify_all();
    }
  }

  // Caller holds mu. `t` has finished (or been given up on): the tasks that
  // waited only for it become ready, unless the group has stopped.
  void release(Task& t) {
    for (auto& d : t.dependents) {
      if (--d->waiting == 0 && !stopped) pushReady(d);
    }
    t.dependents.clear();
  }
};

// A pool job: runs the batch's ready tasks until the group has no active
// task left (then leaves the batch) or until the coordinator abandons it.
// While other tasks of the group run it waits for the dependents they
// release, so the group keeps its concurrency through chains of `after`.
void runTasks(const std::shared_ptr<Shared>& shared, const std::shared_ptr<RunnerState>& self) {
  Shared& s = *shared;
  std::unique_lock<std::mutex> lock(s.mu);
  for (;;) {
    if (s.queue.empty()) {
      if (s.active == 0) break;
      s.workReady.wait(lock);
      if (self->abandoned) return;
      continue;
    }
    std::shared_ptr<Task> task = s.popReady();
    task->started = true;
    task->startedAt = Clock::now();
    task->runner = self;
    lock.unlock();
    if (s.notifyOnStart) s.taskDone.notify_all();

    OpResult result = runHooked(task->op, s.undo, &task->syscall);

    lock.lock();
    task->finished = true;
    if (!task->abandoned) {
      const bool failed = result.failed();
      task->result = std::move(result);
      if (failed && s.stopOnError) s.dropQueued();
      s.release(*task);
      s.retire();
    }
    // with deadlines the coordinator recomputes them after every finish
    if (s.notifyOnStart) s.taskDone.notify_all();
    if (self->abandoned) return;  // no longer counted: a replacement has taken our place
  }
  --s.runners;
}

// One runBatch call's groups, run by runners on the shared thread pool
// (thread_pool.h). Runners of one group that are still finishing when the
// next group is queued count against its concurrency, so at most
// `concurrency` operations of the batch ever run at once.
class Batch {
 public:
  explicit Batch(const BatchOptions& options)
      : shared_(std::make_shared<Shared>(options.stopOnError, options.timeoutMs > 0, options.undo)),
        options_(options) {}

  Batch(const Batch&) = delete;
  Batch& operator=(const Batch&) = delete;

  // Runs ops [first, last) concurrently; fills results and returns true if any
  // of them failed.
  bool runGroup(const std::vector<Op>& ops, std::size_t first, std::size_t last,
                std::vector<OpResult>* results) {
    const std::size_t count = last - first;
    const std::size_t wanted = std::min<std::size_t>(count, options_.concurrency);

    std::vector<std::shared_ptr<Task>> tasks;
    tasks.reserve(count);
    std::unique_lock<std::mutex> lock(shared_->mu);
    shared_->stopped = false;
    for (std::size_t i = first; i < last; ++i) {
      auto task = std::make_shared<Task>(ops[i], i);
      for (const std::uint32_t a : ops[i].after) {
        // an operation of an earlier group has finished already
        if (a < first || a >= i) continue;
        ++task->waiting;
        tasks[a - first]->dependents.push_back(task);
      }
      if (task->waiting == 0) shared_->pushReady(task);
      tasks.push_back(std::move(task));
    }
    if (addRunnersLocked(wanted) == 0) {
      // No runner at all, so nothing has started.
      shared_->dropQueued();
      lock.unlock();
      return failUnstartable(ops, first, last, results);
    }

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
          const Clock::time_point due =
              t->startedAt + std::chrono::milliseconds(options_.timeoutMs);
          if (now >= due) {
            abandonLocked(*t);
            continue;
          }
          if (!haveDeadline || due < deadline) deadline = due;
          haveDeadline = true;
        }
        pending = true;
      }
      if (!shared_->queue.empty() && addRunnersLocked(wanted) == 0) {
        // Every runner was abandoned and none can be started: what is still
        // queued cannot run (nor what waits for it).
        std::vector<std::shared_ptr<Task>> unrunnable;
        unrunnable.swap(shared_->queue);
        for (auto& t : unrunnable) {
          t->queued = false;
          t->finished = true;
          t->result = threadFailure(t->op);
          if (shared_->stopOnError) shared_->stopped = true;
          shared_->release(*t);
          shared_->retire();
        }
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
  // Caller holds shared_->mu (so a new runner cannot leave before it is
  // counted). Submits runners until `n` are counted. Returns how many are;
  // fewer than asked only if the pool could not start a thread.
  std::size_t addRunnersLocked(std::size_t n) {
    while (shared_->runners < n) {
      auto self = std::make_shared<RunnerState>();
      std::shared_ptr<Shared> shared = shared_;
      if (!ThreadPool::instance().submit([shared, self] { runTasks(shared, self); })) break;
      ++shared_->runners;
    }
    return shared_->runners;
  }

  // Caller holds shared_->mu. Gives up on a running task (see batch_engine.h).
  void abandonLocked(Task& t) {
    t.abandoned = true;
    const char* syscall = t.syscall.load(std::memory_order_acquire);
    if (syscall == nullptr) syscall = primarySyscall(t.op.kind);
    t.result = OpResult::failure(ETIMEDOUT, syscall, t.op.displayPath,
                                 "timed out after " + std::to_string(options_.timeoutMs) + " ms");
    if (shared_->stopOnError) shared_->dropQueued();
    shared_->release(t);
    shared_->retire();
    if (t.runner != nullptr && !t.runner->abandoned) {
      t.runner->abandoned = true;
      --shared_->runners;
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

  const std::shared_ptr<Shared> shared_;
  const BatchOptions options_;
};

}  // namespace

std::vector<OpResult> runBatch(const std::vector<Op>& ops, const BatchOptions& rawOptions) {
  BatchOptions options = rawOptions;
  options.concurrency = std::clamp(options.concurrency, kMinConcurrency, kMaxConcurrency);

  std::vector<OpResult> results(ops.size());  // default state: skipped
  std::unique_ptr<Batch> batch;               // created on first need
  auto getBatch = [&]() -> Batch& {
    if (!batch) batch = std::make_unique<Batch>(options);
    return *batch;
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
      if (getBatch().runGroup(ops, i, end, &results)) failed = true;
    }
    i = end;
  }
  return results;
}

}  // namespace rtslib
