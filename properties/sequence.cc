#include "properties/sequence.h"

#include <set>

#include <iomanip>
#include <sstream>

#include "model/step.h"
#include "properties/triage.h"
#include "scenario/scenario.h"

namespace epollcheck {

Transcript& Transcript::Current() {
  thread_local Transcript t;
  return t;
}

Transcript& Transcript::LastFailure() {
  thread_local Transcript t;
  return t;
}

Coverage& Coverage::Current() {
  thread_local Coverage c;
  return c;
}

void Coverage::Record(const World& before, const Op& op,
                      const Outcome& outcome) {
  Record(OperandFamilies(before, op), op, outcome);
}

void Coverage::Record(const std::vector<std::string>& families, const Op& op,
                      const Outcome& outcome) {
  ++steps;
  for (const std::string& k : families)
    ++family_steps[k];
  if (families.empty() && FamilyOf(op) != kFamilyCore)
    ++family_steps[FamiliesString(FamilyOf(op))];
  std::string_view result;
  std::string errno_name;
  if (outcome.IsError()) {
    errno_name = ErrnoName(outcome.Errno());
    result = errno_name;
  } else if (std::holds_alternative<EpollWait>(op)) {
    result = outcome.events.empty()       ? "0 events"
             : outcome.events.size() == 1 ? "1 event"
                                          : "2+ events";
  } else if (std::holds_alternative<Read>(op) ||
             std::holds_alternative<Write>(op)) {
    result = outcome.ret == 0 ? "0 bytes" : "bytes";
  } else {
    result = "ok";
  }
  const std::string_view name = OpName(op);
  auto by_op = counts.find(name);
  if (by_op == counts.end())
    by_op = counts.emplace(std::string(name), decltype(counts)::mapped_type{})
                .first;
  auto by_result = by_op->second.find(result);
  if (by_result == by_op->second.end())
    by_result = by_op->second.emplace(std::string(result), 0).first;
  ++by_result->second;
}

void Coverage::Add(const Coverage& other) {
  for (const auto& [name, results] : other.counts) {
    for (const auto& [result, n] : results)
      counts[name][result] += n;
  }
  for (const auto& [family, n] : other.family_steps)
    family_steps[family] += n;
  for (size_t i = 0; i < rules.size(); ++i)
    rules[i] += other.rules[i];
  steps += other.steps;
  fdinfo_checks += other.fdinfo_checks;
  fdinfo_reads += other.fdinfo_reads;
}

void Coverage::Print(std::ostream& os) const {
  os << "coverage: " << steps << " steps; by file family:";
  for (const auto& [family, n] : family_steps)
    os << ' ' << family << ' ' << n;
  os << '\n';
  // The model predicts exactly one outcome per step (Step returns one
  // Outcome; there is no set of allowed outcomes anywhere in it).
  long socket_steps = 0;
  for (const auto& [family, n] : family_steps) {
    if (family.rfind("unix", 0) == 0 || family.rfind("tcp", 0) == 0 ||
        family == "udp") {
      socket_steps += n;
    }
  }
  os << "allowed-outcome sets: 0 of " << socket_steps
     << " socket steps (0%): the model predicts one outcome per step\n";
  os << "fdinfo oracle: " << fdinfo_checks << " of " << steps
     << " steps checked, " << fdinfo_reads << " epoll instances read\n";
  for (const auto& [name, results] : counts) {
    long total = 0;
    for (const auto& [r, n] : results)
      total += n;
    os << "  " << std::left << std::setw(18) << name << std::right
       << std::setw(9) << total << "  ";
    bool first = true;
    for (const auto& [r, n] : results) {
      os << (first ? "" : ", ") << r << ' ' << n;
      first = false;
    }
    os << '\n';
  }
}

void OpCommand::checkPreconditions(const World& s0) const {
  RC_PRE(Admissible(s0, op));
}

void OpCommand::apply(World& s0) const { (void)Step(s0, op); }

std::map<std::string, long>& MaskedHits() {
  thread_local std::map<std::string, long> hits;
  return hits;
}

std::function<void(const Transcript&)>& MaskedDivergenceHook() {
  thread_local std::function<void(const Transcript&)> hook;
  return hook;
}

namespace {

bool IsMasked(const MaskSet& masked, const std::string& signature) {
  return masked != nullptr &&
         (masked->count(signature) != 0 || masked->count(kMaskAll) != 0);
}

}  // namespace

std::string CompareStep(std::span<const Op> ops, const World& before,
                        const World& after, Sut& sut, FdinfoOracle* oracle,
                        StepRecord& record) {
  if (!(record.got == record.want)) {
    return DivergenceSignature(before.profile, ops, record.want, record.got,
                               OperandFamilies(before, record.op));
  }
  if (oracle == nullptr)
    return "";
  record.fdinfo = oracle->Check(after, sut, FdinfoScopeOf(before, record.op));
  if (!record.fdinfo)
    return "";
  return FdinfoSignature(ops, after, *record.fdinfo);
}

void OpCommand::run(const World& s0, Sut& sut) const {
  World s1 = s0;
  RunAndApply(s1, sut);
  Transcript::Current().last_world = std::move(s1);
}

namespace {

// The half of a step after the SUT ran `op` and returned `got`: predicts
// the outcome by stepping `s0`, records the step in `tr` and `coverage`,
// and, if the outcomes agree, compares the interest sets (the fdinfo
// oracle). Returns false if anything differed (Judge names it). Touches
// only what it is given: it runs inside a batch's `after`, maybe on the
// SUT's own thread while the property's thread waits.
bool Observe(const Op& op, World& s0, Sut& sut, Outcome got, Transcript& tr,
             Coverage& coverage) {
  // What the signature, the coverage and the oracle need of the state
  // before the step.
  std::vector<std::string> families = OperandFamilies(s0, op);
  const FdinfoScope scope = tr.fdinfo ? FdinfoScopeOf(s0, op) : FdinfoScope{};
  Outcome want = [&] {
    const ScopedRuleSink count_rules(&coverage.rules);
    return Step(s0, op);
  }();
  coverage.Record(families, op, got);
  tr.steps.push_back(
      StepRecord{.op = op, .want = std::move(want), .got = std::move(got)});
  StepRecord& record = tr.steps.back();
  if (!(record.got == record.want)) {
    tr.step_families = std::move(families);
    return false;
  }
  if (!tr.fdinfo)
    return true;
  // s0 is the state after the step now.
  FdinfoOracle& oracle = *tr.fdinfo;
  const long checks = oracle.checks();
  const long reads = oracle.reads();
  record.fdinfo = oracle.Check(s0, sut, scope);
  coverage.fdinfo_checks += oracle.checks() - checks;
  coverage.fdinfo_reads += oracle.reads() - reads;
  return !record.fdinfo;
}

// Judges the last step Observe found different (`after`: the model's state
// after it): its signature, then either a masked divergence (comparisons
// end; the case passes) or RC_FAIL. On the property's thread.
void Judge(const World& after, Transcript& tr, const MaskSet& masked) {
  const StepRecord& record = tr.steps.back();
  // The sequence so far, for the signature's replay.
  std::vector<Op> history;
  history.reserve(tr.steps.size());
  for (const StepRecord& s : tr.steps)
    history.push_back(s.op);
  const std::string signature =
      record.fdinfo ? FdinfoSignature(history, after, *record.fdinfo)
                    : DivergenceSignature(after.profile, history, record.want,
                                          record.got, tr.step_families);
  if (IsMasked(masked, signature)) {
    tr.masked = true;
    tr.masked_signature = signature;
    tr.masked_step = static_cast<int>(tr.steps.size()) - 1;
    ++MaskedHits()[signature];
    if (MaskedDivergenceHook())
      MaskedDivergenceHook()(tr);
    return;
  }
  std::ostringstream os;
  os << "step " << tr.steps.size() - 1 << ": " << record.op
     << "\n  want (model) " << record.want << "\n  got  (sut)   " << record.got
     << '\n';
  if (record.fdinfo)
    os << record.fdinfo->Describe("sut");
  os << "  signature " << signature;
  tr.failure = os.str();
  tr.signature = signature;
  tr.last_world = after;
  Transcript::LastFailure() = tr;
  RC_FAIL(os.str());
}

}  // namespace

void OpCommand::RunAndApply(World& s0, Sut& sut) const {
  Transcript& tr = Transcript::Current();
  if (tr.masked) {
    // The SUT has diverged: compare nothing, and run nothing on it either.
    // Its state no longer follows the model's, so an operation the model
    // admits as non-blocking may block there (found under gVisor: after the
    // registered pipe2(O_DIRECT) refusal every later descriptor was another
    // file, and an eventfd read became a read of a blocking timerfd, a
    // `hang` that was gVisor's known difference). The model steps on so the
    // generator's preconditions still hold; the SUT's teardown still runs.
    (void)Step(s0, op);
    return;
  }
  if (!Observe(op, s0, sut, sut.Execute(op), tr, Coverage::Current()))
    Judge(s0, tr, masked);
}

rc::Gen<std::shared_ptr<const rc::state::Command<World, Sut>>>
GenCommand(const World& world, const Swarm& swarm, const MaskSet& masked) {
  return rc::gen::map(GenOp(world, swarm), [masked](Op op) {
    return std::shared_ptr<const rc::state::Command<World, Sut>>(
        std::make_shared<OpCommand>(op, masked));
  });
}

void CheckSequence(const SutFactory& make_sut, const Profile& profile,
                   const MaskSet& masked, int size, Families families) {
  const auto sized = [size](auto gen) {
    return size < 0 ? gen : rc::gen::resize(size, gen);
  };
  const Swarm swarm = *sized(GenSwarm(families));
  World initial;
  initial.profile = profile;
  Transcript& tr = Transcript::Current();
  tr = Transcript{};
  tr.last_world = initial;
  std::unique_ptr<Sut> sut = make_sut();
  if (sut->FdinfoOff().empty())
    tr.fdinfo.emplace();
  const auto commands =
      *sized(rc::state::gen::commands(initial, [swarm, masked](const World& w) {
        return GenCommand(w, swarm, masked);
      }));
  // Every command's preconditions hold: rc::state::gen::commands checks
  // each against the state its predecessors make (checkPreconditions, then
  // apply) when it generates it, and regenerates any a shrink leaves
  // inadmissible (rapidcheck/state/gen/Commands.hpp, isValidCommand).
  std::vector<Op> ops;
  ops.reserve(commands.size() + 1);
  for (const auto& command : commands)
    ops.push_back(static_cast<const OpCommand&>(*command).op);
  // The descriptor tables must agree at the end.
  ops.push_back(Op{ListFds{}});
  tr.steps.reserve(ops.size());  // records are large: no reallocation
  // The whole sequence in one batch (the kernel SUT runs it on its
  // executor, `after` included: two handovers per sequence, not two per
  // operation); it stops at the first difference.
  World state = initial;
  Coverage& coverage = Coverage::Current();
  size_t observed = 0;
  bool differs = false;
  // Nothing runs on the SUT after the batch: it may end the sequence in
  // the same handover.
  sut->EndAfterNextBatch();
  (void)sut->ExecuteEach(ops, [&](size_t i, Outcome got) {
    observed = i + 1;
    differs = !Observe(ops[i], state, *sut, std::move(got), tr, coverage);
    return !differs;
  });
  if (differs) {
    Judge(state, tr, masked);  // RC_FAIL unless masked
    // Masked: the SUT has diverged, and nothing more runs on it (see
    // RunAndApply); the model steps on.
    for (size_t i = observed; i < commands.size(); ++i)
      (void)Step(state, ops[i]);
  }
  tr.last_world = std::move(state);
  const std::string report = sut->Finish();
  if (report.empty())
    return;
  if (IsMasked(masked, kLeakSignature)) {
    tr.masked_leak = true;
    ++MaskedHits()[kLeakSignature];
    return;
  }
  tr.failure = "teardown: " + report;
  tr.signature = kLeakSignature;
  Transcript::LastFailure() = tr;
  RC_FAIL(tr.failure);
}

int ReplayOps(const std::vector<Op>& ops, const SutFactory& make_sut,
              const Profile& profile, std::vector<StepRecord>& steps,
              std::string& finish_report) {
  World world;
  world.profile = profile;
  std::unique_ptr<Sut> sut = make_sut();
  std::optional<FdinfoOracle> oracle;
  if (sut->FdinfoOff().empty())
    oracle.emplace();
  steps.clear();
  steps.reserve(ops.size());
  int diverged = -1;
  // One batch (the kernel SUT runs it on its executor), stopping at the
  // first difference, and ending the sequence.
  sut->EndAfterNextBatch();
  (void)sut->ExecuteEach(ops, [&](size_t i, Outcome got) {
    const Op& op = ops[i];
    const FdinfoScope scope = oracle ? FdinfoScopeOf(world, op) : FdinfoScope{};
    Outcome want = Step(world, op);
    steps.push_back(
        StepRecord{.op = op, .want = std::move(want), .got = std::move(got)});
    StepRecord& record = steps.back();
    if (!(record.want == record.got) ||
        (oracle && (record.fdinfo = oracle->Check(world, *sut, scope)))) {
      diverged = static_cast<int>(i);
      return false;
    }
    return true;
  });
  finish_report = sut->Finish();
  return diverged;
}

void PrintSteps(std::ostream& os, const std::vector<StepRecord>& steps,
                int diverging_step, const std::string& sut_name,
                const std::string& fatal, const std::string& fatal_got) {
  std::vector<Op> ops;
  std::vector<Outcome> outcomes;
  for (const StepRecord& s : steps) {
    ops.push_back(s.op);
    outcomes.push_back(s.got);
  }
  const Scenario scenario = ScenarioFromRun(ops, outcomes, false);
  size_t width = 0;
  std::vector<std::string> texts;
  for (const ScenarioStep& step : scenario.steps) {
    texts.push_back(FormatStepCall(step));
    width = std::max(width, texts.back().size());
  }
  for (size_t i = 0; i < steps.size(); ++i) {
    os << std::setw(4) << i << "  " << texts[i]
       << std::string(width - texts[i].size(), ' ');
    if (static_cast<int>(i) != diverging_step) {
      os << "  -> " << steps[i].got << '\n';
      continue;
    }
    std::ostringstream want;
    want << steps[i].want;
    std::ostringstream got;
    if (fatal.empty())
      got << steps[i].got;
    else
      got << fatal_got;
    const int col =
        static_cast<int>(std::max<size_t>(want.str().size(), 6) + 2);
    if (fatal.empty() && steps[i].fdinfo) {
      // The result agreed; the interest sets afterwards did not.
      os << "  -> " << steps[i].got << "  <- DIVERGES (fdinfo)\n"
         << steps[i].fdinfo->Describe(sut_name);
      continue;
    }
    os << "  <- " << (fatal.empty() ? "DIVERGES" : fatal) << "\n"
       << "        " << std::left << std::setw(col) << "model" << sut_name
       << '\n'
       << "        " << std::setw(col) << want.str() << got.str() << std::right
       << '\n';
  }
}

}  // namespace epollcheck
