// File: properties/triage.h
// Divergence signatures and the known-divergence registry. A signature says
// which operation diverged, which part of its result differs and which model
// rule decided that part (properties/decided_by.h), e.g.
// `epoll_wait:events.count:pipe.write.wake.was_empty` or
// `epoll_ctl:errno:epoll_ctl.ebadf.fd`: one cause, one signature, whatever
// files and history led there. A difference the fdinfo oracle found after a
// step whose result agreed is `fdinfo:OP.PART:RULE`, e.g.
// `fdinfo:epoll_ctl.events:epoll_ctl.events.err_hup_implied` (sut/fdinfo.h).
// When no rule can be named the key is `family.` and the kinds of the files
// involved, as `epoll_wait:events.count:family.epoll` (the signatures of
// earlier versions named these kinds always). `check` masks a signature once
// it has shrunk and saved it, so one bug is reported once and the search
// goes on for others; a registry file lists a target's known divergences,
// which are then listed but do not fail the run.
//
//   std::string sig = DivergenceSignature(ops, want, got, families);
//   KnownDivergences known = *LoadKnown("fixtures/known/scratch.tsv");
#pragma once

#include <map>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "model/ops.h"
#include "model/outcome.h"
#include "model/world.h"
#include "sut/fdinfo.h"

namespace epollcheck {

// Which part of a result differs: "errno", "ret", "fds", "events.count",
// "events.order", "events.mask" or "events.data"; "" if they are equal.
std::string DifferingPart(const Outcome& want, const Outcome& got);

// The kind of the file open at `fd` in `world`: pipe, eventfd, unix-stream,
// unix-dgram, unix-seqpacket, epoll, nested-epoll (an epoll watching an
// epoll), or closed.
std::string FileFamilyName(const World& world, int32_t fd);

// The family name of file `file` of `world`, as FileFamilyName.
std::string FileFamilyNameOf(const World& world, FileId file);

// The operation's name in a signature: the call, a variant that shares the
// kernel's path named by its base call (epoll_pwait and epoll_pwait2 are
// epoll_wait, ppoll is poll, pselect6 is select), so that one cause seen
// through two variants is one signature; a check of the variant's own (a
// bad sigset size) has its own rule.
std::string_view SignatureOpName(const Op& op);

// The fallback key when no rule decided: "family." + the kinds '+'-joined
// ("family.none" for none).
std::string FamilyKey(const std::vector<std::string>& families);

// "fdinfo:op.part:rule" for a difference after the last step of `ops`
// (the whole sequence, replayed on a model with `after`'s profile); without
// a rule, the kinds of the files whose items differ in `after` ("unknown"
// for an item whose inode no model file has).
std::string FdinfoSignature(std::span<const Op> ops, const World& after,
                            const FdinfoDifference& difference);

// "op:part:rule" for a divergence at the last step of `ops` (the whole
// sequence, replayed on a model with `profile`); without a rule, the kinds
// of the files the op named before the step (OperandFamilies).
std::string DivergenceSignature(const Profile& profile, std::span<const Op> ops,
                                const Outcome& want, const Outcome& got,
                                const std::vector<std::string>& families);
// "op:hang:rule" for the last step of `ops` not returning (the whole
// sequence, replayed on a model with `profile`): the rule that decided the
// outcome the model expects there (its errno's, else the step's own), or
// the kinds of the files the op names, so that a SUT that blocks where
// Linux refuses (gVisor's epoll_pwait2 with a negative tv_sec) is one
// signature a registry can hold, apart from other hangs. "hang" when `ops`
// is empty (the teardown, or a step not known).
std::string HangSignature(const Profile& profile, std::span<const Op> ops);
// True for "hang" and "op:hang:rule".
bool IsHangSignature(std::string_view signature);
// The kinds of the files `op` names in `before` (FileFamilyName), sorted,
// each once.
std::vector<std::string> OperandFamilies(const World& before, const Op& op);

struct KnownDivergence {
  std::string scenario;  // path of the scenario that shows it
  std::string note;
};
// signature -> entry
using KnownDivergences = std::map<std::string, KnownDivergence>;

// Reads a registry: one `signature<TAB>scenario<TAB>note` per line, '#'
// comments. Returns the entries or "file:line: what is wrong".
std::variant<KnownDivergences, std::string> LoadKnown(const std::string& path);

}  // namespace epollcheck
