#include "properties/watchdog.h"

#include <signal.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <thread>
#include <utility>

namespace epollcheck {
namespace {

// 0 when no operation is in progress, else its start (CLOCK_MONOTONIC, ns + 1).
std::atomic<int64_t> g_started{0};
std::atomic<int> g_step{-1};
std::atomic<uint64_t> g_completed{0};

// Set once by Start, read by the handler.
int64_t g_limit_ns = 0;
Watchdog::OnHang g_on_hang = nullptr;
Watchdog::OnAlive g_on_alive = nullptr;
Watchdog::Timer g_timer_used = Watchdog::Timer::kThreadTimer;
// ExitWhenOrphaned's parent, 0 if none.
std::atomic<int> g_parent{0};
// The handler's own state (only the handler touches these).
uint64_t g_completed_at_alive = 0;
int64_t g_last_alive_ns = 0;

int64_t NowNs() {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);  // async-signal-safe
  return static_cast<int64_t>(now.tv_sec) * 1000000000 + now.tv_nsec;
}

void OnTick(int /*signal*/) {
  const int saved_errno = errno;
  const int64_t now = NowNs();
  const int parent = g_parent.load(std::memory_order_relaxed);
  if (parent != 0 && getppid() != parent)
    _exit(1);  // the supervisor is gone (async-signal-safe)
  const int64_t started = g_started.load(std::memory_order_acquire);
  if (started != 0 && now - (started - 1) > g_limit_ns)
    g_on_hang(g_step.load(std::memory_order_relaxed));
  const uint64_t completed = g_completed.load(std::memory_order_relaxed);
  if (g_on_alive != nullptr && completed != g_completed_at_alive &&
      now - g_last_alive_ns >= 1000000000) {
    g_completed_at_alive = completed;
    g_last_alive_ns = now;
    g_on_alive();
  }
  errno = saved_errno;
}

}  // namespace

bool Watchdog::Start(std::chrono::milliseconds timeout, OnHang on_hang,
                     OnAlive on_alive, Timer first) {
  static bool started = false;
  if (started)
    return true;
  started = true;
  g_limit_ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(timeout).count();
  g_on_hang = on_hang;
  g_on_alive = on_alive;
  g_last_alive_ns = NowNs();
  // Ten checks per timeout, but not more often than every 5 ms nor less
  // often than every 250 ms.
  const auto period = std::clamp<std::chrono::nanoseconds>(
      timeout / 10, std::chrono::milliseconds(5),
      std::chrono::milliseconds(250));
  if (first == Timer::kThread) {
    g_timer_used = Timer::kThread;
    std::thread([period] {
      for (;;) {
        std::this_thread::sleep_for(period);
        OnTick(0);
      }
    }).detach();
    return true;
  }
  struct sigaction action {};
  action.sa_handler = OnTick;
  action.sa_flags = SA_RESTART;
  sigemptyset(&action.sa_mask);
  if (sigaction(SIGALRM, &action, nullptr) != 0)
    return false;
  // To this thread only (the kernel SUT's executor threads never see it, so
  // no system call of the SUT is interrupted).
  if (first == Timer::kThreadTimer) {
    sigevent event{};
    event.sigev_notify = SIGEV_THREAD_ID;
    event.sigev_signo = SIGALRM;
    event._sigev_un._tid = gettid();
    timer_t timer{};
    if (timer_create(CLOCK_MONOTONIC, &event, &timer) == 0) {
      itimerspec spec{};
      spec.it_interval.tv_sec =
          static_cast<time_t>(period.count() / 1000000000);
      spec.it_interval.tv_nsec = static_cast<long>(period.count() % 1000000000);
      spec.it_value = spec.it_interval;
      if (timer_settime(timer, 0, &spec, nullptr) == 0) {
        g_timer_used = Timer::kThreadTimer;
        return true;
      }
      timer_delete(timer);
    }
  }
  itimerval spec{};
  spec.it_interval.tv_sec = static_cast<time_t>(period.count() / 1000000000);
  spec.it_interval.tv_usec =
      static_cast<suseconds_t>(period.count() % 1000000000 / 1000);
  spec.it_value = spec.it_interval;
  g_timer_used = Timer::kItimer;
  return setitimer(ITIMER_REAL, &spec, nullptr) == 0;
}

Watchdog::Timer Watchdog::TimerUsed() { return g_timer_used; }

void Watchdog::ExitWhenOrphaned(int parent) {
  g_parent.store(parent, std::memory_order_relaxed);
}

void Watchdog::Begin(int step) {
  g_step.store(step, std::memory_order_relaxed);
  g_started.store(NowNs() + 1, std::memory_order_release);
}

void Watchdog::End() {
  g_started.store(0, std::memory_order_release);
  g_completed.fetch_add(1, std::memory_order_relaxed);
}

int Watchdog::CurrentStep() { return g_step.load(std::memory_order_relaxed); }

Outcome WatchedSut::Execute(const Op& op) {
  Watchdog::Begin(step_++);
  Outcome outcome = inner().Execute(op);
  Watchdog::End();
  return outcome;
}

size_t WatchedSut::ExecuteEach(std::span<const Op> ops,
                               const AfterStep& after) {
  if (ops.empty())
    return 0;
  const bool tear_down = std::exchange(end_after_next_batch_, false);
  Watchdog::Begin(step_++);
  const size_t ran = inner().ExecuteEach(ops, [&](size_t i, Outcome outcome) {
    Watchdog::End();
    // The fdinfo reads `after` makes are watched as part of step i.
    const bool go = after(i, std::move(outcome));
    if (go && i + 1 < ops.size())
      Watchdog::Begin(step_++);
    else if (tear_down)
      Watchdog::Begin(step_);  // the teardown, as in Finish
    return go;
  });
  Watchdog::End();
  return ran;
}

void WatchedSut::EndAfterNextBatch() {
  end_after_next_batch_ = true;
  inner().EndAfterNextBatch();
}

std::string WatchedSut::Finish() {
  Watchdog::Begin(step_);  // the teardown: one past the last operation
  std::string report = inner().Finish();
  Watchdog::End();
  return report;
}

FdinfoReading WatchedSut::ReadFdinfo(int32_t epfd) {
  Watchdog::Begin(step_ - 1);  // the oracle of the last operation
  FdinfoReading reading = inner().ReadFdinfo(epfd);
  Watchdog::End();
  return reading;
}

std::optional<FdinfoInode> WatchedSut::InodeOf(int32_t fd) {
  Watchdog::Begin(step_ - 1);
  std::optional<FdinfoInode> inode = inner().InodeOf(fd);
  Watchdog::End();
  return inode;
}

SutFactory Watched(SutFactory make_sut) {
  return [make_sut = std::move(make_sut)]() -> std::unique_ptr<Sut> {
    return std::make_unique<WatchedSut>(make_sut());
  };
}

}  // namespace epollcheck
