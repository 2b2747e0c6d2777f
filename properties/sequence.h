// File: properties/sequence.h
// The differential property `model ≡ SUT`: a RapidCheck stateful test whose
// commands are operations (one generic command wrapping an Op; all logic is
// in model/). Each step's full Outcome from the SUT must equal the model's,
// and then (the fdinfo oracle, sut/fdinfo.h, unless the SUT's FdinfoOff()
// says why not) the interest set of every open epoll instance must too.
// At the end of a sequence the open-descriptor tables must agree and the SUT
// must report nothing left behind.
//
//   RC_GTEST_PROP(ModelMatchesKernel, EverySequenceAgrees, ()) {
//     CheckSequence(KernelSutFactory(), RunningKernelProfile());
//   }
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <set>
#include <span>
#include <string>
#include <vector>

#include <rapidcheck.h>
#include <rapidcheck/state.h>

#include "model/ops.h"
#include "model/outcome.h"
#include "model/rules.h"
#include "model/world.h"
#include "properties/generators.h"
#include "sut/fdinfo.h"
#include "sut/sut.h"

namespace epollcheck {

// Divergence signatures that end comparisons instead of failing the run.
using MaskSet = std::shared_ptr<const std::set<std::string>>;
// A mask entry that masks every signature: the sequence runs to its end and
// records its first divergence (the check engine's runs, properties/runner.h).
inline constexpr const char* kMaskAll = "*";

// One generated operation as a RapidCheck command. A divergence whose
// signature is in `masked` does not fail the sequence (see CheckSequence).
struct OpCommand final : rc::state::Command<World, Sut> {
  Op op;
  MaskSet masked;

  explicit OpCommand(Op o, MaskSet m = nullptr)
      : op(std::move(o)), masked(std::move(m)) {}
  void checkPreconditions(const World& s0) const override;
  void apply(World& s0) const override;
  // Runs on a copy of s0 (RunAndApply).
  void run(const World& s0, Sut& sut) const override;
  void show(std::ostream& os) const override { os << op; }
  // run() and apply() in one: runs the op on `sut` and predicts its outcome
  // by stepping `s0` itself, so no World is copied. CheckSequence runs every
  // command this way.
  void RunAndApply(World& s0, Sut& sut) const;
};

// Generates the next command for a sequence with the given swarm weights
// (an OpCommand). Like GenOp, the generator reads `world` when it runs: run
// it while `world` lives, as rc::state::gen::commands does.
rc::Gen<std::shared_ptr<const rc::state::Command<World, Sut>>>
GenCommand(const World& world, const Swarm& swarm,
           const MaskSet& masked = nullptr);

// What one step of the last run did, for reports.
struct StepRecord {
  Op op;
  Outcome want;  // the model
  Outcome got;   // the SUT
  // The outcomes agreed but the interest sets did not (the fdinfo oracle).
  std::optional<FdinfoDifference> fdinfo;
};

// Compares one step: the outcomes, then, if they agree and `oracle` is
// given, the interest sets of `after` (the model's world after the step)
// with what `sut` shows. Returns the signature of the divergence ("" if
// none) and records an fdinfo difference in `record`. `ops` is the sequence
// up to this step, which is its last (the signature replays it to find the
// rule that decided).
std::string CompareStep(std::span<const Op> ops, const World& before,
                        const World& after, Sut& sut, FdinfoOracle* oracle,
                        StepRecord& record);

// The steps of the run in progress and of the last run that failed (after
// shrinking, the last failing run is the minimal counterexample). One per
// thread.
struct Transcript {
  std::vector<StepRecord> steps;
  World last_world;       // model state after the last step
  std::string failure;    // empty unless the run failed; what failed
  std::string signature;  // the failure's signature (properties/triage.h)
  // A divergence with a masked signature ended comparisons in this run.
  bool masked = false;
  std::string masked_signature;  // that divergence's signature
  int masked_step = -1;          // and its step
  // The SUT's Finish reported something left behind and the signature
  // teardown:leak:none was masked (unmasked, the run fails instead).
  bool masked_leak = false;
  // The fdinfo oracle of the run (absent when the SUT does not show its
  // interest sets).
  std::optional<FdinfoOracle> fdinfo;
  // The operand families of the step whose outcomes differed (for its
  // signature).
  std::vector<std::string> step_families;
  static Transcript& Current();
  static Transcript& LastFailure();
};

// What the checked operations did, across all runs of this thread: for each
// op name, how many times each result class ("ok", "EBADF", "events>0", ...)
// was observed. Shown by `epollcheck check --stats` so a user can see what a
// run exercised.
struct Coverage {
  // (Transparent comparators: Record looks names up without copying them.)
  std::map<std::string, std::map<std::string, long, std::less<>>, std::less<>>
      counts;
  // Steps per kind of file the operands named (FileFamilyName), the
  // operation's own family for creations.
  std::map<std::string, long> family_steps;
  long steps = 0;
  // The fdinfo oracle's work: steps it checked, instances it read.
  long fdinfo_checks = 0;
  long fdinfo_reads = 0;
  // How often the model applied each of its rules (model/rules.h) while
  // predicting the checked steps.
  RuleCounts rules{};
  void Record(const World& before, const Op& op, const Outcome& outcome);
  // The same, from the kinds of the files the op named (OperandFamilies).
  void Record(const std::vector<std::string>& families, const Op& op,
              const Outcome& outcome);
  void Add(const Coverage& other);  // sums the counts
  void Print(std::ostream& os) const;
  static Coverage& Current();
};

// Runs one generated sequence against a fresh SUT from `make_sut` and a model
// with `profile`. Fails (RC_FAIL) on the first step whose outcomes differ,
// unless the divergence's signature is in `masked`: then the rest of the
// sequence runs uncompared and the case passes (the count of such hits is
// in MaskedHits()). `size` >= 0 generates at that RapidCheck size instead of
// the size of the test case (the check engine fixes it per sequence).
// `families` selects the operations generated (Family bits).
void CheckSequence(const SutFactory& make_sut, const Profile& profile,
                   const MaskSet& masked = nullptr, int size = -1,
                   Families families = kAllFamilies);
std::map<std::string, long>& MaskedHits();

// Called (if set, on this thread) when a masked divergence ends comparisons,
// before the sequence runs on: a worker process tells its supervisor at once,
// so the divergence is known even if the SUT then crashes the process.
std::function<void(const Transcript&)>& MaskedDivergenceHook();

// The signature of a teardown that left something behind (Sut::Finish).
inline constexpr const char* kLeakSignature = "teardown:leak:none";

// Replays `ops` on a fresh model and a fresh SUT, recording every step; stops
// after the first divergence. Returns the index of the diverging step, or -1.
int ReplayOps(const std::vector<Op>& ops, const SutFactory& make_sut,
              const Profile& profile, std::vector<StepRecord>& steps,
              std::string& finish_report);

// Writes the steps as numbered lines `  3  write(fd=1, count=1)  -> 1`, the
// diverging step (if any) with both results side by side. With `fatal`
// ("CRASHES (SIGSEGV)", "HANGS (...)"), the diverging step is the one the SUT
// never returned from: it is marked `<- CRASHES (SIGSEGV)` and `fatal_got`
// stands in for its result.
void PrintSteps(std::ostream& os, const std::vector<StepRecord>& steps,
                int diverging_step, const std::string& sut_name,
                const std::string& fatal = "",
                const std::string& fatal_got = "");

}  // namespace epollcheck
