// Child processes and pidfds (family fork): a child forked with copies of
// chosen descriptors is a second descriptor table whose entries count in
// File::refs, so a file dies with its last reference in either table (the
// close rule across processes); the pidfd of a child polls its exit and
// its reap. Linux: kernel/fork.c (copy_process, dup_fd, pidfd_prepare),
// kernel/exit.c (do_exit, exit_notify, do_notify_pidfd, kernel_waitid,
// release_task), kernel/pid.c (pidfd_open, __change_pid), fs/pidfs.c
// (pidfd_poll).

#include <map>
#include <optional>
#include <variant>
#include <vector>

#include "model/abi.h"
#include "model/check.h"
#include "model/internal/kernel.h"
#include "model/rules.h"

namespace epollcheck::internal {
namespace {

// PIDFD_THREAD (6.9+): O_EXCL. Linux: include/uapi/linux/pidfd.h.
constexpr uint32_t kPidfdThread = 0200;

// The child a pidfd operand names, resolved as pidfd_send_signal and
// waitid(P_PIDFD) resolve one: not open (or O_PATH) or not a pidfd: EBADF.
// Linux: kernel/pid.c pidfd_get_pid, fs/pidfs.c pidfd_pid.
std::optional<ProcId> PidfdProc(const World& world, int32_t pidfd) {
  const std::optional<FileId> file = world.FdgetAt(pidfd);
  if (!file || world.files.at(*file).kind != FileKind::kPidfd)
    return std::nullopt;
  return world.files.at(*file).proc;
}

// The running child a command names, or the error it gets.
std::variant<ProcId, Outcome> RunningChild(const World& world, int32_t pidfd) {
  const std::optional<ProcId> proc = PidfdProc(world, pidfd);
  if (!proc) {
    RULE("child.ebadf.pidfd");
    return Outcome::Error(abi::kEbadf);
  }
  if (world.procs.at(*proc).state != ProcState::kRunning) {
    RULE("child.esrch.exited");
    return Outcome::Error(abi::kEsrch);
  }
  return *proc;
}

// A new pidfd file of `proc` at the lowest free number. Requires:
// HasFreeFds(world, 1).
int32_t InstallPidfd(World& world, ProcId proc, uint32_t flags) {
  const FileId id =
      NewFile(world, File{.kind = FileKind::kPidfd, .flags = flags});
  world.files.at(id).proc = proc;
  return InstallLowestFd(world, id);
}

}  // namespace

Outcome ForkStep(World& world, const Fork& op) {
  // pidfd_prepare reserves the parent's descriptor: EMFILE fails the clone.
  if (!HasFreeFds(world, 1))
    return Outcome::Error(abi::kEmfile);
  // dup_fd copies the whole table; the child then closes every descriptor
  // not in the set (close_range over the gaps) before the step ends. Only
  // the kept ones still count.
  ChildProc child;
  for (const auto& [fd, file] : world.fd_table) {
    if (fd >= 64 || (op.fds & (uint64_t{1} << fd)) == 0)
      continue;
    child.fd_table[fd] = file;
    ++world.files.at(file).refs;
  }
  if (child.fd_table.empty()) {
    RULE("fork.keeps_none");
  } else {
    RULE("fork.keeps_copies");
  }
  const ProcId proc = world.next_id++;
  world.procs.emplace(proc, std::move(child));
  // CLONE_PIDFD: O_RDWR (O_CLOEXEC, which F_GETFL does not show).
  RULE("fork.pidfd");
  return Outcome::Value(InstallPidfd(world, proc, 0));
}

Outcome ChildCloseStep(World& world, const ChildClose& op) {
  const auto child = RunningChild(world, op.pidfd);
  if (const Outcome* error = std::get_if<Outcome>(&child))
    return *error;
  ChildProc& proc = world.procs.at(std::get<ProcId>(child));
  auto it = proc.fd_table.find(op.fd);
  if (it == proc.fd_table.end()) {
    RULE("child.close.ebadf");
    return Outcome::Error(abi::kEbadf);
  }
  const FileId file = it->second;
  proc.fd_table.erase(it);
  RULE("child.close");
  PutFile(world, file);
  return Outcome::Value(0);
}

Outcome ChildExitStep(World& world, const ChildExit& op) {
  const auto child = RunningChild(world, op.pidfd);
  if (const Outcome* error = std::get_if<Outcome>(&child))
    return *error;
  const ProcId id = std::get<ProcId>(child);
  // exit_files: close_files puts every descriptor in number order; each
  // last reference queues its __fput on the task's work list, which
  // exit_task_work runs newest first (task_work_run: LIFO), before
  // exit_notify. So the files are released in the reverse order of the
  // descriptors that held their last references.
  const std::map<int32_t, FileId> table = world.procs.at(id).fd_table;
  world.procs.at(id).fd_table.clear();
  std::vector<FileId> last;  // in put order
  for (const auto& [fd, file] : table) {
    File& f = world.files.at(file);
    if (f.refs > 1) {
      --f.refs;
      RULE("file.put.still_referenced");
    } else {
      last.push_back(file);
    }
  }
  if (last.size() > 1)
    RULE("child.exit.release_lifo");
  for (auto it = last.rbegin(); it != last.rend(); ++it)
    PutFile(world, *it);
  // exit_notify -> do_notify_parent -> do_notify_pidfd (no signal:
  // exit_signal 0, so no autoreap either). The wakeup carries the key
  // IN|RDNORM (measured on 6.18: an item of ERR|HUP or OUT is not queued,
  // one of RDNORM is); it had none before (wake_up_all). The version that
  // keyed it is not pinned: taken with pidfs.
  world.procs.at(id).state = ProcState::kZombie;
  if (world.profile.pidfs) {
    RULE("child.exit.notify.in");
    WakeQueue(world, world.procs.at(id).wait_pidfd,
              abi::kEpollIn | abi::kEpollRdNorm);
  } else {
    RULE("child.exit.notify.keyless");
    WakeQueue(world, world.procs.at(id).wait_pidfd, 0);
  }
  return Outcome::Value(0);
}

Outcome ReapStep(World& world, const Reap& op) {
  if (op.pidfd < 0) {
    RULE("reap.einval.negative");  // P_PIDFD: upid < 0
    return Outcome::Error(abi::kEinval);
  }
  const std::optional<ProcId> proc = PidfdProc(world, op.pidfd);
  if (!proc) {
    RULE("reap.ebadf");
    return Outcome::Error(abi::kEbadf);
  }
  ChildProc& child = world.procs.at(*proc);
  switch (child.state) {
  case ProcState::kReaped:
    RULE("reap.echild");  // no child of ours with that pid any more
    return Outcome::Error(abi::kEchild);
  case ProcState::kRunning:
    RULE("reap.running");  // WNOHANG: 0, nothing reaped (si_pid 0)
    return Outcome::Value(0);
  case ProcState::kZombie:
    break;
  }
  // release_task: the pid loses its task. pidfs kernels wake the pidfd
  // waiters there (__change_pid: wake_up_all, no key).
  child.state = ProcState::kReaped;
  if (world.profile.pidfs) {
    RULE("reap.wakes");
    WakeQueue(world, world.procs.at(*proc).wait_pidfd, 0);
  } else {
    RULE("reap.no_wake");
  }
  return Outcome::Value(1);
}

Outcome PidfdOpenStep(World& world, const PidfdOpen& op) {
  const std::optional<ProcId> proc = PidfdProc(world, op.pidfd);
  if (!proc) {
    RULE("pidfd_open.ebadf.pidfd");
    return Outcome::Error(abi::kEbadf);
  }
  const uint32_t valid =
      abi::kONonblock | (world.profile.pidfs ? kPidfdThread : 0);
  if ((op.flags & ~valid) != 0) {
    RULE("pidfd_open.einval.flags");
    return Outcome::Error(abi::kEinval);
  }
  // The pid fdinfo shows for a reaped child is -1: pid <= 0 is EINVAL.
  if (world.procs.at(*proc).state == ProcState::kReaped) {
    RULE("pidfd_open.einval.reaped");
    return Outcome::Error(abi::kEinval);
  }
  if (!HasFreeFds(world, 1))
    return Outcome::Error(abi::kEmfile);
  // A zombie still has its task: pidfd_prepare accepts it.
  if (world.procs.at(*proc).state == ProcState::kZombie) {
    RULE("pidfd_open.zombie");
  } else {
    RULE("pidfd_open.running");
  }
  return Outcome::Value(InstallPidfd(world, *proc, op.flags));
}

uint32_t PidfdPoll(World& world, FileId file) {
  const ChildProc& proc = world.procs.at(world.files.at(file).proc);
  switch (proc.state) {
  case ProcState::kRunning:
    RULE("pidfd.poll.running");
    return 0;
  case ProcState::kZombie:
    RULE("pidfd.poll.exited");
    return abi::kEpollIn | abi::kEpollRdNorm;
  case ProcState::kReaped:
    break;
  }
  if (world.profile.pidfs) {
    RULE("pidfd.poll.reaped.hup");  // pid_task() == NULL
    return abi::kEpollIn | abi::kEpollRdNorm | abi::kEpollHup;
  }
  RULE("pidfd.poll.reaped.no_hup");  // thread_group_exited
  return abi::kEpollIn | abi::kEpollRdNorm;
}

std::vector<WaitEntry>& PidWaitQueue(World& world, FileId pidfd_file) {
  return world.procs.at(world.files.at(pidfd_file).proc).wait_pidfd;
}

}  // namespace epollcheck::internal
