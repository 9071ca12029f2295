// Runs a list of configfs operations in order, with groups of independent
// operations run concurrently, stop-on-first-error, and per-operation
// timeouts. Pure C++ (no Node-API): the native unit tests link it directly.
#ifndef RTSLIB_BATCH_ENGINE_H
#define RTSLIB_BATCH_ENGINE_H

#include <cstdint>
#include <vector>

#include "configfs_ops.h"

namespace rtslib {

constexpr unsigned kMinConcurrency = 1;
constexpr unsigned kMaxConcurrency = 64;
constexpr unsigned kDefaultConcurrency = 8;

struct BatchOptions {
  bool stopOnError = true;
  unsigned concurrency = kDefaultConcurrency;  // kMinConcurrency..kMaxConcurrency
  std::uint32_t timeoutMs = 0;                 // per operation; 0 = no timeout
  // The batch undoes an earlier one (a rollback). Only the test-only fault
  // injection (fault_injection.h) tells the two apart: it counts the mutating
  // operations of undo batches separately.
  bool undo = false;
};

// Executes `ops` and returns one result per operation, in the same order.
//
// * Operations run in order. A maximal run of consecutive operations with
//   `independent == true` forms a group: its operations run concurrently on up
//   to `concurrency` threads, and the whole group finishes before the next
//   operation starts.
// * With stopOnError, once an operation fails no further operation starts;
//   operations already running in the same group finish and report their own
//   results; every operation that never started (including one still waiting
//   for its `after` operations) is reported as kSkipped.
// * Groups, and every operation when timeoutMs > 0, run on threads of the
//   process-wide pool (thread_pool.h), reused across calls and shared by
//   concurrent calls. A pool thread that cannot be had degrades the batch:
//   the group runs on fewer threads, or, when no thread at all can be had,
//   on the calling thread (without a timeout) or fails with EAGAIN
//   "pthread_create" (with one).
// * With timeoutMs > 0 each operation runs on a pool thread while the calling
//   thread waits with a deadline. A configfs call (e.g. rmdir of a busy
//   target, or a store that waits for the hardware) can block in the kernel
//   for a long time and cannot be interrupted, so the caller does not wait
//   forever: an operation still running after timeoutMs is reported as
//   ETIMEDOUT (counting as a failure) and the thread running it is abandoned:
//   the batch stops counting it and asks the pool for a replacement (the
//   thread returns to the pool whenever the call finally returns). Everything
//   that thread touches (its task, including a copy of the operation, and the
//   batch's queue state) is owned through shared_ptr, so it stays valid when
//   the thread returns from the kernel, possibly long after runBatch() has
//   returned; its late result is discarded. The kernel operation itself may
//   still complete: the caller must treat a timed-out operation's effect as
//   unknown.
// * Each operation passes the fault-injection hook (fault_injection.h) just
//   before it runs; an injected failure counts as that operation's failure.
//
// Never throws.
std::vector<OpResult> runBatch(const std::vector<Op>& ops, const BatchOptions& options);

}  // namespace rtslib

#endif  // RTSLIB_BATCH_ENGINE_H
