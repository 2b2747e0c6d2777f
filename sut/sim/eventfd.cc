// eventfd. Linux: fs/eventfd.c.

#include "sut/sim/eventfd.h"

#include <atomic>
#include <cstring>
#include <limits>
#include <mutex>

#include "model/abi.h"
#include "sut/sim/sim_kernel.h"
#include "sut/sim/smp.h"
#include "sut/sim/wait_queue.h"

namespace epollcheck::sim {
namespace {

constexpr uint64_t kUllongMax = std::numeric_limits<uint64_t>::max();

// Linux: struct eventfd_ctx plus its file.
//
// LOCKING: count_ is written only under wqh_.lock() (the kernel's
// ctx->wqh.lock); it is atomic so Poll can read it without the lock
// (READ_ONCE in eventfd_poll). Wakeups are made with the lock held
// (wake_up_locked_poll).
class EventfdFile final : public File {
public:
  EventfdFile(SimKernel* kernel, uint64_t count, int flags)
      : File(kernel, kFmodeRead | kFmodeWrite,
             static_cast<uint32_t>(flags) & abi::kONonblock),
        count_(count), semaphore_((flags & kEfdSemaphore) != 0) {
    AtomicFetchAdd(kernel->live_eventfds_, 1, std::memory_order_relaxed);
  }
  ~EventfdFile() override {
    AtomicFetchSub(kernel()->live_eventfds_, 1, std::memory_order_relaxed);
  }

  bool CanRead() const override { return true; }
  bool CanWrite() const override { return true; }
  // eventfd_fops.llseek = noop_llseek: f_pos, always 0.
  int64_t Llseek(int64_t /*offset*/, int /*whence*/) override { return 0; }

  // Linux: eventfd_read.
  int64_t Read(void* buf, size_t count) override {
    if (count < sizeof(uint64_t))
      return -abi::kEinval;
    std::unique_lock<SpinLock> lock(wqh_.lock());
    if (count_.load(std::memory_order_relaxed) == 0) {
      if ((f_flags() & abi::kONonblock) != 0)
        return -abi::kEagain;
      WaitEventLocked(wqh_, lock, [this] {
        return count_.load(std::memory_order_relaxed) != 0;
      });
    }
    // eventfd_ctx_do_read.
    const uint64_t now = count_.load(std::memory_order_relaxed);
    const uint64_t ucnt = semaphore_ ? 1 : now;
    count_.store(now - ucnt, std::memory_order_relaxed);
    if (wqh_.ActiveLocked())
      wqh_.WakeUpLocked(abi::kEpollOut, 1);  // wake_up_locked_poll
    lock.unlock();
    std::memcpy(buf, &ucnt, sizeof(ucnt));  // copy_to_iter
    return sizeof(ucnt);
  }

  // Linux: eventfd_write. 6.18 takes exactly 8 bytes: a longer buffer is
  // EINVAL too (model/profile.h eventfd_write_exact).
  int64_t Write(const void* buf, size_t count) override {
    if (count != sizeof(uint64_t))
      return -abi::kEinval;
    uint64_t ucnt = 0;
    std::memcpy(&ucnt, buf, sizeof(ucnt));  // copy_from_user
    if (ucnt == kUllongMax)
      return -abi::kEinval;
    std::unique_lock<SpinLock> lock(wqh_.lock());
    int64_t res = -abi::kEagain;
    const auto room = [&] {
      return kUllongMax - count_.load(std::memory_order_relaxed) > ucnt;
    };
    if (room()) {
      res = sizeof(ucnt);
    } else if ((f_flags() & abi::kONonblock) == 0) {
      WaitEventLocked(wqh_, lock, room);
      res = sizeof(ucnt);
    }
    if (res > 0) {
      count_.store(count_.load(std::memory_order_relaxed) + ucnt,
                   std::memory_order_relaxed);
      if (wqh_.ActiveLocked())
        wqh_.WakeUpLocked(abi::kEpollIn, 1);
    }
    return res;
  }

  // Linux: eventfd_poll (never RDNORM/WRNORM).
  uint32_t Poll(PollTable* pt) override {
    PollWait(this, &wqh_, pt);
    const uint64_t count = count_.load(std::memory_order_acquire);
    uint32_t events = 0;
    if (count > 0)
      events |= abi::kEpollIn;
    if (count == kUllongMax)
      events |= abi::kEpollErr;
    if (kUllongMax - 1 > count)
      events |= abi::kEpollOut;
    return events;
  }

private:
  WaitQueueHead wqh_;            // Linux: ctx->wqh
  std::atomic<uint64_t> count_;  // Linux: ctx->count
  const bool semaphore_;         // EFD_SEMAPHORE
};

}  // namespace

FileRef CreateEventfd(SimKernel* kernel, unsigned int initval, int flags) {
  return FileRef(new EventfdFile(kernel, initval, flags));
}

}  // namespace epollcheck::sim
