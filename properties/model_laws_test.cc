// Model laws: claims about epoll that hold whatever the kernel, checked on the
// model alone over generated sequences (no SUT). At every successful
// epoll_wait:
//  * the count is at most maxevents;
//  * every reported bit is in the item's stored mask;
//  * no (file, fd) appears twice in one result;
//  * if the result was not cut by maxevents, an immediate second wait returns
//    no edge-triggered or one-shot item (nothing new happened), and
//  * if moreover every item of the instance is level-triggered, the second
//    wait returns exactly the same list.

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <set>

#include "model/abi.h"
#include "model/step.h"
#include "properties/sequence.h"

namespace epollcheck {
namespace {

bool AllLevelTriggered(const World& w, int32_t epfd) {
  const File* f = w.FileAt(epfd);
  for (const auto& [key, item] : f->epoll->items) {
    if ((item.events & (abi::kEpollEt | abi::kEpollOneShot)) != 0)
      return false;
  }
  return true;
}

void CheckWaitLaws(World& world, const EpollWait& op) {
  std::vector<Delivery> first_trace;
  const bool all_lt =
      world.IsEpollFd(op.epfd) && AllLevelTriggered(world, op.epfd);
  const Outcome first = EpollWaitTraced(world, op, first_trace);
  if (first.IsError())
    return;
  RC_ASSERT(first.ret <= op.maxevents);
  RC_ASSERT(first.events.size() == first_trace.size());
  std::set<ItemKey> seen;
  for (size_t i = 0; i < first.events.size(); ++i) {
    RC_ASSERT((first.events[i].events & ~first_trace[i].stored_events) == 0u);
    RC_ASSERT(seen.insert(first_trace[i].key).second);
  }
  // Only a wait that took every queued item tells what stays queued (a
  // full array, or a copy-out that faulted, leaves items behind).
  if (first.ret >= op.maxevents ||
      first.ret >= BufWritable(op.buf, static_cast<uint32_t>(op.maxevents)))
    return;
  World again = world;
  std::vector<Delivery> second_trace;
  const Outcome second = EpollWaitTraced(again, op, second_trace);
  for (const Delivery& d : second_trace) {
    RC_ASSERT((d.stored_events & (abi::kEpollEt | abi::kEpollOneShot)) == 0u);
  }
  if (all_lt)
    RC_ASSERT(second == first);
}

RC_GTEST_PROP(ModelLaws, WaitResultsObeyTheLaws, ()) {
  const Swarm swarm = *GenSwarm();
  World initial;
  const auto commands = *rc::state::gen::commands(
      initial, [swarm](const World& w) { return GenCommand(w, swarm); });
  World world = initial;
  for (const auto& command : commands) {
    const Op& op = dynamic_cast<const OpCommand&>(*command).op;
    RC_PRE(Admissible(world, op));
    if (const auto* wait = std::get_if<EpollWait>(&op)) {
      CheckWaitLaws(world, *wait);  // steps `world` through the first wait
    } else {
      (void)Step(world, op);
    }
  }
}

// The step function is a function: the same state and op give the same
// outcome and the same next state.
RC_GTEST_PROP(ModelLaws, StepIsDeterministic, ()) {
  const Swarm swarm = *GenSwarm();
  World initial;
  const auto commands = *rc::state::gen::commands(
      initial, [swarm](const World& w) { return GenCommand(w, swarm); });
  World a = initial;
  World b = initial;
  for (const auto& command : commands) {
    const Op& op = dynamic_cast<const OpCommand&>(*command).op;
    RC_ASSERT(Step(a, op) == Step(b, op));
    RC_ASSERT(a == b);
  }
}

}  // namespace
}  // namespace epollcheck
