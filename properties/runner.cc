#include "properties/runner.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <rapidcheck.h>
#include <set>

#include "model/step.h"
#include "properties/rule_stats.h"
#include "properties/sequence.h"
#include "scenario/scenario.h"
#include "sut/model_sut.h"

namespace epollcheck {
namespace {

using Clock = std::chrono::steady_clock;

// Reports shrinking progress; a sequence's run itself draws nothing.
class ShrinkListener final : public rc::detail::TestListener {
public:
  explicit ShrinkListener(const ShrinkProgress& progress)
      : progress_(progress) {}
  void onTestCaseFinished(const rc::detail::CaseDescription&) override {}
  void onShrinkTried(const rc::detail::CaseDescription&,
                     bool accepted) override {
    ++tried_;
    if (accepted)
      ++accepted_;
    if (progress_)
      progress_(tried_, accepted_);
  }
  void onTestFinished(const rc::detail::TestMetadata&,
                      const rc::detail::TestResult&) override {}

private:
  const ShrinkProgress& progress_;
  int tried_ = 0;
  int accepted_ = 0;
};

// Draws the in-process run's progress line, at most every 200 ms.
class ProgressLine {
public:
  ProgressLine(const CheckOptions& options, std::ostream* progress)
      : options_(options), progress_(progress) {}
  void Draw(int done, int found, int tried, int accepted, bool force) {
    if (progress_ == nullptr)
      return;
    const auto now = Clock::now();
    if (!force && now - last_draw_ < std::chrono::milliseconds(200))
      return;
    last_draw_ = now;
    *progress_ << "\r" << options_.sut_name << ": " << done << "/"
               << options_.sequences << " sequences, " << found
               << " divergences";
    if (tried > 0)
      *progress_ << ", shrinking (" << tried << " tried, " << accepted
                 << " accepted)";
    *progress_ << "   " << std::flush;
  }
  void End() {
    if (progress_ != nullptr)
      *progress_ << '\n' << std::flush;
  }

private:
  const CheckOptions& options_;
  std::ostream* progress_;
  Clock::time_point last_draw_{};
};

std::string FileSafe(const std::string& signature) {
  std::string out;
  for (char c : signature)
    out += (std::isalnum(static_cast<unsigned char>(c)) || c == '-') ? c : '_';
  return out;
}

// Each sequence is its own RapidCheck test of one case, seeded from (seed,
// index) and generated at a size fixed by the index, so it does not depend on
// what ran before it.
rc::detail::TestParams SequenceParams(const CheckOptions& options,
                                      int sequence) {
  rc::detail::TestParams params;
  params.seed = SequenceSeed(options.seed, sequence);
  params.maxSuccess = 1;
  params.maxSize = options.max_ops - 1;  // a sequence has 1..size+1 commands
  params.maxDiscardRatio = 10;
  return params;
}

rc::detail::TestResult CheckOneSequence(const CheckOptions& options,
                                        int sequence, const MaskSet& masks,
                                        bool shrink,
                                        rc::detail::TestListener& listener) {
  rc::detail::TestParams params = SequenceParams(options, sequence);
  params.disableShrinking = !shrink;
  const int size = SequenceSize(sequence, options.sequences, params.maxSize);
  rc::detail::TestMetadata metadata;
  metadata.id = "model == " + options.sut_name;
  metadata.description = metadata.id;
  return rc::detail::checkTestable(
      [make_sut = options.make_sut, profile = options.profile, masks, size,
       families = options.families] {
        CheckSequence(make_sut, profile, masks, size, families);
      },
      metadata, params, listener);
}

// Saves `ops` with the model's results as expectations (replaying the file
// on the SUT shows the divergence, and on Linux passes). Returns the path, or
// "" if there is no --out or it could not be written (said on `out`).
std::string SaveScenario(const CheckOptions& options, const std::string& rerun,
                         const std::string& signature, int index,
                         const std::vector<Op>& ops, std::ostream& out) {
  if (options.out_dir.empty())
    return "";
  World world;
  world.profile = options.profile;
  std::vector<Outcome> model_results;
  for (const Op& op : ops)
    model_results.push_back(Step(world, op));
  Scenario scenario = ScenarioFromRun(ops, model_results, true);
  scenario.profile = options.profile.name;
  // An fdinfo divergence: the interest sets after its (last) step.
  if (signature.rfind("fdinfo:", 0) == 0 && !scenario.steps.empty())
    scenario.steps.back().fdinfo = FdinfoOfModel(world);
  std::error_code ec;
  std::filesystem::create_directories(options.out_dir, ec);
  std::string path = options.out_dir + "/" + std::to_string(index) + "-" +
                     FileSafe(options.sut_name) + "-" + FileSafe(signature) +
                     ".scn";
  std::ofstream file(path);
  file << FormatScenario(scenario,
                         {"epollcheck divergence " + std::to_string(index) +
                              ": model vs " + options.sut_name + " (" +
                              options.sut_description + ")",
                          "signature " + signature, "found by: " + rerun,
                          "expected results below are the model's"});
  if (!file) {
    out << "could not save the scenario to " << path << '\n';
    return "";
  }
  out << "saved: " << path << '\n'
      << "replay: epollcheck replay " << path << " --sut " << options.sut_name
      << (options.hang_timeout_arg.empty()
              ? ""
              : " --hang-timeout " + options.hang_timeout_arg)
      << '\n';
  return path;
}

// The model's state just before step `upto` of `ops`.
void PrintStateBefore(const CheckOptions& options, const std::vector<Op>& ops,
                      size_t upto, std::ostream& out) {
  World before;
  before.profile = options.profile;
  for (size_t i = 0; i < upto && i < ops.size(); ++i)
    (void)Step(before, ops[i]);
  out << "model state before step " << upto << ":\n" << before;
}

// Reports one shrunk divergence and saves it as a scenario. Returns what was
// found.
FoundDivergence Report(const CheckOptions& options, const Transcript& last,
                       int index, int sequence,
                       const std::set<std::string>& masked_before,
                       const ShrinkProgress& progress, std::ostream& out) {
  FoundDivergence found;
  found.signature = last.signature;
  found.sequence = sequence;
  found.rerun = RerunCommand(options, sequence, masked_before);
  found.steps = last.steps.size();
  out << "\nepollcheck: divergence " << index << ": model vs "
      << options.sut_name << " (" << options.sut_description << ")\n"
      << "signature " << last.signature << "; diverged at step "
      << last.steps.size() - 1;
  for (const StepRecord& s : last.steps)
    found.shrunk.push_back(s.op);
  int tried = 0;
  int accepted = 0;
  found.minimized = MinimizeTracked(
      found.shrunk, last.signature,
      [&](const std::vector<Op>& candidate, int& step) {
        std::string signature =
            ReplaySignature(candidate, options.make_sut, options.profile, step);
        ++tried;
        accepted += signature == last.signature ? 1 : 0;
        if (progress)
          progress(tried, accepted);
        return signature;
      },
      options.profile);
  // Replay the minimized sequence on fresh instances: the report shows what
  // a rerun does, and says so if the divergence did not reproduce.
  std::vector<Op> ops = found.minimized.ops;
  found.steps = ops.size();
  std::vector<StepRecord> steps;
  std::string finish;
  const int diverged =
      ReplayOps(ops, options.make_sut, options.profile, steps, finish);
  found.reproduced = diverged >= 0 || !finish.empty();
  out << ", minimized to " << ops.size() << ":\n";
  if (found.reproduced) {
    PrintSteps(out, steps, diverged, options.sut_name);
    if (!finish.empty())
      out << "teardown: " << finish << '\n';
    PrintStateBefore(options, ops,
                     diverged >= 0 ? static_cast<size_t>(diverged) : ops.size(),
                     out);
  } else {
    steps = last.steps;
    ops.clear();
    for (const StepRecord& s : steps)
      ops.push_back(s.op);
    PrintSteps(out, steps, static_cast<int>(steps.size()) - 1,
               options.sut_name);
    out << "note: a fresh replay of these steps did not diverge; "
           "the original run said:\n"
        << last.failure << '\n';
  }
  found.scenario_path =
      SaveScenario(options, found.rerun, last.signature, index, ops, out);
  out << "rerun: " << found.rerun << '\n';
  return found;
}

}  // namespace

int FirstSequence(const CheckOptions& options) {
  return options.only_sequence >= 0 ? options.only_sequence : options.shard;
}

int SequenceStride(const CheckOptions& options) {
  return options.only_sequence >= 0 ? 1 : std::max(1, options.shards);
}

int SequenceSize(int index, int count, int max_size) {
  const int sizes = max_size + 1;
  const int regular = (count / sizes) * sizes;
  if (index < regular)
    return index % sizes;
  const int rest = count - regular;
  if (rest == 1)
    return 0;
  return ((index % sizes) * max_size) / (rest - 1);
}

uint64_t SequenceSeed(uint64_t seed, int index) {
  // splitmix64 of the run seed advanced by the index: neighbouring seeds and
  // indices give unrelated sequences.
  uint64_t z =
      seed + (static_cast<uint64_t>(index) + 1) * 0x9e3779b97f4a7c15ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

std::string RerunCommand(const CheckOptions& options, int sequence,
                         const std::set<std::string>& masked) {
  std::string command = "epollcheck check --sut " + options.sut_name +
                        " --seed " + std::to_string(options.seed) +
                        " --sequences " + std::to_string(options.sequences) +
                        " --max-ops " + std::to_string(options.max_ops);
  if (!options.kernel_era.empty())
    command += " --kernel-era " + options.kernel_era;
  if (!options.profile_arg.empty()) {
    command += options.profile_arg.find(' ') == std::string::npos
                   ? " --profile " + options.profile_arg
                   : " --profile '" + options.profile_arg + "'";
  }
  if (!options.known_path.empty())
    command += " --known " + options.known_path;
  if (!options.families_arg.empty())
    command += " --families " + options.families_arg;
  if (!options.hang_timeout_arg.empty())
    command += " --hang-timeout " + options.hang_timeout_arg;
  if (options.no_fdinfo)
    command += " --no-fdinfo";
  command += " --only-sequence " + std::to_string(sequence);
  for (const std::string& signature : masked) {
    if (options.known.count(signature) != 0)
      continue;
    // A readiness rule with companion bits, `rule(RDNORM+WRNORM)`, is
    // quoted for the shell.
    command += signature.find('(') == std::string::npos
                   ? " --mask " + signature
                   : " --mask '" + signature + "'";
  }
  return command;
}

SequenceRun RunSequence(const CheckOptions& options, int sequence) {
  static const MaskSet kEverything =
      std::make_shared<const std::set<std::string>>(
          std::set<std::string>{kMaskAll});
  SequenceRun run;
  run.sequence = sequence;
  Coverage::Current() = Coverage{};
  const ShrinkProgress none;
  ShrinkListener listener(none);
  const rc::detail::TestResult result =
      CheckOneSequence(options, sequence, kEverything, false, listener);
  const Transcript& tr = Transcript::Current();
  rc::detail::FailureResult failure;
  rc::detail::GaveUpResult gave_up;
  if (result.match(gave_up)) {
    run.gave_up = true;
    run.failure = gave_up.description;
  } else if (result.match(failure)) {
    run.failure = failure.description;  // every signature is masked
  }
  if (tr.masked) {
    run.divergence = tr.masked_signature;
    run.divergence_step = tr.masked_step;
  }
  run.leak = tr.masked_leak;
  run.coverage = std::move(Coverage::Current());
  Coverage::Current() = Coverage{};
  return run;
}

std::string FailingSignature(const SequenceRun& run,
                             const std::set<std::string>& masked) {
  if (!run.divergence.empty() && masked.count(run.divergence) == 0)
    return run.divergence;
  if (!run.fatal.empty())
    return masked.count(run.fatal) == 0 ? run.fatal : "";
  if (run.leak && masked.count(kLeakSignature) == 0)
    return kLeakSignature;
  return "";
}

void CountSignature(const SequenceRun& run,
                    std::map<std::string, SignatureCount>& census) {
  const std::string signature = FailingSignature(run, {});
  if (signature.empty())
    return;
  SignatureCount& count = census[signature];
  if (count.sequences == 0 || run.sequence < count.first)
    count.first = run.sequence;
  ++count.sequences;
}

void CountMaskedHits(const SequenceRun& run,
                     const std::set<std::string>& masked,
                     std::map<std::string, long>& hits) {
  if (!run.divergence.empty() && masked.count(run.divergence) != 0)
    ++hits[run.divergence];
  if (!run.fatal.empty() && masked.count(run.fatal) != 0)
    ++hits[run.fatal];
  if (run.fatal.empty() && run.leak && masked.count(kLeakSignature) != 0)
    ++hits[kLeakSignature];
}

std::optional<FoundDivergence>
ShrinkAndReport(const CheckOptions& options, int sequence,
                const std::set<std::string>& masked, int index,
                std::ostream& out, const ShrinkProgress& progress,
                Coverage& coverage) {
  Coverage::Current() = Coverage{};
  Transcript::LastFailure() = Transcript{};
  ShrinkListener listener(progress);
  // No RapidCheck shrinking: Minimize does the job from the failing run in
  // a fraction of the replays (RapidCheck's tried ~5,000 candidates on a
  // 100-step sequence where Minimize needs a few hundred), and its result
  // keeps every descriptor operand naming what it named.
  const rc::detail::TestResult result = CheckOneSequence(
      options, sequence, std::make_shared<const std::set<std::string>>(masked),
      false, listener);
  coverage.Add(Coverage::Current());
  Coverage::Current() = Coverage{};
  rc::detail::FailureResult failure;
  if (!result.match(failure)) {
    out << "\nepollcheck: sequence " << sequence
        << " failed, but not when rerun to shrink it (a SUT whose results "
           "vary?)\n";
    return std::nullopt;
  }
  const Transcript last = Transcript::LastFailure();
  if (last.signature.empty()) {
    out << "\nepollcheck: sequence " << sequence
        << ": failure while shrinking: " << failure.description << '\n';
    return std::nullopt;
  }
  return Report(options, last, index, sequence, masked, progress, out);
}

std::vector<Op> GenerateSequence(const CheckOptions& options, int sequence) {
  CheckOptions model = options;
  model.make_sut = [profile = options.profile]() -> std::unique_ptr<Sut> {
    return std::make_unique<ModelSut>(profile);
  };
  (void)RunSequence(model, sequence);
  std::vector<Op> ops;
  for (const StepRecord& s : Transcript::Current().steps)
    ops.push_back(s.op);
  return ops;
}

FoundDivergence ReportReplayed(const CheckOptions& options,
                               const ReplayedFailure& failure, int sequence,
                               const std::set<std::string>& masked, int index,
                               std::ostream& out) {
  FoundDivergence found;
  found.signature = failure.signature;
  found.sequence = sequence;
  found.rerun = RerunCommand(options, sequence, masked);
  found.steps = failure.ops.size();
  out << "\nepollcheck: divergence " << index << ": model vs "
      << options.sut_name << " (" << options.sut_description << ")\n"
      << "signature " << failure.signature << "; " << failure.how << " from "
      << failure.original_steps << " steps, minimized to " << failure.ops.size()
      << ":\n";
  World world;
  world.profile = options.profile;
  std::vector<StepRecord> steps;
  for (size_t i = 0; i < failure.ops.size(); ++i) {
    const Outcome want = Step(world, failure.ops[i]);
    const Outcome got = i < failure.got.size() ? failure.got[i] : want;
    steps.push_back(StepRecord{.op = failure.ops[i], .want = want, .got = got});
  }
  PrintSteps(out, steps, failure.step, options.sut_name, failure.fatal,
             failure.fatal_got);
  if (failure.fatal.empty() && failure.signature.rfind("fdinfo:", 0) == 0) {
    // Replayed in another process: only the results came back.
    out << "note: the interest sets differed after step " << failure.step
        << " (fdinfo); the saved scenario's fdinfo lines are the model's, "
           "its replay shows the SUT's\n";
  }
  PrintStateBefore(options, failure.ops, static_cast<size_t>(failure.step),
                   out);
  if (!failure.note.empty())
    out << failure.note << '\n';
  found.scenario_path = SaveScenario(options, found.rerun, failure.signature,
                                     index, failure.ops, out);
  out << "rerun: " << found.rerun << '\n';
  return found;
}

void PrintRunEnd(const CheckOptions& options, CheckReport& report,
                 const Coverage& coverage, std::ostream& out) {
  if (!report.found.empty() || !report.known_hits.empty()) {
    // Signatures name rules, some long: the column fits the longest.
    size_t width = 44;
    for (const FoundDivergence& d : report.found)
      width = std::max(width, d.signature.size() + 2);
    for (const auto& [signature, hits] : report.known_hits)
      width = std::max(width, signature.size() + 2);
    const int w = static_cast<int>(width);
    out << "\ndistinct divergences:\n";
    out << "  " << std::left << std::setw(w) << "signature" << std::setw(7)
        << "steps"
        << "scenario\n";
    for (const FoundDivergence& d : report.found) {
      out << "  " << std::setw(w) << d.signature << std::setw(7) << d.steps
          << (d.scenario_path.empty() ? "-" : d.scenario_path)
          << (d.reproduced ? "" : "  (did not reproduce on replay)") << '\n';
    }
    for (const auto& [signature, hits] : report.known_hits) {
      const KnownDivergence& k = options.known.at(signature);
      out << "  " << std::setw(w) << signature << std::setw(7) << "known"
          << k.scenario << "  (" << hits << " sequences; " << k.note << ")\n";
    }
    out << std::right;
  }
  if (options.stats || !options.stats_json.empty()) {
    const RuleReport rules =
        MakeRuleReport(coverage.rules, options.profile, options.families);
    if (options.stats) {
      coverage.Print(out);
      PrintRuleReport(out, rules);
    }
    if (!options.stats_json.empty()) {
      report.stats_json_error =
          WriteStatsJson(options.stats_json, coverage, rules, options.profile);
    }
  }
}

CheckReport RunCheck(const CheckOptions& options, std::ostream& out,
                     std::ostream* progress) {
  CheckReport report;
  Coverage total;
  std::map<std::string, long> hits;
  std::set<std::string> masked = options.masked;
  for (const auto& [signature, entry] : options.known)
    masked.insert(signature);
  ProgressLine line(options, progress);
  const int first = FirstSequence(options);
  const int end = options.only_sequence >= 0 ? first + 1 : options.sequences;
  const int stride = SequenceStride(options);
  for (int sequence = first; sequence < end; sequence += stride) {
    const int found = static_cast<int>(report.found.size());
    SequenceRun run = RunSequence(options, sequence);
    ++report.sequences_run;
    CountSignature(run, report.census);
    line.Draw(report.sequences_run, found, 0, 0, false);
    if (run.gave_up || !run.failure.empty()) {
      line.End();
      out << "epollcheck: " << options.sut_name
          << (run.gave_up ? ": gave up: " : ": failure: ") << run.failure
          << '\n';
      ++report.divergences;
      break;
    }
    const std::string signature = FailingSignature(run, masked);
    if (signature.empty()) {
      CountMaskedHits(run, masked, hits);
      total.Add(run.coverage);
      continue;
    }
    line.End();
    const ShrinkProgress shrinking = [&](int tried, int accepted) {
      line.Draw(report.sequences_run, found, tried, accepted, false);
    };
    std::optional<FoundDivergence> d = ShrinkAndReport(
        options, sequence, masked, found + 1, out, shrinking, total);
    if (!d) {
      d = FoundDivergence{.signature = signature,
                          .sequence = sequence,
                          .rerun = RerunCommand(options, sequence, masked),
                          .reproduced = false};
    }
    ++report.divergences;
    masked.insert(d->signature);
    masked.insert(signature);
    report.found.push_back(*d);
    if (static_cast<int>(report.found.size()) >= options.max_divergences) {
      out << "epollcheck: stopping after " << options.max_divergences
          << " distinct divergences\n";
      break;
    }
  }
  line.End();
  for (const auto& [signature, n] : hits) {
    if (options.known.count(signature) != 0)
      report.known_hits[signature] = n;
  }
  PrintRunEnd(options, report, total, out);
  report.coverage = std::move(total);
  return report;
}

}  // namespace epollcheck
