// The rule table (model/rule_table.h) against the model's sources and the
// generated docs, and the counters' sink (model/rules.h).

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "model/abi.h"
#include "model/rules.h"
#include "model/step.h"
#include "properties/rule_stats.h"

namespace epollcheck {
namespace {

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// A name RULE() does not know does not compile; a name nothing counts is a
// rule without a counter.
TEST(RuleTable, EveryRuleIsCountedInTheModel) {
  std::set<std::string> counted;
  const std::regex rule(R"re(RULE\("([^"]+)"\))re");
  for (const auto& entry : std::filesystem::directory_iterator(
           std::filesystem::path(EPOLLCHECK_SOURCE_DIR) / "model")) {
    if (entry.path().extension() != ".cc")
      continue;
    const std::string text = ReadFile(entry.path());
    for (std::sregex_iterator it(text.begin(), text.end(), rule), end;
         it != end; ++it) {
      counted.insert((*it)[1]);
    }
  }
  for (const RuleInfo& r : kRules)
    EXPECT_TRUE(counted.count(std::string(r.name))) << r.name;
  EXPECT_EQ(counted.size(), kRuleCount);
}

TEST(RuleTable, DocsAreCurrent) {
  const std::string docs = ReadFile(
      std::filesystem::path(EPOLLCHECK_SOURCE_DIR) / "docs" / "rules.md");
  EXPECT_TRUE(docs == RulesMarkdown())
      << "docs/rules.md is stale: build/epollcheck_rules_doc > docs/rules.md";
}

TEST(RuleCounting, OnlyIntoAnInstalledSink) {
  using namespace abi;
  const Op pipe{Pipe2{.flags = kONonblock}};
  const Op bad_dup2{Dup2{.oldfd = 9, .newfd = 1}};
  RuleCounts outer{};
  RuleCounts inner{};
  World w;
  Step(w, bad_dup2);  // no sink: counted nowhere
  {
    const ScopedRuleSink count_outer(&outer);
    Step(w, pipe);
    {
      const ScopedRuleSink count_inner(&inner);
      Step(w, bad_dup2);
    }
    Step(w, bad_dup2);
  }
  Step(w, bad_dup2);
  EXPECT_EQ(outer[RuleIndex("fd.alloc.lowest_top")], 2u);
  EXPECT_EQ(outer[RuleIndex("dup2.ebadf.oldfd")], 1u);
  EXPECT_EQ(inner[RuleIndex("dup2.ebadf.oldfd")], 1u);
  EXPECT_EQ(inner[RuleIndex("fd.alloc.lowest_top")], 0u);
}

TEST(RuleReports, SplitNeverHitRulesByWhy) {
  RuleCounts counts{};
  counts[RuleIndex("epoll_ctl.ebadf.epfd")] = 3;
  const Profile p618 = ProfileForKernel(6, 18);
  const RuleReport r = MakeRuleReport(counts, p618);
  ASSERT_EQ(r.hit.size(), 1u);
  EXPECT_EQ(r.hit[0].name, "epoll_ctl.ebadf.epfd");
  EXPECT_EQ(r.hit[0].count, 3u);
  EXPECT_EQ(r.hit.size() + r.unhit.size() + r.other_era.size() +
                r.other_families.size() + r.ungenerated.size(),
            kRuleCount);
  EXPECT_TRUE(r.other_families.empty());
  const auto listed = [](const std::vector<RuleReport::Unhit>& list,
                         std::string_view name) {
    for (const RuleReport::Unhit& u : list) {
      if (u.name == name)
        return true;
    }
    return false;
  };
  EXPECT_TRUE(listed(r.other_era, "epoll_wait.order.einval_first"));
  EXPECT_TRUE(listed(r.unhit, "epoll_wait.order.ebadf_first"));
  EXPECT_TRUE(listed(r.ungenerated, "lseek.directory"));
  // A 5.10 profile has the other epoll_wait order.
  const RuleReport old = MakeRuleReport(counts, ProfileForKernel(5, 10));
  EXPECT_TRUE(listed(old.unhit, "epoll_wait.order.einval_first"));
  EXPECT_TRUE(listed(old.other_era, "epoll_wait.order.ebadf_first"));
  // Without the AF_INET families, TCP and UDP rules are not expected.
  const RuleReport unix_only =
      MakeRuleReport(counts, p618, kAllFamilies & ~(kFamilyTcp | kFamilyUdp));
  EXPECT_TRUE(listed(unix_only.other_families, "tcp.poll.out"));
  EXPECT_TRUE(listed(unix_only.other_families, "inet.bind.eaddrinuse"));
  EXPECT_TRUE(listed(unix_only.unhit, "unix.poll.err"));
  EXPECT_EQ(RuleFamilies("unix.oob.recv.take"), kFamilyUnixOob);
  EXPECT_EQ(RuleFamilies("fd.alloc.lowest_top"), kAllFamilies);
  std::ostringstream printed;
  PrintRuleReport(printed, r);
  EXPECT_NE(
      printed.str().find("rules: 1 of " + std::to_string(kRuleCount) + " hit"),
      std::string::npos);
}

}  // namespace
}  // namespace epollcheck
