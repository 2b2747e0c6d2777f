#include "sut/kernel/syscalls.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <type_traits>
#include <vector>

#include "fixtures/fd_hygiene.h"
#include "model/check.h"

namespace epollcheck {
namespace {

Outcome FromRet(long ret) {
  if (ret < 0)
    return Outcome::Error(errno);
  return Outcome::Value(ret);
}

char* IoBuffer() {
  thread_local std::vector<char> buffer(kMaxIoCount, kIoFillByte);
  return buffer.data();
}

// Reads land in their own buffer so every write keeps sending kIoFillByte.
char* ReadBuffer() {
  thread_local std::vector<char> buffer(kMaxIoCount);
  return buffer.data();
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
// descriptor limit with fcntl(F_GETFD) instead.
Outcome ListOpenFds() {
  Outcome out = Outcome::Value(0);
  if (auto listed = ListFdDirectory("/proc/thread-self/fd")) {
    out.fds = std::move(*listed);
  } else {
    rlimit limit{};
    getrlimit(RLIMIT_NOFILE, &limit);
    const rlim_t end = std::min<rlim_t>(limit.rlim_cur, 1 << 20);
    for (rlim_t fd = 0; fd < end; ++fd) {
      if (fcntl(static_cast<int>(fd), F_GETFD) >= 0)
        out.fds.push_back(static_cast<int32_t>(fd));
    }
  }
  out.ret = static_cast<int64_t>(out.fds.size());
  return out;
}

}  // namespace

Outcome RunSyscall(const Op& op) {
  return std::visit(
      [](const auto& o) -> Outcome {
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
          return FromRet(
              epoll_ctl(o.epfd, o.op, o.fd, o.null_event ? nullptr : &ev));
        } else if constexpr (std::is_same_v<T, EpollWait>) {
          thread_local std::vector<epoll_event> events(kWaitBufferEvents);
          const long ret =
              epoll_wait(o.epfd, events.data(), o.maxevents, o.timeout_ms);
          if (ret < 0)
            return Outcome::Error(errno);
          EP_CHECK(ret <= kWaitBufferEvents);
          Outcome out = Outcome::Value(ret);
          for (long i = 0; i < ret; ++i) {
            out.events.push_back(ReadyEvent{.events = events[i].events,
                                            .data = events[i].data.u64});
          }
          return out;
        } else if constexpr (std::is_same_v<T, Write>) {
          EP_CHECK(o.count <= kMaxIoCount);
          return FromRet(write(o.fd, IoBuffer(), o.count));
        } else if constexpr (std::is_same_v<T, Read>) {
          EP_CHECK(o.count <= kMaxIoCount);
          return FromRet(read(o.fd, ReadBuffer(), o.count));
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
          EP_CHECK(o.count <= kMaxIoCount);
          return FromRet(
              send(o.fd, IoBuffer(), o.count, static_cast<int>(o.flags)));
        } else if constexpr (std::is_same_v<T, Recv>) {
          EP_CHECK(o.count <= kMaxIoCount);
          return FromRet(
              recv(o.fd, ReadBuffer(), o.count, static_cast<int>(o.flags)));
        } else if constexpr (std::is_same_v<T, Shutdown>) {
          return FromRet(shutdown(o.fd, o.how));
        } else if constexpr (std::is_same_v<T, SetSockOpt>) {
          if (o.name == SO_LINGER) {
            const linger l{.l_onoff = 1, .l_linger = o.value};
            return FromRet(setsockopt(o.fd, SOL_SOCKET, o.name, &l, sizeof l));
          }
          const int v = o.value;
          return FromRet(setsockopt(o.fd, SOL_SOCKET, o.name, &v, sizeof v));
        } else {
          static_assert(std::is_same_v<T, GetSockOpt>, "unhandled op");
          int v = 0;
          socklen_t len = sizeof v;
          const long ret = getsockopt(o.fd, SOL_SOCKET, o.name, &v, &len);
          return WithValue(ret, static_cast<uint64_t>(int64_t{v}));
        }
      },
      op);
}

}  // namespace epollcheck
