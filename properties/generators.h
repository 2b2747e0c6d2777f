// File: properties/generators.h
// RapidCheck generators of operations, drawn from the model state so that
// most operations hit live objects (an open pipe end, an epoll fd) while a
// steady fraction use closed numbers, -1, wrong file kinds and invalid
// arguments. Swarm testing: each sequence first draws weights over op kinds
// (some kinds switched off) and all its ops are drawn with those weights.
//
//   const Swarm swarm = *GenSwarm();
//   Op op = *GenOp(world, swarm);        // e.g. write(fd=1, count=4097)
#pragma once

#include <array>
#include <rapidcheck.h>

#include "model/ops.h"
#include "model/world.h"

namespace epollcheck {

// Number of alternatives of Op.
inline constexpr size_t kOpKinds = std::variant_size_v<Op>;

// Per-sequence weights over op kinds, indexed like Op's alternatives.
// The Family bits whose operations a sequence may use (kFamilyCore always).
using Families = uint32_t;

// A structure a sequence builds on purpose (properties/focus.h).
enum class Focus : uint8_t {
  kNone,
  kNesting,     // epoll chains, loops, path multiplicity
  kWaits,       // many items on one file, maxevents, ET/ONESHOT/LT
  kBuffers,     // full pipes, packet mode, F_SETPIPE_SZ, eventfd limits
  kUnixStream,  // stream connections, listeners, MSG_OOB, send buffers
  kUnixDgram,   // datagram peers, full queues, the peer_wait relay
  kTcp,         // the TCP life cycle on loopback
  kUdp,         // UDP on loopback
  kFifoTimer,   // FIFO opens and closes, timerfds armed, re-armed, read
  kSignals,     // signalfds watched, signals raised, SIGPIPE from EPIPE
  kChildren,    // children holding the last references, exits, reaps
};
inline constexpr int kFocusKinds = 11;

struct Swarm {
  std::array<int, kOpKinds> weights{};
  Families families = kAllFamilies;  // also gates argument-level families
  Focus focus = Focus::kNone;
  uint32_t recipe = 0;  // the focus's shape parameters (random bits)
};

// Limits that keep every generated operation fast and non-blocking.
inline constexpr size_t kMaxOpenFds = 48;  // no allocation beyond this
// Children forked and not yet reaped, at most (each is a real process).
inline constexpr size_t kMaxChildren = 3;
inline constexpr int32_t kMaxDup2Target = 64;
inline constexpr uint32_t kMaxGeneratedIo = (1u << 20) + 3 * 4096;
// Socket sends stay inside the calibrated datagram truesize table.
inline constexpr uint32_t kMaxSocketIo = 70000;
// AF_INET limits (Admissible): TCP sends that arrive stay at most
// kMaxTcpSend bytes, with at most kMaxTcpUnread bytes unread at the receiver
// and kMaxTcpSegs segments over a connection's life (far from the ~64 KiB
// loopback window, the receive buffer and the rcv_mss clause of
// tcp_epollin_ready); UDP datagrams that arrive stay at most kMaxUdpSend
// bytes, with at most kMaxUdpQueued datagrams of kMaxUdpQueuedBytes in all
// queued (far from the 212992-byte receive buffer).
inline constexpr uint32_t kMaxTcpSend = 4096;
inline constexpr uint64_t kMaxTcpUnread = 8192;
inline constexpr uint32_t kMaxTcpSegs = 64;
inline constexpr uint32_t kMaxUdpSend = 8192;
inline constexpr size_t kMaxUdpQueued = 32;
inline constexpr uint64_t kMaxUdpQueuedBytes = 32768;

// Weights over the op kinds of `families` (other kinds get weight 0).
rc::Gen<Swarm> GenSwarm(Families families = kAllFamilies);
// The next operation in `world`. The generator reads `world` when it runs,
// so run it while `world` lives (rc::state::gen::commands and `*` run it at
// once); what it yields holds values only, so it shrinks after `world` is
// gone. It weighs the kinds on offer from the state and builds the
// generator of the kind it draws (and the focus's moves) only; the kind
// drawn does not shrink, the operands do.
rc::Gen<Op> GenOp(const World& world, const Swarm& swarm);

// True if `op` may run in a generated sequence in this state: it cannot
// block, stays inside the bounds above, and never names a watch-queue pipe.
// Re-checked before each op, because shrinking changes the state an op sees.
bool Admissible(const World& world, const Op& op);

}  // namespace epollcheck
