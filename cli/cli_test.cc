// End-to-end tests of the epollcheck binary, run as a child process with a
// timeout (fixtures/child_process.h): the summary line and exit status of a
// clean check, and one-line errors with exit 2 for bad usage.

#include <gtest/gtest.h>

#include <string>

#include "fixtures/child_process.h"

namespace epollcheck {
namespace {

using std::chrono::seconds;

std::string LastLine(const std::string& text) {
  std::string t = text;
  while (!t.empty() && t.back() == '\n')
    t.pop_back();
  const size_t nl = t.rfind('\n');
  return nl == std::string::npos ? t : t.substr(nl + 1);
}

TEST(Cli, CleanCheckEndsWithSummaryAndExitsZero) {
  const ChildResult r = RunChild(EPOLLCHECK_BINARY,
                                 {"check", "--sut", "kernel", "--sequences",
                                  "200", "--max-ops", "60", "--seed", "42"},
                                 seconds(120));
  ASSERT_FALSE(r.timed_out);
  EXPECT_EQ(LastLine(r.out), "epollcheck: kernel: 200 sequences, 0 divergences")
      << r.out << r.err;
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

TEST(Cli, SameSeedSameRun) {
  const std::vector<std::string> args = {
      "check", "--sut", "kernel", "--sequences", "30", "--seed", "7"};
  const ChildResult a = RunChild(EPOLLCHECK_BINARY, args, seconds(60));
  const ChildResult b = RunChild(EPOLLCHECK_BINARY, args, seconds(60));
  EXPECT_EQ(a.out, b.out);
}

struct BadUsage {
  std::vector<std::string> args;
  std::string message;
};

TEST(Cli, BadUsageIsOneLineAndExitTwo) {
  const std::vector<BadUsage> cases = {
      {{"check", "--sut", "nope"},
       "epollcheck: --sut: unknown SUT 'nope' (available:"},
      {{"check", "--sut", "kernel", "--sequences", "x"},
       "epollcheck: --sequences: 'x' is not a number"},
      {{"check", "--sut", "kernel", "--max-ops", "0"},
       "epollcheck: --max-ops: '0' is not a number"},
      {{"check", "--bogus"}, "epollcheck: unknown argument '--bogus'"},
      {{"check"}, "epollcheck: --sut is required"},
      {{"frobnicate"}, "epollcheck: unknown command 'frobnicate'"},
      {{"check", "--sut", "kernel", "--kernel-era", "six"},
       "epollcheck: --kernel-era: 'six' is not MAJOR.MINOR"},
  };
  for (const BadUsage& c : cases) {
    const ChildResult r = RunChild(EPOLLCHECK_BINARY, c.args, seconds(30));
    EXPECT_EQ(r.exit_code, 2) << c.message;
    EXPECT_EQ(r.err.rfind(c.message, 0), 0u) << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
  }
}

}  // namespace
}  // namespace epollcheck
