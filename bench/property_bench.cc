// Cost of the differential property per sequence, against a plain replay of
// the same system calls with no model and no framework. The sequences are
// the ones `epollcheck check --sut kernel --seed 1 --sequences 200` runs
// (GenerateSequence: the current generators, swarm and focus, at check's
// sizes, each ending with its list_fds); one iteration runs all of them, and
// items/s is sequences per second.
//
//  * BM_PlainReplay:        the syscalls alone (RunSyscall per op, which
//                           lets loopback TCP settle as the SUT does), on one
//                           thread with a private descriptor table.
//  * BM_ModelOnly:          the model's step function over the same ops.
//  * BM_ModelVsKernel:      model + KernelSut (executor-thread handoff) +
//                           comparison, without RapidCheck.
//  * BM_PropertyOnModel:    the full property with the model as SUT: what
//                           generation and the RapidCheck machinery cost.
//  * BM_RapidCheckProperty: the full property exactly as `epollcheck check`
//                           runs it (RunSequence per sequence: generation,
//                           swarm, focus, commands, kernel SUT, comparison,
//                           rule counting), per sequence.
//  * BM_PropertyVsPlain:    the last and the first alternately in each
//                           iteration, each timed by the process's CPU time
//                           and by the wall clock, so that load from other
//                           processes hits both alike; reports plain_us,
//                           property_us (CPU per sequence) and their ratio,
//                           and the same by wall time (plain_wall_us, ...).
//
// Times are the process's CPU time (all threads, system time included: the
// kernel SUT's executor thread too), which load from other processes
// disturbs far less than wall time; the wall time is printed beside it.
//
//   build/epollcheck_bench --benchmark_repetitions=5
//                          --benchmark_report_aggregates_only=true

#include <benchmark/benchmark.h>
#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <sstream>
#include <thread>

#include "model/step.h"
#include "properties/runner.h"
#include "properties/sequence.h"
#include "sut/kernel/children.h"
#include "sut/kernel/harness_calls.h"
#include "sut/kernel/syscalls.h"
#include "sut/model_sut.h"
#include "sut/registry.h"

namespace epollcheck {
namespace {

constexpr int kSequences = 200;

// The options of `epollcheck check --sut kernel --seed 1 --sequences 200`.
const CheckOptions& KernelOptions() {
  static const CheckOptions options = [] {
    auto made = MakeSut("kernel");
    if (auto* why = std::get_if<std::string>(&made)) {
      std::fprintf(stderr, "epollcheck_bench: %s\n", why->c_str());
      std::exit(1);
    }
    const SutEntry& entry = std::get<SutEntry>(made);
    CheckOptions o;
    o.sut_name = "kernel";
    o.sut_description = entry.description;
    o.make_sut = entry.make;
    o.profile = entry.profile;
    o.families = entry.families;
    o.sequences = kSequences;
    o.max_ops = 100;
    o.seed = 1;
    return o;
  }();
  return options;
}

const std::vector<std::vector<Op>>& Sequences() {
  static const std::vector<std::vector<Op>> sequences = [] {
    std::vector<std::vector<Op>> out;
    for (int i = 0; i < kSequences; ++i)
      out.push_back(GenerateSequence(KernelOptions(), i));
    return out;
  }();
  return sequences;
}

double OpsPerSequence() {
  size_t n = 0;
  for (const auto& s : Sequences())
    n += s.size();
  return static_cast<double>(n) / kSequences;
}

double ProcessCpuSeconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

double WallSeconds() {
  return std::chrono::duration<double>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Replays every sequence's syscalls on a thread of its own, as KernelSut's
// executor does: a private, empty table; EPIPE instead of SIGPIPE; new
// socket names and a closed table after each sequence.
void ReplayPlain() {
  std::thread([] {
    unshare(CLONE_FILES);
    close_range(0, ~0U, 0);
    // SIGPIPE and the signals sequences raise (tgkill, model/ops.h
    // kBlockedSignals) stay pending, as on the executor.
    (void)BlockAsyncSignals();
    for (const auto& ops : Sequences()) {
      for (const Op& op : ops)
        benchmark::DoNotOptimize(RunSyscall(op));
      EndChildren();  // forked children end with their sequence
      close_range(0, ~0U, 0);
      const uint64_t mask = kBlockedSignals;
      const timespec zero{};
      while (syscall(SYS_rt_sigtimedwait, &mask, nullptr, &zero, sizeof mask) >
             0) {
      }
      NewAbstractNamespace();
    }
  }).join();
}

void RunProperty(const CheckOptions& options) {
  std::ostringstream sink;
  const CheckReport r = RunCheck(options, sink, nullptr);
  if (r.divergences != 0) {
    std::fprintf(stderr, "epollcheck_bench: divergence:\n%s\n",
                 sink.str().c_str());
    std::exit(1);
  }
}

void BM_PlainReplay(benchmark::State& state) {
  (void)Sequences();
  for (auto _ : state)
    ReplayPlain();
  state.SetItemsProcessed(state.iterations() * kSequences);
  state.counters["ops_per_seq"] = OpsPerSequence();
}
BENCHMARK(BM_PlainReplay)
    ->MeasureProcessCPUTime()
    ->Unit(benchmark::kMicrosecond);

void BM_ModelOnly(benchmark::State& state) {
  const auto& sequences = Sequences();
  for (auto _ : state) {
    for (const auto& ops : sequences) {
      World w;
      w.profile = KernelOptions().profile;
      for (const Op& op : ops)
        benchmark::DoNotOptimize(Step(w, op));
    }
  }
  state.SetItemsProcessed(state.iterations() * kSequences);
}
BENCHMARK(BM_ModelOnly)->MeasureProcessCPUTime()->Unit(benchmark::kMicrosecond);

void BM_ModelVsKernel(benchmark::State& state) {
  const auto& sequences = Sequences();
  const CheckOptions& options = KernelOptions();
  std::vector<StepRecord> steps;
  std::string finish;
  for (auto _ : state) {
    for (const auto& ops : sequences) {
      if (ReplayOps(ops, options.make_sut, options.profile, steps, finish) >=
          0) {
        state.SkipWithError("divergence during benchmark");
        return;
      }
    }
  }
  state.SetItemsProcessed(state.iterations() * kSequences);
}
BENCHMARK(BM_ModelVsKernel)
    ->MeasureProcessCPUTime()
    ->Unit(benchmark::kMicrosecond);

void BM_PropertyOnModel(benchmark::State& state) {
  CheckOptions options = KernelOptions();
  options.make_sut = [profile = options.profile]() -> std::unique_ptr<Sut> {
    return std::make_unique<ModelSut>(profile);
  };
  for (auto _ : state)
    RunProperty(options);
  state.SetItemsProcessed(state.iterations() * kSequences);
}
BENCHMARK(BM_PropertyOnModel)
    ->MeasureProcessCPUTime()
    ->Unit(benchmark::kMicrosecond);

void BM_RapidCheckProperty(benchmark::State& state) {
  const CheckOptions& options = KernelOptions();
  for (auto _ : state)
    RunProperty(options);
  state.SetItemsProcessed(state.iterations() * kSequences);
}
BENCHMARK(BM_RapidCheckProperty)
    ->MeasureProcessCPUTime()
    ->Unit(benchmark::kMicrosecond);

void BM_PropertyVsPlain(benchmark::State& state) {
  const CheckOptions& options = KernelOptions();
  (void)Sequences();
  double plain = 0;
  double property = 0;
  double plain_wall = 0;
  double property_wall = 0;
  for (auto _ : state) {
    const double t0 = ProcessCpuSeconds();
    const double w0 = WallSeconds();
    ReplayPlain();
    const double t1 = ProcessCpuSeconds();
    const double w1 = WallSeconds();
    RunProperty(options);
    plain += t1 - t0;
    plain_wall += w1 - w0;
    property += ProcessCpuSeconds() - t1;
    property_wall += WallSeconds() - w1;
  }
  const double runs = static_cast<double>(state.iterations()) * kSequences;
  state.counters["plain_us"] = plain / runs * 1e6;
  state.counters["property_us"] = property / runs * 1e6;
  state.counters["ratio"] = plain > 0 ? property / plain : 0;
  state.counters["plain_wall_us"] = plain_wall / runs * 1e6;
  state.counters["property_wall_us"] = property_wall / runs * 1e6;
  state.counters["wall_ratio"] =
      plain_wall > 0 ? property_wall / plain_wall : 0;
}
BENCHMARK(BM_PropertyVsPlain)
    ->MeasureProcessCPUTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace epollcheck

BENCHMARK_MAIN();
