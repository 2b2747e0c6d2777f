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

#include <functional>
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

// Replays a candidate and returns the signature it fails with ("" if none),
// setting `diverging_step` to the step where it did. `Minimize` above uses
// ReplaySignature on a fresh SUT; the supervised runner replays each
// candidate in a fresh process, so a crash or a hang is a signature too.
using ReplayOracle =
    std::function<std::string(const std::vector<Op>&, int& diverging_step)>;

// Minimize with the replay of each candidate left to `replay`.
std::vector<Op> Minimize(const std::vector<Op>& ops,
                         const std::string& signature,
                         const ReplayOracle& replay, const Profile& profile,
                         int max_replays = 3000);

}  // namespace epollcheck
