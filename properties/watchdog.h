// File: properties/watchdog.h
// Notices an operation of the SUT that does not return. A WatchedSut wraps
// any SUT and marks each Execute (and the Finish) as an operation in
// progress, numbered by its step in the sequence; a watchdog thread checks
// the operation in progress and, once it has run longer than the timeout,
// calls the hang handler, which ends the process (the stuck thread cannot be
// unwound). One watchdog per process: the worker processes of a supervised
// check and `epollcheck replay` use it.
//
//   Watchdog::Start(std::chrono::seconds(10), [](int step) {
//     std::fprintf(stderr, "step %d hangs\n", step);
//     std::_Exit(1);
//   });
//   std::unique_ptr<Sut> sut = std::make_unique<WatchedSut>(make_sut());
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "sut/sut.h"

namespace epollcheck {

class Watchdog {
public:
  // Called on the watchdog thread with the step that hangs (-1 outside a
  // sequence); must not return.
  using OnHang = std::function<void(int step)>;
  // Called on the watchdog thread about once a second while operations keep
  // completing (a supervisor's sign of life).
  using OnAlive = std::function<void()>;

  // Starts the process's watchdog thread (once; later calls do nothing).
  static void Start(std::chrono::milliseconds timeout, OnHang on_hang,
                    OnAlive on_alive = {});
  // Marks operation `step` as started / finished (cheap: two atomic stores).
  static void Begin(int step);
  static void End();
  // The step of the operation in progress, or of the last one (for a crash
  // handler: async-signal-safe).
  static int CurrentStep();
};

// A SUT whose every Execute and Finish is watched by the Watchdog.
class WatchedSut final : public Sut {
public:
  explicit WatchedSut(std::unique_ptr<Sut> inner) : inner_(std::move(inner)) {}
  [[nodiscard]] Outcome Execute(const Op& op) override;
  [[nodiscard]] std::string Finish() override;

private:
  std::unique_ptr<Sut> inner_;
  int step_ = 0;
};

// `make_sut` with every SUT it makes watched.
SutFactory Watched(SutFactory make_sut);

}  // namespace epollcheck
