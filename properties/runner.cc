#include "properties/runner.h"

#include <chrono>
#include <rapidcheck.h>

#include "properties/sequence.h"

namespace epollcheck {
namespace {

using Clock = std::chrono::steady_clock;

// Counts finished test cases and shrink attempts, and draws the progress line.
class ProgressListener final : public rc::detail::TestListener {
public:
  ProgressListener(const CheckOptions& options, std::ostream* progress)
      : options_(options), progress_(progress) {}

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
    if (progress_ != nullptr)
      *progress_ << '\n' << std::flush;
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
    const double secs = std::chrono::duration<double>(now - start_).count();
    *progress_ << "\r" << options_.sut_name << ": " << cases_ << "/"
               << options_.sequences << " sequences";
    if (shrinks_ > 0) {
      *progress_ << ", shrinking (" << shrinks_ << " tried, " << accepted_
                 << " accepted)";
    }
    *progress_ << ", " << static_cast<int>(secs) << " s   " << std::flush;
  }

  const CheckOptions& options_;
  std::ostream* progress_;
  int cases_ = 0;
  int shrinks_ = 0;
  int accepted_ = 0;
  Clock::time_point start_ = Clock::now();
  Clock::time_point last_draw_{};
};

std::vector<Op> OpsOf(const std::vector<StepRecord>& steps) {
  std::vector<Op> ops;
  for (const StepRecord& s : steps)
    ops.push_back(s.op);
  return ops;
}

}  // namespace

CheckReport RunCheck(const CheckOptions& options, std::ostream& out,
                     std::ostream* progress) {
  rc::detail::TestParams params;
  params.seed = options.seed;
  params.maxSuccess = options.sequences;
  params.maxSize = options.max_ops - 1;  // a sequence has 1..size+1 commands
  params.maxDiscardRatio = 10;
  rc::detail::TestMetadata metadata;
  metadata.id = "model == " + options.sut_name;
  metadata.description = metadata.id;
  ProgressListener listener(options, progress);
  Coverage::Current() = Coverage{};
  Transcript::LastFailure() = Transcript{};
  const SutFactory make_sut = options.make_sut;
  const Profile profile = options.profile;
  const rc::detail::TestResult result = rc::detail::checkTestable(
      [make_sut, profile] { CheckSequence(make_sut, profile); }, metadata,
      params, listener);

  CheckReport report;
  report.sequences_run = listener.cases();
  if (options.stats)
    Coverage::Current().Print(out);
  rc::detail::FailureResult failure;
  rc::detail::GaveUpResult gave_up;
  if (result.match(gave_up)) {
    out << "epollcheck: " << options.sut_name
        << ": gave up: " << gave_up.description << '\n';
    report.divergences = 1;
    return report;
  }
  if (!result.match(failure))
    return report;

  report.divergences = 1;
  const Transcript& last = Transcript::LastFailure();
  out << "epollcheck: divergence: model vs " << options.sut_name << " ("
      << options.sut_description << ")\n";
  out << "found after " << failure.numSuccess << " passing sequences; "
      << "shrunk to " << last.steps.size() << " steps:\n";
  // Replay the shrunk sequence on fresh instances: the report shows what a
  // rerun does, and says so if the divergence did not reproduce.
  std::vector<StepRecord> steps;
  std::string finish;
  const int diverged =
      ReplayOps(OpsOf(last.steps), make_sut, profile, steps, finish);
  if (diverged >= 0 || !finish.empty()) {
    PrintSteps(out, steps, diverged, options.sut_name);
    if (!finish.empty())
      out << "teardown: " << finish << '\n';
  } else {
    PrintSteps(out, last.steps, static_cast<int>(last.steps.size()) - 1,
               options.sut_name);
    out << "note: a fresh replay of these steps did not diverge ("
        << last.failure << ")\n";
  }
  out << "rerun: epollcheck check --sut " << options.sut_name << " --seed "
      << options.seed << " --sequences " << options.sequences << " --max-ops "
      << options.max_ops << '\n';
  return report;
}

}  // namespace epollcheck
