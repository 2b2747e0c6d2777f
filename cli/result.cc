#include "cli/result.h"

#include <algorithm>
#include <cstdio>
#include <iomanip>
#include <set>
#include <sstream>

#include <boost/json.hpp>
#include <boost/property_tree/ptree.hpp>
#include <boost/property_tree/xml_parser.hpp>

namespace epollcheck {

namespace json = boost::json;

namespace {

json::array Strings(const std::vector<std::string>& v) {
  json::array a;
  for (const std::string& s : v)
    a.emplace_back(json::string(s));
  return a;
}

json::object TargetToJson(const TargetResult& r) {
  json::array divergences;
  for (const ResultDivergence& d : r.divergences) {
    divergences.emplace_back(json::object{{"signature", d.signature},
                                          {"sequence", d.sequence},
                                          {"steps", d.steps},
                                          {"rerun", d.rerun},
                                          {"reproduced", d.reproduced},
                                          {"scenario", d.scenario},
                                          {"reproducer", d.reproducer}});
  }
  json::array known;
  for (const KnownHit& k : r.known) {
    known.emplace_back(json::object{{"signature", k.signature},
                                    {"sequences", k.sequences},
                                    {"note", k.note}});
  }
  json::array census;
  for (const CensusEntry& c : r.census) {
    census.emplace_back(json::object{{"signature", c.signature},
                                     {"sequences", c.sequences},
                                     {"first", c.first}});
  }
  return json::object{
      {"target", r.target},
      {"description", r.description},
      {"status", r.status},
      {"reason", r.reason},
      {"uname", r.uname},
      {"profile", r.profile},
      {"features", Strings(r.features)},
      {"evidence", r.evidence},
      {"seed", r.seed},
      {"sequences", r.sequences},
      {"sequences_run", r.sequences_run},
      {"shards", Strings(r.shards)},
      {"divergences", std::move(divergences)},
      {"known", std::move(known)},
      {"census", std::move(census)},
      {"corpus", json::object{{"ran", r.corpus_ran},
                              {"passed", r.corpus_passed},
                              {"skipped", r.corpus_skipped},
                              {"failed", Strings(r.corpus_failed)},
                              {"known", Strings(r.corpus_known)}}},
      {"wall_seconds", r.wall_seconds},
      {"log_tail", r.log_tail}};
}

// Reads the fields of one object; a missing field keeps its default, a
// field of the wrong type is an error.
class Reader {
public:
  Reader(const json::object& o, std::string where, std::string* error)
      : o_(o), where_(std::move(where)), error_(error) {}

  void Get(const char* key, std::string& out) {
    if (const json::value* v = Find(key, json::kind::string))
      out = std::string(v->get_string());
  }
  void Get(const char* key, bool& out) {
    if (const json::value* v = Find(key, json::kind::bool_))
      out = v->get_bool();
  }
  template <class Number> void GetNumber(const char* key, Number& out) {
    const json::value* v = o_.if_contains(key);
    if (v == nullptr)
      return;
    if (!v->is_number())
      return Wrong(key, "a number");
    out = v->to_number<Number>();
  }
  void Get(const char* key, std::vector<std::string>& out) {
    const json::value* v = Find(key, json::kind::array);
    if (v == nullptr)
      return;
    for (const json::value& e : v->get_array()) {
      if (!e.is_string())
        return Wrong(key, "an array of strings");
      out.emplace_back(e.get_string());
    }
  }
  const json::value* Find(const char* key, json::kind kind) {
    const json::value* v = o_.if_contains(key);
    if (v == nullptr)
      return nullptr;
    if (v->kind() != kind) {
      Wrong(key, kind == json::kind::string   ? "a string"
                 : kind == json::kind::array  ? "an array"
                 : kind == json::kind::object ? "an object"
                                              : "a boolean");
      return nullptr;
    }
    return v;
  }
  bool Ok() const { return error_->empty(); }

private:
  void Wrong(const char* key, const char* what) {
    if (error_->empty())
      *error_ = where_ + ": \"" + key + "\" is not " + what;
  }
  const json::object& o_;
  std::string where_;
  std::string* error_;
};

std::optional<TargetResult> TargetFromJson(const json::value& v, size_t index,
                                           std::string* error) {
  const std::string where = "targets[" + std::to_string(index) + "]";
  if (!v.is_object()) {
    *error = where + " is not an object";
    return std::nullopt;
  }
  TargetResult r;
  Reader in(v.get_object(), where, error);
  in.Get("target", r.target);
  in.Get("description", r.description);
  in.Get("status", r.status);
  in.Get("reason", r.reason);
  in.Get("uname", r.uname);
  in.Get("profile", r.profile);
  in.Get("features", r.features);
  in.Get("evidence", r.evidence);
  in.Get("seed", r.seed);
  in.GetNumber("sequences", r.sequences);
  in.GetNumber("sequences_run", r.sequences_run);
  in.Get("shards", r.shards);
  in.GetNumber("wall_seconds", r.wall_seconds);
  in.Get("log_tail", r.log_tail);
  if (const json::value* a = in.Find("divergences", json::kind::array)) {
    for (const json::value& e : a->get_array()) {
      if (!e.is_object()) {
        *error = where + ": a divergence is not an object";
        return std::nullopt;
      }
      ResultDivergence d;
      Reader de(e.get_object(), where + " divergence", error);
      de.Get("signature", d.signature);
      de.GetNumber("sequence", d.sequence);
      de.GetNumber("steps", d.steps);
      de.Get("rerun", d.rerun);
      de.Get("reproduced", d.reproduced);
      de.Get("scenario", d.scenario);
      de.Get("reproducer", d.reproducer);
      r.divergences.push_back(std::move(d));
    }
  }
  if (const json::value* a = in.Find("known", json::kind::array)) {
    for (const json::value& e : a->get_array()) {
      if (!e.is_object()) {
        *error = where + ": a known hit is not an object";
        return std::nullopt;
      }
      KnownHit k;
      Reader ke(e.get_object(), where + " known", error);
      ke.Get("signature", k.signature);
      ke.GetNumber("sequences", k.sequences);
      ke.Get("note", k.note);
      r.known.push_back(std::move(k));
    }
  }
  if (const json::value* a = in.Find("census", json::kind::array)) {
    for (const json::value& e : a->get_array()) {
      if (!e.is_object()) {
        *error = where + ": a census entry is not an object";
        return std::nullopt;
      }
      CensusEntry c;
      Reader ce(e.get_object(), where + " census", error);
      ce.Get("signature", c.signature);
      ce.GetNumber("sequences", c.sequences);
      ce.GetNumber("first", c.first);
      r.census.push_back(std::move(c));
    }
  }
  if (const json::value* c = in.Find("corpus", json::kind::object)) {
    Reader ce(c->get_object(), where + " corpus", error);
    ce.Get("ran", r.corpus_ran);
    ce.GetNumber("passed", r.corpus_passed);
    ce.GetNumber("skipped", r.corpus_skipped);
    ce.Get("failed", r.corpus_failed);
    if (c->get_object().contains("known"))
      ce.Get("known", r.corpus_known);
  }
  if (!in.Ok())
    return std::nullopt;
  if (r.target.empty()) {
    *error = where + " has no \"target\"";
    return std::nullopt;
  }
  static const std::set<std::string> kStatuses = {"ok", "failed", "error",
                                                  "skipped"};
  if (kStatuses.count(r.status) == 0) {
    *error = where + ": status \"" + r.status +
             "\" is not ok, failed, error or skipped";
    return std::nullopt;
  }
  return r;
}

int StatusRank(const std::string& status) {
  if (status == "error")
    return 3;
  if (status == "failed")
    return 2;
  if (status == "ok")
    return 1;
  return 0;  // skipped
}

void MergeInto(TargetResult& into, const TargetResult& r) {
  if (into.status == "skipped" && r.status != "skipped") {
    TargetResult copy = r;
    copy.shards.insert(copy.shards.begin(), into.shards.begin(),
                       into.shards.end());
    into = copy;
    return;
  }
  if (r.status == "skipped")
    return;
  if (StatusRank(r.status) > StatusRank(into.status)) {
    into.status = r.status;
    if (!r.reason.empty())
      into.reason = r.reason;
    if (!r.log_tail.empty())
      into.log_tail = r.log_tail;
  }
  if (into.profile.empty()) {
    into.profile = r.profile;
    into.features = r.features;
    into.evidence = r.evidence;
  }
  if (into.uname.empty())
    into.uname = r.uname;
  if (into.seed.empty())
    into.seed = r.seed;
  into.sequences = std::max(into.sequences, r.sequences);
  into.sequences_run += r.sequences_run;
  into.shards.insert(into.shards.end(), r.shards.begin(), r.shards.end());
  for (const ResultDivergence& d : r.divergences) {
    auto same = std::find_if(
        into.divergences.begin(), into.divergences.end(),
        [&](const ResultDivergence& e) { return e.signature == d.signature; });
    if (same == into.divergences.end())
      into.divergences.push_back(d);
    else if (d.sequence < same->sequence)
      *same = d;
  }
  std::sort(into.divergences.begin(), into.divergences.end(),
            [](const ResultDivergence& a, const ResultDivergence& b) {
              return a.sequence < b.sequence;
            });
  for (const KnownHit& k : r.known) {
    auto same = std::find_if(
        into.known.begin(), into.known.end(),
        [&](const KnownHit& e) { return e.signature == k.signature; });
    if (same == into.known.end())
      into.known.push_back(k);
    else
      same->sequences += k.sequences;
  }
  for (const CensusEntry& c : r.census) {
    auto same = std::find_if(
        into.census.begin(), into.census.end(),
        [&](const CensusEntry& e) { return e.signature == c.signature; });
    if (same == into.census.end()) {
      into.census.push_back(c);
    } else {
      same->sequences += c.sequences;
      same->first = std::min(same->first, c.first);
    }
  }
  std::sort(into.census.begin(), into.census.end(),
            [](const CensusEntry& a, const CensusEntry& b) {
              return a.signature < b.signature;
            });
  if (r.corpus_ran) {
    if (!into.corpus_ran) {
      into.corpus_ran = true;
      into.corpus_passed = r.corpus_passed;
      into.corpus_skipped = r.corpus_skipped;
      into.corpus_failed = r.corpus_failed;
      into.corpus_known = r.corpus_known;
    } else {
      for (const std::string& k : r.corpus_known) {
        if (std::find(into.corpus_known.begin(), into.corpus_known.end(), k) ==
            into.corpus_known.end()) {
          into.corpus_known.push_back(k);
        }
      }
      for (const std::string& f : r.corpus_failed) {
        if (std::find(into.corpus_failed.begin(), into.corpus_failed.end(),
                      f) == into.corpus_failed.end()) {
          into.corpus_failed.push_back(f);
          into.corpus_passed = std::max(0, into.corpus_passed - 1);
        }
      }
    }
  }
  into.wall_seconds += r.wall_seconds;
}

std::string Seconds(double s) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f s", s);
  return text;
}

std::string SequencesCell(const TargetResult& r) {
  if (r.status == "skipped" || (r.status == "error" && r.sequences_run == 0))
    return "-";
  std::string cell = std::to_string(r.sequences_run);
  if (r.sequences_run != r.sequences)
    cell += "/" + std::to_string(r.sequences);
  return cell;
}

std::string DivergencesCell(const TargetResult& r) {
  if (r.status == "skipped" || (r.status == "error" && r.sequences_run == 0))
    return "-";
  std::string cell = std::to_string(r.divergences.size());
  if (!r.known.empty())
    cell += " (+" + std::to_string(r.known.size()) + " known)";
  return cell;
}

std::string CorpusCell(const TargetResult& r) {
  if (!r.corpus_ran)
    return "-";
  std::string cell = std::to_string(r.corpus_passed) + " pass";
  if (!r.corpus_failed.empty())
    cell += ", " + std::to_string(r.corpus_failed.size()) + " fail";
  if (!r.corpus_known.empty())
    cell += ", " + std::to_string(r.corpus_known.size()) + " known";
  if (r.corpus_skipped > 0)
    cell += ", " + std::to_string(r.corpus_skipped) + " skip";
  return cell;
}

std::vector<std::vector<std::string>> TableRows(const Matrix& matrix) {
  std::vector<std::vector<std::string>> rows = {{"target", "profile",
                                                 "sequences", "divergences",
                                                 "corpus", "wall", "status"}};
  for (const TargetResult& r : matrix.targets) {
    rows.push_back({r.target, r.profile.empty() ? "-" : r.profile,
                    SequencesCell(r), DivergencesCell(r), CorpusCell(r),
                    r.status == "skipped" ? "-" : Seconds(r.wall_seconds),
                    r.status});
  }
  return rows;
}

// Each line of `text` after `prefix`.
std::string Indent(const std::string& text, const std::string& prefix) {
  std::string out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    out += prefix + line + '\n';
  return out;
}

std::string CheckSummary(const TargetResult& r) {
  return std::to_string(r.sequences_run) + " sequences, " +
         std::to_string(r.divergences.size()) + " divergences, " +
         std::to_string(r.known.size()) + " known";
}

}  // namespace

std::string DecideStatus(const TargetResult& result) {
  if (result.status == "error" || result.status == "skipped")
    return result.status;
  return result.divergences.empty() && result.corpus_failed.empty() ? "ok"
                                                                    : "failed";
}

std::string ToJson(const Matrix& matrix) {
  json::array targets;
  for (const TargetResult& r : matrix.targets)
    targets.emplace_back(TargetToJson(r));
  const json::object root{{"epollcheck_matrix", 1},
                          {"targets", std::move(targets)}};
  return json::serialize(root) + '\n';
}

std::optional<Matrix> MatrixFromJson(const std::string& text,
                                     std::string* error) {
  boost::system::error_code ec;
  const json::value root = json::parse(text, ec);
  if (ec) {
    *error = "not JSON (" + ec.message() + ")";
    return std::nullopt;
  }
  const json::object* o = root.if_object();
  const json::value* version =
      o == nullptr ? nullptr : o->if_contains("epollcheck_matrix");
  if (version == nullptr || !version->is_number() ||
      version->to_number<int>() != 1) {
    *error = "not an epollcheck result (no \"epollcheck_matrix\": 1)";
    return std::nullopt;
  }
  const json::value* targets = o->if_contains("targets");
  if (targets == nullptr || !targets->is_array()) {
    *error = "\"targets\" is not an array";
    return std::nullopt;
  }
  Matrix matrix;
  size_t index = 0;
  for (const json::value& t : targets->get_array()) {
    std::optional<TargetResult> r = TargetFromJson(t, index++, error);
    if (!r)
      return std::nullopt;
    matrix.targets.push_back(std::move(*r));
  }
  return matrix;
}

Matrix MergeResults(const std::vector<TargetResult>& results) {
  Matrix matrix;
  for (const TargetResult& r : results) {
    auto same = std::find_if(
        matrix.targets.begin(), matrix.targets.end(),
        [&](const TargetResult& e) { return e.target == r.target; });
    if (same == matrix.targets.end())
      matrix.targets.push_back(r);
    else
      MergeInto(*same, r);
  }
  return matrix;
}

std::string RenderTable(const Matrix& matrix) {
  const auto rows = TableRows(matrix);
  std::vector<size_t> widths(rows[0].size(), 0);
  for (const auto& row : rows) {
    for (size_t c = 0; c < row.size(); ++c)
      widths[c] = std::max(widths[c], row[c].size());
  }
  std::ostringstream out;
  for (const auto& row : rows) {
    for (size_t c = 0; c < row.size(); ++c) {
      out << (c == 0 ? "" : "  ") << std::left
          << std::setw(c + 1 == row.size() ? 0 : static_cast<int>(widths[c]))
          << row[c];
    }
    out << '\n';
  }
  for (const TargetResult& r : matrix.targets) {
    if (!r.reason.empty())
      out << r.target << ": " << r.status << ": " << r.reason << '\n';
  }
  // What failed, so a CI log alone names each new divergence with its
  // minimal scenario (the reproducers are in the reports).
  for (const TargetResult& r : matrix.targets) {
    for (const ResultDivergence& d : r.divergences) {
      out << r.target << ": divergence " << d.signature << ": sequence "
          << d.sequence << ", " << d.steps << " steps"
          << (d.reproduced ? "" : ", did not reproduce on replay")
          << "; rerun: " << d.rerun << '\n';
      std::istringstream scenario(d.scenario);
      for (std::string line; std::getline(scenario, line);)
        out << "    " << line << '\n';
    }
    for (const std::string& file : r.corpus_failed)
      out << r.target << ": corpus file failed: " << file << '\n';
  }
  return out.str();
}

std::string RenderMarkdown(const Matrix& matrix) {
  std::ostringstream out;
  out << "# epollcheck matrix\n\n";
  const auto rows = TableRows(matrix);
  for (size_t i = 0; i < rows.size(); ++i) {
    out << '|';
    for (const std::string& cell : rows[i])
      out << ' ' << (i == 0 ? cell : "`" + cell + "`") << " |";
    out << '\n';
    if (i == 0) {
      out << '|';
      for (size_t c = 0; c < rows[0].size(); ++c)
        out << "---|";
      out << '\n';
    }
  }
  for (const TargetResult& r : matrix.targets) {
    out << "\n## " << r.target << "\n\n";
    if (!r.description.empty())
      out << r.description << "\n\n";
    out << "- status: " << r.status
        << (r.reason.empty() ? "" : " (" + r.reason + ")") << '\n';
    if (r.status == "skipped")
      continue;
    if (!r.uname.empty())
      out << "- uname: `" << r.uname << "` (reported only)\n";
    out << "- seed " << (r.seed.empty() ? "-" : r.seed) << ", "
        << CheckSummary(r) << ", wall time " << Seconds(r.wall_seconds) << '\n';
    if (!r.profile.empty()) {
      out << "- profile `" << r.profile << "`, decided by probes:\n\n```\n"
          << r.evidence
          << (r.evidence.empty() || r.evidence.back() == '\n' ? "" : "\n")
          << "```\n";
    }
    if (r.corpus_ran) {
      out << "- corpus: " << CorpusCell(r) << '\n';
      for (const std::string& f : r.corpus_failed)
        out << "  - fails: `" << f << "`\n";
      for (const std::string& k : r.corpus_known)
        out << "  - known: `" << k << "`\n";
    }
    for (const KnownHit& k : r.known) {
      out << "- known: `" << k.signature << "` (" << k.sequences
          << " sequences; " << k.note << ")\n";
    }
    if (!r.census.empty()) {
      out << "\nSequences by the signature of their first divergence:\n\n"
             "| signature | sequences | first |\n|---|---|---|\n";
      for (const CensusEntry& c : r.census) {
        out << "| `" << c.signature << "` | " << c.sequences << " | " << c.first
            << " |\n";
      }
    }
    int index = 0;
    for (const ResultDivergence& d : r.divergences) {
      out << "\n### " << r.target << " divergence " << ++index << ": `"
          << d.signature << "`\n\n"
          << "Sequence " << d.sequence << ", minimized to " << d.steps
          << " steps" << (d.reproduced ? "" : " (did not reproduce on replay)")
          << ". Rerun: `" << d.rerun << "`\n\n"
          << "```\n"
          << d.scenario << "```\n\n";
      if (!d.reproducer.empty()) {
        out << "<details><summary>C reproducer</summary>\n\n```c\n"
            << d.reproducer << "```\n\n</details>\n";
      }
    }
    if (!r.log_tail.empty())
      out << "\nEnd of the target's output:\n\n```\n"
          << r.log_tail << "\n```\n";
  }
  return out.str();
}

std::string RenderJUnit(const Matrix& matrix) {
  namespace pt = boost::property_tree;
  pt::ptree suites;
  int tests = 0;
  int failures = 0;
  int errors = 0;
  int skipped = 0;
  for (const TargetResult& r : matrix.targets) {
    pt::ptree suite;
    suite.put("<xmlattr>.name", "epollcheck." + r.target);
    suite.put("<xmlattr>.time", r.wall_seconds);
    int suite_tests = 0;
    int suite_failures = 0;
    int suite_errors = 0;
    int suite_skipped = 0;
    const auto add = [&](const std::string& name, const pt::ptree& extra) {
      pt::ptree tc = extra;
      tc.put("<xmlattr>.classname", "epollcheck." + r.target);
      tc.put("<xmlattr>.name", name);
      suite.add_child("testcase", tc);
      ++suite_tests;
    };
    if (r.status == "skipped") {
      pt::ptree tc;
      tc.put("skipped.<xmlattr>.message", r.reason);
      add("target", tc);
      ++suite_skipped;
    } else if (r.status == "error") {
      pt::ptree tc;
      tc.put("error", r.log_tail);
      tc.put("error.<xmlattr>.message", r.reason);
      add("target", tc);
      ++suite_errors;
    }
    if (r.status != "skipped" && !r.profile.empty()) {
      pt::ptree tc;
      tc.put("system-out", r.evidence);
      add("profile " + r.profile, tc);
    }
    if (r.status != "skipped" && r.sequences_run > 0) {
      pt::ptree tc;
      if (!r.divergences.empty()) {
        std::string body;
        for (const ResultDivergence& d : r.divergences) {
          body += "divergence " + d.signature + " (sequence " +
                  std::to_string(d.sequence) + "; rerun: " + d.rerun + ")\n" +
                  d.scenario + "\n";
        }
        tc.put("failure", body);
        tc.put("failure.<xmlattr>.message",
               std::to_string(r.divergences.size()) + " divergences");
        ++suite_failures;
      }
      std::string known;
      for (const KnownHit& k : r.known)
        known += "known " + k.signature + ": " + k.note + '\n';
      if (!known.empty())
        tc.put("system-out", known);
      add("check", tc);
    }
    if (r.corpus_ran) {
      pt::ptree tc;
      if (!r.corpus_failed.empty()) {
        std::string body;
        for (const std::string& f : r.corpus_failed)
          body += f + '\n';
        tc.put("failure", body);
        tc.put("failure.<xmlattr>.message",
               std::to_string(r.corpus_failed.size()) +
                   " corpus scenarios fail");
        ++suite_failures;
      }
      if (!r.corpus_known.empty()) {
        std::string known;
        for (const std::string& k : r.corpus_known)
          known += "known: " + k + '\n';
        tc.put("system-out", known);
      }
      add("corpus", tc);
    }
    suite.put("<xmlattr>.tests", suite_tests);
    suite.put("<xmlattr>.failures", suite_failures);
    suite.put("<xmlattr>.errors", suite_errors);
    suite.put("<xmlattr>.skipped", suite_skipped);
    tests += suite_tests;
    failures += suite_failures;
    errors += suite_errors;
    skipped += suite_skipped;
    suites.add_child("testsuites.testsuite", suite);
  }
  if (matrix.targets.empty())
    suites.put("testsuites", "");
  suites.put("testsuites.<xmlattr>.name", "epollcheck matrix");
  suites.put("testsuites.<xmlattr>.tests", tests);
  suites.put("testsuites.<xmlattr>.failures", failures);
  suites.put("testsuites.<xmlattr>.errors", errors);
  suites.put("testsuites.<xmlattr>.skipped", skipped);
  std::ostringstream out;
  pt::write_xml(out, suites, pt::xml_writer_make_settings<std::string>(' ', 2));
  return out.str();
}

std::string RenderKtap(const Matrix& matrix) {
  std::ostringstream out;
  out << "KTAP version 1\n1.." << matrix.targets.size() << '\n';
  int number = 0;
  for (const TargetResult& r : matrix.targets) {
    ++number;
    // KTAP test names: no '#', and one line.
    std::string name = r.target;
    std::replace(name.begin(), name.end(), '#', '_');
    if (r.status == "skipped") {
      out << "ok " << number << ' ' << name << " # SKIP " << r.reason << '\n';
      continue;
    }
    out << "    KTAP version 1\n";
    if (!r.description.empty())
      out << "    # " << r.description << '\n';
    if (!r.uname.empty())
      out << "    # uname: " << r.uname << '\n';
    std::vector<std::pair<bool, std::string>> subtests;
    std::string diagnostics;
    if (r.status == "error") {
      subtests.emplace_back(false, "run # " + r.reason);
      diagnostics += Indent(r.log_tail, "    # ");
    }
    if (!r.profile.empty()) {
      subtests.emplace_back(true, "profile");
      diagnostics += "    # profile " + r.profile + '\n';
      diagnostics += Indent(r.evidence, "    # ");
    }
    if (r.sequences_run > 0) {
      subtests.emplace_back(r.divergences.empty(), "check");
      diagnostics += "    # check: " + CheckSummary(r) + '\n';
      for (const ResultDivergence& d : r.divergences) {
        diagnostics +=
            "    # divergence " + d.signature + "; rerun: " + d.rerun + '\n';
        diagnostics += Indent(d.scenario, "    #   ");
      }
      for (const KnownHit& k : r.known)
        diagnostics += "    # known " + k.signature + ": " + k.note + '\n';
    }
    if (r.corpus_ran) {
      subtests.emplace_back(r.corpus_failed.empty(), "corpus");
      diagnostics += "    # corpus: " + CorpusCell(r) + '\n';
      for (const std::string& f : r.corpus_failed)
        diagnostics += "    # corpus fails: " + f + '\n';
      for (const std::string& k : r.corpus_known)
        diagnostics += "    # corpus known: " + k + '\n';
    }
    out << "    1.." << subtests.size() << '\n' << diagnostics;
    int sub = 0;
    for (const auto& [ok, what] : subtests)
      out << "    " << (ok ? "ok " : "not ok ") << ++sub << ' ' << what << '\n';
    out << (DecideStatus(r) == "ok" ? "ok " : "not ok ") << number << ' '
        << name << '\n';
  }
  return out.str();
}

int MatrixExitStatus(const Matrix& matrix) {
  bool ran = false;
  for (const TargetResult& r : matrix.targets) {
    if (r.status == "failed" || r.status == "error")
      return 1;
    ran = ran || r.status == "ok";
  }
  return ran ? 0 : 1;
}

}  // namespace epollcheck
