#include "sut/kernel/harness_calls.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sockios.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <climits>
#include <cstdio>
#include <cstring>
#include <map>
#include <mutex>
#include <string>

#include "fixtures/fd_hygiene.h"

namespace epollcheck {
namespace {

// Fallbacks taken so far: call -> "what was used (why)".
std::mutex fallbacks_mu;
std::map<std::string, std::string>& Fallbacks() {
  static auto* fallbacks = new std::map<std::string, std::string>();
  return *fallbacks;  // leaked: executor threads may use it during exit
}

void NoteFallback(const std::string& call, const std::string& note) {
  std::lock_guard<std::mutex> lock(fallbacks_mu);
  Fallbacks().emplace(call, note);
}

// "EINVAL" for EINVAL.
const char* ErrnoName(int e) {
  const char* name = strerrorname_np(e);
  return name != nullptr ? name : "unknown errno";
}

// The first method worth trying: a method refused once is refused for the
// life of the process (the host does not change), and a refused system call
// can cost as much as an operation under test (gVisor).
std::atomic<int> close_start{static_cast<int>(CloseMethod::kCloseRange)};
std::atomic<int> unsent_start{static_cast<int>(UnsentMethod::kOutqNsd)};

long CloseRange(unsigned lowest, unsigned highest) {
  return syscall(SYS_close_range, lowest, highest, 0);
}

}  // namespace

CloseMethod CloseFrom(int lowest, CloseMethod first) {
  const auto from = static_cast<unsigned>(std::max(lowest, 0));
  auto method = static_cast<CloseMethod>(
      std::max(static_cast<int>(first), close_start.load()));
  if (method == CloseMethod::kCloseRange) {
    if (CloseRange(from, ~0U) == 0)
      return method;
    NoteFallback("close_range",
                 std::string("INT_MAX bound (~0U: ") + ErrnoName(errno) + ")");
    method = CloseMethod::kCloseRangeIntMax;
    close_start.store(static_cast<int>(method));
  }
  if (method == CloseMethod::kCloseRangeIntMax) {
    if (CloseRange(from, INT_MAX) == 0)
      return method;
    NoteFallback("close_range",
                 std::string("closing each listed descriptor (") +
                     ErrnoName(errno) + ")");
    method = CloseMethod::kEach;
    close_start.store(static_cast<int>(method));
  }
  for (const int fd : ListThreadFds()) {
    if (fd >= lowest)
      close(fd);
  }
  return CloseMethod::kEach;
}

std::vector<int> ListThreadFds(ListMethod first, ListMethod* used) {
  const auto done = [&](ListMethod m, std::vector<int> fds) {
    if (used != nullptr)
      *used = m;
    return fds;
  };
  if (first == ListMethod::kThreadSelf) {
    if (auto listed = ListFdDirectory("/proc/thread-self/fd"))
      return done(ListMethod::kThreadSelf, std::move(*listed));
  }
  if (first != ListMethod::kProbe) {
    char dir[64];
    std::snprintf(dir, sizeof dir, "/proc/self/task/%ld/fd",
                  static_cast<long>(gettid()));
    if (auto listed = ListFdDirectory(dir)) {
      if (first == ListMethod::kThreadSelf)
        NoteFallback("fd listing", "/proc/self/task/TID/fd");
      return done(ListMethod::kTaskDir, std::move(*listed));
    }
  }
  if (first != ListMethod::kProbe)
    NoteFallback("fd listing", "fcntl(F_GETFD) probe (no /proc)");
  return done(ListMethod::kProbe, ProbeOpenFds());
}

int TcpUnsentBytes(int fd, UnsentMethod first) {
  int bytes = 0;
  auto method = static_cast<UnsentMethod>(
      std::max(static_cast<int>(first), unsent_start.load()));
  if (method == UnsentMethod::kOutqNsd) {
    if (ioctl(fd, SIOCOUTQNSD, &bytes) == 0)
      return bytes;
    // EINVAL is Linux's answer for a listener: no verdict, not a refusal.
    if (errno != ENOTTY && errno != EOPNOTSUPP)
      return -1;
    NoteFallback("tcp unsent", std::string("SIOCOUTQ (SIOCOUTQNSD: ") +
                                   ErrnoName(errno) + ")");
    unsent_start.store(static_cast<int>(UnsentMethod::kOutq));
  }
  if (ioctl(fd, SIOCOUTQ, &bytes) == 0)
    return bytes;
  return -1;
}

long SoftnetBacklog(std::string_view text) {
  // One line per online CPU, hexadecimal columns; the backlog is the 12th.
  constexpr size_t kBacklogColumn = 11;
  long total = 0;
  while (!text.empty()) {
    const size_t eol = std::min(text.find('\n'), text.size());
    std::string_view line = text.substr(0, eol);
    text.remove_prefix(std::min(eol + 1, text.size()));
    for (size_t column = 0;; ++column) {
      const size_t start = line.find_first_not_of(' ');
      if (start == std::string_view::npos)
        break;
      line.remove_prefix(start);
      const size_t end = std::min(line.find(' '), line.size());
      if (column == kBacklogColumn) {
        long value = 0;
        const auto [ptr, ec] =
            std::from_chars(line.data(), line.data() + end, value, 16);
        if (ec == std::errc() && ptr == line.data() + end)
          total += value;
        break;
      }
      line.remove_prefix(end);
    }
  }
  return total;
}

long LoopbackBacklog() {
  const int fd = open("/proc/net/softnet_stat", O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return 0;
  std::string text;
  char buf[4096];
  ssize_t n = 0;
  while ((n = read(fd, buf, sizeof buf)) > 0)
    text.append(buf, static_cast<size_t>(n));
  close(fd);
  return SoftnetBacklog(text);
}

bool BlockAsyncSignals() {
  sigset_t set;
  sigfillset(&set);
  for (const int fault : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGSYS})
    sigdelset(&set, fault);
  return pthread_sigmask(SIG_BLOCK, &set, nullptr) == 0;
}

std::string HarnessCallsSummary() {
  std::lock_guard<std::mutex> lock(fallbacks_mu);
  std::string out;
  for (const auto& [call, note] : Fallbacks()) {
    if (!out.empty())
      out += "; ";
    out += call;
    out += ": ";
    out += note;
  }
  return out;
}

}  // namespace epollcheck
