#include "scenario/replay.h"

#include <iomanip>
#include <sstream>

#include "model/step.h"

namespace epollcheck {
namespace {

std::string ToString(const Outcome& o) {
  std::ostringstream os;
  os << o;
  return os.str();
}

}  // namespace

ReplayReport Replay(const Scenario& scenario, Sut& sut, const Profile& profile,
                    ReplayMode mode) {
  ReplayReport report;
  World model;
  model.profile = profile;
  HandleEnv env;
  const bool written_era = SameEraBehaviour(profile, WrittenProfile(scenario));
  for (const ScenarioStep& step : scenario.steps) {
    ReplayedStep r;
    r.step = &step;
    auto resolved = ResolveStep(step, env);
    if (auto* error = std::get_if<std::string>(&resolved)) {
      r.error = *error;
      ++report.mismatches;
      report.steps.push_back(std::move(r));
      break;  // later steps would name the same missing handle
    }
    r.op = std::get<Op>(resolved);
    r.got = sut.Execute(*r.op);
    const Outcome predicted = Step(model, *r.op);
    r.era_predicted = mode == ReplayMode::kWritten && step.era_dependent &&
                      step.expect && !written_era;
    r.want = mode == ReplayMode::kModel || r.era_predicted
                 ? std::optional<Outcome>(predicted)
                 : step.expect;
    BindStep(step, r.got, env);
    if (!r.ok())
      ++report.mismatches;
    report.steps.push_back(std::move(r));
  }
  report.teardown = sut.Finish();
  if (!report.teardown.empty())
    ++report.mismatches;
  return report;
}

void PrintReplay(std::ostream& os, const ReplayReport& report) {
  size_t width = 0;
  std::vector<std::string> calls;
  for (const ReplayedStep& r : report.steps) {
    calls.push_back(FormatStepCall(*r.step));
    width = std::max(width, calls.back().size());
  }
  for (size_t i = 0; i < report.steps.size(); ++i) {
    const ReplayedStep& r = report.steps[i];
    os << std::setw(4) << i << "  " << calls[i]
       << std::string(width - calls[i].size(), ' ');
    if (!r.error.empty()) {
      os << "  line " << r.step->line << ": " << r.error << '\n';
      continue;
    }
    std::ostringstream got;
    got << r.got;
    os << "  -> " << got.str();
    if (!r.want) {
      os << '\n';
    } else if (*r.want == r.got) {
      os << (r.era_predicted ? "  ok (@era: the model's, written " +
                                   ToString(*r.step->expect) + ")\n"
                             : std::string("  ok\n"));
    } else {
      os << "  MISMATCH: expected " << *r.want
         << (r.era_predicted ? " (@era: the model's)" : "") << " got "
         << got.str() << '\n';
    }
  }
  if (!report.teardown.empty())
    os << "teardown: " << report.teardown << '\n';
}

}  // namespace epollcheck
