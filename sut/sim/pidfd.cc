// Child processes and pidfds. Linux: kernel/fork.c, kernel/exit.c,
// kernel/pid.c, fs/pidfs.c.

#include "sut/sim/pidfd.h"

#include <utility>

#include "model/abi.h"
#include "sut/sim/sim_kernel.h"

namespace epollcheck::sim {

PidfdFile::PidfdFile(SimKernel* kernel, std::shared_ptr<SimPid> pid,
                     uint32_t f_flags)
    : File(kernel, kFmodeRead | kFmodeWrite, f_flags), pid_(std::move(pid)) {
  // pidfs: one inode per pid, shared by its pidfds.
  inode_ = SimInode{.sdev = SimKernel::kPidfsDev, .ino = pid_->ino};
}

uint32_t PidfdFile::Poll(PollTable* pt) {
  PollWait(this, &pid_->wait_pidfd, pt);
  switch (pid_->state) {
  case SimPid::State::kRunning:
    return 0;
  case SimPid::State::kZombie:
    return abi::kEpollIn | abi::kEpollRdNorm;
  case SimPid::State::kReaped:
    break;
  }
  return abi::kEpollIn | abi::kEpollRdNorm | abi::kEpollHup;
}

SimPid* SimChildren::PidOf(int pidfd) {
  Fd f = parent_->Fdget(pidfd);
  PidfdFile* file = f.get() != nullptr ? f.get()->PidfdOf() : nullptr;
  return file != nullptr ? file->pid() : nullptr;
}

int SimChildren::Fork(uint64_t keep) {
  auto pid = std::make_shared<SimPid>();
  pid->ino = parent_->kernel()->NextIno();
  // dup_fd copies the table; the child closes every descriptor not kept.
  pid->task = parent_->Fork();
  for (const int fd : pid->task->OpenFds()) {
    if (fd >= 64 || (keep & (uint64_t{1} << fd)) == 0)
      (void)pid->task->Close(fd);
  }
  // CLONE_PIDFD: O_RDWR; EMFILE fails the clone (the child never ran).
  const int fd =
      parent_->InstallFile(FileRef(new PidfdFile(parent_->kernel(), pid, 0)));
  if (fd < 0) {
    pid->task->CloseAll();
    return fd;
  }
  pids_.push_back(std::move(pid));
  return fd;
}

int SimChildren::ChildClose(int pidfd, int fd) {
  SimPid* pid = PidOf(pidfd);
  if (pid == nullptr)
    return -abi::kEbadf;
  if (pid->state != SimPid::State::kRunning)
    return -abi::kEsrch;
  return pid->task->Close(fd);
}

void SimChildren::Exit(SimPid* pid) {
  pid->task->CloseAll();
  pid->task.reset();
  pid->state = SimPid::State::kZombie;
  // do_notify_pidfd: every waiter, keyed IN|RDNORM (6.18).
  pid->wait_pidfd.WakeUp(abi::kEpollIn | abi::kEpollRdNorm, 0);
}

int SimChildren::ChildExit(int pidfd) {
  SimPid* pid = PidOf(pidfd);
  if (pid == nullptr)
    return -abi::kEbadf;
  if (pid->state != SimPid::State::kRunning)
    return -abi::kEsrch;
  Exit(pid);
  return 0;
}

int SimChildren::Reap(int pidfd) {
  if (pidfd < 0)
    return -abi::kEinval;  // kernel_waitid: P_PIDFD with upid < 0
  SimPid* pid = PidOf(pidfd);
  if (pid == nullptr)
    return -abi::kEbadf;
  switch (pid->state) {
  case SimPid::State::kRunning:
    return 0;  // WNOHANG
  case SimPid::State::kReaped:
    return -abi::kEchild;
  case SimPid::State::kZombie:
    break;
  }
  // release_task -> __change_pid: the pid loses its task, waiters woken.
  pid->state = SimPid::State::kReaped;
  pid->wait_pidfd.WakeUp(0, 0);
  return 1;
}

int SimChildren::PidfdOpen(int pidfd, uint32_t flags) {
  SimPid* pid = PidOf(pidfd);
  if (pid == nullptr)
    return -abi::kEbadf;
  constexpr uint32_t kPidfdThread = 0200;  // O_EXCL
  if ((flags & ~(abi::kONonblock | kPidfdThread)) != 0)
    return -abi::kEinval;
  if (pid->state == SimPid::State::kReaped)
    return -abi::kEinval;  // fdinfo's pid -1: pid <= 0
  for (const std::shared_ptr<SimPid>& p : pids_) {
    if (p.get() == pid) {
      return parent_->InstallFile(
          FileRef(new PidfdFile(parent_->kernel(), p, flags)));
    }
  }
  return -abi::kEbadf;  // not a child of ours (never: every pidfd is)
}

void SimChildren::EndAll() {
  for (const std::shared_ptr<SimPid>& pid : pids_) {
    if (pid->state == SimPid::State::kRunning)
      Exit(pid.get());
    pid->state = SimPid::State::kReaped;
  }
  pids_.clear();
}

}  // namespace epollcheck::sim
