// File: cli/result.h
// What one target of a matrix (or one `check --json` run) found, as data:
// read and written as JSON (Boost.JSON), merged across files and shards
// (`epollcheck report`), and rendered as the screen table, Markdown, JUnit
// XML and KTAP (`epollcheck matrix`, `epollcheck report`).
//
//   TargetResult r = ...;                       // from `check --json`
//   Matrix m = MergeResults({r, other});        // one entry per target
//   std::cout << RenderTable(m) << RenderKtap(m);
//
// JSON layout (`"epollcheck_matrix": 1`, a `targets` array of objects with
// the fields of TargetResult below, snake_case), one file per run; a file
// with one target is one job's result and any number of them merge.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace epollcheck {

struct ResultDivergence {
  std::string signature;
  int sequence = 0;  // the first sequence (of the whole run) that found it
  int steps = 0;
  std::string rerun;       // the command that finds it again
  bool reproduced = true;  // a fresh replay diverged again
  std::string scenario;    // the minimal scenario (scenario/ text format)
  std::string reproducer;  // a standalone C program replaying it
};

struct KnownHit {
  std::string signature;
  long sequences = 0;
  std::string note;  // the registry's note
};

// Sequences whose first divergence (nothing masked) has `signature`, and
// the first of them (properties/runner.h SignatureCount): independent of
// order and sharding, so shards add up to the whole run's census exactly.
struct CensusEntry {
  std::string signature;
  long sequences = 0;
  int first = 0;
};

struct TargetResult {
  std::string target;       // "host", "6.12", "gvisor", "kernel:PATH"
  std::string description;  // how it ran: "Debian linux-image-... under QEMU"
  // ok: ran, nothing new; failed: ran, divergences or corpus failures;
  // error: did not finish (hung, crashed, no result); skipped: not run here.
  std::string status = "ok";
  std::string reason;   // why skipped or error
  std::string uname;    // what the target calls itself (only reported)
  std::string profile;  // "6.1 epoll_ctl.loop_check=..."
  std::vector<std::string> features;  // "epoll_wait.check_order=fd-first"
  std::string evidence;               // the probes' lines
  std::string seed;                   // as text: a uint64 exceeds JSON's 2^53
  int sequences = 0;                  // asked for (the whole run)
  int sequences_run = 0;
  std::vector<std::string>
      shards;  // "0/4" for each shard merged ("" unsharded)
  std::vector<ResultDivergence> divergences;  // new, distinct
  std::vector<KnownHit> known;                // registered, hit
  std::vector<CensusEntry> census;            // by signature
  bool corpus_ran = false;
  int corpus_passed = 0;
  int corpus_skipped = 0;
  std::vector<std::string> corpus_failed;  // file names
  // Failing with a registered signature (not a failure): "FILE SIGNATURE".
  std::vector<std::string> corpus_known;
  double wall_seconds = 0;
  std::string log_tail;  // the end of the target's output (error only)
};

struct Matrix {
  std::vector<TargetResult> targets;  // in the order first seen
};

// A target's status from what it found: "failed" if it has divergences or
// corpus failures, else "ok" (error and skipped are kept).
std::string DecideStatus(const TargetResult& result);

std::string ToJson(const Matrix& matrix);
// The matrix in `text`, or nullopt with `*error` saying what is wrong.
std::optional<Matrix> MatrixFromJson(const std::string& text,
                                     std::string* error);

// One entry per target name, in order of first appearance. Results of the
// same target (shards of one run) merge: sequences and census counts add
// up (the census keeps the least first sequence), divergences are
// unioned by signature keeping the earliest sequence's, known hits add up,
// corpus failures are unioned, wall times add up; an error or failure wins
// over ok, and skipped only stays if nothing ran. Shards of one run merge to
// the unsharded run's sequence count and census exactly; their divergence
// reports may name other (earlier) sequences than the unsharded run's, whose
// masking depends on order.
Matrix MergeResults(const std::vector<TargetResult>& results);

// The screen table: target, profile, sequences, divergences (new + known),
// corpus, wall time, status; then one line per skip or error reason.
std::string RenderTable(const Matrix& matrix);
// The table, then per target its features, evidence and each divergence
// with its scenario and C reproducer.
std::string RenderMarkdown(const Matrix& matrix);
// One testsuite per target with testcases profile, check and corpus.
std::string RenderJUnit(const Matrix& matrix);
// KTAP version 1 (kselftest, KernelCI): one test per target, its subtests
// profile, check and corpus; divergences as `#` diagnostic lines.
std::string RenderKtap(const Matrix& matrix);

// 0 iff no target failed or erred and at least one ran.
int MatrixExitStatus(const Matrix& matrix);

}  // namespace epollcheck
