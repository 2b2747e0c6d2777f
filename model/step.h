// File: model/step.h
// The model's step function: apply one operation to a World and return the
// Outcome Linux gives for it. Pure: no I/O, no clock, no randomness.
//
//   World w;
//   Step(w, Op{Pipe2{.flags = abi::kONonblock}});          // -> 0 fds=[0,1]
//   Step(w, Op{EpollCreate1{}});                           // -> 2
//   Step(w, Op{EpollCtl{2, abi::kEpollCtlAdd, 0, abi::kEpollIn, 7}});  // -> 0
//   Step(w, Op{Write{.fd = 1, .count = 1}});               // -> 1
//   Step(w, Op{EpollWait{.epfd = 2, .maxevents = 8}});     // -> 1 [{IN, 0x7}]
#pragma once

#include <vector>

#include "model/ops.h"
#include "model/outcome.h"
#include "model/world.h"

namespace epollcheck {

// Applies `op` to `world` and returns what the kernel returns for it.
Outcome Step(World& world, const Op& op);

// Which item produced one returned event, and its stored mask at delivery
// (before a ONESHOT disarm). For model laws; the kernel does not expose it.
struct Delivery {
  ItemKey key;
  uint32_t stored_events = 0;
};

// epoll_wait on the model, also reporting which items were delivered.
Outcome EpollWaitTraced(World& world, const EpollWait& op,
                        std::vector<Delivery>& trace);

// Convenience for callers holding a const World: steps a copy.
struct Transition {
  World next;
  Outcome outcome;
};
Transition StepCopy(const World& world, const Op& op);

}  // namespace epollcheck
