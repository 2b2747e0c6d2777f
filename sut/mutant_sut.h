// File: sut/mutant_sut.h
// Deliberately broken SUTs, the test doubles of the check engine's and the
// minimizer's tests. Each diverges from the model in one small, realistic
// way, so `check` must catch it, shrink it and print commands that find it
// again.
//
// `--sut mutant` is LosesLastEvent over the kernel: every epoll_wait that
// returns two or more events loses its last one (the return value drops by
// one too). A wait that returns 0 or 1 event, and every other operation, is
// passed through unchanged. The kind of bug an epoll re-implementation has.
//
// `--sut mutant-NAME` is the from-scratch kernel (sut/sim) with one fault of
// sim::SimConfig switched on, one per class of model rule (ScratchMutants):
// errno precedence, readiness, wakeups, delivery order, descriptor
// numbering, the level-triggered re-queue, and the stored mask (which the
// fdinfo oracle sees). Checked against the 6.18 profile, like `scratch`.
//
// `--sut mutant-crash` (CrashesOnTwoEvents, over scratch) and `--sut
// mutant-hang` (HangsOnEmptyWait, over the kernel) are the supervised
// runner's: one kills its process, the other never returns.
//
//   LosesLastEvent sut(kernel_factory());  // wait -> 2 events becomes 1
//   for (const ScratchMutant& m : ScratchMutants())
//     auto sut = std::make_unique<SimSut>(m.config);  // --sut m.name
#pragma once

#include <poll.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "sut/sim/sim_kernel.h"
#include "sut/sut.h"

namespace epollcheck {

class LosesLastEvent final : public ForwardingSut {
public:
  using ForwardingSut::ForwardingSut;
  [[nodiscard]] Outcome Execute(const Op& op) override {
    Outcome o = inner().Execute(op);
    if (std::holds_alternative<EpollWait>(op) && o.events.size() >= 2) {
      o.events.pop_back();
      --o.ret;
    }
    return o;
  }
};

// CrashesOnTwoEvents (`--sut mutant-crash`, over scratch): an epoll_wait
// that has two or more events to return copies them out through a pointer
// that was never set, and the process dies of SIGSEGV. Everything else is
// passed through. The kind of bug a userspace re-implementation has; a
// supervised `check` must report it as `crash:SIGSEGV`, minimize it with each
// replay in a fresh process, and go on.
class CrashesOnTwoEvents final : public ForwardingSut {
public:
  using ForwardingSut::ForwardingSut;
  [[nodiscard]] Outcome Execute(const Op& op) override {
    Outcome o = inner().Execute(op);
    if (std::holds_alternative<EpollWait>(op) && o.events.size() >= 2) {
      auto* events = reinterpret_cast<ReadyEvent*>(  // NOLINT
          wild_address_);
      events[1] = o.events[1];  // the wild write
    }
    return o;
  }

private:
  // Not a constant, so the compiler cannot see the write is wild.
  volatile uintptr_t wild_address_ = 16;
};

// HangsOnEmptyWait (`--sut mutant-hang`, over the kernel): an epoll_wait with
// maxevents 1 that finds nothing ready never returns, as if its timeout of 0
// had been read as -1: the calling thread sleeps in ppoll with no timeout.
// Everything else is passed through. A supervised `check` must report it as
// `hang` (the watchdog's timeout, --hang-timeout) and go on.
class HangsOnEmptyWait final : public ForwardingSut {
public:
  using ForwardingSut::ForwardingSut;
  [[nodiscard]] Outcome Execute(const Op& op) override {
    Outcome o = inner().Execute(op);
    const auto* wait = std::get_if<EpollWait>(&op);
    if (wait != nullptr && wait->maxevents == 1 && o.ret == 0) {
      for (;;)
        (void)ppoll(nullptr, 0, nullptr, nullptr);  // never returns
    }
    return o;
  }
};

// The scratch kernel with one fault (sut/sim/sim_kernel.h SimConfig).
struct ScratchMutant {
  std::string_view name;         // what `--sut` accepts: "mutant-lifo"
  std::string_view rule_class;   // errno, readiness, wakeup, order, numbering
  std::string_view description;  // what it gets wrong
  sim::SimConfig config;
};

inline const std::vector<ScratchMutant>& ScratchMutants() {
  static const std::vector<ScratchMutant> mutants = {
      {"mutant-exclusive-mod", "errno",
       "EPOLLEXCLUSIVE on MOD rejected after the item lookup (ENOENT, not "
       "EINVAL, for an unregistered fd)",
       sim::SimConfig{.fault_exclusive_mod_after_lookup = true}},
      {"mutant-pipe-err", "readiness",
       "no EPOLLERR on a pipe's write end once the last reader is gone",
       sim::SimConfig{.fault_no_pipe_writer_err = true}},
      {"mutant-pipe-wake", "wakeup",
       "pipe_write wakes readers only if the pipe was empty (5.5-5.13): an "
       "edge-triggered item misses a second write",
       sim::SimConfig{.fault_pipe_wake_only_if_empty = true}},
      {"mutant-lifo", "order",
       "ep_poll_callback queues a newly ready item at the head of the ready "
       "list",
       sim::SimConfig{.fault_lifo_ready_list = true}},
      {"mutant-dup-high", "numbering",
       "dup takes one more than the highest open descriptor, not the lowest "
       "free one",
       sim::SimConfig{.fault_dup_above_highest = true}},
      {"mutant-no-lt-requeue", "wakeup",
       "a delivered level-triggered item is not put back on the ready list",
       sim::SimConfig{.fault_skip_lt_requeue = true}},
      {"mutant-mod-mask", "stored mask",
       "EPOLL_CTL_MOD stores the new mask without EPOLLERR|EPOLLHUP (the "
       "fdinfo oracle sees it at the MOD; a wait only once the file errs)",
       sim::SimConfig{.fault_mod_without_err_hup = true}},
      {"mutant-close-ghost", "interest set",
       "close(fd) removes the items added with that number although a dup "
       "keeps the file open (the ghost item is lost: the fdinfo oracle sees "
       "it at the close; a wait only once the file is ready)",
       sim::SimConfig{.fault_close_drops_items = true}},
      {"mutant-fifo-hup", "readiness",
       "a FIFO reader that opened with no writer reports EPOLLHUP before any "
       "writer has come (pipe_poll ignores f_pipe)",
       sim::SimConfig{.fault_fifo_hup_ignores_version = true}},
      {"mutant-timerfd-ticks", "state",
       "timerfd_settime keeps unread ticks: a disarmed or re-armed timer "
       "still polls ready and reads its old ticks",
       sim::SimConfig{.fault_timerfd_settime_keeps_ticks = true}},
      {"mutant-signal-wakes", "wakeup",
       "a standard signal already pending still wakes the signalfd items "
       "(the wakeup before legacy_queue's drop): an ET item is reported "
       "again",
       sim::SimConfig{.fault_signal_duplicate_wakes = true}},
  };
  return mutants;
}

}  // namespace epollcheck
