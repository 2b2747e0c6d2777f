#include "sut/kernel/kernel_sut.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sstream>

#include "sut/kernel/syscalls.h"

namespace epollcheck {

std::variant<std::unique_ptr<KernelSut>, std::string> KernelSut::Create() {
  std::unique_ptr<KernelSut> sut(new KernelSut());
  sut->thread_ = std::thread([s = sut.get()] { s->ExecutorMain(); });
  sut->to_caller_.acquire();  // setup result
  if (!sut->reply_.empty()) {
    std::string why = sut->reply_;
    sut->thread_.join();
    sut->finished_ = true;
    return why;
  }
  return sut;
}

void KernelSut::ExecutorMain() {
  // A private descriptor table, then nothing in it.
  if (unshare(CLONE_FILES) != 0) {
    reply_ =
        std::string("unshare(CLONE_FILES) failed: ") + std::strerror(errno);
    to_caller_.release();
    return;
  }
  if (close_range(0, ~0U, 0) != 0) {
    reply_ = std::string("close_range failed: ") + std::strerror(errno);
    to_caller_.release();
    return;
  }
  sigset_t pipe_only;
  sigemptyset(&pipe_only);
  sigaddset(&pipe_only, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_only, nullptr);
  to_caller_.release();
  for (;;) {
    to_executor_.acquire();
    switch (request_) {
    case Request::kOp:
      outcome_ = RunSyscall(*op_);
      break;
    case Request::kFinish: {
      // Everything the sequence left open is closed here; the table must
      // then be empty.
      close_range(0, ~0U, 0);
      const Outcome left = RunSyscall(Op{ListFds{}});
      reply_.clear();
      if (left.IsError() || !left.fds.empty()) {
        std::ostringstream os;
        os << "descriptors left after close_range: " << left;
        reply_ = os.str();
      }
      break;
    }
    case Request::kExit:
      to_caller_.release();
      return;
    }
    to_caller_.release();
  }
}

void KernelSut::RoundTrip() {
  to_executor_.release();
  if (!to_caller_.try_acquire_for(kHangTimeout)) {
    std::ostringstream os;
    if (request_ == Request::kOp && op_ != nullptr) {
      os << *op_;
    } else {
      os << "teardown";
    }
    std::fprintf(
        stderr,
        "epollcheck: kernel SUT hang: %s did not return within %lld s; "
        "aborting (rerun with the seed printed above)\n",
        os.str().c_str(), static_cast<long long>(kHangTimeout.count()));
    std::fflush(stderr);
    std::_Exit(3);
  }
}

Outcome KernelSut::Execute(const Op& op) {
  request_ = Request::kOp;
  op_ = &op;
  RoundTrip();
  op_ = nullptr;
  return outcome_;
}

std::string KernelSut::Finish() {
  if (finished_)
    return {};
  request_ = Request::kFinish;
  RoundTrip();
  std::string report = reply_;
  request_ = Request::kExit;
  RoundTrip();
  thread_.join();
  finished_ = true;
  return report;
}

KernelSut::~KernelSut() {
  if (!finished_)
    (void)Finish();
}

Profile RunningKernelProfile() {
  utsname u{};
  uname(&u);
  int major = 0;
  int minor = 0;
  std::sscanf(u.release, "%d.%d", &major, &minor);
  Profile profile = ProfileForKernel(major, minor);
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY)
    profile.fd_limit = static_cast<int64_t>(limit.rlim_cur);
  profile.cap_sys_resource = geteuid() == 0;
  return profile;
}

std::string RunningKernelDescription() {
  utsname u{};
  uname(&u);
  return std::string(u.sysname) + " " + u.release;
}

}  // namespace epollcheck
