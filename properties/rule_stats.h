// File: properties/rule_stats.h
// What a run's rule counters (model/rules.h) say: the rules hit, with their
// counts, and the rules never hit, split into those generation should have
// reached, those of another kernel era than the profile's, and the few no
// generated sequence can reach (kUngeneratedRules). `check --stats` prints
// it, `check --stats-json FILE` writes it with the rest of the stats, and
// the rule-coverage test requires the first list of never-hit rules to be
// empty.
//
//   RuleReport r = MakeRuleReport(Coverage::Current().rules, profile);
//   PrintRuleReport(std::cout, r);   // rules: 402 of 412 hit; ...
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "model/profile.h"
#include "model/rules.h"
#include "properties/sequence.h"

namespace epollcheck {

struct RuleReport {
  struct Hit {
    std::string_view name;
    uint64_t count = 0;
  };
  struct Unhit {
    std::string_view name;
    std::string_view why;  // the era it needs, or why it is not generated
  };
  std::vector<Hit> hit;            // in table order
  std::vector<Unhit> unhit;        // reachable here: the generators' job
  std::vector<Unhit> other_era;    // not this profile's era
  std::vector<Unhit> ungenerated;  // kUngeneratedRules
};

RuleReport MakeRuleReport(const RuleCounts& counts, const Profile& profile);

// `rules: H of N hit (never hit: U reachable, E other eras, G not
// generated)`, then one line per rule hit (with its count) and per rule
// never hit (with why, for the last two kinds).
void PrintRuleReport(std::ostream& os, const RuleReport& report);

// Writes the coverage (steps, families, per-operation results) and the rule
// report as JSON to `path`. Returns "" or what went wrong.
std::string WriteStatsJson(const std::string& path, const Coverage& coverage,
                           const RuleReport& report, const Profile& profile);

// docs/rules.md: every rule of kRules with its era and what it decides.
std::string RulesMarkdown();

}  // namespace epollcheck
