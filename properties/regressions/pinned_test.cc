// Pinned scenarios: small fixed sequences with the result of every step
// written down, each replayed against the model and against the running
// kernel. They pin facts from ../shared/reference/epoll-semantics.md (cited
// per test) and the divergences found while building the model (each says
// "Regression test for ...").

#include <gtest/gtest.h>

#include <climits>
#include <sstream>

#include "fixtures/fd_hygiene.h"
#include "model/abi.h"
#include "model/step.h"
#include "sut/kernel/kernel_sut.h"

namespace epollcheck {
namespace {

using namespace abi;

struct Pin {
  Op op;
  Outcome want;
};

Outcome V(int64_t v) { return Outcome::Value(v); }
Outcome E(int err) { return Outcome::Error(err); }
Outcome Fds(int32_t r, int32_t w) { return Outcome{.ret = 0, .fds = {r, w}}; }
Outcome Ev(std::vector<ReadyEvent> events) {
  Outcome o = Outcome::Value(static_cast<int64_t>(events.size()));
  o.events = std::move(events);
  return o;
}
Op Ctl(int32_t epfd, int32_t op, int32_t fd, uint32_t events, uint64_t data) {
  return EpollCtl{
      .epfd = epfd, .op = op, .fd = fd, .events = events, .data = data};
}
Op Wait(int32_t epfd, int32_t max = 64) {
  return EpollWait{.epfd = epfd, .maxevents = max};
}
const Op kPipe = Pipe2{.flags = kONonblock};
const Op kEpoll = EpollCreate1{};

// Replays the pins on the model and on the kernel; every step must match.
void ExpectPins(const std::vector<Pin>& pins) {
  const FdSnapshot before = FdSnapshot::Take();
  World world;
  world.profile = RunningKernelProfile();
  auto made = KernelSut::Create();
  ASSERT_TRUE(std::holds_alternative<std::unique_ptr<KernelSut>>(made))
      << std::get<std::string>(made);
  auto& kernel = *std::get<std::unique_ptr<KernelSut>>(made);
  for (size_t i = 0; i < pins.size(); ++i) {
    const Outcome model = Step(world, pins[i].op);
    const Outcome real = kernel.Execute(pins[i].op);
    std::ostringstream op;
    op << pins[i].op;
    EXPECT_EQ(model, pins[i].want) << "model, step " << i << ": " << op.str();
    EXPECT_EQ(real, pins[i].want) << "kernel, step " << i << ": " << op.str();
  }
  EXPECT_EQ(kernel.Finish(), "");
  EXPECT_EQ(FdSnapshot::Take(), before);
}

// §F2: with the pipe polled (ADD polls it), every write wakes an ET reader,
// even with data unread; two writes before a wait give one event.
TEST(PinnedPipeEt, EveryWriteRequeuesEdgeTriggeredReader) {
  ExpectPins({{kPipe, Fds(0, 1)},
              {kEpoll, V(2)},
              {Ctl(2, kEpollCtlAdd, 0, kEpollIn | kEpollEt, 1), V(0)},
              {Write{.fd = 1, .count = 1}, V(1)},
              {Wait(2), Ev({{kEpollIn, 1}})},
              {Write{.fd = 1, .count = 1}, V(1)},
              {Write{.fd = 1, .count = 1}, V(1)},
              {Wait(2), Ev({{kEpollIn, 1}})},
              {Wait(2), Ev({})},
              {Read{.fd = 0, .count = 1}, V(1)},
              {Wait(2), Ev({})}});
}

// §F2: a read wakes an ET writer only when it frees a slot of a full pipe.
TEST(PinnedPipeEt, ReadWakesWriterOnlyWhenItUnfillsThePipe) {
  ExpectPins({{kPipe, Fds(0, 1)},
              {kEpoll, V(2)},
              {SetPipeSize{.fd = 1, .size = 8192}, V(8192)},
              {Ctl(2, kEpollCtlAdd, 1, kEpollOut | kEpollEt, 9), V(0)},
              {Wait(2), Ev({{kEpollOut, 9}})},
              {Write{.fd = 1, .count = 4096}, V(4096)},
              {Read{.fd = 0, .count = 4096}, V(4096)},
              {Wait(2), Ev({})},  // was not full: no wakeup
              {Write{.fd = 1, .count = 8192}, V(8192)},
              {Read{.fd = 0, .count = 100}, V(100)},
              {Wait(2), Ev({})},  // still full: no wakeup
              {Read{.fd = 0, .count = 3996}, V(3996)},
              {Wait(2), Ev({{kEpollOut, 9}})}});
}

// §D1/§D2: dups are separate items; closing one leaves a ghost that still
// reports with its data, and DEL through the closed number is EBADF.
TEST(PinnedInterestKey, ClosedDupLeavesGhostItem) {
  ExpectPins({{kPipe, Fds(0, 1)},
              {kEpoll, V(2)},
              {Dup{.fd = 0}, V(3)},
              {Ctl(2, kEpollCtlAdd, 0, kEpollIn, 0xa), V(0)},
              {Ctl(2, kEpollCtlAdd, 3, kEpollIn, 0xb), V(0)},
              {Close{.fd = 0}, V(0)},
              {Write{.fd = 1, .count = 1}, V(1)},
              // One wakeup visits the wait queue head first: the item added
              // last (add_wait_queue inserts at the head).
              {Wait(2), Ev({{kEpollIn, 0xb}, {kEpollIn, 0xa}})},
              {Ctl(2, kEpollCtlDel, 0, 0, 0), E(kEbadf)},
              {Close{.fd = 3}, V(0)},  // last reference: both items vanish
              {Wait(2), Ev({})}});
}

// §D3/§D5: a reused number names a different file (ENOENT); dup2 over a
// registered number leaves the item on the old file.
TEST(PinnedInterestKey, ReusedNumberIsADifferentFile) {
  ExpectPins({{kPipe, Fds(0, 1)},
              {kEpoll, V(2)},
              {Dup{.fd = 0}, V(3)},
              {Ctl(2, kEpollCtlAdd, 0, kEpollIn, 1), V(0)},
              {Close{.fd = 0}, V(0)},
              {kPipe, Fds(0, 4)},
              {Ctl(2, kEpollCtlDel, 0, 0, 0), E(kEnoent)},
              {Ctl(2, kEpollCtlAdd, 0, kEpollIn, 2), V(0)},
              {Dup{.fd = 0}, V(5)},                  // keeps the new file open
              {Dup2{.oldfd = 3, .newfd = 0}, V(0)},  // (old pipe, 0) again
              {Ctl(2, kEpollCtlDel, 0, 0, 0), V(0)},
              {Write{.fd = 4, .count = 1}, V(1)},
              {Wait(2), Ev({{kEpollIn, 2}})}});  // new pipe's ghost item
}

// §G1: a delivered ONESHOT item is disarmed, ERR/HUP included, until MOD.
TEST(PinnedOneshot, DisarmMutesHangupUntilMod) {
  ExpectPins({{kPipe, Fds(0, 1)},
              {kEpoll, V(2)},
              {Ctl(2, kEpollCtlAdd, 0, kEpollIn | kEpollOneShot, 5), V(0)},
              {Write{.fd = 1, .count = 3}, V(3)},
              {Write{.fd = 1, .count = 3}, V(3)},
              {Wait(2), Ev({{kEpollIn, 5}})},
              {Close{.fd = 1}, V(0)},
              {Wait(2), Ev({})},
              {Ctl(2, kEpollCtlMod, 0, kEpollIn | kEpollOneShot, 6), V(0)},
              {Wait(2), Ev({{kEpollIn | kEpollHup, 6}})}});
}

// §H2: LT items delivered with a small maxevents rotate round-robin.
TEST(PinnedOrder, LevelTriggeredRoundRobin) {
  ExpectPins({{kPipe, Fds(0, 1)},
              {kPipe, Fds(2, 3)},
              {kPipe, Fds(4, 5)},
              {kEpoll, V(6)},
              {Ctl(6, kEpollCtlAdd, 0, kEpollIn, 0xa), V(0)},
              {Ctl(6, kEpollCtlAdd, 2, kEpollIn, 0xb), V(0)},
              {Ctl(6, kEpollCtlAdd, 4, kEpollIn, 0xc), V(0)},
              {Write{.fd = 3, .count = 1}, V(1)},
              {Write{.fd = 1, .count = 1}, V(1)},
              {Write{.fd = 5, .count = 1}, V(1)},
              {Wait(6, 2), Ev({{kEpollIn, 0xb}, {kEpollIn, 0xa}})},
              {Wait(6, 2), Ev({{kEpollIn, 0xc}, {kEpollIn, 0xb}})},
              {Wait(6, 1), Ev({{kEpollIn, 0xa}})}});
}

// §E2/§E3: capacity counts slots; a 1-slot pipe merges small writes into
// its page; F_SETPIPE_SZ rounds to a power of two pages and refuses to
// shrink below the content (EBUSY).
TEST(PinnedPipeCapacity, SlotsNotBytes) {
  ExpectPins({{kPipe, Fds(0, 1)},
              {SetPipeSize{.fd = 0, .size = 4096}, V(4096)},
              {Write{.fd = 1, .count = 1}, V(1)},
              {Write{.fd = 1, .count = 4094}, V(4094)},
              {Write{.fd = 1, .count = 2}, E(kEagain)},  // 4097 > a page
              {Write{.fd = 1, .count = 1}, V(1)},        // fills the page
              {Write{.fd = 1, .count = 1}, E(kEagain)},
              {SetPipeSize{.fd = 1, .size = 5000}, V(8192)},
              {SetPipeSize{.fd = 1, .size = 0}, V(4096)},
              {Write{.fd = 1, .count = 4096}, E(kEagain)},
              {GetPipeSize{.fd = 0}, V(4096)},
              {Pipe2{.flags = kONonblock | kODirect}, Fds(2, 3)},
              {Write{.fd = 3, .count = 1}, V(1)},
              {Write{.fd = 3, .count = 1}, V(1)},
              {SetPipeSize{.fd = 3, .size = 4096}, E(kEbusy)},
              {Read{.fd = 2, .count = 100}, V(1)},  // one packet per read
              {Read{.fd = 2, .count = 100}, V(1)},
              {Read{.fd = 2, .count = 100}, E(kEagain)}});
}

// §B1/§C1: errno precedence of epoll_ctl and epoll_wait (6.15+ order).
TEST(PinnedErrno, CtlAndWaitPrecedence) {
  if (!RunningKernelProfile().wait_checks_fd_first) {
    GTEST_SKIP() << "pins the 6.15+ epoll_wait order";
  }
  ExpectPins(
      {{kPipe, Fds(0, 1)},
       {kEpoll, V(2)},
       {Ctl(0, kEpollCtlAdd, -1, kEpollIn, 0), E(kEbadf)},
       {EpollCtl{.epfd = -1, .op = kEpollCtlAdd, .fd = 0, .null_event = true},
        E(kEfault)},
       {EpollCtl{.epfd = -1, .op = kEpollCtlDel, .fd = 0, .null_event = true},
        E(kEbadf)},
       {Ctl(0, kEpollCtlAdd, 1, kEpollIn, 0), E(kEinval)},
       {Ctl(2, 0, 0, kEpollIn, 0), E(kEinval)},
       {Ctl(2, kEpollCtlMod, 0, kEpollIn | kEpollExclusive, 0), E(kEinval)},
       {Ctl(2, kEpollCtlMod, 0, kEpollIn, 0), E(kEnoent)},
       {Ctl(2, kEpollCtlAdd, 0, kEpollIn | kEpollExclusive | kEpollOneShot, 0),
        E(kEinval)},
       {Ctl(2, kEpollCtlAdd, 2, kEpollIn, 0), E(kEinval)},
       {Wait(-1, 0), E(kEbadf)},
       {Wait(0, 0), E(kEinval)},
       {Wait(2, kEpMaxEvents + 1), E(kEinval)},
       {Wait(0, 1), E(kEinval)},
       {EpollCreate{.size = 0}, E(kEinval)},
       {EpollCreate1{.flags = kONonblock}, E(kEinval)},
       {Pipe2{.flags = kONonblock | kOAppend}, E(kEinval)}});
}

// §E13/§J1: an epoll fd is readable iff an item is really ready; nesting is
// limited to 4 links and loops are refused (ELOOP).
TEST(PinnedNesting, ReadinessAndDepth) {
  ExpectPins({{kPipe, Fds(0, 1)},
              {kEpoll, V(2)},
              {kEpoll, V(3)},
              {Ctl(2, kEpollCtlAdd, 0, kEpollIn, 1), V(0)},
              {Ctl(3, kEpollCtlAdd, 2, kEpollIn | kEpollOut, 2), V(0)},
              {Wait(3), Ev({})},
              {Write{.fd = 1, .count = 1}, V(1)},
              {Wait(3), Ev({{kEpollIn, 2}})},
              {Ctl(2, kEpollCtlAdd, 3, kEpollIn, 3), E(kEloop)},
              {kEpoll, V(4)},
              {kEpoll, V(5)},
              {kEpoll, V(6)},
              {kEpoll, V(7)},
              {Ctl(4, kEpollCtlAdd, 3, kEpollIn, 4), V(0)},
              {Ctl(5, kEpollCtlAdd, 4, kEpollIn, 5), V(0)},
              {Ctl(6, kEpollCtlAdd, 5, kEpollIn, 6), V(0)},
              {Ctl(7, kEpollCtlAdd, 6, kEpollIn, 7), E(kEloop)}});
}

// Regression test for a model gap found while writing the corpus: dup2 onto
// a number at or above RLIMIT_NOFILE is EBADF (ksys_dup3), and the model had
// no descriptor limit. The limit is the environment's, so the pin reads it.
TEST(PinnedFdLimit, Dup2AtTheLimitIsEbadf) {
  const int64_t limit = RunningKernelProfile().fd_limit;
  if (limit > INT32_MAX)
    GTEST_SKIP() << "RLIMIT_NOFILE too large to name a number at it";
  const auto at = static_cast<int32_t>(limit);
  ExpectPins({{kPipe, Fds(0, 1)},
              {Dup2{.oldfd = 0, .newfd = at}, E(kEbadf)},
              {Dup2{.oldfd = 0, .newfd = at - 1}, V(at - 1)},
              {ListFds{}, Outcome{.ret = 3, .fds = {0, 1, at - 1}}}});
}

// Regression test for the second model gap found by the corpus (row F8,
// fixtures/corpus/F8-wakeup-path-limit.scn): eleven paths of four nested
// instances down to one pipe exceed reverse_path_check's limit of ten, and
// the eleventh link is refused with EINVAL.
TEST(PinnedNesting, WakeupPathLimit) {
  std::vector<Pin> pins = {{kPipe, Fds(0, 1)}};
  for (int32_t fd = 2; fd <= 5; ++fd)
    pins.push_back({kEpoll, V(fd)});  // a, b, c, d = 2, 3, 4, 5
  pins.push_back({Ctl(2, kEpollCtlAdd, 0, kEpollIn, 1), V(0)});
  for (int32_t fd = 3; fd <= 5; ++fd)
    pins.push_back({Ctl(fd, kEpollCtlAdd, fd - 1, kEpollIn, 1), V(0)});
  for (int32_t top = 6; top <= 16; ++top)
    pins.push_back({kEpoll, V(top)});
  for (int32_t top = 6; top <= 15; ++top)
    pins.push_back({Ctl(top, kEpollCtlAdd, 5, kEpollIn, 1), V(0)});
  pins.push_back({Ctl(16, kEpollCtlAdd, 5, kEpollIn, 1), E(kEinval)});
  pins.push_back({Ctl(6, kEpollCtlDel, 5, 0, 0), V(0)});
  pins.push_back({Ctl(16, kEpollCtlAdd, 5, kEpollIn, 1), V(0)});
  ExpectPins(pins);
}

Op SendOob(int32_t fd, uint32_t count) {
  return Send{
      .fd = fd, .count = count, .flags = kMsgOob | kMsgDontwait | kMsgNosignal};
}
const Op kTcp = InetSocket{.type = kSockStream | kSockNonblock};

// Regression test for a divergence the structure-aware TCP generation found
// (poll:events.mask:tcp): a connect after an AF_UNSPEC disconnect starts
// without the disconnect's ECONNRESET (tcp_connect_init clears sk_err).
TEST(PinnedTcp, ConnectStartsWithoutTheDisconnectError) {
  Outcome no_error = V(0);
  no_error.value = 0;
  ExpectPins({{kTcp, V(0)},
              {Bind{.fd = 0, .name = 0}, V(0)},
              {Listen{.fd = 0, .backlog = 1}, V(0)},
              {kTcp, V(1)},
              {Connect{.fd = 1, .name = 0}, E(kEinprogress)},
              {Connect{.fd = 1, .name = -1}, V(0)},
              {Connect{.fd = 1, .name = 0}, E(kEinprogress)},
              {GetSockOpt{.fd = 1, .name = kSoError}, no_error}});
}

// Regression test for a divergence the structure-aware TCP generation found
// (pselect6:ret:none): an urgent byte sent to a receiver shut for reading
// in FIN_WAIT2 is valid (EPOLLPRI) after the reset that data causes
// (tcp_rcv_state_process checks URG in step 6, resets in step 7), and
// MSG_OOB on the closed receiver is ENOTCONN.
TEST(PinnedTcp, UrgentByteSurvivesTheResetOfAReceiverShutForReading) {
  Outcome pri = V(1);
  pri.sets = {0, 0, 0x4};
  ExpectPins({{kTcp, V(0)},
              {Bind{.fd = 0, .name = 1}, V(0)},
              {Listen{.fd = 0, .backlog = 3}, V(0)},
              {kTcp, V(1)},
              {Connect{.fd = 1, .name = 1}, E(kEinprogress)},
              {Accept4{.fd = 0, .flags = kSockNonblock}, V(2)},
              {Shutdown{.fd = 2, .how = kShutRdwr}, V(0)},
              {SendOob(1, 1), V(1)},
              {Select{.nfds = 3, .exceptfds = 0x4}, pri},
              {Recv{.fd = 2, .count = 1, .flags = kMsgOob | kMsgDontwait},
               E(kEnotconn)}});
}

}  // namespace
}  // namespace epollcheck
