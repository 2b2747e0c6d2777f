// File: sut/sim/sim_kernel.h
// The syscall surface of a from-scratch, userspace eventpoll: a SimKernel
// (global state: limits, the nested-epoll mutex, watch accounting) and
// SimProcesses (a descriptor table each) whose methods mirror the system
// calls and return -errno like the kernel. Objects are built the way Linux
// builds them: reference-counted open files with f_op-like methods, pipes
// with a slot ring, eventfds, AF_UNIX sockets, and epoll instances that
// are files themselves.
// Calls may come from several threads (each one that overlaps another's
// calls into the same process holds a FilesRef, see SimProcess); epoll_wait,
// and reads and writes on blocking descriptors, sleep and are woken by other
// threads. While the program has a single thread, locks and refcounts take
// their uniprocessor forms (sut/sim/smp.h).
//
//   SimKernel kernel;
//   auto proc = kernel.NewProcess();
//   int p[2];
//   proc->Pipe2(p, abi::kONonblock);                  // p = {0, 1}
//   int ep = proc->EpollCreate1(0);                   // 2
//   EpollEvent ev{.events = abi::kEpollIn, .data = 7};
//   proc->EpollCtl(ep, abi::kEpollCtlAdd, p[0], &ev);
//   proc->Write(p[1], "x", 1);
//   EpollEvent out[4];
//   proc->EpollWait(ep, out, 4, -1);                  // 1: {IN, 7}
//
// Linux: fs/eventpoll.c, fs/pipe.c, fs/eventfd.c, fs/file.c, fs/fcntl.c,
// fs/read_write.c, kernel/fork.c (dup_fd), net/socket.c, net/unix/af_unix.c.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "sut/sim/file.h"
#include "sut/sim/pipe.h"
#include "sut/sim/signal.h"
#include "sut/sim/spinlock.h"
#include "sut/sim/uaccess.h"

namespace epollcheck::sim {

class PollTable;
class SocketFile;
class UnixSock;
struct EpollFdinfoLine;

// Linux: struct epoll_event (packed on x86-64; here a plain struct).
struct EpollEvent {
  uint32_t events = 0;
  uint64_t data = 0;
};

// Linux: struct timespec (for epoll_pwait2).
struct Timespec {
  int64_t tv_sec = 0;
  int64_t tv_nsec = 0;
};

// Linux: struct timeval (for select).
struct Timeval {
  int64_t tv_sec = 0;
  int64_t tv_usec = 0;
};

// Linux: struct sockaddr_un. A name whose sun_path starts with a NUL byte
// is abstract: the addrlen - 2 bytes of sun_path are the name. AF_UNSPEC
// (sun_family 0) disconnects a datagram socket.
struct SockaddrUn {
  uint16_t sun_family = 0;
  char sun_path[108] = {};
};

// Linux: the per-namespace table of bound AF_UNIX sockets (net->unx.table),
// here for abstract names only, keyed by (sk_type, name) as
// unix_abstract_hash and unix_find_socket_byname key them. A sock is in it
// from unix_bind_abstract to unix_remove_socket (release); the table holds
// no reference (a sock removes itself before it can be freed).
struct UnixTable {
  SpinLock lock;  // Linux: net->unx.table.locks[hash] (one lock here)
  std::map<std::pair<int, std::string>, UnixSock*> abstract;  // guarded by lock
};

// Linux: struct pollfd.
struct PollFd {
  int fd = -1;
  int16_t events = 0;
  int16_t revents = 0;
};

// eventfd2 flags. Linux: include/uapi/linux/eventfd.h (x86-64 values).
inline constexpr int kEfdSemaphore = 1;
inline constexpr int kEfdNonblock = 04000;    // O_NONBLOCK
inline constexpr int kEfdCloexec = 02000000;  // O_CLOEXEC

struct SimConfig {
  // /proc/sys/fs/epoll/max_user_watches: ADD fails with ENOSPC at the limit.
  // Linux: fs/eventpoll.c ep_insert, eventpoll_init (default ~4% of RAM).
  long max_user_watches = 1L << 22;
  // RLIMIT_NOFILE: descriptors at or above it cannot be allocated (EMFILE)
  // or dup2'ed to (EBADF).
  int nofile = 1 << 20;
  // RLIMIT_NOFILE's hard limit: a soft limit above it is EINVAL.
  int64_t nofile_max = 1 << 20;
  // CAP_NET_ADMIN: EPIOCSPARAMS may set a budget above NAPI_POLL_WEIGHT.
  bool cap_net_admin = false;
  // CAP_FOWNER: F_SETFL may set O_NOATIME on the anonymous inode's files.
  bool cap_fowner = true;
  // /proc/sys/fs/pipe-max-size and CAP_SYS_RESOURCE (F_SETPIPE_SZ EPERM).
  unsigned pipe_max_size = 1048576;
  bool cap_sys_resource = true;
  // /proc/sys/net/core/{w,r}mem_{default,max}: a new socket's
  // sk_sndbuf/sk_rcvbuf and the SO_SNDBUF/SO_RCVBUF clamps. Linux:
  // net/core/sock.c sock_init_data, sk_setsockopt.
  int wmem_default = 212992;
  int rmem_default = 212992;
  int wmem_max = 212992;
  int rmem_max = 212992;
  // /proc/sys/net/unix/max_dgram_qlen (sk_max_ack_backlog of AF_UNIX).
  int max_dgram_qlen = 10;
  // /proc/sys/net/core/somaxconn: listen() clamps its backlog to it.
  int somaxconn = 4096;
  // Fault injection, for showing that the differential property bites: a
  // delivered level-triggered item is not put back on the ready list (the
  // list_add_tail in ep_send_events is skipped). Never set in real use.
  bool fault_skip_lt_requeue = false;
  // More faults, one per class of model rule, each a small mistake a real
  // re-implementation makes (the test doubles of sut/mutant_sut.h, `--sut
  // mutant-*`). Never set in real use.
  // errno: EPOLLEXCLUSIVE on EPOLL_CTL_MOD is rejected only after the item
  // lookup, so MOD of an unregistered fd fails with ENOENT, not EINVAL.
  bool fault_exclusive_mod_after_lookup = false;
  // readiness: a pipe's write end does not report EPOLLERR once the last
  // reader is gone (pipe_poll's `!pipe->readers` test is missing).
  bool fault_no_pipe_writer_err = false;
  // wakeup: pipe_write wakes the readers only if the pipe was empty (the
  // 5.5-5.13 rule), so an edge-triggered item misses a second write.
  bool fault_pipe_wake_only_if_empty = false;
  // order: ep_poll_callback puts a newly ready item at the head of the
  // ready list (list_add, not list_add_tail): last ready, first delivered.
  bool fault_lifo_ready_list = false;
  // numbering: dup takes one more than the highest open descriptor instead
  // of the lowest free one (holes are never reused).
  bool fault_dup_above_highest = false;
  // stored mask: EPOLL_CTL_MOD stores the new mask without or-ing in
  // EPOLLERR | EPOLLHUP (ADD still does): only fdinfo shows it at once; a
  // wait shows it once the file errs or hangs up unasked.
  bool fault_mod_without_err_hup = false;
  // interest set: close(fd) removes the items added with that number even
  // though another descriptor keeps the file open (an emulator that keys
  // items by number): the ghost item is lost, which only fdinfo shows at
  // once.
  bool fault_close_drops_items = false;
  // readiness: a FIFO reader reports EPOLLHUP whenever no writer is left,
  // even if it opened with none and none has come since (pipe_poll's
  // f_pipe != w_counter test is missing).
  bool fault_fifo_hup_ignores_version = false;
  // state: timerfd_settime keeps unread ticks (timerfd_setup's ticks = 0 is
  // missing): a disarmed or re-armed timer still reads and polls ready.
  bool fault_timerfd_settime_keeps_ticks = false;
  // wakeup: a standard signal that is already pending still wakes the
  // signalfd items (legacy_queue's drop comes after signalfd_notify), so an
  // ET item is reported again.
  bool fault_signal_duplicate_wakes = false;
};

// How many kernel objects are alive, for leak checks.
struct SimObjectCounts {
  long files = 0;
  long pipes = 0;
  long eventpolls = 0;
  long epitems = 0;
  long eventfds = 0;
  long timerfds = 0;
  long signalfds = 0;
  long socks = 0;  // AF_UNIX struct socks (alive until their skbs are freed)
  friend bool operator==(const SimObjectCounts&,
                         const SimObjectCounts&) = default;
};

class SimProcess;

// One more thread's share of a process's descriptor table. Linux: a task
// made by clone(CLONE_FILES) (copy_files: files->count + 1) until its
// exit_files (put_files_struct: files->count - 1), which Reset or the
// destructor does, before the process is destroyed. Move-only.
class FilesRef {
public:
  FilesRef() = default;
  FilesRef(FilesRef&& other) noexcept : proc_(other.proc_) {
    other.proc_ = nullptr;
  }
  FilesRef& operator=(FilesRef&& other) noexcept;
  FilesRef(const FilesRef&) = delete;
  FilesRef& operator=(const FilesRef&) = delete;
  ~FilesRef() { Reset(); }
  // Linux: exit_files. Requires: the thread holding it makes no more calls
  // into the process.
  void Reset();

private:
  friend class SimProcess;
  explicit FilesRef(SimProcess* proc) : proc_(proc) {}
  SimProcess* proc_ = nullptr;
};

class SimKernel {
public:
  explicit SimKernel(SimConfig config = {});
  SimKernel(const SimKernel&) = delete;
  SimKernel& operator=(const SimKernel&) = delete;
  // Requires: every process is gone and every file released.
  ~SimKernel();

  // A new process with an empty descriptor table.
  std::unique_ptr<SimProcess> NewProcess();
  const SimConfig& config() const { return config_; }
  SimObjectCounts Counts() const;

  // --- Kernel-internal state (used by the object implementations). ---

  // Linux: epnested_mutex: serialises EPOLL_CTL_ADD operations that may
  // build nested topologies, and the loop/depth checks they run.
  std::mutex epnested_mutex_;
  // Linux: loop_check_gen. Changed only under epnested_mutex_; atomic
  // because do_epoll_ctl compares an instance's mark with it without that
  // mutex.
  std::atomic<uint64_t> loop_check_gen_{0};
  // Linux: ep->user->epoll_watches (one user here).
  std::atomic<long> epoll_watches_{0};
  // Live-object counters (no kernel equivalent; for leak reports).
  std::atomic<long> live_files_{0};
  std::atomic<long> live_pipes_{0};
  std::atomic<long> live_eventpolls_{0};
  std::atomic<long> live_eventfds_{0};
  std::atomic<long> live_timerfds_{0};
  std::atomic<long> live_signalfds_{0};
  std::atomic<long> live_socks_{0};
  // Bound AF_UNIX abstract names.
  UnixTable unix_table_;
  // Inode numbers. Linux: get_next_ino (pipefs, sockfs and the anonymous
  // inode take theirs from it), and the devices of the pseudo filesystems
  // (anonymous block devices 0:N in mount order).
  static constexpr uint32_t kAnonInodefsDev = 0x10;
  static constexpr uint32_t kPipefsDev = 0x0f;
  static constexpr uint32_t kSockfsDev = 0x08;
  static constexpr uint32_t kPidfsDev = 0x05;
  uint64_t NextIno() {
    return AtomicFetchAdd(next_ino_, 1, std::memory_order_relaxed);
  }
  // Linux: fs/anon_inodes.c anon_inode_inode, shared by every
  // anon_inode_getfile file (epoll, eventfd); the first number taken.
  const SimInode anon_inode_;
  // The sequence's one FIFO (open_file fifo_*), on a tmpfs-like device.
  static constexpr uint32_t kTmpDev = 0x1f;
  FifoInode fifo_;

private:
  const SimConfig config_;
  std::atomic<uint64_t> next_ino_{2};
};

// One process: a descriptor table (Linux: struct files_struct) and the
// system calls. Destroying a process closes all its descriptors (exit).
//
// Threads. A process starts with one task: any one thread at a time may
// call into it (a hand-over between threads must be ordered by the caller,
// e.g. by a join). Each further thread that may call while others do is a
// clone(CLONE_FILES) of it and holds a FilesRef from CloneFiles() while it
// runs, like the kernel's files->count. While no FilesRef is alive, a
// descriptor lookup borrows the file without a lock or a reference
// (__fget_light); otherwise it takes file_lock_ and a reference.
//
//   std::thread t([share = proc->CloneFiles(), &proc] { proc->Read(...); });
class SimProcess {
public:
  explicit SimProcess(SimKernel* kernel);
  SimProcess(const SimProcess&) = delete;
  SimProcess& operator=(const SimProcess&) = delete;
  ~SimProcess();

  // Linux: fs/pipe.c do_pipe2. fds[0] is the read end (the lower number).
  int Pipe2(int fds[2], uint32_t flags);
  // open(fifo, mode|flags) of the kernel's one FIFO: `f_mode` kFmodeRead,
  // kFmodeWrite or both; of `flags` O_NONBLOCK and O_CLOEXEC count.
  // Linux: fs/open.c do_sys_openat2 (a descriptor first: EMFILE), fs/pipe.c
  // fifo_open.
  int OpenFifo(uint32_t f_mode, uint32_t flags);
  // Linux: fs/eventpoll.c SYSCALL_DEFINE1(epoll_create), do_epoll_create.
  int EpollCreate(int size);
  int EpollCreate1(uint32_t flags);
  // Linux: fs/eventpoll.c SYSCALL_DEFINE4(epoll_ctl), do_epoll_ctl. The
  // event is read from `event` unless op is DEL (a fault: EFAULT, first).
  int EpollCtl(int epfd, int op, int fd, const UserBuffer& event);
  // The same with a plain pointer: null is a faulting one.
  int EpollCtl(int epfd, int op, int fd, const EpollEvent* event);
  // Linux: SYSCALL_DEFINE4(epoll_wait): timeout_ms < 0 blocks without limit,
  // 0 never blocks; `events` holds EpollEvent elements (copies past what it
  // can hold fault).
  int EpollWait(int epfd, const UserBuffer& events, int maxevents,
                int timeout_ms);
  // The same with a plain array of maxevents elements; null counts as a
  // range outside user space (EFAULT).
  int EpollWait(int epfd, EpollEvent* events, int maxevents, int timeout_ms);
  // Linux: SYSCALL_DEFINE6(epoll_pwait): the sigmask (`sigmask` null: none,
  // else sigsetsize must be sizeof(sigset_t), 8) is checked first; there
  // are no signals here, so an installed mask changes nothing else.
  int EpollPwait(int epfd, const UserBuffer& events, int maxevents,
                 int timeout_ms, const uint64_t* sigmask, size_t sigsetsize);
  // Linux: SYSCALL_DEFINE6(epoll_pwait2): the timespec (null `timeout`:
  // blocks without limit; {0, 0}: never blocks; a fault: EFAULT; invalid:
  // EINVAL) first, then the sigmask as epoll_pwait's.
  int EpollPwait2(int epfd, const UserBuffer& events, int maxevents,
                  const UserBuffer* timeout, const uint64_t* sigmask,
                  size_t sigsetsize);
  // The same with plain pointers and no sigmask.
  int EpollPwait2(int epfd, EpollEvent* events, int maxevents,
                  const Timespec* timeout);
  // Linux: fs/read_write.c ksys_read / ksys_write, vfs_read / vfs_write.
  int64_t Read(int fd, void* buf, size_t count);
  int64_t Write(int fd, const void* buf, size_t count);
  // Linux: fs/file.c close_fd, SYSCALL_DEFINE1(dup), SYSCALL_DEFINE2(dup2).
  int Close(int fd);
  int Dup(int fd);
  int Dup2(int oldfd, int newfd);
  // Linux: fs/fcntl.c do_fcntl: F_GETFL, F_SETFL (setfl), F_SETPIPE_SZ and
  // F_GETPIPE_SZ (pipe_fcntl); other commands are EINVAL here.
  int Fcntl(int fd, int cmd, unsigned long arg = 0);
  // Linux: fs/ioctl.c SYSCALL_DEFINE3(ioctl): fdget (EBADF), then the
  // file's unlocked_ioctl (none: ENOTTY). `arg` is the user pointer.
  int Ioctl(int fd, uint32_t cmd, const UserBuffer& arg);
  // Linux: fs/read_write.c ksys_lseek: EBADF, whence above SEEK_MAX
  // (EINVAL), then the file's llseek (ESPIPE for pipes and sockets).
  int64_t Lseek(int fd, int64_t offset, int whence);
  // Linux: kernel/sys.c do_prlimit for RLIMIT_NOFILE's soft limit (the hard
  // one is SimConfig::nofile_max): EINVAL above it. RLIMIT_NOFILE is the
  // process's (signal->rlim), so a forked child would inherit it.
  int SetNofile(int64_t soft);
  // RLIMIT_NOFILE's soft limit now.
  int64_t nofile() const { return nofile_.load(std::memory_order_relaxed); }
  // Linux: fs/eventfd.c SYSCALL_DEFINE2(eventfd2), do_eventfd.
  int Eventfd2(unsigned int initval, int flags);
  // Linux: fs/timerfd.c timerfd_create, and timerfd_settime with
  // it_interval 0 and the it_value `expire` names (model/ops.h Expire).
  int TimerfdCreate(int clockid, uint32_t flags);
  int TimerfdSettime(int fd, uint32_t flags, int32_t expire);
  // Signals (sut/sim/signal.h): every signal is blocked and stays pending.
  // Linux: fs/signalfd.c SYSCALL_DEFINE4(signalfd4) (`mask` points at
  // sizemask bytes; fd -1 makes a signalfd), kernel/signal.c
  // SYSCALL_DEFINE3(tgkill) on this process's one task (signals 1..64 are
  // queued; 0 only checks; others EINVAL), do_sigpending,
  // do_sigtimedwait with a zero timeout.
  int Signalfd4(int fd, const UserBuffer& mask, size_t sizemask,
                uint32_t flags);
  int Tgkill(int sig);
  int Sigpending(uint64_t* set);
  int Sigtimedwait(uint64_t mask);
  // Linux: net/socket.c __sys_socketpair: AF_UNIX only (other domains are
  // EAFNOSUPPORT: not simulated); `type` may carry SOCK_NONBLOCK and
  // SOCK_CLOEXEC. sv[0] is the lower number.
  int Socketpair(int domain, int type, int protocol, int sv[2]);
  // Linux: net/socket.c __sys_socket: AF_UNIX only (others
  // EAFNOSUPPORT); flags (EINVAL), type (SOCK_MAX: EINVAL; unix_create:
  // EPROTONOSUPPORT, ESOCKTNOSUPPORT), then the descriptor (EMFILE).
  int Socket(int domain, int type, int protocol);
  // Linux: __sys_bind, __sys_listen (backlog clamped to somaxconn as an
  // unsigned), __sys_connect (the file's O_NONBLOCK decides blocking):
  // EBADF, ENOTSOCK, then unix_bind / unix_listen / unix_*_connect.
  // Abstract names only: a filesystem name is not simulated (bind
  // EOPNOTSUPP; a lookup finds nothing, ENOENT).
  int Bind(int fd, const SockaddrUn* addr, uint32_t addrlen);
  int Listen(int fd, int backlog);
  int Connect(int fd, const SockaddrUn* addr, uint32_t addrlen);
  // Linux: __sys_accept4 without a peer address: EBADF, flags (EINVAL), a
  // descriptor (EMFILE), ENOTSOCK, then unix_accept (the listener's
  // O_NONBLOCK decides blocking; `flags` the new file's).
  int Accept4(int fd, int flags);
  // Linux: __sys_sendto / __sys_recvfrom: EBADF, then ENOTSOCK, then the
  // socket's sendmsg / recvmsg (MSG_DONTWAIT added for an O_NONBLOCK file).
  // Send is SendTo without an address.
  int64_t Send(int fd, const void* buf, size_t len, uint32_t flags);
  int64_t SendTo(int fd, const void* buf, size_t len, uint32_t flags,
                 const SockaddrUn* addr, uint32_t addrlen);
  int64_t Recv(int fd, void* buf, size_t len, uint32_t flags);
  // Linux: __sys_shutdown.
  int Shutdown(int fd, int how);
  // Linux: __sys_setsockopt / __sys_getsockopt at SOL_SOCKET.
  int Setsockopt(int fd, int optname, const void* optval, uint32_t optlen);
  int Getsockopt(int fd, int optname, void* optval, uint32_t* optlen);
  // Linux: fs/select.c SYSCALL_DEFINE3(poll), SYSCALL_DEFINE5(ppoll):
  // do_sys_poll over `nfds` entries (above RLIMIT_NOFILE: EINVAL), each
  // entry's revents written (negative fd: 0, closed: POLLNVAL, otherwise
  // the file's mask & (events | ERR | HUP)); returns how many are nonzero.
  // Only the zero timeout is simulated (timeout_ms 0, *tsp {0, 0}; an
  // invalid timespec is EINVAL); `sigmask` null passes NULL, otherwise
  // `sigsetsize` must be 8 (EINVAL, checked before nfds).
  int Poll(PollFd* ufds, unsigned int nfds, int timeout_ms);
  int Ppoll(PollFd* ufds, unsigned int nfds, const Timespec* tsp,
            const uint64_t* sigmask, size_t sigsetsize);
  // Linux: fs/select.c SYSCALL_DEFINE5(select), SYSCALL_DEFINE6(pselect6):
  // core_sys_select over fd_sets given as arrays of 64-bit words (null: no
  // set), FDS_LONGS(min(n, table size)) words each; n < 0 is EINVAL, a set
  // bit on a closed descriptor EBADF, n == 0 leaves the sets untouched.
  // Only the zero timeout is simulated; sigmask as for Ppoll.
  int Select(int n, uint64_t* inp, uint64_t* outp, uint64_t* exp,
             const Timeval* tvp);
  int Pselect6(int n, uint64_t* inp, uint64_t* outp, uint64_t* exp,
               const Timespec* tsp, const uint64_t* sigmask, size_t sigsetsize);
  // Linux: kernel/fork.c copy_files / dup_fd: a child whose table refers to
  // the same open file descriptions (each gains a reference).
  std::unique_ptr<SimProcess> Fork();
  // Linux: copy_files with CLONE_FILES: a share of this table for one more
  // thread (see Threads above). Requires: called by a thread that may call
  // into the process now (the parent of the clone), not by a stranger while
  // the process's only thread runs.
  FilesRef CloneFiles();
  // Linux: get_unused_fd_flags + fd_install of a file made elsewhere (a
  // pidfd): the lowest free number, or -EMFILE (the reference dropped).
  int InstallFile(FileRef file) { return InstallLowest(std::move(file)); }
  // The open descriptor numbers, ascending.
  std::vector<int> OpenFds();
  // Closes every descriptor (what exit does).
  void CloseAll();
  // Observation for tests: how many threads sleep in epoll_wait on `epfd`
  // (-EBADF / -EINVAL if it is not an open epoll descriptor).
  int SleepingWaiters(int epfd);
  // Linux: fs/proc/fd.c seq_show of /proc/<pid>/fdinfo/<fd> for the item
  // lines: the file's show_fdinfo (ShowFdinfo for an epoll file; no lines
  // for the others). -ENOENT if `fd` is not open, as proc's lookup says.
  int EpollFdinfo(int fd, std::vector<EpollFdinfoLine>* lines);
  // Linux: vfs_fstat's st_dev and st_ino (the file's inode); -EBADF if
  // `fd` is not open.
  int Fstat(int fd, SimInode* inode);

  SimKernel* kernel() const { return kernel_; }

  // Linux: fget: a reference to the file open at `fd`, or null.
  FileRef Fget(int fd);
  // Linux: fdget (__fget_light): the file open at `fd` for the rest of the
  // calling system call, borrowed if the table is not shared; or empty.
  // "If another thread is concurrently calling close_fd() followed by
  // put_files_struct(), we must not observe the old table entry combined
  // with the new refcount": the acquire load pairs with FilesRef::Reset's
  // release.
  Fd Fdget(int fd) {
    if (files_count_.load(std::memory_order_acquire) == 1) {
      // files_lookup_fd_raw: nobody else can change the table meanwhile.
      if (fd < 0 || static_cast<size_t>(fd) >= fd_.size())
        return Fd();
      return Fd::Borrowed(fd_[fd]);
    }
    return FdgetShared(fd);
  }

private:
  friend class FilesRef;
  // Fdget of a shared table: __fget_files (file_lock_ and a reference).
  Fd FdgetShared(int fd);

  // Linux: fd_install after alloc_fd (get_unused_fd_flags): installs `file`
  // (adopting the caller's reference) at the lowest free number, or returns
  // -EMFILE and drops the reference.
  int InstallLowest(FileRef file);
  // The same for two files (pipe2, socketpair): the lowest two free
  // numbers, `first`'s the lower, or -EMFILE (both dropped).
  int InstallLowestPair(FileRef first, FileRef second, int fds[2]);
  // SimConfig::fault_dup_above_highest: one more than the highest open
  // number instead of the lowest free one.
  int InstallAboveHighest(FileRef file);
  // Linux: sockfd_lookup_light: the socket at `fd`, or null with *err set
  // (EBADF, ENOTSOCK). `ref` keeps the file.
  SocketFile* SockfdLookup(int fd, Fd* ref, int* err);
  int ExpandTo(int fd);  // Requires: file_lock_ held.
  // fs/select.c internals (sut/sim/select.cc).
  uint32_t DoPollfd(PollFd* pollfd, PollTable* pt);
  int DoSysPoll(PollFd* ufds, unsigned int nfds);
  int DoSelect(int n, const uint64_t* in, const uint64_t* out,
               const uint64_t* ex, uint64_t* res_in, uint64_t* res_out,
               uint64_t* res_ex);
  int CoreSysSelect(int n, uint64_t* inp, uint64_t* outp, uint64_t* exp);

  SimKernel* const kernel_;
  // Linux: the task's pending signals and sighand (one task per process).
  // Declared before the table, so it outlives the releases CloseAll runs.
  SigState signals_{kernel_->config().fault_signal_duplicate_wakes};
  // Linux: current->signal->rlim[RLIMIT_NOFILE].rlim_cur.
  std::atomic<int64_t> nofile_;
  SpinLock file_lock_;  // Linux: files->file_lock
  // The open files by number (null = free), each holding a reference.
  // Written under file_lock_; read under it, or without it by Fdget while
  // files_count_ is 1 (then no other thread calls into the process).
  std::vector<File*> fd_;
  int next_fd_ = 0;  // lowest possibly free; guarded by file_lock_
  // Linux: files->count: 1 plus the live FilesRefs. Incremented by a
  // thread that uses the table (before the new thread starts); decremented
  // with release after the leaving thread's last call, and read with
  // acquire by Fdget, so a lookup that sees 1 also sees every change the
  // departed threads made to the table.
  std::atomic<long> files_count_{1};
};

}  // namespace epollcheck::sim
