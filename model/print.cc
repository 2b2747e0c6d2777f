// Printing of operations and outcomes, driven by each op's Fields() list, and
// the small non-kernel helpers of the model (profiles, EP_CHECK).

#include <charconv>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <optional>
#include <span>
#include <sstream>
#include <type_traits>
#include <utility>

#include "model/abi.h"
#include "model/check.h"
#include "model/ops.h"
#include "model/outcome.h"
#include "model/profile.h"
#include "model/world.h"

namespace epollcheck {
namespace {

struct NamedBit {
  uint32_t bit;
  const char* name;
};

constexpr NamedBit kEventBits[] = {
    {abi::kEpollIn, "IN"},
    {abi::kEpollPri, "PRI"},
    {abi::kEpollOut, "OUT"},
    {abi::kEpollErr, "ERR"},
    {abi::kEpollHup, "HUP"},
    {abi::kEpollNval, "NVAL"},
    {abi::kEpollRdNorm, "RDNORM"},
    {abi::kEpollRdBand, "RDBAND"},
    {abi::kEpollWrNorm, "WRNORM"},
    {abi::kEpollWrBand, "WRBAND"},
    {abi::kEpollMsg, "MSG"},
    {abi::kEpollRdHup, "RDHUP"},
    {abi::kEpollUringWake, "URING_WAKE"},
    {abi::kEpollExclusive, "EXCLUSIVE"},
    {abi::kEpollWakeup, "WAKEUP"},
    {abi::kEpollOneShot, "ONESHOT"},
    {abi::kEpollEt, "ET"},
};

constexpr NamedBit kOpenBits[] = {
    {abi::kONonblock, "O_NONBLOCK"}, {abi::kODirect, "O_DIRECT"},
    {abi::kOCloexec, "O_CLOEXEC"},   {abi::kOAppend, "O_APPEND"},
    {abi::kOAsync, "O_ASYNC"},       {abi::kONoatime, "O_NOATIME"},
};

constexpr NamedBit kEpollFlagBits[] = {{abi::kEpollCloexec, "EPOLL_CLOEXEC"}};

constexpr NamedBit kEfdFlagBits[] = {{abi::kEfdSemaphore, "EFD_SEMAPHORE"},
                                     {abi::kEfdNonblock, "EFD_NONBLOCK"},
                                     {abi::kEfdCloexec, "EFD_CLOEXEC"}};

// Socket type values are not bits: the type is the low nibble, then flags.
constexpr NamedBit kSockTypes[] = {{abi::kSockStream, "SOCK_STREAM"},
                                   {abi::kSockDgram, "SOCK_DGRAM"},
                                   {abi::kSockSeqpacket, "SOCK_SEQPACKET"}};
constexpr NamedBit kSockFlagBits[] = {{abi::kSockNonblock, "SOCK_NONBLOCK"},
                                      {abi::kSockCloexec, "SOCK_CLOEXEC"}};

constexpr NamedBit kMsgBits[] = {
    {abi::kMsgOob, "MSG_OOB"},         {abi::kMsgPeek, "MSG_PEEK"},
    {abi::kMsgTrunc, "MSG_TRUNC"},     {abi::kMsgDontwait, "MSG_DONTWAIT"},
    {abi::kMsgWaitall, "MSG_WAITALL"}, {abi::kMsgNosignal, "MSG_NOSIGNAL"},
};

// Enumerated (not bit) values of one field kind.
struct NamedValue {
  int32_t value;
  const char* name;
};
constexpr NamedValue kShutHows[] = {{abi::kShutRd, "SHUT_RD"},
                                    {abi::kShutWr, "SHUT_WR"},
                                    {abi::kShutRdwr, "SHUT_RDWR"}};
constexpr NamedValue kSockOpts[] = {{abi::kSoError, "SO_ERROR"},
                                    {abi::kSoSndbuf, "SO_SNDBUF"},
                                    {abi::kSoRcvbuf, "SO_RCVBUF"},
                                    {abi::kSoLinger, "SO_LINGER"},
                                    {abi::kSoRcvlowat, "SO_RCVLOWAT"}};

constexpr NamedValue kOpenKinds[] = {
    {kOpenRegular, "regular"}, {kOpenDirectory, "dir"},
    {kOpenDevNull, "devnull"}, {kOpenPath, "opath"},
    {kOpenFifoRead, "fifo_r"}, {kOpenFifoWrite, "fifo_w"},
    {kOpenFifoRdwr, "fifo_rw"}};

constexpr NamedValue kExpires[] = {{kExpireOff, "off"},
                                   {kExpireNow, "now"},
                                   {kExpireFar, "far"},
                                   {kExpireBad, "bad"}};

constexpr NamedValue kWhences[] = {{abi::kSeekSet, "SEEK_SET"},
                                   {abi::kSeekCur, "SEEK_CUR"},
                                   {abi::kSeekEnd, "SEEK_END"},
                                   {abi::kSeekData, "SEEK_DATA"},
                                   {abi::kSeekHole, "SEEK_HOLE"}};

// ioctl commands (unsigned: printed by IoctlCmdString).
constexpr std::pair<uint32_t, const char*> kIoctlCmds[] = {
    {abi::kEpiocSParams, "EPIOCSPARAMS"}, {abi::kEpiocGParams, "EPIOCGPARAMS"}};

std::string IoctlCmdString(uint32_t cmd) {
  for (const auto& [value, name] : kIoctlCmds) {
    if (value == cmd)
      return name;
  }
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%x", cmd);
  return buf;
}

constexpr NamedValue kUserBufs[] = {{kBufGood, "good"},
                                    {kBufNull, "null"},
                                    {kBufUnmapped, "unmapped"},
                                    {kBufReadOnly, "readonly"},
                                    {kBufKernel, "kernel"}};

std::string UserBufString(uint32_t buf) {
  for (const NamedValue& v : kUserBufs) {
    if (static_cast<uint32_t>(v.value) == buf)
      return v.name;
  }
  if (buf >= kBufTail && buf <= kBufTail + 255)
    return "tail" + std::to_string(buf - kBufTail);
  return std::to_string(buf);
}

template <size_t N>
std::string ValueString(int32_t value, const NamedValue (&table)[N]) {
  for (const NamedValue& v : table) {
    if (v.value == value)
      return v.name;
  }
  return std::to_string(value);
}

template <size_t N>
std::string BitsString(uint32_t mask, const NamedBit (&table)[N]) {
  if (mask == 0)
    return "0";
  std::string out;
  for (const NamedBit& b : table) {
    if ((mask & b.bit) == 0)
      continue;
    if (!out.empty())
      out += '|';
    out += b.name;
    mask &= ~b.bit;
  }
  if (mask != 0) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "0x%x", mask);
    if (!out.empty())
      out += '|';
    out += buf;
  }
  return out;
}

// Signal names (without SIG); any other signal n is written SIG<n>.
constexpr NamedValue kSignalNames[] = {
    {9, "KILL"},  {10, "USR1"}, {12, "USR2"},
    {13, "PIPE"}, {17, "CHLD"}, {19, "STOP"},
};

std::string SignalString(int32_t sig) {
  for (const NamedValue& v : kSignalNames) {
    if (v.value == sig)
      return v.name;
  }
  if (sig > 0 && sig <= 64)
    return "SIG" + std::to_string(sig);
  return std::to_string(sig);
}

// "USR1|SIG40": each signal of a sigset_t's first word.
std::string SigMaskString(uint64_t mask) {
  if (mask == 0)
    return "0";
  std::string out;
  for (int32_t sig = 1; sig <= 64; ++sig) {
    if ((mask & SigBit(sig)) == 0)
      continue;
    if (!out.empty())
      out += '|';
    out += SignalString(sig);
  }
  return out;
}

std::string CtlOpString(int32_t op) {
  switch (op) {
  case abi::kEpollCtlAdd:
    return "ADD";
  case abi::kEpollCtlDel:
    return "DEL";
  case abi::kEpollCtlMod:
    return "MOD";
  default:
    return std::to_string(op);
  }
}

}  // namespace

std::string FieldString(FieldKind kind, uint64_t raw, int64_t value) {
  switch (kind) {
  case FieldKind::kPipeFlags:
    return BitsString(static_cast<uint32_t>(raw), kOpenBits);
  case FieldKind::kEpollFlags:
    return BitsString(static_cast<uint32_t>(raw), kEpollFlagBits);
  case FieldKind::kEvents:
    return EventMaskString(static_cast<uint32_t>(raw));
  case FieldKind::kCtlOp:
    return CtlOpString(static_cast<int32_t>(value));
  case FieldKind::kEfdFlags:
    return BitsString(static_cast<uint32_t>(raw), kEfdFlagBits);
  case FieldKind::kMsgFlags:
    return BitsString(static_cast<uint32_t>(raw), kMsgBits);
  case FieldKind::kSockType: {
    const auto v = static_cast<uint32_t>(raw);
    std::string type = std::to_string(v & abi::kSockTypeMask);
    for (const NamedBit& t : kSockTypes) {
      if (t.bit == (v & abi::kSockTypeMask))
        type = t.name;
    }
    const uint32_t flags = v & ~abi::kSockTypeMask;
    return flags == 0 ? type : type + "|" + BitsString(flags, kSockFlagBits);
  }
  case FieldKind::kShutHow:
    return ValueString(static_cast<int32_t>(value), kShutHows);
  case FieldKind::kSockOpt:
    return ValueString(static_cast<int32_t>(value), kSockOpts);
  case FieldKind::kData:
  case FieldKind::kFdSet: {
    char buf[24];
    std::snprintf(buf, sizeof buf, "0x%llx",
                  static_cast<unsigned long long>(raw));
    return buf;
  }
  case FieldKind::kUserBuf:
    return UserBufString(static_cast<uint32_t>(raw));
  case FieldKind::kOpenKind:
    return ValueString(static_cast<int32_t>(value), kOpenKinds);
  case FieldKind::kExpire:
    return ValueString(static_cast<int32_t>(value), kExpires);
  case FieldKind::kWhence:
    return ValueString(static_cast<int32_t>(value), kWhences);
  case FieldKind::kIoctlCmd:
    return IoctlCmdString(static_cast<uint32_t>(raw));
  case FieldKind::kSignal:
    return SignalString(static_cast<int32_t>(value));
  case FieldKind::kSigMask:
    return SigMaskString(raw);
  case FieldKind::kFd:
  case FieldKind::kInt:
  case FieldKind::kCount:
  case FieldKind::kFlag:
  case FieldKind::kTimeoutMs:
    return std::to_string(value);
  }
  return "?";
}

namespace {

std::string_view StripPrefix(std::string_view s, std::string_view prefix) {
  if (s.substr(0, prefix.size()) == prefix)
    s.remove_prefix(prefix.size());
  return s;
}

// A plain number: decimal (optionally negative) or 0x-prefixed hex, as a
// 64-bit pattern (negative numbers two's complement).
std::optional<uint64_t> ParseNumber(std::string_view s) {
  if (s.empty())
    return std::nullopt;
  bool negative = false;
  if (s[0] == '-') {
    negative = true;
    s.remove_prefix(1);
  }
  int base = 10;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
    s.remove_prefix(2);
  }
  if (s.empty())
    return std::nullopt;
  uint64_t value = 0;
  const auto [end, ec] =
      std::from_chars(s.data(), s.data() + s.size(), value, base);
  if (ec != std::errc() || end != s.data() + s.size())
    return std::nullopt;
  if (negative) {
    if (value > (uint64_t{1} << 63))
      return std::nullopt;
    value = ~value + 1;
  }
  return value;
}

// "A|B|0x10" over a bit table; a name may carry the table's C prefix.
template <size_t N>
std::optional<uint64_t> ParseBits(std::string_view s,
                                  const NamedBit (&table)[N],
                                  std::string_view c_prefix) {
  uint64_t mask = 0;
  while (true) {
    const size_t bar = s.find('|');
    std::string_view part = s.substr(0, bar);
    while (!part.empty() && part.front() == ' ')
      part.remove_prefix(1);
    while (!part.empty() && part.back() == ' ')
      part.remove_suffix(1);
    bool found = false;
    for (const NamedBit& b : table) {
      if (part == b.name ||
          (!c_prefix.empty() && StripPrefix(part, c_prefix) == b.name &&
           part.size() > c_prefix.size())) {
        mask |= b.bit;
        found = true;
        break;
      }
    }
    if (!found) {
      const std::optional<uint64_t> n = ParseNumber(part);
      if (!n || *n > UINT32_MAX)
        return std::nullopt;
      mask |= *n;
    }
    if (bar == std::string_view::npos)
      return mask;
    s.remove_prefix(bar + 1);
  }
}

// A signal: a name of kSignalNames (SIG prefix optional), SIG<n>, or a
// number.
std::optional<int64_t> ParseSignal(std::string_view s) {
  for (const NamedValue& v : kSignalNames) {
    if (s == v.name || (StripPrefix(s, "SIG") == v.name && s.size() > 3))
      return v.value;
  }
  if (s.size() > 3 && s.substr(0, 3) == "SIG") {
    const std::optional<uint64_t> n = ParseNumber(s.substr(3));
    if (!n || *n == 0 || *n > 64)
      return std::nullopt;
    return static_cast<int64_t>(*n);
  }
  const std::optional<uint64_t> n = ParseNumber(s);
  if (!n)
    return std::nullopt;
  const auto v = static_cast<int64_t>(*n);
  if (v < INT32_MIN || v > INT32_MAX)
    return std::nullopt;
  return v;
}

// "USR1|SIG40|0x100": signals (as ParseSignal, 1 to 64) and raw bits.
std::optional<uint64_t> ParseSigMask(std::string_view s) {
  uint64_t mask = 0;
  while (true) {
    const size_t bar = s.find('|');
    std::string_view part = s.substr(0, bar);
    while (!part.empty() && part.front() == ' ')
      part.remove_prefix(1);
    while (!part.empty() && part.back() == ' ')
      part.remove_suffix(1);
    if (!part.empty() && (part[0] < '0' || part[0] > '9')) {
      const std::optional<int64_t> sig = ParseSignal(part);
      if (!sig || *sig < 1 || *sig > 64)
        return std::nullopt;
      mask |= SigBit(static_cast<int32_t>(*sig));
    } else {
      const std::optional<uint64_t> n = ParseNumber(part);
      if (!n)
        return std::nullopt;
      mask |= *n;
    }
    if (bar == std::string_view::npos)
      return mask;
    s.remove_prefix(bar + 1);
  }
}

}  // namespace

std::optional<uint64_t> ParseFieldString(FieldKind kind,
                                         std::string_view text) {
  switch (kind) {
  case FieldKind::kPipeFlags:
    return ParseBits(text, kOpenBits, "");
  case FieldKind::kEpollFlags:
    return ParseBits(text, kEpollFlagBits, "");
  case FieldKind::kEvents:
    return ParseBits(text, kEventBits, "EPOLL");
  case FieldKind::kEfdFlags:
    return ParseBits(text, kEfdFlagBits, "");
  case FieldKind::kMsgFlags:
    return ParseBits(text, kMsgBits, "");
  case FieldKind::kSockType: {
    // The type name (or number) first, then '|'-joined flags.
    const size_t bar = text.find('|');
    const std::string_view type = text.substr(0, bar);
    std::optional<uint64_t> value;
    for (const NamedBit& t : kSockTypes) {
      if (type == t.name)
        value = t.bit;
    }
    if (!value)
      value = ParseNumber(type);
    if (!value || *value > UINT32_MAX)
      return std::nullopt;
    if (bar == std::string_view::npos)
      return value;
    const std::optional<uint64_t> flags =
        ParseBits(text.substr(bar + 1), kSockFlagBits, "");
    if (!flags)
      return std::nullopt;
    return *value | *flags;
  }
  case FieldKind::kShutHow:
  case FieldKind::kSockOpt:
  case FieldKind::kOpenKind:
  case FieldKind::kExpire:
  case FieldKind::kWhence: {
    const std::span<const NamedValue> names =
        kind == FieldKind::kShutHow    ? std::span<const NamedValue>(kShutHows)
        : kind == FieldKind::kSockOpt  ? std::span<const NamedValue>(kSockOpts)
        : kind == FieldKind::kOpenKind ? std::span<const NamedValue>(kOpenKinds)
        : kind == FieldKind::kWhence   ? std::span<const NamedValue>(kWhences)
                                       : std::span<const NamedValue>(kExpires);
    for (const NamedValue& v : names) {
      if (text == v.name)
        return static_cast<uint64_t>(static_cast<int64_t>(v.value));
    }
    return ParseNumber(text);
  }
  case FieldKind::kIoctlCmd: {
    for (const auto& [value, name] : kIoctlCmds) {
      if (text == name)
        return value;
    }
    const std::optional<uint64_t> n = ParseNumber(text);
    if (!n || *n > UINT32_MAX)
      return std::nullopt;
    return n;
  }
  case FieldKind::kSignal: {
    const std::optional<int64_t> sig = ParseSignal(text);
    if (!sig)
      return std::nullopt;
    return static_cast<uint64_t>(*sig);
  }
  case FieldKind::kSigMask:
    return ParseSigMask(text);
  case FieldKind::kCtlOp: {
    const std::string_view name = StripPrefix(text, "EPOLL_CTL_");
    if (name == "ADD")
      return abi::kEpollCtlAdd;
    if (name == "DEL")
      return abi::kEpollCtlDel;
    if (name == "MOD")
      return abi::kEpollCtlMod;
    return ParseNumber(text);
  }
  case FieldKind::kUserBuf: {
    for (const NamedValue& v : kUserBufs) {
      if (text == v.name)
        return static_cast<uint64_t>(v.value);
    }
    if (text.substr(0, 4) == "tail") {
      const std::optional<uint64_t> n = ParseNumber(text.substr(4));
      if (!n || *n > 255)
        return std::nullopt;
      return kBufTail + *n;
    }
    return std::nullopt;
  }
  case FieldKind::kFd:
  case FieldKind::kInt:
  case FieldKind::kCount:
  case FieldKind::kData:
  case FieldKind::kFdSet:
  case FieldKind::kFlag:
  case FieldKind::kTimeoutMs:
    return ParseNumber(text);
  }
  return std::nullopt;
}

std::optional<int> ErrnoByName(std::string_view name) {
  for (int err = 1; err < 200; ++err) {
    if (ErrnoName(err) == name)
      return err;
  }
  return std::nullopt;
}

std::string EventMaskString(uint32_t mask) {
  return BitsString(mask, kEventBits);
}

std::string ErrnoName(int err) {
  switch (err) {
  case abi::kEperm:
    return "EPERM";
  case abi::kEnoent:
    return "ENOENT";
  case abi::kEsrch:
    return "ESRCH";
  case abi::kEchild:
    return "ECHILD";
  case abi::kEnxio:
    return "ENXIO";
  case abi::kEbadf:
    return "EBADF";
  case abi::kEagain:
    return "EAGAIN";
  case abi::kEnomem:
    return "ENOMEM";
  case abi::kEfault:
    return "EFAULT";
  case abi::kEbusy:
    return "EBUSY";
  case abi::kEexist:
    return "EEXIST";
  case abi::kEinval:
    return "EINVAL";
  case abi::kEmfile:
    return "EMFILE";
  case abi::kEnospc:
    return "ENOSPC";
  case abi::kEpipe:
    return "EPIPE";
  case abi::kEloop:
    return "ELOOP";
  case abi::kEnosys:
    return "ENOSYS";
  case abi::kEisdir:
    return "EISDIR";
  case abi::kEnotty:
    return "ENOTTY";
  case abi::kEspipe:
    return "ESPIPE";
  case abi::kEnotsock:
    return "ENOTSOCK";
  case abi::kEmsgsize:
    return "EMSGSIZE";
  case abi::kEnoprotoopt:
    return "ENOPROTOOPT";
  case abi::kEprotonosupport:
    return "EPROTONOSUPPORT";
  case abi::kEopnotsupp:
    return "EOPNOTSUPP";
  case abi::kEsocktnosupport:
    return "ESOCKTNOSUPPORT";
  case abi::kEafnosupport:
    return "EAFNOSUPPORT";
  case abi::kEaddrinuse:
    return "EADDRINUSE";
  case abi::kEconnreset:
    return "ECONNRESET";
  case abi::kEisconn:
    return "EISCONN";
  case abi::kEnotconn:
    return "ENOTCONN";
  case abi::kEdestaddrreq:
    return "EDESTADDRREQ";
  case abi::kEconnaborted:
    return "ECONNABORTED";
  case abi::kEalready:
    return "EALREADY";
  case abi::kEinprogress:
    return "EINPROGRESS";
  case abi::kEconnrefused:
    return "ECONNREFUSED";
  default:
    return "E" + std::to_string(err);
  }
}

Returns ReturnsOf(const Op& op) {
  return std::visit(
      [](const auto& o) { return ReturnsOf<std::decay_t<decltype(o)>>(); }, op);
}

uint32_t FamilyOf(const Op& op) {
  return std::visit(
      [](const auto& o) {
        using T = std::decay_t<decltype(o)>;
        uint32_t family = FamilyOf<T>();
        if constexpr (std::is_same_v<T, Send> || std::is_same_v<T, SendTo>) {
          if ((o.flags & abi::kMsgOob) != 0)
            family |= kFamilyUnixOob;
        }
        if constexpr (std::is_same_v<T, InetSocket>) {
          if ((o.type & abi::kSockTypeMask) == abi::kSockDgram)
            family = kFamilyUdp;
        }
        if constexpr (std::is_same_v<T, OpenFile>) {
          if (IsFifoOpenKind(o.kind))
            family = kFamilyFifo;
        }
        return family;
      },
      op);
}

namespace {
constexpr std::pair<uint32_t, std::string_view> kFamilyNames[] = {
    {kFamilyPipe, "pipe"},         {kFamilyEpoll, "epoll"},
    {kFamilyEventfd, "eventfd"},   {kFamilyUnix, "unix"},
    {kFamilyUnixAddr, "unixaddr"}, {kFamilyPoll, "poll"},
    {kFamilyUnixOob, "unixoob"},   {kFamilyTcp, "tcp"},
    {kFamilyUdp, "udp"},           {kFamilyFile, "file"},
    {kFamilyFifo, "fifo"},         {kFamilyTimerfd, "timerfd"},
    {kFamilySignal, "signal"},     {kFamilyFork, "fork"},
};
}  // namespace

std::string FamiliesString(uint32_t families) {
  std::string out;
  for (const auto& [bit, name] : kFamilyNames) {
    if ((families & bit) != 0)
      out += (out.empty() ? "" : ",") + std::string(name);
  }
  return out;
}

std::optional<uint32_t> ParseFamilies(std::string_view text,
                                      std::string* unknown) {
  uint32_t bits = 0;
  while (!text.empty()) {
    const size_t comma = text.find(',');
    const std::string_view word = text.substr(0, comma);
    bool found = false;
    for (const auto& [bit, name] : kFamilyNames) {
      if (word == name) {
        bits |= bit;
        found = true;
      }
    }
    if (!found) {
      if (unknown != nullptr)
        *unknown = std::string(word);
      return std::nullopt;
    }
    if (comma == std::string_view::npos)
      break;
    text.remove_prefix(comma + 1);
  }
  return bits;
}

std::string_view HandlePrefix(const Op& op) {
  return std::visit(
      [](const auto& o) -> std::string_view {
        using T = std::decay_t<decltype(o)>;
        if constexpr (requires { T::kHandle; })
          return T::kHandle;
        else
          return "";
      },
      op);
}

const std::string_view* PairEnds(const Op& op) {
  return std::visit(
      [](const auto& o) -> const std::string_view* {
        using T = std::decay_t<decltype(o)>;
        if constexpr (requires { T::kEnds; })
          return T::kEnds;
        else
          return nullptr;
      },
      op);
}

std::string_view OpName(const Op& op) {
  return std::visit(
      [](const auto& o) { return std::decay_t<decltype(o)>::kName; }, op);
}

void PrintOp(std::ostream& os, const Op& op,
             const std::function<std::string(std::string_view field,
                                             int32_t fd)>& fd_name) {
  std::visit(
      [&](const auto& o) {
        using T = std::decay_t<decltype(o)>;
        os << T::kName << '(';
        bool first = true;
        T::Fields(
            o, [&](std::string_view name, FieldKind kind, const auto& field) {
              using F = std::decay_t<decltype(field)>;
              static_assert(std::is_integral_v<F>);
              const auto raw = static_cast<uint64_t>(field);
              const auto value = static_cast<int64_t>(field);
              const bool optional = IsOptionalField(kind);
              if (optional && value == 0)
                return;  // optional fields are written only when set
              if (!first)
                os << ", ";
              first = false;
              if (optional)
                os << name << '=';
              if (kind == FieldKind::kFd && fd_name) {
                os << fd_name(name, static_cast<int32_t>(field));
              } else {
                os << FieldString(kind, raw, value);
              }
            });
        os << ')';
      },
      op);
}

std::ostream& operator<<(std::ostream& os, const Op& op) {
  PrintOp(os, op, nullptr);
  return os;
}

std::ostream& operator<<(std::ostream& os, const ReadyEvent& event) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx",
                static_cast<unsigned long long>(event.data));
  return os << '{' << EventMaskString(event.events) << ", " << buf << '}';
}

std::ostream& operator<<(std::ostream& os, const Outcome& outcome) {
  if (outcome.IsError())
    return os << "-1 " << ErrnoName(outcome.Errno());
  os << outcome.ret;
  if (!outcome.fds.empty()) {
    os << " fds=[";
    for (size_t i = 0; i < outcome.fds.size(); ++i) {
      os << (i ? "," : "") << outcome.fds[i];
    }
    os << ']';
  }
  if (!outcome.sets.empty()) {
    os << " sets=[";
    for (size_t i = 0; i < outcome.sets.size(); ++i) {
      char buf[24];
      std::snprintf(buf, sizeof buf, "0x%llx",
                    static_cast<unsigned long long>(outcome.sets[i]));
      os << (i ? "," : "") << buf;
    }
    os << ']';
  }
  if (outcome.value) {
    char buf[32];
    if (*outcome.value <= UINT32_MAX) {
      std::snprintf(buf, sizeof buf, "%llu",
                    static_cast<unsigned long long>(*outcome.value));
    } else {
      std::snprintf(buf, sizeof buf, "0x%llx",
                    static_cast<unsigned long long>(*outcome.value));
    }
    os << " value=" << buf;
  }
  if (!outcome.events.empty()) {
    os << " [";
    for (size_t i = 0; i < outcome.events.size(); ++i) {
      os << (i ? ", " : "") << outcome.events[i];
    }
    os << ']';
  }
  return os;
}

Profile ProfileForKernel(int major, int minor) {
  const auto at_least = [&](int ma, int mi) {
    return major > ma || (major == ma && minor >= mi);
  };
  Profile p;
  p.name = std::to_string(major) + "." + std::to_string(minor);
  p.wait_checks_fd_first = at_least(6, 15);
  p.pipe_read_wakes_only_if_unfull = at_least(6, 14);
  p.loop_check_counts_upward_depth = at_least(6, 17);
  p.has_epoll_pwait2 = at_least(5, 11);
  p.eventfd_write_exact = at_least(6, 9);
  p.pidfs = at_least(6, 9);
  p.anon_inode_lseek = at_least(6, 0);
  p.tcp_listen_refuses_syn_sent = at_least(6, 13);
  p.tcp_connect_refuses_former_listener = at_least(6, 13);
  p.pidfd_ioctl = at_least(6, 14)   ? PidfdIoctl::kEnotty
                  : at_least(6, 13) ? PidfdIoctl::kTaskFirst
                  : at_least(6, 11) ? PidfdIoctl::kArgFirst
                                    : PidfdIoctl::kEnotty;
  p.unix_dgram_send_allocates_first = at_least(6, 13);
  p.unix_oob = at_least(5, 15);
  // Without MSG_OOB the manage_oob era is moot: the setter's value.
  p.unix_oob_skips_consumed = at_least(6, 10) || !p.unix_oob;
  p.unix_oob_peek_past_mark = at_least(6, 9) || !p.unix_oob;
  p.unix_release_skips_empty_skb = at_least(6, 16);
  p.unix_oob_zero_recv_returns_zero = at_least(7, 0) && p.unix_oob;
  p.epoll_ioctl =
      at_least(6, 9) ? EpollIoctlMode::kBusyPoll : EpollIoctlMode::kEnotty;
  if (at_least(5, 14)) {
    p.pipe_write_wake = PipeWriteWake::kIfWasEmptyOrPolled;
  } else if (at_least(5, 5)) {
    p.pipe_write_wake = PipeWriteWake::kIfWasEmpty;
  } else {
    p.pipe_write_wake = PipeWriteWake::kEveryWrite;
  }
  return p;
}

bool SameEraBehaviour(const Profile& a, const Profile& b) {
  for (const EraFeature& f : EraFeatures()) {
    if (f.get(a) != f.get(b))
      return false;
  }
  return true;
}

namespace internal {
namespace {
thread_local CheckFailureHandler check_failure_handler = nullptr;
}  // namespace

void SetThreadCheckFailureHandler(CheckFailureHandler handler) {
  check_failure_handler = handler;
}

void CheckFailed(const char* file, int line, const char* expr) {
  const std::string message = std::string(file) + ":" + std::to_string(line) +
                              ": EP_CHECK failed: " + expr;
  if (check_failure_handler != nullptr)
    check_failure_handler(message);  // does not return
  std::fprintf(stderr, "%s\n", message.c_str());
  std::abort();
}
}  // namespace internal

}  // namespace epollcheck

namespace epollcheck {

std::ostream& operator<<(std::ostream& os, const World& world) {
  // Files are named by kind and id: pipe#4.r, epoll#3.
  const auto name = [&](FileId id) {
    const File& f = world.files.at(id);
    switch (f.kind) {
    case FileKind::kPipeRead:
      return (f.fifo ? "fifo#" : "pipe#") + std::to_string(f.pipe) + ".r";
    case FileKind::kPipeWrite:
      return (f.fifo ? "fifo#" : "pipe#") + std::to_string(f.pipe) + ".w";
    case FileKind::kPipeRdwr:
      return "fifo#" + std::to_string(f.pipe) + ".rw";
    case FileKind::kEpoll:
      return "epoll#" + std::to_string(id);
    case FileKind::kEventfd:
      return "eventfd#" + std::to_string(id);
    case FileKind::kTimerfd:
      return "timerfd#" + std::to_string(id);
    case FileKind::kSignalfd:
      return "signalfd#" + std::to_string(id);
    case FileKind::kPidfd:
      return "pidfd#" + std::to_string(id) + "@proc#" + std::to_string(f.proc);
    case FileKind::kUnixSocket:
      return "unix#" + std::to_string(f.sock);
    case FileKind::kInetSocket:
      return std::string(world.inet_socks.at(f.sock).tcp ? "tcp#" : "udp#") +
             std::to_string(f.sock);
    case FileKind::kRegular:
      return "file#" + std::to_string(id) + "@" + std::to_string(f.pos);
    case FileKind::kDirectory:
      return "dir#" + std::to_string(id);
    case FileKind::kDevNull:
      return "null#" + std::to_string(id);
    case FileKind::kPath:
      return "opath#" + std::to_string(id);
    }
    return std::string("?");
  };
  os << "  fds:";
  for (const auto& [fd, id] : world.fd_table)
    os << ' ' << fd << '=' << name(id);
  if (world.nofile)
    os << "\n  RLIMIT_NOFILE " << *world.nofile;
  os << '\n';
  for (const auto& [id, proc] : world.procs) {
    static constexpr const char* kStates[] = {"running", "zombie", "reaped"};
    os << "  proc#" << id << ": " << kStates[static_cast<int>(proc.state)];
    if (!proc.fd_table.empty()) {
      os << ", fds:";
      for (const auto& [fd, file] : proc.fd_table)
        os << ' ' << fd << '=' << name(file);
    }
    os << '\n';
  }
  for (const auto& [id, pipe] : world.pipes) {
    uint64_t bytes = 0;
    for (const PipeSlot& slot : pipe.slots)
      bytes += slot.len;
    os << "  pipe#" << id << ": " << bytes << " bytes in " << pipe.slots.size()
       << '/' << pipe.max_usage << " slots, readers " << pipe.readers
       << ", writers " << pipe.writers << (pipe.poll_usage ? ", polled" : "")
       << '\n';
  }
  for (const auto& [id, file] : world.files) {
    if (file.eventfd) {
      os << "  " << name(id) << ": count " << file.eventfd->count
         << (file.eventfd->semaphore ? ", semaphore" : "") << '\n';
    }
    if (file.timerfd) {
      os << "  " << name(id) << ": clock " << file.timerfd->clockid
         << ", ticks " << file.timerfd->ticks << '\n';
    }
    if (file.kind == FileKind::kSignalfd)
      os << "  " << name(id) << ": mask " << SigMaskString(file.sigmask)
         << '\n';
  }
  if (!world.pending.empty()) {
    os << "  pending signals:";
    for (const auto& [sig, count] : world.pending) {
      os << ' ' << SignalString(sig);
      if (count > 1)
        os << 'x' << count;
    }
    os << '\n';
  }
  for (const auto& [id, sock] : world.socks) {
    if (sock.dead && sock.wmem == 0 && sock.receive_queue.empty())
      continue;
    static constexpr const char* kTypes[] = {"?", "stream", "dgram",
                                             "?", "?",      "seqpacket"};
    uint64_t queued = 0;
    for (const Skb& skb : sock.receive_queue)
      queued += skb.len - skb.consumed;
    os << "  unix#" << id << ": " << kTypes[sock.type < 6 ? sock.type : 0]
       << (sock.dead ? " (released)" : "") << ", peer "
       << (sock.peer != 0 ? "unix#" + std::to_string(sock.peer) : "none")
       << ", shutdown " << int{sock.shutdown} << ", err " << sock.err << ", "
       << sock.receive_queue.size() << " skbs/" << queued << " bytes queued"
       << ", wmem " << sock.wmem << '/' << sock.sndbuf << '\n';
  }
  for (const auto& [id, s] : world.inet_socks) {
    static constexpr const char* kStates[] = {"CLOSE",     "LISTEN",
                                              "SYN_SENT",  "ESTABLISHED",
                                              "FIN_WAIT2", "CLOSE_WAIT"};
    os << "  " << (s.tcp ? "tcp#" : "udp#") << id << ": "
       << kStates[static_cast<int>(s.state)] << (s.dead ? " (closed)" : "")
       << ", name " << s.name << ", peer " << s.peer << ", shutdown "
       << int{s.shutdown} << ", err " << s.err << ", unread " << s.unread
       << ", urg " << int{s.urg} << '@' << s.urg_offset << ", "
       << s.accept_queue.size() << " to accept, " << s.datagrams.size()
       << " datagrams\n";
  }
  for (const auto& [id, file] : world.files) {
    if (!file.epoll)
      continue;
    os << "  " << name(id) << ": items";
    if (file.epoll->items.empty())
      os << " none";
    for (const auto& [key, item] : file.epoll->items) {
      const bool ghost = world.FileIdAt(key.fd) != key.file;
      os << " {" << name(key.file) << " fd " << key.fd
         << (ghost ? " (ghost)" : "") << ", " << EventMaskString(item.events)
         << ", 0x" << std::hex << item.data << std::dec << '}';
    }
    os << "; ready list [";
    for (size_t i = 0; i < file.epoll->ready_list.size(); ++i) {
      const ItemKey& key = file.epoll->ready_list[i];
      os << (i ? ", " : "") << name(key.file) << " fd " << key.fd;
    }
    os << "]\n";
  }
  return os;
}

}  // namespace epollcheck
