// Scratch (the userspace eventpoll of sut/sim) against the running kernel,
// per operation: epoll_ctl ADD+DEL; epoll_wait with N registered idle fds
// and k ready ones (N = 10, 1000, 100000; k = 1, 10); a write -> wait ->
// read round trip on a pipe; and a send -> wait -> recv round trip on an
// AF_UNIX socketpair (SOCK_STREAM and SOCK_DGRAM, 1 and 4096 bytes). Both sides
// do the same calls: the kernel side through real system calls in this process
// (RLIMIT_NOFILE raised to 1024 if lower, and restored after; skipped with a
// message if that is not allowed), the scratch side through a SimProcess.
//
// The BM_Pair_* benchmarks measure both SUTs in one benchmark: batches of
// the same socket sequence run alternately on scratch and on the kernel,
// each batch timed by this thread's CPU time (system time included), so
// load from other processes affects both alike. Counters: scratch_ns and
// kernel_ns per system call, and ratio = kernel_ns / scratch_ns. The
// sequences: send + recv on an AF_UNIX socketpair (STREAM, DGRAM, SEQPACKET;
// 1 and 4096 bytes), send -> epoll_wait -> recv, socketpair + close + close,
// and epoll_wait returning k ready socket items (k = 1, 8, 32).
//
//   build/epollcheck_sim_bench --benchmark_filter=Pair
//       --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
//   (one command line)
//
// The scratch kernel runs its uniprocessor primitives while the process has
// one thread (sut/sim/smp.h); `--smp` (this program's own flag) starts and
// joins a thread first, so the whole run uses the SMP ones instead.
//
//   build/epollcheck_sim_bench --benchmark_filter=Wait
//
// Idle items are (file, number) ghosts of a few idle eventfds (see RunWait),
// so N = 100 000 fits under RLIMIT_NOFILE; ready fds are eventfds with a
// count of 1 watched level-triggered, so every wait returns k events.

#include <benchmark/benchmark.h>

#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <ctime>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "model/abi.h"
#include "sut/sim/sim_kernel.h"
#include "sut/sim/smp.h"

namespace {

using epollcheck::sim::EpollEvent;
using epollcheck::sim::SimConfig;
using epollcheck::sim::SimKernel;
using epollcheck::sim::SimProcess;
namespace abi = epollcheck::abi;

// Raises RLIMIT_NOFILE to at least `need` for the life of the object.
class NofileLimit {
public:
  explicit NofileLimit(rlim_t need) {
    getrlimit(RLIMIT_NOFILE, &saved_);
    if (saved_.rlim_cur >= need) {
      ok_ = true;
      return;
    }
    rlimit raised = saved_;
    raised.rlim_cur = need;
    if (raised.rlim_max < need)
      raised.rlim_max = need;
    ok_ = setrlimit(RLIMIT_NOFILE, &raised) == 0;
    changed_ = ok_;
    if (!ok_)
      error_ = std::string("cannot raise RLIMIT_NOFILE to ") +
               std::to_string(need) + ": " + std::strerror(errno);
  }
  ~NofileLimit() {
    if (changed_)
      setrlimit(RLIMIT_NOFILE, &saved_);
  }
  bool ok() const { return ok_; }
  const std::string& error() const { return error_; }

private:
  rlimit saved_{};
  bool ok_ = false;
  bool changed_ = false;
  std::string error_;
};

void WaitArgs(benchmark::internal::Benchmark* b) {
  for (int64_t n : {10, 1000, 100000})
    for (int64_t k : {1, 10})
      b->Args({n, k});
  b->ArgNames({"N", "k"});
}

// The system calls the benchmarks need, on the kernel.
struct KernelCalls {
  int Pipe2(int p[2]) { return pipe2(p, O_NONBLOCK); }
  int Del(int ep, int fd) { return epoll_ctl(ep, EPOLL_CTL_DEL, fd, nullptr); }
  long Write(int fd, const char* b, size_t n) { return write(fd, b, n); }
  long Read(int fd, char* b, size_t n) { return read(fd, b, n); }
  int Eventfd(unsigned count) { return eventfd(count, EFD_NONBLOCK); }
  int EpollCreate() { return epoll_create1(0); }
  int AddIn(int ep, int fd) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
  }
  int Dup2(int fd, int to) { return dup2(fd, to); }
  int Close(int fd) { return close(fd); }
  int Wait(int ep, epoll_event* out, int max) {
    return epoll_wait(ep, out, max, 0);
  }
  int Socketpair(int type, int sv[2]) {
    return socketpair(AF_UNIX, type | SOCK_NONBLOCK, 0, sv);
  }
  long Send(int fd, const char* b, size_t n) {
    return send(fd, b, n, MSG_DONTWAIT | MSG_NOSIGNAL);
  }
  long Recv(int fd, char* b, size_t n) { return recv(fd, b, n, MSG_DONTWAIT); }
  using Event = epoll_event;
};

// The same calls on a SimProcess.
struct ScratchCalls {
  SimProcess* proc;
  int Pipe2(int p[2]) { return proc->Pipe2(p, abi::kONonblock); }
  int Del(int ep, int fd) {
    return proc->EpollCtl(ep, abi::kEpollCtlDel, fd, nullptr);
  }
  long Write(int fd, const char* b, size_t n) { return proc->Write(fd, b, n); }
  long Read(int fd, char* b, size_t n) { return proc->Read(fd, b, n); }
  int Eventfd(unsigned count) {
    return proc->Eventfd2(count, epollcheck::sim::kEfdNonblock);
  }
  int EpollCreate() { return proc->EpollCreate1(0); }
  int AddIn(int ep, int fd) {
    const EpollEvent ev{.events = abi::kEpollIn, .data = 0};
    return proc->EpollCtl(ep, abi::kEpollCtlAdd, fd, &ev);
  }
  int Dup2(int fd, int to) { return proc->Dup2(fd, to); }
  int Close(int fd) { return proc->Close(fd); }
  int Wait(int ep, EpollEvent* out, int max) {
    return proc->EpollWait(ep, out, max, 0);
  }
  int Socketpair(int type, int sv[2]) {
    return proc->Socketpair(abi::kAfUnix,
                            type | static_cast<int>(abi::kSockNonblock), 0, sv);
  }
  long Send(int fd, const char* b, size_t n) {
    return proc->Send(fd, b, n, abi::kMsgDontwait | abi::kMsgNosignal);
  }
  long Recv(int fd, char* b, size_t n) {
    return proc->Recv(fd, b, n, abi::kMsgDontwait);
  }
  using Event = EpollEvent;
};

// Descriptor numbers used for idle items: [kFirstIdleFd, nofile - 64).
constexpr int kFirstIdleFd = 128;

// Registers n - k idle items and k ready ones on a new instance, then times
// epoll_wait(ep, 64, 0), which must return k. Idle items are ghosts: each
// idle eventfd is dup2'ed onto the numbers of the idle range, each number is
// added, then closed; the item, keyed by (file, number), stays because the
// eventfd is still open through its first descriptor. So N = 100 000 items
// need only a few open descriptors below RLIMIT_NOFILE.
template <class Calls>
void RunWait(benchmark::State& state, Calls calls, int nofile) {
  const int n = static_cast<int>(state.range(0));
  const int k = static_cast<int>(state.range(1));
  const int per_file = nofile - 64 - kFirstIdleFd;
  std::vector<int> fds;
  const int ep = calls.EpollCreate();
  fds.push_back(ep);
  bool ok = ep >= 0;
  for (int left = n - k; ok && left > 0; left -= per_file) {
    const int idle = calls.Eventfd(0);
    fds.push_back(idle);
    ok = idle >= 0;
    for (int i = 0; ok && i < std::min(left, per_file); ++i) {
      const int number = kFirstIdleFd + i;
      ok = calls.Dup2(idle, number) == number && calls.AddIn(ep, number) == 0 &&
           calls.Close(number) == 0;
    }
  }
  for (int i = 0; ok && i < k; ++i) {
    const int efd = calls.Eventfd(1);
    fds.push_back(efd);
    ok = efd >= 0 && calls.AddIn(ep, efd) == 0;
  }
  if (!ok) {
    state.SkipWithError("could not register the items");
  } else {
    typename Calls::Event out[64];
    for (auto _ : state) {
      if (calls.Wait(ep, out, 64) != k) {
        state.SkipWithError("epoll_wait returned the wrong count");
        break;
      }
    }
  }
  for (int fd : fds) {
    if (fd >= 0)
      calls.Close(fd);
  }
}

void BM_Wait_Scratch(benchmark::State& state) {
  rlimit limit{};
  getrlimit(RLIMIT_NOFILE, &limit);  // same numbers as the kernel side
  const int nofile =
      static_cast<int>(std::min<rlim_t>(limit.rlim_cur, 1 << 20));
  SimKernel kernel(SimConfig{.nofile = nofile});
  auto proc = kernel.NewProcess();
  RunWait(state, ScratchCalls{proc.get()}, nofile);
}
BENCHMARK(BM_Wait_Scratch)->Apply(WaitArgs);

void BM_Wait_Kernel(benchmark::State& state) {
  NofileLimit limit(1024);
  if (!limit.ok()) {
    state.SkipWithError(limit.error().c_str());
    return;
  }
  rlimit now{};
  getrlimit(RLIMIT_NOFILE, &now);
  const int nofile = static_cast<int>(std::min<rlim_t>(now.rlim_cur, 1 << 20));
  RunWait(state, KernelCalls{}, nofile);
}
BENCHMARK(BM_Wait_Kernel)->Apply(WaitArgs);

// epoll_ctl ADD then DEL of one pipe end, per iteration.
template <class Calls> void RunCtlAddDel(benchmark::State& state, Calls calls) {
  int p[2];
  const int ep = calls.EpollCreate();
  if (calls.Pipe2(p) != 0 || ep < 0) {
    state.SkipWithError("pipe2/epoll_create1 failed");
    return;
  }
  for (auto _ : state) {
    benchmark::DoNotOptimize(calls.AddIn(ep, p[0]));
    benchmark::DoNotOptimize(calls.Del(ep, p[0]));
  }
  calls.Close(ep);
  calls.Close(p[0]);
  calls.Close(p[1]);
}

// write 1 byte -> epoll_wait (must return the event) -> read it back.
template <class Calls>
void RunWriteWaitRead(benchmark::State& state, Calls calls) {
  int p[2];
  const int ep = calls.EpollCreate();
  if (calls.Pipe2(p) != 0 || ep < 0 || calls.AddIn(ep, p[0]) != 0) {
    state.SkipWithError("setup failed");
    return;
  }
  typename Calls::Event out[4];
  char c = 'x';
  for (auto _ : state) {
    benchmark::DoNotOptimize(calls.Write(p[1], &c, 1));
    if (calls.Wait(ep, out, 4) != 1) {
      state.SkipWithError("no event");
      break;
    }
    benchmark::DoNotOptimize(calls.Read(p[0], &c, 1));
  }
  calls.Close(ep);
  calls.Close(p[0]);
  calls.Close(p[1]);
}

// send n bytes on one end of a socketpair -> epoll_wait on the other end
// (must return the event) -> recv them. Args: SOCK_STREAM or SOCK_DGRAM, n.
template <class Calls>
void RunSendWaitRecv(benchmark::State& state, Calls calls) {
  const int type = static_cast<int>(state.range(0));
  const auto n = static_cast<size_t>(state.range(1));
  int sv[2];
  const int ep = calls.EpollCreate();
  if (calls.Socketpair(type, sv) != 0 || ep < 0 ||
      calls.AddIn(ep, sv[1]) != 0) {
    state.SkipWithError("setup failed");
    return;
  }
  std::vector<char> buf(n, 'x');
  typename Calls::Event out[4];
  for (auto _ : state) {
    if (calls.Send(sv[0], buf.data(), n) != static_cast<long>(n) ||
        calls.Wait(ep, out, 4) != 1 ||
        calls.Recv(sv[1], buf.data(), n) != static_cast<long>(n)) {
      state.SkipWithError("send/wait/recv failed");
      break;
    }
  }
  calls.Close(ep);
  calls.Close(sv[0]);
  calls.Close(sv[1]);
}

void SocketArgs(benchmark::internal::Benchmark* b) {
  for (int64_t type : {int64_t{SOCK_STREAM}, int64_t{SOCK_DGRAM}})
    for (int64_t n : {1, 4096})
      b->Args({type, n});
  b->ArgNames({"type", "bytes"});
}

void BM_SendWaitRecv_Scratch(benchmark::State& state) {
  SimKernel kernel;
  auto proc = kernel.NewProcess();
  RunSendWaitRecv(state, ScratchCalls{proc.get()});
}
BENCHMARK(BM_SendWaitRecv_Scratch)->Apply(SocketArgs);

void BM_SendWaitRecv_Kernel(benchmark::State& state) {
  RunSendWaitRecv(state, KernelCalls{});
}
BENCHMARK(BM_SendWaitRecv_Kernel)->Apply(SocketArgs);

void BM_CtlAddDel_Scratch(benchmark::State& state) {
  SimKernel kernel;
  auto proc = kernel.NewProcess();
  RunCtlAddDel(state, ScratchCalls{proc.get()});
}
BENCHMARK(BM_CtlAddDel_Scratch);

void BM_CtlAddDel_Kernel(benchmark::State& state) {
  RunCtlAddDel(state, KernelCalls{});
}
BENCHMARK(BM_CtlAddDel_Kernel);

void BM_WriteWaitRead_Scratch(benchmark::State& state) {
  SimKernel kernel;
  auto proc = kernel.NewProcess();
  RunWriteWaitRead(state, ScratchCalls{proc.get()});
}
BENCHMARK(BM_WriteWaitRead_Scratch);

void BM_WriteWaitRead_Kernel(benchmark::State& state) {
  RunWriteWaitRead(state, KernelCalls{});
}
BENCHMARK(BM_WriteWaitRead_Kernel);

// --- Socket sequences, scratch and kernel in one benchmark. ---

// This thread's CPU time (user + system) in ns.
int64_t ThreadCpuNs() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec;
}

// send n bytes on one end of a socketpair, recv them on the other: 2 calls.
// Args: the socket type, n.
template <class Calls> class SendRecvSeq {
public:
  SendRecvSeq(Calls calls, const benchmark::State& state)
      : calls_(calls), n_(static_cast<size_t>(state.range(1))), buf_(n_, 'x') {
    ok_ = calls_.Socketpair(static_cast<int>(state.range(0)), sv_) == 0;
  }
  ~SendRecvSeq() {
    if (ok_) {
      calls_.Close(sv_[0]);
      calls_.Close(sv_[1]);
    }
  }
  SendRecvSeq(const SendRecvSeq&) = delete;
  SendRecvSeq& operator=(const SendRecvSeq&) = delete;
  bool ok() const { return ok_; }
  int Round() {
    const auto n = static_cast<long>(n_);
    if (calls_.Send(sv_[0], buf_.data(), n_) != n ||
        calls_.Recv(sv_[1], buf_.data(), n_) != n) {
      return -1;
    }
    return 2;
  }

private:
  Calls calls_;
  size_t n_;
  std::vector<char> buf_;
  int sv_[2] = {-1, -1};
  bool ok_ = false;
};

// send -> epoll_wait on the receiving end (one event) -> recv: 3 calls.
// Args: the socket type, n.
template <class Calls> class SendWaitRecvSeq {
public:
  SendWaitRecvSeq(Calls calls, const benchmark::State& state)
      : calls_(calls), n_(static_cast<size_t>(state.range(1))), buf_(n_, 'x') {
    ep_ = calls_.EpollCreate();
    ok_ = ep_ >= 0 &&
          calls_.Socketpair(static_cast<int>(state.range(0)), sv_) == 0 &&
          calls_.AddIn(ep_, sv_[1]) == 0;
  }
  ~SendWaitRecvSeq() {
    for (int fd : {ep_, sv_[0], sv_[1]}) {
      if (fd >= 0)
        calls_.Close(fd);
    }
  }
  SendWaitRecvSeq(const SendWaitRecvSeq&) = delete;
  SendWaitRecvSeq& operator=(const SendWaitRecvSeq&) = delete;
  bool ok() const { return ok_; }
  int Round() {
    const auto n = static_cast<long>(n_);
    if (calls_.Send(sv_[0], buf_.data(), n_) != n ||
        calls_.Wait(ep_, out_, 4) != 1 ||
        calls_.Recv(sv_[1], buf_.data(), n_) != n) {
      return -1;
    }
    return 3;
  }

private:
  Calls calls_;
  size_t n_;
  std::vector<char> buf_;
  typename Calls::Event out_[4];
  int ep_ = -1;
  int sv_[2] = {-1, -1};
  bool ok_ = false;
};

// socketpair, then close both ends: 3 calls. Arg: the socket type.
template <class Calls> class SocketpairCloseSeq {
public:
  SocketpairCloseSeq(Calls calls, const benchmark::State& state)
      : calls_(calls), type_(static_cast<int>(state.range(0))) {}
  bool ok() const { return true; }
  int Round() {
    int sv[2];
    if (calls_.Socketpair(type_, sv) != 0 || calls_.Close(sv[0]) != 0 ||
        calls_.Close(sv[1]) != 0) {
      return -1;
    }
    return 3;
  }

private:
  Calls calls_;
  int type_;
};

// epoll_wait on an instance whose k items are the receiving ends of k
// SOCK_STREAM socketpairs, each with 1 byte queued and watched
// level-triggered for IN, so every wait returns k events: 1 call. Arg: k.
template <class Calls> class WaitSocketsSeq {
public:
  WaitSocketsSeq(Calls calls, const benchmark::State& state)
      : calls_(calls), k_(static_cast<int>(state.range(0))) {
    ep_ = calls_.EpollCreate();
    ok_ = ep_ >= 0;
    for (int i = 0; ok_ && i < k_; ++i) {
      int sv[2];
      ok_ = calls_.Socketpair(SOCK_STREAM, sv) == 0;
      if (!ok_)
        break;
      fds_.push_back(sv[0]);
      fds_.push_back(sv[1]);
      ok_ = calls_.Send(sv[0], "x", 1) == 1 && calls_.AddIn(ep_, sv[1]) == 0;
    }
  }
  ~WaitSocketsSeq() {
    for (int fd : fds_)
      calls_.Close(fd);
    if (ep_ >= 0)
      calls_.Close(ep_);
  }
  WaitSocketsSeq(const WaitSocketsSeq&) = delete;
  WaitSocketsSeq& operator=(const WaitSocketsSeq&) = delete;
  bool ok() const { return ok_; }
  int Round() { return calls_.Wait(ep_, out_, 64) == k_ ? 1 : -1; }

private:
  Calls calls_;
  int k_;
  typename Calls::Event out_[64];  // (not cleared per round)
  int ep_ = -1;
  std::vector<int> fds_;
  bool ok_ = false;
};

// Runs `rounds` rounds; returns the system calls made, or -1 on a failure.
template <class S> int64_t RunBatch(S& seq, int rounds) {
  int64_t calls = 0;
  for (int i = 0; i < rounds; ++i) {
    const int n = seq.Round();
    if (n < 0)
      return -1;
    calls += n;
  }
  return calls;
}

// The paired benchmark of sequence `Seq`: each iteration runs one batch of
// rounds on scratch and one on the kernel (alternating which goes first),
// each timed by the thread's CPU time. The batch is sized so that a scratch
// batch takes about 100 us (the clock itself then costs well under 1 %).
template <template <class> class Seq> void RunPair(benchmark::State& state) {
  SimKernel kernel;
  auto proc = kernel.NewProcess();
  bool ok = true;
  {
    Seq<ScratchCalls> scratch(ScratchCalls{proc.get()}, state);
    Seq<KernelCalls> real(KernelCalls{}, state);
    if (!scratch.ok() || !real.ok()) {
      state.SkipWithError("setup failed");
      ok = false;
    }
    int rounds = 16;
    while (ok) {  // calibrate (and warm up) on scratch
      const int64_t start = ThreadCpuNs();
      ok = RunBatch(scratch, rounds) >= 0;
      if (ThreadCpuNs() - start >= 100000 || rounds >= (1 << 20))
        break;
      rounds *= 2;
    }
    ok = ok && RunBatch(real, rounds) >= 0;  // warm up
    int64_t scratch_ns = 0;
    int64_t kernel_ns = 0;
    int64_t scratch_calls = 0;
    int64_t kernel_calls = 0;
    bool scratch_first = true;
    for (auto _ : state) {
      if (!ok)
        break;
      for (int side = 0; side < 2 && ok; ++side) {
        const bool on_scratch = (side == 0) == scratch_first;
        const int64_t start = ThreadCpuNs();
        const int64_t calls =
            on_scratch ? RunBatch(scratch, rounds) : RunBatch(real, rounds);
        const int64_t spent = ThreadCpuNs() - start;
        ok = calls >= 0;
        (on_scratch ? scratch_ns : kernel_ns) += spent;
        (on_scratch ? scratch_calls : kernel_calls) += calls;
      }
      scratch_first = !scratch_first;
    }
    if (!ok) {
      state.SkipWithError("a system call failed");
    } else if (scratch_calls > 0 && kernel_calls > 0) {
      const double s =
          static_cast<double>(scratch_ns) / static_cast<double>(scratch_calls);
      const double k =
          static_cast<double>(kernel_ns) / static_cast<double>(kernel_calls);
      state.counters["scratch_ns"] = s;
      state.counters["kernel_ns"] = k;
      state.counters["ratio"] = k / s;
      state.counters["calls_per_batch"] =
          static_cast<double>(scratch_calls) /
          static_cast<double>(state.iterations());
    }
  }
}

void PairTypeBytesArgs(benchmark::internal::Benchmark* b) {
  for (int64_t type :
       {int64_t{SOCK_STREAM}, int64_t{SOCK_DGRAM}, int64_t{SOCK_SEQPACKET}})
    for (int64_t n : {1, 4096})
      b->Args({type, n});
  b->ArgNames({"type", "bytes"});
}

void BM_Pair_SendRecv(benchmark::State& state) { RunPair<SendRecvSeq>(state); }
BENCHMARK(BM_Pair_SendRecv)->Apply(PairTypeBytesArgs);

void BM_Pair_SendWaitRecv(benchmark::State& state) {
  RunPair<SendWaitRecvSeq>(state);
}
BENCHMARK(BM_Pair_SendWaitRecv)->Apply(PairTypeBytesArgs);

void BM_Pair_SocketpairClose(benchmark::State& state) {
  RunPair<SocketpairCloseSeq>(state);
}
BENCHMARK(BM_Pair_SocketpairClose)
    ->ArgName("type")
    ->Arg(SOCK_STREAM)
    ->Arg(SOCK_DGRAM)
    ->Arg(SOCK_SEQPACKET);

void BM_Pair_WaitSockets(benchmark::State& state) {
  RunPair<WaitSocketsSeq>(state);
}
BENCHMARK(BM_Pair_WaitSockets)->ArgName("k")->Arg(1)->Arg(8)->Arg(32);

}  // namespace

// BENCHMARK_MAIN, plus this program's own flag --smp (see the top).
int main(int argc, char** argv) {
  std::vector<char*> args;
  bool smp = false;
  for (int i = 0; i < argc; ++i) {
    if (i > 0 && std::string_view(argv[i]) == "--smp") {
      smp = true;
    } else {
      args.push_back(argv[i]);
    }
  }
  if (smp)
    std::thread([] {}).join();  // the process is no longer single-threaded
  benchmark::AddCustomContext(
      "scratch_mode", epollcheck::sim::SmpRunning()
                          ? "SMP (atomic locks and refcounts)"
                          : "UP (one thread: no LOCK prefix, no smp_mb)");
  int n = static_cast<int>(args.size());
  benchmark::Initialize(&n, args.data());
  if (benchmark::ReportUnrecognizedArguments(n, args.data()))
    return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
