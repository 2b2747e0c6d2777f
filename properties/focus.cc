#include "properties/focus.h"

#include <algorithm>
#include <climits>
#include <functional>
#include <map>
#include <set>
#include <type_traits>

#include "model/abi.h"
#include "model/rules.h"

namespace epollcheck {
namespace {

using namespace abi;

constexpr uint64_t kUllongMax = ~uint64_t{0};

class Moves {
public:
  explicit Moves(const World& w) : w_(w) { list_.reserve(32); }
  void Add(uint32_t weight, const Op& op) {
    if (weight > 0)
      list_.push_back(FocusMove{.weight = weight, .op = op});
  }
  bool room(size_t more = 1) const {
    return w_.fd_table.size() + 1 + more <= kMaxOpenFds;
  }
  std::vector<FocusMove> Take() { return std::move(list_); }

private:
  const World& w_;
  std::vector<FocusMove> list_;
};

// A few bits of the recipe: `bits` wide, starting at `shift`.
uint32_t Bits(uint32_t recipe, int shift, int bits) {
  return (recipe >> shift) & ((1u << bits) - 1);
}

// Picks one element of `v` by the recipe and a salt (deterministic in the
// state, so the same state proposes the same move).
template <class T> const T& Pick(const std::vector<T>& v, uint32_t salt) {
  return v[salt % v.size()];
}

// Descriptors whose file satisfies `pred`, lowest first.
template <class Pred>
std::vector<int32_t> FdsWhere(const World& w, Pred&& pred) {
  std::vector<int32_t> out;
  for (const auto& [fd, id] : w.fd_table) {
    if (pred(w.files.at(id)))
      out.push_back(fd);
  }
  return out;
}

// One descriptor per file (the lowest) for files satisfying `pred`.
template <class Pred>
std::map<FileId, int32_t> FilesWhere(const World& w, Pred&& pred) {
  std::map<FileId, int32_t> out;
  for (const auto& [fd, id] : w.fd_table) {
    if (pred(w.files.at(id)))
      out.emplace(id, fd);
  }
  return out;
}

// The open descriptors of `file`.
std::vector<int32_t> FdsOf(const World& w, FileId file) {
  std::vector<int32_t> out;
  for (const auto& [fd, id] : w.fd_table) {
    if (id == file)
      out.push_back(fd);
  }
  return out;
}

// How many items of epoll file `ep` watch `file` (under any number).
int ItemsOn(const World& w, FileId ep, FileId file) {
  int n = 0;
  for (const auto& [key, item] : w.files.at(ep).epoll->items)
    n += key.file == file ? 1 : 0;
  return n;
}

// An open descriptor of `file` that is not yet an item of `ep`.
std::optional<int32_t> UnregisteredFd(const World& w, FileId ep, FileId file) {
  for (int32_t fd : FdsOf(w, file)) {
    if (w.files.at(ep).epoll->items.count(ItemKey{.file = file, .fd = fd}) == 0)
      return fd;
  }
  return std::nullopt;
}

Op Ctl(int32_t epfd, int32_t op, int32_t fd, uint32_t events,
       uint64_t data = 0) {
  return EpollCtl{
      .epfd = epfd, .op = op, .fd = fd, .events = events, .data = data};
}

// An epoll instance to watch things with: the lowest epoll fd, or a move
// that makes one.
std::optional<int32_t> SomeEpoll(const World& w, Moves& m, uint32_t weight) {
  const std::vector<int32_t> eps =
      FdsWhere(w, [](const File& f) { return f.kind == FileKind::kEpoll; });
  if (eps.empty()) {
    if (m.room())
      m.Add(weight, EpollCreate1{});
    return std::nullopt;
  }
  return eps.front();
}

// Watch and wait on the files `fds`: ADD the ones the epoll does not watch
// (with `events`, ET for some), wait with a small and a large maxevents,
// and poll three of them.
void WatchAndWait(const World& w, Moves& m, const std::vector<int32_t>& fds,
                  uint32_t events, uint32_t recipe, Families families) {
  if (fds.empty())
    return;
  if (const std::optional<int32_t> ep = SomeEpoll(w, m, 2)) {
    const FileId ep_file = *w.FileIdAt(*ep);
    int n = 0;
    for (int32_t fd : fds) {
      const FileId file = *w.FileIdAt(fd);
      if (file == ep_file ||
          w.files.at(ep_file).epoll->items.count({.file = file, .fd = fd}))
        continue;
      const uint32_t mode = (Bits(recipe, 7, 2) == 0 && n % 2 == 1)
                                ? kEpollEt
                                : (Bits(recipe, 9, 2) == 0 ? kEpollOneShot : 0);
      m.Add(3, Ctl(*ep, kEpollCtlAdd, fd, events | mode,
                   static_cast<uint64_t>(fd)));
      ++n;
    }
    m.Add(3, EpollWait{.epfd = *ep, .maxevents = 8});
    m.Add(1, EpollWait{.epfd = *ep, .maxevents = 1});
  }
  if ((families & kFamilyPoll) != 0) {
    m.Add(1, Poll{.fd0 = fds[0],
                  .events0 = events,
                  .fd1 = fds.size() > 1 ? fds[1] : -1,
                  .events1 = events,
                  .fd2 = fds.size() > 2 ? fds[2] : -1,
                  .events2 = events,
                  .nfds = 3});
  }
}

// ---------------------------------------------------------------------------
// Nesting: chains of epoll instances up to and past EP_MAX_NESTS links,
// loops, a file at the bottom, and items multiplied (dup'ed descriptors) along
// the chain until the reverse-path limits fail (path_count_inc).

struct EpollGraph {
  std::map<FileId, int32_t> fd;  // epoll file -> its lowest descriptor
  std::map<FileId, std::set<FileId>> children;  // epoll files it watches
  std::map<FileId, std::set<FileId>> parents;   // epoll files watching it
  std::map<FileId, int> height;                 // levels below
  std::map<FileId, int> up;                     // levels above

  explicit EpollGraph(const World& w) {
    fd =
        FilesWhere(w, [](const File& f) { return f.kind == FileKind::kEpoll; });
    for (const auto& [ep, unused] : fd) {
      for (const auto& [key, item] : w.files.at(ep).epoll->items) {
        // (An epoll file only a forked child holds has no descriptor here:
        // the chain moves cannot name it.)
        if (fd.count(key.file) != 0) {
          children[ep].insert(key.file);
          parents[key.file].insert(ep);
        }
      }
    }
    for (const auto& [ep, unused] : fd) {
      std::set<FileId> seen;
      height[ep] = Depth(ep, children, seen);
      seen.clear();
      up[ep] = Depth(ep, parents, seen);
    }
  }
  // Below-or-equal: `below` is reachable from `top` through children.
  bool Reaches(FileId top, FileId below) const {
    std::set<FileId> seen;
    std::function<bool(FileId)> walk = [&](FileId f) {
      if (f == below)
        return true;
      if (!seen.insert(f).second || children.count(f) == 0)
        return false;
      for (FileId c : children.at(f)) {
        if (walk(c))
          return true;
      }
      return false;
    };
    return walk(top);
  }

private:
  static int Depth(FileId f, const std::map<FileId, std::set<FileId>>& edges,
                   std::set<FileId>& seen) {
    if (!seen.insert(f).second || edges.count(f) == 0)
      return 0;
    int d = 0;
    for (FileId n : edges.at(f))
      d = std::max(d, Depth(n, edges, seen) + 1);
    seen.erase(f);
    return d;
  }
};

void NestingMoves(const World& w, uint32_t recipe, Moves& m) {
  const EpollGraph g(w);
  // A chain of `want` instances over a pipe, each link (the pipe's
  // included) `mult` items deep: path_count_inc allows 100, 50 and 10 paths
  // from the pipe to a top 3, 4 and 5 levels up, so 5, 3 and 2 items per
  // link pass the limit of their chain and one fewer stays just below it;
  // 6 instances pass EP_MAX_NESTS links.
  constexpr int kPastLimit[] = {5, 3, 2, 1};  // for 3, 4, 5, 6 instances
  const size_t want = 3 + Bits(recipe, 0, 2);
  const int mult =
      std::max(1, kPastLimit[want - 3] - (Bits(recipe, 2, 3) == 0 ? 1 : 0));
  // Building the structure outweighs exercising it.
  constexpr uint32_t kBuild = 32;
  if (g.fd.size() < want && m.room())
    m.Add(kBuild, EpollCreate1{});
  // The file at the bottom: a pipe's read end.
  const std::vector<int32_t> readers =
      FdsWhere(w, [](const File& f) { return f.kind == FileKind::kPipeRead; });
  if (readers.empty() && m.room(2))
    m.Add(kBuild / 2, Pipe2{.flags = kONonblock});
  if (g.fd.empty())
    return;
  // The top of the highest chain, and the bottom below it.
  FileId top = g.fd.begin()->first;
  for (const auto& [ep, fd] : g.fd) {
    if (g.up.at(ep) == 0 && g.height.at(ep) > g.height.at(top))
      top = ep;
  }
  FileId bottom = top;
  while (g.children.count(bottom) != 0 && !g.children.at(bottom).empty())
    bottom = *g.children.at(bottom).begin();
  // Fresh instances: nothing above, nothing in them.
  std::vector<FileId> fresh;
  for (const auto& [ep, fd] : g.fd) {
    if (ep != top && g.up.at(ep) == 0 && w.files.at(ep).epoll->items.empty())
      fresh.push_back(ep);
  }
  // Extend the chain upwards (past EP_MAX_NESTS links: ELOOP) or downwards.
  if (!fresh.empty()) {
    const bool at_limit = g.height.at(top) >= kEpMaxNests;
    m.Add(at_limit ? 2 : kBuild,
          Ctl(g.fd.at(fresh.front()), kEpollCtlAdd, g.fd.at(top), kEpollIn, 1));
    if (mult == 1 && (bottom != top || g.up.at(bottom) > 0))
      m.Add(3, Ctl(g.fd.at(bottom), kEpollCtlAdd, g.fd.at(fresh.back()),
                   kEpollIn, 2));
  }
  // The pipe at the bottom.
  if (!readers.empty()) {
    const FileId pipe = *w.FileIdAt(readers.front());
    if (ItemsOn(w, bottom, pipe) == 0)
      m.Add(kBuild,
            Ctl(g.fd.at(bottom), kEpollCtlAdd, readers.front(), kEpollIn, 3));
  }
  // Multiplicity, bottom-up: the lowest link with fewer than `mult` items.
  std::vector<std::pair<FileId, FileId>> links;  // (parent, child file)
  for (FileId child = bottom;;) {
    if (!readers.empty() && child == bottom) {
      const FileId pipe = *w.FileIdAt(readers.front());
      if (ItemsOn(w, bottom, pipe) > 0)
        links.emplace_back(bottom, pipe);
    }
    if (g.parents.count(child) == 0 || g.parents.at(child).empty())
      break;
    const FileId parent = *g.parents.at(child).begin();
    links.emplace_back(parent, child);
    child = parent;
    if (links.size() > 8)
      break;
  }
  for (const auto& [parent, child] : links) {
    if (ItemsOn(w, parent, child) >= mult)
      continue;
    if (const std::optional<int32_t> fd = UnregisteredFd(w, parent, child)) {
      m.Add(kBuild, Ctl(g.fd.at(parent), kEpollCtlAdd, *fd, kEpollIn, 4));
    } else if (m.room()) {
      m.Add(kBuild, Dup{.fd = FdsOf(w, child).front()});
    }
    break;
  }
  // A loop: the top into an instance below it.
  for (const auto& [b, bfd] : g.fd) {
    if (b != top && g.Reaches(top, b)) {
      m.Add(2, Ctl(bfd, kEpollCtlAdd, g.fd.at(top), kEpollIn, 5));
      break;
    }
  }
  // EPOLLEXCLUSIVE on an epoll target.
  if (g.fd.size() >= 2) {
    m.Add(1,
          Ctl(g.fd.begin()->second, kEpollCtlAdd,
              std::next(g.fd.begin())->second, kEpollIn | kEpollExclusive, 6));
  }
  // Activity through the chain.
  const std::vector<int32_t> writers =
      FdsWhere(w, [](const File& f) { return f.kind == FileKind::kPipeWrite; });
  if (!writers.empty())
    m.Add(2, Write{.fd = writers.front(), .count = 1});
  if (!readers.empty())
    m.Add(1, Read{.fd = readers.front(), .count = 4096});
  m.Add(3, EpollWait{.epfd = g.fd.at(top), .maxevents = 8});
  m.Add(1, EpollWait{.epfd = g.fd.at(bottom), .maxevents = 8});
  m.Add(1, Close{.fd = Pick(std::vector<int32_t>{g.fd.at(top), g.fd.at(bottom)},
                            recipe >> 12)});
}

// ---------------------------------------------------------------------------
// Waits: one file under several descriptor numbers in one instance, and in
// several instances, in every mode; waits at maxevents around the number of
// ready items.

void WaitsMoves(const World& w, uint32_t recipe, Moves& m) {
  const bool use_eventfd = Bits(recipe, 0, 1) != 0;
  const FileKind kind = use_eventfd ? FileKind::kEventfd : FileKind::kPipeRead;
  const std::map<FileId, int32_t> files =
      FilesWhere(w, [kind](const File& f) { return f.kind == kind; });
  if (files.empty()) {
    if (m.room(2)) {
      m.Add(8, use_eventfd ? Op{Eventfd{.flags = kEfdNonblock}}
                           : Op{Pipe2{.flags = kONonblock}});
    }
    return;
  }
  const FileId file = files.begin()->first;
  const std::vector<int32_t> fds = FdsOf(w, file);
  const std::map<FileId, int32_t> eps =
      FilesWhere(w, [](const File& f) { return f.kind == FileKind::kEpoll; });
  // With fs.epoll.max_user_watches within reach (a VM guest's, 16), half of
  // these sequences fill it: 6 numbers in 4 instances are 24 items.
  const bool fill = w.profile.max_user_watches <= kReachableWatchLimit &&
                    Bits(recipe, 6, 1) != 0;
  const size_t want_fds = fill ? 6 : 2 + Bits(recipe, 1, 2);  // 2..5 numbers
  const size_t want_eps = fill ? 4 : 1 + Bits(recipe, 3, 1);  // 1..2 instances
  if (eps.size() < want_eps && m.room())
    m.Add(6, EpollCreate1{});
  if (fds.size() < want_fds && m.room())
    m.Add(6, Dup{.fd = fds.front()});
  static constexpr uint32_t kModes[] = {0, kEpollEt, kEpollOneShot,
                                        kEpollEt | kEpollOneShot};
  if (fill) {
    // Nothing but the items, until the limit refuses one (then the moves
    // below: ENOSPC again, DEL and close give room back).
    size_t items = 0;
    for (const auto& [id, f] : w.files)
      items += f.epoll ? f.epoll->items.size() : 0;
    if (static_cast<int64_t>(items) < w.profile.max_user_watches) {
      for (const auto& [ep, epfd] : eps) {
        for (const int32_t fd : fds) {
          if (w.files.at(ep).epoll->items.count(
                  ItemKey{.file = file, .fd = fd}) == 0)
            m.Add(6, Ctl(epfd, kEpollCtlAdd, fd, kEpollIn, 1));
        }
      }
      return;
    }
  }
  int ready = 0;
  for (const auto& [ep, epfd] : eps) {
    const EpollInstance& inst = *w.files.at(ep).epoll;
    ready = std::max(ready, static_cast<int>(inst.ready_list.size()));
    for (size_t i = 0; i < fds.size(); ++i) {
      const ItemKey key{.file = file, .fd = fds[i]};
      const uint32_t mode = kModes[(i + Bits(recipe, 4, 2)) % 4];
      auto it = inst.items.find(key);
      if (it == inst.items.end()) {
        m.Add(6, Ctl(epfd, kEpollCtlAdd, fds[i], kEpollIn | kEpollOut | mode,
                     static_cast<uint64_t>(fds[i])));
      } else {
        // Re-arm (a disarmed ONESHOT item), switch modes.
        m.Add(1, Ctl(epfd, kEpollCtlMod, fds[i], kEpollIn | mode, 7));
      }
    }
    for (int32_t max : {1, std::max(1, ready - 1), ready, ready + 1})
      m.Add(2, EpollWait{.epfd = epfd, .maxevents = max});
    // Copy-outs that fault: before the first event (EFAULT, nothing
    // consumed) or after some (a short count); a timeout with events
    // already there.
    const auto queued = static_cast<int32_t>(inst.ready_list.size());
    if (queued >= 1) {
      m.Add(1, EpollWait{.epfd = epfd, .maxevents = 8, .buf = kBufTail});
      m.Add(1, EpollPwait2{.epfd = epfd, .maxevents = 8, .tv_nsec = 100000000});
    }
    if (queued >= 2) {
      m.Add(1, EpollWait{.epfd = epfd,
                         .maxevents = queued,
                         .buf = kBufTail + static_cast<uint32_t>(queued) / 2});
    }
  }
  // Make it ready, not ready; drop a number (a ghost item).
  if (use_eventfd) {
    m.Add(3, EventfdWrite{.fd = fds.front(), .value = 1});
    m.Add(1, EventfdRead{.fd = fds.front()});
  } else {
    const std::vector<int32_t> writers = FdsWhere(w, [&](const File& f) {
      return f.kind == FileKind::kPipeWrite && f.pipe == w.files.at(file).pipe;
    });
    if (!writers.empty())
      m.Add(3, Write{.fd = writers.front(), .count = 1});
    m.Add(1, Read{.fd = fds.front(), .count = 1});
  }
  if (fds.size() > 1)
    m.Add(1, Close{.fd = fds.back()});
  // An EPOLLEXCLUSIVE item (at the tail of the wait queue), which MOD
  // refuses.
  if (!eps.empty()) {
    const int32_t epfd = eps.begin()->second;
    m.Add(2,
          Ctl(epfd, kEpollCtlAdd, fds.back(), kEpollIn | kEpollExclusive, 8));
    m.Add(2, Ctl(epfd, kEpollCtlMod, fds.back(), kEpollIn, 9));
    EpollCtl del{.epfd = epfd, .op = kEpollCtlDel, .fd = fds.front()};
    del.null_event = true;  // DEL never reads the event
    m.Add(1, del);
  }
}

// ---------------------------------------------------------------------------
// Buffers: pipes filled to and near their slot count, packet mode, resized
// around their occupancy; eventfd counters near ULLONG_MAX.

void BuffersMoves(const World& w, uint32_t recipe, Moves& m,
                  Families families) {
  if ((families & kFamilyPipe) != 0) {
    const bool packet = Bits(recipe, 0, 1) != 0;
    const std::map<FileId, int32_t> writers = FilesWhere(
        w, [](const File& f) { return f.kind == FileKind::kPipeWrite; });
    if (writers.size() < 2 && m.room(2)) {
      m.Add(5, Pipe2{.flags = kONonblock |
                              (packet && writers.empty() ? kODirect : 0u)});
    }
    for (const auto& [file, wfd] : writers) {
      const PipeState& pipe = w.pipes.at(w.files.at(file).pipe);
      const auto used = static_cast<uint32_t>(pipe.slots.size());
      const uint32_t free_slots = pipe.max_usage - used;
      // Fill: all of it, all but a slot, a page, one byte, page edges.
      m.Add(3, Write{.fd = wfd, .count = free_slots * kPageSize});
      if (free_slots > 1)
        m.Add(3, Write{.fd = wfd, .count = (free_slots - 1) * kPageSize});
      m.Add(2, Write{.fd = wfd, .count = kPageSize});
      m.Add(2, Write{.fd = wfd, .count = 1});
      m.Add(1, Write{.fd = wfd, .count = kPageSize + 1});
      m.Add(1, Write{.fd = wfd, .count = 3 * kPageSize - 1});
      // Resize to exactly the occupied slots, one fewer, small sizes.
      if (used > 0) {
        m.Add(2, SetPipeSize{.fd = wfd,
                             .size = static_cast<int32_t>(used * kPageSize)});
        m.Add(1, SetPipeSize{
                     .fd = wfd,
                     .size = static_cast<int32_t>((used - 1) * kPageSize + 1)});
      }
      m.Add(1, SetPipeSize{.fd = wfd, .size = 2 * kPageSize});
      m.Add(1, GetPipeSize{.fd = wfd});
      m.Add(1, Read{.fd = wfd, .count = 1});  // the wrong end: EBADF
      m.Add(1, Close{.fd = wfd});
      for (const auto& [fd, id] : w.fd_table) {
        const File& f = w.files.at(id);
        if (f.kind == FileKind::kPipeRead && f.pipe == w.files.at(file).pipe) {
          m.Add(2, Read{.fd = fd, .count = 1});
          m.Add(2, Read{.fd = fd, .count = kPageSize});
          m.Add(1, Read{.fd = fd, .count = 100});
          m.Add(1, Read{.fd = fd, .count = 5 * kPageSize});
          m.Add(1, Read{.fd = fd, .count = 0});
          m.Add(1, Write{.fd = wfd, .count = 0});
          m.Add(1, Write{.fd = fd, .count = 1});  // the wrong end: EBADF
          break;
        }
      }
    }
    std::vector<int32_t> ends = FdsWhere(w, [](const File& f) {
      return f.kind == FileKind::kPipeRead || f.kind == FileKind::kPipeWrite;
    });
    if (ends.size() > 2)
      ends.resize(2);
    WatchAndWait(w, m, ends, kEpollIn | kEpollOut, recipe, families);
    if (!ends.empty())
      m.Add(1, Close{.fd = ends[Bits(recipe, 5, 1) % ends.size()]});
    // A read end without writers: EOF once empty, HUP.
    for (const auto& [fd, id] : w.fd_table) {
      const File& f = w.files.at(id);
      if (f.kind == FileKind::kPipeRead && w.pipes.at(f.pipe).writers == 0)
        m.Add(4, Read{.fd = fd, .count = 5 * kPageSize});
    }
  }
  if ((families & kFamilyEventfd) != 0) {
    const std::map<FileId, int32_t> evs = FilesWhere(
        w, [](const File& f) { return f.kind == FileKind::kEventfd; });
    if (evs.empty() && m.room()) {
      m.Add(4, Eventfd{.initval = 0,
                       .flags = kEfdNonblock |
                                (Bits(recipe, 6, 1) != 0 ? kEfdSemaphore : 0)});
    }
    for (const auto& [file, fd] : evs) {
      const uint64_t count = w.files.at(file).eventfd->count;
      // To ULLONG_MAX - 1 (not writable), one past it (EAGAIN), huge values.
      m.Add(3, EventfdWrite{.fd = fd, .value = kUllongMax - 1 - count});
      m.Add(1, EventfdWrite{.fd = fd, .value = kUllongMax - count});
      m.Add(1, EventfdWrite{.fd = fd, .value = 1});
      m.Add(1, EventfdWrite{.fd = fd, .value = 0});
      m.Add(2, EventfdRead{.fd = fd});
      m.Add(1, Write{.fd = fd, .count = 9});
      m.Add(1, Read{.fd = fd, .count = 4});
    }
    std::vector<int32_t> fds;
    for (const auto& [file, fd] : evs)
      fds.push_back(fd);
    WatchAndWait(w, m, fds, kEpollIn | kEpollOut, recipe, families);
  }
}

// ---------------------------------------------------------------------------
// AF_UNIX.

struct UnixFd {
  int32_t fd;
  SockId sid;
  const UnixSock* s;
};

std::vector<UnixFd> UnixFds(const World& w, uint32_t type) {
  std::vector<UnixFd> out;
  for (const auto& [fd, id] : w.fd_table) {
    const File& f = w.files.at(id);
    if (f.kind == FileKind::kUnixSocket && w.socks.at(f.sock).type == type)
      out.push_back(UnixFd{.fd = fd, .sid = f.sock, .s = &w.socks.at(f.sock)});
  }
  return out;
}

// A name no socket of `type` holds (0..2), if any.
std::optional<int32_t> FreeUnixName(const World& w, uint32_t type) {
  for (int32_t name = 0; name < 3; ++name) {
    if (w.unix_names.count({type, name}) == 0)
      return name;
  }
  return std::nullopt;
}

Op SendOp(int32_t fd, uint32_t count, uint32_t flags = 0) {
  return Send{
      .fd = fd, .count = count, .flags = kMsgDontwait | kMsgNosignal | flags};
}
Op RecvOp(int32_t fd, uint32_t count, uint32_t flags = 0) {
  return Recv{.fd = fd, .count = count, .flags = kMsgDontwait | flags};
}

void UnixStreamMoves(const World& w, uint32_t recipe, Moves& m,
                     Families families) {
  const bool seqpacket = Bits(recipe, 0, 2) == 0;
  const uint32_t type = seqpacket ? kSockSeqpacket : kSockStream;
  const bool oob = !seqpacket && (families & kFamilyUnixOob) != 0;
  const bool addr = (families & kFamilyUnixAddr) != 0;
  const std::vector<UnixFd> socks = UnixFds(w, type);
  if (socks.size() < 2 && m.room(2))
    m.Add(6, Socketpair{.type = type | kSockNonblock});
  // The listener life cycle: socket, bind, listen, connect, accept4, and
  // the listener closed with connections pending.
  if (addr) {
    const UnixFd* listener = nullptr;
    for (const UnixFd& u : socks) {
      if (u.s->state == SockState::kListen)
        listener = &u;
    }
    if (socks.size() < 6 && m.room())
      m.Add(5, UnixSocket{.type = type | kSockNonblock});
    for (const UnixFd& u : socks) {
      if (u.s->state != SockState::kClose)
        continue;
      if (u.s->name < 0) {
        if (const std::optional<int32_t> name = FreeUnixName(w, type);
            name && listener == nullptr) {
          m.Add(4, Bind{.fd = u.fd, .name = *name});
        } else if (listener == nullptr) {
          // A name bound by a socket that does not listen: refused.
          for (const UnixFd& v : socks) {
            if (v.s->name >= 0 && v.s->state == SockState::kClose &&
                v.sid != u.sid)
              m.Add(2, Connect{.fd = u.fd, .name = v.s->name});
          }
        } else {
          const bool backlog_full =
              listener->s->receive_queue.size() >
              static_cast<size_t>(listener->s->max_ack_backlog);
          m.Add(backlog_full ? 10 : 6,
                Connect{.fd = u.fd, .name = listener->s->name});
        }
        m.Add(1, Connect{.fd = u.fd, .name = -1});
      } else if (listener == nullptr) {
        // A backlog of 0 or 1 fills after one or two connects (EAGAIN).
        m.Add(5,
              Listen{.fd = u.fd,
                     .backlog = static_cast<int32_t>(Bits(recipe, 2, 2) % 3)});
      }
    }
    if (listener != nullptr) {
      const size_t pending = listener->s->receive_queue.size();
      const bool backlog_full =
          pending > static_cast<size_t>(listener->s->max_ack_backlog);
      if (pending != 0 && m.room())
        m.Add(backlog_full ? 6 : 2,
              Accept4{.fd = listener->fd, .flags = kSockNonblock});
      m.Add(1, Listen{.fd = listener->fd, .backlog = 5});
      m.Add(1, Shutdown{.fd = listener->fd, .how = kShutRd});
      if (!listener->s->receive_queue.empty())
        m.Add(10, Close{.fd = listener->fd});
      for (const UnixFd& u : socks) {
        if (u.s->state == SockState::kEstablished)
          m.Add(1, Connect{.fd = u.fd, .name = listener->s->name});
      }
      m.Add(1, Connect{.fd = listener->fd, .name = listener->s->name});
    }
  }
  // Data both ways on connected sockets: out-of-band bytes, peeks, reads
  // that cross the mark, a small send buffer, a receive low-water mark.
  for (const UnixFd& u : socks) {
    if (u.s->state != SockState::kEstablished)
      continue;
    // Exercising outweighs ending it (shutdown, close, a tiny buffer).
    m.Add(6, SendOp(u.fd, 1 + Bits(recipe, 4, 2) * 3));
    m.Add(1, SendOp(u.fd, 70000));
    const bool has_oob = u.s->oob_skb != 0;
    // The peer's queue ends with a consumed out-of-band skb: another
    // out-of-band byte right after it (recv_urg then drops the consumed one).
    const std::deque<Skb>* peer_q =
        u.s->peer != 0 && w.socks.count(u.s->peer) != 0
            ? &w.socks.at(u.s->peer).receive_queue
            : nullptr;
    const bool peer_tail_consumed =
        peer_q != nullptr && !peer_q->empty() &&
        peer_q->back().consumed == peer_q->back().len;
    if (oob) {
      m.Add(peer_tail_consumed ? 24 : 10,
            SendOp(u.fd, Bits(recipe, 6, 2) == 0 ? 2 : 1, kMsgOob));
      m.Add(1, SendOp(u.fd, 0, kMsgOob));
      m.Add(has_oob ? 12 : 1, RecvOp(u.fd, 1, kMsgOob));
      m.Add(has_oob ? 4 : 1, RecvOp(u.fd, 1, kMsgOob | kMsgPeek));
    }
    // A 0-byte read whose head manage_oob takes away (a consumed skb, the
    // out-of-band byte): EAGAIN or 0 by the era (unix.oob_zero_recv).
    const std::deque<Skb>& own_q = u.s->receive_queue;
    if (oob && !own_q.empty() &&
        (own_q.front().consumed == own_q.front().len ||
         (u.s->oob_skb != 0 && own_q.front().id == u.s->oob_skb))) {
      m.Add(4, RecvOp(u.fd, 0));
      m.Add(2, RecvOp(u.fd, 0, kMsgPeek));
    }
    m.Add(8, RecvOp(u.fd, 1 + Bits(recipe, 8, 2)));
    m.Add(4, RecvOp(u.fd, 100, kMsgPeek));
    m.Add(3, RecvOp(u.fd, 100, kMsgWaitall));
    m.Add(2, SetSockOpt{.fd = u.fd, .name = kSoRcvlowat, .value = 3});
    m.Add(1, SetSockOpt{.fd = u.fd, .name = kSoSndbuf, .value = 0});
    m.Add(u.s->err != 0 ? 3 : 1, GetSockOpt{.fd = u.fd, .name = kSoError});
    m.Add(1, GetSockOpt{.fd = u.fd, .name = 9999});
    m.Add(1, Listen{.fd = u.fd, .backlog = 1});
    if (u.s->err != 0 && (families & kFamilyPoll) != 0)
      m.Add(3, Poll{.fd0 = u.fd, .events0 = kEpollIn, .nfds = 1});
    m.Add(1, Shutdown{.fd = u.fd,
                      .how = static_cast<int32_t>(Bits(recipe, 10, 2) % 3)});
    // A close with only a consumed out-of-band skb left: no ECONNRESET.
    const auto& q = u.s->receive_queue;
    const bool consumed_only =
        q.size() == 1 && q.front().consumed == q.front().len;
    m.Add(consumed_only ? 10 : 1, Close{.fd = u.fd});
  }
  std::vector<int32_t> fds;
  for (const UnixFd& u : socks)
    fds.push_back(u.fd);
  if (fds.size() > 3)
    fds.resize(3);
  WatchAndWait(w, m, fds, kEpollIn | kEpollOut | kEpollPri | kEpollRdHup,
               recipe, families);
}

// The socket of `sid` as a descriptor, if it has one.
std::optional<int32_t> SockFd(const World& w, SockId sid) {
  for (const auto& [fd, id] : w.fd_table) {
    const File& f = w.files.at(id);
    if (f.kind == FileKind::kUnixSocket && f.sock == sid)
      return fd;
  }
  return std::nullopt;
}

// A named receiver R; senders connected to it (non-mutual, or for some
// recipes R connected back: mutual) filling its queue past max_dgram_qlen;
// then sends that hit the full queue (EAGAIN, the relay registered on R's
// peer_wait), OUT polls, a third socket's sendto, and R making room (the
// relay fires); disconnects, reconnects and closes around it.
void UnixDgramMoves(const World& w, uint32_t recipe, Moves& m,
                    Families families) {
  const bool addr = (families & kFamilyUnixAddr) != 0;
  // Mutual pairs either flood (no max_dgram_qlen between them) or
  // disconnect with datagrams queued (the peer's ECONNRESET).
  const bool mutual = Bits(recipe, 0, 2) <= 1;
  const bool mutual_flood = Bits(recipe, 0, 2) == 1;
  const std::vector<UnixFd> socks = UnixFds(w, kSockDgram);
  if (!addr) {
    if (socks.size() < 2 && m.room(2))
      m.Add(6, Socketpair{.type = kSockDgram | kSockNonblock});
  } else if (socks.size() < (mutual ? 2 : 3 + Bits(recipe, 2, 1)) && m.room()) {
    m.Add(12, UnixSocket{.type = kSockDgram | kSockNonblock});
  }
  // R: the named socket with the longest queue, then the most senders
  // connected to it (the first named one before anyone connects), so roles
  // stay put once the flood starts, mutual pairs included.
  const UnixFd* receiver = nullptr;
  size_t best = 0;
  for (const UnixFd& u : socks) {
    if (u.s->name < 0)
      continue;
    size_t score = 1 + 16 * u.s->receive_queue.size();
    for (const UnixFd& v : socks)
      score += v.s->peer == u.sid ? 1 : 0;
    if (score > best) {
      best = score;
      receiver = &u;
    }
  }
  if (receiver == nullptr && addr) {
    for (const UnixFd& u : socks) {
      if (u.s->name < 0) {
        if (const std::optional<int32_t> name = FreeUnixName(w, kSockDgram))
          m.Add(12, Bind{.fd = u.fd, .name = *name});
        break;
      }
    }
  }
  const auto full = [&](SockId sid) {
    return w.socks.at(sid).receive_queue.size() >
           static_cast<size_t>(w.socks.at(sid).max_ack_backlog);
  };
  for (const UnixFd& u : socks) {
    // With three sockets or more the last stays unconnected: its sendto
    // meets R's full queue without the relay.
    const bool stranger =
        !mutual && socks.size() >= 3 && u.sid == socks.back().sid;
    if (receiver != nullptr && u.sid != receiver->sid) {
      const UnixSock& r = *receiver->s;
      if (u.s->peer == 0 && !stranger) {
        m.Add(10, Connect{.fd = u.fd, .name = r.name});
        m.Add(1, Connect{.fd = u.fd, .name = -1});
      } else if (u.s->peer != receiver->sid) {
        m.Add(2, Connect{.fd = u.fd, .name = r.name});
      }
      // A sender that is not connected to R: EAGAIN at once when R is full.
      m.Add(full(receiver->sid) ? (u.s->peer != receiver->sid ? 12 : 5) : 1,
            SendTo{.fd = u.fd,
                   .count = 10,
                   .flags = kMsgDontwait | kMsgNosignal,
                   .name = r.name});
      m.Add(1, SendTo{.fd = u.fd,
                      .count = 10,
                      .flags = kMsgDontwait | kMsgNosignal,
                      .name = -1});
      // Mutual: R connects back (its queue then takes more than
      // max_dgram_qlen from us), and sends to us.
      if (mutual && r.peer == 0) {
        if (u.s->name < 0 && addr) {
          if (const std::optional<int32_t> name = FreeUnixName(w, kSockDgram))
            m.Add(12, Bind{.fd = u.fd, .name = *name});
        } else if (u.s->name >= 0) {
          m.Add(12, Connect{.fd = receiver->fd, .name = u.s->name});
        }
      }
      if (r.peer == u.sid) {
        // Mutual: R sends back; then we disconnect with its datagrams
        // queued (R gets ECONNRESET), or keep flooding R past
        // max_dgram_qlen (no limit between mutual peers).
        if (!mutual_flood) {
          m.Add(4, SendOp(receiver->fd, 10));
          m.Add(u.s->receive_queue.empty() ? 1 : 6,
                Connect{.fd = u.fd, .name = -1});
        } else if (full(receiver->sid)) {
          m.Add(12, SendOp(u.fd, 10));
        }
      }
    }
    // The peer closed: ECONNREFUSED (and a disconnect).
    if (u.s->peer != 0 && w.socks.at(u.s->peer).dead)
      m.Add(6, SendOp(u.fd, 10));
    if (u.s->peer != 0 && w.socks.count(u.s->peer) != 0) {
      const bool peer_full = full(u.s->peer);
      const bool is_receiver = receiver != nullptr && u.sid == receiver->sid;
      m.Add(peer_full || is_receiver ? 3 : 40,
            SendOp(u.fd, 1 + Bits(recipe, 3, 2) * 50));
      m.Add(1, Connect{.fd = u.fd, .name = -1});
      if (peer_full) {
        WatchAndWait(w, m, {u.fd}, kEpollOut, recipe, families);
        if ((families & kFamilyPoll) != 0)
          m.Add(3, Poll{.fd0 = u.fd, .events0 = kEpollOut, .nfds = 1});
        if (const std::optional<int32_t> rfd = SockFd(w, u.s->peer)) {
          m.Add(w.socks.at(u.s->peer).peer_waiters.empty() ? 4 : 8,
                RecvOp(*rfd, 100));
        }
      }
    }
    if (u.s->receive_queue.size() > 2 && !full(u.sid)) {
      m.Add(1, RecvOp(u.fd, 1 + Bits(recipe, 5, 1) * 200));
      m.Add(1, RecvOp(u.fd, 5, kMsgTrunc));
      m.Add(1, RecvOp(u.fd, 5, kMsgPeek));
    }
    if (u.s->err != 0) {
      m.Add(3, RecvOp(u.fd, 100));
      m.Add(5, SendOp(u.fd, 10));
    }
    m.Add(1, RecvOp(u.fd, 10, kMsgOob));
    m.Add(u.s->sndbuf < 8192 ? 3 : 1, SendOp(u.fd, 5000));
    m.Add(1, GetSockOpt{.fd = u.fd, .name = kSoError});
  }
  // Once R holds a few: close, shut down, shrink a send buffer.
  if (!socks.empty() &&
      (receiver == nullptr || receiver->s->receive_queue.size() > 4)) {
    const UnixFd& victim = Pick(socks, recipe >> 8);
    m.Add(1, Close{.fd = victim.fd});
    m.Add(1, Shutdown{.fd = victim.fd, .how = kShutRd});
    m.Add(1, SetSockOpt{.fd = victim.fd, .name = kSoSndbuf, .value = 0});
  }
  // SEQPACKET pairs: a close with unread data (the peer's ECONNRESET, then
  // its sends and receives), EOF after it.
  const std::vector<UnixFd> seq = UnixFds(w, kSockSeqpacket);
  if (Bits(recipe, 6, 1) != 0) {
    if (seq.size() < 2 && m.room(2))
      m.Add(6, Socketpair{.type = kSockSeqpacket | kSockNonblock});
    for (const UnixFd& u : seq) {
      m.Add(u.s->err != 0 ? 8 : 4, SendOp(u.fd, 7));
      m.Add(2, RecvOp(u.fd, 100));
      m.Add(u.s->receive_queue.empty() ? 1 : 3, Close{.fd = u.fd});
    }
  }
  std::vector<int32_t> fds;
  for (const UnixFd& u : socks)
    fds.push_back(u.fd);
  if (fds.size() > 3)
    fds.resize(3);
  WatchAndWait(w, m, fds, kEpollIn | kEpollOut, recipe, families);
}

// ---------------------------------------------------------------------------
// TCP and UDP on loopback, inside Admissible's limits.

struct InetFd {
  int32_t fd;
  SockId sid;
  const InetSock* s;
};

std::vector<InetFd> InetFds(const World& w, bool tcp) {
  std::vector<InetFd> out;
  for (const auto& [fd, id] : w.fd_table) {
    const File& f = w.files.at(id);
    if (f.kind == FileKind::kInetSocket && w.inet_socks.at(f.sock).tcp == tcp)
      out.push_back(
          InetFd{.fd = fd, .sid = f.sock, .s = &w.inet_socks.at(f.sock)});
  }
  return out;
}

// The socket holding AF_INET name `name` (listener first), as Admissible's
// InetHolder finds it.
SockId Holder(const World& w, bool tcp, int32_t name) {
  SockId holder = 0;
  for (const auto& [id, s] : w.inet_socks) {
    if (s.tcp == tcp && s.name == name && !s.dead &&
        (holder == 0 || s.state == TcpState::kListen)) {
      holder = id;
    }
  }
  return holder;
}

std::optional<int32_t> FreeInetName(const World& w, bool tcp) {
  for (int32_t name = 0; name < 3; ++name) {
    if (w.inet_names.count({tcp, name}) == 0)
      return name;
  }
  return std::nullopt;
}

bool Connected(const InetSock& s) {
  return s.state == TcpState::kEstablished || s.state == TcpState::kCloseWait ||
         s.state == TcpState::kFinWait2;
}

void TcpMoves(const World& w, uint32_t recipe, Moves& m, Families families) {
  const std::vector<InetFd> socks = InetFds(w, true);
  if (socks.size() < 3 + Bits(recipe, 0, 1) && m.room())
    m.Add(socks.size() < 2 ? 8 : 3,
          InetSocket{.type = kSockStream | kSockNonblock});
  // Listeners with room in their accept queue, and names bound by sockets
  // that do not listen (connects to those are refused).
  std::vector<int32_t> listening;
  std::vector<int32_t> refusing;
  for (const auto& [key, first] : w.inet_names) {
    if (!key.first)
      continue;
    const SockId h = Holder(w, true, key.second);
    if (h == 0)
      continue;
    const InetSock& s = w.inet_socks.at(h);
    if (s.state == TcpState::kListen) {
      if (s.accept_queue.size() <= static_cast<size_t>(s.max_ack_backlog))
        listening.push_back(key.second);
    } else {
      refusing.push_back(key.second);
    }
  }
  // Until a connection stands, building it (one listener, a client,
  // accept4) outweighs the rest, which would tear it down early.
  bool connection = false;
  bool idle_bound = false;  // bound, will listen
  for (const InetFd& t : socks) {
    connection |= Connected(*t.s) && t.s->peer != 0;
    idle_bound |= t.s->bound && t.s->state == TcpState::kClose &&
                  t.s->ss == SocketState::kUnconnected && !t.s->connected &&
                  !t.s->listened;
  }
  const uint32_t chaos = connection ? 1 : 0;
  for (const InetFd& t : socks) {
    const InetSock& s = *t.s;
    const bool fresh = s.state == TcpState::kClose &&
                       s.ss == SocketState::kUnconnected && !s.connected &&
                       !s.listened;
    if (fresh && !s.bound) {
      if (const std::optional<int32_t> name = FreeInetName(w, true);
          name && listening.empty() && !idle_bound) {
        m.Add(8, Bind{.fd = t.fd, .name = *name});
      }
      for (int32_t name : listening)
        m.Add(8, Connect{.fd = t.fd, .name = name});
      for (int32_t name : refusing)
        m.Add(3, Connect{.fd = t.fd, .name = name});
      if (listening.empty())
        m.Add(chaos, Listen{.fd = t.fd, .backlog = 2});  // autobind
    }
    // shutdown(SHUT_WR) before listen: ENOTCONN, but its children inherit
    // SEND_SHUTDOWN and send their FIN at once.
    if (fresh)
      m.Add(1, Shutdown{.fd = t.fd, .how = kShutWr});
    if (fresh && s.bound) {
      m.Add(listening.empty() ? 8 : 1,
            Listen{.fd = t.fd,
                   .backlog = static_cast<int32_t>(1 + Bits(recipe, 1, 2))});
      m.Add(chaos, Bind{.fd = t.fd, .name = s.name});
    }
    if (s.state == TcpState::kListen) {
      if (!s.accept_queue.empty() && m.room())
        m.Add(10, Accept4{.fd = t.fd, .flags = kSockNonblock});
      m.Add(chaos, Listen{.fd = t.fd, .backlog = 3});
      m.Add(chaos, Shutdown{.fd = t.fd,
                            .how = static_cast<int32_t>(
                                Bits(recipe, 3, 1))});  // RD or WR
      m.Add(chaos, Connect{.fd = t.fd, .name = s.name});
      m.Add(chaos, Connect{.fd = t.fd, .name = -1});
      m.Add(chaos, RecvOp(t.fd, 10));
      m.Add(s.accept_queue.empty() ? chaos : 3, Close{.fd = t.fd});
    }
    // A refused or reset connect: its error, then connect, listen, send.
    if (s.ss == SocketState::kConnecting && s.state == TcpState::kClose) {
      m.Add(2, GetSockOpt{.fd = t.fd, .name = kSoError});
      // Its error already read: ECONNABORTED.
      m.Add(s.err == 0 ? 8 : 4,
            Connect{.fd = t.fd, .name = s.name >= 0 ? s.name : 0});
      m.Add(1, Shutdown{.fd = t.fd, .how = kShutWr});
      m.Add(s.err != 0 ? 3 : 1, SendOp(t.fd, 1));
      m.Add(1, Listen{.fd = t.fd, .backlog = 1});
    }
    if (s.ss == SocketState::kDisconnecting)
      m.Add(2, Connect{.fd = t.fd, .name = 0});
    if (s.state == TcpState::kClose && s.urg != 0) {
      m.Add(3, RecvOp(t.fd, 1, kMsgOob));
      m.Add(1, RecvOp(t.fd, 1, kMsgOob | kMsgPeek));
    }
    // Reset: its error from a read.
    if (s.state == TcpState::kClose && s.err != 0 && s.unread == 0)
      m.Add(4, RecvOp(t.fd, 10));
    // Once connected or listening, never again (EINVAL).
    if (s.state == TcpState::kClose && s.ss == SocketState::kUnconnected &&
        (s.connected || s.listened)) {
      m.Add(2, Listen{.fd = t.fd, .backlog = 1});
      // (To a name someone else holds: Admissible sends no SYN elsewhere.)
      for (const auto& [key, first] : w.inet_names) {
        const SockId h = key.first ? Holder(w, true, key.second) : 0;
        if (h != 0 && h != t.sid)
          m.Add(3, Connect{.fd = t.fd, .name = key.second});
      }
      // Someone else to hold a name.
      if (listening.empty() && refusing.empty() && m.room())
        m.Add(2, InetSocket{.type = kSockStream | kSockNonblock});
    }
    if (!Connected(s))
      continue;
    // A connection: complete the connect, data both ways (urgent too),
    // reads at and across the mark, a low-water mark, shutdowns, resets.
    if (s.ss == SocketState::kConnecting)
      m.Add(3, Connect{.fd = t.fd, .name = 0});
    if (s.ss == SocketState::kConnected)
      m.Add(1, Connect{.fd = t.fd, .name = 0});
    if (s.peer != 0 && w.inet_socks.count(s.peer) != 0) {
      const InetSock& p = w.inet_socks.at(s.peer);
      const uint64_t room =
          p.unread < kMaxTcpUnread ? kMaxTcpUnread - p.unread : 0;
      // The peer shut for reading in FIN_WAIT2: data resets both.
      if (p.state == TcpState::kFinWait2 && (p.shutdown & kRcvShutdown) != 0) {
        m.Add(4, SendOp(t.fd, 1));
        m.Add(4, SendOp(t.fd, 1, kMsgOob));  // the urgent byte stays valid
      }
      if (room > 0 && p.rx_segs < kMaxTcpSegs) {
        const auto n = static_cast<uint32_t>(
            std::min<uint64_t>(room, 1 + Bits(recipe, 4, 2) * 5));
        m.Add(4, SendOp(t.fd, n));
        // A 1-byte urgent send to an empty stream puts the mark at its head.
        m.Add(3, SendOp(t.fd, 1, kMsgOob));
        if (n > 1)
          m.Add(2, SendOp(t.fd, 2, kMsgOob));
        // An urgent byte at the head of the peer's stream: another one
        // makes it lost.
        if (p.urg != 0 && p.urg_offset == 0)
          m.Add(6, SendOp(t.fd, 1, kMsgOob));
      }
    }
    m.Add(1, SendOp(t.fd, 0));
    const bool urgent = s.urg == 1;  // TCP_URG_VALID
    const bool at_mark = urgent && s.urg_offset == 0 && s.unread > 0;
    if (s.unread > 0 || s.urg != 0) {
      m.Add(at_mark ? 8 : 4, RecvOp(t.fd, 1 + Bits(recipe, 6, 2)));
      m.Add(urgent ? 5 : 2, RecvOp(t.fd, 1, kMsgOob));
      m.Add(urgent ? 4 : 1, RecvOp(t.fd, 1, kMsgOob | kMsgPeek));
      m.Add(2, RecvOp(t.fd, 100, kMsgPeek));
      m.Add(2, RecvOp(t.fd, 4096));
    } else {
      m.Add(s.done ? 4 : 1, RecvOp(t.fd, 10));
    }
    // The urgent byte at the head does not count towards SO_RCVLOWAT.
    if (at_mark) {
      m.Add(4, SetSockOpt{.fd = t.fd,
                          .name = kSoRcvlowat,
                          .value = static_cast<int32_t>(s.unread)});
    }
    // Fewer bytes than SO_RCVLOWAT: not readable (and the urgent byte at
    // the head does not count).
    if (s.unread > 0 &&
        (s.unread < static_cast<uint64_t>(s.rcvlowat) || at_mark)) {
      WatchAndWait(w, m, {t.fd}, kEpollIn, recipe, families);
      if ((families & kFamilyPoll) != 0)
        m.Add(6, Poll{.fd0 = t.fd, .events0 = kEpollIn, .nfds = 1});
    }
    if (s.unread > 0 && s.rcvlowat == 1) {
      m.Add(3, SetSockOpt{.fd = t.fd,
                          .name = kSoRcvlowat,
                          .value = static_cast<int32_t>(s.unread + 1)});
    }
    m.Add(1, SetSockOpt{.fd = t.fd, .name = kSoRcvlowat, .value = INT_MAX});
    // A read across the mark: cut short before it, stopping at it.
    if (urgent && s.urg_offset > 0)
      m.Add(6, RecvOp(t.fd, 4096));
    // Shut for reading with nothing queued: 0.
    if ((s.shutdown & kRcvShutdown) != 0 && !s.done && s.unread == 0)
      m.Add(4, RecvOp(t.fd, 10));
    // Unread data: the close resets.
    if (s.unread > 0)
      m.Add(3, Close{.fd = t.fd});
    // A FIN received: our own closes it (LAST_ACK).
    if (s.state == TcpState::kCloseWait)
      m.Add(4, Shutdown{.fd = t.fd, .how = kShutWr});
    // SO_LINGER {1, 0}: the close resets.
    if (s.linger && s.linger_time == 0)
      m.Add(4, Close{.fd = t.fd});
    m.Add(2,
          SetSockOpt{.fd = t.fd,
                     .name = kSoRcvlowat,
                     .value = Pick(std::vector<int32_t>{2, 3, 10, 100, -1, 0},
                                   recipe >> 8)});
    m.Add(1, SetSockOpt{.fd = t.fd, .name = kSoLinger, .value = 0});
    m.Add(2, Shutdown{.fd = t.fd,
                      .how = static_cast<int32_t>((Bits(recipe, 11, 2) + t.fd) %
                                                  3)});
    m.Add(2, Close{.fd = t.fd});
    m.Add(1, Connect{.fd = t.fd, .name = -1});
    m.Add(1, GetSockOpt{.fd = t.fd, .name = kSoError});
  }
  // A UDP socket bound to a name a TCP socket holds: ports are per
  // protocol.
  if ((families & kFamilyUdp) != 0) {
    const std::vector<InetFd> udp = InetFds(w, false);
    if (udp.empty() && m.room())
      m.Add(1, InetSocket{.type = kSockDgram | kSockNonblock});
    for (const InetFd& u : udp) {
      if (u.s->bound)
        continue;
      for (const auto& [key, first] : w.inet_names) {
        if (key.first && w.inet_names.count({false, key.second}) == 0)
          m.Add(2, Bind{.fd = u.fd, .name = key.second});
      }
    }
  }
  std::vector<int32_t> fds;
  for (const InetFd& t : socks)
    fds.push_back(t.fd);
  if (fds.size() > 3)
    fds.resize(3);
  WatchAndWait(w, m, fds, kEpollIn | kEpollOut | kEpollPri | kEpollRdHup,
               recipe, families);
}

void UdpMoves(const World& w, uint32_t recipe, Moves& m, Families families) {
  const std::vector<InetFd> socks = InetFds(w, false);
  if (socks.size() < 3 + Bits(recipe, 0, 1) && m.room())
    m.Add(socks.size() < 2 ? 8 : 3,
          InetSocket{.type = kSockDgram | kSockNonblock});
  std::vector<int32_t> held;  // names a live UDP socket holds
  std::vector<int32_t> dead;  // names bound once, nobody holds them now
  for (const auto& [key, first] : w.inet_names) {
    if (key.first)
      continue;
    (Holder(w, false, key.second) != 0 ? held : dead).push_back(key.second);
  }
  for (const InetFd& u : socks) {
    const InetSock& s = *u.s;
    if (!s.bound) {
      if (const std::optional<int32_t> name = FreeInetName(w, false))
        m.Add(5, Bind{.fd = u.fd, .name = *name});
      if (!held.empty())
        m.Add(1, Bind{.fd = u.fd, .name = held.front()});  // EADDRINUSE
      if ((families & kFamilyTcp) != 0) {
        for (const auto& [key, first] : w.inet_names) {
          if (key.first && w.inet_names.count({false, key.second}) == 0)
            m.Add(1, Bind{.fd = u.fd, .name = key.second});
        }
      }
    }
    for (int32_t name : held) {
      if (s.state != TcpState::kEstablished || s.dest_name != name)
        m.Add(3, Connect{.fd = u.fd, .name = name});
      m.Add(4, SendTo{.fd = u.fd,
                      .count = 1 + Bits(recipe, 1, 2) * 100,
                      .flags = kMsgDontwait | kMsgNosignal,
                      .name = name});
    }
    for (int32_t name : dead) {
      m.Add(2, SendTo{.fd = u.fd,
                      .count = 10,
                      .flags = kMsgDontwait | kMsgNosignal,
                      .name = name});
    }
    if (s.state == TcpState::kEstablished) {
      m.Add(4, SendOp(u.fd, 20));
      m.Add(1, Connect{.fd = u.fd, .name = -1});
    }
    m.Add(1, SendOp(u.fd, 65508));
    m.Add(1, SendOp(u.fd, 65536));
    m.Add(1, SendOp(u.fd, 5, kMsgOob));
    m.Add(1, Listen{.fd = u.fd, .backlog = 1});
    if (m.room())
      m.Add(1, Accept4{.fd = u.fd, .flags = kSockNonblock});
    if (!s.datagrams.empty()) {
      m.Add(3, RecvOp(u.fd, 1 + Bits(recipe, 3, 2) * 30));
      m.Add(2, RecvOp(u.fd, 2, kMsgTrunc));
      m.Add(2, RecvOp(u.fd, 2, kMsgPeek));
    }
    m.Add(1, Shutdown{
                 .fd = u.fd,
                 .how = static_cast<int32_t>((Bits(recipe, 5, 2) + u.fd) % 3)});
    m.Add(1, SetSockOpt{.fd = u.fd, .name = kSoSndbuf, .value = 4096});
    m.Add(1, Close{.fd = u.fd});
  }
  std::vector<int32_t> fds;
  for (const InetFd& u : socks)
    fds.push_back(u.fd);
  if (fds.size() > 3)
    fds.resize(3);
  WatchAndWait(w, m, fds, kEpollIn | kEpollOut | kEpollRdHup, recipe, families);
}

// True if `op` belongs to a family switched on (core operations always).
bool Offered(const World& w, const Op& op, Families families) {
  const bool kind_ok = std::visit(
      [families](const auto& o) {
        using T = std::decay_t<decltype(o)>;
        const uint32_t f = OfferedFamiliesOf<T>();
        return f == kFamilyCore || (f & families) != 0;
      },
      op);
  if (!kind_ok)
    return false;
  if (const auto* s = std::get_if<InetSocket>(&op)) {
    return (families &
            ((s->type & kSockTypeMask) == kSockStream ? kFamilyTcp
                                                      : kFamilyUdp)) != 0;
  }
  // MSG_OOB on AF_UNIX is its own family.
  if (const auto* s = std::get_if<Send>(&op)) {
    const File* f = w.FileAt(s->fd);
    if ((s->flags & kMsgOob) != 0 && f != nullptr &&
        f->kind == FileKind::kUnixSocket)
      return (families & kFamilyUnixOob) != 0;
  }
  return true;
}

// ---------------------------------------------------------------------------
// FIFOs and timers: readers and writers of the sequence's FIFO coming and
// going (a reader that opened alone sees no HUP until a writer has come and
// gone; O_RDWR files on both queues; the last close freeing the pipe), and
// timerfds armed to expire, re-armed and disarmed with ticks unread, read,
// all watched by an epoll instance.

void FifoTimerMoves(const World& w, uint32_t recipe, Moves& m,
                    Families families) {
  std::vector<int32_t> watched;
  if ((families & kFamilyFifo) != 0) {
    const std::vector<int32_t> fifos =
        FdsWhere(w, [](const File& f) { return IsPipeKind(f.kind) && f.fifo; });
    const PipeState* pipe =
        w.fifo_pipe != 0 ? &w.pipes.at(w.fifo_pipe) : nullptr;
    if (m.room()) {
      m.Add(pipe == nullptr ? 6 : 2,
            OpenFile{.kind = kOpenFifoRead, .flags = kONonblock});
      m.Add(pipe != nullptr && pipe->readers > 0 && pipe->writers == 0 ? 5 : 1,
            OpenFile{.kind = kOpenFifoWrite, .flags = kONonblock});
      m.Add(Bits(recipe, 0, 2) == 0 ? 3 : 1,
            OpenFile{.kind = kOpenFifoRdwr, .flags = kONonblock});
    }
    for (int32_t fd : fifos) {
      const File& f = *w.FileAt(fd);
      if (PipeWrites(f.kind))
        m.Add(2, Write{.fd = fd, .count = 1 + Bits(recipe, 2, 2) * 1000});
      if (PipeReads(f.kind))
        m.Add(1, Read{.fd = fd, .count = 4096});
      m.Add(f.kind == FileKind::kPipeWrite ? 3 : 1, Close{.fd = fd});
    }
    watched = fifos;
  }
  if ((families & kFamilyTimerfd) != 0) {
    const std::vector<int32_t> timers =
        FdsWhere(w, [](const File& f) { return f.kind == FileKind::kTimerfd; });
    if (timers.size() < 2 && m.room())
      m.Add(timers.empty() ? 6 : 1,
            TimerfdCreate{.clockid = 1, .flags = kONonblock});
    for (int32_t fd : timers) {
      const bool ticks = w.FileAt(fd)->timerfd->ticks != 0;
      m.Add(ticks ? 2 : 5, TimerfdSettime{.fd = fd, .expire = kExpireNow});
      m.Add(ticks ? 3 : 1, TimerfdSettime{.fd = fd, .expire = kExpireOff});
      m.Add(ticks ? 2 : 1, TimerfdSettime{.fd = fd, .expire = kExpireFar});
      m.Add(ticks ? 3 : 1, EventfdRead{.fd = fd});
      watched.push_back(fd);
    }
  }
  WatchAndWait(w, m, watched, kEpollIn | kEpollOut, recipe, families);
}

// ---------------------------------------------------------------------------
// Signals: signalfds (one or two, masks from the recipe) watched by an epoll
// instance, LT and ET, signals raised (standard ones twice: the second is
// dropped without a wakeup; a real-time one queues), SIGPIPE from writes to
// a pipe whose reader is gone, masks changed, signals taken by signalfd
// reads and sigtimedwait. Every signal wakes every signalfd item, whatever
// its mask.

void SignalMoves(const World& w, uint32_t recipe, Moves& m, Families families) {
  const std::vector<int32_t> sfds =
      FdsWhere(w, [](const File& f) { return f.kind == FileKind::kSignalfd; });
  static constexpr uint64_t kMasks[] = {kBlockedSignals, SigBit(kSigUsr1),
                                        SigBit(kSigPipe) | SigBit(kSigRt40),
                                        SigBit(kSigUsr2)};
  if (sfds.size() < 2 && m.room()) {
    m.Add(sfds.empty() ? 8 : 2,
          Signalfd{.fd = -1,
                   .mask = kMasks[(Bits(recipe, 0, 2) + sfds.size()) % 4],
                   .flags = kONonblock});
  }
  for (int32_t fd : sfds) {
    m.Add(2, SignalfdRead{.fd = fd, .count = 128u << Bits(recipe, 2, 1)});
    m.Add(1, Signalfd{.fd = fd, .mask = kMasks[Bits(recipe, 3, 2)]});
  }
  for (int32_t sig : {kSigUsr1, kSigUsr2, kSigRt40, kSigPipe})
    m.Add(sig == kSigRt40 ? 3 : 2, Tgkill{.sig = sig});
  m.Add(1, Sigpending{});
  m.Add(1, Sigtimedwait{.mask = kMasks[Bits(recipe, 5, 2)]});
  // SIGPIPE from EPIPE: a pipe whose read end is closed.
  if ((families & kFamilyPipe) != 0) {
    const std::vector<int32_t> writers = FdsWhere(w, [&](const File& f) {
      return f.kind == FileKind::kPipeWrite && !f.fifo;
    });
    bool orphan = false;
    for (int32_t fd : writers) {
      const PipeState& pipe = w.pipes.at(w.FileAt(fd)->pipe);
      if (pipe.readers == 0) {
        m.Add(3, Write{.fd = fd, .count = 1});
        orphan = true;
      } else if (!orphan) {
        for (const auto& [rfd, id] : w.fd_table) {
          const File& r = w.files.at(id);
          if (r.kind == FileKind::kPipeRead && r.pipe == w.FileAt(fd)->pipe) {
            m.Add(2, Close{.fd = rfd});
            break;
          }
        }
      }
    }
    if (writers.empty() && m.room(2))
      m.Add(3, Pipe2{.flags = kONonblock});
  }
  // SIGPIPE from an AF_UNIX stream send to a peer shut for reading (none
  // for a MSG_OOB send: queue_oob's EPIPE).
  if ((families & kFamilyUnix) != 0) {
    const std::vector<int32_t> streams = FdsWhere(w, [&](const File& f) {
      return f.kind == FileKind::kUnixSocket &&
             w.socks.at(f.sock).type == kSockStream &&
             w.socks.at(f.sock).peer != 0;
    });
    for (int32_t fd : streams) {
      const UnixSock& s = w.socks.at(w.FileAt(fd)->sock);
      const UnixSock& peer = w.socks.at(s.peer);
      if ((peer.shutdown & abi::kRcvShutdown) == 0) {
        if (!peer.dead && peer.file != 0)
          for (const auto& [pfd, id] : w.fd_table) {
            if (id == peer.file) {
              m.Add(2, Shutdown{.fd = pfd, .how = abi::kShutRd});
              break;
            }
          }
        continue;
      }
      m.Add(3, Send{.fd = fd, .count = 1, .flags = kMsgDontwait});
      if ((families & kFamilyUnixOob) != 0)
        m.Add(2, Send{.fd = fd, .count = 1, .flags = kMsgDontwait | kMsgOob});
    }
    if (streams.empty() && m.room(2))
      m.Add(3, Socketpair{.type = kSockStream | kSockNonblock});
  }
  // The first signalfd edge-triggered (a wakeup shows as a report again),
  // the others as WatchAndWait's.
  if (!sfds.empty()) {
    if (const std::optional<int32_t> ep = SomeEpoll(w, m, 4)) {
      const FileId file = *w.FileIdAt(sfds.front());
      if (w.FileAt(*ep)->epoll->items.count(
              {.file = file, .fd = sfds.front()}) == 0)
        m.Add(6, Ctl(*ep, kEpollCtlAdd, sfds.front(), kEpollIn | kEpollEt,
                     static_cast<uint64_t>(sfds.front())));
    }
  }
  WatchAndWait(w, m, sfds, kEpollIn, recipe, families);
}

// ---------------------------------------------------------------------------
// Children: a child forked with every open descriptor, the parent closing
// its own copies (the child then holds the last references: its exit
// releases them, newest first), the child exiting, reaped, and pidfds of
// it opened at each stage (a reaped one's: EINVAL), watched by an epoll
// instance.

void ChildrenMoves(const World& w, uint32_t recipe, Moves& m,
                   Families families) {
  std::vector<int32_t> pidfds;
  uint64_t open = 0;
  for (const auto& [fd, id] : w.fd_table) {
    if (w.files.at(id).kind == FileKind::kPidfd)
      pidfds.push_back(fd);
    else if (fd < 64)
      open |= uint64_t{1} << fd;
  }
  if (w.fd_table.size() < 3 && m.room(2))
    m.Add(4, Pipe2{.flags = kONonblock});
  if (pidfds.empty() && m.room()) {
    m.Add(open != 0 ? 8 : 2, Fork{.fds = open});
  }
  for (int32_t pidfd : pidfds) {
    const File& f = *w.FileAt(pidfd);
    const ChildProc& child = w.procs.at(f.proc);
    switch (child.state) {
    case ProcState::kRunning:
      // The parent lets go of what the child holds.
      for (const auto& [fd, id] : child.fd_table) {
        if (w.IsOpen(fd) && *w.FileIdAt(fd) == id &&
            w.files.at(id).kind != FileKind::kPidfd)
          m.Add(3, Close{.fd = fd});
      }
      m.Add(2 + Bits(recipe, 0, 2), ChildExit{.pidfd = pidfd});
      break;
    case ProcState::kZombie:
      m.Add(4, Reap{.pidfd = pidfd});
      if (m.room())
        m.Add(2, PidfdOpen{.pidfd = pidfd});
      break;
    case ProcState::kReaped:
      if (m.room())
        m.Add(4, PidfdOpen{.pidfd = pidfd, .flags = kONonblock});
      break;
    }
  }
  WatchAndWait(w, m, pidfds, kEpollIn | kEpollHup, recipe, families);
}

}  // namespace

Families FocusFamilies(Focus focus) {
  switch (focus) {
  case Focus::kNone:
    return kAllFamilies;
  case Focus::kNesting:
  case Focus::kWaits:
    return kFamilyEpoll;
  case Focus::kBuffers:
    return kFamilyPipe | kFamilyEventfd;
  case Focus::kUnixStream:
  case Focus::kUnixDgram:
    return kFamilyUnix | kFamilyUnixAddr;
  case Focus::kTcp:
    return kFamilyTcp;
  case Focus::kUdp:
    return kFamilyUdp;
  case Focus::kFifoTimer:
    return kFamilyFifo | kFamilyTimerfd;
  case Focus::kSignals:
    return kFamilySignal;
  case Focus::kChildren:
    return kFamilyFork;
  }
  return 0;
}

std::vector<FocusMove> FocusMoves(const World& w, const Swarm& swarm) {
  Moves m(w);
  const uint32_t r = swarm.recipe;
  const Families families = swarm.families;
  switch (swarm.focus) {
  case Focus::kNone:
    break;
  case Focus::kNesting:
    NestingMoves(w, r, m);
    break;
  case Focus::kWaits:
    WaitsMoves(w, r, m);
    break;
  case Focus::kBuffers:
    BuffersMoves(w, r, m, families);
    break;
  case Focus::kUnixStream:
    UnixStreamMoves(w, r, m, families);
    break;
  case Focus::kUnixDgram:
    UnixDgramMoves(w, r, m, families);
    break;
  case Focus::kTcp:
    TcpMoves(w, r, m, families);
    break;
  case Focus::kUdp:
    UdpMoves(w, r, m, families);
    break;
  case Focus::kFifoTimer:
    FifoTimerMoves(w, r, m, families);
    break;
  case Focus::kSignals:
    SignalMoves(w, r, m, families);
    break;
  case Focus::kChildren:
    ChildrenMoves(w, r, m, families);
    break;
  }
  std::vector<FocusMove> moves = m.Take();
  std::erase_if(moves, [&](const FocusMove& move) {
    return !Offered(w, move.op, families);
  });
  return moves;
}

}  // namespace epollcheck
