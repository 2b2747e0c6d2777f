#include "scenario/scenario.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <limits>
#include <sstream>
#include <type_traits>

#include "model/fdinfo.h"

namespace epollcheck {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
    s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
    s.remove_suffix(1);
  return s;
}

bool IsIdentifier(std::string_view s) {
  if (s.empty() ||
      !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_'))
    return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

// A handle reference: "name" or "name.end" (an end of a pair: p0.r, s0.b).
bool IsHandleRef(std::string_view s) {
  const size_t dot = s.find('.');
  if (dot != std::string_view::npos) {
    if (!IsIdentifier(s.substr(dot + 1)))
      return false;
    s = s.substr(0, dot);
  }
  return IsIdentifier(s);
}

// Builds an Op of the alternative named `name` (default-constructed).
std::optional<Op> OpByName(std::string_view name) {
  std::optional<Op> out;
  [&]<size_t... I>(std::index_sequence<I...>) {
    ((std::variant_alternative_t<I, Op>::kName == name
          ? (void)(out = Op{std::variant_alternative_t<I, Op>{}})
          : (void)0),
     ...);
  }
  (std::make_index_sequence<std::variant_size_v<Op>>{});
  return out;
}

// Splits "a, b, c" on top-level commas (values contain no parentheses).
std::vector<std::string_view> SplitArgs(std::string_view s) {
  std::vector<std::string_view> out;
  if (Trim(s).empty())
    return out;
  size_t start = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == ',') {
      out.push_back(Trim(s.substr(start, i - start)));
      start = i + 1;
    }
  }
  return out;
}

template <class F> bool StoreField(F& field, uint64_t pattern) {
  if constexpr (std::is_same_v<F, bool>) {
    if (pattern > 1)
      return false;
    field = pattern != 0;
  } else if constexpr (std::is_signed_v<F>) {
    const auto v = static_cast<int64_t>(pattern);
    if (v < std::numeric_limits<F>::min() || v > std::numeric_limits<F>::max())
      return false;
    field = static_cast<F>(v);
  } else {
    if (pattern > std::numeric_limits<F>::max())
      return false;
    field = static_cast<F>(pattern);
  }
  return true;
}

// Parses the arguments of a call into `op`. Returns an error or "".
std::string ParseArgs(std::string_view args_text, Op& op, ScenarioStep& step) {
  const std::vector<std::string_view> args = SplitArgs(args_text);
  std::string error;
  std::visit(
      [&](auto& o) {
        using T = std::decay_t<decltype(o)>;
        size_t positional = 0;
        std::vector<bool> used(args.size(), false);
        T::Fields(o, [&](std::string_view name, FieldKind kind, auto& field) {
          if (!error.empty())
            return;
          const bool optional = IsOptionalField(kind);
          std::string_view text;
          bool have = false;
          if (optional) {
            for (size_t i = 0; i < args.size(); ++i) {
              const size_t eq = args[i].find('=');
              if (eq != std::string_view::npos &&
                  Trim(args[i].substr(0, eq)) == name) {
                text = Trim(args[i].substr(eq + 1));
                used[i] = true;
                have = true;
              }
            }
            if (!have)
              return;  // stays at its default
          } else {
            while (positional < args.size() &&
                   args[positional].find('=') != std::string_view::npos) {
              ++positional;
            }
            if (positional >= args.size()) {
              error = std::string(T::kName) + ": missing argument '" +
                      std::string(name) + "'";
              return;
            }
            used[positional] = true;
            text = args[positional++];
          }
          if (kind == FieldKind::kFd && IsHandleRef(text)) {
            step.fd_handles.emplace_back(std::string(name), std::string(text));
            field = 0;
            return;
          }
          const std::optional<uint64_t> pattern = ParseFieldString(kind, text);
          if (!pattern || !StoreField(field, *pattern)) {
            error = std::string(T::kName) + ": bad " + std::string(name) +
                    " '" + std::string(text) + "'";
          } else if (kind == FieldKind::kSignal &&
                     !TgkillSignalAllowed(static_cast<int32_t>(*pattern))) {
            // Every SUT blocks only these signals: any other would be
            // delivered to the harness itself.
            error = std::string(T::kName) + ": signal '" + std::string(text) +
                    "' is not one the sequence's thread blocks (USR1, USR2, "
                    "PIPE, SIG40) nor an invalid number";
          }
        });
        if (!error.empty())
          return;
        for (size_t i = 0; i < args.size(); ++i) {
          if (!used[i]) {
            error = std::string(T::kName) + ": unexpected argument '" +
                    std::string(args[i]) + "'";
            return;
          }
        }
      },
      op);
  return error;
}

// A descriptor operand of an fdinfo line.
std::optional<FdinfoOperand> ParseOperand(std::string_view text) {
  text = Trim(text);
  if (IsHandleRef(text))
    return FdinfoOperand{.handle = std::string(text), .number = -1};
  const std::optional<uint64_t> v = ParseFieldString(FieldKind::kFd, text);
  int32_t fd = 0;
  if (!v || !StoreField(fd, *v))
    return std::nullopt;
  return FdinfoOperand{.handle = "", .number = fd};
}

// `fdinfo(EPFD) -> [{TFD, MASK, DATA, ino=D}, ...]`, or an error.
std::variant<FdinfoExpect, std::string> ParseFdinfoLine(std::string_view line) {
  const std::string_view kUsage =
      " (expected fdinfo(EPFD) -> [{TFD, MASK, DATA, ino=FD}, ...])";
  const size_t close = line.find(')');
  const size_t arrow = line.find("->");
  if (close == std::string_view::npos || arrow == std::string_view::npos ||
      arrow < close || !Trim(line.substr(close + 1, arrow - close - 1)).empty())
    return "bad fdinfo line" + std::string(kUsage);
  FdinfoExpect expect;
  const std::optional<FdinfoOperand> epfd =
      ParseOperand(line.substr(7, close - 7));
  if (!epfd)
    return "fdinfo: bad descriptor '" +
           std::string(Trim(line.substr(7, close - 7))) + "'";
  expect.epfd = *epfd;
  std::string_view rest = Trim(line.substr(arrow + 2));
  if (rest.size() < 2 || rest.front() != '[' || rest.back() != ']')
    return "fdinfo: items must be in [...]" + std::string(kUsage);
  rest = Trim(rest.substr(1, rest.size() - 2));
  while (!rest.empty()) {
    const size_t end = rest.find('}');
    if (rest.front() != '{' || end == std::string_view::npos)
      return "fdinfo: bad item list" + std::string(kUsage);
    const std::vector<std::string_view> parts =
        SplitArgs(rest.substr(1, end - 1));
    if (parts.size() != 4 || parts[3].substr(0, 4) != "ino=")
      return "fdinfo: bad item '{" + std::string(rest.substr(1, end - 1)) +
             "}'" + std::string(kUsage);
    FdinfoExpectItem item;
    const std::optional<FdinfoOperand> tfd = ParseOperand(parts[0]);
    const auto mask = ParseFieldString(FieldKind::kEvents, parts[1]);
    const auto data = ParseFieldString(FieldKind::kData, parts[2]);
    const std::string_view ino = Trim(parts[3].substr(4));
    std::optional<FdinfoOperand> ino_fd;
    if (ino != "?") {
      ino_fd = ParseOperand(ino);
      if (!ino_fd)
        return "fdinfo: bad ino '" + std::string(ino) + "'";
    }
    if (!tfd || !mask || !data)
      return "fdinfo: bad item '{" + std::string(rest.substr(1, end - 1)) +
             "}'";
    item.tfd = *tfd;
    item.events = static_cast<uint32_t>(*mask);
    item.data = *data;
    item.ino = ino_fd;
    expect.items.push_back(item);
    rest = Trim(rest.substr(end + 1));
    if (!rest.empty()) {
      if (rest.front() != ',' || Trim(rest.substr(1)).empty())
        return "fdinfo: bad item list" + std::string(kUsage);
      rest = Trim(rest.substr(1));
    }
  }
  return expect;
}

}  // namespace

std::string FormatFdinfoOperand(const FdinfoOperand& operand) {
  return operand.handle.empty() ? std::to_string(operand.number)
                                : operand.handle;
}

std::string FormatFdinfoExpect(const FdinfoExpect& expect) {
  std::ostringstream os;
  os << "fdinfo(" << FormatFdinfoOperand(expect.epfd) << ") -> [";
  for (size_t i = 0; i < expect.items.size(); ++i) {
    const FdinfoExpectItem& item = expect.items[i];
    os << (i ? ", " : "") << '{' << FormatFdinfoOperand(item.tfd) << ", "
       << EventMaskString(item.events) << ", 0x" << std::hex << item.data
       << std::dec << ", ino="
       << (item.ino ? FormatFdinfoOperand(*item.ino) : std::string("?")) << '}';
  }
  os << ']';
  return os.str();
}

std::vector<FdinfoExpect> FdinfoOfModel(const World& world) {
  std::vector<FdinfoExpect> expects;
  const std::map<InodeKey, int32_t> descriptors = InodeDescriptors(world);
  for (const auto& [epfd, epoll] : OpenEpollInstances(world)) {
    FdinfoExpect expect;
    expect.epfd.number = epfd;
    for (const InterestItem& item : InterestSet(world, epoll)) {
      FdinfoExpectItem e{.tfd = {.handle = "", .number = item.tfd},
                         .events = item.events,
                         .data = item.data};
      const auto it = descriptors.find(item.inode);
      if (it != descriptors.end())
        e.ino = FdinfoOperand{.handle = "", .number = it->second};
      expect.items.push_back(e);
    }
    expects.push_back(std::move(expect));
  }
  return expects;
}

std::optional<int32_t> ResolveOperand(const FdinfoOperand& operand,
                                      const HandleEnv& env) {
  if (operand.handle.empty())
    return operand.number;
  const auto it = env.find(operand.handle);
  if (it == env.end())
    return std::nullopt;
  return it->second;
}

std::optional<Outcome> ParseOutcome(std::string_view text) {
  text = Trim(text);
  Outcome out;
  if (text.substr(0, 3) == "-1 ") {
    const std::optional<int> err = ErrnoByName(Trim(text.substr(3)));
    if (!err)
      return std::nullopt;
    return Outcome::Error(*err);
  }
  const size_t sp = text.find(' ');
  const std::optional<uint64_t> ret =
      ParseFieldString(FieldKind::kInt, text.substr(0, sp));
  if (!ret || static_cast<int64_t>(*ret) < 0)
    return std::nullopt;
  out.ret = static_cast<int64_t>(*ret);
  std::string_view rest =
      sp == std::string_view::npos ? "" : Trim(text.substr(sp));
  if (rest.substr(0, 5) == "fds=[") {
    const size_t close = rest.find(']');
    if (close == std::string_view::npos)
      return std::nullopt;
    for (std::string_view n : SplitArgs(rest.substr(5, close - 5))) {
      const std::optional<uint64_t> v = ParseFieldString(FieldKind::kFd, n);
      int32_t fd = 0;
      if (!v || !StoreField(fd, *v))
        return std::nullopt;
      out.fds.push_back(fd);
    }
    rest = Trim(rest.substr(close + 1));
  }
  if (rest.substr(0, 6) == "sets=[") {
    const size_t close = rest.find(']');
    if (close == std::string_view::npos)
      return std::nullopt;
    for (std::string_view n : SplitArgs(rest.substr(6, close - 6))) {
      const std::optional<uint64_t> v = ParseFieldString(FieldKind::kData, n);
      if (!v)
        return std::nullopt;
      out.sets.push_back(*v);
    }
    rest = Trim(rest.substr(close + 1));
  }
  if (rest.substr(0, 6) == "value=") {
    const size_t end = rest.find(' ');
    const std::optional<uint64_t> v =
        ParseFieldString(FieldKind::kData, rest.substr(6, end - 6));
    if (!v)
      return std::nullopt;
    out.value = *v;
    rest = end == std::string_view::npos ? "" : Trim(rest.substr(end));
  }
  if (!rest.empty()) {
    if (rest.front() != '[' || rest.back() != ']')
      return std::nullopt;
    rest = Trim(rest.substr(1, rest.size() - 2));
    while (!rest.empty()) {
      if (rest.front() != '{')
        return std::nullopt;
      const size_t close = rest.find('}');
      if (close == std::string_view::npos)
        return std::nullopt;
      const std::vector<std::string_view> parts =
          SplitArgs(rest.substr(1, close - 1));
      if (parts.size() != 2)
        return std::nullopt;
      const auto mask = ParseFieldString(FieldKind::kEvents, parts[0]);
      const auto data = ParseFieldString(FieldKind::kData, parts[1]);
      if (!mask || !data)
        return std::nullopt;
      out.events.push_back(
          ReadyEvent{.events = static_cast<uint32_t>(*mask), .data = *data});
      rest = Trim(rest.substr(close + 1));
      if (!rest.empty()) {
        if (rest.front() != ',')
          return std::nullopt;
        rest = Trim(rest.substr(1));
        if (rest.empty())
          return std::nullopt;
      }
    }
  }
  return out;
}

std::variant<Scenario, ParseError> ParseScenario(std::string_view text) {
  Scenario scenario;
  int line_no = 0;
  while (!text.empty()) {
    ++line_no;
    const size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? "" : text.substr(nl + 1);
    if (line.find('\0') != std::string_view::npos)
      return ParseError{line_no, "NUL byte in line"};
    const size_t hash = line.find('#');
    line = Trim(line.substr(0, hash));
    if (line.empty())
      continue;
    const auto fail = [&](std::string message) {
      return ParseError{line_no, std::move(message)};
    };
    if (line.substr(0, 8) == "profile ") {
      const std::string_view era = Trim(line.substr(8));
      std::string why;
      if (!ParseProfileName(era, &why))
        return fail("profile: " + why);
      scenario.profile = std::string(era);
      continue;
    }
    if (line.substr(0, 17) == "max_user_watches ") {
      const std::string_view n = Trim(line.substr(17));
      int64_t limit = 0;
      const auto [end, ec] =
          std::from_chars(n.data(), n.data() + n.size(), limit);
      if (ec != std::errc() || end != n.data() + n.size() || limit < 0)
        return fail("max_user_watches: expected a count, got '" +
                    std::string(n) + "'");
      scenario.max_user_watches = limit;
      continue;
    }
    if (line.substr(0, 7) == "fdinfo(") {
      if (scenario.steps.empty())
        return fail("an fdinfo line follows the step it checks");
      auto parsed = ParseFdinfoLine(line);
      if (auto* error = std::get_if<std::string>(&parsed))
        return fail(*error);
      FdinfoExpect expect = std::get<FdinfoExpect>(std::move(parsed));
      expect.line = line_no;
      scenario.steps.back().fdinfo.push_back(std::move(expect));
      continue;
    }
    ScenarioStep step;
    step.line = line_no;
    // Optional result.
    const size_t arrow = line.find("->");
    std::string_view call = Trim(line.substr(0, arrow));
    if (arrow != std::string_view::npos) {
      std::string_view result = Trim(line.substr(arrow + 2));
      constexpr std::string_view kEra = "@era";
      if (result.size() >= kEra.size() &&
          result.substr(result.size() - kEra.size()) == kEra) {
        step.era_dependent = true;
        result = Trim(result.substr(0, result.size() - kEra.size()));
      }
      step.expect = ParseOutcome(result);
      if (!step.expect)
        return fail("bad result '" + std::string(result) + "'");
    }
    // Optional binding.
    const size_t eq = call.find('=');
    const size_t paren = call.find('(');
    if (eq != std::string_view::npos && paren != std::string_view::npos &&
        eq < paren) {
      const std::string_view name = Trim(call.substr(0, eq));
      if (!IsIdentifier(name))
        return fail("bad handle name '" + std::string(name) + "'");
      // Written back as `profile = ...`, it would read as the directive.
      if (name == "profile" || name == "max_user_watches")
        return fail("'" + std::string(name) +
                    "' names a directive, not a handle");
      step.bind = std::string(name);
      call = Trim(call.substr(eq + 1));
    }
    const size_t open = call.find('(');
    if (open == std::string_view::npos || call.back() != ')')
      return fail("expected a call like epoll_wait(e0, 64), got '" +
                  std::string(call) + "'");
    const std::string_view name = Trim(call.substr(0, open));
    std::optional<Op> op = OpByName(name);
    if (!op)
      return fail("unknown operation '" + std::string(name) + "'");
    const std::string_view args = call.substr(open + 1, call.size() - open - 2);
    if (args.find('(') != std::string_view::npos ||
        args.find(')') != std::string_view::npos)
      return fail("unbalanced parentheses in '" + std::string(call) + "'");
    if (const std::string error = ParseArgs(args, *op, step); !error.empty())
      return fail(error);
    if (!step.bind.empty() && ReturnsOf(*op) == Returns::kNothing) {
      return fail(std::string(name) + " returns no descriptor to bind to '" +
                  step.bind + "'");
    }
    step.op = *op;
    scenario.steps.push_back(std::move(step));
  }
  return scenario;
}

std::variant<Op, std::string> ResolveStep(const ScenarioStep& step,
                                          const HandleEnv& env) {
  Op op = step.op;
  std::string error;
  ForEachFdField(op, [&](std::string_view name, int32_t& fd) {
    for (const auto& [field_name, handle] : step.fd_handles) {
      if (field_name != name)
        continue;
      auto it = env.find(handle);
      if (it == env.end()) {
        error = "unknown handle '" + handle +
                "' (not bound by an earlier successful step)";
        return;
      }
      fd = it->second;
    }
  });
  if (!error.empty())
    return error;
  return op;
}

void BindStep(const ScenarioStep& step, const Outcome& outcome,
              HandleEnv& env) {
  if (step.bind.empty() || outcome.IsError())
    return;
  if (ReturnsOf(step.op) == Returns::kFdPair) {
    const std::string_view* ends = PairEnds(step.op);
    if (outcome.fds.size() == 2) {
      env[step.bind + "." + std::string(ends[0])] = outcome.fds[0];
      env[step.bind + "." + std::string(ends[1])] = outcome.fds[1];
    }
    return;
  }
  env[step.bind] = static_cast<int32_t>(outcome.ret);
}

Scenario ScenarioFromRun(const std::vector<Op>& ops,
                         const std::vector<Outcome>& outcomes, bool expect) {
  Scenario scenario;
  std::map<int32_t, std::string> names;    // open number -> handle
  std::map<std::string_view, int> counts;  // handle prefix -> next index
  for (size_t i = 0; i < ops.size(); ++i) {
    ScenarioStep step;
    step.op = ops[i];
    // Operands bound to a handle are written as the handle.
    ForEachFdField(ops[i], [&](std::string_view name, const int32_t& fd) {
      auto it = names.find(fd);
      if (it != names.end())
        step.fd_handles.emplace_back(std::string(name), it->second);
    });
    const bool have = i < outcomes.size();
    const Outcome result = have ? outcomes[i] : Outcome{};
    if (have && expect)
      step.expect = result;
    if (have && !result.IsError()) {
      const Returns returns = ReturnsOf(ops[i]);
      const std::string_view prefix = HandlePrefix(ops[i]);
      if (returns == Returns::kFdPair && result.fds.size() == 2) {
        const std::string_view* ends = PairEnds(ops[i]);
        step.bind = std::string(prefix) + std::to_string(counts[prefix]++);
        names[result.fds[0]] = step.bind + "." + std::string(ends[0]);
        names[result.fds[1]] = step.bind + "." + std::string(ends[1]);
      } else if (returns == Returns::kFd) {
        step.bind = std::string(prefix) + std::to_string(counts[prefix]++);
        names[static_cast<int32_t>(result.ret)] = step.bind;
      } else if (const auto* c = std::get_if<Close>(&ops[i])) {
        names.erase(c->fd);
      }
    }
    scenario.steps.push_back(std::move(step));
  }
  return scenario;
}

std::string FormatStepCall(const ScenarioStep& step) {
  std::ostringstream os;
  if (!step.bind.empty())
    os << step.bind << " = ";
  PrintOp(os, step.op, [&](std::string_view field, int32_t fd) {
    for (const auto& [name, handle] : step.fd_handles) {
      if (name == field)
        return handle;
    }
    return std::to_string(fd);
  });
  return os.str();
}

Profile WrittenProfile(const Scenario& scenario) {
  std::string why;
  Profile profile = ProfileForKernel(6, 18);
  if (!scenario.profile.empty()) {
    if (auto parsed = ParseProfileName(scenario.profile, &why))
      profile = *parsed;
  }
  if (scenario.max_user_watches)
    profile.max_user_watches = *scenario.max_user_watches;
  return profile;
}

std::string FormatScenario(const Scenario& scenario,
                           const std::vector<std::string>& comments) {
  std::ostringstream os;
  for (const std::string& c : comments)
    os << "# " << c << '\n';
  if (!scenario.profile.empty())
    os << "profile " << scenario.profile << '\n';
  if (scenario.max_user_watches)
    os << "max_user_watches " << *scenario.max_user_watches << '\n';
  std::vector<std::string> calls;
  size_t width = 0;
  for (const ScenarioStep& step : scenario.steps) {
    calls.push_back(FormatStepCall(step));
    width = std::max(width, calls.back().size());
  }
  for (size_t i = 0; i < calls.size(); ++i) {
    os << calls[i];
    if (scenario.steps[i].expect) {
      os << std::string(width - calls[i].size(), ' ') << "  -> "
         << *scenario.steps[i].expect;
      if (scenario.steps[i].era_dependent)
        os << " @era";
    }
    os << '\n';
    for (const FdinfoExpect& expect : scenario.steps[i].fdinfo)
      os << "  " << FormatFdinfoExpect(expect) << '\n';
  }
  return os.str();
}

}  // namespace epollcheck
