#include "sut/profile_probe.h"

#include <functional>
#include <sstream>

#include "model/abi.h"
#include "model/fdinfo.h"
#include "model/step.h"

namespace epollcheck {
namespace {

// The probe of one era feature: operations on descriptors numbered from 0
// in a fresh table.
struct FeatureProbe {
  std::string_view feature;
  std::vector<Op> ops;
  // After the ops, the stored mask of descriptor 0's first epoll item as
  // fdinfo shows it is one more result (the model's: its interest set).
  bool fdinfo = false;
};

constexpr uint32_t kNonblock = abi::kONonblock;

std::vector<FeatureProbe> Probes() {
  using abi::kEpollCtlAdd;
  using abi::kEpollEt;
  using abi::kEpollIn;
  using abi::kEpollOut;
  return {
      // A closed epfd and maxevents 0: EBADF if the descriptor is checked
      // first (6.15+), EINVAL if maxevents is.
      {"epoll_wait.check_order", {EpollWait{.epfd = -1, .maxevents = 0}}},
      // A chain e4 > e3 > e2 > e1 > e0 (4 links), then a 5th link below its
      // bottom (e0 ADD e5): ELOOP when the levels above e0 count, else 0.
      {"epoll_ctl.loop_check",
       {EpollCreate1{}, EpollCreate1{}, EpollCreate1{}, EpollCreate1{},
        EpollCreate1{}, EpollCreate1{},
        EpollCtl{.epfd = 1, .op = kEpollCtlAdd, .fd = 0, .events = kEpollIn},
        EpollCtl{.epfd = 2, .op = kEpollCtlAdd, .fd = 1, .events = kEpollIn},
        EpollCtl{.epfd = 3, .op = kEpollCtlAdd, .fd = 2, .events = kEpollIn},
        EpollCtl{.epfd = 4, .op = kEpollCtlAdd, .fd = 3, .events = kEpollIn},
        EpollCtl{.epfd = 0, .op = kEpollCtlAdd, .fd = 5, .events = kEpollIn}}},
      // An edge-triggered reader item on a pipe (p.r = 0, p.w = 1, e = 2):
      // a second write to a non-empty pipe wakes it (not 5.5-5.13), and a
      // write refused with EAGAIN on a full pipe wakes it only where the
      // rule is "empty or polled" (5.14+: the wakeup is at `out:`).
      {"pipe.write_wake",
       {Pipe2{.flags = kNonblock}, EpollCreate1{},
        EpollCtl{.epfd = 2,
                 .op = kEpollCtlAdd,
                 .fd = 0,
                 .events = kEpollIn | kEpollEt,
                 .data = 1},
        Write{.fd = 1, .count = 1}, EpollWait{.epfd = 2, .maxevents = 8},
        Write{.fd = 1, .count = 1}, EpollWait{.epfd = 2, .maxevents = 8},
        Write{.fd = 1, .count = 65536}, EpollWait{.epfd = 2, .maxevents = 8},
        Write{.fd = 1, .count = 1}, EpollWait{.epfd = 2, .maxevents = 8}}},
      // A full pipe (p.r = 0, p.w = 1), an edge-triggered writer item and an
      // eventfd item (ev = 2, e = 3). A 1-byte read leaves the pipe full:
      // before 6.14 it still wakes the writer item, which is queued first;
      // then the eventfd is queued; the read that empties a slot wakes the
      // writer for sure. The wait's order tells which came first.
      {"pipe.read_wake",
       {Pipe2{.flags = kNonblock}, Eventfd{.initval = 0, .flags = kNonblock},
        EpollCreate1{}, Write{.fd = 1, .count = 65536},
        EpollCtl{.epfd = 3,
                 .op = kEpollCtlAdd,
                 .fd = 1,
                 .events = kEpollOut | kEpollEt,
                 .data = 1},
        EpollCtl{.epfd = 3,
                 .op = kEpollCtlAdd,
                 .fd = 2,
                 .events = kEpollIn,
                 .data = 2},
        Read{.fd = 0, .count = 1}, EventfdWrite{.fd = 2, .value = 1},
        Read{.fd = 0, .count = 4095}, EpollWait{.epfd = 3, .maxevents = 8}}},
      // A 9-byte write to an eventfd: EINVAL (6.9+) or 8.
      {"eventfd.write_size",
       {Eventfd{.initval = 0, .flags = kNonblock}, Write{.fd = 0, .count = 9}}},
      // A TCP connect to 127.0.0.1 port 0 (name 1, never bound) is refused;
      // then listen() on the socket: EINVAL, or 0.
      {"tcp.listen_after_connect",
       {InetSocket{.type = abi::kSockStream | abi::kSockNonblock},
        Connect{.fd = 0, .name = 1}, Connect{.fd = 0, .name = 0},
        Listen{.fd = 0, .backlog = 1}}},
      // A TCP socket listens, is shut down (SHUT_RD undoes the listen), then
      // connects to 127.0.0.1 (name 1, never bound): EINVAL where a former
      // listener cannot connect, EINPROGRESS (then refused) where it can.
      {"tcp.connect_after_listen",
       {InetSocket{.type = abi::kSockStream | abi::kSockNonblock},
        Listen{.fd = 0, .backlog = 1}, Shutdown{.fd = 0, .how = abi::kShutRd},
        Connect{.fd = 0, .name = 1}}},
      // An unconnected AF_UNIX datagram socket shut for writing sends
      // without an address: EPIPE if the allocation comes first, ENOTCONN
      // if the peer lookup does.
      {"unix.dgram_send_order",
       {UnixSocket{.type = abi::kSockDgram | abi::kSockNonblock},
        Shutdown{.fd = 0, .how = abi::kShutWr}, Send{.fd = 0, .count = 1}}},
      // A 1-byte MSG_OOB send on an AF_UNIX stream pair: 1, or EOPNOTSUPP
      // without CONFIG_AF_UNIX_OOB. Then a 1-byte write, the out-of-band
      // byte taken (its skb stays queued, consumed) and a read: the
      // consumed skb is dropped and the read goes on (1, 6.10+), or it ends
      // the read (EAGAIN, 5.15-6.9).
      {"unix.msg_oob",
       {Socketpair{.type = abi::kSockStream | abi::kSockNonblock},
        Send{.fd = 0, .count = 1, .flags = abi::kMsgOob},
        Write{.fd = 0, .count = 1},
        Recv{.fd = 1, .count = 1, .flags = abi::kMsgOob},
        Read{.fd = 1, .count = 128}}},
      // A 1-byte MSG_OOB send, then 2 bytes of data: a 128-byte peek steps
      // over the pending out-of-band byte (2, 6.9+ and Debian's 6.1.0-57)
      // or reads it as data and goes on (3, before). Moot without MSG_OOB.
      {"unix.oob_peek",
       {Socketpair{.type = abi::kSockStream | abi::kSockNonblock},
        Send{.fd = 0, .count = 1, .flags = abi::kMsgOob},
        Send{.fd = 0, .count = 2},
        Recv{.fd = 1, .count = 128, .flags = abi::kMsgPeek}}},
      // An out-of-band byte taken (its consumed skb alone in the queue),
      // then a 0-byte recv: manage_oob drops the skb, and the read returns
      // 0 (7.3, 6.12.117) or EAGAIN (6.18.44). Moot without MSG_OOB.
      {"unix.oob_zero_recv",
       {Socketpair{.type = abi::kSockStream | abi::kSockNonblock},
        Send{.fd = 0, .count = 1, .flags = abi::kMsgOob},
        Recv{.fd = 1, .count = 1, .flags = abi::kMsgOob},
        Recv{.fd = 1, .count = 0}}},
      // An AF_UNIX seqpacket pair: a zero-length record, then its receiver
      // closes: the sender's SO_ERROR is 0 where a lone empty skb is
      // skipped, ECONNRESET (104) where any skb counts.
      {"unix.close_reset",
       {Socketpair{.type = abi::kSockSeqpacket | abi::kSockNonblock},
        Send{.fd = 1, .count = 0}, Close{.fd = 0},
        GetSockOpt{.fd = 1, .name = abi::kSoError}}},
      // epoll_pwait2 on a closed epfd: EBADF where the call exists (5.11+),
      // ENOSYS before.
      {"epoll_pwait2", {EpollPwait2{.epfd = -1, .maxevents = 1}}},
      // An item added with IN|WAKEUP (e = 0, p.r = 1): its stored mask in
      // fdinfo keeps WAKEUP or not.
      {"epoll_ctl.epollwakeup",
       {EpollCreate1{}, Pipe2{.flags = kNonblock},
        EpollCtl{.epfd = 0,
                 .op = kEpollCtlAdd,
                 .fd = 1,
                 .events = kEpollIn | abi::kEpollWakeup}},
       true},
      // lseek on an eventfd: 0 (noop_llseek), or ESPIPE before 6.0.
      {"lseek.anon_inode",
       {Eventfd{.initval = 0, .flags = kNonblock},
        Lseek{.fd = 0, .offset = 0, .whence = abi::kSeekSet}}},
      // A child that exited and was reaped (pidfd 0): poll reports
      // IN|HUP under pidfs (6.9+), IN before.
      {"pidfd.pidfs",
       {Fork{}, ChildExit{.pidfd = 0}, Reap{.pidfd = 0},
        Poll{.fd0 = 0, .events0 = kEpollIn, .nfds = 1}}},
      // EPIOCGPARAMS (a non-zero arg) on the pidfd of a reaped child:
      // ENOTTY (no pidfd ioctl, or the command refused first), EINVAL (the
      // arg checked first: 6.11-6.12) or ESRCH (the task first: 6.13).
      {"pidfd.ioctl",
       {Fork{}, ChildExit{.pidfd = 0}, Reap{.pidfd = 0},
        EpollIoctl{.fd = 0, .cmd = abi::kEpiocGParams}}},
      // EPIOCGPARAMS on an epoll file: the parameters (6.9+ with
      // CONFIG_NET_RX_BUSY_POLL), EOPNOTSUPP (without it), or ENOTTY
      // (before 6.9).
      {"epoll.ioctl",
       {EpollCreate1{}, EpollIoctl{.fd = 0, .cmd = abi::kEpiocGParams}}},
  };
}

// The probe of one operation family: available iff every result is the
// model's (6.18) prediction.
struct FamilyProbe {
  uint32_t family;
  std::string_view name;
  std::vector<Op> ops;
};

std::vector<FamilyProbe> FamilyProbes() {
  return {
      {kFamilyUnixOob,
       "unixoob",
       {Socketpair{.type = abi::kSockStream | abi::kSockNonblock},
        Send{.fd = 0, .count = 1, .flags = abi::kMsgOob}}},
      {kFamilyTcp,
       "tcp",
       {InetSocket{.type = abi::kSockStream | abi::kSockNonblock}}},
      {kFamilyUdp,
       "udp",
       {InetSocket{.type = abi::kSockDgram | abi::kSockNonblock}}},
      // clone3 with CLONE_PIDFD (5.3+).
      {kFamilyFork, "fork", {Fork{}}},
  };
}

// The fdinfo result of a probe: the first item's stored mask, or the
// reading's error (EINVAL: no item shown).
Outcome FdinfoResult(const FdinfoReading& reading) {
  if (reading.error != 0)
    return Outcome::Error(reading.error);
  if (reading.lines.empty())
    return Outcome::Error(abi::kEinval);
  return Outcome::Value(reading.lines.front().events);
}

std::vector<Outcome> RunOn(const SutFactory& make, const std::vector<Op>& ops,
                           bool fdinfo = false) {
  std::unique_ptr<Sut> sut = make();
  std::vector<Outcome> got;
  for (const Op& op : ops)
    got.push_back(sut->Execute(op));
  if (fdinfo) {
    got.push_back(sut->FdinfoOff().empty() ? FdinfoResult(sut->ReadFdinfo(0))
                                           : Outcome::Error(abi::kEnosys));
  }
  (void)sut->Finish();
  return got;
}

std::vector<Outcome> Predict(const Profile& profile, const std::vector<Op>& ops,
                             bool fdinfo = false) {
  World world;
  world.profile = profile;
  std::vector<Outcome> out;
  for (const Op& op : ops)
    out.push_back(Step(world, op));
  if (fdinfo) {
    const std::optional<FileId> ep = world.FileIdAt(0);
    const std::vector<InterestItem> items =
        ep ? InterestSet(world, *ep) : std::vector<InterestItem>{};
    out.push_back(items.empty() ? Outcome::Error(abi::kEinval)
                                : Outcome::Value(items.front().events));
  }
  return out;
}

// Steps past the ops are the fdinfo result (FeatureProbe::fdinfo).
std::string Steps(const std::vector<Op>& ops, const std::vector<Outcome>& got,
                  const std::function<bool(size_t)>& keep) {
  std::ostringstream os;
  bool first = true;
  for (size_t i = 0; i < got.size(); ++i) {
    if (!keep(i))
      continue;
    os << (first ? "" : ", ");
    if (i < ops.size()) {
      os << ops[i] << " -> " << got[i];
    } else if (got[i].IsError()) {
      os << "fdinfo(0) -> " << got[i];
    } else {
      os << "fdinfo(0) -> events "
         << EventMaskString(static_cast<uint32_t>(got[i].ret));
    }
    first = false;
  }
  return os.str();
}

const EraFeature& FeatureNamed(std::string_view name) {
  for (const EraFeature& f : EraFeatures()) {
    if (f.name == name)
      return f;
  }
  return EraFeatures().front();  // every probe names a feature (tested)
}

}  // namespace

ProbedProfile ProbeProfile(const SutFactory& make, const Profile& base,
                           int near_major, int near_minor) {
  ProbedProfile probed;
  probed.profile = base;
  for (const FeatureProbe& probe : Probes()) {
    const EraFeature& feature = FeatureNamed(probe.feature);
    const std::vector<Outcome> got = RunOn(make, probe.ops, probe.fdinfo);
    std::vector<std::vector<Outcome>> predicted;
    for (size_t v = 0; v < feature.values.size(); ++v) {
      Profile candidate = probed.profile;
      feature.set(candidate, static_cast<int>(v));
      predicted.push_back(Predict(candidate, probe.ops, probe.fdinfo));
    }
    // The deciding steps: those whose prediction depends on the value. A
    // value matches if it predicts every deciding step; a step no value
    // can explain (a target that differs from the model elsewhere, e.g.
    // gVisor's byte-counted pipe capacity) is named, not held against one.
    const auto deciding = [&](size_t i) {
      for (const auto& p : predicted) {
        if (!(p[i] == predicted[0][i]))
          return true;
      }
      return false;
    };
    std::vector<size_t> matching;
    for (size_t v = 0; v < predicted.size(); ++v) {
      bool all = true;
      for (size_t i = 0; i < got.size(); ++i)
        all = all && (!deciding(i) || predicted[v][i] == got[i]);
      if (all)
        matching.push_back(v);
    }
    const auto unexplained = [&](size_t i) {
      return !deciding(i) && !(got[i] == predicted[0][i]);
    };
    ProbeEvidence e;
    e.feature = std::string(feature.name);
    if (matching.empty()) {
      e.decided = false;
      e.value = std::string(
          feature.values[static_cast<size_t>(feature.get(probed.profile))]);
      e.evidence = Steps(probe.ops, got, deciding);
      e.note = "no value predicts these results; kept " + e.value;
    } else {
      feature.set(probed.profile, static_cast<int>(matching[0]));
      e.value = std::string(feature.values[matching[0]]);
      e.evidence = Steps(probe.ops, got, deciding);
      if (e.evidence.empty())  // moot here: every step, to show why
        e.evidence = Steps(probe.ops, got, [](size_t) { return true; });
      // Values the profile reads back as the chosen one (a feature moot on
      // this target, e.g. unix.oob_zero_recv without MSG_OOB) are no
      // ambiguity.
      for (size_t m = 1; m < matching.size(); ++m) {
        Profile other = probed.profile;
        feature.set(other, static_cast<int>(matching[m]));
        if (feature.get(other) == feature.get(probed.profile))
          continue;
        e.note += (e.note.empty() ? "same results as " : ", ") +
                  std::string(feature.values[matching[m]]);
      }
    }
    if (const std::string other = Steps(probe.ops, got, unexplained);
        !other.empty()) {
      e.note += (e.note.empty() ? "" : "; ") +
                std::string("differs from the model elsewhere: ") + other;
    }
    probed.features.push_back(e);
  }
  for (const FamilyProbe& probe : FamilyProbes()) {
    const std::vector<Outcome> got = RunOn(make, probe.ops);
    // Against the full-featured model (6.18): a family whose feature probed
    // as missing (unix.msg_oob) is left out of generation too.
    const std::vector<Outcome> want = Predict(Profile{}, probe.ops);
    ProbeEvidence e;
    e.feature = std::string(probe.name);
    e.value = got == want ? "yes" : "no";
    e.evidence = Steps(probe.ops, got, [&](size_t i) {
      return i + 1 == probe.ops.size() || !(got[i] == want[i]);
    });
    if (got != want)
      probed.families &= ~probe.family;
    probed.family_probes.push_back(e);
  }
  probed.profile.name = ProfileName(probed.profile, near_major, near_minor);
  return probed;
}

std::string ProbeReport(const ProbedProfile& probed) {
  std::ostringstream os;
  for (const ProbeEvidence& e : probed.features) {
    os << "  " << e.feature << "=" << e.value << " (" << e.evidence;
    if (!e.note.empty())
      os << "; " << e.note;
    os << ")\n";
  }
  for (const ProbeEvidence& e : probed.family_probes) {
    if (e.value == "no")
      os << "  family " << e.feature << " unavailable (" << e.evidence << ")\n";
  }
  return os.str();
}

}  // namespace epollcheck
