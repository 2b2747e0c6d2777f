// File: model/rules.h
// Model-rule coverage: every rule of the model that can decide an outcome
// (an errno check in its place in the precedence, a readiness condition, a
// wakeup, a delivery case, a limit) has a stable name in one table, kRules
// (model/rule_table.h), and RULE("name") where the model applies it counts
// one hit. The counters are off unless a caller installs a sink on its
// thread (ScopedRuleSink), so the model stays pure and a step costs one
// thread-local load per rule applied. A name missing from the table does not
// compile; a name in the table that no RULE() names fails the
// `rules_are_counted` test. docs/rules.md lists every rule (generated).
//
//   RuleCounts counts{};
//   {
//     ScopedRuleSink sink(&counts);
//     Step(world, op);              // RULE("pipe.write.wake.was_empty") ...
//   }
//   counts[RuleIndex("pipe.write.wake.was_empty")]  // 1
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <type_traits>

#include "model/profile.h"
#include "model/rule_table.h"

namespace epollcheck {

inline constexpr size_t kRuleCount = std::size(kRules);

// The index of rule `name` in kRules; not a constant (a compile error in
// RULE) if there is no such rule.
consteval size_t RuleIndex(std::string_view name) {
  for (size_t i = 0; i < kRuleCount; ++i) {
    if (kRules[i].name == name)
      return i;
  }
  throw "RULE: no such rule in kRules (model/rule_table.h)";
}

// Hits per rule, indexed like kRules.
using RuleCounts = std::array<uint64_t, kRuleCount>;

namespace internal {
// Where RULE counts on this thread (nullptr: nowhere).
extern constinit thread_local RuleCounts* rule_sink;
inline void HitRule(size_t index) {
  if (RuleCounts* counts = rule_sink)
    ++(*counts)[index];
}
}  // namespace internal

// Counts the rules this thread's model applies into `counts` while alive;
// restores the previous sink at the end (sinks nest).
class ScopedRuleSink {
public:
  explicit ScopedRuleSink(RuleCounts* counts) : previous_(internal::rule_sink) {
    internal::rule_sink = counts;
  }
  ~ScopedRuleSink() { internal::rule_sink = previous_; }
  ScopedRuleSink(const ScopedRuleSink&) = delete;
  ScopedRuleSink& operator=(const ScopedRuleSink&) = delete;

private:
  RuleCounts* previous_;
};

// The index of rule `name` in kRules, at run time; nullopt if there is none.
std::optional<size_t> FindRule(std::string_view name);

// True if a kernel with profile `profile` can apply a rule of era `era`.
bool RuleEraApplies(RuleEra era, const Profile& profile);
// What era `era` needs, e.g. "6.15+" ("" for kAny).
std::string_view RuleEraName(RuleEra era);

}  // namespace epollcheck

// Counts one application of the rule named `name` (a string literal listed
// in kRules).
#define RULE(name)                                                             \
  ::epollcheck::internal::HitRule(                                             \
      std::integral_constant<size_t, ::epollcheck::RuleIndex(name)>::value)
