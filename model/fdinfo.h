// File: model/fdinfo.h
// The interest set of an epoll instance as /proc/<pid>/fdinfo/<epfd> shows
// it, in model terms: the second oracle (sut/fdinfo.h compares it with what
// a SUT shows after every step). Linux: fs/eventpoll.c ep_show_fdinfo
// prints one line per item of the instance's tree, `tfd: %8d events: %8x
// data: %16llx  pos:%lli ino:%lx sdev:%x`: the descriptor number the item
// was added with (epi->ffd.fd; a ghost item, whose descriptor was closed
// while a dup keeps the file open, still shows it), the stored mask
// (epi->event.events: ERR|HUP or-ed in by epoll_ctl, EPOLLWAKEUP dropped
// without CAP_BLOCK_SUSPEND, only EP_PRIVATE_BITS left once a ONESHOT item
// fired), the data, and the inode of the watched file. The file itself is
// not shown, only its inode, and files share inodes (InodeOfFile).
//
//   for (const InterestItem& item : InterestSet(world, epoll_file))
//     item.tfd, item.events, item.data, item.inode;
#pragma once

#include <compare>
#include <cstdint>
#include <map>
#include <optional>
#include <ostream>
#include <vector>

#include "model/ops.h"
#include "model/world.h"

namespace epollcheck {

// The inode of a file, in model terms (fdinfo's ino and sdev name it).
// Linux: a pipe's two files share the pipe's inode (fs/pipe.c
// get_pipe_inode, create_pipe_files); a socket file has its socket's inode
// (net/socket.c sock_alloc: one per socket, accepted ones included);
// eventfd and epoll files are anon_inode_getfile() files, which all share
// the one anonymous inode (fs/anon_inodes.c anon_inode_inode).
struct InodeKey {
  // kFile: the sequence's regular file (O_PATH descriptors of it too), its
  // directory, /dev/null: one inode each.
  enum class Kind : uint8_t {
    kAnon,
    kPipe,
    kSocket,
    kFile,
    kDirectory,
    kNull,
    kFifo,
    kPid,  // pidfs (6.9+): one inode per pid, shared by its pidfds
  };
  Kind kind = Kind::kAnon;
  uint32_t id = 0;  // the PipeId, SockId or ProcId; 0 for the others
  friend auto operator<=>(const InodeKey&, const InodeKey&) = default;
};

InodeKey InodeOfFile(const World& world, FileId file);

// One line of an epoll instance's fdinfo.
struct InterestItem {
  int32_t tfd = -1;     // Kernel: epi->ffd.fd
  uint32_t events = 0;  // Kernel: epi->event.events (as stored)
  uint64_t data = 0;    // Kernel: epi->event.data
  FileId file = 0;      // the watched file (not shown; its inode is)
  InodeKey inode;       // Kernel: file_inode(epi->ffd.file)
  friend bool operator==(const InterestItem&, const InterestItem&) = default;
};

// The items of the epoll instance `epoll` (an epoll file of `world`), in
// the tree's order (by file, then descriptor number).
std::vector<InterestItem> InterestSet(const World& world, FileId epoll);

// The lowest open descriptor of `world` whose file has each inode: where a
// SUT can look an inode up (fstat). Inodes no descriptor has are absent.
std::map<InodeKey, int32_t> InodeDescriptors(const World& world);

// The epoll instances that have a descriptor, each with its lowest one (the
// file their fdinfo is read through).
std::vector<std::pair<int32_t, FileId>> OpenEpollInstances(const World& world);

// The instances whose interest set a step can have changed. Linux: items
// are inserted, modified and removed by epoll_ctl (ep_insert, ep_modify,
// ep_remove), a wait disarms the EPOLLONESHOT items it delivers
// (ep_send_events), and a file's items go, from every instance, with its
// last reference (eventpoll_release from __fput); ep_show_fdinfo shows
// nothing else. So after an epoll_ctl or a wait, the instance it named can
// differ; after a close (or a dup2 onto an open number), the instances
// that watch the file it closes (gone with the last reference, or a ghost
// item that must stay); after an epoll_create, a fork or a child's step,
// any; after any other step (a read, a write, a socket call, select, ...)
// none. `before` is the model's state before the step.
struct FdinfoScope {
  bool all = false;
  std::vector<FileId> instances;  // with !all: the epoll files to read
};
FdinfoScope FdinfoScopeOf(const World& before, const Op& step);

// "pipe#3", "socket#7", "anon".
std::ostream& operator<<(std::ostream& os, const InodeKey& inode);

}  // namespace epollcheck
