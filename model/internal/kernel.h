// File: model/internal/kernel.h
// The model's internal kernel routines shared between its files: the file
// poll dispatch, wait-queue wakeups and the release of a file's last
// reference. Not part of the model's interface.
#pragma once

#include <cstdint>

#include <vector>

#include "model/outcome.h"
#include "model/step.h"
#include "model/world.h"

namespace epollcheck::internal {

// f_op->poll: the file's current readiness mask. May change state the way the
// kernel's poll does (pipe poll_usage, pruning of a nested epoll's ready list).
// Linux: fs/eventpoll.c ep_item_poll (vfs_poll / __ep_eventpoll_poll).
uint32_t PollFile(World& world, FileId file);

// A wakeup on the wait queue owned by `file` with poll key `key` (0 = no key):
// runs the epoll callback of every entry, in wait-queue order.
// Linux: kernel/sched/wait.c __wake_up_common, fs/eventpoll.c ep_poll_callback.
void WakeUp(World& world, FileId file, uint32_t key);

// Drops one reference to `file`; on the last one, releases it.
// Linux: fs/file_table.c fput / __fput.
void PutFile(World& world, FileId file);

// The epoll part of __fput: removes every item watching `file` from every
// instance, silently. Linux: fs/eventpoll.c eventpoll_release_file.
void EventpollReleaseFile(World& world, FileId file);
// f_op->release of an epoll file: unregisters all its items.
// Linux: fs/eventpoll.c ep_eventpoll_release, ep_clear_and_put.
void EpollFileRelease(World& world, FileId epoll_file);

// Pipe operations on an already validated pipe end (fs/pipe.c).
Outcome PipeWrite(World& world, FileId file, uint32_t count);
Outcome PipeRead(World& world, FileId file, uint32_t count);
Outcome PipeSetSize(World& world, FileId file, uint32_t size);
uint32_t PipePoll(World& world, FileId file);
void PipeRelease(World& world, FileId file);

// epoll syscalls (fs/eventpoll.c).
Outcome EpollCtlStep(World& world, int32_t epfd, int32_t op, int32_t fd,
                     uint32_t events, uint64_t data, bool null_event);
Outcome EpollWaitStep(World& world, int32_t epfd, int32_t maxevents,
                      std::vector<Delivery>* trace);
uint32_t EpollPoll(World& world, FileId epoll_file);

// Allocates the lowest free descriptor number and installs `file` there.
// Linux: fs/file.c alloc_fd.
// Requires: HasFreeFds(world, 1).
int32_t InstallLowestFd(World& world, FileId file);
// True if `n` numbers below the profile's fd_limit are free.
bool HasFreeFds(const World& world, int n);
FileId NewFile(World& world, File file);

}  // namespace epollcheck::internal
