// Every fallback of the harness's own system calls, forced on this host:
// closing a table's descriptors with close_range's INT_MAX bound (gVisor) and
// one by one (no close_range), listing them through /proc/self/task and by
// probing (no /proc/thread-self, no /proc), measuring unsent TCP bytes with
// SIOCOUTQ (no SIOCOUTQNSD), and the executor's signal mask.

#include "sut/kernel/harness_calls.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <functional>
#include <thread>
#include <vector>

namespace epollcheck {
namespace {

bool IsOpen(int fd) { return fcntl(fd, F_GETFD) >= 0; }

// Runs `body` on a thread with its own descriptor table (as the kernel SUT's
// executor does), so closing everything there leaves the test's alone.
void OnPrivateTable(const std::function<void()>& body) {
  std::thread([&] {
    ASSERT_EQ(unshare(CLONE_FILES), 0);
    body();
    CloseFrom(0);
  }).join();
}

class CloseFromEachMethod : public ::testing::TestWithParam<CloseMethod> {};

TEST_P(CloseFromEachMethod, ClosesEverythingFromTheLowestAndNothingBelow) {
  OnPrivateTable([] {
    CloseFrom(0);
    int p[2];
    ASSERT_EQ(pipe(p), 0);  // 0, 1
    ASSERT_EQ(dup2(p[0], 7), 7);
    ASSERT_EQ(dup2(p[0], 1000), 1000);
    const CloseMethod used = CloseFrom(1, GetParam());
    EXPECT_GE(static_cast<int>(used), static_cast<int>(GetParam()));
    EXPECT_TRUE(IsOpen(0));
    EXPECT_FALSE(IsOpen(1) || IsOpen(7) || IsOpen(1000));
    EXPECT_EQ(ListThreadFds(), std::vector<int>{0});
  });
}

INSTANTIATE_TEST_SUITE_P(Harness, CloseFromEachMethod,
                         ::testing::Values(CloseMethod::kCloseRange,
                                           CloseMethod::kCloseRangeIntMax,
                                           CloseMethod::kEach));

TEST(ListThreadFds, EveryMethodSeesTheThreadsOwnTable) {
  OnPrivateTable([] {
    CloseFrom(0);
    int p[2];
    ASSERT_EQ(pipe(p), 0);
    ASSERT_EQ(dup2(p[1], 40), 40);
    const std::vector<int> want = {0, 1, 40};
    for (const ListMethod m :
         {ListMethod::kThreadSelf, ListMethod::kTaskDir, ListMethod::kProbe}) {
      ListMethod used{};
      EXPECT_EQ(ListThreadFds(m, &used), want) << static_cast<int>(m);
      if (m == ListMethod::kProbe) {
        EXPECT_EQ(used, ListMethod::kProbe);
      }
    }
  });
}

TEST(TcpUnsentBytes, BothMethodsSeeASettledConnection) {
  const int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(listener, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  ASSERT_EQ(bind(listener, reinterpret_cast<sockaddr*>(&a), len), 0);
  ASSERT_EQ(getsockname(listener, reinterpret_cast<sockaddr*>(&a), &len), 0);
  ASSERT_EQ(listen(listener, 1), 0);
  const int client = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_EQ(connect(client, reinterpret_cast<sockaddr*>(&a), len), 0);
  const int server = accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
  ASSERT_GE(server, 0);
  ASSERT_EQ(send(client, "abc", 3, 0), 3);
  char buf[3];
  ASSERT_EQ(recv(server, buf, 3, MSG_WAITALL), 3);
  EXPECT_EQ(TcpUnsentBytes(client, UnsentMethod::kOutqNsd), 0);
  // SIOCOUTQ also counts bytes not yet acknowledged: wait for the ACK.
  int unacked = -1;
  for (int i = 0; i < 200 && unacked != 0; ++i) {
    unacked = TcpUnsentBytes(client, UnsentMethod::kOutq);
    if (unacked != 0)
      usleep(5000);
  }
  EXPECT_EQ(unacked, 0);
  close(server);
  close(client);
  close(listener);
}

TEST(SoftnetBacklog, SumsTheBacklogColumnOfEveryCpu) {
  // Linux 5.10: 13 columns, the backlog 12th, the CPU 13th.
  EXPECT_EQ(SoftnetBacklog("0000ed2c 00000000 00000001 00000000 00000000 "
                           "00000000 00000000 00000000 00000000 00000000 "
                           "00000000 0000000a 00000000\n"
                           "00010d77 00000000 00000000 00000000 00000000 "
                           "00000000 00000000 00000000 00000000 00000000 "
                           "00000000 00000002 00000001\n"),
            12);
  // Linux 6.18: 15 columns (the queues apart after the CPU), no newline at
  // the end.
  EXPECT_EQ(SoftnetBacklog("0000ed2c 00000000 00000000 00000000 00000000 "
                           "00000000 00000000 00000000 00000000 00000000 "
                           "00000000 00000003 00000000 00000001 00000002"),
            3);
  // Linux 5.4: 11 columns, no backlog: no evidence of a packet in flight.
  EXPECT_EQ(SoftnetBacklog("0000ed2c 00000000 00000000 00000000 00000000 "
                           "00000000 00000000 00000000 00000000 00000000 "
                           "00000007\n"),
            0);
  EXPECT_EQ(SoftnetBacklog(""), 0);
  EXPECT_EQ(SoftnetBacklog("\n\nnot a number at all here x y z w v u t\n"), 0);
}

// Settle reads the file after every step of a sequence with AF_INET sockets:
// it must leave the thread's table as it was. (On the host, loopback
// delivery is synchronous, so the datagram is readable either way; the
// column itself is SoftnetBacklog's test.)
TEST(LoopbackBacklog, LeavesNoDescriptorBehind) {
  const std::vector<int> before = ListThreadFds();
  const int rx = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
  const int tx = socket(AF_INET, SOCK_DGRAM, 0);
  ASSERT_GE(rx, 0);
  ASSERT_GE(tx, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  ASSERT_EQ(bind(rx, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(getsockname(rx, reinterpret_cast<sockaddr*>(&a), &len), 0);
  ASSERT_EQ(sendto(tx, "x", 1, 0, reinterpret_cast<sockaddr*>(&a), sizeof a),
            1);
  for (int i = 0; i < 2000 && LoopbackBacklog() > 0; ++i)
    usleep(1000);
  char c = 0;
  EXPECT_EQ(recv(rx, &c, 1, 0), 1);
  close(rx);
  close(tx);
  EXPECT_EQ(ListThreadFds(), before);  // it closes what it opens
}

TEST(BlockAsyncSignals, LeavesFaultsDeliverable) {
  std::thread([] {
    ASSERT_TRUE(BlockAsyncSignals());
    sigset_t now;
    ASSERT_EQ(pthread_sigmask(SIG_BLOCK, nullptr, &now), 0);
    for (const int s : {SIGALRM, SIGCHLD, SIGPIPE, SIGTERM, SIGUSR1})
      EXPECT_EQ(sigismember(&now, s), 1) << s;
    for (const int s : {SIGSEGV, SIGBUS, SIGFPE, SIGILL})
      EXPECT_EQ(sigismember(&now, s), 0) << s;
  }).join();
}

}  // namespace
}  // namespace epollcheck
