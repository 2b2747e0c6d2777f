// File: sut/sim/wait_queue.h
// Wait queues and sleeping tasks of the simulated kernel. A WaitQueueHead is
// a lock plus a list of entries; each entry carries its own wake function
// (the kernel's wait_queue_entry_t.func), e.g. the epoll callback or
// "wake this sleeping thread and unlink me". A wakeup walks the entries in
// list order and stops after `nr_exclusive` exclusive entries reported a
// wake, exactly like __wake_up_common.
//
//   WaitQueueHead wq;
//   wq.Add(&entry);                       // add_wait_queue: at the head
//   wq.WakeUp(kPollIn | kPollRdNorm, 1);  // wake_up_interruptible_poll
//
// Linux: include/linux/wait.h, kernel/sched/wait.c (add_wait_queue,
// add_wait_queue_exclusive, __wake_up_common, autoremove_wake_function,
// prepare_to_wait_exclusive), kernel/sched/core.c try_to_wake_up.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>

#include "sut/sim/list.h"
#include "sut/sim/smp.h"
#include "sut/sim/spinlock.h"

namespace epollcheck::sim {

struct WaitQueueTag;

// Linux: struct wait_queue_entry.
class WaitQueueEntry : public ListNode<WaitQueueTag> {
public:
  virtual ~WaitQueueEntry() = default;
  // The entry's wait_queue_func_t, called with the queue's lock held. `key`
  // is the poll mask of the wakeup (0: no key). Returns nonzero if this
  // counts as waking a task (only matters for exclusive entries).
  virtual int Wake(uint32_t key) = 0;
  bool exclusive = false;  // WQ_FLAG_EXCLUSIVE; set before queueing
};

// Linux: struct wait_queue_head.
class WaitQueueHead {
public:
  WaitQueueHead() = default;
  WaitQueueHead(const WaitQueueHead&) = delete;
  WaitQueueHead& operator=(const WaitQueueHead&) = delete;
  ~WaitQueueHead();

  // Linux: add_wait_queue: a non-exclusive entry, inserted at the head.
  void Add(WaitQueueEntry* entry);
  // Linux: add_wait_queue_exclusive: an exclusive entry, at the tail.
  void AddExclusive(WaitQueueEntry* entry);
  // Linux: remove_wait_queue.
  void Remove(WaitQueueEntry* entry);
  // Linux: __wake_up(wq, TASK_NORMAL, nr_exclusive, key). nr_exclusive 0
  // wakes every entry (wake_up_all).
  void WakeUp(uint32_t key, int nr_exclusive);

  // The same with the lock already held (the _locked variants).
  // Requires: lock() held.
  void AddLocked(WaitQueueEntry* entry);
  // Requires: lock() held.
  void AddTailLocked(WaitQueueEntry* entry);
  // Requires: lock() held.
  void WakeUpLocked(uint32_t key, int nr_exclusive);
  // Linux: waitqueue_active. Requires: lock() held.
  bool ActiveLocked() const { return !entries_.Empty(); }
  // Linux: wq_has_sleeper: whether the queue may have entries, without its
  // lock. A full barrier first, paired with the one after every add, so a
  // waker that changed state and sees no entry cannot miss a waiter that
  // queued itself and then tests that state. It may say true for a queue
  // that just emptied (the caller then finds nobody), never false for one
  // that has an entry.
  bool HasSleeper() const {
    SmpMb();
    return maybe_active_.load(std::memory_order_relaxed);
  }
  // Linux: waitqueue_active without the queue's lock and without a
  // barrier: for a caller whose ordering with the entries' adders comes
  // from another lock that both take. May say true for a queue that just
  // emptied.
  bool ActiveLockless() const {
    return maybe_active_.load(std::memory_order_relaxed);
  }
  // How many entries are queued (O(n); for tests). Requires: lock() held.
  size_t SizeLocked() const { return entries_.Size(); }

  SpinLock& lock() { return lock_; }

private:
  SpinLock lock_;                                        // Linux: wq_head->lock
  IntrusiveList<WaitQueueEntry, WaitQueueTag> entries_;  // guarded by lock_
  // !entries_.Empty() for lockless readers (HasSleeper): set by every add,
  // recomputed after removals and wakeups; written under lock_. An entry
  // that unlinks itself leaves it true until the next recomputation.
  std::atomic<bool> maybe_active_{false};
};

// A thread that can sleep in the simulated kernel. Linux: the task state
// (TASK_INTERRUPTIBLE / TASK_RUNNING), try_to_wake_up() and
// schedule_hrtimeout_range(). Setting the state before testing the wait
// condition and sleeping afterwards cannot lose a wakeup, as in the kernel.
class Sleeper {
public:
  using Clock = std::chrono::steady_clock;

  // Linux: set_current_state(TASK_INTERRUPTIBLE).
  void PrepareToSleep();
  // Linux: __set_current_state(TASK_RUNNING).
  void SetRunning();
  // Linux: schedule() / schedule_hrtimeout_range(). Returns false if the
  // deadline passed without a wakeup (the task is then running again).
  bool Sleep(std::optional<Clock::time_point> deadline);
  // Linux: try_to_wake_up. Returns true if the task was asleep (or about to
  // sleep) and is now runnable.
  bool WakeUp();

private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool interruptible_ = false;  // guarded by mu_
};

// A wait entry that wakes a Sleeper and removes itself from the queue.
// Linux: autoremove_wake_function (unlinks only if the task was woken) and,
// with `always_unlink`, ep_autoremove_wake_function (unlinks in any case, so
// ep_poll can tell from the entry whether a wakeup happened).
class AutoremoveWaitEntry final : public WaitQueueEntry {
public:
  explicit AutoremoveWaitEntry(Sleeper* task, bool always_unlink = false)
      : task_(task), always_unlink_(always_unlink) {}
  int Wake(uint32_t key) override;

private:
  Sleeper* task_;
  bool always_unlink_;
};

// Sleeps on `wq` until `cond()` holds, as an exclusive waiter at the tail.
// `cond` is evaluated without the queue lock (it must read its state
// atomically or under its own lock). Linux: wait_event_interruptible_exclusive
// (no signals exist in the simulation, so it cannot fail).
template <class Cond> void WaitEventExclusive(WaitQueueHead& wq, Cond&& cond) {
  if (cond())
    return;
  Sleeper task;
  AutoremoveWaitEntry entry(&task);
  entry.exclusive = true;
  for (;;) {
    {
      std::lock_guard<SpinLock> guard(wq.lock());
      if (entry.Unlinked())
        wq.AddTailLocked(&entry);  // prepare_to_wait_exclusive
      task.PrepareToSleep();
    }
    if (cond())
      break;
    task.Sleep(std::nullopt);
  }
  task.SetRunning();
  std::lock_guard<SpinLock> guard(wq.lock());  // finish_wait
  if (!entry.Unlinked())
    entry.Unlink();
}

// Sleeps on `wq` until `cond()` holds, as a non-exclusive waiter at the
// head; `cond` as for WaitEventExclusive. Linux: the prepare_to_wait /
// schedule / finish_wait loops of the socket layer (sock_wait_for_wmem,
// unix_stream_data_wait), without signals or timeouts.
template <class Cond> void WaitEvent(WaitQueueHead& wq, Cond&& cond) {
  if (cond())
    return;
  Sleeper task;
  AutoremoveWaitEntry entry(&task);
  for (;;) {
    {
      std::lock_guard<SpinLock> guard(wq.lock());
      if (entry.Unlinked())
        wq.AddLocked(&entry);  // prepare_to_wait
      task.PrepareToSleep();
    }
    if (cond())
      break;
    task.Sleep(std::nullopt);
  }
  task.SetRunning();
  std::lock_guard<SpinLock> guard(wq.lock());  // finish_wait
  if (!entry.Unlinked())
    entry.Unlink();
}

// Sleeps on `wq` until `cond()` holds; the caller holds `held` (the queue's
// lock), which is dropped while sleeping. Linux:
// wait_event_interruptible_locked_irq (non-exclusive, tail).
template <class Cond>
void WaitEventLocked(WaitQueueHead& wq, std::unique_lock<SpinLock>& held,
                     Cond&& cond) {
  Sleeper task;
  AutoremoveWaitEntry entry(&task);
  while (!cond()) {
    if (entry.Unlinked())
      wq.AddTailLocked(&entry);
    task.PrepareToSleep();
    held.unlock();
    task.Sleep(std::nullopt);
    held.lock();
  }
  task.SetRunning();
  if (!entry.Unlinked())
    entry.Unlink();
}

}  // namespace epollcheck::sim
