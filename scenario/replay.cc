#include "scenario/replay.h"

#include <iomanip>
#include <sstream>

#include "model/step.h"
#include "sut/fdinfo.h"

namespace epollcheck {
namespace {

std::string ToString(const Outcome& o) {
  std::ostringstream os;
  os << o;
  return os.str();
}

// Checks one written fdinfo line against what `sut` shows; "" if it holds.
std::string CheckWritten(const FdinfoExpect& expect, Sut& sut,
                         const HandleEnv& env) {
  const std::optional<int32_t> epfd = ResolveOperand(expect.epfd, env);
  if (!epfd)
    return "unknown handle '" + expect.epfd.handle + "'";
  std::vector<ExpectedLine> want;
  for (const FdinfoExpectItem& item : expect.items) {
    const std::optional<int32_t> tfd = ResolveOperand(item.tfd, env);
    if (!tfd)
      return "unknown handle '" + item.tfd.handle + "'";
    ExpectedLine line{.tfd = *tfd, .events = item.events, .data = item.data};
    if (item.ino) {
      const std::optional<int32_t> fd = ResolveOperand(*item.ino, env);
      if (!fd)
        return "unknown handle '" + item.ino->handle + "'";
      line.inode = sut.InodeOf(*fd);
      if (!line.inode)
        return "ino=" + FormatFdinfoOperand(*item.ino) + " is not open";
    }
    want.push_back(line);
  }
  const FdinfoReading got = sut.ReadFdinfo(*epfd);
  if (CompareLines(want, got).part.empty())
    return "";
  if (got.error != 0)
    return "cannot be read: " + ErrnoName(got.error);
  // Name each shown inode by a handle or number whose file has it.
  std::map<FdinfoInode, std::string> names;
  for (const auto& [handle, fd] : env) {
    if (const std::optional<FdinfoInode> inode = sut.InodeOf(fd))
      names.emplace(*inode, handle);
  }
  std::string shown = "[";
  for (size_t i = 0; i < got.lines.size(); ++i) {
    const FdinfoLine& l = got.lines[i];
    const auto it = names.find(l.inode);
    std::ostringstream raw;
    raw << "0x" << std::hex << l.inode.ino << ':' << l.inode.sdev;
    shown += (i ? ", " : "") +
             FormatItem(l.tfd, l.events, l.data,
                        it != names.end() ? it->second : raw.str());
  }
  return shown + "]";
}

}  // namespace

ReplayReport Replay(const Scenario& scenario, Sut& sut, const Profile& profile,
                    ReplayMode mode, const BeforeExecute& before) {
  ReplayReport report;
  World model;
  model.profile = profile;
  HandleEnv env;
  const bool written_era = SameEraBehaviour(profile, WrittenProfile(scenario));
  report.fdinfo_off = sut.FdinfoOff();
  std::vector<Op> ops;  // run so far
  std::optional<FdinfoOracle> oracle;
  if (mode == ReplayMode::kModel && report.fdinfo_off.empty())
    oracle.emplace();
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
    ops.push_back(*r.op);
    if (before)
      before(ops, report);
    r.got = sut.Execute(*r.op);
    const FdinfoScope scope =
        oracle ? FdinfoScopeOf(model, *r.op) : FdinfoScope{};
    const Outcome predicted = Step(model, *r.op);
    r.era_predicted = mode == ReplayMode::kWritten && step.era_dependent &&
                      step.expect && !written_era;
    r.want = mode == ReplayMode::kModel || r.era_predicted
                 ? std::optional<Outcome>(predicted)
                 : step.expect;
    BindStep(step, r.got, env);
    if (oracle) {
      if (const auto diff = oracle->Check(model, sut, scope)) {
        r.fdinfo.push_back(FdinfoCheck{.expected = "fdinfo (the model's)",
                                       .mismatch = diff->Describe("got")});
      }
    } else if (mode == ReplayMode::kWritten) {
      for (const FdinfoExpect& expect : step.fdinfo) {
        if (!report.fdinfo_off.empty()) {
          ++report.fdinfo_unchecked;
          continue;
        }
        r.fdinfo.push_back(
            FdinfoCheck{.expected = FormatFdinfoExpect(expect),
                        .mismatch = CheckWritten(expect, sut, env)});
        if (!r.fdinfo.back().mismatch.empty() && !r.fdinfo_difference) {
          FdinfoOracle all;  // every open instance, as the model has it
          r.fdinfo_difference = all.Check(model, sut);
        }
      }
    }
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
    for (const FdinfoCheck& c : r.fdinfo) {
      if (c.mismatch.empty()) {
        os << "      " << c.expected << "  ok\n";
      } else if (c.expected.rfind("fdinfo(", 0) == 0) {
        os << "      " << c.expected << "  MISMATCH: got " << c.mismatch
           << '\n';
      } else {
        os << "      " << c.expected << "  MISMATCH:\n" << c.mismatch;
      }
    }
  }
  if (report.fdinfo_unchecked > 0) {
    os << "fdinfo: " << report.fdinfo_unchecked
       << " written interest sets NOT checked: " << report.fdinfo_off << '\n';
  }
  if (!report.teardown.empty())
    os << "teardown: " << report.teardown << '\n';
}

}  // namespace epollcheck
