#include "properties/minimize.h"

#include <map>
#include <optional>

#include "model/abi.h"
#include "model/step.h"
#include "properties/generators.h"
#include "properties/sequence.h"
#include "properties/triage.h"

namespace epollcheck {
namespace {

// The model's run of a sequence, with the descriptor (DescriptorId) behind
// each open number.
class DescriptorTable {
public:
  explicit DescriptorTable(const Profile& profile) { world_.profile = profile; }

  // The descriptor open at `number`, or nullopt.
  std::optional<DescriptorId> At(int32_t number) const {
    const auto it = bound_.find(number);
    if (it == bound_.end())
      return std::nullopt;
    return it->second;
  }
  // The number of descriptor `id`, or nullopt if it is not open.
  std::optional<int32_t> NumberOf(const DescriptorId& id) const {
    for (const auto& [number, bound] : bound_) {
      if (bound == id)
        return number;
    }
    return std::nullopt;
  }
  bool IsOpen(int32_t number) const { return world_.IsOpen(number); }
  // Whether the model can run `op` next (Run steps the model, which
  // refuses what no SUT can run without blocking).
  bool Admits(const Op& op) const { return Admissible(world_, op); }

  // Runs `op` on the model as step `step`: the numbers it closed lose their
  // descriptor, the ones its result returns (ReturnsOf) become (step, end).
  void Run(const Op& op, size_t step) {
    const Outcome outcome = Step(world_, op);
    std::erase_if(bound_,
                  [&](const auto& entry) { return !IsOpen(entry.first); });
    if (!outcome.IsError()) {
      switch (ReturnsOf(op)) {
      case Returns::kFd:
        Bind(static_cast<int32_t>(outcome.ret), DescriptorId{step, 0});
        break;
      case Returns::kFdPair:
        for (size_t end = 0; end < outcome.fds.size() && end < 2; ++end)
          Bind(outcome.fds[end], DescriptorId{step, end});
        break;
      case Returns::kNothing:
        break;
      }
    }
    // A number opened without being returned (no such op today) is the
    // step's too, after its returned ends.
    size_t slot = 2;
    for (const auto& [number, file] : world_.fd_table) {
      if (bound_.count(number) == 0)
        bound_[number] = DescriptorId{step, slot++};
    }
  }

private:
  void Bind(int32_t number, const DescriptorId& id) {
    if (IsOpen(number))
      bound_[number] = id;  // dup2 onto an open number: a new descriptor
  }

  World world_;
  std::map<int32_t, DescriptorId> bound_;  // open number -> descriptor
};

// The descriptor operands of `op` about to run on `table`: the kFd fields in
// Fields() order, then every set bit of the kFdSet fields.
std::vector<DescriptorOperand> OperandsOf(const Op& op,
                                          const DescriptorTable& table) {
  std::vector<DescriptorOperand> out;
  ForEachFdField(op, [&](std::string_view name, const int32_t& fd) {
    out.push_back(DescriptorOperand{
        .field = std::string(name), .number = fd, .id = table.At(fd)});
  });
  ForEachFdSetField(op, [&](std::string_view name, const uint64_t& bits) {
    for (int bit = 0; bit < 64; ++bit) {
      if (((bits >> bit) & 1u) != 0) {
        out.push_back(DescriptorOperand{.field = std::string(name),
                                        .bit = bit,
                                        .number = bit,
                                        .id = table.At(bit)});
      }
    }
  });
  return out;
}

// select's and pselect6's nfds; nullopt for other ops.
std::optional<int32_t> SelectNfds(const Op& op) {
  if (const auto* s = std::get_if<Select>(&op))
    return s->nfds;
  if (const auto* s = std::get_if<PSelect>(&op))
    return s->nfds;
  return std::nullopt;
}

// select and pselect6 with fewer descriptors: nfds lowered to just above
// the highest bit of its sets, then each bit cleared in turn.
template <class T> void SimplerSelects(const T& o, std::vector<Op>& out) {
  const uint64_t all = o.readfds | o.writefds | o.exceptfds;
  const int32_t top = all == 0 ? 0 : 64 - __builtin_clzll(all);
  if (top < o.nfds && o.nfds <= 64) {
    T s = o;
    s.nfds = top;
    out.push_back(s);
  }
  for (uint64_t T::*set : {&T::readfds, &T::writefds, &T::exceptfds}) {
    for (uint64_t bits = o.*set; bits != 0; bits &= bits - 1) {
      T s = o;
      s.*set &= ~(bits & (~bits + 1));
      out.push_back(s);
    }
  }
}

// Simpler variants of one op, most aggressive first. Every kind is listed:
// a new op does not compile until it says how (or that it cannot) simplify.
std::vector<Op> Simplifications(const Op& op) {
  std::vector<Op> out;
  std::visit(
      [&](const auto& o) {
        using T = std::decay_t<decltype(o)>;
        if constexpr (std::is_same_v<T, Pipe2>) {
          if (o.flags != abi::kONonblock && (o.flags & abi::kONonblock) != 0)
            out.push_back(Pipe2{.flags = abi::kONonblock});
        } else if constexpr (std::is_same_v<T, EpollCreate>) {
          if (o.size > 0)
            out.push_back(EpollCreate1{});
        } else if constexpr (std::is_same_v<T, EpollCreate1>) {
          if (o.flags != 0)
            out.push_back(EpollCreate1{});
        } else if constexpr (std::is_same_v<T, EpollCtl>) {
          const uint64_t fd_data = static_cast<uint64_t>(o.fd);
          if (o.data != fd_data && o.fd >= 0) {
            EpollCtl s = o;
            s.data = fd_data;
            out.push_back(s);
          }
          if (o.buf != kBufGood) {
            EpollCtl s = o;
            s.buf = kBufGood;
            out.push_back(s);
          }
          for (int bit = 0; bit < 32; ++bit) {
            const uint32_t b = 1u << bit;
            if ((o.events & b) == 0)
              continue;
            EpollCtl s = o;
            s.events &= ~b;
            out.push_back(s);
          }
        } else if constexpr (std::is_same_v<T, EpollWait>) {
          if (o.buf != kBufGood || o.timeout_ms != 0)
            out.push_back(EpollWait{.epfd = o.epfd, .maxevents = o.maxevents});
        } else if constexpr (std::is_same_v<T, EpollPwait>) {
          if (o.buf != kBufGood || o.timeout_ms != 0 || o.sigsetsize != -1)
            out.push_back(EpollPwait{.epfd = o.epfd, .maxevents = o.maxevents});
        } else if constexpr (std::is_same_v<T, EpollPwait2>) {
          const EpollPwait2 plain{.epfd = o.epfd, .maxevents = o.maxevents};
          if (!(o == plain))
            out.push_back(plain);
        } else if constexpr (std::is_same_v<T, Write> ||
                             std::is_same_v<T, Read>) {
          for (uint32_t c : {1u, o.count / 2, 4096u})
            if (c != 0 && c < o.count)
              out.push_back(T{.fd = o.fd, .count = c});
        } else if constexpr (std::is_same_v<T, Send> ||
                             std::is_same_v<T, Recv>) {
          for (uint32_t c : {1u, o.count / 2, 4096u}) {
            if (c != 0 && c < o.count) {
              T s = o;
              s.count = c;
              out.push_back(s);
            }
          }
        } else if constexpr (std::is_same_v<T, EventfdWrite>) {
          if (o.value > 1) {
            EventfdWrite s = o;
            s.value = 1;
            out.push_back(s);
          }
        } else if constexpr (std::is_same_v<T, Socketpair>) {
          if ((o.type & ~(abi::kSockTypeMask | abi::kSockNonblock)) != 0) {
            Socketpair s = o;
            s.type &= abi::kSockTypeMask | abi::kSockNonblock;
            out.push_back(s);
          }
        } else if constexpr (std::is_same_v<T, TimerfdSettime>) {
          if (o.flags != 0) {
            TimerfdSettime s = o;
            s.flags = 0;
            out.push_back(s);
          }
        } else if constexpr (std::is_same_v<T, EpollIoctl>) {
          if (o.buf != kBufGood) {
            EpollIoctl s = o;
            s.buf = kBufGood;
            out.push_back(s);
          }
        } else if constexpr (std::is_same_v<T, Signalfd>) {
          // A good mask pointer, then no flags beyond O_NONBLOCK.
          if (o.buf != kBufGood) {
            Signalfd s = o;
            s.buf = kBufGood;
            out.push_back(s);
          }
          if ((o.flags & ~abi::kONonblock) != 0) {
            Signalfd s = o;
            s.flags &= abi::kONonblock;
            out.push_back(s);
          }
        } else if constexpr (std::is_same_v<T, SignalfdRead>) {
          if (o.count > 128) {
            SignalfdRead s = o;
            s.count = 128;
            out.push_back(s);
          }
        } else if constexpr (std::is_same_v<T, Lseek>) {
          if (o.offset != 0 || o.whence != abi::kSeekSet)
            out.push_back(Lseek{.fd = o.fd});
        } else if constexpr (std::is_same_v<T, SetFl>) {
          if (o.flags != abi::kONonblock && (o.flags & abi::kONonblock) != 0)
            out.push_back(SetFl{.fd = o.fd, .flags = abi::kONonblock});
        } else if constexpr (std::is_same_v<T, Fork>) {
          // The child keeps none, or one descriptor fewer (what it keeps
          // still names the same descriptors: minimize_test's Problems).
          if (o.fds != 0)
            out.push_back(Fork{.fds = 0});
          for (uint64_t bits = o.fds; bits != 0; bits &= bits - 1) {
            const uint64_t lowest = bits & (~bits + 1);
            if (o.fds != lowest)
              out.push_back(Fork{.fds = o.fds & ~lowest});
          }
        } else if constexpr (std::is_same_v<T, Select> ||
                             std::is_same_v<T, PSelect>) {
          SimplerSelects(o, out);
        } else if constexpr (std::is_same_v<T, PidfdOpen>) {
          if (o.flags != 0)
            out.push_back(PidfdOpen{.pidfd = o.pidfd});
        } else if constexpr (std::is_same_v<T, Eventfd> ||
                             std::is_same_v<T, ChildClose> ||
                             std::is_same_v<T, ChildExit> ||
                             std::is_same_v<T, Reap> ||
                             std::is_same_v<T, TimerfdCreate> ||
                             std::is_same_v<T, GetFl> ||
                             std::is_same_v<T, SetRlimitNofile> ||
                             std::is_same_v<T, EventfdRead> ||
                             std::is_same_v<T, Shutdown> ||
                             std::is_same_v<T, SetSockOpt> ||
                             std::is_same_v<T, GetSockOpt> ||
                             std::is_same_v<T, UnixSocket> ||
                             std::is_same_v<T, InetSocket> ||
                             std::is_same_v<T, Bind> ||
                             std::is_same_v<T, Listen> ||
                             std::is_same_v<T, Connect> ||
                             std::is_same_v<T, Accept4> ||
                             std::is_same_v<T, SendTo> ||
                             std::is_same_v<T, Poll> ||
                             std::is_same_v<T, PPoll> ||
                             std::is_same_v<T, Close> ||
                             std::is_same_v<T, OpenFile> ||
                             std::is_same_v<T, Dup> ||
                             std::is_same_v<T, Dup2> ||
                             std::is_same_v<T, SetPipeSize> ||
                             std::is_same_v<T, GetPipeSize> ||
                             std::is_same_v<T, ListFds> ||
                             std::is_same_v<T, Tgkill> ||
                             std::is_same_v<T, Sigpending> ||
                             std::is_same_v<T, Sigtimedwait>) {
          // Nothing simpler: the operands are what the step is about.
        } else {
          static_assert(kAlwaysFalse<T>, "Simplifications: unhandled op");
        }
      },
      op);
  return out;
}

}  // namespace

std::vector<std::vector<DescriptorOperand>>
DescriptorOperands(const std::vector<Op>& ops, const Profile& profile) {
  std::vector<std::vector<DescriptorOperand>> out;
  DescriptorTable table(profile);
  for (size_t i = 0; i < ops.size(); ++i) {
    out.push_back(OperandsOf(ops[i], table));
    table.Run(ops[i], i);
  }
  return out;
}

namespace {

// Which steps of `ops` the model admits where they are (a candidate must keep
// those admissible).
std::vector<bool> AdmissibleSteps(const std::vector<Op>& ops,
                                  const Profile& profile) {
  std::vector<bool> admissible;
  World world;
  world.profile = profile;
  for (const Op& op : ops) {
    admissible.push_back(Admissible(world, op));
    (void)Step(world, op);
  }
  return admissible;
}

}  // namespace

bool KeepsAdmissible(const std::vector<Op>& ops,
                     const std::vector<Op>& candidate,
                     const std::vector<size_t>& origin,
                     const Profile& profile) {
  const std::vector<bool> admissible = AdmissibleSteps(ops, profile);
  World world;
  world.profile = profile;
  for (size_t i = 0; i < candidate.size(); ++i) {
    if (admissible.at(origin.at(i)) && !Admissible(world, candidate[i]))
      return false;
    (void)Step(world, candidate[i]);
  }
  return true;
}

namespace {

// DeleteSteps and BypassDup: `bypass` maps a deleted dup step to the
// descriptor its copy's users name instead.
std::optional<std::vector<Op>>
DeleteSteps(const std::vector<Op>& ops, const std::set<size_t>& drop,
            const Profile& profile, std::vector<size_t>* kept,
            const std::map<size_t, DescriptorId>& bypass) {
  const auto operands = DescriptorOperands(ops, profile);
  // What an operand naming `id` names in the candidate.
  const auto resolve = [&](DescriptorId id) {
    for (auto it = bypass.find(id.step); it != bypass.end() && id.slot == 0;
         it = bypass.find(id.step))
      id = it->second;
    return id;
  };
  // The deleted steps and, transitively, the steps naming their descriptors.
  std::vector<bool> gone(ops.size(), false);
  for (size_t i = 0; i < ops.size(); ++i) {
    gone[i] = drop.count(i) != 0;
    for (const DescriptorOperand& o : operands[i]) {
      if (o.bit < 0)  // a set's bit leaves the set instead (below)
        gone[i] = gone[i] || (o.id && gone[resolve(*o.id).step]);
    }
  }
  // A candidate must keep the steps `ops` admits admissible (as
  // KeepsAdmissible checks).
  const std::vector<bool> admissible = AdmissibleSteps(ops, profile);
  std::vector<Op> out;
  std::vector<size_t> origin;
  // The candidate's run, its descriptors named by the steps of `ops`.
  DescriptorTable table(profile);
  for (size_t i = 0; i < ops.size(); ++i) {
    if (gone[i])
      continue;
    Op op = ops[i];
    const std::vector<DescriptorOperand>& want = operands[i];
    size_t k = 0;
    bool ok = true;
    ForEachFdField(op, [&](std::string_view, int32_t& fd) {
      const DescriptorOperand& w = want[k++];
      if (!w.id) {
        ok = ok && !table.IsOpen(fd);  // a literal stays a closed number
        return;
      }
      const std::optional<int32_t> number = table.NumberOf(resolve(*w.id));
      if (number)
        fd = *number;
      ok = ok && number.has_value();
    });
    // Descriptor-set bits follow their descriptors: a bit moves to its
    // descriptor's number in the candidate, or leaves the set with the step
    // that made it; a bit naming no descriptor (a closed number) keeps its
    // number, which must still be closed. select's bits stay on their side
    // of nfds (the kernel ignores the bits above it).
    const std::optional<int32_t> nfds = SelectNfds(op);
    std::map<std::string, uint64_t, std::less<>> sets;
    for (; k < want.size(); ++k) {
      const DescriptorOperand& w = want[k];
      uint64_t& bits = sets[w.field];
      int32_t number = w.bit;
      if (!w.id) {
        ok = ok && !table.IsOpen(w.bit);
      } else if (gone[resolve(*w.id).step]) {
        continue;
      } else {
        number = table.NumberOf(resolve(*w.id)).value_or(-1);
        ok = ok && number >= 0 && number < 64 &&
             (!nfds || (w.bit < *nfds) == (number < *nfds));
      }
      if (ok)
        bits |= uint64_t{1} << number;
    }
    ForEachFdSetField(op, [&](std::string_view name, uint64_t& bits) {
      const auto it = sets.find(name);
      bits = it == sets.end() ? 0 : it->second;
    });
    // A step the original admits must stay admissible, checked before the
    // model runs it to track the descriptors (found by CI's seeded
    // minimizer property: a deletion left a read of a blocking signalfd
    // with no signal pending, and the model refuses to run such a read).
    if (!ok || (admissible[i] && !table.Admits(op)))
      return std::nullopt;
    table.Run(op, i);
    out.push_back(op);
    origin.push_back(i);
  }
  if (kept != nullptr)
    *kept = std::move(origin);
  return out;
}

}  // namespace

std::optional<std::vector<Op>> DeleteSteps(const std::vector<Op>& ops,
                                           const std::set<size_t>& drop,
                                           const Profile& profile,
                                           std::vector<size_t>* kept) {
  return DeleteSteps(ops, drop, profile, kept, {});
}

std::optional<std::vector<Op>> BypassDup(const std::vector<Op>& ops,
                                         size_t step, const Profile& profile,
                                         std::vector<size_t>* kept) {
  if (step >= ops.size() || !(std::holds_alternative<Dup>(ops[step]) ||
                              std::holds_alternative<Dup2>(ops[step])))
    return std::nullopt;
  // The copied descriptor: the first operand (dup's fd, dup2's oldfd).
  const auto operands = DescriptorOperands(ops, profile);
  if (operands[step].empty() || !operands[step][0].id)
    return std::nullopt;
  return DeleteSteps(ops, {step}, profile, kept,
                     {{step, *operands[step][0].id}});
}

std::string ReplaySignature(const std::vector<Op>& ops,
                            const SutFactory& make_sut, const Profile& profile,
                            int& diverging_step) {
  World world;
  world.profile = profile;
  std::unique_ptr<Sut> sut = make_sut();
  std::optional<FdinfoOracle> oracle;
  if (sut->FdinfoOff().empty())
    oracle.emplace();
  diverging_step = -1;
  std::string signature;
  for (size_t i = 0; i < ops.size(); ++i) {
    const World before = world;
    StepRecord record{.op = ops[i], .want = Step(world, ops[i]), .got = {}};
    record.got = sut->Execute(ops[i]);
    signature = CompareStep(std::span<const Op>(ops).first(i + 1), before,
                            world, *sut, oracle ? &*oracle : nullptr, record);
    if (!signature.empty()) {
      diverging_step = static_cast<int>(i);
      break;
    }
  }
  if (sut->Finish().empty() || !signature.empty())
    return signature;
  diverging_step = static_cast<int>(ops.size()) - 1;
  return "teardown:leak:none";
}

Minimized MinimizeTracked(const std::vector<Op>& ops,
                          const std::string& signature,
                          const SutFactory& make_sut, const Profile& profile,
                          int max_replays) {
  return MinimizeTracked(
      ops, signature,
      [&](const std::vector<Op>& candidate, int& step) {
        return ReplaySignature(candidate, make_sut, profile, step);
      },
      profile, max_replays);
}

// Pairs of steps are deleted together only below this length.
constexpr size_t kMaxPairSteps = 16;

Minimized MinimizeTracked(const std::vector<Op>& ops,
                          const std::string& signature,
                          const ReplayOracle& replay, const Profile& profile,
                          int max_replays) {
  Minimized best;
  best.ops = ops;
  for (size_t i = 0; i < ops.size(); ++i)
    best.origin.push_back(i);
  // Replays `candidate`; if it diverges with `signature`, cuts it (and
  // `origin`) after its diverging step and makes it the best.
  const auto try_candidate = [&](std::vector<Op> candidate,
                                 std::vector<size_t> origin) {
    if (!KeepsAdmissible(ops, candidate, origin, profile))
      return false;
    ++best.replays;
    int step = -1;
    if (replay(candidate, step) != signature || step < 0)
      return false;
    candidate.resize(static_cast<size_t>(step) + 1);
    origin.resize(candidate.size());
    best.ops = std::move(candidate);
    best.origin = std::move(origin);
    return true;
  };
  for (;;) {
    bool changed = false;
    bool out_of_budget = false;
    // Deletions, last op first (later ops depend on earlier ones).
    for (size_t i = best.ops.size(); i-- > 0;) {
      if (i >= best.ops.size())
        continue;
      // The step with its dependents, else (a dup) the step alone, its
      // copy's users naming the original.
      bool deleted = false;
      for (const bool bypass : {false, true}) {
        std::vector<size_t> kept;
        std::optional<std::vector<Op>> candidate =
            bypass ? BypassDup(best.ops, i, profile, &kept)
                   : DeleteSteps(best.ops, {i}, profile, &kept);
        if (deleted || !candidate)
          continue;
        if (best.replays >= max_replays) {
          out_of_budget = true;
          break;
        }
        std::vector<size_t> origin;
        for (size_t k : kept)
          origin.push_back(best.origin[k]);
        deleted = try_candidate(std::move(*candidate), std::move(origin));
      }
      changed = changed || deleted;
      if (out_of_budget)
        break;
    }
    // Argument simplifications.
    for (size_t i = 0; i < best.ops.size() && !out_of_budget; ++i) {
      for (const Op& simpler : Simplifications(best.ops[i])) {
        if (best.replays >= max_replays) {
          out_of_budget = true;
          break;
        }
        std::vector<Op> candidate = best.ops;
        candidate[i] = simpler;
        if (try_candidate(std::move(candidate), best.origin)) {
          changed = true;
          break;
        }
      }
    }
    if (out_of_budget)
      return best;
    if (!changed) {
      best.one_minimal = true;
      // Out of a local minimum: two steps at once (a write and the read
      // that undoes it, an item and the wait that took its event), for
      // short sequences only (n(n-1)/2 candidates).
      if (best.ops.size() > kMaxPairSteps)
        return best;
      for (size_t i = best.ops.size(); i-- > 1 && !changed;) {
        for (size_t j = i; j-- > 0 && !changed;) {
          if (i >= best.ops.size())
            break;
          std::vector<size_t> kept;
          std::optional<std::vector<Op>> candidate =
              DeleteSteps(best.ops, {j, i}, profile, &kept);
          if (!candidate)
            continue;
          if (best.replays >= max_replays)
            return best;
          std::vector<size_t> origin;
          for (size_t k : kept)
            origin.push_back(best.origin[k]);
          changed = try_candidate(std::move(*candidate), std::move(origin));
        }
      }
      if (!changed)
        return best;
      best.one_minimal = false;
    }
  }
}

std::vector<Op> Minimize(const std::vector<Op>& ops,
                         const std::string& signature,
                         const SutFactory& make_sut, const Profile& profile,
                         int max_replays) {
  return MinimizeTracked(ops, signature, make_sut, profile, max_replays).ops;
}

std::vector<Op> Minimize(const std::vector<Op>& ops,
                         const std::string& signature,
                         const ReplayOracle& replay, const Profile& profile,
                         int max_replays) {
  return MinimizeTracked(ops, signature, replay, profile, max_replays).ops;
}

}  // namespace epollcheck
