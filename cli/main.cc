// epollcheck: the command-line front end.
//
//   epollcheck check --sut kernel [--sequences N] [--max-ops M] [--seed S]
//                    [--kernel-era MAJOR.MINOR] [--stats]
//
// Runs N generated sequences of up to M operations against the SUT and the
// model. The last line is always `epollcheck: SUT: N sequences, D divergences`;
// the exit status is 0 iff D is 0. Bad usage: one line on stderr, exit 2.

#include <unistd.h>

#include <charconv>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <rapidcheck/detail/Configuration.h>

#include "properties/runner.h"
#include "sut/registry.h"

namespace {

using epollcheck::CheckOptions;

constexpr const char* kUsage =
    "usage: epollcheck check --sut NAME [--sequences N] [--max-ops M] "
    "[--seed S] [--kernel-era MAJOR.MINOR] [--stats]";

[[noreturn]] void UsageError(const std::string& what) {
  std::cerr << "epollcheck: " << what << "\n" << kUsage << '\n';
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

// RapidCheck prints "Using configuration: seed=..." the first time its global
// configuration is read; this runner passes its own parameters, so that seed
// would only mislead. Read it once with stderr muted.
void SilenceRapidCheckBanner() {
  std::ostringstream sink;
  std::streambuf* saved = std::cerr.rdbuf(sink.rdbuf());
  (void)rc::detail::configuration();
  std::cerr.rdbuf(saved);
}

int Check(const std::vector<std::string_view>& args) {
  CheckOptions options;
  options.seed = std::random_device{}();
  std::string era;
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
    } else if (flag == "--max-ops") {
      options.max_ops = ParseNumber<int>(flag, value(), 1, 100000);
    } else if (flag == "--seed") {
      options.seed = ParseNumber<uint64_t>(flag, value(), 0, UINT64_MAX);
    } else if (flag == "--stats") {
      options.stats = true;
    } else if (flag == "--kernel-era") {
      era = std::string(value());
    } else {
      UsageError("unknown argument '" + std::string(flag) + "'");
    }
  }
  if (options.sut_name.empty())
    UsageError("--sut is required");
  auto made = epollcheck::MakeSut(options.sut_name);
  if (auto* why = std::get_if<std::string>(&made)) {
    if (why->rfind("unknown SUT", 0) == 0)
      UsageError("--sut: " + *why);
    std::cerr << "epollcheck: " << *why << '\n';
    return 2;
  }
  epollcheck::SutEntry& sut = std::get<epollcheck::SutEntry>(made);
  options.make_sut = sut.make;
  options.profile = sut.profile;
  options.sut_description = sut.description;
  if (!era.empty()) {
    int major = 0;
    int minor = 0;
    char dot = 0;
    if (std::sscanf(era.c_str(), "%d%c%d", &major, &dot, &minor) != 3 ||
        dot != '.' || major < 2) {
      UsageError("--kernel-era: '" + era + "' is not MAJOR.MINOR, e.g. 6.18");
    }
    options.profile = epollcheck::ProfileForKernel(major, minor);
    options.sut_description +=
        " (model profile overridden: " + options.profile.name + ")";
  }
  std::cout << "epollcheck: checking model vs " << options.sut_name << " ("
            << options.sut_description << "), seed " << options.seed << ", "
            << options.sequences << " sequences of up to " << options.max_ops
            << " ops" << std::endl;
  SilenceRapidCheckBanner();
  std::ostream* progress = isatty(STDERR_FILENO) ? &std::cerr : nullptr;
  const epollcheck::CheckReport report =
      epollcheck::RunCheck(options, std::cout, progress);
  std::cout << "epollcheck: " << options.sut_name << ": "
            << report.sequences_run << " sequences, " << report.divergences
            << " divergences" << std::endl;
  return report.divergences == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string_view> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    std::cerr << kUsage << '\n';
    return args.empty() ? 2 : 0;
  }
  if (args[0] != "check")
    UsageError("unknown command '" + std::string(args[0]) + "'");
  return Check({args.begin() + 1, args.end()});
}
