// The interest sets as fdinfo shows them (model/fdinfo.h).

#include "model/fdinfo.h"

#include <cstdint>
#include <set>
#include <type_traits>
#include <variant>

namespace epollcheck {

InodeKey InodeOfFile(const World& world, FileId file) {
  const File& f = world.files.at(file);
  switch (f.kind) {
  case FileKind::kPipeRead:
  case FileKind::kPipeWrite:
  case FileKind::kPipeRdwr:
    // A FIFO's inode is its name's, whichever pipe it has at the time.
    if (f.fifo)
      return InodeKey{.kind = InodeKey::Kind::kFifo};
    return InodeKey{.kind = InodeKey::Kind::kPipe, .id = f.pipe};
  case FileKind::kUnixSocket:
  case FileKind::kInetSocket:
    return InodeKey{.kind = InodeKey::Kind::kSocket, .id = f.sock};
  case FileKind::kRegular:
  case FileKind::kPath:
    return InodeKey{.kind = InodeKey::Kind::kFile};
  case FileKind::kDirectory:
    return InodeKey{.kind = InodeKey::Kind::kDirectory};
  case FileKind::kDevNull:
    return InodeKey{.kind = InodeKey::Kind::kNull};
  case FileKind::kPidfd:
    // pidfs: the pid's own inode; before 6.9 the anonymous inode.
    if (world.profile.pidfs)
      return InodeKey{.kind = InodeKey::Kind::kPid, .id = f.proc};
    break;
  case FileKind::kEpoll:
  case FileKind::kEventfd:
  case FileKind::kTimerfd:
  case FileKind::kSignalfd:
    break;
  }
  return InodeKey{};
}

std::vector<InterestItem> InterestSet(const World& world, FileId epoll) {
  std::vector<InterestItem> items;
  const File& ep = world.files.at(epoll);
  if (!ep.epoll)
    return items;
  items.reserve(ep.epoll->items.size());
  for (const auto& [key, item] : ep.epoll->items) {
    items.push_back(InterestItem{.tfd = key.fd,
                                 .events = item.events,
                                 .data = item.data,
                                 .file = key.file,
                                 .inode = InodeOfFile(world, key.file)});
  }
  return items;
}

std::map<InodeKey, int32_t> InodeDescriptors(const World& world) {
  std::map<InodeKey, int32_t> lowest;
  for (const auto& [fd, file] : world.fd_table)
    lowest.emplace(InodeOfFile(world, file), fd);  // fd_table is ordered
  return lowest;
}

std::vector<std::pair<int32_t, FileId>> OpenEpollInstances(const World& world) {
  std::vector<std::pair<int32_t, FileId>> open;
  std::set<FileId> seen;
  for (const auto& [fd, file] : world.fd_table) {
    if (world.files.at(file).kind == FileKind::kEpoll &&
        seen.insert(file).second) {
      open.emplace_back(fd, file);
    }
  }
  return open;
}

std::ostream& operator<<(std::ostream& os, const InodeKey& inode) {
  switch (inode.kind) {
  case InodeKey::Kind::kAnon:
    return os << "anon";
  case InodeKey::Kind::kPipe:
    return os << "pipe#" << inode.id;
  case InodeKey::Kind::kSocket:
    return os << "socket#" << inode.id;
  case InodeKey::Kind::kFile:
    return os << "file";
  case InodeKey::Kind::kDirectory:
    return os << "dir";
  case InodeKey::Kind::kNull:
    return os << "null";
  case InodeKey::Kind::kFifo:
    return os << "fifo";
  case InodeKey::Kind::kPid:
    return os << "pid#" << inode.id;
  }
  return os;
}

FdinfoScope FdinfoScopeOf(const World& before, const Op& step) {
  FdinfoScope scope;
  // The instances with an item on the file at `fd` (none if it is not open).
  const auto watching = [&](int32_t fd) {
    const std::optional<FileId> file = before.FileIdAt(fd);
    if (!file)
      return;
    for (const auto& [id, f] : before.files) {
      if (!f.epoll)
        continue;
      const auto it =
          f.epoll->items.lower_bound(ItemKey{.file = *file, .fd = INT32_MIN});
      if (it != f.epoll->items.end() && it->first.file == *file)
        scope.instances.push_back(id);
    }
  };
  std::visit(
      [&]<class T>(const T& op) {
        if constexpr (std::is_same_v<T, EpollCtl> ||
                      std::is_same_v<T, EpollWait> ||
                      std::is_same_v<T, EpollPwait> ||
                      std::is_same_v<T, EpollPwait2>) {
          const std::optional<FileId> file = before.FileIdAt(op.epfd);
          if (file && before.files.at(*file).epoll)
            scope.instances.push_back(*file);
        } else if constexpr (std::is_same_v<T, Close>) {
          watching(op.fd);
        } else if constexpr (std::is_same_v<T, Dup2>) {
          // dup2 closes newfd's file first, unless oldfd is not open
          // (EBADF) or is newfd (nothing happens).
          if (op.oldfd != op.newfd && before.FileIdAt(op.oldfd))
            watching(op.newfd);
        } else if constexpr (
            // Neither drop a file reference nor make an instance.
            std::is_same_v<T, Pipe2> || std::is_same_v<T, Dup> ||
            std::is_same_v<T, Write> || std::is_same_v<T, Read> ||
            std::is_same_v<T, SetPipeSize> || std::is_same_v<T, GetPipeSize> ||
            std::is_same_v<T, ListFds> || std::is_same_v<T, Eventfd> ||
            std::is_same_v<T, EventfdWrite> || std::is_same_v<T, EventfdRead> ||
            std::is_same_v<T, Socketpair> || std::is_same_v<T, Send> ||
            std::is_same_v<T, Recv> || std::is_same_v<T, Shutdown> ||
            std::is_same_v<T, SetSockOpt> || std::is_same_v<T, GetSockOpt> ||
            std::is_same_v<T, UnixSocket> || std::is_same_v<T, Bind> ||
            std::is_same_v<T, Listen> || std::is_same_v<T, Connect> ||
            std::is_same_v<T, Accept4> || std::is_same_v<T, SendTo> ||
            std::is_same_v<T, Poll> || std::is_same_v<T, PPoll> ||
            std::is_same_v<T, Select> || std::is_same_v<T, PSelect> ||
            std::is_same_v<T, InetSocket> || std::is_same_v<T, OpenFile> ||
            std::is_same_v<T, TimerfdCreate> ||
            std::is_same_v<T, TimerfdSettime> ||
            std::is_same_v<T, EpollIoctl> || std::is_same_v<T, Lseek> ||
            std::is_same_v<T, GetFl> || std::is_same_v<T, SetFl> ||
            std::is_same_v<T, SetRlimitNofile> || std::is_same_v<T, Signalfd> ||
            std::is_same_v<T, SignalfdRead> || std::is_same_v<T, Tgkill> ||
            std::is_same_v<T, Sigpending> || std::is_same_v<T, Sigtimedwait> ||
            std::is_same_v<T, PidfdOpen>) {
        } else {
          // epoll_create, fork and the child's steps, and any operation not
          // named above.
          scope.all = true;
        }
      },
      step);
  return scope;
}

}  // namespace epollcheck
