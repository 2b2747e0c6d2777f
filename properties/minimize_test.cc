// Claim: the minimizer never changes what a scenario does. Deleting a step
// renumbers the later descriptor operands by descriptor identity (the step
// that bound the number), so a dup stays the dup; a step that names a
// deleted step's descriptor goes with it; a closed number stays a closed
// number. For the divergences `check` finds on the test doubles (the kernel
// `mutant` and the scratch kernel with one fault per class of rule,
// sut/mutant_sut.h), the minimized scenario replays to the same signature,
// is 1-minimal (deleting any one step, with its dependents, loses the
// divergence) and each of its steps names the descriptors its original
// step named.

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "model/abi.h"
#include "model/profile.h"
#include "model/step.h"
#include "properties/generators.h"
#include "properties/minimize.h"
#include "properties/runner.h"
#include "properties/triage.h"
#include "sut/mutant_sut.h"
#include "sut/registry.h"
#include "sut/sim/sim_sut.h"

namespace epollcheck {
namespace {

const Profile kProfile = ProfileForKernel(6, 18);

std::string Printed(const std::vector<Op>& ops) {
  std::ostringstream os;
  for (size_t i = 0; i < ops.size(); ++i)
    os << "  " << i << "  " << ops[i] << '\n';
  return os.str();
}

DescriptorOperand Named(std::string field, int32_t number, size_t step,
                        size_t slot) {
  return DescriptorOperand{.field = std::move(field),
                           .number = number,
                           .id = DescriptorId{step, slot}};
}
DescriptorOperand Literal(std::string field, int32_t number) {
  return DescriptorOperand{.field = std::move(field), .number = number};
}

Op AddOut(int32_t epfd, int32_t fd, uint64_t data) {
  return EpollCtl{.epfd = epfd,
                  .op = abi::kEpollCtlAdd,
                  .fd = fd,
                  .events = abi::kEpollOut,
                  .data = data};
}

// The case: an unrelated pipe first, then a pipe, a dup of its write
// end, and both registered in one epoll instance: two items (keyed by file
// *and* number), so a wait returns two events.
std::vector<Op> DupScenario() {
  return {Pipe2{.flags = abi::kONonblock},  // 0: fds 0, 1 (unrelated)
          Pipe2{.flags = abi::kONonblock},  // 1: fds 2, 3
          Dup{.fd = 3},                     // 2: 4, the same file as 3
          EpollCreate1{},                   // 3: 5
          AddOut(5, 3, 1),                  // 4
          AddOut(5, 4, 2),                  // 5
          Write{.fd = 1, .count = 1},       // 6 (unrelated)
          EpollWait{.epfd = 5, .maxevents = 8}};
}

TEST(DescriptorOperands, NameTheStepThatBoundTheNumberNotTheFile) {
  const auto operands = DescriptorOperands(DupScenario(), kProfile);
  ASSERT_EQ(operands.size(), 8u);
  EXPECT_EQ(operands[2], (std::vector{Named("fd", 3, 1, 1)}));
  EXPECT_EQ(operands[4],
            (std::vector{Named("epfd", 5, 3, 0), Named("fd", 3, 1, 1)}));
  // The dup is its own descriptor, though it refers to the same file.
  EXPECT_EQ(operands[5],
            (std::vector{Named("epfd", 5, 3, 0), Named("fd", 4, 2, 0)}));
  EXPECT_EQ(operands[6], (std::vector{Named("fd", 1, 0, 1)}));
}

TEST(DescriptorOperands, ClosedAndNeverOpenedNumbersAreLiterals) {
  const std::vector<Op> ops = {Pipe2{},
                               Close{.fd = 1},
                               Write{.fd = 1},
                               Write{.fd = -1},
                               Dup2{.oldfd = 0, .newfd = 7},
                               Close{.fd = 7}};
  const auto operands = DescriptorOperands(ops, kProfile);
  EXPECT_EQ(operands[1], (std::vector{Named("fd", 1, 0, 1)}));
  EXPECT_EQ(operands[2], (std::vector{Literal("fd", 1)}));
  EXPECT_EQ(operands[3], (std::vector{Literal("fd", -1)}));
  EXPECT_EQ(operands[4],
            (std::vector{Named("oldfd", 0, 0, 0), Literal("newfd", 7)}));
  // dup2 bound 7: its result is a new descriptor.
  EXPECT_EQ(operands[5], (std::vector{Named("fd", 7, 4, 0)}));
}

TEST(DescriptorOperands, SelectSetBitsAreOperands) {
  const std::vector<Op> ops = {
      Pipe2{}, Select{.nfds = 4, .readfds = 0b1001, .writefds = 0b10}};
  const auto operands = DescriptorOperands(ops, kProfile);
  ASSERT_EQ(operands[1].size(), 3u);
  EXPECT_EQ(operands[1][0].field, "readfds");
  EXPECT_EQ(operands[1][0].bit, 0);
  EXPECT_EQ(operands[1][0].id, (DescriptorId{0, 0}));
  EXPECT_EQ(operands[1][1].bit, 3);
  EXPECT_FALSE(operands[1][1].id);  // 3 is not open: a literal
  EXPECT_EQ(operands[1][2].field, "writefds");
  EXPECT_EQ(operands[1][2].id, (DescriptorId{0, 1}));
}

TEST(DeleteSteps, ADupStaysTheDupWhenEarlierNumbersShift) {
  std::vector<size_t> kept;
  const auto candidate = DeleteSteps(DupScenario(), {0}, kProfile, &kept);
  ASSERT_TRUE(candidate);
  // The unrelated pipe's write goes with it; the rest moves down by two and
  // the second ADD still names the dup (2), not the pipe end it copies (1).
  const std::vector<Op> want = {Pipe2{.flags = abi::kONonblock},
                                Dup{.fd = 1},
                                EpollCreate1{},
                                AddOut(3, 1, 1),
                                AddOut(3, 2, 2),
                                EpollWait{.epfd = 3, .maxevents = 8}};
  EXPECT_EQ(*candidate, want) << Printed(*candidate);
  EXPECT_EQ(kept, (std::vector<size_t>{1, 2, 3, 4, 5, 7}));
}

TEST(BypassDup, TheCopysUsersNameTheOriginal) {
  std::vector<size_t> kept;
  const auto candidate = BypassDup(DupScenario(), 2, kProfile, &kept);
  ASSERT_TRUE(candidate);
  // The second ADD names the pipe end the dup copied (3): an EEXIST now,
  // which the minimizer's replay would reject; what matters here is that
  // the step stays and names the original.
  const std::vector<Op> want = {Pipe2{.flags = abi::kONonblock},
                                Pipe2{.flags = abi::kONonblock},
                                EpollCreate1{},
                                AddOut(4, 3, 1),
                                AddOut(4, 3, 2),
                                Write{.fd = 1, .count = 1},
                                EpollWait{.epfd = 4, .maxevents = 8}};
  EXPECT_EQ(*candidate, want) << Printed(*candidate);
  EXPECT_EQ(kept, (std::vector<size_t>{0, 1, 3, 4, 5, 6, 7}));
  // Only a dup can be bypassed.
  EXPECT_FALSE(BypassDup(DupScenario(), 1, kProfile));
  // Not when the original is closed before the copy is used.
  const std::vector<Op> closed = {Pipe2{}, Dup{.fd = 0}, Close{.fd = 0},
                                  Read{.fd = 2, .count = 1}};
  EXPECT_FALSE(BypassDup(closed, 1, kProfile));
}

TEST(DeleteSteps, TheStepsNamingADeletedDescriptorGoWithIt) {
  std::vector<size_t> kept;
  // The pipe: its dup, both ADDs (one through the dup) go too.
  auto candidate = DeleteSteps(DupScenario(), {1}, kProfile, &kept);
  ASSERT_TRUE(candidate);
  EXPECT_EQ(kept, (std::vector<size_t>{0, 3, 6, 7})) << Printed(*candidate);
  EXPECT_EQ((*candidate)[1], Op{EpollCreate1{}});
  EXPECT_EQ((*candidate)[3], (Op{EpollWait{.epfd = 2, .maxevents = 8}}));
  // The dup alone: only the ADD that names it.
  candidate = DeleteSteps(DupScenario(), {2}, kProfile, &kept);
  ASSERT_TRUE(candidate);
  EXPECT_EQ(kept, (std::vector<size_t>{0, 1, 3, 4, 6, 7}));
  EXPECT_EQ((*candidate)[3], AddOut(4, 3, 1)) << Printed(*candidate);
}

TEST(DeleteSteps, ALiteralNumberMustStayClosed) {
  // write(1) after close(1) is EBADF; without the close, 1 would name the
  // pipe's write end: not the same scenario.
  const std::vector<Op> ops = {Pipe2{}, Close{.fd = 1}, Write{.fd = 1},
                               Pipe2{}};
  EXPECT_FALSE(DeleteSteps(ops, {1}, kProfile));
  // Deleting the last pipe leaves the literal as it was.
  const auto candidate = DeleteSteps(ops, {3}, kProfile);
  ASSERT_TRUE(candidate);
  EXPECT_EQ(candidate->size(), 3u);
}

TEST(DeleteSteps, ADescriptorWhoseCreatorNowFailsCannotBeNamed) {
  const uint32_t stream = abi::kSockStream | abi::kSockNonblock;
  const std::vector<Op> ops = {UnixSocket{.type = stream},  // 0
                               Bind{.fd = 0, .name = 0},
                               Listen{.fd = 0, .backlog = 1},
                               UnixSocket{.type = stream},  // 1
                               Connect{.fd = 1, .name = 0},
                               Accept4{.fd = 0},  // 2
                               Close{.fd = 2}};
  const auto operands = DescriptorOperands(ops, kProfile);
  EXPECT_EQ(operands[6], (std::vector{Named("fd", 2, 5, 0)}));
  // Without the connect, accept4 fails (EAGAIN) and binds nothing: the
  // close would name a descriptor that does not exist.
  EXPECT_FALSE(DeleteSteps(ops, {4}, kProfile));
}

TEST(DeleteSteps, DescriptorSetBitsFollowTheirDescriptors) {
  const std::vector<Op> ops = {Pipe2{}, Pipe2{},
                               Select{.nfds = 4, .readfds = 0b0101}};
  // Without the first pipe, the second pipe's read end is 0: its bit moves
  // there, the first pipe's leaves the set.
  const auto first = DeleteSteps(ops, {0}, kProfile);
  ASSERT_TRUE(first);
  EXPECT_EQ(*first,
            (std::vector<Op>{Pipe2{}, Select{.nfds = 4, .readfds = 0b0001}}))
      << Printed(*first);
  // Without the second pipe its bit leaves the set; the select stays.
  const auto second = DeleteSteps(ops, {1}, kProfile);
  ASSERT_TRUE(second);
  EXPECT_EQ(*second,
            (std::vector<Op>{Pipe2{}, Select{.nfds = 4, .readfds = 0b0001}}))
      << Printed(*second);
  // A bit above nfds (ignored by the kernel) cannot move below it.
  const std::vector<Op> above = {Pipe2{}, Pipe2{},
                                 Select{.nfds = 2, .readfds = 0b0100}};
  EXPECT_FALSE(DeleteSteps(above, {0}, kProfile));
  // A bit naming a closed number keeps it, and it must stay closed.
  const std::vector<Op> closed = {Pipe2{}, Pipe2{},
                                  Select{.nfds = 8, .readfds = 0b1000'0000}};
  const auto kept = DeleteSteps(closed, {0}, kProfile);
  ASSERT_TRUE(kept);
  EXPECT_EQ(kept->back(), (Op{Select{.nfds = 8, .readfds = 0b1000'0000}}));
}

std::unique_ptr<Sut> ScratchLosingLastEvent() {
  return std::make_unique<LosesLastEvent>(std::make_unique<SimSut>());
}

TEST(MinimizeTracked, FindsTheSubsequenceThatFileRenumberingMissed) {
  const std::vector<Op> ops = DupScenario();
  int step = -1;
  const std::string signature =
      ReplaySignature(ops, ScratchLosingLastEvent, kProfile, step);
  // Both items were ready when added: the ADD queued the lost one.
  ASSERT_EQ(signature, "epoll_wait:events.count:epoll_ctl.add.ready");
  const Minimized m =
      MinimizeTracked(ops, signature, ScratchLosingLastEvent, kProfile);
  // Renumbering by file turned ADD(dup) into a second ADD of the pipe end
  // (EEXIST, one event) once the first pipe was gone, so it kept 7 steps.
  const std::vector<Op> want = {Pipe2{.flags = abi::kONonblock},
                                Dup{.fd = 1},
                                EpollCreate1{},
                                AddOut(3, 1, 1),
                                AddOut(3, 2, 2),
                                EpollWait{.epfd = 3, .maxevents = 8}};
  EXPECT_EQ(m.ops, want) << Printed(m.ops);
  EXPECT_EQ(m.origin, (std::vector<size_t>{1, 2, 3, 4, 5, 7}));
  EXPECT_TRUE(m.one_minimal);
}

// What is wrong with `m`, the minimization of `input` (which diverges with
// `signature`), or "": it must replay to the same signature at its last
// step, be 1-minimal (no step can go, with the steps naming its
// descriptors, and keep the divergence), and each of its steps must be its
// original step (or a simplification of it) naming the same descriptors:
// the descriptor an operand names was created by the step that maps to the
// original operand's creator, and a literal stays the same number.
std::string Problems(const std::vector<Op>& input, const std::string& signature,
                     const Minimized& m, const SutFactory& make_sut,
                     const Profile& profile) {
  std::ostringstream why;
  if (m.ops.empty() || m.origin.size() != m.ops.size() ||
      m.ops.size() > input.size()) {
    why << "malformed: " << m.ops.size() << " steps, " << m.origin.size()
        << " origins, input " << input.size() << '\n';
    return why.str();
  }
  if (!m.one_minimal)
    why << "budget ran out after " << m.replays << " replays\n";
  int step = -1;
  const std::string replayed = ReplaySignature(m.ops, make_sut, profile, step);
  if (replayed != signature || step != static_cast<int>(m.ops.size()) - 1) {
    why << "replays to '" << replayed << "' at step " << step << '\n';
  }
  for (size_t i = 0; i < m.ops.size(); ++i) {
    const auto candidate = DeleteSteps(m.ops, {i}, profile);
    if (candidate &&
        ReplaySignature(*candidate, make_sut, profile, step) == signature) {
      why << "still diverges without step " << i << ":\n"
          << Printed(*candidate);
    }
  }
  const auto before = DescriptorOperands(input, profile);
  const auto after = DescriptorOperands(m.ops, profile);
  for (size_t k = 0; k < m.ops.size(); ++k) {
    const size_t o = m.origin[k];
    if (o >= input.size() || (k > 0 && m.origin[k - 1] >= o)) {
      why << "step " << k << ": origin " << o << " out of order\n";
      continue;
    }
    // The same operation, or one simplified into another that creates the
    // same kind of descriptor (epoll_create(n) -> epoll_create1(0)).
    if (m.ops[k].index() != input[o].index() &&
        (HandlePrefix(m.ops[k]).empty() ||
         HandlePrefix(m.ops[k]) != HandlePrefix(input[o]))) {
      why << "step " << k << ": " << m.ops[k] << " from " << input[o] << '\n';
      continue;
    }
    // Descriptor operands name what they named before. A set's bits (a
    // fork's, select's) may move to their descriptors' new numbers or leave
    // the set (with the step that made their descriptor, or simplified
    // away); each bit kept names what it named before.
    // A dup gone from the result (BypassDup) stands for what it copied.
    const std::set<size_t> kept_steps(m.origin.begin(), m.origin.end());
    const auto bypassed = [&](std::optional<DescriptorId> id) {
      while (id && id->slot == 0 && kept_steps.count(id->step) == 0 &&
             (std::holds_alternative<Dup>(input[id->step]) ||
              std::holds_alternative<Dup2>(input[id->step])) &&
             !before[id->step].empty())
        id = before[id->step][0].id;
      return id;
    };
    const auto names_same = [&](const DescriptorOperand& a,
                                const DescriptorOperand& b) {
      const std::optional<DescriptorId> b_id = bypassed(b.id);
      return a.field == b.field && a.id.has_value() == b_id.has_value() &&
             (a.id ? m.origin[a.id->step] == b_id->step &&
                         a.id->slot == b_id->slot
                   : a.number == b.number);
    };
    std::vector<DescriptorOperand> fds_after;
    std::vector<DescriptorOperand> fds_before;
    for (const DescriptorOperand& a : after[k]) {
      if (a.bit < 0) {
        fds_after.push_back(a);
        continue;
      }
      if (std::none_of(before[o].begin(), before[o].end(),
                       [&](const DescriptorOperand& b) {
                         return b.bit >= 0 && names_same(a, b);
                       })) {
        why << "step " << k << " (" << m.ops[k] << "): " << a.field
            << " keeps bit " << a.bit << ", which names no descriptor step "
            << o << " named\n";
      }
    }
    for (const DescriptorOperand& b : before[o]) {
      if (b.bit < 0)
        fds_before.push_back(b);
    }
    if (fds_after.size() != fds_before.size()) {
      why << "step " << k << ": " << fds_after.size() << " operands, was "
          << fds_before.size() << '\n';
      continue;
    }
    for (size_t j = 0; j < fds_after.size(); ++j) {
      if (!names_same(fds_after[j], fds_before[j])) {
        why << "step " << k << " (" << m.ops[k] << "), " << fds_after[j].field
            << ": names another descriptor than step " << o << " (" << input[o]
            << ")\n";
      }
    }
  }
  if (!why.str().empty()) {
    why << "input:\n" << Printed(input) << "minimized:\n" << Printed(m.ops);
  }
  return why.str();
}

// The divergences `check` finds on each double (the first per seed, after
// RapidCheck's shrinking, as `check` reports them).
class MinimizerOnDoubles : public ::testing::TestWithParam<std::string> {};

TEST_P(MinimizerOnDoubles, FoundDivergencesMinimizeFaithfully) {
  auto made = MakeSut(GetParam());
  if (auto* why = std::get_if<std::string>(&made))
    GTEST_SKIP() << *why;
  const SutEntry& entry = std::get<SutEntry>(made);
  int checked = 0;
  for (const uint64_t seed : {1u, 2u}) {
    CheckOptions options;
    options.sut_name = GetParam();
    options.sut_description = entry.description;
    options.make_sut = entry.make;
    options.profile = entry.profile;
    options.families = entry.families;
    options.sequences = 1000;
    options.seed = seed;
    options.max_divergences = 1;
    std::ostringstream out;
    const CheckReport report = RunCheck(options, out, nullptr);
    ASSERT_EQ(report.found.size(), static_cast<size_t>(report.divergences))
        << out.str();
    for (const FoundDivergence& d : report.found) {
      EXPECT_EQ(d.steps, d.minimized.ops.size());
      EXPECT_EQ(Problems(d.shrunk, d.signature, d.minimized, entry.make,
                         entry.profile),
                "")
          << "seed " << seed << ", " << d.signature;
      ++checked;
    }
  }
  // Every double is caught on both seeds.
  EXPECT_EQ(checked, 2);
}

// Raw divergences: a generated sequence on a scratch double, cut after its
// first divergence and minimized without RapidCheck's shrinking first (long
// inputs, many descriptors to renumber).
RC_GTEST_PROP(RawDivergencesOnScratchDoubles, MinimizeFaithfully, ()) {
  const std::vector<ScratchMutant>& mutants = ScratchMutants();
  // One more choice: LosesLastEvent over scratch (`mutant` is the kernel).
  const size_t which = *rc::gen::inRange<size_t>(0, mutants.size() + 1);
  const SutFactory make_sut = [&mutants, which]() -> std::unique_ptr<Sut> {
    if (which == mutants.size())
      return std::make_unique<LosesLastEvent>(std::make_unique<SimSut>());
    return std::make_unique<SimSut>(mutants[which].config);
  };
  std::vector<Op> ops;
  std::string signature;
  // Up to 20 sequences of up to 100 operations, until one diverges.
  for (int sequence = 0; sequence < 20 && signature.empty(); ++sequence) {
    const Swarm swarm = *GenSwarm(kScratchFamilies);
    World world;
    world.profile = kProfile;
    const std::unique_ptr<Sut> sut = make_sut();
    FdinfoOracle oracle;  // as check compares: results, then interest sets
    ops.clear();
    for (int i = 0; i < 100 && signature.empty(); ++i) {
      const Op op = *GenOp(world, swarm);
      if (!Admissible(world, op))
        continue;
      const World before = world;
      StepRecord record{.op = op, .want = Step(world, op), .got = {}};
      record.got = sut->Execute(op);
      ops.push_back(op);
      signature = CompareStep(ops, before, world, *sut, &oracle, record);
    }
    (void)sut->Finish();
  }
  if (signature.empty())
    return;  // none diverged
  RC_TAG(which == mutants.size() ? "mutant (over scratch)"
                                 : std::string(mutants[which].name));
  const Minimized m = MinimizeTracked(ops, signature, make_sut, kProfile);
  const std::string problems = Problems(ops, signature, m, make_sut, kProfile);
  RC_ASSERT(problems == "");
}

std::vector<std::string> DoubleNames() {
  std::vector<std::string> names = {"mutant"};
  for (const ScratchMutant& m : ScratchMutants())
    names.emplace_back(m.name);
  return names;
}

INSTANTIATE_TEST_SUITE_P(, MinimizerOnDoubles,
                         ::testing::ValuesIn(DoubleNames()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string name;
                           for (char c : info.param)
                             name += std::isalnum(static_cast<unsigned char>(c))
                                         ? c
                                         : '_';
                           return name;
                         });

}  // namespace
}  // namespace epollcheck
