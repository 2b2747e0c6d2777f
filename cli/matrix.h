// File: cli/matrix.h
// `epollcheck matrix`: runs `check` and the scenario corpus on several
// targets (the running kernel, Debian kernels and a kernel of the user's
// under QEMU, User-mode Linux, gVisor) one after the other, and reports them
// (cli/result.h); `epollcheck report` merges result files made anywhere.
//
// A QEMU target boots its kernel with an initramfs holding the static
// runner, ci/guest/init.cc as /init, the corpus and the registries; the
// runner writes its result (`check --json`) to the guest's second serial
// port, which QEMU writes to a file. Kernel images come from Debian's
// archive through a private apt state under the user's cache directory
// (the system's sources and package database untouched). Every child runs
// under a timeout (fixtures/child_process.h, Boost.Process): a guest that
// hangs or crashes is a target in error, never a hung matrix.
#pragma once

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "properties/triage.h"

namespace epollcheck {

// "K/N" with 0 <= K < N: `*shard` = K, `*shards` = N; false if malformed.
bool ParseShard(std::string_view text, int* shard, int* shards);

struct CorpusRun {
  int passed = 0;
  int skipped = 0;                  // the SUT lacks a family the file uses
  std::vector<std::string> failed;  // file names
  // Files whose replay fails with a registered signature: "FILE SIGNATURE".
  std::vector<std::string> known;
};

// Replays every DIR/*.scn (sorted) with `self replay FILE <replay_args>`,
// each a child process under a timeout; one line per failure on `out`. A
// file whose replay fails with a signature `known` registers (the one
// `replay` prints) is listed as known, not failed.
CorpusRun RunCorpus(const std::string& self, const std::string& dir,
                    const std::vector<std::string>& replay_args,
                    std::ostream& out, const KnownDivergences* known = nullptr);

// `epollcheck matrix ARGS` and `epollcheck report ARGS`; `self` is this
// binary. Bad usage: one line on stderr, exit 2.
int MatrixCommand(const std::vector<std::string_view>& args,
                  const std::string& self);
int ReportCommand(const std::vector<std::string_view>& args);

// The newest of Debian package names (version order: digit runs compare as
// numbers): "linux-image-6.1.0-57-cloud-amd64" over "...-6.1.0-9-...".
std::string NewestPackage(const std::vector<std::string>& names);

// A cpio archive (the kernel's initramfs "newc" format, uncompressed)
// holding `files` (archive path -> host path) and the directories `dirs`.
std::string
NewcArchive(const std::vector<std::string>& dirs,
            const std::vector<std::pair<std::string, std::string>>& files,
            std::string* error);

}  // namespace epollcheck
