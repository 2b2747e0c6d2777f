// Matrix results (cli/result.h): JSON round trip and errors, merging of
// targets and shards, and the renderers (checked by structure: the JUnit
// XML read back, KTAP's plan and result lines, the Markdown's blocks); the
// matrix helpers of cli/matrix.h that need no network (package order, the
// initramfs archive, --shard).
#include "cli/result.h"

#include <sstream>

#include <boost/property_tree/ptree.hpp>
#include <boost/property_tree/xml_parser.hpp>
#include <gtest/gtest.h>

#include "cli/matrix.h"

namespace epollcheck {
namespace {

ResultDivergence Divergence(const std::string& signature, int sequence) {
  return ResultDivergence{
      .signature = signature,
      .sequence = sequence,
      .steps = 3,
      .rerun = "epollcheck check --sut kernel --only-sequence " +
               std::to_string(sequence),
      .reproduced = true,
      .scenario = "# scenario of " + signature + "\np = pipe2(0)\n",
      .reproducer = "int main(void) { return 0; } /* " + signature + " */\n"};
}

TargetResult Ran(const std::string& target) {
  TargetResult r;
  r.target = target;
  r.description = "Debian linux-image-6.12 under QEMU (TCG)";
  r.uname = "Linux 6.12.117";
  r.profile = "6.12 epoll_ctl.loop_check=upward-depth";
  r.features = {"epoll_wait.check_order=fd-first",
                "epoll_ctl.loop_check=upward-depth"};
  r.evidence = "  epoll_wait.check_order=fd-first: EBADF before EINVAL\n";
  r.seed = "18446744073709551615";  // above 2^53: kept as text
  r.sequences = 200;
  r.sequences_run = 200;
  r.corpus_ran = true;
  r.corpus_passed = 88;
  r.wall_seconds = 42.5;
  return r;
}

TargetResult Skipped(const std::string& target, const std::string& why) {
  TargetResult r;
  r.target = target;
  r.status = "skipped";
  r.reason = why;
  return r;
}

Matrix Sample() {
  TargetResult host = Ran("host");
  TargetResult failing = Ran("6.12");
  failing.divergences = {Divergence("recv:ret:unix-stream", 17)};
  failing.known = {KnownHit{.signature = "poll:events.mask:closed",
                            .sequences = 4,
                            .note = "gVisor <&> differs"}};
  failing.corpus_failed = {"K5-tcp-socket-history.scn"};
  failing.corpus_passed = 87;
  failing.status = DecideStatus(failing);
  TargetResult error = Ran("5.10");
  error.status = "error";
  error.reason = "the guest timed out after 600.0 s";
  error.log_tail = "[ 1.0] Run /init as init process";
  error.sequences_run = 0;
  error.corpus_ran = false;
  return Matrix{{host, failing, error, Skipped("uml", "AMX host")}};
}

TEST(Result, JsonRoundTripKeepsEveryField) {
  const Matrix m = Sample();
  std::string error;
  const std::optional<Matrix> back = MatrixFromJson(ToJson(m), &error);
  ASSERT_TRUE(back) << error;
  ASSERT_EQ(back->targets.size(), m.targets.size());
  for (size_t i = 0; i < m.targets.size(); ++i) {
    const TargetResult& a = m.targets[i];
    const TargetResult& b = back->targets[i];
    EXPECT_EQ(a.target, b.target);
    EXPECT_EQ(a.status, b.status);
    EXPECT_EQ(a.reason, b.reason);
    EXPECT_EQ(a.seed, b.seed);
    EXPECT_EQ(a.features, b.features);
    EXPECT_EQ(a.evidence, b.evidence);
    EXPECT_EQ(a.sequences_run, b.sequences_run);
    EXPECT_EQ(a.corpus_failed, b.corpus_failed);
    EXPECT_EQ(a.corpus_passed, b.corpus_passed);
    EXPECT_DOUBLE_EQ(a.wall_seconds, b.wall_seconds);
    ASSERT_EQ(a.divergences.size(), b.divergences.size());
    for (size_t d = 0; d < a.divergences.size(); ++d) {
      EXPECT_EQ(a.divergences[d].signature, b.divergences[d].signature);
      EXPECT_EQ(a.divergences[d].sequence, b.divergences[d].sequence);
      EXPECT_EQ(a.divergences[d].scenario, b.divergences[d].scenario);
      EXPECT_EQ(a.divergences[d].reproducer, b.divergences[d].reproducer);
    }
    ASSERT_EQ(a.known.size(), b.known.size());
  }
}

TEST(Result, BadJsonIsOneReason) {
  std::string error;
  EXPECT_FALSE(MatrixFromJson("{", &error));
  EXPECT_NE(error.find("not JSON"), std::string::npos) << error;
  error.clear();
  EXPECT_FALSE(MatrixFromJson(R"({"targets": []})", &error));
  EXPECT_NE(error.find("not an epollcheck result"), std::string::npos);
  error.clear();
  EXPECT_FALSE(MatrixFromJson(
      R"({"epollcheck_matrix": 1, "targets": [{"target": "x", "status": "maybe"}]})",
      &error));
  EXPECT_NE(error.find("status \"maybe\""), std::string::npos) << error;
  error.clear();
  EXPECT_FALSE(MatrixFromJson(
      R"({"epollcheck_matrix": 1, "targets": [{"target": 4}]})", &error));
  EXPECT_NE(error.find("\"target\" is not a string"), std::string::npos)
      << error;
}

// Two shards of one target merge into what the whole run finds: each
// signature once, from its earliest sequence; sequences and known hits add
// up; a failed shard fails the target.
TEST(Result, ShardsMergeIntoOneTarget) {
  TargetResult a = Ran("6.12");
  a.sequences_run = 100;
  a.shards = {"0/2"};
  a.divergences = {Divergence("send:ret:tcp", 4), Divergence("x:y:z", 40)};
  a.known = {KnownHit{.signature = "k:n:own", .sequences = 2, .note = "n"}};
  a.status = DecideStatus(a);
  TargetResult b = Ran("6.12");
  b.sequences_run = 100;
  b.shards = {"1/2"};
  b.corpus_ran = false;
  b.divergences = {Divergence("x:y:z", 13), Divergence("a:b:c", 21)};
  b.known = {KnownHit{.signature = "k:n:own", .sequences = 3, .note = "n"}};
  b.status = DecideStatus(b);
  const Matrix m = MergeResults({a, Ran("host"), b});
  ASSERT_EQ(m.targets.size(), 2u);
  const TargetResult& t = m.targets[0];
  EXPECT_EQ(t.target, "6.12");
  EXPECT_EQ(t.sequences_run, 200);
  EXPECT_EQ(t.shards, (std::vector<std::string>{"0/2", "1/2"}));
  ASSERT_EQ(t.divergences.size(), 3u);
  EXPECT_EQ(t.divergences[0].signature, "send:ret:tcp");
  EXPECT_EQ(t.divergences[1].signature, "x:y:z");
  EXPECT_EQ(t.divergences[1].sequence, 13);
  EXPECT_EQ(t.divergences[2].signature, "a:b:c");
  ASSERT_EQ(t.known.size(), 1u);
  EXPECT_EQ(t.known[0].sequences, 5);
  EXPECT_EQ(t.status, "failed");
  EXPECT_DOUBLE_EQ(t.wall_seconds, 85.0);
  EXPECT_TRUE(t.corpus_ran);
  EXPECT_EQ(m.targets[1].target, "host");
}

TEST(Result, SkippedGivesWayToARun) {
  const Matrix m = MergeResults({Skipped("gvisor", "no runsc"), Ran("gvisor")});
  ASSERT_EQ(m.targets.size(), 1u);
  EXPECT_EQ(m.targets[0].status, "ok");
  EXPECT_EQ(m.targets[0].sequences_run, 200);
}

TEST(Result, ExitStatus) {
  EXPECT_EQ(MatrixExitStatus(Matrix{{Ran("host")}}), 0);
  EXPECT_EQ(MatrixExitStatus(Matrix{{Ran("host"), Skipped("uml", "x")}}), 0);
  EXPECT_EQ(MatrixExitStatus(Matrix{{Skipped("uml", "x")}}), 1);
  EXPECT_EQ(MatrixExitStatus(Sample()), 1);
}

TEST(Result, JUnitReadsBackWithOneSuitePerTarget) {
  namespace pt = boost::property_tree;
  std::istringstream in(RenderJUnit(Sample()));
  pt::ptree xml;
  pt::read_xml(in, xml);
  const pt::ptree& suites = xml.get_child("testsuites");
  std::vector<std::string> names;
  for (const auto& [tag, suite] : suites) {
    if (tag == "testsuite")
      names.push_back(suite.get<std::string>("<xmlattr>.name"));
  }
  EXPECT_EQ(names,
            (std::vector<std::string>{"epollcheck.host", "epollcheck.6.12",
                                      "epollcheck.5.10", "epollcheck.uml"}));
  EXPECT_EQ(suites.get<int>("<xmlattr>.failures"), 2);  // check, corpus
  EXPECT_EQ(suites.get<int>("<xmlattr>.errors"), 1);
  EXPECT_EQ(suites.get<int>("<xmlattr>.skipped"), 1);
  int testcases = 0;
  std::string failure;
  for (const auto& [tag, suite] : suites) {
    if (tag != "testsuite")
      continue;
    for (const auto& [ctag, tc] : suite) {
      if (ctag != "testcase")
        continue;
      ++testcases;
      if (suite.get<std::string>("<xmlattr>.name") == "epollcheck.6.12" &&
          tc.get<std::string>("<xmlattr>.name") == "check")
        failure = tc.get<std::string>("failure");
    }
  }
  EXPECT_EQ(suites.get<int>("<xmlattr>.tests"), testcases);
  // The divergence with its minimal scenario.
  EXPECT_NE(failure.find("recv:ret:unix-stream"), std::string::npos);
  EXPECT_NE(failure.find("p = pipe2(0)"), std::string::npos) << failure;
}

TEST(Result, KtapHasAPlanAndOneResultPerTarget) {
  const std::string ktap = RenderKtap(Sample());
  std::istringstream in(ktap);
  std::vector<std::string> top;  // unindented lines
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    lines.push_back(line);
    if (!line.empty() && line[0] != ' ')
      top.push_back(line);
  }
  ASSERT_GE(top.size(), 6u) << ktap;
  EXPECT_EQ(top[0], "KTAP version 1");
  EXPECT_EQ(top[1], "1..4");
  EXPECT_EQ(top[2], "ok 1 host");
  EXPECT_EQ(top[3], "not ok 2 6.12");
  EXPECT_EQ(top[4], "not ok 3 5.10");
  EXPECT_EQ(top[5], "ok 4 uml # SKIP AMX host");
  // 6.12's subtests: profile ok, check and corpus not ok; the divergence
  // and its scenario as diagnostics.
  EXPECT_NE(ktap.find("    1..3\n"), std::string::npos) << ktap;
  EXPECT_NE(ktap.find("    ok 1 profile\n"), std::string::npos);
  EXPECT_NE(ktap.find("    not ok 2 check\n"), std::string::npos);
  EXPECT_NE(ktap.find("    not ok 3 corpus\n"), std::string::npos);
  EXPECT_NE(ktap.find("    # divergence recv:ret:unix-stream"),
            std::string::npos);
  EXPECT_NE(ktap.find("    #   p = pipe2(0)"), std::string::npos);
  for (const std::string& line : lines) {
    const size_t indent = line.find_first_not_of(' ');
    EXPECT_TRUE(indent == 0 || indent == 4 || indent == std::string::npos)
        << line;
  }
}

TEST(Result, MarkdownHasTheTableScenariosAndReproducers) {
  const std::string md = RenderMarkdown(Sample());
  EXPECT_NE(md.find("| target | profile | sequences | divergences | corpus | "
                    "wall | status |"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("| `6.12` |"), std::string::npos);
  EXPECT_NE(md.find("### 6.12 divergence 1: `recv:ret:unix-stream`"),
            std::string::npos);
  EXPECT_NE(md.find("```\n# scenario of recv:ret:unix-stream\n"),
            std::string::npos);
  EXPECT_NE(md.find("```c\nint main(void)"), std::string::npos);
  EXPECT_NE(md.find("fails: `K5-tcp-socket-history.scn`"), std::string::npos);
  EXPECT_NE(md.find("the guest timed out"), std::string::npos);
}

TEST(Result, TableHasOneRowPerTargetAndTheReasons) {
  const std::string table = RenderTable(Sample());
  std::istringstream in(table);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);)
    lines.push_back(line);
  // header, 4 rows, 2 reasons, the divergence with its 2-line scenario,
  // the failed corpus file
  ASSERT_EQ(lines.size(), 11u) << table;
  EXPECT_EQ(lines[0].rfind("target", 0), 0u);
  EXPECT_NE(lines[2].find("1 (+1 known)"), std::string::npos) << lines[2];
  EXPECT_NE(lines[2].find("87 pass, 1 fail"), std::string::npos) << lines[2];
  EXPECT_EQ(lines[5], "5.10: error: the guest timed out after 600.0 s");
  EXPECT_EQ(lines[6], "uml: skipped: AMX host");
  EXPECT_EQ(lines[7].rfind("6.12: divergence recv:ret:unix-stream: sequence "
                           "17, ",
                           0),
            0u)
      << lines[7];
  EXPECT_NE(lines[7].find("; rerun: epollcheck check"), std::string::npos)
      << lines[7];
  EXPECT_EQ(lines[8], "    # scenario of recv:ret:unix-stream");
  EXPECT_EQ(lines[9], "    p = pipe2(0)");
  EXPECT_EQ(lines[10], "6.12: corpus file failed: K5-tcp-socket-history.scn");
}

TEST(Matrix, NewestPackageComparesNumbers) {
  EXPECT_EQ(NewestPackage({"linux-image-6.1.0-9-cloud-amd64",
                           "linux-image-6.1.0-57-cloud-amd64",
                           "linux-image-6.1.0-10-cloud-amd64"}),
            "linux-image-6.1.0-57-cloud-amd64");
  EXPECT_EQ(NewestPackage({"linux-image-6.12.9+bpo-cloud-amd64",
                           "linux-image-6.12.117+deb12-cloud-amd64"}),
            "linux-image-6.12.117+deb12-cloud-amd64");
  EXPECT_EQ(NewestPackage({}), "");
}

TEST(Matrix, ShardSyntax) {
  int k = -1;
  int n = -1;
  EXPECT_TRUE(ParseShard("0/1", &k, &n));
  EXPECT_TRUE(ParseShard("3/4", &k, &n));
  EXPECT_EQ(k, 3);
  EXPECT_EQ(n, 4);
  for (const char* bad : {"4/4", "-1/4", "1/0", "1", "/4", "1/", "a/b", "1/2x"})
    EXPECT_FALSE(ParseShard(bad, &k, &n)) << bad;
}

// The initramfs: newc headers ("070701", 13 fields of 8 hex digits), names
// NUL-terminated, names and data padded to 4 bytes, a TRAILER!!! entry.
TEST(Matrix, NewcArchiveLayout) {
  const std::string file = ::testing::TempDir() + "/newc-test-file";
  { std::ofstream(file) << "hello"; }
  std::string error;
  const std::string a = NewcArchive({"tmp"}, {{"init", file}}, &error);
  std::remove(file.c_str());
  ASSERT_TRUE(error.empty()) << error;
  ASSERT_EQ(a.size() % 4, 0u);
  std::vector<std::pair<std::string, std::string>> entries;
  size_t at = 0;
  while (at + 110 <= a.size()) {
    ASSERT_EQ(a.substr(at, 6), "070701");
    const auto field = [&](size_t i) {
      return std::stoul(a.substr(at + 6 + (8 * i), 8), nullptr, 16);
    };
    const size_t size = field(6);
    const size_t name_size = field(11);
    const std::string name = a.substr(at + 110, name_size - 1);
    at += 110 + name_size;
    at += (4 - at % 4) % 4;
    entries.emplace_back(name, a.substr(at, size));
    at += size;
    at += (4 - at % 4) % 4;
    if (name == "TRAILER!!!")
      break;
  }
  EXPECT_EQ(at, a.size());
  EXPECT_EQ(entries, (std::vector<std::pair<std::string, std::string>>{
                         {"tmp", ""}, {"init", "hello"}, {"TRAILER!!!", ""}}));
  (void)NewcArchive({}, {{"x", "/nonexistent/file"}}, &error);
  EXPECT_NE(error.find("cannot read /nonexistent/file"), std::string::npos);
}

}  // namespace
}  // namespace epollcheck
