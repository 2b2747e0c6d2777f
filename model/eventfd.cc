// eventfd: a 64-bit counter behind one wait queue.
// Linux: fs/eventfd.c (do_eventfd, eventfd_write, eventfd_read, eventfd_poll).
// Only non-blocking behaviour is modelled: an operation that would sleep
// returns EAGAIN.

#include "model/abi.h"
#include "model/check.h"
#include "model/internal/kernel.h"
#include "model/rules.h"

namespace epollcheck::internal {
namespace {

constexpr uint64_t kUllongMax = ~uint64_t{0};

EventfdCtx& CtxOf(World& world, FileId file) {
  File& f = world.files.at(file);
  EP_CHECK(f.eventfd.has_value());
  return *f.eventfd;
}

}  // namespace

// Linux: fs/eventfd.c do_eventfd: flags first, then the descriptor.
Outcome EventfdCreate(World& world, uint32_t initval, uint32_t flags) {
  if ((flags & ~(abi::kEfdSemaphore | abi::kEfdNonblock | abi::kEfdCloexec)) !=
      0) {
    RULE("eventfd.einval.flags");
    return Outcome::Error(abi::kEinval);
  }
  if (!HasFreeFds(world, 1))
    return Outcome::Error(abi::kEmfile);
  const FileId id =
      NewFile(world, File{.kind = FileKind::kEventfd,
                          .flags = flags & abi::kEfdNonblock,
                          .eventfd = EventfdCtx{
                              .count = initval,
                              .semaphore = (flags & abi::kEfdSemaphore) != 0}});
  return Outcome::Value(InstallLowestFd(world, id));
}

// Linux: fs/eventfd.c eventfd_write: the buffer is 8 bytes (6.18: exactly; see
// Profile::eventfd_write_exact), the value
// is not ULLONG_MAX, and it fits below ULLONG_MAX; a write that stored
// something (0 included) wakes the queue with key IN.
Outcome EventfdWrite(World& world, FileId file, uint32_t count,
                     uint64_t value) {
  if (count < 8) {
    RULE("eventfd.write.einval.short");
    return Outcome::Error(abi::kEinval);
  }
  if (count != 8 && world.profile.eventfd_write_exact) {
    RULE("eventfd.write.einval.not_8");
    return Outcome::Error(abi::kEinval);
  }
  if (value == kUllongMax) {
    RULE("eventfd.write.einval.ullong_max");
    return Outcome::Error(abi::kEinval);
  }
  EventfdCtx& ctx = CtxOf(world, file);
  if (kUllongMax - ctx.count <= value) {
    RULE("eventfd.write.eagain.overflow");
    return Outcome::Error(abi::kEagain);
  }
  if (kUllongMax - ctx.count - 1 == value)
    RULE("eventfd.write.to_max");
  if (value == 0) {
    RULE("eventfd.write.zero_wakes");
  } else {
    RULE("eventfd.write.wake");
  }
  ctx.count += value;
  WakeUp(world, file, abi::kEpollIn);
  return Outcome::Value(8);
}

// Linux: fs/eventfd.c eventfd_read, eventfd_ctx_do_read: EAGAIN at 0, else
// the whole count (or 1 in semaphore mode); wakes the queue with key OUT.
Outcome EventfdRead(World& world, FileId file, uint32_t count) {
  if (count < 8) {
    RULE("eventfd.read.einval.short");
    return Outcome::Error(abi::kEinval);
  }
  EventfdCtx& ctx = CtxOf(world, file);
  if (ctx.count == 0) {
    RULE("eventfd.read.eagain.zero");
    return Outcome::Error(abi::kEagain);
  }
  if (ctx.semaphore) {
    RULE("eventfd.read.semaphore_one");
  } else {
    RULE("eventfd.read.whole_count");
  }
  RULE("eventfd.read.wake_out");
  const uint64_t value = ctx.semaphore ? 1 : ctx.count;
  ctx.count -= value;
  WakeUp(world, file, abi::kEpollOut);
  Outcome out = Outcome::Value(8);
  out.value = value;
  return out;
}

// Linux: fs/eventfd.c eventfd_poll. Never RDNORM/WRNORM.
uint32_t EventfdPoll(World& world, FileId file) {
  const uint64_t count = CtxOf(world, file).count;
  uint32_t mask = 0;
  if (count > 0) {
    RULE("eventfd.poll.in.nonzero");
    mask |= abi::kEpollIn;
  }
  if (count == kUllongMax) {
    RULE("eventfd.poll.err.overflow");
    mask |= abi::kEpollErr;
  }
  if (kUllongMax - 1 > count) {
    RULE("eventfd.poll.out.room");
    mask |= abi::kEpollOut;
  } else {
    RULE("eventfd.poll.out.full");
  }
  return mask;
}

}  // namespace epollcheck::internal
