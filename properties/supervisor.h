// File: properties/supervisor.h
// `epollcheck check` as a supervisor of worker processes
// (properties/worker.h): the same run as RunCheck (properties/runner.h), with
// the sequences spread over --jobs workers, and a SUT that crashes or hangs
// reported as a divergence instead of ending the run.
//
// Workers run sequences in chunks, each with every divergence masked, and
// send back what each did (SequenceRun); the supervisor decides, in sequence
// order, which ones fail given the signatures masked so far (so the
// divergences found, their reports and the saved scenarios do not depend on
// the number of workers), and has a worker shrink and report each failure
// while the others run ahead. A worker that dies by a signal (its crash
// handler says which step), or whose watchdog sees an operation run longer
// than --hang-timeout (or that falls silent, then killed), fails its sequence
// with signature `crash:SIGSEGV` (the signal's name) or `OP:hang:RULE`
// (HangSignature; `hang` when the step is not known); the
// sequence is regenerated against the model alone, minimized with every
// candidate replayed in a fresh worker process (with the same timeout),
// reported and saved like any divergence, a new worker takes the dead one's
// place, and the run goes on. Every child is killed and reaped before
// RunSupervised returns.
//
//   SuperviseOptions s{.jobs = 2, .program = "/proc/self/exe",
//                      .worker_args = {"check-worker", pid, "--sut", ...}};
//   CheckReport r = RunSupervised(options, s, std::cout, &std::cerr);
#pragma once

#include <chrono>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "properties/runner.h"

namespace epollcheck {

struct SuperviseOptions {
  int jobs = 1;  // worker processes
  // Stop starting sequences after this long (the run then ends with those
  // started, and the report of a divergence being minimized).
  std::optional<std::chrono::milliseconds> duration;
  std::string program;                   // the epollcheck binary
  std::vector<std::string> worker_args;  // what makes it a worker
};

CheckReport RunSupervised(const CheckOptions& options,
                          const SuperviseOptions& supervise, std::ostream& out,
                          std::ostream* progress);

// "10m" -> 600000 ms; units ms, s, m, h (a bare number is seconds).
std::optional<std::chrono::milliseconds> ParseDuration(std::string_view text);

}  // namespace epollcheck
