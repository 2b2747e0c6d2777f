// AF_UNIX sockets: SOCK_STREAM, SOCK_DGRAM and SOCK_SEQPACKET, made by
// socketpair() or socket() and joined by bind/listen/connect/accept4 over
// abstract names. Readiness, the send-buffer accounting (skb truesize charged
// to the sender until the receiver frees the skb), listeners and their
// embryo sockets, non-mutual datagram peers (max_dgram_qlen and the
// peer_wait relay), shutdown and release, and the wakeups each of them does.
// Linux: net/unix/af_unix.c, net/core/sock.c, net/core/datagram.c. Only
// non-blocking behaviour is modelled: an operation that would sleep returns
// EAGAIN. MSG_OOB is the 6.18 CONFIG_AF_UNIX_OOB behaviour.

#include <algorithm>
#include <climits>
#include <cstddef>
#include <optional>
#include <variant>

#include "model/abi.h"
#include "model/check.h"
#include "model/internal/kernel.h"
#include "model/rules.h"

namespace epollcheck::internal {
namespace {

constexpr uint32_t kReadableKey =
    abi::kEpollIn | abi::kEpollPri | abi::kEpollRdNorm | abi::kEpollRdBand;
constexpr uint32_t kWritableBits =
    abi::kEpollOut | abi::kEpollWrNorm | abi::kEpollWrBand;

bool Stream(const UnixSock& s) { return s.type == abi::kSockStream; }
bool ConnectionBased(const UnixSock& s) {
  return s.type == abi::kSockStream || s.type == abi::kSockSeqpacket;
}

// A wakeup on the socket's wait queue (sk->sk_wq); none once it is orphaned.
// Linux: include/net/sock.h sk_sleep, net/core/sock.c sock_def_wakeup.
void WakeSock(World& world, SockId sock, uint32_t key) {
  const FileId file = world.socks.at(sock).file;
  if (file != 0)
    WakeUp(world, file, key);
}

// Linux: net/unix/af_unix.c unix_writable: `wmem_alloc` is the refcount
// sk_wmem_alloc, which is 1 + the truesize outstanding on a live socket.
bool Writable(const UnixSock& s, uint64_t wmem_alloc) {
  return s.state != SockState::kListen &&
         (wmem_alloc << 2) <= static_cast<uint64_t>(s.sndbuf);
}

// Linux: net/unix/af_unix.c unix_write_space: an OUT-keyed wakeup if the
// socket is writable with `wmem_alloc` outstanding.
void WriteSpace(World& world, SockId sock, uint64_t wmem_alloc) {
  const UnixSock& s = world.socks.at(sock);
  if (s.file == 0)
    return;
  if (Writable(s, wmem_alloc)) {
    RULE("unix.write_space.wake");
    WakeSock(world, sock, kWritableBits);
  } else {
    RULE("unix.write_space.no_wake");
  }
}

// Frees one skb: its truesize goes back to the sender. Linux: net/core/sock.c
// sock_wfree: sk_write_space runs while sk_wmem_alloc still holds one extra
// reference (so it sees 2 + what is left).
void FreeSkb(World& world, const Skb& skb) {
  UnixSock& owner = world.socks.at(skb.owner);
  EP_CHECK(owner.wmem >= skb.truesize);
  owner.wmem -= skb.truesize;
  WriteSpace(world, skb.owner, owner.wmem + 2);
}

// Linux: include/net/sock.h sock_error: reads and clears sk_err.
int TakeError(UnixSock& s) {
  const int err = s.err;
  s.err = 0;
  return err;
}

// A fresh sock as unix_create1 makes it. Linux: net/core/sock.c
// sock_init_data (buffers), af_unix.c unix_create1 (sk_max_ack_backlog).
UnixSock NewSock(const World& world, uint32_t type) {
  const SocketCalibration& cal = world.profile.sockets;
  return UnixSock{.type = type,
                  .sndbuf = cal.wmem_default,
                  .rcvbuf = cal.rmem_default,
                  .max_ack_backlog = cal.max_dgram_qlen};
}

// Linux: net/unix/af_unix.c unix_recvq_full_lockless.
bool RecvqFull(const UnixSock& s) {
  return s.receive_queue.size() > static_cast<size_t>(s.max_ack_backlog);
}

// Linux: net/unix/af_unix.c unix_dgram_peer_wake_connect: registers our
// relay on `other`'s peer_wait unless it already sits somewhere. Returns true
// if it registered now.
bool PeerWakeConnect(World& world, SockId sid, SockId other) {
  UnixSock& s = world.socks.at(sid);
  if (s.peer_wake != 0)
    return false;
  s.peer_wake = other;
  auto& q = world.socks.at(other).peer_waiters;
  q.insert(q.begin(), sid);  // __add_wait_queue: at the head
  return true;
}

// Linux: net/unix/af_unix.c unix_dgram_peer_wake_disconnect.
void PeerWakeDisconnect(World& world, SockId sid, SockId other) {
  UnixSock& s = world.socks.at(sid);
  if (s.peer_wake != other || other == 0)
    return;
  s.peer_wake = 0;
  auto& q = world.socks.at(other).peer_waiters;
  q.erase(std::find(q.begin(), q.end(), sid));
}

// Linux: net/unix/af_unix.c unix_dgram_peer_wake_me: true if `other` is full
// (our relay stays registered), false if not (or if it is dead).
bool PeerWakeMe(World& world, SockId sid, SockId other) {
  const bool connected = PeerWakeConnect(world, sid, other);
  if (connected)
    RULE("unix.peer_wake.register");
  const UnixSock& o = world.socks.at(other);
  if (RecvqFull(o) && !o.dead)
    return true;
  if (connected)
    PeerWakeDisconnect(world, sid, other);
  return false;
}

// A wakeup on `sid`'s peer_wait: every relay entry removes itself and wakes
// its socket's wait queue with the same key. Linux: net/unix/af_unix.c
// unix_dgram_peer_wake_relay.
void WakePeerWait(World& world, SockId sid, uint32_t key) {
  const std::vector<SockId> waiters = world.socks.at(sid).peer_waiters;
  if (!waiters.empty())
    RULE("unix.peer_wait.relay");
  world.socks.at(sid).peer_waiters.clear();
  for (SockId w : waiters) {
    world.socks.at(w).peer_wake = 0;
    WakeSock(world, w, key);
  }
}

uint32_t Truesize(const std::vector<SizeStep>& table, uint32_t len) {
  const std::optional<uint32_t> v = StepValue(table, len);
  // The generators stay inside the calibrated range.
  EP_CHECK(v.has_value());
  return *v;
}

// Linux: net/core/sock.c sock_alloc_send_pskb: the pending error first (and
// cleared), then SEND_SHUTDOWN, then room (sk_wmem_alloc_get < sk_sndbuf).
// Returns 0 or the positive errno.
int AllocSendSkb(UnixSock& s) {
  if (const int err = TakeError(s); err != 0) {
    RULE("unix.alloc_send.err");
    return err;
  }
  if ((s.shutdown & abi::kSendShutdown) != 0) {
    RULE("unix.alloc_send.epipe");
    return abi::kEpipe;
  }
  if (s.wmem >= static_cast<uint64_t>(s.sndbuf)) {
    RULE("unix.alloc_send.eagain.sndbuf");
    return abi::kEagain;
  }
  return 0;
}

Outcome Returned(uint64_t done, int err) {
  if (done > 0) {
    RULE("unix.partial_hides_error");
    return Outcome::Value(static_cast<int64_t>(done));
  }
  return Outcome::Error(err);
}

// One skb of a stream send: allocate (pending error, SEND_SHUTDOWN, room),
// then queue it on the peer and wake it, or EPIPE if the peer is gone or shut
// for reading (the skb is freed again). `oob` makes it the peer's pending
// out-of-band skb. Returns 0 or the positive errno. Linux: net/unix/af_unix.c
// unix_stream_sendmsg's loop body, queue_oob.
//
// `sigpipe`: an EPIPE from the peer raises SIGPIPE before the skb is freed
// (out_pipe, 6.x; queue_oob's EPIPE goes to out_err and raises none).
int QueueStreamSkb(World& world, SockId sid, uint32_t len, uint32_t truesize,
                   bool oob, bool sigpipe) {
  UnixSock& s = world.socks.at(sid);
  if (const int err = AllocSendSkb(s); err != 0)
    return err;
  const Skb skb{
      .len = len, .truesize = truesize, .owner = sid, .id = world.next_id++};
  s.wmem += skb.truesize;
  const SockId other = s.peer;
  UnixSock& o = world.socks.at(other);
  if (o.dead || (o.shutdown & abi::kRcvShutdown) != 0) {
    // Not reached in one thread: a peer gone or shut for reading has
    // already set our SEND_SHUTDOWN (unix_release_sock, unix_shutdown), which
    // StreamSend checks first; only a race with the peer gets here.
    if (sigpipe)
      SendSignal(world, kSigPipe);
    FreeSkb(world, skb);  // out_pipe_unlock -> consume_skb
    return abi::kEpipe;
  }
  if (oob) {
    if (o.oob_skb != 0)
      RULE("unix.oob.send.replaces_mark");
    RULE("unix.oob.send");
    o.oob_skb = skb.id;
  }
  o.receive_queue.push_back(skb);
  // sk_data_ready: sock_def_readable (after sk_send_sigurg for OOB).
  WakeSock(world, other, kReadableKey);
  return 0;
}

// Linux: net/unix/af_unix.c unix_stream_sendmsg. With MSG_OOB the last byte
// goes alone, as the peer's new out-of-band skb (queue_oob).
Outcome StreamSend(World& world, SockId sid, uint32_t len, uint32_t flags,
                   std::optional<int32_t> name) {
  const bool oob = (flags & abi::kMsgOob) != 0;
  if (oob && !world.profile.unix_oob) {
    RULE("unix.oob.send.eopnotsupp.unsupported");
    return Outcome::Error(abi::kEopnotsupp);
  }
  if (oob) {
    if (len == 0) {
      RULE("unix.oob.send.eopnotsupp.empty");
      return Outcome::Error(abi::kEopnotsupp);
    }
    --len;
  }
  if (name) {
    if (world.socks.at(sid).state == SockState::kEstablished) {
      RULE("unix.stream.sendto.eisconn");
      return Outcome::Error(abi::kEisconn);
    }
    RULE("unix.stream.sendto.eopnotsupp");
    return Outcome::Error(abi::kEopnotsupp);
  }
  if (world.socks.at(sid).peer == 0) {
    RULE("unix.stream.send.enotconn");
    return Outcome::Error(abi::kEnotconn);
  }
  const bool nosignal = (flags & abi::kMsgNosignal) != 0;
  if ((world.socks.at(sid).shutdown & abi::kSendShutdown) != 0) {
    RULE("unix.stream.send.epipe.shutdown");
    if (!nosignal) {
      RULE("signal.sigpipe.unix_stream.shutdown");
      SendSignal(world, kSigPipe);
    }
    return Outcome::Error(abi::kEpipe);
  }
  const SocketCalibration& cal = world.profile.sockets;
  uint64_t sent = 0;
  while (sent < len) {
    const UnixSock& s = world.socks.at(sid);
    // "Keep two messages in the pipe so it schedules better."
    const auto size = static_cast<uint32_t>(
        std::min<int64_t>({static_cast<int64_t>(len - sent),
                           (s.sndbuf >> 1) - 64, cal.unix_stream_max_skb}));
    if (size < len - sent)
      RULE("unix.stream.send.split_skb");
    if (const int err = QueueStreamSkb(world, sid, size,
                                       Truesize(cal.unix_stream_truesize, size),
                                       false, sent == 0 && !nosignal);
        err != 0) {
      return Returned(sent, err);
    }
    sent += size;
  }
  if (oob) {
    // queue_oob: a 1-byte skb of its own (sock_alloc_send_skb(sk, 1)).
    if (const int err = QueueStreamSkb(
            world, sid, 1, Truesize(cal.unix_dgram_truesize, 1), true, false);
        err != 0) {
      return Returned(sent, err);
    }
    ++sent;
  }
  return Outcome::Value(static_cast<int64_t>(sent));
}

// Linux: net/unix/af_unix.c unix_dgram_disconnected: our queue is purged
// and, if the old peer still points at us, it gets ECONNRESET (an ERR-keyed
// wakeup, sk_error_report).
void DgramDisconnected(World& world, SockId sid, SockId other) {
  if (!world.socks.at(sid).receive_queue.empty()) {
    RULE("unix.dgram.disconnect.purge");
    std::deque<Skb> purged;
    purged.swap(world.socks.at(sid).receive_queue);
    for (const Skb& p : purged)
      FreeSkb(world, p);
    WakePeerWait(world, sid, 0);
    UnixSock& o = world.socks.at(other);
    if (!o.dead && o.peer == sid) {
      RULE("unix.dgram.disconnect.econnreset_peer");
      o.err = abi::kEconnreset;
      WakeSock(world, other, abi::kEpollErr);
    }
  }
}

// Linux: net/unix/af_unix.c unix_find_other (abstract names): the bound
// socket of this type, or ECONNREFUSED.
std::variant<SockId, int> FindOther(const World& world, int32_t name,
                                    uint32_t type) {
  auto it = world.unix_names.find({type, name});
  if (it == world.unix_names.end()) {
    RULE("unix.find.econnrefused");
    return abi::kEconnrefused;
  }
  return it->second;
}

// Linux: net/unix/af_unix.c unix_seqpacket_sendmsg, unix_dgram_sendmsg.
// `address` is sendto's address (nullopt: send to the peer).
Outcome DgramSend(World& world, SockId sid, uint32_t len, uint32_t flags,
                  std::optional<int32_t> address) {
  // (Plain values: GCC 12 misreads an optional captured below as
  // maybe-uninitialized.)
  bool has_name = address.has_value();
  const int32_t name_value = address.value_or(-1);
  UnixSock& s = world.socks.at(sid);
  if (s.type == abi::kSockSeqpacket) {
    // unix_seqpacket_sendmsg: a pending error first, then the state; the
    // address is ignored (msg_namelen = 0).
    if (const int err = TakeError(s); err != 0) {
      RULE("unix.seqpacket.send.err");
      return Outcome::Error(err);
    }
    if (s.state != SockState::kEstablished) {
      RULE("unix.seqpacket.send.enotconn");
      return Outcome::Error(abi::kEnotconn);
    }
    if (has_name)
      RULE("unix.seqpacket.sendto.name_ignored");
    has_name = false;
  }
  if ((flags & abi::kMsgOob) != 0) {
    RULE("unix.dgram.send.eopnotsupp.oob");
    return Outcome::Error(abi::kEopnotsupp);
  }
  if (has_name && name_value < 0) {
    RULE("unix.dgram.sendto.einval.unspec");
    return Outcome::Error(abi::kEinval);  // unix_validate_addr: AF_UNSPEC
  }
  if (!has_name && !world.profile.unix_dgram_send_allocates_first &&
      s.peer == 0) {
    RULE("unix.dgram.send.enotconn.first");
    return Outcome::Error(abi::kEnotconn);
  }
  if (static_cast<int64_t>(len) > static_cast<int64_t>(s.sndbuf) - 32) {
    RULE("unix.dgram.send.emsgsize");
    return Outcome::Error(abi::kEmsgsize);
  }
  if (const int err = AllocSendSkb(s); err != 0)
    return Outcome::Error(err);
  const Skb skb{.len = len,
                .truesize =
                    Truesize(world.profile.sockets.unix_dgram_truesize, len),
                .owner = sid};
  s.wmem += skb.truesize;
  // 6.18 looks the receiver up only after allocating (an unconnected socket
  // with SEND_SHUTDOWN gets EPIPE, not ENOTCONN); failures free the skb.
  const auto fail = [&](int err) {
    FreeSkb(world, skb);
    return Outcome::Error(err);
  };
  SockId other = 0;
  const auto lookup = [&]() -> int {
    if (has_name) {
      auto found = FindOther(world, name_value, world.socks.at(sid).type);
      if (const int* err = std::get_if<int>(&found))
        return *err;
      other = std::get<SockId>(found);
    } else {
      other = world.socks.at(sid).peer;
      if (other == 0) {
        RULE("unix.dgram.send.enotconn");
        return abi::kEnotconn;
      }
    }
    return 0;
  };
  if (const int err = lookup(); err != 0)
    return fail(err);
  for (;;) {  // restart_locked
    UnixSock& o = world.socks.at(other);
    // unix_may_send: the receiver is unconnected or connected to us.
    if (o.peer != 0 && o.peer != sid) {
      RULE("unix.dgram.send.eperm");
      return fail(abi::kEperm);
    }
    if (o.dead) {
      if (world.socks.at(sid).type == abi::kSockSeqpacket) {
        return fail(abi::kEpipe);
      }
      if (world.socks.at(sid).peer == other) {
        RULE("unix.dgram.send.econnrefused.peer_dead");
        // The peer is gone: disconnect (peer_wake_disconnect_wakeup, then
        // unix_dgram_disconnected).
        UnixSock& me = world.socks.at(sid);
        me.peer = 0;
        me.state = SockState::kClose;
        PeerWakeDisconnect(world, sid, other);
        WakeSock(world, sid, kWritableBits);
        DgramDisconnected(world, sid, other);
        return fail(abi::kEconnrefused);
      }
      if (!has_name)
        return fail(abi::kEconnreset);
      if (const int err = lookup(); err != 0)
        return fail(err);
      continue;
    }
    if ((o.shutdown & abi::kRcvShutdown) != 0) {
      RULE("unix.dgram.send.epipe.rcv_shutdown");
      return fail(abi::kEpipe);
    }
    if (other != sid && o.peer != sid && RecvqFull(o)) {
      if (world.socks.at(sid).peer != other) {
        RULE("unix.dgram.send.eagain.full");
        return fail(abi::kEagain);
      }
      if (PeerWakeMe(world, sid, other)) {
        RULE("unix.dgram.send.eagain.peer_full");
        return fail(abi::kEagain);
      }
      continue;
    }
    if (RecvqFull(o))
      RULE("unix.dgram.send.full_ignored");
    break;
  }
  RULE("unix.dgram.send.queued");
  world.socks.at(other).receive_queue.push_back(skb);
  WakeSock(world, other, kReadableKey);
  return Outcome::Value(len);
}

constexpr size_t kNone = ~size_t{0};

uint32_t Unread(const Skb& skb) { return skb.len - skb.consumed; }

// Linux: net/unix/af_unix.c manage_oob: what the reader takes at queue
// position `pos` (kNone: nothing) once consumed out-of-band skbs are
// dropped and the pending out-of-band byte is skipped (and dropped) or
// stops a read that already copied something; a peek that copied nothing
// steps over it, or reads it as data (Profile::unix_oob_peek_past_mark).
size_t ManageOob(World& world, SockId sid, size_t pos, bool peek,
                 uint64_t copied) {
  UnixSock& u = world.socks.at(sid);
  std::deque<Skb>& q = u.receive_queue;
  const auto is_oob = [&](size_t i) {
    return u.oob_skb != 0 && q[i].id == u.oob_skb;
  };
  if (Unread(q[pos]) != 0 && !is_oob(pos))
    return pos;
  if (!world.profile.unix_oob_skips_consumed) {
    if (Unread(q[pos]) == 0) {
      if (peek)
        return pos;  // the read's skip loop steps over it
      RULE("unix.oob.manage.consumed_ends_read");
      const Skb done = q[pos];
      q.erase(q.begin() + static_cast<std::ptrdiff_t>(pos));
      FreeSkb(world, done);
      return kNone;
    }
    if (copied != 0) {
      RULE("unix.oob.manage.stop_at_mark");
      return kNone;
    }
    if (peek && world.profile.unix_oob_peek_past_mark) {
      RULE("unix.oob.manage.peek_past_mark");
      return pos + 1 < q.size() ? pos + 1 : kNone;
    }
    if (peek) {
      RULE("unix.oob.manage.peek_reads_mark");
      return pos;
    }
    RULE("unix.oob.manage.skip_mark");
    u.oob_skb = 0;
    const Skb unread = q[pos];
    q.erase(q.begin() + static_cast<std::ptrdiff_t>(pos));
    FreeSkb(world, unread);
    return q.empty() ? kNone : 0;
  }
  std::optional<Skb> read_skb;
  std::optional<Skb> unread_skb;
  const auto next = [&](size_t i) { return i + 1 < q.size() ? i + 1 : kNone; };
  [&] {
    if (Unread(q[pos]) == 0) {
      if (copied != 0 && (u.oob_skb == 0 || is_oob(pos))) {
        RULE("unix.oob.manage.stop_consumed");
        pos = kNone;
      } else if (peek) {
        pos = next(pos);
      } else {
        RULE("unix.oob.manage.drop_consumed");
        read_skb = q[pos];
        q.erase(q.begin() + static_cast<std::ptrdiff_t>(pos));
        if (pos >= q.size())
          pos = kNone;
      }
      if (pos == kNone)
        return;
    }
    if (!is_oob(pos))
      return;
    if (copied != 0) {
      RULE("unix.oob.manage.stop_at_mark");
      pos = kNone;
    } else if (!peek) {
      RULE("unix.oob.manage.skip_mark");
      u.oob_skb = 0;
      unread_skb = q[pos];  // not SOCK_URGINLINE: the byte is dropped
      q.erase(q.begin() + static_cast<std::ptrdiff_t>(pos));
      pos = q.empty() ? kNone : 0;
    } else if (world.profile.unix_oob_peek_past_mark) {
      RULE("unix.oob.manage.peek_past_mark");
      pos = next(pos);
    } else {
      RULE("unix.oob.manage.peek_reads_mark");
    }
  }();
  if (read_skb)
    FreeSkb(world, *read_skb);
  if (unread_skb)
    FreeSkb(world, *unread_skb);
  return pos;
}

// Linux: net/unix/af_unix.c unix_stream_recv_urg: the out-of-band byte
// (EINVAL if none); it stays queued, consumed, and a consumed skb just before
// it is dropped.
Outcome StreamRecvUrg(World& world, SockId sid, uint32_t flags) {
  UnixSock& u = world.socks.at(sid);
  if (u.oob_skb == 0) {
    RULE("unix.oob.recv.einval.none");
    return Outcome::Error(abi::kEinval);
  }
  std::deque<Skb>& q = u.receive_queue;
  size_t pos = 0;
  while (q[pos].id != u.oob_skb)
    ++pos;
  std::optional<Skb> read_skb;
  if ((flags & abi::kMsgPeek) != 0) {
    RULE("unix.oob.recv.peek");
  } else {
    RULE("unix.oob.recv.take");
    u.oob_skb = 0;
    if (pos > 0 && Unread(q[pos - 1]) == 0) {
      RULE("unix.oob.recv.drops_consumed_before");
      read_skb = q[pos - 1];
      q.erase(q.begin() + static_cast<std::ptrdiff_t>(pos - 1));
      --pos;
    }
    q[pos].consumed += 1;
  }
  if (read_skb)
    FreeSkb(world, *read_skb);
  return Outcome::Value(1);
}

// Linux: net/unix/af_unix.c unix_stream_read_generic (non-blocking).
Outcome StreamRecv(World& world, SockId sid, uint32_t size, uint32_t flags) {
  if (world.socks.at(sid).state != SockState::kEstablished) {
    RULE("unix.stream.recv.einval.state");
    return Outcome::Error(abi::kEinval);
  }
  if ((flags & abi::kMsgOob) != 0 && !world.profile.unix_oob) {
    RULE("unix.oob.recv.eopnotsupp.unsupported");
    return Outcome::Error(abi::kEopnotsupp);
  }
  if ((flags & abi::kMsgOob) != 0)
    return StreamRecvUrg(world, sid, flags);
  const int32_t rcvlowat = world.socks.at(sid).rcvlowat;
  // sock_rcvlowat.
  const uint32_t low = (flags & abi::kMsgWaitall) != 0
                           ? size
                           : std::min<uint32_t>(rcvlowat, size);
  const uint32_t target = low == 0 ? 1 : low;
  const bool peek = (flags & abi::kMsgPeek) != 0;
  uint64_t copied = 0;
  const auto queue = [&]() -> std::deque<Skb>& {
    return world.socks.at(sid).receive_queue;
  };
  size_t pos = queue().empty() ? kNone : 0;  // redo: the queue's head
  for (;;) {
    // again:
    if (pos != kNone) {
      pos = ManageOob(world, sid, pos, peek, copied);
      if (pos == kNone && copied != 0)
        break;
      // Measured (Profile::unix_oob_zero_recv_returns_zero): a 0-byte read
      // that manage_oob leaves without an skb ends there, 0 not EAGAIN.
      // Nothing was copied here, so `size` is still the size asked for.
      if (pos == kNone && size == 0 &&
          world.profile.unix_oob_zero_recv_returns_zero) {
        RULE("unix.oob.manage.zero_recv_ends");
        break;
      }
    }
    // "while (skip >= unix_skb_len(skb))" with skip 0: empty skbs.
    // (Never two consumed skbs in a row here: recv_urg drops the one before
    // the out-of-band skb it consumes, and reads drop the rest.)
    while (pos != kNone && Unread(queue()[pos]) == 0)
      pos = pos + 1 < queue().size() ? pos + 1 : kNone;
    if (pos == kNone) {
      if (copied >= target)
        break;
      if (copied > 0)
        RULE("unix.stream.recv.below_target");
      // "POSIX 1003.1g mandates this order."
      if (const int err = TakeError(world.socks.at(sid)); err != 0) {
        RULE("unix.stream.recv.err");
        return Returned(copied, err);
      }
      if ((world.socks.at(sid).shutdown & abi::kRcvShutdown) != 0) {
        RULE("unix.stream.recv.rcv_shutdown");
        break;
      }
      RULE("unix.stream.recv.eagain");
      return Returned(copied, abi::kEagain);
    }
    Skb& skb = queue()[pos];
    const uint32_t chunk = std::min(Unread(skb), size);
    copied += chunk;
    size -= chunk;
    if (!peek) {
      skb.consumed += chunk;
      if (Unread(skb) != 0) {
        RULE("unix.stream.recv.skb_left");
        break;
      }
      const Skb done = skb;
      queue().erase(queue().begin() + static_cast<std::ptrdiff_t>(pos));
      FreeSkb(world, done);  // consume_skb -> sock_wfree of the sender
      if (size == 0)
        break;
      pos = queue().empty() ? kNone : 0;
      if (pos != kNone)
        RULE("unix.stream.recv.next_skb");
    } else {
      RULE("unix.stream.recv.peek");
      if (pos + 1 >= queue().size())
        break;
      ++pos;
    }
  }
  return Outcome::Value(static_cast<int64_t>(copied));
}

// Linux: net/unix/af_unix.c unix_seqpacket_recvmsg, __unix_dgram_recvmsg,
// net/core/datagram.c __skb_try_recv_datagram (the pending error comes
// before any queued datagram).
Outcome DgramRecv(World& world, SockId sid, uint32_t size, uint32_t flags) {
  if (world.socks.at(sid).type == abi::kSockSeqpacket &&
      world.socks.at(sid).state != SockState::kEstablished) {
    RULE("unix.seqpacket.recv.enotconn");
    return Outcome::Error(abi::kEnotconn);
  }
  if ((flags & abi::kMsgOob) != 0) {
    RULE("unix.dgram.recv.eopnotsupp.oob");
    return Outcome::Error(abi::kEopnotsupp);
  }
  UnixSock& s = world.socks.at(sid);
  if (const int err = TakeError(s); err != 0) {
    RULE("unix.dgram.recv.err");
    return Outcome::Error(err);
  }
  if (s.receive_queue.empty()) {
    // "Signal EOF on disconnected non-blocking SEQPACKET socket."
    if (s.type == abi::kSockSeqpacket &&
        (s.shutdown & abi::kRcvShutdown) != 0) {
      RULE("unix.seqpacket.recv.eof");
      return Outcome::Value(0);
    }
    RULE("unix.dgram.recv.eagain");
    return Outcome::Error(abi::kEagain);
  }
  const Skb skb = s.receive_queue.front();
  // A datagram was taken (or peeked): senders waiting for room hear of it.
  WakePeerWait(world, sid, kWritableBits);
  if (size < skb.len) {
    if ((flags & abi::kMsgTrunc) != 0) {
      RULE("unix.dgram.recv.trunc_full_length");
    } else {
      RULE("unix.dgram.recv.truncated");
    }
  }
  const uint32_t ret =
      (flags & abi::kMsgTrunc) != 0 ? skb.len : std::min(size, skb.len);
  if ((flags & abi::kMsgPeek) == 0) {
    s.receive_queue.pop_front();
    FreeSkb(world, skb);  // skb_free_datagram
  } else {
    RULE("unix.dgram.recv.peek");
  }
  return Outcome::Value(ret);
}

}  // namespace

// Linux: net/socket.c __sys_socketpair: flags, then two descriptors, then the
// type (net/socket.c __sock_create, net/unix/af_unix.c unix_create), then
// unix_socketpair joins the two socks back to back.
namespace {

// Linux: net/socket.c __sys_socket_create / __sys_socketpair flag check, then
// __sock_create (SOCK_MAX) and unix_create (the types). Returns the type or
// a negative errno; `fds` numbers must be free in between (EMFILE).
int64_t CheckSocketType(const World& world, uint32_t type_and_flags, int fds) {
  const uint32_t flags = type_and_flags & ~abi::kSockTypeMask;
  if ((flags & ~(abi::kSockCloexec | abi::kSockNonblock)) != 0) {
    RULE("unix.socket.einval.flags");
    return -abi::kEinval;
  }
  // socketpair reserves both descriptors before creating the socks.
  if (fds == 2 && !HasFreeFds(world, 2))
    return -abi::kEmfile;
  uint32_t type = type_and_flags & abi::kSockTypeMask;
  if (type >= 11) {  // SOCK_MAX
    RULE("unix.socket.einval.type_max");
    return -abi::kEinval;
  }
  if (type == 3) {  // SOCK_RAW is "supported" as SOCK_DGRAM
    RULE("unix.socket.raw_is_dgram");
    type = abi::kSockDgram;
  }
  if (type != abi::kSockStream && type != abi::kSockDgram &&
      type != abi::kSockSeqpacket) {
    RULE("unix.socket.esocktnosupport");
    return -abi::kEsocktnosupport;
  }
  // socket() maps its descriptor after creating the sock.
  if (fds == 1 && !HasFreeFds(world, 1))
    return -abi::kEmfile;
  return type;
}

FileId NewSocketFile(World& world, SockId sid, uint32_t flags) {
  const FileId f = NewFile(world, File{.kind = FileKind::kUnixSocket,
                                       .flags = flags & abi::kSockNonblock,
                                       .sock = sid});
  world.socks.at(sid).file = f;
  return f;
}

}  // namespace

// Linux: net/core/sock.c sk_setsockopt (SO_SNDBUF, SO_RCVBUF): the value as
// an unsigned capped by the sysctl maximum and INT_MAX / 2, doubled, at
// least the minimum.
int32_t SetBufSize(int32_t value, int32_t max, int32_t min) {
  if (static_cast<uint32_t>(value) > static_cast<uint32_t>(max))
    RULE("sockopt.set.buf.capped");
  int32_t v = static_cast<int32_t>(std::min<uint32_t>(
      static_cast<uint32_t>(value), static_cast<uint32_t>(max)));
  v = std::min(v, INT_MAX / 2);
  if (v * 2 < min)
    RULE("sockopt.set.buf.minimum");
  return std::max(v * 2, min);
}

// Linux: net/core/sock.c sk_setsockopt (SO_RCVLOWAT): negative is INT_MAX,
// 0 is 1.
int32_t SetRcvlowat(int32_t value) {
  if (value < 0)
    RULE("sockopt.set.rcvlowat.negative_is_max");
  const int32_t v = value < 0 ? INT_MAX : value;
  if (v == 0)
    RULE("sockopt.set.rcvlowat.zero_is_one");
  return v == 0 ? 1 : v;
}

Outcome UnixSocketpair(World& world, uint32_t type_and_flags) {
  const int64_t type = CheckSocketType(world, type_and_flags, 2);
  if (type < 0)
    return Outcome::Error(static_cast<int>(-type));
  const SockId a = world.next_id++;
  const SockId b = world.next_id++;
  for (const auto& [id, peer] : {std::pair{a, b}, std::pair{b, a}}) {
    UnixSock s = NewSock(world, static_cast<uint32_t>(type));
    // unix_socketpair: joined back to back, both TCP_ESTABLISHED.
    s.state = SockState::kEstablished;
    s.peer = peer;
    world.socks[id] = s;
  }
  const uint32_t flags = type_and_flags & ~abi::kSockTypeMask;
  const FileId fa = NewSocketFile(world, a, flags);
  const FileId fb = NewSocketFile(world, b, flags);
  Outcome out = Outcome::Value(0);
  out.fds.push_back(InstallLowestFd(world, fa));
  out.fds.push_back(InstallLowestFd(world, fb));
  return out;
}

Outcome UnixSocketCreate(World& world, uint32_t type_and_flags) {
  const int64_t type = CheckSocketType(world, type_and_flags, 1);
  if (type < 0)
    return Outcome::Error(static_cast<int>(-type));
  const SockId sid = world.next_id++;
  world.socks[sid] = NewSock(world, static_cast<uint32_t>(type));
  const FileId f =
      NewSocketFile(world, sid, type_and_flags & ~abi::kSockTypeMask);
  return Outcome::Value(InstallLowestFd(world, f));
}

// Linux: net/unix/af_unix.c unix_bind, unix_bind_abstract.
Outcome UnixBind(World& world, FileId file, int32_t name) {
  if (name < 0) {
    RULE("unix.bind.einval.unspec");
    return Outcome::Error(abi::kEinval);  // unix_validate_addr: AF_UNSPEC
  }
  const SockId sid = world.files.at(file).sock;
  UnixSock& s = world.socks.at(sid);
  if (s.name >= 0) {
    RULE("unix.bind.einval.bound");
    return Outcome::Error(abi::kEinval);  // already bound
  }
  if (world.unix_names.count({s.type, name}) != 0) {
    RULE("unix.bind.eaddrinuse");
    return Outcome::Error(abi::kEaddrinuse);
  }
  for (const auto& [key, holder] : world.unix_names) {
    if (key.second == name) {
      RULE("unix.bind.name_per_type");
      break;
    }
  }
  s.name = name;
  world.unix_names[{s.type, name}] = sid;
  return Outcome::Value(0);
}

// Linux: net/socket.c __sys_listen (backlog clamped to somaxconn, as an
// unsigned), net/unix/af_unix.c unix_listen.
Outcome UnixListen(World& world, FileId file, int32_t backlog) {
  const SockId sid = world.files.at(file).sock;
  UnixSock& s = world.socks.at(sid);
  const auto somaxconn = static_cast<uint32_t>(world.profile.sockets.somaxconn);
  if (static_cast<uint32_t>(backlog) > somaxconn) {
    RULE("listen.backlog_clamped");
    backlog = static_cast<int32_t>(somaxconn);
  }
  if (s.type != abi::kSockStream && s.type != abi::kSockSeqpacket) {
    RULE("unix.listen.eopnotsupp");
    return Outcome::Error(abi::kEopnotsupp);
  }
  if (s.name < 0) {
    RULE("unix.listen.einval.unbound");
    return Outcome::Error(abi::kEinval);  // "No listens on an unbound socket"
  }
  if (s.state != SockState::kClose && s.state != SockState::kListen) {
    RULE("unix.listen.einval.connected");
    return Outcome::Error(abi::kEinval);
  }
  if (s.state == SockState::kListen)
    RULE("unix.listen.again");
  const bool more = backlog > s.max_ack_backlog;
  s.max_ack_backlog = backlog;
  s.state = SockState::kListen;
  if (more) {
    RULE("unix.listen.more_backlog_wakes");
    WakePeerWait(world, sid, 0);
  }  // "set credentials so connect can copy
     // them"; wakes blocked connectors
  return Outcome::Value(0);
}

// Linux: net/unix/af_unix.c unix_stream_connect (non-blocking) for STREAM
// and SEQPACKET, unix_dgram_connect for DGRAM (name -1: AF_UNSPEC, which
// disconnects a datagram socket).
Outcome UnixConnect(World& world, FileId file, int32_t name) {
  const SockId sid = world.files.at(file).sock;
  const uint32_t type = world.socks.at(sid).type;
  if (type == abi::kSockDgram) {
    SockId other = 0;
    if (name >= 0) {
      auto found = FindOther(world, name, type);
      if (const int* err = std::get_if<int>(&found))
        return Outcome::Error(*err);
      other = std::get<SockId>(found);
      const UnixSock& o = world.socks.at(other);
      if (o.peer != 0 && o.peer != sid) {
        RULE("unix.dgram.connect.eperm");
        return Outcome::Error(abi::kEperm);  // unix_may_send
      }
      RULE("unix.dgram.connect.ok");
      world.socks.at(sid).state = SockState::kEstablished;
      world.socks.at(other).state = SockState::kEstablished;
    }
    const SockId old_peer = world.socks.at(sid).peer;
    world.socks.at(sid).peer = other;
    if (old_peer != 0) {
      // "If it was connected, reconnect."
      if (other == 0) {
        RULE("unix.dgram.connect.unspec_disconnects");
        world.socks.at(sid).state = SockState::kClose;
      }
      RULE("unix.dgram.connect.reconnect_wakes");
      PeerWakeDisconnect(world, sid, old_peer);
      WakeSock(world, sid, kWritableBits);
      if (other != old_peer)
        DgramDisconnected(world, sid, old_peer);
    } else if (other == 0) {
      RULE("unix.dgram.connect.unspec_unconnected");
    }
    return Outcome::Value(0);
  }
  if (name < 0) {
    RULE("unix.stream.connect.einval.unspec");
    return Outcome::Error(abi::kEinval);  // unix_validate_addr
  }
  auto found = FindOther(world, name, type);
  if (const int* err = std::get_if<int>(&found))
    return Outcome::Error(*err);
  const SockId listener = std::get<SockId>(found);
  UnixSock& l = world.socks.at(listener);
  if (l.state != SockState::kListen) {
    RULE("unix.stream.connect.econnrefused.not_listening");
    return Outcome::Error(abi::kEconnrefused);
  }
  if ((l.shutdown & abi::kRcvShutdown) != 0) {
    RULE("unix.stream.connect.econnrefused.shutdown");
    return Outcome::Error(abi::kEconnrefused);
  }
  if (RecvqFull(l)) {
    RULE("unix.stream.connect.eagain.backlog");
    return Outcome::Error(abi::kEagain);  // the backlog is full
  }
  if (world.socks.at(sid).state != SockState::kClose) {
    if (world.socks.at(sid).state == SockState::kEstablished) {
      RULE("unix.stream.connect.eisconn");
      return Outcome::Error(abi::kEisconn);
    }
    RULE("unix.stream.connect.einval.listening");
    return Outcome::Error(abi::kEinval);
  }
  RULE("unix.stream.connect.embryo");
  // The embryo: the listener's end, queued on the listener as an skb that
  // sock_wmalloc charged to the embryo.
  const SockId embryo = world.next_id++;
  UnixSock e = NewSock(world, type);
  e.state = SockState::kEstablished;
  e.peer = sid;
  // "copy address information from listening to new sock": bound (bind
  // then fails) but not in the name table.
  e.name = world.socks.at(listener).name;
  const Skb request{.len = 0,
                    .truesize =
                        Truesize(world.profile.sockets.unix_dgram_truesize, 1),
                    .owner = embryo,
                    .conn = embryo};
  e.wmem = request.truesize;
  world.socks[embryo] = e;
  UnixSock& me = world.socks.at(sid);
  me.state = SockState::kEstablished;
  me.peer = embryo;
  world.socks.at(listener).receive_queue.push_back(request);
  WakeSock(world, listener, kReadableKey);  // sk_data_ready
  return Outcome::Value(0);
}

// Called by the shared accept4 checks (model/step.cc) with a validated socket
// file. Linux: net/unix/af_unix.c unix_accept.
Outcome UnixAccept(World& world, FileId file, uint32_t flags) {
  const SockId sid = world.files.at(file).sock;
  UnixSock& l = world.socks.at(sid);
  if (l.type != abi::kSockStream && l.type != abi::kSockSeqpacket) {
    RULE("unix.accept.eopnotsupp");
    return Outcome::Error(abi::kEopnotsupp);
  }
  if (l.state != SockState::kListen) {
    RULE("unix.accept.einval.not_listening");
    return Outcome::Error(abi::kEinval);
  }
  // skb_recv_datagram: the pending error, then the queue.
  if (const int err = TakeError(l); err != 0) {
    return Outcome::Error(err);
  }
  if (l.receive_queue.empty()) {
    RULE("unix.accept.eagain");
    return Outcome::Error(abi::kEagain);
  }
  RULE("unix.accept.graft");
  const Skb request = l.receive_queue.front();
  l.receive_queue.pop_front();
  FreeSkb(world, request);  // the embryo has no file yet: no wakeup
  WakePeerWait(world, sid, 0);
  const FileId f = NewSocketFile(world, request.conn, flags);
  return Outcome::Value(InstallLowestFd(world, f));
}

Outcome UnixSend(World& world, FileId file, uint32_t len, uint32_t flags,
                 std::optional<int32_t> name) {
  const SockId sid = world.files.at(file).sock;
  return Stream(world.socks.at(sid)) ? StreamSend(world, sid, len, flags, name)
                                     : DgramSend(world, sid, len, flags, name);
}

Outcome UnixRecv(World& world, FileId file, uint32_t len, uint32_t flags) {
  const SockId sid = world.files.at(file).sock;
  return Stream(world.socks.at(sid)) ? StreamRecv(world, sid, len, flags)
                                     : DgramRecv(world, sid, len, flags);
}

// Linux: net/unix/af_unix.c unix_shutdown: our side, a keyless state-change
// wakeup, then (connection-based only) the mirrored mode on the peer.
Outcome UnixShutdown(World& world, FileId file, int32_t how) {
  if (how < abi::kShutRd || how > abi::kShutRdwr) {
    RULE("unix.shutdown.einval.how");
    return Outcome::Error(abi::kEinval);
  }
  const auto mode = static_cast<uint8_t>(how + 1);
  const SockId sid = world.files.at(file).sock;
  UnixSock& s = world.socks.at(sid);
  s.shutdown |= mode;
  const SockId other = s.peer;
  const bool mirror = ConnectionBased(s);
  WakeSock(world, sid, 0);  // sk_state_change: sock_def_wakeup
  if (other != 0 && !mirror)
    RULE("unix.shutdown.dgram_not_mirrored");
  if (other != 0 && mirror) {
    RULE("unix.shutdown.mirrored_to_peer");
    uint8_t peer_mode = 0;
    if ((mode & abi::kRcvShutdown) != 0)
      peer_mode |= abi::kSendShutdown;
    if ((mode & abi::kSendShutdown) != 0)
      peer_mode |= abi::kRcvShutdown;
    world.socks.at(other).shutdown |= peer_mode;
    WakeSock(world, other, 0);
  }
  return Outcome::Value(0);
}

// Linux: net/core/sock.c sk_setsockopt (SOL_SOCKET).
Outcome UnixSetSockOpt(World& world, FileId file, int32_t name, int32_t value) {
  const SockId sid = world.files.at(file).sock;
  UnixSock& s = world.socks.at(sid);
  const SocketCalibration& cal = world.profile.sockets;
  switch (name) {
  case abi::kSoSndbuf: {
    s.sndbuf = SetBufSize(value, cal.wmem_max, cal.min_sndbuf);
    // "Wake up sending tasks if we upped the value."
    WriteSpace(world, sid, s.wmem + 1);
    return Outcome::Value(0);
  }
  case abi::kSoRcvbuf: {
    s.rcvbuf = SetBufSize(value, cal.rmem_max, cal.min_rcvbuf);
    return Outcome::Value(0);
  }
  case abi::kSoRcvlowat: {
    // AF_UNIX has no ->set_rcvlowat.
    s.rcvlowat = SetRcvlowat(value);
    return Outcome::Value(0);
  }
  case abi::kSoLinger:
    RULE("sockopt.set.linger");
    s.linger = true;  // struct linger {1, value}; no effect on AF_UNIX
    return Outcome::Value(0);
  default:
    RULE("sockopt.set.enoprotoopt");
    return Outcome::Error(abi::kEnoprotoopt);
  }
}

// Linux: net/core/sock.c sk_getsockopt with an int-sized buffer.
Outcome UnixGetSockOpt(World& world, FileId file, int32_t name) {
  UnixSock& s = world.socks.at(world.files.at(file).sock);
  int64_t v = 0;
  switch (name) {
  case abi::kSoError:
    v = TakeError(s);  // -sock_error(sk), then sk_err_soft (always 0 here)
    if (v != 0)
      RULE("sockopt.get.so_error_clears");
    break;
  case abi::kSoSndbuf:
    v = s.sndbuf;
    break;
  case abi::kSoRcvbuf:
    v = s.rcvbuf;
    break;
  case abi::kSoRcvlowat:
    v = s.rcvlowat;
    break;
  case abi::kSoLinger:
    v = s.linger ? 1 : 0;  // the first int of struct linger: l_onoff
    break;
  default:
    RULE("sockopt.get.enoprotoopt");
    return Outcome::Error(abi::kEnoprotoopt);
  }
  Outcome out = Outcome::Value(0);
  out.value = static_cast<uint64_t>(v);
  return out;
}

// Linux: net/unix/af_unix.c unix_poll (SOCK_STREAM) and unix_dgram_poll
// (SOCK_DGRAM, SOCK_SEQPACKET). `requested` is the poller's key (epoll: the
// item's stored events); unix_dgram_poll skips the OUT test without it.
uint32_t UnixPoll(World& world, FileId file, uint32_t requested) {
  const SockId sid = world.files.at(file).sock;
  const UnixSock& s = world.socks.at(sid);
  uint32_t mask = 0;
  if (s.err != 0) {
    RULE("unix.poll.err");
    mask |= abi::kEpollErr;
  }
  if (s.shutdown == abi::kShutdownMask) {
    RULE("unix.poll.hup.shutdown");
    mask |= abi::kEpollHup;
  }
  if ((s.shutdown & abi::kRcvShutdown) != 0) {
    RULE("unix.poll.rdhup");
    mask |= abi::kEpollRdHup | abi::kEpollIn | abi::kEpollRdNorm;
  }
  if (!s.receive_queue.empty()) {
    RULE("unix.poll.in.queue");
    mask |= abi::kEpollIn | abi::kEpollRdNorm;
  }
  if (Stream(s) && s.oob_skb != 0) {
    RULE("unix.poll.pri.oob");
    mask |= abi::kEpollPri;  // only unix_poll tests oob_skb
  }
  if (ConnectionBased(s) && s.state == SockState::kClose) {
    RULE("unix.poll.hup.unconnected");
    mask |= abi::kEpollHup;
  }
  if (Stream(s)) {
    // "we set writable also when the other side has shut down the
    // connection. This prevents stuck sockets."
    if (s.state == SockState::kListen) {
      RULE("unix.poll.out.listener");
    } else if (Writable(s, s.wmem + 1)) {
      RULE("unix.poll.out.writable");
      mask |= kWritableBits;
    } else {
      RULE("unix.poll.out.sndbuf");
    }
    return mask;
  }
  if ((requested & kWritableBits) == 0) {
    RULE("unix.dgram.poll.out_not_requested");
    return mask;  // "No write status requested, avoid expensive OUT tests."
  }
  bool writable = Writable(s, s.wmem + 1);
  if (s.state == SockState::kListen) {
    RULE("unix.poll.out.listener");
  } else if (!writable) {
    RULE("unix.dgram.poll.out.sndbuf");
  }
  const SockId other = s.peer;
  // A non-mutual peer with a full queue: not writable, and our relay waits
  // on its peer_wait for room.
  if (writable && other != 0 && world.socks.at(other).peer != sid &&
      RecvqFull(world.socks.at(other)) && PeerWakeMe(world, sid, other)) {
    RULE("unix.dgram.poll.out.peer_full");
    writable = false;
  }
  if (writable) {
    RULE("unix.dgram.poll.out.writable");
    mask |= kWritableBits;
  }
  return mask;
}

namespace {

// Linux: net/unix/af_unix.c unix_release_sock(sk, embrion).
void ReleaseSock(World& world, SockId sid, bool embrion) {
  UnixSock& s = world.socks.at(sid);
  if (s.name >= 0) {
    auto it = world.unix_names.find({s.type, s.name});
    if (it != world.unix_names.end() && it->second == sid) {
      RULE("unix.release.frees_name");
      world.unix_names.erase(it);  // unix_remove_socket
    }
  }
  s.file = 0;  // sock_orphan: no wait queue any more
  s.dead = true;
  s.shutdown = abi::kShutdownMask;
  s.oob_skb = 0;
  const SockState state = s.state;
  s.state = SockState::kClose;
  const SockId pair = s.peer;
  s.peer = 0;
  const uint32_t type = s.type;
  // "Don't set -ECONNRESET for consumed OOB skb" (6.16, and its stable
  // backports): a first skb with nothing left to read (e.g. a zero-length
  // datagram) is skipped, so it takes unread bytes or a second skb. Before,
  // any queued skb (Profile::unix_release_skips_empty_skb).
  const auto& q = s.receive_queue;
  const bool skip_empty = world.profile.unix_release_skips_empty_skb;
  const bool unread =
      !q.empty() && (q.front().len != q.front().consumed || q.size() > 1);
  const bool empty_skb_resets = !skip_empty && !q.empty() && !unread;
  WakePeerWait(world, sid, 0);  // wake_up_interruptible_all(&u->peer_wait)
  if (pair != 0) {
    if (type == abi::kSockStream || type == abi::kSockSeqpacket) {
      RULE("unix.release.peer_shutdown");
      UnixSock& o = world.socks.at(pair);
      o.shutdown = abi::kShutdownMask;  // "No more writes"
      if (unread) {
        RULE("unix.release.econnreset.unread");
        o.err = abi::kEconnreset;
      } else if (empty_skb_resets) {
        RULE("unix.release.econnreset.empty_skb");
        o.err = abi::kEconnreset;
      } else if (embrion) {
        RULE("unix.release.econnreset.embryo");
        o.err = abi::kEconnreset;
      } else if (!q.empty()) {
        RULE("unix.release.consumed_skb_no_reset");
      }
      WakeSock(world, pair, 0);  // sk_state_change
    }
    PeerWakeDisconnect(world, sid, pair);
  }
  // "Try to flush out this socket. Throw out buffers at least."
  std::deque<Skb> flushed;
  flushed.swap(world.socks.at(sid).receive_queue);
  if (!flushed.empty())
    RULE("unix.release.flush_queue");
  for (const Skb& skb : flushed) {
    if (state == SockState::kListen && skb.conn != 0) {
      RULE("unix.release.listener_embryo");
      ReleaseSock(world, skb.conn, true);
    }
    FreeSkb(world, skb);
  }
}

}  // namespace

// Called after the file's epoll items are gone (eventpoll_release comes
// first in __fput).
void UnixRelease(World& world, FileId file) {
  ReleaseSock(world, world.files.at(file).sock, false);
}

}  // namespace epollcheck::internal
