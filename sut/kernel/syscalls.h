// File: sut/kernel/syscalls.h
// Runs one operation as the real system call(s) on the calling thread's
// descriptor table and captures the result (errno read immediately after the
// call). Shared by KernelSut and the plain-replay benchmark.
//
//   Outcome o = RunSyscall(Op{Pipe2{.flags = O_NONBLOCK}});  // {0, fds=[a,b]}
#pragma once

#include "model/ops.h"
#include "model/outcome.h"

namespace epollcheck {

// The largest read/write count RunSyscall supports (its buffer size).
inline constexpr uint32_t kMaxIoCount = 4u << 20;
// The largest number of events one epoll_wait can return into its buffer.
inline constexpr int kWaitBufferEvents = 4096;

Outcome RunSyscall(const Op& op);

}  // namespace epollcheck
