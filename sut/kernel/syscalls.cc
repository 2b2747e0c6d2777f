#include "sut/kernel/syscalls.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "model/abi.h"
#include "model/check.h"
#include "sut/kernel/children.h"
#include "sut/kernel/harness_calls.h"

namespace epollcheck {
namespace {

Outcome FromRet(long ret) {
  if (ret < 0)
    return Outcome::Error(errno);
  return Outcome::Value(ret);
}

enum class Buf { kRead, kWrite };

// A buffer of at least `bytes` bytes for the calling thread, reused and grown
// as needed: anonymous memory mapped with MAP_NORESERVE, so even the largest
// operands (a 4 GiB count, EP_MAX_EVENTS events: 2 GiB) cost only address
// space until the kernel touches it. Reads and waits use one buffer, writes
// another whose first 64 KiB hold kIoFillByte (only the first 8 bytes are
// ever observable: an eventfd reads them as its counter). `what` names the
// operand for the error if the mapping fails.
void* ScratchBuffer(size_t bytes, const char* what, Buf which = Buf::kRead) {
  struct Mapping {
    void* addr = nullptr;
    size_t size = 0;
    ~Mapping() {
      if (addr != nullptr)
        munmap(addr, size);
    }
  };
  thread_local Mapping mappings[2];
  Mapping& mapping = mappings[static_cast<int>(which)];
  bytes = std::max<size_t>(bytes, 1 << 16);
  if (bytes <= mapping.size)
    return mapping.addr;
  void* addr = mmap(nullptr, bytes, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (addr == MAP_FAILED) {
    throw std::runtime_error(std::string("cannot map a ") +
                             std::to_string(bytes) + "-byte buffer for " +
                             what + ": " + std::strerror(errno));
  }
  if (which == Buf::kWrite)
    std::memset(addr, kIoFillByte, 1 << 16);
  if (mapping.addr != nullptr)
    munmap(mapping.addr, mapping.size);
  mapping.addr = addr;
  mapping.size = bytes;
  return addr;
}

// The sigmask ppoll, pselect6 and epoll_pwait(2) install for the call: the
// sequence's signals stay blocked, since one left pending (tgkill, SIGPIPE
// from an EPIPE) would otherwise be delivered (and kill the process) the
// moment the mask is swapped.
constexpr uint64_t kSequenceSignals = kBlockedSignals;
static_assert(SigBit(kSigPipe) == uint64_t{1} << (SIGPIPE - 1) &&
              SigBit(kSigUsr1) == uint64_t{1} << (SIGUSR1 - 1) &&
              SigBit(kSigUsr2) == uint64_t{1} << (SIGUSR2 - 1));

// The memory behind UserBuf operands (model/ops.h) for the calling thread:
// a read-write page followed by a PROT_NONE page, then a read-only page.
struct UserPages {
  char* base = nullptr;
  UserPages() {
    void* addr = mmap(nullptr, 3 * kPage, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (addr == MAP_FAILED) {
      throw std::runtime_error(
          std::string("cannot map the bad-buffer pages: ") +
          std::strerror(errno));
    }
    base = static_cast<char*>(addr);
    if (mprotect(base + kPage, kPage, PROT_NONE) != 0 ||
        mprotect(base + 2 * kPage, kPage, PROT_READ) != 0) {
      const int err = errno;
      munmap(base, 3 * kPage);
      throw std::runtime_error(
          std::string("cannot protect the bad-buffer pages: ") +
          std::strerror(err));
    }
  }
  ~UserPages() { munmap(base, 3 * kPage); }
  UserPages(const UserPages&) = delete;
  UserPages& operator=(const UserPages&) = delete;
  static constexpr size_t kPage = 4096;
};

// The pointer a UserBuf operand stands for, for elements of `elem` bytes;
// `good` is the caller's own buffer for kBufGood. An input (`contents`,
// `len` bytes, already in `good`) is placed where the pointer points, as far
// as it is mapped: a read-only page gets it through a brief mprotect, a
// tail gets the bytes before its PROT_NONE page.
void* UserBufPointer(uint32_t buf, size_t elem, void* good,
                     const void* contents = nullptr, size_t len = 0) {
  thread_local UserPages pages;
  switch (buf) {
  case kBufGood:
    return good;
  case kBufNull:
    return nullptr;
  case kBufUnmapped:
    return pages.base + UserPages::kPage;
  case kBufReadOnly: {
    char* page = pages.base + 2 * UserPages::kPage;
    if (contents != nullptr) {
      EP_CHECK(mprotect(page, UserPages::kPage, PROT_READ | PROT_WRITE) == 0);
      std::memcpy(page, contents, len);
      EP_CHECK(mprotect(page, UserPages::kPage, PROT_READ) == 0);
    }
    return page;
  }
  case kBufKernel: {
    // Outside user space on purpose: access_ok must fail.
    static char* const kKernelAddress =
        reinterpret_cast<char*>(  // NOLINT(performance-no-int-to-ptr)
            uintptr_t{0xffff880000000000});
    return kKernelAddress;
  }
  default:
    break;
  }
  EP_CHECK(buf >= kBufTail && buf <= kBufTail + 255);
  const size_t mapped = (buf - kBufTail) * elem + 4;
  EP_CHECK(mapped <= UserPages::kPage);
  char* at = pages.base + UserPages::kPage - mapped;
  if (contents != nullptr)
    std::memcpy(at, contents, std::min(len, mapped));
  return at;
}

// An epoll_wait-family call through `call(events_pointer)` with the events
// array `buf` names; room for maxevents events whenever the kernel accepts
// maxevents (Linux: do_epoll_wait refuses <= 0 and > EP_MAX_EVENTS before it
// touches the array).
template <class Call>
Outcome EpollWaitCall(int32_t maxevents, uint32_t buf, Call call) {
  const size_t room = maxevents > 0 && maxevents <= abi::kEpMaxEvents
                          ? static_cast<size_t>(maxevents)
                          : 1;
  auto* events = static_cast<epoll_event*>(UserBufPointer(
      buf, sizeof(epoll_event),
      ScratchBuffer(room * sizeof(epoll_event), "epoll_wait events")));
  const long ret = call(events);
  if (ret < 0)
    return Outcome::Error(errno);
  EP_CHECK(static_cast<size_t>(ret) <= BufWritable(buf, room));
  Outcome out = Outcome::Value(ret);
  for (long i = 0; i < ret; ++i) {
    out.events.push_back(
        ReadyEvent{.events = events[i].events, .data = events[i].data.u64});
  }
  return out;
}

// The private directory of this thread's sequence, its one regular file "f"
// and its one FIFO "p" (open_file): made at the first open_file, removed
// when the sequence ends (NewAbstractNamespace) or the thread does, so every
// sequence starts with an empty file and a FIFO nobody has open.
class SequenceDir {
public:
  ~SequenceDir() { Remove(); }
  // The directory, made if need be; "" (errno set) if it cannot be.
  const std::string& Dir() {
    if (dir_.empty()) {
      const char* tmp = std::getenv("TMPDIR");
      std::string pattern =
          std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") +
          "/epollcheck.XXXXXX";
      if (mkdtemp(pattern.data()) == nullptr)
        return dir_;
      // The empty regular file. Its descriptor is gone before the
      // operation's own open, so the sequence's numbering is untouched.
      const int made = open((pattern + "/f").c_str(),
                            O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
      if (made < 0) {
        const int err = errno;
        rmdir(pattern.c_str());
        errno = err;
        return dir_;
      }
      close(made);
      if (mkfifo((pattern + "/p").c_str(), 0600) != 0) {
        const int err = errno;
        unlink((pattern + "/f").c_str());
        rmdir(pattern.c_str());
        errno = err;
        return dir_;
      }
      dir_ = pattern;
    }
    return dir_;
  }
  std::string File() { return Dir().empty() ? "" : dir_ + "/f"; }
  std::string Fifo() { return Dir().empty() ? "" : dir_ + "/p"; }
  void Remove() {
    if (dir_.empty())
      return;
    unlink((dir_ + "/f").c_str());
    unlink((dir_ + "/p").c_str());
    rmdir(dir_.c_str());
    dir_.clear();
  }

private:
  std::string dir_;
};

SequenceDir& SequenceFiles() {
  thread_local SequenceDir dir;
  return dir;
}

// open_file(kind, flags) (model/ops.h OpenFile).
long OpenSequenceFile(int32_t kind, uint32_t flags) {
  const int pass = static_cast<int>(flags & (O_NONBLOCK | O_CLOEXEC));
  SequenceDir& files = SequenceFiles();
  switch (kind) {
  case kOpenRegular:
    if (files.Dir().empty())
      return -1;
    return open(files.File().c_str(), O_RDWR | pass);
  case kOpenDirectory:
    if (files.Dir().empty())
      return -1;
    return open(files.Dir().c_str(), O_RDONLY | O_DIRECTORY | pass);
  case kOpenDevNull:
    return open("/dev/null", O_RDWR | pass);
  case kOpenPath:
    if (files.Dir().empty())
      return -1;
    return open(files.File().c_str(), O_PATH | pass);
  case kOpenFifoRead:
  case kOpenFifoWrite:
  case kOpenFifoRdwr: {
    if (files.Dir().empty())
      return -1;
    const int mode = kind == kOpenFifoRead    ? O_RDONLY
                     : kind == kOpenFifoWrite ? O_WRONLY
                                              : O_RDWR;
    return open(files.Fifo().c_str(), mode | pass);
  }
  default:
    errno = EINVAL;
    return -1;
  }
}

// timerfd_settime(fd, flags, {0, it_value}, NULL) with the it_value
// `expire` names; a timer armed to expire at once is waited for (poll, 10 s
// at most), so the expiry belongs to this step.
Outcome TimerfdSettimeNow(const TimerfdSettime& op) {
  itimerspec value{};
  switch (op.expire) {
  case kExpireOff:
    break;
  case kExpireNow:
    value.it_value.tv_nsec = 1;  // 1 ns from now, or the epoch's first
    break;
  case kExpireFar:
    value.it_value.tv_sec = time_t{1} << 33;  // relative or absolute
    break;
  default:
    value.it_value.tv_nsec = 1000000000;  // out of range: EINVAL
    break;
  }
  if (timerfd_settime(op.fd, static_cast<int>(op.flags), &value, nullptr) < 0)
    return Outcome::Error(errno);
  if (op.expire == kExpireNow) {
    pollfd pfd{.fd = op.fd, .events = POLLIN, .revents = 0};
    while (poll(&pfd, 1, 10000) < 0 && errno == EINTR) {
    }
  }
  return Outcome::Value(0);
}

// read(fd, buf, count) with the signals a signalfd read took as the value
// (model/ops.h SignalfdRead): a record whose ssi_signo is a signal number
// can only come from a signalfd (every byte the suite writes is
// kIoFillByte, a hole is zero).
Outcome SignalfdReadCall(const SignalfdRead& op) {
  constexpr size_t kRecord = 128;  // sizeof(struct signalfd_siginfo)
  auto* buf = static_cast<unsigned char*>(
      ScratchBuffer(op.count, "signalfd_read count"));
  const long ret = read(op.fd, buf, op.count);
  Outcome out = FromRet(ret);
  if (ret < static_cast<long>(kRecord))
    return out;
  uint32_t first = 0;
  std::memcpy(&first, buf, sizeof first);
  if (first == 0 || first > 64)
    return out;
  uint64_t packed = 0;
  for (size_t i = 0; i < static_cast<size_t>(ret) / kRecord && i < 8; ++i) {
    uint32_t signo = 0;
    std::memcpy(&signo, buf + i * kRecord, sizeof signo);
    packed |= static_cast<uint64_t>(signo & 0xff) << (8 * i);
  }
  out.value = packed;
  return out;
}

// The abstract namespace generation of this thread (NewAbstractNamespace).
thread_local uint64_t abstract_generation = 0;

// The sockaddr_un of abstract name `name` (AF_UNSPEC for a negative one),
// and its length.
std::pair<sockaddr_un, socklen_t> UnixAddress(int32_t name) {
  sockaddr_un a{};
  if (name < 0) {
    a.sun_family = AF_UNSPEC;
    return {a, static_cast<socklen_t>(sizeof(sa_family_t))};
  }
  a.sun_family = AF_UNIX;
  const int n = std::snprintf(
      a.sun_path + 1, sizeof a.sun_path - 1, "epollcheck.%d.%ld.%llu.%d",
      static_cast<int>(getpid()), static_cast<long>(gettid()),
      static_cast<unsigned long long>(abstract_generation), name);
  return {a, static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + n)};
}

// AF_INET names of this thread's sequence: (tcp, name) -> the port of
// 127.0.0.1 that the name's first successful bind() got (network order).
thread_local std::map<std::pair<bool, int32_t>, in_port_t> inet_ports;
// Descriptor numbers that have held an AF_INET socket in this sequence
// (where Settle looks).
thread_local std::set<int> inet_fds;

// The socket at `fd`'s (domain, type), or (-1, -1) if it is not a socket.
std::pair<int, int> SocketKind(int fd) {
  int domain = -1;
  int type = -1;
  socklen_t len = sizeof domain;
  if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) < 0)
    return {-1, -1};
  len = sizeof type;
  if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0)
    return {-1, -1};
  return {domain, type};
}

// A sockaddr big enough for either family.
union SockAddr {
  sockaddr sa;
  sockaddr_un un;
  sockaddr_in in;
};

// The address name `name` stands for on the socket at `fd`: an abstract
// AF_UNIX name, or on an AF_INET socket 127.0.0.1 with the name's port (0 if
// it has none yet; AF_UNSPEC for a negative name). `tcp` tells which port
// table an AF_INET socket uses.
std::pair<SockAddr, socklen_t> NameAddress(int fd, int32_t name, bool* inet,
                                           bool* tcp) {
  const auto [domain, type] = SocketKind(fd);
  *inet = domain == AF_INET;
  *tcp = type == SOCK_STREAM;
  SockAddr a{};
  if (!*inet) {
    const auto [un, len] = UnixAddress(name);
    a.un = un;
    return {a, len};
  }
  if (name < 0) {
    a.in.sin_family = AF_UNSPEC;
    return {a, static_cast<socklen_t>(sizeof a.in)};
  }
  a.in.sin_family = AF_INET;
  a.in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const auto it = inet_ports.find({*tcp, name});
  a.in.sin_port = it == inet_ports.end() ? 0 : it->second;
  return {a, static_cast<socklen_t>(sizeof a.in)};
}

// TCP states only a segment in flight or a delayed ACK ends.
bool Transient(int state) {
  return state == TCP_SYN_RECV || state == TCP_FIN_WAIT1 ||
         state == TCP_CLOSING || state == TCP_LAST_ACK;
}

// Whether a TCP socket at a descriptor of the sequence is in a transient
// state or has bytes not yet sent.
bool FdsBusy() {
  for (const int fd : inet_fds) {
    const auto [domain, type] = SocketKind(fd);
    if (domain != AF_INET || type != SOCK_STREAM)
      continue;
    tcp_info info{};
    socklen_t len = sizeof info;
    if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &len) < 0)
      continue;
    if (Transient(info.tcpi_state))
      return true;
    if ((info.tcpi_state == TCP_ESTABLISHED ||
         info.tcpi_state == TCP_CLOSE_WAIT) &&
        TcpUnsentBytes(fd) > 0) {
      return true;
    }
  }
  return false;
}

// Lets loopback delivery settle after a step, so the next step sees what
// the model predicts for this one (model/inet.cc describes each step after
// its segments and datagrams are processed). Waits (boundedly) while
// - a packet is still in the network stack's backlog (LoopbackBacklog):
//   when the kernel has handed its softirqs to ksoftirqd, a loopback
//   segment or datagram is processed after the system call that sent it
//   returns (seen under User-mode Linux: a datagram not yet readable, the
//   FIN of a socket just closed not yet at its peer);
// - a TCP socket at a descriptor of the sequence is in a state only a
//   segment still in flight or a delayed ACK ends (SYN_RECV, FIN_WAIT1,
//   CLOSING, LAST_ACK), or has bytes not yet sent.
// A socket without a descriptor needs no wait of its own: a closed one has
// no wait queue (what it sent is in the backlog), and a connection not yet
// accepted is waited for by the accept4 step that gives it one, before any
// epoll item can watch it.
void Settle() {
  if (inet_fds.empty())
    return;
  const auto busy = [] { return LoopbackBacklog() > 0 || FdsBusy(); };
  // Delayed ACKs take up to ~40 ms (TCP_DELACK_MIN, or the ATO); give up
  // after 2 s and let the comparison speak.
  for (int i = 0; i < 2000 && busy(); ++i) {
    const timespec ms{0, 1000000};
    nanosleep(&ms, nullptr);
  }
}

Outcome WithValue(long ret, uint64_t value) {
  Outcome out = FromRet(ret);
  if (!out.IsError())
    out.value = value;
  return out;
}

// Lists the calling thread's open descriptors (its own table, which may be
// unshared from the process's) except the directory descriptor used to list.
// Without /proc (a bare VM guest) it probes every number below the
// descriptor limit with fcntl(F_GETFD) instead (ListThreadFds).
Outcome ListOpenFds() {
  Outcome out = Outcome::Value(0);
  for (const int fd : ListThreadFds())
    out.fds.push_back(static_cast<int32_t>(fd));
  out.ret = static_cast<int64_t>(out.fds.size());
  return out;
}

}  // namespace

// The RLIMIT_NOFILE soft limit setrlimit_nofile set for this thread's
// sequence, if any. It is in force only while one of the sequence's
// operations runs (RunSyscall sets it and puts the process's own back), so
// the harness's descriptors (the fdinfo readers, the worker's pipes, other
// threads' files) never meet it; the limit is per process.
thread_local std::optional<rlim_t> sequence_nofile;

void NewAbstractNamespace() {
  sequence_nofile.reset();
  SequenceFiles().Remove();
  ++abstract_generation;
  inet_ports.clear();
  inet_fds.clear();
}

namespace {
Outcome RunOne(const Op& op, std::optional<int> pid);
}  // namespace

// Runs `fn` with the sequence's RLIMIT_NOFILE soft limit in force, if it has
// one (list_fds, the harness's own observation, runs without it: it opens a
// directory), and puts the process's own limit back after it, also after
// setrlimit_nofile itself.
template <class Fn> Outcome WithSequenceNofile(const Op& op, Fn&& fn) {
  const bool sets = std::holds_alternative<SetRlimitNofile>(op);
  if ((!sequence_nofile && !sets) || std::holds_alternative<ListFds>(op))
    return fn();
  rlimit own{};
  EP_CHECK(getrlimit(RLIMIT_NOFILE, &own) == 0);
  if (sequence_nofile) {
    rlimit limited = own;
    limited.rlim_cur = *sequence_nofile;
    EP_CHECK(setrlimit(RLIMIT_NOFILE, &limited) == 0);
  }
  const int saved_errno = errno;
  Outcome out = fn();
  EP_CHECK(setrlimit(RLIMIT_NOFILE, &own) == 0);
  errno = saved_errno;
  return out;
}

Outcome RunSyscall(const Op& op) {
  // A child command's pidfd operand is resolved through fdinfo (a
  // descriptor of this table for a moment) before the sequence's limit.
  std::optional<int> pid;
  if (NeedsPidfdResolved(op)) {
    ForEachFdField(op, [&](std::string_view name, const int32_t& fd) {
      if (name == "pidfd")
        pid = ResolvePidfd(fd);
    });
  }
  Outcome out = WithSequenceNofile(op, [&] { return RunOne(op, pid); });
  // Descriptors that may now hold AF_INET sockets.
  if (!out.IsError()) {
    const bool returns_fd =
        ReturnsOf(op) == Returns::kFd || std::holds_alternative<Dup2>(op);
    if (returns_fd && SocketKind(static_cast<int>(out.ret)).first == AF_INET)
      inet_fds.insert(static_cast<int>(out.ret));
  }
  Settle();
  return out;
}

namespace {
Outcome RunOne(const Op& op, std::optional<int> pid) {
  return std::visit(
      [&op, pid](const auto& o) -> Outcome {
        using T = std::decay_t<decltype(o)>;
        if constexpr (std::is_same_v<T, Pipe2>) {
          int fds[2];
          if (pipe2(fds, static_cast<int>(o.flags)) < 0) {
            return Outcome::Error(errno);
          }
          Outcome out = Outcome::Value(0);
          out.fds = {fds[0], fds[1]};
          return out;
        } else if constexpr (std::is_same_v<T, EpollCreate>) {
          return FromRet(epoll_create(o.size));
        } else if constexpr (std::is_same_v<T, EpollCreate1>) {
          return FromRet(epoll_create1(static_cast<int>(o.flags)));
        } else if constexpr (std::is_same_v<T, EpollCtl>) {
          epoll_event ev{};
          ev.events = o.events;
          ev.data.u64 = o.data;
          void* event = o.null_event ? nullptr
                                     : UserBufPointer(o.buf, sizeof ev, &ev,
                                                      &ev, sizeof ev);
          return FromRet(syscall(SYS_epoll_ctl, o.epfd, o.op, o.fd, event));
        } else if constexpr (std::is_same_v<T, EpollWait>) {
          return EpollWaitCall(o.maxevents, o.buf, [&](epoll_event* events) {
            return syscall(SYS_epoll_wait, o.epfd, events, o.maxevents,
                           o.timeout_ms);
          });
        } else if constexpr (std::is_same_v<T, EpollPwait>) {
          uint64_t mask = kSequenceSignals;
          return EpollWaitCall(o.maxevents, o.buf, [&](epoll_event* events) {
            return syscall(SYS_epoll_pwait, o.epfd, events, o.maxevents,
                           o.timeout_ms, o.sigsetsize < 0 ? nullptr : &mask,
                           static_cast<size_t>(o.sigsetsize));
          });
        } else if constexpr (std::is_same_v<T, OpenFile>) {
          return FromRet(OpenSequenceFile(o.kind, o.flags));
        } else if constexpr (std::is_same_v<T, TimerfdCreate>) {
          return FromRet(timerfd_create(o.clockid, static_cast<int>(o.flags)));
        } else if constexpr (std::is_same_v<T, TimerfdSettime>) {
          return TimerfdSettimeNow(o);
        } else if constexpr (std::is_same_v<T, Fork> ||
                             std::is_same_v<T, ChildClose> ||
                             std::is_same_v<T, ChildExit> ||
                             std::is_same_v<T, Reap> ||
                             std::is_same_v<T, PidfdOpen>) {
          return RunChildOp(op, pid);
        } else if constexpr (std::is_same_v<T, EpollIoctl>) {
          // struct epoll_params, little-endian: u32 usecs, u16 budget, u8
          // prefer, u8 pad.
          struct Params {
            uint32_t usecs;
            uint16_t budget;
            uint8_t prefer;
            uint8_t pad;
          } params{o.usecs, static_cast<uint16_t>(o.budget),
                   static_cast<uint8_t>(o.prefer), static_cast<uint8_t>(o.pad)};
          static_assert(sizeof(Params) == abi::kEpollParamsSize);
          const bool get = o.cmd == abi::kEpiocGParams;
          if (get)
            params = Params{0xffffffffu, 0xffff, 0xff, 0xff};
          void* arg = UserBufPointer(o.buf, sizeof params, &params,
                                     get ? nullptr : &params, sizeof params);
          const long ret = ioctl(o.fd, o.cmd, arg);
          if (ret < 0 || !get)
            return FromRet(ret);
          Params got{};
          std::memcpy(&got, arg, sizeof got);
          uint64_t bytes = 0;
          std::memcpy(&bytes, &got, sizeof bytes);
          return WithValue(ret, bytes);
        } else if constexpr (std::is_same_v<T, Lseek>) {
          return FromRet(lseek(o.fd, o.offset, o.whence));
        } else if constexpr (std::is_same_v<T, GetFl>) {
          return FromRet(fcntl(o.fd, F_GETFL));
        } else if constexpr (std::is_same_v<T, SetFl>) {
          return FromRet(fcntl(o.fd, F_SETFL, o.flags));
        } else if constexpr (std::is_same_v<T, SetRlimitNofile>) {
          // Checked by the kernel with the hard limit as it is; kept for
          // the sequence (WithSequenceNofile), the process's own put back.
          rlimit own{};
          EP_CHECK(getrlimit(RLIMIT_NOFILE, &own) == 0);
          rlimit limited = own;
          limited.rlim_cur = static_cast<rlim_t>(o.soft);
          if (setrlimit(RLIMIT_NOFILE, &limited) != 0)
            return Outcome::Error(errno);
          sequence_nofile = limited.rlim_cur;
          return Outcome::Value(0);
        } else if constexpr (std::is_same_v<T, EpollPwait2>) {
          uint64_t mask = kSequenceSignals;
          struct KernelTimespec {  // Linux: struct __kernel_timespec
            int64_t tv_sec;
            int64_t tv_nsec;
          } good{o.tv_sec, o.tv_nsec};
          void* ts =
              UserBufPointer(o.ts_buf, sizeof good, &good, &good, sizeof good);
          return EpollWaitCall(o.maxevents, o.buf, [&](epoll_event* events) {
            return syscall(SYS_epoll_pwait2, o.epfd, events, o.maxevents, ts,
                           o.sigsetsize < 0 ? nullptr : &mask,
                           static_cast<size_t>(o.sigsetsize));
          });
        } else if constexpr (std::is_same_v<T, Signalfd>) {
          uint64_t mask = o.mask;
          void* user =
              UserBufPointer(o.buf, sizeof mask, &mask, &mask, sizeof mask);
          return FromRet(
              syscall(SYS_signalfd4, o.fd, user, sizeof mask, o.flags));
        } else if constexpr (std::is_same_v<T, SignalfdRead>) {
          return SignalfdReadCall(o);
        } else if constexpr (std::is_same_v<T, Tgkill>) {
          if (!TgkillSignalAllowed(o.sig)) {
            throw std::runtime_error(
                "tgkill(" + std::to_string(o.sig) +
                "): not a signal the sequence's thread blocks (USR1, USR2, "
                "PIPE, SIG40, 0 or an invalid number)");
          }
          return FromRet(syscall(SYS_tgkill, getpid(), gettid(), o.sig));
        } else if constexpr (std::is_same_v<T, Sigpending>) {
          uint64_t set = 0;
          const long ret = syscall(SYS_rt_sigpending, &set, sizeof set);
          return WithValue(ret, set);
        } else if constexpr (std::is_same_v<T, Sigtimedwait>) {
          const uint64_t mask = o.mask;
          const timespec zero{};
          return FromRet(
              syscall(SYS_rt_sigtimedwait, &mask, nullptr, &zero, sizeof mask));
        } else if constexpr (std::is_same_v<T, Write>) {
          return FromRet(
              write(o.fd, ScratchBuffer(o.count, "write count", Buf::kWrite),
                    o.count));
        } else if constexpr (std::is_same_v<T, Read>) {
          return FromRet(
              read(o.fd, ScratchBuffer(o.count, "read count"), o.count));
        } else if constexpr (std::is_same_v<T, Close>) {
          return FromRet(close(o.fd));
        } else if constexpr (std::is_same_v<T, Dup>) {
          return FromRet(dup(o.fd));
        } else if constexpr (std::is_same_v<T, Dup2>) {
          return FromRet(dup2(o.oldfd, o.newfd));
        } else if constexpr (std::is_same_v<T, SetPipeSize>) {
          return FromRet(fcntl(o.fd, F_SETPIPE_SZ, o.size));
        } else if constexpr (std::is_same_v<T, GetPipeSize>) {
          return FromRet(fcntl(o.fd, F_GETPIPE_SZ));
        } else if constexpr (std::is_same_v<T, ListFds>) {
          return ListOpenFds();
        } else if constexpr (std::is_same_v<T, Eventfd>) {
          return FromRet(eventfd(o.initval, static_cast<int>(o.flags)));
        } else if constexpr (std::is_same_v<T, EventfdWrite>) {
          const uint64_t value = o.value;
          return FromRet(write(o.fd, &value, sizeof value));
        } else if constexpr (std::is_same_v<T, EventfdRead>) {
          uint64_t value = 0;
          const long ret = read(o.fd, &value, sizeof value);
          return WithValue(ret, value);
        } else if constexpr (std::is_same_v<T, Socketpair>) {
          int fds[2];
          if (socketpair(AF_UNIX, static_cast<int>(o.type), 0, fds) < 0)
            return Outcome::Error(errno);
          Outcome out = Outcome::Value(0);
          out.fds = {fds[0], fds[1]};
          return out;
        } else if constexpr (std::is_same_v<T, Send>) {
          return FromRet(send(o.fd,
                              ScratchBuffer(o.count, "send count", Buf::kWrite),
                              o.count, static_cast<int>(o.flags)));
        } else if constexpr (std::is_same_v<T, Recv>) {
          return FromRet(recv(o.fd, ScratchBuffer(o.count, "recv count"),
                              o.count, static_cast<int>(o.flags)));
        } else if constexpr (std::is_same_v<T, Shutdown>) {
          return FromRet(shutdown(o.fd, o.how));
        } else if constexpr (std::is_same_v<T, SetSockOpt>) {
          if (o.name == SO_LINGER) {
            const linger l{.l_onoff = 1, .l_linger = o.value};
            return FromRet(setsockopt(o.fd, SOL_SOCKET, o.name, &l, sizeof l));
          }
          const int v = o.value;
          return FromRet(setsockopt(o.fd, SOL_SOCKET, o.name, &v, sizeof v));
        } else if constexpr (std::is_same_v<T, GetSockOpt>) {
          int v = 0;
          socklen_t len = sizeof v;
          const long ret = getsockopt(o.fd, SOL_SOCKET, o.name, &v, &len);
          return WithValue(ret, static_cast<uint64_t>(int64_t{v}));
        } else if constexpr (std::is_same_v<T, UnixSocket>) {
          return FromRet(socket(AF_UNIX, static_cast<int>(o.type), 0));
        } else if constexpr (std::is_same_v<T, InetSocket>) {
          const int fd = socket(AF_INET, static_cast<int>(o.type), 0);
          if (fd >= 0 && (o.type & abi::kSockTypeMask) == SOCK_STREAM) {
            const int one = 1;
            EP_CHECK(setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one,
                                sizeof one) == 0);
          }
          return FromRet(fd);
        } else if constexpr (std::is_same_v<T, Bind>) {
          bool inet = false;
          bool tcp = false;
          const auto [a, len] = NameAddress(o.fd, o.name, &inet, &tcp);
          const long ret = bind(o.fd, &a.sa, len);
          if (ret == 0 && inet && o.name >= 0 &&
              inet_ports.count({tcp, o.name}) == 0) {
            SockAddr got{};
            socklen_t got_len = sizeof got.in;
            EP_CHECK(getsockname(o.fd, &got.sa, &got_len) == 0);
            inet_ports[{tcp, o.name}] = got.in.sin_port;
          }
          return FromRet(ret);
        } else if constexpr (std::is_same_v<T, Listen>) {
          return FromRet(listen(o.fd, o.backlog));
        } else if constexpr (std::is_same_v<T, Connect>) {
          bool inet = false;
          bool tcp = false;
          const auto [a, len] = NameAddress(o.fd, o.name, &inet, &tcp);
          return FromRet(connect(o.fd, &a.sa, len));
        } else if constexpr (std::is_same_v<T, Accept4>) {
          return FromRet(
              accept4(o.fd, nullptr, nullptr, static_cast<int>(o.flags)));
        } else if constexpr (std::is_same_v<T, Poll> ||
                             std::is_same_v<T, PPoll>) {
          // Entries past the third are {-1}: the kernel ignores them (and
          // refuses nfds above RLIMIT_NOFILE before reading any).
          const size_t entries =
              static_cast<uint32_t>(o.nfds) <= (1u << 21)
                  ? std::max<size_t>(static_cast<uint32_t>(o.nfds), 3)
                  : 3;
          auto* pfd = static_cast<pollfd*>(
              ScratchBuffer(entries * sizeof(pollfd), "poll nfds"));
          for (size_t i = 0; i < entries; ++i)
            pfd[i] = pollfd{.fd = -1, .events = 0, .revents = 0};
          const int32_t fds[3] = {o.fd0, o.fd1, o.fd2};
          const uint32_t events[3] = {o.events0, o.events1, o.events2};
          for (int i = 0; i < 3; ++i) {
            pfd[i].fd = fds[i];
            pfd[i].events = static_cast<short>(events[i]);
          }
          long ret = 0;
          if constexpr (std::is_same_v<T, Poll>) {
            ret = poll(pfd, static_cast<nfds_t>(static_cast<uint32_t>(o.nfds)),
                       0);
          } else {
            const timespec zero{};
            uint64_t mask = kSequenceSignals;
            ret = syscall(SYS_ppoll, pfd,
                          static_cast<nfds_t>(static_cast<uint32_t>(o.nfds)),
                          &zero, o.sigsetsize < 0 ? nullptr : &mask,
                          static_cast<size_t>(o.sigsetsize));
          }
          if (ret < 0)
            return Outcome::Error(errno);
          Outcome out = Outcome::Value(ret);
          const int32_t listed = std::min<int32_t>(o.nfds, 3);
          for (int32_t i = 0; i < listed; ++i) {
            out.events.push_back(
                ReadyEvent{.events = static_cast<uint16_t>(pfd[i].revents),
                           .data = static_cast<uint64_t>(i)});
          }
          return out;
        } else if constexpr (std::is_same_v<T, Select> ||
                             std::is_same_v<T, PSelect>) {
          // The kernel reads min(nfds, table size) bits of each set: one
          // word up to 64, else bitmaps of 1 << 20 bits (larger than any
          // table it clamps to here).
          const size_t words = o.nfds <= 64 ? 1 : (size_t{1} << 20) / 64;
          auto* sets = static_cast<uint64_t*>(
              ScratchBuffer(3 * words * sizeof(uint64_t), "fd_set"));
          std::memset(sets, 0, 3 * words * sizeof(uint64_t));
          uint64_t* in = sets;
          uint64_t* out_set = sets + words;
          uint64_t* ex = sets + 2 * words;
          in[0] = o.readfds;
          out_set[0] = o.writefds;
          ex[0] = o.exceptfds;
          timespec zero{};
          long ret = 0;
          if constexpr (std::is_same_v<T, Select>) {
            timeval tv{};
            ret = syscall(SYS_select, o.nfds, in, out_set, ex, &tv);
          } else {
            uint64_t mask = kSequenceSignals;
            struct {
              const void* p;
              size_t size;
            } pack{o.sigsetsize < 0 ? nullptr : &mask,
                   static_cast<size_t>(o.sigsetsize)};
            ret = syscall(SYS_pselect6, o.nfds, in, out_set, ex, &zero, &pack);
          }
          if (ret < 0)
            return Outcome::Error(errno);
          Outcome result = Outcome::Value(ret);
          result.sets = {in[0], out_set[0], ex[0]};
          return result;
        } else {
          static_assert(std::is_same_v<T, SendTo>, "unhandled op");
          bool inet = false;
          bool tcp = false;
          const auto [a, len] = NameAddress(o.fd, o.name, &inet, &tcp);
          return FromRet(
              sendto(o.fd, ScratchBuffer(o.count, "sendto count", Buf::kWrite),
                     o.count, static_cast<int>(o.flags),
                     reinterpret_cast<const sockaddr*>(&a.sa), len));
        }
      },
      op);
}
}  // namespace

}  // namespace epollcheck
