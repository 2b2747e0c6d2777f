// Claims about blocking in the from-scratch eventpoll, with real threads:
// a sleeper in epoll_wait is woken by a write from another thread (also
// through a nested instance); several sleepers on separate instances are all
// woken; on one instance an LT event wakes every sleeper but an ET event
// exactly one (§I1: ep_done_scan re-wakes only when the ready list is not
// empty); an EXCLUSIVE item wakes one sleeper across instances (§I2);
// timeouts are lower bounds (§C3, §C4 — no upper bound on time is ever
// asserted); blocking pipe, eventfd and AF_UNIX reads sleep until data
// arrives, blocking writers until there is room, blocking sendto, connect
// and accept until there is room or a connection; and
// concurrent writers and waiters lose no event. Built under TSan by the
// `tsan` preset (label scratch-threads).

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <thread>
#include <vector>

#include "model/abi.h"
#include "sut/sim/sim_fixture.h"
#include "sut/sim/sim_kernel.h"

namespace epollcheck::sim {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr uint32_t kIn = abi::kEpollIn;
// Long enough never to expire on a loaded machine; only used where the
// test expects a wakeup, so it bounds a failure rather than a pass.
constexpr int kLongTimeoutMs = 20000;

// A thread of `proc` made the way clone(CLONE_FILES) makes one: it holds a
// share of the descriptor table while it runs `f`, so its calls may overlap
// the caller's (see SimProcess: Threads).
template <class F> std::thread CloneThread(SimProcess& proc, F f) {
  return std::thread([share = proc.CloneFiles(), f = std::move(f)]() mutable {
    f();
    share.Reset();  // exit_files
  });
}

class SimThreadsTest : public SimFixture {
protected:
  // Spins until `n` threads sleep in epoll_wait on `ep` (bounded by the
  // ctest timeout, never by a time assertion).
  void AwaitSleepers(int ep, int n) {
    while (proc_->SleepingWaiters(ep) != n)
      std::this_thread::yield();
  }
};

TEST_F(SimThreadsTest, WaiterIsWokenByAWriter) {
  int p[2];
  ASSERT_EQ(proc_->Pipe2(p, abi::kONonblock), 0);
  const int ep = proc_->EpollCreate1(0);
  ASSERT_EQ(Add(ep, p[0], kIn, 42), 0);
  EpollEvent got{};
  int ret = -1;
  std::thread waiter =
      CloneThread(*proc_, [&] { ret = proc_->EpollWait(ep, &got, 1, -1); });
  AwaitSleepers(ep, 1);
  EXPECT_EQ(proc_->Write(p[1], "x", 1), 1);
  waiter.join();
  EXPECT_EQ(ret, 1);
  EXPECT_EQ(got.events, kIn);
  EXPECT_EQ(got.data, 42u);
}

TEST_F(SimThreadsTest, WaiterOnAnOuterInstanceIsWokenThroughTheInner) {
  int p[2];
  ASSERT_EQ(proc_->Pipe2(p, abi::kONonblock), 0);
  const int inner = proc_->EpollCreate1(0);
  const int outer = proc_->EpollCreate1(0);
  ASSERT_EQ(Add(inner, p[0], kIn, 1), 0);
  ASSERT_EQ(Add(outer, inner, kIn | abi::kEpollEt, 2), 0);
  EpollEvent got{};
  int ret = -1;
  std::thread waiter = CloneThread(*proc_, [&] {
    const Timespec forever_ish{.tv_sec = kLongTimeoutMs / 1000, .tv_nsec = 0};
    ret = proc_->EpollPwait2(outer, &got, 1, &forever_ish);
  });
  AwaitSleepers(outer, 1);
  EXPECT_EQ(proc_->Write(p[1], "x", 1), 1);
  waiter.join();
  EXPECT_EQ(ret, 1);
  EXPECT_EQ(got.data, 2u);
}

TEST_F(SimThreadsTest, SleepersOnSeparateInstancesAreAllWoken) {
  int p[2];
  ASSERT_EQ(proc_->Pipe2(p, abi::kONonblock), 0);
  constexpr int kThreads = 4;
  int eps[kThreads];
  for (int i = 0; i < kThreads; ++i) {
    eps[i] = proc_->EpollCreate1(0);
    ASSERT_EQ(Add(eps[i], p[0], kIn | abi::kEpollEt, static_cast<uint64_t>(i)),
              0);
  }
  std::vector<int> rets(kThreads, -1);
  std::vector<EpollEvent> got(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.push_back(CloneThread(*proc_, [&, i] {
      rets[i] = proc_->EpollWait(eps[i], &got[i], 1, kLongTimeoutMs);
    }));
  }
  for (int ep : eps)
    AwaitSleepers(ep, 1);
  EXPECT_EQ(proc_->Write(p[1], "x", 1), 1);
  for (std::thread& t : threads)
    t.join();
  for (int i = 0; i < kThreads; ++i) {
    EXPECT_EQ(rets[i], 1) << i;
    EXPECT_EQ(got[i].data, static_cast<uint64_t>(i)) << i;
  }
}

// Two sleepers on one instance; one write. Returns how many got the event.
// The one that is not woken returns 0 when its timeout expires.
int WokenByOneWrite(SimProcess& proc, uint32_t mode, int timeout_ms) {
  int p[2];
  EXPECT_EQ(proc.Pipe2(p, abi::kONonblock), 0);
  const int ep = proc.EpollCreate1(0);
  const EpollEvent ev{.events = kIn | mode, .data = 7};
  EXPECT_EQ(proc.EpollCtl(ep, abi::kEpollCtlAdd, p[0], &ev), 0);
  std::atomic<int> woken{0};
  std::atomic<int> timed_out{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 2; ++i) {
    threads.push_back(CloneThread(proc, [&] {
      EpollEvent got{};
      const int ret = proc.EpollWait(ep, &got, 1, timeout_ms);
      (ret == 1 ? woken : timed_out).fetch_add(1);
    }));
  }
  while (proc.SleepingWaiters(ep) != 2)
    std::this_thread::yield();
  EXPECT_EQ(proc.Write(p[1], "x", 1), 1);
  for (std::thread& t : threads)
    t.join();
  EXPECT_EQ(woken + timed_out, 2);
  for (int fd : {p[0], p[1], ep})
    EXPECT_EQ(proc.Close(fd), 0);
  return woken.load();
}

// §I1: LT: the first sleeper's delivery re-queues the item and ep_done_scan
// wakes the next sleeper, which gets it too.
TEST_F(SimThreadsTest, LevelTriggeredEventWakesEverySleeper) {
  EXPECT_EQ(WokenByOneWrite(*proc_, 0, kLongTimeoutMs), 2);
}

// §I1: ET: one callback wakes one exclusive sleeper; nothing is left on the
// ready list, so the other sleeps until its timeout.
TEST_F(SimThreadsTest, EdgeTriggeredEventWakesExactlyOneSleeper) {
  EXPECT_EQ(WokenByOneWrite(*proc_, abi::kEpollEt, 300), 1);
}

// §I2: the same eventfd added EXCLUSIVE to 4 instances, each with a sleeper:
// one write wakes exactly one of them (the first callback that finds a
// sleeper counts as the exclusive wake and ends the wakeup).
TEST_F(SimThreadsTest, ExclusiveItemWakesOneSleeperAcrossInstances) {
  const int efd = proc_->Eventfd2(0, kEfdNonblock);
  constexpr int kThreads = 4;
  int eps[kThreads];
  for (int& ep : eps) {
    ep = proc_->EpollCreate1(0);
    ASSERT_EQ(Add(ep, efd, kIn | abi::kEpollExclusive, 0), 0);
  }
  std::atomic<int> woken{0};
  std::vector<std::thread> threads;
  for (int ep : eps) {
    threads.push_back(CloneThread(*proc_, [&, ep] {
      EpollEvent got{};
      if (proc_->EpollWait(ep, &got, 1, 300) == 1)
        woken.fetch_add(1);
    }));
  }
  for (int ep : eps)
    AwaitSleepers(ep, 1);
  const uint64_t one = 1;
  EXPECT_EQ(proc_->Write(efd, &one, 8), 8);
  for (std::thread& t : threads)
    t.join();
  EXPECT_EQ(woken.load(), 1);
}

// §C3: a timeout is honoured (as a lower bound only).
TEST_F(SimThreadsTest, TimeoutsAreLowerBounds) {
  const int ep = proc_->EpollCreate1(0);
  EpollEvent got{};
  Clock::time_point start = Clock::now();
  EXPECT_EQ(proc_->EpollWait(ep, &got, 1, 50), 0);
  EXPECT_GE(Clock::now() - start, milliseconds(50));
  const Timespec ts{.tv_sec = 0, .tv_nsec = 30000000};
  start = Clock::now();
  EXPECT_EQ(proc_->EpollPwait2(ep, &got, 1, &ts), 0);
  EXPECT_GE(Clock::now() - start, milliseconds(30));
}

// §C4: a queued item that is not ready at delivery does not end the wait.
TEST_F(SimThreadsTest, StaleReadyItemDoesNotEndTheWait) {
  int p[2];
  ASSERT_EQ(proc_->Pipe2(p, abi::kONonblock), 0);
  const int ep = proc_->EpollCreate1(0);
  ASSERT_EQ(Add(ep, p[0], kIn, 1), 0);
  ASSERT_EQ(proc_->Write(p[1], "x", 1), 1);
  char c = 0;
  ASSERT_EQ(proc_->Read(p[0], &c, 1), 1);
  EpollEvent got{};
  const Clock::time_point start = Clock::now();
  EXPECT_EQ(proc_->EpollWait(ep, &got, 1, 60), 0);
  EXPECT_GE(Clock::now() - start, milliseconds(60));
}

// Blocking descriptors: a reader sleeps until a writer on another thread
// provides data (pipe_read / eventfd_read wait loops).
TEST_F(SimThreadsTest, BlockingReadsSleepUntilData) {
  int p[2];
  ASSERT_EQ(proc_->Pipe2(p, 0), 0);
  const int efd = proc_->Eventfd2(0, 0);
  char buf[8] = {};
  int64_t pipe_ret = -1;
  uint64_t value = 0;
  int64_t efd_ret = -1;
  std::thread reader = CloneThread(
      *proc_, [&] { pipe_ret = proc_->Read(p[0], buf, sizeof buf); });
  std::thread counter =
      CloneThread(*proc_, [&] { efd_ret = proc_->Read(efd, &value, 8); });
  std::this_thread::sleep_for(milliseconds(20));  // let them block (or not)
  EXPECT_EQ(proc_->Write(p[1], "abc", 3), 3);
  const uint64_t five = 5;
  EXPECT_EQ(proc_->Write(efd, &five, 8), 8);
  reader.join();
  counter.join();
  EXPECT_EQ(pipe_ret, 3);
  EXPECT_EQ(std::string(buf, 3), "abc");
  EXPECT_EQ(efd_ret, 8);
  EXPECT_EQ(value, 5u);
}

// A blocking writer on a full pipe sleeps until a reader frees a slot.
TEST_F(SimThreadsTest, BlockingWriterSleepsUntilRoom) {
  int p[2];
  ASSERT_EQ(proc_->Pipe2(p, 0), 0);
  ASSERT_EQ(proc_->Fcntl(p[1], abi::kFSetPipeSz, 4096), 4096);
  std::vector<char> page(4096, 'a');
  ASSERT_EQ(proc_->Write(p[1], page.data(), page.size()), 4096);
  int64_t ret = -1;
  std::thread writer =
      CloneThread(*proc_, [&] { ret = proc_->Write(p[1], "b", 1); });
  std::this_thread::sleep_for(milliseconds(20));
  std::vector<char> sink(4096);
  EXPECT_EQ(proc_->Read(p[0], sink.data(), sink.size()), 4096);
  writer.join();
  EXPECT_EQ(ret, 1);
  char c = 0;
  EXPECT_EQ(proc_->Read(p[0], &c, 1), 1);
  EXPECT_EQ(c, 'b');
}

// Blocking AF_UNIX sockets: a stream reader sleeps until data arrives
// (unix_stream_data_wait), a datagram reader until the peer shuts its side
// down (__skb_wait_for_more_packets: 0, no datagram), a stream writer at the
// send-buffer limit until the reader frees an skb (sock_wait_for_wmem); an
// epoll waiter on the writer sees the OUT wakeup of sock_wfree.
TEST_F(SimThreadsTest, BlockingSocketsSleepUntilDataOrRoom) {
  int s[2];
  ASSERT_EQ(proc_->Socketpair(abi::kAfUnix, abi::kSockStream, 0, s), 0);
  char buf[8] = {};
  int64_t recv_ret = -1;
  std::thread reader = CloneThread(
      *proc_, [&] { recv_ret = proc_->Recv(s[1], buf, sizeof buf, 0); });
  std::this_thread::sleep_for(milliseconds(20));  // let it block (or not)
  EXPECT_EQ(proc_->Send(s[0], "abc", 3, 0), 3);
  reader.join();
  EXPECT_EQ(recv_ret, 3);
  EXPECT_EQ(std::string(buf, 3), "abc");

  int d[2];
  ASSERT_EQ(proc_->Socketpair(abi::kAfUnix, abi::kSockDgram, 0, d), 0);
  int64_t dgram_ret = -1;
  std::thread dgram_reader = CloneThread(
      *proc_, [&] { dgram_ret = proc_->Recv(d[0], buf, sizeof buf, 0); });
  std::this_thread::sleep_for(milliseconds(20));
  EXPECT_EQ(proc_->Shutdown(d[0], abi::kShutRd), 0);
  dgram_reader.join();
  EXPECT_EQ(dgram_ret, 0);

  const int minimum = 0;  // SO_SNDBUF 0: the minimum, 4608
  ASSERT_EQ(proc_->Setsockopt(s[0], abi::kSoSndbuf, &minimum, sizeof minimum),
            0);
  std::vector<char> chunk(2240, 'x');
  // Two skbs of 2240 bytes (4352 each) reach the limit.
  ASSERT_EQ(proc_->Send(s[0], chunk.data(), chunk.size(), abi::kMsgDontwait),
            2240);
  ASSERT_EQ(proc_->Send(s[0], chunk.data(), chunk.size(), abi::kMsgDontwait),
            2240);
  const int ep = proc_->EpollCreate1(0);
  ASSERT_EQ(Add(ep, s[0], abi::kEpollOut | abi::kEpollEt, 7), 0);
  EpollEvent got{};
  ASSERT_EQ(proc_->EpollWait(ep, &got, 1, 0), 0);  // 4 * 8705 > 4608
  int64_t send_ret = -1;
  std::thread writer = CloneThread(
      *proc_, [&] { send_ret = proc_->Send(s[0], chunk.data(), 1, 0); });
  int wait_ret = -1;
  std::thread waiter = CloneThread(
      *proc_, [&] { wait_ret = proc_->EpollWait(ep, &got, 1, -1); });
  AwaitSleepers(ep, 1);
  std::vector<char> sink(size_t{2} * 2240);
  EXPECT_EQ(proc_->Recv(s[1], sink.data(), sink.size(), abi::kMsgDontwait),
            2 * 2240);
  writer.join();
  waiter.join();
  EXPECT_EQ(send_ret, 1);
  EXPECT_EQ(wait_ret, 1);
  EXPECT_EQ(got.data, 7u);
}

// Blocking AF_UNIX address calls (unix_wait_for_peer on the receiver's
// peer_wait, skb_recv_datagram on the listener): a sendto to a full
// non-mutual receiver sleeps until it takes a datagram; a connect to a full
// backlog sleeps until an accept; an accept sleeps until a connect.
TEST_F(SimThreadsTest, BlockingAddressCallsSleepUntilRoomOrConnection) {
  SockaddrUn name{};
  name.sun_family = static_cast<uint16_t>(abi::kAfUnix);
  name.sun_path[1] = 'r';
  const uint32_t len = 2 + 2;
  const int r = proc_->Socket(abi::kAfUnix, abi::kSockDgram, 0);
  ASSERT_EQ(proc_->Bind(r, &name, len), 0);
  const int s = proc_->Socket(abi::kAfUnix, abi::kSockDgram, 0);
  const int qlen = kernel_.config().max_dgram_qlen;
  for (int i = 0; i <= qlen; ++i)
    ASSERT_EQ(proc_->SendTo(s, "x", 1, 0, &name, len), 1);
  int64_t send_ret = -1;
  std::thread sender = CloneThread(
      *proc_, [&] { send_ret = proc_->SendTo(s, "y", 1, 0, &name, len); });
  std::this_thread::sleep_for(milliseconds(20));  // let it block (or not)
  char c = 0;
  EXPECT_EQ(proc_->Recv(r, &c, 1, abi::kMsgDontwait), 1);
  sender.join();
  EXPECT_EQ(send_ret, 1);

  SockaddrUn lname = name;
  lname.sun_path[1] = 'l';
  const int l = proc_->Socket(abi::kAfUnix, abi::kSockStream, 0);
  ASSERT_EQ(proc_->Bind(l, &lname, len), 0);
  ASSERT_EQ(proc_->Listen(l, 0), 0);
  int accepted = -1;
  std::thread acceptor =
      CloneThread(*proc_, [&] { accepted = proc_->Accept4(l, 0); });
  std::this_thread::sleep_for(milliseconds(20));
  const int c1 = proc_->Socket(abi::kAfUnix, abi::kSockStream, 0);
  EXPECT_EQ(proc_->Connect(c1, &lname, len), 0);
  acceptor.join();
  EXPECT_GE(accepted, 0);
  const int c2 = proc_->Socket(abi::kAfUnix, abi::kSockStream, 0);
  const int c3 = proc_->Socket(abi::kAfUnix, abi::kSockStream, 0);
  EXPECT_EQ(proc_->Connect(c2, &lname, len), 0);  // 1 queued > backlog 0
  int connect_ret = -1;
  std::thread connector = CloneThread(
      *proc_, [&] { connect_ret = proc_->Connect(c3, &lname, len); });
  std::this_thread::sleep_for(milliseconds(20));
  EXPECT_GE(proc_->Accept4(l, 0), 0);  // room: wakes the connector
  connector.join();
  EXPECT_EQ(connect_ret, 0);
}

// Concurrency stress: writers bump eventfds while waiters harvest them with
// ET items and read the counters; every increment is accounted for.
TEST_F(SimThreadsTest, ConcurrentWritersAndWaitersLoseNothing) {
  constexpr int kPairs = 3;
  constexpr int kWrites = 2000;
  std::vector<int> efds(kPairs);
  const int ep = proc_->EpollCreate1(0);
  for (int i = 0; i < kPairs; ++i) {
    efds[i] = proc_->Eventfd2(0, kEfdNonblock);
    ASSERT_EQ(Add(ep, efds[i], kIn | abi::kEpollEt, static_cast<uint64_t>(i)),
              0);
  }
  std::atomic<uint64_t> harvested{0};
  std::atomic<bool> done{false};
  std::vector<std::thread> threads;
  for (int w = 0; w < 2; ++w) {
    threads.push_back(CloneThread(*proc_, [&] {
      EpollEvent got[kPairs];
      while (!done.load()) {
        const int n = proc_->EpollWait(ep, got, kPairs, 10);
        for (int k = 0; k < n; ++k) {
          uint64_t v = 0;
          if (proc_->Read(efds[got[k].data], &v, 8) == 8)
            harvested.fetch_add(v);
        }
      }
    }));
  }
  std::vector<std::thread> writers;
  for (int i = 0; i < kPairs; ++i) {
    writers.push_back(CloneThread(*proc_, [&, i] {
      const uint64_t one = 1;
      for (int n = 0; n < kWrites; ++n)
        EXPECT_EQ(proc_->Write(efds[i], &one, 8), 8);
    }));
  }
  for (std::thread& t : writers)
    t.join();
  while (harvested.load() != uint64_t{kPairs} * kWrites)
    std::this_thread::yield();  // ET: the last write's event is pending
  done = true;
  for (std::thread& t : threads)
    t.join();
  EXPECT_EQ(harvested.load(), static_cast<uint64_t>(kPairs * kWrites));
}

// Threads that share the table and leave again: while one shares it, the
// lookups of both take file_lock_ and references; once it has left
// (exit_files, a release), the first thread's lookups borrow without a
// lock, and must see what the other did to the table before it left: the
// acquire in fdget pairs with that release, the only synchronization
// between the sharer's dup2 and a borrowed lookup that finds its
// descriptor (TSan checks the pairing). The table also grows under the
// sharer (fd_ is reallocated at the first round).
TEST_F(SimThreadsTest, ThreadsThatLeaveHandTheTableBack) {
  constexpr int kRounds = 20;
  int p[2];
  ASSERT_EQ(proc_->Pipe2(p, abi::kONonblock), 0);
  for (int round = 0; round < kRounds; ++round) {
    const int fd = 100 + round;
    std::atomic<bool> finish{false};
    std::thread sharer([&, share = proc_->CloneFiles()]() mutable {
      EXPECT_EQ(proc_->Dup2(p[1], fd), fd);
      share.Reset();  // exit_files: no more calls from here on
      while (!finish.load())
        std::this_thread::yield();
    });
    // EBADF until the dup2; borrowed lookups once the sharer has left.
    while (proc_->Write(fd, "m", 1) != 1) {
    }
    EXPECT_EQ(proc_->Close(fd), 0);
    char c = 0;
    EXPECT_EQ(proc_->Read(p[0], &c, 1), 1);
    finish.store(true);
    sharer.join();
  }
}

// Every lock path at once: one thread churns items (ADD/MOD/DEL, new pipes
// added then closed, so eventpoll_release runs), one nests and unnests
// instances (the loop check under the epnested mutex), one writes and reads,
// and two wait on the inner and the outer instance. Each call must return
// what it would alone, nothing may deadlock, and closing all frees all.
TEST_F(SimThreadsTest, ControlReleaseAndDeliveryRaceSafely) {
  constexpr int kRounds = 300;
  int p[2];
  ASSERT_EQ(proc_->Pipe2(p, abi::kONonblock), 0);
  const int inner = proc_->EpollCreate1(0);
  const int outer = proc_->EpollCreate1(0);
  const int top = proc_->EpollCreate1(0);
  ASSERT_EQ(Add(inner, p[0], kIn, 1), 0);
  ASSERT_EQ(Add(outer, inner, kIn, 2), 0);
  std::atomic<bool> done{false};
  std::vector<std::thread> threads;
  threads.push_back(CloneThread(*proc_, [&] {  // item churn and file release
    for (int i = 0; i < kRounds; ++i) {
      int q[2];
      ASSERT_EQ(proc_->Pipe2(q, abi::kONonblock), 0);
      EXPECT_EQ(Add(inner, q[1], abi::kEpollOut | abi::kEpollEt, 3), 0);
      const EpollEvent mod{.events = kIn | abi::kEpollOneShot, .data = 4};
      EXPECT_EQ(proc_->EpollCtl(inner, abi::kEpollCtlMod, p[0], &mod), 0);
      EXPECT_EQ(proc_->EpollCtl(inner, abi::kEpollCtlDel, p[0], nullptr), 0);
      EXPECT_EQ(Add(inner, p[0], kIn, 1), 0);
      EXPECT_EQ(proc_->Close(q[0]), 0);
      EXPECT_EQ(proc_->Close(q[1]), 0);  // removes the item on the fly
    }
  }));
  threads.push_back(CloneThread(*proc_, [&] {  // nesting churn
    for (int i = 0; i < kRounds; ++i) {
      EXPECT_EQ(Add(top, outer, kIn, 5), 0);
      EXPECT_EQ(Add(inner, top, kIn, 6), -abi::kEloop);  // would be a cycle
      EXPECT_EQ(proc_->EpollCtl(top, abi::kEpollCtlDel, outer, nullptr), 0);
    }
  }));
  threads.push_back(CloneThread(*proc_, [&] {  // data
    char buf[64];
    for (int i = 0; i < kRounds * 4; ++i) {
      EXPECT_EQ(proc_->Write(p[1], "z", 1), 1);
      EXPECT_EQ(proc_->Read(p[0], buf, sizeof buf), 1);
    }
  }));
  for (int ep : {inner, outer}) {
    threads.push_back(CloneThread(*proc_, [&, ep] {
      EpollEvent got[8];
      while (!done.load()) {
        const int n = proc_->EpollWait(ep, got, 8, 1);
        EXPECT_GE(n, 0);
      }
    }));
  }
  for (int i = 0; i < 3; ++i)
    threads[i].join();
  done = true;
  for (size_t i = 3; i < threads.size(); ++i)
    threads[i].join();
  proc_->CloseAll();
  EXPECT_EQ(kernel_.Counts(), SimObjectCounts{});
}

}  // namespace
}  // namespace epollcheck::sim
