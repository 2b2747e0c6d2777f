// The epoll core: the interest set keyed by (file, fd), the callback rule,
// delivery, ADD/MOD/DEL, nesting, and what a file's release does to items.
// Linux: fs/eventpoll.c. Single-threaded: no callback can run during a
// delivery scan, so the overflow list (ovflist) is always inactive here.

#include <algorithm>
#include <functional>
#include <set>

#include "model/abi.h"
#include "model/check.h"
#include "model/internal/kernel.h"
#include "model/rules.h"

namespace epollcheck::internal {
namespace {

// The items of every live epoll instance: the user's epoll_watches (ep_insert
// counts them up, __ep_remove down). Linux: fs/eventpoll.c, struct
// user_struct epoll_watches.
int64_t UserWatches(const World& world) {
  int64_t watches = 0;
  for (const auto& [id, file] : world.files) {
    if (file.epoll)
      watches += static_cast<int64_t>(file.epoll->items.size());
  }
  return watches;
}

EpollInstance& InstanceOf(World& world, FileId epoll_file) {
  File& f = world.files.at(epoll_file);
  EP_CHECK(f.epoll.has_value());
  return *f.epoll;
}

// Appends the item to the ready list unless it is already on it.
// Returns true if it was appended. Linux: list_add_tail if !ep_is_linked().
bool LinkReady(EpollInstance& ep, const ItemKey& key) {
  EpollItem& item = ep.items.at(key);
  if (item.linked)
    return false;
  item.linked = true;
  ep.ready_list.push_back(key);
  return true;
}

void UnlinkReady(EpollInstance& ep, const ItemKey& key) {
  EpollItem& item = ep.items.at(key);
  if (!item.linked)
    return;
  item.linked = false;
  auto it = std::find(ep.ready_list.begin(), ep.ready_list.end(), key);
  EP_CHECK(it != ep.ready_list.end());
  ep.ready_list.erase(it);
}

// Removes the item's entry from its file's wait queue and the item itself.
// Linux: fs/eventpoll.c ep_remove / ep_unregister_pollwait.
void RemoveItem(World& world, FileId epoll_file, const ItemKey& key) {
  EpollInstance& ep = InstanceOf(world, epoll_file);
  UnlinkReady(ep, key);
  ep.items.erase(key);
  const WaitEntry entry{.epoll = epoll_file, .key = key};
  const File& file = world.files.at(key.file);
  std::vector<std::vector<WaitEntry>*> queues;
  if (IsPipeKind(file.kind)) {
    PipeState& pipe = world.pipes.at(file.pipe);
    queues = {&pipe.rd_wait, &pipe.wr_wait};
  } else if (file.kind == FileKind::kSignalfd) {
    queues = {&world.signalfd_wqh};
  } else if (file.kind == FileKind::kPidfd) {
    queues = {&PidWaitQueue(world, key.file)};
  }
  for (std::vector<WaitEntry>* q : queues) {
    auto at = std::find(q->begin(), q->end(), entry);
    if (at != q->end())
      q->erase(at);
  }
  auto& queue = world.files.at(key.file).wait_queue;
  auto it = std::find(queue.begin(), queue.end(), entry);
  EP_CHECK(it != queue.end());
  queue.erase(it);
}

// Linux: fs/eventpoll.c ep_item_poll: the file's mask filtered by the item's.
uint32_t ItemPoll(World& world, FileId epoll_file, const ItemKey& key) {
  const uint32_t events = InstanceOf(world, epoll_file).items.at(key).events;
  const uint32_t mask = PollFile(world, key.file, events);
  if (mask != 0 && (mask & events) == 0)
    RULE("epoll.item_poll.filtered");
  return mask & events;
}

// The epoll callback for one wait entry. Linux: fs/eventpoll.c
// ep_poll_callback. Returns nothing: with no thread blocked in epoll_wait the
// callback never reports an exclusive wake, so every entry is visited.
void EpollCallback(World& world, const WaitEntry& entry, uint32_t key) {
  const RuleScope scope =
      RuleScope::Item(entry.epoll, entry.key.file, entry.key.fd);
  EpollInstance& ep = InstanceOf(world, entry.epoll);
  auto it = ep.items.find(entry.key);
  EP_CHECK(it != ep.items.end());
  const uint32_t events = it->second.events;
  // A disarmed ONESHOT item has only private bits left.
  if ((events & ~abi::kEpPrivateBits) == 0) {
    RULE("epoll.callback.ignore.disarmed");
    return;
  }
  // A keyed wakeup must intersect the item's mask.
  if (key != 0 && (key & events) == 0) {
    RULE("epoll.callback.ignore.key");
    return;
  }
  if (key == 0)
    RULE("epoll.callback.keyless");
  if (LinkReady(ep, entry.key)) {
    RULE("epoll.callback.queue");
  } else {
    RULE("epoll.callback.already_queued");
  }
  // "Wake up ( if active ) ... the ->poll() wait list": every accepted
  // callback wakes the watchers of this epoll file, linked before or not.
  // Linux: ep_poll_safewake() -> wake_up_poll(&ep->poll_wait, EPOLLIN).
  if (!world.files.at(entry.epoll).wait_queue.empty())
    RULE("epoll.callback.wake_watchers");
  WakeUp(world, entry.epoll, abi::kEpollIn);
}

// Downward nesting height below `ep` (0: watches no epoll), or kEpMaxNests+1
// if `inserting_into` is reachable (a loop) or the chain is too deep.
// Linux: fs/eventpoll.c ep_loop_check_proc.
int LoopCheckDown(World& world, FileId ep, FileId inserting_into, int depth) {
  int result = 0;
  for (const auto& [key, item] : InstanceOf(world, ep).items) {
    const File& target = world.files.at(key.file);
    if (target.kind != FileKind::kEpoll)
      continue;
    if (key.file == inserting_into) {
      RULE("epoll_ctl.eloop.loop");
      result = abi::kEpMaxNests + 1;
    } else if (depth > abi::kEpMaxNests) {
      RULE("epoll_ctl.eloop.depth_below");
      result = abi::kEpMaxNests + 1;
    } else {
      result = std::max(
          result,
          LoopCheckDown(world, key.file, inserting_into, depth + 1) + 1);
    }
    if (result > abi::kEpMaxNests)
      break;
  }
  return result;
}

// How many epoll levels watch `ep` from above. Linux: fs/eventpoll.c
// ep_get_upwards_depth_proc (walks ep->refs, the items watching its file).
int UpwardsDepth(World& world, FileId ep) {
  int result = 0;
  const std::vector<WaitEntry> watchers = world.files.at(ep).wait_queue;
  for (const WaitEntry& w : watchers) {
    result = std::max(result, UpwardsDepth(world, w.epoll) + 1);
  }
  return result;
}

// Before 6.17: true if `inserting_into` is reachable below `ep` or an epoll
// item sits deeper than EP_MAX_NESTS below it; instances already visited in
// this check are skipped. Linux 5.11-6.16: fs/eventpoll.c ep_loop_check_proc
// (`if (ep_tovisit->gen == loop_check_gen) continue;`, `depth > EP_MAX_NESTS`).
bool LoopCheckDownBefore617(const World& world, FileId ep,
                            FileId inserting_into, int depth,
                            std::set<FileId>& visited) {
  visited.insert(ep);
  for (const auto& [key, item] : world.files.at(ep).epoll->items) {
    if (world.files.at(key.file).kind != FileKind::kEpoll)
      continue;
    if (visited.count(key.file) != 0) {
      RULE("epoll_ctl.loop_check.visited_skip");
      continue;
    }
    if (key.file == inserting_into) {
      RULE("epoll_ctl.eloop.loop");
      return true;
    }
    if (depth > abi::kEpMaxNests) {
      RULE("epoll_ctl.eloop.depth_below");
      return true;
    }
    if (LoopCheckDownBefore617(world, key.file, inserting_into, depth + 1,
                               visited))
      return true;
  }
  return false;
}

// Linux: fs/eventpoll.c ep_loop_check (6.17+: upward depth counted too).
bool LoopCheckFails(World& world, FileId ep, FileId to) {
  if (!world.profile.loop_check_counts_upward_depth) {
    std::set<FileId> visited;
    return LoopCheckDownBefore617(world, to, ep, 0, visited);
  }
  const int depth = LoopCheckDown(world, to, ep, 0);
  if (depth > abi::kEpMaxNests)
    return true;
  const int links = depth + 1 + UpwardsDepth(world, ep);
  if (links > abi::kEpMaxNests) {
    RULE("epoll_ctl.eloop.depth_upward");
    return true;
  }
  if (links == abi::kEpMaxNests)
    RULE("epoll_ctl.nest.longest_chain");
  return false;
}

// Non-epoll files reachable below epoll `ep` (the files ep_loop_check_proc
// puts on tfile_check_list), in a set.
void FilesBelow(const World& world, FileId ep, std::set<FileId>& seen_epolls,
                std::set<FileId>& files) {
  if (!seen_epolls.insert(ep).second)
    return;
  for (const auto& [key, item] : world.files.at(ep).epoll->items) {
    if (world.files.at(key.file).kind == FileKind::kEpoll) {
      FilesBelow(world, key.file, seen_epolls, files);
    } else {
      files.insert(key.file);
    }
  }
}

// Linux: fs/eventpoll.c reverse_path_check_proc: walks up from the items
// watching `file`, counting paths that end at an unwatched epoll.
bool ReversePathFails(const World& world, FileId file, int depth,
                      int (&path_count)[5]) {
  if (depth > abi::kEpMaxNests) {
    RULE("epoll_ctl.einval.path_depth");
    return true;  // too deep nesting
  }
  for (const WaitEntry& w : world.files.at(file).wait_queue) {
    if (world.files.at(w.epoll).wait_queue.empty()) {
      // path_count_inc(): any number of direct watchers is fine.
      if (depth != 0 && ++path_count[depth] > abi::kPathLimits[depth]) {
        switch (depth) {
        case 1:
          RULE("epoll_ctl.einval.paths.1");
          break;
        case 2:
          RULE("epoll_ctl.einval.paths.2");
          break;
        case 3:
          RULE("epoll_ctl.einval.paths.3");
          break;
        default:
          RULE("epoll_ctl.einval.paths.4");
          break;
        }
        return true;
      }
    } else if (ReversePathFails(world, w.epoll, depth + 1, path_count)) {
      return true;
    }
  }
  return false;
}

// Linux: fs/eventpoll.c reverse_path_check over tfile_check_list: the new
// target if it is not an epoll, else the files below it.
bool ReversePathCheckFails(const World& world, FileId target) {
  std::set<FileId> files;
  if (world.files.at(target).kind == FileKind::kEpoll) {
    std::set<FileId> seen;
    FilesBelow(world, target, seen, files);
  } else {
    files.insert(target);
  }
  for (FileId f : files) {
    int path_count[5] = {};
    if (ReversePathFails(world, f, 0, path_count))
      return true;
  }
  return false;
}

}  // namespace

bool FileCanPoll(FileKind kind) {
  return kind != FileKind::kRegular && kind != FileKind::kDirectory &&
         kind != FileKind::kDevNull && kind != FileKind::kPath;
}

uint32_t PollFile(World& world, FileId file, uint32_t requested) {
  const RuleScope scope = RuleScope::Poll(file);
  switch (world.files.at(file).kind) {
  case FileKind::kPipeRead:
  case FileKind::kPipeWrite:
  case FileKind::kPipeRdwr:
    return PipePoll(world, file);
  case FileKind::kEpoll:
    return EpollPoll(world, file);
  case FileKind::kEventfd:
    return EventfdPoll(world, file);
  case FileKind::kTimerfd:
    return TimerfdPoll(world, file);
  case FileKind::kSignalfd:
    return SignalfdPoll(world, file);
  case FileKind::kPidfd:
    return PidfdPoll(world, file);
  case FileKind::kUnixSocket:
    return UnixPoll(world, file, requested);
  case FileKind::kInetSocket:
    return InetPoll(world, file);
  case FileKind::kRegular:
  case FileKind::kDirectory:
  case FileKind::kDevNull:
    RULE("nopoll.poll.default_mask");
    return abi::kDefaultPollMask;  // vfs_poll without ->poll
  case FileKind::kPath:
    RULE("opath.select.nval");
    return abi::kEpollNval;  // select_poll_one: fdget() refused it
  }
  EP_CHECK(false);
  return 0;  // not reached (the scope's destructor hides EP_CHECK's noreturn)
}

void WakeUp(World& world, FileId file, uint32_t key) {
  // Callbacks may recurse into other files' queues, but never add or
  // remove wait entries.
  WakeQueue(world, world.files.at(file).wait_queue, key);
}

void WakeQueue(World& world, const std::vector<WaitEntry>& queue,
               uint32_t key) {
  // `queue` is a member of `world`: the callbacks neither add nor remove
  // wait entries (nor files or pipes), so it stays valid and unchanged.
  for (const WaitEntry& entry : queue)
    EpollCallback(world, entry, key);
}

// Linux: fs/eventpoll.c __ep_eventpoll_poll: IN|RDNORM iff some queued item is
// really ready; queued items found not ready before it are pruned.
uint32_t EpollPoll(World& world, FileId epoll_file) {
  std::deque<ItemKey> scan = InstanceOf(world, epoll_file).ready_list;
  for (const ItemKey& key : scan) {
    const RuleScope scope = RuleScope::Item(epoll_file, key.file, key.fd);
    if (ItemPoll(world, epoll_file, key) != 0) {
      RULE("epoll.poll.in.ready_item");
      return abi::kEpollIn | abi::kEpollRdNorm;
    }
    RULE("epoll.poll.prune");
    UnlinkReady(InstanceOf(world, epoll_file), key);
  }
  return 0;
}

void EventpollReleaseFile(World& world, FileId file) {
  const std::vector<WaitEntry> queue = world.files.at(file).wait_queue;
  if (!queue.empty())
    RULE("epoll.release.watched_file");
  for (const WaitEntry& entry : queue)
    RemoveItem(world, entry.epoll, entry.key);
}

void EpollFileRelease(World& world, FileId epoll_file) {
  std::vector<ItemKey> keys;
  for (const auto& [key, item] : InstanceOf(world, epoll_file).items) {
    keys.push_back(key);
  }
  if (!keys.empty())
    RULE("epoll.release.instance_items");
  for (const ItemKey& key : keys)
    RemoveItem(world, epoll_file, key);
}

// Linux: fs/eventpoll.c SYSCALL_DEFINE4(epoll_ctl), do_epoll_ctl, ep_insert,
// ep_modify, ep_remove_safe. Checks run in the kernel's order.
Outcome EpollCtlStep(World& world, int32_t epfd, int32_t op, int32_t fd,
                     uint32_t events, uint64_t data, uint32_t buf) {
  const bool has_event = op != abi::kEpollCtlDel;  // ep_op_has_event()
  // copy_from_user of the whole struct epoll_event (12 bytes); read-only
  // memory reads fine.
  const bool event_faults = BufReadable(buf, 1) == 0;
  if (has_event && event_faults) {
    RULE("epoll_ctl.efault.event");
    return Outcome::Error(abi::kEfault);
  }
  if (!has_event && event_faults)
    RULE("epoll_ctl.del.event_ignored");
  const std::optional<FileId> ep_file = world.FdgetAt(epfd);
  if (!ep_file) {
    if (world.IsOpen(epfd))
      RULE("opath.fdget.ebadf");
    RULE("epoll_ctl.ebadf.epfd");
    return Outcome::Error(abi::kEbadf);
  }
  const std::optional<FileId> target = world.FdgetAt(fd);
  if (!target) {
    if (world.IsOpen(fd))
      RULE("opath.fdget.ebadf");
    RULE("epoll_ctl.ebadf.fd");
    return Outcome::Error(abi::kEbadf);
  }
  // "The target file descriptor must support poll": before every EINVAL,
  // DEL and a non-epoll epfd included.
  if (!FileCanPoll(world.files.at(*target).kind)) {
    RULE("nopoll.epoll_ctl.eperm");
    return Outcome::Error(abi::kEperm);
  }
  if (has_event && (events & abi::kEpollWakeup) != 0) {
    if (world.profile.epollwakeup_kept) {
      RULE("epoll_ctl.epollwakeup.kept");
    } else {
      RULE("epoll_ctl.epollwakeup.dropped");
      events &= ~abi::kEpollWakeup;  // ep_take_care_of_epollwakeup()
    }
  }
  const bool target_is_epoll = world.files.at(*target).kind == FileKind::kEpoll;
  if (*ep_file == *target) {
    RULE("epoll_ctl.einval.self");
    return Outcome::Error(abi::kEinval);
  }
  if (world.files.at(*ep_file).kind != FileKind::kEpoll) {
    RULE("epoll_ctl.einval.not_epoll");
    return Outcome::Error(abi::kEinval);
  }
  if (has_event && (events & abi::kEpollExclusive) != 0) {
    if (op == abi::kEpollCtlMod) {
      RULE("epoll_ctl.einval.exclusive.mod");
      return Outcome::Error(abi::kEinval);
    }
    if (op == abi::kEpollCtlAdd && target_is_epoll) {
      RULE("epoll_ctl.einval.exclusive.epoll_target");
      return Outcome::Error(abi::kEinval);
    }
    if (op == abi::kEpollCtlAdd &&
        (events & ~abi::kEpollExclusiveOkBits) != 0) {
      RULE("epoll_ctl.einval.exclusive.bits");
      return Outcome::Error(abi::kEinval);
    }
  }
  if (op == abi::kEpollCtlAdd && target_is_epoll &&
      LoopCheckFails(world, *ep_file, *target)) {
    return Outcome::Error(abi::kEloop);
  }
  const ItemKey key{.file = *target, .fd = fd};
  EpollInstance& ep = InstanceOf(world, *ep_file);
  const bool exists = ep.items.count(key) != 0;
  if (op == abi::kEpollCtlAdd) {
    if (exists) {
      RULE("epoll_ctl.eexist");
      return Outcome::Error(abi::kEexist);
    }
    // ep_insert, first of all: every instance of the sequence was made by
    // its thread, so the user's items are the items of every live instance.
    if (UserWatches(world) >= world.profile.max_user_watches) {
      RULE("epoll_ctl.enospc.max_user_watches");
      return Outcome::Error(abi::kEnospc);
    }
    for (const auto& [other, item] : ep.items) {
      if (other.file == key.file) {
        RULE("epoll_ctl.add.same_file_other_fd");
        break;
      }
    }
    // The full check runs if this epoll is itself watched or the target is
    // an epoll (do_epoll_ctl: f_ep || is_file_epoll(tf)).
    const bool full_check =
        !world.files.at(*ep_file).wait_queue.empty() || target_is_epoll;
    // ep_insert: store the item, register on the target's wait queue (an
    // exclusive entry at the tail, others at the head), then poll it once.
    if ((events & (abi::kEpollErr | abi::kEpollHup)) == 0)
      RULE("epoll_ctl.events.err_hup_implied");
    constexpr uint32_t kKnownBits =
        abi::kEpollIn | abi::kEpollPri | abi::kEpollOut | abi::kEpollErr |
        abi::kEpollHup | abi::kEpollNval | abi::kEpollRdNorm |
        abi::kEpollRdBand | abi::kEpollWrNorm | abi::kEpollWrBand |
        abi::kEpollMsg | abi::kEpollRdHup | abi::kEpollUringWake |
        abi::kEpPrivateBits;
    if ((events & ~kKnownBits) != 0)
      RULE("epoll_ctl.events.unknown_kept");
    RULE("epoll_ctl.add.insert");
    ep.items[key] = EpollItem{
        .events = events | abi::kEpollErr | abi::kEpollHup, .data = data};
    // A pipe file's poll registers on the pipe's queues (rd_wait, then
    // wr_wait, as its mode says), a signalfd's on the process's
    // signalfd_wqh; the file's own list is then only its f_ep.
    File& target_file = world.files.at(*target);
    std::vector<std::vector<WaitEntry>*> queues;
    if (IsPipeKind(target_file.kind)) {
      PipeState& pipe = world.pipes.at(target_file.pipe);
      if (PipeReads(target_file.kind))
        queues.push_back(&pipe.rd_wait);
      if (PipeWrites(target_file.kind))
        queues.push_back(&pipe.wr_wait);
      if (queues.size() == 2)
        RULE("fifo.add.both_queues");
      target_file.wait_queue.insert(target_file.wait_queue.begin(),
                                    WaitEntry{.epoll = *ep_file, .key = key});
    } else if (target_file.kind == FileKind::kSignalfd) {
      queues.push_back(&world.signalfd_wqh);
      target_file.wait_queue.insert(target_file.wait_queue.begin(),
                                    WaitEntry{.epoll = *ep_file, .key = key});
    } else if (target_file.kind == FileKind::kPidfd) {
      // pidfd_poll waits on the pid's queue, which every pidfd of the pid
      // shares; the file's own list is then only its f_ep.
      RULE("pidfd.add.pid_queue");
      queues.push_back(&PidWaitQueue(world, *target));
      target_file.wait_queue.insert(target_file.wait_queue.begin(),
                                    WaitEntry{.epoll = *ep_file, .key = key});
    } else {
      queues.push_back(&target_file.wait_queue);
    }
    const WaitEntry entry{.epoll = *ep_file, .key = key};
    for (std::vector<WaitEntry>* queue : queues) {
      if ((events & abi::kEpollExclusive) != 0) {
        RULE("epoll_ctl.add.exclusive_tail");
        queue->push_back(entry);  // add_wait_queue_exclusive
      } else {
        if (!queue->empty())
          RULE("epoll_ctl.add.queue_head");
        queue->insert(queue->begin(), entry);  // add_wait_queue
      }
    }
    // ep_insert: "now check if we've created too many backpaths".
    if (full_check && ReversePathCheckFails(world, *target)) {
      RemoveItem(world, *ep_file, key);
      return Outcome::Error(abi::kEinval);
    }
    const RuleScope scope = RuleScope::Item(*ep_file, key.file, key.fd);
    if (ItemPoll(world, *ep_file, key) != 0) {
      RULE("epoll_ctl.add.ready");
      if (LinkReady(InstanceOf(world, *ep_file), key))
        WakeUp(world, *ep_file, abi::kEpollIn);  // pwake: ep_poll_safewake
    } else {
      RULE("epoll_ctl.add.not_ready");
    }
    return Outcome::Value(0);
  }
  if (op == abi::kEpollCtlDel) {
    if (!exists) {
      RULE("epoll_ctl.del.enoent");
      return Outcome::Error(abi::kEnoent);
    }
    RULE("epoll_ctl.del.ok");
    RemoveItem(world, *ep_file, key);
    return Outcome::Value(0);
  }
  if (op == abi::kEpollCtlMod) {
    if (!exists) {
      RULE("epoll_ctl.mod.enoent");
      return Outcome::Error(abi::kEnoent);
    }
    EpollItem& item = ep.items.at(key);
    // An item added with EPOLLEXCLUSIVE can never be modified.
    if ((item.events & abi::kEpollExclusive) != 0) {
      RULE("epoll_ctl.einval.mod_exclusive_item");
      return Outcome::Error(abi::kEinval);
    }
    if ((item.events & ~abi::kEpPrivateBits) == 0)
      RULE("epoll_ctl.mod.rearm");
    if ((events & (abi::kEpollErr | abi::kEpollHup)) == 0)
      RULE("epoll_ctl.events.err_hup_implied");
    item.events = events | abi::kEpollErr | abi::kEpollHup;
    item.data = data;
    const RuleScope scope = RuleScope::Item(*ep_file, key.file, key.fd);
    if (ItemPoll(world, *ep_file, key) != 0) {
      if (LinkReady(InstanceOf(world, *ep_file), key)) {
        RULE("epoll_ctl.mod.ready_queue");
        WakeUp(world, *ep_file, abi::kEpollIn);
      } else {
        RULE("epoll_ctl.mod.ready_already_queued");
      }
    } else {
      RULE("epoll_ctl.mod.not_ready");
    }
    return Outcome::Value(0);
  }
  RULE("epoll_ctl.einval.op");
  return Outcome::Error(abi::kEinval);  // unknown op
}

// Linux: fs/eventpoll.c do_epoll_wait (ep_check_params), ep_poll,
// ep_send_events, epoll_put_uevent. The checks run in the era's order:
// 6.15+ fdget, maxevents, access_ok, is_file_epoll; before, maxevents,
// access_ok, fdget, is_file_epoll.
Outcome EpollWaitStep(World& world, int32_t epfd, int32_t maxevents,
                      uint32_t buf, bool waits, std::vector<Delivery>* trace) {
  const bool bad_max = maxevents <= 0 || maxevents > abi::kEpMaxEvents;
  const std::optional<FileId> ep_file = world.FdgetAt(epfd);
  if (!ep_file && world.IsOpen(epfd))
    RULE("opath.fdget.ebadf");
  if (bad_max && !ep_file) {
    if (world.profile.wait_checks_fd_first) {
      RULE("epoll_wait.order.ebadf_first");
    } else {
      RULE("epoll_wait.order.einval_first");
    }
  }
  const auto check_max_and_access = [&]() -> std::optional<Outcome> {
    if (bad_max) {
      RULE("epoll_wait.einval.maxevents");
      return Outcome::Error(abi::kEinval);
    }
    if (!BufPassesAccessOk(buf)) {
      RULE("epoll_wait.efault.access_ok");
      return Outcome::Error(abi::kEfault);
    }
    return std::nullopt;
  };
  if (world.profile.wait_checks_fd_first) {
    if (!ep_file) {
      RULE("epoll_wait.ebadf.epfd");
      return Outcome::Error(abi::kEbadf);
    }
    if (std::optional<Outcome> error = check_max_and_access())
      return *error;
  } else {
    if (std::optional<Outcome> error = check_max_and_access())
      return *error;
    if (!ep_file) {
      RULE("epoll_wait.ebadf.epfd");
      return Outcome::Error(abi::kEbadf);
    }
  }
  if (world.files.at(*ep_file).kind != FileKind::kEpoll) {
    RULE("epoll_wait.einval.not_epoll");
    return Outcome::Error(abi::kEinval);
  }
  if (maxevents == abi::kEpMaxEvents)
    RULE("epoll_wait.maxevents.max");
  // ep_start_scan: the whole ready list becomes the scan batch; LT items
  // re-queued during the scan go to the (now empty) ready list.
  std::deque<ItemKey> batch;
  batch.swap(InstanceOf(world, *ep_file).ready_list);
  Outcome out;
  // Whole struct epoll_event the buffer takes before a copy faults.
  const uint32_t room = BufWritable(buf, static_cast<uint32_t>(maxevents));
  size_t next = 0;
  bool faulted = false;
  while (next < batch.size()) {
    if (static_cast<int64_t>(out.events.size()) >= maxevents) {
      RULE("epoll_wait.deliver.maxevents_stop");
      break;
    }
    const ItemKey key = batch[next++];
    const RuleScope scope = RuleScope::Item(*ep_file, key.file, key.fd);
    InstanceOf(world, *ep_file).items.at(key).linked = false;  // list_del_init
    const uint32_t revents = ItemPoll(world, *ep_file, key);
    if (revents == 0) {
      RULE("epoll_wait.deliver.not_ready_dropped");
      continue;
    }
    EpollInstance& ep = InstanceOf(world, *ep_file);
    EpollItem& item = ep.items.at(key);
    if (out.events.size() >= room) {
      // epoll_put_uevent faulted: the item goes back to the head of the
      // batch, polled but not disarmed; EFAULT only if nothing was copied.
      if (out.events.empty()) {
        RULE("epoll_wait.copy.efault");
      } else {
        RULE("epoll_wait.copy.partial");
      }
      item.linked = true;
      --next;
      faulted = true;
      break;
    }
    out.events.push_back(ReadyEvent{.events = revents, .data = item.data});
    if (world.FileIdAt(key.fd) != key.file)
      RULE("epoll_wait.deliver.ghost");
    if (trace != nullptr) {
      trace->push_back(Delivery{.key = key, .stored_events = item.events});
    }
    if ((item.events & abi::kEpollOneShot) != 0) {
      RULE("epoll_wait.deliver.oneshot_disarm");
      item.events &= abi::kEpPrivateBits;  // disarm, ERR/HUP included
    } else if ((item.events & abi::kEpollEt) == 0) {
      RULE("epoll_wait.deliver.lt_requeue");
      item.linked = true;  // level-triggered: back to the tail
      ep.ready_list.push_back(key);
    } else {
      RULE("epoll_wait.deliver.et");
    }
  }
  // ep_done_scan: undelivered items go back in front of the re-queued ones.
  EpollInstance& ep = InstanceOf(world, *ep_file);
  if (next < batch.size() && !ep.ready_list.empty())
    RULE("epoll_wait.done_scan.leftover_first");
  ep.ready_list.insert(ep.ready_list.begin(),
                       batch.begin() + static_cast<std::ptrdiff_t>(next),
                       batch.end());
  if (faulted && out.events.empty())
    return Outcome::Error(abi::kEfault);
  if (!faulted && room == 0)
    RULE("epoll_wait.copy.bad_buffer_unused");
  out.ret = static_cast<int64_t>(out.events.size());
  if (waits && out.ret > 0)
    RULE("epoll_wait.timeout.ready_returns");
  return out;
}

}  // namespace epollcheck::internal
