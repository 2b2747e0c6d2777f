#include "properties/generators.h"

#include <algorithm>
#include <array>
#include <climits>
#include <type_traits>
#include <utility>
#include <vector>

#include "model/abi.h"

namespace epollcheck {
namespace {

using rc::Gen;
namespace gen = rc::gen;

// gen::weightedOneOf over a list built at run time (RapidCheck's takes only
// an initializer_list). Shrinks towards the first choice.
template <class T>
Gen<T> WeightedOneOf(std::vector<std::pair<uint32_t, Gen<T>>> choices) {
  uint32_t total = 0;
  for (const auto& c : choices)
    total += c.first;
  return gen::mapcat(gen::inRange<uint32_t>(0, total),
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
           Read, Close, Dup2, SetPipeSize, GetPipeSize, ListFds>;
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
bool IsPipeRead(const File& f) { return f.kind == FileKind::kPipeRead; }
bool IsPipeWrite(const File& f) { return f.kind == FileKind::kPipeWrite; }
bool IsPipe(const File& f) { return f.kind != FileKind::kEpoll; }

// A number that is not open (small, so it may be reused by a later open).
Gen<int32_t> GenClosedFd(const World& w) {
  std::vector<int32_t> closed;
  for (int32_t fd = 0; fd < 12; ++fd) {
    if (!w.IsOpen(fd))
      closed.push_back(fd);
  }
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
    choices.emplace_back(3, gen::elementOf(any));
  choices.emplace_back(1, GenClosedFd(w));
  choices.emplace_back(1, OneOf<int32_t>({-1, 1000000}));
  return WeightedOneOf(std::move(choices));
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
       {1, raw}});
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
  const auto choose = [epolls, pipe_targets = GenFd(w, IsPipe)](int32_t epfd,
                                                                int32_t op) {
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
    return gen::apply(
        [epfd, op](int32_t fd, uint32_t events, uint64_t data,
                   bool null_event) -> Op {
          return EpollCtl{.epfd = epfd,
                          .op = op,
                          .fd = fd,
                          .events = events,
                          .data = data,
                          .null_event = null_event};
        },
        choose(epfd, op), GenEvents(), GenData(),
        gen::weightedElement<bool>({{60, false}, {1, true}}));
  });
}

}  // namespace

Gen<Swarm> GenSwarm() {
  // Core kinds always on; the others are switched off a third of the time.
  return gen::map(
      gen::container<std::vector<int>>(kOpKinds, gen::inRange(0, 10)),
      [](const std::vector<int>& draw) {
        Swarm s;
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
        return s;
      });
}

Gen<Op> GenOp(const World& w, const Swarm& swarm) {
  using namespace abi;
  const bool can_allocate = w.fd_table.size() + 2 <= kMaxOpenFds;
  // Steer towards an interesting world: a couple of pipes and epoll
  // instances early, few more once there are several.
  const size_t pipes = OpenFdsWhere(w, IsPipe).size();
  const size_t epolls = OpenFdsWhere(w, IsEpoll).size();
  const auto scale = [&](size_t kind, int weight) {
    if (kind == IndexOf<Pipe2>()) {
      return pipes < 2 ? weight * 4 : pipes < 8 ? weight : (weight + 3) / 4;
    }
    if (kind == IndexOf<EpollCreate1>() || kind == IndexOf<EpollCreate>()) {
      return epolls == 0 ? weight * 4 : epolls < 3 ? weight / 2 : weight / 8;
    }
    if (kind == IndexOf<Dup>())
      return w.fd_table.size() < 12 ? weight : weight / 4;
    return weight;
  };
  std::vector<std::pair<uint32_t, Gen<Op>>> choices;
  const auto add = [&](size_t kind, Gen<Op> g) {
    const int weight =
        swarm.weights[kind] > 0 ? scale(kind, swarm.weights[kind]) : 0;
    if (weight > 0) {
      choices.emplace_back(static_cast<uint32_t>(weight), std::move(g));
    }
  };
  // One generator per kind (none when the world rules the kind out).
  const auto offer = [&]<class T>() {
    if constexpr (std::is_same_v<T, Pipe2>) {
      if (can_allocate) {
        add(IndexOf<Pipe2>(),
            gen::map(
                gen::weightedElement<uint32_t>({{10, kONonblock},
                                                {4, kONonblock | kODirect},
                                                {2, kONonblock | kOCloexec},
                                                {1, kONonblock | kOAppend}}),
                [](uint32_t flags) -> Op { return Pipe2{.flags = flags}; }));
      }
    } else if constexpr (std::is_same_v<T, EpollCreate>) {
      if (can_allocate) {
        add(IndexOf<EpollCreate>(),
            gen::map(
                OneOf<int32_t>({1, 1, 1, 100, INT_MAX, 0, -1}),
                [](int32_t size) -> Op { return EpollCreate{.size = size}; }));
      }
    } else if constexpr (std::is_same_v<T, EpollCreate1>) {
      if (can_allocate) {
        add(IndexOf<EpollCreate1>(),
            gen::map(
                gen::weightedElement<uint32_t>(
                    {{12, 0u}, {4, kEpollCloexec}, {1, kONonblock}, {1, 1u}}),
                [](uint32_t flags) -> Op {
                  return EpollCreate1{.flags = flags};
                }));
      }
    } else if constexpr (std::is_same_v<T, Dup>) {
      if (can_allocate) {
        add(IndexOf<Dup>(), gen::map(GenFd(w, AnyFile), [](int32_t fd) -> Op {
              return Dup{.fd = fd};
            }));
      }
    } else if constexpr (std::is_same_v<T, EpollCtl>) {
      add(IndexOf<EpollCtl>(), GenCtl(w));
    } else if constexpr (std::is_same_v<T, EpollWait>) {
      add(IndexOf<EpollWait>(),
          gen::apply(
              [](int32_t epfd, int32_t max) -> Op {
                return EpollWait{
                    .epfd = epfd, .maxevents = max, .timeout_ms = 0};
              },
              GenFd(w, IsEpoll),
              gen::weightedOneOf<int32_t>(
                  {{14, gen::just(64)},
                   {12, OneOf<int32_t>({1, 2, 3})},
                   {1, OneOf<int32_t>(
                           {0, -1, kEpMaxEvents, kEpMaxEvents + 1})}})));
    } else if constexpr (std::is_same_v<T, Write>) {
      add(IndexOf<Write>(), gen::apply(
                                [](int32_t fd, uint32_t count) -> Op {
                                  return Write{.fd = fd, .count = count};
                                },
                                GenFd(w, IsPipeWrite), GenCount()));
    } else if constexpr (std::is_same_v<T, Read>) {
      add(IndexOf<Read>(), gen::apply(
                               [](int32_t fd, uint32_t count) -> Op {
                                 return Read{.fd = fd, .count = count};
                               },
                               GenFd(w, IsPipeRead), GenCount()));
    } else if constexpr (std::is_same_v<T, Close>) {
      add(IndexOf<Close>(), gen::map(GenFd(w, AnyFile), [](int32_t fd) -> Op {
            return Close{.fd = fd};
          }));
    } else if constexpr (std::is_same_v<T, Dup2>) {
      if (!w.fd_table.empty()) {
        add(IndexOf<Dup2>(),
            gen::apply(
                [](int32_t oldfd, int32_t newfd) -> Op {
                  return Dup2{.oldfd = oldfd, .newfd = newfd};
                },
                GenFd(w, AnyFile),
                gen::weightedOneOf<int32_t>(
                    {{6, gen::inRange<int32_t>(0, 16)},
                     {2, gen::elementOf(OpenFdsWhere(w, AnyFile))},
                     {1, OneOf<int32_t>({-1, kMaxDup2Target - 1})}})));
      }
    } else if constexpr (std::is_same_v<T, SetPipeSize>) {
      add(IndexOf<SetPipeSize>(),
          gen::apply([](int32_t fd, int32_t size)
                         -> Op { return SetPipeSize{.fd = fd, .size = size}; },
                     GenFd(w, IsPipe),
                     OneOf<int32_t>({0, 1, 4096, 4097, 5000, 8192, 12288, 16384,
                                     65536, 1 << 20, -1, INT_MIN})));
    } else if constexpr (std::is_same_v<T, GetPipeSize>) {
      add(IndexOf<GetPipeSize>(),
          gen::map(GenFd(w, IsPipe),
                   [](int32_t fd) -> Op { return GetPipeSize{.fd = fd}; }));
    } else if constexpr (std::is_same_v<T, ListFds>) {
      add(IndexOf<ListFds>(), gen::just<Op>(ListFds{}));
    } else {
      static_assert(kAlwaysFalse<T>, "GenOp: no generator for this op");
    }
  };
  [&]<class... T>(OpList<T...>) {
    (offer.template operator()<T>(), ...);
  }(GenOrder{});
  return WeightedOneOf(std::move(choices));
}

bool Admissible(const World& w, const Op& op) {
  const bool room = w.fd_table.size() + 2 <= kMaxOpenFds;
  return std::visit(
      [&](const auto& o) -> bool {
        using T = std::decay_t<decltype(o)>;
        if constexpr (std::is_same_v<T, Pipe2>) {
          return room && (o.flags & abi::kONonblock) != 0 &&
                 (o.flags & abi::kONotificationPipe) == 0;
        } else if constexpr (std::is_same_v<T, EpollCreate> ||
                             std::is_same_v<T, EpollCreate1> ||
                             std::is_same_v<T, Dup>) {
          return room;
        } else if constexpr (std::is_same_v<T, EpollWait>) {
          return o.timeout_ms == 0;
        } else if constexpr (std::is_same_v<T, Write> ||
                             std::is_same_v<T, Read>) {
          return o.count <= kMaxGeneratedIo;
        } else if constexpr (std::is_same_v<T, Dup2>) {
          return o.newfd < kMaxDup2Target;
        } else if constexpr (std::is_same_v<T, SetPipeSize>) {
          // Sizes above pipe-max-size depend on privileges.
          return static_cast<uint32_t>(o.size) <= (1u << 20) ||
                 static_cast<uint32_t>(o.size) > (1u << 31);
        } else if constexpr (std::is_same_v<T, EpollCtl> ||
                             std::is_same_v<T, Close> ||
                             std::is_same_v<T, GetPipeSize> ||
                             std::is_same_v<T, ListFds>) {
          return true;
        } else {
          static_assert(kAlwaysFalse<T>, "Admissible: unhandled op");
        }
      },
      op);
}

}  // namespace epollcheck
