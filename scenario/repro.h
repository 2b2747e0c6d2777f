// File: scenario/repro.h
// Emits a standalone C program (libc headers only) that replays a scenario
// on any Linux: it moves its own stdout to a number the scenario never names
// (900 or the next one free above), closes every other descriptor so
// numbering starts at 0 as in the scenario, runs each step's system call, and
// prints `ok` or `MISMATCH: expected ... got ...` per step, then a last line
// `verdict: ok` or `verdict: MISMATCH`, exiting 1 on any mismatch. Steps
// without a written result expect the model's prediction (with `profile`).
//
//   std::cout << EmitReproducer(scenario, profile, "bug.scn");
//   // $ gcc -o repro repro.c && ./repro
#pragma once

#include <string>

#include "model/profile.h"
#include "scenario/scenario.h"

namespace epollcheck {

struct Reproducer {
  std::string program;  // the C source
  std::string error;    // non-empty if a handle cannot be resolved
};

Reproducer EmitReproducer(const Scenario& scenario, const Profile& profile,
                          const std::string& source);

}  // namespace epollcheck
