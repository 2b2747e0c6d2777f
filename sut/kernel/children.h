// File: sut/kernel/children.h
// The kernel SUT's child processes (family fork), on the executor thread:
// clone3 with CLONE_PIDFD and exit_signal 0 (no SIGCHLD reaches the
// process, no autoreap), a child that keeps the chosen descriptors and takes
// commands (close one, exit) through a MAP_SHARED page, never through a
// descriptor; waitid(P_PIDFD) reaps. Every child ends with its sequence
// (EndChildren: killed and reaped).
//
//   Outcome o = ForkChild(Fork{.fds = 0b11});   // the pidfd; the child keeps
//                                               // fds 0 and 1
//   RunChildOp(Op{ChildExit{.pidfd = 2}});      // 0 once it is a zombie
//   EndChildren();                              // at the sequence's end
//
// Linux: kernel/fork.c (clone3), kernel/exit.c (waitid), kernel/pid.c
// (pidfd_open), fs/pidfs.c (the fdinfo "Pid:" line).
#pragma once

#include <optional>

#include "model/ops.h"
#include "model/outcome.h"

namespace epollcheck {

// Whether `op` is a child command or pidfd_open whose pidfd operand must be
// resolved (ResolvePidfd) before the sequence's RLIMIT_NOFILE is in force.
bool NeedsPidfdResolved(const Op& op);

// What a pidfd operand names: nullopt if it is not open or not a pidfd
// (EBADF), else the pid its fdinfo shows (-1 once reaped). Reads
// /proc/thread-self/fdinfo/<fd> (a descriptor of the calling thread's table
// for the length of the call). Throws std::runtime_error without /proc.
std::optional<int> ResolvePidfd(int pidfd);

// Fork, ChildClose, ChildExit, Reap and PidfdOpen on the calling thread,
// `pid` being ResolvePidfd's answer for the ops that need one.
Outcome RunChildOp(const Op& op, std::optional<int> pid);

// Kills and reaps every child of the calling thread's sequence.
void EndChildren();

}  // namespace epollcheck
