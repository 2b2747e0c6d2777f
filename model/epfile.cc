// The epoll file as a file: its ioctls (the busy-poll parameters, 6.9+),
// lseek, fcntl(F_GETFL / F_SETFL) on it and on the other kinds, and the
// RLIMIT_NOFILE soft limit a sequence may lower. Linux: fs/ioctl.c,
// fs/eventpoll.c ep_eventpoll_ioctl, fs/read_write.c ksys_lseek,
// fs/fcntl.c do_fcntl / setfl, kernel/sys.c do_prlimit.

#include "model/abi.h"
#include "model/check.h"
#include "model/internal/kernel.h"
#include "model/rules.h"

namespace epollcheck::internal {
namespace {

// fdget() for ioctl and lseek: EBADF for a closed number and for an O_PATH
// descriptor (counted as opath.fdget.ebadf; a closed one is the caller's).
std::optional<FileId> Fdget(const World& world, int32_t fd) {
  const std::optional<FileId> file = world.FdgetAt(fd);
  if (!file && world.IsOpen(fd))
    RULE("opath.fdget.ebadf");
  return file;
}

// The struct epoll_params `op` describes, as its 8 bytes read as a
// little-endian u64.
uint64_t ParamsBytes(uint32_t usecs, uint32_t budget, uint32_t prefer,
                     uint32_t pad) {
  return uint64_t{usecs} | (uint64_t{budget & 0xffff} << 32) |
         (uint64_t{prefer & 0xff} << 48) | (uint64_t{pad & 0xff} << 56);
}

// Linux: fs/eventpoll.c ep_eventpoll_bp_ioctl (CONFIG_NET_RX_BUSY_POLL).
Outcome BusyPollIoctl(World& world, EpollInstance& ep, const EpollIoctl& op) {
  if (op.cmd == abi::kEpiocSParams) {
    // copy_from_user of the whole struct, then the checks in this order.
    // (The struct is one 8-byte element: tail0 maps only its first half.)
    if (!BufPassesAccessOk(op.buf) || BufReadable(op.buf, 1) < 1) {
      RULE("epoll_ioctl.set.efault");
      return Outcome::Error(abi::kEfault);
    }
    if ((op.pad & 0xff) != 0) {
      RULE("epoll_ioctl.set.einval.pad");
      return Outcome::Error(abi::kEinval);
    }
    if (op.usecs > abi::kS32Max) {
      RULE("epoll_ioctl.set.einval.usecs");
      return Outcome::Error(abi::kEinval);
    }
    if ((op.prefer & 0xff) > 1) {
      RULE("epoll_ioctl.set.einval.prefer");
      return Outcome::Error(abi::kEinval);
    }
    if ((op.budget & 0xffff) > abi::kNapiPollWeight) {
      if (!world.profile.cap_net_admin) {
        RULE("epoll_ioctl.set.eperm.budget");
        return Outcome::Error(abi::kEperm);
      }
      RULE("epoll_ioctl.set.budget_privileged");
    }
    RULE("epoll_ioctl.set.stored");
    ep.busy_poll_usecs = op.usecs;
    ep.busy_poll_budget = static_cast<uint16_t>(op.budget & 0xffff);
    ep.prefer_busy_poll = static_cast<uint8_t>(op.prefer & 0xff);
    return Outcome::Value(0);
  }
  // EPIOCGPARAMS: copy_to_user of the 8 bytes (a partial copy is EFAULT).
  if (!BufPassesAccessOk(op.buf) || BufWritable(op.buf, 1) < 1) {
    RULE("epoll_ioctl.get.efault");
    return Outcome::Error(abi::kEfault);
  }
  RULE("epoll_ioctl.get.params");
  Outcome out = Outcome::Value(0);
  out.value = ParamsBytes(ep.busy_poll_usecs, ep.busy_poll_budget,
                          ep.prefer_busy_poll, 0);
  return out;
}

// F_GETFL: the access mode the file was opened with, O_LARGEFILE where
// open() added it (force_o_largefile on 64-bit), and the status flags.
uint32_t FileFlagsOf(const File& f) {
  // A FIFO is opened by open(), which adds O_LARGEFILE; pipe2 does not.
  const uint32_t largefile = f.fifo ? abi::kOLargefile : 0;
  switch (f.kind) {
  case FileKind::kPipeRead:
    return abi::kORdonly | largefile | f.flags;
  case FileKind::kPipeWrite:
    return abi::kOWronly | largefile | f.flags;
  case FileKind::kPipeRdwr:
    return abi::kORdwr | largefile | f.flags;
  case FileKind::kEpoll:
  case FileKind::kEventfd:
  case FileKind::kTimerfd:
  case FileKind::kSignalfd:
  case FileKind::kPidfd:  // PIDFD_THREAD is O_EXCL, kept in f_flags
  case FileKind::kUnixSocket:
  case FileKind::kInetSocket:
    return abi::kORdwr | f.flags;
  case FileKind::kRegular:
  case FileKind::kDevNull:
    return abi::kORdwr | abi::kOLargefile | f.flags;
  case FileKind::kDirectory:
    return abi::kORdonly | abi::kODirectory | abi::kOLargefile | f.flags;
  case FileKind::kPath:
    // build_open_flags keeps only O_PATH's flags (O_NONBLOCK is dropped).
    return abi::kOPath;
  }
  EP_CHECK(false);
}

// Linux: file->f_mode & FMODE_CAN_ODIRECT: set by the regular file's open
// (ext4, tmpfs since 6.6); pipes take O_DIRECT as packet mode (S_ISFIFO).
bool TakesODirect(FileKind kind) {
  return kind == FileKind::kRegular || IsPipeKind(kind);
}

// Linux: f_op->fasync (pipes, FIFOs and sockets have one; epoll, eventfd,
// timerfd, signalfd, the regular file, directories and /dev/null do not, so
// FASYNC is never set).
bool HasFasync(FileKind kind) {
  return IsPipeKind(kind) || kind == FileKind::kUnixSocket ||
         kind == FileKind::kInetSocket;
}

// Linux: inode_owner_or_capable: the caller owns pipes, sockets and the
// sequence's own file, FIFO and directory; the anonymous inode (epoll,
// eventfd, timerfd, signalfd) and /dev/null belong to root.
bool OwnsInode(FileKind kind) {
  return IsPipeKind(kind) || kind == FileKind::kUnixSocket ||
         kind == FileKind::kInetSocket || kind == FileKind::kRegular ||
         kind == FileKind::kDirectory;
}

// An EPIOC command on a pidfd where pidfd_ioctl looks at its arguments
// before the command (6.11-6.13). arg is the buffer's address: 0 only for
// NULL. Linux: fs/pidfs.c pidfd_ioctl.
Outcome PidfdIoctlStep(const World& world, const File& f,
                       const EpollIoctl& op) {
  const ProcState state = world.procs.at(f.proc).state;
  const bool arg = op.buf != kBufNull;
  const bool task_first = world.profile.pidfd_ioctl == PidfdIoctl::kTaskFirst;
  if (task_first && state == ProcState::kReaped) {
    RULE("pidfd.ioctl.esrch.no_task");
    return Outcome::Error(abi::kEsrch);
  }
  if (arg) {
    RULE("pidfd.ioctl.einval.arg");
    return Outcome::Error(abi::kEinval);
  }
  if (state == ProcState::kReaped) {
    RULE("pidfd.ioctl.esrch.no_task");
    return Outcome::Error(abi::kEsrch);
  }
  if (state == ProcState::kZombie) {
    RULE("pidfd.ioctl.esrch.no_nsproxy");
    return Outcome::Error(abi::kEsrch);
  }
  RULE("pidfd.ioctl.enotty.cmd");
  return Outcome::Error(abi::kEnotty);
}

}  // namespace

// Linux: fs/ioctl.c SYSCALL_DEFINE3(ioctl): fdget (EBADF), do_vfs_ioctl
// (none of these commands is a generic one), vfs_ioctl (no unlocked_ioctl,
// or -ENOIOCTLCMD: ENOTTY).
Outcome EpollIoctlStep(World& world, const EpollIoctl& op) {
  const std::optional<FileId> file = Fdget(world, op.fd);
  if (!file) {
    if (!world.IsOpen(op.fd))
      RULE("ioctl.ebadf");
    return Outcome::Error(abi::kEbadf);
  }
  File& f = world.files.at(*file);
  if (f.kind == FileKind::kPidfd &&
      world.profile.pidfd_ioctl != PidfdIoctl::kEnotty) {
    return PidfdIoctlStep(world, f, op);
  }
  if (f.kind != FileKind::kEpoll) {
    // Pipes, eventfds, sockets (no socket ioctl of type 0x89), /dev/null and
    // the sequence's file and directory: no such command.
    RULE("ioctl.enotty.not_epoll");
    return Outcome::Error(abi::kEnotty);
  }
  switch (world.profile.epoll_ioctl) {
  case EpollIoctlMode::kEnotty:
    RULE("epoll_ioctl.enotty.no_ioctl");
    return Outcome::Error(abi::kEnotty);
  case EpollIoctlMode::kEopnotsupp:
  case EpollIoctlMode::kBusyPoll:
    break;
  }
  // ep_eventpoll_ioctl: the two commands go to ep_eventpoll_bp_ioctl, every
  // other one is EINVAL (not ENOTTY).
  if (op.cmd != abi::kEpiocSParams && op.cmd != abi::kEpiocGParams) {
    RULE("epoll_ioctl.einval.cmd");
    return Outcome::Error(abi::kEinval);
  }
  if (world.profile.epoll_ioctl == EpollIoctlMode::kEopnotsupp) {
    RULE("epoll_ioctl.eopnotsupp.no_busy_poll");
    return Outcome::Error(abi::kEopnotsupp);
  }
  return BusyPollIoctl(world, *f.epoll, op);
}

// Linux: fs/read_write.c ksys_lseek: fdget_pos (EBADF), whence above
// SEEK_MAX (EINVAL) before the file is asked, then vfs_llseek (no
// FMODE_LSEEK: ESPIPE) and the file's llseek.
Outcome LseekStep(World& world, const Lseek& op) {
  const std::optional<FileId> file = Fdget(world, op.fd);
  if (!file) {
    if (!world.IsOpen(op.fd))
      RULE("lseek.ebadf");
    return Outcome::Error(abi::kEbadf);
  }
  if (op.whence < 0 || op.whence > abi::kSeekHole) {
    RULE("lseek.einval.whence");
    return Outcome::Error(abi::kEinval);
  }
  File& f = world.files.at(*file);
  if (!world.profile.anon_inode_lseek &&
      (f.kind == FileKind::kEpoll || f.kind == FileKind::kEventfd ||
       f.kind == FileKind::kTimerfd || f.kind == FileKind::kSignalfd)) {
    // Before 6.0 alloc_file left FMODE_LSEEK clear on anonymous-inode
    // files: vfs_llseek used no_llseek.
    RULE("lseek.espipe.anon_inode");
    return Outcome::Error(abi::kEspipe);
  }
  int64_t pos = 0;
  switch (f.kind) {
  case FileKind::kPipeRead:
  case FileKind::kPipeWrite:
  case FileKind::kPipeRdwr:
  case FileKind::kUnixSocket:
  case FileKind::kInetSocket:
    // Pipes, FIFOs and sockets are opened stream-like (FMODE_LSEEK
    // cleared).
    RULE("lseek.espipe");
    return Outcome::Error(abi::kEspipe);
  case FileKind::kPidfd:
    RULE("pidfd.lseek.espipe");  // pidfd_fops has no ->llseek
    return Outcome::Error(abi::kEspipe);
  case FileKind::kEpoll:
    // eventpoll_fops.llseek = noop_llseek: f_pos (always 0), whatever the
    // offset and whence.
    RULE("lseek.noop.epoll");
    return Outcome::Value(0);
  case FileKind::kEventfd:
    RULE("lseek.noop.eventfd");  // eventfd_fops.llseek = noop_llseek
    return Outcome::Value(0);
  case FileKind::kTimerfd:
    RULE("lseek.noop.timerfd");  // timerfd_fops.llseek = noop_llseek
    return Outcome::Value(0);
  case FileKind::kSignalfd:
    RULE("lseek.noop.signalfd");  // signalfd_fops.llseek = noop_llseek
    return Outcome::Value(0);
  case FileKind::kDevNull:
    RULE("lseek.devnull");  // null_lseek: f_pos = 0
    return Outcome::Value(0);
  case FileKind::kPath:
    EP_CHECK(false);
  case FileKind::kRegular:
  case FileKind::kDirectory: {
    // generic_file_llseek_size (ext4_llseek and shmem_file_llseek for
    // SEEK_SET/CUR/END; SEEK_DATA/SEEK_HOLE as for a file without holes).
    // An ext4 directory with a hash index (ext4_dir_llseek) has the end
    // at LLONG_MAX and no other limit.
    const bool dir = f.kind == FileKind::kDirectory;
    if (dir) {
      RULE("lseek.directory");
    }
    const int64_t eof =
        dir ? INT64_MAX : static_cast<int64_t>(world.regular_size);
    const auto cur = static_cast<int64_t>(f.pos);
    bool overflow = false;
    switch (op.whence) {
    case abi::kSeekSet:
      pos = op.offset;
      break;
    case abi::kSeekCur:
      if (op.offset == 0) {
        RULE("lseek.regular.cur_zero");
        return Outcome::Value(cur);
      }
      overflow = __builtin_add_overflow(cur, op.offset, &pos);
      break;
    case abi::kSeekEnd:
      overflow = __builtin_add_overflow(eof, op.offset, &pos);
      break;
    default:  // SEEK_DATA, SEEK_HOLE
      RULE("lseek.regular.data_hole");
      if (op.offset < 0 || op.offset >= eof) {
        RULE("lseek.enxio.past_end");
        return Outcome::Error(abi::kEnxio);
      }
      pos = op.whence == abi::kSeekData ? op.offset : eof;
      break;
    }
    // vfs_setpos: negative (or past s_maxbytes, never generated): EINVAL.
    if (overflow || pos < 0) {
      RULE("lseek.einval.negative");
      return Outcome::Error(abi::kEinval);
    }
    RULE("lseek.regular.set");
    f.pos = static_cast<uint64_t>(pos);
    return Outcome::Value(pos);
  }
  }
  EP_CHECK(false);
}

// Linux: fs/fcntl.c SYSCALL_DEFINE3(fcntl): fdget_raw (an O_PATH
// descriptor too), check_fcntl_cmd (F_GETFL only, for O_PATH), do_fcntl.
Outcome GetFlStep(World& world, const GetFl& op) {
  const File* f = world.FileAt(op.fd);
  if (f == nullptr) {
    RULE("fcntl.ebadf");
    return Outcome::Error(abi::kEbadf);
  }
  if (f->kind == FileKind::kEpoll) {
    RULE("fcntl.getfl.epoll");  // anon_inode_getfile(..., O_RDWR)
  } else {
    RULE("fcntl.getfl.other");
  }
  return Outcome::Value(FileFlagsOf(*f));
}

Outcome SetFlStep(World& world, const SetFl& op) {
  const File* opened = world.FileAt(op.fd);
  if (opened == nullptr) {
    RULE("fcntl.ebadf");
    return Outcome::Error(abi::kEbadf);
  }
  if (opened->kind == FileKind::kPath) {
    RULE("fcntl.setfl.ebadf.opath");  // check_fcntl_cmd
    return Outcome::Error(abi::kEbadf);
  }
  File& f = world.files.at(*world.FileIdAt(op.fd));
  // setfl: O_APPEND on an append-only inode (none here); O_NOATIME only
  // for the owner or CAP_FOWNER; O_DIRECT only where the file takes it.
  if ((op.flags & abi::kONoatime) != 0 && (f.flags & abi::kONoatime) == 0 &&
      !OwnsInode(f.kind) && !world.profile.cap_fowner) {
    RULE("fcntl.setfl.eperm.noatime");
    return Outcome::Error(abi::kEperm);
  }
  if ((op.flags & abi::kODirect) != 0 && !TakesODirect(f.kind)) {
    RULE("fcntl.setfl.einval.direct");
    return Outcome::Error(abi::kEinval);
  }
  // ->fasync sets or clears FASYNC itself; without one it stays clear.
  if (((op.flags ^ f.flags) & abi::kOAsync) != 0) {
    if (HasFasync(f.kind)) {
      RULE("fcntl.setfl.async.fasync");
      f.flags = (f.flags & ~abi::kOAsync) | (op.flags & abi::kOAsync);
    } else {
      RULE("fcntl.setfl.async.no_fasync");
    }
  }
  if (f.kind == FileKind::kEpoll) {
    // O_NONBLOCK is stored and changes nothing: ep_poll never reads f_flags.
    RULE("fcntl.setfl.epoll");
  } else {
    RULE("fcntl.setfl.other");
  }
  f.flags = (op.flags & abi::kSetflMask) | (f.flags & ~abi::kSetflMask);
  return Outcome::Value(0);
}

// Linux: kernel/sys.c do_prlimit: a soft limit above the hard one is
// EINVAL (RLIM_INFINITY and negative values are huge unsigned numbers).
Outcome SetRlimitNofileStep(World& world, const SetRlimitNofile& op) {
  if (op.soft < 0 || op.soft > world.profile.fd_hard_limit) {
    RULE("setrlimit.einval.above_hard");
    return Outcome::Error(abi::kEinval);
  }
  if (op.soft < world.FdLimit()) {
    RULE("setrlimit.nofile.lowered");
  } else {
    RULE("setrlimit.nofile.raised");
  }
  world.nofile = op.soft;
  return Outcome::Value(0);
}

}  // namespace epollcheck::internal
