// The scratch SUT: Op -> sim system call -> Outcome.

#include "sut/sim/sim_sut.h"

#include <algorithm>
#include <array>
#include <sstream>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>

#include "model/abi.h"
#include "model/check.h"
#include "sut/sim/eventpoll.h"

namespace epollcheck {
namespace {

// epoll_wait output capacity. A generated sequence never has this many
// items in one instance (it checks), so passing min(maxevents, this) for a
// valid maxevents cannot change the result.
constexpr int kWaitCapacity = 4096;

// The simulated user memory a UserBuf operand (model/ops.h) stands for:
// `good` (`size` bytes, elements of `elem` bytes) for a good buffer, the
// same bytes read-only, a prefix of them for a tail, or nothing.
// Requires: a tail's bytes fit in `size`.
sim::UserBuffer SimUserBuffer(uint32_t buf, void* good, size_t size,
                              size_t elem) {
  switch (buf) {
  case kBufGood:
    return sim::UserBuffer::Whole(good, size);
  case kBufNull:
  case kBufUnmapped:
    return sim::UserBuffer::Faulting();
  case kBufReadOnly:
    return sim::UserBuffer::ReadOnly(good, size);
  case kBufKernel:
    return sim::UserBuffer::KernelRange();
  default:
    break;
  }
  EP_CHECK(buf >= kBufTail && buf <= kBufTail + 255);
  const size_t bytes = (buf - kBufTail) * elem + 4;
  EP_CHECK(bytes <= size);
  return sim::UserBuffer::Prefix(good, bytes);
}

Outcome FromRet(int64_t ret) {
  return ret < 0 ? Outcome::Error(static_cast<int>(-ret)) : Outcome::Value(ret);
}

// The address of sequence name `name`: the abstract AF_UNIX name
// "\0epollcheck.<name>" (each SimSut has its own kernel, so names need no
// more to be unique), or for -1 an AF_UNSPEC address of just the family.
std::pair<sim::SockaddrUn, uint32_t> UnixAddress(int32_t name) {
  sim::SockaddrUn a{};
  if (name < 0)
    return {a, static_cast<uint32_t>(sizeof a.sun_family)};
  a.sun_family = static_cast<uint16_t>(abi::kAfUnix);
  const std::string path = "epollcheck." + std::to_string(name);
  std::copy(path.begin(), path.end(), a.sun_path + 1);
  return {a, static_cast<uint32_t>(sizeof a.sun_family + 1 + path.size())};
}

}  // namespace

SimSut::SimSut(sim::SimConfig config)
    : kernel_(config), process_(kernel_.NewProcess()),
      children_(std::make_unique<sim::SimChildren>(process_.get())) {}

SimSut::~SimSut() {
  children_.reset();
  process_.reset();
}

template <class Call>
Outcome SimSut::Wait(int32_t maxevents, uint32_t buf, Call call) {
  // The array holds at most kWaitCapacity events (more than any sequence
  // has items), and at least what a tail operand needs.
  EP_CHECK(kernel_.Counts().epitems < kWaitCapacity);
  const int max = maxevents > 0 && maxevents <= abi::kEpMaxEvents
                      ? std::min(maxevents, kWaitCapacity)
                      : maxevents;
  events_.resize(static_cast<size_t>(std::clamp(max, 1, kWaitCapacity)) + 256);
  const int ret =
      call(SimUserBuffer(buf, events_.data(),
                         events_.size() * sizeof events_[0], sizeof events_[0]),
           max);
  Outcome out = FromRet(ret);
  for (int i = 0; i < ret; ++i) {
    out.events.push_back(
        ReadyEvent{.events = events_[i].events, .data = events_[i].data});
  }
  return out;
}

Outcome SimSut::Execute(const Op& op) {
  return std::visit(
      [this](const auto& o) -> Outcome {
        using T = std::decay_t<decltype(o)>;
        sim::SimProcess& p = *process_;
        if constexpr (std::is_same_v<T, Pipe2>) {
          int fds[2] = {-1, -1};
          Outcome out = FromRet(p.Pipe2(fds, o.flags));
          if (!out.IsError())
            out.fds = {fds[0], fds[1]};
          return out;
        } else if constexpr (std::is_same_v<T, EpollCreate>) {
          return FromRet(p.EpollCreate(o.size));
        } else if constexpr (std::is_same_v<T, EpollCreate1>) {
          return FromRet(p.EpollCreate1(o.flags));
        } else if constexpr (std::is_same_v<T, EpollCtl>) {
          sim::EpollEvent ev{.events = o.events, .data = o.data};
          return FromRet(
              p.EpollCtl(o.epfd, o.op, o.fd,
                         SimUserBuffer(o.null_event ? kBufNull : o.buf, &ev,
                                       sizeof ev, sizeof ev)));
        } else if constexpr (std::is_same_v<T, EpollWait>) {
          return Wait(o.maxevents, o.buf,
                      [&](const sim::UserBuffer& events, int max) {
                        return p.EpollWait(o.epfd, events, max, o.timeout_ms);
                      });
        } else if constexpr (std::is_same_v<T, EpollPwait>) {
          const uint64_t mask = 0;
          return Wait(o.maxevents, o.buf,
                      [&](const sim::UserBuffer& events, int max) {
                        return p.EpollPwait(o.epfd, events, max, o.timeout_ms,
                                            o.sigsetsize < 0 ? nullptr : &mask,
                                            static_cast<size_t>(o.sigsetsize));
                      });
        } else if constexpr (std::is_same_v<T, EpollPwait2>) {
          const uint64_t mask = 0;
          sim::Timespec ts{.tv_sec = o.tv_sec, .tv_nsec = o.tv_nsec};
          const sim::UserBuffer ts_buf =
              SimUserBuffer(o.ts_buf, &ts, sizeof ts, sizeof ts);
          return Wait(
              o.maxevents, o.buf, [&](const sim::UserBuffer& events, int max) {
                return p.EpollPwait2(o.epfd, events, max,
                                     o.ts_buf == kBufNull ? nullptr : &ts_buf,
                                     o.sigsetsize < 0 ? nullptr : &mask,
                                     static_cast<size_t>(o.sigsetsize));
              });
        } else if constexpr (std::is_same_v<T, Write>) {
          if (buffer_.size() < o.count)
            buffer_.resize(o.count, kIoFillByte);
          return FromRet(p.Write(o.fd, buffer_.data(), o.count));
        } else if constexpr (std::is_same_v<T, Read>) {
          if (read_buffer_.size() < o.count)
            read_buffer_.resize(o.count);
          return FromRet(p.Read(o.fd, read_buffer_.data(), o.count));
        } else if constexpr (std::is_same_v<T, Close>) {
          return FromRet(p.Close(o.fd));
        } else if constexpr (std::is_same_v<T, Dup>) {
          return FromRet(p.Dup(o.fd));
        } else if constexpr (std::is_same_v<T, Dup2>) {
          return FromRet(p.Dup2(o.oldfd, o.newfd));
        } else if constexpr (std::is_same_v<T, SetPipeSize>) {
          return FromRet(
              p.Fcntl(o.fd, abi::kFSetPipeSz, static_cast<uint32_t>(o.size)));
        } else if constexpr (std::is_same_v<T, GetPipeSize>) {
          return FromRet(p.Fcntl(o.fd, abi::kFGetPipeSz));
        } else if constexpr (std::is_same_v<T, ListFds>) {
          Outcome out = Outcome::Value(0);
          for (int fd : p.OpenFds())
            out.fds.push_back(fd);
          out.ret = static_cast<int64_t>(out.fds.size());
          return out;
        } else if constexpr (std::is_same_v<T, Eventfd>) {
          return FromRet(p.Eventfd2(o.initval, static_cast<int>(o.flags)));
        } else if constexpr (std::is_same_v<T, EventfdWrite>) {
          const uint64_t value = o.value;
          return FromRet(p.Write(o.fd, &value, sizeof value));
        } else if constexpr (std::is_same_v<T, EventfdRead>) {
          uint64_t value = 0;
          Outcome out = FromRet(p.Read(o.fd, &value, sizeof value));
          if (!out.IsError())
            out.value = value;
          return out;
        } else if constexpr (std::is_same_v<T, Socketpair>) {
          int fds[2] = {-1, -1};
          Outcome out = FromRet(
              p.Socketpair(abi::kAfUnix, static_cast<int>(o.type), 0, fds));
          if (!out.IsError())
            out.fds = {fds[0], fds[1]};
          return out;
        } else if constexpr (std::is_same_v<T, Send>) {
          if (buffer_.size() < o.count)
            buffer_.resize(o.count, kIoFillByte);
          return FromRet(p.Send(o.fd, buffer_.data(), o.count, o.flags));
        } else if constexpr (std::is_same_v<T, Recv>) {
          if (read_buffer_.size() < o.count)
            read_buffer_.resize(o.count);
          return FromRet(p.Recv(o.fd, read_buffer_.data(), o.count, o.flags));
        } else if constexpr (std::is_same_v<T, Shutdown>) {
          return FromRet(p.Shutdown(o.fd, o.how));
        } else if constexpr (std::is_same_v<T, SetSockOpt>) {
          if (o.name == abi::kSoLinger) {
            const int linger[2] = {1, o.value};  // struct linger {1, value}
            return FromRet(p.Setsockopt(o.fd, o.name, linger, sizeof linger));
          }
          const int value = o.value;
          return FromRet(p.Setsockopt(o.fd, o.name, &value, sizeof value));
        } else if constexpr (std::is_same_v<T, GetSockOpt>) {
          int value = 0;
          uint32_t len = sizeof value;
          Outcome out = FromRet(p.Getsockopt(o.fd, o.name, &value, &len));
          if (!out.IsError())
            out.value = static_cast<uint64_t>(int64_t{value});
          return out;
        } else if constexpr (std::is_same_v<T, Poll> ||
                             std::is_same_v<T, PPoll>) {
          // Entries past the third are {-1}; above RLIMIT_NOFILE the call
          // fails before reading any, so three are enough then.
          const auto nfds = static_cast<uint32_t>(o.nfds);
          const size_t entries = nfds <= static_cast<uint64_t>(p.nofile())
                                     ? std::max<size_t>(nfds, 3)
                                     : 3;
          pollfds_.assign(entries, sim::PollFd{});
          const int32_t fds[3] = {o.fd0, o.fd1, o.fd2};
          const uint32_t events[3] = {o.events0, o.events1, o.events2};
          for (size_t i = 0; i < 3; ++i) {
            pollfds_[i].fd = fds[i];
            pollfds_[i].events = static_cast<int16_t>(events[i]);
          }
          int ret = 0;
          if constexpr (std::is_same_v<T, Poll>) {
            ret = p.Poll(pollfds_.data(), nfds, 0);
          } else {
            const sim::Timespec zero{};
            const uint64_t mask = 0;
            ret = p.Ppoll(pollfds_.data(), nfds, &zero,
                          o.sigsetsize < 0 ? nullptr : &mask,
                          static_cast<size_t>(o.sigsetsize));
          }
          Outcome out = FromRet(ret);
          if (ret < 0)
            return out;
          const int32_t listed = std::min<int32_t>(o.nfds, 3);
          for (int32_t i = 0; i < listed; ++i) {
            out.events.push_back(
                ReadyEvent{.events = static_cast<uint16_t>(pollfds_[i].revents),
                           .data = static_cast<uint64_t>(i)});
          }
          return out;
        } else if constexpr (std::is_same_v<T, Select> ||
                             std::is_same_v<T, PSelect>) {
          // Three fd_sets of FDS_LONGS(n) words (n up to RLIMIT_NOFILE,
          // more than the sim reads after clamping n to its table size),
          // the first word of each from the op, the rest zero.
          const size_t words =
              o.nfds <= 64
                  ? 1
                  : std::max<size_t>(1, (static_cast<size_t>(std::min<int64_t>(
                                             o.nfds, p.nofile())) +
                                         63) /
                                            64);
          fd_sets_.assign(3 * words, 0);
          uint64_t* in = fd_sets_.data();
          uint64_t* out_set = in + words;
          uint64_t* ex = in + 2 * words;
          in[0] = o.readfds;
          out_set[0] = o.writefds;
          ex[0] = o.exceptfds;
          int ret = 0;
          if constexpr (std::is_same_v<T, Select>) {
            const sim::Timeval zero{};
            ret = p.Select(o.nfds, in, out_set, ex, &zero);
          } else {
            const sim::Timespec zero{};
            const uint64_t mask = 0;
            ret = p.Pselect6(o.nfds, in, out_set, ex, &zero,
                             o.sigsetsize < 0 ? nullptr : &mask,
                             static_cast<size_t>(o.sigsetsize));
          }
          Outcome out = FromRet(ret);
          if (ret >= 0)
            out.sets = {in[0], out_set[0], ex[0]};
          return out;
        } else if constexpr (std::is_same_v<T, UnixSocket>) {
          return FromRet(p.Socket(abi::kAfUnix, static_cast<int>(o.type), 0));
        } else if constexpr (std::is_same_v<T, InetSocket>) {
          // AF_INET is not simulated: EAFNOSUPPORT (families tcp, udp).
          return FromRet(p.Socket(abi::kAfInet, static_cast<int>(o.type), 0));
        } else if constexpr (std::is_same_v<T, Bind>) {
          const auto [addr, len] = UnixAddress(o.name);
          return FromRet(p.Bind(o.fd, &addr, len));
        } else if constexpr (std::is_same_v<T, Listen>) {
          return FromRet(p.Listen(o.fd, o.backlog));
        } else if constexpr (std::is_same_v<T, Connect>) {
          const auto [addr, len] = UnixAddress(o.name);
          return FromRet(p.Connect(o.fd, &addr, len));
        } else if constexpr (std::is_same_v<T, Accept4>) {
          return FromRet(p.Accept4(o.fd, static_cast<int>(o.flags)));
        } else if constexpr (std::is_same_v<T, Signalfd>) {
          // Room for any tail (255 whole masks and 4 bytes), the mask first.
          std::array<uint64_t, 256> masks{};
          masks[0] = o.mask;
          return FromRet(
              p.Signalfd4(o.fd,
                          SimUserBuffer(o.buf, masks.data(), sizeof masks,
                                        sizeof(uint64_t)),
                          sizeof(uint64_t), o.flags));
        } else if constexpr (std::is_same_v<T, SignalfdRead>) {
          if (read_buffer_.size() < o.count)
            read_buffer_.resize(o.count);
          const int64_t ret = p.Read(o.fd, read_buffer_.data(), o.count);
          Outcome out = FromRet(ret);
          // The records' ssi_signo, if the first is a signal number (model/
          // ops.h SignalfdRead).
          constexpr size_t kRecord = 128;
          uint32_t first = 0;
          if (ret >= static_cast<int64_t>(kRecord))
            std::memcpy(&first, read_buffer_.data(), sizeof first);
          if (first == 0 || first > 64)
            return out;
          uint64_t packed = 0;
          for (size_t i = 0; i < static_cast<size_t>(ret) / kRecord && i < 8;
               ++i) {
            uint32_t signo = 0;
            std::memcpy(&signo, read_buffer_.data() + i * kRecord,
                        sizeof signo);
            packed |= static_cast<uint64_t>(signo & 0xff) << (8 * i);
          }
          out.value = packed;
          return out;
        } else if constexpr (std::is_same_v<T, Tgkill>) {
          return FromRet(p.Tgkill(o.sig));
        } else if constexpr (std::is_same_v<T, Sigpending>) {
          uint64_t set = 0;
          const int ret = p.Sigpending(&set);
          Outcome out = FromRet(ret);
          if (ret == 0)
            out.value = set;
          return out;
        } else if constexpr (std::is_same_v<T, Sigtimedwait>) {
          return FromRet(p.Sigtimedwait(o.mask));
        } else if constexpr (std::is_same_v<T, TimerfdCreate>) {
          return FromRet(p.TimerfdCreate(o.clockid, o.flags));
        } else if constexpr (std::is_same_v<T, TimerfdSettime>) {
          return FromRet(p.TimerfdSettime(o.fd, o.flags, o.expire));
        } else if constexpr (std::is_same_v<T, OpenFile>) {
          // The FIFO is simulated; no other file is (family file: not in
          // kScratchFamilies, never generated for scratch).
          switch (o.kind) {
          case kOpenFifoRead:
            return FromRet(p.OpenFifo(sim::kFmodeRead, o.flags));
          case kOpenFifoWrite:
            return FromRet(p.OpenFifo(sim::kFmodeWrite, o.flags));
          case kOpenFifoRdwr:
            return FromRet(
                p.OpenFifo(sim::kFmodeRead | sim::kFmodeWrite, o.flags));
          default:
            return Outcome::Error(abi::kEnosys);
          }
        } else if constexpr (std::is_same_v<T, EpollIoctl>) {
          // struct epoll_params's 8 bytes, little-endian.
          const uint64_t in = uint64_t{o.usecs} |
                              (uint64_t{o.budget & 0xffff} << 32) |
                              (uint64_t{o.prefer & 0xff} << 48) |
                              (uint64_t{o.pad & 0xff} << 56);
          // Room for a tail of up to 255 whole structs (UserBuf).
          std::array<uint64_t, 257> params{};
          params[0] = o.cmd == abi::kEpiocGParams ? ~uint64_t{0} : in;
          Outcome out =
              FromRet(p.Ioctl(o.fd, o.cmd,
                              SimUserBuffer(o.buf, params.data(), sizeof params,
                                            sizeof params[0])));
          if (!out.IsError() && o.cmd == abi::kEpiocGParams)
            out.value = params[0];
          return out;
        } else if constexpr (std::is_same_v<T, Lseek>) {
          return FromRet(p.Lseek(o.fd, o.offset, o.whence));
        } else if constexpr (std::is_same_v<T, GetFl>) {
          return FromRet(p.Fcntl(o.fd, abi::kFGetFl));
        } else if constexpr (std::is_same_v<T, SetFl>) {
          return FromRet(p.Fcntl(o.fd, abi::kFSetFl, o.flags));
        } else if constexpr (std::is_same_v<T, SetRlimitNofile>) {
          return FromRet(p.SetNofile(o.soft));
        } else if constexpr (std::is_same_v<T, Fork>) {
          return FromRet(children_->Fork(o.fds));
        } else if constexpr (std::is_same_v<T, ChildClose>) {
          return FromRet(children_->ChildClose(o.pidfd, o.fd));
        } else if constexpr (std::is_same_v<T, ChildExit>) {
          return FromRet(children_->ChildExit(o.pidfd));
        } else if constexpr (std::is_same_v<T, Reap>) {
          return FromRet(children_->Reap(o.pidfd));
        } else if constexpr (std::is_same_v<T, PidfdOpen>) {
          return FromRet(children_->PidfdOpen(o.pidfd, o.flags));
        } else {
          static_assert(std::is_same_v<T, SendTo>, "unhandled op");
          if (buffer_.size() < o.count)
            buffer_.resize(o.count, kIoFillByte);
          const auto [addr, len] = UnixAddress(o.name);
          return FromRet(
              p.SendTo(o.fd, buffer_.data(), o.count, o.flags, &addr, len));
        }
      },
      op);
}

FdinfoReading SimSut::ReadFdinfo(int32_t epfd) {
  lines_.clear();
  const int ret = process_->EpollFdinfo(epfd, &lines_);
  FdinfoReading reading{.error = ret < 0 ? -ret : 0, .lines = {}};
  reading.lines.reserve(lines_.size());
  for (const sim::EpollFdinfoLine& l : lines_) {
    reading.lines.push_back(FdinfoLine{
        .tfd = l.tfd,
        .events = l.events,
        .data = l.data,
        .inode = FdinfoInode{.sdev = l.inode.sdev, .ino = l.inode.ino}});
  }
  return reading;
}

std::optional<FdinfoInode> SimSut::InodeOf(int32_t fd) {
  sim::SimInode inode;
  if (process_->Fstat(fd, &inode) != 0)
    return std::nullopt;
  return FdinfoInode{.sdev = inode.sdev, .ino = inode.ino};
}

std::string SimSut::Finish() {
  children_->EndAll();
  process_->CloseAll();
  const sim::SimObjectCounts left = kernel_.Counts();
  if (left == sim::SimObjectCounts{})
    return "";
  std::ostringstream os;
  os << "scratch kernel objects left after closing every descriptor: "
     << left.files << " files, " << left.pipes << " pipes, " << left.eventpolls
     << " epoll instances, " << left.epitems << " epoll items, "
     << left.eventfds << " eventfds, " << left.timerfds << " timerfds, "
     << left.signalfds << " signalfds, " << left.socks << " AF_UNIX socks";
  return os.str();
}

}  // namespace epollcheck
