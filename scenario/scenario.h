// File: scenario/scenario.h
// The scenario format: a line-oriented text form of an operation sequence,
// with symbolic handles and an optional expected result per step. Every
// shrunk counterexample is printed in it, and `epollcheck replay` and
// `epollcheck repro` read it.
//
//   # LT items rotate when maxevents is small (semantics §H2)
//   profile 6.18
//   p0 = pipe2(O_NONBLOCK)               -> 0 fds=[0,1]
//   e0 = epoll_create1(0)                -> 2
//   epoll_ctl(e0, ADD, p0.r, IN|ET, 0x1) -> 0
//   write(p0.w, 1)                       -> 1
//   epoll_wait(e0, 64)                   -> 1 [{IN, 0x1}]
//   close(7)                             -> -1 EBADF
//
// A step is `[name =] call [-> result]`. `name = pipe2(...)` binds name.r and
// name.w; `name = ` before epoll_create, epoll_create1, dup or dup2 binds the
// returned descriptor. Descriptor operands are handles or plain numbers.
// Arguments are positional in the op's Fields() order; optional ones are
// written `null_event=1`, `timeout_ms=N`. `#` starts a comment. A result
// followed by `@era` (`-> -1 EBADF @era`) depends on the kernel era: it is
// written for the `profile` line's era (default 6.18) and replayed on
// another era against the model's prediction for that era.
//
// A line `fdinfo(e0) -> [{3, ONESHOT, 0x1, ino=p0.r}, ...]` after a step is
// the interest set expected of the epoll instance at e0 once that step has
// run, as /proc/<pid>/fdinfo shows it (sut/fdinfo.h), in any order: per
// item the descriptor number it was added with (tfd), the stored mask, the
// data, and `ino=D`: the watched file has the inode of the file at
// descriptor D then (`ino=?`: not checked). Descriptors are handles or
// numbers.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "model/ops.h"
#include "model/outcome.h"
#include "model/profile.h"
#include "model/world.h"

namespace epollcheck {

// A descriptor operand of an fdinfo line: a handle, or a number.
struct FdinfoOperand {
  std::string handle;  // "" for a number
  int32_t number = -1;
  friend bool operator==(const FdinfoOperand&, const FdinfoOperand&) = default;
};

// One expected item of an fdinfo line.
struct FdinfoExpectItem {
  FdinfoOperand tfd;
  uint32_t events = 0;
  uint64_t data = 0;
  std::optional<FdinfoOperand> ino;  // nullopt: `ino=?`
  friend bool operator==(const FdinfoExpectItem&,
                         const FdinfoExpectItem&) = default;
};

// `fdinfo(EPFD) -> [ITEMS]`: the interest set expected after a step.
struct FdinfoExpect {
  int line = 0;
  FdinfoOperand epfd;
  std::vector<FdinfoExpectItem> items;
  friend bool operator==(const FdinfoExpect&, const FdinfoExpect&) = default;
};

struct ScenarioStep {
  int line = 0;      // 1-based line in the source text (0 if generated)
  std::string bind;  // "p0" for `p0 = pipe2(...)`; empty if none
  Op op;             // descriptor fields named by a handle hold 0
  // Descriptor operands written as handles: field name -> handle ("p0.r").
  std::vector<std::pair<std::string, std::string>> fd_handles;
  std::optional<Outcome> expect;
  // `-> RESULT @era`: the written result is the file's profile era's; on a
  // kernel of another era (a profile that differs in SameEraBehaviour) replay
  // checks the model's prediction for that era instead.
  bool era_dependent = false;
  // `fdinfo(...)` lines after the step.
  std::vector<FdinfoExpect> fdinfo;
};

struct Scenario {
  std::string profile;  // "6.18" from a `profile` line, or empty
  // From a `max_user_watches N` line: the written results need
  // fs.epoll.max_user_watches to be N (a VM guest's, ci/guest/init.cc);
  // replay on a kernel with another limit is skipped.
  std::optional<int64_t> max_user_watches;
  std::vector<ScenarioStep> steps;
};

// The era the written results are for: the `profile` line's, else 6.18.
// Assumes a parsed scenario (the profile is MAJOR.MINOR).
Profile WrittenProfile(const Scenario& scenario);

struct ParseError {
  int line = 0;
  std::string message;
};

// Parses a whole scenario. Never throws; a malformed input gives the first
// error with its line.
std::variant<Scenario, ParseError> ParseScenario(std::string_view text);

// Parses one result as printed by operator<<(Outcome): "-1 EBADF", "3",
// "0 fds=[3,4]", "2 [{IN|HUP, 0x1}, {OUT, 0x2}]".
std::optional<Outcome> ParseOutcome(std::string_view text);

// Handle name -> descriptor number, filled as steps bind names.
using HandleEnv = std::map<std::string, int32_t>;

// The op of `step` with handle operands replaced by their numbers, or an
// error message naming the unknown handle.
std::variant<Op, std::string> ResolveStep(const ScenarioStep& step,
                                          const HandleEnv& env);
// Records the names `step` binds, given what its op returned.
void BindStep(const ScenarioStep& step, const Outcome& outcome, HandleEnv& env);

// Turns a run (ops and their outcomes) into a scenario with handles: pipes
// p0, p1, ..., epoll instances e0, ..., dups d0, ...; operands currently bound
// to a handle are written as the handle. With `expect`, every step carries
// its outcome as the expectation.
Scenario ScenarioFromRun(const std::vector<Op>& ops,
                         const std::vector<Outcome>& outcomes, bool expect);

// Writes a scenario in the text format (comment lines first, results
// aligned).
std::string FormatScenario(const Scenario& scenario,
                           const std::vector<std::string>& comments = {});

// One step as text without its result: `p0 = pipe2(O_NONBLOCK)`.
std::string FormatStepCall(const ScenarioStep& step);

// `fdinfo(e0) -> [{3, ONESHOT, 0x1, ino=p0.r}]`.
std::string FormatFdinfoExpect(const FdinfoExpect& expect);
// The model's interest sets in `world` as fdinfo lines, one per open epoll
// instance (through its lowest descriptor), in numbers: each item's ino the
// lowest descriptor whose file has its inode (`?` if none has).
std::vector<FdinfoExpect> FdinfoOfModel(const World& world);
std::string FormatFdinfoOperand(const FdinfoOperand& operand);
// The number an operand names: its handle's in `env`, or its number;
// nullopt for a handle `env` does not bind.
std::optional<int32_t> ResolveOperand(const FdinfoOperand& operand,
                                      const HandleEnv& env);

}  // namespace epollcheck
