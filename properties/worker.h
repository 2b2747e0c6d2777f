// File: properties/worker.h
// The worker side of a supervised check (properties/supervisor.h), and the
// protocol between a worker and its supervisor. A worker is the epollcheck
// binary itself (`epollcheck check-worker PARENT_PID <check options>`): it
// reads jobs from stdin and writes results to stdout, both as frames
// `<tag> <length>\n<payload>`:
//
//   supervisor -> worker
//     run       "A B": run sequences A..B-1 (RunSequence), one `seq` each
//     report    "SEQUENCE INDEX\n" + a masked signature per line: shrink and
//               report that sequence's failure (ShrinkAndReport)
//     replay    masked signatures, a line "--", then operations (EncodeOps):
//               run them like RunSequence runs a sequence, then `replayed`
//   worker -> supervisor
//     ready     started (the SUT could be made): a worker that dies before
//               this failed to start, which is not a finding
//     div       "SEQUENCE STEP SIGNATURE": the first divergence of the
//               sequence in progress (sent at once, in case the SUT then
//               crashes the worker)
//     seq       EncodeRun of one sequence
//     shrink    "TRIED ACCEPTED" while shrinking
//     report    "found\n" + EncodeFound + the report text, or "none\n" + text
//     replayed  EncodeRun, a line "--", the SUT's results (one per line)
//     alive     operations are still completing (about once a second)
//     fatal     "crash SIGSEGV STEP" from the crash handler, "hang STEP" from
//               the watchdog (an operation ran longer than --hang-timeout);
//               the worker then dies
//
// A worker dies with the SUT: a crash handler reports the signal and the
// step, then lets the signal kill the process; the watchdog
// (properties/watchdog.h) reports a hang and exits. It also dies with its
// supervisor (PR_SET_PDEATHSIG), so an orphan never outlives a killed run.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/ops.h"
#include "model/outcome.h"
#include "properties/runner.h"

namespace epollcheck {

struct Frame {
  std::string tag;
  std::string payload;
};

std::string EncodeFrame(std::string_view tag, std::string_view payload);
// Removes the complete frames at the front of `buffer` and returns them; a
// malformed header yields a frame tagged "bad" and clears the buffer.
std::vector<Frame> DecodeFrames(std::string& buffer);

// A SequenceRun as text (coverage only if `with_coverage`), and back.
std::string EncodeRun(const SequenceRun& run, bool with_coverage);
std::optional<SequenceRun> DecodeRun(std::string_view text);

// Operations as text, one scenario call per line with numeric operands.
std::string EncodeOps(const std::vector<Op>& ops);
std::optional<std::vector<Op>> DecodeOps(std::string_view text);

// Outcomes as text, one per line (operator<<, ParseOutcome).
std::string EncodeOutcomes(const std::vector<Outcome>& outcomes);
std::optional<std::vector<Outcome>> DecodeOutcomes(std::string_view text);

// FoundDivergence fields as text (one per line), and back.
std::string EncodeFound(const FoundDivergence& found);
std::optional<FoundDivergence> DecodeFound(std::string_view text,
                                           size_t& consumed);

// "crash:SIGSEGV" for SIGSEGV.
std::string CrashSignature(int signal);

// The worker's exit status when its watchdog saw a hang.
inline constexpr int kHangExitCode = 124;

// Runs jobs from stdin until it closes; returns the exit status.
// `parent` is the supervisor's pid (the worker exits if it is gone).
int RunWorker(const CheckOptions& options, int parent);

// Runs `ops` on a fresh SUT from options.make_sut and a model, with every
// divergence masked (like RunSequence), recording the SUT's results in
// `got`. Returns what happened (sequence -1).
SequenceRun ReplayAllMasked(const CheckOptions& options,
                            const std::vector<Op>& ops,
                            std::vector<Outcome>& got);

}  // namespace epollcheck
