// The step function: syscall-level argument checks and the descriptor table,
// dispatching to the pipe and epoll models. Linux: fs/file.c (alloc_fd,
// do_dup2, close_fd), fs/read_write.c (vfs_read/vfs_write checks), fs/fcntl.c.

#include "model/step.h"

#include <type_traits>
#include <variant>

#include "model/abi.h"
#include "model/check.h"
#include "model/internal/kernel.h"
#include "model/rules.h"

namespace epollcheck {

const File* World::FileAt(int32_t fd) const {
  auto it = fd_table.find(fd);
  return it == fd_table.end() ? nullptr : &files.at(it->second);
}

std::optional<FileId> World::FileIdAt(int32_t fd) const {
  auto it = fd_table.find(fd);
  if (it == fd_table.end())
    return std::nullopt;
  return it->second;
}

std::optional<FileId> World::FdgetAt(int32_t fd) const {
  const std::optional<FileId> file = FileIdAt(fd);
  if (file && files.at(*file).kind == FileKind::kPath)
    return std::nullopt;
  return file;
}

bool World::IsEpollFd(int32_t fd) const {
  const File* f = FileAt(fd);
  return f != nullptr && f->kind == FileKind::kEpoll;
}

namespace internal {

FileId NewFile(World& world, File file) {
  const FileId id = world.next_id++;
  world.files.emplace(id, std::move(file));
  return id;
}

// The `n`-th lowest free descriptor number (n = 0: the lowest).
int64_t LowestFreeFd(const World& world, int n) {
  int64_t fd = 0;
  for (const auto& [number, unused] : world.fd_table) {
    while (fd < number) {
      if (n-- == 0)
        return fd;
      ++fd;
    }
    fd = number + 1;
  }
  return fd + n;
}

bool HasFreeFds(const World& world, int n) {
  if (LowestFreeFd(world, n - 1) < world.FdLimit())
    return true;
  RULE("fd.alloc.emfile");
  return false;
}

int32_t InstallLowestFd(World& world, FileId file) {
  const auto fd = static_cast<int32_t>(LowestFreeFd(world, 0));
  EP_CHECK(fd < world.FdLimit());
  // Linux: fs/file.c alloc_fd: the lowest free number, a hole left by a
  // close or above every open one.
  if (!world.fd_table.empty() && fd < world.fd_table.rbegin()->first) {
    RULE("fd.alloc.lowest_hole");
  } else {
    RULE("fd.alloc.lowest_top");
  }
  world.fd_table[fd] = file;
  ++world.files.at(file).refs;
  return fd;
}

// Linux: fs/file_table.c __fput: the epoll items watching the file go first
// (eventpoll_release), then f_op->release runs.
void PutFile(World& world, FileId file) {
  File& f = world.files.at(file);
  EP_CHECK(f.refs > 0);
  if (--f.refs > 0) {
    RULE("file.put.still_referenced");
    return;
  }
  RULE("file.put.last_reference");
  EventpollReleaseFile(world, file);
  switch (world.files.at(file).kind) {
  case FileKind::kPipeRead:
  case FileKind::kPipeWrite:
  case FileKind::kPipeRdwr:
    PipeRelease(world, file);
    break;
  case FileKind::kEpoll:
    EpollFileRelease(world, file);
    break;
  case FileKind::kEventfd:
  case FileKind::kTimerfd:
  case FileKind::kSignalfd:
  case FileKind::kPidfd:  // the pid stays in World::procs
    break;
  case FileKind::kUnixSocket:
    UnixRelease(world, file);
    break;
  case FileKind::kInetSocket:
    InetRelease(world, file);
    break;
  case FileKind::kRegular:
  case FileKind::kDirectory:
  case FileKind::kDevNull:
  case FileKind::kPath:
    break;
  }
  EP_CHECK(world.files.at(file).wait_queue.empty());
  world.files.erase(file);
}

}  // namespace internal

namespace {

using internal::InstallLowestFd;
using internal::NewFile;
using internal::PutFile;

// Linux: fs/pipe.c do_pipe2 / __do_pipe_flags. The read end gets the lower
// number (allocated first).
Outcome DoPipe2(World& world, const Pipe2& op) {
  // O_NOTIFICATION_PIPE is accepted (CONFIG_WATCH_QUEUE) and not modelled.
  if ((op.flags & ~(abi::kOCloexec | abi::kONonblock | abi::kODirect |
                    abi::kONotificationPipe)) != 0) {
    RULE("pipe2.einval.flags");
    return Outcome::Error(abi::kEinval);
  }
  if (!internal::HasFreeFds(world, 2))
    return Outcome::Error(abi::kEmfile);
  const uint32_t file_flags = op.flags & (abi::kONonblock | abi::kODirect);
  const PipeId pipe_id = world.next_id++;
  // create_pipe_files: O_DIRECT (packet mode) is the write end's only.
  const FileId r = NewFile(world, File{.kind = FileKind::kPipeRead,
                                       .flags = file_flags & abi::kONonblock,
                                       .pipe = pipe_id});
  const FileId w = NewFile(
      world,
      File{.kind = FileKind::kPipeWrite, .flags = file_flags, .pipe = pipe_id});
  world.pipes[pipe_id] = PipeState{.max_usage = abi::kPipeDefBuffers,
                                   .readers = 1,
                                   .writers = 1,
                                   .files = 2};
  Outcome out = Outcome::Value(0);
  out.fds.push_back(InstallLowestFd(world, r));
  out.fds.push_back(InstallLowestFd(world, w));
  return out;
}

Outcome NewEpoll(World& world) {
  if (!internal::HasFreeFds(world, 1))
    return Outcome::Error(abi::kEmfile);
  const FileId id =
      NewFile(world, File{.kind = FileKind::kEpoll, .epoll = EpollInstance{}});
  return Outcome::Value(InstallLowestFd(world, id));
}

// The first 8 bytes of every write buffer (kIoFillByte) as a u64.
uint64_t FillValue(uint32_t bytes) {
  uint64_t v = 0;
  for (uint32_t i = 0; i < bytes && i < 8; ++i)
    v |= uint64_t{kIoFillByte} << (8 * i);
  return v;
}

// The MSG_ flags a read()/write() on a socket passes down. Linux: net/socket.c
// sock_read_iter / sock_write_iter.
uint32_t IterFlags(const File& f) {
  return (f.flags & abi::kONonblock) != 0 ? abi::kMsgDontwait : 0;
}

// Linux: fs/read_write.c vfs_write: FMODE_WRITE (EBADF), then a write method
// (FMODE_CAN_WRITE, EINVAL). An epoll file is O_RDWR without methods.
// `value` is the buffer's first 8 bytes (an eventfd reads them).
Outcome WriteFile(World& world, int32_t fd, uint32_t count, uint64_t value) {
  const std::optional<FileId> file = world.FdgetAt(fd);
  if (!file) {
    if (world.IsOpen(fd)) {
      RULE("opath.fdget.ebadf");
    } else {
      RULE("write.ebadf.closed");
    }
    return Outcome::Error(abi::kEbadf);
  }
  File& f = world.files.at(*file);
  switch (f.kind) {
  case FileKind::kDirectory:
    RULE("write.ebadf.not_writable");
    return Outcome::Error(abi::kEbadf);
  case FileKind::kDevNull:
    RULE("nopoll.write.devnull");
    return Outcome::Value(count);  // write_null
  case FileKind::kRegular:
    if (count == 0) {
      // Nothing written: neither the size nor f_pos changes, not even past
      // the end or with O_APPEND (new_sync_write stores ki_pos only for a
      // positive result).
      RULE("nopoll.write.regular.zero");
      return Outcome::Value(0);
    }
    // The file grows to where the write ends (every byte is kIoFillByte).
    RULE("nopoll.write.regular");
    if ((f.flags & abi::kOAppend) != 0)
      f.pos = world.regular_size;  // generic_write_checks: IOCB_APPEND
    f.pos += count;
    world.regular_size = std::max(world.regular_size, f.pos);
    return Outcome::Value(count);
  case FileKind::kPath:
    EP_CHECK(false);
  case FileKind::kPipeRead:
    RULE("write.ebadf.not_writable");
    return Outcome::Error(abi::kEbadf);
  case FileKind::kEpoll:
    RULE("write.einval.epoll");
    return Outcome::Error(abi::kEinval);
  case FileKind::kTimerfd:
    // Opened O_RDWR, but without ->write (no FMODE_CAN_WRITE).
    RULE("timerfd.write.einval");
    return Outcome::Error(abi::kEinval);
  case FileKind::kSignalfd:
    RULE("signalfd.write.einval");  // as timerfd: no ->write
    return Outcome::Error(abi::kEinval);
  case FileKind::kPidfd:
    RULE("pidfd.write.einval");  // pidfd_fops has no ->write
    return Outcome::Error(abi::kEinval);
  case FileKind::kPipeWrite:
  case FileKind::kPipeRdwr:
    return internal::PipeWrite(world, *file, count);
  case FileKind::kEventfd:
    return internal::EventfdWrite(world, *file, count, value);
  case FileKind::kUnixSocket:
    return internal::UnixSend(world, *file, count, IterFlags(f));
  case FileKind::kInetSocket:
    return internal::InetSend(world, *file, count, IterFlags(f));
  }
  EP_CHECK(false);
}

// What a read reports besides its count: nothing (read), the u64 the first 8
// bytes make (eventfd_read: the rest of the buffer is zero), or the signals a
// signalfd read took (signalfd_read: none for any other file).
enum class ReadValue { kNone, kU64, kSignals };

// Linux: fs/read_write.c vfs_read.
Outcome ReadFile(World& world, int32_t fd, uint32_t count, ReadValue want) {
  const bool want_value = want == ReadValue::kU64;
  const std::optional<FileId> file = world.FdgetAt(fd);
  if (!file) {
    if (world.IsOpen(fd)) {
      RULE("opath.fdget.ebadf");
    } else {
      RULE("read.ebadf.closed");
    }
    return Outcome::Error(abi::kEbadf);
  }
  File& f = world.files.at(*file);
  Outcome out;
  switch (f.kind) {
  case FileKind::kDirectory:
    RULE("nopoll.read.eisdir");
    return Outcome::Error(abi::kEisdir);  // generic_read_dir
  case FileKind::kDevNull:
    RULE("nopoll.read.devnull");
    out = Outcome::Value(0);  // read_null
    break;
  case FileKind::kRegular: {
    // What lies between f_pos and the end of the file.
    const uint64_t left =
        world.regular_size > f.pos ? world.regular_size - f.pos : 0;
    const uint64_t n = std::min<uint64_t>(count, left);
    if (n < count)
      RULE("nopoll.read.regular.short");
    else
      RULE("nopoll.read.regular.full");
    f.pos += n;
    out = Outcome::Value(static_cast<int64_t>(n));
    break;
  }
  case FileKind::kPath:
    EP_CHECK(false);
  case FileKind::kPipeWrite:
    RULE("read.ebadf.not_readable");
    return Outcome::Error(abi::kEbadf);
  case FileKind::kEpoll:
    RULE("read.einval.epoll");
    return Outcome::Error(abi::kEinval);
  case FileKind::kPipeRead:
  case FileKind::kPipeRdwr:
    out = internal::PipeRead(world, *file, count);
    break;
  case FileKind::kEventfd:
    out = internal::EventfdRead(world, *file, count);
    if (!want_value)
      out.value.reset();
    return out;
  case FileKind::kPidfd:
    RULE("pidfd.read.einval");  // pidfd_fops has no ->read
    return Outcome::Error(abi::kEinval);
  case FileKind::kTimerfd:
    out = internal::TimerfdRead(world, *file, count);
    if (!want_value)
      out.value.reset();
    return out;
  case FileKind::kSignalfd:
    // The value (the signals read) is signalfd_read's; eventfd_read's u64
    // is never there (a read of 8 bytes is EINVAL).
    out = internal::SignalfdRead(world, *file, count);
    if (want != ReadValue::kSignals)
      out.value.reset();
    return out;
  case FileKind::kUnixSocket:
  case FileKind::kInetSocket:
    // sock_read_iter: "Match SYS5 behaviour".
    if (count == 0) {
      RULE("read.socket.zero");
      out = Outcome::Value(0);
    } else if (f.kind == FileKind::kUnixSocket) {
      out = internal::UnixRecv(world, *file, count, IterFlags(f));
    } else {
      out = internal::InetRecv(world, *file, count, IterFlags(f));
    }
    break;
  }
  if (want_value && !out.IsError())
    out.value = FillValue(static_cast<uint32_t>(out.ret));
  return out;
}

// Linux: net/socket.c sockfd_lookup_light: EBADF, then ENOTSOCK.
std::variant<FileId, Outcome> SocketAt(const World& world, int32_t fd) {
  const std::optional<FileId> file = world.FdgetAt(fd);
  if (!file) {
    if (world.IsOpen(fd)) {
      RULE("opath.fdget.ebadf");
    } else {
      RULE("sock.lookup.ebadf");
    }
    return Outcome::Error(abi::kEbadf);
  }
  const FileKind kind = world.files.at(*file).kind;
  if (kind != FileKind::kUnixSocket && kind != FileKind::kInetSocket) {
    RULE("sock.lookup.enotsock");
    return Outcome::Error(abi::kEnotsock);
  }
  return *file;
}

bool IsInet(const World& world, FileId file) {
  return world.files.at(file).kind == FileKind::kInetSocket;
}

// Linux: net/socket.c __sys_accept4_file: the flags, then a free descriptor,
// then do_accept (ENOTSOCK), then the protocol's accept.
Outcome DoAccept(World& world, const Accept4& op) {
  const std::optional<FileId> file = world.FdgetAt(op.fd);
  if (!file) {
    RULE("accept4.ebadf");
    return Outcome::Error(abi::kEbadf);
  }
  if ((op.flags & ~(abi::kSockCloexec | abi::kSockNonblock)) != 0) {
    RULE("accept4.einval.flags");
    return Outcome::Error(abi::kEinval);
  }
  if (!internal::HasFreeFds(world, 1))
    return Outcome::Error(abi::kEmfile);
  const FileKind kind = world.files.at(*file).kind;
  if (kind == FileKind::kInetSocket)
    return internal::InetAccept(world, *file, op.flags);
  if (kind != FileKind::kUnixSocket) {
    RULE("accept4.enotsock");
    return Outcome::Error(abi::kEnotsock);
  }
  return internal::UnixAccept(world, *file, op.flags);
}

// send/recv: net/socket.c __sys_sendto / __sys_recvfrom add MSG_DONTWAIT for
// an O_NONBLOCK file.
template <class Fn> Outcome OnSocket(World& world, int32_t fd, Fn&& fn) {
  auto found = SocketAt(world, fd);
  if (auto* err = std::get_if<Outcome>(&found))
    return *err;
  return fn(std::get<FileId>(found));
}

Outcome DoClose(World& world, const Close& op) {
  auto it = world.fd_table.find(op.fd);
  if (it == world.fd_table.end()) {
    RULE("close.ebadf");
    return Outcome::Error(abi::kEbadf);
  }
  const FileId file = it->second;
  world.fd_table.erase(it);
  PutFile(world, file);
  return Outcome::Value(0);
}

Outcome DoDup(World& world, const Dup& op) {
  const std::optional<FileId> file = world.FileIdAt(op.fd);
  if (!file) {
    RULE("dup.ebadf");
    return Outcome::Error(abi::kEbadf);
  }
  if (!internal::HasFreeFds(world, 1))
    return Outcome::Error(abi::kEmfile);
  return Outcome::Value(InstallLowestFd(world, *file));
}

// Linux: fs/file.c SYSCALL_DEFINE2(dup2), ksys_dup3, do_dup2: the new file is
// installed first, then the old one at `newfd` is closed (filp_close).
Outcome DoDup2(World& world, const Dup2& op) {
  const std::optional<FileId> file = world.FileIdAt(op.oldfd);
  if (!file) {
    RULE("dup2.ebadf.oldfd");
    return Outcome::Error(abi::kEbadf);
  }
  if (op.newfd == op.oldfd) {
    RULE("dup2.same_fd");
    return Outcome::Value(op.newfd);
  }
  // ksys_dup3: a negative newfd is a huge unsigned number, >= RLIMIT_NOFILE.
  if (op.newfd < 0) {
    RULE("dup2.ebadf.newfd_negative");
    return Outcome::Error(abi::kEbadf);
  }
  if (op.newfd >= world.FdLimit()) {
    RULE("dup2.ebadf.newfd_limit");
    return Outcome::Error(abi::kEbadf);
  }
  const std::optional<FileId> old_file = world.FileIdAt(op.newfd);
  world.fd_table[op.newfd] = *file;
  ++world.files.at(*file).refs;
  if (old_file) {
    RULE("dup2.replaces_open");
    PutFile(world, *old_file);
  } else {
    RULE("dup2.to_free");
  }
  return Outcome::Value(op.newfd);
}

// Linux: fs/pipe.c pipe_fcntl: EBADF for anything that is not a pipe.
std::optional<FileId> PipeFileAt(const World& world, int32_t fd) {
  const std::optional<FileId> file = world.FileIdAt(fd);
  if (!file)
    return std::nullopt;
  if (!IsPipeKind(world.files.at(*file).kind))
    return std::nullopt;
  return file;
}

// Linux: fs/fcntl.c do_fcntl (fdget: EBADF), fs/pipe.c get_pipe_info (not a
// pipe: EBADF).
std::optional<FileId> PipeFcntlFile(const World& world, int32_t fd) {
  if (!world.IsOpen(fd)) {
    RULE("pipe_fcntl.ebadf.closed");
    return std::nullopt;
  }
  const std::optional<FileId> file = PipeFileAt(world, fd);
  if (!file)
    RULE("pipe_fcntl.ebadf.not_pipe");
  return file;
}

Outcome DoSetPipeSize(World& world, const SetPipeSize& op) {
  const std::optional<FileId> file = PipeFcntlFile(world, op.fd);
  if (!file)
    return Outcome::Error(abi::kEbadf);
  return internal::PipeSetSize(world, *file, static_cast<uint32_t>(op.size));
}

Outcome DoGetPipeSize(World& world, const GetPipeSize& op) {
  const std::optional<FileId> file = PipeFcntlFile(world, op.fd);
  if (!file)
    return Outcome::Error(abi::kEbadf);
  const PipeState& pipe = world.pipes.at(world.files.at(*file).pipe);
  return Outcome::Value(static_cast<int64_t>(pipe.max_usage) * abi::kPageSize);
}

// Linux: kernel/signal.c set_user_sigmask (epoll_pwait, epoll_pwait2):
// a negative `sigsetsize` is a NULL sigmask, whose size is never checked.
std::optional<Outcome> SetUserSigmask(int32_t sigsetsize) {
  if (sigsetsize < 0) {
    RULE("epoll_pwait.sigmask.null");
    return std::nullopt;
  }
  if (sigsetsize != abi::kSigsetSize) {
    RULE("epoll_pwait.einval.sigsetsize");
    return Outcome::Error(abi::kEinval);
  }
  RULE("epoll_pwait.sigmask.set");
  return std::nullopt;
}

// Linux: fs/eventpoll.c SYSCALL_DEFINE6(epoll_pwait2): the timespec is
// read and checked (get_timespec64, poll_select_set_timeout) before the
// sigmask; a NULL timespec waits without a timeout.
Outcome DoEpollPwait2(World& world, const EpollPwait2& o) {
  if (!world.profile.has_epoll_pwait2) {
    RULE("epoll_pwait2.enosys");
    return Outcome::Error(abi::kEnosys);
  }
  bool waits = true;
  if (o.ts_buf != kBufNull) {
    if (BufReadable(o.ts_buf, 1) == 0) {
      RULE("epoll_pwait2.efault.timespec");
      return Outcome::Error(abi::kEfault);
    }
    // timespec64_valid: tv_sec >= 0 and 0 <= tv_nsec < NSEC_PER_SEC.
    if (o.tv_sec < 0 || o.tv_nsec < 0 || o.tv_nsec >= 1000000000) {
      RULE("epoll_pwait2.einval.timespec");
      return Outcome::Error(abi::kEinval);
    }
    waits = o.tv_sec != 0 || o.tv_nsec != 0;
  } else {
    RULE("epoll_pwait2.timespec.null");
  }
  if (std::optional<Outcome> error = SetUserSigmask(o.sigsetsize))
    return *error;
  return internal::EpollWaitStep(world, o.epfd, o.maxevents, o.buf, waits,
                                 nullptr);
}

// Linux: fs/open.c do_sys_openat2: a descriptor first (get_unused_fd_flags:
// EMFILE), then the file.
Outcome DoOpenFile(World& world, const OpenFile& op) {
  FileKind kind = FileKind::kRegular;
  switch (op.kind) {
  case kOpenRegular:
    RULE("nopoll.open.regular");
    break;
  case kOpenDirectory:
    RULE("nopoll.open.directory");
    kind = FileKind::kDirectory;
    break;
  case kOpenDevNull:
    RULE("nopoll.open.devnull");
    kind = FileKind::kDevNull;
    break;
  case kOpenPath:
    RULE("opath.open");
    kind = FileKind::kPath;
    break;
  case kOpenFifoRead:
  case kOpenFifoWrite:
  case kOpenFifoRdwr:
    if (!internal::HasFreeFds(world, 1))
      return Outcome::Error(abi::kEmfile);
    return internal::FifoOpen(world,
                              op.kind == kOpenFifoRead    ? FileKind::kPipeRead
                              : op.kind == kOpenFifoWrite ? FileKind::kPipeWrite
                                                          : FileKind::kPipeRdwr,
                              op.flags);
  default:
    EP_CHECK(false && "open_file: unknown kind");
  }
  if (!internal::HasFreeFds(world, 1))
    return Outcome::Error(abi::kEmfile);
  const FileId id =
      NewFile(world, File{.kind = kind, .flags = op.flags & abi::kONonblock});
  return Outcome::Value(InstallLowestFd(world, id));
}

Outcome DoListFds(const World& world) {
  Outcome out = Outcome::Value(0);
  for (const auto& [fd, file] : world.fd_table)
    out.fds.push_back(fd);
  out.ret = static_cast<int64_t>(out.fds.size());
  return out;
}

}  // namespace

Outcome Step(World& world, const Op& op) {
  return std::visit(
      [&world](const auto& o) -> Outcome {
        using T = std::decay_t<decltype(o)>;
        if constexpr (std::is_same_v<T, Pipe2>) {
          return DoPipe2(world, o);
        } else if constexpr (std::is_same_v<T, EpollCreate>) {
          // Linux: SYSCALL_DEFINE1(epoll_create): size is only checked > 0.
          if (o.size <= 0) {
            RULE("epoll_create.einval.size");
            return Outcome::Error(abi::kEinval);
          }
          return NewEpoll(world);
        } else if constexpr (std::is_same_v<T, EpollCreate1>) {
          if ((o.flags & ~abi::kEpollCloexec) != 0) {
            RULE("epoll_create1.einval.flags");
            return Outcome::Error(abi::kEinval);
          }
          return NewEpoll(world);
        } else if constexpr (std::is_same_v<T, EpollCtl>) {
          return internal::EpollCtlStep(world, o.epfd, o.op, o.fd, o.events,
                                        o.data,
                                        o.null_event ? kBufNull : o.buf);
        } else if constexpr (std::is_same_v<T, EpollWait>) {
          return internal::EpollWaitStep(world, o.epfd, o.maxevents, o.buf,
                                         o.timeout_ms != 0, nullptr);
        } else if constexpr (std::is_same_v<T, EpollPwait>) {
          if (std::optional<Outcome> error = SetUserSigmask(o.sigsetsize))
            return *error;
          return internal::EpollWaitStep(world, o.epfd, o.maxevents, o.buf,
                                         o.timeout_ms != 0, nullptr);
        } else if constexpr (std::is_same_v<T, EpollPwait2>) {
          return DoEpollPwait2(world, o);
        } else if constexpr (std::is_same_v<T, OpenFile>) {
          return DoOpenFile(world, o);
        } else if constexpr (std::is_same_v<T, TimerfdCreate>) {
          return internal::TimerfdCreate(world, o.clockid, o.flags);
        } else if constexpr (std::is_same_v<T, TimerfdSettime>) {
          return internal::TimerfdSettime(world, o.fd, o.flags, o.expire);
        } else if constexpr (std::is_same_v<T, Fork>) {
          return internal::ForkStep(world, o);
        } else if constexpr (std::is_same_v<T, ChildClose>) {
          return internal::ChildCloseStep(world, o);
        } else if constexpr (std::is_same_v<T, ChildExit>) {
          return internal::ChildExitStep(world, o);
        } else if constexpr (std::is_same_v<T, Reap>) {
          return internal::ReapStep(world, o);
        } else if constexpr (std::is_same_v<T, PidfdOpen>) {
          return internal::PidfdOpenStep(world, o);
        } else if constexpr (std::is_same_v<T, EpollIoctl>) {
          return internal::EpollIoctlStep(world, o);
        } else if constexpr (std::is_same_v<T, Lseek>) {
          return internal::LseekStep(world, o);
        } else if constexpr (std::is_same_v<T, GetFl>) {
          return internal::GetFlStep(world, o);
        } else if constexpr (std::is_same_v<T, SetFl>) {
          return internal::SetFlStep(world, o);
        } else if constexpr (std::is_same_v<T, SetRlimitNofile>) {
          return internal::SetRlimitNofileStep(world, o);
        } else if constexpr (std::is_same_v<T, Signalfd>) {
          return internal::SignalfdStep(world, o);
        } else if constexpr (std::is_same_v<T, SignalfdRead>) {
          return ReadFile(world, o.fd, o.count, ReadValue::kSignals);
        } else if constexpr (std::is_same_v<T, Tgkill>) {
          return internal::TgkillStep(world, o.sig);
        } else if constexpr (std::is_same_v<T, Sigpending>) {
          return internal::SigpendingStep(world);
        } else if constexpr (std::is_same_v<T, Sigtimedwait>) {
          return internal::SigtimedwaitStep(world, o.mask);
        } else if constexpr (std::is_same_v<T, Write>) {
          return WriteFile(world, o.fd, o.count, FillValue(o.count));
        } else if constexpr (std::is_same_v<T, Read>) {
          return ReadFile(world, o.fd, o.count, ReadValue::kNone);
        } else if constexpr (std::is_same_v<T, Close>) {
          return DoClose(world, o);
        } else if constexpr (std::is_same_v<T, Dup>) {
          return DoDup(world, o);
        } else if constexpr (std::is_same_v<T, Dup2>) {
          return DoDup2(world, o);
        } else if constexpr (std::is_same_v<T, SetPipeSize>) {
          return DoSetPipeSize(world, o);
        } else if constexpr (std::is_same_v<T, GetPipeSize>) {
          return DoGetPipeSize(world, o);
        } else if constexpr (std::is_same_v<T, ListFds>) {
          return DoListFds(world);
        } else if constexpr (std::is_same_v<T, Eventfd>) {
          return internal::EventfdCreate(world, o.initval, o.flags);
        } else if constexpr (std::is_same_v<T, EventfdWrite>) {
          return WriteFile(world, o.fd, 8, o.value);
        } else if constexpr (std::is_same_v<T, EventfdRead>) {
          return ReadFile(world, o.fd, 8, ReadValue::kU64);
        } else if constexpr (std::is_same_v<T, Socketpair>) {
          return internal::UnixSocketpair(world, o.type);
        } else if constexpr (std::is_same_v<T, Send>) {
          return OnSocket(world, o.fd, [&](FileId f) {
            const uint32_t flags = o.flags | IterFlags(world.files.at(f));
            return IsInet(world, f)
                       ? internal::InetSend(world, f, o.count, flags)
                       : internal::UnixSend(world, f, o.count, flags);
          });
        } else if constexpr (std::is_same_v<T, Recv>) {
          return OnSocket(world, o.fd, [&](FileId f) {
            const uint32_t flags = o.flags | IterFlags(world.files.at(f));
            return IsInet(world, f)
                       ? internal::InetRecv(world, f, o.count, flags)
                       : internal::UnixRecv(world, f, o.count, flags);
          });
        } else if constexpr (std::is_same_v<T, Shutdown>) {
          return OnSocket(world, o.fd, [&](FileId f) {
            return IsInet(world, f) ? internal::InetShutdown(world, f, o.how)
                                    : internal::UnixShutdown(world, f, o.how);
          });
        } else if constexpr (std::is_same_v<T, SetSockOpt>) {
          return OnSocket(world, o.fd, [&](FileId f) {
            return IsInet(world, f)
                       ? internal::InetSetSockOpt(world, f, o.name, o.value)
                       : internal::UnixSetSockOpt(world, f, o.name, o.value);
          });
        } else if constexpr (std::is_same_v<T, GetSockOpt>) {
          return OnSocket(world, o.fd, [&](FileId f) {
            return IsInet(world, f)
                       ? internal::InetGetSockOpt(world, f, o.name)
                       : internal::UnixGetSockOpt(world, f, o.name);
          });
        } else if constexpr (std::is_same_v<T, UnixSocket>) {
          return internal::UnixSocketCreate(world, o.type);
        } else if constexpr (std::is_same_v<T, Bind>) {
          return OnSocket(world, o.fd, [&](FileId f) {
            return IsInet(world, f) ? internal::InetBind(world, f, o.name)
                                    : internal::UnixBind(world, f, o.name);
          });
        } else if constexpr (std::is_same_v<T, Listen>) {
          return OnSocket(world, o.fd, [&](FileId f) {
            return IsInet(world, f) ? internal::InetListen(world, f, o.backlog)
                                    : internal::UnixListen(world, f, o.backlog);
          });
        } else if constexpr (std::is_same_v<T, Connect>) {
          return OnSocket(world, o.fd, [&](FileId f) {
            return IsInet(world, f) ? internal::InetConnect(world, f, o.name)
                                    : internal::UnixConnect(world, f, o.name);
          });
        } else if constexpr (std::is_same_v<T, Accept4>) {
          return DoAccept(world, o);
        } else if constexpr (std::is_same_v<T, InetSocket>) {
          return internal::InetSocketCreate(world, o.type);
        } else if constexpr (std::is_same_v<T, Poll> ||
                             std::is_same_v<T, PPoll>) {
          int32_t sigsetsize = -1;
          if constexpr (std::is_same_v<T, PPoll>)
            sigsetsize = o.sigsetsize;
          return internal::PollStep(world, {o.fd0, o.fd1, o.fd2},
                                    {o.events0, o.events1, o.events2}, o.nfds,
                                    sigsetsize);
        } else if constexpr (std::is_same_v<T, Select> ||
                             std::is_same_v<T, PSelect>) {
          int32_t sigsetsize = -1;
          if constexpr (std::is_same_v<T, PSelect>)
            sigsetsize = o.sigsetsize;
          return internal::SelectStep(world, o.nfds, o.readfds, o.writefds,
                                      o.exceptfds, sigsetsize);
        } else {
          static_assert(std::is_same_v<T, SendTo>, "unhandled op");
          return OnSocket(world, o.fd, [&](FileId f) {
            const uint32_t flags = o.flags | IterFlags(world.files.at(f));
            return IsInet(world, f)
                       ? internal::InetSend(world, f, o.count, flags, o.name)
                       : internal::UnixSend(world, f, o.count, flags, o.name);
          });
        }
      },
      op);
}

Outcome EpollWaitTraced(World& world, const EpollWait& op,
                        std::vector<Delivery>& trace) {
  trace.clear();
  return internal::EpollWaitStep(world, op.epfd, op.maxevents, op.buf,
                                 op.timeout_ms != 0, &trace);
}

Transition StepCopy(const World& world, const Op& op) {
  Transition t{.next = world, .outcome = {}};
  t.outcome = Step(t.next, op);
  return t;
}

}  // namespace epollcheck
