// File: sut/sim/spinlock.h
// The simulated kernel's spinlock_t: the lock of the short critical
// sections that the kernel protects with spinlocks (wait queues, ep->lock,
// unix_state_lock, a socket's receive queue, files->file_lock,
// file->f_lock). Like the kernel's, taking it is one atomic exchange and
// releasing it a plain store (release), nothing that holds one may sleep,
// and on a uniprocessor (smp.h: the process has one thread) it is no atomic
// operation at all (spinlock_up.h), only a check that the section is not
// entered twice (a self-deadlock, which SMP would hang on). Unlike the
// kernel's, the holder can be preempted (user space cannot disable
// preemption), so a waiter spins briefly and then yields the CPU. Sleeping
// locks (ep->mtx, u->iolock, pipe->mutex, ...) stay std::mutex.
//
//   SpinLock lock;
//   std::lock_guard<SpinLock> guard(lock);   // spin_lock ... spin_unlock
//
// Linux: include/linux/spinlock.h, include/linux/spinlock_up.h,
// kernel/locking/qspinlock.c (whose fast path is the same single atomic
// operation).
#pragma once

#include <atomic>
#include <thread>

#include "model/check.h"
#include "sut/sim/smp.h"

namespace epollcheck::sim {

class SpinLock {
public:
  SpinLock() = default;
  SpinLock(const SpinLock&) = delete;
  SpinLock& operator=(const SpinLock&) = delete;

  // Linux: spin_lock. Acquire ordering: the section sees what the previous
  // holder wrote in its section.
  void lock() {
    if (!SmpRunning()) {
      EP_CHECK(!locked_.load(std::memory_order_relaxed));
      locked_.store(true, std::memory_order_relaxed);
      return;
    }
    if (!locked_.exchange(true, std::memory_order_acquire))
      return;  // uncontended: the common case
    LockSlow();
  }
  // Linux: spin_trylock.
  bool try_lock() {
    if (!SmpRunning()) {
      if (locked_.load(std::memory_order_relaxed))
        return false;
      locked_.store(true, std::memory_order_relaxed);
      return true;
    }
    return !locked_.load(std::memory_order_relaxed) &&
           !locked_.exchange(true, std::memory_order_acquire);
  }
  // Linux: spin_unlock: a release store, no atomic read-modify-write.
  void unlock() { locked_.store(false, std::memory_order_release); }

private:
  // Contended: wait (reading only, so the line stays shared) until the lock
  // looks free, then try again; after a short spin, yield each round, since
  // the holder may have been preempted.
  void LockSlow() {
    int spins = 0;
    do {
      while (locked_.load(std::memory_order_relaxed)) {
        if (spins < kSpinsBeforeYield) {
          ++spins;
          CpuRelax();
        } else {
          std::this_thread::yield();
        }
      }
    } while (locked_.exchange(true, std::memory_order_acquire));
  }
  // Linux: cpu_relax.
  static void CpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
  }

  static constexpr int kSpinsBeforeYield = 128;
  std::atomic<bool> locked_{false};  // held
};

}  // namespace epollcheck::sim
