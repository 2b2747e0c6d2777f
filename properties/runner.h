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
//   CheckOptions o{.sut_name = "kernel", .make_sut = ..., .sequences = 1000};
//   CheckReport r = RunCheck(o, std::cout, &std::cerr);  // r.divergences
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "model/profile.h"
#include "properties/generators.h"
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
  std::string out_dir;       // where shrunk scenarios are saved ("" = none)
  KnownDivergences known;    // masked from the start, listed if hit
  int max_divergences = 20;  // stop searching after this many
  Families families = kAllFamilies;  // operation families generated
};

struct FoundDivergence {
  std::string signature;
  size_t steps = 0;
  std::string scenario_path;  // "" if not saved
  bool reproduced = true;     // a fresh replay diverged again
};

struct CheckReport {
  int sequences_run = 0;
  int divergences = 0;  // new (not known) distinct divergences
  std::vector<FoundDivergence> found;
  std::map<std::string, long> known_hits;  // known signature -> sequences
};

// Runs the check. `progress` (may be null) receives a one-line progress
// display rewritten in place with '\r'.
CheckReport RunCheck(const CheckOptions& options, std::ostream& out,
                     std::ostream* progress);

}  // namespace epollcheck
