// End-to-end tests of the epollcheck binary, run as a child process with a
// timeout (fixtures/child_process.h): the summary line and exit status of a
// clean check, what a seed determines, the divergence table and saved
// scenarios, rerun commands that reproduce, and one-line errors with exit 2
// for bad usage.

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>

#include "cli/result.h"
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

// A fresh directory under /tmp for --out; it and everything in it go when
// the test ends (hermetic: nothing left behind).
std::string TempDir() {
  struct Made {
    std::vector<std::string> dirs;
    ~Made() {
      for (const std::string& dir : dirs) {
        std::error_code ignored;
        std::filesystem::remove_all(dir, ignored);
      }
    }
  };
  static Made made;
  char path[] = "/tmp/epollcheck-cli-out-XXXXXX";
  EXPECT_NE(mkdtemp(path), nullptr);
  made.dirs.emplace_back(path);
  return path;
}

std::map<std::string, std::string> ReadDir(const std::string& dir) {
  std::map<std::string, std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    std::ifstream in(entry.path());
    std::ostringstream text;
    text << in.rdbuf();
    files[entry.path().filename().string()] = text.str();
  }
  return files;
}

std::string ReplaceAll(std::string text, const std::string& from,
                       const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos;
       at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

// The lines of `text` that start with `prefix`, without it.
std::vector<std::string> LinesAfter(const std::string& text,
                                    const std::string& prefix) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(prefix, 0) == 0)
      lines.push_back(line.substr(prefix.size()));
  }
  return lines;
}

std::vector<std::string> Words(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> words;
  for (std::string w; in >> w;)
    words.push_back(w);
  return words;
}

// What a seed determines: with the diverging test double (`--sut mutant`,
// sut/mutant_sut.h), the divergences found, their reports and the saved
// scenarios, and the coverage (--stats). Two runs with one seed agree on all
// of it; a run with another seed explores other sequences (its coverage
// differs), so a runner that ignored --seed would fail one of the two.
TEST(Cli, SameSeedSameRun) {
  const auto run = [](const std::string& seed, const std::string& dir) {
    const ChildResult r =
        RunChild(EPOLLCHECK_BINARY,
                 {"check", "--sut", "mutant", "--sequences", "150", "--seed",
                  seed, "--stats", "--out", dir},
                 seconds(120));
    EXPECT_FALSE(r.timed_out);
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    return ReplaceAll(r.out, dir, "OUT");
  };
  const std::string dir_a = TempDir();
  const std::string dir_b = TempDir();
  const std::string dir_c = TempDir();
  const std::string a = run("7", dir_a);
  const std::string b = run("7", dir_b);
  const std::string c = run("8", dir_c);
  ASSERT_NE(a.find("epollcheck: divergence 1:"), std::string::npos) << a;
  EXPECT_EQ(a, b);
  const auto files_a = ReadDir(dir_a);
  EXPECT_FALSE(files_a.empty());
  EXPECT_EQ(files_a, ReadDir(dir_b));
  const auto coverage = [](const std::string& out) {
    return out.substr(std::min(out.find("coverage: "), out.size()));
  };
  ASSERT_NE(coverage(a), "") << a;
  EXPECT_NE(coverage(a), coverage(c)) << "seeds 7 and 8 ran the same sequences";
  for (const std::string& dir : {dir_a, dir_b, dir_c})
    std::filesystem::remove_all(dir);
}

// Usage errors are one line `epollcheck: what is wrong` on stderr, nothing on
// stdout, exit 2; the usage itself is `epollcheck --help` (stdout, exit 0).
struct BadUsage {
  std::vector<std::string> args;
  std::string message;
};

TEST(Cli, BadUsageIsOneLineAndExitTwo) {
  // Every family scratch implements, to leave out.
  const std::string all_of_scratch = "pipe,epoll,eventfd,poll,unix,unixaddr,"
                                     "unixoob,fifo,timerfd,signal,fork";
  const std::vector<BadUsage> cases = {
      {{"check", "--sut", "nope"},
       "epollcheck: --sut: unknown SUT 'nope' (available: kernel, scratch), "
       "or model for replay"},
      {{"check", "--sut", "kernel", "--sequences", "x"},
       "epollcheck: --sequences: 'x' is not a number in [1, 1000000000]"},
      {{"check", "--sut", "kernel", "--max-ops", "0"},
       "epollcheck: --max-ops: '0' is not a number in [1, 100000]"},
      {{"check", "--bogus"}, "epollcheck: unknown argument '--bogus'"},
      {{"check"}, "epollcheck: --sut is required"},
      {{"check", "--sut"}, "epollcheck: --sut needs a value"},
      {{"frobnicate"}, "epollcheck: unknown command 'frobnicate'"},
      {{},
       "epollcheck: no command (check, replay, repro, matrix or report; "
       "--help shows the usage)"},
      {{"check", "--sut", "kernel", "--kernel-era", "six"},
       "epollcheck: --kernel-era: 'six' is not MAJOR.MINOR, e.g. 6.18"},
      {{"check", "--sut", "kernel", "--sequences", "5", "--only-sequence", "5"},
       "epollcheck: --only-sequence: 5 is not below --sequences 5"},
      {{"check", "--sut", "kernel", "--mask", "epoll_wait"},
       "epollcheck: --mask: 'epoll_wait' is not op:part:rule (op:hang:rule "
       "for a hang), crash:SIGNAL or hang (a hang at no known step)"},
      {{"check", "--sut", "scratch", "--families", "-" + all_of_scratch},
       "epollcheck: --families: -" + all_of_scratch +
           " leaves no family (scratch has pipe,epoll,eventfd,unix,unixaddr,"
           "poll,unixoob,fifo,timerfd,signal,fork)"},
      {{"check", "--sut", "kernel", "--families", "-pipes"},
       "epollcheck: --families: unknown family 'pipes' (known: "
       "pipe,epoll,eventfd,unix,unixaddr,poll,unixoob,tcp,udp,file,fifo,"
       "timerfd,signal,fork)"},
      {{"check", "--sut", "kernel", "--jobs", "0"},
       "epollcheck: --jobs: '0' is not a number in [1, 1024]"},
      {{"check", "--sut", "kernel", "--duration", "10x"},
       "epollcheck: --duration: '10x' is not a duration (e.g. 300ms, 30s, "
       "10m, 2h)"},
      {{"check", "--sut", "kernel", "--hang-timeout", "-1s"},
       "epollcheck: --hang-timeout: '-1s' is not a duration (e.g. 300ms, 30s, "
       "10m, 2h)"},
      {{"replay", "x.scn", "--hang-timeout", "soon"},
       "epollcheck: --hang-timeout: 'soon' is not a duration (e.g. 300ms, "
       "30s, 10m, 2h)"},
      {{"check", "--sut", "kernel", "--profile", "6.1,pipe.write_wake=never"},
       "epollcheck: --profile: pipe.write_wake: 'never' is not one of "
       "if-empty-or-polled, every-write, if-empty"},
      {{"check", "--sut", "kernel", "--profile", "6.1", "--kernel-era", "6.1"},
       "epollcheck: --kernel-era and --profile both name the profile; give "
       "one"},
      {{"replay"}, "epollcheck: replay needs a scenario file"},
      {{"repro"}, "epollcheck: repro takes exactly one scenario file"},
      {{"check", "--sut", "kernel", "--shard", "2/2"},
       "epollcheck: --shard: '2/2' is not K/N with 0 <= K < N (e.g. 0/4)"},
      {{"check", "--sut", "kernel", "--corpus", "/nonexistent"},
       "epollcheck: --corpus: /nonexistent is not a directory"},
      {{"matrix", "--targets", "host,5.4"},
       "epollcheck: --targets: unknown target '5.4' (host, 5.10, 6.1, 6.12, "
       "7.x, uml, gvisor; --kernel PATH for a kernel of your own)"},
      {{"matrix", "--targets", "kernel"},
       "epollcheck: --targets: kernel needs --kernel PATH"},
      {{"matrix", "--kernel", "/nonexistent/bzImage"},
       "epollcheck: --kernel: /nonexistent/bzImage is not a file"},
      {{"matrix", "--budget", "huge"},
       "epollcheck: --budget: 'huge' is not smoke, default, full or a number "
       "of sequences"},
      {{"matrix", "--format", "xml"},
       "epollcheck: --format: 'xml' is not table or ktap"},
      {{"matrix", "--timeout", "soon"},
       "epollcheck: --timeout: 'soon' is not a duration (e.g. 300ms, 30s, "
       "10m, 2h)"},
      {{"matrix", "--runner", "/dev/null"},
       "epollcheck: --runner: /dev/null is not a statically linked "
       "executable"},
      {{"matrix", "--frobnicate"},
       "epollcheck: unknown argument '--frobnicate'"},
      {{"report"},
       "epollcheck: report needs result files (matrix or check --json)"},
      {{"report", "/nonexistent.json"},
       "epollcheck: /nonexistent.json: cannot read"},
      {{"report", EPOLLCHECK_CORPUS_DIR "/H4-wait-errno-order.scn"},
       "epollcheck: " EPOLLCHECK_CORPUS_DIR
       "/H4-wait-errno-order.scn: not JSON (syntax error)"},
  };
  for (const BadUsage& c : cases) {
    const ChildResult r = RunChild(EPOLLCHECK_BINARY, c.args, seconds(30));
    EXPECT_EQ(r.exit_code, 2) << c.message;
    EXPECT_EQ(r.err, c.message + "\n");
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
  }
  const ChildResult help = RunChild(EPOLLCHECK_BINARY, {"--help"}, seconds(30));
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_EQ(help.out.rfind("usage: epollcheck check --sut NAME", 0), 0u)
      << help.out;
  EXPECT_NE(help.out.find("epollcheck replay FILE"), std::string::npos);
  EXPECT_NE(help.out.find("[--jobs N] [--duration D] [--hang-timeout D]"),
            std::string::npos)
      << help.out;
  EXPECT_TRUE(help.err.empty()) << help.err;
  EXPECT_NE(help.out.find("epollcheck matrix [--targets T,...]"),
            std::string::npos)
      << help.out;
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

Matrix LoadMatrix(const std::string& path) {
  std::string error;
  std::optional<Matrix> m = MatrixFromJson(Slurp(path), &error);
  EXPECT_TRUE(m) << path << ": " << error;
  return m ? *m : Matrix{};
}

// A corpus scenario that fails with a registered signature is listed as
// known and does not fail the run (a target's registry covers its corpus
// too); without the registry the same file fails it. `mutant-pipe-err`
// (scratch without EPOLLERR on a pipe's write end once the reader is gone)
// fails the scenario below; its one generated sequence of seed 1 does not
// diverge.
TEST(CliCheck, CorpusFailureWithARegisteredSignatureIsKnown) {
  const std::string dir = TempDir();
  std::filesystem::create_directory(dir + "/corpus");
  std::ofstream(dir + "/corpus/pipe-err.scn")
      << "profile 6.18\n"
         "p0 = pipe2(O_NONBLOCK)              -> 0 fds=[0,1]\n"
         "e0 = epoll_create1(0)               -> 2\n"
         "epoll_ctl(e0, ADD, p0.w, OUT, 0x1)  -> 0\n"
         "close(p0.r)                         -> 0\n"
         "epoll_wait(e0, 8)                   -> 1 [{OUT|ERR, 0x1}]\n";
  const std::string signature =
      "epoll_wait:events.mask:pipe.poll.err.no_readers";
  std::ofstream(dir + "/known.tsv")
      << signature << "\tcorpus/pipe-err.scn\tthe double's fault\n";
  const std::vector<std::string> check = {
      "check",        "--sut", "mutant-pipe-err", "--sequences",   "1",
      "--seed",       "1",     "--corpus",        dir + "/corpus", "--json",
      dir + "/r.json"};
  std::vector<std::string> with_known = check;
  with_known.insert(with_known.end(), {"--known", dir + "/known.tsv"});
  const ChildResult known =
      RunChild(EPOLLCHECK_BINARY, with_known, seconds(60));
  ASSERT_FALSE(known.timed_out);
  EXPECT_EQ(known.exit_code, 0) << known.out << known.err;
  EXPECT_NE(known.out.find("epollcheck: corpus: pipe-err.scn fails with a "
                           "known difference: " +
                           signature + " (the double's fault)"),
            std::string::npos)
      << known.out;
  EXPECT_EQ(LastLine(known.out),
            "epollcheck: mutant-pipe-err: 1 sequences, 0 divergences; corpus "
            "0 pass, 0 fail, 1 known, 0 skipped")
      << known.out;
  const Matrix m = LoadMatrix(dir + "/r.json");
  ASSERT_EQ(m.targets.size(), 1u);
  EXPECT_EQ(m.targets[0].status, "ok");
  EXPECT_TRUE(m.targets[0].corpus_failed.empty());
  EXPECT_EQ(m.targets[0].corpus_known,
            std::vector<std::string>{"pipe-err.scn " + signature});
  const ChildResult unknown = RunChild(EPOLLCHECK_BINARY, check, seconds(60));
  ASSERT_FALSE(unknown.timed_out);
  EXPECT_EQ(unknown.exit_code, 1) << unknown.out << unknown.err;
  EXPECT_EQ(LastLine(unknown.out),
            "epollcheck: mutant-pipe-err: 1 sequences, 0 divergences; corpus "
            "0 pass, 1 fail, 0 known, 0 skipped")
      << unknown.out;
}

// A written fdinfo line that mismatches gets the signature `check` gives
// the same difference (so a registry can key it): `mutant-mod-mask` stores
// a MOD's mask without EPOLLERR|EPOLLHUP.
TEST(CliCheck, ReplayGivesAMismatchedFdinfoLineChecksSignature) {
  const std::string dir = TempDir();
  std::ofstream(dir + "/mod.scn")
      << "profile 6.18\n"
         "p0 = pipe2(O_NONBLOCK)              -> 0 fds=[0,1]\n"
         "e0 = epoll_create1(0)               -> 2\n"
         "epoll_ctl(e0, ADD, p0.r, IN, 0x1)   -> 0\n"
         "epoll_ctl(e0, MOD, p0.r, OUT, 0x2)  -> 0\n"
         "fdinfo(e0) -> [{0, OUT|ERR|HUP, 0x2, ino=p0.r}]\n";
  const ChildResult r = RunChild(
      EPOLLCHECK_BINARY,
      {"replay", dir + "/mod.scn", "--sut", "mutant-mod-mask"}, seconds(60));
  ASSERT_FALSE(r.timed_out);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("epollcheck: signature "
                       "fdinfo:epoll_ctl.events:epoll_ctl.events.err_hup_"
                       "implied\n"),
            std::string::npos)
      << r.out;
}

// `epollcheck matrix` end to end on the one target every host has: the
// running kernel, smoke budget (check and the whole corpus), KTAP on stdout,
// the report files written, and a result that `report` reads back.
TEST(Cli, MatrixHostSmoke) {
  const std::string dir = TempDir();
  const ChildResult r = RunChild(
      EPOLLCHECK_BINARY,
      {"matrix", "--targets", "host", "--budget", "smoke", "--jobs", "2",
       "--out", dir, "--json", dir + "/host.json", "--format", "ktap"},
      seconds(280));
  ASSERT_FALSE(r.timed_out);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out.rfind("KTAP version 1\n1..1\n", 0), 0u) << r.out;
  EXPECT_EQ(LastLine(r.out), "ok 1 host") << r.out;
  EXPECT_NE(r.out.find("    ok 1 profile"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("    ok 2 check"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("    ok 3 corpus"), std::string::npos) << r.out;
  for (const char* file : {"matrix.md", "matrix.json", "junit.xml",
                           "matrix.ktap", "host.json", "logs/host.log"})
    EXPECT_TRUE(std::filesystem::exists(dir + "/" + file)) << file;
  EXPECT_FALSE(std::filesystem::exists(dir + "/work"));
  const Matrix m = LoadMatrix(dir + "/host.json");
  ASSERT_EQ(m.targets.size(), 1u);
  const TargetResult& host = m.targets[0];
  EXPECT_EQ(host.target, "host");
  EXPECT_EQ(host.status, "ok");
  EXPECT_EQ(host.sequences_run, 200);
  EXPECT_TRUE(host.divergences.empty());
  EXPECT_TRUE(host.corpus_ran);
  EXPECT_GT(host.corpus_passed, 50);
  EXPECT_TRUE(host.corpus_failed.empty());
  EXPECT_FALSE(host.features.empty());
  EXPECT_NE(host.evidence.find("epoll_wait.check_order="), std::string::npos);
  const ChildResult report =
      RunChild(EPOLLCHECK_BINARY, {"report", dir + "/host.json"}, seconds(30));
  EXPECT_EQ(report.exit_code, 0) << report.out << report.err;
  EXPECT_EQ(report.out.rfind("target", 0), 0u) << report.out;
  EXPECT_NE(report.out.find("\nhost "), std::string::npos) << report.out;
  std::filesystem::remove_all(dir);
}

// --shard K/N: the shards of a run run its sequences, each as in the whole
// run, so their census (sequences by the signature of their first
// divergence, and the first such sequence) adds up to the whole run's
// exactly, through `epollcheck report`. The distinct divergences need not be
// the same (a shard does not see the other shards' masks, and shrinking
// under other masks may end at another signature: seed 5's sequence 58 is
// `epoll_wait.deliver.lt_requeue` in the whole run, `epoll_ctl.add.ready` in
// its shard), but each is the first divergence of some sequence.
TEST(Cli, ShardsUnionIsTheWholeRun) {
  const std::string dir = TempDir();
  const auto run = [&](const std::string& name,
                       std::vector<std::string> extra) {
    std::vector<std::string> args = {"check",
                                     "--sut",
                                     "mutant",
                                     "--sequences",
                                     "120",
                                     "--seed",
                                     "5",
                                     "--jobs",
                                     "2",
                                     "--json",
                                     dir + "/" + name + ".json",
                                     "--out",
                                     dir + "/" + name};
    args.insert(args.end(), extra.begin(), extra.end());
    ChildResult r = RunChild(EPOLLCHECK_BINARY, args, seconds(120));
    EXPECT_FALSE(r.timed_out);
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;  // the mutant diverges
    return r;
  };
  run("whole", {});
  std::vector<std::string> shards;
  for (const char* k : {"0", "1", "2"}) {
    const ChildResult r =
        run(std::string("shard") + k, {"--shard", std::string(k) + "/3"});
    EXPECT_NE(r.out.find("(shard " + std::string(k) +
                         "/3: sequences i with "
                         "i mod 3 == " +
                         k + ")"),
              std::string::npos)
        << r.out;
    shards.push_back(dir + "/shard" + k + ".json");
  }
  std::vector<std::string> args = {"report", "--json", dir + "/merged.json"};
  args.insert(args.end(), shards.begin(), shards.end());
  const ChildResult report = RunChild(EPOLLCHECK_BINARY, args, seconds(30));
  EXPECT_EQ(report.exit_code, 1) << report.out << report.err;
  const Matrix whole = LoadMatrix(dir + "/whole.json");
  const Matrix merged = LoadMatrix(dir + "/merged.json");
  ASSERT_EQ(whole.targets.size(), 1u);
  ASSERT_EQ(merged.targets.size(), 1u);
  const TargetResult& w = whole.targets[0];
  const TargetResult& m = merged.targets[0];
  EXPECT_EQ(m.sequences_run, 120);
  EXPECT_EQ(w.sequences_run, 120);
  EXPECT_EQ(m.shards, (std::vector<std::string>{"0/3", "1/3", "2/3"}));
  const auto census = [](const TargetResult& t) {
    std::map<std::string, std::pair<long, int>> c;
    for (const CensusEntry& e : t.census)
      c[e.signature] = {e.sequences, e.first};
    return c;
  };
  ASSERT_FALSE(w.census.empty());
  EXPECT_EQ(census(m), census(w));
  // (The reported divergences are shrunk under each run's own masks, so
  // their signatures may be ones no sequence's first divergence had: only
  // the census is the same whatever the sharding.)
  for (const TargetResult* t : {&w, &m})
    EXPECT_FALSE(t->divergences.empty());
  std::filesystem::remove_all(dir);
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

// The kernel's profile is probed and printed with its evidence; --profile
// (a name or a file) overrides it, and the model replays the era it names.
TEST(CliProfile, ProbedOrNamedOrFromAFile) {
  const ChildResult probed = RunChild(
      EPOLLCHECK_BINARY, {"check", "--sut", "kernel", "--sequences", "3"},
      std::chrono::seconds(60));
  EXPECT_EQ(probed.exit_code, 0) << probed.out << probed.err;
  EXPECT_NE(probed.out.find("decided by probes (uname only names it):\n"
                            "  epoll_wait.check_order="),
            std::string::npos)
      << probed.out;
  const std::string h4 = EPOLLCHECK_CORPUS_DIR "/H4-wait-errno-order.scn";
  const std::string file =
      WriteTemp("# an old kernel\n6.1\nepoll_wait.check_order=fd-first\n");
  struct Case {
    std::vector<std::string> args;
    int exit_code;
  };
  // H4's @era steps are EBADF-first: maxevents-first eras get the model's
  // EINVAL, so a 6.1 profile passes only with the check order it names.
  for (const Case& c : std::vector<Case>{
           {{"--profile", "6.1"}, 0},
           {{"--profile", "6.18"}, 0},
           {{"--profile", "6.1 epoll_wait.check_order=fd-first"}, 0},
           {{"--profile", file}, 0}}) {
    std::vector<std::string> args = {"replay", h4, "--sut", "model"};
    args.insert(args.end(), c.args.begin(), c.args.end());
    const ChildResult r =
        RunChild(EPOLLCHECK_BINARY, args, std::chrono::seconds(30));
    EXPECT_EQ(r.exit_code, c.exit_code) << c.args[1] << '\n' << r.out << r.err;
  }
  const ChildResult named = RunChild(
      EPOLLCHECK_BINARY,
      {"check", "--sut", "kernel", "--sequences", "3", "--profile", file},
      std::chrono::seconds(60));
  EXPECT_NE(named.out.find("model profile overridden: 6.1 "
                           "epoll_wait.check_order=fd-first"),
            std::string::npos)
      << named.out;
  EXPECT_EQ(named.out.find("decided by probes"), std::string::npos);
  unlink(file.c_str());
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

// Every SUT implements every family now (scratch gained unix), so a socket
// scenario runs everywhere; a SUT without a family it uses would make replay
// print one line and exit 77 (kSkipExitCode), which no registered SUT can
// show any more.
TEST(CliReplay, SocketScenarioRunsOnEverySut) {
  const std::string path =
      WriteTemp("s0 = socketpair(SOCK_STREAM|SOCK_NONBLOCK) -> 0 fds=[0,1]\n"
                "send(s0.a, 1, MSG_DONTWAIT) -> 1\n");
  for (const char* sut : {"model", "kernel", "scratch"}) {
    const ChildResult r =
        RunChild(EPOLLCHECK_BINARY, {"replay", path, "--sut", sut},
                 std::chrono::seconds(30));
    EXPECT_EQ(r.exit_code, 0) << sut << '\n' << r.out << r.err;
    EXPECT_EQ(r.err, "") << sut;
  }
  unlink(path.c_str());
}

// replay --families (as check --corpus passes it on): a scenario that uses
// a family outside the set is skipped with one line, exit 77; one inside
// runs. `-F,...` is every family the SUT has but those.
TEST(CliReplay, FamiliesOutsideTheSetSkipTheScenario) {
  const std::string path =
      WriteTemp("s0 = socketpair(SOCK_STREAM|SOCK_NONBLOCK) -> 0 fds=[0,1]\n"
                "send(s0.a, 1, MSG_DONTWAIT) -> 1\n");
  const ChildResult without =
      RunChild(EPOLLCHECK_BINARY,
               {"replay", path, "--sut", "scratch", "--families", "-unix"},
               std::chrono::seconds(30));
  EXPECT_EQ(without.exit_code, 77) << without.out << without.err;
  EXPECT_EQ(without.out, "epollcheck: " + path +
                             ": uses unix, outside --families -unix "
                             "(skipped)\n");
  const ChildResult with =
      RunChild(EPOLLCHECK_BINARY,
               {"replay", path, "--sut", "scratch", "--families", "-tcp,pipe"},
               std::chrono::seconds(30));
  EXPECT_EQ(with.exit_code, 0) << with.out << with.err;
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

// The index of the step marked `<- DIVERGES` in a report or MISMATCH in a
// replay, from the step's `  N  call ...` line; -1 if none.
int MarkedStep(const std::string& text, const std::string& mark) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.find(mark) != std::string::npos)
      return std::stoi(Words(line).at(0));
  }
  return -1;
}

// `check --out DIR` on the diverging test double: the table lists each
// divergence with its step count and saved scenario; each file holds the
// signature and the rerun command, passes on the kernel (its results are the
// model's) and on the double mismatches at the step the report marked.
TEST(CliCheck, DivergenceTableAndSavedScenario) {
  const std::string dir = TempDir();
  const ChildResult r = RunChild(EPOLLCHECK_BINARY,
                                 {"check", "--sut", "mutant", "--sequences",
                                  "200", "--seed", "1", "--out", dir},
                                 std::chrono::seconds(120));
  ASSERT_EQ(r.exit_code, 1) << r.out << r.err;
  const size_t table = r.out.find("\ndistinct divergences:\n");
  ASSERT_NE(table, std::string::npos) << r.out;
  const std::vector<std::string> rows =
      LinesAfter(r.out.substr(table), "  epoll_wait:");
  const std::vector<std::string> reports =
      LinesAfter(r.out, "epollcheck: divergence ");
  const std::vector<std::string> reruns = LinesAfter(r.out, "rerun: ");
  ASSERT_GE(rows.size(), 1u) << r.out;
  ASSERT_EQ(rows.size(), reports.size()) << r.out;
  ASSERT_EQ(rows.size(), reruns.size()) << r.out;
  EXPECT_EQ(LastLine(r.out), "epollcheck: mutant: 200 sequences, " +
                                 std::to_string(rows.size()) + " divergences");
  EXPECT_EQ(ReadDir(dir).size(), rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    const std::vector<std::string> row = Words("epoll_wait:" + rows[i]);
    ASSERT_EQ(row.size(), 3u) << rows[i];
    const std::string& signature = row[0];
    const std::string& path = row[2];
    EXPECT_EQ(path.rfind(dir + "/" + std::to_string(i + 1) + "-mutant-", 0), 0u)
        << path;
    // The report of this divergence: from its header to the next one.
    const size_t begin =
        r.out.find("epollcheck: divergence " + std::to_string(i + 1) + ":");
    const std::string report =
        r.out.substr(begin, r.out.find("\nrerun: ", begin) - begin);
    EXPECT_NE(report.find("signature " + signature + "; "), std::string::npos)
        << report;
    EXPECT_NE(report.find("minimized to " + row[1] + ":"), std::string::npos)
        << report;
    EXPECT_NE(report.find("saved: " + path + "\n"), std::string::npos)
        << report;
    std::ifstream in(path);
    std::ostringstream file;
    file << in.rdbuf();
    EXPECT_NE(file.str().find("# signature " + signature + "\n"),
              std::string::npos)
        << file.str();
    EXPECT_NE(file.str().find("# found by: " + reruns[i] + "\n"),
              std::string::npos)
        << file.str();
    const ChildResult kernel = RunChild(
        EPOLLCHECK_BINARY, {"replay", path, "--sut", "kernel"}, seconds(30));
    EXPECT_EQ(kernel.exit_code, 0) << kernel.out;
    const ChildResult mutant = RunChild(
        EPOLLCHECK_BINARY, {"replay", path, "--sut", "mutant"}, seconds(30));
    EXPECT_EQ(mutant.exit_code, 1) << mutant.out;
    EXPECT_NE(mutant.out.find(", 1 mismatches"), std::string::npos)
        << mutant.out;
    EXPECT_EQ(MarkedStep(mutant.out, "MISMATCH"),
              MarkedStep(report, "<- DIVERGES"))
        << report << mutant.out;
  }
  std::filesystem::remove_all(dir);

  // A known-divergence registry that does not parse is a one-line error.
  const std::string bad = WriteTemp("not a registry line\n");
  const ChildResult b =
      RunChild(EPOLLCHECK_BINARY, {"check", "--sut", "kernel", "--known", bad},
               std::chrono::seconds(30));
  EXPECT_EQ(b.exit_code, 2);
  EXPECT_EQ(b.err.rfind(bad + ":1: expected signature", 0), 0u) << b.err;
  unlink(bad.c_str());
}

// Every printed `rerun:` command, executed, finds the divergence it was
// printed for (same signature), also for the divergences found after the
// first (masks) and for runs that change the model (--kernel-era) or the
// operations generated (--families).
TEST(CliCheck, EveryRerunCommandFindsItsDivergence) {
  const std::vector<std::vector<std::string>> runs = {
      {"check", "--sut", "mutant", "--sequences", "300", "--seed", "3",
       "--families", "pipe,epoll"},
      {"check", "--sut", "mutant", "--sequences", "300", "--seed", "1",
       "--kernel-era", "5.10", "--families", "pipe,epoll,eventfd,poll"},
      {"check", "--sut", "mutant", "--sequences", "300", "--seed", "2"},
      // fdinfo divergences, and the results' own with the oracle off.
      {"check", "--sut", "mutant-mod-mask", "--sequences", "60", "--seed", "1"},
      {"check", "--sut", "mutant-mod-mask", "--sequences", "300", "--seed", "1",
       "--no-fdinfo"},
  };
  size_t checked = 0;
  for (std::vector<std::string> args : runs) {
    const std::string dir = TempDir();
    args.insert(args.end(), {"--out", dir});
    const ChildResult r = RunChild(EPOLLCHECK_BINARY, args, seconds(120));
    ASSERT_EQ(r.exit_code, 1) << r.out << r.err;
    const std::vector<std::string> signatures = LinesAfter(r.out, "signature ");
    const std::vector<std::string> reruns = LinesAfter(r.out, "rerun: ");
    ASSERT_EQ(signatures.size(), reruns.size()) << r.out;
    for (size_t i = 0; i < reruns.size(); ++i) {
      const std::string signature =
          signatures[i].substr(0, signatures[i].find(';'));
      std::vector<std::string> rerun = Words(reruns[i]);
      ASSERT_EQ(rerun.at(0), "epollcheck");
      rerun.erase(rerun.begin());
      const std::string rerun_dir = TempDir();
      rerun.insert(rerun.end(), {"--out", rerun_dir});
      const ChildResult again = RunChild(EPOLLCHECK_BINARY, rerun, seconds(60));
      EXPECT_EQ(LinesAfter(again.out, "signature ").size(), 1u)
          << reruns[i] << '\n'
          << again.out;
      EXPECT_NE(again.out.find("\nsignature " + signature + ";"),
                std::string::npos)
          << reruns[i] << '\n'
          << again.out;
      EXPECT_EQ(again.exit_code, 1) << reruns[i];
      std::filesystem::remove_all(rerun_dir);
      ++checked;
    }
    std::filesystem::remove_all(dir);
  }
  // Divergences after the first are in the mix (masks matter for them).
  EXPECT_GE(checked, 4u);
}

// The fdinfo oracle: the header says it is on (or off, and why); a wrong
// stored mask is reported at the step that stores it, side by side; the
// saved scenario carries the expected interest set, so replaying it shows
// the mismatch (and passes on the kernel).
TEST(CliCheck, FdinfoOracleOnByDefault) {
  const std::string dir = TempDir();
  const ChildResult c =
      RunChild(EPOLLCHECK_BINARY,
               {"check", "--sut", "mutant-mod-mask", "--sequences", "60",
                "--seed", "1", "--out", dir},
               seconds(120));
  ASSERT_EQ(c.exit_code, 1) << c.out << c.err;
  const std::string header = c.out.substr(0, c.out.find('\n'));
  EXPECT_NE(header.find("; fdinfo oracle on; "), std::string::npos) << header;
  const std::vector<std::string> signatures = LinesAfter(c.out, "signature ");
  ASSERT_GE(signatures.size(), 1u) << c.out;
  EXPECT_EQ(signatures[0].rfind("fdinfo:epoll_ctl.events:", 0), 0u)
      << signatures[0];
  EXPECT_NE(c.out.find("<- DIVERGES (fdinfo)\n        fdinfo("),
            std::string::npos)
      << c.out;
  const std::vector<std::string> saved = LinesAfter(c.out, "saved: ");
  ASSERT_EQ(saved.size(), signatures.size()) << c.out;
  std::ifstream in(saved[0]);
  std::ostringstream file;
  file << in.rdbuf();
  EXPECT_NE(file.str().find("\n  fdinfo("), std::string::npos) << file.str();
  const ChildResult mutant =
      RunChild(EPOLLCHECK_BINARY,
               {"replay", saved[0], "--sut", "mutant-mod-mask"}, seconds(30));
  EXPECT_EQ(mutant.exit_code, 1) << mutant.out;
  EXPECT_NE(mutant.out.find("  MISMATCH: got ["), std::string::npos)
      << mutant.out;
  const ChildResult kernel = RunChild(
      EPOLLCHECK_BINARY, {"replay", saved[0], "--sut", "kernel"}, seconds(30));
  EXPECT_EQ(kernel.exit_code, 0) << kernel.out;
  std::filesystem::remove_all(dir);

  const ChildResult off = RunChild(
      EPOLLCHECK_BINARY,
      {"check", "--sut", "scratch", "--sequences", "20", "--no-fdinfo"},
      seconds(60));
  EXPECT_EQ(off.exit_code, 0) << off.out << off.err;
  EXPECT_NE(off.out.find("; fdinfo oracle off: switched off (--no-fdinfo); "),
            std::string::npos)
      << off.out;
}

}  // namespace
}  // namespace epollcheck

namespace epollcheck {
namespace {

// Everything after the header line (which names the number of jobs).
std::string AfterHeader(const std::string& out) {
  return out.substr(std::min(out.find('\n'), out.size()));
}

// --jobs changes how fast, not what: with the diverging test double, one
// worker and three workers find the same divergences in the same sequences,
// print the same reports, tables, rerun commands and coverage, and save the
// same scenarios.
TEST(CliJobs, SameRunWhateverTheNumberOfJobs) {
  const auto run = [](const std::string& jobs, const std::string& dir) {
    const ChildResult r = RunChild(
        EPOLLCHECK_BINARY,
        {"check", "--sut", "mutant", "--sequences", "300", "--seed", "3",
         "--families", "pipe,epoll", "--stats", "--jobs", jobs, "--out", dir},
        seconds(180));
    EXPECT_FALSE(r.timed_out);
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    EXPECT_NE(r.out.find("; " + jobs + (jobs == "1" ? " job\n" : " jobs\n")),
              std::string::npos)
        << r.out;
    return ReplaceAll(AfterHeader(r.out), dir, "OUT");
  };
  const std::string dir_1 = TempDir();
  const std::string dir_3 = TempDir();
  const std::string one = run("1", dir_1);
  const std::string three = run("3", dir_3);
  EXPECT_GE(LinesAfter(one, "rerun: ").size(), 2u) << one;
  EXPECT_EQ(one, three);
  EXPECT_EQ(ReadDir(dir_1), ReadDir(dir_3));
  for (const std::string& dir : {dir_1, dir_3})
    std::filesystem::remove_all(dir);
}

// --duration: the run stops starting sequences when the time is up, and ends
// with the usual summary of the sequences it ran.
TEST(CliJobs, DurationRunsUntilTheTimeIsUp) {
  const auto start = std::chrono::steady_clock::now();
  const ChildResult r =
      RunChild(EPOLLCHECK_BINARY,
               {"check", "--sut", "scratch", "--duration", "2s", "--seed", "1"},
               seconds(60));
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(r.timed_out);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("sequences of up to 100 ops for 2s;"), std::string::npos)
      << r.out;
  EXPECT_GE(took, std::chrono::seconds(2));
  EXPECT_LT(took, std::chrono::seconds(30));
  const std::vector<std::string> words = Words(LastLine(r.out));
  ASSERT_EQ(words.size(), 6u) << r.out;
  EXPECT_EQ(words[0] + words[1], "epollcheck:scratch:") << r.out;
  EXPECT_GT(std::stoi(words[2]), 0) << r.out;
  EXPECT_EQ(words[4] + " " + words[5], "0 divergences") << r.out;
}

// The report of a crash or hang: its block of output, from its header to
// its rerun line.
std::string ReportOf(const std::string& out, const std::string& signature) {
  const size_t sig = out.find("\nsignature " + signature + ";");
  if (sig == std::string::npos)
    return "";
  const size_t begin = out.rfind("epollcheck: divergence ", sig);
  const size_t end = out.find('\n', out.find("\nrerun: ", sig) + 1);
  return out.substr(begin, end - begin);
}

// Runs the rerun command printed in `report` (with its own --out) and
// returns the result.
ChildResult RunRerun(const std::string& report) {
  std::vector<std::string> rerun = Words(LinesAfter(report, "rerun: ").at(0));
  rerun.erase(rerun.begin());
  const std::string dir = TempDir();
  rerun.insert(rerun.end(), {"--out", dir});
  ChildResult r = RunChild(EPOLLCHECK_BINARY, rerun, seconds(120));
  std::filesystem::remove_all(dir);
  return r;
}

// A SUT that crashes (`mutant-crash`: scratch writing through a wild pointer
// when a wait has two or more events) takes down a worker, not the run: the
// crash is a divergence `crash:SIGSEGV` with its sequence, minimized with
// each replay in a fresh process to the few steps that make a wait return
// two events, saved (the file passes on scratch and kills the double), and
// the run goes on to its last sequence, each later crash of the same kind
// masked like any reported signature.
TEST(CliSupervised, CrashIsAFindingAndTheRunGoesOn) {
  const std::string dir = TempDir();
  const ChildResult r =
      RunChild(EPOLLCHECK_BINARY,
               {"check", "--sut", "mutant-crash", "--seed", "3", "--sequences",
                "300", "--jobs", "2", "--out", dir},
               seconds(180));
  ASSERT_FALSE(r.timed_out) << r.out << r.err;
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_EQ(LastLine(r.out), "epollcheck: mutant-crash: 300 sequences, 1 "
                             "divergences")
      << r.out;
  const std::string report = ReportOf(r.out, "crash:SIGSEGV");
  ASSERT_NE(report, "") << r.out;
  EXPECT_NE(report.find(" killed its worker at step "), std::string::npos)
      << report;
  EXPECT_NE(report.find("<- CRASHES (SIGSEGV)"), std::string::npos) << report;
  EXPECT_NE(report.find("killed by SIGSEGV"), std::string::npos) << report;
  // The minimal scenario: an epoll instance, two ready items, the wait.
  const std::vector<std::string> rows = LinesAfter(
      r.out.substr(r.out.find("distinct divergences:")), "  crash:SIGSEGV");
  ASSERT_EQ(rows.size(), 1u) << r.out;
  const std::vector<std::string> row = Words(rows[0]);
  ASSERT_EQ(row.size(), 2u) << rows[0];
  EXPECT_GE(std::stoi(row[0]), 4) << report;
  EXPECT_LE(std::stoi(row[0]), 8) << report;
  const std::string& path = row[1];
  EXPECT_NE(report.find("saved: " + path), std::string::npos) << report;
  EXPECT_EQ(MarkedStep(report, "<- CRASHES"), std::stoi(row[0]) - 1) << report;
  // The saved scenario: the model's results hold on scratch; the double
  // dies replaying it.
  const ChildResult scratch = RunChild(
      EPOLLCHECK_BINARY, {"replay", path, "--sut", "scratch"}, seconds(30));
  EXPECT_EQ(scratch.exit_code, 0) << scratch.out << scratch.err;
  const ChildResult crash =
      RunChild(EPOLLCHECK_BINARY, {"replay", path, "--sut", "mutant-crash"},
               seconds(30));
  EXPECT_EQ(crash.signal, SIGSEGV) << crash.out << crash.err;
  // The rerun command finds it again, alone.
  const ChildResult again = RunRerun(report);
  EXPECT_EQ(again.exit_code, 1) << again.out << again.err;
  EXPECT_NE(ReportOf(again.out, "crash:SIGSEGV"), "") << again.out;
  EXPECT_EQ(LastLine(again.out),
            "epollcheck: mutant-crash: 1 sequences, 1 divergences");
  std::filesystem::remove_all(dir);
}

// A SUT that never returns (`mutant-hang`: the kernel, stuck in ppoll when a
// wait for one event finds nothing) is a divergence once an operation has
// run longer than --hang-timeout, signed op:hang:rule (the wait, whose empty
// result no rule decides: the family of its epoll file): minimized to its
// two steps (each replay in a fresh process, each with the timeout), and the
// run goes on. The saved scenario's replay stops at the same timeout and
// prints the same signature. (1 s: a loaded CI machine must not stall a
// healthy operation that long.)
TEST(CliSupervised, HangIsAFindingAndTheRunGoesOn) {
  const std::string dir = TempDir();
  const ChildResult r =
      RunChild(EPOLLCHECK_BINARY,
               {"check", "--sut", "mutant-hang", "--seed", "3", "--sequences",
                "40", "--jobs", "2", "--hang-timeout", "1s", "--out", dir},
               seconds(240));
  ASSERT_FALSE(r.timed_out) << r.out << r.err;
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_EQ(LastLine(r.out), "epollcheck: mutant-hang: 40 sequences, 1 "
                             "divergences")
      << r.out;
  const std::string report = ReportOf(r.out, "epoll_wait:hang:family.epoll");
  ASSERT_NE(report, "") << r.out;
  EXPECT_NE(report.find(" hung its worker at step "), std::string::npos)
      << report;
  EXPECT_NE(report.find("minimized to 2:\n"
                        "   0  e0 = epoll_create1(0)  -> 0\n"
                        "   1  epoll_wait(e0, 1)      <- HANGS (no return "
                        "within 1 s)\n"),
            std::string::npos)
      << report;
  const std::vector<std::string> replay =
      Words(LinesAfter(report, "replay: ").at(0));
  ASSERT_EQ(replay.size(), 7u) << report;
  EXPECT_EQ(replay[5], "--hang-timeout") << report;
  const ChildResult hung = RunChild(
      EPOLLCHECK_BINARY,
      std::vector<std::string>(replay.begin() + 1, replay.end()), seconds(30));
  EXPECT_FALSE(hung.timed_out);
  EXPECT_EQ(hung.exit_code, 1) << hung.out << hung.err;
  EXPECT_NE(hung.err.find("step 1 did not return within 1000 ms (hang)"),
            std::string::npos)
      << hung.err;
  EXPECT_EQ(hung.out, "epollcheck: signature epoll_wait:hang:family.epoll\n");
  const ChildResult again = RunRerun(report);
  EXPECT_EQ(again.exit_code, 1) << again.out << again.err;
  EXPECT_NE(ReportOf(again.out, "epoll_wait:hang:family.epoll"), "")
      << again.out;
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace epollcheck
