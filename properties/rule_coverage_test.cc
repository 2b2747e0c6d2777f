// Generator reach: the default CI budget of `epollcheck check` (1000
// sequences against the running kernel, fixed seed) hits every rule of the
// model that this kernel's era has, apart from kUngeneratedRules
// (model/rule_table.h says why each is out of reach).

#include <gtest/gtest.h>

#include <sstream>
#include <variant>

#include "properties/rule_stats.h"
#include "properties/runner.h"
#include "sut/registry.h"

namespace epollcheck {
namespace {

TEST(RuleCoverage, DefaultBudgetHitsEveryReachableRule) {
  auto made = MakeSut("kernel");
  ASSERT_TRUE(std::holds_alternative<SutEntry>(made))
      << std::get<std::string>(made);
  const SutEntry& kernel = std::get<SutEntry>(made);
  CheckOptions options;
  options.sut_name = "kernel";
  options.sut_description = kernel.description;
  options.make_sut = kernel.make;
  options.profile = kernel.profile;
  options.families = kernel.families;
  options.sequences = 1000;
  options.seed = 1;
  std::ostringstream out;
  const CheckReport report = RunCheck(options, out, nullptr);
  EXPECT_EQ(report.divergences, 0) << out.str();
  const RuleReport rules =
      MakeRuleReport(report.coverage.rules, options.profile, options.families);
  std::ostringstream unhit;
  for (const RuleReport::Unhit& u : rules.unhit)
    unhit << "  " << u.name << '\n';
  EXPECT_TRUE(rules.unhit.empty())
      << rules.unhit.size() << " of " << kRuleCount
      << " rules never hit by 1000 sequences (seed 1):\n"
      << unhit.str();
  std::cout << "rules: " << rules.hit.size() << " of " << kRuleCount
            << " hit; never hit: " << rules.unhit.size() << " reachable, "
            << rules.other_era.size() << " of other eras, "
            << rules.ungenerated.size() << " not generated\n";
}

}  // namespace
}  // namespace epollcheck
