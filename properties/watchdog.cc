#include "properties/watchdog.h"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <thread>

namespace epollcheck {
namespace {

using Clock = std::chrono::steady_clock;

// 0 when no operation is in progress, else its start (steady clock, ns + 1).
std::atomic<int64_t> g_started{0};
std::atomic<int> g_step{-1};
std::atomic<uint64_t> g_completed{0};

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             Clock::now().time_since_epoch())
      .count();
}

}  // namespace

void Watchdog::Start(std::chrono::milliseconds timeout, OnHang on_hang,
                     OnAlive on_alive) {
  static std::atomic<bool> started{false};
  if (started.exchange(true))
    return;
  const int64_t limit_ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(timeout).count();
  // Check ten times per timeout, but not more often than every 5 ms nor
  // less often than every 250 ms.
  const auto period = std::clamp<std::chrono::milliseconds>(
      timeout / 10, std::chrono::milliseconds(5),
      std::chrono::milliseconds(250));
  std::thread([limit_ns, period, on_hang = std::move(on_hang),
               on_alive = std::move(on_alive)] {
    uint64_t completed_at_last_alive = 0;
    auto last_alive = Clock::now();
    for (;;) {
      std::this_thread::sleep_for(period);
      const int64_t started_ns = g_started.load(std::memory_order_acquire);
      if (started_ns != 0 && NowNs() - (started_ns - 1) > limit_ns)
        on_hang(g_step.load(std::memory_order_relaxed));
      const uint64_t completed = g_completed.load(std::memory_order_relaxed);
      if (on_alive && completed != completed_at_last_alive &&
          Clock::now() - last_alive >= std::chrono::seconds(1)) {
        completed_at_last_alive = completed;
        last_alive = Clock::now();
        on_alive();
      }
    }
  }).detach();
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
  Outcome outcome = inner_->Execute(op);
  Watchdog::End();
  return outcome;
}

std::string WatchedSut::Finish() {
  Watchdog::Begin(step_);  // the teardown: one past the last operation
  std::string report = inner_->Finish();
  Watchdog::End();
  return report;
}

SutFactory Watched(SutFactory make_sut) {
  return [make_sut = std::move(make_sut)]() -> std::unique_ptr<Sut> {
    return std::make_unique<WatchedSut>(make_sut());
  };
}

}  // namespace epollcheck
