// End-to-end tests of the epollcheck binary, run as a child process with a
// timeout (fixtures/child_process.h): the summary line and exit status of a
// clean check, and one-line errors with exit 2 for bad usage.

#include <gtest/gtest.h>

#include <string>

#include <unistd.h>

#include <cstdlib>

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

namespace epollcheck {
namespace {

std::string WriteTemp(const std::string& text) {
  char path[] = "/tmp/epollcheck-cli-XXXXXX.scn";
  const int fd = mkstemps(path, 4);
  EXPECT_GE(fd, 0);
  EXPECT_EQ(write(fd, text.data(), text.size()),
            static_cast<ssize_t>(text.size()));
  close(fd);
  return path;
}

const char* kScenario = R"(# two dups, one closed: the ghost still reports
p0 = pipe2(O_NONBLOCK)          -> 0 fds=[0,1]
e0 = epoll_create1(0)           -> 2
d0 = dup(p0.r)                  -> 3
epoll_ctl(e0, ADD, p0.r, IN, 1) -> 0
epoll_ctl(e0, ADD, d0, IN, 2)   -> 0
close(p0.r)                     -> 0
write(p0.w, 1)                  -> 1
epoll_wait(e0, 64)              -> 2 [{IN, 0x2}, {IN, 0x1}]
)";

TEST(CliReplay, PassesOnModelAndKernel) {
  const std::string path = WriteTemp(kScenario);
  for (const char* sut : {"model", "kernel"}) {
    const ChildResult r =
        RunChild(EPOLLCHECK_BINARY, {"replay", path, "--sut", sut},
                 std::chrono::seconds(30));
    EXPECT_EQ(r.exit_code, 0) << sut << '\n' << r.out << r.err;
    EXPECT_NE(r.out.find("-> 2 [{IN, 0x2}, {IN, 0x1}]  ok"), std::string::npos)
        << r.out;
    EXPECT_EQ(LastLine(r.out),
              "epollcheck: " + path + ": 8 steps, 0 mismatches");
  }
  unlink(path.c_str());
}

TEST(CliReplay, WrongExpectationFailsAndAgainstModelPasses) {
  std::string text = kScenario;
  text.replace(text.find("-> 2 [{IN, 0x2}, {IN, 0x1}]"), 27,
               "-> 2 [{IN, 0x1}, {IN, 0x2}]");
  const std::string path = WriteTemp(text);
  const ChildResult bad =
      RunChild(EPOLLCHECK_BINARY, {"replay", path}, std::chrono::seconds(30));
  EXPECT_EQ(bad.exit_code, 1) << bad.out;
  EXPECT_NE(bad.out.find("MISMATCH: expected 2 [{IN, 0x1}, {IN, 0x2}] got 2 "
                         "[{IN, 0x2}, {IN, 0x1}]"),
            std::string::npos)
      << bad.out;
  const ChildResult model = RunChild(
      EPOLLCHECK_BINARY, {"replay", path, "--sut", "kernel", "--against-model"},
      std::chrono::seconds(30));
  EXPECT_EQ(model.exit_code, 0) << model.out;
  unlink(path.c_str());
}

TEST(CliReplay, MalformedScenarioIsFileLineAndExitTwo) {
  const std::string path =
      WriteTemp("p0 = pipe2(O_NONBLOCK)\nclose(p0.r, 3)\n");
  const ChildResult r =
      RunChild(EPOLLCHECK_BINARY, {"replay", path}, std::chrono::seconds(30));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, path + ":2: close: unexpected argument '3'\n");
  const ChildResult missing =
      RunChild(EPOLLCHECK_BINARY, {"replay", "/nonexistent.scn"},
               std::chrono::seconds(30));
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_EQ(missing.err, "/nonexistent.scn: cannot open\n");
  unlink(path.c_str());
}

TEST(CliRepro, EmitsACProgram) {
  const std::string path = WriteTemp(kScenario);
  const ChildResult r =
      RunChild(EPOLLCHECK_BINARY, {"repro", path}, std::chrono::seconds(30));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("#include <sys/epoll.h>"), std::string::npos);
  EXPECT_NE(r.out.find("int main(void)"), std::string::npos);
  unlink(path.c_str());
}

TEST(CliCheck, DivergenceTableAndSavedScenario) {
  // A known-divergence registry that does not parse is a one-line error.
  const std::string bad = WriteTemp("not a registry line\n");
  const ChildResult r =
      RunChild(EPOLLCHECK_BINARY, {"check", "--sut", "kernel", "--known", bad},
               std::chrono::seconds(30));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err.rfind(bad + ":1: expected signature", 0), 0u) << r.err;
  unlink(bad.c_str());
}

}  // namespace
}  // namespace epollcheck
