// The fdinfo view and its oracle (sut/fdinfo.h): the kernel's item lines
// parse; views compare as multisets and name the part that differs; the
// kernel SUT reads the executor's fdinfo without disturbing the sequence
// (no descriptor of its own in the sequence's table, none left in the
// process's after Finish), follows a reused number, and switches itself off
// without /proc; scratch and the model show the same interest sets as the
// kernel after every step of a scenario full of stored masks and ghosts.

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "fixtures/fd_hygiene.h"
#include "model/abi.h"
#include "model/step.h"
#include "properties/sequence.h"
#include "sut/fdinfo.h"
#include "sut/kernel/kernel_sut.h"
#include "sut/model_sut.h"
#include "sut/sim/sim_sut.h"

namespace epollcheck {
namespace {

constexpr uint32_t kErrHup = abi::kEpollErr | abi::kEpollHup;

TEST(FdinfoParse, ItemLinesOfTheKernelFormat) {
  const std::string text =
      "pos:\t0\nflags:\t02\nmnt_id:\t17\nino:\t1038\n"
      "tfd:        3 events: 40000019 data:             1234  pos:0 "
      "ino:494a5ea sdev:f\n"
      "tfd:       12 events: 8000001c data: ffffffffffffffff  pos:-1 "
      "ino:40e sdev:10\n";
  const auto lines = ParseEpollFdinfo(text);
  ASSERT_TRUE(lines.has_value());
  ASSERT_EQ(lines->size(), 2u);
  EXPECT_EQ((*lines)[0],
            (FdinfoLine{.tfd = 3,
                        .events = 0x40000019,
                        .data = 0x1234,
                        .inode = {.sdev = 0xf, .ino = 0x494a5ea}}));
  EXPECT_EQ((*lines)[1], (FdinfoLine{.tfd = 12,
                                     .events = 0x8000001c,
                                     .data = ~uint64_t{0},
                                     .inode = {.sdev = 0x10, .ino = 0x40e}}));
  EXPECT_EQ(ParseEpollFdinfo("pos:\t0\n")->size(), 0u);
  EXPECT_FALSE(ParseEpollFdinfo("tfd: 3 events: zz data: 1 pos:0 ino:1 sdev:1")
                   .has_value());
  EXPECT_FALSE(ParseEpollFdinfo("tfd: 3 events: 19 data: 1").has_value());
}

TEST(FdinfoCompare, MultisetsAndTheDifferingPart) {
  const FdinfoInode a{.sdev = 0xf, .ino = 7};
  const FdinfoInode b{.sdev = 0xf, .ino = 8};
  const std::vector<ExpectedLine> want = {
      {.tfd = 3, .events = 0x19, .data = 1, .inode = a},
      {.tfd = 3, .events = 0x18, .data = 2, .inode = b},
      {.tfd = 4, .events = 0x1c, .data = 3, .inode = std::nullopt}};
  const auto reading = [](std::vector<FdinfoLine> lines) {
    return FdinfoReading{.error = 0, .lines = std::move(lines)};
  };
  // Any order; the item without a known inode matches on the rest.
  EXPECT_EQ(CompareLines(want, reading({{4, 0x1c, 3, {1, 99}},
                                        {3, 0x18, 2, b},
                                        {3, 0x19, 1, a}}))
                .part,
            "");
  EXPECT_EQ(
      CompareLines(want, reading({{4, 0x1c, 3, b}, {3, 0x19, 1, a}})).part,
      "items.missing");
  EXPECT_EQ(CompareLines(want, reading({{4, 0x1c, 3, b},
                                        {3, 0x18, 2, b},
                                        {3, 0x19, 1, a},
                                        {5, 0x19, 1, a}}))
                .part,
            "items.extra");
  EXPECT_EQ(CompareLines(want, reading({{4, 0x1c, 3, b},
                                        {3, 0x18, 2, b},
                                        {3, 0x40000000, 1, a}}))
                .part,
            "events");
  EXPECT_EQ(
      CompareLines(want,
                   reading({{4, 0x1c, 3, b}, {3, 0x18, 2, b}, {3, 0x19, 9, a}}))
          .part,
      "data");
  EXPECT_EQ(
      CompareLines(want,
                   reading({{4, 0x1c, 3, b}, {3, 0x18, 2, b}, {3, 0x19, 1, b}}))
          .part,
      "file");
  EXPECT_EQ(
      CompareLines(want,
                   reading({{4, 0x1c, 3, b}, {3, 0x18, 2, b}, {3, 0x11, 5, a}}))
          .part,
      "events+data");
  EXPECT_EQ(
      CompareLines(want,
                   reading({{4, 0x1c, 3, b}, {3, 0x18, 2, b}, {9, 0x19, 1, a}}))
          .part,
      "items");
  EXPECT_EQ(CompareLines(want, FdinfoReading{.error = abi::kEnoent}).part,
            "unreadable");
}

std::unique_ptr<KernelSut> MakeKernel(const std::string& proc = "/proc") {
  auto made = KernelSut::Create(proc);
  if (std::holds_alternative<std::string>(made))
    return nullptr;
  return std::move(std::get<0>(made));
}

Op Add(int32_t epfd, int32_t fd, uint32_t events, uint64_t data) {
  return EpollCtl{.epfd = epfd,
                  .op = abi::kEpollCtlAdd,
                  .fd = fd,
                  .events = events,
                  .data = data};
}

// A ONESHOT item that fired keeps only its private bits; a ghost keeps its
// number; the two ends of a pipe share one inode, every eventfd and epoll
// file the anonymous one.
TEST(KernelFdinfo, ShowsStoredMasksGhostsAndInodes) {
  auto sut = MakeKernel();
  if (!sut)
    GTEST_SKIP() << "no kernel SUT on this host";
  if (!sut->FdinfoOff().empty())
    GTEST_SKIP() << "fdinfo off: " << sut->FdinfoOff();
  const std::vector<Op> ops = {
      Pipe2{.flags = abi::kONonblock},                     // 0, 1
      EpollCreate1{},                                      // 2
      Add(2, 0, abi::kEpollIn | abi::kEpollOneShot, 0x7),  //
      Add(2, 1, 0, 0x8),                                   //
      Write{.fd = 1, .count = 1},                          //
      EpollWait{.epfd = 2, .maxevents = 8},                // fires the IN
      Dup{.fd = 0},                                        // 3
      Close{.fd = 0},                                      // a ghost at 0
      Eventfd{.initval = 0, .flags = abi::kEfdNonblock}};  // 0
  for (const Op& op : ops)
    ASSERT_FALSE(sut->Execute(op).IsError()) << op;
  const FdinfoReading reading = sut->ReadFdinfo(2);
  ASSERT_EQ(reading.error, 0);
  const std::optional<FdinfoInode> pipe = sut->InodeOf(3);
  ASSERT_TRUE(pipe.has_value());
  EXPECT_EQ(sut->InodeOf(1), pipe);
  EXPECT_EQ(sut->InodeOf(0), sut->InodeOf(2));  // eventfd, epoll: anon
  EXPECT_NE(sut->InodeOf(0), pipe);
  EXPECT_EQ(sut->InodeOf(5), std::nullopt);  // not open
  std::vector<FdinfoLine> lines = reading.lines;
  std::sort(lines.begin(), lines.end());
  EXPECT_EQ(
      lines,
      (std::vector<FdinfoLine>{
          {.tfd = 0, .events = abi::kEpollOneShot, .data = 0x7, .inode = *pipe},
          {.tfd = 1, .events = kErrHup, .data = 0x8, .inode = *pipe},
      }));
  EXPECT_EQ(sut->Finish(), "");
}

// The reads use descriptors of the process's own table, never the
// sequence's: numbering and the sequence's table are as if nothing was read,
// and Finish closes them all.
TEST(KernelFdinfo, ReadingLeavesBothTablesAlone) {
  const FdSnapshot before = FdSnapshot::Take();
  {
    auto sut = MakeKernel();
    if (!sut)
      GTEST_SKIP() << "no kernel SUT on this host";
    if (!sut->FdinfoOff().empty())
      GTEST_SKIP() << "fdinfo off: " << sut->FdinfoOff();
    ASSERT_EQ(sut->Execute(EpollCreate1{}).ret, 0);
    ASSERT_EQ(sut->Execute(EpollCreate1{}).ret, 1);
    for (int i = 0; i < 3; ++i) {
      EXPECT_EQ(sut->ReadFdinfo(0).error, 0);
      EXPECT_EQ(sut->ReadFdinfo(1).error, 0);
      EXPECT_TRUE(sut->InodeOf(1).has_value());
    }
    EXPECT_EQ(sut->Execute(ListFds{}), (Outcome{.ret = 2, .fds = {0, 1}}));
    EXPECT_EQ(sut->Execute(Pipe2{}), (Outcome{.ret = 0, .fds = {2, 3}}));
    EXPECT_EQ(sut->Finish(), "");
  }
  EXPECT_EQ(FdSnapshot::Take(), before);
}

// A number read once is read again as whatever file it holds now.
TEST(KernelFdinfo, AReusedNumberShowsItsNewFile) {
  auto sut = MakeKernel();
  if (!sut)
    GTEST_SKIP() << "no kernel SUT on this host";
  if (!sut->FdinfoOff().empty())
    GTEST_SKIP() << "fdinfo off: " << sut->FdinfoOff();
  ASSERT_EQ(sut->Execute(EpollCreate1{}).ret, 0);
  ASSERT_EQ(sut->Execute(Pipe2{}).fds, (std::vector<int32_t>{1, 2}));
  ASSERT_EQ(sut->Execute(Add(0, 1, abi::kEpollIn, 1)).ret, 0);
  EXPECT_EQ(sut->ReadFdinfo(0).lines.size(), 1u);
  ASSERT_EQ(sut->Execute(Close{.fd = 0}).ret, 0);
  EXPECT_EQ(sut->ReadFdinfo(0).error, abi::kEnoent);
  ASSERT_EQ(sut->Execute(EpollCreate1{}).ret, 0);
  EXPECT_EQ(sut->ReadFdinfo(0).lines.size(), 0u);
  ASSERT_EQ(sut->Execute(Add(0, 2, abi::kEpollOut, 2)).ret, 0);
  ASSERT_EQ(sut->ReadFdinfo(0).lines.size(), 1u);
  EXPECT_EQ(sut->ReadFdinfo(0).lines[0].tfd, 2);
  EXPECT_EQ(sut->Finish(), "");
}

// Without /proc (here: procfs looked for where there is none) the oracle
// is off and says why; a check of such a SUT compares results only.
TEST(KernelFdinfo, OffWithoutProc) {
  auto sut = MakeKernel("/nonexistent-proc");
  if (!sut)
    GTEST_SKIP() << "no kernel SUT on this host";
  EXPECT_NE(sut->FdinfoOff().find("/nonexistent-proc/self/task/"),
            std::string::npos)
      << sut->FdinfoOff();
  EXPECT_NE(sut->ReadFdinfo(0).error, 0);
  EXPECT_EQ(sut->Finish(), "");
}

RC_GTEST_PROP(KernelFdinfo, OffWithoutProcTheCheckComparesResultsOnly, ()) {
  const SutFactory make = []() -> std::unique_ptr<Sut> {
    return std::move(std::get<0>(KernelSut::Create("/nonexistent-proc")));
  };
  CheckSequence(make, RunningKernelProfile());
  RC_ASSERT(!Transcript::Current().fdinfo.has_value());
  RC_ASSERT(Coverage::Current().fdinfo_checks == 0);
}

// The same interest sets on every SUT after every step: stored masks after
// ADD, MOD and a ONESHOT delivery, a ghost and a second item under its
// number, a nested instance, the releases.
TEST(FdinfoOracle, KernelScratchAndModelShowTheModelsSets) {
  const std::vector<Op> ops = {
      Pipe2{.flags = abi::kONonblock},                 // 0, 1
      EpollCreate1{},                                  // 2
      Add(2, 0, 0, 0x1),                               //
      Add(2, 1, abi::kEpollOut | abi::kEpollEt, 0x2),  //
      EpollCtl{.epfd = 2,
               .op = abi::kEpollCtlMod,
               .fd = 0,
               .events = abi::kEpollIn | abi::kEpollOneShot,
               .data = 0x3},
      Write{.fd = 1, .count = 1},
      EpollWait{.epfd = 2, .maxevents = 8},
      Dup{.fd = 0},                                       // 3
      Close{.fd = 0},                                     // ghost
      Eventfd{.initval = 0, .flags = abi::kEfdNonblock},  // 0
      Add(2, 0, abi::kEpollIn, 0x4),                      //
      EpollCreate1{},                                     // 4
      Add(4, 2, abi::kEpollIn | abi::kEpollEt, 0x5),      //
      Close{.fd = 3},                                     // ghost gone
      Close{.fd = 2}};                                    // nested gone
  std::vector<std::pair<std::string, std::unique_ptr<Sut>>> suts;
  if (auto kernel = MakeKernel(); kernel && kernel->FdinfoOff().empty())
    suts.emplace_back("kernel", std::move(kernel));
  suts.emplace_back("scratch", std::make_unique<SimSut>());
  suts.emplace_back("model",
                    std::make_unique<ModelSut>(ProfileForKernel(6, 18)));
  for (auto& [name, sut] : suts) {
    World world;
    world.profile = ProfileForKernel(6, 18);
    FdinfoOracle oracle;
    FdinfoOracle scoped;  // what runs after each step of a sequence
    for (size_t i = 0; i < ops.size(); ++i) {
      const FdinfoScope scope = FdinfoScopeOf(world, ops[i]);
      const Outcome want = Step(world, ops[i]);
      ASSERT_EQ(sut->Execute(ops[i]), want) << name << " step " << i;
      const std::optional<FdinfoDifference> d = oracle.Check(world, *sut);
      EXPECT_FALSE(d.has_value())
          << name << " step " << i << ": " << ops[i] << '\n'
          << d->part << '\n'
          << d->Describe(name);
      EXPECT_FALSE(scoped.Check(world, *sut, scope).has_value())
          << name << " step " << i;
    }
    // Instances read: none after the pipe2, one from the first
    // epoll_create1 on, two from the second, one after the inner closes.
    EXPECT_EQ(oracle.checks(), static_cast<long>(ops.size())) << name;
    EXPECT_EQ(oracle.reads(), 0 + 10 * 1 + 3 * 2 + 1) << name;
    // Only the instance each epoll_ctl or wait names (6 steps), every one
    // after an epoll_create1 (1, then 2), those watching the file a close
    // closes (the ghost's instance twice, the outer one for the inner),
    // none after the pipe2, the write, the dup and the eventfd.
    EXPECT_EQ(scoped.reads(), 6 + 1 + 2 + 1 + 1 + 1) << name;
    EXPECT_EQ(sut->Finish(), "") << name;
  }
}

}  // namespace
}  // namespace epollcheck
