// File: sut/sim/eventfd.h
// eventfd: a 64-bit counter behind one wait queue. A write adds (EAGAIN or a
// sleep if the sum would reach ULLONG_MAX), a read returns and clears the
// count (or, with EFD_SEMAPHORE, returns 1 and decrements). Every successful
// write wakes the queue with key IN, every read with key OUT, whatever the
// counter did, which is what an edge-triggered watcher sees.
//
//   FileRef f = CreateEventfd(kernel, 0, kEfdNonblock);   // eventfd2(0, ...)
//   uint64_t v = 3;
//   f->Write(&v, 8);           // 8; count 3; wakes with key IN
//   f->Poll(nullptr);          // IN|OUT
//
// Linux: fs/eventfd.c (eventfd_read, eventfd_write, eventfd_poll, do_eventfd).
#pragma once

#include <cstdint>

#include "sut/sim/file.h"

namespace epollcheck::sim {

// Linux: do_eventfd after the flag check: a new eventfd file opened O_RDWR
// with `flags & (O_NONBLOCK|O_CLOEXEC)`, one reference.
FileRef CreateEventfd(SimKernel* kernel, unsigned int initval, int flags);

}  // namespace epollcheck::sim
