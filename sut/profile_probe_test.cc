// The probes decide every era feature from behaviour: run on the model
// simulating each era, they find that era's features (so each probe tells
// every value of its feature apart, or says which it cannot), and on the
// running kernel every feature is decided and the corpus-era naming holds.

#include "sut/profile_probe.h"

#include <gtest/gtest.h>

#include "model/abi.h"
#include "sut/kernel/kernel_sut.h"
#include "sut/model_sut.h"

namespace epollcheck {
namespace {

const std::vector<std::pair<int, int>> kEras = {
    {5, 4},  {5, 10}, {5, 14}, {6, 1},  {6, 8},  {6, 9},  {6, 12},
    {6, 13}, {6, 14}, {6, 15}, {6, 16}, {6, 17}, {6, 18}, {7, 0}};

SutFactory ModelOf(const Profile& profile) {
  return [profile]() -> std::unique_ptr<Sut> {
    return std::make_unique<ModelSut>(profile);
  };
}

TEST(ProfileProbe, EveryProbeNamesAFeatureAndEveryFeatureHasAProbe) {
  const ProbedProfile probed =
      ProbeProfile(ModelOf(ProfileForKernel(6, 18)), Profile{});
  ASSERT_EQ(probed.features.size(), EraFeatures().size());
  for (size_t i = 0; i < EraFeatures().size(); ++i)
    EXPECT_EQ(probed.features[i].feature, EraFeatures()[i].name);
}

TEST(ProfileProbe, FindsEachEraOnTheModel) {
  for (const auto& [major, minor] : kEras) {
    const Profile era = ProfileForKernel(major, minor);
    // Start from the opposite of every feature, so nothing is right by
    // default.
    Profile base;
    for (const EraFeature& f : EraFeatures())
      f.set(base, f.get(era) == 0 ? 1 : 0);
    const ProbedProfile probed = ProbeProfile(ModelOf(era), base, major, minor);
    EXPECT_TRUE(SameEraBehaviour(probed.profile, era)) << era.name << ":\n"
                                                       << ProbeReport(probed);
    EXPECT_EQ(probed.profile.name, era.name) << ProbeReport(probed);
    for (const ProbeEvidence& e : probed.features) {
      EXPECT_TRUE(e.decided) << era.name << ": " << e.feature;
      EXPECT_FALSE(e.evidence.empty()) << era.name << ": " << e.feature;
      EXPECT_TRUE(e.note.empty())
          << era.name << ": " << e.feature << " ambiguous: " << e.note;
    }
    EXPECT_EQ(probed.families,
              era.unix_oob ? kAllFamilies : kAllFamilies & ~kFamilyUnixOob);
  }
}

// A target no value explains keeps the base value and says so.
TEST(ProfileProbe, AnUnexplainedResultIsReportedNotGuessed) {
  class EveryWaitFails final : public Sut {
  public:
    Outcome Execute(const Op& op) override {
      if (std::holds_alternative<EpollWait>(op))
        return Outcome::Error(abi::kEperm);
      return inner_.Execute(op);
    }
    std::string Finish() override { return {}; }

  private:
    ModelSut inner_{ProfileForKernel(6, 18)};
  };
  const ProbedProfile probed = ProbeProfile(
      [] { return std::unique_ptr<Sut>(new EveryWaitFails()); }, Profile{});
  ASSERT_FALSE(probed.features.empty());
  EXPECT_FALSE(probed.features[0].decided);
  EXPECT_EQ(probed.features[0].value, "fd-first");
  EXPECT_NE(ProbeReport(probed).find("no value predicts"), std::string::npos)
      << ProbeReport(probed);
}

TEST(ProfileProbe, RunningKernelIsFullyDecided) {
  const ProbedProfile& probed = RunningKernelProbe();
  for (const ProbeEvidence& e : probed.features)
    EXPECT_TRUE(e.decided) << e.feature << ": " << e.evidence;
  std::string why;
  const auto reparsed = ParseProfileName(probed.profile.name, &why);
  ASSERT_TRUE(reparsed) << why;
  EXPECT_TRUE(SameEraBehaviour(*reparsed, probed.profile));
}

TEST(ProfileNames, RoundTripWithOverrides) {
  Profile p = ProfileForKernel(6, 1);
  p.loop_check_counts_upward_depth = true;  // the stable backport
  const std::string name = ProfileName(p, 6, 1);
  EXPECT_EQ(name, "6.1 epoll_ctl.loop_check=upward-depth");
  std::string why;
  const auto back = ParseProfileName(name, &why);
  ASSERT_TRUE(back) << why;
  EXPECT_TRUE(SameEraBehaviour(*back, p));
  EXPECT_FALSE(ParseProfileName("6.1 pipe.write_wake=sometimes", &why));
  EXPECT_NE(why.find("not one of if-empty-or-polled"), std::string::npos)
      << why;
  EXPECT_FALSE(ParseProfileName("6.1 nosuch=1", &why));
  EXPECT_FALSE(ParseProfileName("six", &why));
}

}  // namespace
}  // namespace epollcheck
