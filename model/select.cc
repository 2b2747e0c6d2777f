// poll(), ppoll(), select() and pselect6() with a zero timeout: one f_op->poll
// call per descriptor (the same PollFile the epoll model uses, with its side
// effects: a pipe's poll_usage, an epoll file's pruning, an AF_UNIX datagram
// socket's peer_wait relay), no wait-queue registration.
// Linux: fs/select.c.

#include <bit>

#include "model/abi.h"
#include "model/internal/kernel.h"
#include "model/rules.h"

namespace epollcheck::internal {
namespace {

using abi::kPollExSet;
using abi::kPollInSet;
using abi::kPollOutSet;

// Linux: kernel/signal.c set_user_sigmask: NULL is fine, a set must be
// sizeof(sigset_t) (8) bytes.
bool SigmaskOk(int32_t sigsetsize) { return sigsetsize < 0 || sigsetsize == 8; }

}  // namespace

// Linux: fs/select.c do_sys_poll (nfds above RLIMIT_NOFILE: EINVAL),
// do_pollfd (negative fd: 0; closed: POLLNVAL; events are a u16 and ERR|HUP
// are always reported).
Outcome PollStep(World& world, const int32_t (&fds)[3],
                 const uint32_t (&events)[3], int32_t nfds,
                 int32_t sigsetsize) {
  if (!SigmaskOk(sigsetsize)) {
    RULE("ppoll.einval.sigsetsize");
    return Outcome::Error(abi::kEinval);
  }
  if (static_cast<uint32_t>(nfds) > world.FdLimit()) {
    RULE("poll.einval.nfds");
    return Outcome::Error(abi::kEinval);
  }
  if (static_cast<uint32_t>(nfds) == world.FdLimit())
    RULE("poll.nfds.at_limit");
  Outcome out = Outcome::Value(0);
  const int32_t listed = nfds < 3 ? nfds : 3;
  for (int32_t i = 0; i < listed; ++i) {
    uint32_t revents = 0;
    if (fds[i] < 0) {
      RULE("poll.fd.negative_ignored");
    } else {
      const std::optional<FileId> file = world.FdgetAt(fds[i]);
      if (!file) {
        if (world.IsOpen(fds[i]))
          RULE("opath.fdget.ebadf");
        RULE("poll.fd.nval");
        revents = abi::kEpollNval;
      } else {
        if ((events[i] & ~0xffffu) != 0)
          RULE("poll.events.high_bits_dropped");
        const uint32_t filter =
            (events[i] & 0xffff) | abi::kEpollErr | abi::kEpollHup;
        revents = PollFile(world, *file, filter) & filter;
        if ((revents & ~events[i]) != 0)
          RULE("poll.revents.err_hup_unrequested");
      }
    }
    if (revents != 0)
      ++out.ret;
    out.events.push_back(
        ReadyEvent{.events = revents, .data = static_cast<uint64_t>(i)});
  }
  return out;
}

// Linux: fs/select.c core_sys_select (n < 0: EINVAL; n clamped to the table
// size, which never matters for descriptors below 64), max_select_fd (a set
// bit on a closed descriptor: EBADF), do_select (the key holds POLLEX_SET
// plus the sets the descriptor is in).
Outcome SelectStep(World& world, int32_t nfds, uint64_t in, uint64_t out_set,
                   uint64_t ex, int32_t sigsetsize) {
  if (!SigmaskOk(sigsetsize)) {
    RULE("pselect6.einval.sigsetsize");
    return Outcome::Error(abi::kEinval);
  }
  if (nfds < 0) {
    RULE("select.einval.nfds");
    return Outcome::Error(abi::kEinval);
  }
  const int32_t n = nfds < 64 ? nfds : 64;
  if (n == 0) {
    RULE("select.nfds_zero.sets_unchanged");
    // FDS_BYTES(0): nothing is copied in or out; the caller's sets stay.
    Outcome unchanged = Outcome::Value(0);
    unchanged.sets = {in, out_set, ex};
    return unchanged;
  }
  const uint64_t range = n == 64 ? ~uint64_t{0} : (uint64_t{1} << n) - 1;
  if (((in | out_set | ex) & ~range) != 0)
    RULE("select.bits_above_nfds_ignored");
  in &= range;
  out_set &= range;
  ex &= range;
  for (int32_t fd = 0; fd < n; ++fd) {
    if (((in | out_set | ex) >> fd & 1) != 0 && !world.IsOpen(fd)) {
      RULE("select.ebadf.closed");
      return Outcome::Error(abi::kEbadf);
    }
  }
  uint64_t res_in = 0;
  uint64_t res_out = 0;
  uint64_t res_ex = 0;
  for (int32_t fd = 0; fd < n; ++fd) {
    const uint64_t bit = uint64_t{1} << fd;
    if (((in | out_set | ex) & bit) == 0)
      continue;
    uint32_t key = kPollExSet;
    if ((in & bit) != 0)
      key |= kPollInSet;
    if ((out_set & bit) != 0)
      key |= kPollOutSet;
    const uint32_t mask = PollFile(world, *world.FileIdAt(fd), key);
    if ((mask & kPollInSet) != 0 && (in & bit) != 0) {
      RULE("select.in.ready");
      res_in |= bit;
    }
    if ((mask & kPollOutSet) != 0 && (out_set & bit) != 0) {
      RULE("select.out.ready");
      res_out |= bit;
    }
    if ((mask & kPollExSet) != 0 && (ex & bit) != 0) {
      RULE("select.ex.ready");
      res_ex |= bit;
    }
  }
  Outcome result = Outcome::Value(
      std::popcount(res_in) + std::popcount(res_out) + std::popcount(res_ex));
  result.sets = {res_in, res_out, res_ex};
  return result;
}

}  // namespace epollcheck::internal
