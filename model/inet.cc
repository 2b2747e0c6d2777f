// AF_INET sockets on 127.0.0.1: TCP (SOCK_STREAM) and UDP (SOCK_DGRAM).
// Readiness (tcp_poll, inet_csk_listen_poll, udp_poll), the connection life
// cycle over loopback (handshake, FIN, RST, listener queues), urgent data,
// shutdown and close, and the wakeups each of them does.
// Linux: net/ipv4/af_inet.c, net/ipv4/tcp.c, net/ipv4/tcp_input.c,
// net/ipv4/tcp_ipv4.c, net/ipv4/udp.c, net/core/datagram.c, net/core/sock.c.
//
// The model describes each step after loopback delivery has settled: the
// segments a step sends are processed at once (as the softirq does on
// loopback), and the kernel SUT waits out the states that only a delayed
// ACK ends (FIN_WAIT1, LAST_ACK...) before it compares. Only non-blocking
// behaviour is modelled. The generators keep TCP away from full windows and
// buffers and UDP away from full receive buffers and ICMP errors (which are
// globally rate-limited), where the kernel's behaviour depends on timing or
// on accounting the model does not carry.

#include <algorithm>
#include <climits>
#include <optional>

#include "model/abi.h"
#include "model/check.h"
#include "model/internal/kernel.h"
#include "model/rules.h"

namespace epollcheck::internal {
namespace {

constexpr uint32_t kReadableKey =
    abi::kEpollIn | abi::kEpollPri | abi::kEpollRdNorm | abi::kEpollRdBand;
constexpr uint32_t kWritableKey =
    abi::kEpollOut | abi::kEpollWrNorm | abi::kEpollWrBand;
// Linux: include/net/tcp.h TCP_URG_VALID, TCP_URG_READ.
constexpr uint8_t kUrgValid = 1;
constexpr uint8_t kUrgRead = 2;

InetSock& Sock(World& world, SockId sid) { return world.inet_socks.at(sid); }

// A wakeup on the socket's wait queue; none once it is orphaned.
void Wake(World& world, SockId sid, uint32_t key) {
  const FileId file = Sock(world, sid).file;
  if (file != 0)
    WakeUp(world, file, key);
}

// Linux: include/net/sock.h sock_error: reads and clears sk_err.
int TakeError(InetSock& s) {
  const int err = s.err;
  s.err = 0;
  return err;
}

// Linux: net/ipv4/tcp.c tcp_set_state(TCP_CLOSE): the socket is unhashed and,
// bound with port 0 (no SOCK_BINDPORT_LOCK), gives its port back.
void SetClose(InetSock& s) {
  s.state = TcpState::kClose;
  s.name = -1;
  s.bound = false;
}

// Linux: net/ipv4/tcp.c tcp_done: CLOSE, both directions shut, and a
// state-change wakeup (sock_def_wakeup: no key) unless orphaned.
void TcpDone(World& world, SockId sid) {
  InetSock& s = Sock(world, sid);
  SetClose(s);
  s.shutdown = abi::kShutdownMask;
  s.peer = 0;
  Wake(world, sid, 0);
}

// An RST arrives. Linux: net/ipv4/tcp_input.c tcp_reset, tcp_done_with_error:
// the error for the state, then tcp_done, then sk_error_report (an ERR-keyed
// wakeup) unless orphaned.
void Reset(World& world, SockId sid) {
  InetSock& s = Sock(world, sid);
  int err = abi::kEconnreset;
  switch (s.state) {
  case TcpState::kClose:
    return;
  case TcpState::kSynSent:
    RULE("tcp.reset.econnrefused.syn_sent");
    err = abi::kEconnrefused;
    break;
  case TcpState::kCloseWait:
    RULE("tcp.reset.epipe.close_wait");
    err = abi::kEpipe;
    break;
  default:
    RULE("tcp.reset.econnreset");
    break;
  }
  s.err = err;
  TcpDone(world, sid);
  Wake(world, sid, abi::kEpollErr);
}

// An RST from `sid` to its peer (tcp_send_active_reset, or the reset a
// segment to a closed port answers).
void ResetPeer(World& world, SockId sid) {
  const SockId peer = Sock(world, sid).peer;
  Sock(world, sid).peer = 0;
  if (peer != 0 && world.inet_socks.count(peer) != 0 &&
      Sock(world, peer).peer == sid) {
    Reset(world, peer);
  }
}

// Linux: net/ipv4/tcp.c tcp_need_reset.
bool NeedReset(TcpState state) {
  return state == TcpState::kEstablished || state == TcpState::kCloseWait ||
         state == TcpState::kFinWait2;
}

void ListenStop(World& world, SockId sid);

// Linux: net/ipv4/tcp.c tcp_disconnect (non-blocking): back to CLOSE, an
// RST to a connected peer, queues purged, shutdown and SOCK_DONE cleared,
// then sk_error_report (an ERR-keyed wakeup).
void TcpDisconnect(World& world, SockId sid) {
  InetSock& s = Sock(world, sid);
  const TcpState old = s.state;
  if (old != TcpState::kClose)
    SetClose(s);
  if (old == TcpState::kListen) {
    RULE("tcp.disconnect.listener");
    ListenStop(world, sid);
  } else if (NeedReset(old)) {
    RULE("tcp.disconnect.reset_peer");
    ResetPeer(world, sid);
    Sock(world, sid).err = abi::kEconnreset;
  } else if (old == TcpState::kSynSent) {
    RULE("tcp.disconnect.syn_sent");
    s.err = abi::kEconnreset;
  }
  InetSock& t = Sock(world, sid);
  t.peer = 0;
  t.unread = 0;
  t.urg = 0;
  t.shutdown = 0;
  t.done = false;
  Wake(world, sid, abi::kEpollErr);
}

// Linux: net/ipv4/inet_connection_sock.c inet_csk_listen_stop: every
// connection not yet accepted is disconnected (inet_child_forget), which
// resets its client.
void ListenStop(World& world, SockId sid) {
  std::deque<SockId> queue;
  queue.swap(Sock(world, sid).accept_queue);
  for (const SockId child : queue) {
    const TcpState state = Sock(world, child).state;
    if (NeedReset(state)) {
      RULE("tcp.listen_stop.resets_child");
      ResetPeer(world, child);
    }
    InetSock& c = Sock(world, child);
    SetClose(c);
    c.dead = true;
    c.peer = 0;
  }
}

// The peer's FIN arrives. Linux: net/ipv4/tcp_input.c tcp_fin, then
// tcp_data_queue's tcp_data_ready (SOCK_DONE wakes readers).
void PeerFin(World& world, SockId sid) {
  InetSock& s = Sock(world, sid);
  s.shutdown |= abi::kRcvShutdown;
  s.done = true;
  if (s.state == TcpState::kEstablished) {
    RULE("tcp.fin.close_wait");
    s.state = TcpState::kCloseWait;
  } else if (s.state == TcpState::kFinWait2) {
    RULE("tcp.fin.time_wait");
    // tcp_time_wait: the connection lives on in a timewait socket; this one
    // is done (tcp_done).
    TcpDone(world, sid);
    Sock(world, sid).done = true;
  }
  Wake(world, sid, 0);             // sk_state_change
  Wake(world, sid, kReadableKey);  // tcp_data_ready: SOCK_DONE
}

// Linux: net/ipv4/tcp.c tcp_close_state + tcp_send_fin, and what the FIN
// does on loopback: the peer takes it (tcp_fin) and acknowledges it, at
// once or after its delayed-ACK timer (the kernel SUT waits for that):
// FIN_WAIT1 -> FIN_WAIT2 with a state-change wakeup, LAST_ACK -> CLOSE.
void SendFin(World& world, SockId sid) {
  InetSock& s = Sock(world, sid);
  const SockId peer = s.peer;
  if (s.state == TcpState::kEstablished) {
    if (peer != 0)
      PeerFin(world, peer);
    Sock(world, sid).state = TcpState::kFinWait2;
  } else if (s.state == TcpState::kCloseWait) {
    if (peer != 0) {
      // The peer is in FIN_WAIT2 (or a timewait socket): it goes to
      // TIME_WAIT and acknowledges at once; we are done.
      PeerFin(world, peer);
    }
    TcpDone(world, sid);
  }
}

// The acknowledgement of our FIN in FIN_WAIT1, once settled: a state-change
// wakeup (net/ipv4/tcp_input.c tcp_rcv_state_process, "Wake up lingering
// close()"). The caller wakes; FIN_WAIT1 and FIN_WAIT2 poll alike.

// Linux: net/ipv4/tcp_input.c tcp_check_urg + tcp_urg for a segment whose
// last byte is urgent, arriving at `sid` with `unread` bytes already queued
// (the urgent pointer is `ptr` bytes past copied_seq).
void CheckUrg(World& world, SockId sid, uint64_t ptr) {
  InetSock& s = Sock(world, sid);
  // "Do not replay urg ptr."
  if (s.urg != 0 && ptr <= s.urg_offset) {
    return;
  }
  // An urgent byte already at the head of the stream is dropped from it
  // ("old urgent data is lost").
  if (s.urg != 0 && s.urg_offset == 0 && s.unread > 0) {
    RULE("tcp.urg.old_byte_lost");
    s.unread -= 1;
    ptr -= 1;
  }
  if (s.urg != 0)
    RULE("tcp.urg.moves_mark");
  RULE("tcp.urg.valid");
  s.urg = kUrgValid;  // the byte is in this segment: NOTYET, then VALID
  s.urg_offset = ptr;
  Wake(world, sid, kReadableKey);  // tcp_urg: sk_data_ready
}

// `len` bytes (urgent if `oob`) from `sid` reach its peer. Linux:
// net/ipv4/tcp_input.c tcp_rcv_established / tcp_rcv_state_process step 7
// (data after shutdown(SHUT_RD) in FIN_WAIT* resets), tcp_data_queue,
// tcp_data_ready (wakes only once sk_rcvlowat bytes are there).
void Deliver(World& world, SockId sid, uint32_t len, bool oob) {
  const SockId peer = Sock(world, sid).peer;
  if (peer == 0) {
    Reset(world, sid);  // nobody at the other end answers with an RST
    return;
  }
  // tcp_rcv_state_process: step 6 (tcp_urg) comes before step 7, which
  // resets a receiver shut for reading, so the urgent byte stays valid.
  if (oob)
    CheckUrg(world, peer, Sock(world, peer).unread + len - 1);
  InetSock& p = Sock(world, peer);
  if (p.state == TcpState::kFinWait2 && (p.shutdown & abi::kRcvShutdown) != 0) {
    RULE("tcp.deliver.after_shut_rd_resets");
    // tcp_reset on the receiver, and the RST back to us.
    p.peer = 0;
    Reset(world, peer);
    Sock(world, sid).peer = 0;
    Reset(world, sid);
    return;
  }
  InetSock& q = Sock(world, peer);
  q.unread += len;
  q.rx_segs += 1;
  q.rx_bytes += len;
  if (q.unread >= static_cast<uint64_t>(q.rcvlowat) || q.done) {
    RULE("tcp.deliver.data_ready");
    Wake(world, peer, kReadableKey);
  } else {
    RULE("tcp.deliver.below_rcvlowat");
  }
}

// Linux: net/ipv4/tcp.c tcp_sendmsg_locked (non-blocking, on a window and
// send buffer with room: the generators keep it so).
Outcome TcpSend(World& world, SockId sid, uint32_t len, uint32_t flags) {
  InetSock& s = Sock(world, sid);
  if (s.state != TcpState::kEstablished && s.state != TcpState::kCloseWait) {
    // sk_stream_wait_connect, then sk_stream_error.
    if (const int err = TakeError(s); err != 0) {
      RULE("tcp.send.unconnected.err");
      return Outcome::Error(err);
    }
    if (s.state != TcpState::kSynSent) {
      RULE("tcp.send.unconnected.epipe");
      return Outcome::Error(abi::kEpipe);
    }
    RULE("tcp.send.syn_sent.eagain");
    return Outcome::Error(abi::kEagain);
  }
  if (s.err != 0) {
    return Outcome::Error(TakeError(s));
  }
  if ((s.shutdown & abi::kSendShutdown) != 0) {
    RULE("tcp.send.epipe.shutdown");
    return Outcome::Error(abi::kEpipe);
  }
  if (len == 0) {
    RULE("tcp.send.zero");
    return Outcome::Value(0);
  }
  if ((flags & abi::kMsgOob) != 0)
    RULE("tcp.send.oob");
  Deliver(world, sid, len, (flags & abi::kMsgOob) != 0);
  return Outcome::Value(len);
}

// Linux: net/ipv4/tcp.c tcp_recv_urg.
Outcome TcpRecvUrg(InetSock& s, uint32_t len, uint32_t flags) {
  if (s.urg == 0 || s.urg == kUrgRead) {
    RULE("tcp.recv.oob.einval");
    return Outcome::Error(abi::kEinval);  // "Yes this is right !"
  }
  if (s.state == TcpState::kClose && !s.done) {
    RULE("tcp.recv.oob.enotconn");
    return Outcome::Error(abi::kEnotconn);
  }
  if ((flags & abi::kMsgPeek) == 0) {
    RULE("tcp.recv.oob.take");
    s.urg = kUrgRead;
  } else {
    RULE("tcp.recv.oob.peek");
  }
  return Outcome::Value(len > 0 ? 1 : 0);
}

// Linux: net/ipv4/tcp.c tcp_recvmsg_locked (non-blocking): reading stops at
// the urgent mark once something was read, and steps over the urgent byte
// at the head (SO_OOBINLINE off); urg_data clears once copied_seq passes it.
Outcome TcpRecv(World& world, SockId sid, uint32_t size, uint32_t flags) {
  InetSock& s = Sock(world, sid);
  if (s.state == TcpState::kListen) {
    RULE("tcp.recv.enotconn.listen");
    return Outcome::Error(abi::kEnotconn);
  }
  if ((flags & abi::kMsgOob) != 0)
    return TcpRecvUrg(s, size, flags);
  const bool peek = (flags & abi::kMsgPeek) != 0;
  uint64_t seq = 0;  // bytes past copied_seq (a local copy when peeking)
  uint64_t copied = 0;
  uint64_t len = size;
  bool urg = s.urg != 0;
  int err = 0;  // what an empty stream returns when nothing was copied
  do {
    if (urg && s.urg_offset == seq && copied > 0) {
      RULE("tcp.recv.stops_at_mark");
      break;
    }
    const uint64_t left = s.unread - seq;
    if (left == 0) {
      if (copied > 0)
        break;
      if (s.done) {
        RULE("tcp.recv.eof");
        break;
      }
      if ((err = TakeError(s)) != 0) {
        RULE("tcp.recv.err");
        break;
      }
      if ((s.shutdown & abi::kRcvShutdown) != 0) {
        RULE("tcp.recv.rcv_shutdown");
        break;
      }
      if (s.state == TcpState::kClose) {
        RULE("tcp.recv.enotconn.closed");
        err = abi::kEnotconn;
      } else {
        RULE("tcp.recv.eagain");
        err = abi::kEagain;
      }
      break;
    }
    uint64_t used = std::min(left, len);
    bool skipped_only = false;
    if (urg) {
      const uint64_t urg_off = s.urg_offset - seq;
      if (urg_off < used) {
        if (urg_off == 0) {
          RULE("tcp.recv.skips_urgent_byte");
          seq += 1;
          used -= 1;
          skipped_only = used == 0;
        } else {
          RULE("tcp.recv.short_before_mark");
          used = urg_off;
        }
      }
    }
    if (!skipped_only) {
      seq += used;
      copied += used;
      len -= used;
    }
    // copied_seq passed the urgent byte: urg_data clears (never when
    // peeking, which leaves copied_seq alone).
    if (urg && !peek && seq > s.urg_offset)
      urg = false;
  } while (len > 0);
  // copied_seq moves (and urg_data clears) even when nothing is returned:
  // stepping over the urgent byte alone reads nothing.
  if (peek)
    RULE("tcp.recv.peek");
  if (!peek) {
    s.unread -= seq;
    if (urg) {
      s.urg_offset -= seq;
    } else {
      s.urg = 0;
      s.urg_offset = 0;
    }
  }
  if (err != 0)
    return Outcome::Error(err);
  return Outcome::Value(static_cast<int64_t>(copied));
}

// The UDP socket that takes a datagram from `from` to `name`, if any:
// bound to the name's port, and not connected elsewhere. Linux:
// net/ipv4/udp.c __udp4_lib_lookup, compute_score.
SockId UdpReceiver(const World& world, SockId from, int32_t name) {
  if (world.inet_names.count({false, name}) == 0)
    return 0;  // port 0
  const int32_t from_name = world.inet_socks.at(from).name;
  for (const auto& [id, s] : world.inet_socks) {
    if (s.tcp || s.dead || s.name != name)
      continue;
    if (s.state == TcpState::kEstablished &&
        (from_name < 0 || s.dest_name != from_name)) {
      RULE("udp.lookup.connected_elsewhere");
      continue;
    }
    if (s.state == TcpState::kEstablished)
      RULE("udp.lookup.connected_to_sender");
    return id;
  }
  return 0;
}

// Linux: net/ipv4/af_inet.c inet_send_prepare (autobind), net/ipv4/udp.c
// udp_sendmsg, ip_append_data's sock_alloc_send_pskb (EPIPE after
// shutdown(SHUT_WR)), net/core/sock.c sock_wfree (the sender's write-space
// wakeup when loopback orphans the skb), __udp_enqueue_schedule_skb (the
// receiver's data-ready wakeup); a datagram nobody takes draws an ICMP
// port unreachable, which only a sender connected to that port sees.
Outcome UdpSend(World& world, SockId sid, uint32_t len, uint32_t flags,
                std::optional<int32_t> name) {
  InetSock& s = Sock(world, sid);
  if (!s.bound)
    RULE("udp.send.autobind");
  s.bound = true;
  if (len > 0xffff) {
    RULE("udp.send.emsgsize.len");
    return Outcome::Error(abi::kEmsgsize);
  }
  if ((flags & abi::kMsgOob) != 0) {
    RULE("udp.send.eopnotsupp.oob");
    return Outcome::Error(abi::kEopnotsupp);
  }
  int32_t dest = -1;
  if (name) {
    if (*name < 0 || world.inet_names.count({false, *name}) == 0) {  // port 0
      RULE("udp.sendto.einval.port0");
      return Outcome::Error(abi::kEinval);
    }
    dest = *name;
  } else {
    if (s.state != TcpState::kEstablished) {
      RULE("udp.send.edestaddrreq");
      return Outcome::Error(abi::kEdestaddrreq);
    }
    dest = s.dest_name;  // (port 0 if never bound: nobody takes it)
  }
  if (len > 0xffff - 20 - 8) {
    RULE("udp.send.emsgsize.ip");
    return Outcome::Error(abi::kEmsgsize);  // ip_append_data
  }
  // sock_alloc_send_pskb: the pending error, then SEND_SHUTDOWN.
  if (const int err = TakeError(Sock(world, sid)); err != 0) {
    RULE("udp.send.err");
    return Outcome::Error(err);
  }
  if ((Sock(world, sid).shutdown & abi::kSendShutdown) != 0) {
    RULE("udp.send.epipe.shutdown");
    return Outcome::Error(abi::kEpipe);
  }
  RULE("udp.send.write_space");
  Wake(world, sid, kWritableKey);
  const SockId to = UdpReceiver(world, sid, dest);
  if (to == 0) {
    InetSock& me = Sock(world, sid);
    if (me.state == TcpState::kEstablished && me.dest_name == dest) {
      RULE("udp.send.icmp_econnrefused");
      me.err = abi::kEconnrefused;  // __udp4_lib_err
      Wake(world, sid, abi::kEpollErr);
    } else {
      RULE("udp.send.dropped");
    }
    return Outcome::Value(len);
  }
  RULE("udp.send.delivered");
  InetSock& r = Sock(world, to);
  r.datagrams.push_back(len);
  r.rx_segs += 1;
  r.rx_bytes += len;
  Wake(world, to, kReadableKey);
  return Outcome::Value(len);
}

// Linux: net/ipv4/udp.c udp_recvmsg, __skb_recv_udp: the pending error
// first, then the queue.
Outcome UdpRecv(World& world, SockId sid, uint32_t len, uint32_t flags) {
  InetSock& s = Sock(world, sid);
  if (const int err = TakeError(s); err != 0) {
    RULE("udp.recv.err");
    return Outcome::Error(err);
  }
  if (s.datagrams.empty()) {
    RULE("udp.recv.eagain");
    return Outcome::Error(abi::kEagain);
  }
  const uint32_t size = s.datagrams.front();
  if ((flags & abi::kMsgPeek) == 0) {
    s.datagrams.pop_front();
  } else {
    RULE("udp.recv.peek");
  }
  if (len < size) {
    if ((flags & abi::kMsgTrunc) != 0) {
      RULE("udp.recv.trunc_full_length");
    } else {
      RULE("udp.recv.truncated");
    }
  }
  if ((flags & abi::kMsgTrunc) != 0)
    return Outcome::Value(size);
  return Outcome::Value(std::min(size, len));
}

// The TCP handshake of a connect() to `name` on loopback, settled. Linux:
// net/ipv4/tcp_ipv4.c tcp_v4_connect, tcp_v4_rcv; tcp_input.c
// tcp_conn_request (a full accept queue drops the SYN),
// tcp_rcv_synsent_state_process + tcp_finish_connect (a state-change wakeup
// of the client), tcp_check_req + inet_csk_complete_hashdance (the child on
// the accept queue, then the listener's data-ready wakeup); a port without
// a listener answers with an RST.
void Handshake(World& world, SockId sid, int32_t name) {
  SockId listener = 0;
  for (const auto& [id, s] : world.inet_socks) {
    if (s.tcp && !s.dead && s.name == name && s.state == TcpState::kListen)
      listener = id;
  }
  if (listener == 0) {
    RULE("tcp.connect.refused_rst");
    Reset(world, sid);
    return;
  }
  InetSock& l = Sock(world, listener);
  // sk_acceptq_is_full: more than the backlog already queued.
  if (l.accept_queue.size() > static_cast<size_t>(l.max_ack_backlog)) {
    RULE("tcp.connect.syn_dropped.accept_queue_full");
    return;  // the SYN is dropped; the client stays in SYN_SENT
  }
  RULE("tcp.connect.established");
  const SockId child = world.next_id++;
  InetSock c = l;  // sk_clone_lock copies the listener's settings
  c.listened = false;
  c.connected = true;
  c.state = TcpState::kEstablished;
  c.ss = SocketState::kUnconnected;
  c.err = 0;  // (sk_shutdown is copied from the listener)
  c.done = false;
  c.peer = sid;
  c.unread = 0;
  c.urg = 0;
  c.urg_offset = 0;
  c.accept_queue.clear();
  c.datagrams.clear();
  c.rx_segs = 0;
  c.rx_bytes = 0;
  c.file = 0;
  world.inet_socks[child] = c;
  InetSock& me = Sock(world, sid);
  me.state = TcpState::kEstablished;
  me.peer = child;
  Wake(world, sid, 0);  // tcp_finish_connect: sk_state_change
  Sock(world, listener).accept_queue.push_back(child);
  Wake(world, listener, kReadableKey);
  // tcp_rcv_state_process (SYN_RECV -> ESTABLISHED): a child that inherited
  // SEND_SHUTDOWN from its listener sends its FIN at once.
  if ((Sock(world, child).shutdown & abi::kSendShutdown) != 0) {
    RULE("tcp.connect.child_inherits_send_shutdown");
    SendFin(world, child);
  }
}

FileId NewInetFile(World& world, SockId sid, uint32_t flags) {
  const FileId f = NewFile(world, File{.kind = FileKind::kInetSocket,
                                       .flags = flags & abi::kSockNonblock,
                                       .sock = sid});
  Sock(world, sid).file = f;
  return f;
}

}  // namespace

Outcome InetSocketCreate(World& world, uint32_t type_and_flags) {
  const uint32_t flags = type_and_flags & ~abi::kSockTypeMask;
  if ((flags & ~(abi::kSockCloexec | abi::kSockNonblock)) != 0) {
    RULE("inet.socket.einval.flags");
    return Outcome::Error(abi::kEinval);
  }
  const uint32_t type = type_and_flags & abi::kSockTypeMask;
  if (type >= 11) {  // SOCK_MAX
    RULE("inet.socket.einval.type_max");
    return Outcome::Error(abi::kEinval);
  }
  if (type != abi::kSockStream && type != abi::kSockDgram) {
    RULE("inet.socket.esocktnosupport");
    return Outcome::Error(abi::kEsocktnosupport);
  }
  if (!HasFreeFds(world, 1))
    return Outcome::Error(abi::kEmfile);
  const SocketCalibration& cal = world.profile.sockets;
  const bool tcp = type == abi::kSockStream;
  const SockId sid = world.next_id++;
  world.inet_socks[sid] =
      InetSock{.tcp = tcp,
               .sndbuf = tcp ? cal.tcp_wmem_default : cal.wmem_default,
               .rcvbuf = tcp ? cal.tcp_rmem_default : cal.rmem_default};
  return Outcome::Value(InstallLowestFd(world, NewInetFile(world, sid, flags)));
}

// Linux: net/ipv4/af_inet.c inet_bind, __inet_bind (AF_UNSPEC is taken as
// INADDR_ANY; a socket already bound or not CLOSE is EINVAL), then
// get_port's conflict check (EADDRINUSE).
Outcome InetBind(World& world, FileId file, int32_t name) {
  const SockId sid = world.files.at(file).sock;
  InetSock& s = Sock(world, sid);
  if (s.state != TcpState::kClose || s.bound) {
    RULE("inet.bind.einval.bound");
    return Outcome::Error(abi::kEinval);
  }
  if (name < 0) {
    RULE("inet.bind.unspec_any");
    s.bound = true;  // 0.0.0.0, port 0 (never generated)
    return Outcome::Value(0);
  }
  for (const auto& [id, o] : world.inet_socks) {
    if (o.tcp == s.tcp && o.name == name) {
      RULE("inet.bind.eaddrinuse");
      return Outcome::Error(abi::kEaddrinuse);
    }
  }
  if (world.inet_names.count({!s.tcp, name}) != 0)
    RULE("inet.bind.name_per_protocol");
  s.name = name;
  s.bound = true;
  world.inet_names[{s.tcp, name}] = sid;
  return Outcome::Value(0);
}

// Linux: net/socket.c __sys_listen (somaxconn clamp), net/ipv4/af_inet.c
// inet_listen, inet_csk_listen_start (autobind). UDP: sock_no_listen.
Outcome InetListen(World& world, FileId file, int32_t backlog) {
  const SockId sid = world.files.at(file).sock;
  InetSock& s = Sock(world, sid);
  const auto somaxconn = static_cast<uint32_t>(world.profile.sockets.somaxconn);
  if (static_cast<uint32_t>(backlog) > somaxconn) {
    RULE("listen.backlog_clamped");
    backlog = static_cast<int32_t>(somaxconn);
  }
  if (!s.tcp) {
    RULE("udp.listen.eopnotsupp");
    return Outcome::Error(abi::kEopnotsupp);
  }
  if (s.ss != SocketState::kUnconnected) {
    RULE("tcp.listen.einval.socket_state");
    return Outcome::Error(abi::kEinval);
  }
  // A socket that ever sent a SYN cannot listen: inet_csk_listen_start fails
  // (measured on 6.18: EINVAL after a refused, reset or disconnected
  // connection, even once bound anew), and leaves the socket holding a port
  // (a later bind() is EINVAL).
  if (s.connected && (s.state == TcpState::kClose)) {
    if (world.profile.tcp_listen_refuses_syn_sent) {
      RULE("tcp.listen.einval.connected_before");
      s.bound = true;
      return Outcome::Error(abi::kEinval);
    }
    RULE("tcp.listen.after_connect");
  }
  if (s.state != TcpState::kClose && s.state != TcpState::kListen) {
    return Outcome::Error(abi::kEinval);
  }
  if (s.state == TcpState::kListen) {
    RULE("tcp.listen.again");
  } else if (!s.bound) {
    RULE("tcp.listen.autobind");
  }
  s.max_ack_backlog = backlog;
  s.state = TcpState::kListen;
  s.bound = true;
  s.listened = true;
  return Outcome::Value(0);
}

// Linux: net/ipv4/af_inet.c __inet_stream_connect (non-blocking; AF_UNSPEC
// disconnects), inet_dgram_connect + ip4_datagram_connect / udp_disconnect.
Outcome InetConnect(World& world, FileId file, int32_t name) {
  const SockId sid = world.files.at(file).sock;
  InetSock& s = Sock(world, sid);
  if (!s.tcp) {
    if (name < 0) {
      RULE("udp.connect.unspec_disconnects");
      // udp_disconnect: CLOSE, and the port (bound with port 0) goes back.
      s.state = TcpState::kClose;
      s.dest_name = -1;
      s.name = -1;
      s.bound = false;
      return Outcome::Value(0);
    }
    RULE("udp.connect.ok");
    s.bound = true;  // inet_autobind
    s.state = TcpState::kEstablished;
    s.dest_name = name;
    return Outcome::Value(0);
  }
  if (name < 0) {
    RULE("tcp.connect.unspec_disconnects");
    TcpDisconnect(world, sid);
    Sock(world, sid).ss = SocketState::kUnconnected;
    return Outcome::Value(0);
  }
  switch (s.ss) {
  case SocketState::kConnected:
    RULE("tcp.connect.eisconn.connected");
    return Outcome::Error(abi::kEisconn);
  case SocketState::kConnecting:
    if (s.state == TcpState::kSynSent) {
      RULE("tcp.connect.ealready");
      return Outcome::Error(abi::kEalready);
    }
    if (s.state == TcpState::kClose) {
      // sock_error: the connection was refused or reset.
      int err = TakeError(s);
      if (err == 0) {
        RULE("tcp.connect.econnaborted");
        err = abi::kEconnaborted;
      } else {
        RULE("tcp.connect.reports_error");
      }
      s.ss = SocketState::kUnconnected;
      TcpDisconnect(world, sid);
      return Outcome::Error(err);
    }
    RULE("tcp.connect.completes");
    s.ss = SocketState::kConnected;
    return Outcome::Value(0);
  case SocketState::kDisconnecting:
    RULE("tcp.connect.einval.disconnecting");
    return Outcome::Error(abi::kEinval);
  case SocketState::kUnconnected:
    break;
  }
  if (s.state != TcpState::kClose) {
    RULE("tcp.connect.eisconn.state");
    return Outcome::Error(abi::kEisconn);
  }
  // A former listener cannot connect (measured on 6.18: EINVAL after a
  // listen() undone by shutdown(SHUT_RD) or an AF_UNSPEC connect), and the
  // failed attempt gives back a port bound since (bind works again).
  if (s.listened) {
    if (world.profile.tcp_connect_refuses_former_listener) {
      RULE("tcp.connect.einval.former_listener");
      s.name = -1;
      s.bound = false;
      return Outcome::Error(abi::kEinval);
    }
    RULE("tcp.connect.after_listen");
  }
  s.bound = true;  // inet_hash_connect
  s.connected = true;
  // tcp_connect_init: a new connection starts without the error an old one
  // left (an AF_UNSPEC disconnect's ECONNRESET) and without SOCK_DONE.
  s.err = 0;
  s.done = false;
  s.state = TcpState::kSynSent;
  s.ss = SocketState::kConnecting;
  Handshake(world, sid, name);
  RULE("tcp.connect.einprogress");
  return Outcome::Error(abi::kEinprogress);
}

// Called by the shared accept4 checks with a validated socket file.
// Linux: net/ipv4/af_inet.c inet_accept, inet_connection_sock.c
// inet_csk_accept. UDP: sock_no_accept.
Outcome InetAccept(World& world, FileId file, uint32_t flags) {
  const SockId sid = world.files.at(file).sock;
  InetSock& l = Sock(world, sid);
  if (!l.tcp) {
    RULE("udp.accept.eopnotsupp");
    return Outcome::Error(abi::kEopnotsupp);
  }
  if (l.state != TcpState::kListen) {
    RULE("tcp.accept.einval");
    return Outcome::Error(abi::kEinval);
  }
  if (l.accept_queue.empty()) {
    RULE("tcp.accept.eagain");
    return Outcome::Error(abi::kEagain);
  }
  RULE("tcp.accept.ok");
  const SockId child = l.accept_queue.front();
  l.accept_queue.pop_front();
  Sock(world, child).ss = SocketState::kConnected;
  return Outcome::Value(
      InstallLowestFd(world, NewInetFile(world, child, flags)));
}

Outcome InetSend(World& world, FileId file, uint32_t len, uint32_t flags,
                 std::optional<int32_t> name) {
  const SockId sid = world.files.at(file).sock;
  if (!Sock(world, sid).tcp)
    return UdpSend(world, sid, len, flags, name);  // EPIPE without SIGPIPE
  Outcome out = TcpSend(world, sid, len, flags);
  // sk_stream_error: every EPIPE of a TCP send (the pending error included)
  // raises SIGPIPE unless MSG_NOSIGNAL.
  if (out.Errno() == abi::kEpipe && (flags & abi::kMsgNosignal) == 0) {
    RULE("signal.sigpipe.tcp");
    SendSignal(world, kSigPipe);
  }
  return out;
}

Outcome InetRecv(World& world, FileId file, uint32_t len, uint32_t flags) {
  const SockId sid = world.files.at(file).sock;
  return Sock(world, sid).tcp ? TcpRecv(world, sid, len, flags)
                              : UdpRecv(world, sid, len, flags);
}

// Linux: net/ipv4/af_inet.c inet_shutdown, net/ipv4/tcp.c tcp_shutdown.
Outcome InetShutdown(World& world, FileId file, int32_t how) {
  if (how < abi::kShutRd || how > abi::kShutRdwr) {
    RULE("inet.shutdown.einval.how");
    return Outcome::Error(abi::kEinval);
  }
  const auto mode = static_cast<uint8_t>(how + 1);
  const SockId sid = world.files.at(file).sock;
  InetSock& s = Sock(world, sid);
  if (s.ss == SocketState::kConnecting) {
    if (s.state == TcpState::kSynSent || s.state == TcpState::kClose) {
      RULE("tcp.shutdown.connecting_disconnects");
      s.ss = SocketState::kDisconnecting;
    } else {
      RULE("tcp.shutdown.connecting_connected");
      s.ss = SocketState::kConnected;
    }
  }
  int err = 0;
  bool fin_wait = false;
  switch (s.state) {
  case TcpState::kClose:
    RULE("inet.shutdown.enotconn");
    err = abi::kEnotconn;
    s.shutdown |= mode;
    break;
  case TcpState::kListen:
    if ((mode & abi::kRcvShutdown) == 0) {
      RULE("tcp.shutdown.listener_wr_noop");
      break;
    }
    RULE("tcp.shutdown.listener_rd_stops");
    TcpDisconnect(world, sid);
    Sock(world, sid).ss = SocketState::kUnconnected;
    break;
  case TcpState::kSynSent:
    RULE("tcp.shutdown.syn_sent_disconnects");
    TcpDisconnect(world, sid);
    Sock(world, sid).ss = SocketState::kUnconnected;
    break;
  default:
    s.shutdown |= mode;
    if (!s.tcp)
      RULE("udp.shutdown.connected");
    if (s.tcp && (mode & abi::kSendShutdown) != 0 &&
        (s.state == TcpState::kEstablished ||
         s.state == TcpState::kCloseWait)) {
      fin_wait = s.state == TcpState::kEstablished;
      if (fin_wait) {
        RULE("tcp.shutdown.fin_wait");
      } else {
        RULE("tcp.shutdown.last_ack");
      }
      SendFin(world, sid);
    } else if (s.tcp) {
      RULE("tcp.shutdown.no_fin");
    }
    break;
  }
  Wake(world, sid, 0);  // sk_state_change
  if (fin_wait)
    Wake(world, sid, 0);  // our FIN acknowledged: FIN_WAIT1 -> FIN_WAIT2
  return err != 0 ? Outcome::Error(err) : Outcome::Value(0);
}

// Linux: net/core/sock.c sk_setsockopt; TCP's SO_RCVLOWAT goes through
// net/ipv4/tcp.c tcp_set_rcvlowat (capped, and an immediate data-ready
// wakeup if enough is queued).
Outcome InetSetSockOpt(World& world, FileId file, int32_t name, int32_t value) {
  const SockId sid = world.files.at(file).sock;
  InetSock& s = Sock(world, sid);
  const SocketCalibration& cal = world.profile.sockets;
  switch (name) {
  case abi::kSoSndbuf: {
    s.sndbuf = SetBufSize(value, cal.wmem_max, cal.min_sndbuf);
    if (!s.tcp) {
      RULE("udp.setsockopt.sndbuf_write_space");
      Wake(world, sid, kWritableKey);  // sock_def_write_space: writable
    }
    return Outcome::Value(0);
  }
  case abi::kSoRcvbuf: {
    s.rcvbuf = SetBufSize(value, cal.rmem_max, cal.min_rcvbuf);
    return Outcome::Value(0);
  }
  case abi::kSoRcvlowat: {
    if (!s.tcp) {
      s.rcvlowat = SetRcvlowat(value);
      return Outcome::Value(0);
    }
    // tcp_set_rcvlowat: capped at tcp_rmem[2] / 2.
    if (value < 0)
      RULE("sockopt.set.rcvlowat.negative_is_max");
    int32_t v = value < 0 ? INT_MAX : value;
    if (v > cal.tcp_rmem_max >> 1)
      RULE("tcp.setsockopt.rcvlowat.capped");
    v = std::min(v, cal.tcp_rmem_max >> 1);
    if (v == 0)
      RULE("sockopt.set.rcvlowat.zero_is_one");
    s.rcvlowat = v == 0 ? 1 : v;
    // tcp_data_ready
    if ((s.unread > 0 && s.unread >= static_cast<uint64_t>(s.rcvlowat)) ||
        s.done) {
      RULE("tcp.setsockopt.rcvlowat.data_ready");
      Wake(world, sid, kReadableKey);
    }
    return Outcome::Value(0);
  }
  case abi::kSoLinger:
    RULE("sockopt.set.linger");
    s.linger = true;
    s.linger_time = value;
    return Outcome::Value(0);
  default:
    RULE("sockopt.set.enoprotoopt");
    return Outcome::Error(abi::kEnoprotoopt);
  }
}

Outcome InetGetSockOpt(World& world, FileId file, int32_t name) {
  InetSock& s = Sock(world, world.files.at(file).sock);
  int64_t v = 0;
  switch (name) {
  case abi::kSoError:
    v = TakeError(s);
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
    v = s.linger ? 1 : 0;
    break;
  default:
    RULE("sockopt.get.enoprotoopt");
    return Outcome::Error(abi::kEnoprotoopt);
  }
  Outcome out = Outcome::Value(0);
  out.value = static_cast<uint64_t>(v);
  return out;
}

// Linux: net/ipv4/tcp.c tcp_poll (inet_csk_listen_poll for a listener),
// net/ipv4/udp.c udp_poll over net/core/datagram.c datagram_poll.
uint32_t InetPoll(World& world, FileId file) {
  const InetSock& s = Sock(world, world.files.at(file).sock);
  uint32_t mask = 0;
  if (!s.tcp) {
    if (s.err != 0) {
      RULE("udp.poll.err");
      mask |= abi::kEpollErr;
    }
    if ((s.shutdown & abi::kRcvShutdown) != 0) {
      RULE("udp.poll.rdhup");
      mask |= abi::kEpollRdHup | abi::kEpollIn | abi::kEpollRdNorm;
    }
    if (s.shutdown == abi::kShutdownMask) {
      RULE("udp.poll.hup");
      mask |= abi::kEpollHup;
    }
    if (!s.datagrams.empty()) {
      RULE("udp.poll.in.queue");
      mask |= abi::kEpollIn | abi::kEpollRdNorm;
    }
    RULE("udp.poll.out");
    return mask | kWritableKey;  // sock_writeable: loopback frees at once
  }
  if (s.state == TcpState::kListen) {
    if (s.accept_queue.empty())
      return 0;
    RULE("tcp.poll.listener.in");
    return abi::kEpollIn | abi::kEpollRdNorm;
  }
  if (s.shutdown == abi::kShutdownMask) {
    RULE("tcp.poll.hup.shutdown");
    mask |= abi::kEpollHup;
  } else if (s.state == TcpState::kClose) {
    RULE("tcp.poll.hup.close");
    mask |= abi::kEpollHup;
  }
  if ((s.shutdown & abi::kRcvShutdown) != 0) {
    RULE("tcp.poll.rdhup");
    mask |= abi::kEpollIn | abi::kEpollRdNorm | abi::kEpollRdHup;
  }
  if (s.state == TcpState::kSynSent) {
    RULE("tcp.poll.syn_sent");
  } else {
    uint64_t target = static_cast<uint64_t>(s.rcvlowat);
    if (s.urg != 0 && s.urg_offset == 0)
      ++target;
    if (s.unread > 0 && s.unread >= target) {
      RULE("tcp.poll.in.rcvlowat");
      mask |= abi::kEpollIn | abi::kEpollRdNorm;
    } else if (s.unread > 0) {
      if (s.unread >= static_cast<uint64_t>(s.rcvlowat)) {
        RULE("tcp.poll.in.urgent_byte_not_counted");
      } else {
        RULE("tcp.poll.in.below_rcvlowat");
      }
    }
    RULE("tcp.poll.out");
    mask |= abi::kEpollOut | abi::kEpollWrNorm;  // room: never full here
    if (s.urg == kUrgValid) {
      RULE("tcp.poll.pri.urgent");
      mask |= abi::kEpollPri;
    }
  }
  if (s.err != 0) {
    RULE("tcp.poll.err");
    mask |= abi::kEpollErr;
  }
  return mask;
}

// Linux: net/ipv4/tcp.c __tcp_close (unread data or a zero linger reset the
// connection, else a FIN; a listener resets what it has not accepted),
// net/ipv4/udp.c udp_lib_close. Called after the file's epoll items are gone.
void InetRelease(World& world, FileId file) {
  const SockId sid = world.files.at(file).sock;
  InetSock& s = Sock(world, sid);
  s.file = 0;  // sock_orphan
  s.dead = true;
  if (!s.tcp) {
    RULE("udp.close");
    s.name = -1;
    s.bound = false;
    s.datagrams.clear();
    return;
  }
  s.shutdown = abi::kShutdownMask;
  if (s.state == TcpState::kListen) {
    RULE("tcp.close.listener");
    SetClose(s);
    ListenStop(world, sid);
    return;
  }
  const bool unread = s.unread > 0;
  s.unread = 0;
  s.urg = 0;
  if (s.state == TcpState::kClose) {
    RULE("tcp.close.closed");
    return;
  }
  if (unread) {
    RULE("tcp.close.rst.unread");
    SetClose(s);
    ResetPeer(world, sid);
  } else if (s.linger && s.linger_time == 0) {
    RULE("tcp.close.rst.linger_zero");
    TcpDisconnect(world, sid);
    SetClose(Sock(world, sid));
  } else if (s.state == TcpState::kSynSent) {
    RULE("tcp.close.syn_sent");
    SetClose(s);
  } else {
    RULE("tcp.close.fin");
    SendFin(world, sid);
  }
}

}  // namespace epollcheck::internal
