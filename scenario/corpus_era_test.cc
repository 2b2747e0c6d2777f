// The corpus under every kernel era the model knows: each file replayed on
// the model simulating that era (ModelSut) passes, so every step whose
// result depends on the era is marked `@era` (an unmarked one would be
// checked against its written 6.18 result and fail). A kernel that behaves
// unlike its era's profile still fails an `@era` step, and a wrong written
// result still fails on the file's own era.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "scenario/replay.h"
#include "scenario/scenario.h"
#include "sut/model_sut.h"

namespace epollcheck {
namespace {

// One kernel per era boundary the profiles know (model/profile.h), and after.
const std::vector<std::pair<int, int>> kEras = {
    {5, 4},  {5, 10}, {5, 11}, {5, 14}, {6, 1},  {6, 8},  {6, 9}, {6, 12},
    {6, 13}, {6, 14}, {6, 15}, {6, 16}, {6, 17}, {6, 18}, {7, 0}};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

Scenario Parse(const std::string& text) {
  auto parsed = ParseScenario(text);
  if (auto* error = std::get_if<ParseError>(&parsed)) {
    ADD_FAILURE() << "line " << error->line << ": " << error->message;
    return {};
  }
  return std::get<Scenario>(parsed);
}

// Replays `scenario` on a model simulating `sut_era`, checked as a kernel of
// era `claimed` (what uname or --kernel-era would say).
ReplayReport ReplayOnModel(const Scenario& scenario, const Profile& sut_era,
                           const Profile& claimed) {
  ModelSut sut(sut_era);
  return Replay(scenario, sut, claimed, ReplayMode::kWritten);
}

std::string Describe(const ReplayReport& report) {
  std::ostringstream os;
  PrintReplay(os, report);
  return os.str();
}

std::vector<std::string> CorpusFiles() {
  std::vector<std::string> files;
  for (const auto& entry :
       std::filesystem::directory_iterator(EPOLLCHECK_CORPUS_DIR)) {
    if (entry.path().extension() == ".scn")
      files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

// Era `major.minor` with the host facts `scenario` needs (its
// fs.epoll.max_user_watches), as replay --kernel-era builds it.
Profile EraFor(const Scenario& scenario, int major, int minor) {
  Profile era = ProfileForKernel(major, minor);
  if (scenario.max_user_watches)
    era.max_user_watches = *scenario.max_user_watches;
  return era;
}

// A kernel without AF_UNIX MSG_OOB (unix.msg_oob=eopnotsupp: before 5.15)
// does not implement family unixoob, and replay skips a file that uses it
// there (exit 77), as these tests do.
bool SkippedOn(const Scenario& scenario, const Profile& era) {
  if (era.unix_oob)
    return false;
  for (const ScenarioStep& step : scenario.steps) {
    if ((FamilyOf(step.op) & kFamilyUnixOob) != 0)
      return true;
  }
  return false;
}

TEST(CorpusEras, EveryEraDependentStepIsMarked) {
  const std::vector<std::string> files = CorpusFiles();
  ASSERT_GE(files.size(), 60u);
  for (const std::string& path : files) {
    const Scenario scenario = Parse(ReadFile(path));
    for (const auto& [major, minor] : kEras) {
      const Profile era = EraFor(scenario, major, minor);
      if (SkippedOn(scenario, era))
        continue;
      const ReplayReport report = ReplayOnModel(scenario, era, era);
      EXPECT_EQ(report.mismatches, 0) << path << " on era " << era.name << ":\n"
                                      << Describe(report);
    }
  }
}

// An `@era` mark is only where the model's prediction changes with the era.
TEST(CorpusEras, EveryMarkedStepChangesWithTheEra) {
  for (const std::string& path : CorpusFiles()) {
    const Scenario scenario = Parse(ReadFile(path));
    std::vector<ReplayReport> reports;
    for (const auto& [major, minor] : kEras) {
      const Profile era = EraFor(scenario, major, minor);
      if (!SkippedOn(scenario, era))
        reports.push_back(ReplayOnModel(scenario, era, era));
    }
    for (size_t i = 0; i < scenario.steps.size(); ++i) {
      if (!scenario.steps[i].era_dependent)
        continue;
      bool changes = false;
      for (const ReplayReport& r : reports) {
        changes |= r.steps.size() > i && reports[0].steps.size() > i &&
                   !(r.steps[i].got == reports[0].steps[i].got);
      }
      EXPECT_TRUE(changes) << path << ":" << scenario.steps[i].line
                           << ": marked @era but the same on every era";
    }
  }
}

const std::string kH4 = EPOLLCHECK_CORPUS_DIR "/H4-wait-errno-order.scn";

// A kernel that does not do what its era's profile says fails the @era
// steps: a 6.18-behaving SUT checked as 6.1, and a 6.1-behaving one checked
// as 6.18 (there the written results are checked).
TEST(CorpusEras, AKernelUnlikeItsProfileStillFails) {
  const Scenario scenario = Parse(ReadFile(kH4));
  const Profile old_era = ProfileForKernel(6, 1);
  const Profile new_era = ProfileForKernel(6, 18);
  EXPECT_EQ(ReplayOnModel(scenario, old_era, old_era).mismatches, 0);
  const ReplayReport new_as_old = ReplayOnModel(scenario, new_era, old_era);
  // Three EBADF-before-EINVAL steps, two EBADF-before-EFAULT ones.
  EXPECT_EQ(new_as_old.mismatches, 5) << Describe(new_as_old);
  EXPECT_NE(Describe(new_as_old).find("(@era: the model's) got -1 EBADF"),
            std::string::npos)
      << Describe(new_as_old);
  const ReplayReport old_as_new = ReplayOnModel(scenario, old_era, new_era);
  EXPECT_EQ(old_as_new.mismatches, 5) << Describe(old_as_new);
}

// A wrong written result fails on the file's era, marked or not; on another
// era an unmarked wrong result still fails.
TEST(CorpusEras, AWrongExpectationStillFails) {
  std::string text = ReadFile(kH4);
  const Profile written = ProfileForKernel(6, 18);
  const Profile old_era = ProfileForKernel(6, 1);
  // Marked step, wrong on 6.18.
  std::string marked = text;
  const std::string line = "epoll_wait(-1, 0)                      -> -1 EBADF";
  ASSERT_NE(marked.find(line), std::string::npos);
  marked.replace(marked.find(line), line.size(),
                 "epoll_wait(-1, 0)                      -> -1 EINVAL");
  EXPECT_EQ(ReplayOnModel(Parse(marked), written, written).mismatches, 1);
  // Unmarked step, wrong on every era.
  std::string unmarked = text;
  const std::string last = "epoll_wait(e0, 64)                     -> 0";
  ASSERT_NE(unmarked.find(last), std::string::npos);
  unmarked.replace(unmarked.find(last), last.size(),
                   "epoll_wait(e0, 64)                     -> -1 EBADF");
  EXPECT_EQ(ReplayOnModel(Parse(unmarked), written, written).mismatches, 1);
  EXPECT_EQ(ReplayOnModel(Parse(unmarked), old_era, old_era).mismatches, 1);
}

}  // namespace
}  // namespace epollcheck
