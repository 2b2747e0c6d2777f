// File: properties/watchdog.h
// Notices an operation of the SUT that does not return. A WatchedSut wraps
// any SUT and marks each Execute (and the Finish) as an operation in
// progress, numbered by its step in the sequence; a timer signal (SIGALRM,
// sent to the thread that started the watchdog, ten times per timeout)
// checks the operation in progress and, once it has run longer than the
// timeout, calls the hang handler, which ends the process (the stuck thread
// cannot be unwound). A signal and not a thread: a second thread would turn
// off glibc's and libstdc++'s single-threaded fast paths (malloc, shared_ptr
// counts) and cost a single-threaded SUT such as scratch ~7% of its
// throughput. One watchdog per process: the worker processes of a
// supervised check and `epollcheck replay` use it.
//
//   Watchdog::Start(std::chrono::seconds(10), [](int step) {
//     (void)write(2, "hang\n", 5);  // async-signal-safe code only
//     _exit(1);
//   });
//   std::unique_ptr<Sut> sut = std::make_unique<WatchedSut>(make_sut());
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "sut/sut.h"

namespace epollcheck {

class Watchdog {
public:
  // Runs in the signal handler with the step that hangs (-1 outside a
  // sequence): async-signal-safe code only; must not return.
  using OnHang = void (*)(int step);
  // Runs in the signal handler about once a second while operations keep
  // completing (a supervisor's sign of life): async-signal-safe code only.
  using OnAlive = void (*)();

  // How the ticks are made: a POSIX timer signalling the starting thread
  // (timer_create, SIGEV_THREAD_ID), or, where that is refused, the
  // process's ITIMER_REAL (its SIGALRM reaches the starting thread because
  // every other thread of the harness blocks it: harness_calls.h
  // BlockAsyncSignals). Start falls back from the first to the second.
  // kThread ticks from a thread of its own and sends no signal: for a SUT
  // whose system calls a signal to the process changes (the kernel's: every
  // signal queued for the process wakes its signalfd items, model/signal.cc),
  // and which is multi-threaded anyway.
  enum class Timer { kThreadTimer, kItimer, kThread };

  // Starts the process's watchdog on the calling thread (once; later calls
  // do nothing). Returns false if no timer could be set up.
  static bool Start(std::chrono::milliseconds timeout, OnHang on_hang,
                    OnAlive on_alive = nullptr,
                    Timer first = Timer::kThreadTimer);
  // The timer Start set up (for tests and reports).
  static Timer TimerUsed();
  // From now on a tick ends the process (_exit(1)) once its parent is no
  // longer `parent`: the fallback where prctl(PR_SET_PDEATHSIG) is refused.
  static void ExitWhenOrphaned(int parent);
  // Marks operation `step` as started / finished (cheap: atomic stores).
  static void Begin(int step);
  static void End();
  // The step of the operation in progress, or of the last one
  // (async-signal-safe, for a crash handler).
  static int CurrentStep();
};

// A SUT whose every Execute and Finish is watched by the Watchdog, and its
// fdinfo reads too (as part of the step they follow).
class WatchedSut final : public ForwardingSut {
public:
  using ForwardingSut::ForwardingSut;
  [[nodiscard]] Outcome Execute(const Op& op) override;
  // Each operation of the batch watched as its own step (Begin and End
  // are atomic stores: any thread may make them).
  [[nodiscard]] size_t ExecuteEach(std::span<const Op> ops,
                                   const AfterStep& after) override;
  [[nodiscard]] std::string Finish() override;
  // Forwarded; the teardown at the batch's end is then watched as Finish
  // is (the step one past the last operation).
  void EndAfterNextBatch() override;
  [[nodiscard]] FdinfoReading ReadFdinfo(int32_t epfd) override;
  [[nodiscard]] std::optional<FdinfoInode> InodeOf(int32_t fd) override;

private:
  int step_ = 0;  // the next operation's step (written by whichever thread
                  // runs the batch's `after`, while the caller waits)
  bool end_after_next_batch_ = false;
};

// `make_sut` with every SUT it makes watched.
SutFactory Watched(SutFactory make_sut);

}  // namespace epollcheck
