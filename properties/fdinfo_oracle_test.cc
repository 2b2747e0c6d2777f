// The fdinfo oracle finds a wrong stored mask at the step that stores it.
// `mutant-mod-mask` (scratch whose EPOLL_CTL_MOD forgets EPOLLERR|EPOLLHUP)
// is run over the same generated sequences with the oracle and without it
// (WithoutFdinfo): with it, every sequence the results alone catch is
// caught at the same step or earlier, many more are caught at all, and
// the first divergence is the MOD itself (fdinfo:epoll_ctl.events:...).

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "properties/runner.h"
#include "sut/mutant_sut.h"
#include "sut/sim/sim_sut.h"

namespace epollcheck {
namespace {

CheckOptions MutantOptions(bool fdinfo,
                           std::string_view name = "mutant-mod-mask") {
  sim::SimConfig config;
  bool found = false;
  for (const ScratchMutant& m : ScratchMutants()) {
    if (m.name == name) {
      config = m.config;
      found = true;
    }
  }
  EXPECT_TRUE(found) << name;
  CheckOptions options;
  options.sut_name = std::string(name);
  options.profile = ProfileForKernel(6, 18);
  options.families = kScratchFamilies;
  options.sequences = 1000;
  options.seed = 1;
  options.make_sut = [config, fdinfo]() -> std::unique_ptr<Sut> {
    auto sut = std::make_unique<SimSut>(config);
    if (fdinfo)
      return sut;
    return std::make_unique<WithoutFdinfo>(std::move(sut));
  };
  return options;
}

TEST(FdinfoOracle, CatchesAWrongStoredMaskBeforeTheResultsDo) {
  const CheckOptions with = MutantOptions(true);
  const CheckOptions without = MutantOptions(false);
  int caught_with = 0;
  int caught_without = 0;
  int earlier = 0;
  for (int i = 0; i < with.sequences; ++i) {
    const SequenceRun a = RunSequence(with, i);
    const SequenceRun b = RunSequence(without, i);
    ASSERT_TRUE(a.failure.empty()) << a.failure;
    ASSERT_TRUE(b.failure.empty()) << b.failure;
    // Without the oracle no step is checked by it.
    EXPECT_EQ(b.coverage.fdinfo_checks, 0);
    EXPECT_EQ(a.coverage.fdinfo_checks, a.coverage.steps);
    if (!a.divergence.empty()) {
      ++caught_with;
      EXPECT_EQ(a.divergence.rfind("fdinfo:epoll_ctl.events:", 0), 0u)
          << "sequence " << i << ": " << a.divergence;
    }
    if (b.divergence.empty())
      continue;
    ++caught_without;
    ASSERT_FALSE(a.divergence.empty()) << "sequence " << i;
    EXPECT_LE(a.divergence_step, b.divergence_step) << "sequence " << i;
    earlier += a.divergence_step < b.divergence_step ? 1 : 0;
  }
  // The results show the fault in some sequences, always later than the
  // MOD; the oracle shows it in every sequence with a successful MOD.
  EXPECT_GT(caught_without, 0);
  EXPECT_EQ(earlier, caught_without);
  EXPECT_GT(caught_with, 3 * caught_without);
  RecordProperty("caught_with_fdinfo", caught_with);
  RecordProperty("caught_by_results_alone", caught_without);
}

// A lost ghost item (`mutant-close-ghost`: close(fd) drops the items added
// with that number although a dup keeps the file open) is seen at the
// step that loses it: the oracle reads, after a close, the instances that
// watch the file it closes (FdinfoScopeOf), so no step in between hides it.
TEST(FdinfoOracle, CatchesALostGhostItemAtTheCloseThatLosesIt) {
  const CheckOptions with = MutantOptions(true, "mutant-close-ghost");
  const CheckOptions without = MutantOptions(false, "mutant-close-ghost");
  int caught_with = 0;
  int at_close = 0;
  int caught_without = 0;
  for (int i = 0; i < with.sequences; ++i) {
    const SequenceRun a = RunSequence(with, i);
    const SequenceRun b = RunSequence(without, i);
    ASSERT_TRUE(a.failure.empty()) << a.failure;
    ASSERT_TRUE(b.failure.empty()) << b.failure;
    if (!a.divergence.empty()) {
      ++caught_with;
      // Every divergence is the oracle's, at a step that closes a
      // descriptor (close, a child's close, a fork's child closing what
      // it does not keep).
      EXPECT_EQ(a.divergence.rfind("fdinfo:", 0), 0u)
          << "sequence " << i << ": " << a.divergence;
      at_close += a.divergence.rfind("fdinfo:close.items.missing", 0) == 0;
    }
    if (b.divergence.empty())
      continue;
    ++caught_without;
    ASSERT_FALSE(a.divergence.empty()) << "sequence " << i;
    EXPECT_LT(a.divergence_step, b.divergence_step) << "sequence " << i;
  }
  EXPECT_GT(at_close, 0);
  EXPECT_GT(caught_with, caught_without);
  RecordProperty("caught_with_fdinfo", caught_with);
  RecordProperty("caught_at_a_close", at_close);
  RecordProperty("caught_by_results_alone", caught_without);
}

}  // namespace
}  // namespace epollcheck
