#include "sut/kernel/kernel_sut.h"

#include "sut/kernel/calibrate.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/futex.h>
#include <sched.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <utility>
#include <vector>

#include "model/check.h"
#include "sut/fdinfo.h"
#include "sut/kernel/children.h"
#include "sut/kernel/harness_calls.h"
#include "sut/kernel/syscalls.h"

namespace epollcheck {
namespace {

void FutexWait(std::atomic<uint32_t>& word, uint32_t value,
               const timespec* timeout) {
  syscall(SYS_futex, reinterpret_cast<uint32_t*>(&word), FUTEX_WAIT_PRIVATE,
          value, timeout, nullptr, 0);
}

void FutexWake(std::atomic<uint32_t>& word) {
  syscall(SYS_futex, reinterpret_cast<uint32_t*>(&word), FUTEX_WAKE_PRIVATE, 1,
          nullptr, nullptr, 0);
}

// Spins briefly when the other side usually answers within microseconds
// (`spin`: a futex sleep and wake costs more than a whole operation), then
// sleeps on the futex. A wait known to be long (a whole batch, an idle
// executor) does not spin: the spin only burns the CPU the other side
// needs. No sched_yield: on a loaded machine (the other core busy) a yield
// gives the CPU to another process for a whole slice, which made a
// handover cost milliseconds. Returns false if `word` still equals `value`
// after `limit`.
constexpr int kSpins = 400;
bool AwaitChange(std::atomic<uint32_t>& word, uint32_t value,
                 std::chrono::seconds limit, bool spin = true) {
  for (int i = 0; spin && i < kSpins; ++i) {
    if (word.load(std::memory_order_acquire) != value)
      return true;
    __builtin_ia32_pause();
  }
  const auto deadline = std::chrono::steady_clock::now() + limit;
  const timespec slice{.tv_sec = 1, .tv_nsec = 0};
  while (word.load(std::memory_order_acquire) == value) {
    if (std::chrono::steady_clock::now() >= deadline)
      return false;
    FutexWait(word, value, &slice);
  }
  return true;
}

// Drops CAP_NET_ADMIN from the calling thread's effective set (capabilities
// are per thread), so the executor runs the sequence without it: the model
// profile says so (Profile::cap_net_admin), and EPIOCSPARAMS's EPERM is
// reachable when the harness runs as root. Returns false if capget fails.
bool DropNetAdmin() {
  __user_cap_header_struct header{.version = _LINUX_CAPABILITY_VERSION_3,
                                  .pid = 0};
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
  if (syscall(SYS_capget, &header, data) != 0)
    return false;
  data[CAP_NET_ADMIN / 32].effective &= ~(1u << (CAP_NET_ADMIN % 32));
  return syscall(SYS_capset, &header, data) == 0;
}

// In a VM guest the suite owns (ci/guest/init.cc sets a small
// fs.epoll.max_user_watches and EPOLLCHECK_OWNS_KERNEL for the commands it
// runs), the executor takes a real uid nobody else has, so the items that
// count against the limit are the sequence's alone: ep_alloc charges an
// instance's items to its creator's real uid (ep->user). Its effective and
// saved uid stay 0, and with them its capabilities. A raw setresuid: the
// libc wrapper would change every thread of the process. Returns "" or why
// it failed.
std::string TakePrivateUid() {
  if (std::getenv("EPOLLCHECK_OWNS_KERNEL") == nullptr || geteuid() != 0)
    return "";
  static std::atomic<uint32_t> executors{0};
  // 200000 + pid * 64 + n: distinct for every executor of every process
  // (pid_max is at most 2^22).
  const uint32_t uid = 200000u + static_cast<uint32_t>(getpid()) * 64u +
                       executors.fetch_add(1) % 64u;
  if (syscall(SYS_setresuid, uid, -1, -1) != 0)
    return std::string("setresuid(") + std::to_string(uid) +
           ") failed: " + std::strerror(errno);
  return "";
}

// Whether the calling thread has `cap` in its effective set.
bool HasCapability(int cap) {
  __user_cap_header_struct header{.version = _LINUX_CAPABILITY_VERSION_3,
                                  .pid = 0};
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
  if (syscall(SYS_capget, &header, data) != 0)
    return false;
  return (data[cap / 32].effective & (1u << (cap % 32))) != 0;
}

}  // namespace

// The executor thread and its handshake. The caller owns the request fields
// while `turn_` is kCaller and the executor owns them (and the reply fields)
// while it is kExecutor; each side hands over with a release store and a
// futex wake.
class Executor {
public:
  static std::variant<std::unique_ptr<Executor>, std::string> Start() {
    std::unique_ptr<Executor> e(new Executor());
    e->thread_ = std::thread([p = e.get()] { p->Main(); });
    e->AwaitReply();  // setup result
    if (!e->reply_.empty()) {
      std::string why = e->reply_;
      e->thread_.join();
      e->exited_ = true;
      return why;
    }
    return e;
  }

  ~Executor() {
    if (!exited_) {
      Send(Request::kExit, nullptr);
      thread_.join();
    }
  }

  // Runs `op`, step `step` of the sequence (for fault reports).
  Outcome Run(const Op& op, int64_t step) {
    step_ = step;
    Send(Request::kOp, &op);
    return outcome_;
  }

  // Runs `ops` (steps `first_step`...) on the executor, calling `after`
  // there after each; returns how many ran (ExecuteEach).
  // With `tear_down`, the sequence ends on the executor right after the
  // batch (Reset's work, in the same handover); its report is then in
  // `*report`.
  size_t RunEach(std::span<const Op> ops, const AfterStep& after,
                 int64_t first_step, bool tear_down, std::string* report) {
    batch_ = ops;
    after_ = &after;
    step_ = first_step;
    batch_ran_ = 0;
    tear_down_after_batch_ = tear_down;
    Send(Request::kBatch, nullptr);
    after_ = nullptr;
    if (tear_down)
      *report = reply_;
    return batch_ran_;
  }

  // On the executor thread, inside a batch's `after`: runs `fn` on the
  // calling thread (which waits for the batch) and returns when it is done.
  // For what only the caller can do: read the fdinfo view when the
  // sequence's table has no room for one more descriptor.
  void OnCaller(const std::function<void()>& fn) {
    service_ = &fn;
    turn_.store(kService, std::memory_order_release);
    FutexWake(turn_);
    while (!AwaitChange(turn_, kService, std::chrono::seconds(3600))) {
    }
    service_ = nullptr;
  }

  // Whether the calling thread is this executor's.
  bool OnThisThread() const { return self_ == this; }

  Outcome Call(const std::function<Outcome()>& fn, int64_t step) {
    fn_ = &fn;
    step_ = step;
    Send(Request::kCall, nullptr);
    return outcome_;
  }

  // The executor thread's id (for /proc/self/task/<tid>).
  pid_t tid() const { return tid_; }

  // Closes every descriptor of the table; returns "" if it is then empty.
  std::string Reset() {
    Send(Request::kReset, nullptr);
    return reply_;
  }

private:
  enum class Request { kOp, kBatch, kCall, kReset, kExit };
  static constexpr uint32_t kCaller = 0;
  static constexpr uint32_t kExecutor = 1;
  // The executor, in a batch, waits for the caller to run `service_`.
  static constexpr uint32_t kService = 2;

  Executor() = default;

  void Send(Request request, const Op* op) {
    request_ = request;
    op_ = op;
    turn_.store(kExecutor, std::memory_order_release);
    FutexWake(turn_);
    AwaitReply();
    if (!fault_.empty()) {
      // On the calling thread, whose descriptor table is the process's own:
      // fd 2 here is the user's stderr.
      std::fprintf(stderr, "epollcheck: kernel SUT: harness fault at %s: %s\n",
                   Describe().c_str(), fault_.c_str());
      std::fflush(stderr);
      std::abort();
    }
  }

  // What the executor is running, for reports: "step 3 (write(4, 1))".
  std::string Describe() const {
    std::ostringstream os;
    switch (request_) {
    case Request::kOp:
      if (op_ == nullptr)
        os << "setup";  // Start() awaits the thread's first reply
      else
        os << "step " << step_ << " (" << *op_ << ")";
      break;
    case Request::kBatch: {
      const size_t i = batch_at_.load(std::memory_order_relaxed);
      if (i < batch_.size()) {
        os << "step " << step_ + static_cast<int64_t>(i) << " (" << batch_[i]
           << ")";
      } else {
        os << "teardown (closing the sequence's descriptors)";
      }
      break;
    }
    case Request::kCall:
      os << "step " << step_ << " (a test function)";
      break;
    case Request::kReset:
      os << "teardown (closing the sequence's descriptors)";
      break;
    case Request::kExit:
      os << "exit";
      break;
    }
    return os.str();
  }

  // Waits for the executor's reply, running its service requests; each
  // operation of a batch has kHangTimeout of its own.
  void AwaitReply() {
    size_t at = batch_at_.load(std::memory_order_relaxed);
    for (;;) {
      if (AwaitChange(turn_, kExecutor, KernelSut::kHangTimeout,
                      request_ != Request::kBatch)) {
        if (turn_.load(std::memory_order_acquire) != kService)
          return;
        (*service_)();
        turn_.store(kExecutor, std::memory_order_release);
        FutexWake(turn_);
        continue;
      }
      const size_t now = batch_at_.load(std::memory_order_relaxed);
      if (request_ != Request::kBatch || now == at)
        break;
      at = now;  // the batch moved on: a new operation, a new limit
    }
    std::fprintf(stderr,
                 "epollcheck: kernel SUT hang: %s did not return within %lld "
                 "s; aborting (rerun with the seed printed above)\n",
                 Describe().c_str(),
                 static_cast<long long>(KernelSut::kHangTimeout.count()));
    std::fflush(stderr);
    std::_Exit(3);
  }

  void Reply() {
    turn_.store(kCaller, std::memory_order_release);
    FutexWake(turn_);
  }

  // On the executor thread: hands `message` to the caller, which reports it
  // and ends the process, and never returns. Anything printed here would go
  // to fd 2 of the executor's table, which is the scenario's (closed, or one
  // of its pipes or epoll instances).
  [[noreturn]] void Fault(const std::string& message) {
    fault_ = message.empty() ? "unknown failure" : message;
    Reply();
    for (;;)
      std::this_thread::sleep_for(std::chrono::hours(1));
  }

  static thread_local Executor* self_;  // the executor running this thread

  void Main() {
    self_ = this;
    tid_ = gettid();
    internal::SetThreadCheckFailureHandler(
        [](const std::string& message) { self_->Fault(message); });
    // A private descriptor table, then nothing in it.
    if (unshare(CLONE_FILES) != 0) {
      reply_ =
          std::string("unshare(CLONE_FILES) failed: ") + std::strerror(errno);
      Reply();
      return;
    }
    CloseFrom(0);
    if (!DropNetAdmin()) {
      reply_ =
          std::string("cannot drop CAP_NET_ADMIN: ") + std::strerror(errno);
      Reply();
      return;
    }
    if (std::string why = TakePrivateUid(); !why.empty()) {
      reply_ = why;
      Reply();
      return;
    }
    // SIGPIPE (EPIPE comes back as a value) and every other asynchronous
    // signal: the harness's SIGALRM and SIGCHLD go to its own threads.
    if (!BlockAsyncSignals()) {
      reply_ = "cannot block signals on the executor thread";
      Reply();
      return;
    }
    Reply();
    // Whether the next request comes soon (after an operation: the next
    // one; after a teardown the executor idles in the pool, or waits for a
    // whole sequence to be generated). Read before Reply hands request_
    // back to the caller.
    bool soon = false;
    for (;;) {
      // Waits as long as it takes: an idle pooled executor sleeps.
      while (!AwaitChange(turn_, kCaller, std::chrono::seconds(3600), soon)) {
      }
      if (request_ == Request::kExit) {
        Reply();
        return;
      }
      try {
        Serve();
      } catch (const std::exception& e) {
        Fault(e.what());
      } catch (...) {
        Fault("unknown exception");
      }
      soon = request_ != Request::kReset;
      Reply();
    }
  }

  // Ends the sequence on the executor thread: its children, descriptors,
  // pending signals and socket names go; reply_ is "" or what was left.
  void TearDown() {
    EndChildren();  // none outlives its sequence
    CloseFrom(0);
    // Signals the sequence left pending (tgkill, SIGPIPE) go with it.
    const uint64_t mask = kBlockedSignals;
    const timespec zero{};
    while (syscall(SYS_rt_sigtimedwait, &mask, nullptr, &zero, sizeof mask) >
           0) {
    }
    NewAbstractNamespace();  // the next sequence's names are new ones
    const Outcome left = RunSyscall(Op{ListFds{}});
    reply_.clear();
    if (left.IsError() || !left.fds.empty()) {
      std::ostringstream os;
      os << "descriptors left after closing them all: " << left;
      reply_ = os.str();
    }
  }

  // Runs the current request (not kExit) on the executor thread.
  void Serve() {
    switch (request_) {
    case Request::kOp:
      outcome_ = RunSyscall(*op_);
      break;
    case Request::kBatch:
      for (size_t i = 0; i < batch_.size(); ++i) {
        batch_at_.store(i, std::memory_order_relaxed);
        Outcome outcome = RunSyscall(batch_[i]);
        batch_ran_ = i + 1;
        if (!(*after_)(i, std::move(outcome)))
          break;
      }
      if (tear_down_after_batch_) {
        batch_at_.store(batch_.size(), std::memory_order_relaxed);
        TearDown();
      }
      break;
    case Request::kCall:
      outcome_ = (*fn_)();
      break;
    case Request::kReset:
      TearDown();
      break;
    case Request::kExit:
      break;
    }
  }

  // Whose turn: kCaller, kExecutor, or kService (the caller runs
  // service_ for the executor, inside a batch).
  std::atomic<uint32_t> turn_{kExecutor};
  Request request_ = Request::kOp;                // owned by the caller's turn
  const Op* op_ = nullptr;                        // owned by the caller's turn
  const std::function<Outcome()>* fn_ = nullptr;  // kCall's function
  std::span<const Op> batch_;                     // kBatch's operations
  const AfterStep* after_ = nullptr;              // and what follows each
  size_t batch_ran_ = 0;  // owned by the executor's turn: how many ran
  bool tear_down_after_batch_ = false;  // kBatch ends the sequence too
  // The batch's operation in progress: read by the caller while it waits
  // (hang limits and reports).
  std::atomic<size_t> batch_at_{0};
  const std::function<void()>* service_ = nullptr;  // set with kService
  int64_t step_ = 0;   // the request's step, for reports
  std::string fault_;  // set by the executor's Fault(); the process then ends
  Outcome outcome_;    // owned by the executor's turn
  std::string reply_;  // setup error or Reset() report
  bool exited_ = false;
  pid_t tid_ = 0;  // set before the setup reply
  std::thread thread_;
};

thread_local Executor* Executor::self_ = nullptr;

namespace {

// Idle executors, reused by the next KernelSut (starting a thread with its
// own table costs more than a whole short sequence).
std::mutex pool_mu;
std::vector<std::unique_ptr<Executor>>& Pool() {
  static auto* pool = new std::vector<std::unique_ptr<Executor>>();
  return *pool;  // leaked on purpose: threads must not be joined at exit
}

}  // namespace

namespace {

// Why the fdinfo view of the thread `tid` cannot be read under `proc`, or
// "" if it can: its fdinfo and fd directories open.
std::string ProbeFdinfo(const std::string& proc, pid_t tid) {
  const std::string task = proc + "/self/task/" + std::to_string(tid);
  for (const char* dir : {"/fdinfo", "/fd"}) {
    const std::string path = task + dir;
    const int fd = open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
      return path + ": " + std::strerror(errno) +
             " (no /proc, or one of another pid namespace)";
    }
    close(fd);
  }
  return "";
}

// The probe's answer per (proc, executor thread): executors are pooled, so
// each probes once.
std::mutex probe_mu;
std::map<std::pair<std::string, pid_t>, std::string>& Probes() {
  static auto* probes =
      new std::map<std::pair<std::string, pid_t>, std::string>();
  return *probes;
}

}  // namespace

KernelSut::KernelSut(std::unique_ptr<Executor> executor,
                     const std::string& proc)
    : executor_(std::move(executor)), proc_(proc) {
  const std::pair<std::string, pid_t> key(proc, executor_->tid());
  std::lock_guard<std::mutex> lock(probe_mu);
  auto it = Probes().find(key);
  if (it == Probes().end())
    it = Probes().emplace(key, ProbeFdinfo(proc, executor_->tid())).first;
  fdinfo_off_ = it->second;
}

int KernelSut::OpenFdinfoDirs() {
  if (fdinfo_dir_ >= 0)
    return 0;
  if (!fdinfo_off_.empty() || !executor_)
    return EOPNOTSUPP;
  // The executor's fdinfo and fd directories, opened from this thread: the
  // descriptors are in the process's table, not the sequence's.
  const std::string task =
      proc_ + "/self/task/" + std::to_string(executor_->tid());
  fdinfo_dir_ =
      open((task + "/fdinfo").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  fd_dir_ = open((task + "/fd").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fdinfo_dir_ < 0 || fd_dir_ < 0) {
    const int error = errno;
    CloseFdinfo();
    return error;
  }
  return 0;
}

std::variant<std::unique_ptr<KernelSut>, std::string>
KernelSut::Create(const std::string& proc) {
  {
    std::lock_guard<std::mutex> lock(pool_mu);
    if (!Pool().empty()) {
      std::unique_ptr<Executor> e = std::move(Pool().back());
      Pool().pop_back();
      return std::unique_ptr<KernelSut>(new KernelSut(std::move(e), proc));
    }
  }
  auto started = Executor::Start();
  if (auto* why = std::get_if<std::string>(&started))
    return *why;
  return std::unique_ptr<KernelSut>(
      new KernelSut(std::move(std::get<0>(started)), proc));
}

FdinfoReading KernelSut::ReadFdinfo(int32_t epfd) {
  if (executor_ && executor_->OnThisThread())
    return ReadFdinfoOnExecutor(epfd);
  return ReadFdinfoFromCaller(epfd);
}

FdinfoReading KernelSut::ReadFdinfoFromCaller(int32_t epfd) {
  if (const int error = OpenFdinfoDirs(); error != 0)
    return FdinfoReading{.error = error, .lines = {}};
  // The executor is parked (between operations, or inside a batch's
  // `after`), so its table holds still.
  auto it = fdinfo_files_.find(epfd);
  if (it == fdinfo_files_.end()) {
    const std::string name = std::to_string(epfd);
    const int opened = openat(fdinfo_dir_, name.c_str(), O_RDONLY | O_CLOEXEC);
    if (opened < 0)
      return FdinfoReading{.error = errno, .lines = {}};
    it = fdinfo_files_.emplace(epfd, opened).first;
  }
  return ReadFdinfoFile(it->second);
}

FdinfoReading KernelSut::ReadFdinfoOnExecutor(int32_t epfd) {
  if (!fdinfo_off_.empty())
    return FdinfoReading{.error = EOPNOTSUPP, .lines = {}};
  // Opened in the sequence's own table, at its lowest free number, and
  // closed again before the next operation: alloc_fd starts from the
  // lowest free number, so the sequence's numbering never sees it. With no
  // number free under RLIMIT_NOFILE, the caller reads it from its table.
  const std::string path = proc_ + "/self/task/" +
                           std::to_string(executor_->tid()) + "/fdinfo/" +
                           std::to_string(epfd);
  const int file = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (file < 0) {
    const int error = errno;
    if (error != EMFILE && error != ENFILE)
      return FdinfoReading{.error = error, .lines = {}};
    FdinfoReading reading;
    const std::function<void()> read = [&] {
      reading = ReadFdinfoFromCaller(epfd);
    };
    executor_->OnCaller(read);
    return reading;
  }
  FdinfoReading reading = ReadFdinfoFile(file);
  close(file);
  return reading;
}

FdinfoReading KernelSut::ReadFdinfoFile(int file) {
  if (fdinfo_text_.empty())
    fdinfo_text_.resize(4096);
  for (;;) {
    // At offset 0 the seq_file shows the file at that number now.
    const ssize_t n = pread(file, fdinfo_text_.data(), fdinfo_text_.size(), 0);
    if (n < 0)
      return FdinfoReading{.error = errno, .lines = {}};
    if (static_cast<size_t>(n) < fdinfo_text_.size()) {
      auto lines = ParseEpollFdinfo(
          std::string_view(fdinfo_text_.data(), static_cast<size_t>(n)));
      if (!lines)
        return FdinfoReading{.error = EPROTO, .lines = {}};
      return FdinfoReading{.error = 0, .lines = std::move(*lines)};
    }
    fdinfo_text_.resize(fdinfo_text_.size() * 2);  // all of it in one show
  }
}

std::optional<FdinfoInode> KernelSut::InodeOf(int32_t fd) {
  if (fd < 0)
    return std::nullopt;
  struct stat st {};
  if (executor_ && executor_->OnThisThread()) {
    // The descriptor is in this thread's table.
    if (!fdinfo_off_.empty() || fstat(fd, &st) != 0)
      return std::nullopt;
  } else {
    if (OpenFdinfoDirs() != 0)
      return std::nullopt;
    // The magic link of the executor's descriptor leads to its file.
    if (fstatat(fd_dir_, std::to_string(fd).c_str(), &st, 0) != 0)
      return std::nullopt;
  }
  // fdinfo prints the kernel's dev_t (MKDEV: major << 20 | minor).
  return FdinfoInode{.sdev = static_cast<uint32_t>((major(st.st_dev) << 20) |
                                                   minor(st.st_dev)),
                     .ino = static_cast<uint64_t>(st.st_ino)};
}

void KernelSut::CloseFdinfo() {
  for (const auto& [number, file] : fdinfo_files_)
    close(file);
  fdinfo_files_.clear();
  for (int* dir : {&fdinfo_dir_, &fd_dir_}) {
    if (*dir >= 0)
      close(*dir);
    *dir = -1;
  }
}

Outcome KernelSut::Execute(const Op& op) {
  return executor_->Run(op, steps_++);
}

size_t KernelSut::ExecuteEach(std::span<const Op> ops, const AfterStep& after) {
  const bool tear_down = end_after_next_batch_;
  end_after_next_batch_ = false;
  const size_t ran = executor_->RunEach(ops, after, steps_, tear_down,
                                        &torn_down_report_.emplace());
  if (!tear_down)
    torn_down_report_.reset();
  steps_ += static_cast<int64_t>(ran);
  return ran;
}

Outcome KernelSut::RunOnExecutorForTesting(const std::function<Outcome()>& fn) {
  return executor_->Call(fn, steps_++);
}

std::string KernelSut::Finish() {
  CloseFdinfo();
  if (!executor_)
    return {};
  std::string report = torn_down_report_
                           ? *std::exchange(torn_down_report_, std::nullopt)
                           : executor_->Reset();
  if (report.empty()) {
    std::lock_guard<std::mutex> lock(pool_mu);
    Pool().push_back(std::move(executor_));
  }
  executor_.reset();  // a dirty executor is not reused
  return report;
}

KernelSut::~KernelSut() {
  if (executor_)
    (void)Finish();
}

namespace {

std::pair<int, int> UnameVersion() {
  utsname u{};
  uname(&u);
  int major = 0;
  int minor = 0;
  std::sscanf(u.release, "%d.%d", &major, &minor);
  return {major, minor};
}

ProbedProfile ProbeRunningKernel() {
  // Host and build facts; every era feature is then probed.
  Profile base;
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0) {
    if (limit.rlim_cur != RLIM_INFINITY)
      base.fd_limit = static_cast<int64_t>(limit.rlim_cur);
    base.fd_hard_limit = limit.rlim_max == RLIM_INFINITY
                             ? INT64_MAX
                             : static_cast<int64_t>(limit.rlim_max);
  }
  base.cap_sys_resource = geteuid() == 0;
  // The executor drops CAP_NET_ADMIN (DropNetAdmin); CAP_FOWNER it keeps.
  base.cap_net_admin = false;
  base.cap_fowner = HasCapability(CAP_FOWNER);
  base.sockets = CalibrateSockets();
  if (FILE* f = std::fopen("/proc/sys/fs/epoll/max_user_watches", "re")) {
    long long watches = 0;
    if (std::fscanf(f, "%lld", &watches) == 1 && watches >= 0)
      base.max_user_watches = watches;
    std::fclose(f);
  }
  const auto [major, minor] = UnameVersion();
  return ProbeProfile(
      []() -> std::unique_ptr<Sut> {
        auto made = KernelSut::Create();
        if (auto* why = std::get_if<std::string>(&made))
          throw std::runtime_error("kernel SUT cannot start: " + *why);
        return std::move(std::get<0>(made));
      },
      base, major, minor);
}

}  // namespace

const ProbedProfile& RunningKernelProbe() {
  static const ProbedProfile kProbed = ProbeRunningKernel();
  return kProbed;
}

Profile RunningKernelProfile() { return RunningKernelProbe().profile; }

std::string RunningKernelDescription() {
  utsname u{};
  uname(&u);
  return std::string(u.sysname) + " " + u.release;
}

}  // namespace epollcheck
