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
//   CheckOptions o{.sut_name = "kernel", .make_sut = ..., .sequences = 1000};
//   CheckReport r = RunCheck(o, std::cout, &std::cerr);  // r.divergences
#pragma once

#include <cstdint>
#include <map>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "model/profile.h"
#include "properties/generators.h"
#include "properties/minimize.h"
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
  std::set<std::string> masked;  // --mask: masked from the start, not listed
  // For the printed commands: the options as the user gave them.
  std::string kernel_era;            // --kernel-era, "" if not given
  std::string known_path;            // --known, "" if not given
  Families families = kAllFamilies;  // operation families generated
  std::string families_arg;          // --families, "" if not given
};

// The command line that reruns sequence `sequence` of the run `options`
// describes, with `masked` (beyond options.known) masked:
// `epollcheck check --sut mutant --seed 1 --sequences 400 --max-ops 100
//  --only-sequence 17 --mask epoll_wait:events.count:epoll`.
std::string RerunCommand(const CheckOptions& options, int sequence,
                         const std::set<std::string>& masked);

// The seed of sequence `index` of a run with seed `seed` (splitmix64).
uint64_t SequenceSeed(uint64_t seed, int index);

struct FoundDivergence {
  std::string signature;
  int sequence = 0;   // index of the sequence that found it
  std::string rerun;  // the command that finds it again
  size_t steps = 0;
  std::string scenario_path;  // "" if not saved
  bool reproduced = true;     // a fresh replay diverged again
  std::vector<Op> shrunk;     // the sequence RapidCheck shrank it to
  Minimized minimized;        // shrunk, minimized (properties/minimize.h)
};

struct CheckReport {
  int sequences_run = 0;
  int divergences = 0;  // new (not known) distinct divergences
  std::vector<FoundDivergence> found;
  std::map<std::string, long> known_hits;  // known signature -> sequences
  std::string stats_json_error;  // "" unless --stats-json could not be written
};

// Runs the check. `progress` (may be null) receives a one-line progress
// display rewritten in place with '\r'.
CheckReport RunCheck(const CheckOptions& options, std::ostream& out,
                     std::ostream* progress);

}  // namespace epollcheck
