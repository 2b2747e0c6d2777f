#include "sut/kernel/children.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>

namespace epollcheck {
namespace {

// Linux: include/uapi/linux/wait.h P_PIDFD (glibc may not define it).
constexpr idtype_t kPPidfd = static_cast<idtype_t>(3);
// Linux: include/uapi/linux/sched.h CLONE_PIDFD.
constexpr uint64_t kClonePidfd = 0x1000;

// Linux: struct clone_args, CLONE_ARGS_SIZE_VER0 (64 bytes).
struct CloneArgs {
  uint64_t flags = 0;
  uint64_t pidfd = 0;
  uint64_t child_tid = 0;
  uint64_t parent_tid = 0;
  uint64_t exit_signal = 0;
  uint64_t stack = 0;
  uint64_t stack_size = 0;
  uint64_t tls = 0;
};

// The page a child and the executor share. The executor writes a command
// (cmd, arg) and then bumps cmd_seq; the child runs it, writes result and
// sets done_seq to cmd_seq + 1 (1 after its start-up: the descriptors it
// does not keep are closed). Both words are futexes (shared, not private).
struct ChildCtl {
  uint32_t cmd_seq;
  uint32_t done_seq;
  int32_t cmd;
  int32_t arg;
  int32_t result;
};
enum ChildCmd : int32_t { kCmdClose = 1, kCmdExit = 2 };

long Futex(uint32_t* word, int op, uint32_t value, const timespec* timeout) {
  return syscall(SYS_futex, word, op, value, timeout, nullptr, 0);
}

// The child: a copy of the executor thread of a multi-threaded process, so
// it runs raw system calls only (no allocation, no locks, no sanitizer
// runtime) until it exits.
[[noreturn]] __attribute__((noinline,
                            no_sanitize("address", "thread", "undefined"))) void
ChildMain(ChildCtl* ctl, uint64_t keep) {
  syscall(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
  for (int fd = 0; fd < 64; ++fd) {
    if (((keep >> fd) & 1) == 0)
      syscall(SYS_close, fd);
  }
  syscall(SYS_close_range, 64u, ~0u, 0u);
  uint32_t seen = 0;
  __atomic_store_n(&ctl->done_seq, 1, __ATOMIC_RELEASE);
  Futex(&ctl->done_seq, FUTEX_WAKE, 1, nullptr);
  for (;;) {
    uint32_t seq = __atomic_load_n(&ctl->cmd_seq, __ATOMIC_ACQUIRE);
    if (seq == seen) {
      Futex(&ctl->cmd_seq, FUTEX_WAIT, seen, nullptr);
      continue;
    }
    seen = seq;
    if (ctl->cmd == kCmdExit)
      syscall(SYS_exit_group, 0);
    const long r = syscall(SYS_close, ctl->arg);
    ctl->result = r < 0 ? -errno : 0;
    __atomic_store_n(&ctl->done_seq, seq + 1, __ATOMIC_RELEASE);
    Futex(&ctl->done_seq, FUTEX_WAKE, 1, nullptr);
  }
}

// Waits (10 s at most) until the child has set done_seq to `want`.
void AwaitDone(ChildCtl* ctl, uint32_t want) {
  const timespec slice{.tv_sec = 1, .tv_nsec = 0};
  for (int i = 0; i < 10; ++i) {
    const uint32_t now = __atomic_load_n(&ctl->done_seq, __ATOMIC_ACQUIRE);
    if (now == want)
      return;
    Futex(&ctl->done_seq, FUTEX_WAIT, now, &slice);
  }
  if (__atomic_load_n(&ctl->done_seq, __ATOMIC_ACQUIRE) != want)
    throw std::runtime_error("a forked child did not answer within 10 s");
}

// The executor thread's children not yet reaped, by pid.
thread_local std::map<pid_t, ChildCtl*> children;

void Forget(pid_t pid) {
  auto it = children.find(pid);
  if (it == children.end())
    return;
  munmap(it->second, sizeof(ChildCtl));
  children.erase(it);
}

// Whether the child `pid` has exited (a zombie): waitid with WNOWAIT.
bool Exited(pid_t pid) {
  siginfo_t info{};
  return waitid(P_PID, static_cast<id_t>(pid), &info,
                WEXITED | WNOHANG | WNOWAIT | __WALL) == 0 &&
         info.si_pid != 0;
}

Outcome Fork1(uint64_t keep) {
  void* page = mmap(nullptr, sizeof(ChildCtl), PROT_READ | PROT_WRITE,
                    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (page == MAP_FAILED) {
    throw std::runtime_error(std::string("cannot map a child's page: ") +
                             std::strerror(errno));
  }
  auto* ctl = static_cast<ChildCtl*>(page);
  int pidfd = -1;
  CloneArgs args{.flags = kClonePidfd,
                 .pidfd = reinterpret_cast<uintptr_t>(&pidfd),
                 .exit_signal = 0};
  const long pid = syscall(SYS_clone3, &args, sizeof args);
  if (pid == 0)
    ChildMain(ctl, keep);
  if (pid < 0) {
    const int error = errno;
    munmap(page, sizeof(ChildCtl));
    return Outcome::Error(error);
  }
  children[static_cast<pid_t>(pid)] = ctl;
  AwaitDone(ctl, 1);
  return Outcome::Value(pidfd);
}

// A command to a running child; nullopt: it has exited (ESRCH).
Outcome Command(std::optional<int> pid, int32_t cmd, int32_t arg) {
  if (!pid)
    return Outcome::Error(EBADF);
  auto it = children.find(static_cast<pid_t>(*pid));
  if (*pid <= 0 || it == children.end() || Exited(*pid))
    return Outcome::Error(ESRCH);
  ChildCtl* ctl = it->second;
  ctl->cmd = cmd;
  ctl->arg = arg;
  const uint32_t seq = ctl->cmd_seq + 1;
  __atomic_store_n(&ctl->cmd_seq, seq, __ATOMIC_RELEASE);
  Futex(&ctl->cmd_seq, FUTEX_WAKE, 1, nullptr);
  if (cmd == kCmdExit) {
    // Until it is a zombie: exit_files and the deferred __fput are done.
    siginfo_t info{};
    while (waitid(P_PID, static_cast<id_t>(*pid), &info,
                  WEXITED | WNOWAIT | __WALL) != 0) {
      if (errno != EINTR)
        throw std::runtime_error(std::string("waitid of an exiting child: ") +
                                 std::strerror(errno));
    }
    return Outcome::Value(0);
  }
  AwaitDone(ctl, seq + 1);
  return ctl->result < 0 ? Outcome::Error(-ctl->result) : Outcome::Value(0);
}

}  // namespace

bool NeedsPidfdResolved(const Op& op) {
  return std::holds_alternative<ChildClose>(op) ||
         std::holds_alternative<ChildExit>(op) ||
         std::holds_alternative<PidfdOpen>(op);
}

std::optional<int> ResolvePidfd(int pidfd) {
  if (pidfd < 0)
    return std::nullopt;
  const std::string path = "/proc/thread-self/fdinfo/" + std::to_string(pidfd);
  const int file = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (file < 0) {
    if (errno == ENOENT)
      return std::nullopt;  // not open
    throw std::runtime_error(path + ": " + std::strerror(errno));
  }
  char text[4096];
  const ssize_t n = read(file, text, sizeof text - 1);
  close(file);
  if (n < 0)
    return std::nullopt;
  const std::string_view view(text, static_cast<size_t>(n));
  const size_t at = view.find("\nPid:\t");
  if (at == std::string_view::npos)
    return std::nullopt;  // not a pidfd
  return std::atoi(text + at + 6);
}

Outcome RunChildOp(const Op& op, std::optional<int> pid) {
  return std::visit(
      [&](const auto& o) -> Outcome {
        using T = std::decay_t<decltype(o)>;
        if constexpr (std::is_same_v<T, Fork>) {
          return Fork1(o.fds);
        } else if constexpr (std::is_same_v<T, ChildClose>) {
          return Command(pid, kCmdClose, o.fd);
        } else if constexpr (std::is_same_v<T, ChildExit>) {
          return Command(pid, kCmdExit, 0);
        } else if constexpr (std::is_same_v<T, Reap>) {
          siginfo_t info{};
          if (waitid(kPPidfd, static_cast<id_t>(o.pidfd), &info,
                     WEXITED | WNOHANG | __WALL) != 0)
            return Outcome::Error(errno);
          if (info.si_pid == 0)
            return Outcome::Value(0);
          Forget(info.si_pid);
          return Outcome::Value(1);
        } else if constexpr (std::is_same_v<T, PidfdOpen>) {
          if (!pid)
            return Outcome::Error(EBADF);
          const long fd = syscall(SYS_pidfd_open, *pid, o.flags);
          return fd < 0 ? Outcome::Error(errno) : Outcome::Value(fd);
        } else {
          throw std::logic_error("RunChildOp: not a child operation");
        }
      },
      op);
}

void EndChildren() {
  for (const auto& [pid, ctl] : children) {
    kill(pid, SIGKILL);
    siginfo_t info{};
    while (waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | __WALL) !=
               0 &&
           errno == EINTR) {
    }
    munmap(ctl, sizeof(ChildCtl));
  }
  children.clear();
}

}  // namespace epollcheck
