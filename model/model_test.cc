// Unit tests of the model alone: printing, profiles, and the behaviour of
// kernel eras the running kernel cannot show (§F3, §C1 of the semantics doc).

#include <gtest/gtest.h>

#include <sstream>

#include "model/abi.h"
#include "model/step.h"

namespace epollcheck {
namespace {

using namespace abi;

std::string Str(const auto& v) {
  std::ostringstream os;
  os << v;
  return os.str();
}

TEST(ModelPrinting, OpsPrintAsReadableCalls) {
  EXPECT_EQ(Str(Op{EpollCtl{.epfd = 2,
                            .op = kEpollCtlAdd,
                            .fd = 0,
                            .events = kEpollIn | kEpollEt | (1u << 20),
                            .data = 7}}),
            "epoll_ctl(2, ADD, 0, IN|ET|0x100000, 0x7)");
  EXPECT_EQ(Str(Op{Pipe2{.flags = kONonblock | kODirect}}),
            "pipe2(O_NONBLOCK|O_DIRECT)");
  EXPECT_EQ(Str(Op{EpollWait{.epfd = 3, .maxevents = 8}}), "epoll_wait(3, 8)");
  EXPECT_EQ(Str(Op{EpollWait{.epfd = 3, .maxevents = 8, .timeout_ms = 5}}),
            "epoll_wait(3, 8, timeout_ms=5)");
  EXPECT_EQ(Str(Op{EpollCtl{.epfd = -1, .op = 9, .null_event = true}}),
            "epoll_ctl(-1, 9, -1, 0, 0x0, null_event=1)");
}

TEST(ModelPrinting, OutcomesPrintValueErrnoAndPayload) {
  EXPECT_EQ(Str(Outcome::Error(kEbadf)), "-1 EBADF");
  EXPECT_EQ(Str(Outcome{.ret = 0, .fds = {3, 4}}), "0 fds=[3,4]");
  Outcome w = Outcome::Value(1);
  w.events = {{kEpollIn | kEpollHup, 0x1}};
  EXPECT_EQ(Str(w), "1 [{IN|HUP, 0x1}]");
}

TEST(ModelProfiles, ErasFollowTheVersionTable) {
  EXPECT_TRUE(ProfileForKernel(6, 18).wait_checks_fd_first);
  EXPECT_FALSE(ProfileForKernel(6, 14).wait_checks_fd_first);
  EXPECT_TRUE(ProfileForKernel(6, 17).loop_check_counts_upward_depth);
  EXPECT_FALSE(ProfileForKernel(6, 16).loop_check_counts_upward_depth);
  EXPECT_TRUE(
      SameEraBehaviour(ProfileForKernel(6, 17), ProfileForKernel(6, 18)));
  // unix.oob_zero_recv (measured on 7.3, not on 6.18.44).
  EXPECT_FALSE(
      SameEraBehaviour(ProfileForKernel(6, 18), ProfileForKernel(7, 0)));
  EXPECT_TRUE(SameEraBehaviour(ProfileForKernel(7, 0), ProfileForKernel(7, 3)));
  EXPECT_FALSE(
      SameEraBehaviour(ProfileForKernel(6, 16), ProfileForKernel(6, 17)));
  EXPECT_EQ(ProfileForKernel(5, 10).pipe_write_wake,
            PipeWriteWake::kIfWasEmpty);
  EXPECT_EQ(ProfileForKernel(5, 4).pipe_write_wake, PipeWriteWake::kEveryWrite);
  EXPECT_EQ(ProfileForKernel(5, 14).pipe_write_wake,
            PipeWriteWake::kIfWasEmptyOrPolled);
}

std::vector<Outcome> RunOps(const Profile& profile,
                            const std::vector<Op>& ops) {
  World w;
  w.profile = profile;
  std::vector<Outcome> out;
  for (const Op& op : ops)
    out.push_back(Step(w, op));
  return out;
}

// §F3: on 5.5–5.13 a second write with data unread does not wake an ET
// reader; on 5.14+ it does.
TEST(ModelEras, PipeEtSecondWriteDependsOnEra) {
  const std::vector<Op> ops = {Pipe2{.flags = kONonblock},
                               EpollCreate1{},
                               EpollCtl{.epfd = 2,
                                        .op = kEpollCtlAdd,
                                        .fd = 0,
                                        .events = kEpollIn | kEpollEt,
                                        .data = 1},
                               Write{.fd = 1, .count = 1},
                               EpollWait{.epfd = 2, .maxevents = 4},
                               Write{.fd = 1, .count = 1},
                               EpollWait{.epfd = 2, .maxevents = 4}};
  EXPECT_EQ(RunOps(ProfileForKernel(5, 10), ops).back().ret, 0);
  EXPECT_EQ(RunOps(ProfileForKernel(6, 18), ops).back().ret, 1);
  EXPECT_EQ(RunOps(ProfileForKernel(5, 4), ops).back().ret, 1);
}

// §C1: before 6.15, an invalid maxevents beats a bad epfd.
TEST(ModelEras, WaitErrnoOrder) {
  const std::vector<Op> ops = {EpollWait{.epfd = -1, .maxevents = 0}};
  EXPECT_EQ(RunOps(ProfileForKernel(6, 14), ops)[0], Outcome::Error(kEinval));
  EXPECT_EQ(RunOps(ProfileForKernel(6, 15), ops)[0], Outcome::Error(kEbadf));
}

// unix.oob_peek is a feature of its own beside unix.msg_oob: a peek that
// meets the pending out-of-band byte with nothing copied steps over it
// (6.9+, and Debian's 6.1.0-57, which keeps the old consumed-skb rule) or
// reads it as data (before). A consumed skb at the head is stepped over by
// the old rule's peek whatever the mark does (measured on 6.1.0-57: K11).
TEST(ModelEras, UnixOobPeekAtTheMarkIsItsOwnFeature) {
  const std::vector<Op> ops = {
      Socketpair{.type = kSockStream | kSockNonblock},
      Send{.fd = 0, .count = 1, .flags = kMsgOob},
      Recv{.fd = 1, .count = 100, .flags = kMsgPeek},  // 2: the mark alone
      Send{.fd = 0, .count = 2},
      Recv{.fd = 1, .count = 100, .flags = kMsgPeek},  // 4: mark, 2 bytes
      Recv{.fd = 1, .count = 100},                     // skips the mark
      Send{.fd = 0, .count = 1, .flags = kMsgOob},
      Recv{.fd = 1, .count = 1, .flags = kMsgOob},
      Send{.fd = 0, .count = 1, .flags = kMsgOob},
      Recv{.fd = 1, .count = 100, .flags = kMsgPeek}};  // 9: consumed, mark
  struct Case {
    bool skips_consumed;
    bool peek_past_mark;
    Outcome lone, with_data, after_consumed;
  };
  const Case cases[] = {
      {true, true, Outcome::Error(kEagain), Outcome::Value(2),
       Outcome::Error(kEagain)},  // 6.18
      {false, true, Outcome::Error(kEagain), Outcome::Value(2),
       Outcome::Value(1)},  // Debian's 6.1.0-57
      {false, false, Outcome::Value(1), Outcome::Value(3),
       Outcome::Value(1)},  // 5.15-6.8
      {true, false, Outcome::Value(1), Outcome::Value(3), Outcome::Value(1)},
  };
  for (const Case& c : cases) {
    Profile p = ProfileForKernel(6, 18);
    p.unix_oob_skips_consumed = c.skips_consumed;
    p.unix_oob_peek_past_mark = c.peek_past_mark;
    const std::vector<Outcome> got = RunOps(p, ops);
    const std::string label =
        "skips_consumed " + std::to_string(c.skips_consumed) +
        ", peek_past_mark " + std::to_string(c.peek_past_mark);
    EXPECT_EQ(got[2], c.lone) << label;
    EXPECT_EQ(got[4], c.with_data) << label;
    EXPECT_EQ(got[5], Outcome::Value(2)) << label;
    EXPECT_EQ(got[9], c.after_consumed) << label;
  }
  EXPECT_FALSE(ProfileForKernel(6, 8).unix_oob_peek_past_mark);
  EXPECT_TRUE(ProfileForKernel(6, 9).unix_oob_peek_past_mark);
  EXPECT_FALSE(ProfileForKernel(6, 9).unix_oob_skips_consumed);
}

// The close rule: a file's items die with its last reference, silently, and
// the released pipe end wakes the other end with no key.
TEST(ModelClose, LastReferenceRemovesItemsAndWakesPeer) {
  World w;
  for (const Op& op :
       std::vector<Op>{Pipe2{.flags = kONonblock}, EpollCreate1{},
                       EpollCtl{.epfd = 2,
                       .op = kEpollCtlAdd,
                       .fd = 0,
                       .events = kEpollIn | kEpollEt},
                       EpollCtl{.epfd = 2,
                       .op = kEpollCtlAdd,
                       .fd = 1,
                       .events = kEpollOut | kEpollEt}}) {
    (void)Step(w, op);
  }
  EXPECT_EQ(w.FileAt(2)->epoll->items.size(), 2u);
  EXPECT_EQ(Step(w, Op{Close{.fd = 1}}), Outcome::Value(0));
  EXPECT_EQ(w.FileAt(2)->epoll->items.size(), 1u);
  const Outcome got = Step(w, Op{EpollWait{.epfd = 2, .maxevents = 4}});
  ASSERT_EQ(got.ret, 1);
  EXPECT_EQ(got.events[0].events, kEpollHup);
}

}  // namespace
}  // namespace epollcheck
