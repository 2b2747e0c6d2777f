// File: model/internal/kernel.h
// The model's internal kernel routines shared between its files: the file
// poll dispatch, wait-queue wakeups and the release of a file's last
// reference. Not part of the model's interface.
#pragma once

#include <cstdint>

#include <optional>
#include <vector>

#include "model/outcome.h"
#include "model/step.h"
#include "model/world.h"

namespace epollcheck::internal {

// f_op->poll: the file's current readiness mask. May change state the way the
// kernel's poll does (pipe poll_usage, pruning of a nested epoll's ready list).
// Linux: fs/eventpoll.c ep_item_poll (vfs_poll / __ep_eventpoll_poll).
// `requested` is the poller's key (an epoll item's stored events), which
// some files consult (unix_dgram_poll).
// Linux: include/linux/poll.h file_can_poll: the file has ->poll.
bool FileCanPoll(FileKind kind);
uint32_t PollFile(World& world, FileId file, uint32_t requested);

// A wakeup on the wait queue owned by `file` with poll key `key` (0 = no key):
// runs the epoll callback of every entry, in wait-queue order.
// Linux: kernel/sched/wait.c __wake_up_common, fs/eventpoll.c ep_poll_callback.
void WakeUp(World& world, FileId file, uint32_t key);
// The same on a wait queue that belongs to no file (a pipe's rd_wait or
// wr_wait).
void WakeQueue(World& world, const std::vector<WaitEntry>& queue, uint32_t key);

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
// fifo_open of the sequence's FIFO: `mode` is kPipeRead, kPipeWrite or
// kPipeRdwr. Requires: HasFreeFds(world, 1).
Outcome FifoOpen(World& world, FileKind mode, uint32_t flags);

// eventfd (fs/eventfd.c).
Outcome EventfdCreate(World& world, uint32_t initval, uint32_t flags);
Outcome EventfdWrite(World& world, FileId file, uint32_t count, uint64_t value);
Outcome EventfdRead(World& world, FileId file, uint32_t count);
uint32_t EventfdPoll(World& world, FileId file);

// timerfd (fs/timerfd.c); `file` already validated for read and poll.
Outcome TimerfdCreate(World& world, int32_t clockid, uint32_t flags);
Outcome TimerfdSettime(World& world, int32_t fd, uint32_t flags,
                       int32_t expire);
Outcome TimerfdRead(World& world, FileId file, uint32_t count);
uint32_t TimerfdPoll(World& world, FileId file);

// Signals and signalfd (kernel/signal.c, fs/signalfd.c); `file` already
// validated for read and poll. SendSignal raises a blocked signal on the
// sequence's thread (tgkill, SIGPIPE).
void SendSignal(World& world, int32_t sig);
Outcome TgkillStep(World& world, int32_t sig);
Outcome SigpendingStep(World& world);
Outcome SigtimedwaitStep(World& world, uint64_t mask);
Outcome SignalfdStep(World& world, const Signalfd& op);
Outcome SignalfdRead(World& world, FileId file, uint32_t count);
uint32_t SignalfdPoll(World& world, FileId file);
// Child processes and pidfds (model/process.cc).
Outcome ForkStep(World& world, const Fork& op);
Outcome ChildCloseStep(World& world, const ChildClose& op);
Outcome ChildExitStep(World& world, const ChildExit& op);
Outcome ReapStep(World& world, const Reap& op);
Outcome PidfdOpenStep(World& world, const PidfdOpen& op);
uint32_t PidfdPoll(World& world, FileId file);
// The pid's wait queue (pid->wait_pidfd) a pidfd file polls on.
std::vector<WaitEntry>& PidWaitQueue(World& world, FileId pidfd_file);

// AF_UNIX sockets (net/unix/af_unix.c) on already validated socket files.
Outcome UnixSocketpair(World& world, uint32_t type_and_flags);
// `name`: sendto's address (nullopt for send/write).
Outcome UnixSend(World& world, FileId file, uint32_t len, uint32_t flags,
                 std::optional<int32_t> name = std::nullopt);
Outcome UnixSocketCreate(World& world, uint32_t type_and_flags);
Outcome UnixBind(World& world, FileId file, int32_t name);
Outcome UnixListen(World& world, FileId file, int32_t backlog);
Outcome UnixConnect(World& world, FileId file, int32_t name);
Outcome UnixAccept(World& world, FileId file, uint32_t flags);
Outcome UnixRecv(World& world, FileId file, uint32_t len, uint32_t flags);
Outcome UnixShutdown(World& world, FileId file, int32_t how);
Outcome UnixSetSockOpt(World& world, FileId file, int32_t name, int32_t value);
Outcome UnixGetSockOpt(World& world, FileId file, int32_t name);
uint32_t UnixPoll(World& world, FileId file, uint32_t requested);
void UnixRelease(World& world, FileId file);

// SOL_SOCKET option values both socket families store (net/core/sock.c
// sk_setsockopt): SO_SNDBUF/SO_RCVBUF and SO_RCVLOWAT.
int32_t SetBufSize(int32_t value, int32_t max, int32_t min);
int32_t SetRcvlowat(int32_t value);

// AF_INET sockets on loopback (net/ipv4) on already validated socket files.
Outcome InetSocketCreate(World& world, uint32_t type_and_flags);
Outcome InetBind(World& world, FileId file, int32_t name);
Outcome InetListen(World& world, FileId file, int32_t backlog);
Outcome InetConnect(World& world, FileId file, int32_t name);
Outcome InetAccept(World& world, FileId file, uint32_t flags);
Outcome InetSend(World& world, FileId file, uint32_t len, uint32_t flags,
                 std::optional<int32_t> name = std::nullopt);
Outcome InetRecv(World& world, FileId file, uint32_t len, uint32_t flags);
Outcome InetShutdown(World& world, FileId file, int32_t how);
Outcome InetSetSockOpt(World& world, FileId file, int32_t name, int32_t value);
Outcome InetGetSockOpt(World& world, FileId file, int32_t name);
uint32_t InetPoll(World& world, FileId file);
void InetRelease(World& world, FileId file);

// poll/ppoll and select/pselect6 with a zero timeout (fs/select.c);
// `sigsetsize` -1 is a NULL sigmask.
Outcome PollStep(World& world, const int32_t (&fds)[3],
                 const uint32_t (&events)[3], int32_t nfds, int32_t sigsetsize);
Outcome SelectStep(World& world, int32_t nfds, uint64_t in, uint64_t out_set,
                   uint64_t ex, int32_t sigsetsize);

// epoll syscalls (fs/eventpoll.c).
// `buf` is the event pointer's UserBuf (null_event: kBufNull).
Outcome EpollCtlStep(World& world, int32_t epfd, int32_t op, int32_t fd,
                     uint32_t events, uint64_t data, uint32_t buf);
// do_epoll_wait and ep_poll with the events array at `buf` (UserBuf);
// `waits` is a non-zero timeout (ep_poll would sleep if nothing is
// delivered: the caller's generator keeps that from happening).
Outcome EpollWaitStep(World& world, int32_t epfd, int32_t maxevents,
                      uint32_t buf, bool waits, std::vector<Delivery>* trace);
uint32_t EpollPoll(World& world, FileId epoll_file);

// The epoll file as a file, and the descriptor limit (model/epfile.cc).
Outcome EpollIoctlStep(World& world, const EpollIoctl& op);
Outcome LseekStep(World& world, const Lseek& op);
Outcome GetFlStep(World& world, const GetFl& op);
Outcome SetFlStep(World& world, const SetFl& op);
Outcome SetRlimitNofileStep(World& world, const SetRlimitNofile& op);

// Allocates the lowest free descriptor number and installs `file` there.
// Linux: fs/file.c alloc_fd.
// Requires: HasFreeFds(world, 1).
int32_t InstallLowestFd(World& world, FileId file);
// True if `n` numbers below RLIMIT_NOFILE (World::FdLimit) are free.
bool HasFreeFds(const World& world, int n);
FileId NewFile(World& world, File file);

}  // namespace epollcheck::internal
