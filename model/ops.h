// File: model/ops.h
// The operation vocabulary: one plain struct per syscall-level action, and
// `Op`, the variant of all of them. This is the only definition of what an
// operation is; the model, every SUT, the printer (and later the scenario
// parser and C-reproducer emitter) consume it.
//
//   Op op = EpollCtl{.epfd = 2, .op = abi::kEpollCtlAdd, .fd = 0,
//                    .events = abi::kEpollIn | abi::kEpollEt, .data = 7};
//   std::cout << op;   // epoll_ctl(epfd=2, op=ADD, fd=0, events=IN|ET,
//   data=0x7)
//
// Descriptors are plain numbers in the sequence's own descriptor table, which
// starts empty: fd numbering is deterministic (lowest free number), so a number
// names a file as reliably as a handle would, and "a closed number", "-1" and
// "dup2 onto 5" are expressible. Each struct lists its fields once, in
// `Fields()`, with a FieldKind that tells printers and parsers how to spell it.
// To add an operation: add the struct here and to `Op`; the compiler then
// names every consumer that must handle it.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>

namespace epollcheck {

// Every buffer a write, send or eventfd-style write passes is filled with this
// byte (SUTs and C reproducers alike), so an eventfd given a plain write(fd,
// 8) reads 0x7878787878787878.
inline constexpr uint8_t kIoFillByte = 'x';

// How a field is spelled in a scenario or a C reproducer.
enum class FieldKind {
  kFd,          // descriptor number (may be closed, -1, or out of range)
  kInt,         // plain signed number
  kCount,       // byte count
  kPipeFlags,   // O_NONBLOCK|O_DIRECT|O_CLOEXEC|...
  kEpollFlags,  // EPOLL_CLOEXEC|...
  kCtlOp,       // ADD/DEL/MOD or a raw number
  kEvents,      // IN|OUT|ET|... or raw bits
  kData,        // 64-bit user data, printed in hex
  kFdSet,       // bitmap of descriptors 0..63 (select's sets), printed in hex
  kFlag,        // optional 0/1 switch, written `name=1` only when set
  kTimeoutMs,   // optional timeout, written `timeout_ms=N` only when not 0
  kEfdFlags,    // EFD_SEMAPHORE|EFD_NONBLOCK|EFD_CLOEXEC
  kSockType,    // SOCK_STREAM|SOCK_NONBLOCK|... (socket type and flags)
  kMsgFlags,    // MSG_DONTWAIT|MSG_NOSIGNAL|MSG_PEEK|MSG_OOB|...
  kShutHow,     // SHUT_RD/SHUT_WR/SHUT_RDWR or a raw number
  kSockOpt,     // SO_SNDBUF/SO_RCVBUF/SO_RCVLOWAT/SO_LINGER or a raw number
  kUserBuf,     // optional user pointer kind (UserBuf), written `buf=tail2`
                // only when not a good buffer
  kOpenKind,    // open_file's kind: regular, dir, devnull, opath
  kExpire,      // timerfd_settime's expiry: off, now, far, bad
  kIoctlCmd,    // EPIOCSPARAMS/EPIOCGPARAMS or a raw number
  kWhence,      // SEEK_SET/SEEK_CUR/SEEK_END/SEEK_DATA/SEEK_HOLE or a number
  kSignal,      // a signal tgkill may send (TgkillSignalAllowed)
  kSigMask,     // a sigset_t's first word (bit n-1: signal n): USR1|SIG40
};

// Whether a field of this kind is optional: written `name=value` only when
// it is not 0, and parsed by name.
constexpr bool IsOptionalField(FieldKind kind) {
  return kind == FieldKind::kFlag || kind == FieldKind::kTimeoutMs ||
         kind == FieldKind::kUserBuf;
}

// What a user-memory operand points at (FieldKind::kUserBuf). Every SUT and
// C reproducer lays memory out the same way: a read-write page followed by a
// PROT_NONE page, and a read-only page.
//   kGood      a writable buffer large enough for the call
//   kNull      NULL (passes access_ok: faults on the first access)
//   kUnmapped  the start of the PROT_NONE page
//   kReadOnly  the start of the read-only page
//   kKernel    a kernel address (0xffff880000000000): access_ok fails
//   kTail + n  n whole elements end exactly 4 bytes before the PROT_NONE
//              page, so element n is cut after its first 4 bytes
//              (written `tailN`, 0 <= n <= 255)
enum UserBuf : uint32_t {
  kBufGood = 0,
  kBufNull = 1,
  kBufUnmapped = 2,
  kBufReadOnly = 3,
  kBufKernel = 4,
  kBufTail = 0x100,
};
// How many whole elements a copy can write through `buf` (kBufGood: all
// `want`); access_ok failures are BufPassesAccessOk's.
constexpr uint32_t BufWritable(uint32_t buf, uint32_t want) {
  if (buf == kBufGood)
    return want;
  if (buf >= kBufTail && buf <= kBufTail + 255)
    return buf - kBufTail < want ? buf - kBufTail : want;
  return 0;
}
// How many whole elements a copy can read through `buf` (read-only memory
// reads fine).
constexpr uint32_t BufReadable(uint32_t buf, uint32_t want) {
  return buf == kBufReadOnly ? want : BufWritable(buf, want);
}
// access_ok(): the range is in user space (NULL is).
constexpr bool BufPassesAccessOk(uint32_t buf) { return buf != kBufKernel; }

// The file families an operation belongs to, as bits: `check --families`
// and a SUT's supported set select operations by them. Operations that work on
// any descriptor (close, dup, read, write, epoll_ctl...) are kCore.
enum Family : uint32_t {
  kFamilyCore = 0,
  kFamilyPipe = 1u << 0,
  kFamilyEpoll = 1u << 1,
  kFamilyEventfd = 1u << 2,
  kFamilyUnix = 1u << 3,      // AF_UNIX socketpairs and socket options
  kFamilyUnixAddr = 1u << 4,  // AF_UNIX socket/bind/listen/connect/accept4
  kFamilyPoll = 1u << 5,      // poll, ppoll, select, pselect6
  kFamilyUnixOob = 1u << 6,   // MSG_OOB sends on AF_UNIX sockets
  kFamilyTcp = 1u << 7,       // TCP over 127.0.0.1
  kFamilyUdp = 1u << 8,       // UDP over 127.0.0.1
  kFamilyFile = 1u << 9,      // files without ->poll and O_PATH descriptors
  kFamilyFifo = 1u << 10,     // the sequence's FIFO (open_file fifo_*)
  kFamilyTimerfd = 1u << 11,  // timerfd_create, timerfd_settime
  kFamilySignal = 1u << 12,   // signalfd, tgkill, sigpending, sigtimedwait
  // fork with chosen descriptors, the child's close and exit, pidfds
  // (1u << 12 is left to signalfd).
  kFamilyFork = 1u << 13,
};
inline constexpr uint32_t kAllFamilies =
    kFamilyPipe | kFamilyEpoll | kFamilyEventfd | kFamilyUnix |
    kFamilyUnixAddr | kFamilyPoll | kFamilyUnixOob | kFamilyTcp | kFamilyUdp |
    kFamilyFile | kFamilyFifo | kFamilyTimerfd | kFamilySignal | kFamilyFork;
// Operations on an existing socket of any family are offered (generated)
// whenever one of these families is on: `kOffered` below.
inline constexpr uint32_t kAnySocketFamily =
    kFamilyUnix | kFamilyUnixAddr | kFamilyTcp | kFamilyUdp;
inline constexpr uint32_t kAddressFamilies =
    kFamilyUnixAddr | kFamilyTcp | kFamilyUdp;

// What an operation's success returns, for binding scenario handles: nothing,
// one new descriptor (the return value), or a pair (Outcome::fds).
enum class Returns { kNothing, kFd, kFdPair };

// pipe2(fds, flags). Linux: fs/pipe.c do_pipe2.
struct Pipe2 {
  static constexpr std::string_view kName = "pipe2";
  static constexpr uint32_t kFamily = kFamilyPipe;
  static constexpr Returns kReturns = Returns::kFdPair;
  static constexpr std::string_view kHandle = "p";  // p0.r, p0.w
  static constexpr std::string_view kEnds[2] = {"r", "w"};
  uint32_t flags = 0;
  template <class S, class F> static void Fields(S& s, F&& f) {
    f("flags", FieldKind::kPipeFlags, s.flags);
  }
  friend bool operator==(const Pipe2&, const Pipe2&) = default;
};

// epoll_create(size). Linux: fs/eventpoll.c SYSCALL_DEFINE1(epoll_create).
struct EpollCreate {
  static constexpr std::string_view kName = "epoll_create";
  static constexpr uint32_t kFamily = kFamilyEpoll;
  static constexpr Returns kReturns = Returns::kFd;
  static constexpr std::string_view kHandle = "e";
  int32_t size = 1;
  template <class S, class F> static void Fields(S& s, F&& f) {
    f("size", FieldKind::kInt, s.size);
  }
  friend bool operator==(const EpollCreate&, const EpollCreate&) = default;
};

// epoll_create1(flags). Linux: fs/eventpoll.c do_epoll_create.
struct EpollCreate1 {
  static constexpr std::string_view kName = "epoll_create1";
  static constexpr uint32_t kFamily = kFamilyEpoll;
  static constexpr Returns kReturns = Returns::kFd;
  static constexpr std::string_view kHandle = "e";
  uint32_t flags = 0;
  template <class S, class F> static void Fields(S& s, F&& f) {
    f("flags", FieldKind::kEpollFlags, s.flags);
  }
  friend bool operator==(const EpollCreate1&, const EpollCreate1&) = default;
};

// epoll_ctl(epfd, op, fd, null_event ? NULL : &{events, data}).
// Linux: fs/eventpoll.c SYSCALL_DEFINE4(epoll_ctl), do_epoll_ctl.
struct EpollCtl {
  static constexpr std::string_view kName = "epoll_ctl";
  int32_t epfd = -1;
  int32_t op = 0;
  int32_t fd = -1;
  uint32_t events = 0;
  uint64_t data = 0;
  bool null_event = false;  // pass a NULL event pointer (EFAULT unless DEL)
  // Where the event pointer points otherwise (UserBuf; kBufNull is
  // null_event's): copy_from_user of the 12-byte struct.
  uint32_t buf = kBufGood;
  template <class S, class F> static void Fields(S& s, F&& f) {
    f("epfd", FieldKind::kFd, s.epfd);
    f("op", FieldKind::kCtlOp, s.op);
    f("fd", FieldKind::kFd, s.fd);
    f("events", FieldKind::kEvents, s.events);
    f("data", FieldKind::kData, s.data);
    f("null_event", FieldKind::kFlag, s.null_event);
    f("buf", FieldKind::kUserBuf, s.buf);
  }
  friend bool operator==(const EpollCtl&, const EpollCtl&) = default;
};

// epoll_wait(epfd, events, maxevents, timeout_ms), the events array as
// `buf` says (UserBuf). Generated sequences use timeout_ms != 0 only where
// the model predicts the call returns at once (an error or events).
// Linux: fs/eventpoll.c do_epoll_wait, ep_poll, ep_send_events.
struct EpollWait {
  static constexpr std::string_view kName = "epoll_wait";
  int32_t epfd = -1;
  int32_t maxevents = 1;
  int32_t timeout_ms = 0;
  uint32_t buf = kBufGood;
  template <class S, class F> static void Fields(S& s, F&& f) {
    f("epfd", FieldKind::kFd, s.epfd);
    f("maxevents", FieldKind::kInt, s.maxevents);
    f("timeout_ms", FieldKind::kTimeoutMs, s.timeout_ms);
    f("buf", FieldKind::kUserBuf, s.buf);
  }
  friend bool operator==(const EpollWait&, const EpollWait&) = default;
};

// epoll_pwait(epfd, events, maxevents, timeout_ms, sigmask, sigsetsize):
// `sigsetsize` -1 passes a NULL sigmask, otherwise an empty set with that
// size (8 is right). Linux: fs/eventpoll.c SYSCALL_DEFINE6(epoll_pwait),
// do_epoll_pwait, kernel/signal.c set_user_sigmask.
struct EpollPwait {
  static constexpr std::string_view kName = "epoll_pwait";
  int32_t epfd = -1;
  int32_t maxevents = 1;
  int32_t sigsetsize = -1;
  int32_t timeout_ms = 0;
  uint32_t buf = kBufGood;
  template <class S, class F> static void Fields(S& s, F&& f) {
    f("epfd", FieldKind::kFd, s.epfd);
    f("maxevents", FieldKind::kInt, s.maxevents);
    f("sigsetsize", FieldKind::kInt, s.sigsetsize);
    f("timeout_ms", FieldKind::kTimeoutMs, s.timeout_ms);
    f("buf", FieldKind::kUserBuf, s.buf);
  }
  friend bool operator==(const EpollPwait&, const EpollPwait&) = default;
};

// epoll_pwait2(epfd, events, maxevents, &{tv_sec, tv_nsec}, sigmask,
// sigsetsize): the timespec pointer as `ts_buf` says (kBufNull: NULL, wait
// without a timeout), the sigmask as epoll_pwait's. ENOSYS before 5.11.
// Linux: fs/eventpoll.c SYSCALL_DEFINE6(epoll_pwait2), get_timespec64,
// fs/select.c poll_select_set_timeout.
struct EpollPwait2 {
  static constexpr std::string_view kName = "epoll_pwait2";
  int32_t epfd = -1;
  int32_t maxevents = 1;
  int64_t tv_sec = 0;
  int64_t tv_nsec = 0;
  int32_t sigsetsize = -1;
  uint32_t ts_buf = kBufGood;
  uint32_t buf = kBufGood;
  template <class S, class F> static void Fields(S& s, F&& f) {
    f("epfd", FieldKind::kFd, s.epfd);
    f("maxevents", FieldKind::kInt, s.maxevents);
    f("tv_sec", FieldKind::kInt, s.tv_sec);
    f("tv_nsec", FieldKind::kInt, s.tv_nsec);
    f("sigsetsize", FieldKind::kInt, s.sigsetsize);
    f("ts_buf", FieldKind::kUserBuf, s.ts_buf);
    f("buf", FieldKind::kUserBuf, s.buf);
  }
  friend bool operator==(const EpollPwait2&, const EpollPwait2&) = default;
};

// write(fd, buf, count). Linux: fs/read_write.c vfs_write, fs/pipe.c
// pipe_write.
struct Write {
  static constexpr std::string_view kName = "write";
  int32_t fd = -1;
  uint32_t count = 1;
  template <class S, class F> static void Fields(S& s, F&& f) {
    f("fd", FieldKind::kFd, s.fd);
    f("count", FieldKind::kCount, s.count);
  }
  friend bool operator==(const Write&, const Write&) = default;
};

// read(fd, buf, count). Linux: fs/read_write.c vfs_read, fs/pipe.c pipe_read.
struct Read {
  static constexpr std::string_view kName = "read";
  int32_t fd = -1;
  uint32_t count = 1;
  template <class S, class F> static void Fields(S& s, F&& f) {
    f("fd", FieldKind::kFd, s.fd);
    f("count", FieldKind::kCount, s.count);
  }
  friend bool operator==(const Read&, const Read&) = default;
};

// close(fd). Linux: fs/file.c close_fd, fs/file_table.c __fput.
struct Close {
  static constexpr std::string_view kName = "close";
  int32_t fd = -1;
  template <class S, class F> static void Fields(S& s, F&& f) {
    f("fd", FieldKind::kFd, s.fd);
  }
  friend bool operator==(const Close&, const Close&) = default;
};

// dup(fd). Linux: fs/file.c SYSCALL_DEFINE1(dup).
struct Dup {
  static constexpr std::string_view kName = "dup";
  static constexpr Returns kReturns = Returns::kFd;
  static constexpr std::string_view kHandle = "d";
  int32_t fd = -1;
  template <class S, class F> static void Fields(S& s, F&& f) {
    f("fd", FieldKind::kFd, s.fd);
  }
  friend bool operator==(const Dup&, const Dup&) = default;
};

// dup2(oldfd, newfd). Linux: fs/file.c ksys_dup3, do_dup2.
struct Dup2 {
  static constexpr std::string_view kName = "dup2";
  static constexpr Returns kReturns = Returns::kFd;
  static constexpr std::string_view kHandle = "d";
  int32_t oldfd = -1;
  int32_t newfd = -1;
  template <class S, class F> static void Fields(S& s, F&& f) {
    f("oldfd", FieldKind::kFd, s.oldfd);
    f("newfd", FieldKind::kFd, s.newfd);
  }
  friend bool operator==(const Dup2&, const Dup2&) = default;
};

// fcntl(fd, F_SETPIPE_SZ, size). Linux: fs/pipe.c pipe_fcntl, pipe_set_size.
struct SetPipeSize {
  static constexpr std::string_view kName = "fcntl_setpipe_sz";
  static constexpr uint32_t kFamily = kFamilyPipe;
  int32_t fd = -1;
  int32_t size = 4096;
  template <class S, class F> static void Fields(S& s, F&& f) {
    f("fd", FieldKind::kFd, s.fd);
    f("size", FieldKind::kInt, s.size);
  }
  friend bool operator==(const SetPipeSize&, const SetPipeSize&) = default;
};

// fcntl(fd, F_GETPIPE_SZ). Linux: fs/pipe.c pipe_fcntl.
struct GetPipeSize {
  static constexpr std::string_view kName = "fcntl_getpipe_sz";
  static constexpr uint32_t kFamily = kFamilyPipe;
  int32_t fd = -1;
  template <class S, class F> static void Fields(S& s, F&& f) {
    f("fd", FieldKind::kFd, s.fd);
  }
  friend bool operator==(const GetPipeSize&, const GetPipeSize&) = default;
};

// eventfd2(initval, flags). Linux: fs/eventfd.c do_eventfd.
struct Eventfd {
  static constexpr std::string_view kName = "eventfd";
  static constexpr uint32_t kFamily = kFamilyEventfd;
  static constexpr Returns kReturns = Returns::kFd;
  static constexpr std::string_view kHandle = "ev";
  uint32_t initval = 0;
  uint32_t flags = 0;
  template <class S, class F> static void Fields(S& s, F&& f) {
    f("initval", FieldKind::kInt, s.initval);
    f("flags", FieldKind::kEfdFlags, s.flags);
  }
  friend bool operator==(const Eventfd&, const Eventfd&) = default;
};

// write(fd, &value, 8): an eventfd counter write (any file accepts it as an
// 8-byte write). Linux: fs/eventfd.c eventfd_write.
struct EventfdWrite {
  static constexpr std::string_view kName = "eventfd_write";
  static constexpr uint32_t kFamily = kFamilyEventfd;
  int32_t fd = -1;
  uint64_t value = 1;
  template <class S, class F> static void Fields(S& s, F&& f) {
    f("fd", FieldKind::kFd, s.fd);
    f("value", FieldKind::kData, s.value);
  }
  friend bool operator==(const EventfdWrite&, const EventfdWrite&) = default;
};

// read(fd, &value, 8); the Outcome carries the value read. Linux:
// fs/eventfd.c eventfd_read.
struct EventfdRead {
  static constexpr std::string_view kName = "eventfd_read";
  static constexpr uint32_t kFamily = kFamilyEventfd;
  int32_t fd = -1;
  template <class S, class F> static void Fields(S& s, F&& f) {
    f("fd", FieldKind::kFd, s.fd);
  }
  friend bool operator==(const EventfdRead&, const EventfdRead&) = default;
};

// socketpair(AF_UNIX, type, 0, fds). Linux: net/socket.c __sys_socketpair,
// net/unix/af_unix.c unix_socketpair.
struct Socketpair {
  static constexpr std::string_view kName = "socketpair";
  static constexpr uint32_t kFamily = kFamilyUnix;
  static constexpr Returns kReturns = Returns::kFdPair;
  static constexpr std::string_view kHandle = "s";  // s0.a, s0.b
  static constexpr std::string_view kEnds[2] = {"a", "b"};
  uint32_t type = 1;
  template <class S, class F> static void Fields(S& s, F&& f) {
    f("type", FieldKind::kSockType, s.type);
  }
  friend bool operator==(const Socketpair&, const Socketpair&) = default;
};

// send(fd, buf, count, flags). Linux: net/socket.c __sys_sendto,
// net/unix/af_unix.c unix_stream_sendmsg / unix_dgram_sendmsg.
struct Send {
  static constexpr std::string_view kName = "send";
  static constexpr uint32_t kFamily = kFamilyUnix;
  static constexpr uint32_t kOffered = kAnySocketFamily;
  int32_t fd = -1;
  uint32_t count = 1;
  uint32_t flags = 0;
  template <class S, class F> static void Fields(S& s, F&& f) {
    f("fd", FieldKind::kFd, s.fd);
    f("count", FieldKind::kCount, s.count);
    f("flags", FieldKind::kMsgFlags, s.flags);
  }
  friend bool operator==(const Send&, const Send&) = default;
};

// recv(fd, buf, count, flags). Linux: net/socket.c __sys_recvfrom,
// net/unix/af_unix.c unix_stream_read_generic / __unix_dgram_recvmsg.
struct Recv {
  static constexpr std::string_view kName = "recv";
  static constexpr uint32_t kFamily = kFamilyUnix;
  static constexpr uint32_t kOffered = kAnySocketFamily;
  int32_t fd = -1;
  uint32_t count = 1;
  uint32_t flags = 0;
  template <class S, class F> static void Fields(S& s, F&& f) {
    f("fd", FieldKind::kFd, s.fd);
    f("count", FieldKind::kCount, s.count);
    f("flags", FieldKind::kMsgFlags, s.flags);
  }
  friend bool operator==(const Recv&, const Recv&) = default;
};

// shutdown(fd, how). Linux: net/socket.c __sys_shutdown_sock,
// net/unix/af_unix.c unix_shutdown.
struct Shutdown {
  static constexpr std::string_view kName = "shutdown";
  static constexpr uint32_t kFamily = kFamilyUnix;
  static constexpr uint32_t kOffered = kAnySocketFamily;
  int32_t fd = -1;
  int32_t how = 0;
  template <class S, class F> static void Fields(S& s, F&& f) {
    f("fd", FieldKind::kFd, s.fd);
    f("how", FieldKind::kShutHow, s.how);
  }
  friend bool operator==(const Shutdown&, const Shutdown&) = default;
};

// setsockopt(fd, SOL_SOCKET, name, &value, sizeof(int)); for SO_LINGER the
// option is struct linger {1, value}. Linux: net/core/sock.c sk_setsockopt.
struct SetSockOpt {
  static constexpr std::string_view kName = "setsockopt";
  static constexpr uint32_t kFamily = kFamilyUnix;
  static constexpr uint32_t kOffered = kAnySocketFamily;
  int32_t fd = -1;
  int32_t name = 7;
  int32_t value = 0;
  template <class S, class F> static void Fields(S& s, F&& f) {
    f("fd", FieldKind::kFd, s.fd);
    f("name", FieldKind::kSockOpt, s.name);
    f("value", FieldKind::kInt, s.value);
  }
  friend bool operator==(const SetSockOpt&, const SetSockOpt&) = default;
};

// getsockopt(fd, SOL_SOCKET, name, &value, &len) of an int option; the
// Outcome carries the value (SO_ERROR reads and clears sk_err). Linux:
// net/core/sock.c sk_getsockopt.
struct GetSockOpt {
  static constexpr std::string_view kName = "getsockopt";
  static constexpr uint32_t kFamily = kFamilyUnix;
  static constexpr uint32_t kOffered = kAnySocketFamily;
  int32_t fd = -1;
  int32_t name = 4;
  template <class S, class F> static void Fields(S& s, F&& f) {
    f("fd", FieldKind::kFd, s.fd);
    f("name", FieldKind::kSockOpt, s.name);
  }
  friend bool operator==(const GetSockOpt&, const GetSockOpt&) = default;
};

// socket(AF_UNIX, type, 0). Linux: net/socket.c __sys_socket,
// net/unix/af_unix.c unix_create.
struct UnixSocket {
  static constexpr std::string_view kName = "unix_socket";
  static constexpr uint32_t kFamily = kFamilyUnixAddr;
  static constexpr Returns kReturns = Returns::kFd;
  static constexpr std::string_view kHandle = "u";
  uint32_t type = 1;
  template <class S, class F> static void Fields(S& s, F&& f) {
    f("type", FieldKind::kSockType, s.type);
  }
  friend bool operator==(const UnixSocket&, const UnixSocket&) = default;
};

// socket(AF_INET, type, 0): a TCP (SOCK_STREAM) or UDP (SOCK_DGRAM) socket
// on the loopback interface only. A TCP socket also gets TCP_NODELAY, so
// every send leaves at once (no Nagle delay waiting for a delayed ACK).
// Linux: net/ipv4/af_inet.c inet_create.
struct InetSocket {
  static constexpr std::string_view kName = "inet_socket";
  static constexpr uint32_t kFamily = kFamilyTcp;  // FamilyOf(op): or UDP
  static constexpr Returns kReturns = Returns::kFd;
  static constexpr std::string_view kHandle = "t";
  uint32_t type = 1;
  template <class S, class F> static void Fields(S& s, F&& f) {
    f("type", FieldKind::kSockType, s.type);
  }
  friend bool operator==(const InetSocket&, const InetSocket&) = default;
};

// open_file(kind, flags): a file without ->poll, an O_PATH descriptor or
// the FIFO. Each sequence has a private directory holding one regular file
// that starts empty and one FIFO: kind 0 opens the file O_RDWR|O_CREAT, 1
// the directory O_RDONLY|O_DIRECTORY, 2 /dev/null O_RDWR, 3 the file O_PATH,
// 4/5/6 the FIFO O_RDONLY/O_WRONLY/O_RDWR (family fifo). Of `flags` only
// O_NONBLOCK and O_CLOEXEC are passed (O_NONBLOCK changes nothing the
// non-FIFO files do). Linux: fs/open.c do_sys_openat2, fs/pipe.c fifo_open.
enum OpenKind : int32_t {
  kOpenRegular = 0,
  kOpenDirectory = 1,
  kOpenDevNull = 2,
  kOpenPath = 3,
  kOpenFifoRead = 4,
  kOpenFifoWrite = 5,
  kOpenFifoRdwr = 6,
};
constexpr bool IsFifoOpenKind(int32_t kind) {
  return kind >= kOpenFifoRead && kind <= kOpenFifoRdwr;
}
struct OpenFile {
  static constexpr std::string_view kName = "open_file";
  static constexpr uint32_t kFamily = kFamilyFile;  // FamilyOf(op): or FIFO
  static constexpr uint32_t kOffered = kFamilyFile | kFamilyFifo;
  static constexpr Returns kReturns = Returns::kFd;
  static constexpr std::string_view kHandle = "f";
  int32_t kind = kOpenRegular;
  uint32_t flags = 0;
  template <class S, class F> static void Fields(S& s, F&& f) {
    f("kind", FieldKind::kOpenKind, s.kind);
    f("flags", FieldKind::kPipeFlags, s.flags);
  }
  friend bool operator==(const OpenFile&, const OpenFile&) = default;
};

// timerfd_create(clockid, flags). Linux: fs/timerfd.c
// SYSCALL_DEFINE2(timerfd_create).
struct TimerfdCreate {
  static constexpr std::string_view kName = "timerfd_create";
  static constexpr uint32_t kFamily = kFamilyTimerfd;
  static constexpr Returns kReturns = Returns::kFd;
  static constexpr std::string_view kHandle = "tm";
  int32_t clockid = 1;  // CLOCK_MONOTONIC
  uint32_t flags = 0;   // TFD_NONBLOCK|TFD_CLOEXEC (O_NONBLOCK|O_CLOEXEC)
  template <class S, class F> static void Fields(S& s, F&& f) {
    f("clockid", FieldKind::kInt, s.clockid);
    f("flags", FieldKind::kPipeFlags, s.flags);
  }
  friend bool operator==(const TimerfdCreate&, const TimerfdCreate&) = default;
};

// timerfd_settime(fd, flags, {it_interval = 0, it_value}, NULL): one-shot
// timers only, so that no tick count depends on time. `expire`:
//   kExpireOff  it_value 0: disarm
//   kExpireNow  expires at once (1 ns, or the epoch's first nanosecond with
//               TFD_TIMER_ABSTIME); every SUT and C reproducer then waits
//               (poll, 10 s at most) until the timer has fired, so the
//               step's effect is the expiry's: ticks 1, a wakeup
//   kExpireFar  2^33 s from now (absolute: 2^33 s), never during a sequence
//   kExpireBad  tv_nsec = 1000000000: EINVAL
// Linux: fs/timerfd.c do_timerfd_settime, timerfd_setup, timerfd_tmrproc.
enum Expire : int32_t {
  kExpireOff = 0,
  kExpireNow = 1,
  kExpireFar = 2,
  kExpireBad = 3,
};
struct TimerfdSettime {
  static constexpr std::string_view kName = "timerfd_settime";
  static constexpr uint32_t kFamily = kFamilyTimerfd;
  int32_t fd = -1;
  uint32_t flags = 0;  // TFD_TIMER_ABSTIME (1), TFD_TIMER_CANCEL_ON_SET (2)
  int32_t expire = kExpireNow;
  template <class S, class F> static void Fields(S& s, F&& f) {
    f("fd", FieldKind::kFd, s.fd);
    f("flags", FieldKind::kInt, s.flags);
    f("expire", FieldKind::kExpire, s.expire);
  }
  friend bool operator==(const TimerfdSettime&,
                         const TimerfdSettime&) = default;
};

// Addresses are names: AF_UNIX abstract addresses numbered 0, 1, 2... that
// each SUT makes unique to the sequence (the kernel SUT: "\0epollcheck.<pid>.
// <thread>.<sequence>.<name>"); -1 is an AF_UNSPEC address. On an AF_INET
// socket a name is a port of 127.0.0.1, one table per protocol: the first
// successful bind() of a name binds port 0 and the name then stands for the
// port the kernel chose; a name never bound stands for port 0.

// bind(fd, name). Linux: net/unix/af_unix.c unix_bind, unix_bind_abstract.
struct Bind {
  static constexpr std::string_view kName = "bind";
  static constexpr uint32_t kFamily = kFamilyUnixAddr;
  static constexpr uint32_t kOffered = kAddressFamilies;
  int32_t fd = -1;
  int32_t name = 0;
  template <class S, class F> static void Fields(S& s, F&& f) {
    f("fd", FieldKind::kFd, s.fd);
    f("name", FieldKind::kInt, s.name);
  }
  friend bool operator==(const Bind&, const Bind&) = default;
};

// listen(fd, backlog). Linux: net/socket.c __sys_listen, unix_listen.
struct Listen {
  static constexpr std::string_view kName = "listen";
  static constexpr uint32_t kFamily = kFamilyUnixAddr;
  static constexpr uint32_t kOffered = kAddressFamilies;
  int32_t fd = -1;
  int32_t backlog = 1;
  template <class S, class F> static void Fields(S& s, F&& f) {
    f("fd", FieldKind::kFd, s.fd);
    f("backlog", FieldKind::kInt, s.backlog);
  }
  friend bool operator==(const Listen&, const Listen&) = default;
};

// connect(fd, name) (the descriptor's O_NONBLOCK decides blocking). Linux:
// net/unix/af_unix.c unix_stream_connect, unix_dgram_connect.
struct Connect {
  static constexpr std::string_view kName = "connect";
  static constexpr uint32_t kFamily = kFamilyUnixAddr;
  static constexpr uint32_t kOffered = kAddressFamilies;
  int32_t fd = -1;
  int32_t name = 0;
  template <class S, class F> static void Fields(S& s, F&& f) {
    f("fd", FieldKind::kFd, s.fd);
    f("name", FieldKind::kInt, s.name);
  }
  friend bool operator==(const Connect&, const Connect&) = default;
};

// accept4(fd, NULL, NULL, flags). Linux: net/socket.c __sys_accept4_file,
// do_accept, net/unix/af_unix.c unix_accept.
struct Accept4 {
  static constexpr std::string_view kName = "accept4";
  static constexpr uint32_t kFamily = kFamilyUnixAddr;
  static constexpr uint32_t kOffered = kAddressFamilies;
  static constexpr Returns kReturns = Returns::kFd;
  static constexpr std::string_view kHandle = "a";
  int32_t fd = -1;
  uint32_t flags = 0;
  template <class S, class F> static void Fields(S& s, F&& f) {
    f("fd", FieldKind::kFd, s.fd);
    f("flags", FieldKind::kSockType, s.flags);
  }
  friend bool operator==(const Accept4&, const Accept4&) = default;
};

// sendto(fd, buf, count, flags, name). Linux: net/socket.c __sys_sendto.
struct SendTo {
  static constexpr std::string_view kName = "sendto";
  static constexpr uint32_t kFamily = kFamilyUnixAddr;
  static constexpr uint32_t kOffered = kAddressFamilies;
  int32_t fd = -1;
  uint32_t count = 1;
  uint32_t flags = 0;
  int32_t name = 0;
  template <class S, class F> static void Fields(S& s, F&& f) {
    f("fd", FieldKind::kFd, s.fd);
    f("count", FieldKind::kCount, s.count);
    f("flags", FieldKind::kMsgFlags, s.flags);
    f("name", FieldKind::kInt, s.name);
  }
  friend bool operator==(const SendTo&, const SendTo&) = default;
};

// poll(fds, nfds, 0) over up to three (fd, events) entries; entries past the
// third (when nfds > 3) are {-1, 0}. ppoll adds a zero timespec and a
// sigmask: `sigsetsize` -1 passes NULL, otherwise an empty set of that size
// (8 is right). The Outcome lists each of the first min(nfds, 3) entries'
// revents as {revents, index}. Linux: fs/select.c do_sys_poll, do_pollfd,
// SYSCALL_DEFINE5(ppoll).
struct Poll {
  static constexpr std::string_view kName = "poll";
  static constexpr uint32_t kFamily = kFamilyPoll;
  int32_t fd0 = -1;
  uint32_t events0 = 0;
  int32_t fd1 = -1;
  uint32_t events1 = 0;
  int32_t fd2 = -1;
  uint32_t events2 = 0;
  int32_t nfds = 3;
  template <class S, class F> static void Fields(S& s, F&& f) {
    f("fd0", FieldKind::kFd, s.fd0);
    f("events0", FieldKind::kEvents, s.events0);
    f("fd1", FieldKind::kFd, s.fd1);
    f("events1", FieldKind::kEvents, s.events1);
    f("fd2", FieldKind::kFd, s.fd2);
    f("events2", FieldKind::kEvents, s.events2);
    f("nfds", FieldKind::kInt, s.nfds);
  }
  friend bool operator==(const Poll&, const Poll&) = default;
};

struct PPoll {
  static constexpr std::string_view kName = "ppoll";
  static constexpr uint32_t kFamily = kFamilyPoll;
  int32_t fd0 = -1;
  uint32_t events0 = 0;
  int32_t fd1 = -1;
  uint32_t events1 = 0;
  int32_t fd2 = -1;
  uint32_t events2 = 0;
  int32_t nfds = 3;
  int32_t sigsetsize = -1;
  template <class S, class F> static void Fields(S& s, F&& f) {
    Poll::Fields(s, f);
    f("sigsetsize", FieldKind::kInt, s.sigsetsize);
  }
  friend bool operator==(const PPoll&, const PPoll&) = default;
};

// select(nfds, &r, &w, &e, {0, 0}) with the three sets as bitmaps of
// descriptors 0..63 (the rest of each fd_set is zero); pselect6 adds the
// sigmask argument pack as ppoll does. The Outcome's `sets` are the three
// result bitmaps. Linux: fs/select.c core_sys_select, do_select,
// max_select_fd, SYSCALL_DEFINE6(pselect6).
struct Select {
  static constexpr std::string_view kName = "select";
  static constexpr uint32_t kFamily = kFamilyPoll;
  int32_t nfds = 0;
  uint64_t readfds = 0;
  uint64_t writefds = 0;
  uint64_t exceptfds = 0;
  template <class S, class F> static void Fields(S& s, F&& f) {
    f("nfds", FieldKind::kInt, s.nfds);
    f("readfds", FieldKind::kFdSet, s.readfds);
    f("writefds", FieldKind::kFdSet, s.writefds);
    f("exceptfds", FieldKind::kFdSet, s.exceptfds);
  }
  friend bool operator==(const Select&, const Select&) = default;
};

struct PSelect {
  static constexpr std::string_view kName = "pselect6";
  static constexpr uint32_t kFamily = kFamilyPoll;
  int32_t nfds = 0;
  uint64_t readfds = 0;
  uint64_t writefds = 0;
  uint64_t exceptfds = 0;
  int32_t sigsetsize = -1;
  template <class S, class F> static void Fields(S& s, F&& f) {
    Select::Fields(s, f);
    f("sigsetsize", FieldKind::kInt, s.sigsetsize);
  }
  friend bool operator==(const PSelect&, const PSelect&) = default;
};

// Observation only: the sorted list of open descriptor numbers of the
// sequence's table (fcntl(F_GETFD) over the whole range on the kernel).
struct ListFds {
  static constexpr std::string_view kName = "list_fds";
  template <class S, class F> static void Fields(S&, F&&) {}
  friend bool operator==(const ListFds&, const ListFds&) = default;
};

// ioctl(fd, cmd, buf): the epoll busy-poll parameters. EPIOCSPARAMS copies
// in a struct epoll_params {u32 busy_poll_usecs; u16 busy_poll_budget; u8
// prefer_busy_poll; u8 __pad} made of the four fields (budget, prefer and
// pad truncated to their widths) from where `buf` points (UserBuf);
// EPIOCGPARAMS copies one out, and the Outcome's value is its 8 bytes as a
// little-endian u64 (usecs | budget << 32 | prefer << 48 | pad << 56).
// Any other `cmd` is passed as is. Linux: fs/ioctl.c SYSCALL_DEFINE3(ioctl),
// vfs_ioctl, fs/eventpoll.c ep_eventpoll_ioctl, ep_eventpoll_bp_ioctl (6.9+).
struct EpollIoctl {
  static constexpr std::string_view kName = "ioctl";
  int32_t fd = -1;
  uint32_t cmd = 0;
  uint32_t usecs = 0;
  uint32_t budget = 0;
  uint32_t prefer = 0;
  uint32_t pad = 0;
  uint32_t buf = kBufGood;
  template <class S, class F> static void Fields(S& s, F&& f) {
    f("fd", FieldKind::kFd, s.fd);
    f("cmd", FieldKind::kIoctlCmd, s.cmd);
    f("usecs", FieldKind::kInt, s.usecs);
    f("budget", FieldKind::kInt, s.budget);
    f("prefer", FieldKind::kInt, s.prefer);
    f("pad", FieldKind::kInt, s.pad);
    f("buf", FieldKind::kUserBuf, s.buf);
  }
  friend bool operator==(const EpollIoctl&, const EpollIoctl&) = default;
};

// lseek(fd, offset, whence). Linux: fs/read_write.c ksys_lseek, vfs_llseek,
// noop_llseek (epoll, eventfd), generic_file_llseek_size.
struct Lseek {
  static constexpr std::string_view kName = "lseek";
  int32_t fd = -1;
  int64_t offset = 0;
  int32_t whence = 0;
  template <class S, class F> static void Fields(S& s, F&& f) {
    f("fd", FieldKind::kFd, s.fd);
    f("offset", FieldKind::kInt, s.offset);
    f("whence", FieldKind::kWhence, s.whence);
  }
  friend bool operator==(const Lseek&, const Lseek&) = default;
};

// fcntl(fd, F_GETFL): the file's status flags and access mode.
// Linux: fs/fcntl.c do_fcntl.
struct GetFl {
  static constexpr std::string_view kName = "fcntl_getfl";
  int32_t fd = -1;
  template <class S, class F> static void Fields(S& s, F&& f) {
    f("fd", FieldKind::kFd, s.fd);
  }
  friend bool operator==(const GetFl&, const GetFl&) = default;
};

// fcntl(fd, F_SETFL, flags). Linux: fs/fcntl.c setfl.
struct SetFl {
  static constexpr std::string_view kName = "fcntl_setfl";
  int32_t fd = -1;
  uint32_t flags = 0;
  template <class S, class F> static void Fields(S& s, F&& f) {
    f("fd", FieldKind::kFd, s.fd);
    f("flags", FieldKind::kPipeFlags, s.flags);
  }
  friend bool operator==(const SetFl&, const SetFl&) = default;
};

// setrlimit(RLIMIT_NOFILE, {soft, the current hard limit}) for the rest of
// the sequence: descriptor numbers at or above `soft` cannot be allocated
// (EMFILE) or dup2'ed to (EBADF), and poll() refuses more than `soft`
// entries. Every SUT keeps the limit to the sequence: the kernel SUT's
// harness descriptors never count against it, and the next sequence starts
// with the process's own limit again. Linux: kernel/sys.c do_prlimit.
struct SetRlimitNofile {
  static constexpr std::string_view kName = "setrlimit_nofile";
  int64_t soft = 0;
  template <class S, class F> static void Fields(S& s, F&& f) {
    f("soft", FieldKind::kInt, s.soft);
  }
  friend bool operator==(const SetRlimitNofile&,
                         const SetRlimitNofile&) = default;
};

// Signals. A sequence runs in one thread that blocks every signal it can
// raise (kBlockedSignals), so a raised signal stays pending on that thread
// until a signalfd read or sigtimedwait takes it. Besides tgkill, an EPIPE
// raises SIGPIPE (a pipe or FIFO write, an AF_UNIX stream or TCP send
// without MSG_NOSIGNAL). Every SUT and C reproducer blocks these signals
// on the sequence's thread and nothing else sends it any.
inline constexpr int32_t kSigUsr1 = 10;
inline constexpr int32_t kSigUsr2 = 12;
inline constexpr int32_t kSigPipe = 13;
inline constexpr int32_t kSigRt40 = 40;  // a real-time signal: queued
// Signal n's bit in a sigset_t's first word.
constexpr uint64_t SigBit(int32_t sig) { return uint64_t{1} << (sig - 1); }
inline constexpr uint64_t kBlockedSignals =
    SigBit(kSigUsr1) | SigBit(kSigUsr2) | SigBit(kSigPipe) | SigBit(kSigRt40);
// Whether tgkill(sig) is safe to send to the sequence's thread: a blocked
// signal, the null signal, or a number the kernel refuses (EINVAL).
constexpr bool TgkillSignalAllowed(int32_t sig) {
  return sig <= 0 || sig > 64 || (kBlockedSignals & SigBit(sig)) != 0;
}

// signalfd4(fd, &mask, sizeof(sigset_t), flags): fd -1 makes a new
// signalfd, otherwise fd's mask is replaced. `buf` is where the mask
// pointer points (UserBuf). Linux: fs/signalfd.c do_signalfd4.
struct Signalfd {
  static constexpr std::string_view kName = "signalfd";
  static constexpr uint32_t kFamily = kFamilySignal;
  static constexpr Returns kReturns = Returns::kFd;
  static constexpr std::string_view kHandle = "sf";
  int32_t fd = -1;
  uint64_t mask = 0;
  uint32_t flags = 0;  // SFD_NONBLOCK|SFD_CLOEXEC (O_NONBLOCK|O_CLOEXEC)
  uint32_t buf = kBufGood;
  template <class S, class F> static void Fields(S& s, F&& f) {
    f("fd", FieldKind::kFd, s.fd);
    f("mask", FieldKind::kSigMask, s.mask);
    f("flags", FieldKind::kPipeFlags, s.flags);
    f("buf", FieldKind::kUserBuf, s.buf);
  }
  friend bool operator==(const Signalfd&, const Signalfd&) = default;
};

// read(fd, buf, count) reporting the signals read: on a signalfd, the
// Outcome's value packs the ssi_signo of each 128-byte record read, one byte
// each, the first in the lowest byte (8 at most); on any other file there is
// no value (no data the suite writes or reads makes a record whose ssi_signo
// is a signal number). Linux: fs/signalfd.c signalfd_read_iter.
struct SignalfdRead {
  static constexpr std::string_view kName = "signalfd_read";
  static constexpr uint32_t kFamily = kFamilySignal;
  int32_t fd = -1;
  uint32_t count = 128;
  template <class S, class F> static void Fields(S& s, F&& f) {
    f("fd", FieldKind::kFd, s.fd);
    f("count", FieldKind::kCount, s.count);
  }
  friend bool operator==(const SignalfdRead&, const SignalfdRead&) = default;
};

// tgkill(getpid(), gettid(), sig) on the sequence's own thread (only
// TgkillSignalAllowed signals). Linux: kernel/signal.c do_tkill,
// __send_signal_locked.
struct Tgkill {
  static constexpr std::string_view kName = "tgkill";
  static constexpr uint32_t kFamily = kFamilySignal;
  int32_t sig = kSigUsr1;
  template <class S, class F> static void Fields(S& s, F&& f) {
    f("sig", FieldKind::kSignal, s.sig);
  }
  friend bool operator==(const Tgkill&, const Tgkill&) = default;
};

// sigpending(&set): the Outcome's value is the set pending for the thread.
// Linux: kernel/signal.c do_sigpending.
struct Sigpending {
  static constexpr std::string_view kName = "sigpending";
  static constexpr uint32_t kFamily = kFamilySignal;
  template <class S, class F> static void Fields(S&, F&&) {}
  friend bool operator==(const Sigpending&, const Sigpending&) = default;
};

// rt_sigtimedwait(&mask, NULL, &{0, 0}, 8): takes one pending signal of
// `mask` (its number) or fails with EAGAIN; never sleeps.
// Linux: kernel/signal.c do_sigtimedwait.
struct Sigtimedwait {
  static constexpr std::string_view kName = "sigtimedwait";
  static constexpr uint32_t kFamily = kFamilySignal;
  uint64_t mask = 0;
  template <class S, class F> static void Fields(S& s, F&& f) {
    f("mask", FieldKind::kSigMask, s.mask);
  }
  friend bool operator==(const Sigtimedwait&, const Sigtimedwait&) = default;
};

// Child processes (family fork). A child is forked from the sequence's
// process with copies of chosen descriptors; the sequence names it by a
// pidfd (the descriptor Fork and PidfdOpen return). ChildClose and
// ChildExit are commands to the child, not system calls of the sequence's
// process: their pidfd operand is resolved as pidfd_send_signal resolves
// one (not open, or not a pidfd: EBADF), and a child that has exited
// (zombie or reaped) takes no command (ESRCH). Every SUT ends each child
// with its sequence (killed and reaped).

// clone3({CLONE_PIDFD, exit_signal = 0}): a child holding copies of the
// descriptors in `fds` (bits 0..63; the child closes every other one before
// the step ends); returns the pidfd. No signal reaches the parent when the
// child exits (exit_signal 0: reaped with __WALL). Linux: kernel/fork.c
// kernel_clone, copy_process (copy_files / dup_fd, pidfd_prepare).
struct Fork {
  static constexpr std::string_view kName = "fork";
  static constexpr uint32_t kFamily = kFamilyFork;
  static constexpr Returns kReturns = Returns::kFd;
  static constexpr std::string_view kHandle = "pid";
  uint64_t fds = 0;
  template <class S, class F> static void Fields(S& s, F&& f) {
    f("fds", FieldKind::kFdSet, s.fds);
  }
  friend bool operator==(const Fork&, const Fork&) = default;
};

// The child `pidfd` names closes its descriptor `fd`; the result is the
// child's close() (0, EBADF). Linux: fs/file.c close_fd in the child.
struct ChildClose {
  static constexpr std::string_view kName = "child_close";
  static constexpr uint32_t kFamily = kFamilyFork;
  int32_t pidfd = -1;
  int32_t fd = -1;
  template <class S, class F> static void Fields(S& s, F&& f) {
    f("pidfd", FieldKind::kFd, s.pidfd);
    f("fd", FieldKind::kInt, s.fd);
  }
  friend bool operator==(const ChildClose&, const ChildClose&) = default;
};

// The child `pidfd` names exits; the step ends once it is a zombie (its
// descriptors closed, the pidfd waiters woken). Linux: kernel/exit.c
// do_exit (exit_files, exit_task_work, exit_notify, do_notify_pidfd).
struct ChildExit {
  static constexpr std::string_view kName = "child_exit";
  static constexpr uint32_t kFamily = kFamilyFork;
  int32_t pidfd = -1;
  template <class S, class F> static void Fields(S& s, F&& f) {
    f("pidfd", FieldKind::kFd, s.pidfd);
  }
  friend bool operator==(const ChildExit&, const ChildExit&) = default;
};

// waitid(P_PIDFD, pidfd, &info, WEXITED|WNOHANG|__WALL): returns 1 if a
// zombie was reaped (info.si_pid set), 0 if the child still runs. Linux:
// kernel/exit.c kernel_waitid, pidfd_get_pid, do_wait, release_task.
struct Reap {
  static constexpr std::string_view kName = "reap";
  static constexpr uint32_t kFamily = kFamilyFork;
  int32_t pidfd = -1;
  template <class S, class F> static void Fields(S& s, F&& f) {
    f("pidfd", FieldKind::kFd, s.pidfd);
  }
  friend bool operator==(const Reap&, const Reap&) = default;
};

// pidfd_open(pid, flags) with the pid the pidfd's fdinfo shows ("Pid:",
// -1 once the child is reaped); `pidfd` not open or not a pidfd: EBADF.
// Linux: kernel/pid.c SYSCALL_DEFINE2(pidfd_open), pidfd_create.
struct PidfdOpen {
  static constexpr std::string_view kName = "pidfd_open";
  static constexpr uint32_t kFamily = kFamilyFork;
  static constexpr Returns kReturns = Returns::kFd;
  static constexpr std::string_view kHandle = "pid";
  int32_t pidfd = -1;
  uint32_t flags = 0;  // PIDFD_NONBLOCK (O_NONBLOCK), PIDFD_THREAD (O_EXCL)
  template <class S, class F> static void Fields(S& s, F&& f) {
    f("pidfd", FieldKind::kFd, s.pidfd);
    f("flags", FieldKind::kPipeFlags, s.flags);
  }
  friend bool operator==(const PidfdOpen&, const PidfdOpen&) = default;
};

using Op =
    std::variant<Pipe2, EpollCreate, EpollCreate1, EpollCtl, EpollWait, Write,
                 Read, Close, Dup, Dup2, SetPipeSize, GetPipeSize, ListFds,
                 Eventfd, EventfdWrite, EventfdRead, Socketpair, Send, Recv,
                 Shutdown, SetSockOpt, GetSockOpt, UnixSocket, Bind, Listen,
                 Connect, Accept4, SendTo, Poll, PPoll, Select, PSelect,
                 InetSocket, EpollPwait, EpollPwait2, OpenFile, TimerfdCreate,
                 TimerfdSettime, EpollIoctl, Lseek, GetFl, SetFl,
                 SetRlimitNofile, Signalfd, SignalfdRead, Tgkill, Sigpending,
                 Sigtimedwait, Fork, ChildClose, ChildExit, Reap, PidfdOpen>;

// What `op` returns on success (Returns), and the handle prefix a scenario
// binds it to ("" if it binds none).
template <class T> constexpr Returns ReturnsOf() {
  if constexpr (requires { T::kReturns; })
    return T::kReturns;
  else
    return Returns::kNothing;
}
Returns ReturnsOf(const Op& op);
// The op kind's Family bit (kFamilyCore for operations on any descriptor).
// FamilyOf(op) adds what its arguments use (kFamilyUnixOob for a send with
// MSG_OOB).
template <class T> constexpr uint32_t FamilyOf() {
  if constexpr (requires { T::kFamily; })
    return T::kFamily;
  else
    return kFamilyCore;
}
uint32_t FamilyOf(const Op& op);
// The families whose switching on makes generators offer the op kind: its
// kOffered if it has one (operations on an existing socket of any family),
// else FamilyOf<T>().
template <class T> constexpr uint32_t OfferedFamiliesOf() {
  if constexpr (requires { T::kOffered; })
    return T::kOffered;
  else
    return FamilyOf<T>();
}
// "pipe,epoll,eventfd,unix" <-> bits; nullopt names the unknown word.
std::string FamiliesString(uint32_t families);
std::optional<uint32_t> ParseFamilies(std::string_view text,
                                      std::string* unknown);
std::string_view HandlePrefix(const Op& op);
// The suffixes of a pair's two ends ("r"/"w" for pipe2); null for others.
const std::string_view* PairEnds(const Op& op);

// For the last branch of an if-constexpr chain over Op's alternatives:
//   else static_assert(kAlwaysFalse<T>, "unhandled op");
template <class> inline constexpr bool kAlwaysFalse = false;

// Calls `f(field_name, fd)` for every descriptor field of `op`, in Fields()
// order; `fd` is an int32_t reference, so `f` may renumber it when `op` is
// not const.
//   ForEachFdField(op, [](std::string_view name, int32_t& fd) { ... });
template <class OpRef, class F> void ForEachFdField(OpRef& op, F&& f) {
  std::visit(
      [&](auto& o) {
        using T = std::decay_t<decltype(o)>;
        T::Fields(o, [&](std::string_view name, FieldKind kind, auto& field) {
          if constexpr (std::is_same_v<std::decay_t<decltype(field)>,
                                       int32_t>) {
            if (kind == FieldKind::kFd)
              f(name, field);
          }
        });
      },
      op);
}

// Calls `f(field_name, bits)` for every descriptor-set field of `op`
// (FieldKind::kFdSet: bit n names descriptor n), in Fields() order.
//   ForEachFdSetField(op, [](std::string_view name, uint64_t& bits) { ... });
template <class OpRef, class F> void ForEachFdSetField(OpRef& op, F&& f) {
  std::visit(
      [&](auto& o) {
        using T = std::decay_t<decltype(o)>;
        T::Fields(o, [&](std::string_view name, FieldKind kind, auto& field) {
          if constexpr (std::is_same_v<std::decay_t<decltype(field)>,
                                       uint64_t>) {
            if (kind == FieldKind::kFdSet)
              f(name, field);
          }
        });
      },
      op);
}

// The name of an op's syscall, e.g. "epoll_ctl".
std::string_view OpName(const Op& op);

// Prints an op in scenario syntax: `name(arg, ...)`, fields in Fields()
// order, symbolic flags, optional fields as `name=value` only when set:
//   epoll_ctl(2, ADD, 0, IN|ET, 0x7)
//   epoll_wait(3, 64)
// `fd_name`, if given, spells descriptor operands (e.g. as handles "p0.r");
// it gets the field's name and value.
void PrintOp(std::ostream& os, const Op& op,
             const std::function<std::string(std::string_view field,
                                             int32_t fd)>& fd_name);
std::ostream& operator<<(std::ostream& os, const Op& op);

// How a field value is written: "O_NONBLOCK|O_DIRECT", "ADD", "IN|ET",
// "0x7", "-1". `raw` is the value zero-extended, `value` sign-extended.
std::string FieldString(FieldKind kind, uint64_t raw, int64_t value);
// The inverse: the 64-bit pattern of a written value (names, '|'-joined
// bits, decimal or 0x hex, negative numbers as two's complement), or nullopt.
std::optional<uint64_t> ParseFieldString(FieldKind kind, std::string_view text);

}  // namespace epollcheck
