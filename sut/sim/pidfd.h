// File: sut/sim/pidfd.h
// Child processes and pidfds (family fork): a child forked with copies of
// chosen descriptors is a second SimProcess whose table references the same
// files; its pidfd polls its exit and its reap on the pid's wait queue.
// The scratch kernel has the pidfs era (6.9+): a reaped child's pidfd
// polls HUP, and the reap wakes the pid's waiters.
//
//   SimChildren children(parent);
//   int pidfd = children.Fork(0b11);   // the child keeps fds 0 and 1
//   children.ChildClose(pidfd, 0);     // 0: the child's copy of fd 0 goes
//   children.ChildExit(pidfd);         // 0: exit_files, then a keyless wake
//   children.Reap(pidfd);              // 1: reaped (HUP, another wake)
//
// Linux: kernel/fork.c (copy_process, dup_fd, pidfd_prepare), kernel/exit.c
// (do_exit, do_notify_pidfd, kernel_waitid, release_task), kernel/pid.c
// (pidfd_open, __change_pid), fs/pidfs.c (pidfd_poll).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "sut/sim/file.h"
#include "sut/sim/wait_queue.h"

namespace epollcheck::sim {

class SimProcess;

// The part of a struct pid (and its task) that pidfds see.
struct SimPid {
  enum class State { kRunning, kZombie, kReaped };
  WaitQueueHead wait_pidfd;  // Linux: pid->wait_pidfd
  // The child while it runs (its descriptor table); null once it exited.
  std::unique_ptr<SimProcess> task;
  State state = State::kRunning;  // only the sequence's thread changes it
  uint64_t ino = 0;               // pidfs: the pid's inode number
};

// Linux: a pidfd (pidfs_alloc_file): O_RDWR, no read, write or llseek.
class PidfdFile final : public File {
public:
  PidfdFile(SimKernel* kernel, std::shared_ptr<SimPid> pid, uint32_t f_flags);
  // Linux: pidfd_poll.
  uint32_t Poll(PollTable* pt) override;
  PidfdFile* PidfdOf() override { return this; }
  SimPid* pid() const { return pid_.get(); }

private:
  const std::shared_ptr<SimPid> pid_;
};

// The children of one process, by their pids. The results follow
// model/ops.h Fork, ChildClose, ChildExit, Reap and PidfdOpen (-errno on
// failure).
class SimChildren {
public:
  explicit SimChildren(SimProcess* parent) : parent_(parent) {}
  SimChildren(const SimChildren&) = delete;
  SimChildren& operator=(const SimChildren&) = delete;
  ~SimChildren() { EndAll(); }

  int Fork(uint64_t keep);
  int ChildClose(int pidfd, int fd);
  int ChildExit(int pidfd);
  int Reap(int pidfd);
  int PidfdOpen(int pidfd, uint32_t flags);
  // Ends every child (exit, then reap), as every SUT does at the end of a
  // sequence.
  void EndAll();

private:
  // The pid behind a pidfd operand (pidfd_get_pid), or null: EBADF.
  SimPid* PidOf(int pidfd);
  // Linux: do_exit's exit_files and exit_notify's do_notify_pidfd.
  static void Exit(SimPid* pid);

  SimProcess* const parent_;
  std::vector<std::shared_ptr<SimPid>> pids_;  // every child forked
};

}  // namespace epollcheck::sim
