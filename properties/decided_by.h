// File: properties/decided_by.h
// Which model rule decided the part of a result that differs: the key of a
// divergence signature (properties/triage.h), so that one cause gets one
// signature and distinct causes distinct ones. The model is replayed over
// the sequence with a rule trace (model/rules.h ScopedRuleTrace), so nothing
// is recorded while sequences run; the trace says which rules the model
// applied at each step and what each was about (a file's readiness, an epoll
// item's wakeup, delivery or poll). The deciding rule of a differing part:
//
//   errno, or ret when the model fails: the rule of the step that names the
//     model's errno (`epoll_ctl.ebadf.fd`), the last one applied; a socket's
//     pending error, the rule that reports it (`tcp.recv.err`);
//   events.mask, poll/select results: the readiness rule of the first
//     differing file that names a differing bit (`pipe.poll.err.no_readers`;
//     IN, RDNORM, RDBAND are `in`; OUT, WRNORM, WRBAND `out`; PRI, ERR,
//     HUP, RDHUP, NVAL their own); an epoll file readable in the model,
//     what queued the item that makes it so; no rule (a bit the model does
//     not set by no rule), `family.KIND` of that file;
//   events.count, events.data of epoll_wait: for an event the model returns
//     and the SUT does not, what queued its item: the rule of the wakeup
//     whose callback queued it (`pipe.write.wake.was_empty`, through nested
//     instances), or `epoll_ctl.add.ready`, `epoll_ctl.mod.ready_queue`,
//     `epoll_wait.deliver.lt_requeue`; for an event only the SUT returns,
//     the model's readiness of its file if the model found it not ready,
//     else its last decision about the item (`epoll_wait.deliver.et`,
//     `epoll.callback.ignore.key`); as many events but one the model had
//     queued behind the ones it returned: as events.order;
//   events.order: the rule that queued the first event the SUT returns out
//     of the model's order (`epoll.callback.queue`, ...);
//   ret (the model succeeds), value, fds: the first rule of the step itself
//     (outside scopes) that is not a wakeup (the decision its effects
//     follow), and, when the SUT fails the call (but for EMFILE), not a
//     descriptor's numbering or a file's release (`pipe.write.zero`);
//   fdinfo items: the rule that added or removed the last item of the step
//     (`epoll_ctl.add.insert`, `epoll_ctl.del.ok`,
//     `epoll.release.watched_file`); events: the rule that decided the stored
//     mask (`epoll_ctl.events.err_hup_implied`); other fdinfo parts: the
//     last rule of the step itself.
// "" when nothing can be named (the caller falls back to file families).
//
//   std::string rule = DecidingRule(profile, ops, "errno", want, got);
#pragma once

#include <span>
#include <string>
#include <vector>

#include "model/ops.h"
#include "model/outcome.h"
#include "model/profile.h"

namespace epollcheck {

// The rule that decided part `part` (DifferingPart) of the last step of
// `ops`, in which `want` (the model's outcome) and `got` differ; `ops` is the
// whole sequence up to that step, replayed on a fresh model with `profile`.
std::string DecidingRule(const Profile& profile, std::span<const Op> ops,
                         const std::string& part, const Outcome& want,
                         const Outcome& got);

// The rule that decided the interest-set part `part` (FdinfoDifference) after
// the last step of `ops`.
std::string DecidingFdinfoRule(const Profile& profile, std::span<const Op> ops,
                               const std::string& part);

}  // namespace epollcheck
