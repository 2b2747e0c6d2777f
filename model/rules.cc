// The rule counters' thread-local sink and the era of each rule.

#include "model/rules.h"

#include <algorithm>
#include <array>
#include <string_view>

namespace epollcheck {
namespace {

// Sorted, not pairwise: n^2 comparisons of ~500 names exceed clang's
// constant-evaluation step limit.
consteval bool NamesAreUnique() {
  std::array<std::string_view, kRuleCount> names{};
  for (size_t i = 0; i < kRuleCount; ++i)
    names[i] = kRules[i].name;
  std::sort(names.begin(), names.end());
  return std::adjacent_find(names.begin(), names.end()) == names.end();
}
static_assert(NamesAreUnique(), "kRules lists a name twice");

consteval bool UngeneratedAreRules() {
  for (const UngeneratedRule& u : kUngeneratedRules)
    (void)RuleIndex(u.name);  // not a constant if it is no rule
  return true;
}
static_assert(UngeneratedAreRules());

}  // namespace

namespace internal {
constinit thread_local RuleCounts* rule_sink = nullptr;
constinit thread_local RuleTrace* rule_trace = nullptr;
}  // namespace internal

std::optional<size_t> FindRule(std::string_view name) {
  for (size_t i = 0; i < kRuleCount; ++i) {
    if (kRules[i].name == name)
      return i;
  }
  return std::nullopt;
}

bool RuleEraApplies(RuleEra era, const Profile& profile) {
  switch (era) {
  case RuleEra::kAny:
    return true;
  case RuleEra::kWaitFdFirst:
    return profile.wait_checks_fd_first;
  case RuleEra::kWaitMaxFirst:
    return !profile.wait_checks_fd_first;
  case RuleEra::kPipeWakeEvery:
    return profile.pipe_write_wake == PipeWriteWake::kEveryWrite;
  case RuleEra::kPipeWakeOnEmpty:
    return profile.pipe_write_wake != PipeWriteWake::kEveryWrite;
  case RuleEra::kPipeWakeIfEmpty:
    return profile.pipe_write_wake == PipeWriteWake::kIfWasEmpty;
  case RuleEra::kPipeWakeIfEmptyOrPolled:
    return profile.pipe_write_wake == PipeWriteWake::kIfWasEmptyOrPolled;
  case RuleEra::kPipeReadUnfull:
    return profile.pipe_read_wakes_only_if_unfull;
  case RuleEra::kPipeReadWasFull:
    return !profile.pipe_read_wakes_only_if_unfull;
  case RuleEra::kLoopUpward:
    return profile.loop_check_counts_upward_depth;
  case RuleEra::kLoopDownward:
    return !profile.loop_check_counts_upward_depth;
  case RuleEra::kWakeupKept:
    return profile.epollwakeup_kept;
  case RuleEra::kWakeupDropped:
    return !profile.epollwakeup_kept;
  case RuleEra::kNoCapSysResource:
    return !profile.cap_sys_resource;
  case RuleEra::kEventfdWriteExact:
    return profile.eventfd_write_exact;
  case RuleEra::kTcpListenRefusesSynSent:
    return profile.tcp_listen_refuses_syn_sent;
  case RuleEra::kTcpListenAfterSynSent:
    return !profile.tcp_listen_refuses_syn_sent;
  case RuleEra::kUnixDgramAllocFirst:
    return profile.unix_dgram_send_allocates_first;
  case RuleEra::kUnixDgramPeerFirst:
    return !profile.unix_dgram_send_allocates_first;
  case RuleEra::kUnixNoOob:
    return !profile.unix_oob;
  case RuleEra::kPwait2:
    return profile.has_epoll_pwait2;
  case RuleEra::kNoPwait2:
    return !profile.has_epoll_pwait2;
  case RuleEra::kEpollIoctl:
    return profile.epoll_ioctl != EpollIoctlMode::kEnotty;
  case RuleEra::kEpollIoctlBusyPoll:
    return profile.epoll_ioctl == EpollIoctlMode::kBusyPoll;
  case RuleEra::kEpollIoctlNoBusyPoll:
    return profile.epoll_ioctl == EpollIoctlMode::kEopnotsupp;
  case RuleEra::kNoEpollIoctl:
    return profile.epoll_ioctl == EpollIoctlMode::kEnotty;
  case RuleEra::kBusyPollNoCapNetAdmin:
    return profile.epoll_ioctl == EpollIoctlMode::kBusyPoll &&
           !profile.cap_net_admin;
  case RuleEra::kCapNetAdmin:
    return profile.epoll_ioctl == EpollIoctlMode::kBusyPoll &&
           profile.cap_net_admin;
  case RuleEra::kNoCapFowner:
    return !profile.cap_fowner;
  case RuleEra::kPidfs:
    return profile.pidfs;
  case RuleEra::kNoPidfs:
    return !profile.pidfs;
  case RuleEra::kWatchLimitReachable:
    return profile.max_user_watches <= kReachableWatchLimit;
  case RuleEra::kTcpConnectRefusesFormerListener:
    return profile.tcp_connect_refuses_former_listener;
  case RuleEra::kTcpConnectAfterListen:
    return !profile.tcp_connect_refuses_former_listener;
  case RuleEra::kPidfdIoctlChecksArgs:
    return profile.pidfd_ioctl != PidfdIoctl::kEnotty;
  case RuleEra::kUnixOobStopsAtConsumed:
    return profile.unix_oob && !profile.unix_oob_skips_consumed;
  case RuleEra::kAnonInodeLseek:
    return profile.anon_inode_lseek;
  case RuleEra::kNoAnonInodeLseek:
    return !profile.anon_inode_lseek;
  case RuleEra::kUnixReleaseSkipsEmpty:
    return profile.unix_release_skips_empty_skb;
  case RuleEra::kUnixReleaseAnySkb:
    return !profile.unix_release_skips_empty_skb;
  case RuleEra::kUnixOobZeroRecvReturnsZero:
    return profile.unix_oob && profile.unix_oob_zero_recv_returns_zero;
  case RuleEra::kUnixOobPeekPastMark:
    return profile.unix_oob && profile.unix_oob_peek_past_mark;
  case RuleEra::kUnixOobPeekReadsMark:
    return profile.unix_oob && !profile.unix_oob_peek_past_mark;
  }
  return true;
}

std::string_view RuleEraName(RuleEra era) {
  switch (era) {
  case RuleEra::kAny:
    return "";
  case RuleEra::kWaitFdFirst:
    return "6.15+";
  case RuleEra::kWaitMaxFirst:
    return "before 6.15";
  case RuleEra::kPipeWakeEvery:
    return "up to 5.4";
  case RuleEra::kPipeWakeOnEmpty:
    return "5.5+";
  case RuleEra::kPipeWakeIfEmpty:
    return "5.5-5.13";
  case RuleEra::kPipeWakeIfEmptyOrPolled:
    return "5.14+";
  case RuleEra::kPipeReadUnfull:
    return "6.14+";
  case RuleEra::kPipeReadWasFull:
    return "before 6.14";
  case RuleEra::kLoopUpward:
    return "6.17+ (and backports)";
  case RuleEra::kLoopDownward:
    return "before 6.17 (without the backport)";
  case RuleEra::kWakeupKept:
    return "CONFIG_PM_SLEEP with CAP_BLOCK_SUSPEND";
  case RuleEra::kWakeupDropped:
    return "without CONFIG_PM_SLEEP or CAP_BLOCK_SUSPEND";
  case RuleEra::kNoCapSysResource:
    return "without CAP_SYS_RESOURCE";
  case RuleEra::kEventfdWriteExact:
    return "6.9+";
  case RuleEra::kTcpListenRefusesSynSent:
    return "6.13+ (6.18 measured; 6.12 not)";
  case RuleEra::kTcpListenAfterSynSent:
    return "before 6.13 (5.10, 6.1, 6.12 measured)";
  case RuleEra::kUnixDgramAllocFirst:
    return "6.13+ (6.18 measured; 6.12 not)";
  case RuleEra::kUnixDgramPeerFirst:
    return "before 6.13 (5.10, 6.1, 6.12 measured)";
  case RuleEra::kUnixNoOob:
    return "before 5.15, or without CONFIG_AF_UNIX_OOB";
  case RuleEra::kPwait2:
    return "5.11+";
  case RuleEra::kNoPwait2:
    return "before 5.11";
  case RuleEra::kEpollIoctl:
    return "6.9+";
  case RuleEra::kEpollIoctlBusyPoll:
    return "6.9+ with CONFIG_NET_RX_BUSY_POLL";
  case RuleEra::kEpollIoctlNoBusyPoll:
    return "6.9+ without CONFIG_NET_RX_BUSY_POLL";
  case RuleEra::kNoEpollIoctl:
    return "before 6.9";
  case RuleEra::kBusyPollNoCapNetAdmin:
    return "6.9+ with CONFIG_NET_RX_BUSY_POLL, without CAP_NET_ADMIN";
  case RuleEra::kCapNetAdmin:
    return "with CAP_NET_ADMIN (the SUTs drop it)";
  case RuleEra::kNoCapFowner:
    return "without CAP_FOWNER";
  case RuleEra::kPidfs:
    return "6.9+";
  case RuleEra::kNoPidfs:
    return "before 6.9";
  case RuleEra::kWatchLimitReachable:
    return "fs.epoll.max_user_watches within a sequence's reach (a VM guest)";
  case RuleEra::kTcpConnectRefusesFormerListener:
    return "6.13+ (6.18 measured; 6.12 not)";
  case RuleEra::kTcpConnectAfterListen:
    return "before 6.13 (6.12 measured)";
  case RuleEra::kPidfdIoctlChecksArgs:
    return "6.11-6.13 (6.12 measured)";
  case RuleEra::kUnixOobStopsAtConsumed:
    return "5.15-6.9 (Debian 6.1 measured)";
  case RuleEra::kAnonInodeLseek:
    return "6.0+";
  case RuleEra::kNoAnonInodeLseek:
    return "before 6.0 (Debian 5.10 measured)";
  case RuleEra::kUnixReleaseSkipsEmpty:
    return "6.16+ and stable backports (Debian 6.1, 6.12 measured)";
  case RuleEra::kUnixReleaseAnySkb:
    return "before 6.16 without the backport (Debian 5.10 measured)";
  case RuleEra::kUnixOobZeroRecvReturnsZero:
    return "7.x and stable backports (Debian 7.3, 6.12.117 measured; this "
           "host's 6.18.44 not)";
  case RuleEra::kUnixOobPeekPastMark:
    return "6.9+ and stable backports (Debian 6.1.0-57 measured)";
  case RuleEra::kUnixOobPeekReadsMark:
    return "5.15-6.8 without the backport";
  }
  return "";
}

}  // namespace epollcheck
