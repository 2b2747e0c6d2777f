// Claims about the scratch kernel's poll(2), ppoll(2), select(2) and
// pselect6(2) (fs/select.c), checked directly: negative descriptors are
// skipped and closed ones are POLLNVAL, events are a u16 with ERR|HUP always
// asked for, nfds above RLIMIT_NOFILE and bad sigmask sizes are EINVAL,
// select's three sets and its EBADF for a closed descriptor, n == 0 leaving
// the caller's sets alone, a zero-timeout poll registering on no wait queue,
// and the side effects that belong to the polled file (an epoll file prunes
// its stale ready items).

#include <gtest/gtest.h>

#include <cstdint>
#include <mutex>
#include <utility>

#include "model/abi.h"
#include "sut/sim/file.h"
#include "sut/sim/pipe.h"
#include "sut/sim/sim_fixture.h"
#include "sut/sim/sim_kernel.h"

namespace epollcheck::sim {
namespace {

constexpr int16_t kPollIn = abi::kEpollIn;
constexpr int16_t kPollOut = abi::kEpollOut;

class SimPollTest : public SimFixture {
protected:
  // pipe2(O_NONBLOCK): {read end, write end}.
  std::pair<int, int> Pipe() {
    int fds[2] = {-1, -1};
    EXPECT_EQ(proc_->Pipe2(fds, abi::kONonblock), 0);
    return {fds[0], fds[1]};
  }
};

TEST_F(SimPollTest, NegativeSkippedClosedNvalOpenMasked) {
  const auto [r, w] = Pipe();
  PollFd fds[4] = {{.fd = -1, .events = kPollIn},
                   {.fd = 9, .events = kPollIn},
                   {.fd = r, .events = kPollIn},
                   {.fd = w, .events = kPollIn | kPollOut}};
  for (PollFd& p : fds)
    p.revents = 0x7fff;  // every entry is written
  EXPECT_EQ(proc_->Poll(fds, 4, 0), 2);
  EXPECT_EQ(fds[0].revents, 0);
  EXPECT_EQ(fds[1].revents, abi::kEpollNval);
  EXPECT_EQ(fds[2].revents, 0);  // empty pipe, writer open
  EXPECT_EQ(fds[3].revents, kPollOut);
}

TEST_F(SimPollTest, ErrAndHupAreAlwaysReported) {
  const auto [r, w] = Pipe();
  ASSERT_EQ(proc_->Close(w), 0);
  PollFd fd{.fd = r, .events = 0};
  EXPECT_EQ(proc_->Poll(&fd, 1, 0), 1);
  EXPECT_EQ(fd.revents, abi::kEpollHup);
}

TEST_F(SimPollTest, NfdsAboveTheLimitAndSigsetSize) {
  PollFd fd{.fd = -1};
  const auto limit = static_cast<unsigned>(kernel_.config().nofile);
  EXPECT_EQ(proc_->Poll(&fd, limit + 1, 0), -abi::kEinval);
  const Timespec zero{};
  const uint64_t mask = 0;
  EXPECT_EQ(proc_->Ppoll(&fd, 1, &zero, &mask, 4), -abi::kEinval);
  EXPECT_EQ(proc_->Ppoll(&fd, 1, &zero, &mask, 8), 0);
  EXPECT_EQ(proc_->Ppoll(&fd, 1, &zero, nullptr, 4), 0);  // NULL mask: no size
  const Timespec bad{.tv_sec = 0, .tv_nsec = 1000000000};
  EXPECT_EQ(proc_->Ppoll(&fd, 1, &bad, nullptr, 0), -abi::kEinval);
  // The sigmask is checked before nfds.
  EXPECT_EQ(proc_->Ppoll(&fd, limit + 1, &zero, &mask, 4), -abi::kEinval);
}

TEST_F(SimPollTest, SelectSetsAndCount) {
  const auto [r, w] = Pipe();  // 0, 1
  ASSERT_EQ(proc_->Write(w, "x", 1), 1);
  uint64_t in = 0b11;
  uint64_t out = 0b11;
  uint64_t ex = 0b11;
  const Timeval zero{};
  EXPECT_EQ(proc_->Select(64, &in, &out, &ex, &zero), 2);
  EXPECT_EQ(in, 0b01u);
  EXPECT_EQ(out, 0b10u);
  EXPECT_EQ(ex, 0u);
  // Bits at or above n are not looked at and come back cleared.
  in = 0b11 | (uint64_t{1} << 40);
  out = 0;
  EXPECT_EQ(proc_->Select(1, &in, &out, nullptr, &zero), 1);
  EXPECT_EQ(in, 0b01u);
}

TEST_F(SimPollTest, SelectErrors) {
  const auto [r, w] = Pipe();
  const Timeval zero{};
  uint64_t in = uint64_t{1} << 5;  // closed
  EXPECT_EQ(proc_->Select(64, &in, nullptr, nullptr, &zero), -abi::kEbadf);
  EXPECT_EQ(in, uint64_t{1} << 5);  // untouched on failure
  EXPECT_EQ(proc_->Select(-1, &in, nullptr, nullptr, &zero), -abi::kEinval);
  // n == 0 reads and writes nothing: the closed bit is neither EBADF nor
  // cleared.
  EXPECT_EQ(proc_->Select(0, &in, nullptr, nullptr, &zero), 0);
  EXPECT_EQ(in, uint64_t{1} << 5);
  // A huge n is clamped to the table size.
  uint64_t big[16384] = {};
  big[0] = 1u << static_cast<unsigned>(w);
  EXPECT_EQ(proc_->Select(1 << 20, nullptr, big, nullptr, &zero), 1);
  const Timespec ts{};
  const uint64_t mask = 0;
  EXPECT_EQ(proc_->Pselect6(1, nullptr, nullptr, nullptr, &ts, &mask, 4),
            -abi::kEinval);
  EXPECT_EQ(proc_->Pselect6(1, nullptr, nullptr, nullptr, &ts, &mask, 8), 0);
}

// The except set is PRI (POLLEX_SET); a pipe never has it.
TEST_F(SimPollTest, SelectExceptSetIsPri) {
  const auto [r, w] = Pipe();
  ASSERT_EQ(proc_->Write(w, "x", 1), 1);
  uint64_t ex = 0b11;
  const Timeval zero{};
  EXPECT_EQ(proc_->Select(2, nullptr, nullptr, &ex, &zero), 0);
  EXPECT_EQ(ex, 0u);
}

// An epoll file polled directly prunes ready items that are no longer
// ready (__ep_eventpoll_poll), the side effect of its own f_op->poll.
TEST_F(SimPollTest, PollingAnEpollFilePrunesStaleItems) {
  const auto [r, w] = Pipe();
  const int ep = proc_->EpollCreate1(0);
  ASSERT_EQ(Add(ep, r, abi::kEpollIn, 1), 0);
  ASSERT_EQ(proc_->Write(w, "x", 1), 1);  // r is queued on the ready list
  char c = 0;
  ASSERT_EQ(proc_->Read(r, &c, 1), 1);  // ... and stale now
  PollFd fd{.fd = ep, .events = kPollIn};
  EXPECT_EQ(proc_->Poll(&fd, 1, 0), 0);
  EXPECT_EQ(fd.revents, 0);
  EpollEvent out[2];
  EXPECT_EQ(proc_->EpollWait(ep, out, 2, 0), 0);
}

// A zero-timeout poll or select registers on no wait queue (_qproc NULL).
TEST_F(SimPollTest, ZeroTimeoutRegistersNothing) {
  const auto [r, w] = Pipe();
  FileRef file = proc_->Fget(r);
  PipeInodeInfo* pipe = file->PipeInfo();
  ASSERT_NE(pipe, nullptr);
  const auto entries = [](WaitQueueHead& wq) {
    std::lock_guard<SpinLock> guard(wq.lock());
    return wq.SizeLocked();
  };
  PollFd fds[2] = {{.fd = r, .events = kPollIn}, {.fd = w, .events = kPollOut}};
  EXPECT_EQ(proc_->Poll(fds, 2, 0), 1);
  uint64_t in = 1u << static_cast<unsigned>(r);
  uint64_t out = 1u << static_cast<unsigned>(w);
  const Timeval zero{};
  EXPECT_EQ(proc_->Select(2, &in, &out, nullptr, &zero), 1);
  EXPECT_EQ(entries(pipe->rd_wait_), 0u);
  EXPECT_EQ(entries(pipe->wr_wait_), 0u);
}

}  // namespace
}  // namespace epollcheck::sim
