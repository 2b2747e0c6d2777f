// File: scenario/replay.h
// Replays a scenario on one SUT, step by step, checking either the results
// written in the scenario or, in model mode, the model's prediction for each
// step. Handles resolve to the descriptors the SUT itself returned.
// `profile` is the era the SUT is expected to behave as (the running
// kernel's, or --kernel-era). A step marked `@era` is checked against its
// written result if `profile` has the era behaviour of the scenario's
// `profile` line (WrittenProfile), else against the model's prediction under
// `profile`: a corpus written on 6.18 replays on 5.10 without losing the
// check that 5.10 does what the model says 5.10 does.
//
// The fdinfo lines written after a step are checked against what the SUT
// shows of its interest sets (sut/fdinfo.h); in model mode, every open
// instance is checked against the model's after every step instead. A SUT
// that does not show them (FdinfoOff) leaves them unchecked, and says so.
//
//   ReplayReport r = Replay(scenario, *sut, profile, ReplayMode::kWritten);
//   PrintReplay(std::cout, r);     // one line per step: ok / MISMATCH
//   return r.mismatches == 0 ? 0 : 1;
#pragma once

#include <functional>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <vector>

#include "model/profile.h"
#include "scenario/scenario.h"
#include "sut/fdinfo.h"
#include "sut/sut.h"

namespace epollcheck {

enum class ReplayMode {
  kWritten,  // compare with the results written in the scenario
  kModel,    // compare with the model's prediction, step by step
};

// One interest set checked after a step.
struct FdinfoCheck {
  std::string expected;  // `fdinfo(e0) -> [...]`, or `fdinfo (the model's)`
  std::string mismatch;  // "" if it held: else what the SUT showed
};

struct ReplayedStep {
  const ScenarioStep* step = nullptr;
  std::optional<Op> op;         // resolved; empty if a handle was unknown
  Outcome got;                  // what the SUT did
  std::optional<Outcome> want;  // what was expected, if anything
  std::string error;            // handle resolution error
  bool era_predicted = false;   // an @era step checked against the model
  std::vector<FdinfoCheck> fdinfo;
  // When a written fdinfo line mismatched: how the SUT's interest sets
  // differ from the model's after this step (what `check` would report),
  // if they do.
  std::optional<FdinfoDifference> fdinfo_difference;
  bool ok() const {
    for (const FdinfoCheck& c : fdinfo) {
      if (!c.mismatch.empty())
        return false;
    }
    return error.empty() && (!want || *want == got);
  }
};

struct ReplayReport {
  std::vector<ReplayedStep> steps;
  int mismatches = 0;
  std::string teardown;  // the SUT's Finish() report
  // Written fdinfo lines left unchecked, and why (the SUT's FdinfoOff).
  int fdinfo_unchecked = 0;
  std::string fdinfo_off;
};

struct ReplayReport;
// Called with the operations so far, the one about to run last, and the
// report of the steps before it, before the SUT runs it (the replay command
// names a hang's signature from them).
using BeforeExecute =
    std::function<void(std::span<const Op> ops, const ReplayReport& so_far)>;

ReplayReport Replay(const Scenario& scenario, Sut& sut, const Profile& profile,
                    ReplayMode mode, const BeforeExecute& before = {});

// `  3  write(p0.w, 1)  -> 1  ok` or `... MISMATCH: expected 1 got -1 EAGAIN`.
void PrintReplay(std::ostream& os, const ReplayReport& report);

}  // namespace epollcheck
