#include "properties/worker.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <optional>
#include <set>
#include <sstream>

#include "model/rules.h"
#include "model/step.h"
#include "properties/triage.h"
#include "properties/watchdog.h"
#include "scenario/scenario.h"
#include "sut/registry.h"

namespace epollcheck {
namespace {

// The supervisor's end of the result channel (the worker's original stdout;
// fd 1 itself then points at stderr, so a stray print cannot corrupt it).
int g_result_fd = -1;
// A frame is being written: the watchdog's `alive` must not cut into it
// (held like a lock: the alive tick only tries it; SendFrame, on the main
// thread, waits for a tick from a watchdog thread to finish its write).
std::atomic<bool> g_sending{false};

void WriteAll(int fd, const char* data, size_t size) {
  while (size > 0) {
    const ssize_t n = write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return;  // the supervisor is gone; PR_SET_PDEATHSIG ends us
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
}

void SendFrame(std::string_view tag, std::string_view payload) {
  const std::string frame = EncodeFrame(tag, payload);
  while (g_sending.exchange(true, std::memory_order_acquire)) {
  }
  WriteAll(g_result_fd, frame.data(), frame.size());
  g_sending.store(false, std::memory_order_release);
}

// Appends `text` to the buffer at `at` (async-signal-safe helpers for the
// crash handler).
void Append(char* buffer, size_t& at, size_t cap, const char* text) {
  while (*text != '\0' && at + 1 < cap)
    buffer[at++] = *text++;
}

void AppendNumber(char* buffer, size_t& at, size_t cap, long value) {
  char digits[24];
  size_t n = 0;
  const bool negative = value < 0;
  unsigned long v = negative ? 0ul - static_cast<unsigned long>(value)
                             : static_cast<unsigned long>(value);
  do {
    digits[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0 && n < sizeof digits);
  if (negative)
    Append(buffer, at, cap, "-");
  while (n > 0 && at + 1 < cap)
    buffer[at++] = digits[--n];
}

// Reports the signal and the step in progress, then lets the signal take
// the process down (SA_RESETHAND restored the default action).
void OnCrash(int signal) {
  char payload[96];
  size_t p = 0;
  Append(payload, p, sizeof payload, "crash SIG");
  const char* name = sigabbrev_np(signal);
  if (name != nullptr) {
    Append(payload, p, sizeof payload, name);
  } else {
    AppendNumber(payload, p, sizeof payload, signal);
  }
  Append(payload, p, sizeof payload, " ");
  AppendNumber(payload, p, sizeof payload, Watchdog::CurrentStep());
  char frame[128];
  size_t f = 0;
  Append(frame, f, sizeof frame, "fatal ");
  AppendNumber(frame, f, sizeof frame, static_cast<long>(p));
  Append(frame, f, sizeof frame, "\n");
  for (size_t i = 0; i < p && f + 1 < sizeof frame; ++i)
    frame[f++] = payload[i];
  WriteAll(g_result_fd, frame, f);
  raise(signal);
}

// The watchdog's handlers (properties/watchdog.h): run in a signal handler.
void OnHang(int step) {
  char payload[48];
  size_t p = 0;
  Append(payload, p, sizeof payload, "hang ");
  AppendNumber(payload, p, sizeof payload, step);
  char frame[80];
  size_t f = 0;
  Append(frame, f, sizeof frame, "fatal ");
  AppendNumber(frame, f, sizeof frame, static_cast<long>(p));
  Append(frame, f, sizeof frame, "\n");
  for (size_t i = 0; i < p && f + 1 < sizeof frame; ++i)
    frame[f++] = payload[i];
  WriteAll(g_result_fd, frame, f);
  _exit(kHangExitCode);
}

void OnAlive() {
  static constexpr char kAlive[] = "alive 0\n";
  if (!g_sending.exchange(true, std::memory_order_acquire)) {
    WriteAll(g_result_fd, kAlive, sizeof kAlive - 1);
    g_sending.store(false, std::memory_order_release);
  }
}

void InstallCrashHandlers() {
  static char alternate_stack[64 * 1024];
  stack_t stack{};
  stack.ss_sp = alternate_stack;
  stack.ss_size = sizeof alternate_stack;
  (void)sigaltstack(&stack, nullptr);
  struct sigaction action {};
  action.sa_handler = OnCrash;
  action.sa_flags = SA_RESETHAND | SA_ONSTACK;
  sigemptyset(&action.sa_mask);
  for (int signal : {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP, SIGSYS})
    (void)sigaction(signal, &action, nullptr);
}

std::set<std::string> DecodeMasks(std::string_view text) {
  std::set<std::string> masks;
  std::istringstream in{std::string(text)};
  for (std::string line; std::getline(in, line);) {
    if (!line.empty())
      masks.insert(line);
  }
  return masks;
}

std::string Frames(const std::vector<Frame>& frames) {
  std::string out;
  for (const Frame& f : frames)
    out += EncodeFrame(f.tag, f.payload);
  return out;
}

std::string EncodeCoverage(const Coverage& coverage) {
  std::ostringstream os;
  os << "steps " << coverage.steps << '\n';
  os << "fdinfo " << coverage.fdinfo_checks << '\t' << coverage.fdinfo_reads
     << '\n';
  for (const auto& [name, results] : coverage.counts) {
    for (const auto& [result, n] : results)
      os << "cov " << name << '\t' << result << '\t' << n << '\n';
  }
  for (const auto& [family, n] : coverage.family_steps)
    os << "fam " << family << '\t' << n << '\n';
  for (size_t i = 0; i < coverage.rules.size(); ++i) {
    if (coverage.rules[i] != 0)
      os << "rule " << kRules[i].name << '\t' << coverage.rules[i] << '\n';
  }
  return os.str();
}

// One line of EncodeCoverage into `coverage`; false if it is not one.
bool DecodeCoverageLine(const std::string& key, const std::string& rest,
                        Coverage& coverage) {
  std::vector<std::string> fields;
  std::istringstream in(rest);
  for (std::string field; std::getline(in, field, '\t');)
    fields.push_back(field);
  try {
    if (key == "steps" && fields.size() == 1) {
      coverage.steps += std::stol(fields[0]);
      return true;
    }
    if (key == "fdinfo" && fields.size() == 2) {
      coverage.fdinfo_checks += std::stol(fields[0]);
      coverage.fdinfo_reads += std::stol(fields[1]);
      return true;
    }
    if (key == "cov" && fields.size() == 3) {
      coverage.counts[fields[0]][fields[1]] += std::stol(fields[2]);
      return true;
    }
    if (key == "fam" && fields.size() == 2) {
      coverage.family_steps[fields[0]] += std::stol(fields[1]);
      return true;
    }
    if (key == "rule" && fields.size() == 2) {
      const std::optional<size_t> index = FindRule(fields[0]);
      if (!index)
        return false;
      coverage.rules[*index] += std::stoull(fields[1]);
      return true;
    }
  } catch (const std::exception&) {
  }
  return false;
}

class Worker {
public:
  explicit Worker(const CheckOptions& options) : options_(options) {
    options_.make_sut = Watched(options.make_sut);
    MaskedDivergenceHook() = [this](const Transcript& tr) {
      if (sequence_ >= -1 && send_divergences_) {
        SendFrame("div", std::to_string(sequence_) + " " +
                             std::to_string(tr.masked_step) + " " +
                             tr.masked_signature);
      }
    };
  }

  void Handle(const Frame& job) {
    if (job.tag == "run") {
      Run(job.payload);
    } else if (job.tag == "report") {
      Report(job.payload);
    } else if (job.tag == "replay") {
      Replay(job.payload);
    } else {
      SendFrame("error", "unknown job '" + job.tag + "'");
    }
  }

private:
  void Run(const std::string& payload) {
    int first = 0;
    int end = 0;
    std::istringstream(payload) >> first >> end;
    send_divergences_ = true;
    for (int i = first; i < end; i += SequenceStride(options_)) {
      sequence_ = i;
      const SequenceRun run = RunSequence(options_, i);
      SendFrame("seq", EncodeRun(run, options_.stats));
    }
    send_divergences_ = false;
  }

  void Report(const std::string& payload) {
    const size_t nl = payload.find('\n');
    int sequence = 0;
    int index = 0;
    std::istringstream(payload.substr(0, nl)) >> sequence >> index;
    std::string rest =
        nl == std::string::npos ? std::string() : payload.substr(nl + 1);
    std::set<std::string> masked;
    for (const Frame& f : DecodeFrames(rest)) {
      if (f.tag == "masks")
        masked = DecodeMasks(f.payload);
    }
    auto last_sent = std::chrono::steady_clock::now();
    const ShrinkProgress progress = [&](int tried, int accepted) {
      const auto now = std::chrono::steady_clock::now();
      if (now - last_sent < std::chrono::milliseconds(200))
        return;
      last_sent = now;
      SendFrame("shrink",
                std::to_string(tried) + " " + std::to_string(accepted));
    };
    std::ostringstream text;
    Coverage coverage;
    const std::optional<FoundDivergence> found = ShrinkAndReport(
        options_, sequence, masked, index, text, progress, coverage);
    std::vector<Frame> reply;
    if (found)
      reply.push_back(Frame{"found", EncodeFound(*found)});
    if (options_.stats)
      reply.push_back(Frame{"coverage", EncodeCoverage(coverage)});
    reply.push_back(Frame{"text", text.str()});
    SendFrame("report", Frames(reply));
  }

  void Replay(const std::string& payload) {
    std::string rest = payload;
    std::set<std::string> masked;
    std::optional<std::vector<Op>> ops;
    for (const Frame& f : DecodeFrames(rest)) {
      if (f.tag == "masks")
        masked = DecodeMasks(f.payload);
      if (f.tag == "ops")
        ops = DecodeOps(f.payload);
    }
    if (!ops) {
      SendFrame("error", "replay: operations do not parse");
      return;
    }
    sequence_ = -1;
    std::vector<Outcome> got;
    const SequenceRun run = ReplayAllMasked(options_, *ops, got);
    SendFrame("replayed", Frames({Frame{"run", EncodeRun(run, false)},
                                  Frame{"got", EncodeOutcomes(got)}}));
  }

  CheckOptions options_;
  int sequence_ = -2;
  bool send_divergences_ = false;
};

}  // namespace

std::string EncodeFrame(std::string_view tag, std::string_view payload) {
  std::string frame(tag);
  frame += ' ';
  frame += std::to_string(payload.size());
  frame += '\n';
  frame += payload;
  return frame;
}

std::vector<Frame> DecodeFrames(std::string& buffer) {
  std::vector<Frame> frames;
  size_t at = 0;
  for (;;) {
    const size_t nl = buffer.find('\n', at);
    if (nl == std::string::npos)
      break;
    const size_t space = buffer.find(' ', at);
    size_t length = 0;
    if (space == std::string::npos || space > nl ||
        std::from_chars(buffer.data() + space + 1, buffer.data() + nl, length)
                .ptr != buffer.data() + nl) {
      frames.push_back(Frame{"bad", buffer.substr(at, nl - at)});
      buffer.clear();
      return frames;
    }
    if (buffer.size() - (nl + 1) < length)
      break;
    frames.push_back(
        Frame{buffer.substr(at, space - at), buffer.substr(nl + 1, length)});
    at = nl + 1 + length;
  }
  buffer.erase(0, at);
  return frames;
}

std::string EncodeRun(const SequenceRun& run, bool with_coverage) {
  std::ostringstream os;
  os << "sequence " << run.sequence << '\n';
  if (!run.divergence.empty())
    os << "divergence " << run.divergence_step << ' ' << run.divergence << '\n';
  if (run.leak)
    os << "leak\n";
  if (!run.fatal.empty())
    os << "fatal " << run.fatal_step << ' ' << run.fatal << '\n';
  if (run.gave_up)
    os << "gave_up\n";
  if (with_coverage)
    os << EncodeCoverage(run.coverage);
  if (!run.failure.empty())
    os << "failure " << run.failure;  // last: it may span lines
  return os.str();
}

std::optional<SequenceRun> DecodeRun(std::string_view text) {
  SequenceRun run;
  std::istringstream in{std::string(text)};
  for (std::string line; std::getline(in, line);) {
    const size_t space = line.find(' ');
    const std::string key = line.substr(0, space);
    const std::string rest =
        space == std::string::npos ? "" : line.substr(space + 1);
    if (key == "failure") {
      std::ostringstream tail;
      tail << in.rdbuf();
      run.failure = rest + (tail.str().empty() ? "" : "\n" + tail.str());
      break;
    }
    if (key == "leak") {
      run.leak = true;
    } else if (key == "gave_up") {
      run.gave_up = true;
    } else if (key == "sequence" || key == "divergence" || key == "fatal") {
      std::istringstream fields(rest);
      int number = 0;
      std::string signature;
      if (!(fields >> number))
        return std::nullopt;
      fields >> signature;
      if (key == "sequence") {
        run.sequence = number;
      } else if (key == "divergence") {
        run.divergence = signature;
        run.divergence_step = number;
      } else {
        run.fatal = signature;
        run.fatal_step = number;
      }
    } else if (!DecodeCoverageLine(key, rest, run.coverage)) {
      return std::nullopt;
    }
  }
  return run;
}

std::string EncodeOps(const std::vector<Op>& ops) {
  std::string text;
  for (const Op& op : ops) {
    ScenarioStep step;
    step.op = op;
    text += FormatStepCall(step);
    text += '\n';
  }
  return text;
}

std::optional<std::vector<Op>> DecodeOps(std::string_view text) {
  auto parsed = ParseScenario(text);
  auto* scenario = std::get_if<Scenario>(&parsed);
  if (scenario == nullptr)
    return std::nullopt;
  std::vector<Op> ops;
  const HandleEnv no_handles;
  for (const ScenarioStep& step : scenario->steps) {
    auto op = ResolveStep(step, no_handles);
    if (auto* resolved = std::get_if<Op>(&op)) {
      ops.push_back(*resolved);
    } else {
      return std::nullopt;
    }
  }
  return ops;
}

std::string EncodeOutcomes(const std::vector<Outcome>& outcomes) {
  std::ostringstream os;
  for (const Outcome& o : outcomes)
    os << o << '\n';
  return os.str();
}

std::optional<std::vector<Outcome>> DecodeOutcomes(std::string_view text) {
  std::vector<Outcome> outcomes;
  std::istringstream in{std::string(text)};
  for (std::string line; std::getline(in, line);) {
    std::optional<Outcome> o = ParseOutcome(line);
    if (!o)
      return std::nullopt;
    outcomes.push_back(*o);
  }
  return outcomes;
}

std::string EncodeFound(const FoundDivergence& found) {
  return found.signature + '\n' + std::to_string(found.sequence) + '\n' +
         std::to_string(found.steps) + '\n' + (found.reproduced ? "1" : "0") +
         '\n' + found.scenario_path + '\n' + found.rerun + '\n';
}

std::optional<FoundDivergence> DecodeFound(std::string_view text,
                                           size_t& consumed) {
  std::istringstream in{std::string(text)};
  FoundDivergence found;
  std::string sequence;
  std::string steps;
  std::string reproduced;
  if (!std::getline(in, found.signature) || !std::getline(in, sequence) ||
      !std::getline(in, steps) || !std::getline(in, reproduced) ||
      !std::getline(in, found.scenario_path) ||
      !std::getline(in, found.rerun)) {
    return std::nullopt;
  }
  try {
    found.sequence = std::stoi(sequence);
    found.steps = std::stoul(steps);
  } catch (const std::exception&) {
    return std::nullopt;
  }
  found.reproduced = reproduced == "1";
  const std::streamoff at = in.tellg();
  consumed = at < 0 ? text.size() : static_cast<size_t>(at);
  return found;
}

std::string CrashSignature(int signal) {
  const char* name = sigabbrev_np(signal);
  return std::string("crash:SIG") +
         (name != nullptr ? name : std::to_string(signal));
}

SequenceRun ReplayAllMasked(const CheckOptions& options,
                            const std::vector<Op>& ops,
                            std::vector<Outcome>& got) {
  SequenceRun run;
  run.sequence = -1;
  World world;
  world.profile = options.profile;
  std::unique_ptr<Sut> sut = options.make_sut();
  std::optional<FdinfoOracle> oracle;
  if (sut->FdinfoOff().empty())
    oracle.emplace();
  got.clear();
  for (size_t i = 0; i < ops.size(); ++i) {
    const World before = world;
    StepRecord record{.op = ops[i], .want = Step(world, ops[i]), .got = {}};
    record.got = sut->Execute(ops[i]);
    got.push_back(record.got);
    if (!run.divergence.empty())
      continue;
    run.divergence =
        CompareStep(std::span<const Op>(ops).first(i + 1), before, world, *sut,
                    oracle ? &*oracle : nullptr, record);
    if (!run.divergence.empty()) {
      run.divergence_step = static_cast<int>(i);
      SendFrame("div", "-1 " + std::to_string(i) + " " + run.divergence);
    }
  }
  run.leak = !sut->Finish().empty();
  return run;
}

int RunWorker(const CheckOptions& options, int parent) {
  // Die with the supervisor; where prctl is refused, the watchdog's ticks
  // watch the parent instead.
  const bool tied = prctl(PR_SET_PDEATHSIG, SIGKILL) == 0;
  if (getppid() != parent)
    return 1;  // the supervisor died before we could tie our fate to it
  if (!tied)
    Watchdog::ExitWhenOrphaned(parent);
  g_result_fd = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 10);
  if (g_result_fd < 0 || dup2(STDERR_FILENO, STDOUT_FILENO) < 0)
    return 1;
  InstallCrashHandlers();
  if (!Watchdog::Start(options.hang_timeout, OnHang, OnAlive,
                       SutSeesProcessSignals(options.sut_name)
                           ? Watchdog::Timer::kThread
                           : Watchdog::Timer::kThreadTimer))
    return 1;
  Worker worker(options);
  SendFrame("ready", "");
  std::string buffer;
  std::vector<char> chunk(1 << 16);
  for (;;) {
    const ssize_t n = read(STDIN_FILENO, chunk.data(), chunk.size());
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return 0;  // the supervisor closed our stdin: done
    buffer.append(chunk.data(), static_cast<size_t>(n));
    for (const Frame& job : DecodeFrames(buffer)) {
      if (job.tag == "bad")
        return 1;
      worker.Handle(job);
    }
  }
}

}  // namespace epollcheck
