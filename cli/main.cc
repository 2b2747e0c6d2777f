// epollcheck: the command-line front end.
//
//   epollcheck check --sut NAME [--sequences N] [--max-ops M] [--seed S]
//                    [--kernel-era MAJOR.MINOR | --profile FILE|NAME]
//                    [--stats] [--stats-json FILE]
//                    [--out DIR] [--known FILE] [--only-sequence I]
//                    [--mask SIGNATURE]... [--families F,...] [--jobs N]
//                    [--duration D] [--hang-timeout D] [--no-fdinfo]
//   epollcheck replay FILE [--sut model|kernel|...] [--kernel-era MAJOR.MINOR]
//                    [--profile FILE|NAME] [--against-model] [--hang-timeout D]
//                    [--families F,...|-F,...]
//   epollcheck repro FILE > repro.c
//   epollcheck --help
//
// check: the last line is always `epollcheck: SUT: N sequences, D divergences`
// and the exit status is 0 iff D is 0. It runs the sequences in supervised
// worker processes (properties/supervisor.h), which are this binary started
// as `epollcheck check-worker PARENT_PID <check options>` (not for users).
// replay: exit 0 iff every step holds; a scenario using a family of operations
// the SUT does not implement is not run: one line on stdout (`epollcheck: FILE:
// SUT does not implement FAMILY (skipped)`, or `uses FAMILY, outside
// --families ...`), exit 77 (kSkipExitCode, ctest's SKIP_RETURN_CODE); a step
// that does not return within --hang-timeout: one line on stderr, the
// signature `check` would give the run on stdout, exit 1. Bad usage or input:
// exactly one line on stderr
// (`epollcheck: what is wrong`, or `file:line: what is wrong` for a scenario),
// exit 2. --help prints the usage on stdout, exit 0.

#include <sched.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <rapidcheck/detail/Configuration.h>

#include "cli/matrix.h"
#include "cli/result.h"
#include "properties/runner.h"
#include "properties/supervisor.h"
#include "properties/triage.h"
#include "properties/watchdog.h"
#include "properties/worker.h"
#include "scenario/replay.h"
#include "scenario/repro.h"
#include "scenario/scenario.h"
#include "sut/kernel/harness_calls.h"
#include "sut/model_sut.h"
#include "sut/registry.h"

namespace {

using epollcheck::CheckOptions;

const std::string kUsage =
    "usage: epollcheck check --sut NAME [--sequences N] [--max-ops M] "
    "[--seed S]\n"
    "                        [--kernel-era MAJOR.MINOR | --profile FILE|NAME]\n"
    "                        [--stats] [--stats-json FILE]\n"
    "                        [--out DIR] [--known FILE] [--only-sequence I]\n"
    "                        [--mask SIGNATURE]... [--families F,...]\n"
    "                        [--jobs N] [--duration D] [--hang-timeout D]\n"
    "                        [--no-fdinfo] [--shard K/N]\n"
    "                        [--corpus DIR] [--json FILE] [--target NAME]\n"
    "       epollcheck matrix [--targets T,...] [--kernel PATH]\n"
    "                         [--budget smoke|default|full|N] [--jobs N]\n"
    "                         [--seed S] [--timeout D] [--out DIR]\n"
    "                         [--json FILE] [--format table|ktap]\n"
    "                         [--shard K/N] [--runner PATH] [--fixtures DIR]\n"
    "                         [--families F,...]\n"
    "       epollcheck report FILE.json... [--out DIR] [--json FILE]\n"
    "                         [--format table|ktap]\n"
    "       epollcheck replay FILE [--sut NAME] [--kernel-era MAJOR.MINOR]\n"
    "                         [--profile FILE|NAME] [--against-model]\n"
    "                         [--hang-timeout D] [--families F,...]\n"
    "       epollcheck repro FILE\n"
    "       epollcheck --help\n"
    "\n"
    "check runs N sequences (default 1000; with --duration, as many as fit)\n"
    "in --jobs worker processes (default: one per core); a worker that\n"
    "crashes, or whose SUT does not return from an operation within\n"
    "--hang-timeout (default 10s), is a divergence (crash:SIGNAL;\n"
    "OP:hang:RULE, the step that hung and the rule deciding what the model\n"
    "expects there) and\n"
    "the run goes on. Durations: 300ms, 30s, 10m, 2h. After every step the\n"
    "interest set of every open epoll instance, as the SUT shows it\n"
    "(/proc/<pid>/fdinfo), must equal the model's (signature fdinfo:...);\n"
    "the header says whether this fdinfo oracle is on; --no-fdinfo turns it\n"
    "off. --shard K/N runs only the sequences i with i mod N == K (each\n"
    "sequence as in the whole run: the N shards together are the run).\n"
    "--corpus DIR also replays every DIR/*.scn on the SUT (a failing one\n"
    "fails the run, unless --known registers the signature it fails with:\n"
    "then it is listed as known); --families F,... generates only those\n"
    "families (-F,... all but those; replay and the corpus skip a file that\n"
    "uses another); --json FILE writes the result for\n"
    "`epollcheck report`\n"
    "(named --target, default the SUT).\n"
    "\n"
    "matrix runs check and the corpus on each target and reports them:\n"
    "targets host, 5.10, 6.1, 6.12, 7.x (Debian kernels under QEMU), uml,\n"
    "gvisor, and kernel:PATH (--kernel PATH: your bzImage or vmlinux); by\n"
    "default every one that can run here (the others are listed with why).\n"
    "Budgets: smoke 200 sequences, default 2000, full 20000, or a number.\n"
    "It writes matrix.md, matrix.json, junit.xml (and matrix.ktap with\n"
    "--format ktap) to --out (default epollcheck-matrix); exit 0 iff every\n"
    "target that ran found nothing new. report merges result files (and\n"
    "shards of one target) into one matrix with the same outputs.\n"
    "\n"
    "The kernel SUT's model profile is decided by probing the target's\n"
    "behaviour (printed in the header); --profile names one instead: an era\n"
    "(6.1) and FEATURE=VALUE overrides, separated by blanks or commas, or a\n"
    "file holding them. Features: " +
    [] {
      std::string list;
      for (const epollcheck::EraFeature& f : epollcheck::EraFeatures()) {
        list += "\n  " + std::string(f.name) + " =";
        for (const std::string_view v : f.values)
          list += " " + std::string(v);
      }
      return list;
    }();

// Bad usage: one line naming what is wrong, exit 2 (the usage itself is
// `epollcheck --help`).
[[noreturn]] void UsageError(const std::string& what) {
  std::cerr << "epollcheck: " << what << '\n';
  std::exit(2);
}

// The families --families names: "F,..." (each implemented by the SUT), or
// "-F,..." (every family the SUT has but those).
uint32_t FamiliesFlag(const std::string& text, uint32_t available,
                      const std::string& sut_name) {
  const bool without = text.starts_with('-');
  std::string unknown;
  const std::optional<uint32_t> bits =
      epollcheck::ParseFamilies(without ? text.substr(1) : text, &unknown);
  if (!bits) {
    UsageError("--families: unknown family '" + unknown + "' (known: " +
               epollcheck::FamiliesString(epollcheck::kAllFamilies) + ")");
  }
  if (without) {
    if ((available & ~*bits) == 0)
      UsageError("--families: " + text + " leaves no family (" + sut_name +
                 " has " + epollcheck::FamiliesString(available) + ")");
    return available & ~*bits;
  }
  if ((*bits & ~available) != 0) {
    UsageError("--families: " + sut_name + " does not implement " +
               epollcheck::FamiliesString(*bits & ~available) + " (it has " +
               epollcheck::FamiliesString(available) + ")");
  }
  return *bits;
}

[[noreturn]] void InputError(const std::string& what) {
  std::cerr << what << '\n';
  std::exit(2);
}

template <class T>
T ParseNumber(std::string_view flag, std::string_view text, T min, T max) {
  T value{};
  const auto [end, ec] =
      std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < min ||
      value > max) {
    UsageError(std::string(flag) + ": '" + std::string(text) +
               "' is not a number in [" + std::to_string(min) + ", " +
               std::to_string(max) + "]");
  }
  return value;
}

epollcheck::Profile ParseEra(std::string_view flag, const std::string& era) {
  int major = 0;
  int minor = 0;
  char dot = 0;
  char extra = 0;
  if (std::sscanf(era.c_str(), "%d%c%d%c", &major, &dot, &minor, &extra) != 3 ||
      dot != '.' || major < 2 || minor < 0) {
    UsageError(std::string(flag) + ": '" + era +
               "' is not MAJOR.MINOR, e.g. 6.18");
  }
  return epollcheck::ProfileForKernel(major, minor);
}

// --profile FILE|NAME: a profile name ("6.1", "6.1 pipe.write_wake=if-empty",
// words separated by blanks or commas), or a file holding one (words over
// any number of lines; `#` starts a comment).
epollcheck::Profile ParseProfileFlag(const std::string& arg) {
  std::string text = arg;
  std::error_code ec;
  if (std::filesystem::is_regular_file(arg, ec)) {
    std::ifstream in(arg);
    text.clear();
    for (std::string line; std::getline(in, line);) {
      text += ' ' + line.substr(0, line.find('#'));
    }
  }
  for (char& c : text) {
    if (c == ',' || c == '\n' || c == '\t' || c == '\r')
      c = ' ';
  }
  const size_t first = text.find_first_not_of(' ');
  const size_t last = text.find_last_not_of(' ');
  text = first == std::string::npos ? "" : text.substr(first, last - first + 1);
  std::string why;
  std::optional<epollcheck::Profile> profile =
      epollcheck::ParseProfileName(text, &why);
  if (!profile)
    UsageError("--profile: " + why);
  return *profile;
}

// `named` with the host facts of `measured` (the SUT's: socket constants,
// RLIMIT_NOFILE, privileges, pipe-max-size are not an era's).
epollcheck::Profile WithHostFacts(epollcheck::Profile profile,
                                  const epollcheck::Profile& measured) {
  profile.sockets = measured.sockets;
  profile.fd_limit = measured.fd_limit;
  profile.fd_hard_limit = measured.fd_hard_limit;
  profile.cap_sys_resource = measured.cap_sys_resource;
  profile.cap_net_admin = measured.cap_net_admin;
  profile.cap_fowner = measured.cap_fowner;
  profile.pipe_max_size = measured.pipe_max_size;
  profile.max_user_watches = measured.max_user_watches;
  return profile;
}

// The model profile `era` (--kernel-era) or `profile_arg` (--profile) names,
// with the host facts of `measured`.
epollcheck::Profile OverrideProfile(const epollcheck::Profile& measured,
                                    const std::string& era,
                                    const std::string& profile_arg) {
  return WithHostFacts(!era.empty() ? ParseEra("--kernel-era", era)
                                    : ParseProfileFlag(profile_arg),
                       measured);
}

// A SUT by name for replay: the registry's, or the model itself.
epollcheck::SutEntry SutByName(const std::string& name) {
  if (name == "model") {
    epollcheck::SutEntry entry;
    entry.profile = epollcheck::ProfileForKernel(6, 18);
    entry.description = "the model";
    return entry;
  }
  auto made = epollcheck::MakeSut(name);
  if (auto* why = std::get_if<std::string>(&made)) {
    if (why->rfind("unknown SUT", 0) == 0)
      UsageError("--sut: " + *why + ", or model for replay");
    InputError("epollcheck: " + *why);
  }
  return std::get<epollcheck::SutEntry>(std::move(made));
}

// RapidCheck prints "Using configuration: seed=..." the first time its global
// configuration is read; this runner passes its own parameters, so that seed
// would only mislead. Read it once with stderr muted.
void SilenceRapidCheckBanner() {
  std::ostringstream sink;
  std::streambuf* saved = std::cerr.rdbuf(sink.rdbuf());
  (void)rc::detail::configuration();
  std::cerr.rdbuf(saved);
}

// A duration flag's value, or a one-line usage error.
std::chrono::milliseconds ParseDurationFlag(std::string_view flag,
                                            std::string_view text) {
  const std::optional<std::chrono::milliseconds> d =
      epollcheck::ParseDuration(text);
  if (!d) {
    UsageError(std::string(flag) + ": '" + std::string(text) +
               "' is not a duration (e.g. 300ms, 30s, 10m, 2h)");
  }
  return *d;
}

// What `check` was asked to do.
struct CheckArgs {
  CheckOptions options;
  int jobs = 0;  // 0: one per core
  std::optional<std::chrono::milliseconds> duration;
  std::string duration_arg;  // as given, for the header line
  bool sequences_given = false;
  // Why the SUT shows no interest sets ("" : the fdinfo oracle is on).
  std::string fdinfo_off;
  std::string profile_evidence;  // how the SUT's profile was probed
  std::string corpus_dir;        // --corpus: replay every *.scn there
  std::string json_path;         // --json: write the result there
  std::string target_name;       // --target: its name in the result
};

CheckArgs ParseCheck(const std::vector<std::string_view>& args) {
  CheckArgs parsed;
  CheckOptions& options = parsed.options;
  options.seed = std::random_device{}();
  options.out_dir = "epollcheck-out";
  std::string era;
  std::string known_path;
  std::string families;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string_view flag = args[i];
    const auto value = [&]() -> std::string_view {
      if (i + 1 >= args.size())
        UsageError(std::string(flag) + " needs a value");
      return args[++i];
    };
    if (flag == "--sut") {
      options.sut_name = std::string(value());
    } else if (flag == "--sequences") {
      options.sequences = ParseNumber<int>(flag, value(), 1, 1000000000);
      parsed.sequences_given = true;
    } else if (flag == "--max-ops") {
      options.max_ops = ParseNumber<int>(flag, value(), 1, 100000);
    } else if (flag == "--seed") {
      options.seed = ParseNumber<uint64_t>(flag, value(), 0, UINT64_MAX);
    } else if (flag == "--stats") {
      options.stats = true;
    } else if (flag == "--stats-json") {
      options.stats_json = std::string(value());
      // Fail before the run, not after it.
      if (!std::ofstream(options.stats_json, std::ios::app))
        UsageError("--stats-json: cannot write " + options.stats_json);
    } else if (flag == "--kernel-era") {
      era = std::string(value());
    } else if (flag == "--profile") {
      options.profile_arg = std::string(value());
    } else if (flag == "--out") {
      options.out_dir = std::string(value());
    } else if (flag == "--known") {
      known_path = std::string(value());
    } else if (flag == "--families") {
      families = std::string(value());
    } else if (flag == "--only-sequence") {
      options.only_sequence = ParseNumber<int>(flag, value(), 0, 999999999);
    } else if (flag == "--mask") {
      const std::string signature(value());
      const bool fatal =
          signature == "hang" ||
          (signature.rfind("crash:", 0) == 0 && signature.size() > 6 &&
           std::count(signature.begin(), signature.end(), ':') == 1);
      if (!fatal && std::count(signature.begin(), signature.end(), ':') != 2) {
        UsageError("--mask: '" + signature +
                   "' is not op:part:rule (op:hang:rule for a hang), "
                   "crash:SIGNAL or hang (a hang at no known step)");
      }
      options.masked.insert(signature);
    } else if (flag == "--jobs") {
      parsed.jobs = ParseNumber<int>(flag, value(), 1, 1024);
    } else if (flag == "--duration") {
      parsed.duration_arg = std::string(value());
      parsed.duration = ParseDurationFlag(flag, parsed.duration_arg);
    } else if (flag == "--hang-timeout") {
      const std::string_view text = value();
      options.hang_timeout = ParseDurationFlag(flag, text);
      options.hang_timeout_arg = std::string(text);
    } else if (flag == "--no-fdinfo") {
      options.no_fdinfo = true;
    } else if (flag == "--shard") {
      const std::string_view text = value();
      if (!epollcheck::ParseShard(text, &options.shard, &options.shards)) {
        UsageError("--shard: '" + std::string(text) +
                   "' is not K/N with 0 <= K < N (e.g. 0/4)");
      }
    } else if (flag == "--corpus") {
      parsed.corpus_dir = std::string(value());
      std::error_code ec;
      if (!std::filesystem::is_directory(parsed.corpus_dir, ec))
        UsageError("--corpus: " + parsed.corpus_dir + " is not a directory");
    } else if (flag == "--json") {
      parsed.json_path = std::string(value());
      if (!std::ofstream(parsed.json_path, std::ios::app))
        UsageError("--json: cannot write " + parsed.json_path);
    } else if (flag == "--target") {
      parsed.target_name = std::string(value());
    } else {
      UsageError("unknown argument '" + std::string(flag) + "'");
    }
  }
  if (options.sut_name.empty())
    UsageError("--sut is required");
  if (parsed.duration && !parsed.sequences_given)
    options.sequences = 1000000000;  // as many as fit in the time
  if (options.only_sequence >= options.sequences) {
    UsageError("--only-sequence: " + std::to_string(options.only_sequence) +
               " is not below --sequences " +
               std::to_string(options.sequences));
  }
  if (options.sut_name == "model")
    UsageError("--sut: checking the model against itself proves nothing; "
               "model is for replay");
  epollcheck::SutEntry sut = SutByName(options.sut_name);
  options.make_sut = sut.make;
  if (options.no_fdinfo) {
    options.make_sut = [make = sut.make]() -> std::unique_ptr<epollcheck::Sut> {
      return std::make_unique<epollcheck::WithoutFdinfo>(make());
    };
  }
  {
    // Whether the oracle can run here: asked of a SUT like the run's.
    std::unique_ptr<epollcheck::Sut> probe = options.make_sut();
    parsed.fdinfo_off = probe->FdinfoOff();
    (void)probe->Finish();
  }
  options.profile = sut.profile;
  options.sut_description = sut.description;
  options.families = sut.families;
  if (!families.empty()) {
    options.families = FamiliesFlag(families, sut.families, options.sut_name);
    options.families_arg = families;
  }
  if (!era.empty() && !options.profile_arg.empty())
    UsageError("--kernel-era and --profile both name the profile; give one");
  if (!era.empty() || !options.profile_arg.empty()) {
    options.profile =
        OverrideProfile(options.profile, era, options.profile_arg);
    options.kernel_era = era;
    options.sut_description +=
        " (model profile overridden: " + options.profile.name + ")";
  } else {
    parsed.profile_evidence = sut.profile_evidence;
  }
  if (!known_path.empty()) {
    auto loaded = epollcheck::LoadKnown(known_path);
    if (auto* why = std::get_if<std::string>(&loaded))
      InputError(*why);
    options.known = std::get<epollcheck::KnownDivergences>(loaded);
    options.known_path = known_path;
  }
  return parsed;
}

// The cores this process may run on.
int Cores() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
    return CPU_COUNT(&set);
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

// This binary, for the workers: /proc/self/exe, else argv[0].
std::string SelfPath(const char* argv0) {
  std::error_code ec;
  const std::filesystem::path self =
      std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec)
    return self.string();
  return std::filesystem::absolute(argv0, ec).string();
}

// The arguments that make this binary a worker of this run.
std::vector<std::string> WorkerArgs(const CheckOptions& options) {
  std::vector<std::string> args = {
      "check-worker", std::to_string(getpid()),
      "--sut",        options.sut_name,
      "--seed",       std::to_string(options.seed),
      "--sequences",  std::to_string(options.sequences),
      "--max-ops",    std::to_string(options.max_ops),
      "--out",        options.out_dir};
  if (!options.kernel_era.empty())
    args.insert(args.end(), {"--kernel-era", options.kernel_era});
  if (!options.profile_arg.empty())
    args.insert(args.end(), {"--profile", options.profile_arg});
  if (!options.known_path.empty())
    args.insert(args.end(), {"--known", options.known_path});
  if (!options.families_arg.empty())
    args.insert(args.end(), {"--families", options.families_arg});
  if (!options.hang_timeout_arg.empty())
    args.insert(args.end(), {"--hang-timeout", options.hang_timeout_arg});
  if (options.no_fdinfo)
    args.emplace_back("--no-fdinfo");
  if (options.shards > 1) {
    args.insert(args.end(), {"--shard", std::to_string(options.shard) + "/" +
                                            std::to_string(options.shards)});
  }
  if (options.stats)
    args.emplace_back("--stats");
  return args;
}

// What `check --json` writes: the run as a TargetResult (cli/result.h).
epollcheck::TargetResult CheckResult(const CheckArgs& parsed,
                                     const epollcheck::CheckReport& report) {
  const CheckOptions& options = parsed.options;
  epollcheck::TargetResult r;
  r.target = parsed.target_name.empty() ? options.sut_name : parsed.target_name;
  r.description = options.sut_description;
  utsname u{};
  if (uname(&u) == 0)
    r.uname = std::string(u.sysname) + " " + u.release + " " + u.version;
  r.profile = options.profile.name;
  r.features = epollcheck::FeatureSettings(options.profile);
  r.evidence = parsed.profile_evidence.empty()
                   ? "overridden: " +
                         (options.kernel_era.empty()
                              ? "--profile " + options.profile_arg
                              : "--kernel-era " + options.kernel_era) +
                         "\n"
                   : parsed.profile_evidence;
  r.seed = std::to_string(options.seed);
  r.sequences = options.sequences;
  r.sequences_run = report.sequences_run;
  if (options.shards > 1) {
    r.shards.push_back(std::to_string(options.shard) + "/" +
                       std::to_string(options.shards));
  }
  for (const epollcheck::FoundDivergence& d : report.found) {
    epollcheck::ResultDivergence rd{.signature = d.signature,
                                    .sequence = d.sequence,
                                    .steps = static_cast<int>(d.steps),
                                    .rerun = d.rerun,
                                    .reproduced = d.reproduced};
    if (!d.scenario_path.empty()) {
      std::ifstream in(d.scenario_path, std::ios::binary);
      std::ostringstream text;
      text << in.rdbuf();
      rd.scenario = text.str();
      auto scenario = epollcheck::ParseScenario(rd.scenario);
      if (auto* s = std::get_if<epollcheck::Scenario>(&scenario)) {
        const epollcheck::Reproducer repro =
            epollcheck::EmitReproducer(*s, options.profile, d.scenario_path);
        rd.reproducer = repro.error.empty() ? repro.program : std::string();
      }
    }
    r.divergences.push_back(std::move(rd));
  }
  for (const auto& [signature, count] : report.census) {
    r.census.push_back(epollcheck::CensusEntry{.signature = signature,
                                               .sequences = count.sequences,
                                               .first = count.first});
  }
  for (const auto& [signature, hits] : report.known_hits) {
    const auto known = options.known.find(signature);
    r.known.push_back(epollcheck::KnownHit{
        .signature = signature,
        .sequences = hits,
        .note = known == options.known.end() ? "" : known->second.note});
  }
  return r;
}

int Check(const std::vector<std::string_view>& args, const char* argv0) {
  const auto start = std::chrono::steady_clock::now();
  const CheckArgs parsed = ParseCheck(args);
  const CheckOptions& options = parsed.options;
  epollcheck::SuperviseOptions supervise;
  supervise.jobs = parsed.jobs > 0 ? parsed.jobs : Cores();
  if (options.only_sequence >= 0)
    supervise.jobs = 1;
  supervise.duration = parsed.duration;
  supervise.program = SelfPath(argv0);
  supervise.worker_args = WorkerArgs(options);
  std::cout << "epollcheck: checking model vs " << options.sut_name << " ("
            << options.sut_description << "), seed " << options.seed << ", ";
  if (parsed.duration) {
    std::cout << (parsed.sequences_given
                      ? "up to " + std::to_string(options.sequences) + " "
                      : std::string())
              << "sequences of up to " << options.max_ops << " ops for "
              << parsed.duration_arg;
  } else {
    std::cout << options.sequences << " sequences of up to " << options.max_ops
              << " ops";
  }
  if (options.shards > 1 && options.only_sequence < 0) {
    std::cout << " (shard " << options.shard << "/" << options.shards
              << ": sequences i with i mod " << options.shards
              << " == " << options.shard << ")";
  }
  std::cout << "; families " << epollcheck::FamiliesString(options.families)
            << "; fdinfo oracle "
            << (parsed.fdinfo_off.empty() ? "on" : "off: " + parsed.fdinfo_off)
            << "; " << supervise.jobs
            << (supervise.jobs == 1 ? " job" : " jobs") << std::endl;
  if (!parsed.profile_evidence.empty()) {
    std::cout << "epollcheck: profile " << options.profile.name
              << ", decided by probes (uname only names it):\n"
              << parsed.profile_evidence;
  }
  if (const std::string fallbacks = epollcheck::HarnessCallsSummary();
      !fallbacks.empty()) {
    std::cout << "epollcheck: harness fallbacks: " << fallbacks << '\n';
  }
  std::cout << std::flush;
  SilenceRapidCheckBanner();
  std::ostream* progress = isatty(STDERR_FILENO) ? &std::cerr : nullptr;
  const epollcheck::CheckReport report =
      epollcheck::RunSupervised(options, supervise, std::cout, progress);
  if (!report.stats_json_error.empty())
    std::cerr << "epollcheck: --stats-json: " << report.stats_json_error
              << '\n';
  std::optional<epollcheck::CorpusRun> corpus;
  if (!parsed.corpus_dir.empty()) {
    std::vector<std::string> replay_args = {"--sut", options.sut_name};
    if (!options.families_arg.empty())
      replay_args.insert(replay_args.end(),
                         {"--families", options.families_arg});
    if (!options.kernel_era.empty())
      replay_args.insert(replay_args.end(),
                         {"--kernel-era", options.kernel_era});
    if (!options.profile_arg.empty())
      replay_args.insert(replay_args.end(), {"--profile", options.profile_arg});
    corpus = epollcheck::RunCorpus(
        SelfPath(argv0), parsed.corpus_dir, replay_args, std::cout,
        options.known_path.empty() ? nullptr : &options.known);
  }
  if (!parsed.json_path.empty()) {
    epollcheck::TargetResult result = CheckResult(parsed, report);
    if (corpus) {
      result.corpus_ran = true;
      result.corpus_passed = corpus->passed;
      result.corpus_skipped = corpus->skipped;
      result.corpus_failed = corpus->failed;
      result.corpus_known = corpus->known;
    }
    result.wall_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count();
    result.status = epollcheck::DecideStatus(result);
    std::ofstream out(parsed.json_path, std::ios::trunc);
    out << epollcheck::ToJson(epollcheck::Matrix{{result}}) << std::flush;
    if (!out)
      std::cerr << "epollcheck: --json: cannot write " << parsed.json_path
                << '\n';
  }
  std::cout << "epollcheck: " << options.sut_name << ": "
            << report.sequences_run << " sequences, " << report.divergences
            << " divergences";
  if (corpus) {
    std::cout << "; corpus " << corpus->passed << " pass, "
              << corpus->failed.size() << " fail, " << corpus->known.size()
              << " known, " << corpus->skipped << " skipped";
  }
  std::cout << std::endl;
  return report.divergences == 0 && (!corpus || corpus->failed.empty()) ? 0 : 1;
}

// `epollcheck check-worker PARENT_PID <check options>`: a worker of a
// supervised check (properties/worker.h); not for users.
int CheckWorker(const std::vector<std::string_view>& args) {
  // Boost 1.81's launcher leaves the supervisor's other descriptors open in
  // its children (its close_range loop skips the range below the fd it
  // whitelists): drop them before anything else, or a worker would hold the
  // pipes of its siblings and a dead sibling's pipes would never report EOF.
  epollcheck::CloseFrom(3);
  if (args.empty())
    UsageError("check-worker needs the supervisor's pid");
  const int parent = ParseNumber<int>("check-worker", args[0], 1, INT32_MAX);
  const CheckArgs parsed =
      ParseCheck(std::vector<std::string_view>(args.begin() + 1, args.end()));
  SilenceRapidCheckBanner();
  return epollcheck::RunWorker(parsed.options, parent);
}

// Reads and parses a scenario file, or exits 2 with `file:line: ...`.
epollcheck::Scenario LoadScenario(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    InputError(path + ": cannot open");
  std::ostringstream text;
  text << in.rdbuf();
  auto parsed = epollcheck::ParseScenario(text.str());
  if (auto* error = std::get_if<epollcheck::ParseError>(&parsed)) {
    InputError(path + ":" + std::to_string(error->line) + ": " +
               error->message);
  }
  return std::get<epollcheck::Scenario>(std::move(parsed));
}

// replay's exit status when the SUT lacks a family the scenario uses (the
// automake/ctest "skipped" convention).
constexpr int kSkipExitCode = 77;

// The replay's hang line, `epollcheck: FILE: step ` ... ` did not return
// within N ms (hang)`, composed before the watchdog starts: its handler runs
// in a signal handler and may only append the step and write.
char g_hang_prefix[512];
char g_hang_suffix[96];
// The signature line a hang prints on stdout (where the corpus run and
// `check` read signatures), as `check` would sign the run: the first
// differing step's signature once a step has differed; else, for the step
// that hangs, `OP:hang:RULE`, kept per step parity (a buffer is rewritten
// only two steps after the one it names, so the handler never reads one
// being written); else (the teardown) plain `hang`. Written before each
// step starts; read by the watchdog's handler.
struct HangLine {
  char text[320];
  std::atomic<size_t> size{0};
  std::atomic<int> step{-1};  // the step it names (-1: any)
};
HangLine g_hang_lines[2];
HangLine g_first_difference;

void WriteLine(const char* text, size_t size) {
  (void)!write(STDOUT_FILENO, text, size);
}

void OnReplayHang(int step) {
  char line[700];
  size_t at = 0;
  const auto append = [&](const char* text) {
    while (*text != '\0' && at + 1 < sizeof line)
      line[at++] = *text++;
  };
  append(g_hang_prefix);
  char digits[16];
  size_t n = 0;
  unsigned value = step < 0 ? 0u : static_cast<unsigned>(step);
  do {
    digits[n++] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value != 0 && n < sizeof digits);
  while (n > 0 && at + 1 < sizeof line)
    line[at++] = digits[--n];
  append(g_hang_suffix);
  (void)!write(STDERR_FILENO, line, at);
  const HangLine& mine = g_hang_lines[step & 1];
  if (const size_t first =
          g_first_difference.size.load(std::memory_order_acquire)) {
    WriteLine(g_first_difference.text, first);
  } else if (const size_t size = mine.size.load(std::memory_order_acquire);
             size != 0 && mine.step.load(std::memory_order_acquire) == step) {
    WriteLine(mine.text, size);
  } else {
    static constexpr char kPlain[] = "epollcheck: signature hang\n";
    WriteLine(kPlain, sizeof kPlain - 1);
  }
  _exit(1);
}

void StartReplayWatchdog(const std::string& path,
                         std::chrono::milliseconds timeout,
                         const std::string& sut_name) {
  std::snprintf(g_hang_prefix, sizeof g_hang_prefix, "epollcheck: %s: step ",
                path.c_str());
  std::snprintf(g_hang_suffix, sizeof g_hang_suffix,
                " did not return within %lld ms (hang)\n",
                static_cast<long long>(timeout.count()));
  (void)epollcheck::Watchdog::Start(
      timeout, OnReplayHang, nullptr,
      epollcheck::SutSeesProcessSignals(sut_name)
          ? epollcheck::Watchdog::Timer::kThread
          : epollcheck::Watchdog::Timer::kThreadTimer);
}

// The signature `check` gives the first step of a replay whose result, or
// (at a written fdinfo line that mismatched) interest sets, differ from the
// model's under `profile` ("" if none does before a step fails otherwise):
// what a registry (--known) keys the difference by.
std::string FirstSignature(const epollcheck::ReplayReport& report,
                           const epollcheck::Profile& profile) {
  epollcheck::World world;
  world.profile = profile;
  std::vector<epollcheck::Op> ops;
  for (const epollcheck::ReplayedStep& step : report.steps) {
    if (!step.op)
      return "";
    const epollcheck::World before = world;
    ops.push_back(*step.op);
    const epollcheck::Outcome want = epollcheck::Step(world, *step.op);
    if (!(want == step.got)) {
      return epollcheck::DivergenceSignature(
          profile, ops, want, step.got,
          epollcheck::OperandFamilies(before, *step.op));
    }
    // A written fdinfo line that mismatched, where the SUT's interest sets
    // differ from the model's: the signature `check` gives that.
    if (step.fdinfo_difference)
      return epollcheck::FdinfoSignature(ops, world, *step.fdinfo_difference);
  }
  return "";
}

int Replay(const std::vector<std::string_view>& args) {
  std::string path;
  std::string sut_name = "kernel";
  std::string era;
  std::string profile_arg;
  bool against_model = false;
  std::string families_arg;
  std::chrono::milliseconds hang_timeout{10000};
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--sut" || args[i] == "--kernel-era" ||
        args[i] == "--profile" || args[i] == "--families") {
      if (i + 1 >= args.size())
        UsageError(std::string(args[i]) + " needs a value");
      (args[i] == "--sut"          ? sut_name
       : args[i] == "--kernel-era" ? era
       : args[i] == "--families"   ? families_arg
                                   : profile_arg) = std::string(args[i + 1]);
      ++i;
    } else if (args[i] == "--hang-timeout") {
      if (i + 1 >= args.size())
        UsageError("--hang-timeout needs a value");
      hang_timeout = ParseDurationFlag(args[i], args[i + 1]);
      ++i;
    } else if (args[i] == "--against-model") {
      against_model = true;
    } else if (!args[i].empty() && args[i][0] == '-') {
      UsageError("unknown argument '" + std::string(args[i]) + "'");
    } else if (path.empty()) {
      path = std::string(args[i]);
    } else {
      UsageError("replay takes one scenario file");
    }
  }
  if (path.empty())
    UsageError("replay needs a scenario file");
  if (!era.empty() && !profile_arg.empty())
    UsageError("--kernel-era and --profile both name the profile; give one");
  const bool overridden = !era.empty() || !profile_arg.empty();
  const epollcheck::Profile era_profile =
      overridden ? OverrideProfile(epollcheck::Profile{}, era, profile_arg)
                 : epollcheck::Profile{};
  const epollcheck::Scenario scenario = LoadScenario(path);
  epollcheck::SutEntry sut = SutByName(sut_name);
  uint32_t used_families = 0;
  for (const epollcheck::ScenarioStep& step : scenario.steps)
    used_families |= epollcheck::FamilyOf(step.op);
  if (!families_arg.empty()) {
    if (const uint32_t outside =
            used_families & ~FamiliesFlag(families_arg, sut.families, sut_name);
        outside != 0) {
      std::cout << "epollcheck: " << path << ": uses "
                << epollcheck::FamiliesString(outside)
                << ", outside --families " << families_arg << " (skipped)"
                << std::endl;
      return kSkipExitCode;
    }
  }
  if (const uint32_t missing = used_families & ~sut.families; missing != 0) {
    std::cout << "epollcheck: " << path << ": " << sut_name
              << " does not implement " << epollcheck::FamiliesString(missing)
              << " (skipped)" << std::endl;
    return kSkipExitCode;
  }
  if (scenario.max_user_watches && sut_name != "model" &&
      sut.profile.max_user_watches != *scenario.max_user_watches) {
    std::cout << "epollcheck: " << path << ": needs fs.epoll.max_user_watches "
              << *scenario.max_user_watches << " (a VM guest's); " << sut_name
              << " has "
              << (sut.profile.max_user_watches == INT64_MAX
                      ? std::string("no limit")
                      : std::to_string(sut.profile.max_user_watches))
              << " (skipped)" << std::endl;
    return kSkipExitCode;
  }
  // The era the SUT is expected to behave as: --kernel-era, else the SUT's
  // own (the running kernel's; the model simulates the file's era).
  epollcheck::Profile profile = sut.profile;
  if (sut_name == "model")
    profile = epollcheck::WrittenProfile(scenario);
  if (overridden)
    profile = WithHostFacts(era_profile, profile);
  std::unique_ptr<epollcheck::Sut> instance =
      sut_name == "model" ? std::make_unique<epollcheck::ModelSut>(profile)
                          : sut.make();
  // A step that never returns ends the replay with one line, exit 1.
  StartReplayWatchdog(path, hang_timeout, sut_name);
  instance = std::make_unique<epollcheck::WatchedSut>(std::move(instance));
  // A step that hangs is named as `check` would sign the run.
  const auto name_hang = [&](std::span<const epollcheck::Op> ops,
                             const epollcheck::ReplayReport& so_far) {
    if (sut_name == "model" ||
        g_first_difference.size.load(std::memory_order_relaxed) != 0)
      return;
    if (so_far.mismatches != 0) {
      const std::string first = FirstSignature(so_far, profile);
      if (!first.empty()) {
        const std::string line = "epollcheck: signature " + first + "\n";
        g_first_difference.size.store(
            line.copy(g_first_difference.text, sizeof g_first_difference.text),
            std::memory_order_release);
        return;
      }
    }
    const int step = static_cast<int>(ops.size()) - 1;
    HangLine& next = g_hang_lines[step & 1];
    const std::string line = "epollcheck: signature " +
                             epollcheck::HangSignature(profile, ops) + "\n";
    next.size.store(0, std::memory_order_release);
    const size_t size = line.copy(next.text, sizeof next.text);
    next.step.store(step, std::memory_order_release);
    next.size.store(size, std::memory_order_release);
  };
  const epollcheck::ReplayReport report =
      epollcheck::Replay(scenario, *instance, profile,
                         against_model ? epollcheck::ReplayMode::kModel
                                       : epollcheck::ReplayMode::kWritten,
                         name_hang);
  std::cout << "epollcheck: replaying " << path << " on " << sut_name << " ("
            << (sut_name == "model" ? "the model" : sut.description)
            << "), era " << profile.name << ", checking "
            << (against_model ? "the model's prediction" : "written results")
            << '\n';
  epollcheck::PrintReplay(std::cout, report);
  if (sut_name != "model") {
    const std::string signature = FirstSignature(report, profile);
    if (!signature.empty())
      std::cout << "epollcheck: signature " << signature << '\n';
  }
  std::cout << "epollcheck: " << path << ": " << report.steps.size()
            << " steps, " << report.mismatches << " mismatches" << std::endl;
  return report.mismatches == 0 ? 0 : 1;
}

int Repro(const std::vector<std::string_view>& args) {
  if (args.size() != 1 || args[0].empty() || args[0][0] == '-')
    UsageError("repro takes exactly one scenario file");
  const std::string path(args[0]);
  const epollcheck::Scenario scenario = LoadScenario(path);
  const epollcheck::Profile profile =
      scenario.profile.empty() ? epollcheck::ProfileForKernel(6, 18)
                               : ParseEra(path + ": profile", scenario.profile);
  const epollcheck::Reproducer repro =
      epollcheck::EmitReproducer(scenario, profile, path);
  if (!repro.error.empty())
    InputError(path + ":" + repro.error);
  std::cout << repro.program;
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string_view> args(argv + 1, argv + argc);
  if (args.empty())
    UsageError("no command (check, replay, repro, matrix or report; --help "
               "shows the usage)");
  if (args[0] == "--help" || args[0] == "-h") {
    std::cout << kUsage << '\n';
    return 0;
  }
  const std::vector<std::string_view> rest(args.begin() + 1, args.end());
  if ((args[0] == "matrix" || args[0] == "report") && !rest.empty() &&
      (rest[0] == "--help" || rest[0] == "-h")) {
    std::cout << kUsage << '\n';
    return 0;
  }
  if (args[0] == "check")
    return Check(rest, argv[0]);
  if (args[0] == "check-worker")
    return CheckWorker(rest);
  if (args[0] == "replay")
    return Replay(rest);
  if (args[0] == "repro")
    return Repro(rest);
  if (args[0] == "matrix")
    return epollcheck::MatrixCommand(rest, SelfPath(argv[0]));
  if (args[0] == "report")
    return epollcheck::ReportCommand(rest);
  UsageError("unknown command '" + std::string(args[0]) + "'");
}
