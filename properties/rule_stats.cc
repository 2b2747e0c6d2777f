#include "properties/rule_stats.h"

#include <boost/json.hpp>
#include <fstream>
#include <iomanip>
#include <sstream>

namespace epollcheck {
namespace {

std::string_view UngeneratedWhy(std::string_view name) {
  for (const UngeneratedRule& u : kUngeneratedRules) {
    if (u.name == name)
      return u.why;
  }
  return {};
}

}  // namespace

uint32_t RuleFamilies(std::string_view rule) {
  constexpr uint32_t kSockets =
      kFamilyUnix | kFamilyUnixAddr | kFamilyTcp | kFamilyUdp;
  static constexpr std::pair<std::string_view, uint32_t> kAreas[] = {
      {"nopoll.", kFamilyFile},
      {"opath.", kFamilyFile},
      {"fifo.", kFamilyFifo},
      {"timerfd.", kFamilyTimerfd},
      {"signal.send.", kFamilySignal | kFamilyPipe | kFamilyFifo | kFamilyUnix |
                           kFamilyUnixAddr | kFamilyTcp},
      {"signal.sigpipe.tcp", kFamilyTcp},
      {"signal.sigpipe.", kFamilyUnix | kFamilyUnixAddr},
      {"signal", kFamilySignal},
      {"fork.", kFamilyFork},
      {"child.", kFamilyFork},
      {"reap.", kFamilyFork},
      {"pidfd", kFamilyFork},
      {"tcp.", kFamilyTcp},
      {"udp.", kFamilyUdp},
      {"inet.", kFamilyTcp | kFamilyUdp},
      {"unix.oob.", kFamilyUnixOob},
      {"unix.", kFamilyUnix | kFamilyUnixAddr},
      {"sock", kSockets},
      {"listen.", kFamilyUnixAddr | kFamilyTcp},
      {"accept4.", kFamilyUnixAddr | kFamilyTcp},
      {"read.socket.", kSockets},
      {"pipe", kFamilyPipe},
      {"eventfd.", kFamilyEventfd},
      {"poll.", kFamilyPoll},
      {"ppoll.", kFamilyPoll},
      {"select.", kFamilyPoll},
      {"pselect6.", kFamilyPoll},
      {"epoll", kFamilyEpoll},
  };
  for (const auto& [prefix, families] : kAreas) {
    if (rule.substr(0, prefix.size()) == prefix)
      return families;
  }
  return kAllFamilies;
}

RuleReport MakeRuleReport(const RuleCounts& counts, const Profile& profile,
                          uint32_t families) {
  RuleReport report;
  for (size_t i = 0; i < kRuleCount; ++i) {
    const RuleInfo& rule = kRules[i];
    if (counts[i] != 0) {
      report.hit.push_back({.name = rule.name, .count = counts[i]});
    } else if (!RuleEraApplies(rule.era, profile)) {
      report.other_era.push_back(
          {.name = rule.name, .why = RuleEraName(rule.era)});
    } else if ((RuleFamilies(rule.name) & families) == 0) {
      report.other_families.push_back({.name = rule.name, .why = {}});
    } else if (const std::string_view why = UngeneratedWhy(rule.name);
               !why.empty()) {
      report.ungenerated.push_back({.name = rule.name, .why = why});
    } else {
      report.unhit.push_back({.name = rule.name, .why = {}});
    }
  }
  return report;
}

void PrintRuleReport(std::ostream& os, const RuleReport& report) {
  os << "rules: " << report.hit.size() << " of " << kRuleCount
     << " hit (never hit: " << report.unhit.size() << " reachable, "
     << report.other_era.size() << " other eras, "
     << report.other_families.size() << " other families, "
     << report.ungenerated.size() << " not generated)\n";
  size_t width = 0;
  for (const RuleInfo& rule : kRules)
    width = std::max(width, rule.name.size());
  os << "rules hit:\n";
  for (const RuleReport::Hit& h : report.hit) {
    os << "  " << std::left << std::setw(static_cast<int>(width)) << h.name
       << std::right << std::setw(10) << h.count << '\n';
  }
  os << "rules never hit (" << report.unhit.size() << "):\n";
  for (const RuleReport::Unhit& u : report.unhit)
    os << "  " << u.name << '\n';
  os << "rules never hit, of other eras (" << report.other_era.size() << "):\n";
  for (const RuleReport::Unhit& u : report.other_era)
    os << "  " << std::left << std::setw(static_cast<int>(width)) << u.name
       << std::right << "  " << u.why << '\n';
  os << "rules never hit, of families not generated ("
     << report.other_families.size() << "):\n";
  for (const RuleReport::Unhit& u : report.other_families)
    os << "  " << u.name << '\n';
  os << "rules never hit, not generated (" << report.ungenerated.size()
     << "):\n";
  for (const RuleReport::Unhit& u : report.ungenerated)
    os << "  " << std::left << std::setw(static_cast<int>(width)) << u.name
       << std::right << "  " << u.why << '\n';
}

std::string WriteStatsJson(const std::string& path, const Coverage& coverage,
                           const RuleReport& report, const Profile& profile) {
  namespace json = boost::json;
  json::object root;
  root["profile"] = profile.name;
  root["steps"] = coverage.steps;
  json::object families;
  for (const auto& [family, n] : coverage.family_steps)
    families[family] = n;
  root["family_steps"] = std::move(families);
  json::object fdinfo;
  fdinfo["checks"] = coverage.fdinfo_checks;
  fdinfo["reads"] = coverage.fdinfo_reads;
  root["fdinfo"] = std::move(fdinfo);
  json::object operations;
  for (const auto& [op, results] : coverage.counts) {
    json::object r;
    for (const auto& [result, n] : results)
      r[result] = n;
    operations[op] = std::move(r);
  }
  root["operations"] = std::move(operations);
  json::object rules;
  rules["total"] = kRuleCount;
  json::object hit;
  for (const RuleReport::Hit& h : report.hit)
    hit[h.name] = h.count;
  rules["hit"] = std::move(hit);
  const auto names = [](const std::vector<RuleReport::Unhit>& list,
                        std::string_view why_key) {
    json::array a;
    for (const RuleReport::Unhit& u : list) {
      if (why_key.empty()) {
        a.emplace_back(json::string(u.name));
      } else {
        a.emplace_back(json::object{{"name", u.name}, {why_key, u.why}});
      }
    }
    return a;
  };
  rules["never_hit"] = names(report.unhit, "");
  rules["never_hit_other_era"] = names(report.other_era, "era");
  rules["never_hit_other_families"] = names(report.other_families, "");
  rules["never_hit_not_generated"] = names(report.ungenerated, "why");
  root["rules"] = std::move(rules);
  std::ofstream file(path);
  file << json::serialize(root) << '\n';
  file.close();
  if (!file)
    return "cannot write " + path;
  return "";
}

std::string RulesMarkdown() {
  std::ostringstream os;
  os << "# Model rules\n\n"
        "<!-- Generated from model/rule_table.h by "
        "`build/epollcheck_rules_doc > docs/rules.md`; the "
        "`RuleTable.DocsAreCurrent` test checks it. -->\n\n"
        "Every rule of the model that can decide an outcome, with the "
        "stable name `check --stats` counts it under (see *Rule coverage* "
        "in the README). "
     << kRuleCount
     << " rules. *Era*: the kernels that have the rule (blank: all).\n\n"
        "| rule | era | what decides |\n|---|---|---|\n";
  for (const RuleInfo& rule : kRules) {
    std::string doc(rule.doc);
    for (size_t at = doc.find('|'); at != std::string::npos;
         at = doc.find('|', at + 2)) {
      doc.replace(at, 1, "\\|");
    }
    os << "| `" << rule.name << "` | " << RuleEraName(rule.era) << " | " << doc
       << " |\n";
  }
  os << "\n## Not generated\n\nRules no generated sequence can reach on any "
        "kernel (`kUngeneratedRules`); the rule-coverage test does not "
        "require them.\n\n| rule | why |\n|---|---|\n";
  for (const UngeneratedRule& u : kUngeneratedRules)
    os << "| `" << u.name << "` | " << u.why << " |\n";
  return os.str();
}

}  // namespace epollcheck
