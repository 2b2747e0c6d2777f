// File: model/profile.h
// The kernel-era and configuration facts the model needs to predict one
// specific kernel exactly (../shared/reference/epoll-semantics.md §K). The
// model is parameterised by a Profile instead of guessing; the kernel SUT picks
// one from `uname -r` unless the user names an era.
//
//   Profile p = ProfileForKernel(6, 18);   // EBADF-first epoll_wait, ...
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace epollcheck {

// When pipe_write wakes the readers' wait queue (and so requeues ET readers).
// Linux: fs/pipe.c pipe_write, commits 1b6b26ae7053 (5.5), 3a34b13a88ca
// (5.14-rc3), 3b844826b6c6 (5.14).
enum class PipeWriteWake {
  kEveryWrite,          // <= 5.4 and 5.14-rc3: every write that stored data
  kIfWasEmpty,          // 5.5 - 5.13: only if the pipe was empty
  kIfWasEmptyOrPolled,  // 5.14+: if empty, or the pipe was ever polled
};

// One step of a monotone size function: sizes up to `max` map to `value`.
struct SizeStep {
  uint32_t max = 0;
  uint32_t value = 0;
  friend bool operator==(const SizeStep&, const SizeStep&) = default;
};

// The socket accounting constants of one kernel build: skb truesize per
// payload size (slab bucket sizes, sizeof(struct sk_buff), skb_shared_info)
// and the sysctl and SOCK_MIN_* limits. The defaults are Linux 6.18 x86-64
// with default sysctls; the kernel SUT measures the running kernel's
// (sut/kernel/calibrate.cc) and the model uses those.
struct SocketCalibration {
  // Linux: net/unix/af_unix.c unix_stream_sendmsg: the largest skb one send
  // builds, SKB_MAX_HEAD(0) + UNIX_SKB_FRAGS_SZ (smaller if sk_sndbuf / 2 -
  // 64 is).
  uint32_t unix_stream_max_skb = 36544;
  // truesize of one SOCK_STREAM skb of n bytes, 1 <= n <= unix_stream_max_skb.
  std::vector<SizeStep> unix_stream_truesize;
  // truesize of one datagram of n bytes (SOCK_DGRAM, SOCK_SEQPACKET), n up to
  // the last step's max.
  std::vector<SizeStep> unix_dgram_truesize;
  // Linux: net/core/sock.c: /proc/sys/net/core/{w,r}mem_{default,max},
  // SOCK_MIN_SNDBUF, SOCK_MIN_RCVBUF.
  int32_t wmem_default = 212992;
  int32_t rmem_default = 212992;
  int32_t wmem_max = 212992;
  int32_t rmem_max = 212992;
  int32_t min_sndbuf = 4608;
  int32_t min_rcvbuf = 2304;
  // /proc/sys/net/unix/max_dgram_qlen (sk_max_ack_backlog of AF_UNIX).
  int32_t max_dgram_qlen = 10;
  // /proc/sys/net/core/somaxconn: listen() clamps its backlog to it.
  int32_t somaxconn = 4096;
  // /proc/sys/net/ipv4/tcp_wmem and tcp_rmem: a TCP socket's initial
  // sk_sndbuf and sk_rcvbuf, and the cap of its SO_RCVLOWAT (tcp_rmem[2] / 2).
  int32_t tcp_wmem_default = 16384;
  int32_t tcp_rmem_default = 131072;
  int32_t tcp_rmem_max = 6291456;
  friend bool operator==(const SocketCalibration&,
                         const SocketCalibration&) = default;
};

// The 6.18 x86-64 values (sk_buff 256 bytes, skb_shared_info 320, kmalloc
// power-of-two buckets, 4 KiB pages, MAX_SKB_FRAGS 17).
SocketCalibration DefaultSocketCalibration();
// The value of a step function at `n`, or nullopt past its last step.
std::optional<uint32_t> StepValue(const std::vector<SizeStep>& steps,
                                  uint32_t n);

// What an ioctl with a command pidfs does not know (an EPIOC one) does on a
// pidfd. Linux: fs/pidfs.c pidfd_ioctl.
enum class PidfdIoctl {
  kEnotty,     // no pidfd ioctl (before 6.11), or pidfs_ioctl_valid refuses
               // the command first (6.14+, "pidfs: check for valid ioctl
               // commands", 8ce3528188207a, and its stable backports)
  kArgFirst,   // 6.11-6.12: a non-zero arg is EINVAL, then no task or no
               // nsproxy (reaped, exited) ESRCH, then ENOTTY
  kTaskFirst,  // 6.13: no task first (ESRCH), then the arg, then as above
};

// What ioctl(EPIOCSPARAMS / EPIOCGPARAMS) on an epoll file does.
enum class EpollIoctlMode {
  kBusyPoll,    // 6.9+ with CONFIG_NET_RX_BUSY_POLL: the parameters
  kEopnotsupp,  // 6.9+ without CONFIG_NET_RX_BUSY_POLL: EOPNOTSUPP
  kEnotty,      // before 6.9: no unlocked_ioctl, every command ENOTTY
};

struct Profile {
  // epoll_wait checks the epfd (EBADF) before maxevents (EINVAL): 6.15+
  // ("eventpoll: abstract out parameter sanity checking").
  bool wait_checks_fd_first = true;
  PipeWriteWake pipe_write_wake = PipeWriteWake::kIfWasEmptyOrPolled;
  // ep_loop_check also counts the epoll levels above the inserting instance
  // (ep_get_upwards_depth_proc), so a chain of more than EP_MAX_NESTS links
  // is refused with ELOOP in any build order: 6.17+ ("eventpoll: Fix
  // semi-unbounded recursion", f2e467a48287; stable-backported, e.g. 6.12.43
  // and 6.1.y, so the kernel SUT probes it). Before, only a loop or a chain
  // too deep below the target failed with ELOOP; a non-epoll file too deep
  // failed the reverse path check with EINVAL.
  bool loop_check_counts_upward_depth = true;
  // pipe_read wakes writers only if the pipe was full and is not any more
  // (6.14+); before, whenever it was full. Invisible to epoll either way,
  // because delivery re-polls, but modelled so the wakeups match the source.
  bool pipe_read_wakes_only_if_unfull = true;
  // The epoll_pwait2 system call exists: 5.11+ (b0a0c2615f6f); before,
  // ENOSYS.
  bool has_epoll_pwait2 = true;
  // The epoll file's ioctls ("eventpoll: Add epoll ioctl for epoll_params",
  // 6.9; the kernel SUT probes it, CONFIG_NET_RX_BUSY_POLL included).
  EpollIoctlMode epoll_ioctl = EpollIoctlMode::kBusyPoll;
  // CONFIG_PM_SLEEP and CAP_BLOCK_SUSPEND: whether EPOLLWAKEUP is stored.
  bool epollwakeup_kept = false;
  // CAP_SYS_RESOURCE: F_SETPIPE_SZ may exceed /proc/sys/fs/pipe-max-size.
  bool cap_sys_resource = true;
  // CAP_NET_ADMIN: EPIOCSPARAMS may set a budget above NAPI_POLL_WEIGHT.
  // The kernel SUT's executor thread and the C reproducer drop it, so the
  // EPERM is reachable when the harness runs as root.
  bool cap_net_admin = false;
  // CAP_FOWNER (or owning the anonymous inode, i.e. uid 0): F_SETFL may set
  // O_NOATIME on an epoll, eventfd or /dev/null file.
  bool cap_fowner = true;
  // /proc/sys/fs/pipe-max-size.
  unsigned pipe_max_size = 1048576;
  // RLIMIT_NOFILE (soft): descriptor numbers must stay below it (dup2 ->
  // EBADF, allocation -> EMFILE). Default: fs.nr_open's default.
  int64_t fd_limit = 1048576;
  // RLIMIT_NOFILE's hard limit: setrlimit_nofile above it is EINVAL.
  int64_t fd_hard_limit = 1048576;

  // eventfd_write rejects any count but 8 (EINVAL), not only a short one:
  // measured on 6.18 (a write of 9 or 16 bytes is EINVAL; 5.10 and 6.1 take
  // the first 8 bytes and return 8). "eventfd: strictly check the count
  // parameter of eventfd_write" (posted February 2024), taken here as 6.9;
  // the kernel SUT probes it.
  bool eventfd_write_exact = true;
  // A TCP socket that sent a SYN (a refused, reset or disconnected
  // connection) cannot listen: EINVAL (measured on 6.18). Debian's 5.10,
  // 6.1 and 6.12.117 let it listen like a fresh socket. The version that
  // changed it is not pinned (ProfileForKernel takes 6.13, the first after
  // the kernels measured); the kernel SUT probes it.
  bool tcp_listen_refuses_syn_sent = true;
  // A TCP socket that listened once (a listen undone by shutdown(SHUT_RD)
  // or an AF_UNSPEC connect) cannot connect: EINVAL (measured on 6.18).
  // Debian's 6.12.117 connects it like a fresh socket (measured; found by
  // the matrix run of 2026-12-02). The version that changed it is not
  // pinned (ProfileForKernel takes 6.13, as for the listen above); the
  // kernel SUT probes it.
  bool tcp_connect_refuses_former_listener = true;
  // unix_dgram_sendmsg allocates the skb (size check, pending error,
  // SEND_SHUTDOWN, EAGAIN) before it looks the peer up, so an unconnected
  // send frees an skb (a write-space wakeup) and may fail with EPIPE or
  // EMSGSIZE: 6.18 (measured). 5.10, 6.1 and 6.12.117 fail with ENOTCONN
  // first (measured). The version that changed it is not pinned
  // (ProfileForKernel takes 6.13); the kernel SUT probes it.
  bool unix_dgram_send_allocates_first = true;
  // AF_UNIX SOCK_STREAM has MSG_OOB (CONFIG_AF_UNIX_OOB, 5.15+); without it
  // every MSG_OOB send, and a MSG_OOB receive, is EOPNOTSUPP (5.10, gVisor).
  bool unix_oob = true;
  // manage_oob drops a consumed out-of-band skb at the head and goes on
  // with the next skb (6.10+: "af_unix: Don't stop recv(MSG_DONTWAIT) if
  // consumed OOB skb is at the head", 93c99f21db36). Before (5.15-6.9): the
  // dropped skb ends the read (EAGAIN when nothing was copied), and a peek
  // steps over a consumed skb at the head without looking at what follows
  // (an out-of-band byte right after it is read as data). Debian's 6.1.0-57
  // has the old behaviour (found by the matrix run of 2026-12-02). The
  // feature unix.msg_oob (consumed-ends-read) carries it; the kernel SUT
  // probes it.
  bool unix_oob_skips_consumed = true;
  // MSG_PEEK without MSG_OOB that meets the pending out-of-band byte with
  // nothing copied yet steps over it and peeks at what follows (EAGAIN, or
  // 0 after SHUT_RD, when nothing does): "af_unix: Don't peek OOB data
  // without MSG_OOB" (22dd70eb2c3d) and its follow-up "af_unix: Read with
  // MSG_PEEK loops if the first unread byte is OOB", spring 2024, taken as
  // 6.9; backported to Debian's 6.1.0-57, which keeps the old consumed-skb
  // behaviour above (measured under QEMU on 2026-12-02: K11). Before, the
  // peek reads the out-of-band byte as data and goes on. The feature
  // unix.oob_peek carries it; the kernel SUT probes it. Moot without MSG_OOB.
  bool unix_oob_peek_past_mark = true;
  // A 0-byte recv on an AF_UNIX stream socket whose head skb manage_oob
  // takes away (a consumed out-of-band skb dropped or, with MSG_PEEK, stepped
  // over; the pending out-of-band byte skipped or peeked past) and after
  // which no skb is left: the read ends there and returns 0 (measured under
  // QEMU on 2026-12-02 on Debian's 7.3 and 6.12.117: a stable backport), or
  // it goes on to the empty queue's EAGAIN (this host's 6.18.44 and Debian's
  // 6.1.0-57, measured). manage_oob's drops happen either way, a read of
  // 1 byte or more is the same on both, and an empty queue is EAGAIN on
  // both. The commit is not pinned (the sources at hand, mainline up to 6.18,
  // all go on to EAGAIN); ProfileForKernel takes 7.0, the first after the
  // 6.18 measured. The feature unix.oob_zero_recv carries it; the kernel SUT
  // probes it. Moot without MSG_OOB (unix_oob false).
  bool unix_oob_zero_recv_returns_zero = false;
  // unix_release_sock gives a connection-based peer ECONNRESET only for
  // something left to read: a lone skb with nothing unread (a consumed
  // out-of-band skb, a zero-length SEQPACKET record) is skipped ("af_unix:
  // Don't set -ECONNRESET for consumed OOB skb", 6.16, backported to the
  // stable kernels with MSG_OOB: Debian's 6.1 and 6.12 have it). Before,
  // any queued skb gave ECONNRESET (Debian's 5.10: K3, found by the matrix
  // run of 2026-12-02). Probed.
  bool unix_release_skips_empty_skb = true;
  // pidfs (6.9+, "pidfd: add pidfs"; with "pidfd_poll: report POLLHUP when
  // pid_task() == NULL" and the wakeup of pid->wait_pidfd when the pid
  // loses its task, __change_pid): a reaped child's pidfd polls
  // IN|RDNORM|HUP, the reap wakes the pidfd waiters (no key), every pidfd
  // of one pid shares one inode, and pidfd_open takes PIDFD_THREAD. Before:
  // IN|RDNORM from the exit on, no wakeup at the reap, the anonymous inode,
  // PIDFD_THREAD EINVAL. Measured on 6.18, where the exit's wakeup also
  // carries the key IN|RDNORM (keyless before; when that changed is not
  // pinned, so it goes with this feature). The kernel SUT probes it.
  bool pidfs = true;
  // An anonymous-inode file (epoll, eventfd, timerfd, signalfd) seeks with
  // its noop_llseek (6.0+: "fs: clear or set FMODE_LSEEK based on llseek
  // function", e7478158e137, lets alloc_file set FMODE_LSEEK); before,
  // alloc_file left FMODE_LSEEK clear and vfs_llseek answered ESPIPE
  // (Debian's 5.10: found by the matrix run of 2026-12-02). Probed.
  bool anon_inode_lseek = true;
  // An EPIOC ioctl on a pidfd (PidfdIoctl): ENOTTY on 6.18 and before 6.11,
  // checked arguments first on 6.11-6.13 (Debian's 6.12.117: EINVAL for a
  // non-zero arg, found by the matrix run of 2026-12-02). The kernel SUT
  // probes it.
  PidfdIoctl pidfd_ioctl = PidfdIoctl::kEnotty;
  SocketCalibration sockets = DefaultSocketCalibration();
  // /proc/sys/fs/epoll/max_user_watches: the items a user may have in all
  // its epoll instances (ep_insert: ENOSPC at the limit). A host's is
  // millions (4% of low memory), out of a sequence's reach; a VM guest the
  // suite owns sets a small one (ci/guest/init.cc), and there the kernel
  // SUT's executor runs under a real uid of its own, so only the sequence's
  // items count. The kernel SUT reads it.
  int64_t max_user_watches = INT64_MAX;

  std::string name = "6.18";
  friend bool operator==(const Profile&, const Profile&) = default;
};

// The profile of a mainline kernel version (major.minor).
Profile ProfileForKernel(int major, int minor);

// True if `a` and `b` agree on every kernel-era fact (the fields
// ProfileForKernel sets, which are the EraFeatures): a result written for
// one era holds on the other.
bool SameEraBehaviour(const Profile& a, const Profile& b);

// A behaviour that differs between kernel versions, as a named feature with
// named values: the unit the kernel SUT decides by probing the target
// (sut/profile_probe.h) instead of trusting its version number, and the
// unit `--profile` and a scenario's `profile` line override.
struct EraFeature {
  std::string_view name;                 // "epoll_wait.check_order"
  std::vector<std::string_view> values;  // "fd-first", "maxevents-first"
  std::string_view what;                 // one line: what decides it
  int (*get)(const Profile&);            // index into values
  void (*set)(Profile&, int);
};
const std::vector<EraFeature>& EraFeatures();

// "epoll_wait.check_order=fd-first" for every feature, in table order.
std::vector<std::string> FeatureSettings(const Profile& profile);

// The name of `profile`'s era behaviour: an era ("6.1") if one has exactly
// its features (the newest such era not above `near_major.near_minor`, else
// the oldest), otherwise the era with the fewest differences followed by
// them: "6.1 epoll_ctl.loop_check=upward-depth". ParseProfileName reads it
// back.
std::string ProfileName(const Profile& profile, int near_major = 99,
                        int near_minor = 0);

// "MAJOR.MINOR [feature=value]...": ProfileForKernel(MAJOR, MINOR) with the
// features set (named `name`), or nullopt with `*error` saying why.
std::optional<Profile> ParseProfileName(std::string_view name,
                                        std::string* error);

}  // namespace epollcheck
