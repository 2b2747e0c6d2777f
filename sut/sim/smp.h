// File: sut/sim/smp.h
// Uniprocessor and SMP operation of the simulated kernel. The kernel built
// without CONFIG_SMP keeps every lock, refcount and barrier in its source
// but compiles them down: spin_lock is preempt_disable, smp_mb() a compiler
// barrier, and an atomic_t operation on x86 loses its LOCK prefix
// (LOCK_PREFIX is empty), because one CPU cannot race with itself. The
// simulation does the same at run time: while the process has a single
// thread (glibc's __libc_single_threaded: no thread was ever created), the
// primitives below skip the atomic read-modify-write and the fence; once a
// second thread exists they are the SMP ones. Threads are created outside
// simulated calls, so no lock or barrier is ever half UP and half SMP:
// pthread_create happens after the creating thread's earlier operations and
// before any of the new thread's (glibc's own mutexes rely on the same
// flag).
//
//   if (!SmpRunning()) ...              // one thread: no other CPU
//   SmpMb();                            // smp_mb()
//   AtomicAdd(sk->sk_wmem_alloc, n);    // refcount_add
//
// Linux: include/linux/spinlock_up.h, include/asm-generic/barrier.h
// (smp_mb without CONFIG_SMP), arch/x86/include/asm/alternative.h
// (LOCK_PREFIX).
#pragma once

#include <atomic>
#include <type_traits>

#if defined(__GLIBC__) &&                                                      \
    (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 32))
#include <sys/single_threaded.h>
#define EPOLLCHECK_SIM_HAVE_SINGLE_THREADED 1
#endif

namespace epollcheck::sim {

// Whether another thread may run the simulated kernel concurrently (the
// kernel's "more than one CPU"). Without glibc's flag: always.
inline bool SmpRunning() {
#ifdef EPOLLCHECK_SIM_HAVE_SINGLE_THREADED
  return __libc_single_threaded == 0;
#else
  return true;
#endif
}

// Linux: smp_mb(): a full barrier on SMP, a compiler barrier on UP.
inline void SmpMb() {
  if (SmpRunning()) {
    std::atomic_thread_fence(std::memory_order_seq_cst);
  } else {
    std::atomic_signal_fence(std::memory_order_seq_cst);
  }
}

// Linux: atomic_add_return-style operations (atomic_fetch_add, refcount_add
// ...): `v` added, the old value returned, with `order` on SMP; on UP a
// plain read and write of the atomic (no LOCK prefix).
template <class T>
T AtomicFetchAdd(std::atomic<T>& a, std::type_identity_t<T> v,
                 std::memory_order order = std::memory_order_seq_cst) {
  if (SmpRunning())
    return a.fetch_add(v, order);
  const T old = a.load(std::memory_order_relaxed);
  a.store(static_cast<T>(old + v), std::memory_order_relaxed);
  return old;
}

// The same, subtracting (atomic_fetch_sub, refcount_sub_and_test ...).
template <class T>
T AtomicFetchSub(std::atomic<T>& a, std::type_identity_t<T> v,
                 std::memory_order order = std::memory_order_seq_cst) {
  if (SmpRunning())
    return a.fetch_sub(v, order);
  const T old = a.load(std::memory_order_relaxed);
  a.store(static_cast<T>(old - v), std::memory_order_relaxed);
  return old;
}

}  // namespace epollcheck::sim
