// The rule that decided a differing result (properties/decided_by.h) and the
// signatures built on it (properties/triage.h): one cause, one signature,
// whatever files or history led there; distinct causes, distinct ones.

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cctype>

#include "model/abi.h"
#include "model/step.h"
#include "properties/decided_by.h"
#include "properties/sequence.h"
#include "properties/triage.h"

namespace epollcheck {
namespace {

using namespace abi;

Profile Linux618() { return ProfileForKernel(6, 18); }

// The model's outcome of the last op of `ops`.
Outcome Want(const std::vector<Op>& ops) {
  World w;
  w.profile = Linux618();
  Outcome out;
  for (const Op& op : ops)
    out = Step(w, op);
  return out;
}

std::string Signature(const std::vector<Op>& ops, const Outcome& got) {
  World w;
  w.profile = Linux618();
  for (size_t i = 0; i + 1 < ops.size(); ++i)
    (void)Step(w, ops[i]);
  return DivergenceSignature(Linux618(), ops, Want(ops), got,
                             OperandFamilies(w, ops.back()));
}

// gVisor checks the epfd's kind before looking the target up: one cause,
// which the family signature split by the kind of the epfd.
TEST(DecidedBy, AnErrnoIsDecidedByTheRuleNamingIt) {
  const std::vector<Op> on_pipe = {
      Pipe2{}, EpollCtl{.epfd = 0, .op = kEpollCtlAdd, .fd = 7}};
  const std::vector<Op> on_eventfd = {
      Eventfd{}, EpollCtl{.epfd = 0, .op = kEpollCtlAdd, .fd = 7}};
  EXPECT_EQ(Want(on_pipe), Outcome::Error(kEbadf));
  EXPECT_EQ(Signature(on_pipe, Outcome::Error(kEinval)),
            "epoll_ctl:errno:epoll_ctl.ebadf.fd");
  EXPECT_EQ(Signature(on_eventfd, Outcome::Error(kEinval)),
            "epoll_ctl:errno:epoll_ctl.ebadf.fd");
  // A closed epfd is another rule.
  const std::vector<Op> closed_epfd = {
      Pipe2{}, EpollCtl{.epfd = 9, .op = kEpollCtlAdd, .fd = 0}};
  EXPECT_EQ(Signature(closed_epfd, Outcome::Error(kEinval)),
            "epoll_ctl:errno:epoll_ctl.ebadf.epfd");
}

// An event the SUT does not return is decided by what queued its item: the
// wakeup of the watched file, through nested instances too.
TEST(DecidedBy, AMissingEventIsDecidedByTheWakeupThatQueuedIt) {
  const Op add_pipe = EpollCtl{
      .epfd = 2, .op = kEpollCtlAdd, .fd = 0, .events = kEpollIn | kEpollEt};
  const std::vector<Op> pipe = {Pipe2{.flags = kONonblock}, EpollCreate1{},
                                add_pipe, Write{.fd = 1, .count = 1},
                                EpollWait{.epfd = 2, .maxevents = 4}};
  ASSERT_EQ(Want(pipe).ret, 1);
  EXPECT_EQ(Signature(pipe, Outcome::Value(0)),
            "epoll_wait:events.count:pipe.write.wake.was_empty");
  const std::vector<Op> eventfd = {Eventfd{.flags = kONonblock}, EpollCreate1{},
                                   EpollCtl{.epfd = 1,
                                            .op = kEpollCtlAdd,
                                            .fd = 0,
                                            .events = kEpollIn | kEpollEt},
                                   EventfdWrite{.fd = 0, .value = 1},
                                   EpollWait{.epfd = 1, .maxevents = 4}};
  ASSERT_EQ(Want(eventfd).ret, 1);
  EXPECT_EQ(Signature(eventfd, Outcome::Value(0)),
            "epoll_wait:events.count:eventfd.write.wake");
  // The same pipe wakeup seen through an outer instance.
  const std::vector<Op> nested = {Pipe2{.flags = kONonblock},
                                  EpollCreate1{},
                                  add_pipe,
                                  EpollCreate1{},
                                  EpollCtl{.epfd = 3,
                                           .op = kEpollCtlAdd,
                                           .fd = 2,
                                           .events = kEpollIn | kEpollEt},
                                  Write{.fd = 1, .count = 1},
                                  EpollWait{.epfd = 3, .maxevents = 4}};
  ASSERT_EQ(Want(nested).ret, 1);
  EXPECT_EQ(Signature(nested, Outcome::Value(0)),
            "epoll_wait:events.count:pipe.write.wake.was_empty");
  // Ready when added: the ADD queued it.
  const std::vector<Op> at_add = {
      Pipe2{.flags = kONonblock}, Write{.fd = 1, .count = 1}, EpollCreate1{},
      EpollCtl{.epfd = 2, .op = kEpollCtlAdd, .fd = 0, .events = kEpollIn},
      EpollWait{.epfd = 2, .maxevents = 4}};
  EXPECT_EQ(Signature(at_add, Outcome::Value(0)),
            "epoll_wait:events.count:epoll_ctl.add.ready");
}

// A differing bit is decided by the readiness rule that names it, whether
// poll or epoll_wait reports it.
TEST(DecidedBy, AMaskIsDecidedByTheReadinessRuleOfTheDifferingBit) {
  const std::vector<Op> poll = {
      Pipe2{.flags = kONonblock}, Close{.fd = 0},
      Poll{.fd0 = 1, .events0 = kEpollOut, .nfds = 1}};
  Outcome got = Want(poll);
  ASSERT_EQ(got.events.size(), 1u);
  ASSERT_EQ(got.events[0].events, kEpollOut | kEpollErr);
  got.events[0].events = kEpollOut;
  EXPECT_EQ(Signature(poll, got), "poll:events.mask:pipe.poll.err.no_readers");
  const std::vector<Op> wait = {
      Pipe2{.flags = kONonblock}, EpollCreate1{},
      EpollCtl{.epfd = 2, .op = kEpollCtlAdd, .fd = 1, .events = kEpollOut},
      Close{.fd = 0}, EpollWait{.epfd = 2, .maxevents = 4}};
  got = Want(wait);
  ASSERT_EQ(got.events.size(), 1u);
  got.events[0].events &= ~kEpollErr;
  EXPECT_EQ(Signature(wait, got),
            "epoll_wait:events.mask:pipe.poll.err.no_readers");
}

// Only a companion bit of the rule's class differs (gVisor adds RDNORM to an
// eventfd's IN): the rule, and which of its bits.
TEST(DecidedBy, ACompanionBitIsNamedWithItsRule) {
  const std::vector<Op> poll = {
      Eventfd{.initval = 1, .flags = kONonblock},
      Poll{.fd0 = 0, .events0 = kEpollIn | kEpollRdNorm, .nfds = 1}};
  Outcome got = Want(poll);
  ASSERT_EQ(got.events.size(), 1u);
  ASSERT_EQ(got.events[0].events, kEpollIn);
  got.events[0].events |= kEpollRdNorm;
  EXPECT_EQ(Signature(poll, got),
            "poll:events.mask:eventfd.poll.in.nonzero(RDNORM)");
  got.events[0].events = 0;
  EXPECT_EQ(Signature(poll, got), "poll:events.mask:eventfd.poll.in.nonzero");
}

// No rule for the differing part: the file kinds, marked as such.
TEST(DecidedBy, WithoutARuleTheKeyNamesTheFamilies) {
  const std::vector<Op> list = {Pipe2{}, ListFds{}};
  Outcome got = Want(list);
  got.fds.push_back(5);
  EXPECT_EQ(FamilyKey({}), "family.none");
  EXPECT_EQ(FamilyKey({"closed", "pipe"}), "family.closed+pipe");
  EXPECT_EQ(Signature(list, got).rfind("list_fds:fds:", 0), 0u);
}

// A step that never returns is signed op:hang:rule with the rule that
// decided what the model expects there: gVisor's epoll_pwait2 that blocks
// on a negative tv_sec is one signature (Linux refuses the timespec), apart
// from a wait that hangs where nothing is ready (no rule: the family).
TEST(DecidedBy, AHangIsSignedByTheRuleOfTheExpectedOutcome) {
  const std::vector<Op> negative_sec = {
      EpollCreate1{}, EpollPwait2{.epfd = 0, .maxevents = 8, .tv_sec = -1}};
  EXPECT_EQ(Want(negative_sec), Outcome::Error(kEinval));
  EXPECT_EQ(HangSignature(Linux618(), negative_sec),
            "epoll_wait:hang:epoll_pwait2.einval.timespec");
  const std::vector<Op> empty_wait = {EpollCreate1{},
                                      EpollWait{.epfd = 0, .maxevents = 1}};
  EXPECT_EQ(HangSignature(Linux618(), empty_wait),
            "epoll_wait:hang:family.epoll");
  EXPECT_EQ(HangSignature(Linux618(), {}), "hang");
  EXPECT_TRUE(IsHangSignature("hang"));
  EXPECT_TRUE(IsHangSignature("epoll_wait:hang:family.epoll"));
  EXPECT_FALSE(IsHangSignature("epoll_wait:ret:family.epoll"));
  EXPECT_FALSE(IsHangSignature("crash:SIGSEGV"));
}

// Every error the model returns is decided by a rule that names its errno
// (rule names `call.errno.why`, model/rule_table.h) or reports a pending
// socket error, so an errno divergence always names its check.
RC_GTEST_PROP(DecidedBy, EveryErrorHasARuleNamingItsErrno, ()) {
  const Swarm swarm = *GenSwarm();
  World initial;
  initial.profile = Linux618();
  const auto commands = *rc::state::gen::commands(
      initial, [swarm](const World& w) { return GenCommand(w, swarm); });
  World world = initial;
  std::vector<Op> ops;
  for (const auto& command : commands) {
    const Op& op = dynamic_cast<const OpCommand&>(*command).op;
    RC_PRE(Admissible(world, op));
    ops.push_back(op);
    const Outcome want = Step(world, op);
    if (!want.IsError())
      continue;
    std::string token = ErrnoName(want.Errno());
    for (char& c : token)
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const std::string rule = DecidingRule(initial.profile, ops, "errno", want,
                                          Outcome::Error(kEopnotsupp));
    RC_TAG(std::string(OpName(op)) + " " + ErrnoName(want.Errno()));
    // Or a socket's pending error, reported by its own rule (`tcp.recv.err`,
    // `tcp.connect.reports_error`): sock_error() of whatever set it.
    const bool pending = rule.ends_with(".err") ||
                         rule.find(".reports_error") != std::string::npos;
    RC_ASSERT(rule.find(token) != std::string::npos || pending);
  }
}

}  // namespace
}  // namespace epollcheck
