// The era features of model/profile.h: each kernel-era fact of a Profile
// under a stable name, its values, and profile names built from them.
#include "model/profile.h"

#include <charconv>
#include <utility>

namespace epollcheck {
namespace {

// Mainline versions where some feature changes (and a few in between), for
// naming a profile after an era.
const std::vector<std::pair<int, int>> kNamedEras = {
    {5, 4},  {5, 5},  {5, 10}, {5, 14}, {5, 15}, {6, 1},
    {6, 6},  {6, 8},  {6, 9},  {6, 12}, {6, 13}, {6, 14},
    {6, 15}, {6, 16}, {6, 17}, {6, 18}, {7, 0}};

int Differences(const Profile& a, const Profile& b) {
  int n = 0;
  for (const EraFeature& f : EraFeatures())
    n += f.get(a) != f.get(b) ? 1 : 0;
  return n;
}

bool NotAbove(std::pair<int, int> era, int major, int minor) {
  return era.first < major || (era.first == major && era.second <= minor);
}

}  // namespace

const std::vector<EraFeature>& EraFeatures() {
  static const std::vector<EraFeature> kFeatures = {
      {"epoll_wait.check_order",
       {"fd-first", "maxevents-first"},
       "do_epoll_wait checks the epfd (EBADF) before maxevents (EINVAL): 6.15+",
       [](const Profile& p) { return p.wait_checks_fd_first ? 0 : 1; },
       [](Profile& p, int v) { p.wait_checks_fd_first = v == 0; }},
      {"epoll_ctl.loop_check",
       {"upward-depth", "downward-only"},
       "ep_loop_check counts the levels above the inserting instance (ELOOP "
       "for any chain of more than 4 links): 6.17+ and stable backports; "
       "before, a file too deep fails the reverse path check (EINVAL)",
       [](const Profile& p) {
         return p.loop_check_counts_upward_depth ? 0 : 1;
       },
       [](Profile& p, int v) { p.loop_check_counts_upward_depth = v == 0; }},
      {"pipe.write_wake",
       {"if-empty-or-polled", "every-write", "if-empty"},
       "pipe_write wakes readers if the pipe was empty or was ever polled "
       "(5.14+ and stable backports), after every write that stored data "
       "(<= 5.4), or only if it was empty (5.5-5.13)",
       [](const Profile& p) {
         switch (p.pipe_write_wake) {
         case PipeWriteWake::kIfWasEmptyOrPolled:
           return 0;
         case PipeWriteWake::kEveryWrite:
           return 1;
         case PipeWriteWake::kIfWasEmpty:
           break;
         }
         return 2;
       },
       [](Profile& p, int v) {
         p.pipe_write_wake = v == 0   ? PipeWriteWake::kIfWasEmptyOrPolled
                             : v == 1 ? PipeWriteWake::kEveryWrite
                                      : PipeWriteWake::kIfWasEmpty;
       }},
      {"pipe.read_wake",
       {"if-unfull", "if-was-full"},
       "pipe_read wakes writers only if the pipe was full and no longer is "
       "(6.14+), or whenever it was full",
       [](const Profile& p) {
         return p.pipe_read_wakes_only_if_unfull ? 0 : 1;
       },
       [](Profile& p, int v) { p.pipe_read_wakes_only_if_unfull = v == 0; }},
      {"eventfd.write_size",
       {"exactly-8", "at-least-8"},
       "eventfd_write takes exactly 8 bytes (6.9+), or any count of at "
       "least 8 (it uses the first 8)",
       [](const Profile& p) { return p.eventfd_write_exact ? 0 : 1; },
       [](Profile& p, int v) { p.eventfd_write_exact = v == 0; }},
      {"tcp.listen_after_connect",
       {"einval", "allowed"},
       "listen() on a closed TCP socket that sent a SYN: EINVAL (6.18, "
       "measured), or a listen like a fresh socket's (5.10, 6.1, measured; "
       "taken as before 6.13)",
       [](const Profile& p) { return p.tcp_listen_refuses_syn_sent ? 0 : 1; },
       [](Profile& p, int v) { p.tcp_listen_refuses_syn_sent = v == 0; }},
      {"tcp.connect_after_listen",
       {"einval", "allowed"},
       "connect() on a TCP socket that listened once (shut down or "
       "disconnected since): EINVAL (6.18, measured), or a connect like a "
       "fresh socket's (6.12.117, measured; taken as before 6.13)",
       [](const Profile& p) {
         return p.tcp_connect_refuses_former_listener ? 0 : 1;
       },
       [](Profile& p, int v) {
         p.tcp_connect_refuses_former_listener = v == 0;
       }},
      {"unix.dgram_send_order",
       {"alloc-first", "peer-first"},
       "unix_dgram_sendmsg of an unconnected socket without an address: "
       "allocates first (EMSGSIZE, EPIPE, a write-space wakeup; 6.18, "
       "measured), or fails with ENOTCONN first (5.10, measured)",
       [](const Profile& p) {
         return p.unix_dgram_send_allocates_first ? 0 : 1;
       },
       [](Profile& p, int v) { p.unix_dgram_send_allocates_first = v == 0; }},
      {"unix.msg_oob",
       {"supported", "eopnotsupp", "consumed-ends-read"},
       "AF_UNIX SOCK_STREAM has MSG_OOB (CONFIG_AF_UNIX_OOB, 5.15+), or "
       "every MSG_OOB send and receive is EOPNOTSUPP (5.10); with it, a "
       "read meeting a consumed out-of-band skb at the head drops it and "
       "goes on (6.10+), or drops it and ends the read, EAGAIN if nothing "
       "was copied, a peek stepping over it to read an out-of-band byte "
       "after it as data (5.15-6.9)",
       [](const Profile& p) {
         return !p.unix_oob ? 1 : p.unix_oob_skips_consumed ? 0 : 2;
       },
       [](Profile& p, int v) {
         p.unix_oob = v != 1;
         p.unix_oob_skips_consumed = v != 2;
       }},
      {"unix.oob_peek",
       {"past-mark", "reads-mark"},
       "MSG_PEEK meeting the pending out-of-band byte with nothing copied "
       "steps over it to what follows (6.9+, and Debian's 6.1.0-57, "
       "measured), or reads it as data (before); moot without MSG_OOB",
       [](const Profile& p) {
         return p.unix_oob && !p.unix_oob_peek_past_mark ? 1 : 0;
       },
       [](Profile& p, int v) { p.unix_oob_peek_past_mark = v == 0; }},
      {"unix.oob_zero_recv",
       {"eagain", "zero"},
       "a 0-byte recv on an AF_UNIX stream socket whose head manage_oob "
       "takes away (a consumed out-of-band skb, the out-of-band byte) with "
       "nothing after it: EAGAIN, as an empty queue (6.18.44, measured), or "
       "0 (7.3 and 6.12.117, measured; taken as 7.0); moot without MSG_OOB",
       [](const Profile& p) {
         return p.unix_oob && p.unix_oob_zero_recv_returns_zero ? 1 : 0;
       },
       [](Profile& p, int v) { p.unix_oob_zero_recv_returns_zero = v == 1; }},
      {"unix.close_reset",
       {"unread-only", "any-skb"},
       "closing a connected AF_UNIX stream or seqpacket socket gives the peer "
       "ECONNRESET only if something is left to read, a lone empty skb "
       "skipped (6.16 and stable backports), or for any queued skb",
       [](const Profile& p) { return p.unix_release_skips_empty_skb ? 0 : 1; },
       [](Profile& p, int v) { p.unix_release_skips_empty_skb = v == 0; }},
      {"epoll_pwait2",
       {"present", "enosys"},
       "the epoll_pwait2 system call exists (5.11+), or is ENOSYS",
       [](const Profile& p) { return p.has_epoll_pwait2 ? 0 : 1; },
       [](Profile& p, int v) { p.has_epoll_pwait2 = v == 0; }},
      {"epoll_ctl.epollwakeup",
       {"dropped", "kept"},
       "epoll_ctl drops EPOLLWAKEUP from the stored mask (no "
       "CONFIG_PM_SLEEP, or no CAP_BLOCK_SUSPEND), or keeps it (seen only "
       "in fdinfo)",
       [](const Profile& p) { return p.epollwakeup_kept ? 1 : 0; },
       [](Profile& p, int v) { p.epollwakeup_kept = v == 1; }},
      {"lseek.anon_inode",
       {"noop", "espipe"},
       "lseek on an epoll, eventfd, timerfd or signalfd file: noop_llseek, "
       "0 (6.0+), or ESPIPE (no FMODE_LSEEK on anonymous-inode files "
       "before 6.0)",
       [](const Profile& p) { return p.anon_inode_lseek ? 0 : 1; },
       [](Profile& p, int v) { p.anon_inode_lseek = v == 0; }},
      {"pidfd.pidfs",
       {"pidfs", "anon-inode"},
       "pidfds live in pidfs (6.9+): a reaped child's pidfd polls HUP, the "
       "reap wakes its waiters, its pidfds share an inode; or on the "
       "anonymous inode, IN|RDNORM from the exit on and nothing at the reap",
       [](const Profile& p) { return p.pidfs ? 0 : 1; },
       [](Profile& p, int v) { p.pidfs = v == 0; }},
      {"pidfd.ioctl",
       {"enotty", "arg-first", "task-first"},
       "an EPIOC ioctl on a pidfd: ENOTTY (no pidfd ioctl before 6.11; "
       "pidfs_ioctl_valid first since 6.14), a non-zero arg EINVAL before "
       "the task is looked up (6.11-6.12), or after it (6.13)",
       [](const Profile& p) { return static_cast<int>(p.pidfd_ioctl); },
       [](Profile& p, int v) { p.pidfd_ioctl = static_cast<PidfdIoctl>(v); }},
      {"epoll.ioctl",
       {"busy-poll", "eopnotsupp", "enotty"},
       "ioctl(EPIOCSPARAMS/EPIOCGPARAMS) on an epoll file: the busy-poll "
       "parameters (6.9+), EOPNOTSUPP (6.9+ without "
       "CONFIG_NET_RX_BUSY_POLL), or ENOTTY (before 6.9: no ioctl at all)",
       [](const Profile& p) { return static_cast<int>(p.epoll_ioctl); },
       [](Profile& p, int v) {
         p.epoll_ioctl = static_cast<EpollIoctlMode>(v);
       }},
  };
  return kFeatures;
}

std::vector<std::string> FeatureSettings(const Profile& profile) {
  std::vector<std::string> out;
  for (const EraFeature& f : EraFeatures()) {
    out.push_back(std::string(f.name) + "=" +
                  std::string(f.values[static_cast<size_t>(f.get(profile))]));
  }
  return out;
}

std::string ProfileName(const Profile& profile, int near_major,
                        int near_minor) {
  std::optional<std::pair<int, int>> best;  // the era named after
  int best_diff = 0;
  for (const auto& era : kNamedEras) {
    const int diff =
        Differences(profile, ProfileForKernel(era.first, era.second));
    const bool near = NotAbove(era, near_major, near_minor);
    const bool better =
        !best || diff < best_diff ||
        (diff == best_diff && near && NotAbove(*best, near_major, near_minor));
    if (better) {
      best = era;
      best_diff = diff;
    }
  }
  const Profile base = ProfileForKernel(best->first, best->second);
  std::string name = base.name;
  for (const EraFeature& f : EraFeatures()) {
    if (f.get(profile) != f.get(base)) {
      name += " " + std::string(f.name) + "=" +
              std::string(f.values[static_cast<size_t>(f.get(profile))]);
    }
  }
  return name;
}

std::optional<Profile> ParseProfileName(std::string_view name,
                                        std::string* error) {
  const auto fail = [&](std::string why) -> std::optional<Profile> {
    *error = std::move(why);
    return std::nullopt;
  };
  std::vector<std::string_view> words;
  for (size_t at = 0; at < name.size();) {
    const size_t end = std::min(name.find(' ', at), name.size());
    if (end > at)
      words.push_back(name.substr(at, end - at));
    at = end + 1;
  }
  if (words.empty())
    return fail("empty profile");
  const std::string_view era = words[0];
  int major = 0;
  int minor = 0;
  const char* end = era.data() + era.size();
  const auto [dot, ec] = std::from_chars(era.data(), end, major);
  if (ec != std::errc() || dot == end || *dot != '.' ||
      std::from_chars(dot + 1, end, minor).ptr != end || major < 2) {
    return fail("'" + std::string(era) + "' is not MAJOR.MINOR, e.g. 6.18");
  }
  Profile profile = ProfileForKernel(major, minor);
  for (size_t i = 1; i < words.size(); ++i) {
    const size_t eq = words[i].find('=');
    const std::string_view feature = words[i].substr(0, eq);
    const EraFeature* found = nullptr;
    for (const EraFeature& f : EraFeatures())
      found = f.name == feature ? &f : found;
    if (found == nullptr || eq == std::string_view::npos)
      return fail("'" + std::string(words[i]) +
                  "' is not FEATURE=VALUE of a "
                  "known feature");
    const std::string_view value = words[i].substr(eq + 1);
    int index = -1;
    for (size_t v = 0; v < found->values.size(); ++v)
      index = found->values[v] == value ? static_cast<int>(v) : index;
    if (index < 0) {
      std::string known;
      for (const std::string_view v : found->values)
        known += (known.empty() ? "" : ", ") + std::string(v);
      return fail(std::string(feature) + ": '" + std::string(value) +
                  "' is not one of " + known);
    }
    found->set(profile, index);
  }
  if (words.size() > 1) {
    profile.name = std::string(words[0]);
    for (size_t i = 1; i < words.size(); ++i)
      profile.name += " " + std::string(words[i]);
  }
  return profile;
}

}  // namespace epollcheck
