// File: model/rule_table.h
// The model's rules, one entry each: a stable name, what it decides (the
// kernel function it mirrors) and the kernel eras that have it. RULE("name")
// (model/rules.h) counts a rule where the model applies it; docs/rules.md is
// generated from this table (`rules_doc_is_current` test; regenerate with
// `build/epollcheck_rules_doc > docs/rules.md`).
//
// Names are `area.what.detail`: the syscall or file type (`epoll_ctl`,
// `pipe`, `unix.dgram`, `tcp`), then what decides, then the case; errno
// checks are `call.errno.why` (`epoll_ctl.ebadf.epfd`), readiness
// conditions `file.poll.bit.why` (`pipe.poll.hup.no_writers`), wakeups
// `file.call.wake.why` (`pipe.write.wake.was_empty`). A name never changes
// meaning; a rule that goes away leaves its name unused.
#pragma once

#include <cstdint>
#include <string_view>

namespace epollcheck {

// Which kernels have a rule (the Profile fields that select it). kAny: all.
enum class RuleEra : uint8_t {
  kAny,
  kWaitFdFirst,              // 6.15+: epoll_wait checks epfd first
  kWaitMaxFirst,             // before 6.15
  kPipeWakeEvery,            // up to 5.4: every write wakes readers
  kPipeWakeOnEmpty,          // 5.5+: a write to an empty pipe wakes
  kPipeWakeIfEmpty,          // 5.5-5.13
  kPipeWakeIfEmptyOrPolled,  // 5.14+
  kPipeReadUnfull,           // 6.14+
  kPipeReadWasFull,          // before 6.14
  kLoopUpward,               // 6.17+ (and stable backports)
  kLoopDownward,             // before 6.17 without the backport
  kWakeupKept,               // CONFIG_PM_SLEEP and CAP_BLOCK_SUSPEND
  kWakeupDropped,            // otherwise
  kNoCapSysResource,         // without CAP_SYS_RESOURCE
  kEventfdWriteExact,        // 6.9+: eventfd_write takes exactly 8 bytes
  kTcpListenRefusesSynSent,  // 6.18 (measured): a socket that sent a SYN
  kTcpListenAfterSynSent,    // 5.10, 6.1 (measured): it may listen
  kUnixDgramAllocFirst,      // 6.18 (measured): allocate, then find the peer
  kUnixDgramPeerFirst,       // 5.10 (measured): no peer is ENOTCONN first
  kUnixNoOob,                // before 5.15, or no CONFIG_AF_UNIX_OOB
  kPwait2,                   // 5.11+: epoll_pwait2 exists
  kNoPwait2,                 // before 5.11: ENOSYS
  kEpollIoctl,               // 6.9+: the epoll file has an ioctl
  kEpollIoctlBusyPoll,       // 6.9+ with CONFIG_NET_RX_BUSY_POLL
  kEpollIoctlNoBusyPoll,     // 6.9+ without CONFIG_NET_RX_BUSY_POLL
  kNoEpollIoctl,             // before 6.9: ENOTTY
  kBusyPollNoCapNetAdmin,    // the EPIOC ioctls without CAP_NET_ADMIN
  kCapNetAdmin,              // with CAP_NET_ADMIN
  kNoCapFowner,              // without CAP_FOWNER (not uid 0)
  kPidfs,                    // 6.9+: pidfds in pidfs
  kNoPidfs,                  // before 6.9: pidfds on the anonymous inode
  kWatchLimitReachable,      // fs.epoll.max_user_watches small (a VM guest)
  kTcpConnectRefusesFormerListener,  // 6.18 (measured): EINVAL
  kTcpConnectAfterListen,            // 6.12.117 (measured): it may connect
  kPidfdIoctlChecksArgs,    // 6.11-6.13: pidfd_ioctl checks arg and task
  kUnixOobStopsAtConsumed,  // 5.15-6.9: manage_oob's consumed skb ends a read
  kAnonInodeLseek,          // 6.0+: anonymous-inode files have FMODE_LSEEK
  kNoAnonInodeLseek,        // before 6.0: ESPIPE
  kUnixReleaseSkipsEmpty,   // 6.16 and backports: an empty skb is no reset
  kUnixReleaseAnySkb,       // before: any queued skb is ECONNRESET
  kUnixOobZeroRecvReturnsZero,  // 7.x, 6.12.117 (measured): 0-byte recv 0
  kUnixOobPeekPastMark,         // 6.9+, Debian 6.1.0-57: peek steps over
  kUnixOobPeekReadsMark,        // before 6.9: peek reads the mark as data
};

struct RuleInfo {
  std::string_view name;
  std::string_view doc;
  RuleEra era = RuleEra::kAny;
};

inline constexpr RuleInfo kRules[] = {
    {"fd.alloc.lowest_top", "fs/file.c alloc_fd: the new descriptor is the "
                            "lowest free number, above every open one"},
    {"fd.alloc.lowest_hole",
     "fs/file.c alloc_fd: the lowest free number is a hole below an open "
     "descriptor (a closed number is reused)"},
    {"fd.alloc.emfile",
     "fs/file.c alloc_fd: no free number below RLIMIT_NOFILE: EMFILE"},
    {"file.put.still_referenced",
     "fs/file_table.c fput: another descriptor still refers to the file; "
     "nothing is released (epoll items stay)"},
    {"file.put.last_reference", "fs/file_table.c __fput: the last reference "
                                "goes; eventpoll_release, then f_op->release"},
    {"close.ebadf", "fs/file.c close_fd: the descriptor is not open: EBADF"},
    {"dup.ebadf", "fs/file.c dup: the descriptor is not open: EBADF"},
    {"dup2.ebadf.oldfd", "fs/file.c dup2: oldfd is not open: EBADF"},
    {"dup2.same_fd",
     "fs/file.c dup2: newfd == oldfd (open) returns newfd and does nothing"},
    {"dup2.ebadf.newfd_negative",
     "fs/file.c ksys_dup3: a negative newfd is a huge unsigned number: EBADF"},
    {"dup2.ebadf.newfd_limit",
     "fs/file.c ksys_dup3: newfd >= RLIMIT_NOFILE: EBADF"},
    {"dup2.replaces_open", "fs/file.c do_dup2: newfd was open; its old file is "
                           "closed after the new one is installed"},
    {"dup2.to_free", "fs/file.c do_dup2: newfd was free"},
    {"write.ebadf.closed",
     "fs/read_write.c ksys_write: the descriptor is not open: EBADF"},
    {"write.ebadf.not_writable",
     "fs/read_write.c vfs_write: no FMODE_WRITE (a pipe's read end): EBADF"},
    {"write.einval.epoll",
     "fs/read_write.c vfs_write: no write method (an epoll file): EINVAL"},
    {"read.ebadf.closed",
     "fs/read_write.c ksys_read: the descriptor is not open: EBADF"},
    {"read.ebadf.not_readable",
     "fs/read_write.c vfs_read: no FMODE_READ (a pipe's write end): EBADF"},
    {"read.einval.epoll",
     "fs/read_write.c vfs_read: no read method (an epoll file): EINVAL"},
    {"read.socket.zero", "net/socket.c sock_read_iter: a read of 0 bytes from "
                         "a socket returns 0 (\"Match SYS5 behaviour\")"},
    {"pipe2.einval.flags",
     "fs/pipe.c __do_pipe_flags: a flag outside "
     "O_CLOEXEC|O_NONBLOCK|O_DIRECT|O_NOTIFICATION_PIPE: EINVAL"},
    {"pipe_fcntl.ebadf.closed",
     "fs/fcntl.c SYSCALL_DEFINE3(fcntl): the descriptor is not open: EBADF"},
    {"pipe_fcntl.ebadf.not_pipe",
     "fs/pipe.c pipe_fcntl: F_SETPIPE_SZ/F_GETPIPE_SZ on a file that is not a "
     "pipe: EBADF"},
    {"sock.lookup.ebadf",
     "net/socket.c sockfd_lookup_light: the descriptor is not open: EBADF"},
    {"sock.lookup.enotsock",
     "net/socket.c sockfd_lookup_light: the file is not a socket: ENOTSOCK"},
    {"accept4.ebadf",
     "net/socket.c __sys_accept4: the descriptor is not open: EBADF"},
    {"accept4.einval.flags",
     "net/socket.c __sys_accept4_file: a flag outside "
     "SOCK_CLOEXEC|SOCK_NONBLOCK: EINVAL (before the descriptor is allocated)"},
    {"accept4.enotsock", "net/socket.c do_accept: the file is not a socket: "
                         "ENOTSOCK (after the descriptor is reserved)"},
    {"listen.backlog_clamped",
     "net/socket.c __sys_listen: a backlog above somaxconn (as an unsigned, so "
     "negative too) is clamped to somaxconn"},
    {"epoll_create.einval.size",
     "fs/eventpoll.c epoll_create: size <= 0: EINVAL"},
    {"epoll_create1.einval.flags",
     "fs/eventpoll.c do_epoll_create: a flag other than EPOLL_CLOEXEC: EINVAL"},
    {"epoll_ctl.efault.event",
     "fs/eventpoll.c epoll_ctl: ADD/MOD (ep_op_has_event) with a NULL event: "
     "EFAULT, before any descriptor check"},
    {"epoll_ctl.del.event_ignored", "fs/eventpoll.c epoll_ctl: DEL never reads "
                                    "the event, so a NULL one is fine"},
    {"epoll_ctl.ebadf.epfd",
     "fs/eventpoll.c do_epoll_ctl: epfd is not open: EBADF"},
    {"epoll_ctl.ebadf.fd",
     "fs/eventpoll.c do_epoll_ctl: fd is not open: EBADF"},
    {"epoll_ctl.epollwakeup.dropped",
     "fs/eventpoll.c ep_take_care_of_epollwakeup: without CONFIG_PM_SLEEP or "
     "CAP_BLOCK_SUSPEND, EPOLLWAKEUP is cleared",
     RuleEra::kWakeupDropped},
    {"epoll_ctl.epollwakeup.kept",
     "fs/eventpoll.c ep_take_care_of_epollwakeup: with CONFIG_PM_SLEEP and "
     "CAP_BLOCK_SUSPEND, EPOLLWAKEUP is stored",
     RuleEra::kWakeupKept},
    {"epoll_ctl.einval.self",
     "fs/eventpoll.c do_epoll_ctl: fd names the epoll file itself: EINVAL"},
    {"epoll_ctl.einval.not_epoll",
     "fs/eventpoll.c do_epoll_ctl: epfd is not an epoll file: EINVAL"},
    {"epoll_ctl.einval.exclusive.mod",
     "fs/eventpoll.c do_epoll_ctl: EPOLLEXCLUSIVE with MOD: EINVAL, before the "
     "item lookup"},
    {"epoll_ctl.einval.exclusive.epoll_target",
     "fs/eventpoll.c do_epoll_ctl: EPOLLEXCLUSIVE on an epoll target: EINVAL"},
    {"epoll_ctl.einval.exclusive.bits",
     "fs/eventpoll.c do_epoll_ctl: EPOLLEXCLUSIVE with a bit outside "
     "EPOLLEXCLUSIVE_OK_BITS: EINVAL"},
    {"epoll_ctl.eloop.loop",
     "fs/eventpoll.c ep_loop_check_proc: the instance being inserted into is "
     "reachable below the target epoll: ELOOP"},
    {"epoll_ctl.eloop.depth_below",
     "fs/eventpoll.c ep_loop_check_proc: an epoll sits more than EP_MAX_NESTS "
     "levels below the target: ELOOP (6.17+ refuses a chain that long "
     "before it can be built)",
     RuleEra::kLoopDownward},
    {"epoll_ctl.eloop.depth_upward",
     "fs/eventpoll.c ep_loop_check (6.17+, f2e467a48287): the levels below the "
     "target, the new link and the levels above (ep_get_upwards_depth_proc) "
     "make a chain of more than EP_MAX_NESTS links: ELOOP",
     RuleEra::kLoopUpward},
    {"epoll_ctl.nest.longest_chain",
     "fs/eventpoll.c ep_loop_check (6.17+): a link that makes a chain of "
     "exactly EP_MAX_NESTS links is accepted",
     RuleEra::kLoopUpward},
    {"epoll_ctl.loop_check.visited_skip",
     "fs/eventpoll.c ep_loop_check_proc (before 6.17): an instance already "
     "visited in this check (loop_check_gen) is not walked again",
     RuleEra::kLoopDownward},
    {"epoll_ctl.eexist", "fs/eventpoll.c do_epoll_ctl: ADD of a (file, fd) "
                         "already in the interest set: EEXIST"},
    {"epoll_ctl.enospc.max_user_watches",
     "fs/eventpoll.c ep_insert: the user already has fs.epoll.max_user_watches "
     "items in all its instances (ep->user->epoll_watches): ENOSPC, before "
     "anything is allocated",
     RuleEra::kWatchLimitReachable},
    {"epoll_ctl.add.insert",
     "fs/eventpoll.c ep_insert: the item joins the interest set, its mask "
     "with ERR|HUP, and registers on the target's wait queue"},
    {"epoll_ctl.add.same_file_other_fd",
     "fs/eventpoll.c ep_cmp_ffd: items are keyed by (file, fd), so the same "
     "file under another descriptor number is a new item"},
    {"epoll_ctl.events.err_hup_implied",
     "fs/eventpoll.c ep_insert/ep_modify: EPOLLERR|EPOLLHUP are or-ed into "
     "every stored mask"},
    {"epoll_ctl.events.unknown_kept",
     "fs/eventpoll.c ep_insert: bits the kernel does not define are stored as "
     "given"},
    {"epoll_ctl.add.exclusive_tail",
     "fs/eventpoll.c ep_ptable_queue_proc: an EPOLLEXCLUSIVE item's wait entry "
     "goes at the tail of the file's queue (add_wait_queue_exclusive)"},
    {"epoll_ctl.add.queue_head",
     "fs/eventpoll.c ep_ptable_queue_proc: a wait entry goes at the head of a "
     "file's non-empty queue (add_wait_queue): later items are woken first"},
    {"epoll_ctl.einval.path_depth",
     "fs/eventpoll.c reverse_path_check_proc: a path from the file up through "
     "watched epolls is deeper than EP_MAX_NESTS: EINVAL (reachable before "
     "6.17)",
     RuleEra::kLoopDownward},
    {"epoll_ctl.einval.paths.1",
     "fs/eventpoll.c path_count_inc: more than 500 wakeup paths of length 2 "
     "from one file: EINVAL"},
    {"epoll_ctl.einval.paths.2",
     "fs/eventpoll.c path_count_inc: more than 100 wakeup paths of length 3 "
     "from one file: EINVAL"},
    {"epoll_ctl.einval.paths.3",
     "fs/eventpoll.c path_count_inc: more than 50 wakeup paths of length 4 "
     "from one file: EINVAL"},
    {"epoll_ctl.einval.paths.4",
     "fs/eventpoll.c path_count_inc: more than 10 wakeup paths of length 5 "
     "from one file: EINVAL"},
    {"epoll_ctl.add.ready",
     "fs/eventpoll.c ep_insert: the new item polls ready: it is queued at once "
     "and the epoll's watchers are woken"},
    {"epoll_ctl.add.not_ready", "fs/eventpoll.c ep_insert: the new item polls "
                                "not ready: nothing is queued"},
    {"epoll_ctl.del.enoent", "fs/eventpoll.c do_epoll_ctl: DEL of a (file, fd) "
                             "not in the interest set: ENOENT"},
    {"epoll_ctl.del.ok", "fs/eventpoll.c ep_remove: DEL unregisters the item "
                         "and takes it off the ready list"},
    {"epoll_ctl.mod.enoent", "fs/eventpoll.c do_epoll_ctl: MOD of a (file, fd) "
                             "not in the interest set: ENOENT"},
    {"epoll_ctl.einval.mod_exclusive_item",
     "fs/eventpoll.c do_epoll_ctl: MOD of an item added with EPOLLEXCLUSIVE: "
     "EINVAL"},
    {"epoll_ctl.mod.rearm",
     "fs/eventpoll.c ep_modify: MOD of a disarmed ONESHOT item re-arms it"},
    {"epoll_ctl.mod.ready_queue",
     "fs/eventpoll.c ep_modify: the item polls ready and was not queued: "
     "queued, watchers woken"},
    {"epoll_ctl.mod.ready_already_queued",
     "fs/eventpoll.c ep_modify: the item polls ready and is already queued: "
     "its place is kept"},
    {"epoll_ctl.mod.not_ready", "fs/eventpoll.c ep_modify: the item polls not "
                                "ready: a queued item stays queued"},
    {"epoll_ctl.einval.op", "fs/eventpoll.c do_epoll_ctl: an unknown op: "
                            "EINVAL, after every other check"},
    {"epoll_wait.order.ebadf_first",
     "fs/eventpoll.c do_epoll_wait (6.15+, ep_check_params): a bad epfd and a "
     "bad maxevents together: EBADF",
     RuleEra::kWaitFdFirst},
    {"epoll_wait.order.einval_first",
     "fs/eventpoll.c do_epoll_wait (before 6.15): a bad maxevents and a bad "
     "epfd together: EINVAL",
     RuleEra::kWaitMaxFirst},
    {"epoll_wait.ebadf.epfd",
     "fs/eventpoll.c do_epoll_wait: epfd is not open: EBADF"},
    {"epoll_wait.einval.maxevents",
     "fs/eventpoll.c do_epoll_wait: maxevents <= 0 or > EP_MAX_EVENTS: EINVAL"},
    {"epoll_wait.einval.not_epoll",
     "fs/eventpoll.c do_epoll_wait: epfd is not an epoll file: EINVAL"},
    {"nopoll.epoll_ctl.eperm",
     "fs/eventpoll.c do_epoll_ctl: the target has no ->poll (file_can_poll: "
     "a regular file, a directory, /dev/null): EPERM, after both EBADFs, "
     "before every EINVAL (a non-epoll epfd and DEL included)"},
    {"opath.fdget.ebadf",
     "fs/file.c __fget_light: fdget() refuses an O_PATH file (FMODE_PATH): "
     "EBADF from every call but close, dup, dup2 and select"},
    {"nopoll.open.regular", "fs/open.c do_sys_openat2: the sequence's regular "
                            "file, O_RDWR|O_CREAT (it starts empty)"},
    {"ioctl.ebadf",
     "fs/ioctl.c SYSCALL_DEFINE3(ioctl): the descriptor is not open: EBADF"},
    {"ioctl.enotty.not_epoll",
     "fs/ioctl.c vfs_ioctl: an EPIOC command on a file that is not an epoll "
     "file (no unlocked_ioctl, or -ENOIOCTLCMD): ENOTTY"},
    {"epoll_ioctl.enotty.no_ioctl",
     "fs/ioctl.c vfs_ioctl: eventpoll_fops has no unlocked_ioctl: ENOTTY",
     RuleEra::kNoEpollIoctl},
    {"epoll_ioctl.einval.cmd",
     "fs/eventpoll.c ep_eventpoll_ioctl: a command other than EPIOCSPARAMS and "
     "EPIOCGPARAMS: EINVAL (not ENOTTY)",
     RuleEra::kEpollIoctl},
    {"epoll_ioctl.eopnotsupp.no_busy_poll",
     "fs/eventpoll.c ep_eventpoll_bp_ioctl without CONFIG_NET_RX_BUSY_POLL: "
     "EOPNOTSUPP",
     RuleEra::kEpollIoctlNoBusyPoll},
    {"epoll_ioctl.set.efault",
     "fs/eventpoll.c ep_eventpoll_bp_ioctl: EPIOCSPARAMS cannot copy the "
     "8-byte struct epoll_params in: EFAULT, first",
     RuleEra::kEpollIoctlBusyPoll},
    {"epoll_ioctl.set.einval.pad",
     "fs/eventpoll.c ep_eventpoll_bp_ioctl: __pad is not 0: EINVAL",
     RuleEra::kEpollIoctlBusyPoll},
    {"epoll_ioctl.set.einval.usecs",
     "fs/eventpoll.c ep_eventpoll_bp_ioctl: busy_poll_usecs above S32_MAX: "
     "EINVAL (after the pad check)",
     RuleEra::kEpollIoctlBusyPoll},
    {"epoll_ioctl.set.einval.prefer",
     "fs/eventpoll.c ep_eventpoll_bp_ioctl: prefer_busy_poll above 1: EINVAL "
     "(after the usecs check)",
     RuleEra::kEpollIoctlBusyPoll},
    {"epoll_ioctl.set.eperm.budget",
     "fs/eventpoll.c ep_eventpoll_bp_ioctl: busy_poll_budget above "
     "NAPI_POLL_WEIGHT (64) without CAP_NET_ADMIN: EPERM, last",
     RuleEra::kBusyPollNoCapNetAdmin},
    {"epoll_ioctl.set.budget_privileged",
     "fs/eventpoll.c ep_eventpoll_bp_ioctl: a budget above NAPI_POLL_WEIGHT "
     "with CAP_NET_ADMIN is stored",
     RuleEra::kCapNetAdmin},
    {"epoll_ioctl.set.stored",
     "fs/eventpoll.c ep_eventpoll_bp_ioctl: EPIOCSPARAMS stores usecs, budget "
     "and prefer_busy_poll",
     RuleEra::kEpollIoctlBusyPoll},
    {"epoll_ioctl.get.efault",
     "fs/eventpoll.c ep_eventpoll_bp_ioctl: EPIOCGPARAMS cannot copy the "
     "struct out: EFAULT",
     RuleEra::kEpollIoctlBusyPoll},
    {"epoll_ioctl.get.params",
     "fs/eventpoll.c ep_eventpoll_bp_ioctl: EPIOCGPARAMS returns what "
     "EPIOCSPARAMS stored (all zero at first), __pad 0",
     RuleEra::kEpollIoctlBusyPoll},
    {"lseek.ebadf",
     "fs/read_write.c ksys_lseek: the descriptor is not open: EBADF"},
    {"lseek.einval.whence",
     "fs/read_write.c ksys_lseek: whence above SEEK_MAX (SEEK_HOLE): EINVAL, "
     "before the file is asked (a pipe too)"},
    {"lseek.espipe",
     "fs/read_write.c vfs_llseek: pipes and sockets have no FMODE_LSEEK: "
     "ESPIPE"},
    {"lseek.espipe.anon_inode",
     "fs/read_write.c vfs_llseek (before 6.0): alloc_file leaves FMODE_LSEEK "
     "clear on an anonymous-inode file (epoll, eventfd, timerfd, signalfd): "
     "no_llseek, ESPIPE",
     RuleEra::kNoAnonInodeLseek},
    {"lseek.noop.epoll",
     "fs/eventpoll.c eventpoll_fops.llseek = noop_llseek: returns f_pos (0), "
     "whatever the offset",
     RuleEra::kAnonInodeLseek},
    {"lseek.noop.eventfd",
     "fs/eventfd.c eventfd_fops.llseek = noop_llseek: returns f_pos (0)",
     RuleEra::kAnonInodeLseek},
    {"lseek.noop.timerfd",
     "fs/timerfd.c timerfd_fops.llseek = noop_llseek: f_pos (0), whatever "
     "the offset and whence",
     RuleEra::kAnonInodeLseek},
    {"lseek.noop.signalfd",
     "fs/signalfd.c signalfd_fops.llseek = noop_llseek: f_pos (0)",
     RuleEra::kAnonInodeLseek},
    {"lseek.devnull", "drivers/char/mem.c null_lseek: f_pos = 0, returns 0"},
    {"lseek.regular.set",
     "fs/read_write.c generic_file_llseek_size: the new f_pos (SEEK_SET, "
     "SEEK_CUR, SEEK_END from i_size)"},
    {"lseek.regular.cur_zero",
     "fs/read_write.c generic_file_llseek_size: SEEK_CUR by 0 returns f_pos"},
    {"lseek.einval.negative",
     "fs/read_write.c vfs_setpos: a negative position: EINVAL"},
    {"lseek.regular.data_hole",
     "fs/read_write.c generic_file_llseek_size: SEEK_DATA / SEEK_HOLE (a file "
     "without holes: data up to i_size)"},
    {"lseek.enxio.past_end",
     "fs/read_write.c generic_file_llseek_size: SEEK_DATA / SEEK_HOLE at or "
     "past i_size: ENXIO"},
    {"lseek.directory",
     "fs/ext4/dir.c ext4_dir_llseek: a hashed directory's end is LLONG_MAX"},
    {"fcntl.ebadf",
     "fs/fcntl.c SYSCALL_DEFINE3(fcntl): the descriptor is not open: EBADF"},
    {"fcntl.getfl.epoll",
     "fs/fcntl.c do_fcntl F_GETFL: an epoll file is O_RDWR plus what "
     "F_SETFL set (no O_CLOEXEC, no O_LARGEFILE)"},
    {"fcntl.getfl.other",
     "fs/fcntl.c do_fcntl F_GETFL: the access mode, O_LARGEFILE of an "
     "open(), the status flags (a pipe's read end has no O_DIRECT; O_PATH "
     "alone for an O_PATH descriptor)"},
    {"fcntl.setfl.ebadf.opath",
     "fs/fcntl.c check_fcntl_cmd: F_SETFL on an O_PATH descriptor: EBADF"},
    {"fcntl.setfl.eperm.noatime",
     "fs/fcntl.c setfl: O_NOATIME on a file the caller does not own (the "
     "anonymous inode, /dev/null) without CAP_FOWNER: EPERM",
     RuleEra::kNoCapFowner},
    {"fcntl.setfl.einval.direct",
     "fs/fcntl.c setfl: O_DIRECT on a file without FMODE_CAN_ODIRECT that is "
     "not a pipe (epoll, eventfd, sockets, /dev/null, a directory): EINVAL"},
    {"fcntl.setfl.async.fasync",
     "fs/fcntl.c setfl: O_ASYNC changes: the file's ->fasync (pipes, "
     "sockets) sets or clears FASYNC"},
    {"fcntl.setfl.async.no_fasync",
     "fs/fcntl.c setfl: O_ASYNC on a file without ->fasync (epoll, eventfd): "
     "accepted, never stored"},
    {"fcntl.setfl.epoll",
     "fs/fcntl.c setfl: an epoll file takes O_NONBLOCK, O_APPEND, O_NOATIME "
     "(SETFL_MASK), which change nothing it does"},
    {"fcntl.setfl.other",
     "fs/fcntl.c setfl: f_flags = (arg & SETFL_MASK) | the rest"},
    {"setrlimit.einval.above_hard",
     "kernel/sys.c do_prlimit: RLIMIT_NOFILE's soft limit above the hard "
     "one: EINVAL"},
    {"setrlimit.nofile.lowered",
     "kernel/sys.c do_prlimit: a lower RLIMIT_NOFILE soft limit (descriptors "
     "already open stay)"},
    {"setrlimit.nofile.raised",
     "kernel/sys.c do_prlimit: the soft limit raised again, up to the hard "
     "limit"},
    {"nopoll.open.directory", "fs/open.c do_sys_openat2: the sequence's "
                              "directory, O_RDONLY|O_DIRECTORY"},
    {"nopoll.open.devnull", "fs/open.c do_sys_openat2: /dev/null, O_RDWR"},
    {"opath.open", "fs/open.c do_sys_openat2: the regular file, O_PATH"},
    {"timerfd.create.einval.flags",
     "fs/timerfd.c timerfd_create: flags other than TFD_NONBLOCK|TFD_CLOEXEC: "
     "EINVAL"},
    {"timerfd.create.einval.clock",
     "fs/timerfd.c timerfd_create: a clock other than REALTIME, MONOTONIC, "
     "BOOTTIME (and the _ALARM ones): EINVAL, before the descriptor"},
    {"timerfd.create",
     "fs/timerfd.c timerfd_create: a disarmed timer, 0 ticks"},
    {"timerfd.settime.einval.flags",
     "fs/timerfd.c do_timerfd_settime: flags other than ABSTIME|CANCEL_ON_SET: "
     "EINVAL, before the descriptor is looked at"},
    {"timerfd.settime.einval.value",
     "fs/timerfd.c do_timerfd_settime: tv_nsec out of range "
     "(itimerspec64_valid): EINVAL, before the descriptor"},
    {"timerfd.settime.ebadf",
     "fs/timerfd.c do_timerfd_settime: the descriptor is not open (or "
     "O_PATH): EBADF"},
    {"timerfd.settime.einval.not_timerfd",
     "fs/timerfd.c do_timerfd_settime: not a timerfd (f_op != timerfd_fops): "
     "EINVAL"},
    {"timerfd.settime.clears_ticks",
     "fs/timerfd.c timerfd_setup: unread ticks are dropped (no wakeup)"},
    {"timerfd.settime.disarm",
     "fs/timerfd.c timerfd_setup: it_value 0 disarms"},
    {"timerfd.settime.far",
     "fs/timerfd.c timerfd_setup: armed to expire after the sequence"},
    {"timerfd.expire.wakes",
     "fs/timerfd.c timerfd_tmrproc: the expiry counts a tick and wakes the "
     "queue with key IN"},
    {"timerfd.read.einval.short",
     "fs/timerfd.c timerfd_read_iter: fewer than 8 bytes (0 included): EINVAL"},
    {"timerfd.read.eagain",
     "fs/timerfd.c timerfd_read_iter: no tick, O_NONBLOCK: EAGAIN"},
    {"timerfd.read.ticks",
     "fs/timerfd.c timerfd_read_iter: the tick count (8 bytes), then 0 ticks; "
     "no wakeup"},
    {"timerfd.poll.in", "fs/timerfd.c timerfd_poll: IN while a tick is unread"},
    {"timerfd.write.einval",
     "fs/read_write.c vfs_write: a timerfd has no ->write (FMODE_CAN_WRITE "
     "unset): EINVAL, whatever the count"},
    {"signal.send.legacy_queue_drop",
     "kernel/signal.c legacy_queue: a standard signal already pending is "
     "dropped, before signalfd_notify (no wakeup)"},
    {"signal.send.rt_queued",
     "kernel/signal.c __send_signal_locked: a real-time signal already "
     "pending is queued again"},
    {"signal.send.signalfd_notify",
     "include/linux/signalfd.h signalfd_notify: any signal queued wakes "
     "sighand->signalfd_wqh without a key: every signalfd item, whatever its "
     "mask"},
    {"signal.sigpipe.tcp",
     "net/core/stream.c sk_stream_error: a TCP send failing with EPIPE (the "
     "pending error included) raises SIGPIPE unless MSG_NOSIGNAL"},
    {"signal.sigpipe.unix_stream.shutdown",
     "net/unix/af_unix.c unix_stream_sendmsg: SEND_SHUTDOWN: SIGPIPE unless "
     "MSG_NOSIGNAL, EPIPE"},
    {"signal.tgkill.einval",
     "kernel/signal.c check_kill_permission: not a valid signal: EINVAL"},
    {"signal.tgkill.null",
     "kernel/signal.c do_send_specific: signal 0 checks and sends nothing"},
    {"signal.tgkill", "kernel/signal.c do_tkill: the signal is sent to the "
                      "thread (blocked: it stays pending)"},
    {"signal.sigpending",
     "kernel/signal.c do_sigpending: the thread's and the process's pending "
     "signals"},
    {"signal.sigtimedwait.eagain",
     "kernel/signal.c do_sigtimedwait: nothing of the mask pending, zero "
     "timeout: EAGAIN"},
    {"signal.sigtimedwait.dequeue",
     "kernel/signal.c do_sigtimedwait: the lowest pending signal of the mask "
     "is taken and returned"},
    {"signal.dequeue.rt_more_queued",
     "kernel/signal.c collect_signal: another instance of the real-time "
     "signal is queued: it stays pending"},
    {"signalfd.efault.mask",
     "fs/signalfd.c SYSCALL_DEFINE4(signalfd4): the mask cannot be copied in: "
     "EFAULT, before the flags"},
    {"signalfd.einval.flags",
     "fs/signalfd.c do_signalfd4: flags other than SFD_NONBLOCK|SFD_CLOEXEC: "
     "EINVAL"},
    {"signalfd.mask.kill_stop_dropped",
     "fs/signalfd.c do_signalfd4: SIGKILL and SIGSTOP are taken out of the "
     "mask"},
    {"signalfd.create",
     "fs/signalfd.c do_signalfd4: fd -1: a new signalfd (anon inode, O_RDWR, "
     "O_NONBLOCK as asked)"},
    {"signalfd.ebadf",
     "fs/signalfd.c do_signalfd4: a descriptor other than -1 that is not open "
     "(or O_PATH): EBADF"},
    {"signalfd.einval.not_signalfd",
     "fs/signalfd.c do_signalfd4: not a signalfd (f_op != signalfd_fops): "
     "EINVAL"},
    {"signalfd.update.wakes",
     "fs/signalfd.c do_signalfd4: the mask is replaced, then wake_up of "
     "signalfd_wqh without a key; returns the same descriptor"},
    {"signalfd.read.einval.short",
     "fs/signalfd.c signalfd_read_iter: fewer than 128 bytes (one "
     "signalfd_siginfo; 0 included): EINVAL"},
    {"signalfd.read.eagain",
     "fs/signalfd.c signalfd_dequeue: nothing of the mask pending, "
     "O_NONBLOCK: EAGAIN"},
    {"signalfd.read",
     "fs/signalfd.c signalfd_read_iter: one record per signal taken (lowest "
     "first), as many as fit; no wakeup"},
    {"signalfd.read.several",
     "fs/signalfd.c signalfd_read_iter: more than one signal in one read"},
    {"signalfd.read.fewer_than_asked",
     "fs/signalfd.c signalfd_read_iter: the later dequeues do not block: the "
     "read ends when nothing of the mask is left"},
    {"signalfd.poll.in",
     "fs/signalfd.c signalfd_poll: IN (no RDNORM) while a signal of the mask "
     "is pending for the polling thread"},
    {"signalfd.write.einval",
     "fs/read_write.c vfs_write: a signalfd has no ->write: EINVAL, whatever "
     "the count"},
    {"fork.keeps_copies",
     "kernel/fork.c dup_fd: the child's table holds the chosen descriptors, "
     "each a new reference to its open file (the child closes the rest)"},
    {"fork.keeps_none",
     "kernel/fork.c dup_fd: the child keeps no descriptor of the sequence"},
    {"fork.pidfd",
     "kernel/fork.c pidfd_prepare (CLONE_PIDFD): the child's pidfd at the "
     "lowest free number, O_RDWR (EMFILE fails the clone)"},
    {"child.ebadf.pidfd",
     "kernel/pid.c pidfd_get_pid (as pidfd_send_signal resolves it): the "
     "operand is not open or not a pidfd: EBADF"},
    {"child.esrch.exited",
     "the child has exited (zombie or reaped): it takes no command, ESRCH"},
    {"child.close", "fs/file.c close_fd in the child: its reference goes "
                    "(the file lives while the parent or another child "
                    "holds one)"},
    {"child.close.ebadf",
     "fs/file.c close_fd in the child: not open in its table: EBADF"},
    {"child.exit.release_lifo",
     "kernel/exit.c do_exit: exit_files puts the child's descriptors in "
     "number order, each last reference queueing its __fput; "
     "exit_task_work runs them newest first (task_work_run), so the files "
     "go in the reverse order of their descriptors, before exit_notify"},
    {"child.exit.notify.in",
     "kernel/exit.c exit_notify -> do_notify_pidfd: wakes pid->wait_pidfd "
     "with the key IN|RDNORM (measured on 6.18: items of ERR|HUP or OUT "
     "alone are not queued); exit_signal 0: no signal, no autoreap",
     RuleEra::kPidfs},
    {"child.exit.notify.keyless",
     "kernel/exit.c do_notify_pidfd: wake_up_all(&pid->wait_pidfd), no key",
     RuleEra::kNoPidfs},
    {"reap.einval.negative",
     "kernel/exit.c kernel_waitid (P_PIDFD): a negative pidfd: EINVAL"},
    {"reap.ebadf",
     "kernel/exit.c kernel_waitid (P_PIDFD): pidfd_get_pid: not open or "
     "not a pidfd: EBADF"},
    {"reap.echild",
     "kernel/exit.c do_wait: the child was reaped already: ECHILD"},
    {"reap.running",
     "kernel/exit.c do_wait with WNOHANG: the child runs: 0, nothing "
     "reaped (si_pid 0)"},
    {"reap.wakes",
     "kernel/pid.c __change_pid: the pid loses its task at release_task "
     "and wakes pid->wait_pidfd (no key)",
     RuleEra::kPidfs},
    {"reap.no_wake", "kernel/exit.c release_task: no pidfd wakeup",
     RuleEra::kNoPidfs},
    {"pidfd_open.ebadf.pidfd",
     "pidfd_open's pid comes from the pidfd operand's fdinfo: not open or "
     "not a pidfd: EBADF"},
    {"pidfd_open.einval.flags",
     "kernel/pid.c pidfd_open: flags other than PIDFD_NONBLOCK (and "
     "PIDFD_THREAD, 6.9+): EINVAL"},
    {"pidfd_open.einval.reaped",
     "kernel/pid.c pidfd_open: a reaped child's fdinfo shows pid -1; pid "
     "<= 0 is EINVAL"},
    {"pidfd_open.running",
     "kernel/pid.c pidfd_create: a second pidfd (a new file) of a running "
     "child"},
    {"pidfd_open.zombie",
     "kernel/pid.c pidfd_create: a zombie still has its task: a new pidfd"},
    {"pidfd.poll.running", "pidfd_poll: the process runs: 0"},
    {"pidfd.poll.exited",
     "pidfd_poll: the process exited (thread_group_exited): IN|RDNORM"},
    {"pidfd.poll.reaped.hup",
     "fs/pidfs.c pidfd_poll: pid_task() == NULL (reaped): IN|RDNORM|HUP",
     RuleEra::kPidfs},
    {"pidfd.poll.reaped.no_hup",
     "kernel/fork.c pidfd_poll: reaped, thread_group_exited: IN|RDNORM",
     RuleEra::kNoPidfs},
    {"pidfd.add.pid_queue",
     "pidfd_poll: poll_wait on pid->wait_pidfd, which every pidfd of the "
     "pid shares"},
    {"pidfd.read.einval",
     "fs/read_write.c vfs_read: a pidfd has no ->read (FMODE_CAN_READ "
     "unset): EINVAL, whatever the count"},
    {"pidfd.write.einval",
     "fs/read_write.c vfs_write: a pidfd has no ->write: EINVAL"},
    {"pidfd.ioctl.einval.arg",
     "fs/pidfs.c pidfd_ioctl (6.11-6.13): a non-zero arg of a namespace "
     "command, any unknown command included: EINVAL (6.11-6.12 before the "
     "task lookup, 6.13 after it)",
     RuleEra::kPidfdIoctlChecksArgs},
    {"pidfd.ioctl.esrch.no_task",
     "fs/pidfs.c pidfd_ioctl (6.11-6.13): get_pid_task finds no task (the "
     "child was reaped): ESRCH",
     RuleEra::kPidfdIoctlChecksArgs},
    {"pidfd.ioctl.esrch.no_nsproxy",
     "fs/pidfs.c pidfd_ioctl (6.11-6.13): an exited child has no nsproxy "
     "(exit_task_namespaces): ESRCH",
     RuleEra::kPidfdIoctlChecksArgs},
    {"pidfd.ioctl.enotty.cmd",
     "fs/pidfs.c pidfd_ioctl (6.11-6.13): a running child, an unknown "
     "command: -ENOIOCTLCMD, ENOTTY",
     RuleEra::kPidfdIoctlChecksArgs},
    {"pidfd.lseek.espipe",
     "fs/read_write.c vfs_llseek: pidfd_fops has no ->llseek (no "
     "FMODE_LSEEK): ESPIPE"},
    {"fifo.open.new_pipe",
     "fs/pipe.c fifo_open: no file has the FIFO open: a new pipe "
     "(alloc_pipe_info: r_counter = w_counter = 1, default size)"},
    {"fifo.open.shared_pipe",
     "fs/pipe.c fifo_open: the FIFO's pipe is open already: the new file "
     "shares it (its data, size and wait queues)"},
    {"fifo.open.read.no_writer",
     "fs/pipe.c fifo_open: O_RDONLY|O_NONBLOCK with no writer: f_pipe = "
     "w_counter, so EPOLLHUP is suppressed until a writer has come"},
    {"fifo.open.enxio",
     "fs/pipe.c fifo_open: O_WRONLY|O_NONBLOCK with no reader: ENXIO (a "
     "pipe made for it is freed again)"},
    {"fifo.open.rdwr",
     "fs/pipe.c fifo_open: O_RDWR counts as a reader and a writer and never "
     "waits"},
    {"fifo.open.wakes_partner",
     "fs/pipe.c fifo_open, wake_up_partner: the first reader or writer wakes "
     "rd_wait, keyless"},
    {"fifo.poll.hup_suppressed",
     "fs/pipe.c pipe_poll: no writer, but the reader opened with none and "
     "none has come since (f_pipe == w_counter): no EPOLLHUP"},
    {"fifo.add.both_queues",
     "fs/pipe.c pipe_poll: an O_RDWR FIFO file's item waits on rd_wait and "
     "wr_wait (two wait entries, woken by either)"},
    {"fifo.release.rdwr_last_no_wake",
     "fs/pipe.c pipe_release: the last file was O_RDWR, so readers and "
     "writers reach 0 together: no wakeup"},
    {"fifo.release.frees_pipe",
     "fs/pipe.c put_pipe_info: the FIFO's last file frees its pipe (data "
     "and size are gone; the next open gets a new one)"},
    {"nopoll.write.devnull", "drivers/char/mem.c write_null: every byte taken"},
    {"nopoll.write.regular.zero",
     "fs/read_write.c new_sync_write: a 0-byte write to the regular file "
     "changes neither its size nor f_pos (past the end, or O_APPEND)"},
    {"nopoll.write.regular",
     "fs/read_write.c vfs_write: a regular file takes every byte at f_pos, "
     "growing to where the write ends"},
    {"nopoll.read.eisdir",
     "fs/libfs.c generic_read_dir: a directory read is EISDIR"},
    {"nopoll.read.devnull",
     "drivers/char/mem.c read_null: end of file at once"},
    {"nopoll.read.regular.short",
     "fs/read_write.c vfs_read: a regular file has fewer bytes after f_pos "
     "than asked for: a short read (0 at the end)"},
    {"nopoll.read.regular.full",
     "fs/read_write.c vfs_read: a regular file has the bytes asked for"},
    {"nopoll.poll.default_mask",
     "fs/select.c vfs_poll: a file without ->poll is IN|OUT|RDNORM|WRNORM "
     "(DEFAULT_POLLMASK)"},
    {"opath.select.nval",
     "fs/select.c select_poll_one: an O_PATH descriptor is EPOLLNVAL, which "
     "puts it in every set it was asked for (POLL*_SET include it)"},
    {"epoll_wait.efault.access_ok",
     "fs/eventpoll.c do_epoll_wait: the events array is not in user space "
     "(access_ok): EFAULT, after maxevents, before is_file_epoll"},
    {"epoll_wait.copy.efault",
     "fs/eventpoll.c ep_send_events: the first epoll_put_uevent faults: "
     "EFAULT; the item goes back to the head of the ready list, undisarmed"},
    {"epoll_wait.copy.partial",
     "fs/eventpoll.c ep_send_events: a later epoll_put_uevent faults: the "
     "events copied so far are returned; the item goes back to the head"},
    {"epoll_wait.copy.bad_buffer_unused",
     "fs/eventpoll.c ep_poll: a NULL, unmapped or read-only events array is "
     "never touched when nothing is delivered: 0, no EFAULT"},
    {"epoll_wait.timeout.ready_returns",
     "fs/eventpoll.c ep_poll: with a non-zero timeout, events already "
     "available are returned at once"},
    {"epoll_pwait.sigmask.null",
     "kernel/signal.c set_user_sigmask: a NULL sigmask: sigsetsize is not "
     "checked"},
    {"epoll_pwait.einval.sigsetsize",
     "kernel/signal.c set_user_sigmask: sigsetsize != sizeof(sigset_t): "
     "EINVAL, before any epoll_wait check"},
    {"epoll_pwait.sigmask.set",
     "kernel/signal.c set_user_sigmask: a sigmask of the right size is "
     "installed for the wait"},
    {"epoll_pwait2.enosys", "epoll_pwait2 does not exist before 5.11: ENOSYS",
     RuleEra::kNoPwait2},
    {"epoll_pwait2.efault.timespec",
     "fs/eventpoll.c SYSCALL_DEFINE6(epoll_pwait2): get_timespec64 faults: "
     "EFAULT, before every other check",
     RuleEra::kPwait2},
    {"epoll_pwait2.einval.timespec",
     "fs/select.c poll_select_set_timeout: tv_sec < 0 or tv_nsec outside "
     "[0, 1e9): EINVAL, before the sigmask",
     RuleEra::kPwait2},
    {"epoll_pwait2.timespec.null",
     "fs/eventpoll.c SYSCALL_DEFINE6(epoll_pwait2): a NULL timespec waits "
     "without a timeout",
     RuleEra::kPwait2},
    {"epoll_wait.maxevents.max",
     "fs/eventpoll.c do_epoll_wait: maxevents == EP_MAX_EVENTS is allowed"},
    {"epoll_wait.deliver.maxevents_stop",
     "fs/eventpoll.c ep_send_events: maxevents events taken; the rest of the "
     "batch stays queued"},
    {"epoll_wait.deliver.not_ready_dropped",
     "fs/eventpoll.c ep_send_events: a queued item re-polls not ready: dropped "
     "from the ready list, nothing reported"},
    {"epoll_wait.deliver.ghost",
     "fs/eventpoll.c ep_send_events: an item whose descriptor was closed (or "
     "now names another file) is still reported while its file lives"},
    {"epoll_wait.deliver.oneshot_disarm",
     "fs/eventpoll.c ep_send_events: a delivered EPOLLONESHOT item is disarmed "
     "(only EP_PRIVATE_BITS left)"},
    {"epoll_wait.deliver.lt_requeue",
     "fs/eventpoll.c ep_send_events: a delivered level-triggered item goes "
     "back to the tail of the ready list"},
    {"epoll_wait.deliver.et", "fs/eventpoll.c ep_send_events: a delivered "
                              "EPOLLET item is not re-queued"},
    {"epoll_wait.done_scan.leftover_first",
     "fs/eventpoll.c ep_done_scan: items not delivered go back in front of the "
     "re-queued level-triggered ones"},
    {"epoll.item_poll.filtered", "fs/eventpoll.c ep_item_poll: the file is "
                                 "ready, but for none of the item's events"},
    {"epoll.callback.ignore.disarmed", "fs/eventpoll.c ep_poll_callback: a "
                                       "disarmed ONESHOT item ignores wakeups"},
    {"epoll.callback.ignore.key",
     "fs/eventpoll.c ep_poll_callback: a keyed wakeup that shares no bit with "
     "the item's events is ignored"},
    {"epoll.callback.keyless",
     "fs/eventpoll.c ep_poll_callback: a wakeup without a key queues the item "
     "whatever its events"},
    {"epoll.callback.queue",
     "fs/eventpoll.c ep_poll_callback: the item is appended to the ready list"},
    {"epoll.callback.already_queued",
     "fs/eventpoll.c ep_poll_callback: the item is already on the ready list "
     "and keeps its place"},
    {"epoll.callback.wake_watchers",
     "fs/eventpoll.c ep_poll_callback: the epoll's own watchers (a watching "
     "epoll) are woken (ep_poll_safewake)"},
    {"epoll.poll.in.ready_item",
     "fs/eventpoll.c __ep_eventpoll_poll: a nested epoll is IN|RDNORM when a "
     "queued item really polls ready"},
    {"epoll.poll.prune", "fs/eventpoll.c __ep_eventpoll_poll: a queued item "
                         "that polls not ready is taken off the ready list"},
    {"epoll.release.watched_file",
     "fs/eventpoll.c eventpoll_release_file: the last close of a watched file "
     "removes its items from every instance"},
    {"epoll.release.instance_items",
     "fs/eventpoll.c ep_clear_and_put: the last close of an epoll file "
     "unregisters all its items"},
    {"pipe.write.zero", "fs/pipe.c pipe_write: a write of 0 bytes returns 0 "
                        "before any check, with no wakeup"},
    {"pipe.write.epipe",
     "fs/pipe.c pipe_write: no reader left: EPIPE (and SIGPIPE)"},
    {"pipe.write.merge",
     "fs/pipe.c pipe_write: a sub-page remainder is merged into the last "
     "buffer when it can merge and fits in its page"},
    {"pipe.write.no_merge.flag", "fs/pipe.c pipe_write: the last buffer cannot "
                                 "merge (packet mode): a new slot"},
    {"pipe.write.no_merge.page_full",
     "fs/pipe.c pipe_write: the remainder does not fit in the last buffer's "
     "page: a new slot"},
    {"pipe.write.new_slot",
     "fs/pipe.c pipe_write: a page-sized chunk takes a new slot"},
    {"pipe.write.packet_slot", "fs/pipe.c pipe_write: an O_DIRECT (packet) "
                               "write takes a slot per page, never merged"},
    {"pipe.write.partial", "fs/pipe.c pipe_write: the ring filled up: a "
                           "non-blocking write returns what it wrote"},
    {"pipe.write.eagain.full",
     "fs/pipe.c pipe_write: the ring is full and nothing was written: EAGAIN"},
    {"pipe.write.wake.any_data",
     "fs/pipe.c pipe_write (up to 5.4): every write that stored data wakes the "
     "readers",
     RuleEra::kPipeWakeEvery},
    {"pipe.write.no_wake.no_data",
     "fs/pipe.c pipe_write (up to 5.4): a write that stored nothing wakes no "
     "reader",
     RuleEra::kPipeWakeEvery},
    {"pipe.write.wake.was_empty",
     "fs/pipe.c pipe_write (5.5+): a write to an empty pipe wakes the readers",
     RuleEra::kPipeWakeOnEmpty},
    {"pipe.write.no_wake.not_empty",
     "fs/pipe.c pipe_write (5.5-5.13): a write to a non-empty pipe wakes no "
     "reader",
     RuleEra::kPipeWakeIfEmpty},
    {"pipe.write.wake.polled",
     "fs/pipe.c pipe_write (5.14+, 3b844826b6c6): a write to a non-empty pipe "
     "wakes the readers if the pipe was ever polled (poll_usage), EAGAIN "
     "included",
     RuleEra::kPipeWakeIfEmptyOrPolled},
    {"pipe.write.no_wake.unpolled",
     "fs/pipe.c pipe_write (5.14+): a write to a non-empty pipe never polled "
     "wakes no reader",
     RuleEra::kPipeWakeIfEmptyOrPolled},
    {"pipe.read.zero", "fs/pipe.c pipe_read: a read of 0 bytes returns 0"},
    {"pipe.read.packet.whole", "fs/pipe.c pipe_read: a packet buffer read "
                               "whole; the read stops after one packet"},
    {"pipe.read.packet.rest_discarded",
     "fs/pipe.c pipe_read: a packet buffer longer than the read: its rest is "
     "discarded"},
    {"pipe.read.slot_left", "fs/pipe.c pipe_read: the read ends inside a "
                            "buffer, which keeps the rest"},
    {"pipe.read.next_slot", "fs/pipe.c pipe_read: a buffer emptied, the read "
                            "goes on with the next one"},
    {"pipe.read.eof", "fs/pipe.c pipe_read: empty and no writer left: 0 (EOF)"},
    {"pipe.read.eagain", "fs/pipe.c pipe_read: empty with a writer: EAGAIN"},
    {"pipe.read.wake.unfull",
     "fs/pipe.c pipe_read (6.14+): the pipe was full and is not any more: the "
     "writers are woken",
     RuleEra::kPipeReadUnfull},
    {"pipe.read.no_wake.still_full",
     "fs/pipe.c pipe_read (6.14+): a read from a full pipe that frees no slot "
     "wakes no writer",
     RuleEra::kPipeReadUnfull},
    {"pipe.read.wake.was_full",
     "fs/pipe.c pipe_read (before 6.14): a read from a full pipe wakes the "
     "writers",
     RuleEra::kPipeReadWasFull},
    {"pipe.set_size.einval.too_big",
     "fs/pipe.c round_pipe_size: a size above 2^31 rounds to 0: EINVAL"},
    {"pipe.set_size.rounded", "fs/pipe.c round_pipe_size: the size is rounded "
                              "up to a power of two pages (at least one)"},
    {"pipe.set_size.eperm",
     "fs/pipe.c pipe_set_size: growing above pipe-max-size without "
     "CAP_SYS_RESOURCE: EPERM",
     RuleEra::kNoCapSysResource},
    {"pipe.set_size.ebusy",
     "fs/pipe.c pipe_resize_ring: fewer slots than are occupied: EBUSY"},
    {"pipe.set_size.to_occupied",
     "fs/pipe.c pipe_resize_ring: exactly as many slots as are occupied: "
     "allowed, and the pipe is full"},
    {"pipe.set_size.wake_writer",
     "fs/pipe.c pipe_set_size: \"This might have made more room for writers\": "
     "a keyless wakeup of the writers"},
    {"pipe.poll.sets_poll_usage",
     "fs/pipe.c pipe_poll: the first poll sets the sticky poll_usage (5.14+ "
     "write wakeups)"},
    {"pipe.poll.in.data",
     "fs/pipe.c pipe_poll: a read end with data is IN|RDNORM"},
    {"pipe.poll.hup.no_writers",
     "fs/pipe.c pipe_poll: a read end without writers is HUP"},
    {"pipe.poll.out.room",
     "fs/pipe.c pipe_poll: a write end with a free slot is OUT|WRNORM"},
    {"pipe.poll.out.full",
     "fs/pipe.c pipe_poll: a write end of a full ring is not writable"},
    {"pipe.poll.err.no_readers",
     "fs/pipe.c pipe_poll: a write end without readers is ERR"},
    {"pipe.release.last_writer_wakes_reader",
     "fs/pipe.c pipe_release: the last writer gone (readers left): a keyless "
     "wakeup of the readers"},
    {"pipe.release.last_reader_wakes_writer",
     "fs/pipe.c pipe_release: the last reader gone (writers left): a keyless "
     "wakeup of the writers"},
    {"eventfd.einval.flags", "fs/eventfd.c do_eventfd: a flag outside "
                             "EFD_SEMAPHORE|EFD_NONBLOCK|EFD_CLOEXEC: EINVAL"},
    {"eventfd.write.einval.short",
     "fs/eventfd.c eventfd_write: a buffer shorter than 8 bytes: EINVAL"},
    {"eventfd.write.einval.not_8",
     "fs/eventfd.c eventfd_write: a buffer longer than 8 bytes: EINVAL "
     "(measured on 6.18)",
     RuleEra::kEventfdWriteExact},
    {"eventfd.write.einval.ullong_max",
     "fs/eventfd.c eventfd_write: the value ULLONG_MAX: EINVAL"},
    {"eventfd.write.eagain.overflow",
     "fs/eventfd.c eventfd_write: the sum would reach ULLONG_MAX: EAGAIN "
     "(non-blocking)"},
    {"eventfd.write.to_max", "fs/eventfd.c eventfd_write: the sum is exactly "
                             "ULLONG_MAX - 1, the largest count a write makes"},
    {"eventfd.write.wake",
     "fs/eventfd.c eventfd_write: a stored value wakes the queue with key IN"},
    {"eventfd.write.zero_wakes",
     "fs/eventfd.c eventfd_write: a write of 0 changes nothing but still wakes "
     "the queue with key IN"},
    {"eventfd.read.einval.short",
     "fs/eventfd.c eventfd_read: a buffer shorter than 8 bytes: EINVAL"},
    {"eventfd.read.eagain.zero",
     "fs/eventfd.c eventfd_read: the count is 0: EAGAIN (non-blocking)"},
    {"eventfd.read.semaphore_one",
     "fs/eventfd.c eventfd_ctx_do_read: EFD_SEMAPHORE reads 1"},
    {"eventfd.read.whole_count", "fs/eventfd.c eventfd_ctx_do_read: without "
                                 "EFD_SEMAPHORE the whole count is read"},
    {"eventfd.read.wake_out",
     "fs/eventfd.c eventfd_read: a read wakes the queue with key OUT"},
    {"eventfd.poll.in.nonzero",
     "fs/eventfd.c eventfd_poll: a count above 0 is IN"},
    {"eventfd.poll.err.overflow",
     "fs/eventfd.c eventfd_poll: the count ULLONG_MAX (only eventfd_signal "
     "overflows to it) is ERR"},
    {"eventfd.poll.out.room",
     "fs/eventfd.c eventfd_poll: a count below ULLONG_MAX - 1 is OUT"},
    {"eventfd.poll.out.full",
     "fs/eventfd.c eventfd_poll: a count of ULLONG_MAX - 1 is not writable"},
    {"ppoll.einval.sigsetsize", "kernel/signal.c set_user_sigmask: a sigmask "
                                "whose size is not sizeof(sigset_t): EINVAL"},
    {"poll.einval.nfds",
     "fs/select.c do_sys_poll: nfds above RLIMIT_NOFILE: EINVAL"},
    {"poll.nfds.at_limit",
     "fs/select.c do_sys_poll: nfds equal to RLIMIT_NOFILE is allowed"},
    {"poll.fd.negative_ignored",
     "fs/select.c do_pollfd: a negative fd is skipped, revents 0"},
    {"poll.fd.nval", "fs/select.c do_pollfd: a closed fd is POLLNVAL"},
    {"poll.events.high_bits_dropped",
     "fs/select.c do_pollfd: events is a u16: higher bits are dropped"},
    {"poll.revents.err_hup_unrequested",
     "fs/select.c do_pollfd: POLLERR/POLLHUP are reported even if not "
     "requested"},
    {"pselect6.einval.sigsetsize",
     "fs/select.c do_pselect, kernel/signal.c set_user_sigmask: a sigmask size "
     "other than 8: EINVAL"},
    {"select.einval.nfds", "fs/select.c core_sys_select: nfds < 0: EINVAL"},
    {"select.nfds_zero.sets_unchanged",
     "fs/select.c core_sys_select: nfds 0 copies no set in or out"},
    {"select.bits_above_nfds_ignored",
     "fs/select.c core_sys_select: set bits at or above nfds are ignored and "
     "cleared"},
    {"select.ebadf.closed",
     "fs/select.c max_select_fd: a set bit on a closed descriptor: EBADF"},
    {"select.in.ready", "fs/select.c do_select: a descriptor in readfds whose "
                        "mask has POLLIN_SET"},
    {"select.out.ready", "fs/select.c do_select: a descriptor in writefds "
                         "whose mask has POLLOUT_SET"},
    {"select.ex.ready", "fs/select.c do_select: a descriptor in exceptfds "
                        "whose mask has POLLEX_SET (PRI)"},
    {"sockopt.set.buf.capped",
     "net/core/sock.c sk_setsockopt: SO_SNDBUF/SO_RCVBUF above the sysctl "
     "maximum (as an unsigned) is capped"},
    {"sockopt.set.buf.minimum",
     "net/core/sock.c sk_setsockopt: twice the value below "
     "SOCK_MIN_SNDBUF/SOCK_MIN_RCVBUF gives the minimum"},
    {"sockopt.set.rcvlowat.negative_is_max",
     "net/core/sock.c sk_setsockopt: a negative SO_RCVLOWAT is INT_MAX"},
    {"sockopt.set.rcvlowat.zero_is_one",
     "net/core/sock.c sk_setsockopt: SO_RCVLOWAT 0 is stored as 1"},
    {"sockopt.set.linger",
     "net/core/sock.c sk_setsockopt: SO_LINGER {1, n} turns SOCK_LINGER on"},
    {"sockopt.set.enoprotoopt",
     "net/core/sock.c sk_setsockopt: an option it does not know (SO_ERROR is "
     "read-only): ENOPROTOOPT"},
    {"sockopt.get.so_error_clears",
     "net/core/sock.c sk_getsockopt: SO_ERROR returns the pending error and "
     "clears it (sock_error)"},
    {"sockopt.get.enoprotoopt",
     "net/core/sock.c sk_getsockopt: an option it does not know: ENOPROTOOPT"},
    {"unix.socket.einval.flags",
     "net/socket.c __sys_socket/__sys_socketpair: a flag outside "
     "SOCK_CLOEXEC|SOCK_NONBLOCK: EINVAL"},
    {"unix.socket.einval.type_max",
     "net/socket.c __sock_create: type >= SOCK_MAX: EINVAL"},
    {"unix.socket.raw_is_dgram",
     "net/unix/af_unix.c unix_create: SOCK_RAW is made a SOCK_DGRAM socket"},
    {"unix.socket.esocktnosupport",
     "net/unix/af_unix.c unix_create: a type other than STREAM, DGRAM, "
     "SEQPACKET, RAW: ESOCKTNOSUPPORT"},
    {"unix.bind.einval.unspec",
     "net/unix/af_unix.c unix_validate_addr: an AF_UNSPEC address: EINVAL"},
    {"unix.bind.einval.bound", "net/unix/af_unix.c unix_bind_abstract: the "
                               "socket already has an address: EINVAL"},
    {"unix.bind.eaddrinuse",
     "net/unix/af_unix.c unix_bind_abstract: the name is bound by a socket of "
     "the same type: EADDRINUSE"},
    {"unix.bind.name_per_type",
     "net/unix/af_unix.c unix_bind_abstract: the hash includes the type, so a "
     "name held by another type is free"},
    {"unix.listen.eopnotsupp",
     "net/unix/af_unix.c unix_listen: a SOCK_DGRAM socket: EOPNOTSUPP"},
    {"unix.listen.einval.unbound", "net/unix/af_unix.c unix_listen: \"No "
                                   "listens on an unbound socket\": EINVAL"},
    {"unix.listen.einval.connected",
     "net/unix/af_unix.c unix_listen: a connected socket: EINVAL"},
    {"unix.listen.again", "net/unix/af_unix.c unix_listen: listen on a "
                          "listener updates its backlog"},
    {"unix.listen.more_backlog_wakes",
     "net/unix/af_unix.c unix_listen: a larger backlog wakes peer_wait "
     "(blocked connectors)"},
    {"unix.find.econnrefused",
     "net/unix/af_unix.c unix_find_abstract: no socket of this type holds the "
     "name: ECONNREFUSED"},
    {"unix.stream.connect.einval.unspec",
     "net/unix/af_unix.c unix_validate_addr: connect of a stream socket to "
     "AF_UNSPEC: EINVAL"},
    {"unix.stream.connect.econnrefused.not_listening",
     "net/unix/af_unix.c unix_stream_connect: the name's socket is not "
     "listening: ECONNREFUSED"},
    {"unix.stream.connect.econnrefused.shutdown",
     "net/unix/af_unix.c unix_stream_connect: the listener was shut down for "
     "reading: ECONNREFUSED"},
    {"unix.stream.connect.eagain.backlog",
     "net/unix/af_unix.c unix_stream_connect: the listener's backlog is full "
     "(unix_recvq_full): EAGAIN"},
    {"unix.stream.connect.eisconn", "net/unix/af_unix.c unix_stream_connect: "
                                    "the socket is already connected: EISCONN"},
    {"unix.stream.connect.einval.listening",
     "net/unix/af_unix.c unix_stream_connect: the socket is a listener: "
     "EINVAL"},
    {"unix.stream.connect.embryo",
     "net/unix/af_unix.c unix_stream_connect: the embryo sock is made at once "
     "and its skb queued on the listener, which is woken"},
    {"unix.accept.eopnotsupp",
     "net/unix/af_unix.c unix_accept: a SOCK_DGRAM socket: EOPNOTSUPP"},
    {"unix.accept.einval.not_listening",
     "net/unix/af_unix.c unix_accept: not a listener: EINVAL"},
    {"unix.accept.eagain",
     "net/unix/af_unix.c unix_accept: no connection pending: EAGAIN"},
    {"unix.accept.graft",
     "net/unix/af_unix.c unix_accept: the embryo is grafted onto a new file"},
    {"unix.dgram.connect.ok",
     "net/unix/af_unix.c unix_dgram_connect: connected to the name's socket "
     "(both TCP_ESTABLISHED)"},
    {"unix.dgram.connect.eperm", "net/unix/af_unix.c unix_may_send: the target "
                                 "is connected to another socket: EPERM"},
    {"unix.dgram.connect.unspec_disconnects",
     "net/unix/af_unix.c unix_dgram_connect: AF_UNSPEC disconnects a connected "
     "socket"},
    {"unix.dgram.connect.unspec_unconnected",
     "net/unix/af_unix.c unix_dgram_connect: AF_UNSPEC on an unconnected "
     "socket does nothing"},
    {"unix.dgram.connect.reconnect_wakes",
     "net/unix/af_unix.c unix_dgram_connect: a connected socket connecting "
     "again drops its relay and wakes its own writers"},
    {"unix.dgram.disconnect.purge",
     "net/unix/af_unix.c unix_dgram_disconnected: the old peer's datagrams in "
     "our queue are purged"},
    {"unix.dgram.disconnect.econnreset_peer",
     "net/unix/af_unix.c unix_dgram_disconnected: an old peer still connected "
     "to us gets ECONNRESET (an ERR wakeup)"},
    {"unix.alloc_send.err", "net/core/sock.c sock_alloc_send_pskb: a pending "
                            "error is returned and cleared"},
    {"unix.alloc_send.epipe",
     "net/core/sock.c sock_alloc_send_pskb: SEND_SHUTDOWN: EPIPE"},
    {"unix.alloc_send.eagain.sndbuf", "net/core/sock.c sock_alloc_send_pskb: "
                                      "sk_wmem_alloc >= sk_sndbuf: EAGAIN"},
    {"unix.partial_hides_error",
     "net/unix/af_unix.c unix_stream_sendmsg/unix_stream_read_generic: bytes "
     "already moved are returned instead of the error"},
    {"unix.stream.sendto.eisconn",
     "net/unix/af_unix.c unix_stream_sendmsg: an address on a connected stream "
     "socket: EISCONN"},
    {"unix.stream.sendto.eopnotsupp",
     "net/unix/af_unix.c unix_stream_sendmsg: an address on an unconnected "
     "stream socket: EOPNOTSUPP"},
    {"unix.stream.send.enotconn",
     "net/unix/af_unix.c unix_stream_sendmsg: no peer: ENOTCONN"},
    {"unix.stream.send.epipe.shutdown",
     "net/unix/af_unix.c unix_stream_sendmsg: SEND_SHUTDOWN: EPIPE"},
    {"unix.stream.send.split_skb",
     "net/unix/af_unix.c unix_stream_sendmsg: a send larger than sk_sndbuf/2 - "
     "64 or the largest skb is split into several skbs"},
    {"unix.oob.send", "net/unix/af_unix.c queue_oob: MSG_OOB's last byte is "
                      "its own skb and the peer's oob_skb"},
    {"unix.oob.send.replaces_mark", "net/unix/af_unix.c queue_oob: a new "
                                    "out-of-band byte replaces a pending one"},
    {"unix.oob.send.eopnotsupp.unsupported",
     "net/unix/af_unix.c unix_stream_sendmsg without CONFIG_AF_UNIX_OOB "
     "(before 5.15): any MSG_OOB send is EOPNOTSUPP, first",
     RuleEra::kUnixNoOob},
    {"unix.oob.recv.eopnotsupp.unsupported",
     "net/unix/af_unix.c unix_stream_read_generic without "
     "CONFIG_AF_UNIX_OOB: a MSG_OOB receive on a connected socket is "
     "EOPNOTSUPP (measured on 5.10)",
     RuleEra::kUnixNoOob},
    {"unix.oob.send.eopnotsupp.empty",
     "net/unix/af_unix.c unix_stream_sendmsg: MSG_OOB with nothing to send: "
     "EOPNOTSUPP"},
    {"unix.seqpacket.send.err", "net/unix/af_unix.c unix_seqpacket_sendmsg: a "
                                "pending error first (sock_error)"},
    {"unix.seqpacket.send.enotconn",
     "net/unix/af_unix.c unix_seqpacket_sendmsg: not connected: ENOTCONN"},
    {"unix.seqpacket.sendto.name_ignored",
     "net/unix/af_unix.c unix_seqpacket_sendmsg: an address is ignored "
     "(msg_namelen = 0)"},
    {"unix.dgram.send.eopnotsupp.oob",
     "net/unix/af_unix.c unix_dgram_sendmsg: MSG_OOB: EOPNOTSUPP"},
    {"unix.dgram.sendto.einval.unspec",
     "net/unix/af_unix.c unix_validate_addr: sendto an AF_UNSPEC address: "
     "EINVAL"},
    {"unix.dgram.send.emsgsize",
     "net/unix/af_unix.c unix_dgram_sendmsg: len > sk_sndbuf - 32: EMSGSIZE"},
    {"unix.dgram.send.enotconn",
     "net/unix/af_unix.c unix_dgram_sendmsg: no address and no peer: ENOTCONN "
     "(after the skb is allocated)",
     RuleEra::kUnixDgramAllocFirst},
    {"unix.dgram.send.enotconn.first",
     "net/unix/af_unix.c unix_dgram_sendmsg: no address and no peer: ENOTCONN "
     "before the size check and the allocation (no skb, no write-space "
     "wakeup; measured on 5.10)",
     RuleEra::kUnixDgramPeerFirst},
    {"unix.dgram.send.eperm", "net/unix/af_unix.c unix_may_send: the receiver "
                              "is connected to another socket: EPERM"},
    {"unix.dgram.send.econnrefused.peer_dead",
     "net/unix/af_unix.c unix_dgram_sendmsg: the connected peer is dead: "
     "disconnect, ECONNREFUSED"},
    {"unix.dgram.send.epipe.rcv_shutdown",
     "net/unix/af_unix.c unix_dgram_sendmsg: the receiver is shut for reading: "
     "EPIPE"},
    {"unix.dgram.send.eagain.full",
     "net/unix/af_unix.c unix_dgram_sendmsg: the receiver (not our peer) has a "
     "full queue: EAGAIN"},
    {"unix.dgram.send.eagain.peer_full",
     "net/unix/af_unix.c unix_dgram_peer_wake_me: our non-mutual peer's queue "
     "is full: EAGAIN, our relay stays on its peer_wait"},
    {"unix.dgram.send.full_ignored",
     "net/unix/af_unix.c unix_dgram_sendmsg: a receiver connected to us (or "
     "ourselves) takes datagrams beyond max_dgram_qlen"},
    {"unix.dgram.send.queued",
     "net/unix/af_unix.c unix_dgram_sendmsg: the datagram is queued and the "
     "receiver woken (sk_data_ready)"},
    {"unix.peer_wake.register",
     "net/unix/af_unix.c unix_dgram_peer_wake_connect: our relay entry goes on "
     "the peer's peer_wait"},
    {"unix.peer_wait.relay",
     "net/unix/af_unix.c unix_dgram_peer_wake_relay: a wakeup on peer_wait "
     "removes each relay entry and wakes its socket"},
    {"unix.stream.recv.einval.state",
     "net/unix/af_unix.c unix_stream_read_generic: not TCP_ESTABLISHED: "
     "EINVAL"},
    {"unix.stream.recv.below_target",
     "net/unix/af_unix.c unix_stream_read_generic: less than the target "
     "(SO_RCVLOWAT, MSG_WAITALL) copied: the error and shutdown checks run"},
    {"unix.stream.recv.err", "net/unix/af_unix.c unix_stream_read_generic: the "
                             "queue ran dry with a pending error"},
    {"unix.stream.recv.rcv_shutdown",
     "net/unix/af_unix.c unix_stream_read_generic: the queue ran dry after "
     "RCV_SHUTDOWN: what was copied (0: EOF)"},
    {"unix.stream.recv.eagain",
     "net/unix/af_unix.c unix_stream_read_generic: the queue ran dry: EAGAIN "
     "unless something was copied"},
    {"unix.stream.recv.skb_left",
     "net/unix/af_unix.c unix_stream_read_generic: the read ends inside an "
     "skb, which stays queued"},
    {"unix.stream.recv.next_skb",
     "net/unix/af_unix.c unix_stream_read_generic: an skb consumed (its "
     "truesize credited to the sender), the read goes on"},
    {"unix.stream.recv.peek", "net/unix/af_unix.c unix_stream_read_generic: "
                              "MSG_PEEK reads without consuming"},
    {"unix.oob.manage.drop_consumed",
     "net/unix/af_unix.c manage_oob: a consumed out-of-band skb at the head is "
     "dropped"},
    {"unix.oob.manage.consumed_ends_read",
     "net/unix/af_unix.c manage_oob (5.15-6.9): a consumed out-of-band skb at "
     "the head is dropped and the read ends there (EAGAIN if nothing was "
     "copied)",
     RuleEra::kUnixOobStopsAtConsumed},
    {"unix.oob.manage.peek_reads_mark",
     "net/unix/af_unix.c manage_oob (5.15-6.8): MSG_PEEK at the pending "
     "out-of-band byte with nothing copied reads it as data",
     RuleEra::kUnixOobPeekReadsMark},
    {"unix.oob.manage.zero_recv_ends",
     "net/unix/af_unix.c unix_stream_read_generic (7.3 and 6.12.117, "
     "measured): a 0-byte read that manage_oob leaves without an skb (a "
     "consumed skb dropped or peeked past, the out-of-band byte skipped or "
     "peeked past) returns 0, not the empty queue's EAGAIN",
     RuleEra::kUnixOobZeroRecvReturnsZero},
    {"unix.oob.manage.stop_consumed",
     "net/unix/af_unix.c manage_oob: a consumed skb at the head after a copy "
     "ends the read"},
    {"unix.oob.manage.stop_at_mark",
     "net/unix/af_unix.c manage_oob: the out-of-band byte after a copy ends "
     "the read"},
    {"unix.oob.manage.skip_mark",
     "net/unix/af_unix.c manage_oob: the out-of-band byte at the head is "
     "dropped from the stream (no SO_OOBINLINE)"},
    {"unix.oob.manage.peek_past_mark",
     "net/unix/af_unix.c manage_oob (6.9+, Debian 6.1.0-57): MSG_PEEK with "
     "nothing copied steps over the out-of-band byte to what follows",
     RuleEra::kUnixOobPeekPastMark},
    {"unix.oob.recv.einval.none",
     "net/unix/af_unix.c unix_stream_recv_urg: MSG_OOB without an out-of-band "
     "byte: EINVAL"},
    {"unix.oob.recv.peek",
     "net/unix/af_unix.c unix_stream_recv_urg: MSG_OOB|MSG_PEEK reads the byte "
     "and leaves it pending"},
    {"unix.oob.recv.take", "net/unix/af_unix.c unix_stream_recv_urg: MSG_OOB "
                           "takes the byte; its skb stays queued, consumed"},
    {"unix.oob.recv.drops_consumed_before",
     "net/unix/af_unix.c unix_stream_recv_urg: a consumed skb just before the "
     "out-of-band one is dropped"},
    {"unix.seqpacket.recv.enotconn",
     "net/unix/af_unix.c unix_seqpacket_recvmsg: not connected: ENOTCONN"},
    {"unix.dgram.recv.eopnotsupp.oob",
     "net/unix/af_unix.c unix_dgram_recvmsg: MSG_OOB: EOPNOTSUPP"},
    {"unix.dgram.recv.err", "net/core/datagram.c __skb_try_recv_datagram: a "
                            "pending error comes before any queued datagram"},
    {"unix.seqpacket.recv.eof",
     "net/unix/af_unix.c __unix_dgram_recvmsg: \"Signal EOF on disconnected "
     "non-blocking SEQPACKET socket\": 0"},
    {"unix.dgram.recv.eagain",
     "net/unix/af_unix.c __unix_dgram_recvmsg: no datagram: EAGAIN"},
    {"unix.dgram.recv.truncated",
     "net/unix/af_unix.c __unix_dgram_recvmsg: a datagram longer than the "
     "buffer is cut (the rest is lost)"},
    {"unix.dgram.recv.trunc_full_length",
     "net/unix/af_unix.c __unix_dgram_recvmsg: MSG_TRUNC returns the "
     "datagram's full length"},
    {"unix.dgram.recv.peek",
     "net/unix/af_unix.c __unix_dgram_recvmsg: MSG_PEEK leaves the datagram "
     "queued (and still wakes peer_wait)"},
    {"unix.shutdown.einval.how", "net/unix/af_unix.c unix_shutdown: how "
                                 "outside SHUT_RD..SHUT_RDWR: EINVAL"},
    {"unix.shutdown.mirrored_to_peer",
     "net/unix/af_unix.c unix_shutdown: on a connection-based socket the peer "
     "gets the mirrored mode and a wakeup"},
    {"unix.shutdown.dgram_not_mirrored",
     "net/unix/af_unix.c unix_shutdown: a SOCK_DGRAM peer is not shut down"},
    {"unix.write_space.wake",
     "net/unix/af_unix.c unix_write_space: writable again (4 * sk_wmem_alloc "
     "<= sk_sndbuf): an OUT wakeup"},
    {"unix.write_space.no_wake",
     "net/unix/af_unix.c unix_write_space: still not writable (sock_wfree sees "
     "one extra reference): no wakeup"},
    {"unix.poll.err",
     "net/unix/af_unix.c unix_poll/unix_dgram_poll: a pending error is ERR"},
    {"unix.poll.hup.shutdown", "net/unix/af_unix.c unix_poll/unix_dgram_poll: "
                               "both directions shut down is HUP"},
    {"unix.poll.rdhup", "net/unix/af_unix.c unix_poll/unix_dgram_poll: "
                        "RCV_SHUTDOWN is RDHUP|IN|RDNORM"},
    {"unix.poll.in.queue", "net/unix/af_unix.c unix_poll/unix_dgram_poll: a "
                           "non-empty receive queue is IN|RDNORM"},
    {"unix.poll.pri.oob", "net/unix/af_unix.c unix_poll: a pending out-of-band "
                          "byte is PRI (stream only)"},
    {"unix.poll.hup.unconnected",
     "net/unix/af_unix.c unix_poll/unix_dgram_poll: a connection-based socket "
     "in TCP_CLOSE is HUP"},
    {"unix.poll.out.listener",
     "net/unix/af_unix.c unix_writable: a listener is never writable"},
    {"unix.poll.out.writable",
     "net/unix/af_unix.c unix_poll: a stream socket with 4 * sk_wmem_alloc <= "
     "sk_sndbuf is OUT|WRNORM|WRBAND, peer shut down or not"},
    {"unix.poll.out.sndbuf",
     "net/unix/af_unix.c unix_poll: a stream socket over a quarter of its send "
     "buffer is not writable"},
    {"unix.dgram.poll.out_not_requested",
     "net/unix/af_unix.c unix_dgram_poll: \"No write status requested, avoid "
     "expensive OUT tests\""},
    {"unix.dgram.poll.out.writable",
     "net/unix/af_unix.c unix_dgram_poll: writable"},
    {"unix.dgram.poll.out.sndbuf", "net/unix/af_unix.c unix_dgram_poll: over a "
                                   "quarter of the send buffer: not writable"},
    {"unix.dgram.poll.out.peer_full",
     "net/unix/af_unix.c unix_dgram_poll: a non-mutual peer with a full queue: "
     "not writable, and our relay waits on its peer_wait"},
    {"unix.release.frees_name", "net/unix/af_unix.c unix_release_sock: the "
                                "socket's name is freed (unix_remove_socket)"},
    {"unix.release.peer_shutdown",
     "net/unix/af_unix.c unix_release_sock: a connection-based peer is shut "
     "down both ways and woken"},
    {"unix.release.econnreset.unread",
     "net/unix/af_unix.c unix_release_sock: unread data (or a second skb) "
     "gives the peer ECONNRESET"},
    {"unix.release.econnreset.embryo",
     "net/unix/af_unix.c unix_release_sock: an embryo released with its "
     "listener gives its peer ECONNRESET"},
    {"unix.release.consumed_skb_no_reset",
     "net/unix/af_unix.c unix_release_sock: \"Don't set -ECONNRESET for "
     "consumed OOB skb\": a lone skb with nothing left to read gives no error",
     RuleEra::kUnixReleaseSkipsEmpty},
    {"unix.release.econnreset.empty_skb",
     "net/unix/af_unix.c unix_release_sock (before 6.16 without the "
     "backport): any queued skb, an empty one too, gives the peer ECONNRESET",
     RuleEra::kUnixReleaseAnySkb},
    {"unix.release.flush_queue",
     "net/unix/af_unix.c unix_release_sock: the receive queue is freed (the "
     "senders are credited)"},
    {"unix.release.listener_embryo", "net/unix/af_unix.c unix_release_sock: a "
                                     "listener's pending embryos are released"},
    {"inet.socket.einval.flags", "net/socket.c __sys_socket: a flag outside "
                                 "SOCK_CLOEXEC|SOCK_NONBLOCK: EINVAL"},
    {"inet.socket.einval.type_max",
     "net/socket.c __sock_create: type >= SOCK_MAX: EINVAL"},
    {"inet.socket.esocktnosupport",
     "net/ipv4/af_inet.c inet_create: a type without a protocol (loopback TCP "
     "and UDP only): ESOCKTNOSUPPORT"},
    {"inet.bind.einval.bound",
     "net/ipv4/af_inet.c __inet_bind: already bound, or not TCP_CLOSE: EINVAL"},
    {"inet.bind.unspec_any",
     "net/ipv4/af_inet.c inet_bind: AF_UNSPEC is taken as INADDR_ANY"},
    {"inet.bind.eaddrinuse",
     "net/ipv4/inet_connection_sock.c inet_csk_get_port / udp_lib_get_port: "
     "the port is in use: EADDRINUSE"},
    {"inet.bind.name_per_protocol",
     "net/ipv4: TCP and UDP ports are separate tables: a port one protocol "
     "holds is free for the other"},
    {"inet.shutdown.einval.how", "net/ipv4/af_inet.c inet_shutdown: how "
                                 "outside SHUT_RD..SHUT_RDWR: EINVAL"},
    {"inet.shutdown.enotconn",
     "net/ipv4/af_inet.c inet_shutdown: TCP_CLOSE (unconnected UDP too): "
     "ENOTCONN, the mode is still recorded"},
    {"tcp.listen.einval.socket_state",
     "net/ipv4/af_inet.c __inet_listen_sk: sock->state is not SS_UNCONNECTED: "
     "EINVAL"},
    {"tcp.listen.einval.connected_before",
     "net/ipv4/inet_connection_sock.c inet_csk_listen_start: a socket that "
     "sent a SYN once cannot listen (measured on 6.18): EINVAL",
     RuleEra::kTcpListenRefusesSynSent},
    {"tcp.listen.after_connect",
     "net/ipv4/inet_connection_sock.c inet_csk_listen_start: a closed socket "
     "that sent a SYN once listens like a fresh one, autobinding (measured "
     "on 5.10 and 6.1)",
     RuleEra::kTcpListenAfterSynSent},
    {"tcp.listen.again", "net/ipv4/af_inet.c __inet_listen_sk: listen on a "
                         "listener updates the backlog"},
    {"tcp.listen.autobind",
     "net/ipv4/inet_connection_sock.c inet_csk_listen_start: an unbound socket "
     "gets a port"},
    {"udp.listen.eopnotsupp",
     "net/core/sock.c sock_no_listen: listen on UDP: EOPNOTSUPP"},
    {"udp.accept.eopnotsupp",
     "net/core/sock.c sock_no_accept: accept on UDP: EOPNOTSUPP"},
    {"tcp.accept.einval",
     "net/ipv4/inet_connection_sock.c inet_csk_accept: not listening: EINVAL"},
    {"tcp.accept.eagain", "net/ipv4/inet_connection_sock.c inet_csk_accept: "
                          "empty accept queue: EAGAIN"},
    {"tcp.accept.ok", "net/ipv4/af_inet.c inet_accept: the first child on the "
                      "queue gets a file (SS_CONNECTED)"},
    {"tcp.connect.unspec_disconnects",
     "net/ipv4/af_inet.c __inet_stream_connect: AF_UNSPEC disconnects "
     "(tcp_disconnect)"},
    {"tcp.connect.eisconn.connected",
     "net/ipv4/af_inet.c __inet_stream_connect: SS_CONNECTED: EISCONN"},
    {"tcp.connect.ealready", "net/ipv4/af_inet.c __inet_stream_connect: "
                             "SS_CONNECTING in SYN_SENT: EALREADY"},
    {"tcp.connect.reports_error",
     "net/ipv4/af_inet.c __inet_stream_connect: SS_CONNECTING, the connection "
     "closed: the pending error (refused, reset)"},
    {"tcp.connect.econnaborted",
     "net/ipv4/af_inet.c __inet_stream_connect: SS_CONNECTING, closed, no "
     "pending error: ECONNABORTED"},
    {"tcp.connect.completes",
     "net/ipv4/af_inet.c __inet_stream_connect: SS_CONNECTING, established: 0, "
     "now SS_CONNECTED"},
    {"tcp.connect.einval.disconnecting",
     "net/ipv4/af_inet.c __inet_stream_connect: SS_DISCONNECTING: EINVAL"},
    {"tcp.connect.eisconn.state", "net/ipv4/af_inet.c __inet_stream_connect: "
                                  "SS_UNCONNECTED but not TCP_CLOSE: EISCONN"},
    {"tcp.connect.einprogress",
     "net/ipv4/af_inet.c __inet_stream_connect: a non-blocking connect sends "
     "the SYN and returns EINPROGRESS (the loopback handshake then completes "
     "at once)"},
    {"tcp.connect.einval.former_listener",
     "net/ipv4/af_inet.c __inet_stream_connect: a former listener cannot "
     "connect (measured on 6.18): EINVAL",
     RuleEra::kTcpConnectRefusesFormerListener},
    {"tcp.connect.after_listen",
     "net/ipv4/af_inet.c __inet_stream_connect: a former listener connects "
     "like a fresh socket (measured on 6.12.117)",
     RuleEra::kTcpConnectAfterListen},
    {"tcp.connect.refused_rst",
     "net/ipv4/tcp_ipv4.c tcp_v4_rcv: a SYN to a port nobody listens on is "
     "answered with an RST: the client gets ECONNREFUSED"},
    {"tcp.connect.syn_dropped.accept_queue_full",
     "net/ipv4/tcp_input.c tcp_conn_request: a full accept queue drops the "
     "SYN; the client stays in SYN_SENT"},
    {"tcp.connect.established",
     "net/ipv4/tcp_input.c tcp_finish_connect, inet_csk_complete_hashdance: "
     "the handshake completes, the child is queued, client and listener are "
     "woken"},
    {"tcp.connect.child_inherits_send_shutdown",
     "net/ipv4/tcp_input.c tcp_rcv_state_process: a child that inherited "
     "SEND_SHUTDOWN from its listener sends its FIN at once"},
    {"tcp.send.unconnected.err",
     "net/core/stream.c sk_stream_wait_connect: not connected with a pending "
     "error: the error"},
    {"tcp.send.unconnected.epipe", "net/core/stream.c sk_stream_wait_connect: "
                                   "not connected, not connecting: EPIPE"},
    {"tcp.send.syn_sent.eagain", "net/core/stream.c sk_stream_wait_connect: "
                                 "still in SYN_SENT, non-blocking: EAGAIN"},
    {"tcp.send.epipe.shutdown", "net/ipv4/tcp.c tcp_sendmsg_locked: "
                                "SEND_SHUTDOWN: EPIPE (sk_stream_error)"},
    {"tcp.send.zero", "net/ipv4/tcp.c tcp_sendmsg_locked: a send of 0 bytes on "
                      "a connection returns 0"},
    {"tcp.send.oob",
     "net/ipv4/tcp.c tcp_sendmsg_locked: MSG_OOB marks the last byte urgent"},
    {"tcp.deliver.after_shut_rd_resets",
     "net/ipv4/tcp_input.c tcp_rcv_state_process: data to a FIN_WAIT socket "
     "shut for reading resets both ends"},
    {"tcp.deliver.data_ready",
     "net/ipv4/tcp_input.c tcp_data_ready: at least SO_RCVLOWAT bytes (or the "
     "FIN) queued: the receiver is woken"},
    {"tcp.deliver.below_rcvlowat", "net/ipv4/tcp_input.c tcp_data_ready: fewer "
                                   "than SO_RCVLOWAT bytes queued: no wakeup"},
    {"tcp.urg.valid", "net/ipv4/tcp_input.c tcp_check_urg, tcp_urg: an urgent "
                      "byte arrives: PRI, and the receiver is woken"},
    {"tcp.urg.moves_mark",
     "net/ipv4/tcp_input.c tcp_check_urg: a later urgent byte moves the mark"},
    {"tcp.urg.old_byte_lost", "net/ipv4/tcp_input.c tcp_check_urg: an old "
                              "urgent byte at the head of the stream is lost"},
    {"tcp.recv.enotconn.listen",
     "net/ipv4/tcp.c tcp_recvmsg_locked: a listener: ENOTCONN"},
    {"tcp.recv.oob.einval",
     "net/ipv4/tcp.c tcp_recv_urg: no urgent data, or already read: EINVAL"},
    {"tcp.recv.oob.enotconn",
     "net/ipv4/tcp.c tcp_recv_urg: closed without the peer's FIN: ENOTCONN"},
    {"tcp.recv.oob.take", "net/ipv4/tcp.c tcp_recv_urg: MSG_OOB reads the "
                          "urgent byte (TCP_URG_READ)"},
    {"tcp.recv.oob.peek",
     "net/ipv4/tcp.c tcp_recv_urg: MSG_OOB|MSG_PEEK leaves it valid"},
    {"tcp.recv.stops_at_mark", "net/ipv4/tcp.c tcp_recvmsg_locked: a read that "
                               "copied something stops at the urgent mark"},
    {"tcp.recv.short_before_mark", "net/ipv4/tcp.c tcp_recvmsg_locked: a read "
                                   "is cut short before the urgent byte"},
    {"tcp.recv.skips_urgent_byte",
     "net/ipv4/tcp.c tcp_recvmsg_locked: the urgent byte at the head is "
     "stepped over (no SO_OOBINLINE)"},
    {"tcp.recv.eof", "net/ipv4/tcp.c tcp_recvmsg_locked: nothing queued after "
                     "the peer's FIN (SOCK_DONE): 0"},
    {"tcp.recv.err",
     "net/ipv4/tcp.c tcp_recvmsg_locked: nothing queued, a pending error"},
    {"tcp.recv.rcv_shutdown", "net/ipv4/tcp.c tcp_recvmsg_locked: nothing "
                              "queued after shutdown(SHUT_RD): 0"},
    {"tcp.recv.enotconn.closed", "net/ipv4/tcp.c tcp_recvmsg_locked: nothing "
                                 "queued in TCP_CLOSE: ENOTCONN"},
    {"tcp.recv.eagain",
     "net/ipv4/tcp.c tcp_recvmsg_locked: nothing queued: EAGAIN"},
    {"tcp.recv.peek", "net/ipv4/tcp.c tcp_recvmsg_locked: MSG_PEEK leaves "
                      "copied_seq and the urgent state alone"},
    {"tcp.shutdown.connecting_disconnects",
     "net/ipv4/af_inet.c inet_shutdown: SS_CONNECTING in SYN_SENT or CLOSE "
     "becomes SS_DISCONNECTING"},
    {"tcp.shutdown.connecting_connected",
     "net/ipv4/af_inet.c inet_shutdown: SS_CONNECTING, established: "
     "SS_CONNECTED"},
    {"tcp.shutdown.listener_wr_noop",
     "net/ipv4/af_inet.c inet_shutdown: SHUT_WR on a listener does nothing"},
    {"tcp.shutdown.listener_rd_stops",
     "net/ipv4/af_inet.c inet_shutdown: SHUT_RD on a listener disconnects it "
     "(the pending connections are reset)"},
    {"tcp.shutdown.syn_sent_disconnects",
     "net/ipv4/af_inet.c inet_shutdown: shutdown in SYN_SENT disconnects"},
    {"tcp.shutdown.fin_wait",
     "net/ipv4/tcp.c tcp_shutdown: SHUT_WR when established sends a FIN "
     "(FIN_WAIT1, then FIN_WAIT2 with a wakeup once acknowledged)"},
    {"tcp.shutdown.last_ack", "net/ipv4/tcp.c tcp_shutdown: SHUT_WR in "
                              "CLOSE_WAIT sends a FIN (LAST_ACK, then CLOSE)"},
    {"tcp.shutdown.no_fin",
     "net/ipv4/tcp.c tcp_shutdown: the mode is recorded, no FIN (SHUT_RD, or "
     "the FIN is already sent)"},
    {"tcp.fin.close_wait",
     "net/ipv4/tcp_input.c tcp_fin: the peer's FIN in ESTABLISHED: CLOSE_WAIT, "
     "RCV_SHUTDOWN, readers woken"},
    {"tcp.fin.time_wait", "net/ipv4/tcp_input.c tcp_fin: the peer's FIN in "
                          "FIN_WAIT2: TIME_WAIT, this socket is done"},
    {"tcp.reset.econnrefused.syn_sent",
     "net/ipv4/tcp_input.c tcp_reset: an RST in SYN_SENT: ECONNREFUSED"},
    {"tcp.reset.epipe.close_wait",
     "net/ipv4/tcp_input.c tcp_reset: an RST in CLOSE_WAIT: EPIPE"},
    {"tcp.reset.econnreset",
     "net/ipv4/tcp_input.c tcp_reset: an RST in another state: ECONNRESET, "
     "then tcp_done and an ERR wakeup"},
    {"tcp.disconnect.listener", "net/ipv4/tcp.c tcp_disconnect: a listener "
                                "stops listening (inet_csk_listen_stop)"},
    {"tcp.disconnect.reset_peer",
     "net/ipv4/tcp.c tcp_disconnect: a connection (tcp_need_reset) sends an "
     "RST and gets ECONNRESET"},
    {"tcp.disconnect.syn_sent",
     "net/ipv4/tcp.c tcp_disconnect: in SYN_SENT: ECONNRESET"},
    {"tcp.listen_stop.resets_child",
     "net/ipv4/inet_connection_sock.c inet_csk_listen_stop: a connection not "
     "yet accepted is reset"},
    {"tcp.setsockopt.rcvlowat.capped",
     "net/ipv4/tcp.c tcp_set_rcvlowat: SO_RCVLOWAT is capped at tcp_rmem[2] / "
     "2"},
    {"tcp.setsockopt.rcvlowat.data_ready",
     "net/ipv4/tcp.c tcp_set_rcvlowat: enough is queued for the new value: "
     "tcp_data_ready wakes the readers"},
    {"tcp.poll.listener.in",
     "net/ipv4/inet_connection_sock.c inet_csk_listen_poll: a listener with a "
     "connection to accept is IN|RDNORM"},
    {"tcp.poll.hup.shutdown",
     "net/ipv4/tcp.c tcp_poll: both directions shut down is HUP"},
    {"tcp.poll.hup.close", "net/ipv4/tcp.c tcp_poll: TCP_CLOSE is HUP"},
    {"tcp.poll.rdhup",
     "net/ipv4/tcp.c tcp_poll: RCV_SHUTDOWN is IN|RDNORM|RDHUP"},
    {"tcp.poll.syn_sent",
     "net/ipv4/tcp.c tcp_poll: SYN_SENT is neither readable nor writable"},
    {"tcp.poll.in.rcvlowat", "net/ipv4/tcp.c tcp_poll, tcp_stream_is_readable: "
                             "at least SO_RCVLOWAT bytes queued is IN|RDNORM"},
    {"tcp.poll.in.below_rcvlowat",
     "net/ipv4/tcp.c tcp_stream_is_readable: fewer than SO_RCVLOWAT bytes "
     "queued is not readable"},
    {"tcp.poll.in.urgent_byte_not_counted",
     "net/ipv4/tcp.c tcp_poll: an urgent byte at the head does not count "
     "towards SO_RCVLOWAT"},
    {"tcp.poll.out",
     "net/ipv4/tcp.c tcp_poll: a connection with send room is OUT|WRNORM"},
    {"tcp.poll.pri.urgent",
     "net/ipv4/tcp.c tcp_poll: valid urgent data is PRI"},
    {"tcp.poll.err", "net/ipv4/tcp.c tcp_poll: a pending error is ERR"},
    {"tcp.close.listener", "net/ipv4/tcp.c __tcp_close: a listener's pending "
                           "connections are reset (inet_csk_listen_stop)"},
    {"tcp.close.closed",
     "net/ipv4/tcp.c __tcp_close: a closed socket just goes"},
    {"tcp.close.rst.unread",
     "net/ipv4/tcp.c __tcp_close: unread data: an RST instead of a FIN"},
    {"tcp.close.rst.linger_zero",
     "net/ipv4/tcp.c __tcp_close: SO_LINGER {1, 0}: an RST (tcp_disconnect)"},
    {"tcp.close.syn_sent",
     "net/ipv4/tcp.c __tcp_close: a connect in SYN_SENT is abandoned"},
    {"tcp.close.fin", "net/ipv4/tcp.c __tcp_close: otherwise a FIN "
                      "(tcp_close_state, tcp_send_fin)"},
    {"udp.connect.ok",
     "net/ipv4/datagram.c ip4_datagram_connect: connected (autobind)"},
    {"udp.connect.unspec_disconnects",
     "net/ipv4/udp.c udp_disconnect: AF_UNSPEC: TCP_CLOSE, the port goes back"},
    {"udp.lookup.connected_elsewhere",
     "net/ipv4/udp.c compute_score: a socket connected to another address does "
     "not take the datagram"},
    {"udp.lookup.connected_to_sender",
     "net/ipv4/udp.c compute_score: a socket connected to the sender takes the "
     "datagram"},
    {"udp.send.autobind",
     "net/ipv4/af_inet.c inet_send_prepare: an unbound socket gets a port"},
    {"udp.send.emsgsize.len",
     "net/ipv4/udp.c udp_sendmsg: len > 0xffff: EMSGSIZE"},
    {"udp.send.eopnotsupp.oob",
     "net/ipv4/udp.c udp_sendmsg: MSG_OOB: EOPNOTSUPP"},
    {"udp.sendto.einval.port0",
     "net/ipv4/udp.c udp_sendmsg: a destination with port 0: EINVAL"},
    {"udp.send.edestaddrreq", "net/ipv4/udp.c udp_sendmsg: no address on an "
                              "unconnected socket: EDESTADDRREQ"},
    {"udp.send.emsgsize.ip", "net/ipv4/ip_output.c ip_append_data: more than "
                             "65507 bytes of payload: EMSGSIZE"},
    {"udp.send.err", "net/core/sock.c sock_alloc_send_pskb: a pending error is "
                     "returned and cleared"},
    {"udp.send.epipe.shutdown",
     "net/core/sock.c sock_alloc_send_pskb: SEND_SHUTDOWN: EPIPE"},
    {"udp.send.write_space", "net/core/sock.c sock_wfree: loopback frees the "
                             "skb at once: the sender's write-space wakeup"},
    {"udp.send.delivered", "net/ipv4/udp.c __udp_enqueue_schedule_skb: the "
                           "datagram is queued, the receiver woken"},
    {"udp.send.dropped", "net/ipv4/udp.c __udp4_lib_rcv: nobody takes the "
                         "datagram; an unconnected sender sees nothing"},
    {"udp.send.icmp_econnrefused",
     "net/ipv4/udp.c __udp4_lib_err: the port unreachable reaches a sender "
     "connected to that port: ECONNREFUSED, ERR"},
    {"udp.recv.err", "net/ipv4/udp.c udp_recvmsg: a pending error first"},
    {"udp.recv.eagain", "net/ipv4/udp.c udp_recvmsg: no datagram: EAGAIN"},
    {"udp.recv.peek",
     "net/ipv4/udp.c udp_recvmsg: MSG_PEEK leaves the datagram queued"},
    {"udp.recv.truncated",
     "net/ipv4/udp.c udp_recvmsg: a datagram longer than the buffer is cut"},
    {"udp.recv.trunc_full_length", "net/ipv4/udp.c udp_recvmsg: MSG_TRUNC "
                                   "returns the datagram's full length"},
    {"udp.shutdown.connected", "net/ipv4/af_inet.c inet_shutdown: a connected "
                               "UDP socket records the mode"},
    {"udp.setsockopt.sndbuf_write_space",
     "net/core/sock.c sk_setsockopt: SO_SNDBUF on UDP calls sk_write_space "
     "(writable: an OUT wakeup)"},
    {"udp.poll.err",
     "net/core/datagram.c datagram_poll: a pending error is ERR"},
    {"udp.poll.rdhup",
     "net/core/datagram.c datagram_poll: RCV_SHUTDOWN is RDHUP|IN|RDNORM"},
    {"udp.poll.hup",
     "net/core/datagram.c datagram_poll: both directions shut down is HUP"},
    {"udp.poll.in.queue",
     "net/ipv4/udp.c udp_poll: a queued datagram is IN|RDNORM"},
    {"udp.poll.out", "net/core/datagram.c datagram_poll: always writable on "
                     "loopback (sock_writeable)"},
    {"udp.close", "net/ipv4/udp.c udp_lib_close: the port goes back, queued "
                  "datagrams are freed"},
};

// Rules no generated sequence can reach on any kernel, and why. `check`
// lists them apart from the rules never hit, and the rule-coverage test
// does not require them. Keep it short: a rule generation could reach
// belongs in the generators, not here.
struct UngeneratedRule {
  std::string_view name;
  std::string_view why;
};

inline constexpr UngeneratedRule kUngeneratedRules[] = {
    {"epoll_pwait2.timespec.null",
     "a NULL timespec waits without a limit: a SUT that diverges there (no "
     "events where the model has some) would never return, so generated "
     "waits use 100 ms at most; corpus H7 covers it"},
    {"lseek.regular.data_hole",
     "SEEK_DATA / SEEK_HOLE on the regular file depend on the filesystem's "
     "holes (Admissible: SEEK_SET, SEEK_CUR, SEEK_END only)"},
    {"lseek.enxio.past_end",
     "SEEK_DATA / SEEK_HOLE on the regular file are not generated"},
    {"lseek.directory",
     "a directory's offsets depend on the filesystem (Admissible)"},
    {"eventfd.poll.err.overflow",
     "only eventfd_signal (in-kernel users) can push the count to "
     "ULLONG_MAX; a write stops at ULLONG_MAX - 1"},
    {"pipe.set_size.eperm",
     "sizes above pipe-max-size are not generated (they depend on "
     "privileges; Admissible)"},
    {"epoll_ctl.einval.paths.1",
     "more than 500 paths of length 2 need at least 47 open descriptors "
     "(kMaxOpenFds is 48, every one an item or a dup of a nested epoll)"},
    {"inet.bind.unspec_any",
     "an AF_UNSPEC bind binds 0.0.0.0, outside loopback (Admissible)"},
    {"tcp.connect.syn_dropped.accept_queue_full",
     "a dropped SYN is retransmitted a second later, so the kernel is not "
     "settled (Admissible: no SYN to a full accept queue)"},
    {"udp.send.icmp_econnrefused",
     "ICMP errors are globally rate-limited (icmp_global_allow), so the "
     "kernel's result depends on timing (Admissible)"},
    // A UDP socket's only error is that ICMP one.
    {"udp.send.err",
     "a UDP socket's only error is an ICMP one (not generated)"},
    {"udp.recv.err",
     "a UDP socket's only error is an ICMP one (not generated)"},
    {"udp.poll.err",
     "a UDP socket's only error is an ICMP one (not generated)"},
    // A TCP socket stays in SYN_SENT only when its SYN was dropped.
    {"tcp.send.syn_sent.eagain",
     "SYN_SENT lasts only after a dropped SYN (not generated)"},
    {"tcp.connect.ealready",
     "SYN_SENT lasts only after a dropped SYN (not generated)"},
    {"tcp.poll.syn_sent",
     "SYN_SENT lasts only after a dropped SYN (not generated)"},
    {"tcp.shutdown.syn_sent_disconnects",
     "SYN_SENT lasts only after a dropped SYN (not generated)"},
    {"tcp.disconnect.syn_sent",
     "SYN_SENT lasts only after a dropped SYN (not generated)"},
    {"tcp.close.syn_sent",
     "SYN_SENT lasts only after a dropped SYN (not generated)"},
};

}  // namespace epollcheck
