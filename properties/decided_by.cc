#include "properties/decided_by.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <map>
#include <optional>
#include <string_view>
#include <tuple>

#include "model/abi.h"
#include "model/rules.h"
#include "model/step.h"
#include "model/world.h"
#include "properties/triage.h"

namespace epollcheck {
namespace {

using Kind = RuleTraceEntry::Kind;
using Rule = uint16_t;

std::string_view NameOf(Rule rule) { return kRules[rule].name; }

// True if a '.'-separated component of `name` is `token` or starts with
// `token` + '_' (`eagain`, `hup_suppressed` for `hup`).
bool NamesToken(std::string_view name, std::string_view token) {
  size_t start = 0;
  while (start <= name.size()) {
    size_t end = name.find('.', start);
    if (end == std::string_view::npos)
      end = name.size();
    const std::string_view part = name.substr(start, end - start);
    if (part == token ||
        (part.size() > token.size() && part.substr(0, token.size()) == token &&
         part[token.size()] == '_'))
      return true;
    start = end + 1;
  }
  return false;
}

bool IsWakeup(Rule rule) {
  return NameOf(rule).find("wake") != std::string_view::npos;
}

// Not a wakeup's cause: the callback's own rules, and bookkeeping (a new
// descriptor's number, a file reference dropped) that may precede a wakeup
// whose site has no rule.
bool IsNoCause(Rule rule) {
  const std::string_view name = NameOf(rule);
  return name.starts_with("epoll.callback.") || name.starts_with("fd.alloc.") ||
         name.starts_with("file.put.");
}

constexpr std::string_view kQueueRules[] = {
    "epoll.callback.queue", "epoll_ctl.add.ready", "epoll_ctl.mod.ready_queue",
    "epoll_wait.deliver.lt_requeue"};
constexpr std::string_view kDecisionRules[] = {
    "epoll.callback.queue",
    "epoll_ctl.add.ready",
    "epoll_ctl.mod.ready_queue",
    "epoll_wait.deliver.lt_requeue",
    "epoll_wait.deliver.et",
    "epoll_wait.deliver.oneshot_disarm",
    "epoll_wait.deliver.not_ready_dropped",
    "epoll.poll.prune",
    "epoll.callback.ignore.disarmed",
    "epoll.callback.ignore.key",
    "epoll_ctl.add.not_ready",
    "epoll_ctl.mod.not_ready"};
// Decisions that an item is not ready (its file's poll said no).
constexpr std::string_view kNotReadyRules[] = {
    "epoll_wait.deliver.not_ready_dropped", "epoll.poll.prune",
    "epoll_ctl.add.not_ready", "epoll_ctl.mod.not_ready"};
constexpr std::string_view kDeliveryRules[] = {
    "epoll_wait.deliver.lt_requeue", "epoll_wait.deliver.et",
    "epoll_wait.deliver.oneshot_disarm"};

template <size_t N>
bool IsOneOf(Rule rule, const std::string_view (&names)[N]) {
  return std::find(std::begin(names), std::end(names), NameOf(rule)) !=
         std::end(names);
}

// An epoll item: (epoll file, watched file, fd).
using ItemId = std::tuple<uint32_t, uint32_t, int32_t>;

// What the model last decided about an item's place on its ready list.
struct ItemHistory {
  std::optional<Rule> queued_by;   // the cause of its last queueing
  std::optional<Rule> queue_rule;  // the rule that queued it
  std::optional<Rule> decision;    // the last decision about it
  // The readiness rules of the file's poll at that decision.
  std::vector<Rule> poll_rules;
};

// A scope of the last step's trace, with its own rules and inner scopes.
struct Node {
  Kind kind = Kind::kRule;  // kRule: the step itself
  uint32_t file = 0;
  uint32_t epoll = 0;
  int32_t fd = -1;
  std::vector<Rule> rules;
  std::vector<size_t> children;  // indices into the node vector
};

// The replayed sequence: item histories before the last step, the last
// step's scopes (node 0 its top level), the world before it.
struct Replay {
  std::map<ItemId, ItemHistory> items;
  std::vector<Node> nodes;
  std::vector<Rule> step_rules;  // every rule of the last step, in order
  World before;
};

struct Open {
  RuleTraceEntry entry;
  std::vector<Rule> rules;
  std::optional<Rule> cause;
  std::vector<Rule> poll_rules;  // an item's: its file's readiness rules
};

void CloseItem(const Open& open, std::map<ItemId, ItemHistory>& items) {
  ItemHistory& h =
      items[ItemId(open.entry.epoll, open.entry.file, open.entry.fd)];
  for (const Rule r : open.rules) {
    if (IsOneOf(r, kQueueRules)) {
      h.queue_rule = r;
      h.queued_by =
          NameOf(r) == "epoll.callback.queue" && open.cause ? *open.cause : r;
    }
    if (IsOneOf(r, kDecisionRules)) {
      h.decision = r;
      h.poll_rules = open.poll_rules;
    }
  }
}

Replay Run(const Profile& profile, std::span<const Op> ops) {
  Replay replay;
  World world;
  world.profile = profile;
  RuleTrace trace;
  size_t last_start = 0;
  std::vector<size_t> starts;  // where each step's entries begin
  {
    const ScopedRuleTrace tracing(&trace);
    for (size_t i = 0; i < ops.size(); ++i) {
      starts.push_back(trace.size());
      if (i + 1 == ops.size()) {
        replay.before = world;
        last_start = trace.size();
      }
      (void)Step(world, ops[i]);
    }
  }
  // The history before the last step.
  std::vector<Open> stack;
  // A wakeup's cause: the step's last rule before its callback.
  std::optional<Rule> last_cause;
  size_t step = 0;
  for (size_t i = 0; i < last_start; ++i) {
    for (; step < starts.size() && starts[step] <= i; ++step)
      last_cause.reset();
    const RuleTraceEntry& e = trace[i];
    switch (e.kind) {
    case Kind::kRule:
      if (!stack.empty())
        stack.back().rules.push_back(e.rule);
      if (!IsNoCause(e.rule))
        last_cause = e.rule;
      break;
    case Kind::kPoll:
    case Kind::kItem:
      stack.push_back(Open{.entry = e, .rules = {}, .cause = last_cause});
      break;
    case Kind::kEnd: {
      Open closed = std::move(stack.back());
      stack.pop_back();
      if (closed.entry.kind == Kind::kItem) {
        CloseItem(closed, replay.items);
      } else if (!stack.empty() && stack.back().entry.kind == Kind::kItem) {
        stack.back().poll_rules.insert(stack.back().poll_rules.end(),
                                       closed.rules.begin(),
                                       closed.rules.end());
      }
      break;
    }
    }
  }
  // The last step as a tree of scopes.
  replay.nodes.emplace_back();
  std::vector<size_t> open{0};
  for (size_t i = last_start; i < trace.size(); ++i) {
    const RuleTraceEntry& e = trace[i];
    switch (e.kind) {
    case Kind::kRule:
      replay.nodes[open.back()].rules.push_back(e.rule);
      replay.step_rules.push_back(e.rule);
      break;
    case Kind::kPoll:
    case Kind::kItem: {
      const size_t index = replay.nodes.size();
      replay.nodes.push_back(
          Node{.kind = e.kind, .file = e.file, .epoll = e.epoll, .fd = e.fd});
      replay.nodes[open.back()].children.push_back(index);
      open.push_back(index);
      break;
    }
    case Kind::kEnd:
      open.pop_back();
      break;
    }
  }
  return replay;
}

// A readiness class: the bits a rule named `...in...` sets (IN and its
// companions RDNORM, RDBAND), and its own bit.
struct ReadinessClass {
  uint32_t mask;
  uint32_t primary;
  std::string_view name;
};
constexpr std::array<ReadinessClass, 7> kClasses{{
    {abi::kEpollIn | abi::kEpollRdNorm | abi::kEpollRdBand, abi::kEpollIn,
     "in"},
    {abi::kEpollPri, abi::kEpollPri, "pri"},
    {abi::kEpollOut | abi::kEpollWrNorm | abi::kEpollWrBand, abi::kEpollOut,
     "out"},
    {abi::kEpollErr, abi::kEpollErr, "err"},
    {abi::kEpollHup, abi::kEpollHup, "hup"},
    {abi::kEpollNval, abi::kEpollNval, "nval"},
    {abi::kEpollRdHup, abi::kEpollRdHup, "rdhup"},
}};

// Readiness classes of a mask's bits, lowest bit first.
std::vector<std::string_view> Classes(uint32_t bits) {
  std::vector<std::string_view> classes;
  for (const ReadinessClass& c : kClasses) {
    if ((bits & c.mask) != 0)
      classes.push_back(c.name);
  }
  return classes;
}

// The rule of `rules` naming the first class of `classes` that one names
// (the last such rule), and that class.
std::optional<Rule> ClassRule(const std::vector<Rule>& rules,
                              const std::vector<std::string_view>& classes,
                              std::string_view* matched = nullptr) {
  for (const std::string_view c : classes) {
    for (auto r = rules.rbegin(); r != rules.rend(); ++r) {
      if (NamesToken(NameOf(*r), c)) {
        if (matched != nullptr)
          *matched = c;
        return *r;
      }
    }
  }
  return std::nullopt;
}

// `rule`, which sets the bits of class `name`; if of the differing `bits`
// only companions differ (WRBAND, not OUT), they follow in parentheses:
// the rule decided, but another of its bits is the difference
// (`unix.dgram.poll.out.writable(WRBAND)`).
std::string Qualified(Rule rule, std::string_view name, uint32_t bits) {
  std::string key(NameOf(rule));
  for (const ReadinessClass& c : kClasses) {
    if (c.name == name && (bits & c.primary) == 0 && (bits & c.mask) != 0) {
      std::string companions = EventMaskString(bits & c.mask);
      std::replace(companions.begin(), companions.end(), '|', '+');
      key += "(" + companions + ")";
    }
  }
  return key;
}

// The readiness scope of `file` directly below node `parent`.
const Node* PollScope(const Replay& replay, size_t parent, uint32_t file) {
  for (const size_t c : replay.nodes[parent].children) {
    const Node& n = replay.nodes[c];
    if (n.kind == Kind::kPoll && n.file == file)
      return &n;
  }
  return nullptr;
}

std::string Named(std::optional<Rule> rule) {
  return rule ? std::string(NameOf(*rule)) : std::string();
}

// No rule of `file`'s readiness names the bit: its kind.
std::string FamilyOf(const Replay& replay, uint32_t file) {
  return FamilyKey({FileFamilyNameOf(replay.before, file)});
}

// What decided the bits `classes` of `file`'s readiness, polled in `scope`
// (null: not polled at this step): the rule naming the first class; for an
// epoll file that is readable, what queued the item that made it so;
// otherwise the file's kind.
std::string ReadinessKey(const Replay& replay, const Node* scope, uint32_t file,
                         const std::vector<std::string_view>& classes,
                         uint32_t bits = 0) {
  if (scope == nullptr)
    return FamilyOf(replay, file);
  std::string_view matched;
  if (const std::optional<Rule> r = ClassRule(scope->rules, classes, &matched))
    return Qualified(*r, matched, bits);
  // __ep_eventpoll_poll: readable iff an item on its ready list is ready.
  if (std::find(classes.begin(), classes.end(), "in") != classes.end()) {
    for (const size_t c : scope->children) {
      const Node& n = replay.nodes[c];
      if (n.kind != Kind::kItem ||
          std::none_of(n.rules.begin(), n.rules.end(), [](Rule r) {
            return NameOf(r) == "epoll.poll.in.ready_item";
          }))
        continue;
      const auto h = replay.items.find(ItemId(n.epoll, n.file, n.fd));
      if (h != replay.items.end() && h->second.queued_by)
        return Named(h->second.queued_by);
      return "epoll.poll.in.ready_item";
    }
  }
  return FamilyOf(replay, file);
}

std::string ReadinessKey(const Replay& replay, size_t parent, uint32_t file,
                         uint32_t bits) {
  return ReadinessKey(replay, PollScope(replay, parent, file), file,
                      Classes(bits), bits);
}

// A rule of the step itself that is not a wakeup: the last one, the check
// that failed, for an error; the first one, the decision its effects
// (deliveries, wakeups, releases) follow, for a success. With `refused`
// (the SUT failed a call the model let succeed), not the numbering of a
// new descriptor or the release of a file either: those decide no refusal.
std::optional<Rule> StepRule(const Replay& replay, bool first = false,
                             bool refused = false) {
  std::vector<Rule> rules;
  for (const Rule r : replay.nodes[0].rules) {
    if (IsWakeup(r) || (refused && (NameOf(r).starts_with("fd.alloc.") ||
                                    NameOf(r).starts_with("file.put."))))
      continue;
    rules.push_back(r);
  }
  if (rules.empty())
    return std::nullopt;
  return first ? rules.front() : rules.back();
}

std::optional<Rule> ErrnoRule(const Replay& replay, int err) {
  std::string token = ErrnoName(err);
  for (char& c : token)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const std::vector<Rule>& rules = replay.step_rules;
  for (auto r = rules.rbegin(); r != rules.rend(); ++r) {
    if (NamesToken(NameOf(*r), token))
      return *r;
  }
  // A socket's pending error (sock_error): the rule that reports it.
  for (auto r = rules.rbegin(); r != rules.rend(); ++r) {
    if (NameOf(*r).ends_with(".err") ||
        NameOf(*r).find(".reports_error") != std::string_view::npos)
      return *r;
  }
  return StepRule(replay);
}

// The descriptor operands of `op` in order.
std::vector<int32_t> FdOperands(const Op& op) {
  std::vector<int32_t> fds;
  ForEachFdField(
      op, [&](std::string_view, const int32_t& fd) { fds.push_back(fd); });
  return fds;
}

bool IsEpollWait(const Op& op) {
  return std::holds_alternative<EpollWait>(op) ||
         std::holds_alternative<EpollPwait>(op) ||
         std::holds_alternative<EpollPwait2>(op);
}

// poll/ppoll: event i is the i-th listed descriptor.
std::string PollEventsKey(const Replay& replay, const Op& op,
                          const Outcome& want, const Outcome& got) {
  const std::vector<int32_t> fds = FdOperands(op);
  const size_t n = std::min(want.events.size(), got.events.size());
  for (size_t i = 0; i < n && i < fds.size(); ++i) {
    const uint32_t diff = want.events[i].events ^ got.events[i].events;
    if (diff == 0)
      continue;
    const std::optional<FileId> file = replay.before.FdgetAt(fds[i]);
    if (!file)
      return "";
    return ReadinessKey(replay, 0, *file, diff);
  }
  return "";
}

// select/pselect6: the first descriptor whose bit differs in a result set.
std::string SelectKey(const Replay& replay, const Outcome& want,
                      const Outcome& got) {
  if (want.sets.size() != 3 || got.sets.size() != 3)
    return "";
  static const std::vector<std::string_view> kSetClasses[3] = {
      {"in", "hup", "err"}, {"out", "err"}, {"pri"}};
  for (int fd = 0; fd < 64; ++fd) {
    for (int set = 0; set < 3; ++set) {
      if (((want.sets[set] ^ got.sets[set]) >> fd & 1) == 0)
        continue;
      const std::optional<FileId> file = replay.before.FileIdAt(fd);
      if (!file)
        return "";
      return ReadinessKey(replay, PollScope(replay, 0, *file), *file,
                          kSetClasses[set]);
    }
  }
  return "";
}

ItemId IdOf(const Node& n) { return ItemId(n.epoll, n.file, n.fd); }

std::string EpollEventsKey(const Replay& replay, const Op& op,
                           const std::string& part, const Outcome& want,
                           const Outcome& got) {
  // The items the model delivered, in order, and every item it looked at.
  std::vector<size_t> delivered;
  for (const size_t c : replay.nodes[0].children) {
    const Node& n = replay.nodes[c];
    if (n.kind != Kind::kItem)
      continue;
    if (std::any_of(n.rules.begin(), n.rules.end(),
                    [](Rule r) { return IsOneOf(r, kDeliveryRules); }))
      delivered.push_back(c);
  }
  const auto history = [&](const ItemId& id) -> const ItemHistory* {
    const auto it = replay.items.find(id);
    return it == replay.items.end() ? nullptr : &it->second;
  };
  if (part == "events.mask") {
    for (size_t i = 0; i < want.events.size() && i < got.events.size() &&
                       i < delivered.size();
         ++i) {
      const uint32_t diff = want.events[i].events ^ got.events[i].events;
      if (want.events[i].data != got.events[i].data || diff == 0)
        continue;
      const Node& n = replay.nodes[delivered[i]];
      return ReadinessKey(replay, delivered[i], n.file, diff);
    }
    return "";
  }
  if (part == "events.order") {
    // The first event the SUT returns out of the model's order: the rule
    // that queued it (where the model put it on the ready list).
    for (size_t i = 0; i < want.events.size() && i < got.events.size(); ++i) {
      if (want.events[i] == got.events[i])
        continue;
      for (size_t j = i + 1; j < want.events.size() && j < delivered.size();
           ++j) {
        if (want.events[j] == got.events[i]) {
          const ItemHistory* h = history(IdOf(replay.nodes[delivered[j]]));
          return h != nullptr ? Named(h->queue_rule) : "";
        }
      }
      return "";
    }
    return "";
  }
  // events.count, events.data: the events one side has and the other does
  // not.
  std::vector<bool> matched(got.events.size(), false);
  std::optional<size_t> want_only;
  for (size_t i = 0; i < want.events.size(); ++i) {
    bool found = false;
    for (size_t j = 0; j < got.events.size() && !found; ++j) {
      if (!matched[j] && got.events[j] == want.events[i])
        matched[j] = found = true;
    }
    if (!found && !want_only && i < delivered.size())
      want_only = i;
  }
  // The model's item for the first event only the SUT returns, a queued one
  // first.
  std::optional<ItemId> got_only;
  std::optional<FileId> got_file;
  bool linked = false;
  uint32_t bits = 0;
  const std::vector<int32_t> fds = FdOperands(op);
  FileId ep = 0;
  const File* ep_file = nullptr;
  if (!fds.empty() && replay.before.FdgetAt(fds[0])) {
    ep = *replay.before.FdgetAt(fds[0]);
    ep_file = &replay.before.files.at(ep);
  }
  const bool is_epoll = ep_file != nullptr && ep_file->epoll.has_value();
  for (size_t j = 0; j < got.events.size() && !got_only && is_epoll; ++j) {
    if (matched[j])
      continue;
    bits = got.events[j].events;
    for (const auto& [k, item] : ep_file->epoll->items) {
      if (item.data == got.events[j].data && (!got_only || item.linked)) {
        got_only = ItemId(ep, k.file, k.fd);
        got_file = k.file;
        linked = item.linked;
        if (linked)
          break;
      }
    }
  }
  // As many events, one the model had queued behind what it returned: the
  // order of the ready list decided, as for events.order.
  if (got_only && linked && want.events.size() == got.events.size()) {
    const ItemHistory* h = history(*got_only);
    return h != nullptr ? Named(h->queue_rule) : "";
  }
  if (want_only) {
    const ItemHistory* h = history(IdOf(replay.nodes[delivered[*want_only]]));
    return h != nullptr ? Named(h->queued_by) : "";
  }
  if (!got_only)
    return "";
  // Looked at in this step but not delivered: its readiness said no.
  for (const size_t c : replay.nodes[0].children) {
    const Node& n = replay.nodes[c];
    if (n.kind == Kind::kItem && IdOf(n) == *got_only)
      return ReadinessKey(replay, c, n.file, bits);
  }
  // Else the model's last decision about it; a file found not ready then,
  // its readiness.
  const ItemHistory* h = history(*got_only);
  if (h == nullptr || !h->decision)
    return "";
  if (!IsOneOf(*h->decision, kNotReadyRules))
    return Named(h->decision);
  std::string_view named;
  if (const std::optional<Rule> r =
          ClassRule(h->poll_rules, Classes(bits), &named))
    return Qualified(*r, named, bits);
  return FamilyOf(replay, *got_file);
}

}  // namespace

std::string DecidingRule(const Profile& profile, std::span<const Op> ops,
                         const std::string& part, const Outcome& want,
                         const Outcome& got) {
  if (ops.empty() || part.empty())
    return "";
  const Replay replay = Run(profile, ops);
  const Op& op = ops.back();
  if (want.IsError())
    return Named(ErrnoRule(replay, want.Errno()));
  if (part.starts_with("events.")) {
    if (IsEpollWait(op))
      return EpollEventsKey(replay, op, part, want, got);
    return PollEventsKey(replay, op, want, got);
  }
  if (part == "ret" && !got.IsError() && want.sets != got.sets)
    return SelectKey(replay, want, got);
  // A refusal for want of descriptors (EMFILE) is about the numbering.
  return Named(
      StepRule(replay, true, got.IsError() && got.Errno() != abi::kEmfile));
}

std::string DecidingFdinfoRule(const Profile& profile, std::span<const Op> ops,
                               const std::string& part) {
  if (ops.empty())
    return "";
  const Replay replay = Run(profile, ops);
  // Which items there are: the rule that added or removed the last of them.
  if (part.starts_with("items")) {
    static constexpr std::string_view kInterestSet[] = {
        "epoll_ctl.add.insert", "epoll_ctl.del.ok",
        "epoll.release.watched_file", "epoll.release.instance_items"};
    const std::vector<Rule>& rules = replay.step_rules;
    for (auto r = rules.rbegin(); r != rules.rend(); ++r) {
      if (IsOneOf(*r, kInterestSet))
        return Named(*r);
    }
  }
  if (part.find("events") != std::string::npos) {
    const std::vector<Rule>& rules = replay.step_rules;
    for (auto r = rules.rbegin(); r != rules.rend(); ++r) {
      if (NamesToken(NameOf(*r), "events") ||
          NamesToken(NameOf(*r), "epollwakeup"))
        return Named(*r);
    }
  }
  return Named(StepRule(replay));
}

}  // namespace epollcheck
