// File: properties/focus.h
// Structure-aware generation. A sequence may have a focus (Swarm::focus,
// drawn with the swarm): a kind of structure it builds on purpose, steering
// about half of its operations to the next step towards it, the other half
// staying random. From the model state each focus proposes a few concrete
// next operations with weights: deep and wide epoll nesting up to and past
// the loop, depth and path limits; many items on one file and maxevents
// boundaries; full and nearly full pipes and near-limit eventfd counters;
// AF_UNIX stream connections with out-of-band bytes, listeners and small
// send buffers; datagram queues filled to max_dgram_qlen with the peer_wait
// relay; the TCP and UDP life cycles. The rules a default `check` budget
// would otherwise rarely or never hit (model/rule_table.h) are what these
// aim at. Swarm::recipe varies the target shape (how deep, how many items
// per link...).
//
//   for (const FocusMove& m : FocusMoves(world, swarm)) ...  // e.g. {8,
//   dup(3)}
#pragma once

#include <cstdint>
#include <vector>

#include "model/ops.h"
#include "model/world.h"
#include "properties/generators.h"

namespace epollcheck {

struct FocusMove {
  uint32_t weight = 0;
  Op op;
};

// The next operations the swarm's focus suggests in `world` (none for
// Focus::kNone, or when nothing fits), each allowed by swarm.families.
std::vector<FocusMove> FocusMoves(const World& world, const Swarm& swarm);

// The families a focus needs (one of them switched on is enough to draw it).
Families FocusFamilies(Focus focus);

}  // namespace epollcheck
