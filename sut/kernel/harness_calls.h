// File: sut/kernel/harness_calls.h
// The system calls the harness itself makes (not the operations under test),
// each with a fallback for Linux-compatible implementations and sandboxes
// that reject the first choice: gVisor refuses close_range with an upper
// bound above INT_MAX (EINVAL) and has no SIOCOUTQNSD (ENOTTY); kernels
// before 5.9 have no close_range (ENOSYS); seccomp filters may answer EPERM;
// a guest without /proc has no fd directory. Every function can be told to
// start further down its chain, so tests run each fallback on any host.
//
//   CloseFrom(0);                          // empty this thread's table
//   std::vector<int> open = ListThreadFds();
//   std::cout << HarnessCallsSummary();    // which fallbacks this host needed
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace epollcheck {

// How CloseFrom closes, in the order it tries.
enum class CloseMethod {
  kCloseRange,        // close_range(lowest, ~0U, 0): Linux 5.9+
  kCloseRangeIntMax,  // close_range(lowest, INT_MAX, 0): gVisor
  kEach,              // list the open descriptors, close each one
};

// Closes every descriptor >= `lowest` of the calling thread's table
// (descriptor numbers never exceed INT_MAX, so the bounds are equivalent).
// Starts with `first` and falls back down the chain when a method is
// refused; returns the method that did it.
CloseMethod CloseFrom(int lowest, CloseMethod first = CloseMethod::kCloseRange);

// How ListThreadFds lists, in the order it tries.
enum class ListMethod {
  kThreadSelf,  // /proc/thread-self/fd (3.17+)
  kTaskDir,     // /proc/self/task/<tid>/fd
  kProbe,       // fcntl(F_GETFD) on every number below RLIMIT_NOFILE
};

// The calling thread's open descriptors (its own table, which may be
// unshared from the process's), sorted, without the one used to list them.
std::vector<int> ListThreadFds(ListMethod first = ListMethod::kThreadSelf,
                               ListMethod* used = nullptr);

// How TcpUnsentBytes measures, in the order it tries.
enum class UnsentMethod {
  kOutqNsd,  // SIOCOUTQNSD: bytes not yet sent
  kOutq,     // SIOCOUTQ: bytes not yet acknowledged (gVisor: no SIOCOUTQNSD)
};

// Bytes of the TCP socket at `fd` that its peer may not have yet (0 when
// settled), or -1 if neither ioctl works on it.
int TcpUnsentBytes(int fd, UnsentMethod first = UnsentMethod::kOutqNsd);

// Packets handed to the network stack and not yet processed, on every CPU:
// the sum of /proc/net/softnet_stat's backlog column (softnet_backlog_len,
// Linux 5.10+; net/core/net-procfs.c softnet_seq_show). A loopback packet
// (netif_rx) waits in that backlog until the NET_RX softirq runs; when the
// kernel has handed softirqs to ksoftirqd (a slow or loaded machine: UML,
// QEMU TCG), that happens after the system call that sent it has returned.
// 0 when the file or the column is missing (older kernels, gVisor): no
// evidence of a packet in flight. Opens and closes the file each call.
long LoopbackBacklog();
// The backlog column's sum over the lines of a softnet_stat `text`.
long SoftnetBacklog(std::string_view text);

// Blocks every asynchronous signal on the calling thread (executor threads:
// a SIGCHLD or SIGALRM meant for the harness must never interrupt an
// operation under test); faults (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP,
// SIGSYS) stay deliverable. Returns false if the mask could not be set.
bool BlockAsyncSignals();

// One line naming every fallback this process has needed so far, e.g.
// "close_range: INT_MAX bound (~0U: EINVAL); tcp unsent: SIOCOUTQ
// (SIOCOUTQNSD: ENOTTY)", or "" if none was.
std::string HarnessCallsSummary();

}  // namespace epollcheck
