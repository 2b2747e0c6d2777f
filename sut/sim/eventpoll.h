// File: sut/sim/eventpoll.h
// The eventpoll core: epoll instances (Eventpoll) that are files themselves,
// epoll items (Epitem) keyed by (file, fd) in an ordered interest tree, wait
// entries carrying the epoll callback on the watched files' queues, a ready
// list plus an overflow list used while a delivery scan runs, and blocking
// waits on an exclusive wait queue. Nested instances, the loop/depth check
// and the close rule (items die with the last reference to their file) work
// as in Linux 6.18.
//
//   FileRef ep = CreateEpollFile(kernel);                    // do_epoll_create
//   EpollEvent ev{.events = abi::kEpollIn, .data = 1};
//   DoEpollCtl(ep.get(), pipe_read.get(), abi::kEpollCtlAdd, 3, ev);
//   EpollEvent out[8];
//   DoEpollWait(ep.get(), out, 8, WaitTimeout::NonBlocking());
//
// Linux: fs/eventpoll.c (do_epoll_ctl, ep_insert, ep_modify, __ep_remove,
// ep_poll_callback, ep_send_events, ep_start_scan, ep_done_scan, ep_poll,
// __ep_eventpoll_poll, ep_loop_check, eventpoll_release_file,
// ep_clear_and_put). The locking rules are at the top of eventpoll.cc.
#pragma once

#include <chrono>
#include <cstdint>
#include <vector>

#include "sut/sim/file.h"
#include "sut/sim/sim_kernel.h"
#include "sut/sim/uaccess.h"

namespace epollcheck::sim {

// How long ep_poll may sleep. Linux: the timespec64 *timeout of ep_poll
// (NULL: no limit; {0, 0}: never block; else an absolute expiry).
struct WaitTimeout {
  enum class Kind { kInfinite, kNonBlocking, kDeadline };
  Kind kind = Kind::kInfinite;
  std::chrono::steady_clock::time_point deadline;

  static WaitTimeout Infinite() { return {}; }
  static WaitTimeout NonBlocking() { return {.kind = Kind::kNonBlocking}; }
  static WaitTimeout After(std::chrono::nanoseconds d) {
    return {.kind = Kind::kDeadline,
            .deadline = std::chrono::steady_clock::now() + d};
  }
};

// Linux: do_epoll_create after the flag check: a new instance and its file
// (anon_inode "[eventpoll]", O_RDWR), one reference.
FileRef CreateEpollFile(SimKernel* kernel);

// Linux: do_epoll_ctl from the "must support poll" check on (both files are
// open and referenced by the caller; `epds` was copied from the caller).
// Returns 0 or -errno in the kernel's order.
int DoEpollCtl(File* ep_file, File* target, int op, int fd, EpollEvent epds);

// Linux: do_epoll_wait after the epfd lookup: ep_check_params, then ep_poll.
// `events` is the user array (EpollEvent elements); a copy that faults
// part-way returns what was copied (EFAULT if nothing was).
int DoEpollWait(File* ep_file, const UserBuffer& events, int maxevents,
                const WaitTimeout& timeout);

// One item line of an epoll file's fdinfo: the descriptor number the item
// was added with, its stored mask and data, the watched file's inode.
struct EpollFdinfoLine {
  int tfd = -1;
  uint32_t events = 0;
  uint64_t data = 0;
  SimInode inode;
};

// Linux: ep_show_fdinfo (eventpoll_fops.show_fdinfo): every item of the
// interest tree, in tree order, read under ep->mtx. Appends to `out`;
// returns false if `ep_file` is not an epoll file (it shows no items).
bool ShowFdinfo(File* ep_file, std::vector<EpollFdinfoLine>* out);

// How many threads sleep in epoll_wait on this epoll file (the entries of
// ep->wq). Observation only, for tests; -1 if `ep_file` is not an epoll.
int SleepingWaiters(File* ep_file);

// Linux: eventpoll_release / eventpoll_release_file: removes every item
// watching `file`, silently (no event). Runs from __fput before
// f_op->release.
void EventpollRelease(File* file);
// The fault fault_close_drops_items (SimConfig): removes `file`'s items
// added with descriptor number `fd`. Called with a reference to `file`
// held.
void FaultDropItemsOfFd(File* file, int fd);

}  // namespace epollcheck::sim
