// Wait queues and sleeping tasks. Linux: kernel/sched/wait.c,
// kernel/sched/core.c try_to_wake_up.

#include "sut/sim/wait_queue.h"

#include "model/check.h"

namespace epollcheck::sim {

WaitQueueHead::~WaitQueueHead() {
  // Every entry must have been removed by its owner before the queue dies
  // (ep_unregister_pollwait, finish_wait); POLLFREE is not needed.
  EP_CHECK(entries_.Empty());
}

void WaitQueueHead::Add(WaitQueueEntry* entry) {
  std::lock_guard<SpinLock> guard(lock_);
  AddLocked(entry);
}

void WaitQueueHead::AddExclusive(WaitQueueEntry* entry) {
  entry->exclusive = true;
  std::lock_guard<SpinLock> guard(lock_);
  AddTailLocked(entry);
}

void WaitQueueHead::AddLocked(WaitQueueEntry* entry) {
  EP_CHECK(entry->Unlinked());
  entries_.PushFront(entry);  // __add_wait_queue: list_add
  maybe_active_.store(true, std::memory_order_relaxed);
  SmpMb();  // pairs with HasSleeper's
}

void WaitQueueHead::AddTailLocked(WaitQueueEntry* entry) {
  EP_CHECK(entry->Unlinked());
  entries_.PushBack(entry);  // __add_wait_queue_entry_tail
  maybe_active_.store(true, std::memory_order_relaxed);
  SmpMb();  // pairs with HasSleeper's
}

void WaitQueueHead::Remove(WaitQueueEntry* entry) {
  std::lock_guard<SpinLock> guard(lock_);
  if (!entry->Unlinked())
    entry->Unlink();
  maybe_active_.store(!entries_.Empty(), std::memory_order_relaxed);
}

void WaitQueueHead::WakeUp(uint32_t key, int nr_exclusive) {
  std::lock_guard<SpinLock> guard(lock_);
  WakeUpLocked(key, nr_exclusive);
}

// Linux: __wake_up_common. The next entry is fetched before the current one
// runs, so an entry may remove itself (autoremove).
void WaitQueueHead::WakeUpLocked(uint32_t key, int nr_exclusive) {
  entries_.ForEachSafe([&](WaitQueueEntry* entry) {
    const bool exclusive = entry->exclusive;
    const int ret = entry->Wake(key);
    if (ret < 0)
      return false;
    if (ret != 0 && exclusive && --nr_exclusive == 0)
      return false;
    return true;
  });
  maybe_active_.store(!entries_.Empty(), std::memory_order_relaxed);
}

void Sleeper::PrepareToSleep() {
  std::lock_guard<std::mutex> guard(mu_);
  interruptible_ = true;
}

void Sleeper::SetRunning() {
  std::lock_guard<std::mutex> guard(mu_);
  interruptible_ = false;
}

bool Sleeper::Sleep(std::optional<Clock::time_point> deadline) {
  std::unique_lock<std::mutex> lock(mu_);
  if (!deadline) {
    cv_.wait(lock, [this] { return !interruptible_; });
    return true;
  }
  if (cv_.wait_until(lock, *deadline, [this] { return !interruptible_; })) {
    return true;
  }
  interruptible_ = false;  // the hrtimer fired: running again
  return false;
}

bool Sleeper::WakeUp() {
  std::lock_guard<std::mutex> guard(mu_);
  if (!interruptible_)
    return false;
  interruptible_ = false;
  cv_.notify_one();
  return true;
}

// Linux: autoremove_wake_function / ep_autoremove_wake_function:
// default_wake_function, then list_del_init_careful(&wq_entry->entry) (the
// waker holds the queue lock).
int AutoremoveWaitEntry::Wake(uint32_t /*key*/) {
  const bool woke = task_->WakeUp();
  if (woke || always_unlink_)
    Unlink();
  return woke ? 1 : 0;
}

}  // namespace epollcheck::sim
