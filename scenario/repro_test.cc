// The C reproducer: emitted for scenarios, compiled with the system's C
// compiler and run on the running kernel. A correct scenario prints ok on
// every step and exits 0; a wrong expectation prints MISMATCH and exits 1.

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

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
  const ChildResult run = RunChild(built.binary, {}, std::chrono::seconds(30));
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_NE(run.out.find("  16  epoll_wait(e0, 1)  -> 1 [{HUP, 0xb}]  ok"),
            std::string::npos)
      << run.out;
  EXPECT_EQ(run.out.substr(run.out.size() - 3), "ok\n") << run.out;
  std::filesystem::remove_all(built.dir);
}

TEST(Repro, WrongExpectationIsAMismatch) {
  if (access("/usr/bin/cc", X_OK) != 0)
    GTEST_SKIP() << "no C compiler at /usr/bin/cc";
  const Built built = Compile("p0 = pipe2(O_NONBLOCK) -> 0 fds=[0,1]\n"
                              "write(p0.w, 1) -> 2\n");
  const ChildResult run = RunChild(built.binary, {}, std::chrono::seconds(30));
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  EXPECT_NE(run.out.find("   1  write(p0.w, 1)  MISMATCH: expected 2 got 1"),
            std::string::npos)
      << run.out;
  std::filesystem::remove_all(built.dir);
}

}  // namespace
}  // namespace epollcheck
