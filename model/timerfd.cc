// timerfd: a tick count behind one wait queue. Timers are one-shot and
// expire at once, never, or are disarmed (model/ops.h TimerfdSettime), so
// an expiry is part of the step that armed it.
// Linux: fs/timerfd.c (timerfd_create, do_timerfd_settime, timerfd_setup,
// timerfd_tmrproc, timerfd_read_iter, timerfd_poll).

#include "model/abi.h"
#include "model/check.h"
#include "model/internal/kernel.h"
#include "model/rules.h"

namespace epollcheck::internal {

// Linux: fs/timerfd.c SYSCALL_DEFINE2(timerfd_create): flags and the clock
// first, then the descriptor.
Outcome TimerfdCreate(World& world, int32_t clockid, uint32_t flags) {
  if ((flags & ~(abi::kONonblock | abi::kOCloexec)) != 0) {
    RULE("timerfd.create.einval.flags");
    return Outcome::Error(abi::kEinval);
  }
  // CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_BOOTTIME (the _ALARM clocks need
  // CAP_WAKE_ALARM, which the model does not decide: never generated).
  if (clockid != 0 && clockid != 1 && clockid != 7) {
    RULE("timerfd.create.einval.clock");
    return Outcome::Error(abi::kEinval);
  }
  if (!HasFreeFds(world, 1))
    return Outcome::Error(abi::kEmfile);
  RULE("timerfd.create");
  const FileId id = NewFile(
      world, File{.kind = FileKind::kTimerfd,
                  .flags = flags & abi::kONonblock,
                  .timerfd = TimerfdCtx{.ticks = 0, .clockid = clockid}});
  return Outcome::Value(InstallLowestFd(world, id));
}

// Linux: fs/timerfd.c do_timerfd_settime: the flags and the value, then
// the descriptor (EBADF), then its kind (EINVAL); timerfd_setup clears the
// ticks and arms the timer; timerfd_tmrproc's expiry counts a tick and
// wakes the queue with key IN.
Outcome TimerfdSettime(World& world, int32_t fd, uint32_t flags,
                       int32_t expire) {
  constexpr uint32_t kSettimeFlags = 3;  // ABSTIME | CANCEL_ON_SET
  if ((flags & ~kSettimeFlags) != 0) {
    RULE("timerfd.settime.einval.flags");
    return Outcome::Error(abi::kEinval);
  }
  if (expire == kExpireBad) {
    RULE("timerfd.settime.einval.value");
    return Outcome::Error(abi::kEinval);
  }
  const std::optional<FileId> file = world.FdgetAt(fd);
  if (!file) {
    RULE("timerfd.settime.ebadf");
    return Outcome::Error(abi::kEbadf);
  }
  File& f = world.files.at(*file);
  if (f.kind != FileKind::kTimerfd) {
    RULE("timerfd.settime.einval.not_timerfd");
    return Outcome::Error(abi::kEinval);
  }
  if (f.timerfd->ticks != 0)
    RULE("timerfd.settime.clears_ticks");
  f.timerfd->ticks = 0;
  switch (expire) {
  case kExpireOff:
    RULE("timerfd.settime.disarm");
    break;
  case kExpireFar:
    RULE("timerfd.settime.far");
    break;
  case kExpireNow:
    RULE("timerfd.expire.wakes");
    f.timerfd->ticks = 1;
    WakeUp(world, *file, abi::kEpollIn);
    break;
  default:
    EP_CHECK(false && "timerfd_settime: unknown expire");
  }
  return Outcome::Value(0);
}

// Linux: fs/timerfd.c timerfd_read_iter: 8 bytes at least; the ticks, then
// none; no wakeup.
Outcome TimerfdRead(World& world, FileId file, uint32_t count) {
  if (count < 8) {
    RULE("timerfd.read.einval.short");
    return Outcome::Error(abi::kEinval);
  }
  TimerfdCtx& ctx = *world.files.at(file).timerfd;
  if (ctx.ticks == 0) {
    RULE("timerfd.read.eagain");
    return Outcome::Error(abi::kEagain);
  }
  RULE("timerfd.read.ticks");
  Outcome out = Outcome::Value(8);
  out.value = ctx.ticks;
  ctx.ticks = 0;
  return out;
}

// Linux: fs/timerfd.c timerfd_poll: IN while a tick is unread.
uint32_t TimerfdPoll(World& world, FileId file) {
  if (world.files.at(file).timerfd->ticks != 0) {
    RULE("timerfd.poll.in");
    return abi::kEpollIn;
  }
  return 0;
}

}  // namespace epollcheck::internal
