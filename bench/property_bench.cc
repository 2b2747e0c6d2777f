// Cost of the differential property per sequence, against a plain replay of
// the same system calls with no model and no framework.
//
//  * BM_PlainReplay:       the syscalls alone, on one thread with a private
//                          descriptor table (RunSyscall per op).
//  * BM_ModelOnly:         the model's step function over the same ops.
//  * BM_ModelVsKernel:     model + KernelSut (executor-thread handoff) +
//                          comparison, without RapidCheck.
//  * BM_RapidCheckProperty: the full property as `epollcheck check` runs it
//                          (generation, swarm, commands), per sequence.
// The sequences are generated once, deterministically, from a fixed seed;
// one iteration runs all of them, and items/s is sequences per second.

#include <benchmark/benchmark.h>
#include <sched.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <rapidcheck.h>
#include <thread>

#include "model/step.h"
#include "properties/runner.h"
#include "properties/sequence.h"
#include "sut/kernel/kernel_sut.h"
#include "sut/kernel/harness_calls.h"
#include "sut/kernel/syscalls.h"

namespace epollcheck {
namespace {

constexpr int kSequences = 200;

const std::vector<std::vector<Op>>& Sequences() {
  static const std::vector<std::vector<Op>> sequences = [] {
    std::vector<std::vector<Op>> out;
    const auto gen = rc::gen::exec([] {
      const Swarm swarm = *GenSwarm();
      World initial;
      const auto commands = *rc::state::gen::commands(
          initial, [swarm](const World& w) { return GenCommand(w, swarm); });
      std::vector<Op> ops;
      World w = initial;
      for (const auto& c : commands) {
        const Op& op = dynamic_cast<const OpCommand&>(*c).op;
        if (!Admissible(w, op))
          continue;
        (void)Step(w, op);
        ops.push_back(op);
      }
      return ops;
    });
    rc::Random random(1234);
    for (int i = 0; i < kSequences; ++i) {
      out.push_back(gen(random.split(), 99).value());
    }
    return out;
  }();
  return sequences;
}

size_t TotalOps() {
  size_t n = 0;
  for (const auto& s : Sequences())
    n += s.size();
  return n;
}

void BM_PlainReplay(benchmark::State& state) {
  const auto& sequences = Sequences();
  for (auto _ : state) {
    double seconds = 0;
    std::thread([&] {
      // As KernelSut does: a private, empty table; EPIPE instead of SIGPIPE.
      unshare(CLONE_FILES);
      CloseFrom(0);
      sigset_t pipe_only;
      sigemptyset(&pipe_only);
      sigaddset(&pipe_only, SIGPIPE);
      pthread_sigmask(SIG_BLOCK, &pipe_only, nullptr);
      const auto start = std::chrono::steady_clock::now();
      for (const auto& ops : sequences) {
        for (const Op& op : ops)
          benchmark::DoNotOptimize(RunSyscall(op));
        CloseFrom(0);
      }
      seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                              start)
                    .count();
    }).join();
    state.SetIterationTime(seconds);
  }
  state.SetItemsProcessed(state.iterations() * kSequences);
  state.counters["ops_per_seq"] = static_cast<double>(TotalOps()) / kSequences;
}
BENCHMARK(BM_PlainReplay)->UseManualTime()->Unit(benchmark::kMicrosecond);

void BM_ModelOnly(benchmark::State& state) {
  const auto& sequences = Sequences();
  for (auto _ : state) {
    for (const auto& ops : sequences) {
      World w;
      for (const Op& op : ops)
        benchmark::DoNotOptimize(Step(w, op));
    }
  }
  state.SetItemsProcessed(state.iterations() * kSequences);
}
BENCHMARK(BM_ModelOnly)->Unit(benchmark::kMicrosecond);

void BM_ModelVsKernel(benchmark::State& state) {
  const auto& sequences = Sequences();
  const Profile profile = RunningKernelProfile();
  const SutFactory make = []() -> std::unique_ptr<Sut> {
    return std::move(std::get<0>(KernelSut::Create()));
  };
  std::vector<StepRecord> steps;
  std::string finish;
  for (auto _ : state) {
    for (const auto& ops : sequences) {
      if (ReplayOps(ops, make, profile, steps, finish) >= 0) {
        state.SkipWithError("divergence during benchmark");
        return;
      }
    }
  }
  state.SetItemsProcessed(state.iterations() * kSequences);
}
BENCHMARK(BM_ModelVsKernel)->Unit(benchmark::kMicrosecond);

void BM_RapidCheckProperty(benchmark::State& state) {
  CheckOptions options;
  options.sut_name = "kernel";
  options.profile = RunningKernelProfile();
  options.make_sut = []() -> std::unique_ptr<Sut> {
    return std::move(std::get<0>(KernelSut::Create()));
  };
  options.sequences = 100;
  options.max_ops = 100;
  uint64_t seed = 1;
  std::ostringstream sink;
  for (auto _ : state) {
    options.seed = seed++;
    const CheckReport r = RunCheck(options, sink, nullptr);
    if (r.divergences != 0) {
      state.SkipWithError("divergence during benchmark");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations() * options.sequences);
}
BENCHMARK(BM_RapidCheckProperty)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace epollcheck

BENCHMARK_MAIN();
