// Test-only fault injection for the batch engine: fail the k-th mutating
// operation without performing it, or stall before one, so tests can prove
// what a caller does after a failure (or a crash) in the middle of a batch.
//
// The state is process-global: the Node-API glue sets it from JavaScript and
// every batch (on any thread) consults it. It is off unless a test turns it
// on, and then costs the engine one relaxed atomic load per operation.
// Pure C++ (no Node-API): the native unit tests use it directly.
#ifndef RTSLIB_FAULT_INJECTION_H
#define RTSLIB_FAULT_INJECTION_H

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <string>

#include "configfs_ops.h"

namespace rtslib {

// stallMs value meaning "until the process ends".
constexpr std::int64_t kStallForever = -1;

struct FaultConfig {
  // 1-based index, among the mutating operations of forward batches (those
  // run without BatchOptions::undo), of the one to fail; 0 = never.
  std::uint64_t failAt = 0;
  // The same, counted separately, among the mutating operations of batches
  // run with BatchOptions::undo.
  std::uint64_t failUndoAt = 0;
  // Positive errno the failed operation reports.
  int err = EIO;
  // 1-based index of the forward mutating operation before which the engine
  // writes "rtslib-fault: stalled before operation <k> <op> <path>" to fd 2
  // and sleeps stallMs (then performs the operation normally); 0 = never.
  std::uint64_t stallAt = 0;
  std::int64_t stallMs = kStallForever;
  // When not empty, the stall also ends as soon as this (absolute) path
  // exists: a test releases the stalled run exactly when it is ready.
  std::string stallUntil;
};

struct FaultCounts {
  std::uint64_t forward = 0;  // mutating operations of forward batches seen
  std::uint64_t undo = 0;     // mutating operations of undo batches seen
};

// Turns injection on with `config` and resets both counters.
void setFaultInjection(const FaultConfig& config) noexcept;
// Turns injection off and resets both counters (nothing is counted while off).
void clearFaultInjection() noexcept;
FaultCounts faultInjectionCounts() noexcept;

namespace fault_detail {
extern std::atomic<bool> g_enabled;
bool beforeOp(const Op& op, bool undo, OpResult* out);
}  // namespace fault_detail

// Called by the batch engine right before it performs `op` in a batch with the
// given `undo` flag. Counts a mutating operation, may stall, and returns true
// with the injected failure in *out when the operation must fail: it then
// performs no syscall at all.
inline bool injectFault(const Op& op, bool undo, OpResult* out) {
  if (!fault_detail::g_enabled.load(std::memory_order_relaxed)) return false;
  return fault_detail::beforeOp(op, undo, out);
}

}  // namespace rtslib

#endif  // RTSLIB_FAULT_INJECTION_H
