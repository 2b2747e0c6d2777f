// The C reproducer: emitted for scenarios, compiled with the system's C
// compiler and run on the running kernel. A correct scenario prints ok on
// every step and exits 0; a wrong expectation prints MISMATCH and exits 1.
// Either way the last line is the verdict: a reproducer that stops early
// (e.g. because the scenario took its output descriptor) fails the test.

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "fixtures/child_process.h"
#include "scenario/repro.h"
#include "scenario/scenario.h"
#include "sut/kernel/kernel_sut.h"

namespace epollcheck {
namespace {

struct Built {
  std::string dir;
  std::string binary;
};

// Writes and compiles the reproducer of `text`; fails the test on errors.
Built Compile(const std::string& text) {
  auto parsed = ParseScenario(text);
  EXPECT_TRUE(std::holds_alternative<Scenario>(parsed));
  const Reproducer repro = EmitReproducer(std::get<Scenario>(parsed),
                                          RunningKernelProfile(), "test.scn");
  EXPECT_EQ(repro.error, "");
  char dir_template[] = "/tmp/epollcheck-repro-XXXXXX";
  Built built;
  built.dir = mkdtemp(dir_template);
  built.binary = built.dir + "/repro";
  std::ofstream(built.dir + "/repro.c") << repro.program;
  const ChildResult cc = RunChild("/usr/bin/cc",
                                  {"-std=c11", "-Wall", "-Werror", "-o",
                                   built.binary, built.dir + "/repro.c"},
                                  std::chrono::seconds(60));
  EXPECT_EQ(cc.exit_code, 0) << cc.err << repro.program;
  return built;
}

// Runs a compiled reproducer; requires it to end with a verdict line that
// agrees with its exit status (0: "verdict: ok", 1: "verdict: MISMATCH"),
// or to have skipped itself (77: a kernel without the limit it needs).
ChildResult RunRepro(const Built& built) {
  ChildResult run = RunChild(built.binary, {}, std::chrono::seconds(30));
  if (run.exit_code == 77) {
    EXPECT_EQ(run.out.rfind("skipped: ", 0), 0u) << run.out << run.err;
    return run;
  }
  const std::string want =
      run.exit_code == 0 ? "verdict: ok\n" : "verdict: MISMATCH\n";
  EXPECT_TRUE(run.exit_code == 0 || run.exit_code == 1)
      << run.exit_code << run.out << run.err;
  EXPECT_TRUE(run.out.size() >= want.size() &&
              run.out.substr(run.out.size() - want.size()) == want)
      << "no final verdict line:\n"
      << run.out << run.err;
  return run;
}

const char* kGood = R"(p0 = pipe2(O_NONBLOCK)
e0 = epoll_create1(0)
d0 = dup(p0.r)
epoll_ctl(e0, ADD, p0.r, IN|ET, 0xa)
epoll_ctl(e0, ADD, d0, IN, 0xb)
close(p0.r)
write(p0.w, 4097)
epoll_wait(e0, 64)
epoll_ctl(e0, DEL, 0, 0, 0x0)
read(d0, 100000)
fcntl_setpipe_sz(p0.w, 5000)
fcntl_getpipe_sz(d0)
epoll_ctl(-1, ADD, 0, IN, 0, null_event=1)
dup2(d0, 9)
list_fds()
close(p0.w)
epoll_wait(e0, 1)
)";

TEST(Repro, CompilesAndPassesOnLinux) {
  if (access("/usr/bin/cc", X_OK) != 0)
    GTEST_SKIP() << "no C compiler at /usr/bin/cc";
  const Built built = Compile(kGood);
  const ChildResult run = RunRepro(built);
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_NE(run.out.find("  16  epoll_wait(e0, 1)  -> 1 [{HUP, 0xb}]  ok"),
            std::string::npos)
      << run.out;
  std::filesystem::remove_all(built.dir);
}

TEST(Repro, WrongExpectationIsAMismatch) {
  if (access("/usr/bin/cc", X_OK) != 0)
    GTEST_SKIP() << "no C compiler at /usr/bin/cc";
  const Built built = Compile("p0 = pipe2(O_NONBLOCK) -> 0 fds=[0,1]\n"
                              "write(p0.w, 1) -> 2\n");
  const ChildResult run = RunRepro(built);
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  EXPECT_NE(run.out.find("   1  write(p0.w, 1)  MISMATCH: expected 2 got 1"),
            std::string::npos)
      << run.out;
  std::filesystem::remove_all(built.dir);
}

// The scenario takes fd 900 (the reproducer's old fixed output descriptor)
// and closes it: every step is still printed and the verdict comes last.
TEST(Repro, ScenarioUsingAnyNumberStillEndsWithAVerdict) {
  if (access("/usr/bin/cc", X_OK) != 0)
    GTEST_SKIP() << "no C compiler at /usr/bin/cc";
  const Built built = Compile("p0 = pipe2(O_NONBLOCK) -> 0 fds=[0,1]\n"
                              "d0 = dup2(p0.r, 900) -> 900\n"
                              "d1 = dup2(p0.r, 901) -> 901\n"
                              "close(900) -> 0\n"
                              "close(901) -> 0\n"
                              "list_fds() -> 2 fds=[0,1]\n"
                              "write(p0.w, 1) -> 2\n");
  const ChildResult run = RunRepro(built);
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  EXPECT_NE(run.out.find("   5  list_fds()  -> 2 fds=[0,1]  ok"),
            std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("   6  write(p0.w, 1)  MISMATCH: expected 2 got 1"),
            std::string::npos)
      << run.out;
  std::filesystem::remove_all(built.dir);
}

// Operands beyond any fixed buffer: 8 MiB counts, and a wait with a huge
// maxevents on an instance with more items than the old 4096-entry array.
TEST(Repro, BuffersAreSizedFromTheOperands) {
  if (access("/usr/bin/cc", X_OK) != 0)
    GTEST_SKIP() << "no C compiler at /usr/bin/cc";
  std::string text = "p0 = pipe2(O_NONBLOCK)\n"
                     "e0 = epoll_create1(0)\n"
                     "write(p0.w, 8388608)\n"
                     "read(p0.r, 8388608)\n";
  // 10 write ends (dups at fds 3..12), each registered at fd numbers
  // 13..512: 5000 ready items on 513 descriptors.
  for (int i = 0; i < 10; ++i)
    text += "dup(p0.w)\n";
  for (int i = 0; i < 10; ++i) {
    for (int fd = 13; fd < 513; ++fd) {
      text += "dup2(" + std::to_string(3 + i) + ", " + std::to_string(fd) +
              ")\nepoll_ctl(e0, ADD, " + std::to_string(fd) + ", OUT, " +
              std::to_string(i * 1000 + fd) + ")\n";
    }
  }
  text += "epoll_wait(e0, 178956970)\n";
  const Built built = Compile(text);
  const ChildResult run = RunRepro(built);
  EXPECT_EQ(run.exit_code, 0)
      << run.out.substr(run.out.size() - 2000) << run.err;
  std::filesystem::remove_all(built.dir);
}

// Every corpus scenario, emitted as C, compiled and run on this kernel,
// passes with a verdict: the emitter speaks every operation the corpus uses
// (sockets, names, MSG_OOB, poll/select...). Files with era-dependent steps
// are left to the replay tests, which know the running era.
TEST(Repro, EveryCorpusScenarioReproduces) {
  int checked = 0;
  for (const auto& entry :
       std::filesystem::directory_iterator(EPOLLCHECK_CORPUS_DIR)) {
    if (entry.path().extension() != ".scn")
      continue;
    std::ifstream in(entry.path());
    const std::string text((std::istreambuf_iterator<char>(in)),
                           std::istreambuf_iterator<char>());
    if (text.find("@era") != std::string::npos)
      continue;
    SCOPED_TRACE(entry.path().filename().string());
    const Built built = Compile(text);
    const ChildResult run = RunRepro(built);
    // A scenario written for a guest's fs.epoll.max_user_watches skips
    // itself on a kernel with another limit (this host's).
    if (text.find("\nmax_user_watches ") != std::string::npos &&
        run.exit_code == 77) {
      EXPECT_NE(run.out.find("skipped: needs fs.epoll.max_user_watches "),
                std::string::npos)
          << run.out;
    } else {
      EXPECT_EQ(run.exit_code, 0) << run.out;
    }
    std::filesystem::remove_all(built.dir);
    ++checked;
  }
  EXPECT_GE(checked, 60);
}

}  // namespace
}  // namespace epollcheck
