// Cost of the differential property per sequence, against a plain replay of
// the same system calls with no model and no framework.
//
//  * BM_PlainReplay:       the syscalls alone, on one thread with a private
//                          descriptor table (RunSyscall per op).
//  * BM_ModelOnly:         the model's step function over the same ops.
//  * BM_ModelVsKernel:     model + KernelSut (executor-thread handoff) +
//                          comparison, without RapidCheck; /0 without the
//                          fdinfo oracle, /1 with it (every open instance
//                          read after every step; `fdinfo_reads` per
//                          sequence).
//  * BM_RapidCheckProperty: the full property as `epollcheck check` runs it
//                          (generation, swarm, commands), per sequence; /0
//                          and /1 as above.
// The sequences are generated once, deterministically, from a fixed seed;
// one iteration runs all of them, and items/s is sequences per second.

#include <benchmark/benchmark.h>
#include <sched.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <rapidcheck.h>
#include <thread>

#include "model/fdinfo.h"
#include "model/step.h"
#include "properties/runner.h"
#include "properties/sequence.h"
#include "sut/fdinfo.h"
#include "sut/kernel/kernel_sut.h"
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

// The epoll instances the fdinfo oracle reads over all sequences: those
// open after each step.
size_t TotalFdinfoReads() {
  size_t n = 0;
  for (const auto& ops : Sequences()) {
    World w;
    for (const Op& op : ops) {
      (void)Step(w, op);
      n += OpenEpollInstances(w).size();
    }
  }
  return n;
}

void BM_PlainReplay(benchmark::State& state) {
  const auto& sequences = Sequences();
  for (auto _ : state) {
    double seconds = 0;
    std::thread([&] {
      // As KernelSut does: a private, empty table; EPIPE instead of SIGPIPE.
      unshare(CLONE_FILES);
      close_range(0, ~0U, 0);
      sigset_t pipe_only;
      sigemptyset(&pipe_only);
      sigaddset(&pipe_only, SIGPIPE);
      pthread_sigmask(SIG_BLOCK, &pipe_only, nullptr);
      const auto start = std::chrono::steady_clock::now();
      for (const auto& ops : sequences) {
        for (const Op& op : ops)
          benchmark::DoNotOptimize(RunSyscall(op));
        close_range(0, ~0U, 0);
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

// The kernel SUT, with the fdinfo oracle (state.range(0) == 1) or without.
SutFactory KernelFactory(const benchmark::State& state) {
  if (state.range(0) == 1) {
    return []() -> std::unique_ptr<Sut> {
      return std::move(std::get<0>(KernelSut::Create()));
    };
  }
  return []() -> std::unique_ptr<Sut> {
    return std::make_unique<WithoutFdinfo>(
        std::move(std::get<0>(KernelSut::Create())));
  };
}

// As ReplayOps, with the fdinfo oracle's own time measured: the share of a
// step it takes (`fdinfo_ns_per_step` of `step_ns`: model, SUT, comparison
// and oracle; the oracle runs on this thread, the SUT on its executor).
void BM_ModelVsKernel(benchmark::State& state) {
  const auto& sequences = Sequences();
  const Profile profile = RunningKernelProfile();
  const SutFactory make = KernelFactory(state);
  using Clock = std::chrono::steady_clock;
  Clock::duration oracle_time{};
  Clock::duration total_time{};
  long steps = 0;
  for (auto _ : state) {
    for (const auto& ops : sequences) {
      const auto start = Clock::now();
      World world;
      world.profile = profile;
      std::unique_ptr<Sut> sut = make();
      std::optional<FdinfoOracle> oracle;
      if (sut->FdinfoOff().empty())
        oracle.emplace();
      for (const Op& op : ops) {
        const Outcome want = Step(world, op);
        const Outcome got = sut->Execute(op);
        bool diverged = !(want == got);
        if (!diverged && oracle) {
          const auto before = Clock::now();
          diverged = oracle->Check(world, *sut).has_value();
          oracle_time += Clock::now() - before;
        }
        if (diverged) {
          state.SkipWithError("divergence during benchmark");
          return;
        }
      }
      if (!sut->Finish().empty()) {
        state.SkipWithError("leak during benchmark");
        return;
      }
      steps += static_cast<long>(ops.size());
      total_time += Clock::now() - start;
    }
  }
  state.SetItemsProcessed(state.iterations() * kSequences);
  state.counters["ops_per_seq"] = static_cast<double>(TotalOps()) / kSequences;
  state.counters["step_ns"] =
      std::chrono::duration<double, std::nano>(total_time).count() /
      static_cast<double>(steps);
  if (state.range(0) == 1) {
    state.counters["fdinfo_reads_per_seq"] =
        static_cast<double>(TotalFdinfoReads()) / kSequences;
    state.counters["fdinfo_ns_per_step"] =
        std::chrono::duration<double, std::nano>(oracle_time).count() /
        static_cast<double>(steps);
  }
}
BENCHMARK(BM_ModelVsKernel)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

void BM_RapidCheckProperty(benchmark::State& state) {
  CheckOptions options;
  options.sut_name = "kernel";
  options.profile = RunningKernelProfile();
  options.make_sut = KernelFactory(state);
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
BENCHMARK(BM_RapidCheckProperty)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace epollcheck

BENCHMARK_MAIN();
