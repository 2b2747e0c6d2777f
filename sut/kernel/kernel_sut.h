// File: sut/kernel/kernel_sut.h
// The real kernel as a SUT. Operations run on an executor thread that has
// unshared its descriptor table (unshare(CLONE_FILES)) and closed every
// inherited descriptor, so a sequence starts from an empty table exactly like
// the model, and the harness's own descriptors (stdio, test runner files)
// never disturb fd numbering. The thread blocks SIGPIPE, so EPIPE comes back
// as a value. When a sequence ends, the executor closes everything, checks
// its table is empty, and goes back to a pool for the next sequence.
//
//   auto sut = KernelSut::Create();           // or the reason it cannot run
//   Outcome o = (*sut)->Execute(Op{EpollCreate1{}});   // -> 0 (lowest free)
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <variant>

#include "model/profile.h"
#include "sut/profile_probe.h"
#include "sut/sut.h"

namespace epollcheck {

// A thread with a private, empty descriptor table that runs operations on
// request (defined in kernel_sut.cc).
class Executor;

class KernelSut final : public Sut {
public:
  // Takes an executor from the pool (starting one if none is idle); returns
  // an error line if this host cannot give it a private descriptor table.
  static std::variant<std::unique_ptr<KernelSut>, std::string> Create();
  ~KernelSut() override;

  [[nodiscard]] Outcome Execute(const Op& op) override;
  [[nodiscard]] std::string Finish() override;

  // Runs `fn` on the executor thread as if it were the next operation (for
  // tests of the executor's own fault handling).
  Outcome RunOnExecutorForTesting(const std::function<Outcome()>& fn);

  // How long one operation may take before the run is declared hung. Every
  // generated operation is non-blocking, so this is only ever hit by a bug.
  static constexpr std::chrono::seconds kHangTimeout{20};

private:
  explicit KernelSut(std::unique_ptr<Executor> executor);
  std::unique_ptr<Executor> executor_;  // null once finished
  int64_t steps_ = 0;                   // operations run so far
};

// The running kernel's profile, decided by probing its behaviour (once per
// process; sut/profile_probe.h), with the host facts (getrlimit, euid, the
// socket calibration). uname(2) only names it among equivalent eras.
const ProbedProfile& RunningKernelProbe();
Profile RunningKernelProfile();
// "Linux 6.18.44-..." for reports.
std::string RunningKernelDescription();

}  // namespace epollcheck
