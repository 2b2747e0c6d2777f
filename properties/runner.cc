#include "properties/runner.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <rapidcheck.h>
#include <set>

#include "model/step.h"
#include "properties/minimize.h"
#include "properties/sequence.h"
#include "scenario/scenario.h"

namespace epollcheck {
namespace {

using Clock = std::chrono::steady_clock;

// Counts finished test cases and shrink attempts, and draws the progress line.
class ProgressListener final : public rc::detail::TestListener {
public:
  ProgressListener(const CheckOptions& options, std::ostream* progress,
                   int done_before, int found_before)
      : options_(options), progress_(progress), done_before_(done_before),
        found_before_(found_before) {}

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
    *progress_ << "\r" << options_.sut_name << ": " << done_before_ + cases_
               << "/" << options_.sequences << " sequences, " << found_before_
               << " divergences";
    if (shrinks_ > 0) {
      *progress_ << ", shrinking (" << shrinks_ << " tried, " << accepted_
                 << " accepted)";
    }
    *progress_ << "   " << std::flush;
  }

  const CheckOptions& options_;
  std::ostream* progress_;
  int done_before_;
  int found_before_;
  int cases_ = 0;
  int shrinks_ = 0;
  int accepted_ = 0;
  Clock::time_point last_draw_{};
};

std::string FileSafe(const std::string& signature) {
  std::string out;
  for (char c : signature)
    out += (std::isalnum(static_cast<unsigned char>(c)) || c == '-') ? c : '_';
  return out;
}

// Reports one shrunk divergence and saves it as a scenario. Returns what was
// found.
FoundDivergence Report(const CheckOptions& options, const Transcript& last,
                       int index, uint64_t round_seed, std::ostream& out) {
  FoundDivergence found;
  found.signature = last.signature;
  found.steps = last.steps.size();
  out << "\nepollcheck: divergence " << index << ": model vs "
      << options.sut_name << " (" << options.sut_description << ")\n"
      << "signature " << last.signature << "; shrunk by RapidCheck to "
      << last.steps.size() << " steps";
  // Replay the shrunk sequence on fresh instances: the report shows what a
  // rerun does, and says so if the divergence did not reproduce.
  std::vector<Op> ops;
  for (const StepRecord& s : last.steps)
    ops.push_back(s.op);
  ops = Minimize(ops, last.signature, options.make_sut, options.profile);
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
         "signature " + last.signature,
         "found by: epollcheck check --sut " + options.sut_name + " --seed " +
             std::to_string(round_seed) + " --max-ops " +
             std::to_string(options.max_ops),
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
  out << "rerun: epollcheck check --sut " << options.sut_name << " --seed "
      << round_seed << " --max-ops " << options.max_ops << '\n';
  return found;
}

}  // namespace

CheckReport RunCheck(const CheckOptions& options, std::ostream& out,
                     std::ostream* progress) {
  CheckReport report;
  Coverage::Current() = Coverage{};
  MaskedHits().clear();
  std::set<std::string> masked;
  for (const auto& [signature, entry] : options.known)
    masked.insert(signature);
  const SutFactory make_sut = options.make_sut;
  const Profile profile = options.profile;
  for (int round = 0; report.sequences_run < options.sequences; ++round) {
    rc::detail::TestParams params;
    // Round 0 uses the seed as given, so `--seed S` reruns it exactly.
    params.seed =
        options.seed + static_cast<uint64_t>(round) * 0x9e3779b97f4a7c15ull;
    params.maxSuccess = options.sequences - report.sequences_run;
    params.maxSize = options.max_ops - 1;  // a sequence has 1..size+1 commands
    params.maxDiscardRatio = 10;
    rc::detail::TestMetadata metadata;
    metadata.id = "model == " + options.sut_name;
    metadata.description = metadata.id;
    ProgressListener listener(options, progress, report.sequences_run,
                              static_cast<int>(report.found.size()));
    Transcript::LastFailure() = Transcript{};
    const std::set<std::string> round_masks = masked;
    const rc::detail::TestResult result = rc::detail::checkTestable(
        [make_sut, profile, &round_masks, families = options.families] {
          CheckSequence(make_sut, profile, &round_masks, families);
        },
        metadata, params, listener);
    report.sequences_run += listener.cases();
    if (progress != nullptr)
      *progress << '\n' << std::flush;
    rc::detail::FailureResult failure;
    rc::detail::GaveUpResult gave_up;
    if (result.match(gave_up)) {
      out << "epollcheck: " << options.sut_name
          << ": gave up: " << gave_up.description << '\n';
      ++report.divergences;
      break;
    }
    if (!result.match(failure))
      break;
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
                                  params.seed, out));
    ++report.divergences;
    masked.insert(last.signature);
    if (listener.cases() == 0)
      ++report.sequences_run;  // never loop without progress
    if (static_cast<int>(report.found.size()) >= options.max_divergences) {
      out << "epollcheck: stopping after " << options.max_divergences
          << " distinct divergences\n";
      break;
    }
  }
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
  if (options.stats)
    Coverage::Current().Print(out);
  return report;
}

}  // namespace epollcheck
