// File: properties/runner.h
// The engine behind `epollcheck check`: runs N generated sequences of the
// differential property against one SUT with a fixed seed, shows progress,
// and on a divergence prints the shrunk sequence as numbered steps, the first
// differing step with the model's and the SUT's results side by side, and
// the command that reruns it.
//
//   CheckOptions o{.sut_name = "kernel", .make_sut = KernelSutFactory(), ...};
//   CheckReport r = RunCheck(o, std::cout, &std::cerr);  // r.divergences == 0
#pragma once

#include <cstdint>
#include <ostream>
#include <string>

#include "model/profile.h"
#include "sut/sut.h"

namespace epollcheck {

struct CheckOptions {
  std::string sut_name;         // "kernel"
  std::string sut_description;  // "Linux 6.18.44 (model profile 6.18)"
  SutFactory make_sut;
  Profile profile;
  int sequences = 1000;
  int max_ops = 100;
  uint64_t seed = 0;
  bool stats = false;  // print Coverage at the end
};

struct CheckReport {
  int sequences_run = 0;
  int divergences = 0;
};

// Runs the check. `progress` (may be null) receives a one-line progress
// display rewritten in place with '\r'.
CheckReport RunCheck(const CheckOptions& options, std::ostream& out,
                     std::ostream* progress);

}  // namespace epollcheck
