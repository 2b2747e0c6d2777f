#include "sut/kernel/syscalls.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "fixtures/fd_hygiene.h"
#include "model/abi.h"
#include "model/check.h"

namespace epollcheck {
namespace {

Outcome FromRet(long ret) {
  if (ret < 0)
    return Outcome::Error(errno);
  return Outcome::Value(ret);
}

// A buffer of at least `bytes` bytes for the calling thread, reused and grown
// as needed: anonymous memory mapped with MAP_NORESERVE, so even the largest
// operands (a 4 GiB count, EP_MAX_EVENTS events: 2 GiB) cost only address
// space until the kernel writes into it. `what` names the operand for the
// error if the mapping fails.
void* ScratchBuffer(size_t bytes, const char* what) {
  struct Mapping {
    void* addr = nullptr;
    size_t size = 0;
    ~Mapping() {
      if (addr != nullptr)
        munmap(addr, size);
    }
  };
  thread_local Mapping mapping;
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
  if (mapping.addr != nullptr)
    munmap(mapping.addr, mapping.size);
  mapping.addr = addr;
  mapping.size = bytes;
  return addr;
}

// Lists the calling thread's open descriptors (its own table, which may be
// unshared from the process's) except the directory descriptor used to list.
// Without /proc (a bare VM guest) it probes every number below the
// descriptor limit with fcntl(F_GETFD) instead.
Outcome ListOpenFds() {
  Outcome out = Outcome::Value(0);
  for (const int fd : ListOrProbeFds("/proc/thread-self/fd"))
    out.fds.push_back(static_cast<int32_t>(fd));
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
          // Room for maxevents events whenever the kernel accepts maxevents
          // (Linux: do_epoll_wait refuses <= 0 and > EP_MAX_EVENTS before it
          // touches the buffer).
          const size_t room =
              o.maxevents > 0 && o.maxevents <= abi::kEpMaxEvents
                  ? static_cast<size_t>(o.maxevents)
                  : 1;
          auto* events = static_cast<epoll_event*>(
              ScratchBuffer(room * sizeof(epoll_event), "epoll_wait events"));
          const long ret =
              epoll_wait(o.epfd, events, o.maxevents, o.timeout_ms);
          if (ret < 0)
            return Outcome::Error(errno);
          EP_CHECK(static_cast<size_t>(ret) <= room);
          Outcome out = Outcome::Value(ret);
          for (long i = 0; i < ret; ++i) {
            out.events.push_back(ReadyEvent{.events = events[i].events,
                                            .data = events[i].data.u64});
          }
          return out;
        } else if constexpr (std::is_same_v<T, Write>) {
          return FromRet(
              write(o.fd, ScratchBuffer(o.count, "write count"), o.count));
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
        } else {
          static_assert(std::is_same_v<T, ListFds>, "unhandled op");
          return ListOpenFds();
        }
      },
      op);
}

}  // namespace epollcheck
