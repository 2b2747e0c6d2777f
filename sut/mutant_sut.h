// File: sut/mutant_sut.h
// Deliberately broken SUTs, the test doubles of the check engine's tests.
//
// LosesLastEvent (`--sut mutant`):
// another SUT (the kernel, for `--sut mutant`) except that every epoll_wait
// that returns two or more events loses its last one (the return value drops
// by one too). A wait that returns 0 or 1 event, and every other operation,
// is passed through unchanged. The kind of bug an epoll re-implementation has;
// `check` must catch it, shrink it and print commands that find it again.
//
//   LosesLastEvent sut(kernel_factory());  // wait -> 2 events becomes 1
#pragma once

#include <poll.h>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <variant>

#include "sut/sut.h"

namespace epollcheck {

class LosesLastEvent final : public Sut {
public:
  explicit LosesLastEvent(std::unique_ptr<Sut> inner)
      : inner_(std::move(inner)) {}
  [[nodiscard]] Outcome Execute(const Op& op) override {
    Outcome o = inner_->Execute(op);
    if (std::holds_alternative<EpollWait>(op) && o.events.size() >= 2) {
      o.events.pop_back();
      --o.ret;
    }
    return o;
  }
  [[nodiscard]] std::string Finish() override { return inner_->Finish(); }

private:
  std::unique_ptr<Sut> inner_;
};

// CrashesOnTwoEvents (`--sut mutant-crash`, over scratch): an epoll_wait
// that has two or more events to return copies them out through a pointer
// that was never set, and the process dies of SIGSEGV. Everything else is
// passed through. The kind of bug a userspace re-implementation has; a
// supervised `check` must report it as `crash:SIGSEGV`, minimize it with each
// replay in a fresh process, and go on.
class CrashesOnTwoEvents final : public Sut {
public:
  explicit CrashesOnTwoEvents(std::unique_ptr<Sut> inner)
      : inner_(std::move(inner)) {}
  [[nodiscard]] Outcome Execute(const Op& op) override {
    Outcome o = inner_->Execute(op);
    if (std::holds_alternative<EpollWait>(op) && o.events.size() >= 2) {
      auto* events = reinterpret_cast<ReadyEvent*>(  // NOLINT
          wild_address_);
      events[1] = o.events[1];  // the wild write
    }
    return o;
  }
  [[nodiscard]] std::string Finish() override { return inner_->Finish(); }

private:
  std::unique_ptr<Sut> inner_;
  // Not a constant, so the compiler cannot see the write is wild.
  volatile uintptr_t wild_address_ = 16;
};

// HangsOnEmptyWait (`--sut mutant-hang`, over the kernel): an epoll_wait with
// maxevents 1 that finds nothing ready never returns, as if its timeout of 0
// had been read as -1: the calling thread sleeps in ppoll with no timeout.
// Everything else is passed through. A supervised `check` must report it as
// `hang` (the watchdog's timeout, --hang-timeout) and go on.
class HangsOnEmptyWait final : public Sut {
public:
  explicit HangsOnEmptyWait(std::unique_ptr<Sut> inner)
      : inner_(std::move(inner)) {}
  [[nodiscard]] Outcome Execute(const Op& op) override {
    Outcome o = inner_->Execute(op);
    const auto* wait = std::get_if<EpollWait>(&op);
    if (wait != nullptr && wait->maxevents == 1 && o.ret == 0) {
      for (;;)
        (void)ppoll(nullptr, 0, nullptr, nullptr);  // never returns
    }
    return o;
  }
  [[nodiscard]] std::string Finish() override { return inner_->Finish(); }

private:
  std::unique_ptr<Sut> inner_;
};

}  // namespace epollcheck
