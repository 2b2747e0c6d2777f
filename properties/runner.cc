#include "properties/runner.h"

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

namespace epollcheck {
namespace {

using Clock = std::chrono::steady_clock;

// Counts finished test cases and shrink attempts, and draws the progress line.
class ProgressListener final : public rc::detail::TestListener {
public:
  ProgressListener(const CheckOptions& options, std::ostream* progress)
      : options_(options), progress_(progress) {}

  // A new sequence starts; `found` divergences so far.
  void StartSequence(int found) {
    found_ = found;
    shrinks_ = 0;
    accepted_ = 0;
  }

  void onTestCaseFinished(const rc::detail::CaseDescription&) override {
    ++cases_;
    Draw(false);
  }
  void onShrinkTried(const rc::detail::CaseDescription&,
                     bool accepted) override {
    ++shrinks_;
    if (accepted)
      ++accepted_;
    Draw(false);
  }
  void onTestFinished(const rc::detail::TestMetadata&,
                      const rc::detail::TestResult&) override {
    Draw(true);
  }
  int cases() const { return cases_; }

private:
  void Draw(bool force) {
    if (progress_ == nullptr)
      return;
    const auto now = Clock::now();
    if (!force && now - last_draw_ < std::chrono::milliseconds(200))
      return;
    last_draw_ = now;
    *progress_ << "\r" << options_.sut_name << ": " << cases_ << "/"
               << options_.sequences << " sequences, " << found_
               << " divergences";
    if (shrinks_ > 0) {
      *progress_ << ", shrinking (" << shrinks_ << " tried, " << accepted_
                 << " accepted)";
    }
    *progress_ << "   " << std::flush;
  }

  const CheckOptions& options_;
  std::ostream* progress_;
  int found_ = 0;
  int cases_ = 0;
  int shrinks_ = 0;
  int accepted_ = 0;
  Clock::time_point last_draw_{};
};

// The RapidCheck size of sequence `index` of `count`: RapidCheck's own
// schedule (src/detail/Testing.cpp sizeFor), so sizes spread evenly over
// 0..max_size whatever the count.
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

std::string FileSafe(const std::string& signature) {
  std::string out;
  for (char c : signature)
    out += (std::isalnum(static_cast<unsigned char>(c)) || c == '-') ? c : '_';
  return out;
}

// Reports one shrunk divergence and saves it as a scenario. Returns what was
// found.
FoundDivergence Report(const CheckOptions& options, const Transcript& last,
                       int index, int sequence,
                       const std::set<std::string>& masked_before,
                       std::ostream& out) {
  FoundDivergence found;
  found.signature = last.signature;
  found.sequence = sequence;
  found.rerun = RerunCommand(options, sequence, masked_before);
  found.steps = last.steps.size();
  out << "\nepollcheck: divergence " << index << ": model vs "
      << options.sut_name << " (" << options.sut_description << ")\n"
      << "signature " << last.signature << "; shrunk by RapidCheck to "
      << last.steps.size() << " steps";
  // Replay the shrunk sequence on fresh instances: the report shows what a
  // rerun does, and says so if the divergence did not reproduce.
  for (const StepRecord& s : last.steps)
    found.shrunk.push_back(s.op);
  found.minimized = MinimizeTracked(found.shrunk, last.signature,
                                    options.make_sut, options.profile);
  const std::vector<Op>& ops = found.minimized.ops;
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
    // The model's state just before the diverging step.
    World before;
    before.profile = options.profile;
    const size_t upto =
        diverged >= 0 ? static_cast<size_t>(diverged) : ops.size();
    for (size_t i = 0; i < upto; ++i)
      (void)Step(before, ops[i]);
    out << "model state before step " << upto << ":\n" << before;
  } else {
    steps = last.steps;
    PrintSteps(out, steps, static_cast<int>(steps.size()) - 1,
               options.sut_name);
    out << "note: a fresh replay of these steps did not diverge; "
           "the original run said:\n"
        << last.failure << '\n';
  }
  // Save: the model's results are the expectations, so replaying the file
  // on the SUT shows the divergence, and on Linux passes.
  std::vector<Outcome> model_results;
  for (const StepRecord& s : steps)
    model_results.push_back(s.want);
  Scenario scenario = ScenarioFromRun(ops, model_results, true);
  scenario.profile = options.profile.name;
  if (!options.out_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(options.out_dir, ec);
    const std::string path = options.out_dir + "/" + std::to_string(index) +
                             "-" + FileSafe(options.sut_name) + "-" +
                             FileSafe(last.signature) + ".scn";
    std::ofstream file(path);
    file << FormatScenario(
        scenario,
        {"epollcheck divergence " + std::to_string(index) + ": model vs " +
             options.sut_name + " (" + options.sut_description + ")",
         "signature " + last.signature, "found by: " + found.rerun,
         "expected results below are the model's"});
    if (file) {
      found.scenario_path = path;
      out << "saved: " << path << '\n'
          << "replay: epollcheck replay " << path << " --sut "
          << options.sut_name << '\n';
    } else {
      out << "could not save the scenario to " << path << '\n';
    }
  }
  out << "rerun: " << found.rerun << '\n';
  return found;
}

}  // namespace

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
  if (!options.known_path.empty())
    command += " --known " + options.known_path;
  if (!options.families_arg.empty())
    command += " --families " + options.families_arg;
  command += " --only-sequence " + std::to_string(sequence);
  for (const std::string& signature : masked) {
    if (options.known.count(signature) == 0)
      command += " --mask " + signature;
  }
  return command;
}

CheckReport RunCheck(const CheckOptions& options, std::ostream& out,
                     std::ostream* progress) {
  CheckReport report;
  Coverage::Current() = Coverage{};
  MaskedHits().clear();
  std::set<std::string> masked = options.masked;
  for (const auto& [signature, entry] : options.known)
    masked.insert(signature);
  const SutFactory make_sut = options.make_sut;
  const Profile profile = options.profile;
  ProgressListener listener(options, progress);
  const int first = options.only_sequence >= 0 ? options.only_sequence : 0;
  const int end = options.only_sequence >= 0 ? first + 1 : options.sequences;
  for (int sequence = first; sequence < end; ++sequence) {
    // Each sequence is its own RapidCheck test of one case, seeded from
    // (seed, index) and generated at a size fixed by the index, so it does
    // not depend on what ran before it (the masks only decide which
    // divergences fail it).
    rc::detail::TestParams params;
    params.seed = SequenceSeed(options.seed, sequence);
    params.maxSuccess = 1;
    params.maxSize = options.max_ops - 1;  // a sequence has 1..size+1 commands
    params.maxDiscardRatio = 10;
    const int size = SequenceSize(sequence, options.sequences, params.maxSize);
    rc::detail::TestMetadata metadata;
    metadata.id = "model == " + options.sut_name;
    metadata.description = metadata.id;
    listener.StartSequence(static_cast<int>(report.found.size()));
    Transcript::LastFailure() = Transcript{};
    const auto sequence_masks =
        std::make_shared<const std::set<std::string>>(masked);
    const rc::detail::TestResult result = rc::detail::checkTestable(
        [make_sut, profile, sequence_masks, size, families = options.families] {
          CheckSequence(make_sut, profile, sequence_masks, size, families);
        },
        metadata, params, listener);
    ++report.sequences_run;
    rc::detail::FailureResult failure;
    rc::detail::GaveUpResult gave_up;
    if (result.match(gave_up)) {
      if (progress != nullptr)
        *progress << '\n' << std::flush;
      out << "epollcheck: " << options.sut_name
          << ": gave up: " << gave_up.description << '\n';
      ++report.divergences;
      break;
    }
    if (!result.match(failure))
      continue;
    if (progress != nullptr)
      *progress << '\n' << std::flush;
    const Transcript last = Transcript::LastFailure();
    if (last.signature.empty()) {
      // The property failed outside a step (e.g. the SUT threw).
      out << "epollcheck: " << options.sut_name
          << ": failure: " << failure.description << '\n';
      ++report.divergences;
      break;
    }
    report.found.push_back(Report(options, last,
                                  static_cast<int>(report.found.size()) + 1,
                                  sequence, masked, out));
    ++report.divergences;
    masked.insert(last.signature);
    if (static_cast<int>(report.found.size()) >= options.max_divergences) {
      out << "epollcheck: stopping after " << options.max_divergences
          << " distinct divergences\n";
      break;
    }
  }
  if (progress != nullptr)
    *progress << '\n' << std::flush;
  report.known_hits = MaskedHits();
  for (auto it = report.known_hits.begin(); it != report.known_hits.end();) {
    it = options.known.count(it->first) ? std::next(it)
                                        : report.known_hits.erase(it);
  }
  if (!report.found.empty() || !report.known_hits.empty()) {
    out << "\ndistinct divergences:\n";
    out << "  " << std::left << std::setw(44) << "signature" << std::setw(7)
        << "steps"
        << "scenario\n";
    for (const FoundDivergence& d : report.found) {
      out << "  " << std::setw(44) << d.signature << std::setw(7) << d.steps
          << (d.scenario_path.empty() ? "-" : d.scenario_path)
          << (d.reproduced ? "" : "  (did not reproduce on replay)") << '\n';
    }
    for (const auto& [signature, hits] : report.known_hits) {
      const KnownDivergence& k = options.known.at(signature);
      out << "  " << std::setw(44) << signature << std::setw(7) << "known"
          << k.scenario << "  (" << hits << " sequences; " << k.note << ")\n";
    }
    out << std::right;
  }
  if (options.stats || !options.stats_json.empty()) {
    const Coverage& coverage = Coverage::Current();
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
  return report;
}

}  // namespace epollcheck
