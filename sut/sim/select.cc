// poll(2), ppoll(2), select(2) and pselect6(2) of the simulated kernel, with
// a zero timeout: one f_op->poll call per descriptor through a poll table
// whose queue proc is NULL (do_poll and do_select clear pt->_qproc when the
// end time is {0, 0}), so nothing is registered on any wait queue; what a
// file's poll does besides computing its mask (a pipe's poll_usage, an epoll
// file pruning its ready list, an AF_UNIX datagram socket hooking itself on
// its peer's peer_wait) happens exactly as in the kernel. Blocking polls
// (poll_wqueues, pollwake) are not simulated: a timeout must be zero.
// Linux: fs/select.c (do_sys_poll, do_poll, do_pollfd, core_sys_select,
// max_select_fd, do_select, select_poll_one, wait_key_set, the syscalls),
// kernel/signal.c set_user_sigmask, include/linux/poll.h vfs_poll.

#include <algorithm>
#include <vector>

#include "model/abi.h"
#include "model/check.h"
#include "sut/sim/file.h"
#include "sut/sim/sim_kernel.h"

namespace epollcheck::sim {
namespace {

using abi::kPollExSet;
using abi::kPollInSet;
using abi::kPollOutSet;

// Linux: sizeof(sigset_t) on x86-64.
constexpr size_t kSigsetSize = 8;
// Linux: BITS_PER_LONG.
constexpr int kBitsPerLong = 64;

// Linux: set_user_sigmask. A NULL mask leaves the blocked set alone; a mask
// of the wrong size is EINVAL. (No signals are simulated, so a valid mask
// changes nothing here.)
int SetUserSigmask(const uint64_t* sigmask, size_t sigsetsize) {
  if (sigmask == nullptr)
    return 0;
  if (sigsetsize != kSigsetSize)
    return -abi::kEinval;
  return 0;
}

// Linux: poll_select_set_timeout: an invalid timespec is EINVAL. Only the
// zero timeout (no sleep) is simulated.
int CheckZeroTimeout(int64_t sec, int64_t nsec) {
  if (sec < 0 || nsec < 0 || nsec >= 1000000000)
    return -abi::kEinval;
  EP_CHECK(sec == 0 && nsec == 0);  // blocking polls are not simulated
  return 0;
}

// Linux: vfs_poll: every simulated file has ->poll.
uint32_t VfsPoll(File* file, PollTable* pt) { return file->Poll(pt); }

}  // namespace

// Linux: do_pollfd. A negative fd is skipped (revents 0); a closed one is
// POLLNVAL; otherwise the file's mask filtered by the u16 events plus
// ERR|HUP, which is also the table's key.
uint32_t SimProcess::DoPollfd(PollFd* pollfd, PollTable* pt) {
  const int fd = pollfd->fd;
  uint32_t mask = 0;
  if (fd >= 0) {
    Fd f = Fdget(fd);  // CLASS(fd, f)(fd)
    mask = abi::kEpollNval;
    if (f) {
      // demangle_poll is the identity on x86-64; events is a u16.
      const uint32_t filter = static_cast<uint16_t>(pollfd->events) |
                              abi::kEpollErr | abi::kEpollHup;
      pt->key = filter;
      mask = VfsPoll(f.get(), pt) & filter;
    }
  }
  pollfd->revents = static_cast<int16_t>(mask);  // mangle_poll
  return mask;
}

// Linux: do_sys_poll + do_poll with end_time {0, 0}: one pass, _qproc NULL.
int SimProcess::DoSysPoll(PollFd* ufds, unsigned int nfds) {
  if (nfds > nofile())
    return -abi::kEinval;  // rlimit(RLIMIT_NOFILE)
  if (ufds == nullptr && nfds != 0)
    return -abi::kEfault;  // copy_from_user
  PollTable table(false);  // poll_initwait; _qproc = NULL (timed out)
  int count = 0;
  for (unsigned int i = 0; i < nfds; ++i) {
    if (DoPollfd(&ufds[i], &table) != 0)
      ++count;
  }
  return count;
}

int SimProcess::Poll(PollFd* ufds, unsigned int nfds, int timeout_ms) {
  SyscallScope scope(&signals_);
  EP_CHECK(timeout_ms == 0);  // blocking polls are not simulated
  return DoSysPoll(ufds, nfds);
}

int SimProcess::Ppoll(PollFd* ufds, unsigned int nfds, const Timespec* tsp,
                      const uint64_t* sigmask, size_t sigsetsize) {
  SyscallScope scope(&signals_);
  EP_CHECK(tsp != nullptr);  // NULL (no limit) would block
  if (const int err = CheckZeroTimeout(tsp->tv_sec, tsp->tv_nsec); err < 0)
    return err;
  if (const int err = SetUserSigmask(sigmask, sigsetsize); err < 0)
    return err;
  return DoSysPoll(ufds, nfds);
}

// Linux: max_select_fd + do_select with end_time {0, 0}, over `n` bits of
// each set (null: an empty set). Returns the ready count, -EBADF for a set
// bit naming a closed descriptor; sets bits in res_* (FDS_LONGS(n) words
// each, zeroed by the caller: zero_fd_set).
int SimProcess::DoSelect(int n, const uint64_t* in, const uint64_t* out,
                         const uint64_t* ex, uint64_t* res_in,
                         uint64_t* res_out, uint64_t* res_ex) {
  const int words = (n + kBitsPerLong - 1) / kBitsPerLong;
  auto bits = [&](const uint64_t* set, int word) -> uint64_t {
    if (set == nullptr)
      return 0;
    uint64_t v = set[word];
    if (word == words - 1 && n % kBitsPerLong != 0)
      v &= ~(~uint64_t{0} << (n % kBitsPerLong));
    return v;
  };
  // max_select_fd: every set bit must name an open descriptor (read from
  // the fd table's open_fds under RCU; here under file_lock_).
  int max = 0;
  {
    std::lock_guard<SpinLock> guard(file_lock_);
    for (int word = 0; word < words; ++word) {
      const uint64_t set = bits(in, word) | bits(out, word) | bits(ex, word);
      for (int b = 0; b < kBitsPerLong; ++b) {
        if ((set >> b & 1) == 0)
          continue;
        const int fd = word * kBitsPerLong + b;
        if (static_cast<size_t>(fd) >= fd_.size() || fd_[fd] == nullptr)
          return -abi::kEbadf;
        max = fd + 1;
      }
    }
  }
  PollTable table(false);  // poll_initwait; _qproc = NULL (timed out)
  int retval = 0;
  for (int word = 0; word * kBitsPerLong < max; ++word) {
    const uint64_t w_in = bits(in, word);
    const uint64_t w_out = bits(out, word);
    const uint64_t w_ex = bits(ex, word);
    const uint64_t all_bits = w_in | w_out | w_ex;
    uint64_t r_in = 0;
    uint64_t r_out = 0;
    uint64_t r_ex = 0;
    for (int b = 0; b < kBitsPerLong && word * kBitsPerLong + b < max; ++b) {
      const uint64_t bit = uint64_t{1} << b;
      if ((all_bits & bit) == 0)
        continue;
      // select_poll_one: EPOLLNVAL if the descriptor went away meanwhile;
      // wait_key_set: POLLEX_SET plus the sets the descriptor is in.
      uint32_t mask = abi::kEpollNval;
      if (Fd f = Fdget(word * kBitsPerLong + b)) {
        table.key = kPollExSet;
        if ((w_in & bit) != 0)
          table.key |= kPollInSet;
        if ((w_out & bit) != 0)
          table.key |= kPollOutSet;
        mask = VfsPoll(f.get(), &table);
      }
      if ((mask & kPollInSet) != 0 && (w_in & bit) != 0) {
        r_in |= bit;
        ++retval;
      }
      if ((mask & kPollOutSet) != 0 && (w_out & bit) != 0) {
        r_out |= bit;
        ++retval;
      }
      if ((mask & kPollExSet) != 0 && (w_ex & bit) != 0) {
        r_ex |= bit;
        ++retval;
      }
    }
    res_in[word] = r_in;
    res_out[word] = r_out;
    res_ex[word] = r_ex;
  }
  return retval;
}

// Linux: core_sys_select. n < 0 is EINVAL; n is clamped to the descriptor
// table's size (max_fds: 64 until the table grows); with n == 0 nothing is
// copied in or out, so the caller's sets stay as they were.
int SimProcess::CoreSysSelect(int n, uint64_t* inp, uint64_t* outp,
                              uint64_t* exp) {
  if (n < 0)
    return -abi::kEinval;
  {
    std::lock_guard<SpinLock> guard(file_lock_);
    const int max_fds =
        static_cast<int>(std::max<size_t>(kBitsPerLong, fd_.size()));
    n = std::min(n, max_fds);
  }
  const size_t words =
      (static_cast<size_t>(n) + kBitsPerLong - 1) / kBitsPerLong;  // FDS_LONGS
  if (words == 0)
    return 0;
  // get_fd_set copies the caller's sets in; zero_fd_set clears the results.
  std::vector<uint64_t> res(3 * words, 0);
  const int ret = DoSelect(n, inp, outp, exp, res.data(), res.data() + words,
                           res.data() + 2 * words);
  if (ret < 0)
    return ret;
  // set_fd_set: each result set goes back where the caller passed one.
  uint64_t* const user[3] = {inp, outp, exp};
  for (size_t s = 0; s < 3; ++s) {
    if (user[s] != nullptr)
      std::copy_n(res.data() + s * words, words, user[s]);
  }
  return ret;
}

int SimProcess::Select(int n, uint64_t* inp, uint64_t* outp, uint64_t* exp,
                       const Timeval* tvp) {
  SyscallScope scope(&signals_);
  EP_CHECK(tvp != nullptr);  // NULL (no limit) would block
  // kern_select: tv_sec + tv_usec / USEC_PER_SEC, (tv_usec % USEC_PER_SEC)
  // * NSEC_PER_USEC.
  if (const int err = CheckZeroTimeout(tvp->tv_sec + tvp->tv_usec / 1000000,
                                       (tvp->tv_usec % 1000000) * 1000);
      err < 0) {
    return err;
  }
  return CoreSysSelect(n, inp, outp, exp);
}

int SimProcess::Pselect6(int n, uint64_t* inp, uint64_t* outp, uint64_t* exp,
                         const Timespec* tsp, const uint64_t* sigmask,
                         size_t sigsetsize) {
  SyscallScope scope(&signals_);
  EP_CHECK(tsp != nullptr);  // NULL (no limit) would block
  if (const int err = CheckZeroTimeout(tsp->tv_sec, tsp->tv_nsec); err < 0)
    return err;
  if (const int err = SetUserSigmask(sigmask, sigsetsize); err < 0)
    return err;
  return CoreSysSelect(n, inp, outp, exp);
}

}  // namespace epollcheck::sim
