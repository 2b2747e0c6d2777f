// File: properties/minimize.h
// The shrinking pass of `check`: from a failing run cut after its diverging
// step, it deletes operations and renumbers the later descriptor operands
// so that each still names the same *descriptor*, then simplifies arguments
// (plain flags, fewer event bits, small counts, data = fd), then, in short
// sequences, deletes pairs of steps. A candidate is kept only if a fresh
// replay still diverges with the same signature. (RapidCheck's shrinking is
// not used: it cannot renumber descriptors, so it kept pipes whose only
// role was to hold fd numbers, and it replayed ~20x more candidates.)
//
// Descriptor identity. Every open descriptor number was bound by one earlier
// step: the step whose result returned it (Returns in model/ops.h: pipe2 and
// socketpair ends, epoll_create, dup, the dup2 target, eventfd, socket,
// accept4...). An operand that names an open number is tied to that step and
// end (DescriptorId), whatever file the descriptor refers to: a dup'ed
// descriptor stays the dup, never becomes the original. Deleting a step
// deletes with it every later step that names one of its descriptors
// (transitively: the uses of a dup of it too), so no operand is ever
// re-pointed at another descriptor, with one exception tried on purpose:
// a dup may go alone, its copy's users naming the descriptor it copied
// (BypassDup; same open file, another number), if the replay still
// diverges with the same signature. A number that was not open when its
// step ran (closed, never opened, -1) is a literal: it is kept and must still
// be closed there. A bit of a descriptor set (select's and a fork's,
// FieldKind::kFdSet) names a descriptor too: it moves to that descriptor's
// number in the candidate (on the same side of select's nfds, or the
// candidate is not tried), or leaves the set with the step that made the
// descriptor; the step stays.
//
//   Minimized m = MinimizeTracked(ops, "epoll_wait:events.count:epoll",
//                                 make_sut, profile);
//   m.ops;     // the smallest sequence found, ending at its diverging step
//   m.origin;  // m.ops[k] is (a simplification of) ops[m.origin[k]]
#pragma once

#include <compare>
#include <cstddef>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "model/ops.h"
#include "model/profile.h"
#include "sut/sut.h"

namespace epollcheck {

// Which descriptor an operand names: the step (index in its sequence) whose
// result bound the number, and which of that step's new descriptors it is
// (0 for a returned descriptor, 0 and 1 for a pair's ends).
struct DescriptorId {
  size_t step = 0;
  size_t slot = 0;
  friend auto operator<=>(const DescriptorId&, const DescriptorId&) = default;
};

// One descriptor operand of a step: a FieldKind::kFd field, or one set bit
// of a FieldKind::kFdSet field (`bit` >= 0), with the number it holds and the
// descriptor that number named when the step ran (nullopt: not open then, a
// literal number).
struct DescriptorOperand {
  std::string field;  // "epfd", "readfds"
  int bit = -1;       // the bit of a kFdSet field; -1 for a kFd field
  int32_t number = -1;
  std::optional<DescriptorId> id;
  friend bool operator==(const DescriptorOperand&,
                         const DescriptorOperand&) = default;
};

// The descriptor operands of every step of `ops`, replayed on the model
// with `profile`.
std::vector<std::vector<DescriptorOperand>>
DescriptorOperands(const std::vector<Op>& ops, const Profile& profile);

// Whether every step of `candidate` whose origin step in `ops` (origin[i])
// was Admissible where it stood is Admissible where it stands in
// `candidate`: minimizing never makes a sequence the generators could not
// (a wait that would sleep, TCP outside its deterministic limits).
bool KeepsAdmissible(const std::vector<Op>& ops,
                     const std::vector<Op>& candidate,
                     const std::vector<size_t>& origin, const Profile& profile);

// `ops` without the steps in `drop` and without every later step that names
// a descriptor one of the deleted steps bound (transitively), the remaining
// descriptor operands renumbered to name the same descriptors as in `ops`.
// nullopt if that cannot be done: a descriptor a kept step names no longer
// exists where it runs (its creating step now fails), a literal number is
// now open there, a descriptor-set bit would have to move, or a step the
// generators could have produced where it stood in `ops` could not be
// where it stands now (KeepsAdmissible). `kept`, if given, receives the
// index in `ops` of each step of the result.
std::optional<std::vector<Op>> DeleteSteps(const std::vector<Op>& ops,
                                           const std::set<size_t>& drop,
                                           const Profile& profile,
                                           std::vector<size_t>* kept = nullptr);

// `ops` without dup (or dup2) step `step`, the operands that named its
// descriptor naming the descriptor it copied instead (the same open file,
// another number): the steps using the copy stay. nullopt if `step` is not
// a dup of an open descriptor, or if DeleteSteps' conditions fail (the
// original is closed where a use of the copy runs...).
std::optional<std::vector<Op>> BypassDup(const std::vector<Op>& ops,
                                         size_t step, const Profile& profile,
                                         std::vector<size_t>* kept = nullptr);

// The signature of the first divergence of `ops` replayed on a fresh SUT and
// model, or "" if none. Sets `diverging_step` to its index.
std::string ReplaySignature(const std::vector<Op>& ops,
                            const SutFactory& make_sut, const Profile& profile,
                            int& diverging_step);

struct Minimized {
  std::vector<Op> ops;         // ends at its diverging step
  std::vector<size_t> origin;  // ops[k] comes from input step origin[k]
  int replays = 0;             // candidates replayed
  // The last round changed nothing: no single step can be deleted (with its
  // dependents, as DeleteSteps does) and no argument simplified without
  // losing the divergence. False if the replay budget ran out first.
  bool one_minimal = false;
};

// Shrinks `ops` (which must diverge with `signature`) as described above,
// trying at most `max_replays` candidates.
Minimized MinimizeTracked(const std::vector<Op>& ops,
                          const std::string& signature,
                          const SutFactory& make_sut, const Profile& profile,
                          int max_replays = 3000);

// MinimizeTracked(...).ops.
std::vector<Op> Minimize(const std::vector<Op>& ops,
                         const std::string& signature,
                         const SutFactory& make_sut, const Profile& profile,
                         int max_replays = 3000);

// Replays a candidate and returns the signature it fails with ("" if none),
// setting `diverging_step` to the step where it did. The overloads above use
// ReplaySignature on a fresh SUT; the supervised runner replays each
// candidate in a fresh process, so a crash or a hang is a signature too.
using ReplayOracle =
    std::function<std::string(const std::vector<Op>&, int& diverging_step)>;

// MinimizeTracked and Minimize with the replay of each candidate left to
// `replay`.
Minimized MinimizeTracked(const std::vector<Op>& ops,
                          const std::string& signature,
                          const ReplayOracle& replay, const Profile& profile,
                          int max_replays = 3000);
std::vector<Op> Minimize(const std::vector<Op>& ops,
                         const std::string& signature,
                         const ReplayOracle& replay, const Profile& profile,
                         int max_replays = 3000);

}  // namespace epollcheck
