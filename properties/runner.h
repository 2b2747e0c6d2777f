// File: properties/runner.h
// The engine behind `epollcheck check`: runs generated sequences of the
// differential property against one SUT with a fixed seed and shows
// progress. It does not stop at the first divergence: each one is shrunk,
// given a signature (properties/triage.h), saved as a scenario under the
// output directory, printed (steps, the differing step side by side, how to
// rerun), and masked; the search then goes on until the sequence budget is
// spent. It ends with a table of the distinct divergences. Signatures listed
// in a known-divergence registry are masked from the start and listed, not
// counted.
//
// Sequence i of a run is generated from (seed, i) alone, at a size that
// depends on i, --sequences and --max-ops, so `--only-sequence i` with the
// same options and the signatures masked at that point (--known, --mask)
// reruns exactly that sequence; every divergence report prints that command.
//
// RunCheck runs the sequences one after the other in this process (the
// property tests use it with SUT factories of their own); `epollcheck check`
// runs the same pieces (RunSequence, FailingSignature, ShrinkAndReport) in
// supervised worker processes (properties/supervisor.h) and gets the same
// divergences, reports and saved scenarios.
//
//   CheckOptions o{.sut_name = "kernel", .make_sut = ..., .sequences = 1000};
//   CheckReport r = RunCheck(o, std::cout, &std::cerr);  // r.divergences
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "model/profile.h"
#include "properties/generators.h"
#include "properties/minimize.h"
#include "properties/sequence.h"
#include "properties/triage.h"
#include "sut/sut.h"

namespace epollcheck {

struct CheckOptions {
  std::string sut_name;         // "kernel"
  std::string sut_description;  // "Linux 6.18.44, model profile 6.18"
  SutFactory make_sut;
  Profile profile;
  int sequences = 1000;
  int max_ops = 100;
  uint64_t seed = 0;
  bool stats = false;        // print Coverage at the end
  std::string stats_json;    // also write it (and the rules) here as JSON
  std::string out_dir;       // where shrunk scenarios are saved ("" = none)
  KnownDivergences known;    // masked from the start, listed if hit
  int max_divergences = 20;  // stop searching after this many
  // Run only this sequence of the run (-1: all). Sequence i is the same
  // whatever runs before it.
  int only_sequence = -1;
  // --shard K/N: run only the sequences i with i mod N == K (seeds and
  // sizes unchanged: sequence i is the same in every shard, so the shards
  // of a run together run exactly its sequences). Ignored with
  // only_sequence.
  int shard = 0;
  int shards = 1;
  std::set<std::string> masked;  // --mask: masked from the start, not listed
  // For the printed commands: the options as the user gave them.
  std::string kernel_era;            // --kernel-era, "" if not given
  std::string profile_arg;           // --profile, "" if not given
  std::string known_path;            // --known, "" if not given
  Families families = kAllFamilies;  // operation families generated
  std::string families_arg;          // --families, "" if not given
  // Supervised runs (properties/supervisor.h): an operation that has not
  // returned after this long is a hang.
  std::chrono::milliseconds hang_timeout{10000};
  std::string hang_timeout_arg;  // --hang-timeout, "" if not given
  // --no-fdinfo was given (make_sut's SUTs then show no interest sets).
  bool no_fdinfo = false;
};

// The first sequence this run runs and the step to the next one (1 unless
// sharded).
int FirstSequence(const CheckOptions& options);
int SequenceStride(const CheckOptions& options);

// The command line that reruns sequence `sequence` of the run `options`
// describes, with `masked` (beyond options.known) masked:
// `epollcheck check --sut mutant --seed 1 --sequences 400 --max-ops 100
//  --only-sequence 17 --mask epoll_wait:events.count:epoll`.
std::string RerunCommand(const CheckOptions& options, int sequence,
                         const std::set<std::string>& masked);

// The seed of sequence `index` of a run with seed `seed` (splitmix64).
uint64_t SequenceSeed(uint64_t seed, int index);

// The RapidCheck size of sequence `index` of `count`: RapidCheck's own
// schedule (src/detail/Testing.cpp sizeFor), so sizes spread evenly over
// 0..max_size whatever the count.
int SequenceSize(int index, int count, int max_size);

struct FoundDivergence {
  std::string signature;
  int sequence = 0;   // index of the sequence that found it
  std::string rerun;  // the command that finds it again
  size_t steps = 0;
  std::string scenario_path;  // "" if not saved
  bool reproduced = true;     // a fresh replay diverged again
  std::vector<Op> shrunk;     // the failing run, cut after its divergence
  Minimized minimized;        // shrunk, minimized (properties/minimize.h)
};

// How many sequences of a run failed first with one signature (nothing
// masked), and the first of them. What a sequence does depends on its index
// alone, so this census does not depend on the order sequences run in, on
// the number of workers or on sharding: the census of a run is the sum of
// its shards' (counts add up, the first is the least). The distinct
// divergences reported do depend on order (a signature masked by an earlier
// sequence, or by a shrink that ended at another signature, hides later
// ones), so shards may report other sequences for them.
struct SignatureCount {
  long sequences = 0;
  int first = 0;
};

struct CheckReport {
  int sequences_run = 0;
  std::map<std::string, SignatureCount> census;
  int divergences = 0;  // new (not known) distinct divergences
  std::vector<FoundDivergence> found;
  std::map<std::string, long> known_hits;  // known signature -> sequences
  std::string stats_json_error;  // "" unless --stats-json could not be written
  Coverage coverage;  // what the run exercised (every sequence and shrink)
};

// Runs the check in this process, one sequence after the other. `progress`
// (may be null) receives a one-line progress display rewritten in place with
// '\r'. (`epollcheck check` runs the same engine in supervised worker
// processes: properties/supervisor.h.)
CheckReport RunCheck(const CheckOptions& options, std::ostream& out,
                     std::ostream* progress);

// The pieces RunCheck and the supervised runner share. A run decides
// sequence by sequence, in order, whether each one fails: sequence i fails
// if its first divergence (or its crash, hang or teardown leak) has a
// signature not masked by then, and a failure masks its signature for the
// sequences after it. What a sequence *does* does not depend on the masks
// (a masked divergence only ends comparisons), so sequences can be run in
// any order, on any number of workers, each with every divergence masked
// (RunSequence), and the decisions taken afterwards in order
// (FailingSignature): the divergences found do not depend on the number of
// workers.

// What one sequence did, run with every divergence masked (so it runs to
// its end) and without shrinking.
struct SequenceRun {
  int sequence = 0;
  std::string divergence;  // the first divergence's signature, "" if none
  int divergence_step = -1;
  bool leak = false;  // Sut::Finish reported something left behind
  // Set by the supervisor when the worker running it died: "crash:SIGSEGV",
  // "OP:hang:RULE" (operation fatal_step did not return within the hang
  // timeout: HangSignature), "hang" (a hang at a step not known).
  std::string fatal;
  int fatal_step = -1;  // the step in progress then (-1: not known)
  std::string failure;  // the property failed outside a step, or gave up
  bool gave_up = false;
  Coverage coverage;  // what it exercised
};

SequenceRun RunSequence(const CheckOptions& options, int sequence);

// The signature `run` fails with when `masked` are masked, "" if it passes.
std::string FailingSignature(const SequenceRun& run,
                             const std::set<std::string>& masked);

// Adds `run`'s unmasked failing signature, if any, to `census`.
void CountSignature(const SequenceRun& run,
                    std::map<std::string, SignatureCount>& census);

// Adds the masked signatures `run` hit to `hits` (the known-divergence
// table counts sequences).
void CountMaskedHits(const SequenceRun& run,
                     const std::set<std::string>& masked,
                     std::map<std::string, long>& hits);

// Minimizing progress: (candidates tried, accepted).
using ShrinkProgress = std::function<void(int tried, int accepted)>;

// Reruns sequence `sequence` with `masked` masked, minimizes its failure
// (Minimize, from the run cut after its diverging step; no RapidCheck
// shrinking), prints report number `index` to `out` and saves its scenario.
// nullopt if it did not fail again; what the rerun exercised is added to
// `coverage`.
std::optional<FoundDivergence>
ShrinkAndReport(const CheckOptions& options, int sequence,
                const std::set<std::string>& masked, int index,
                std::ostream& out, const ShrinkProgress& progress,
                Coverage& coverage);

// The operations of sequence `sequence` (generated against the model alone,
// no SUT), ending with the list_fds that ends every sequence.
std::vector<Op> GenerateSequence(const CheckOptions& options, int sequence);

// A failure minimized outside this process (a crash, a hang, or a divergence
// whose shrinking crashed), to be reported and saved like the others.
struct ReplayedFailure {
  std::string signature;
  std::vector<Op> ops;  // minimized, ending at `step`
  int step = 0;         // the failing step
  // The SUT's results up to `step` (empty for a crash or hang: the model's
  // results stand in for the steps before it).
  std::vector<Outcome> got;
  std::string fatal;          // "CRASHES (SIGSEGV)"; "" for a divergence
  std::string fatal_got;      // "killed by SIGSEGV"
  size_t original_steps = 0;  // steps before minimization
  std::string how;            // "minimized, each replay in a fresh process"
  std::string note;           // printed after the steps ("worker stderr: ...")
};

// Prints report `index` for `failure` of sequence `sequence` and saves it.
FoundDivergence ReportReplayed(const CheckOptions& options,
                               const ReplayedFailure& failure, int sequence,
                               const std::set<std::string>& masked, int index,
                               std::ostream& out);

// The table of distinct divergences and known hits that ends a run, and the
// --stats block.
void PrintRunEnd(const CheckOptions& options, CheckReport& report,
                 const Coverage& coverage, std::ostream& out);

}  // namespace epollcheck
