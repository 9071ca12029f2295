// Times many small batches that need pool threads (a group of independent
// operations, and operations with a timeout): the cost of the batch engine's
// thread handling per runBatch call, and how many threads the pool started.
// Then a chunk as the planner sends it (2000 independent operations, alone
// and as 1000 chains of two): the engine's cost per operation in a large group.
//   rtslib_batch_bench [batches]   (default 1000)
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "batch_engine.h"
#include "thread_pool.h"

namespace {

rtslib::Op statOp(const std::string& path, bool independent) {
  rtslib::Op o;
  o.kind = rtslib::OpKind::kStat;
  o.path = path;
  o.displayPath = path;
  o.independent = independent;
  return o;
}

double timeBatches(int batches, const std::vector<rtslib::Op>& ops,
                   const rtslib::BatchOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < batches; ++i) {
    const std::vector<rtslib::OpResult> r = rtslib::runBatch(ops, options);
    for (const rtslib::OpResult& x : r) {
      if (!x.ok()) {
        std::fprintf(stderr, "batch failed\n");
        std::exit(1);
      }
    }
  }
  const std::chrono::duration<double, std::micro> took = std::chrono::steady_clock::now() - start;
  return took.count() / batches;
}

}  // namespace

int main(int argc, char** argv) {
  const int batches = argc > 1 ? std::atoi(argv[1]) : 1000;
  const std::string dir = "/tmp";
  std::vector<rtslib::Op> group;
  for (int i = 0; i < 4; ++i) group.push_back(statOp(dir, true));
  rtslib::BatchOptions plain;
  rtslib::BatchOptions timed;
  timed.timeoutMs = 10000;
  const std::vector<rtslib::Op> two = {statOp(dir, false), statOp(dir, false)};

  timeBatches(50, group, plain);  // warm up
  std::printf("%d batches: group of 4 independent stats: %.1f us/batch\n", batches,
              timeBatches(batches, group, plain));
  std::printf("%d batches: 2 stats with timeoutMs:       %.1f us/batch\n", batches,
              timeBatches(batches, two, timed));
  std::printf("%d batches: group of 4 with timeoutMs:    %.1f us/batch\n", batches,
              timeBatches(batches, group, timed));
  std::vector<rtslib::Op> chunk;
  for (int i = 0; i < 2000; ++i) chunk.push_back(statOp(dir, true));
  std::vector<rtslib::Op> chains = chunk;
  for (std::uint32_t i = 1; i < chains.size(); i += 2) chains[i].after = {i - 1};
  const int large = std::max(1, batches / 50);
  std::printf("%d batches: group of 2000 independent stats: %.2f us/operation\n", large,
              timeBatches(large, chunk, plain) / 2000);
  std::printf("%d batches: 1000 chains of 2 stats:          %.2f us/operation\n", large,
              timeBatches(large, chains, plain) / 2000);
  std::printf("%d batches: group of 2000 with timeoutMs:    %.2f us/operation\n", large,
              timeBatches(large, chunk, timed) / 2000);
  // Without a reused pool this would be 4 per group and 1 per timed op.
  std::printf("threads started: %zu\n", rtslib::ThreadPool::instance().threadsStarted());
  return 0;
}
