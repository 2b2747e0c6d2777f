#include "sut/kernel/calibrate.h"

#include <fcntl.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <functional>
#include <optional>
#include <sstream>
#include <vector>

#include "model/check.h"

namespace epollcheck {
std::string& Notes();
namespace {

// A throw-away socketpair, closed on scope exit.
struct Pair {
  int fd[2] = {-1, -1};
  explicit Pair(int type) {
    EP_CHECK(socketpair(AF_UNIX, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fd) ==
             0);
  }
  ~Pair() {
    close(fd[0]);
    close(fd[1]);
  }
  Pair(const Pair&) = delete;
  Pair& operator=(const Pair&) = delete;

  int Get(int opt) const {
    int v = 0;
    socklen_t len = sizeof v;
    EP_CHECK(getsockopt(fd[0], SOL_SOCKET, opt, &v, &len) == 0);
    return v;
  }
  void Set(int opt, int v) const {
    EP_CHECK(setsockopt(fd[0], SOL_SOCKET, opt, &v, sizeof v) == 0);
  }
  // Bytes of truesize charged to fd[0] (SIOCOUTQ: sk_wmem_alloc_get).
  int OutQ() const {
    int q = 0;
    EP_CHECK(ioctl(fd[0], SIOCOUTQ, &q) == 0);
    return q;
  }
};

std::vector<char>& Buffer() {
  static std::vector<char> buf(1 << 20, 'x');
  return buf;
}

// truesize of one send of `n` bytes on a fresh pair with the largest send
// buffer.
uint32_t SendTruesize(int type, uint32_t n) {
  Pair p(type);
  p.Set(SO_SNDBUF, INT_MAX);
  EP_CHECK(send(p.fd[0], Buffer().data(), n, MSG_DONTWAIT | MSG_NOSIGNAL) ==
           static_cast<ssize_t>(n));
  return static_cast<uint32_t>(p.OutQ());
}

// Linux has a few dozen steps per table (slab buckets, page frags); an
// implementation that charges bytes, not buffers (gVisor: SIOCOUTQ is the
// bytes queued), has one per byte, and measuring those would take millions
// of probes.
constexpr size_t kMaxSteps = 512;

// The steps of a monotone non-decreasing f over [lo, hi], by binary search for
// the end of each step; nullopt if there are more than kMaxSteps.
std::optional<std::vector<SizeStep>>
Steps(uint32_t lo, uint32_t hi, const std::function<uint32_t(uint32_t)>& f) {
  std::vector<SizeStep> steps;
  uint32_t n = lo;
  while (n <= hi) {
    if (steps.size() == kMaxSteps)
      return std::nullopt;
    const uint32_t v = f(n);
    uint32_t a = n;
    uint32_t b = hi;
    while (a < b) {
      const uint32_t mid = a + (b - a + 1) / 2;
      if (f(mid) == v) {
        a = mid;
      } else {
        b = mid - 1;
      }
    }
    steps.push_back(SizeStep{.max = a, .value = v});
    if (a == hi)
      break;
    n = a + 1;
  }
  return steps;
}

// The length of the first skb a large stream send builds: the smallest read
// that frees it (its truesize leaves SIOCOUTQ).
uint32_t StreamMaxSkb() {
  constexpr uint32_t kTotal = 200000;
  const auto frees_first = [](uint32_t k) {
    Pair p(SOCK_STREAM);
    p.Set(SO_SNDBUF, INT_MAX);
    EP_CHECK(send(p.fd[0], Buffer().data(), kTotal,
                  MSG_DONTWAIT | MSG_NOSIGNAL) == kTotal);
    const int before = p.OutQ();
    EP_CHECK(recv(p.fd[1], Buffer().data(), k, MSG_DONTWAIT) ==
             static_cast<ssize_t>(k));
    return p.OutQ() < before;
  };
  uint32_t a = 1;
  uint32_t b = kTotal;
  while (a < b) {
    const uint32_t mid = a + (b - a) / 2;
    if (frees_first(mid)) {
      b = mid;
    } else {
      a = mid + 1;
    }
  }
  return a;
}

int ReadProcInt(const char* path, int fallback) {
  FILE* f = std::fopen(path, "re");
  if (f == nullptr)
    return fallback;
  int v = fallback;
  if (std::fscanf(f, "%d", &v) != 1)
    v = fallback;
  std::fclose(f);
  return v;
}

// Reads "min default max" (tcp_wmem, tcp_rmem) into the non-null outputs;
// leaves them as they are if the file is missing or malformed.
void ReadProcTriple(const char* path, int32_t* min, int32_t* def,
                    int32_t* max) {
  FILE* f = std::fopen(path, "re");
  if (f == nullptr)
    return;
  int v[3] = {0, 0, 0};
  if (std::fscanf(f, "%d %d %d", &v[0], &v[1], &v[2]) == 3) {
    for (const auto& [out, value] :
         {std::pair{min, v[0]}, std::pair{def, v[1]}, std::pair{max, v[2]}}) {
      if (out != nullptr)
        *out = value;
    }
  }
  std::fclose(f);
}

SocketCalibration Measure() {
  SocketCalibration c = DefaultSocketCalibration();
  {
    Pair p(SOCK_STREAM);
    c.wmem_default = p.Get(SO_SNDBUF);
    c.rmem_default = p.Get(SO_RCVBUF);
    p.Set(SO_SNDBUF, 0);
    c.min_sndbuf = p.Get(SO_SNDBUF);
    p.Set(SO_RCVBUF, 0);
    c.min_rcvbuf = p.Get(SO_RCVBUF);
    // min(val, {w,r}mem_max) * 2, so the limit is half of what INT_MAX gives.
    p.Set(SO_SNDBUF, INT_MAX);
    c.wmem_max = p.Get(SO_SNDBUF) / 2;
    p.Set(SO_RCVBUF, INT_MAX);
    c.rmem_max = p.Get(SO_RCVBUF) / 2;
  }
  c.max_dgram_qlen =
      ReadProcInt("/proc/sys/net/unix/max_dgram_qlen", c.max_dgram_qlen);
  c.somaxconn = ReadProcInt("/proc/sys/net/core/somaxconn", c.somaxconn);
  ReadProcTriple("/proc/sys/net/ipv4/tcp_wmem", nullptr, &c.tcp_wmem_default,
                 nullptr);
  ReadProcTriple("/proc/sys/net/ipv4/tcp_rmem", nullptr, &c.tcp_rmem_default,
                 &c.tcp_rmem_max);
  const SocketCalibration defaults = DefaultSocketCalibration();
  {
    // SIOCOUTQ must report what a send charged, or nothing below can be
    // measured.
    Pair p(SOCK_STREAM);
    int q = 0;
    if (ioctl(p.fd[0], SIOCOUTQ, &q) != 0) {
      Notes() += std::string("SIOCOUTQ refused (") + std::strerror(errno) +
                 "): skb truesize not measured, 6.18 x86-64 values used";
      return c;
    }
  }
  // Linux charges a buffer (a slab bucket): one byte and two cost the same.
  if (SendTruesize(SOCK_STREAM, 1) != SendTruesize(SOCK_STREAM, 2)) {
    Notes() += "a send is charged by its bytes, not by skb truesize (" +
               std::to_string(SendTruesize(SOCK_STREAM, 1)) +
               " for 1 byte), 6.18 x86-64 values used";
    return c;
  }
  c.unix_stream_max_skb = StreamMaxSkb();
  auto stream = Steps(1, c.unix_stream_max_skb,
                      [](uint32_t n) { return SendTruesize(SOCK_STREAM, n); });
  // Datagrams up to 256 KiB (or what the largest send buffer allows).
  const uint32_t dgram_max = static_cast<uint32_t>(
      std::min<int64_t>(262144, int64_t{c.wmem_max} * 2 - 32));
  auto dgram = Steps(0, dgram_max,
                     [](uint32_t n) { return SendTruesize(SOCK_DGRAM, n); });
  if (!stream || !dgram) {
    Notes() += "skb truesize is not a step function of the payload (more "
               "than " +
               std::to_string(kMaxSteps) +
               " steps: byte accounting), 6.18 x86-64 values used";
    c.unix_stream_max_skb = defaults.unix_stream_max_skb;
    return c;
  }
  c.unix_stream_truesize = std::move(*stream);
  c.unix_dgram_truesize = std::move(*dgram);
  return c;
}

}  // namespace

std::string& Notes() {
  static auto* notes = new std::string();
  return *notes;
}

const SocketCalibration& CalibrateSockets() {
  static const SocketCalibration kMeasured = Measure();
  return kMeasured;
}

std::string CalibrationSummary(const SocketCalibration& c) {
  std::ostringstream os;
  const auto first = [](const std::vector<SizeStep>& steps) {
    return steps.empty() ? 0u : steps.front().value;
  };
  os << "unix stream skb <= " << c.unix_stream_max_skb << " bytes, truesize "
     << first(c.unix_stream_truesize) << ".."
     << c.unix_stream_truesize.back().value << " in "
     << c.unix_stream_truesize.size() << " steps; dgram truesize "
     << first(c.unix_dgram_truesize) << ".."
     << c.unix_dgram_truesize.back().value << " in "
     << c.unix_dgram_truesize.size() << " steps up to "
     << c.unix_dgram_truesize.back().max << " bytes; sndbuf default "
     << c.wmem_default << " min " << c.min_sndbuf << " max 2*" << c.wmem_max
     << "; rcvbuf default " << c.rmem_default << " min " << c.min_rcvbuf
     << " max 2*" << c.rmem_max << "; max_dgram_qlen " << c.max_dgram_qlen
     << ", somaxconn " << c.somaxconn << "; tcp_rmem max " << c.tcp_rmem_max;
  if (!Notes().empty())
    os << "; " << Notes();
  return os.str();
}

}  // namespace epollcheck
