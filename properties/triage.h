// File: properties/triage.h
// Divergence signatures and the known-divergence registry. A signature says
// which operation diverged, which part of its result differs and which file
// family was involved, e.g. `epoll_wait:events.order:epoll` or
// `epoll_ctl:errno:epoll+pipe`; a difference the fdinfo oracle found after
// a step whose result agreed is `fdinfo:OP.PART:FAMILY`, e.g.
// `fdinfo:epoll_ctl.events:pipe` (sut/fdinfo.h: which step, which part of
// the interest set, the kinds of the watched files that differ). `check`
// masks a signature once it has shrunk and saved it, so one bug is reported
// once and the search goes on for others; a registry file lists a target's
// known divergences, which are then listed but do not fail the run.
//
//   std::string sig = DivergenceSignature(world_before, op, want, got);
//   KnownDivergences known = *LoadKnown("fixtures/known/scratch.tsv");
#pragma once

#include <map>
#include <optional>
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

// "fdinfo:op.part:family" for a difference after `op`; family from the
// kinds of the files whose items differ in `after` ("unknown" for an item
// whose inode no model file has).
std::string FdinfoSignature(const World& after, const Op& op,
                            const FdinfoDifference& difference);

// "op:part:family", family from the kinds of the files the op names in
// `before` (pipe, eventfd, unix-stream, unix-dgram, unix-seqpacket, epoll,
// nested-epoll, closed), '+'-joined.
std::string DivergenceSignature(const World& before, const Op& op,
                                const Outcome& want, const Outcome& got);
// The same from the kinds of the files `op` named (OperandFamilies), for a
// caller that no longer holds the state before the step.
std::string DivergenceSignature(const Op& op, const Outcome& want,
                                const Outcome& got,
                                const std::vector<std::string>& families);
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
