// Signals pending for the sequence's thread, and signalfd: every signalfd
// of the process polls one wait queue, sighand->signalfd_wqh, and every
// signal sent to the process wakes it without a key, whatever the signal
// and whichever signalfd reads it. The sequence's thread blocks every signal
// it can raise (model/ops.h kBlockedSignals), so none is ever delivered.
// Linux: kernel/signal.c (__send_signal_locked, legacy_queue, next_signal,
// collect_signal, do_sigpending, do_sigtimedwait, do_tkill),
// include/linux/signalfd.h signalfd_notify, fs/signalfd.c (do_signalfd4,
// signalfd_poll, signalfd_dequeue, signalfd_read_iter).

#include <bit>

#include "model/abi.h"
#include "model/check.h"
#include "model/internal/kernel.h"
#include "model/rules.h"

namespace epollcheck::internal {
namespace {

constexpr int32_t kSigKill = 9;
constexpr int32_t kSigStop = 19;
constexpr int32_t kSigRtMin = 32;  // the kernel's SIGRTMIN
constexpr int32_t kNsig = 64;

// The pending set as sigpending() reports it.
uint64_t PendingSet(const World& world) {
  uint64_t set = 0;
  for (const auto& [sig, count] : world.pending) {
    if (count > 0)
      set |= SigBit(sig);
  }
  return set;
}

// Linux: kernel/signal.c next_signal: the lowest pending signal of `mask`
// (synchronous signals first: never pending here); 0 if none.
int32_t NextSignal(const World& world, uint64_t mask) {
  const uint64_t x = PendingSet(world) & mask;
  return x == 0 ? 0 : std::countr_zero(x) + 1;
}

// Linux: kernel/signal.c dequeue_signal / collect_signal: takes one instance
// of the lowest pending signal of `mask`; a real-time signal with more
// instances queued stays pending. Returns it, or 0.
int32_t DequeueSignal(World& world, uint64_t mask) {
  const int32_t sig = NextSignal(world, mask);
  if (sig == 0)
    return 0;
  auto it = world.pending.find(sig);
  if (--it->second == 0) {
    world.pending.erase(it);
  } else {
    RULE("signal.dequeue.rt_more_queued");
  }
  return sig;
}

// SIGKILL and SIGSTOP never belong to a signalfd's or sigtimedwait's mask.
uint64_t UserMask(uint64_t mask) {
  return mask & ~(SigBit(kSigKill) | SigBit(kSigStop));
}

}  // namespace

// Linux: kernel/signal.c __send_signal_locked: the signal is blocked, so
// prepare_signal keeps it; legacy_queue drops a standard signal already
// pending (before any wakeup); otherwise it is queued and signalfd_notify
// wakes sighand->signalfd_wqh without a key (wake_up).
void SendSignal(World& world, int32_t sig) {
  EP_CHECK(sig > 0 && sig <= kNsig);
  uint32_t& count = world.pending[sig];
  if (sig < kSigRtMin && count > 0) {
    RULE("signal.send.legacy_queue_drop");
    return;
  }
  if (count > 0)
    RULE("signal.send.rt_queued");
  ++count;
  if (!world.signalfd_wqh.empty())
    RULE("signal.send.signalfd_notify");
  WakeQueue(world, world.signalfd_wqh, 0);
}

// Linux: kernel/signal.c SYSCALL_DEFINE3(tgkill) -> do_tkill ->
// check_kill_permission (EINVAL for an invalid signal); signal 0 only
// checks.
Outcome TgkillStep(World& world, int32_t sig) {
  if (sig < 0 || sig > kNsig) {
    RULE("signal.tgkill.einval");
    return Outcome::Error(abi::kEinval);
  }
  if (sig == 0) {
    RULE("signal.tgkill.null");
    return Outcome::Value(0);
  }
  EP_CHECK(TgkillSignalAllowed(sig));
  RULE("signal.tgkill");
  SendSignal(world, sig);
  return Outcome::Value(0);
}

// Linux: kernel/signal.c do_sigpending: the thread's and the process's
// pending sets (only the thread's ever has signals here).
Outcome SigpendingStep(World& world) {
  RULE("signal.sigpending");
  Outcome out = Outcome::Value(0);
  out.value = PendingSet(world);
  return out;
}

// Linux: kernel/signal.c do_sigtimedwait with a zero timeout: a pending
// signal of the mask, or EAGAIN without sleeping.
Outcome SigtimedwaitStep(World& world, uint64_t mask) {
  const int32_t sig = DequeueSignal(world, UserMask(mask));
  if (sig == 0) {
    RULE("signal.sigtimedwait.eagain");
    return Outcome::Error(abi::kEagain);
  }
  RULE("signal.sigtimedwait.dequeue");
  return Outcome::Value(sig);
}

// Linux: fs/signalfd.c SYSCALL_DEFINE4(signalfd4), do_signalfd4: the mask
// copied in (EFAULT), the flags (EINVAL); fd -1 makes a signalfd (an anon
// inode file, O_RDWR plus O_NONBLOCK), any other number must be a signalfd
// (EBADF, EINVAL), whose mask is replaced with a keyless wake_up of
// signalfd_wqh.
Outcome SignalfdStep(World& world, const Signalfd& op) {
  if (!BufPassesAccessOk(op.buf) || BufReadable(op.buf, 1) < 1) {
    RULE("signalfd.efault.mask");
    return Outcome::Error(abi::kEfault);
  }
  if ((op.flags & ~(abi::kONonblock | abi::kOCloexec)) != 0) {
    RULE("signalfd.einval.flags");
    return Outcome::Error(abi::kEinval);
  }
  const uint64_t mask = UserMask(op.mask);
  if (mask != op.mask)
    RULE("signalfd.mask.kill_stop_dropped");
  if (op.fd == -1) {
    if (!HasFreeFds(world, 1))
      return Outcome::Error(abi::kEmfile);
    RULE("signalfd.create");
    const FileId id = NewFile(world, File{.kind = FileKind::kSignalfd,
                                          .flags = op.flags & abi::kONonblock,
                                          .sigmask = mask});
    return Outcome::Value(InstallLowestFd(world, id));
  }
  const std::optional<FileId> file = world.FdgetAt(op.fd);
  if (!file) {
    RULE("signalfd.ebadf");
    return Outcome::Error(abi::kEbadf);
  }
  File& f = world.files.at(*file);
  if (f.kind != FileKind::kSignalfd) {
    RULE("signalfd.einval.not_signalfd");
    return Outcome::Error(abi::kEinval);
  }
  RULE("signalfd.update.wakes");
  f.sigmask = mask;
  WakeQueue(world, world.signalfd_wqh, 0);
  return Outcome::Value(op.fd);
}

// Linux: fs/signalfd.c signalfd_read_iter: count / 128 records (none:
// EINVAL); the first dequeue may fail with EAGAIN (non-blocking file), the
// later ones stop the read. No wakeup. The value packs the signal numbers.
Outcome SignalfdRead(World& world, FileId file, uint32_t count) {
  constexpr uint32_t kRecord = 128;  // sizeof(struct signalfd_siginfo)
  const uint32_t records = count / kRecord;
  if (records == 0) {
    RULE("signalfd.read.einval.short");
    return Outcome::Error(abi::kEinval);
  }
  const File& f = world.files.at(file);
  const uint64_t mask = f.sigmask;
  if (NextSignal(world, mask) == 0) {
    // A blocking signalfd would sleep: the generators never let it.
    EP_CHECK((f.flags & abi::kONonblock) != 0);
    RULE("signalfd.read.eagain");
    return Outcome::Error(abi::kEagain);
  }
  uint64_t packed = 0;
  uint32_t taken = 0;
  while (taken < records) {
    const int32_t sig = DequeueSignal(world, mask);
    if (sig == 0)
      break;
    if (taken < 8)
      packed |= static_cast<uint64_t>(sig) << (8 * taken);
    ++taken;
  }
  if (taken < records)
    RULE("signalfd.read.fewer_than_asked");
  if (taken > 1)
    RULE("signalfd.read.several");
  RULE("signalfd.read");
  Outcome out = Outcome::Value(static_cast<int64_t>(taken) * kRecord);
  out.value = packed;
  return out;
}

// Linux: fs/signalfd.c signalfd_poll: IN (no RDNORM) while a signal of the
// mask is pending for the polling thread.
uint32_t SignalfdPoll(World& world, FileId file) {
  if (NextSignal(world, world.files.at(file).sigmask) != 0) {
    RULE("signalfd.poll.in");
    return abi::kEpollIn;
  }
  return 0;
}

}  // namespace epollcheck::internal
