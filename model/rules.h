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
// A second listener, ScopedRuleTrace, records the rules applied in order,
// with what each was about (the file being polled, the epoll item being
// woken, delivered or polled): properties/decided_by.h reads it to name the
// rule that decided a divergent result. It too costs one thread-local load
// per rule or scope when nobody listens.
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
#include <vector>

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

// One entry of a rule trace: a rule applied, or a scope opened or closed.
// A rule belongs to the innermost open scope: kPoll, the readiness of file
// `file` (a file's ->poll); kItem, the item (`epoll`, `file`, `fd`) of an
// epoll instance (its wakeup callback, its delivery or its poll by
// epoll_wait, epoll_ctl or a poll of the instance). File ids are World's.
struct RuleTraceEntry {
  enum class Kind : uint8_t { kRule, kPoll, kItem, kEnd };
  Kind kind = Kind::kRule;
  uint16_t rule = 0;   // kRule: index in kRules
  uint32_t file = 0;   // kPoll, kItem: the watched file
  uint32_t epoll = 0;  // kItem: the epoll file
  int32_t fd = -1;     // kItem: the item's descriptor number
};
using RuleTrace = std::vector<RuleTraceEntry>;
static_assert(kRuleCount <= UINT16_MAX);

namespace internal {
// Where RULE counts on this thread (nullptr: nowhere).
extern constinit thread_local RuleCounts* rule_sink;
// Where RULE and the trace scopes record on this thread (nullptr: nowhere).
extern constinit thread_local RuleTrace* rule_trace;
inline void HitRule(size_t index) {
  if (RuleCounts* counts = rule_sink)
    ++(*counts)[index];
  if (RuleTrace* trace = rule_trace)
    trace->push_back({.rule = static_cast<uint16_t>(index)});
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

// Records the rules this thread's model applies, and their scopes, into
// `trace` while alive; restores the previous trace at the end.
class ScopedRuleTrace {
public:
  explicit ScopedRuleTrace(RuleTrace* trace) : previous_(internal::rule_trace) {
    internal::rule_trace = trace;
  }
  ~ScopedRuleTrace() { internal::rule_trace = previous_; }
  ScopedRuleTrace(const ScopedRuleTrace&) = delete;
  ScopedRuleTrace& operator=(const ScopedRuleTrace&) = delete;

private:
  RuleTrace* previous_;
};

// Opens a trace scope (RuleTraceEntry) for its lifetime if a trace listens.
class RuleScope {
public:
  // The readiness of `file`.
  static RuleScope Poll(uint32_t file) {
    return RuleScope({.kind = RuleTraceEntry::Kind::kPoll, .file = file});
  }
  // The item (`file`, `fd`) of epoll file `epoll`.
  static RuleScope Item(uint32_t epoll, uint32_t file, int32_t fd) {
    return RuleScope({.kind = RuleTraceEntry::Kind::kItem,
                      .file = file,
                      .epoll = epoll,
                      .fd = fd});
  }
  ~RuleScope() {
    if (trace_ != nullptr)
      trace_->push_back({.kind = RuleTraceEntry::Kind::kEnd});
  }
  RuleScope(const RuleScope&) = delete;
  RuleScope& operator=(const RuleScope&) = delete;

private:
  explicit RuleScope(const RuleTraceEntry& open)
      : trace_(internal::rule_trace) {
    if (trace_ != nullptr)
      trace_->push_back(open);
  }
  RuleTrace* trace_;
};

// The index of rule `name` in kRules, at run time; nullopt if there is none.
std::optional<size_t> FindRule(std::string_view name);

// True if a kernel with profile `profile` can apply a rule of era `era`.
bool RuleEraApplies(RuleEra era, const Profile& profile);

// The largest fs.epoll.max_user_watches a generated sequence can reach
// (its items, at most a few per step): above it the ENOSPC rule is counted
// as not applying (rule coverage does not ask for it).
inline constexpr int64_t kReachableWatchLimit = 256;
// What era `era` needs, e.g. "6.15+" ("" for kAny).
std::string_view RuleEraName(RuleEra era);

}  // namespace epollcheck

// Counts one application of the rule named `name` (a string literal listed
// in kRules).
#define RULE(name)                                                             \
  ::epollcheck::internal::HitRule(                                             \
      std::integral_constant<size_t, ::epollcheck::RuleIndex(name)>::value)
