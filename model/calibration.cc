// The default socket accounting constants (model/profile.h) and step-function
// lookup. Linux: include/linux/skbuff.h SKB_TRUESIZE, SKB_MAX_HEAD,
// SKB_MAX_ALLOC; net/core/skbuff.c __alloc_skb, kmalloc_reserve,
// alloc_skb_with_frags; net/unix/af_unix.c unix_stream_sendmsg,
// unix_dgram_sendmsg.

#include <algorithm>
#include <functional>

#include "model/abi.h"
#include "model/profile.h"

namespace epollcheck {
namespace {

// x86-64 6.18: SKB_DATA_ALIGN(sizeof(struct sk_buff)) and
// SKB_DATA_ALIGN(sizeof(struct skb_shared_info)); SMP_CACHE_BYTES 64.
constexpr uint32_t kSkbOverhead = 256;
constexpr uint32_t kShinfo = 320;
constexpr uint32_t kCacheLine = 64;
constexpr uint32_t kSkbMaxHead = abi::kPageSize - kShinfo;       // 3776
constexpr uint32_t kSkbMaxAlloc = 4 * abi::kPageSize - kShinfo;  // 16064
constexpr uint32_t kUnixSkbFragsSz = 32768;
constexpr uint32_t kMaxSkbFrags = 17;
// How far the default dgram table reaches.
constexpr uint32_t kDgramTableMax = 262144;

uint32_t PageAlign(uint32_t n) {
  return (n + abi::kPageSize - 1) & ~(abi::kPageSize - 1);
}

// truesize of a linear head of `len` bytes: the kmalloc bucket of data plus
// skb_shared_info, plus the sk_buff itself.
uint32_t Head(uint32_t len) {
  const uint32_t want = ((len + kCacheLine - 1) & ~(kCacheLine - 1)) + kShinfo;
  uint32_t bucket = 512;
  while (bucket < want)
    bucket <<= 1;
  return kSkbOverhead + bucket;
}

uint32_t StreamSkb(uint32_t size) {
  const uint32_t over = size > kSkbMaxHead ? size - kSkbMaxHead : 0;
  const uint32_t data_len = std::min(size, PageAlign(over));
  return Head(size - data_len) + PageAlign(data_len);
}

uint32_t Dgram(uint32_t len) {
  uint32_t data_len = 0;
  if (len > kSkbMaxAlloc) {
    data_len =
        PageAlign(std::min(len - kSkbMaxAlloc, kMaxSkbFrags * abi::kPageSize));
  }
  return Head(len - data_len) + data_len;
}

std::vector<SizeStep> Tabulate(uint32_t from, uint32_t to,
                               const std::function<uint32_t(uint32_t)>& f) {
  std::vector<SizeStep> steps;
  for (uint32_t n = from; n <= to; ++n) {
    const uint32_t v = f(n);
    if (!steps.empty() && steps.back().value == v) {
      steps.back().max = n;
    } else {
      steps.push_back(SizeStep{.max = n, .value = v});
    }
  }
  return steps;
}

}  // namespace

SocketCalibration DefaultSocketCalibration() {
  static const SocketCalibration kDefault = [] {
    SocketCalibration c;
    c.unix_stream_max_skb = kSkbMaxHead + kUnixSkbFragsSz;
    c.unix_stream_truesize = Tabulate(1, c.unix_stream_max_skb, StreamSkb);
    c.unix_dgram_truesize = Tabulate(0, kDgramTableMax, Dgram);
    return c;
  }();
  return kDefault;
}

std::optional<uint32_t> StepValue(const std::vector<SizeStep>& steps,
                                  uint32_t n) {
  const auto it = std::lower_bound(
      steps.begin(), steps.end(), n,
      [](const SizeStep& s, uint32_t value) { return s.max < value; });
  if (it == steps.end())
    return std::nullopt;
  return it->value;
}

}  // namespace epollcheck
