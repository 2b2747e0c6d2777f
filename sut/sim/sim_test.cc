// Claims about the from-scratch eventpoll that the generated sequences do not
// reach: eventfd counter and wakeup semantics (§E12, §F6), fork sharing and
// the close rule across processes (§D6), epoll_pwait2 argument checks (§C3),
// max_user_watches (§J3), nesting limits (§J1), EPOLLEXCLUSIVE with no
// sleeper (§I2), pipe data and packet mode (§E2), and that closing
// everything frees every kernel object. Each test states the facts of the
// semantics catalog (../shared/reference/epoll-semantics.md) it checks.

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "model/abi.h"
#include "sut/sim/file.h"
#include "sut/sim/sim_fixture.h"
#include "sut/sim/sim_kernel.h"

namespace epollcheck::sim {
namespace {

constexpr uint32_t kIn = abi::kEpollIn;
constexpr uint32_t kOut = abi::kEpollOut;

class SimTest : public SimFixture {
protected:
  explicit SimTest(SimConfig config = {}) : SimFixture(config) {}
  // epoll_wait(ep, 16, 0) as (events, data) pairs.
  std::vector<std::pair<uint32_t, uint64_t>> Wait(int ep) {
    EpollEvent out[16];
    const int n = proc_->EpollWait(ep, out, 16, 0);
    EXPECT_GE(n, 0);
    std::vector<std::pair<uint32_t, uint64_t>> got;
    for (int i = 0; i < n; ++i)
      got.emplace_back(out[i].events, out[i].data);
    return got;
  }
  int64_t WriteU64(int fd, uint64_t v) { return proc_->Write(fd, &v, 8); }
};

using Events = std::vector<std::pair<uint32_t, uint64_t>>;

// §E12: IN iff count > 0, OUT iff count < ULLONG_MAX - 1; semaphore reads 1;
// short reads/writes and a write of ULLONG_MAX are EINVAL.
TEST_F(SimTest, EventfdCounterSemantics) {
  const int efd = proc_->Eventfd2(0, kEfdNonblock);
  ASSERT_EQ(efd, 0);
  uint64_t v = 0;
  EXPECT_EQ(proc_->Read(efd, &v, 8), -abi::kEagain);
  EXPECT_EQ(proc_->Read(efd, &v, 7), -abi::kEinval);
  EXPECT_EQ(proc_->Write(efd, &v, 4), -abi::kEinval);
  EXPECT_EQ(WriteU64(efd, ~0ull), -abi::kEinval);
  EXPECT_EQ(WriteU64(efd, 3), 8);
  EXPECT_EQ(WriteU64(efd, 4), 8);
  EXPECT_EQ(proc_->Read(efd, &v, 8), 8);
  EXPECT_EQ(v, 7u);
  EXPECT_EQ(proc_->Read(efd, &v, 8), -abi::kEagain);
  // The largest storable count: then IN only, and a non-zero write blocks.
  const int ep = proc_->EpollCreate1(0);
  ASSERT_EQ(Add(ep, efd, kIn | kOut, 1), 0);
  EXPECT_EQ(Wait(ep), (Events{{kOut, 1}}));
  EXPECT_EQ(WriteU64(efd, 0xfffffffffffffffeull), 8);
  EXPECT_EQ(Wait(ep), (Events{{kIn, 1}}));
  EXPECT_EQ(WriteU64(efd, 1), -abi::kEagain);
  EXPECT_EQ(WriteU64(efd, 0), 8);
  EXPECT_EQ(proc_->Eventfd2(0, 0x10), -abi::kEinval);

  const int sem = proc_->Eventfd2(2, kEfdSemaphore | kEfdNonblock);
  EXPECT_EQ(proc_->Read(sem, &v, 8), 8);
  EXPECT_EQ(v, 1u);
  EXPECT_EQ(proc_->Read(sem, &v, 8), 8);
  EXPECT_EQ(proc_->Read(sem, &v, 8), -abi::kEagain);
}

// §F6: every write (even of 0) wakes with key IN, every read with key OUT;
// a write does not re-fire an OUT-only ET item.
TEST_F(SimTest, EventfdWakeupsDriveEdgeTriggeredItems) {
  const int efd = proc_->Eventfd2(0, kEfdNonblock);
  const int ep = proc_->EpollCreate1(0);
  ASSERT_EQ(Add(ep, efd, kIn | abi::kEpollEt, 1), 0);
  const int ep_out = proc_->EpollCreate1(0);
  ASSERT_EQ(Add(ep_out, efd, kOut | abi::kEpollEt, 2), 0);
  EXPECT_EQ(Wait(ep_out), (Events{{kOut, 2}}));  // ADD of a ready file
  EXPECT_EQ(Wait(ep), Events{});
  EXPECT_EQ(WriteU64(efd, 1), 8);
  EXPECT_EQ(Wait(ep), (Events{{kIn, 1}}));
  EXPECT_EQ(Wait(ep_out), Events{});  // key IN does not reach an OUT item
  EXPECT_EQ(WriteU64(efd, 0), 8);     // count unchanged, still an edge
  EXPECT_EQ(Wait(ep), (Events{{kIn, 1}}));
  uint64_t v = 0;
  EXPECT_EQ(proc_->Read(efd, &v, 8), 8);
  EXPECT_EQ(Wait(ep_out), (Events{{kOut, 2}}));  // OUT never dropped
  EXPECT_EQ(WriteU64(efd, 0), 8);
  EXPECT_EQ(Wait(ep), Events{});  // woken, but count 0: not ready
}

// §D6: a forked child shares the instance (whoever waits first consumes an
// ET event) and keeps the watched file alive after the parent closes it.
TEST_F(SimTest, ForkSharesInstanceAndKeepsItemsAlive) {
  int p[2];
  ASSERT_EQ(proc_->Pipe2(p, abi::kONonblock), 0);
  const int ep = proc_->EpollCreate1(0);
  ASSERT_EQ(Add(ep, p[0], kIn | abi::kEpollEt, 9), 0);
  std::unique_ptr<SimProcess> child = proc_->Fork();
  EXPECT_EQ(child->OpenFds(), proc_->OpenFds());
  EXPECT_EQ(child->Write(p[1], "ab", 2), 2);
  EXPECT_EQ(Wait(ep), (Events{{kIn, 9}}));
  EpollEvent out[4];
  EXPECT_EQ(child->EpollWait(ep, out, 4, 0), 0);  // consumed by the parent
  // The parent closes the read end; the child's reference keeps the item.
  EXPECT_EQ(proc_->Close(p[0]), 0);
  EXPECT_EQ(proc_->Write(p[1], "c", 1), 1);
  EXPECT_EQ(Wait(ep), (Events{{kIn, 9}}));  // a ghost, still reporting
  EXPECT_EQ(child->Close(p[0]), 0);         // last reference: item removed
  EXPECT_EQ(proc_->Write(p[1], "d", 1), -abi::kEpipe);
  EXPECT_EQ(Wait(ep), Events{});
  EXPECT_EQ(kernel_.Counts().epitems, 0);
  child.reset();
}

// The descriptor lookup of a system call (fdget) borrows the file while
// the process's table is not shared (__fget_light: files->count == 1), and
// takes a reference of its own while another thread shares it
// (clone(CLONE_FILES) until exit_files); a forked child's table is its own.
TEST_F(SimTest, FdgetBorrowsUnlessTheTableIsShared) {
  int p[2];
  ASSERT_EQ(proc_->Pipe2(p, abi::kONonblock), 0);
  const auto count_seen = [&] {
    Fd f = proc_->Fdget(p[0]);
    return f ? f->Count() : -1;
  };
  EXPECT_EQ(count_seen(), 1);  // the table's reference only
  FilesRef share = proc_->CloneFiles();
  EXPECT_EQ(count_seen(), 2);  // CLONED_FD: one more while it is held
  std::unique_ptr<SimProcess> child = proc_->Fork();  // dup_fd: + 1
  {
    Fd f = child->Fdget(p[0]);  // the child's table is not shared
    EXPECT_EQ(f->Count(), 2);
  }
  child.reset();
  share.Reset();  // exit_files
  EXPECT_EQ(count_seen(), 1);
  EXPECT_FALSE(proc_->Fdget(64));  // past the table: empty
  EXPECT_FALSE(proc_->Fdget(-1));
}

// §C3: the timespec is validated before everything else; {0, 0} polls.
TEST_F(SimTest, EpollPwait2ChecksTheTimespecFirst) {
  EpollEvent out[1];
  const Timespec bad_nsec{.tv_sec = 0, .tv_nsec = 1000000000};
  const Timespec negative{.tv_sec = -1, .tv_nsec = 0};
  const Timespec zero{};
  EXPECT_EQ(proc_->EpollPwait2(-1, out, 1, &bad_nsec), -abi::kEinval);
  EXPECT_EQ(proc_->EpollPwait2(-1, out, 1, &negative), -abi::kEinval);
  EXPECT_EQ(proc_->EpollPwait2(-1, out, 1, &zero), -abi::kEbadf);
  const int ep = proc_->EpollCreate1(0);
  EXPECT_EQ(proc_->EpollPwait2(ep, out, 0, &zero), -abi::kEinval);
  EXPECT_EQ(proc_->EpollPwait2(ep, nullptr, 1, &zero), -abi::kEfault);
  EXPECT_EQ(proc_->EpollPwait2(ep, out, 1, &zero), 0);
  int p[2];
  ASSERT_EQ(proc_->Pipe2(p, 0), 0);
  EXPECT_EQ(proc_->EpollPwait2(p[0], out, 1, &zero), -abi::kEinval);
}

// §J3: the watch quota makes ADD fail with ENOSPC; DEL gives room back.
class SimQuotaTest : public SimTest {
protected:
  SimQuotaTest() : SimTest(SimConfig{.max_user_watches = 3}) {}
};

TEST_F(SimQuotaTest, MaxUserWatchesGivesEnospc) {
  int p[2];
  ASSERT_EQ(proc_->Pipe2(p, abi::kONonblock), 0);
  const int ep = proc_->EpollCreate1(0);
  const int d1 = proc_->Dup(p[0]);
  const int d2 = proc_->Dup(p[0]);
  EXPECT_EQ(Add(ep, p[0], kIn, 0), 0);
  EXPECT_EQ(Add(ep, d1, kIn, 0), 0);
  EXPECT_EQ(Add(ep, p[1], kOut, 0), 0);
  EXPECT_EQ(Add(ep, d2, kIn, 0), -abi::kEnospc);
  EXPECT_EQ(Add(ep, p[0], kIn, 0), -abi::kEexist);  // lookup comes first
  EXPECT_EQ(proc_->EpollCtl(ep, abi::kEpollCtlDel, d1, nullptr), 0);
  EXPECT_EQ(Add(ep, d2, kIn, 0), 0);
}

// §J1 (6.17+): at most 4 epoll-in-epoll links in any chain, whichever order
// it is built in; a cycle is ELOOP; EXCLUSIVE is refused on epoll targets.
TEST_F(SimTest, NestingDepthAndLoops) {
  int e[6];
  for (int& ep : e)
    ep = proc_->EpollCreate1(0);
  for (int i = 0; i < 4; ++i)  // bottom-up: e0 <- e1 <- ... <- e4
    ASSERT_EQ(Add(e[i + 1], e[i], kIn, 0), 0) << i;
  EXPECT_EQ(Add(e[5], e[4], kIn, 0), -abi::kEloop);   // 5th link
  EXPECT_EQ(Add(e[0], e[5], kIn, 0), -abi::kEloop);   // 5th link, top-down
  EXPECT_EQ(Add(e[0], e[3], kIn, 0), -abi::kEloop);   // cycle
  EXPECT_EQ(Add(e[1], e[1], kIn, 0), -abi::kEinval);  // itself
  EXPECT_EQ(Add(e[5], e[0], kIn | abi::kEpollExclusive, 0), -abi::kEinval);
  EXPECT_EQ(Add(e[5], e[0], kIn, 0), 0);  // a short branch is fine
}

// §E13 + §F7: an inner instance is readable iff an item on its ready list
// really is; each callback into the inner re-fires an outer ET item.
TEST_F(SimTest, NestedReadinessAndEdgeTriggeredOuter) {
  int p[2];
  ASSERT_EQ(proc_->Pipe2(p, abi::kONonblock), 0);
  const int inner = proc_->EpollCreate1(0);
  const int outer = proc_->EpollCreate1(0);
  ASSERT_EQ(Add(inner, p[0], kIn, 1), 0);
  ASSERT_EQ(Add(outer, inner, kIn | abi::kEpollEt, 2), 0);
  EXPECT_EQ(Wait(outer), Events{});
  EXPECT_EQ(proc_->Write(p[1], "x", 1), 1);
  EXPECT_EQ(Wait(outer), (Events{{kIn, 2}}));
  EXPECT_EQ(Wait(outer), Events{});
  EXPECT_EQ(proc_->Write(p[1], "y", 1), 1);  // inner already had it queued
  EXPECT_EQ(Wait(outer), (Events{{kIn, 2}}));
  char buf[4];
  EXPECT_EQ(proc_->Read(p[0], buf, 4), 2);
  EXPECT_EQ(Wait(inner), Events{});  // stale entry dropped at delivery
}

// §I2, no sleeper: a write reaches every instance holding an EXCLUSIVE item
// (a callback only counts as an exclusive wake if a thread is waiting).
TEST_F(SimTest, ExclusiveItemsWithoutSleepersAllGetTheEvent) {
  const int efd = proc_->Eventfd2(0, kEfdNonblock);
  int eps[4];
  for (int i = 0; i < 4; ++i) {
    eps[i] = proc_->EpollCreate1(0);
    ASSERT_EQ(Add(eps[i], efd, kIn | abi::kEpollExclusive | abi::kEpollEt,
                  static_cast<uint64_t>(i)),
              0);
  }
  EXPECT_EQ(WriteU64(efd, 1), 8);
  for (int i = 0; i < 4; ++i)
    EXPECT_EQ(Wait(eps[i]), (Events{{kIn, static_cast<uint64_t>(i)}})) << i;
  const EpollEvent mod{.events = kIn, .data = 0};
  EXPECT_EQ(proc_->EpollCtl(eps[0], abi::kEpollCtlMod, efd, &mod),
            -abi::kEinval);  // never modifiable
}

// §E2: bytes come back in order; packet mode reads one write at a time and
// discards the rest of a packet; a full ring makes writes partial, then
// EAGAIN; F_SETPIPE_SZ rounds and refuses to drop data (§E3).
TEST_F(SimTest, PipeDataPacketsAndCapacity) {
  int p[2];
  ASSERT_EQ(proc_->Pipe2(p, abi::kONonblock), 0);
  EXPECT_EQ(proc_->Write(p[1], "hello ", 6), 6);
  EXPECT_EQ(proc_->Write(p[1], "world", 5), 5);
  char buf[16] = {};
  EXPECT_EQ(proc_->Read(p[0], buf, sizeof buf), 11);
  EXPECT_EQ(std::string(buf, 11), "hello world");

  int q[2];
  ASSERT_EQ(proc_->Pipe2(q, abi::kONonblock | abi::kODirect), 0);
  EXPECT_EQ(proc_->Write(q[1], "abc", 3), 3);
  EXPECT_EQ(proc_->Write(q[1], "de", 2), 2);
  EXPECT_EQ(proc_->Read(q[0], buf, 2), 2);  // "ab", "c" discarded
  EXPECT_EQ(std::string(buf, 2), "ab");
  EXPECT_EQ(proc_->Read(q[0], buf, 8), 2);
  EXPECT_EQ(std::string(buf, 2), "de");

  EXPECT_EQ(proc_->Fcntl(p[0], abi::kFSetPipeSz, 5000), 8192);
  std::vector<char> big(size_t{3} * 4096, 'z');
  EXPECT_EQ(proc_->Write(p[1], big.data(), big.size()), 8192);
  EXPECT_EQ(proc_->Write(p[1], "x", 1), -abi::kEagain);
  EXPECT_EQ(proc_->Fcntl(p[1], abi::kFSetPipeSz, 0), -abi::kEbusy);
  EXPECT_EQ(proc_->Fcntl(p[1], abi::kFGetPipeSz), 8192);
  const int ep = proc_->EpollCreate1(0);
  EXPECT_EQ(proc_->Fcntl(ep, abi::kFGetPipeSz), -abi::kEbadf);
  EXPECT_EQ(proc_->Fcntl(p[1], abi::kFSetPipeSz, (1u << 31) + 1),
            -abi::kEinval);
}

// Everything a sequence creates is freed when its descriptors close, in any
// order: items hold no reference to their file, so closing a watched
// instance removes the outer item silently (§D7), and ghosts go with the
// last reference.
TEST_F(SimTest, ClosingEverythingFreesEveryObject) {
  int p[2];
  ASSERT_EQ(proc_->Pipe2(p, abi::kONonblock), 0);
  const int inner = proc_->EpollCreate1(0);
  const int outer = proc_->EpollCreate(1);
  const int efd = proc_->Eventfd2(0, 0);
  const int dup = proc_->Dup(p[0]);
  ASSERT_EQ(Add(inner, p[0], kIn, 1), 0);
  ASSERT_EQ(Add(inner, dup, kIn, 2), 0);
  ASSERT_EQ(Add(outer, inner, kIn, 3), 0);
  ASSERT_EQ(Add(outer, efd, kIn, 4), 0);
  ASSERT_EQ(Add(inner, p[1], kOut | abi::kEpollOneShot, 5), 0);
  EXPECT_EQ(Wait(outer), (Events{{kIn, 3}}));  // p[1] is writable
  EXPECT_EQ(proc_->Close(p[0]), 0);            // ghost (file, p[0]) stays
  EXPECT_EQ(kernel_.Counts().epitems, 5);
  EXPECT_EQ(proc_->Close(inner), 0);  // its last reference: instance freed
  EXPECT_EQ(kernel_.Counts().eventpolls, 1);
  EXPECT_EQ(kernel_.Counts().epitems, 1);
  EXPECT_EQ(proc_->Write(p[1], "x", 1), 1);
  EXPECT_EQ(Wait(outer), Events{});
  EXPECT_EQ(proc_->Dup2(efd, outer), outer);  // closes the outer instance
  EXPECT_EQ(kernel_.Counts().eventpolls, 0);
  proc_->CloseAll();
  EXPECT_EQ(proc_->OpenFds(), std::vector<int>{});
  EXPECT_EQ(kernel_.Counts(), SimObjectCounts{});
}

}  // namespace
}  // namespace epollcheck::sim
