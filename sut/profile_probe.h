// File: sut/profile_probe.h
// Decides the model profile of a target from its behaviour, not its version
// number: each era feature (model/profile.h EraFeatures) has a probe, a
// few operations run on a fresh SUT (for the kernel: an executor's private
// descriptor table, closed again after), and the feature takes the value
// whose model prediction matches every result. Stable kernels carry
// backports and gVisor calls itself 4.4.0, so `uname` is only reported.
// Operation families the target lacks (AF_UNIX MSG_OOB before 5.15 or
// without CONFIG_AF_UNIX_OOB, AF_INET) are probed the same way.
//
//   ProbedProfile p = ProbeProfile(make_kernel, host_facts);
//   std::cout << ProbeReport(p);  // "epoll_wait.check_order=fd-first (...)"
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/profile.h"
#include "sut/sut.h"

namespace epollcheck {

// How one feature (or one family) was decided.
struct ProbeEvidence {
  std::string feature;   // "epoll_wait.check_order", or a family: "unixoob"
  std::string value;     // "fd-first"; a family: "yes" or "no"
  std::string evidence;  // the deciding steps: "epoll_wait(-1, 0) -> -1 EBADF"
  // "" when exactly one value predicts every deciding step (a step whose
  // prediction depends on the value); "same results as X" when several do
  // (the first listed is taken); "no value predicts ..." when none does
  // (the base profile's value is kept); "differs from the model elsewhere:
  // ..." names a step no value explains (a difference the run will report).
  std::string note;
  bool decided = true;  // false: no value predicted the results
};

struct ProbedProfile {
  Profile profile;                   // base + decided features, named
  uint32_t families = kAllFamilies;  // the families the target implements
  std::vector<ProbeEvidence> features;
  std::vector<ProbeEvidence> family_probes;
};

// Runs every probe on fresh SUTs from `make`. `base` carries the host facts
// (socket calibration, RLIMIT_NOFILE, privileges) and the value kept for a
// feature no value explains; `near` names the era the profile is named
// after among equivalent ones (ProfileName), e.g. uname's version.
ProbedProfile ProbeProfile(const SutFactory& make, const Profile& base,
                           int near_major = 99, int near_minor = 0);

// One line per feature and per missing family:
// "  epoll_wait.check_order=fd-first (epoll_wait(-1, 0) -> -1 EBADF)".
std::string ProbeReport(const ProbedProfile& probed);

}  // namespace epollcheck
