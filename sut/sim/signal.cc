// Signals and signalfd. Linux: kernel/signal.c, fs/signalfd.c.

#include "sut/sim/signal.h"

#include <bit>
#include <cstring>
#include <mutex>

#include "model/abi.h"
#include "model/ops.h"
#include "sut/sim/sim_kernel.h"
#include "sut/sim/smp.h"

namespace epollcheck::sim {
namespace {

constexpr int kSigRtMin = 32;  // the kernel's SIGRTMIN

}  // namespace

// Requires: siglock_ held.
uint64_t SigState::PendingLocked() const {
  uint64_t set = 0;
  for (int sig = 1; sig <= 64; ++sig) {
    if (counts_[sig] != 0)
      set |= uint64_t{1} << (sig - 1);
  }
  return set;
}

void SigState::Send(int sig) {
  std::lock_guard<SpinLock> guard(siglock_);
  if (sig < kSigRtMin && counts_[sig] != 0) {
    if (duplicate_wakes_)
      signalfd_wqh_.WakeUp(0, 1);  // the test double's fault
    return;  // legacy_queue: no second instance, no wakeup
  }
  ++counts_[sig];
  // signalfd_notify: wake_up(&sighand->signalfd_wqh), siglock held.
  signalfd_wqh_.WakeUp(0, 1);
}

uint64_t SigState::Pending() {
  std::lock_guard<SpinLock> guard(siglock_);
  return PendingLocked();
}

int SigState::Dequeue(uint64_t mask) {
  std::lock_guard<SpinLock> guard(siglock_);
  const uint64_t x = PendingLocked() & mask;
  if (x == 0)
    return 0;
  const int sig = std::countr_zero(x) + 1;  // next_signal: lowest first
  --counts_[sig];
  return sig;
}

bool SigState::AnyPending(uint64_t mask) {
  std::lock_guard<SpinLock> guard(siglock_);
  return (PendingLocked() & mask) != 0;
}

SigState* CurrentSignals() { return task_work.signals; }

void SendSigpipe() {
  if (SigState* signals = CurrentSignals())
    signals->Send(kSigPipe);
}

SignalfdFile::SignalfdFile(SimKernel* kernel, uint64_t mask, uint32_t f_flags)
    : File(kernel, kFmodeRead | kFmodeWrite, f_flags & abi::kONonblock),
      mask_(mask) {
  AtomicFetchAdd(kernel->live_signalfds_, 1, std::memory_order_relaxed);
}

SignalfdFile::~SignalfdFile() {
  AtomicFetchSub(kernel()->live_signalfds_, 1, std::memory_order_relaxed);
}

int64_t SignalfdFile::Read(void* buf, size_t count) {
  constexpr size_t kRecord = 128;  // sizeof(struct signalfd_siginfo)
  const size_t records = count / kRecord;
  if (records == 0)
    return -abi::kEinval;
  SigState* signals = CurrentSignals();
  auto* out = static_cast<std::byte*>(buf);
  size_t taken = 0;
  while (taken < records) {
    const int sig = signals->Dequeue(mask_.load(std::memory_order_relaxed));
    if (sig == 0) {
      if (taken == 0) {
        // O_NONBLOCK: EAGAIN. A blocking read would sleep until a signal
        // arrives, which no other thread of a sequence sends: not
        // simulated (never generated), EAGAIN too.
        return -abi::kEagain;
      }
      break;  // later dequeues never block
    }
    // signalfd_copyinfo: the record, ssi_signo first, the rest zero here.
    std::memset(out + taken * kRecord, 0, kRecord);
    const auto signo = static_cast<uint32_t>(sig);
    std::memcpy(out + taken * kRecord, &signo, sizeof signo);
    ++taken;
  }
  return static_cast<int64_t>(taken * kRecord);
}

uint32_t SignalfdFile::Poll(PollTable* pt) {
  SigState* signals = CurrentSignals();
  PollWait(this, &signals->signalfd_wqh(), pt);
  return signals->AnyPending(mask_.load(std::memory_order_relaxed))
             ? abi::kEpollIn
             : 0u;
}

void SignalfdFile::SetMask(uint64_t mask) {
  SigState* signals = CurrentSignals();
  {
    std::lock_guard<SpinLock> guard(signals->siglock());
    mask_.store(mask, std::memory_order_relaxed);
  }
  signals->signalfd_wqh().WakeUp(0, 1);
}

}  // namespace epollcheck::sim
