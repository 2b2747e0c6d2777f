// File: sut/kernel/kernel_sut.h
// The real kernel as a SUT. Operations run on an executor thread that has
// unshared its descriptor table (unshare(CLONE_FILES)) and closed every
// inherited descriptor, so a sequence starts from an empty table exactly like
// the model, and the harness's own descriptors (stdio, test runner files)
// never disturb fd numbering. The thread blocks SIGPIPE, so EPIPE comes back
// as a value. When a sequence ends, the executor closes everything, checks
// its table is empty, and goes back to a pool for the next sequence.
//
// Between single operations (Execute) the fdinfo view is read from the
// calling thread: /proc/self/task/<executor tid>/fdinfo/<epfd> names the
// executor's table, and the descriptors that read it live in the process's
// own table, so the sequence's numbering cannot see them. One is opened per
// epoll descriptor number the first time it is read and re-read with pread
// at offset 0 (the seq_file shows the file at that number now, whatever it
// is); all are closed by Finish(). A batch (ExecuteEach) runs on the
// executor with its `after`, and reads there: each read opens the file at
// the table's lowest free number and closes it before the next operation,
// which numbering cannot see either (alloc_fd takes the lowest free number
// again); when no number is free (RLIMIT_NOFILE), the executor has the
// caller read it the first way. Without /proc (or with a /proc of another
// pid namespace) FdinfoOff() says so.
//
//   auto sut = KernelSut::Create();           // or the reason it cannot run
//   Outcome o = (*sut)->Execute(Op{EpollCreate1{}});   // -> 0 (lowest free)
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

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
  // `proc` is where procfs is mounted (tests name a missing directory to
  // see the fdinfo oracle switch itself off).
  static std::variant<std::unique_ptr<KernelSut>, std::string>
  Create(const std::string& proc = "/proc");
  ~KernelSut() override;

  [[nodiscard]] Outcome Execute(const Op& op) override;
  // The whole batch on the executor, `after` included (its fdinfo reads
  // then open the file in the sequence's table for the read's duration).
  [[nodiscard]] size_t ExecuteEach(std::span<const Op> ops,
                                   const AfterStep& after) override;
  [[nodiscard]] std::string Finish() override;
  // The next batch ends the sequence on the executor too (no handover for
  // the teardown); Finish then reports what that found.
  void EndAfterNextBatch() override { end_after_next_batch_ = true; }
  [[nodiscard]] std::string FdinfoOff() const override { return fdinfo_off_; }
  [[nodiscard]] FdinfoReading ReadFdinfo(int32_t epfd) override;
  [[nodiscard]] std::optional<FdinfoInode> InodeOf(int32_t fd) override;

  // Runs `fn` on the executor thread as if it were the next operation (for
  // tests of the executor's own fault handling).
  Outcome RunOnExecutorForTesting(const std::function<Outcome()>& fn);

  // How long one operation may take before the run is declared hung. Every
  // generated operation is non-blocking, so this is only ever hit by a bug.
  static constexpr std::chrono::seconds kHangTimeout{20};

private:
  KernelSut(std::unique_ptr<Executor> executor, const std::string& proc);
  // Opens the fdinfo and fd directories if they are not open yet; 0 or an
  // errno.
  int OpenFdinfoDirs();
  void CloseFdinfo();
  // ReadFdinfo from the calling thread (through its own descriptors), from
  // the executor (inside a batch), and the read of an open fdinfo file.
  FdinfoReading ReadFdinfoFromCaller(int32_t epfd);
  FdinfoReading ReadFdinfoOnExecutor(int32_t epfd);
  FdinfoReading ReadFdinfoFile(int file);

  std::unique_ptr<Executor> executor_;  // null once finished
  int64_t steps_ = 0;                   // operations run so far
  bool end_after_next_batch_ = false;   // EndAfterNextBatch was called
  // Set once a batch has ended the sequence: the teardown's report.
  std::optional<std::string> torn_down_report_;
  // The fdinfo view: where procfs is; "" or why it is off (probed once per
  // executor); /proc/self/task/<tid>/fdinfo and .../fd of the executor
  // (directories in the process's own table, opened at the first read); the
  // fdinfo file opened for each epoll descriptor number read so far.
  std::string proc_;
  std::string fdinfo_off_;
  int fdinfo_dir_ = -1;
  int fd_dir_ = -1;
  std::map<int32_t, int> fdinfo_files_;
  std::vector<char> fdinfo_text_;
};

// The running kernel's profile, decided by probing its behaviour (once per
// process; sut/profile_probe.h), with the host facts (getrlimit, euid, the
// socket calibration). uname(2) only names it among equivalent eras.
const ProbedProfile& RunningKernelProbe();
Profile RunningKernelProfile();
// "Linux 6.18.44-..." for reports.
std::string RunningKernelDescription();

}  // namespace epollcheck
