// File: sut/kernel/kernel_sut.h
// The real kernel as a SUT. Operations run on a dedicated executor thread that
// has unshared its descriptor table (unshare(CLONE_FILES)) and closed every
// inherited descriptor, so a sequence starts from an empty table exactly like
// the model, and the harness's own descriptors (stdio, test runner files)
// never disturb fd numbering. The thread blocks SIGPIPE, so EPIPE comes back as
// a value. When the sequence ends the thread exits and its table, with every
// file the sequence created, goes with it.
//
//   auto sut = KernelSut::Create();           // or the reason it cannot run
//   Outcome o = (*sut)->Execute(Op{EpollCreate1{}});   // -> 0 (lowest free)
#pragma once

#include <chrono>
#include <memory>
#include <semaphore>
#include <string>
#include <thread>
#include <variant>

#include "model/profile.h"
#include "sut/sut.h"

namespace epollcheck {

class KernelSut final : public Sut {
public:
  // Starts the executor thread; returns an error line if this host cannot
  // give it a private, empty descriptor table.
  static std::variant<std::unique_ptr<KernelSut>, std::string> Create();
  ~KernelSut() override;

  [[nodiscard]] Outcome Execute(const Op& op) override;
  [[nodiscard]] std::string Finish() override;

  // How long one operation may take before the run is declared hung. Every
  // generated operation is non-blocking, so this is only ever hit by a bug.
  static constexpr std::chrono::seconds kHangTimeout{20};

private:
  KernelSut() = default;
  void ExecutorMain();
  // Runs `request_` on the executor and waits for it; aborts on a hang.
  void RoundTrip();

  enum class Request { kOp, kFinish, kExit };
  // Handshake: the caller fills request_/op_, releases to_executor_, and
  // waits on to_caller_; the executor fills the reply fields in between.
  std::binary_semaphore to_executor_{0};
  std::binary_semaphore to_caller_{0};
  Request request_ = Request::kOp;
  const Op* op_ = nullptr;
  Outcome outcome_;
  std::string reply_;  // setup error or Finish() report
  bool finished_ = false;
  std::thread thread_;
};

// The profile of the running kernel, from uname(2); "6.18" style.
Profile RunningKernelProfile();
// "Linux 6.18.44-..." for reports.
std::string RunningKernelDescription();

}  // namespace epollcheck
