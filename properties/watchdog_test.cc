// The watchdog's fallbacks, each in a child process of its own (a process
// has one watchdog): the ITIMER_REAL timer where timer_create is refused
// still reports a hung operation, and ExitWhenOrphaned (where
// PR_SET_PDEATHSIG is refused) ends a worker whose supervisor is gone.

#include "properties/watchdog.h"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

namespace epollcheck {
namespace {

[[noreturn]] void ExitHung(int step) { _exit(40 + step); }

// Forks; the child runs `body` and exits 0 if it returns; the parent gets
// the child's exit status (-1 if it did not exit normally).
int InChild(void (*body)()) {
  const pid_t pid = fork();
  if (pid == 0) {
    body();
    _exit(0);
  }
  int status = 0;
  if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
    return -1;
  return WEXITSTATUS(status);
}

TEST(Watchdog, EachTimerReportsAHang) {
  EXPECT_EQ(InChild([] {
              if (!Watchdog::Start(std::chrono::milliseconds(100), ExitHung,
                                   nullptr, Watchdog::Timer::kThreadTimer) ||
                  Watchdog::TimerUsed() != Watchdog::Timer::kThreadTimer)
                _exit(2);
              Watchdog::Begin(1);
              std::this_thread::sleep_for(std::chrono::seconds(5));
            }),
            41);
  EXPECT_EQ(InChild([] {
              if (!Watchdog::Start(std::chrono::milliseconds(100), ExitHung,
                                   nullptr, Watchdog::Timer::kItimer) ||
                  Watchdog::TimerUsed() != Watchdog::Timer::kItimer)
                _exit(2);
              Watchdog::Begin(2);
              std::this_thread::sleep_for(std::chrono::seconds(5));
            }),
            42);
  EXPECT_EQ(InChild([] {
              if (!Watchdog::Start(std::chrono::milliseconds(100), ExitHung,
                                   nullptr, Watchdog::Timer::kThread) ||
                  Watchdog::TimerUsed() != Watchdog::Timer::kThread)
                _exit(2);
              Watchdog::Begin(3);
              std::this_thread::sleep_for(std::chrono::seconds(5));
            }),
            43);
}

// A child that starts a grandchild with the orphan check and exits: the
// grandchild, re-parented (to this test process, made a subreaper), ends
// itself with status 1 at its next tick instead of sleeping on.
TEST(Watchdog, AnOrphanedWorkerEndsItself) {
  ASSERT_EQ(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
  const pid_t child = fork();
  if (child == 0) {
    const pid_t grandchild = fork();
    if (grandchild == 0) {
      Watchdog::Start(std::chrono::milliseconds(100), ExitHung);
      Watchdog::ExitWhenOrphaned(getppid());
      std::this_thread::sleep_for(std::chrono::seconds(5));
      _exit(0);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    _exit(0);
  }
  const auto start = std::chrono::steady_clock::now();
  int reaped = 0;
  int grandchild_status = -1;
  while (reaped < 2) {
    int status = 0;
    const pid_t pid = waitpid(-1, &status, 0);
    ASSERT_GT(pid, 0);
    ++reaped;
    if (pid != child)
      grandchild_status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  ASSERT_EQ(prctl(PR_SET_CHILD_SUBREAPER, 0), 0);
  EXPECT_EQ(grandchild_status, 1);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
}

}  // namespace
}  // namespace epollcheck
