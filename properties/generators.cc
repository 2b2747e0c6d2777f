#include "properties/generators.h"

#include <algorithm>
#include <array>
#include <climits>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>
#include <vector>

#include "model/abi.h"
#include "model/step.h"
#include "properties/focus.h"

namespace epollcheck {
namespace {

using rc::Gen;
using rc::Shrinkable;
namespace gen = rc::gen;

// An integer in [min, max) drawn from the whole range at every size
// (gen::inRange scales the range with the size: at size 10 it only draws
// from the first tenth), shrinking towards min.
template <class T> Gen<T> UnsizedInRange(T min, T max) {
  return gen::resize(rc::kNominalSize, gen::inRange<T>(min, max));
}

// gen::weightedOneOf over a list built at run time (RapidCheck's takes only
// an initializer_list). Every choice is reachable at every size, like
// RapidCheck's own; shrinks towards the first choice.
template <class T>
Gen<T> WeightedOneOf(std::vector<std::pair<uint32_t, Gen<T>>> choices) {
  uint32_t total = 0;
  for (const auto& c : choices)
    total += c.first;
  return gen::mapcat(UnsizedInRange<uint32_t>(0, total),
                     [choices = std::move(choices)](uint32_t ticket) {
                       for (const auto& [weight, g] : choices) {
                         if (ticket < weight)
                           return g;
                         ticket -= weight;
                       }
                       return choices.back().second;
                     });
}

// gen::element over values of one type (spelled without forwarding refs).
template <class T> Gen<T> OneOf(std::initializer_list<T> values) {
  return gen::elementOf(std::vector<T>(values));
}

template <class T> constexpr size_t IndexOf() {
  static_assert(
      (std::variant_size_v<Op> >
       0)&&[]<size_t... I>(std::index_sequence<I...>) {
        return (std::is_same_v<T, std::variant_alternative_t<I, Op>> || ...);
      }(std::make_index_sequence<kOpKinds>{}),
      "not an alternative of Op");
  size_t index = 0;
  [&]<size_t... I>(std::index_sequence<I...>) {
    ((std::is_same_v<T, std::variant_alternative_t<I, Op>> ? (index = I) : 0),
     ...);
  }
  (std::make_index_sequence<kOpKinds>{});
  return index;
}

// Every kind of Op, in the order GenOp offers them (the order fixes which
// sequence a seed draws). A kind missing here, or listed twice, does not
// compile; neither does one GenOp's chain does not handle.
template <class... T> struct OpList {};
using GenOrder =
    OpList<Pipe2, EpollCreate, EpollCreate1, Dup, EpollCtl, EpollWait, Write,
           Read, Close, Dup2, SetPipeSize, GetPipeSize, ListFds, Eventfd,
           EventfdWrite, EventfdRead, Socketpair, Send, Recv, Shutdown,
           SetSockOpt, GetSockOpt, UnixSocket, Bind, Listen, Connect, Accept4,
           SendTo, Poll, PPoll, Select, PSelect, InetSocket, EpollPwait,
           EpollPwait2, OpenFile, TimerfdCreate, TimerfdSettime, EpollIoctl,
           Lseek, GetFl, SetFl, SetRlimitNofile, Signalfd, SignalfdRead, Tgkill,
           Sigpending, Sigtimedwait, Fork, ChildClose, ChildExit, Reap,
           PidfdOpen>;
template <class... T> constexpr bool ListsEveryOpOnce(OpList<T...>) {
  if (sizeof...(T) != kOpKinds)
    return false;
  std::array<int, kOpKinds> seen{};
  ((++seen[IndexOf<T>()]), ...);
  for (int n : seen) {
    if (n != 1)
      return false;
  }
  return true;
}
static_assert(ListsEveryOpOnce(GenOrder{}),
              "GenOrder must list every alternative of Op exactly once");

std::vector<int32_t> OpenFdsWhere(const World& w, bool (*pred)(const File&)) {
  std::vector<int32_t> out;
  for (const auto& [fd, id] : w.fd_table) {
    if (pred(w.files.at(id)))
      out.push_back(fd);
  }
  return out;
}

bool AnyFile(const File&) { return true; }
bool IsEpoll(const File& f) { return f.kind == FileKind::kEpoll; }
bool IsPipe(const File& f) { return IsPipeKind(f.kind); }
bool IsEventfd(const File& f) { return f.kind == FileKind::kEventfd; }
bool IsTimerfd(const File& f) { return f.kind == FileKind::kTimerfd; }
bool IsSignalfd(const File& f) { return f.kind == FileKind::kSignalfd; }
// A read of a blocking signalfd with nothing of its mask pending would
// sleep.
bool SignalfdReadSleeps(const World& w, const File& f, uint32_t count) {
  if (!IsSignalfd(f) || count < 128 || (f.flags & abi::kONonblock) != 0)
    return false;
  for (const auto& [sig, n] : w.pending) {
    if (n > 0 && (f.sigmask & SigBit(sig)) != 0)
      return false;
  }
  return true;
}
bool IsPidfd(const File& f) { return f.kind == FileKind::kPidfd; }
// fcntl's targets: the epoll file, and O_PATH descriptors (which F_GETFL
// takes and F_SETFL refuses).
bool IsEpollOrPath(const File& f) {
  return f.kind == FileKind::kEpoll || f.kind == FileKind::kPath;
}
bool IsPath(const File& f) { return f.kind == FileKind::kPath; }
bool IsSocket(const File& f) {
  return f.kind == FileKind::kUnixSocket || f.kind == FileKind::kInetSocket;
}
bool IsInet(const File& f) { return f.kind == FileKind::kInetSocket; }
// What epoll_ctl mostly targets: any file but an epoll.
bool IsWatchable(const File& f) { return f.kind != FileKind::kEpoll; }
// Files without ->poll and O_PATH descriptors (open_file).
bool IsPlainFile(const File& f) {
  return f.kind == FileKind::kRegular || f.kind == FileKind::kDirectory ||
         f.kind == FileKind::kDevNull || f.kind == FileKind::kPath;
}
bool IsWriteTarget(const File& f) {
  return PipeWrites(f.kind) || IsEventfd(f) || IsSocket(f) || IsPlainFile(f) ||
         IsTimerfd(f) || IsSignalfd(f) || IsPidfd(f);
}
bool IsReadTarget(const File& f) {
  return PipeReads(f.kind) || IsEventfd(f) || IsSocket(f) || IsPlainFile(f) ||
         IsTimerfd(f) || IsSignalfd(f) || IsPidfd(f);
}
bool IsCounterFile(const File& f) { return IsEventfd(f) || IsTimerfd(f); }

// A number that is not open (small, so it may be reused by a later open;
// the one above the highest when 0..11 are all open).
Gen<int32_t> GenClosedFd(const World& w) {
  std::vector<int32_t> closed;
  for (int32_t fd = 0; fd < 12; ++fd) {
    if (!w.IsOpen(fd))
      closed.push_back(fd);
  }
  if (closed.empty())
    closed.push_back(w.fd_table.rbegin()->first + 1);
  return gen::elementOf(closed);
}

// Mostly a descriptor matching `pred`, sometimes any open one, a closed
// number, -1 or a huge number.
Gen<int32_t> GenFd(const World& w, bool (*pred)(const File&)) {
  const std::vector<int32_t> good = OpenFdsWhere(w, pred);
  const std::vector<int32_t> any = OpenFdsWhere(w, AnyFile);
  std::vector<std::pair<uint32_t, Gen<int32_t>>> choices;
  if (!good.empty())
    choices.emplace_back(40, gen::elementOf(good));
  if (!any.empty())
    choices.emplace_back(4, gen::elementOf(any));
  choices.emplace_back(1, GenClosedFd(w));
  choices.emplace_back(1, OneOf<int32_t>({-1, 1000000}));
  return WeightedOneOf(std::move(choices));
}

// A user-memory operand (UserBuf): mostly a good buffer; NULL, unmapped,
// read-only, kernel and cut-off ones for the copy rules.
Gen<uint32_t> GenUserBuf() {
  return gen::weightedOneOf<uint32_t>(
      {{40, gen::just<uint32_t>(kBufGood)},
       {1, OneOf<uint32_t>({kBufNull, kBufUnmapped, kBufReadOnly, kBufKernel})},
       {2, gen::map(UnsizedInRange<uint32_t>(0, 4),
                    [](uint32_t n) { return kBufTail + n; })}});
}

// epoll_wait's maxevents: the usual, small ones, and the limits.
Gen<int32_t> GenMaxEvents() {
  return gen::weightedOneOf<int32_t>(
      {{14, gen::just(64)},
       {12, OneOf<int32_t>({1, 2, 3})},
       {3, OneOf<int32_t>({0, -1, abi::kEpMaxEvents, abi::kEpMaxEvents + 1})}});
}

// A wait's timeout: mostly none; 100 ms only stays in a sequence where the
// model predicts the call returns at once (Admissible). Never -1: a SUT that
// diverges there would never return (and in-process runners have no hang
// watchdog); a diverging SUT returns 0 after 100 ms instead.
Gen<int32_t> GenWaitTimeout() {
  return gen::weightedElement<int32_t>({{30, 0}, {2, 100}});
}

// A pwait sigmask size: -1 (a NULL sigmask), 8, or a wrong one.
Gen<int32_t> GenSigsetSize() {
  return gen::weightedElement<int32_t>({{4, -1}, {4, 8}, {1, 4}, {1, 16}});
}

Gen<uint32_t> GenEvents() {
  using namespace abi;
  const Gen<uint32_t> base = OneOf<uint32_t>(
      {kEpollIn, kEpollOut, kEpollIn | kEpollOut, kEpollRdNorm, kEpollWrNorm,
       kEpollIn | kEpollRdNorm | kEpollOut | kEpollWrNorm, 0u, kEpollPri,
       kEpollIn | kEpollPri | kEpollOut | kEpollRdNorm | kEpollRdBand |
           kEpollWrNorm | kEpollWrBand | kEpollMsg | kEpollRdHup});
  const Gen<uint32_t> mode =
      gen::weightedElement<uint32_t>({{6, 0u},
                                      {6, kEpollEt},
                                      {3, kEpollOneShot},
                                      {2, kEpollEt | kEpollOneShot},
                                      {1, kEpollExclusive},
                                      {1, kEpollWakeup}});
  // Any subset of every defined bit plus unknown ones (bits 11, 20, 27).
  const Gen<uint32_t> raw = gen::map(
      gen::container<std::vector<uint32_t>>(OneOf<uint32_t>(
          {kEpollIn, kEpollPri, kEpollOut, kEpollErr, kEpollHup, kEpollNval,
           kEpollRdNorm, kEpollRdBand, kEpollWrNorm, kEpollWrBand, kEpollMsg,
           kEpollRdHup, kEpollUringWake, kEpollExclusive, kEpollWakeup,
           kEpollOneShot, kEpollEt, 1u << 11, 1u << 20})),
      [](const std::vector<uint32_t>& bits) {
        uint32_t m = 0;
        for (uint32_t b : bits)
          m |= b;
        return m;
      });
  return gen::weightedOneOf<uint32_t>(
      {{8,
        gen::apply([](uint32_t b, uint32_t m) { return b | m; }, base, mode)},
       {2, raw}});
}

Gen<uint64_t> GenData() {
  return gen::weightedOneOf<uint64_t>(
      {{6, gen::inRange<uint64_t>(0, 64)},
       {1, OneOf<uint64_t>({0xffffffffffffffffull, 0x8000000000000001ull,
                            0xdeadbeefcafef00dull})},
       {1, gen::arbitrary<uint64_t>()}});
}

// Byte counts around the page and capacity boundaries.
Gen<uint32_t> GenCount() {
  return gen::weightedOneOf<uint32_t>(
      {{6, OneOf<uint32_t>({1, 2, 7, 100, 512, 1000})},
       {4, OneOf<uint32_t>({4095, 4096, 4097, 8191, 8192, 5000, 12288})},
       {2, OneOf<uint32_t>(
               {65535, 65536, 65537, 69632, 1u << 20, kMaxGeneratedIo})},
       {2, gen::inRange<uint32_t>(1, 70000)},
       {1, gen::just<uint32_t>(0)}});
}

// Socket payload sizes around the skb truesize steps (kmalloc buckets, the
// page-frag switch at 3776, SKB_MAX_ALLOC 16064, the 36544-byte stream skb)
// and the buffer thresholds.
Gen<uint32_t> GenSockCount() {
  return gen::weightedOneOf<uint32_t>(
      {{8, OneOf<uint32_t>({1, 2, 100, 192, 193, 512, 1000})},
       {4, OneOf<uint32_t>({3776, 3777, 4096, 8192, 16064, 16065, 20000})},
       {2, OneOf<uint32_t>({36544, 36545, 53000, 65536, kMaxSocketIo})},
       {2, gen::inRange<uint32_t>(1, kMaxSocketIo)},
       {1, gen::just<uint32_t>(0)}});
}

// A poll() entry's descriptor: mostly open, sometimes closed (POLLNVAL) or
// negative (ignored).
Gen<int32_t> GenPollFd(const World& w) {
  const std::vector<int32_t> any = OpenFdsWhere(w, AnyFile);
  std::vector<std::pair<uint32_t, Gen<int32_t>>> choices;
  if (!any.empty())
    choices.emplace_back(12, gen::elementOf(any));
  choices.emplace_back(1, GenClosedFd(w));
  choices.emplace_back(1, gen::just<int32_t>(-1));
  return WeightedOneOf(std::move(choices));
}

Gen<uint32_t> GenPollEvents() {
  using namespace abi;
  return OneOf<uint32_t>({kEpollIn, kEpollOut, kEpollIn | kEpollOut, kEpollPri,
                          kEpollIn | kEpollRdHup,
                          kEpollIn | kEpollPri | kEpollOut | kEpollRdNorm |
                              kEpollRdBand | kEpollWrNorm | kEpollWrBand |
                              kEpollRdHup,
                          0u, kEpollIn | 0x10000u});
}

// A select() set: a few open descriptors below 64, sometimes a closed one.
Gen<uint64_t> GenFdSet(const World& w) {
  std::vector<int32_t> low;
  for (const auto& [fd, id] : w.fd_table) {
    if (fd < 64)
      low.push_back(fd);
  }
  const auto to_bits = [](const std::vector<int32_t>& fds) {
    uint64_t bits = 0;
    for (int32_t fd : fds)
      bits |= uint64_t{1} << fd;
    return bits;
  };
  std::vector<std::pair<uint32_t, Gen<uint64_t>>> choices;
  choices.emplace_back(2, gen::just<uint64_t>(0));
  if (!low.empty()) {
    choices.emplace_back(
        8, gen::map(gen::container<std::vector<int32_t>>(gen::elementOf(low)),
                    to_bits));
  }
  // A closed number past 63 does not fit the 64-bit set: the empty set then.
  choices.emplace_back(1, gen::map(GenClosedFd(w), [](int32_t fd) -> uint64_t {
                         return fd < 64 ? uint64_t{1} << fd : 0;
                       }));
  return WeightedOneOf(std::move(choices));
}

// Abstract names: a few, so binds collide and connects find them.
Gen<int32_t> GenName() {
  return gen::weightedElement<int32_t>({{8, 0}, {6, 1}, {3, 2}, {1, -1}});
}

// Open socket descriptors whose socket satisfies `pred`.
template <class Pred>
std::vector<int32_t> SocketFdsWhere(const World& w, Pred&& pred) {
  std::vector<int32_t> out;
  for (const auto& [fd, id] : w.fd_table) {
    const File& f = w.files.at(id);
    if (f.kind == FileKind::kUnixSocket && pred(w.socks.at(f.sock)))
      out.push_back(fd);
  }
  return out;
}

// Open AF_INET socket descriptors whose socket satisfies `pred`.
template <class Pred>
std::vector<int32_t> InetFdsWhere(const World& w, Pred&& pred) {
  std::vector<int32_t> out;
  for (const auto& [fd, id] : w.fd_table) {
    const File& f = w.files.at(id);
    if (f.kind == FileKind::kInetSocket && pred(w.inet_socks.at(f.sock)))
      out.push_back(fd);
  }
  return out;
}

// The socket that holds AF_INET name `name` now (0: none). Accepted sockets
// share their listener's port; the listener (or the name's first binder) is
// the one returned when it still holds it.
SockId InetHolder(const World& w, bool tcp, int32_t name) {
  SockId holder = 0;
  for (const auto& [id, s] : w.inet_socks) {
    if (s.tcp == tcp && s.name == name && !s.dead &&
        (holder == 0 || s.state == TcpState::kListen)) {
      holder = id;
    }
  }
  return holder;
}

// TCP payloads stay far from window and receive-buffer limits (see
// Admissible), UDP payloads far from the receive buffer; EMSGSIZE bounds.
Gen<uint32_t> GenInetCount() {
  return gen::weightedOneOf<uint32_t>(
      {{8, OneOf<uint32_t>({1, 2, 7, 100, 512, 1000})},
       {3, OneOf<uint32_t>({1448, 2048, 4095, 4096})},
       {1, OneOf<uint32_t>({65508, 65536})},
       {1, gen::just<uint32_t>(0)}});
}

// Send sizes for the socket at `fd`, given the open AF_INET descriptors.
Gen<uint32_t> GenSendCount(const std::vector<int32_t>& inet_fds, int32_t fd) {
  return std::find(inet_fds.begin(), inet_fds.end(), fd) != inet_fds.end()
             ? GenInetCount()
             : GenSockCount();
}

std::vector<int32_t> Concat(std::vector<int32_t> a,
                            const std::vector<int32_t>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// Sockets data can move on: AF_UNIX ones (socketpair ends and connected
// sockets mostly), TCP connections, UDP sockets with a name or a peer.
std::vector<int32_t> DataFds(const World& w) {
  std::vector<int32_t> out;
  for (const auto& [fd, id] : w.fd_table) {
    const File& f = w.files.at(id);
    if (f.kind == FileKind::kUnixSocket) {
      out.push_back(fd);
    } else if (f.kind == FileKind::kInetSocket) {
      const InetSock& s = w.inet_socks.at(f.sock);
      if (s.state == TcpState::kEstablished ||
          s.state == TcpState::kCloseWait || (!s.tcp && s.name >= 0)) {
        out.push_back(fd);
      }
    }
  }
  return out;
}

// Mostly one of `preferred` (when there are any), else GenFd(IsSocket).
Gen<int32_t> PreferFds(const World& w, std::vector<int32_t> preferred) {
  if (preferred.empty())
    return GenFd(w, IsSocket);
  return WeightedOneOf<int32_t>(
      {{6, gen::elementOf(std::move(preferred))}, {2, GenFd(w, IsSocket)}});
}

// F_SETFL's descriptor: mostly an epoll file, an O_PATH one now and then
// (EBADF), whatever else GenFd draws.
Gen<int32_t> GenSetFlFd(const World& w) {
  std::vector<int32_t> paths = OpenFdsWhere(w, IsPath);
  if (paths.empty())
    return GenFd(w, IsEpoll);
  return WeightedOneOf<int32_t>(
      {{2, gen::elementOf(std::move(paths))}, {6, GenFd(w, IsEpoll)}});
}

// Mostly a name some socket holds (what connect and sendto should find).
Gen<int32_t> GenBoundName(const World& w) {
  std::vector<int32_t> bound;
  for (const auto& [key, sock] : w.unix_names) {
    const UnixSock& u = w.socks.at(sock);
    if (u.state == SockState::kListen || u.type == abi::kSockDgram)
      bound.push_back(key.second);
  }
  for (const auto& [key, sock] : w.inet_names) {
    if (InetHolder(w, key.first, key.second) != 0)
      bound.push_back(key.second);
  }
  if (bound.empty())
    return GenName();
  return WeightedOneOf<int32_t>(
      {{5, gen::elementOf(std::move(bound))}, {2, GenName()}});
}

// A signal mask: the sequence's signals (model/ops.h kBlockedSignals) in
// subsets, now and then with SIGKILL|SIGSTOP (dropped by the kernel).
Gen<uint64_t> GenSigMask() {
  const uint64_t usr1 = SigBit(kSigUsr1), usr2 = SigBit(kSigUsr2),
                 pipe = SigBit(kSigPipe), rt = SigBit(kSigRt40);
  return gen::weightedElement<uint64_t>({{4, kBlockedSignals},
                                         {3, usr1},
                                         {2, usr1 | rt},
                                         {2, pipe},
                                         {2, rt},
                                         {1, usr2 | pipe},
                                         {1, usr2},
                                         {1, 0},
                                         {1, usr1 | SigBit(9) | SigBit(19)}});
}

Gen<uint64_t> GenCounterValue() {
  constexpr uint64_t kMax = ~uint64_t{0};
  return gen::weightedOneOf<uint64_t>(
      {{8, gen::inRange<uint64_t>(0, 4)},
       {3, OneOf<uint64_t>({kMax, kMax - 1, kMax - 2, kMax / 2, kMax / 2 + 1,
                            uint64_t{1} << 63, 0x7878787878787878ull})},
       {1, gen::arbitrary<uint64_t>()}});
}

// Per epoll fd: its file, and the open numbers whose (file, fd) is one of its
// items (what MOD and DEL should mostly name).
struct EpollTargets {
  int32_t epfd;
  FileId file;
  std::vector<int32_t> registered;
};

Gen<Op> GenCtl(const World& w) {
  using namespace abi;
  // Generators may be re-run lazily while shrinking, after `w` is gone:
  // capture only values.
  std::vector<EpollTargets> epolls;
  for (int32_t fd : OpenFdsWhere(w, IsEpoll)) {
    EpollTargets t{.epfd = fd, .file = *w.FileIdAt(fd), .registered = {}};
    for (const auto& [key, item] : w.FileAt(fd)->epoll->items) {
      if (w.FileIdAt(key.fd) == key.file)
        t.registered.push_back(key.fd);
    }
    epolls.push_back(std::move(t));
  }
  const auto choose =
      [epolls, pipe_targets = GenFd(w, IsWatchable)](int32_t epfd, int32_t op) {
        const EpollTargets* self = nullptr;
        for (const EpollTargets& t : epolls) {
          if (t.epfd == epfd)
            self = &t;
        }
        // Targets: mostly pipe ends, sometimes another epoll (nesting), rarely
        // the epoll itself; MOD and DEL mostly name a registered item.
        std::vector<std::pair<uint32_t, Gen<int32_t>>> targets = {
            {16, pipe_targets}, {1, gen::just(epfd)}};
        std::vector<int32_t> others;
        for (const EpollTargets& t : epolls) {
          if (self == nullptr || t.file != self->file)
            others.push_back(t.epfd);
        }
        if (!others.empty())
          targets.emplace_back(3, gen::elementOf(others));
        if (self != nullptr && !self->registered.empty() &&
            (op == kEpollCtlMod || op == kEpollCtlDel)) {
          targets.emplace_back(60, gen::elementOf(self->registered));
        }
        return WeightedOneOf(std::move(targets));
      };
  const Gen<int32_t> ops =
      gen::weightedOneOf<int32_t>({{10, gen::just(kEpollCtlAdd)},
                                   {5, gen::just(kEpollCtlMod)},
                                   {3, gen::just(kEpollCtlDel)},
                                   {1, OneOf<int32_t>({0, 4, -1})}});
  const Gen<std::pair<int32_t, int32_t>> epfd_and_op =
      gen::pair(GenFd(w, IsEpoll), ops);
  return gen::mapcat(epfd_and_op, [choose](std::pair<int32_t, int32_t> eo) {
    const int32_t epfd = eo.first;
    const int32_t op = eo.second;
    // The event pointer: NULL 1 in 31 (null_event), another bad one 1 in
    // 60 (the read-only page reads fine; tail0 cuts the struct).
    const Gen<std::pair<bool, uint32_t>> pointer =
        gen::weightedElement<std::pair<bool, uint32_t>>(
            {{58, {false, kBufGood}},
             {2, {true, kBufGood}},
             {1, {false, kBufUnmapped}},
             {1, {false, kBufReadOnly}},
             {1, {false, kBufKernel}},
             {1, {false, kBufTail}}});
    return gen::apply(
        [epfd, op](int32_t fd, uint32_t events, uint64_t data,
                   std::pair<bool, uint32_t> ptr) -> Op {
          return EpollCtl{.epfd = epfd,
                          .op = op,
                          .fd = fd,
                          .events = events,
                          .data = data,
                          .null_event = ptr.first,
                          .buf = ptr.second};
        },
        choose(epfd, op), GenEvents(), GenData(), pointer);
  });
}

}  // namespace

// The focus of a sequence (properties/focus.h) from a ticket in [0, 100):
// none for 20, the rest shared by weight among the focuses whose families
// are switched on.
Focus DrawFocus(Families families, int ticket) {
  constexpr std::pair<Focus, int> kWeights[] = {
      {Focus::kNesting, 4},    {Focus::kWaits, 2},     {Focus::kBuffers, 2},
      {Focus::kUnixStream, 4}, {Focus::kUnixDgram, 4}, {Focus::kTcp, 6},
      {Focus::kUdp, 2},        {Focus::kFifoTimer, 3}, {Focus::kSignals, 3},
      {Focus::kChildren, 2}};
  if (ticket < 20)
    return Focus::kNone;
  int total = 0;
  for (const auto& [focus, weight] : kWeights) {
    if ((FocusFamilies(focus) & families) != 0)
      total += weight;
  }
  if (total == 0)
    return Focus::kNone;
  int at = (ticket - 20) * total / 80;
  for (const auto& [focus, weight] : kWeights) {
    if ((FocusFamilies(focus) & families) == 0)
      continue;
    if (at < weight)
      return focus;
    at -= weight;
  }
  return Focus::kNone;
}

Gen<Swarm> GenSwarm(Families families) {
  // Core kinds always on; the others are switched off a third of the time.
  return gen::apply(
      [families](const std::vector<int>& draw, int focus, uint32_t recipe) {
        Swarm s;
        s.families = families;
        s.focus = DrawFocus(families, focus);
        s.recipe = recipe;
        for (size_t i = 0; i < kOpKinds; ++i) {
          const int d = draw[i];
          s.weights[i] = d < 3 ? 0 : d;
        }
        s.weights[IndexOf<Pipe2>()] = std::max(s.weights[IndexOf<Pipe2>()], 4);
        s.weights[IndexOf<EpollCreate1>()] =
            std::max(s.weights[IndexOf<EpollCreate1>()], 3);
        s.weights[IndexOf<EpollCtl>()] =
            std::max(s.weights[IndexOf<EpollCtl>()], 8) + 6;
        s.weights[IndexOf<EpollWait>()] =
            std::max(s.weights[IndexOf<EpollWait>()], 6) + 4;
        s.weights[IndexOf<Write>()] = std::max(s.weights[IndexOf<Write>()], 6);
        s.weights[IndexOf<Read>()] = std::max(s.weights[IndexOf<Read>()], 4);
        s.weights[IndexOf<ListFds>()] =
            std::min(s.weights[IndexOf<ListFds>()], 1);
        s.weights[IndexOf<GetPipeSize>()] =
            std::min(s.weights[IndexOf<GetPipeSize>()], 2);
        s.weights[IndexOf<GetSockOpt>()] =
            std::min(s.weights[IndexOf<GetSockOpt>()], 3);
        // A lowered RLIMIT_NOFILE ends every allocation after it: rarely.
        s.weights[IndexOf<SetRlimitNofile>()] =
            std::min(s.weights[IndexOf<SetRlimitNofile>()], 2);
        // The epoll file's own calls change little: a small share.
        for (const size_t kind : {IndexOf<GetFl>(), IndexOf<SetFl>()})
          s.weights[kind] = std::min(s.weights[kind], 4);
        s.weights[IndexOf<EpollIoctl>()] =
            std::min(s.weights[IndexOf<EpollIoctl>()], 6);
        // Every file family switched on gets a way to make its files.
        if ((families & kFamilyEventfd) != 0) {
          s.weights[IndexOf<Eventfd>()] =
              std::max(s.weights[IndexOf<Eventfd>()], 3);
        }
        if ((families & kFamilyUnix) != 0) {
          s.weights[IndexOf<Socketpair>()] =
              std::max(s.weights[IndexOf<Socketpair>()], 3);
          s.weights[IndexOf<Send>()] = std::max(s.weights[IndexOf<Send>()], 5);
          s.weights[IndexOf<Recv>()] = std::max(s.weights[IndexOf<Recv>()], 4);
        }
        if ((families & kFamilyUnixAddr) != 0) {
          s.weights[IndexOf<UnixSocket>()] =
              std::max(s.weights[IndexOf<UnixSocket>()], 3);
          s.weights[IndexOf<Bind>()] = std::max(s.weights[IndexOf<Bind>()], 3);
          s.weights[IndexOf<Listen>()] =
              std::max(s.weights[IndexOf<Listen>()], 2);
          s.weights[IndexOf<Connect>()] =
              std::max(s.weights[IndexOf<Connect>()], 4);
          s.weights[IndexOf<Accept4>()] =
              std::max(s.weights[IndexOf<Accept4>()], 3);
        }
        if ((families & (kFamilyTcp | kFamilyUdp)) != 0) {
          s.weights[IndexOf<InetSocket>()] =
              std::max(s.weights[IndexOf<InetSocket>()], 4);
          s.weights[IndexOf<Send>()] = std::max(s.weights[IndexOf<Send>()], 5);
          s.weights[IndexOf<Recv>()] = std::max(s.weights[IndexOf<Recv>()], 4);
          s.weights[IndexOf<Bind>()] = std::max(s.weights[IndexOf<Bind>()], 3);
          s.weights[IndexOf<Connect>()] =
              std::max(s.weights[IndexOf<Connect>()], 4);
          if ((families & kFamilyTcp) != 0) {
            s.weights[IndexOf<Listen>()] =
                std::max(s.weights[IndexOf<Listen>()], 3);
            s.weights[IndexOf<Accept4>()] =
                std::max(s.weights[IndexOf<Accept4>()], 3);
          }
        }
        if ((families & (kFamilyFile | kFamilyFifo)) != 0) {
          s.weights[IndexOf<OpenFile>()] =
              std::max(s.weights[IndexOf<OpenFile>()],
                       (families & kFamilyFifo) != 0 ? 3 : 2);
        }
        if ((families & kFamilyTimerfd) != 0) {
          s.weights[IndexOf<TimerfdCreate>()] =
              std::max(s.weights[IndexOf<TimerfdCreate>()], 2);
          s.weights[IndexOf<TimerfdSettime>()] =
              std::max(s.weights[IndexOf<TimerfdSettime>()], 3);
        }
        if ((families & kFamilySignal) != 0) {
          for (const auto& [index, weight] :
               {std::pair{IndexOf<Signalfd>(), 3},
                std::pair{IndexOf<SignalfdRead>(), 3},
                std::pair{IndexOf<Tgkill>(), 4},
                std::pair{IndexOf<Sigpending>(), 2},
                std::pair{IndexOf<Sigtimedwait>(), 2}}) {
            s.weights[index] = std::max(s.weights[index], weight);
          }
        }
        if ((families & kFamilyFork) != 0) {
          s.weights[IndexOf<Fork>()] = std::max(s.weights[IndexOf<Fork>()], 2);
          s.weights[IndexOf<ChildClose>()] =
              std::max(s.weights[IndexOf<ChildClose>()], 3);
          s.weights[IndexOf<ChildExit>()] =
              std::max(s.weights[IndexOf<ChildExit>()], 2);
          s.weights[IndexOf<Reap>()] = std::max(s.weights[IndexOf<Reap>()], 2);
        }
        if ((families & kFamilyPipe) == 0)
          s.weights[IndexOf<Pipe2>()] = 0;
        // Families switched off: none of their op kinds.
        [&]<size_t... I>(std::index_sequence<I...>) {
          ((OfferedFamiliesOf<std::variant_alternative_t<I, Op>>() !=
                        kFamilyCore &&
                    (OfferedFamiliesOf<std::variant_alternative_t<I, Op>>() &
                     families) == 0
                ? (void)(s.weights[I] = 0)
                : (void)0),
           ...);
        }
        (std::make_index_sequence<kOpKinds>{});
        return s;
      },
      gen::container<std::vector<int>>(kOpKinds, UnsizedInRange(0, 10)),
      UnsizedInRange(0, 100), UnsizedInRange<uint32_t>(0, UINT32_MAX));
}

namespace {

// One of `moves` by weight, shrinking towards the first.
Gen<Op> WeightedMove(std::vector<FocusMove> moves) {
  uint32_t total = 0;
  for (const FocusMove& move : moves)
    total += move.weight;
  return gen::map(UnsizedInRange<uint32_t>(0, total),
                  [moves = std::make_shared<const std::vector<FocusMove>>(
                       std::move(moves))](uint32_t ticket) -> Op {
                    for (const FocusMove& move : *moves) {
                      if (ticket < move.weight)
                        return move.op;
                      ticket -= move.weight;
                    }
                    return moves->back().op;
                  });
}

// connect(): mostly an unconnected socket and a name its type can reach.
Gen<Op> GenConnect(const World& w) {
  using namespace abi;
  Gen<Op> any = gen::apply(
      [](int32_t fd, int32_t name) -> Op {
        return Connect{.fd = fd, .name = name};
      },
      PreferFds(w, Concat(SocketFdsWhere(w,
                                         [](const UnixSock& u) {
                                           return u.state ==
                                                      SockState::kClose ||
                                                  u.type == kSockDgram;
                                         }),
                          InetFdsWhere(w,
                                       [](const InetSock& s) {
                                         return !s.tcp ||
                                                s.state == TcpState::kClose;
                                       }))),
      GenBoundName(w));
  // Pairs that can connect: an unconnected socket and a name its type
  // can reach (a listener's, or any datagram socket's).
  std::vector<Op> matched;
  for (const auto& [fd, id] : w.fd_table) {
    const File& f = w.files.at(id);
    if (f.kind != FileKind::kUnixSocket)
      continue;
    const UnixSock& u = w.socks.at(f.sock);
    if (u.state != SockState::kClose && u.type != kSockDgram)
      continue;
    for (const auto& [key, holder] : w.unix_names) {
      const UnixSock& h = w.socks.at(holder);
      if (key.first == u.type &&
          (h.state == SockState::kListen || u.type == kSockDgram)) {
        matched.push_back(Connect{.fd = fd, .name = key.second});
      }
    }
  }
  for (const auto& [fd, id] : w.fd_table) {
    const File& f = w.files.at(id);
    if (f.kind != FileKind::kInetSocket)
      continue;
    const InetSock& s = w.inet_socks.at(f.sock);
    if (s.tcp &&
        (s.state != TcpState::kClose || s.ss != SocketState::kUnconnected)) {
      continue;
    }
    for (const auto& [key, first] : w.inet_names) {
      const SockId holder = InetHolder(w, key.first, key.second);
      if (key.first == s.tcp && holder != 0 &&
          (!s.tcp || w.inet_socks.at(holder).state == TcpState::kListen)) {
        matched.push_back(Connect{.fd = fd, .name = key.second});
      }
    }
  }
  if (matched.empty())
    return any;
  return WeightedOneOf<Op>({{3, gen::elementOf(std::move(matched))}, {1, any}});
}

// One draw of GenOp against a World that lives while it runs: the kinds on
// offer are weighed from the state alone, and only the kind drawn builds its
// generator (building all of them for every step was most of a check's
// time). The Shrinkable it returns captures values only.
Shrinkable<Op> DrawOp(const World& w, const Swarm& swarm,
                      const rc::Random& random, int size) {
  using namespace abi;
  rc::Random rest = random;
  rc::Random pick = rest.split();
  const bool can_allocate = w.fd_table.size() + 2 <= kMaxOpenFds;
  // Steer towards an interesting world: a couple of pipes and epoll
  // instances early, few more once there are several.
  size_t pipes = 0;
  size_t sockets = 0;
  size_t eventfds = 0;
  size_t epolls = 0;
  size_t pidfds = 0;
  // Where the AF_UNIX connection life cycle stands: each next step (bind,
  // listen, connect, accept4) gets likelier once the one before it has
  // happened, so listeners with pending connections are reached.
  bool unbound = false;     // a socket() socket without a name
  bool listenable = false;  // a bound STREAM/SEQPACKET socket not connected
  bool listening = false;
  bool pending = false;  // a listener with a connection to accept
  bool dgram_bound = false;
  size_t inet = 0;
  bool udp = false;
  bool tcp_client = false;  // a TCP socket that could connect
  // The lowest descriptor of each kind of file, if any.
  std::array<std::optional<int32_t>, static_cast<size_t>(FileKind::kPath) + 1>
      first_fd{};
  // One pass over the table (each lookup of a file is a map search).
  for (const auto& [fd, id] : w.fd_table) {
    const File& f = w.files.at(id);
    std::optional<int32_t>& first = first_fd[static_cast<size_t>(f.kind)];
    if (!first)
      first = fd;
    pidfds += IsPidfd(f) ? 1 : 0;
    pipes += IsPipe(f) ? 1 : 0;
    sockets += IsSocket(f) ? 1 : 0;
    eventfds += IsEventfd(f) ? 1 : 0;
    epolls += IsEpoll(f) ? 1 : 0;
    if (f.kind == FileKind::kUnixSocket) {
      const UnixSock& u = w.socks.at(f.sock);
      unbound |= u.name < 0 && u.state == SockState::kClose;
      listenable |= u.name >= 0 && u.type != abi::kSockDgram &&
                    u.state == SockState::kClose;
      listening |= u.state == SockState::kListen;
      pending |= u.state == SockState::kListen && !u.receive_queue.empty();
      dgram_bound |= u.name >= 0 && u.type == abi::kSockDgram;
    }
    if (f.kind != FileKind::kInetSocket)
      continue;
    const InetSock& s = w.inet_socks.at(f.sock);
    ++inet;
    udp |= !s.tcp;
    tcp_client |= s.tcp && s.state == TcpState::kClose &&
                  s.ss == SocketState::kUnconnected && !s.listened;
    unbound |= !s.bound && s.state == TcpState::kClose;
    listenable |= s.tcp && s.name >= 0 && s.state == TcpState::kClose &&
                  s.ss == SocketState::kUnconnected;
    listening |= s.state == TcpState::kListen;
    pending |= s.state == TcpState::kListen && !s.accept_queue.empty();
    dgram_bound |= !s.tcp && s.name >= 0;
  }
  const auto first_fd_of = [&first_fd](FileKind kind) {
    return first_fd[static_cast<size_t>(kind)];
  };
  // Operations on an existing socket, while there is none: mostly errors.
  const auto socket_op = [](size_t kind) {
    return kind == IndexOf<Send>() || kind == IndexOf<Recv>() ||
           kind == IndexOf<Shutdown>() || kind == IndexOf<SetSockOpt>() ||
           kind == IndexOf<GetSockOpt>() || kind == IndexOf<SendTo>();
  };
  const auto scale = [&](size_t kind, int weight) {
    if (sockets == 0 &&
        (socket_op(kind) || kind == IndexOf<Bind>() ||
         kind == IndexOf<Listen>() || kind == IndexOf<Connect>() ||
         kind == IndexOf<Accept4>())) {
      return (weight + 3) / 4;
    }
    if (kind == IndexOf<Bind>())
      return unbound ? weight * 2 : weight;
    if (kind == IndexOf<Listen>())
      return listenable ? weight * 4 : (weight + 3) / 4;
    if (kind == IndexOf<Connect>())
      return listening || dgram_bound ? weight * 3 : (weight + 1) / 2;
    if (kind == IndexOf<Accept4>())
      return pending ? weight * 6 : listening ? weight : (weight + 3) / 4;
    if (kind == IndexOf<Pipe2>()) {
      return pipes < 2 ? weight * 4 : pipes < 8 ? weight : (weight + 3) / 4;
    }
    if (kind == IndexOf<EpollCreate1>() || kind == IndexOf<EpollCreate>()) {
      return epolls == 0 ? weight * 4 : epolls < 3 ? weight / 2 : weight / 8;
    }
    // A listener and no socket to connect to it: make one.
    if (kind == IndexOf<InetSocket>() &&
        (inet < 2 || (listening && !tcp_client)))
      return weight * 4;
    if (kind == IndexOf<Socketpair>() || kind == IndexOf<UnixSocket>() ||
        kind == IndexOf<InetSocket>()) {
      return sockets < 2 ? weight * 3 : sockets < 8 ? weight : (weight + 3) / 4;
    }
    if (kind == IndexOf<Eventfd>())
      return eventfds < 1 ? weight * 3 : eventfds < 3 ? weight : weight / 4;
    if (kind == IndexOf<Dup>())
      return w.fd_table.size() < 12 ? weight : weight / 4;
    // Commands to children, while there is no pidfd: mostly errors.
    if (kind == IndexOf<ChildClose>() || kind == IndexOf<ChildExit>() ||
        kind == IndexOf<Reap>() || kind == IndexOf<PidfdOpen>())
      return pidfds == 0 ? (weight + 3) / 4 : weight;
    return weight;
  };
  // Two passes over the kinds on offer: the first weighs them (`chosen` is
  // -1), the second builds the generator of entry `chosen` of the first.
  std::vector<uint32_t> weights;
  weights.reserve(kOpKinds + 1);
  int chosen = -1;
  int entry = 0;
  std::optional<Gen<Op>> drawn;
  const auto add = [&](size_t kind, const auto& make) {
    const int weight =
        swarm.weights[kind] > 0 ? scale(kind, swarm.weights[kind]) : 0;
    if (weight <= 0)
      return;
    if (chosen < 0)
      weights.push_back(static_cast<uint32_t>(weight));
    else if (entry == chosen)
      drawn = make();
    ++entry;
  };
  // One generator per kind (none when the world rules the kind out).
  const auto offer = [&]<class T>() {
    if constexpr (std::is_same_v<T, Pipe2>) {
      if (can_allocate) {
        add(IndexOf<Pipe2>(), [&] {
          return gen::map(
              gen::weightedElement<uint32_t>({{10, kONonblock},
                                              {4, kONonblock | kODirect},
                                              {2, kONonblock | kOCloexec},
                                              {1, kONonblock | kOAppend}}),
              [](uint32_t flags) -> Op { return Pipe2{.flags = flags}; });
        });
      }
    } else if constexpr (std::is_same_v<T, EpollCreate>) {
      if (can_allocate) {
        add(IndexOf<EpollCreate>(), [&] {
          return gen::map(
              OneOf<int32_t>({1, 1, 1, 100, INT_MAX, 0, -1}),
              [](int32_t size) -> Op { return EpollCreate{.size = size}; });
        });
      }
    } else if constexpr (std::is_same_v<T, EpollCreate1>) {
      if (can_allocate) {
        add(IndexOf<EpollCreate1>(), [&] {
          return gen::map(
              gen::weightedElement<uint32_t>(
                  {{12, 0u}, {4, kEpollCloexec}, {1, kONonblock}, {1, 1u}}),
              [](uint32_t flags) -> Op {
                return EpollCreate1{.flags = flags};
              });
        });
      }
    } else if constexpr (std::is_same_v<T, Dup>) {
      if (can_allocate) {
        add(IndexOf<Dup>(), [&] {
          return gen::map(GenFd(w, AnyFile),
                          [](int32_t fd) -> Op { return Dup{.fd = fd}; });
        });
      }
    } else if constexpr (std::is_same_v<T, EpollCtl>) {
      add(IndexOf<EpollCtl>(), [&] { return GenCtl(w); });
      // A pidfd into the first epoll instance (its pid's queue).
      const std::optional<int32_t> ep = first_fd_of(FileKind::kEpoll);
      const std::optional<int32_t> pidfd = first_fd_of(FileKind::kPidfd);
      if (ep && pidfd &&
          w.FileAt(*ep)->epoll->items.count(
              ItemKey{.file = *w.FileIdAt(*pidfd), .fd = *pidfd}) == 0) {
        add(IndexOf<EpollCtl>(), [ep = *ep, pidfd = *pidfd] {
          return gen::map(gen::elementOf(std::vector<uint32_t>{
                              abi::kEpollIn, abi::kEpollIn | abi::kEpollEt,
                              abi::kEpollOut | abi::kEpollEt,
                              abi::kEpollIn | abi::kEpollOneShot}),
                          [ep, pidfd](uint32_t events) -> Op {
                            return EpollCtl{.epfd = ep,
                                            .op = abi::kEpollCtlAdd,
                                            .fd = pidfd,
                                            .events = events,
                                            .data = 9};
                          });
        });
      }
    } else if constexpr (std::is_same_v<T, EpollWait> ||
                         std::is_same_v<T, EpollPwait>) {
      add(IndexOf<T>(), [&] {
        return gen::apply(
            [](int32_t epfd, int32_t max, int32_t timeout, uint32_t buf,
               int32_t sigsetsize) -> Op {
              T op{.epfd = epfd,
                   .maxevents = max,
                   .timeout_ms = timeout,
                   .buf = buf};
              if constexpr (std::is_same_v<T, EpollPwait>)
                op.sigsetsize = sigsetsize;
              return op;
            },
            GenFd(w, IsEpoll), GenMaxEvents(), GenWaitTimeout(), GenUserBuf(),
            GenSigsetSize());
      });
    } else if constexpr (std::is_same_v<T, OpenFile>) {
      if (can_allocate) {
        add(IndexOf<T>(), [&] {
          // FIFO opens are O_NONBLOCK (Admissible): a blocking O_RDONLY
          // open waits for a writer, a blocking O_WRONLY one for a reader.
          const auto open = [](Gen<int32_t> kind, Gen<uint32_t> flags) {
            return gen::apply(
                [](int32_t k, uint32_t f) -> Op {
                  return OpenFile{.kind = k, .flags = f};
                },
                std::move(kind), std::move(flags));
          };
          std::vector<std::pair<uint32_t, Gen<Op>>> kinds;
          if ((swarm.families & kFamilyFile) != 0) {
            kinds.emplace_back(
                14, open(gen::weightedElement<int32_t>({{4, kOpenRegular},
                                                        {2, kOpenDirectory},
                                                        {2, kOpenDevNull},
                                                        {2, kOpenPath}}),
                         gen::weightedElement<uint32_t>(
                             {{6, 0u}, {2, kONonblock}, {1, kOCloexec}})));
          }
          if ((swarm.families & kFamilyFifo) != 0) {
            kinds.emplace_back(
                8, open(gen::weightedElement<int32_t>({{4, kOpenFifoRead},
                                                       {4, kOpenFifoWrite},
                                                       {5, kOpenFifoRdwr}}),
                        gen::weightedElement<uint32_t>(
                            {{6, kONonblock}, {1, kONonblock | kOCloexec}})));
          }
          return WeightedOneOf(std::move(kinds));
        });
      }
    } else if constexpr (std::is_same_v<T, EpollPwait2>) {
      add(IndexOf<T>(), [&] {
        // {0, 0} mostly; invalid ones; 100 ms (kept only where events are
        // ready). No NULL timespec: see GenWaitTimeout.
        const Gen<std::pair<int64_t, int64_t>> ts =
            gen::weightedElement<std::pair<int64_t, int64_t>>(
                {{20, {0, 0}},
                 {1, {-1, 0}},
                 {1, {0, -1}},
                 {1, {0, 1000000000}},
                 {2, {0, 100000000}}});
        const Gen<uint32_t> ts_buf =
            gen::weightedElement<uint32_t>({{30, kBufGood},
                                            {1, kBufUnmapped},
                                            {1, kBufReadOnly},
                                            {1, kBufKernel},
                                            {1, kBufTail}});
        return gen::apply(
            [](int32_t epfd, int32_t max, std::pair<int64_t, int64_t> t,
               uint32_t tsb, uint32_t buf, int32_t sigsetsize) -> Op {
              return EpollPwait2{.epfd = epfd,
                                 .maxevents = max,
                                 .tv_sec = t.first,
                                 .tv_nsec = t.second,
                                 .sigsetsize = sigsetsize,
                                 .ts_buf = tsb,
                                 .buf = buf};
            },
            GenFd(w, IsEpoll), GenMaxEvents(), ts, ts_buf, GenUserBuf(),
            GenSigsetSize());
      });
    } else if constexpr (std::is_same_v<T, Write>) {
      add(IndexOf<Write>(), [&] {
        return gen::apply(
            [](int32_t fd, uint32_t count) -> Op {
              return Write{.fd = fd, .count = count};
            },
            GenFd(w, IsWriteTarget), GenCount());
      });
      // An open regular file gets written (so reads find bytes; 0 bytes
      // change nothing), /dev/null takes everything.
      for (const FileKind kind : {FileKind::kRegular, FileKind::kDevNull}) {
        if (const std::optional<int32_t> fd = first_fd_of(kind)) {
          add(IndexOf<Write>(), [&, fd = *fd] {
            return gen::map(gen::weightedOneOf<uint32_t>(
                                {{1, gen::just(0u)}, {4, GenCount()}}),
                            [fd](uint32_t count) -> Op {
                              return Write{.fd = fd, .count = count};
                            });
          });
        }
      }
    } else if constexpr (std::is_same_v<T, Read>) {
      add(IndexOf<Read>(), [&] {
        return gen::apply(
            [](int32_t fd, uint32_t count) -> Op {
              return Read{.fd = fd, .count = count};
            },
            GenFd(w, IsReadTarget), GenCount());
      });
      // A directory (EISDIR).
      if (const std::optional<int32_t> fd = first_fd_of(FileKind::kDirectory)) {
        add(IndexOf<Read>(), [&, fd = *fd] {
          return gen::map(GenCount(), [fd](uint32_t count) -> Op {
            return Read{.fd = fd, .count = count};
          });
        });
      }
      // /dev/null: always at its end.
      if (const std::optional<int32_t> fd = first_fd_of(FileKind::kDevNull)) {
        add(IndexOf<Read>(),
            [fd = *fd] { return gen::just(Op{Read{.fd = fd, .count = 1}}); });
      }
      // A timerfd: too short (0 included), the 8 bytes, more.
      if (const std::optional<int32_t> fd = first_fd_of(FileKind::kTimerfd)) {
        add(IndexOf<Read>(), [&, fd = *fd] {
          return gen::map(OneOf<uint32_t>({0, 7, 8, 16}),
                          [fd](uint32_t count) -> Op {
                            return Read{.fd = fd, .count = count};
                          });
        });
      }
      // A regular file: reads of part of the bytes after its offset, all
      // of them, one more, and none.
      if (const std::optional<int32_t> fd = first_fd_of(FileKind::kRegular)) {
        const File& f = *w.FileAt(*fd);
        const auto left = static_cast<uint32_t>(std::min<uint64_t>(
            w.regular_size > f.pos ? w.regular_size - f.pos : 0,
            kMaxGeneratedIo - 1));
        add(IndexOf<Read>(), [&, fd = *fd, left] {
          return gen::map(OneOf<uint32_t>({0, 1, left, left + 1}),
                          [fd](uint32_t count) -> Op {
                            return Read{.fd = fd, .count = count};
                          });
        });
      }
    } else if constexpr (std::is_same_v<T, Close>) {
      add(IndexOf<Close>(), [&] {
        return gen::map(GenFd(w, AnyFile),
                        [](int32_t fd) -> Op { return Close{.fd = fd}; });
      });
      // A descriptor whose file a running child also holds: the child's
      // close or exit then drops the last reference (several at once: the
      // exit's release order).
      std::vector<int32_t> shared;
      for (const auto& [fd, id] : w.fd_table) {
        for (const auto& [proc, child] : w.procs) {
          bool held = false;
          for (const auto& [number, file] : child.fd_table)
            held = held || file == id;
          if (held && child.state == ProcState::kRunning &&
              w.files.at(id).kind != FileKind::kPidfd) {
            shared.push_back(fd);
            break;
          }
        }
      }
      if (!shared.empty()) {
        add(IndexOf<Close>(), [shared] {
          return gen::map(gen::elementOf(shared),
                          [](int32_t fd) -> Op { return Close{.fd = fd}; });
        });
      }
    } else if constexpr (std::is_same_v<T, Dup2>) {
      if (!w.fd_table.empty()) {
        add(IndexOf<Dup2>(), [&] {
          return gen::apply(
              [](int32_t oldfd, int32_t newfd) -> Op {
                return Dup2{.oldfd = oldfd, .newfd = newfd};
              },
              GenFd(w, AnyFile),
              gen::weightedOneOf<int32_t>(
                  {{6, gen::inRange<int32_t>(0, 16)},
                   {2, gen::elementOf(OpenFdsWhere(w, AnyFile))},
                   {1, OneOf<int32_t>({-1, kMaxDup2Target - 1})}}));
        });
      }
    } else if constexpr (std::is_same_v<T, SetPipeSize>) {
      add(IndexOf<SetPipeSize>(), [&] {
        return gen::apply(
            [](int32_t fd, int32_t size) -> Op {
              return SetPipeSize{.fd = fd, .size = size};
            },
            GenFd(w, IsPipe),
            OneOf<int32_t>({0, 1, 4096, 4097, 5000, 8192, 12288, 16384, 65536,
                            1 << 20, -1, INT_MIN}));
      });
    } else if constexpr (std::is_same_v<T, GetPipeSize>) {
      add(IndexOf<GetPipeSize>(), [&] {
        return gen::map(GenFd(w, IsPipe),
                        [](int32_t fd) -> Op { return GetPipeSize{.fd = fd}; });
      });
    } else if constexpr (std::is_same_v<T, ListFds>) {
      add(IndexOf<ListFds>(), [&] { return gen::just<Op>(ListFds{}); });
    } else if constexpr (std::is_same_v<T, Eventfd>) {
      if (can_allocate) {
        add(IndexOf<Eventfd>(), [&] {
          return gen::apply(
              [](uint32_t initval, uint32_t flags) -> Op {
                return Eventfd{.initval = initval, .flags = flags};
              },
              OneOf<uint32_t>({0, 0, 1, 2, 100, 0xffffffffu}),
              gen::weightedElement<uint32_t>({{10, kEfdNonblock},
                                              {5, kEfdNonblock | kEfdSemaphore},
                                              {2, kEfdNonblock | kEfdCloexec},
                                              {1, kEfdNonblock | 8u}}));
        });
      }
    } else if constexpr (std::is_same_v<T, Socketpair>) {
      if (can_allocate) {
        add(IndexOf<Socketpair>(), [&] {
          return gen::apply(
              [](uint32_t type, uint32_t flags) -> Op {
                return Socketpair{.type = type | flags};
              },
              gen::weightedElement<uint32_t>({{6, kSockStream},
                                              {4, kSockDgram},
                                              {4, kSockSeqpacket},
                                              {1, 3u},
                                              {1, 4u},
                                              {1, 11u}}),
              gen::weightedElement<uint32_t>({{10, kSockNonblock},
                                              {2, kSockNonblock | kSockCloexec},
                                              {1, kSockNonblock | 0x10u}}));
        });
      }
    } else if constexpr (std::is_same_v<T, EventfdWrite>) {
      add(IndexOf<EventfdWrite>(), [&] {
        return gen::apply(
            [](int32_t fd, uint64_t value) -> Op {
              return EventfdWrite{.fd = fd, .value = value};
            },
            GenFd(w, IsEventfd), GenCounterValue());
      });
    } else if constexpr (std::is_same_v<T, EventfdRead>) {
      add(IndexOf<EventfdRead>(), [&] {
        return gen::map(GenFd(w, IsCounterFile),
                        [](int32_t fd) -> Op { return EventfdRead{.fd = fd}; });
      });
      // A timerfd with unread ticks: their count is the value read.
      for (const auto& [fd, id] : w.fd_table) {
        const File& f = w.files.at(id);
        if (f.kind == FileKind::kTimerfd && f.timerfd->ticks != 0) {
          add(IndexOf<EventfdRead>(),
              [fd = fd] { return gen::just<Op>(EventfdRead{.fd = fd}); });
          break;
        }
      }
    } else if constexpr (std::is_same_v<T, TimerfdCreate>) {
      if (can_allocate) {
        add(IndexOf<TimerfdCreate>(), [&] {
          return gen::apply(
              [](int32_t clockid, uint32_t flags) -> Op {
                return TimerfdCreate{.clockid = clockid, .flags = flags};
              },
              gen::weightedElement<int32_t>(
                  {{6, 1}, {3, 0}, {3, 7}, {1, 2}, {1, -1}}),
              gen::weightedElement<uint32_t>({{10, kONonblock},
                                              {3, 0u},
                                              {2, kONonblock | kOCloexec},
                                              {1, kONonblock | 1u}}));
        });
      }
    } else if constexpr (std::is_same_v<T, Signalfd>) {
      // New signalfds, mostly non-blocking; mask pointers that fault.
      if (can_allocate) {
        add(IndexOf<Signalfd>(), [&] {
          return gen::apply(
              [](uint64_t mask, uint32_t flags, uint32_t buf) -> Op {
                return Signalfd{
                    .fd = -1, .mask = mask, .flags = flags, .buf = buf};
              },
              GenSigMask(),
              gen::weightedElement<uint32_t>({{10, kONonblock},
                                              {2, 0u},
                                              {2, kONonblock | kOCloexec},
                                              {1, kONonblock | 1u}}),
              gen::weightedElement<uint32_t>({{20, kBufGood},
                                              {1, kBufNull},
                                              {1, kBufReadOnly},
                                              {1, kBufTail},
                                              {1, kBufTail + 1}}));
        });
      }
      // A new mask for a signalfd (or for any descriptor: EINVAL, EBADF).
      add(IndexOf<Signalfd>(), [&] {
        return gen::apply(
            [](int32_t fd, uint64_t mask) -> Op {
              return Signalfd{.fd = fd, .mask = mask, .flags = 0};
            },
            gen::weightedOneOf<int32_t>(
                {{6, GenFd(w, IsSignalfd)}, {1, GenFd(w, AnyFile)}}),
            GenSigMask());
      });
    } else if constexpr (std::is_same_v<T, SignalfdRead>) {
      add(IndexOf<SignalfdRead>(), [&] {
        return gen::apply(
            [](int32_t fd, uint32_t count) -> Op {
              return SignalfdRead{.fd = fd, .count = count};
            },
            gen::weightedOneOf<int32_t>(
                {{8, GenFd(w, IsSignalfd)}, {1, GenFd(w, AnyFile)}}),
            gen::weightedElement<uint32_t>(
                {{6, 128u}, {3, 256u}, {2, 1024u}, {1, 0u}, {1, 127u}}));
      });
    } else if constexpr (std::is_same_v<T, Tgkill>) {
      add(IndexOf<Tgkill>(), [&] {
        return gen::map(gen::weightedElement<int32_t>({{4, kSigUsr1},
                                                       {3, kSigUsr2},
                                                       {2, kSigPipe},
                                                       {4, kSigRt40},
                                                       {1, 0},
                                                       {1, 65},
                                                       {1, -1}}),
                        [](int32_t sig) -> Op { return Tgkill{.sig = sig}; });
      });
    } else if constexpr (std::is_same_v<T, Sigpending>) {
      add(IndexOf<Sigpending>(), [] { return gen::just<Op>(Sigpending{}); });
    } else if constexpr (std::is_same_v<T, Sigtimedwait>) {
      add(IndexOf<Sigtimedwait>(), [&] {
        return gen::map(GenSigMask(), [](uint64_t mask) -> Op {
          return Sigtimedwait{.mask = mask};
        });
      });
    } else if constexpr (std::is_same_v<T, TimerfdSettime>) {
      add(IndexOf<TimerfdSettime>(), [&] {
        return gen::apply(
            [](int32_t fd, uint32_t flags, int32_t expire) -> Op {
              return TimerfdSettime{.fd = fd, .flags = flags, .expire = expire};
            },
            GenFd(w, IsTimerfd),
            gen::weightedElement<uint32_t>(
                {{10, 0u}, {4, 1u}, {1, 2u}, {1, 3u}, {1, 4u}}),
            gen::weightedElement<int32_t>({{12, kExpireNow},
                                           {4, kExpireOff},
                                           {3, kExpireFar},
                                           {1, kExpireBad}}));
      });
      // Re-arming or disarming a timer whose ticks are unread (they are
      // dropped).
      for (const auto& [fd, id] : w.fd_table) {
        const File& f = w.files.at(id);
        if (f.kind == FileKind::kTimerfd && f.timerfd->ticks != 0) {
          add(IndexOf<TimerfdSettime>(), [fd = fd] {
            return gen::map(
                gen::weightedElement<int32_t>(
                    {{4, kExpireNow}, {4, kExpireOff}, {3, kExpireFar}}),
                [fd](int32_t expire) -> Op {
                  return TimerfdSettime{.fd = fd, .flags = 0, .expire = expire};
                });
          });
          break;
        }
      }
    } else if constexpr (std::is_same_v<T, Send>) {
      add(IndexOf<Send>(), [&] {
        std::vector<std::pair<uint32_t, Gen<uint32_t>>> extra = {
            {12, gen::just(0u)},
            {2, gen::just(kMsgPeek)},
            {1, gen::just(kMsgTrunc)},
            {1, gen::just(kMsgWaitall)}};
        if ((swarm.families & kFamilyUnixOob) != 0)
          extra.emplace_back(3, gen::just(kMsgOob));
        const Gen<uint32_t> extra_flags = WeightedOneOf(std::move(extra));
        return gen::mapcat(
            PreferFds(w, DataFds(w)),
            [inet = OpenFdsWhere(w, IsInet), extra_flags](int32_t fd) {
              return gen::apply(
                  [fd](uint32_t count, uint32_t extra) -> Op {
                    return Send{.fd = fd,
                                .count = count,
                                .flags = kMsgDontwait | kMsgNosignal | extra};
                  },
                  GenSendCount(inet, fd), extra_flags);
            });
      });
    } else if constexpr (std::is_same_v<T, Recv>) {
      // MSG_OOB on a TCP socket that never connected (ENOTCONN).
      for (const auto& [fd, id] : w.fd_table) {
        const File& f = w.files.at(id);
        if (f.kind == FileKind::kInetSocket && w.inet_socks.at(f.sock).tcp &&
            w.inet_socks.at(f.sock).state == TcpState::kClose &&
            !w.inet_socks.at(f.sock).connected) {
          add(IndexOf<Recv>(), [fd = fd] {
            return gen::just(Op{
                Recv{.fd = fd, .count = 1, .flags = kMsgDontwait | kMsgOob}});
          });
          break;
        }
      }
      add(IndexOf<Recv>(), [&] {
        return gen::apply(
            [](int32_t fd, uint32_t count, uint32_t extra) -> Op {
              return Recv{
                  .fd = fd, .count = count, .flags = kMsgDontwait | extra};
            },
            PreferFds(w, DataFds(w)), GenSockCount(),
            gen::weightedElement<uint32_t>({{10, 0u},
                                            {4, kMsgPeek},
                                            {2, kMsgTrunc},
                                            {1, kMsgWaitall},
                                            {1, kMsgOob}}));
      });
    } else if constexpr (std::is_same_v<T, Shutdown>) {
      add(IndexOf<Shutdown>(), [&] {
        return gen::apply(
            [](int32_t fd, int32_t how) -> Op {
              return Shutdown{.fd = fd, .how = how};
            },
            GenFd(w, IsSocket),
            gen::weightedElement<int32_t>(
                {{4, kShutRd}, {4, kShutWr}, {3, kShutRdwr}, {1, 3}, {1, -1}}));
      });
    } else if constexpr (std::is_same_v<T, SetSockOpt>) {
      add(IndexOf<SetSockOpt>(), [&] {
        return gen::apply(
            [](int32_t fd, int32_t name, int32_t value) -> Op {
              return SetSockOpt{.fd = fd, .name = name, .value = value};
            },
            GenFd(w, IsSocket),
            gen::weightedElement<int32_t>({{6, kSoSndbuf},
                                           {2, kSoRcvbuf},
                                           {2, kSoRcvlowat},
                                           {1, kSoLinger},
                                           {1, kSoError}}),
            OneOf<int32_t>({0, 1, 2, 100, 1024, 2304, 4096, 8192, 16384, 65536,
                            212992, -1, INT_MAX}));
      });
    } else if constexpr (std::is_same_v<T, GetSockOpt>) {
      add(IndexOf<GetSockOpt>(), [&] {
        return gen::apply(
            [](int32_t fd, int32_t name) -> Op {
              return GetSockOpt{.fd = fd, .name = name};
            },
            GenFd(w, IsSocket),
            gen::weightedElement<int32_t>({{6, kSoError},
                                           {3, kSoSndbuf},
                                           {1, kSoRcvbuf},
                                           {1, kSoRcvlowat},
                                           {1, kSoLinger},
                                           {1, 9999}}));
      });
    } else if constexpr (std::is_same_v<T, UnixSocket>) {
      if (can_allocate) {
        add(IndexOf<UnixSocket>(), [&] {
          return gen::apply(
              [](uint32_t type, uint32_t flags) -> Op {
                return UnixSocket{.type = type | flags};
              },
              gen::weightedElement<uint32_t>({{5, kSockStream},
                                              {4, kSockDgram},
                                              {3, kSockSeqpacket},
                                              {1, 4u}}),
              gen::weightedElement<uint32_t>(
                  {{10, kSockNonblock}, {2, kSockNonblock | kSockCloexec}}));
        });
      }
    } else if constexpr (std::is_same_v<T, Bind>) {
      add(IndexOf<Bind>(), [&] {
        return gen::apply(
            [](int32_t fd, int32_t name) -> Op {
              return Bind{.fd = fd, .name = name};
            },
            PreferFds(
                w, Concat(SocketFdsWhere(
                              w, [](const UnixSock& u) { return u.name < 0; }),
                          InetFdsWhere(w,
                                       [](const InetSock& s) {
                                         return !s.bound &&
                                                s.state == TcpState::kClose;
                                       }))),
            GenName());
      });
    } else if constexpr (std::is_same_v<T, Listen>) {
      add(IndexOf<Listen>(), [&] {
        return gen::apply(
            [](int32_t fd, int32_t backlog) -> Op {
              return Listen{.fd = fd, .backlog = backlog};
            },
            PreferFds(
                w, Concat(SocketFdsWhere(w,
                                         [](const UnixSock& u) {
                                           return u.name >= 0 &&
                                                  u.type != kSockDgram &&
                                                  u.state !=
                                                      SockState::kEstablished;
                                         }),
                          InetFdsWhere(w,
                                       [](const InetSock& s) {
                                         return s.tcp && s.bound &&
                                                s.state == TcpState::kClose;
                                       }))),
            gen::weightedElement<int32_t>(
                {{4, 0}, {6, 1}, {4, 2}, {2, 5}, {1, -1}, {1, 100000}}));
      });
      // A bound AF_UNIX stream socket that is connected: EINVAL.
      for (const auto& [fd, id] : w.fd_table) {
        const File& f = w.files.at(id);
        if (f.kind == FileKind::kUnixSocket &&
            w.socks.at(f.sock).state == SockState::kEstablished &&
            w.socks.at(f.sock).type != kSockDgram &&
            w.socks.at(f.sock).name >= 0) {
          add(IndexOf<Listen>(), [fd = fd] {
            return gen::just(Op{Listen{.fd = fd, .backlog = 1}});
          });
          break;
        }
      }
    } else if constexpr (std::is_same_v<T, Connect>) {
      add(IndexOf<Connect>(), [&] { return GenConnect(w); });
    } else if constexpr (std::is_same_v<T, Accept4>) {
      if (can_allocate) {
        add(IndexOf<Accept4>(), [&] {
          return gen::apply(
              [](int32_t fd, uint32_t flags) -> Op {
                return Accept4{.fd = fd, .flags = flags};
              },
              PreferFds(w, Concat(SocketFdsWhere(w,
                                                 [](const UnixSock& u) {
                                                   return u.state ==
                                                          SockState::kListen;
                                                 }),
                                  InetFdsWhere(w,
                                               [](const InetSock& s) {
                                                 return s.state ==
                                                        TcpState::kListen;
                                               }))),
              gen::weightedElement<uint32_t>({{10, kSockNonblock},
                                              {2, kSockNonblock | kSockCloexec},
                                              {1, kSockNonblock | 0x10u}}));
        });
      }
    } else if constexpr (std::is_same_v<T, SendTo>) {
      add(IndexOf<SendTo>(), [&] {
        return gen::apply(
            [](int32_t fd, uint32_t count, int32_t name) -> Op {
              return SendTo{.fd = fd,
                            .count = count,
                            .flags = kMsgDontwait | kMsgNosignal,
                            .name = name};
            },
            GenFd(w, IsSocket), GenSockCount(), GenBoundName(w));
      });
      // Datagrams to a name from a UDP socket.
      if (udp) {
        add(IndexOf<SendTo>(), [&] {
          return gen::apply(
              [](int32_t fd, uint32_t count, int32_t name) -> Op {
                return SendTo{.fd = fd,
                              .count = count,
                              .flags = kMsgDontwait | kMsgNosignal,
                              .name = name};
              },
              gen::elementOf(
                  InetFdsWhere(w, [](const InetSock& s) { return !s.tcp; })),
              GenInetCount(), GenBoundName(w));
        });
      }
    } else if constexpr (std::is_same_v<T, InetSocket>) {
      if (can_allocate && (swarm.families & (kFamilyTcp | kFamilyUdp)) != 0) {
        add(IndexOf<InetSocket>(), [&] {
          std::vector<std::pair<uint32_t, Gen<uint32_t>>> types;
          if ((swarm.families & kFamilyTcp) != 0)
            types.emplace_back(6, gen::just(kSockStream));
          if ((swarm.families & kFamilyUdp) != 0)
            types.emplace_back(4, gen::just(kSockDgram));
          // SOCK_RDM has no AF_INET protocol (ESOCKTNOSUPPORT), 11 is
          // SOCK_MAX (EINVAL). (Not SOCK_RAW, SOCK_SEQPACKET or SOCK_DCCP,
          // which modules or capabilities decide, nor SOCK_PACKET.)
          types.emplace_back(1, OneOf<uint32_t>({4u, 11u}));
          return gen::apply(
              [](uint32_t type, uint32_t flags) -> Op {
                return InetSocket{.type = type | flags};
              },
              WeightedOneOf(std::move(types)),
              gen::weightedElement<uint32_t>({{10, kSockNonblock},
                                              {2, kSockNonblock | kSockCloexec},
                                              {1, kSockNonblock | 0x10u}}));
        });
      }
    } else if constexpr (std::is_same_v<T, Poll> || std::is_same_v<T, PPoll>) {
      add(IndexOf<T>(), [&] {
        // RLIMIT_NOFILE itself is allowed, one more is EINVAL (at the limit
        // only while the SUTs' buffers of that many entries stay small).
        const auto over_limit =
            static_cast<int32_t>(std::min<int64_t>(w.FdLimit() + 1, INT32_MAX));
        const auto at_limit =
            static_cast<int32_t>(w.FdLimit() <= (1 << 20) ? w.FdLimit() : 3);
        const Gen<int32_t> nfds = gen::weightedElement<int32_t>(
            {{10, 3}, {1, 0}, {1, 1}, {1, 2}, {1, at_limit}, {1, over_limit}});
        const Gen<int32_t> sigsetsize =
            gen::weightedElement<int32_t>({{4, -1}, {4, 8}, {1, 4}, {1, 16}});
        return gen::apply(
            [](int32_t fd0, uint32_t ev0, int32_t fd1, uint32_t ev1,
               int32_t fd2, uint32_t ev2, int32_t n, int32_t sig) -> Op {
              T op{.fd0 = fd0,
                   .events0 = ev0,
                   .fd1 = fd1,
                   .events1 = ev1,
                   .fd2 = fd2,
                   .events2 = ev2,
                   .nfds = n};
              if constexpr (std::is_same_v<T, PPoll>)
                op.sigsetsize = sig;
              return op;
            },
            GenPollFd(w), GenPollEvents(), GenPollFd(w), GenPollEvents(),
            GenPollFd(w), GenPollEvents(), nfds, sigsetsize);
      });
    } else if constexpr (std::is_same_v<T, Select> ||
                         std::is_same_v<T, PSelect>) {
      add(IndexOf<T>(), [&] {
        int32_t top = 0;
        for (const auto& [fd, id] : w.fd_table) {
          if (fd < 64)
            top = fd + 1;
        }
        const Gen<int32_t> nfds = gen::weightedElement<int32_t>(
            {{8, top}, {2, 64}, {1, 0}, {1, -1}, {1, 1 << 20}});
        const Gen<int32_t> sigsetsize =
            gen::weightedElement<int32_t>({{4, -1}, {4, 8}, {1, 4}});
        return gen::apply(
            [](int32_t n, uint64_t r, uint64_t wr, uint64_t e,
               int32_t sig) -> Op {
              T op{.nfds = n, .readfds = r, .writefds = wr, .exceptfds = e};
              if constexpr (std::is_same_v<T, PSelect>)
                op.sigsetsize = sig;
              return op;
            },
            nfds, GenFdSet(w), GenFdSet(w), GenFdSet(w), sigsetsize);
      });
    } else if constexpr (std::is_same_v<T, EpollIoctl>) {
      add(IndexOf<T>(), [&] {
        // Mostly valid parameters, each invalid one sometimes: the checks
        // of ep_eventpoll_bp_ioctl in their order (pad, usecs, prefer,
        // budget) and the copies (buf=).
        return gen::apply(
            [](int32_t fd, uint32_t cmd, uint32_t usecs, uint32_t budget,
               uint32_t prefer, uint32_t pad, uint32_t buf) -> Op {
              return EpollIoctl{.fd = fd,
                                .cmd = cmd,
                                .usecs = usecs,
                                .budget = budget,
                                .prefer = prefer,
                                .pad = pad,
                                .buf = buf};
            },
            GenFd(w, IsEpoll),
            gen::weightedElement<uint32_t>({{6, kEpiocSParams},
                                            {5, kEpiocGParams},
                                            {1, 0x8a03u},
                                            {1, 0x8a00u}}),
            gen::weightedElement<uint32_t>({{4, 0u},
                                            {4, 50u},
                                            {1, kS32Max},
                                            {1, kS32Max + 1},
                                            {1, 0xffffffffu}}),
            gen::weightedElement<uint32_t>(
                {{4, 0u}, {4, 16u}, {2, 64u}, {2, 65u}, {1, 0xffffu}}),
            gen::weightedElement<uint32_t>({{5, 0u}, {5, 1u}, {2, 2u}}),
            gen::weightedElement<uint32_t>({{12, 0u}, {1, 1u}}),
            gen::weightedElement<uint32_t>({{12, kBufGood},
                                            {1, kBufNull},
                                            {1, kBufReadOnly},
                                            {1, kBufTail},
                                            {1, kBufTail + 1},
                                            {1, kBufKernel}}));
      });
    } else if constexpr (std::is_same_v<T, Lseek>) {
      add(IndexOf<T>(), [&] {
        // The epoll file and the other kinds' llseeks: the regular file
        // and /dev/null when there are some, eventfds, pipes and sockets.
        const auto is_target = [](const File& f) {
          return f.kind == FileKind::kEpoll || f.kind == FileKind::kEventfd;
        };
        std::vector<std::pair<uint32_t, Gen<int32_t>>> fds = {
            {4, GenFd(w, is_target)}};
        std::vector<int32_t> regular = OpenFdsWhere(
            w, [](const File& f) { return f.kind == FileKind::kRegular; });
        if (!regular.empty())
          fds.emplace_back(8, gen::elementOf(std::move(regular)));
        std::vector<int32_t> null = OpenFdsWhere(
            w, [](const File& f) { return f.kind == FileKind::kDevNull; });
        if (!null.empty())
          fds.emplace_back(2, gen::elementOf(std::move(null)));
        const Gen<int32_t> fd = WeightedOneOf<int32_t>(std::move(fds));
        return gen::apply(
            [](int32_t fd, int64_t offset, int32_t whence) -> Op {
              return Lseek{.fd = fd, .offset = offset, .whence = whence};
            },
            fd,
            gen::weightedElement<int64_t>(
                {{6, 0}, {4, 1}, {2, 5}, {2, -1}, {1, -100}, {1, 4096}}),
            gen::weightedElement<int32_t>({{6, kSeekSet},
                                           {4, kSeekCur},
                                           {4, kSeekEnd},
                                           {1, kSeekData},
                                           {1, kSeekHole},
                                           {1, 5}}));
      });
      // A pidfd (no llseek: ESPIPE).
      if (const std::optional<int32_t> fd = first_fd_of(FileKind::kPidfd)) {
        add(IndexOf<T>(), [fd = *fd] {
          return gen::just(Op{Lseek{.fd = fd, .offset = 0, .whence = 0}});
        });
      }
      // The regular file's edges (the current offset, before 0, past the
      // end) and /dev/null.
      if (const std::optional<int32_t> fd = first_fd_of(FileKind::kRegular)) {
        add(IndexOf<T>(), [fd = *fd] {
          return gen::map(
              gen::elementOf(
                  std::vector<std::pair<int64_t, int32_t>>{{0, kSeekCur},
                                                           {-1, kSeekSet},
                                                           {-100, kSeekCur},
                                                           {5, kSeekEnd}}),
              [fd](const std::pair<int64_t, int32_t>& p) -> Op {
                return Lseek{.fd = fd, .offset = p.first, .whence = p.second};
              });
        });
      }
      if (const std::optional<int32_t> fd = first_fd_of(FileKind::kDevNull)) {
        add(IndexOf<T>(), [fd = *fd] {
          return gen::just<Op>(
              Lseek{.fd = fd, .offset = 7, .whence = kSeekSet});
        });
      }
    } else if constexpr (std::is_same_v<T, GetFl>) {
      add(IndexOf<T>(), [&] {
        return gen::map(GenFd(w, IsEpollOrPath),
                        [](int32_t fd) -> Op { return GetFl{.fd = fd}; });
      });
    } else if constexpr (std::is_same_v<T, SetFl>) {
      add(IndexOf<T>(), [&] {
        return gen::apply(
            [](int32_t fd, uint32_t flags) -> Op {
              return SetFl{.fd = fd, .flags = flags};
            },
            GenSetFlFd(w),
            gen::weightedElement<uint32_t>({{4, kONonblock},
                                            {3, 0u},
                                            {2, kONonblock | kOAppend},
                                            {2, kONonblock | kOAsync},
                                            {1, kONonblock | kONoatime},
                                            {1, kONonblock | kODirect},
                                            {1, kOAsync}}));
      });
      // A pipe end: O_ASYNC stored (it has ->fasync).
      if (const std::optional<int32_t> fd = first_fd_of(FileKind::kPipeRead)) {
        add(IndexOf<T>(), [fd = *fd] {
          return gen::just(Op{SetFl{.fd = fd, .flags = kONonblock | kOAsync}});
        });
      }
      // An O_PATH descriptor (check_fcntl_cmd: EBADF).
      if (const std::optional<int32_t> fd = first_fd_of(FileKind::kPath)) {
        add(IndexOf<T>(), [fd = *fd] {
          return gen::just(Op{SetFl{.fd = fd, .flags = kONonblock}});
        });
      }
    } else if constexpr (std::is_same_v<T, SetRlimitNofile>) {
      add(IndexOf<T>(), [&] {
        // Around the lowest free number (EMFILE at the next allocation),
        // 0, the profile's own limit back, and one above the hard limit.
        int64_t lowest = 0;
        while (w.IsOpen(static_cast<int32_t>(lowest)))
          ++lowest;
        return gen::map(
            gen::weightedElement<int64_t>({{4, lowest},
                                           {3, lowest + 1},
                                           {2, lowest + 2},
                                           {1, 0},
                                           {2, w.profile.fd_limit},
                                           {1, w.profile.fd_hard_limit + 1}}),
            [](int64_t soft) -> Op { return SetRlimitNofile{.soft = soft}; });
      });
    } else if constexpr (std::is_same_v<T, Fork>) {
      if (can_allocate) {
        // The child keeps every descriptor, some of them, or none.
        uint64_t all = 0;
        for (const auto& [fd, id] : w.fd_table)
          all |= fd < 64 ? uint64_t{1} << fd : 0;
        add(IndexOf<Fork>(), [all] {
          return gen::map(
              gen::weightedOneOf<uint64_t>(
                  {{6, gen::just(all)},
                   {5, gen::map(gen::arbitrary<uint64_t>(),
                                [all](uint64_t bits) { return bits & all; })},
                   {1, gen::just(uint64_t{0})}}),
              [](uint64_t fds) -> Op { return Fork{.fds = fds}; });
        });
      }
    } else if constexpr (std::is_same_v<T, ChildClose>) {
      add(IndexOf<ChildClose>(), [&] {
        return gen::apply(
            [](int32_t pidfd, int32_t fd) -> Op {
              return ChildClose{.pidfd = pidfd, .fd = fd};
            },
            GenFd(w, IsPidfd), UnsizedInRange<int32_t>(-1, 12));
      });
      // A running child closes one of its descriptors (or one it does not
      // have), through the first pidfd of it.
      for (const auto& [fd, id] : w.fd_table) {
        const File& f = w.files.at(id);
        if (f.kind != FileKind::kPidfd)
          continue;
        const ChildProc& child = w.procs.at(f.proc);
        if (child.state != ProcState::kRunning || child.fd_table.empty())
          continue;
        std::vector<int32_t> held;
        for (const auto& [number, file] : child.fd_table)
          held.push_back(number);
        add(IndexOf<ChildClose>(), [pidfd = fd, held] {
          return gen::map(
              gen::weightedOneOf<int32_t>(
                  {{8, gen::elementOf(held)}, {1, gen::just(held.back() + 1)}}),
              [pidfd](int32_t number) -> Op {
                return ChildClose{.pidfd = pidfd, .fd = number};
              });
        });
      }
    } else if constexpr (std::is_same_v<T, ChildExit> ||
                         std::is_same_v<T, Reap>) {
      add(IndexOf<T>(), [&] {
        return gen::map(GenFd(w, IsPidfd),
                        [](int32_t pidfd) -> Op { return T{.pidfd = pidfd}; });
      });
      // The first pidfd of a child in the state the op changes: a running
      // child exits, a zombie is reaped.
      const ProcState from = std::is_same_v<T, ChildExit> ? ProcState::kRunning
                                                          : ProcState::kZombie;
      for (const auto& [fd, id] : w.fd_table) {
        const File& f = w.files.at(id);
        if (f.kind == FileKind::kPidfd && w.procs.at(f.proc).state == from) {
          add(IndexOf<T>(),
              [pidfd = fd] { return gen::just(Op{T{.pidfd = pidfd}}); });
          break;
        }
      }
    } else if constexpr (std::is_same_v<T, PidfdOpen>) {
      if (can_allocate) {
        add(IndexOf<PidfdOpen>(), [&] {
          return gen::apply(
              [](int32_t pidfd, uint32_t flags) -> Op {
                return PidfdOpen{.pidfd = pidfd, .flags = flags};
              },
              GenFd(w, IsPidfd),
              gen::weightedElement<uint32_t>(
                  {{6, 0u}, {4, kONonblock}, {1, 1u}, {1, kOCloexec}}));
        });
        // A pidfd of a child that exited or was reaped (a zombie's pid
        // opens; a reaped one's fdinfo pid is -1).
        for (const auto& [fd, id] : w.fd_table) {
          const File& f = w.files.at(id);
          if (f.kind == FileKind::kPidfd &&
              w.procs.at(f.proc).state != ProcState::kRunning) {
            add(IndexOf<T>(), [pidfd = fd] {
              return gen::just(Op{PidfdOpen{.pidfd = pidfd}});
            });
            break;
          }
        }
      }
    } else {
      static_assert(kAlwaysFalse<T>, "GenOp: no generator for this op");
    }
  };
  const auto offer_all = [&] {
    entry = 0;
    [&]<class... T>(OpList<T...>) {
      (offer.template operator()<T>(), ...);
    }(GenOrder{});
  };
  offer_all();
  uint64_t total = 0;
  for (const uint32_t weight : weights)
    total += weight;
  // (Never with today's swarms: epoll_ctl and epoll_wait are always on
  // offer.)
  if (total == 0)
    return gen::just<Op>(ListFds{})(rest, size);
  // The focus's next steps (properties/focus.h) take twice the weight of all
  // the random choices together, when it has any; the moves are computed
  // only when drawn, and a focus without moves leaves the random choices.
  uint64_t ticket =
      pick.next() % (swarm.focus == Focus::kNone ? total : 3 * total);
  if (ticket >= total) {
    std::vector<FocusMove> moves = FocusMoves(w, swarm);
    if (!moves.empty())
      return WeightedMove(std::move(moves))(rest, size);
    ticket = pick.next() % total;
  }
  for (chosen = 0; ticket >= weights[chosen]; ++chosen)
    ticket -= weights[chosen];
  offer_all();
  return (*drawn)(rest, size);
}

}  // namespace

Gen<Op> GenOp(const World& w, const Swarm& swarm) {
  return [&w, swarm](const rc::Random& random, int size) {
    return DrawOp(w, swarm, random, size);
  };
}

namespace {

// Whether a send of `count` bytes from the AF_INET socket `s` (to `name`, if
// given) stays where the kernel is deterministic and the model exact: a TCP
// receiver far from its window, receive buffer and rcv_mss clause
// (tcp_epollin_ready), a UDP receiver far from its receive buffer, and no
// datagram that would draw an ICMP error a connected sender sees (ICMP is
// globally rate-limited: icmp_global_allow).
bool InetSendAdmissible(const World& w, const InetSock& s, uint32_t count,
                        uint32_t flags, std::optional<int32_t> name) {
  if (s.tcp) {
    const bool delivers = (s.state == TcpState::kEstablished ||
                           s.state == TcpState::kCloseWait) &&
                          s.err == 0 &&
                          (s.shutdown & abi::kSendShutdown) == 0 && count > 0;
    if (!delivers)
      return count <= kMaxSocketIo;
    if (count > kMaxTcpSend)
      return false;
    if (s.peer == 0)
      return true;
    const InetSock& p = w.inet_socks.at(s.peer);
    return p.unread + count <= kMaxTcpUnread && p.rx_segs < kMaxTcpSegs;
  }
  if (count > 65507 || (flags & abi::kMsgOob) != 0)
    return count <= 65536;  // EMSGSIZE or EOPNOTSUPP
  int32_t dest = -1;
  if (name) {
    if (*name < 0 || w.inet_names.count({false, *name}) == 0)
      return true;  // EINVAL: port 0
    dest = *name;
  } else {
    if (s.state != TcpState::kEstablished)
      return true;  // EDESTADDRREQ
    dest = s.dest_name;
  }
  if (count > kMaxUdpSend)
    return false;
  // The receiver as the model's UdpReceiver finds it.
  for (const auto& [id, r] : w.inet_socks) {
    if (r.tcp || r.dead || r.name != dest)
      continue;
    if (r.state == TcpState::kEstablished &&
        (s.name < 0 || r.dest_name != s.name)) {
      continue;
    }
    uint64_t queued = 0;
    for (const uint32_t d : r.datagrams)
      queued += d;
    return r.datagrams.size() < kMaxUdpQueued &&
           queued + count <= kMaxUdpQueuedBytes;
  }
  return !(s.state == TcpState::kEstablished && s.dest_name == dest);
}

// AF_INET rules of Admissible for an op on the socket file `f`.
bool InetAdmissible(const World& w, const File& f, const Op& op) {
  const InetSock& s = w.inet_socks.at(f.sock);
  if (const auto* o = std::get_if<Write>(&op))
    return InetSendAdmissible(w, s, o->count, 0, std::nullopt);
  if (const auto* o = std::get_if<Send>(&op))
    return InetSendAdmissible(w, s, o->count, o->flags, std::nullopt);
  if (const auto* o = std::get_if<SendTo>(&op))
    return InetSendAdmissible(w, s, o->count, o->flags, o->name);
  if (const auto* o = std::get_if<Bind>(&op)) {
    if (o->name < 0)
      return false;  // AF_UNSPEC binds 0.0.0.0
    const bool bindable = s.state == TcpState::kClose && !s.bound;
    // A name whose port nobody of ours holds any more may be anyone's.
    return !bindable || w.inet_names.count({s.tcp, o->name}) == 0 ||
           InetHolder(w, s.tcp, o->name) != 0;
  }
  if (const auto* o = std::get_if<Connect>(&op)) {
    if (o->name < 0)
      return true;
    const SockId holder = InetHolder(w, s.tcp, o->name);
    if (!s.tcp)
      return holder != 0;
    if (s.state != TcpState::kClose || s.ss != SocketState::kUnconnected)
      return true;  // EISCONN, EALREADY, ...: no SYN
    if (holder == 0 || holder == f.sock)
      return false;  // a port that may be anyone's, or a self-connect
    const InetSock& h = w.inet_socks.at(holder);
    // A full accept queue drops the SYN; it is retransmitted a second later.
    return h.state != TcpState::kListen ||
           h.accept_queue.size() <= static_cast<size_t>(h.max_ack_backlog);
  }
  if (const auto* o = std::get_if<SetSockOpt>(&op)) {
    if (o->name == abi::kSoRcvbuf)
      return false;  // windows (TCP), drops (UDP)
    if (s.tcp && o->name == abi::kSoSndbuf)
      return false;
    // A TCP close with a positive linger waits for the FIN's ACK.
    return !(s.tcp && o->name == abi::kSoLinger && o->value != 0);
  }
  if (const auto* o = std::get_if<GetSockOpt>(&op)) {
    // TCP grows its buffers once connected (tcp_sndbuf_expand, autotuning).
    return !(s.tcp && (o->name == abi::kSoSndbuf || o->name == abi::kSoRcvbuf));
  }
  return true;
}

}  // namespace

bool Admissible(const World& w, const Op& op) {
  const bool room = w.fd_table.size() + 2 <= kMaxOpenFds;
  bool inet_ok = true;
  ForEachFdField(op, [&](std::string_view, const int32_t& fd) {
    const File* f = w.FileAt(fd);
    if (f != nullptr && f->kind == FileKind::kInetSocket &&
        !std::holds_alternative<EpollCtl>(op)) {
      inet_ok = inet_ok && InetAdmissible(w, *f, op);
    }
  });
  if (!inet_ok)
    return false;
  return std::visit(
      [&](const auto& o) -> bool {
        using T = std::decay_t<decltype(o)>;
        if constexpr (std::is_same_v<T, Pipe2>) {
          return room && (o.flags & abi::kONonblock) != 0 &&
                 (o.flags & abi::kONotificationPipe) == 0;
        } else if constexpr (std::is_same_v<T, EpollCreate> ||
                             std::is_same_v<T, EpollCreate1> ||
                             std::is_same_v<T, Dup> ||
                             std::is_same_v<T, TimerfdCreate> ||
                             std::is_same_v<T, PidfdOpen>) {
          return room;
        } else if constexpr (std::is_same_v<T, OpenFile>) {
          return room &&
                 (!IsFifoOpenKind(o.kind) || (o.flags & abi::kONonblock) != 0);
        } else if constexpr (std::is_same_v<T, EpollWait> ||
                             std::is_same_v<T, EpollPwait> ||
                             std::is_same_v<T, EpollPwait2>) {
          // A wait that may sleep only where the model says it returns at
          // once: an error, or events.
          bool waits = false;
          if constexpr (std::is_same_v<T, EpollPwait2>) {
            waits = o.ts_buf == kBufNull || o.tv_sec != 0 || o.tv_nsec != 0;
          } else {
            waits = o.timeout_ms != 0;
          }
          // (ENOSYS does not count: on a kernel newer than the profile
          // says, the call exists and would sleep.)
          if (!waits)
            return true;
          const Outcome predicted = StepCopy(w, op).outcome;
          return predicted.ret > 0 ||
                 (predicted.IsError() && predicted.Errno() != abi::kEnosys);
        } else if constexpr (std::is_same_v<T, Write> ||
                             std::is_same_v<T, Read>) {
          const File* f = w.FileAt(o.fd);
          if (f != nullptr && IsSocket(*f))
            return o.count <= kMaxSocketIo;
          // A blocking timerfd with no tick, or signalfd with no signal,
          // would sleep.
          if constexpr (std::is_same_v<T, Read>) {
            if (f != nullptr && IsTimerfd(*f) && o.count >= 8 &&
                (f->flags & abi::kONonblock) == 0 && f->timerfd->ticks == 0)
              return false;
            if (f != nullptr && SignalfdReadSleeps(w, *f, o.count))
              return false;
          }
          return o.count <= kMaxGeneratedIo;
        } else if constexpr (std::is_same_v<T, Eventfd>) {
          return room && (o.flags & abi::kEfdNonblock) != 0;
        } else if constexpr (std::is_same_v<T, EventfdWrite> ||
                             std::is_same_v<T, EventfdRead>) {
          // On a pipe or socket these move bytes other than kIoFillByte,
          // whose values the model does not track.
          const File* f = w.FileAt(o.fd);
          if (f != nullptr && IsTimerfd(*f)) {
            // A blocking timerfd with no tick would sleep.
            return std::is_same_v<T, EventfdWrite> ||
                   (f->flags & abi::kONonblock) != 0 || f->timerfd->ticks != 0;
          }
          return f == nullptr || f->kind == FileKind::kEventfd ||
                 f->kind == FileKind::kEpoll;
        } else if constexpr (std::is_same_v<T, Socketpair> ||
                             std::is_same_v<T, UnixSocket> ||
                             std::is_same_v<T, InetSocket>) {
          return room && (o.type & abi::kSockNonblock) != 0;
        } else if constexpr (std::is_same_v<T, Accept4>) {
          return room && (o.flags & abi::kSockNonblock) != 0;
        } else if constexpr (std::is_same_v<T, Send> ||
                             std::is_same_v<T, SendTo> ||
                             std::is_same_v<T, Recv>) {
          return (o.flags & abi::kMsgDontwait) != 0 && o.count <= kMaxSocketIo;
        } else if constexpr (std::is_same_v<T, Dup2>) {
          return o.newfd < kMaxDup2Target;
        } else if constexpr (std::is_same_v<T, SetPipeSize>) {
          // Sizes above pipe-max-size depend on privileges.
          return static_cast<uint32_t>(o.size) <= (1u << 20) ||
                 static_cast<uint32_t>(o.size) > (1u << 31);
        } else if constexpr (std::is_same_v<T, Lseek>) {
          // The regular file: SEEK_SET/CUR/END near its data (SEEK_DATA
          // and SEEK_HOLE see the filesystem's holes); no directory (its
          // offsets are the filesystem's).
          const File* f = w.FdgetAt(o.fd) ? w.FileAt(o.fd) : nullptr;
          if (f != nullptr && f->kind == FileKind::kDirectory)
            return false;
          if (f != nullptr && f->kind == FileKind::kRegular)
            return o.whence >= abi::kSeekSet && o.whence <= abi::kSeekEnd &&
                   o.offset >= -(int64_t{1} << 20) &&
                   o.offset <= (int64_t{1} << 20);
          return true;
        } else if constexpr (std::is_same_v<T, SetFl>) {
          // Files whose blocking the model relies on keep O_NONBLOCK; no
          // O_DIRECT I/O on the regular file.
          const File* f = w.FileAt(o.fd);
          if (f == nullptr || f->kind == FileKind::kEpoll ||
              f->kind == FileKind::kPath)
            return true;
          if (f->kind == FileKind::kRegular)
            return (o.flags & abi::kODirect) == 0;
          return (o.flags & abi::kONonblock) != 0;
        } else if constexpr (std::is_same_v<T, SignalfdRead>) {
          const File* f = w.FileAt(o.fd);
          if (f != nullptr && IsSocket(*f))
            return o.count <= kMaxSocketIo;
          if (f != nullptr && IsTimerfd(*f) && o.count >= 8 &&
              (f->flags & abi::kONonblock) == 0 && f->timerfd->ticks == 0)
            return false;
          return o.count <= kMaxGeneratedIo &&
                 (f == nullptr || !SignalfdReadSleeps(w, *f, o.count));
        } else if constexpr (std::is_same_v<T, Signalfd>) {
          return o.fd != -1 || room;
        } else if constexpr (std::is_same_v<T, Tgkill>) {
          return TgkillSignalAllowed(o.sig);
        } else if constexpr (std::is_same_v<T, SetRlimitNofile>) {
          // Up to the profile's own limit (the host's hard limit may be
          // higher, which the model knows), or past the hard one.
          return o.soft <= w.profile.fd_limit ||
                 o.soft > w.profile.fd_hard_limit;
        } else if constexpr (std::is_same_v<T, Fork>) {
          // At most kMaxChildren children not yet reaped: each is a process.
          size_t live = 0;
          for (const auto& [id, child] : w.procs)
            live += child.state != ProcState::kReaped ? 1 : 0;
          return room && live < kMaxChildren;
        } else if constexpr (std::is_same_v<T, EpollCtl> ||
                             std::is_same_v<T, Sigpending> ||
                             std::is_same_v<T, Sigtimedwait> ||
                             std::is_same_v<T, ChildClose> ||
                             std::is_same_v<T, ChildExit> ||
                             std::is_same_v<T, Reap> ||
                             std::is_same_v<T, TimerfdSettime> ||
                             std::is_same_v<T, EpollIoctl> ||
                             std::is_same_v<T, GetFl> ||
                             std::is_same_v<T, Close> ||
                             std::is_same_v<T, GetPipeSize> ||
                             std::is_same_v<T, ListFds> ||
                             std::is_same_v<T, Shutdown> ||
                             std::is_same_v<T, SetSockOpt> ||
                             std::is_same_v<T, GetSockOpt> ||
                             std::is_same_v<T, Bind> ||
                             std::is_same_v<T, Listen> ||
                             std::is_same_v<T, Connect> ||
                             std::is_same_v<T, Poll> ||
                             std::is_same_v<T, PPoll> ||
                             std::is_same_v<T, Select> ||
                             std::is_same_v<T, PSelect>) {
          return true;
        } else {
          static_assert(kAlwaysFalse<T>, "Admissible: unhandled op");
        }
      },
      op);
}

}  // namespace epollcheck
