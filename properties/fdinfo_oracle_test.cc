// The fdinfo oracle finds a wrong stored mask at the step that stores it.
// `mutant-mod-mask` (scratch whose EPOLL_CTL_MOD forgets EPOLLERR|EPOLLHUP)
// is run over the same generated sequences with the oracle and without it
// (WithoutFdinfo): with it, every sequence the results alone catch is
// caught at the same step or earlier, many more are caught at all, and
// the first divergence is the MOD itself (fdinfo:epoll_ctl.events:...).

#include <gtest/gtest.h>

#include <string>

#include "properties/runner.h"
#include "sut/mutant_sut.h"
#include "sut/sim/sim_sut.h"

namespace epollcheck {
namespace {

CheckOptions MutantOptions(bool fdinfo) {
  sim::SimConfig config;
  for (const ScratchMutant& m : ScratchMutants()) {
    if (m.name == "mutant-mod-mask")
      config = m.config;
  }
  EXPECT_TRUE(config.fault_mod_without_err_hup);
  CheckOptions options;
  options.sut_name = "mutant-mod-mask";
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

}  // namespace
}  // namespace epollcheck
