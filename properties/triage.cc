#include "properties/triage.h"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "model/step.h"
#include "properties/decided_by.h"

namespace epollcheck {

std::string DifferingPart(const Outcome& want, const Outcome& got) {
  if (want == got)
    return "";
  if (want.IsError() && got.IsError())
    return "errno";
  if (want.ret != got.ret && (want.IsError() || got.IsError()))
    return "ret";
  if (want.fds != got.fds)
    return "fds";
  if (want.value != got.value)
    return "value";
  if (want.events.size() != got.events.size())
    return "events.count";
  if (want.events != got.events) {
    auto key = [](const ReadyEvent& e) { return std::pair(e.data, e.events); };
    std::vector<std::pair<uint64_t, uint32_t>> a;
    std::vector<std::pair<uint64_t, uint32_t>> b;
    for (const ReadyEvent& e : want.events)
      a.push_back(key(e));
    for (const ReadyEvent& e : got.events)
      b.push_back(key(e));
    std::sort(a.begin(), a.end());
    std::sort(b.begin(), b.end());
    if (a == b)
      return "events.order";
    for (size_t i = 0; i < want.events.size(); ++i) {
      if (want.events[i].data == got.events[i].data &&
          want.events[i].events != got.events[i].events)
        return "events.mask";
    }
    return "events.data";
  }
  return "ret";
}

std::string FileFamilyName(const World& world, int32_t fd) {
  const std::optional<FileId> file = world.FileIdAt(fd);
  if (!file)
    return "closed";
  return FileFamilyNameOf(world, *file);
}

std::string FileFamilyNameOf(const World& world, FileId file) {
  const File* f = &world.files.at(file);
  switch (f->kind) {
  case FileKind::kPipeRead:
  case FileKind::kPipeWrite:
  case FileKind::kPipeRdwr:
    return f->fifo ? "fifo" : "pipe";
  case FileKind::kEventfd:
    return "eventfd";
  case FileKind::kTimerfd:
    return "timerfd";
  case FileKind::kSignalfd:
    return "signalfd";
  case FileKind::kPidfd:
    return "pidfd";
  case FileKind::kUnixSocket: {
    static constexpr const char* kTypes[] = {
        "unix", "unix-stream", "unix-dgram", "unix", "unix", "unix-seqpacket"};
    const uint32_t type = world.socks.at(f->sock).type;
    return kTypes[type < 6 ? type : 0];
  }
  case FileKind::kInetSocket: {
    const InetSock& s = world.inet_socks.at(f->sock);
    if (!s.tcp)
      return "udp";
    return s.state == TcpState::kListen ? "tcp-listen" : "tcp";
  }
  case FileKind::kRegular:
    return "regular";
  case FileKind::kDirectory:
    return "dir";
  case FileKind::kDevNull:
    return "devnull";
  case FileKind::kPath:
    return "opath";
  case FileKind::kEpoll:
    break;
  }
  bool nested = false;
  for (const auto& [key, item] : f->epoll->items)
    nested |= world.files.at(key.file).kind == FileKind::kEpoll;
  return nested ? "nested-epoll" : "epoll";
}

std::vector<std::string> OperandFamilies(const World& before, const Op& op) {
  std::vector<std::string> families;
  ForEachFdField(op, [&](std::string_view, const int32_t& fd) {
    std::string family = FileFamilyName(before, fd);
    const auto at = std::lower_bound(families.begin(), families.end(), family);
    if (at == families.end() || *at != family)
      families.insert(at, std::move(family));
  });
  return families;
}

std::string_view SignatureOpName(const Op& op) {
  if (std::holds_alternative<EpollPwait>(op) ||
      std::holds_alternative<EpollPwait2>(op))
    return OpName(Op{EpollWait{}});
  if (std::holds_alternative<PPoll>(op))
    return OpName(Op{Poll{}});
  if (std::holds_alternative<PSelect>(op))
    return OpName(Op{Select{}});
  return OpName(op);
}

std::string FamilyKey(const std::vector<std::string>& families) {
  std::string key = "family.";
  for (size_t i = 0; i < families.size(); ++i)
    key += (i == 0 ? "" : "+") + families[i];
  return families.empty() ? key + "none" : key;
}

std::string DivergenceSignature(const Profile& profile, std::span<const Op> ops,
                                const Outcome& want, const Outcome& got,
                                const std::vector<std::string>& families) {
  const std::string part = DifferingPart(want, got);
  std::string rule = DecidingRule(profile, ops, part, want, got);
  if (rule.empty())
    rule = FamilyKey(families);
  return std::string(SignatureOpName(ops.back())) + ":" + part + ":" + rule;
}

std::string HangSignature(const Profile& profile, std::span<const Op> ops) {
  if (ops.empty())
    return "hang";
  World world;
  world.profile = profile;
  for (size_t i = 0; i + 1 < ops.size(); ++i)
    (void)Step(world, ops[i]);
  const std::vector<std::string> families = OperandFamilies(world, ops.back());
  const Outcome want = Step(world, ops.back());
  std::string rule =
      DecidingRule(profile, ops, want.IsError() ? "errno" : "ret", want, want);
  if (rule.empty())
    rule = FamilyKey(families);
  return std::string(SignatureOpName(ops.back())) + ":hang:" + rule;
}

bool IsHangSignature(std::string_view signature) {
  if (signature == "hang")
    return true;
  const size_t colon = signature.find(':');
  return colon != std::string_view::npos &&
         signature.substr(colon + 1).starts_with("hang:");
}

std::string FdinfoSignature(std::span<const Op> ops, const World& after,
                            const FdinfoDifference& difference) {
  std::string rule = DecidingFdinfoRule(after.profile, ops, difference.part);
  if (rule.empty()) {
    std::set<std::string> kinds;
    for (const FileId file : difference.files)
      kinds.insert(FileFamilyNameOf(after, file));
    if (difference.unknown_file)
      kinds.insert("unknown");
    rule = FamilyKey({kinds.begin(), kinds.end()});
  }
  return "fdinfo:" + std::string(SignatureOpName(ops.back())) + "." +
         difference.part + ":" + rule;
}

std::variant<KnownDivergences, std::string> LoadKnown(const std::string& path) {
  std::ifstream in(path);
  if (!in)
    return path + ": cannot open";
  KnownDivergences known;
  std::string line;
  int line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.empty() || line[0] == '#')
      continue;
    std::istringstream fields(line);
    std::string signature;
    std::string scenario;
    std::string note;
    std::getline(fields, signature, '\t');
    std::getline(fields, scenario, '\t');
    std::getline(fields, note);
    if (std::count(signature.begin(), signature.end(), ':') != 2 ||
        scenario.empty()) {
      return path + ":" + std::to_string(line_no) +
             ": expected signature<TAB>scenario<TAB>note, signature as "
             "op:part:rule";
    }
    known[signature] = KnownDivergence{scenario, note};
  }
  return known;
}

}  // namespace epollcheck
