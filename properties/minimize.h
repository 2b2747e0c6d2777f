// File: properties/minimize.h
// A second shrinking pass after RapidCheck's. RapidCheck removes commands
// but cannot renumber descriptors, so a shrunk sequence keeps pipes whose
// only role is to hold fd numbers. This pass deletes one operation at a time
// *and renumbers the later operands* so they still name the same files (by
// which operation created them), then simplifies arguments (plain flags,
// fewer event bits, small counts, data = fd). A candidate is kept only if a
// fresh replay still diverges with the same signature.
//
//   std::vector<Op> small = Minimize(ops, "epoll_wait:events.count:epoll",
//                                    make_sut, profile);
#pragma once

#include <string>
#include <vector>

#include "model/ops.h"
#include "model/profile.h"
#include "sut/sut.h"

namespace epollcheck {

// The signature of the first divergence of `ops` replayed on a fresh SUT and
// model, or "" if none. Sets `diverging_step` to its index.
std::string ReplaySignature(const std::vector<Op>& ops,
                            const SutFactory& make_sut, const Profile& profile,
                            int& diverging_step);

// Shrinks `ops` (which must diverge with `signature`) as described above,
// trying at most `max_replays` candidates. Returns the smallest sequence
// found, ending at its diverging step.
std::vector<Op> Minimize(const std::vector<Op>& ops,
                         const std::string& signature,
                         const SutFactory& make_sut, const Profile& profile,
                         int max_replays = 3000);

}  // namespace epollcheck
