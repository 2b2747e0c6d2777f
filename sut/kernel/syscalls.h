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

// Buffers are sized from the operands: a read or write of `count` bytes and a
// wait for up to `maxevents` events get a buffer that large (reserved address
// space; the kernel touches only what it transfers), so no operand is too
// large and the kernel never writes past a buffer. Throws std::runtime_error
// naming the operand if that address space cannot be had.
Outcome RunSyscall(const Op& op);

// Starts a fresh AF_UNIX abstract namespace for the calling thread's next
// sequence: name n becomes "\0epollcheck.<pid>.<thread>.<generation>.<n>",
// so no two sequences (nor two processes) share a name.
void NewAbstractNamespace();

}  // namespace epollcheck
