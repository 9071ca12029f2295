#include "fault_injection.h"

#include <unistd.h>

#include <chrono>
#include <mutex>
#include <string>
#include <thread>

namespace rtslib {

namespace fault_detail {
std::atomic<bool> g_enabled{false};
}  // namespace fault_detail

namespace {

// Every field is atomic because batches read them on their own threads
// (including abandoned ones that may outlive the batch) while a test may set
// a new configuration. A setter publishes the fields with a release store of
// g_enabled; a reader that saw it true issues an acquire fence before reading.
std::atomic<std::uint64_t> g_failAt{0};
std::atomic<std::uint64_t> g_failUndoAt{0};
std::atomic<int> g_err{EIO};
std::atomic<std::uint64_t> g_stallAt{0};
std::atomic<std::int64_t> g_stallMs{kStallForever};
std::atomic<std::uint64_t> g_forward{0};
std::atomic<std::uint64_t> g_undo{0};

// Serialises setters, so two configurations can never be mixed; also guards
// g_stallUntil, which is not atomic.
std::mutex g_setMu;
std::string g_stallUntil;

// One line with write(2) on fd 2, not stdio: the test that reads it may kill
// the process right after, and nothing must sit in a buffer by then.
void announceStall(std::uint64_t k, const Op& op) {
  const std::string line = "rtslib-fault: stalled before operation " + std::to_string(k) + " " +
                           opKindName(op.kind) + " " + op.displayPath + "\n";
  std::size_t done = 0;
  while (done < line.size()) {
    const ssize_t n = ::write(STDERR_FILENO, line.data() + done, line.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return;  // nowhere to report it; the stall still happens
    }
    done += static_cast<std::size_t>(n);
  }
}

void stall(std::int64_t ms, const std::string& until) {
  if (!until.empty()) {
    // Until the release file appears (or the time is up, when one was given).
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    while (::access(until.c_str(), F_OK) != 0) {
      if (ms != kStallForever && std::chrono::steady_clock::now() >= deadline) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return;
  }
  if (ms == kStallForever) {
    // The stall ends only with the process (a test kills it).
    for (;;) std::this_thread::sleep_for(std::chrono::hours(1));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(ms));
}

}  // namespace

void setFaultInjection(const FaultConfig& config) noexcept {
  std::lock_guard<std::mutex> lock(g_setMu);
  fault_detail::g_enabled.store(false, std::memory_order_relaxed);
  g_failAt.store(config.failAt, std::memory_order_relaxed);
  g_failUndoAt.store(config.failUndoAt, std::memory_order_relaxed);
  g_err.store(config.err, std::memory_order_relaxed);
  g_stallAt.store(config.stallAt, std::memory_order_relaxed);
  g_stallMs.store(config.stallMs < 0 ? kStallForever : config.stallMs, std::memory_order_relaxed);
  g_stallUntil = config.stallUntil;
  g_forward.store(0, std::memory_order_relaxed);
  g_undo.store(0, std::memory_order_relaxed);
  fault_detail::g_enabled.store(true, std::memory_order_release);
}

void clearFaultInjection() noexcept {
  std::lock_guard<std::mutex> lock(g_setMu);
  fault_detail::g_enabled.store(false, std::memory_order_relaxed);
  g_forward.store(0, std::memory_order_relaxed);
  g_undo.store(0, std::memory_order_relaxed);
}

FaultCounts faultInjectionCounts() noexcept {
  FaultCounts counts;
  counts.forward = g_forward.load(std::memory_order_relaxed);
  counts.undo = g_undo.load(std::memory_order_relaxed);
  return counts;
}

namespace fault_detail {

bool beforeOp(const Op& op, bool undo, OpResult* out) {
  if (!isMutating(op.kind)) return false;
  std::atomic_thread_fence(std::memory_order_acquire);  // pairs with the setter's release
  // Operations of one group run concurrently: their numbering is the order in
  // which the threads get here, which is all a test can rely on.
  const std::uint64_t k = (undo ? g_undo : g_forward).fetch_add(1, std::memory_order_relaxed) + 1;
  if (!undo && k == g_stallAt.load(std::memory_order_relaxed)) {
    std::string until;
    {
      std::lock_guard<std::mutex> lock(g_setMu);
      until = g_stallUntil;
    }
    announceStall(k, op);
    stall(g_stallMs.load(std::memory_order_relaxed), until);
  }
  if (k != (undo ? g_failUndoAt : g_failAt).load(std::memory_order_relaxed)) return false;
  *out = OpResult::failure(g_err.load(std::memory_order_relaxed), primarySyscall(op.kind),
                           op.displayPath, "injected fault");
  return true;
}

}  // namespace fault_detail

}  // namespace rtslib
