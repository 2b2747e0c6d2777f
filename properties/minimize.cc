#include "properties/minimize.h"

#include <map>
#include <optional>

#include "model/abi.h"
#include "model/step.h"
#include "properties/triage.h"

namespace epollcheck {
namespace {

// Where a file came from: the index of the op that created it (in the
// sequence being minimized) and its position among that op's new files.
using Origin = std::pair<size_t, size_t>;

// Records the origin of every file `op` (at index `index`) created.
void NoteNewFiles(const World& before, const World& after, size_t index,
                  std::map<FileId, Origin>& origin) {
  size_t slot = 0;
  for (const auto& [id, file] : after.files) {
    if (id >= before.next_id)
      origin[id] = Origin{index, slot++};
  }
}

// For each op of `ops`, for each descriptor field, the origin of the file the
// field named when the op ran (if it named an open file).
std::vector<std::map<std::string, Origin>>
OperandOrigins(const std::vector<Op>& ops, const Profile& profile) {
  std::vector<std::map<std::string, Origin>> out(ops.size());
  World world;
  world.profile = profile;
  std::map<FileId, Origin> origin;
  for (size_t i = 0; i < ops.size(); ++i) {
    ForEachFdField(ops[i], [&](std::string_view name, const int32_t& fd) {
      const auto id = world.FileIdAt(fd);
      if (id && origin.count(*id))
        out[i][std::string(name)] = origin.at(*id);
    });
    const World before = world;
    (void)Step(world, ops[i]);
    NoteNewFiles(before, world, i, origin);
  }
  return out;
}

// Builds the sequence without op `drop`, renumbering descriptor operands so
// they name the files they named before. Returns nullopt if an operand's
// file was created by the dropped op (the candidate would mean something
// else).
std::optional<std::vector<Op>> DropAndRenumber(const std::vector<Op>& ops,
                                               size_t drop,
                                               const Profile& profile) {
  const auto origins = OperandOrigins(ops, profile);
  std::vector<Op> out;
  World world;
  world.profile = profile;
  std::map<Origin, FileId> file_of;  // origin (old indices) -> candidate file
  for (size_t i = 0; i < ops.size(); ++i) {
    if (i == drop)
      continue;
    Op op = ops[i];
    bool ok = true;
    ForEachFdField(op, [&](std::string_view name, int32_t& fd) {
      auto want = origins[i].find(std::string(name));
      if (want == origins[i].end())
        return;  // a literal (closed number, -1): keep it
      if (want->second.first == drop) {
        ok = false;
        return;
      }
      auto file = file_of.find(want->second);
      if (file == file_of.end()) {
        ok = false;
        return;
      }
      if (world.FileIdAt(fd) == file->second)
        return;  // same number still names it
      for (const auto& [number, id] : world.fd_table) {
        if (id == file->second) {
          fd = number;
          return;
        }
      }
      ok = false;  // the file has no descriptor here
    });
    if (!ok)
      return std::nullopt;
    const World before = world;
    (void)Step(world, op);
    size_t slot = 0;
    for (const auto& [id, file] : world.files) {
      if (id >= before.next_id)
        file_of[Origin{i, slot++}] = id;
    }
    out.push_back(op);
  }
  return out;
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
          for (int bit = 0; bit < 32; ++bit) {
            const uint32_t b = 1u << bit;
            if ((o.events & b) == 0)
              continue;
            EpollCtl s = o;
            s.events &= ~b;
            out.push_back(s);
          }
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
        } else if constexpr (std::is_same_v<T, Eventfd> ||
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
                             std::is_same_v<T, Select> ||
                             std::is_same_v<T, PSelect> ||
                             std::is_same_v<T, EpollWait> ||
                             std::is_same_v<T, Close> ||
                             std::is_same_v<T, Dup> ||
                             std::is_same_v<T, Dup2> ||
                             std::is_same_v<T, SetPipeSize> ||
                             std::is_same_v<T, GetPipeSize> ||
                             std::is_same_v<T, ListFds>) {
          // Nothing simpler: the operands are what the step is about.
        } else {
          static_assert(kAlwaysFalse<T>, "Simplifications: unhandled op");
        }
      },
      op);
  return out;
}

}  // namespace

std::string ReplaySignature(const std::vector<Op>& ops,
                            const SutFactory& make_sut, const Profile& profile,
                            int& diverging_step) {
  World world;
  world.profile = profile;
  std::unique_ptr<Sut> sut = make_sut();
  diverging_step = -1;
  std::string signature;
  for (size_t i = 0; i < ops.size(); ++i) {
    const World before = world;
    const Outcome want = Step(world, ops[i]);
    const Outcome got = sut->Execute(ops[i]);
    if (!(want == got)) {
      diverging_step = static_cast<int>(i);
      signature = DivergenceSignature(before, ops[i], want, got);
      break;
    }
  }
  if (sut->Finish().empty() || !signature.empty())
    return signature;
  diverging_step = static_cast<int>(ops.size()) - 1;
  return "teardown:leak:none";
}

std::vector<Op> Minimize(const std::vector<Op>& ops,
                         const std::string& signature,
                         const SutFactory& make_sut, const Profile& profile,
                         int max_replays) {
  std::vector<Op> best = ops;
  int replays = 0;
  const auto still_diverges = [&](std::vector<Op>& candidate) {
    ++replays;
    int step = -1;
    if (ReplaySignature(candidate, make_sut, profile, step) != signature)
      return false;
    candidate.resize(static_cast<size_t>(step) + 1);
    return true;
  };
  bool changed = true;
  while (changed && replays < max_replays) {
    changed = false;
    // Deletions, last op first (later ops depend on earlier ones).
    for (size_t i = best.size(); i-- > 0 && replays < max_replays;) {
      if (i >= best.size())
        continue;
      std::optional<std::vector<Op>> candidate =
          DropAndRenumber(best, i, profile);
      if (candidate && still_diverges(*candidate)) {
        best = std::move(*candidate);
        changed = true;
      }
    }
    // Argument simplifications.
    for (size_t i = 0; i < best.size() && replays < max_replays; ++i) {
      for (const Op& simpler : Simplifications(best[i])) {
        std::vector<Op> candidate = best;
        candidate[i] = simpler;
        if (still_diverges(candidate)) {
          best = std::move(candidate);
          changed = true;
          break;
        }
      }
    }
  }
  return best;
}

}  // namespace epollcheck
