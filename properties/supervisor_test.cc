// Claims behind the supervised check (properties/supervisor.h), in process:
// what a worker sends survives the trip (frames split anywhere, runs,
// operations, results); a sequence regenerated against the model alone is
// the sequence a worker ran on the SUT (so a crash's sequence can be
// replayed without the process that died); a run's decisions depend on the
// masks only through FailingSignature; nothing runs on the SUT after a
// divergence; durations parse. The end-to-end
// claims (jobs, crashes, hangs) are in cli/cli_test.cc.

#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "model/abi.h"
#include "model/profile.h"
#include "properties/runner.h"
#include "properties/supervisor.h"
#include "properties/worker.h"
#include "sut/sim/sim_sut.h"

namespace epollcheck {
namespace {

CheckOptions ScratchOptions() {
  CheckOptions options;
  options.sut_name = "scratch";
  options.make_sut = [] { return std::make_unique<SimSut>(); };
  options.profile = ProfileForKernel(6, 18);
  options.families = kScratchFamilies;
  options.sequences = 200;
  options.seed = 7;
  return options;
}

// A SUT that records what it is asked to do.
class Recording final : public Sut {
public:
  Recording(std::unique_ptr<Sut> inner, std::vector<Op>& ops)
      : inner_(std::move(inner)), ops_(ops) {}
  [[nodiscard]] Outcome Execute(const Op& op) override {
    ops_.push_back(op);
    return inner_->Execute(op);
  }
  [[nodiscard]] std::string Finish() override { return inner_->Finish(); }

private:
  std::unique_ptr<Sut> inner_;
  std::vector<Op>& ops_;
};

TEST(Supervisor, FramesSurviveAnySplit) {
  const std::string stream = EncodeFrame("seq", "sequence 3\nleak\n") +
                             EncodeFrame("alive", "") +
                             EncodeFrame("report", EncodeFrame("text", "a\nb"));
  for (size_t cut = 0; cut <= stream.size(); ++cut) {
    std::string buffer = stream.substr(0, cut);
    std::vector<Frame> frames = DecodeFrames(buffer);
    buffer += stream.substr(cut);
    for (Frame& f : DecodeFrames(buffer))
      frames.push_back(std::move(f));
    ASSERT_EQ(frames.size(), 3u) << cut;
    EXPECT_EQ(frames[0].tag, "seq");
    EXPECT_EQ(frames[0].payload, "sequence 3\nleak\n");
    EXPECT_EQ(frames[1].tag, "alive");
    EXPECT_EQ(frames[1].payload, "");
    std::string inner = frames[2].payload;
    const std::vector<Frame> text = DecodeFrames(inner);
    ASSERT_EQ(text.size(), 1u);
    EXPECT_EQ(text[0].payload, "a\nb");
    EXPECT_TRUE(buffer.empty());
  }
  std::string bad = "no length here\n";
  const std::vector<Frame> frames = DecodeFrames(bad);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].tag, "bad");
}

TEST(Supervisor, RunsSurviveTheTrip) {
  const CheckOptions options = ScratchOptions();
  for (int i = 0; i < 20; ++i) {
    SequenceRun run = RunSequence(options, i);
    run.divergence = "epoll_wait:events.count:epoll";
    run.divergence_step = 4;
    run.leak = i % 2 == 0;
    run.fatal = i % 3 == 0 ? "crash:SIGSEGV" : "";
    run.fatal_step = 9;
    run.failure = i % 5 == 0 ? "two\nlines" : "";
    const std::optional<SequenceRun> back = DecodeRun(EncodeRun(run, true));
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(back->sequence, i);
    EXPECT_EQ(back->divergence, run.divergence);
    EXPECT_EQ(back->divergence_step, 4);
    EXPECT_EQ(back->leak, run.leak);
    EXPECT_EQ(back->fatal, run.fatal);
    EXPECT_EQ(back->failure, run.failure);
    EXPECT_EQ(back->coverage.steps, run.coverage.steps);
    EXPECT_EQ(back->coverage.counts, run.coverage.counts);
    EXPECT_EQ(back->coverage.family_steps, run.coverage.family_steps);
    EXPECT_GT(run.coverage.steps, 0);
  }
}

// A crash's sequence is rebuilt by generating it against the model alone:
// that must be exactly what the worker ran on the SUT (generation never
// looks at the SUT), and it must survive the trip to a replay worker.
TEST(Supervisor, RegeneratedSequenceIsTheOneTheSutRan) {
  for (int i = 0; i < 60; ++i) {
    CheckOptions options = ScratchOptions();
    auto ran = std::make_shared<std::vector<Op>>();
    options.make_sut = [ran] {
      ran->clear();
      return std::make_unique<Recording>(std::make_unique<SimSut>(), *ran);
    };
    (void)RunSequence(options, i);
    const std::vector<Op> generated = GenerateSequence(ScratchOptions(), i);
    EXPECT_EQ(generated, *ran) << "sequence " << i;
    const std::optional<std::vector<Op>> back = DecodeOps(EncodeOps(generated));
    ASSERT_TRUE(back.has_value()) << EncodeOps(generated);
    EXPECT_EQ(*back, generated) << EncodeOps(generated);
    // And a replay of it does what the run did.
    std::vector<Outcome> got;
    const SequenceRun replayed = ReplayAllMasked(options, generated, got);
    EXPECT_EQ(got.size(), generated.size());
    EXPECT_EQ(replayed.divergence, "");
  }
}

// Once a sequence diverged (the check engine's runs mask every signature
// and go to the end), the SUT is asked nothing more: its state is no longer
// the model's, so a call the model admits as non-blocking could block
// there (a registered difference on gVisor led to a blocking timerfd read).
TEST(Supervisor, NothingRunsOnTheSutAfterADivergence) {
  // A scratch kernel whose third operation answers EPERM whatever it is.
  class DivergesAtThree final : public Sut {
  public:
    explicit DivergesAtThree(std::vector<Op>& ops) : ops_(ops) {}
    [[nodiscard]] Outcome Execute(const Op& op) override {
      ops_.push_back(op);
      const Outcome real = inner_.Execute(op);
      return ops_.size() == 3 ? Outcome::Error(abi::kEperm) : real;
    }
    [[nodiscard]] std::string Finish() override { return inner_.Finish(); }

  private:
    SimSut inner_;
    std::vector<Op>& ops_;
  };
  int diverged = 0;
  for (int i = 0; i < 40; ++i) {
    CheckOptions options = ScratchOptions();
    auto ran = std::make_shared<std::vector<Op>>();
    options.make_sut = [ran] {
      ran->clear();
      return std::make_unique<DivergesAtThree>(*ran);
    };
    const SequenceRun run = RunSequence(options, i);
    const size_t generated = GenerateSequence(ScratchOptions(), i).size();
    if (run.divergence.empty())
      continue;  // shorter than 3 steps, or EPERM was the answer anyway
    ++diverged;
    EXPECT_EQ(run.divergence_step, 2) << "sequence " << i;
    EXPECT_EQ(ran->size(), 3u) << "sequence " << i << " of " << generated;
  }
  EXPECT_GT(diverged, 20);
}

TEST(Supervisor, WhatFailsDependsOnTheMasks) {
  SequenceRun run;
  run.divergence = "a:b:c";
  run.fatal = "crash:SIGSEGV";
  EXPECT_EQ(FailingSignature(run, {}), "a:b:c");
  // A fatal after a masked divergence (nothing runs on the SUT after it but
  // its teardown) is a finding of its own.
  EXPECT_EQ(FailingSignature(run, {"a:b:c"}), "crash:SIGSEGV");
  EXPECT_EQ(FailingSignature(run, {"a:b:c", "crash:SIGSEGV"}), "");
  std::map<std::string, long> hits;
  CountMaskedHits(run, {"a:b:c", "crash:SIGSEGV"}, hits);
  EXPECT_EQ(hits,
            (std::map<std::string, long>{{"a:b:c", 1}, {"crash:SIGSEGV", 1}}));
  SequenceRun leaky;
  leaky.leak = true;
  EXPECT_EQ(FailingSignature(leaky, {}), "teardown:leak:none");
  EXPECT_EQ(FailingSignature(leaky, {"teardown:leak:none"}), "");
}

TEST(Supervisor, DurationsParse) {
  using std::chrono::milliseconds;
  EXPECT_EQ(ParseDuration("10m"), milliseconds(600000));
  EXPECT_EQ(ParseDuration("30s"), milliseconds(30000));
  EXPECT_EQ(ParseDuration("2h"), milliseconds(7200000));
  EXPECT_EQ(ParseDuration("300ms"), milliseconds(300));
  EXPECT_EQ(ParseDuration("1.5s"), milliseconds(1500));
  EXPECT_EQ(ParseDuration("45"), milliseconds(45000));
  for (const char* bad : {"", "m", "-1s", "0s", "10x", "1e20h", "s10"})
    EXPECT_EQ(ParseDuration(bad), std::nullopt) << bad;
}

}  // namespace
}  // namespace epollcheck
