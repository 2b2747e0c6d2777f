// File: sut/sim/timerfd.h
// timerfd: a tick count behind one wait queue. The simulation has no
// clock: a timer armed to expire at once (model/ops.h kExpireNow) expires
// inside Settime, as the kernel's hrtimer does before the SUTs let the
// step end; one armed for later never expires.
//
//   FileRef t = CreateTimerfd(kernel, 1, abi::kONonblock);  // timerfd_create
//   t->TimerfdOf()->Settime(0, kExpireNow);  // ticks 1; wakes wqh with IN
//   t->Read(&ticks, 8);                      // 8 (ticks = 1), then 0 ticks
//
// Linux: fs/timerfd.c (timerfd_create, do_timerfd_settime, timerfd_setup,
// timerfd_tmrproc, timerfd_read_iter, timerfd_poll).
#pragma once

#include <atomic>
#include <cstdint>

#include "sut/sim/file.h"
#include "sut/sim/wait_queue.h"

namespace epollcheck::sim {

// Linux: struct timerfd_ctx plus its file (opened O_RDWR, no ->write).
//
// LOCKING: ticks_ changes only under wqh_.lock() (ctx->wqh.lock); it is
// atomic so Poll can read it without the lock. Wakeups are made with the
// lock held (wake_up_locked_poll).
class TimerfdFile final : public File {
public:
  TimerfdFile(SimKernel* kernel, int clockid, uint32_t f_flags);
  ~TimerfdFile() override;

  bool CanRead() const override { return true; }
  // timerfd_fops.llseek = noop_llseek: f_pos, always 0.
  int64_t Llseek(int64_t /*offset*/, int /*whence*/) override { return 0; }
  // Linux: timerfd_read_iter.
  int64_t Read(void* buf, size_t count) override;
  // Linux: timerfd_poll.
  uint32_t Poll(PollTable* pt) override;
  TimerfdFile* TimerfdOf() override { return this; }

  // Linux: the part of do_timerfd_settime after the file is found:
  // timerfd_setup (ticks cleared, the timer armed or not) and, for an
  // `expire` of kExpireNow, timerfd_tmrproc's expiry. Flags and value are
  // already checked.
  void Settime(int32_t expire);

private:
  WaitQueueHead wqh_;               // Linux: ctx->wqh
  std::atomic<uint64_t> ticks_{0};  // Linux: ctx->ticks
  const int clockid_;               // Linux: ctx->clockid
};

// Linux: timerfd_create after its checks: a disarmed timer.
FileRef CreateTimerfd(SimKernel* kernel, int clockid, uint32_t flags);

}  // namespace epollcheck::sim
