// Claim: for every generated sequence of operations, the running kernel's
// result of every step (return value or errno, new fds, events in order)
// equals the model's, the descriptor tables agree at the end, and nothing is
// left open. Exercised by RapidCheck with swarm-weighted op kinds; a failure
// shrinks to a minimal sequence. RC_PARAMS raises the budget, e.g.
// RC_PARAMS="max_success=10000".

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <iostream>
#include <sstream>

#include "fixtures/fd_hygiene.h"
#include "properties/runner.h"
#include "properties/sequence.h"
#include "sut/kernel/kernel_sut.h"
#include "sut/mutant_sut.h"

namespace epollcheck {
namespace {

std::unique_ptr<Sut> MakeKernel() {
  auto made = KernelSut::Create();
  if (auto* why = std::get_if<std::string>(&made)) {
    throw std::runtime_error("kernel SUT cannot start: " + *why);
  }
  return std::move(std::get<0>(made));
}

class ModelMatchesKernel : public ::testing::Test {
protected:
  void SetUp() override {
    auto probe = KernelSut::Create();
    if (auto* why = std::get_if<std::string>(&probe))
      GTEST_SKIP() << *why;
    before_ = FdSnapshot::Take();
  }
  void TearDown() override {
    EXPECT_EQ(FdSnapshot::Take(), before_) << "the harness leaked descriptors";
  }
  FdSnapshot before_;
};

RC_GTEST_FIXTURE_PROP(ModelMatchesKernel, EveryStepAgrees, ()) {
  CheckSequence(MakeKernel, RunningKernelProfile());
}

// The test double (sut/mutant_sut.h): the kernel, except that it loses the
// last event of any epoll_wait that returns two or more. The property must
// catch it and shrink it.
// `check` options for the LosesLastEvent SUT, seed 1.
CheckOptions MutantOptions(int sequences) {
  CheckOptions options;
  options.sut_name = "mutant";
  options.sut_description = "kernel minus the last event";
  options.make_sut = [] {
    return std::make_unique<LosesLastEvent>(MakeKernel());
  };
  options.profile = RunningKernelProfile();
  options.sequences = sequences;
  options.seed = 1;
  return options;
}

TEST_F(ModelMatchesKernel, PropertyCatchesAndShrinksALostEvent) {
  const CheckOptions options = MutantOptions(400);
  std::ostringstream out;
  const CheckReport report = RunCheck(options, out, nullptr);
  std::cout << out.str();  // what a user sees for such a bug
  ASSERT_GE(report.divergences, 1) << out.str();
  ASSERT_EQ(report.found.size(), static_cast<size_t>(report.divergences));
  // Every distinct divergence is the lost event, told apart only by the
  // model rule that queued it (the ADD, a wakeup, a level-triggered
  // re-queue): the double's fault is no rule of the model.
  for (const FoundDivergence& d : report.found) {
    EXPECT_EQ(d.signature.rfind("epoll_wait:events.count:", 0), 0u)
        << d.signature;
    EXPECT_TRUE(d.reproduced);
  }
  EXPECT_NE(out.str().find("<- DIVERGES"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("rerun: epollcheck check --sut mutant --seed 1"),
            std::string::npos)
      << out.str();
  // Minimal: two ready items need a pipe, an epoll, two ADDs (or dups), a
  // write and the wait; allow a little slack for the shrinker.
  EXPECT_LE(report.found[0].steps, 9u) << out.str();
}

// A known-divergence registry masks its signatures from the start: they are
// listed with their hit counts, not reported as new.
TEST_F(ModelMatchesKernel, KnownDivergencesAreListedNotCounted) {
  CheckOptions options = MutantOptions(300);
  options.known["epoll_wait:events.count:epoll_ctl.add.ready"] =
      KnownDivergence{"fixtures/known/example.scn", "drops the last event"};
  std::ostringstream out;
  const CheckReport report = RunCheck(options, out, nullptr);
  for (const FoundDivergence& d : report.found)
    EXPECT_NE(d.signature, "epoll_wait:events.count:epoll_ctl.add.ready")
        << out.str();
  ASSERT_EQ(
      report.known_hits.count("epoll_wait:events.count:epoll_ctl.add.ready"),
      1u)
      << out.str();
  EXPECT_GT(report.known_hits.at("epoll_wait:events.count:epoll_ctl.add.ready"),
            0);
  EXPECT_NE(out.str().find("known  fixtures/known/example.scn"),
            std::string::npos)
      << out.str();
}

}  // namespace
}  // namespace epollcheck
