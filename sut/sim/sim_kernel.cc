// The system calls of the simulated kernel: descriptor tables and argument
// checks, dispatching to the file types. Linux: fs/file.c (alloc_fd,
// fd_install, close_fd, do_dup2, ksys_dup3, dup_fd), fs/read_write.c
// (ksys_read, vfs_read, ...), fs/fcntl.c, fs/pipe.c do_pipe2,
// fs/eventpoll.c (the syscall entry points), fs/eventfd.c do_eventfd,
// net/socket.c (__sys_socketpair, __sys_sendto, __sys_recvfrom,
// __sys_shutdown, __sys_setsockopt, __sys_getsockopt).

#include "sut/sim/sim_kernel.h"

#include <algorithm>
#include <chrono>
#include <climits>

#include "model/abi.h"
#include "model/check.h"
#include "model/ops.h"
#include "sut/sim/eventfd.h"
#include "sut/sim/eventpoll.h"
#include "sut/sim/file.h"
#include "sut/sim/pipe.h"
#include "sut/sim/timerfd.h"
#include "sut/sim/unix.h"

namespace epollcheck::sim {
namespace {

// Linux: MAX_RW_COUNT = INT_MAX & PAGE_MASK.
constexpr size_t kMaxRwCount =
    static_cast<size_t>(INT_MAX) & ~static_cast<size_t>(abi::kPageSize - 1);
// Linux: SOCK_MAX (SOCK_PACKET + 1).
constexpr uint32_t kSockMax = 11;
// Linux: sizeof(struct sockaddr_storage): move_addr_to_kernel's limit.
constexpr uint32_t kSockaddrStorageSize = 128;

}  // namespace

SimKernel::SimKernel(SimConfig config)
    : anon_inode_{.sdev = kAnonInodefsDev, .ino = 1}, config_(config) {
  fifo_.inode = SimInode{.sdev = kTmpDev, .ino = NextIno()};
}

SimKernel::~SimKernel() {
  // Every process must be gone and every file released first: a file
  // outliving its kernel would point at freed state.
  EP_CHECK(Counts() == SimObjectCounts{});
}

std::unique_ptr<SimProcess> SimKernel::NewProcess() {
  return std::make_unique<SimProcess>(this);
}

SimObjectCounts SimKernel::Counts() const {
  return SimObjectCounts{
      .files = live_files_.load(),
      .pipes = live_pipes_.load(),
      .eventpolls = live_eventpolls_.load(),
      .epitems = epoll_watches_.load(),
      .eventfds = live_eventfds_.load(),
      .timerfds = live_timerfds_.load(),
      .signalfds = live_signalfds_.load(),
      .socks = live_socks_.load(),
  };
}

SimProcess::SimProcess(SimKernel* kernel)
    : kernel_(kernel), nofile_(kernel->config().nofile) {}

SimProcess::~SimProcess() {
  // Every thread that shared the table has left it (exit_files).
  EP_CHECK(files_count_.load(std::memory_order_acquire) == 1);
  CloseAll();
}

FileRef SimProcess::Fget(int fd) {
  std::lock_guard<SpinLock> guard(file_lock_);
  if (fd < 0 || static_cast<size_t>(fd) >= fd_.size() || fd_[fd] == nullptr)
    return FileRef();
  fd_[fd]->Get();
  return FileRef(fd_[fd]);
}

Fd SimProcess::FdgetShared(int fd) {
  return Fd::Cloned(Fget(fd).Detach());  // __fget_files
}

FilesRef SimProcess::CloneFiles() {
  files_count_.fetch_add(1, std::memory_order_relaxed);  // atomic_inc
  return FilesRef(this);
}

FilesRef& FilesRef::operator=(FilesRef&& other) noexcept {
  if (this != &other) {
    Reset();
    proc_ = other.proc_;
    other.proc_ = nullptr;
  }
  return *this;
}

// Linux: put_files_struct's atomic_dec_and_test (a full barrier there; a
// release here is what Fdget's acquire needs).
void FilesRef::Reset() {
  if (proc_ != nullptr) {
    proc_->files_count_.fetch_sub(1, std::memory_order_release);
    proc_ = nullptr;
  }
}

int SimProcess::ExpandTo(int fd) {
  if (static_cast<size_t>(fd) >= fd_.size()) {
    size_t size = std::max<size_t>(64, fd_.size());
    while (size <= static_cast<size_t>(fd))
      size *= 2;
    fd_.resize(size, nullptr);  // expand_files
  }
  return 0;
}

// Linux: alloc_fd (lowest free number from next_fd) + fd_install.
int SimProcess::InstallLowest(FileRef file) {
  std::lock_guard<SpinLock> guard(file_lock_);
  int fd = next_fd_;
  while (static_cast<size_t>(fd) < fd_.size() && fd_[fd] != nullptr)
    ++fd;
  if (fd >= nofile())
    return -abi::kEmfile;  // `file` is dropped by its FileRef
  ExpandTo(fd);
  fd_[fd] = file.Detach();
  next_fd_ = fd + 1;
  return fd;
}

int SimProcess::Pipe2(int fds[2], uint32_t flags) {
  SyscallScope scope(&signals_);
  if ((flags & ~(abi::kOCloexec | abi::kONonblock | abi::kODirect |
                 abi::kONotificationPipe)) != 0) {
    return -abi::kEinval;
  }
  if (fds == nullptr)
    return -abi::kEfault;  // copy_to_user
  FileRef read_end;
  FileRef write_end;
  CreatePipeFiles(kernel_, flags, &read_end, &write_end);
  // The read end's number is allocated first, so it is the lower.
  return InstallLowestPair(std::move(read_end), std::move(write_end), fds);
}

int SimProcess::OpenFifo(uint32_t f_mode, uint32_t flags) {
  SyscallScope scope(&signals_);
  {
    // get_unused_fd_flags comes before the open: EMFILE opens nothing.
    std::lock_guard<SpinLock> guard(file_lock_);
    int fd = next_fd_;
    while (static_cast<size_t>(fd) < fd_.size() && fd_[fd] != nullptr)
      ++fd;
    if (fd >= nofile())
      return -abi::kEmfile;
  }
  FileRef file;
  if (const int err = FifoOpen(kernel_, &kernel_->fifo_, f_mode,
                               flags & abi::kONonblock, &file);
      err != 0) {
    return err;
  }
  return InstallLowest(std::move(file));
}

int SimProcess::InstallLowestPair(FileRef first, FileRef second, int fds[2]) {
  std::lock_guard<SpinLock> guard(file_lock_);
  int got[2] = {-1, -1};
  int fd = next_fd_;
  for (int i = 0; i < 2; ++i) {
    while (static_cast<size_t>(fd) < fd_.size() && fd_[fd] != nullptr)
      ++fd;
    if (fd >= nofile())
      return -abi::kEmfile;
    got[i] = fd++;
  }
  ExpandTo(got[1]);
  fd_[got[0]] = first.Detach();
  fd_[got[1]] = second.Detach();
  next_fd_ = got[0] + 1;
  fds[0] = got[0];
  fds[1] = got[1];
  return 0;
}

int SimProcess::EpollCreate(int size) {
  if (size <= 0)
    return -abi::kEinval;
  return EpollCreate1(0);
}

int SimProcess::EpollCreate1(uint32_t flags) {
  SyscallScope scope(&signals_);
  if ((flags & ~abi::kEpollCloexec) != 0)
    return -abi::kEinval;
  return InstallLowest(CreateEpollFile(kernel_));
}

namespace {
// A plain array of `maxevents` events as user memory; null is a range
// outside user space.
UserBuffer WholeEvents(EpollEvent* events, int maxevents) {
  if (events == nullptr)
    return UserBuffer::KernelRange();
  return UserBuffer::Whole(events, static_cast<size_t>(std::max(maxevents, 0)) *
                                       sizeof *events);
}
}  // namespace

int SimProcess::EpollCtl(int epfd, int op, int fd, const UserBuffer& event) {
  SyscallScope scope(&signals_);
  EpollEvent epds;
  if (op != abi::kEpollCtlDel) {  // ep_op_has_event
    if (!CopyFromUser(&epds, event, sizeof epds))
      return -abi::kEfault;
  }
  Fd f = Fdget(epfd);
  if (!f)
    return -abi::kEbadf;
  Fd tf = Fdget(fd);
  if (!tf)
    return -abi::kEbadf;
  // Every simulated file type has ->poll, so file_can_poll never fails.
  return DoEpollCtl(f.get(), tf.get(), op, fd, epds);
}

int SimProcess::EpollCtl(int epfd, int op, int fd, const EpollEvent* event) {
  return EpollCtl(epfd, op, fd,
                  event == nullptr
                      ? UserBuffer::Faulting()
                      : UserBuffer::ReadOnly(event, sizeof *event));
}

namespace {

// Linux: ep_timeout_to_timespec: negative = no limit, 0 = never block.
WaitTimeout TimeoutFromMs(int timeout_ms) {
  if (timeout_ms == 0)
    return WaitTimeout::NonBlocking();
  if (timeout_ms > 0)
    return WaitTimeout::After(std::chrono::milliseconds(timeout_ms));
  return WaitTimeout::Infinite();
}

// Linux: kernel/signal.c set_user_sigmask (the mask itself is not used:
// nothing here delivers signals).
int CheckUserSigmask(const uint64_t* sigmask, size_t sigsetsize) {
  if (sigmask == nullptr)
    return 0;
  if (sigsetsize != sizeof *sigmask)
    return -abi::kEinval;
  return 0;
}

}  // namespace

int SimProcess::EpollWait(int epfd, const UserBuffer& events, int maxevents,
                          int timeout_ms) {
  SyscallScope scope(&signals_);
  const WaitTimeout timeout = TimeoutFromMs(timeout_ms);
  Fd f = Fdget(epfd);  // 6.15+: EBADF before the parameter checks
  if (!f)
    return -abi::kEbadf;
  return DoEpollWait(f.get(), events, maxevents, timeout);
}

int SimProcess::EpollWait(int epfd, EpollEvent* events, int maxevents,
                          int timeout_ms) {
  return EpollWait(epfd, WholeEvents(events, maxevents), maxevents, timeout_ms);
}

int SimProcess::EpollPwait(int epfd, const UserBuffer& events, int maxevents,
                           int timeout_ms, const uint64_t* sigmask,
                           size_t sigsetsize) {
  if (const int error = CheckUserSigmask(sigmask, sigsetsize); error != 0)
    return error;
  return EpollWait(epfd, events, maxevents, timeout_ms);
}

int SimProcess::EpollPwait2(int epfd, const UserBuffer& events, int maxevents,
                            const UserBuffer* timeout, const uint64_t* sigmask,
                            size_t sigsetsize) {
  SyscallScope scope(&signals_);
  WaitTimeout to = WaitTimeout::Infinite();
  if (timeout != nullptr) {
    Timespec ts;
    if (!CopyFromUser(&ts, *timeout, sizeof ts))  // get_timespec64
      return -abi::kEfault;
    // poll_select_set_timeout: timespec64_valid, then {0, 0} = no wait.
    if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
      return -abi::kEinval;
    if (ts.tv_sec == 0 && ts.tv_nsec == 0) {
      to = WaitTimeout::NonBlocking();
    } else {
      to = WaitTimeout::After(std::chrono::seconds(ts.tv_sec) +
                              std::chrono::nanoseconds(ts.tv_nsec));
    }
  }
  if (const int error = CheckUserSigmask(sigmask, sigsetsize); error != 0)
    return error;
  Fd f = Fdget(epfd);
  if (!f)
    return -abi::kEbadf;
  return DoEpollWait(f.get(), events, maxevents, to);
}

int SimProcess::EpollPwait2(int epfd, EpollEvent* events, int maxevents,
                            const Timespec* timeout) {
  const UserBuffer ts = timeout == nullptr
                            ? UserBuffer{}
                            : UserBuffer::ReadOnly(timeout, sizeof *timeout);
  return EpollPwait2(epfd, WholeEvents(events, maxevents), maxevents,
                     timeout == nullptr ? nullptr : &ts, nullptr, 0);
}

// Linux: ksys_read + vfs_read. A null buffer stands for one outside user
// memory (access_ok fails: EFAULT).
int64_t SimProcess::Read(int fd, void* buf, size_t count) {
  SyscallScope scope(&signals_);
  Fd f = Fdget(fd);
  if (!f)
    return -abi::kEbadf;
  if ((f->f_mode() & kFmodeRead) == 0)
    return -abi::kEbadf;
  if (!f->CanRead())
    return -abi::kEinval;
  if (buf == nullptr && count != 0)
    return -abi::kEfault;
  return f->Read(buf, std::min(count, kMaxRwCount));
}

int64_t SimProcess::Write(int fd, const void* buf, size_t count) {
  SyscallScope scope(&signals_);
  Fd f = Fdget(fd);
  if (!f)
    return -abi::kEbadf;
  if ((f->f_mode() & kFmodeWrite) == 0)
    return -abi::kEbadf;
  if (!f->CanWrite())
    return -abi::kEinval;
  if (buf == nullptr && count != 0)
    return -abi::kEfault;
  return f->Write(buf, std::min(count, kMaxRwCount));
}

// Linux: close_fd + filp_close; the release itself runs at the end of the
// call (deferred fput).
int SimProcess::Close(int fd) {
  SyscallScope scope(&signals_);
  File* file = nullptr;
  {
    std::lock_guard<SpinLock> guard(file_lock_);
    if (fd < 0 || static_cast<size_t>(fd) >= fd_.size() || fd_[fd] == nullptr) {
      return -abi::kEbadf;
    }
    file = fd_[fd];
    fd_[fd] = nullptr;
    next_fd_ = std::min(next_fd_, fd);  // __put_unused_fd
  }
  if (kernel_->config().fault_close_drops_items)
    FaultDropItemsOfFd(file, fd);
  Fput(file);
  return 0;
}

int SimProcess::Dup(int fd) {
  SyscallScope scope(&signals_);
  FileRef f = Fget(fd);  // fget_raw: the new descriptor's reference
  if (!f)
    return -abi::kEbadf;
  if (kernel_->config().fault_dup_above_highest)
    return InstallAboveHighest(std::move(f));
  return InstallLowest(std::move(f));
}

// The numbering fault of SimConfig: one more than the highest open
// descriptor, holes never reused.
int SimProcess::InstallAboveHighest(FileRef file) {
  std::lock_guard<SpinLock> guard(file_lock_);
  int fd = static_cast<int>(fd_.size());
  while (fd > 0 && fd_[fd - 1] == nullptr)
    --fd;
  if (fd >= nofile())
    return -abi::kEmfile;
  ExpandTo(fd);
  fd_[fd] = file.Detach();
  return fd;
}

// Linux: SYSCALL_DEFINE2(dup2), ksys_dup3, do_dup2: the new file is
// installed, then the one it replaced is closed.
int SimProcess::Dup2(int oldfd, int newfd) {
  SyscallScope scope(&signals_);
  if (newfd == oldfd) {
    Fd f = Fdget(oldfd);
    return f ? newfd : -abi::kEbadf;
  }
  // newfd is unsigned in the kernel: negative numbers are huge.
  if (newfd < 0 || newfd >= nofile())
    return -abi::kEbadf;
  File* tofree = nullptr;
  {
    std::lock_guard<SpinLock> guard(file_lock_);
    ExpandTo(newfd);
    if (oldfd < 0 || static_cast<size_t>(oldfd) >= fd_.size() ||
        fd_[oldfd] == nullptr) {
      return -abi::kEbadf;
    }
    File* file = fd_[oldfd];
    tofree = fd_[newfd];
    file->Get();
    fd_[newfd] = file;
  }
  if (tofree != nullptr)
    Fput(tofree);  // filp_close
  return newfd;
}

// Linux: do_fcntl -> pipe_fcntl for the pipe commands: EBADF unless the
// file is a pipe.
int SimProcess::Fcntl(int fd, int cmd, unsigned long arg) {
  SyscallScope scope(&signals_);
  Fd f = Fdget(fd);
  if (!f)
    return -abi::kEbadf;
  if (cmd == abi::kFGetFl) {
    // The access mode (kept in f_flags by the kernel, derived from f_mode
    // here) and the status flags.
    const uint32_t mode = f->f_mode() & (kFmodeRead | kFmodeWrite);
    const uint32_t access = mode == (kFmodeRead | kFmodeWrite) ? abi::kORdwr
                            : mode == kFmodeWrite              ? abi::kOWronly
                                                               : abi::kORdonly;
    return static_cast<int>(access | f->f_flags());
  }
  if (cmd == abi::kFSetFl) {
    auto flags = static_cast<uint32_t>(arg);
    // setfl: O_NOATIME for the owner (pipes and sockets are the caller's;
    // the anonymous inode is root's) or CAP_FOWNER; O_DIRECT only where
    // the file takes it; FASYNC through ->fasync.
    if ((flags & abi::kONoatime) != 0 && (f->f_flags() & abi::kONoatime) == 0 &&
        f->SocketOf() == nullptr && f->PipeInfo() == nullptr &&
        !kernel_->config().cap_fowner)
      return -abi::kEperm;
    if ((flags & abi::kODirect) != 0 && !f->TakesODirect())
      return -abi::kEinval;
    uint32_t mask = abi::kSetflMask;
    if (((flags ^ f->f_flags()) & abi::kOAsync) != 0 && f->HasFasync())
      mask |= abi::kOAsync;
    f->SetFlags(mask, flags);
    return 0;
  }
  if (cmd != abi::kFSetPipeSz && cmd != abi::kFGetPipeSz)
    return -abi::kEinval;
  PipeInodeInfo* pipe = f->PipeInfo();
  if (pipe == nullptr)
    return -abi::kEbadf;
  if (cmd == abi::kFSetPipeSz)
    return static_cast<int>(pipe->SetSize(static_cast<unsigned int>(arg)));
  return static_cast<int>(pipe->Size());
}

int SimProcess::Ioctl(int fd, uint32_t cmd, const UserBuffer& arg) {
  SyscallScope scope(&signals_);
  Fd f = Fdget(fd);
  if (!f)
    return -abi::kEbadf;
  return static_cast<int>(f->Ioctl(cmd, arg));
}

int64_t SimProcess::Lseek(int fd, int64_t offset, int whence) {
  SyscallScope scope(&signals_);
  Fd f = Fdget(fd);
  if (!f)
    return -abi::kEbadf;
  if (whence < 0 || whence > abi::kSeekHole)
    return -abi::kEinval;
  return f->Llseek(offset, whence);
}

int SimProcess::SetNofile(int64_t soft) {
  if (soft < 0 || soft > kernel_->config().nofile_max)
    return -abi::kEinval;
  nofile_.store(soft, std::memory_order_relaxed);
  return 0;
}

int SimProcess::Eventfd2(unsigned int initval, int flags) {
  SyscallScope scope(&signals_);
  if ((flags & ~(kEfdCloexec | kEfdNonblock | kEfdSemaphore)) != 0)
    return -abi::kEinval;  // EFD_FLAGS_SET
  return InstallLowest(CreateEventfd(kernel_, initval, flags));
}

int SimProcess::TimerfdCreate(int clockid, uint32_t flags) {
  SyscallScope scope(&signals_);
  if ((flags & ~(abi::kONonblock | abi::kOCloexec)) != 0)
    return -abi::kEinval;  // TFD_CREATE_FLAGS
  if (clockid != 0 && clockid != 1 && clockid != 7)
    return -abi::kEinval;  // REALTIME, MONOTONIC, BOOTTIME (no _ALARM)
  return InstallLowest(CreateTimerfd(kernel_, clockid, flags));
}

int SimProcess::TimerfdSettime(int fd, uint32_t flags, int32_t expire) {
  SyscallScope scope(&signals_);
  // TFD_SETTIME_FLAGS, then itimerspec64_valid, then the descriptor.
  if ((flags & ~3u) != 0 || expire == kExpireBad)
    return -abi::kEinval;
  Fd f = Fdget(fd);
  if (!f)
    return -abi::kEbadf;
  TimerfdFile* timer = f->TimerfdOf();
  if (timer == nullptr)
    return -abi::kEinval;
  timer->Settime(expire);
  return 0;
}

int SimProcess::Signalfd4(int fd, const UserBuffer& mask, size_t sizemask,
                          uint32_t flags) {
  SyscallScope scope(&signals_);
  constexpr uint64_t kKillStop =
      (uint64_t{1} << (9 - 1)) | (uint64_t{1} << (19 - 1));
  if (sizemask != sizeof(uint64_t))
    return -abi::kEinval;
  uint64_t set = 0;
  if (!CopyFromUser(&set, mask, sizeof set))
    return -abi::kEfault;
  if ((flags & ~(abi::kONonblock | abi::kOCloexec)) != 0)
    return -abi::kEinval;
  set &= ~kKillStop;  // sigdelsetmask(SIGKILL, SIGSTOP)
  if (fd == -1)
    return InstallLowest(FileRef(new SignalfdFile(kernel_, set, flags)));
  Fd f = Fdget(fd);
  if (!f)
    return -abi::kEbadf;
  SignalfdFile* sfd = f->SignalfdOf();
  if (sfd == nullptr)
    return -abi::kEinval;
  sfd->SetMask(set);
  return fd;
}

int SimProcess::Tgkill(int sig) {
  SyscallScope scope(&signals_);
  if (sig < 0 || sig > 64)
    return -abi::kEinval;  // check_kill_permission: !valid_signal
  if (sig != 0)
    signals_.Send(sig);
  return 0;
}

int SimProcess::Sigpending(uint64_t* set) {
  SyscallScope scope(&signals_);
  *set = signals_.Pending();
  return 0;
}

int SimProcess::Sigtimedwait(uint64_t mask) {
  SyscallScope scope(&signals_);
  constexpr uint64_t kKillStop =
      (uint64_t{1} << (9 - 1)) | (uint64_t{1} << (19 - 1));
  const int sig = signals_.Dequeue(mask & ~kKillStop);
  return sig != 0 ? sig : -abi::kEagain;  // a zero timeout never sleeps
}

int SimProcess::Socketpair(int domain, int type, int protocol, int sv[2]) {
  SyscallScope scope(&signals_);
  const auto utype = static_cast<uint32_t>(type);
  const uint32_t flags = utype & ~abi::kSockTypeMask;
  if ((flags & ~(abi::kSockCloexec | abi::kSockNonblock)) != 0)
    return -abi::kEinval;
  const uint32_t bare = utype & abi::kSockTypeMask;
  {
    // get_unused_fd_flags twice: EMFILE before any socket is made. (The
    // kernel reserves the two numbers here; the sim picks them when it
    // installs the files, which only differs for a racing thread.)
    std::lock_guard<SpinLock> guard(file_lock_);
    int free_fds = 0;
    for (int fd = next_fd_; free_fds < 2; ++fd) {
      if (fd >= nofile())
        return -abi::kEmfile;
      if (static_cast<size_t>(fd) >= fd_.size() || fd_[fd] == nullptr)
        ++free_fds;
    }
  }
  if (sv == nullptr)
    return -abi::kEfault;  // put_user
  if (domain != abi::kAfUnix)
    return -abi::kEafnosupport;  // no other family is simulated
  if (bare >= kSockMax)
    return -abi::kEinval;  // __sock_create
  if (protocol != 0 && protocol != abi::kAfUnix)
    return -abi::kEprotonosupport;  // unix_create
  FileRef a;
  FileRef b;
  if (const int err = CreateUnixSocketpair(kernel_, bare, flags, &a, &b);
      err < 0) {
    return err;
  }
  return InstallLowestPair(std::move(a), std::move(b), sv);
}

SocketFile* SimProcess::SockfdLookup(int fd, Fd* ref, int* err) {
  *ref = Fdget(fd);
  if (!*ref) {
    *err = -abi::kEbadf;
    return nullptr;
  }
  SocketFile* sock = (*ref)->SocketOf();
  if (sock == nullptr)
    *err = -abi::kEnotsock;
  return sock;
}

int SimProcess::Socket(int domain, int type, int protocol) {
  SyscallScope scope(&signals_);
  const auto utype = static_cast<uint32_t>(type);
  const uint32_t flags = utype & ~abi::kSockTypeMask;
  if ((flags & ~(abi::kSockCloexec | abi::kSockNonblock)) != 0)
    return -abi::kEinval;  // __sys_socket_create
  const uint32_t bare = utype & abi::kSockTypeMask;
  if (domain != abi::kAfUnix)
    return -abi::kEafnosupport;  // no other family is simulated
  if (bare >= kSockMax)
    return -abi::kEinval;  // __sock_create
  if (protocol != 0 && protocol != abi::kAfUnix)
    return -abi::kEprotonosupport;  // unix_create
  FileRef file;
  if (const int err = CreateUnixSocket(kernel_, bare, flags, &file); err < 0)
    return err;
  return InstallLowest(std::move(file));  // sock_map_fd: EMFILE releases it
}

int SimProcess::Bind(int fd, const SockaddrUn* addr, uint32_t addrlen) {
  SyscallScope scope(&signals_);
  Fd ref;
  int err = 0;
  SocketFile* sock = SockfdLookup(fd, &ref, &err);
  if (sock == nullptr)
    return err;
  if (addrlen > kSockaddrStorageSize)  // move_addr_to_kernel
    return -abi::kEinval;
  return sock->Bind(addr, addrlen);
}

int SimProcess::Listen(int fd, int backlog) {
  SyscallScope scope(&signals_);
  Fd ref;
  int err = 0;
  SocketFile* sock = SockfdLookup(fd, &ref, &err);
  if (sock == nullptr)
    return err;
  const auto somaxconn = static_cast<unsigned>(kernel_->config().somaxconn);
  if (static_cast<unsigned>(backlog) > somaxconn)
    backlog = static_cast<int>(somaxconn);
  return sock->Listen(backlog);
}

int SimProcess::Connect(int fd, const SockaddrUn* addr, uint32_t addrlen) {
  SyscallScope scope(&signals_);
  Fd ref;
  int err = 0;
  SocketFile* sock = SockfdLookup(fd, &ref, &err);
  if (sock == nullptr)
    return err;
  if (addrlen > kSockaddrStorageSize)  // move_addr_to_kernel
    return -abi::kEinval;
  return sock->Connect(addr, addrlen, sock->f_flags());
}

int SimProcess::Accept4(int fd, int flags) {
  SyscallScope scope(&signals_);
  Fd ref = Fdget(fd);
  if (!ref)
    return -abi::kEbadf;
  const auto uflags = static_cast<uint32_t>(flags);
  if ((uflags & ~(abi::kSockCloexec | abi::kSockNonblock)) != 0)
    return -abi::kEinval;
  {
    // get_unused_fd_flags: EMFILE before do_accept. (The kernel reserves
    // the number here; the sim picks it when it installs the file.)
    std::lock_guard<SpinLock> guard(file_lock_);
    int fd_free = next_fd_;
    while (static_cast<size_t>(fd_free) < fd_.size() &&
           fd_[fd_free] != nullptr) {
      ++fd_free;
    }
    if (fd_free >= nofile())
      return -abi::kEmfile;
  }
  SocketFile* sock = ref->SocketOf();
  if (sock == nullptr)
    return -abi::kEnotsock;  // do_accept
  FileRef newfile;
  if (const int err =
          sock->Accept(sock->f_flags(), uflags & abi::kSockNonblock, &newfile);
      err < 0) {
    return err;
  }
  return InstallLowest(std::move(newfile));
}

int64_t SimProcess::Send(int fd, const void* buf, size_t len, uint32_t flags) {
  return SendTo(fd, buf, len, flags, nullptr, 0);
}

int64_t SimProcess::SendTo(int fd, const void* buf, size_t len, uint32_t flags,
                           const SockaddrUn* addr, uint32_t addrlen) {
  SyscallScope scope(&signals_);
  len = std::min(len, kMaxRwCount);  // import_ubuf
  Fd ref;
  int err = 0;
  SocketFile* sock = SockfdLookup(fd, &ref, &err);
  if (sock == nullptr)
    return err;
  if (addr == nullptr)
    addrlen = 0;
  else if (addrlen > kSockaddrStorageSize)  // move_addr_to_kernel
    return -abi::kEinval;
  if (buf == nullptr && len != 0)
    return -abi::kEfault;  // the copy from user memory fails
  if ((sock->f_flags() & abi::kONonblock) != 0)
    flags |= abi::kMsgDontwait;
  return sock->Sendmsg(buf, len, flags, addr, addrlen);
}

int64_t SimProcess::Recv(int fd, void* buf, size_t len, uint32_t flags) {
  SyscallScope scope(&signals_);
  len = std::min(len, kMaxRwCount);
  Fd ref;
  int err = 0;
  SocketFile* sock = SockfdLookup(fd, &ref, &err);
  if (sock == nullptr)
    return err;
  if (buf == nullptr && len != 0)
    return -abi::kEfault;
  if ((sock->f_flags() & abi::kONonblock) != 0)
    flags |= abi::kMsgDontwait;
  return sock->Recvmsg(buf, len, flags);
}

int SimProcess::Shutdown(int fd, int how) {
  SyscallScope scope(&signals_);
  Fd ref;
  int err = 0;
  SocketFile* sock = SockfdLookup(fd, &ref, &err);
  if (sock == nullptr)
    return err;
  return sock->Shutdown(how);
}

int SimProcess::Setsockopt(int fd, int optname, const void* optval,
                           uint32_t optlen) {
  SyscallScope scope(&signals_);
  Fd ref;
  int err = 0;
  SocketFile* sock = SockfdLookup(fd, &ref, &err);
  if (sock == nullptr)
    return err;
  return sock->Setsockopt(optname, optval, optlen);
}

int SimProcess::Getsockopt(int fd, int optname, void* optval,
                           uint32_t* optlen) {
  SyscallScope scope(&signals_);
  Fd ref;
  int err = 0;
  SocketFile* sock = SockfdLookup(fd, &ref, &err);
  if (sock == nullptr)
    return err;
  return sock->Getsockopt(optname, optval, optlen);
}

int SimProcess::SleepingWaiters(int epfd) {
  SyscallScope scope(&signals_);
  Fd f = Fdget(epfd);
  if (!f)
    return -abi::kEbadf;
  const int n = sim::SleepingWaiters(f.get());
  return n < 0 ? -abi::kEinval : n;
}

int SimProcess::EpollFdinfo(int fd, std::vector<EpollFdinfoLine>* lines) {
  SyscallScope scope(&signals_);
  Fd f = Fdget(fd);
  if (!f)
    return -abi::kEnoent;
  (void)sim::ShowFdinfo(f.get(), lines);
  return 0;
}

int SimProcess::Fstat(int fd, SimInode* inode) {
  SyscallScope scope(&signals_);
  Fd f = Fdget(fd);
  if (!f)
    return -abi::kEbadf;
  *inode = f->inode();
  return 0;
}

std::unique_ptr<SimProcess> SimProcess::Fork() {
  auto child = std::make_unique<SimProcess>(kernel_);
  child->nofile_.store(nofile(), std::memory_order_relaxed);  // copy_signal
  std::lock_guard<SpinLock> guard(file_lock_);
  child->fd_ = fd_;
  child->next_fd_ = next_fd_;
  for (File* file : child->fd_) {
    if (file != nullptr)
      file->Get();  // dup_fd: get_file
  }
  return child;
}

std::vector<int> SimProcess::OpenFds() {
  std::vector<int> out;
  std::lock_guard<SpinLock> guard(file_lock_);
  for (size_t i = 0; i < fd_.size(); ++i) {
    if (fd_[i] != nullptr)
      out.push_back(static_cast<int>(i));
  }
  return out;
}

void SimProcess::CloseAll() {
  SyscallScope scope(&signals_);
  std::vector<File*> table;
  {
    std::lock_guard<SpinLock> guard(file_lock_);
    table.swap(fd_);
    next_fd_ = 0;
  }
  for (File* file : table) {
    if (file != nullptr)
      Fput(file);
  }
}

}  // namespace epollcheck::sim
