// File: sut/sim/signal.h
// Signals of a process, all blocked (the signals a sequence raises stay
// pending until a signalfd read or sigtimedwait takes them; none is ever
// delivered), and signalfd. A simulated process is one task here: its
// threads share one pending set.
//
//   proc->Tgkill(10);                       // SIGUSR1 pending; every
//                                           // signalfd item woken
//   int sfd = proc->Signalfd4(-1, mask, 8, abi::kONonblock);
//   proc->Read(sfd, buf, 128);              // 128: one siginfo, USR1 taken
//
// Linux: kernel/signal.c (__send_signal_locked, legacy_queue,
// dequeue_signal, do_sigpending, do_sigtimedwait), include/linux/signalfd.h
// signalfd_notify, fs/signalfd.c.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>

#include "sut/sim/file.h"
#include "sut/sim/spinlock.h"
#include "sut/sim/wait_queue.h"

namespace epollcheck::sim {

// Linux: the task's struct sigpending and its struct sighand_struct's
// siglock and signalfd_wqh.
//
// LOCKING: counts_ is protected by siglock_. Wakeups of signalfd_wqh_ are
// made with siglock_ held (signalfd_notify runs inside
// __send_signal_locked), so siglock_ nests outside the wait-queue lock and
// ep->lock.
class SigState {
public:
  // `duplicate_wakes`: SimConfig::fault_signal_duplicate_wakes.
  explicit SigState(bool duplicate_wakes = false)
      : duplicate_wakes_(duplicate_wakes) {}
  SigState(const SigState&) = delete;
  SigState& operator=(const SigState&) = delete;

  // Linux: __send_signal_locked for a blocked signal (1..64): a standard
  // signal already pending is dropped (legacy_queue) before any wakeup;
  // otherwise it is queued and signalfd_notify wakes signalfd_wqh without
  // a key.
  void Send(int sig);
  // Linux: do_sigpending: the pending set, bit n-1 for signal n.
  uint64_t Pending();
  // Linux: dequeue_signal / collect_signal: takes one instance of the
  // lowest pending signal of `mask`; 0 if none.
  int Dequeue(uint64_t mask);
  // Linux: next_signal: whether a signal of `mask` is pending.
  bool AnyPending(uint64_t mask);
  // Linux: sighand->signalfd_wqh: every signalfd's poll registers here.
  WaitQueueHead& signalfd_wqh() { return signalfd_wqh_; }
  // Linux: sighand->siglock, taken by a signalfd's mask update.
  SpinLock& siglock() { return siglock_; }

private:
  uint64_t PendingLocked() const;

  const bool duplicate_wakes_;
  SpinLock siglock_;
  std::array<uint32_t, 65> counts_{};  // instances pending per signal
  WaitQueueHead signalfd_wqh_;
};

// The signals of the process whose system call this thread is in (set by
// SyscallScope); null outside one. Linux: current->sighand, current->pending.
SigState* CurrentSignals();

// Linux: send_sig(SIGPIPE, current, 0) after an EPIPE.
void SendSigpipe();

// Linux: struct signalfd_ctx plus its anon-inode file (opened O_RDWR, no
// ->write, noop_llseek).
//
// LOCKING: mask_ is written under the current process's siglock (and read
// without it, as an atomic).
class SignalfdFile final : public File {
public:
  SignalfdFile(SimKernel* kernel, uint64_t mask, uint32_t f_flags);
  ~SignalfdFile() override;

  bool CanRead() const override { return true; }
  int64_t Llseek(int64_t /*offset*/, int /*whence*/) override { return 0; }
  // Linux: signalfd_read_iter: count / 128 records of struct
  // signalfd_siginfo (ssi_signo first), lowest signal first.
  int64_t Read(void* buf, size_t count) override;
  // Linux: signalfd_poll: IN while a signal of the mask is pending.
  uint32_t Poll(PollTable* pt) override;
  SignalfdFile* SignalfdOf() override { return this; }

  // Linux: do_signalfd4 on an existing signalfd: the mask replaced under
  // siglock, then a keyless wake_up of signalfd_wqh.
  void SetMask(uint64_t mask);

private:
  std::atomic<uint64_t> mask_;  // Linux: ctx->sigmask (not inverted here)
};

}  // namespace epollcheck::sim
