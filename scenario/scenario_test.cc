// The scenario format: printer and parser round-trip on generated runs (a
// property), handles resolve to the same descriptors, and malformed input is
// rejected with its line number, never a crash.

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "model/abi.h"
#include "model/step.h"
#include "properties/sequence.h"
#include "scenario/scenario.h"

namespace epollcheck {
namespace {

// Generates a sequence and the model's outcomes for it (and, if asked, its
// interest sets after each step as fdinfo lines).
void GenerateRun(std::vector<Op>& ops, std::vector<Outcome>& outcomes,
                 std::vector<std::vector<FdinfoExpect>>* fdinfo = nullptr) {
  const Swarm swarm = *GenSwarm();
  World world;
  const auto commands = *rc::state::gen::commands(
      world, [swarm](const World& w) { return GenCommand(w, swarm); });
  for (const auto& command : commands) {
    const Op& op = dynamic_cast<const OpCommand&>(*command).op;
    if (!Admissible(world, op))
      continue;
    ops.push_back(op);
    outcomes.push_back(Step(world, op));
    if (fdinfo != nullptr)
      fdinfo->push_back(FdinfoOfModel(world));
  }
}

RC_GTEST_PROP(ScenarioFormat, PrintThenParseGivesTheSameRun, ()) {
  std::vector<Op> ops;
  std::vector<Outcome> outcomes;
  std::vector<std::vector<FdinfoExpect>> fdinfo;
  GenerateRun(ops, outcomes, &fdinfo);
  Scenario printed = ScenarioFromRun(ops, outcomes, true);
  for (size_t i = 0; i < printed.steps.size(); ++i) {
    ScenarioStep& step = printed.steps[i];
    step.era_dependent =
        *rc::gen::weightedElement<bool>({{4, false}, {1, true}});
    if (*rc::gen::weightedElement<bool>({{3, false}, {1, true}}))
      step.fdinfo = fdinfo[i];
  }
  const std::string text = FormatScenario(printed, {"generated"});
  auto parsed = ParseScenario(text);
  RC_ASSERT(std::holds_alternative<Scenario>(parsed));
  const Scenario& scenario = std::get<Scenario>(parsed);
  RC_ASSERT(scenario.steps.size() == ops.size());
  HandleEnv env;
  for (size_t i = 0; i < ops.size(); ++i) {
    auto resolved = ResolveStep(scenario.steps[i], env);
    RC_ASSERT(std::holds_alternative<Op>(resolved));
    RC_ASSERT(std::get<Op>(resolved) == ops[i]);
    RC_ASSERT(scenario.steps[i].expect == std::optional<Outcome>(outcomes[i]));
    RC_ASSERT(scenario.steps[i].era_dependent ==
              printed.steps[i].era_dependent);
    RC_ASSERT(scenario.steps[i].fdinfo.size() ==
              printed.steps[i].fdinfo.size());
    for (size_t k = 0; k < printed.steps[i].fdinfo.size(); ++k) {
      FdinfoExpect want = printed.steps[i].fdinfo[k];
      want.line = scenario.steps[i].fdinfo[k].line;
      RC_ASSERT(scenario.steps[i].fdinfo[k] == want);
    }
    BindStep(scenario.steps[i], outcomes[i], env);
  }
  // Printing is a fixed point.
  RC_ASSERT(FormatScenario(scenario, {"generated"}) == text);
}

RC_GTEST_PROP(ScenarioFormat, OutcomesRoundTrip, ()) {
  Outcome o;
  o.ret = *rc::gen::inRange<int64_t>(-133, 1 << 20);
  if (o.ret >= 0) {
    o.fds = *rc::gen::container<std::vector<int32_t>>(
        rc::gen::inRange<int32_t>(-1, 100000));
    const auto masks = *rc::gen::container<std::vector<uint32_t>>(
        rc::gen::arbitrary<uint32_t>());
    for (uint32_t m : masks)
      o.events.push_back(ReadyEvent{m, *rc::gen::arbitrary<uint64_t>()});
  }
  std::ostringstream text;
  text << o;
  const std::optional<Outcome> back = ParseOutcome(text.str());
  RC_ASSERT(back.has_value());
  RC_ASSERT(*back == o);
}

TEST(ScenarioFormat, ParsesTheDocumentedExample) {
  const char* text = R"(# LT items rotate
profile 6.18
p0 = pipe2(O_NONBLOCK)               -> 0 fds=[0,1]
e0 = epoll_create1(0)                -> 2
epoll_ctl(e0, ADD, p0.r, IN|ET, 0x1) -> 0
write(p0.w, 1)                       -> 1
epoll_wait(e0, 64)                   -> 1 [{IN, 0x1}]
close(7)                             -> -1 EBADF
epoll_ctl(e0, MOD, p0.r, EPOLLIN, 1, null_event=1)
epoll_wait(e0, 8, timeout_ms=0)
)";
  auto parsed = ParseScenario(text);
  ASSERT_TRUE(std::holds_alternative<Scenario>(parsed))
      << std::get<ParseError>(parsed).message;
  const Scenario& s = std::get<Scenario>(parsed);
  EXPECT_EQ(s.profile, "6.18");
  ASSERT_EQ(s.steps.size(), 8u);
  EXPECT_EQ(s.steps[0].bind, "p0");
  EXPECT_EQ(s.steps[2].line, 5);
  HandleEnv env{{"p0.r", 0}, {"p0.w", 1}, {"e0", 2}};
  EXPECT_EQ(std::get<Op>(ResolveStep(s.steps[2], env)),
            Op(EpollCtl{.epfd = 2,
                        .op = abi::kEpollCtlAdd,
                        .fd = 0,
                        .events = abi::kEpollIn | abi::kEpollEt,
                        .data = 1}));
  EXPECT_TRUE(std::get<EpollCtl>(s.steps[6].op).null_event);
  EXPECT_FALSE(s.steps[6].expect.has_value());
  EXPECT_EQ(*s.steps[5].expect, Outcome::Error(abi::kEbadf));
}

struct Bad {
  const char* text;
  int line;
  const char* message;
};

TEST(ScenarioFormat, MalformedInputNamesTheLine) {
  const Bad cases[] = {
      {"frob(1)", 1, "unknown operation 'frob'"},
      {"\n\nclose()", 3, "close: missing argument 'fd'"},
      {"close(1, 2)", 1, "close: unexpected argument '2'"},
      {"write(1, -5)", 1, "write: bad count '-5'"},
      {"epoll_ctl(3, ADD, 0, IN|BOGUS, 0)", 1, "epoll_ctl: bad events"},
      {"close(1) -> banana", 1, "bad result 'banana'"},
      {"close(1) -> -1 ENOTANERRNO", 1, "bad result"},
      {"x = close(1)", 1, "close returns no descriptor to bind"},
      {"1x = dup(0)", 1, "bad handle name '1x'"},
      {"close(1", 1, "expected a call"},
      {"close((1))", 1, "unbalanced parentheses"},
      {"profile six", 1, "profile: 'six' is not MAJOR.MINOR"},
      {"epoll_wait(3, 99999999999)", 1, "epoll_wait: bad maxevents"},
      {"epoll_ctl(3, ADD, 0, IN, 0, null_event=2)", 1, "bad null_event"},
      {"fdinfo(3) -> []", 1, "an fdinfo line follows the step it checks"},
      {"close(1)\nfdinfo(3) -> [{4, IN, 0x1}]", 2, "fdinfo: bad item"},
      {"close(1)\nfdinfo(3) -> [{4, IN|BOGUS, 0x1, ino=4}]", 2,
       "fdinfo: bad item"},
      {"close(1)\nfdinfo(3) -> [{4, IN, 0x1, ino=}]", 2, "fdinfo: bad ino"},
      {"close(1)\nfdinfo(3) -> {4, IN, 0x1, ino=4}", 2, "in [...]"},
      {"close(1)\nfdinfo(3) [{4, IN, 0x1, ino=4}]", 2, "bad fdinfo line"},
      {"close(1)\nfdinfo(x y) -> []", 2, "fdinfo: bad descriptor"},
      {"close(1)\nfdinfo(3) -> [{4, IN, 0x1, ino=4},]", 2, "bad item list"},
      // Found by the fuzz smoke: the model refuses to raise a signal no SUT
      // blocks (it would reach the harness), so the parser does too.
      {"tgkill(30)", 1, "tgkill: signal '30' is not one"},
      // Also found by the fuzz smoke: a handle named like a directive.
      {"profile= epoll_create1(0)", 1, "'profile' names a directive"},
      {"max_user_watches= epoll_create1(0)", 1,
       "'max_user_watches' names a directive"},
      {"tgkill(SIG15)", 1, "tgkill: signal 'SIG15' is not one"},
  };
  for (const Bad& c : cases) {
    auto parsed = ParseScenario(c.text);
    ASSERT_TRUE(std::holds_alternative<ParseError>(parsed)) << c.text;
    const ParseError& e = std::get<ParseError>(parsed);
    EXPECT_EQ(e.line, c.line) << c.text;
    EXPECT_NE(e.message.find(c.message), std::string::npos)
        << c.text << " gave: " << e.message;
  }
}

TEST(ScenarioFormat, FdinfoLinesBelongToTheStepAbove) {
  const char* text = R"(p0 = pipe2(O_NONBLOCK)  -> 0 fds=[0,1]
e0 = epoll_create1(0)   -> 2
epoll_ctl(e0, ADD, p0.r, IN|ONESHOT, 0x1) -> 0
  fdinfo(e0) -> [{p0.r, IN|ERR|HUP|ONESHOT, 0x1, ino=p0.w}]
  fdinfo(2) -> [{0, 0x40000019, 1, ino=?}]
)";
  auto parsed = ParseScenario(text);
  ASSERT_TRUE(std::holds_alternative<Scenario>(parsed))
      << std::get<ParseError>(parsed).message;
  const Scenario& s = std::get<Scenario>(parsed);
  ASSERT_EQ(s.steps.size(), 3u);
  ASSERT_EQ(s.steps[2].fdinfo.size(), 2u);
  const FdinfoExpect& a = s.steps[2].fdinfo[0];
  EXPECT_EQ(a.line, 4);
  EXPECT_EQ(a.epfd.handle, "e0");
  ASSERT_EQ(a.items.size(), 1u);
  EXPECT_EQ(a.items[0].tfd.handle, "p0.r");
  EXPECT_EQ(a.items[0].events, abi::kEpollIn | abi::kEpollErr | abi::kEpollHup |
                                   abi::kEpollOneShot);
  EXPECT_EQ(a.items[0].data, 1u);
  ASSERT_TRUE(a.items[0].ino.has_value());
  EXPECT_EQ(a.items[0].ino->handle, "p0.w");
  const FdinfoExpect& b = s.steps[2].fdinfo[1];
  EXPECT_EQ(b.epfd.number, 2);
  EXPECT_EQ(b.items[0].tfd.number, 0);
  EXPECT_FALSE(b.items[0].ino.has_value());  // ino=? is not checked
  const HandleEnv env{{"p0.r", 0}, {"p0.w", 1}, {"e0", 2}};
  EXPECT_EQ(ResolveOperand(a.items[0].tfd, env), std::optional<int32_t>(0));
  EXPECT_EQ(ResolveOperand(b.epfd, env), std::optional<int32_t>(2));
  EXPECT_EQ(ResolveOperand(FdinfoOperand{.handle = "zz"}, env), std::nullopt);
  EXPECT_EQ(FormatFdinfoExpect(a),
            "fdinfo(e0) -> [{p0.r, IN|ERR|HUP|ONESHOT, 0x1, ino=p0.w}]");
  EXPECT_EQ(FormatFdinfoExpect(b),
            "fdinfo(2) -> [{0, IN|ERR|HUP|ONESHOT, 0x1, ino=?}]");
}

TEST(ScenarioFormat, UnknownHandleIsAResolutionError) {
  auto parsed = ParseScenario("close(p9.r)");
  ASSERT_TRUE(std::holds_alternative<Scenario>(parsed));
  auto resolved = ResolveStep(std::get<Scenario>(parsed).steps[0], {});
  ASSERT_TRUE(std::holds_alternative<std::string>(resolved));
  EXPECT_NE(std::get<std::string>(resolved).find("unknown handle 'p9.r'"),
            std::string::npos);
}

}  // namespace
}  // namespace epollcheck
