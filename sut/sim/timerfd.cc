// timerfd. Linux: fs/timerfd.c.

#include "sut/sim/timerfd.h"

#include <cstring>
#include <mutex>

#include "model/abi.h"
#include "model/ops.h"
#include "sut/sim/sim_kernel.h"
#include "sut/sim/smp.h"

namespace epollcheck::sim {

TimerfdFile::TimerfdFile(SimKernel* kernel, int clockid, uint32_t f_flags)
    : File(kernel, kFmodeRead | kFmodeWrite, f_flags & abi::kONonblock),
      clockid_(clockid) {
  AtomicFetchAdd(kernel->live_timerfds_, 1, std::memory_order_relaxed);
}

TimerfdFile::~TimerfdFile() {
  AtomicFetchSub(kernel()->live_timerfds_, 1, std::memory_order_relaxed);
}

int64_t TimerfdFile::Read(void* buf, size_t count) {
  if (count < sizeof(uint64_t))
    return -abi::kEinval;
  uint64_t ticks = 0;
  {
    std::lock_guard<SpinLock> guard(wqh_.lock());
    ticks = ticks_.load(std::memory_order_relaxed);
    if (ticks == 0) {
      // O_NONBLOCK: EAGAIN. A blocking read would sleep until an expiry,
      // which never comes after the step that armed the timer: not
      // simulated (never generated), EAGAIN too.
      return -abi::kEagain;
    }
    ticks_.store(0, std::memory_order_relaxed);
  }
  std::memcpy(buf, &ticks, sizeof ticks);  // put_user
  return sizeof ticks;
}

uint32_t TimerfdFile::Poll(PollTable* pt) {
  PollWait(this, &wqh_, pt);
  std::lock_guard<SpinLock> guard(wqh_.lock());
  return ticks_.load(std::memory_order_relaxed) != 0 ? abi::kEpollIn : 0u;
}

void TimerfdFile::Settime(int32_t expire) {
  std::lock_guard<SpinLock> guard(wqh_.lock());
  if (!kernel()->config().fault_timerfd_settime_keeps_ticks)
    ticks_.store(0, std::memory_order_relaxed);  // timerfd_setup
  if (expire == kExpireNow) {
    // timerfd_tmrproc -> timerfd_triggered.
    ticks_.fetch_add(1, std::memory_order_relaxed);
    wqh_.WakeUpLocked(abi::kEpollIn, 1);  // wake_up_locked_poll
  }
}

FileRef CreateTimerfd(SimKernel* kernel, int clockid, uint32_t flags) {
  return FileRef(new TimerfdFile(kernel, clockid, flags));
}

}  // namespace epollcheck::sim
