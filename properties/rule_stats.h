// File: properties/rule_stats.h
// What a run's rule counters (model/rules.h) say: the rules hit, with their
// counts, and the rules never hit, split into those generation should have
// reached, those of another kernel era than the profile's, those of the
// operation families the run did not generate (`--families`, or what the
// SUT implements), and the few no generated sequence can reach
// (kUngeneratedRules). `check --stats` prints
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

#include "model/ops.h"
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
  std::vector<Hit> hit;               // in table order
  std::vector<Unhit> unhit;           // reachable here: the generators' job
  std::vector<Unhit> other_era;       // not this profile's era
  std::vector<Unhit> other_families;  // of families not generated
  std::vector<Unhit> ungenerated;     // kUngeneratedRules
};

// The Family bits whose operations can apply `rule`, from its name's area
// (`tcp.` TCP, `unix.oob.` unixoob, `pipe.` pipe...; kAllFamilies when any
// operation can).
uint32_t RuleFamilies(std::string_view rule);

RuleReport MakeRuleReport(const RuleCounts& counts, const Profile& profile,
                          uint32_t families = kAllFamilies);

// `rules: H of N hit (never hit: U reachable, E other eras, F other
// families, G not generated)`, then one line per rule hit (with its count)
// and per rule never hit (with why, for the last three kinds).
void PrintRuleReport(std::ostream& os, const RuleReport& report);

// Writes the coverage (steps, families, per-operation results) and the rule
// report as JSON to `path`. Returns "" or what went wrong.
std::string WriteStatsJson(const std::string& path, const Coverage& coverage,
                           const RuleReport& report, const Profile& profile);

// docs/rules.md: every rule of kRules with its era and what it decides.
std::string RulesMarkdown();

}  // namespace epollcheck
