// The kernel SUT itself: buffers sized from the operands (no overrun however
// large maxevents or a byte count is), and harness faults on the executor
// thread reported on the process's real stderr with the step that caused
// them (the executor's own descriptor table belongs to the scenario).

#include <gtest/gtest.h>

#include <signal.h>
#include <sys/resource.h>

#include <cerrno>
#include <stdexcept>
#include <vector>

#include "model/abi.h"
#include "model/check.h"
#include "model/step.h"
#include "sut/kernel/children.h"
#include "sut/kernel/kernel_sut.h"

namespace epollcheck {
namespace {

std::unique_ptr<KernelSut> MakeKernel() {
  auto made = KernelSut::Create();
  if (std::holds_alternative<std::string>(made))
    return nullptr;
  return std::move(std::get<0>(made));
}

// Runs `ops` on the kernel and the model side by side; expects every
// outcome to agree and returns the kernel's.
std::vector<Outcome> RunBoth(KernelSut& sut, const std::vector<Op>& ops) {
  World model;
  model.profile = RunningKernelProfile();
  std::vector<Outcome> got;
  for (size_t i = 0; i < ops.size(); ++i) {
    const Outcome want = Step(model, ops[i]);
    got.push_back(sut.Execute(ops[i]));
    EXPECT_EQ(got.back(), want) << "step " << i << ": " << ops[i];
  }
  return got;
}

// More ready items than the SUT's old fixed 4096-entry event buffer, waited
// for with a maxevents that lets them all out: 50 pipes at fds 0..99 and,
// for each write end, items at fd numbers 100..199 (dup2 onto the number,
// ADD; the next dup2 replaces the number, leaving the item in place because
// the file is still open), so 5000 ready OUT items use 200 descriptors.
TEST(KernelSut, WaitReturnsMoreEventsThanAnyFixedBuffer) {
  auto sut = MakeKernel();
  if (!sut)
    GTEST_SKIP() << "no kernel SUT on this host";
  constexpr int kPipes = 50;
  constexpr int kNumbers = 100;
  std::vector<Op> ops;
  for (int p = 0; p < kPipes; ++p)
    ops.push_back(Pipe2{.flags = abi::kONonblock});
  ops.push_back(EpollCreate1{});  // fd 100, moved out of the way below
  ops.push_back(Dup2{.oldfd = 2 * kPipes, .newfd = 1000});
  ops.push_back(Close{.fd = 2 * kPipes});
  for (int p = 0; p < kPipes; ++p) {
    for (int n = 0; n < kNumbers; ++n) {
      const int32_t fd = 2 * kPipes + n;
      ops.push_back(Dup2{.oldfd = 2 * p + 1, .newfd = fd});
      ops.push_back(EpollCtl{.epfd = 1000,
                             .op = abi::kEpollCtlAdd,
                             .fd = fd,
                             .events = abi::kEpollOut,
                             .data = static_cast<uint64_t>(p * kNumbers + n)});
    }
  }
  ops.push_back(EpollWait{.epfd = 1000, .maxevents = 10000});
  ops.push_back(EpollWait{.epfd = 1000, .maxevents = abi::kEpMaxEvents});
  ops.push_back(EpollWait{.epfd = 1000, .maxevents = abi::kEpMaxEvents + 1});
  const std::vector<Outcome> got = RunBoth(*sut, ops);
  const size_t waits = got.size() - 3;
  EXPECT_EQ(got[waits].ret, kPipes * kNumbers);
  EXPECT_EQ(got[waits + 1].ret, kPipes * kNumbers);
  EXPECT_EQ(got[waits + 2].ret, -abi::kEinval);
  EXPECT_EQ(sut->Finish(), "");
}

// Counts above the old fixed 4 MiB I/O buffer: a non-blocking pipe takes
// what fits and gives back what it holds.
TEST(KernelSut, WriteAndReadOfEightMebibytes) {
  auto sut = MakeKernel();
  if (!sut)
    GTEST_SKIP() << "no kernel SUT on this host";
  constexpr uint32_t k8MiB = 8u << 20;
  const std::vector<Outcome> got = RunBoth(
      *sut,
      {Pipe2{.flags = abi::kONonblock}, Write{.fd = 1, .count = k8MiB},
       Read{.fd = 0, .count = k8MiB}, SetPipeSize{.fd = 1, .size = 1 << 20},
       Write{.fd = 1, .count = k8MiB}, Read{.fd = 0, .count = UINT32_MAX},
       Write{.fd = 1, .count = UINT32_MAX}});
  EXPECT_EQ(got[1].ret, 65536);
  EXPECT_EQ(got[2].ret, 65536);
  EXPECT_EQ(got[4].ret, 1 << 20);
  EXPECT_EQ(got[5].ret, 1 << 20);
  EXPECT_EQ(sut->Finish(), "");
}

// A failed internal check on the executor thread: its message and the step
// reach the real stderr (fd 2 of the executor's table is the scenario's: here
// one end of a pipe), and the process dies.
// No child outlives its sequence: a running child, one that exited and was
// never reaped, and one reaped by the sequence are all gone (reaped: no
// such pid) once Finish returns.
TEST(KernelSut, ForkedChildrenEndWithTheirSequence) {
  auto sut = MakeKernel();
  if (!sut)
    GTEST_SKIP() << "no kernel SUT on this host";
  RunBoth(*sut, {Pipe2{.flags = abi::kONonblock}, Fork{.fds = 0b11},
                 Fork{.fds = 0b01}, Fork{}, ChildExit{.pidfd = 3},
                 ChildExit{.pidfd = 4}, Reap{.pidfd = 4}});
  std::vector<int> pids;
  for (const int32_t pidfd : {2, 3, 4}) {
    const Outcome pid = sut->RunOnExecutorForTesting([pidfd] {
      const std::optional<int> got = ResolvePidfd(pidfd);
      if (!got)
        return Outcome::Error(abi::kEbadf);
      Outcome out = Outcome::Value(0);
      out.value = static_cast<uint64_t>(static_cast<int64_t>(*got));
      return out;
    });
    ASSERT_FALSE(pid.IsError()) << "pidfd " << pidfd;
    pids.push_back(static_cast<int>(static_cast<int64_t>(*pid.value)));
  }
  EXPECT_GT(pids[0], 0);   // running
  EXPECT_GT(pids[1], 0);   // a zombie
  EXPECT_EQ(pids[2], -1);  // reaped: fdinfo shows -1
  EXPECT_EQ(kill(pids[0], 0), 0);
  EXPECT_EQ(sut->Finish(), "");
  for (const int pid : {pids[0], pids[1]}) {
    errno = 0;
    EXPECT_EQ(kill(pid, 0), -1) << "pid " << pid << " outlived its sequence";
    EXPECT_EQ(errno, ESRCH);
  }
}

// A batch runs on the executor with its `after`, which reads the fdinfo
// view from there: through a descriptor opened for the read at the lowest
// free number (the numbering the sequence sees afterwards is unchanged),
// or, when the table has no free number under the process's RLIMIT_NOFILE,
// through the calling thread's table.
TEST(KernelSut, BatchReadsFdinfoOnTheExecutorAndWhenItsTableIsFull) {
  auto sut = MakeKernel();
  if (!sut)
    GTEST_SKIP() << "no kernel SUT on this host";
  if (!sut->FdinfoOff().empty())
    GTEST_SKIP() << "no fdinfo view: " << sut->FdinfoOff();
  rlimit own{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &own), 0);
  constexpr rlim_t kLimit = 64;  // this process's table holds far fewer
  if (own.rlim_cur < kLimit)
    GTEST_SKIP() << "RLIMIT_NOFILE below " << kLimit;
  std::vector<Op> ops = {
      EpollCreate1{},                   // 0
      Pipe2{.flags = abi::kONonblock},  // 1, 2
      EpollCtl{.epfd = 0,
               .op = abi::kEpollCtlAdd,
               .fd = 1,
               .events = abi::kEpollIn,
               .data = 7},
  };
  const size_t with_room = ops.size() - 1;
  for (rlim_t fd = 3; fd < kLimit; ++fd)
    ops.push_back(Dup{.fd = 2});  // 3 .. 63: the table is full
  const size_t full = ops.size() - 1;
  ops.push_back(Close{.fd = 5});
  ops.push_back(Dup{.fd = 2});  // 5 again: no read took it
  std::vector<FdinfoReading> readings;
  std::vector<Outcome> got;
  rlimit limited = own;
  limited.rlim_cur = kLimit;
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &limited), 0);
  const size_t ran = sut->ExecuteEach(ops, [&](size_t i, Outcome outcome) {
    got.push_back(std::move(outcome));
    if (i == with_room || i == full)
      readings.push_back(sut->ReadFdinfo(0));
    return true;
  });
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &own), 0);
  ASSERT_EQ(ran, ops.size());
  World model;
  model.profile = RunningKernelProfile();
  for (size_t i = 0; i < ops.size(); ++i)
    EXPECT_EQ(got[i], Step(model, ops[i])) << "step " << i << ": " << ops[i];
  ASSERT_EQ(readings.size(), 2u);
  for (const FdinfoReading& r : readings) {
    EXPECT_EQ(r.error, 0);
    ASSERT_EQ(r.lines.size(), 1u);
    EXPECT_EQ(r.lines[0].tfd, 1);
    EXPECT_EQ(r.lines[0].data, 7u);
  }
  EXPECT_EQ(got.back().ret, 5);
  EXPECT_EQ(sut->Finish(), "");
}

TEST(KernelSutDeathTest, ExecutorCheckFailureReachesRealStderr) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(
      {
        auto sut = MakeKernel();
        if (!sut)
          std::abort();
        (void)sut->Execute(Pipe2{.flags = abi::kONonblock});  // fds 0, 1
        (void)sut->Execute(Pipe2{.flags = abi::kONonblock});  // fds 2, 3
        (void)sut->RunOnExecutorForTesting([]() -> Outcome {
          EP_CHECK(1 + 1 == 3);
          return Outcome::Value(0);
        });
      },
      "epollcheck: kernel SUT: harness fault at step 2 .*EP_CHECK failed: 1 "
      "\\+ 1 == 3");
}

TEST(KernelSutDeathTest, ExecutorExceptionReachesRealStderr) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(
      {
        auto sut = MakeKernel();
        if (!sut)
          std::abort();
        (void)sut->Execute(EpollCreate1{});  // fd 0
        (void)sut->Execute(Dup2{.oldfd = 0, .newfd = 2});
        (void)sut->RunOnExecutorForTesting([]() -> Outcome {
          throw std::runtime_error("no room for the event buffer");
        });
      },
      "epollcheck: kernel SUT: harness fault at step 2 .*no room for the "
      "event buffer");
}

}  // namespace
}  // namespace epollcheck
