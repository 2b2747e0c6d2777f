#include "cli/matrix.h"

#include <elf.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <optional>
#include <regex>
#include <sstream>

#include "cli/result.h"
#include "fixtures/child_process.h"
#include "model/ops.h"
#include "properties/supervisor.h"

#ifndef EPOLLCHECK_FIXTURES_DIR
#define EPOLLCHECK_FIXTURES_DIR "fixtures"
#endif

namespace epollcheck {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

namespace {

[[noreturn]] void UsageError(const std::string& what) {
  std::cerr << "epollcheck: " << what << '\n';
  std::exit(2);
}

std::string ReadFile(const std::string& path, bool* ok = nullptr) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (ok != nullptr)
    *ok = static_cast<bool>(in) || in.eof();
  return text.str();
}

// The last `lines` lines of `text`, carriage returns dropped.
std::string Tail(std::string text, int lines) {
  std::erase(text, '\r');
  while (!text.empty() && text.back() == '\n')
    text.pop_back();
  size_t at = text.size();
  for (int i = 0; i < lines && at != std::string::npos && at > 0; ++i)
    at = text.rfind('\n', at - 1);
  return at == std::string::npos ? text : text.substr(at + 1);
}

// `name` on PATH, or "".
std::string FindProgram(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path == nullptr ? "/usr/bin:/bin" : path);
  for (std::string dir; std::getline(dirs, dir, ':');) {
    std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
    if (access(candidate.c_str(), X_OK) == 0)
      return candidate;
  }
  return "";
}

// True if `path` is an ELF executable without a program interpreter
// (statically linked): it runs in a root file system with nothing else.
bool IsStatic(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  Elf64_Ehdr header{};
  if (!in.read(reinterpret_cast<char*>(&header), sizeof header) ||
      std::memcmp(header.e_ident, ELFMAG, SELFMAG) != 0 ||
      header.e_ident[EI_CLASS] != ELFCLASS64)
    return false;
  for (int i = 0; i < header.e_phnum; ++i) {
    Elf64_Phdr ph{};
    in.seekg(static_cast<std::streamoff>(
        header.e_phoff + static_cast<uint64_t>(i) * header.e_phentsize));
    if (!in.read(reinterpret_cast<char*>(&ph), sizeof ph))
      return false;
    if (ph.p_type == PT_INTERP)
      return false;
  }
  return true;
}

// KVM only when asked (EPOLLCHECK_ACCEL=kvm) and /dev/kvm creates a VM:
// a /dev/kvm that does may still not run a guest (nested virtualisation:
// here the guest stalls at its first instruction, or "KVM internal error"),
// and only booting one tells; TCG always works.
bool UseKvm() {
  const char* accel = std::getenv("EPOLLCHECK_ACCEL");
  if (accel == nullptr || std::string(accel) != "kvm")
    return false;
  const int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
  if (kvm < 0)
    return false;
  const int vm = ioctl(kvm, KVM_GET_API_VERSION, 0) == KVM_API_VERSION
                     ? ioctl(kvm, KVM_CREATE_VM, 0)
                     : -1;
  if (vm >= 0)
    close(vm);
  close(kvm);
  return vm >= 0;
}

// User-mode Linux dies at its first process on a host whose XSAVE area is
// larger than the buffer it passes to PTRACE_SETREGSET (AMX).
bool HostHasAmx() {
  const std::string cpuinfo = ReadFile("/proc/cpuinfo");
  return cpuinfo.find(" amx_tile") != std::string::npos;
}

std::string CacheDir() {
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg)
    return std::string(xdg) + "/epollcheck";
  const char* home = std::getenv("HOME");
  return std::string(home != nullptr ? home : "/tmp") + "/.cache/epollcheck";
}

// A Debian kernel series: the suites it is in and the package pattern.
struct Series {
  std::string name;    // "6.1"
  std::string suites;  // the apt state it uses: "stable" or "unstable"
  std::string regex;   // apt-cache search --names-only
};

const std::vector<Series>& KnownSeries() {
  static const std::vector<Series> series = {
      {"5.10", "stable",
       R"(^linux-image-5\.10(\.[0-9]+)*(-[0-9]+)?(\+[a-z0-9]+)?-cloud-amd64$)"},
      {"6.1", "stable",
       R"(^linux-image-6\.1(\.[0-9]+)*(-[0-9]+)?(\+[a-z0-9]+)?-cloud-amd64$)"},
      {"6.12", "stable",
       R"(^linux-image-6\.12(\.[0-9]+)*(-[0-9]+)?(\+[a-z0-9]+)?-cloud-amd64$)"},
      {"7.x", "unstable",
       R"(^linux-image-7\.[0-9]+(\.[0-9]+)*(-[0-9]+)?(\+[a-z0-9]+)?-cloud-amd64$)"},
  };
  return series;
}

std::string SourcesList(const std::string& suites) {
  if (suites == "unstable") {
    return "deb http://deb.debian.org/debian sid main\n"
           "deb http://deb.debian.org/debian experimental main\n";
  }
  return "deb http://deb.debian.org/debian bullseye main\n"
         "deb http://deb.debian.org/debian-security bullseye-security main\n"
         "deb http://deb.debian.org/debian bookworm main\n"
         "deb http://deb.debian.org/debian-security bookworm-security main\n"
         "deb http://deb.debian.org/debian bookworm-backports main\n";
}

// Runs a tool (apt-get, dpkg-deb, ...) under a timeout; its output if it
// succeeded, else nullopt with `*error` naming the failure.
std::optional<std::string> Tool(const std::string& name,
                                const std::vector<std::string>& args,
                                milliseconds timeout, std::string* error,
                                const std::string& directory = "") {
  const std::string program = FindProgram(name);
  if (program.empty()) {
    *error = name + " not found";
    return std::nullopt;
  }
  ChildResult r;
  try {
    r = RunChild(program, args, timeout, "", directory);
  } catch (const std::exception& e) {
    *error = name + ": " + e.what();
    return std::nullopt;
  }
  if (r.timed_out || r.exit_code != 0) {
    *error = name + " " + (args.empty() ? "" : args.front()) +
             (r.timed_out ? " timed out" : " failed") + ": " +
             Tail(r.err.empty() ? r.out : r.err, 1);
    return std::nullopt;
  }
  return r.out;
}

// The newest Debian kernel image of `series` (fetched once, then from the
// cache): the image's path, or nullopt with `*error`.
std::optional<std::string> FetchKernel(const Series& series, std::ostream& log,
                                       std::string* package_out,
                                       std::string* error) {
  const std::string cache = CacheDir();
  const std::string apt = cache + "/apt-" + series.suites;
  std::error_code ec;
  for (const std::string& d :
       {apt + "/lists/partial", apt + "/cache/archives/partial", apt + "/state",
        cache + "/kernels"})
    fs::create_directories(d, ec);
  {
    std::ofstream sources(apt + "/sources.list", std::ios::trunc);
    sources << SourcesList(series.suites);
  }
  const std::vector<std::string> opts = {
      "-o", "Dir::State=" + apt + "/state",
      "-o", "Dir::State::Lists=" + apt + "/lists",
      "-o", "Dir::State::status=" + apt + "/state/status",
      "-o", "Dir::Cache=" + apt + "/cache",
      "-o", "Dir::Etc::SourceList=" + apt + "/sources.list",
      "-o", "Dir::Etc::SourceParts=/nonexistent",
      "-o", "Debug::NoLocking=1"};
  const auto with = [&](std::vector<std::string> tail) {
    std::vector<std::string> args = opts;
    args.insert(args.end(), tail.begin(), tail.end());
    return args;
  };
  if (!fs::exists(apt + "/state/status"))
    std::ofstream(apt + "/state/status");
  // Refresh the package lists once a day.
  bool fresh = false;
  for (const auto& entry : fs::directory_iterator(apt + "/lists", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.find("Packages") == std::string::npos)
      continue;
    const auto age = fs::file_time_type::clock::now() -
                     fs::last_write_time(entry.path(), ec);
    fresh = fresh || age < std::chrono::hours(24);
  }
  if (!fresh) {
    log << "epollcheck: matrix: " << series.name
        << ": apt-get update (private state in " << apt << ")" << std::endl;
    if (!Tool("apt-get", with({"-qq", "update"}), milliseconds(600000), error))
      return std::nullopt;
  }
  const std::optional<std::string> found =
      Tool("apt-cache", with({"search", "--names-only", series.regex}),
           milliseconds(120000), error);
  if (!found)
    return std::nullopt;
  std::vector<std::string> names;
  std::istringstream lines(*found);
  for (std::string line; std::getline(lines, line);) {
    const std::string name = line.substr(0, line.find(' '));
    if (!name.empty())
      names.push_back(name);
  }
  const std::string package = NewestPackage(names);
  if (package.empty()) {
    *error = "no Debian package matches " + series.regex;
    return std::nullopt;
  }
  *package_out = package;
  const std::string dest = cache + "/kernels/" + package + "/boot";
  const auto image_in = [&]() -> std::string {
    for (const auto& entry : fs::directory_iterator(dest, ec)) {
      if (entry.path().filename().string().rfind("vmlinuz-", 0) == 0)
        return entry.path().string();
    }
    return "";
  };
  if (std::string image = image_in(); !image.empty())
    return image;
  const std::string work = cache + "/download-" + std::to_string(getpid());
  const auto cleanup = [&] { fs::remove_all(work, ec); };
  // Downloads `name` and copies its /boot/vmlinuz-* and config-* into the
  // cache; false with `*error` if apt or dpkg-deb failed.
  const auto fetch = [&](const std::string& name) {
    log << "epollcheck: matrix: " << series.name << ": apt-get download "
        << name << std::endl;
    fs::remove_all(work, ec);
    fs::create_directories(work + "/x", ec);
    if (!Tool("apt-get", with({"-qq", "download", name}), milliseconds(1800000),
              error, work)) {
      cleanup();
      return false;
    }
    std::string deb;
    for (const auto& entry : fs::directory_iterator(work, ec)) {
      if (entry.path().extension() == ".deb")
        deb = entry.path().string();
    }
    if (deb.empty() || !Tool("dpkg-deb", {"-x", deb, work + "/x"},
                             milliseconds(600000), error)) {
      if (error->empty())
        *error = "apt-get download left no .deb";
      cleanup();
      return false;
    }
    fs::create_directories(dest, ec);
    for (const auto& entry : fs::directory_iterator(work + "/x/boot", ec)) {
      const std::string file = entry.path().filename().string();
      if (file.rfind("vmlinuz-", 0) == 0 || file.rfind("config-", 0) == 0)
        fs::copy_file(entry.path(), fs::path(dest) / file,
                      fs::copy_options::overwrite_existing, ec);
    }
    // The split packaging installs /usr/lib/modules/VERSION/vmlinuz.
    for (const auto& entry :
         fs::directory_iterator(work + "/x/usr/lib/modules", ec)) {
      if (fs::exists(entry.path() / "vmlinuz", ec))
        fs::copy_file(entry.path() / "vmlinuz",
                      fs::path(dest) /
                          ("vmlinuz-" + entry.path().filename().string()),
                      fs::copy_options::overwrite_existing, ec);
    }
    cleanup();
    return true;
  };
  if (!fetch(package))
    return std::nullopt;
  // Newer Debian packaging (7.3 in experimental) splits the image out:
  // linux-image-V-cloud-amd64 only depends on linux-binary-V-cloud-amd64,
  // which holds /usr/lib/modules/V-cloud-amd64/vmlinuz.
  const std::string image_prefix = "linux-image-";
  if (image_in().empty() && package.rfind(image_prefix, 0) == 0 &&
      !fetch("linux-binary-" + package.substr(image_prefix.size())))
    return std::nullopt;
  std::string image = image_in();
  if (image.empty()) {
    *error = package + " holds no /boot/vmlinuz-*";
    return std::nullopt;
  }
  return image;
}

// What the matrix was asked to do.
struct MatrixArgs {
  std::vector<std::string> targets;  // in order; "kernel:PATH" for --kernel
  bool targets_given = false;
  int sequences = 200;
  std::string budget = "smoke";
  int jobs = 2;
  std::string seed = "1";
  std::optional<milliseconds> timeout;
  std::string out_dir = "epollcheck-matrix";
  std::string json_path;
  bool ktap = false;
  std::string shard;  // "K/N" or ""
  int shard_index = 0;
  std::string runner;  // a static epollcheck ("" : this one if static)
  std::string fixtures = EPOLLCHECK_FIXTURES_DIR;
  std::string families;  // check's --families ("" : every one)
};

const std::vector<std::string> kTargets = {"host", "5.10", "6.1",   "6.12",
                                           "7.x",  "uml",  "gvisor"};

std::string Join(const std::vector<std::string>& v, const std::string& sep) {
  std::string out;
  for (const std::string& s : v)
    out += (out.empty() ? "" : sep) + s;
  return out;
}

MatrixArgs ParseMatrix(const std::vector<std::string_view>& args) {
  MatrixArgs parsed;
  std::string kernel;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string_view flag = args[i];
    const auto value = [&]() -> std::string {
      if (i + 1 >= args.size())
        UsageError(std::string(flag) + " needs a value");
      return std::string(args[++i]);
    };
    if (flag == "--targets") {
      const std::string list = value();
      parsed.targets.clear();
      parsed.targets_given = true;
      std::istringstream in(list);
      for (std::string t; std::getline(in, t, ',');) {
        if (std::find(kTargets.begin(), kTargets.end(), t) == kTargets.end() &&
            t != "kernel") {
          UsageError("--targets: unknown target '" + t + "' (" +
                     Join(kTargets, ", ") +
                     "; --kernel PATH for a kernel of your own)");
        }
        if (std::find(parsed.targets.begin(), parsed.targets.end(), t) ==
            parsed.targets.end())
          parsed.targets.push_back(t);
      }
      if (parsed.targets.empty())
        UsageError("--targets: no target given");
    } else if (flag == "--kernel") {
      kernel = value();
      std::error_code ec;
      if (!fs::is_regular_file(kernel, ec))
        UsageError("--kernel: " + kernel + " is not a file");
    } else if (flag == "--budget") {
      parsed.budget = value();
      if (parsed.budget == "smoke") {
        parsed.sequences = 200;
      } else if (parsed.budget == "default") {
        parsed.sequences = 2000;
      } else if (parsed.budget == "full") {
        parsed.sequences = 20000;
      } else {
        int n = 0;
        const auto [end, ec] =
            std::from_chars(parsed.budget.data(),
                            parsed.budget.data() + parsed.budget.size(), n);
        if (ec != std::errc() ||
            end != parsed.budget.data() + parsed.budget.size() || n < 1) {
          UsageError("--budget: '" + parsed.budget +
                     "' is not smoke, default, full or a number of sequences");
        }
        parsed.sequences = n;
      }
    } else if (flag == "--jobs") {
      const std::string text = value();
      int n = 0;
      const auto [end, ec] =
          std::from_chars(text.data(), text.data() + text.size(), n);
      if (ec != std::errc() || end != text.data() + text.size() || n < 1 ||
          n > 64)
        UsageError("--jobs: '" + text + "' is not a number in [1, 64]");
      parsed.jobs = n;
    } else if (flag == "--seed") {
      parsed.seed = value();
      uint64_t n = 0;
      const auto [end, ec] = std::from_chars(
          parsed.seed.data(), parsed.seed.data() + parsed.seed.size(), n);
      if (ec != std::errc() || end != parsed.seed.data() + parsed.seed.size())
        UsageError("--seed: '" + parsed.seed + "' is not a number");
    } else if (flag == "--timeout") {
      const std::string text = value();
      parsed.timeout = ParseDuration(text);
      if (!parsed.timeout)
        UsageError("--timeout: '" + text +
                   "' is not a duration (e.g. 300ms, 30s, 10m, 2h)");
    } else if (flag == "--out") {
      parsed.out_dir = value();
    } else if (flag == "--json") {
      parsed.json_path = value();
    } else if (flag == "--format") {
      const std::string format = value();
      if (format != "table" && format != "ktap")
        UsageError("--format: '" + format + "' is not table or ktap");
      parsed.ktap = format == "ktap";
    } else if (flag == "--shard") {
      parsed.shard = value();
      int shards = 1;
      if (!ParseShard(parsed.shard, &parsed.shard_index, &shards)) {
        UsageError("--shard: '" + parsed.shard +
                   "' is not K/N with 0 <= K < N (e.g. 0/4)");
      }
    } else if (flag == "--runner") {
      parsed.runner = value();
      if (!IsStatic(parsed.runner))
        UsageError("--runner: " + parsed.runner +
                   " is not a statically linked executable");
    } else if (flag == "--fixtures") {
      parsed.fixtures = value();
    } else if (flag == "--families") {
      parsed.families = value();
      std::string unknown;
      const std::string_view list =
          std::string_view(parsed.families)
              .substr(parsed.families.starts_with('-') ? 1 : 0);
      if (!ParseFamilies(list, &unknown))
        UsageError("--families: unknown family '" + unknown +
                   "' (known: " + FamiliesString(kAllFamilies) + ")");
    } else {
      UsageError("unknown argument '" + std::string(flag) + "'");
    }
  }
  const bool kernel_named = std::erase(parsed.targets, "kernel") > 0;
  if (kernel_named && kernel.empty())
    UsageError("--targets: kernel needs --kernel PATH");
  // --kernel alone runs that kernel only; no --targets, every target.
  if (!parsed.targets_given && kernel.empty())
    parsed.targets = kTargets;
  if (!kernel.empty())
    parsed.targets.push_back("kernel:" + fs::absolute(kernel).string());
  std::error_code ec;
  if (!fs::is_directory(parsed.fixtures + "/corpus", ec))
    UsageError("--fixtures: " + parsed.fixtures + " has no corpus/");
  return parsed;
}

// Everything a target needs to run, found on this host.
struct Plan {
  std::string runner;  // static epollcheck ("" : none)
  std::string init;    // static epollcheck-init
  std::string why_no_static;
};

Plan FindStaticRunner(const MatrixArgs& args, const std::string& self) {
  Plan plan;
  // A dynamically linked epollcheck uses the static one its build links
  // beside it (epollcheck-static).
  std::string runner = args.runner.empty() ? self : args.runner;
  if (const std::string sibling =
          (fs::path(runner).parent_path() / "epollcheck-static").string();
      args.runner.empty() && !IsStatic(runner) && IsStatic(sibling))
    runner = sibling;
  const std::string init =
      (fs::path(runner).parent_path() / "epollcheck-init").string();
  if (!IsStatic(runner)) {
    plan.why_no_static =
        "needs a statically linked runner (the build's epollcheck-static "
        "target, a -DEPOLLCHECK_STATIC=ON build's epollcheck, or --runner "
        "PATH)";
  } else if (!IsStatic(init)) {
    plan.why_no_static = "no static " + init + " beside the runner";
  } else {
    plan.runner = runner;
    plan.init = init;
  }
  return plan;
}

// The default timeout of one target: TCG runs a few times slower than a
// native kernel and minimizing a divergence dominates.
milliseconds TargetTimeout(const MatrixArgs& args) {
  if (args.timeout)
    return *args.timeout;
  return milliseconds(600000 + static_cast<int64_t>(args.sequences) * 1500);
}

std::string Seconds(double s) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f s", s);
  return text;
}

// The `check` command a target runs, `root` standing for its files.
std::vector<std::string>
CheckCommand(const MatrixArgs& args, const std::string& runner,
             const std::string& root, const std::string& target,
             const std::string& known, const std::string& json,
             const std::string& out) {
  std::vector<std::string> cmd = {runner,        "check",
                                  "--sut",       "kernel",
                                  "--sequences", std::to_string(args.sequences),
                                  "--seed",      args.seed,
                                  "--jobs",      std::to_string(args.jobs),
                                  "--target",    target,
                                  "--json",      json,
                                  "--out",       out};
  // Stop starting sequences after half the target's time, so a slow target
  // (TCG, a long minimization) still ends with a result.
  cmd.insert(cmd.end(),
             {"--duration", std::to_string(std::max<int64_t>(
                                1, TargetTimeout(args).count() / 2000)) +
                                "s"});
  if (!known.empty())
    cmd.insert(cmd.end(), {"--known", root + "/known/" + known});
  if (!args.shard.empty())
    cmd.insert(cmd.end(), {"--shard", args.shard});
  if (!args.families.empty())
    cmd.insert(cmd.end(), {"--families", args.families});
  if (args.shard_index == 0)
    cmd.insert(cmd.end(), {"--corpus", root + "/corpus"});
  return cmd;
}

// A target's result from the JSON it wrote (or an error saying why there
// is none).
TargetResult ResultFrom(const std::string& target, const std::string& json,
                        const std::string& log, const std::string& why_not) {
  TargetResult r;
  r.target = target;
  std::string error;
  std::optional<Matrix> m;
  if (why_not.empty()) {
    if (json.find_first_not_of(" \r\n\t") == std::string::npos)
      error = "it wrote no result";
    else
      m = MatrixFromJson(json, &error);
  }
  if (!why_not.empty() || !m || m->targets.size() != 1) {
    r.status = "error";
    r.reason = !why_not.empty() ? why_not
               : error.empty()  ? "its result names no single target"
                                : "its result: " + error;
    r.log_tail = Tail(log, 30);
    return r;
  }
  r = m->targets.front();
  r.target = target;
  return r;
}

// Writes the files of a work directory a guest boots from; "" or why not.
std::string PrepareRoot(const std::string& root, const Plan& plan,
                        const MatrixArgs& args) {
  std::error_code ec;
  for (const char* d : {"proc", "dev", "sys", "tmp", "out"})
    fs::create_directories(root + "/" + std::string(d), ec);
  // Without its debug information (a tenth of the size): the initramfs is
  // read into guest memory.
  std::string ignored;
  if (!Tool("strip", {"--strip-debug", "-o", root + "/epollcheck", plan.runner},
            milliseconds(120000), &ignored))
    fs::copy_file(plan.runner, root + "/epollcheck",
                  fs::copy_options::overwrite_existing, ec);
  if (!ec)
    fs::copy_file(plan.init, root + "/init", ec);
  if (!ec)
    fs::copy(args.fixtures + "/corpus", root + "/corpus",
             fs::copy_options::recursive, ec);
  if (!ec)
    fs::copy(args.fixtures + "/known", root + "/known",
             fs::copy_options::recursive, ec);
  return ec ? "cannot prepare " + root + ": " + ec.message() : "";
}

std::string CommandLine(const std::vector<std::string>& cmd) {
  return Join(cmd, " ") + "\n";
}

class MatrixRun {
public:
  MatrixRun(const MatrixArgs& args, const std::string& self)
      : args_(args), self_(self), plan_(FindStaticRunner(args, self)) {}

  TargetResult Run(const std::string& target) {
    const auto start = std::chrono::steady_clock::now();
    TargetResult r = RunTarget(target);
    if (r.status != "skipped") {
      r.wall_seconds = std::chrono::duration<double>(
                           std::chrono::steady_clock::now() - start)
                           .count();
    }
    if (r.status != "skipped" && r.status != "error")
      r.status = DecideStatus(r);
    return r;
  }

private:
  std::ostream& log_ = std::cerr;

  std::string TimeoutText() const {
    return Seconds(std::chrono::duration<double>(TargetTimeout(args_)).count());
  }

  TargetResult Skipped(const std::string& target, const std::string& why) {
    TargetResult r;
    r.target = target;
    r.status = "skipped";
    r.reason = why;
    return r;
  }

  // A fresh work directory for one target under the output directory (its
  // console log is kept there; the rest goes when the target ends).
  std::string WorkDir(const std::string& target) {
    std::string safe = target;
    for (char& c : safe) {
      if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '.')
        c = '_';
    }
    const std::string dir = args_.out_dir + "/work/" + safe;
    std::error_code ec;
    fs::remove_all(dir, ec);
    fs::create_directories(dir, ec);
    return fs::absolute(dir).string();
  }

  void KeepLog(const std::string& target, const std::string& text) {
    std::string safe = target;
    for (char& c : safe) {
      if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '.')
        c = '_';
    }
    std::error_code ec;
    fs::create_directories(args_.out_dir + "/logs", ec);
    std::ofstream(args_.out_dir + "/logs/" + safe + ".log") << text;
  }

  TargetResult RunTarget(const std::string& target) {
    if (target == "host")
      return Host();
    if (target == "uml")
      return Uml();
    if (target == "gvisor")
      return Gvisor();
    if (target.rfind("kernel:", 0) == 0)
      return Qemu(target, target.substr(7), "your kernel " + target.substr(7));
    for (const Series& s : KnownSeries()) {
      if (s.name != target)
        continue;
      if (FindProgram("qemu-system-x86_64").empty())
        return Skipped(target, "qemu-system-x86_64 not installed "
                               "(Debian package qemu-system-x86)");
      if (!plan_.why_no_static.empty())
        return Skipped(target, plan_.why_no_static);
      std::string package;
      std::string error;
      const std::optional<std::string> image =
          FetchKernel(s, log_, &package, &error);
      if (!image) {
        TargetResult r;
        r.target = target;
        r.status = "error";
        r.reason = "cannot fetch a Debian " + s.name + " kernel: " + error;
        return r;
      }
      return Qemu(target, *image, "Debian " + package);
    }
    return Skipped(target, "unknown target");
  }

  TargetResult Host() {
    const std::string work = WorkDir("host");
    const std::string json = work + "/result.json";
    std::vector<std::string> cmd =
        CheckCommand(args_, self_, args_.fixtures, "host", "kernel.tsv", json,
                     work + "/out");
    log_ << "epollcheck: matrix: host: " << CommandLine(cmd) << std::flush;
    const std::string program = cmd.front();
    cmd.erase(cmd.begin());
    ChildResult run;
    std::string why;
    try {
      run = RunChild(program, cmd, TargetTimeout(args_));
    } catch (const std::exception& e) {
      why = std::string("cannot start: ") + e.what();
    }
    const std::string output = run.out + run.err;
    KeepLog("host", output);
    if (why.empty())
      why = RunFailure(run);
    TargetResult r = ResultFrom("host", ReadFile(json), output, why);
    r.description = "the running kernel, no sandbox" +
                    (r.description.empty() ? "" : " (" + r.description + ")");
    std::error_code ec;
    fs::remove_all(work, ec);
    return r;
  }

  // Why a child's run gives no result: it timed out or was killed; "" if it
  // ended by itself (exit 1 is a run that found something).
  std::string RunFailure(const ChildResult& run) {
    if (run.timed_out)
      return "timed out after " + TimeoutText();
    if (run.signal != 0)
      return "killed by signal " + std::to_string(run.signal);
    if (run.exit_code != 0 && run.exit_code != 1)
      return "exit status " + std::to_string(run.exit_code);
    return "";
  }

  // The guest's own report of its command (the init's
  // `epollcheck-guest: command 1 exit S` line).
  static std::string GuestFailure(const std::string& log) {
    if (log.find("epollcheck-guest: done") == std::string::npos)
      return "the guest did not finish (no `epollcheck-guest: done`)";
    const size_t at = log.find("epollcheck-guest: command 1 exit ");
    if (at != std::string::npos) {
      const int status = std::atoi(log.c_str() + at + 34);
      if (status != 0 && status != 1)
        return "the runner ended with status " + std::to_string(status);
    }
    return "";
  }

  TargetResult Qemu(const std::string& target, const std::string& image,
                    const std::string& what) {
    const std::string qemu = FindProgram("qemu-system-x86_64");
    if (qemu.empty())
      return Skipped(target, "qemu-system-x86_64 not installed "
                             "(Debian package qemu-system-x86)");
    if (!plan_.why_no_static.empty())
      return Skipped(target, plan_.why_no_static);
    const std::string work = WorkDir(target);
    const std::string root = work + "/root";
    std::string error = PrepareRoot(root, plan_, args_);
    if (error.empty()) {
      std::ofstream(root + "/commands") << CommandLine(
          CheckCommand(args_, "$ROOT/epollcheck", "$ROOT", target, "kernel.tsv",
                       "/dev/ttyS1", "/tmp/out"));
    }
    std::vector<std::string> dirs;
    std::vector<std::pair<std::string, std::string>> files;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(root, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      const std::string inside = fs::relative(it->path(), root, ec).string();
      if (it->is_directory())
        dirs.push_back(inside);
      else
        files.emplace_back(inside, it->path().string());
    }
    const std::string archive =
        error.empty() ? NewcArchive(dirs, files, &error) : "";
    if (error.empty()) {
      std::ofstream out(work + "/initramfs.cpio", std::ios::binary);
      out << archive;
      if (!out)
        error = "cannot write " + work + "/initramfs.cpio";
    }
    if (!error.empty()) {
      TargetResult r;
      r.target = target;
      r.status = "error";
      r.reason = error;
      return r;
    }
    const bool kvm = UseKvm();
    const std::string smp = std::to_string(std::max(1, args_.jobs));
    const std::vector<std::string> cmd = {
        "-nodefaults", "-display",
        "none",        "-no-reboot",
        "-accel",      kvm ? "kvm" : "tcg",
        "-m",          "1024",
        "-smp",        smp,
        "-kernel",     image,
        "-initrd",     work + "/initramfs.cpio",
        "-append",     "console=ttyS0 quiet panic=-1 rdinit=/init",
        "-serial",     "file:" + work + "/console.log",
        "-serial",     "file:" + work + "/result.json"};
    log_ << "epollcheck: matrix: " << target << ": " << what << " under QEMU ("
         << (kvm ? "KVM" : "TCG") << "), timeout " << TimeoutText()
         << std::endl;
    ChildResult run;
    std::string why;
    try {
      run = RunChild(qemu, cmd, TargetTimeout(args_));
    } catch (const std::exception& e) {
      why = std::string("cannot start QEMU: ") + e.what();
    }
    std::string console = ReadFile(work + "/console.log");
    std::erase(console, '\r');
    KeepLog(target, console + run.out + run.err);
    if (why.empty()) {
      why = run.timed_out ? "the guest timed out after " + TimeoutText()
                          : GuestFailure(console);
    }
    TargetResult r = ResultFrom(target, ReadFile(work + "/result.json"),
                                console + run.err, why);
    r.description = what + " under QEMU (" + (kvm ? "KVM" : "TCG") + ")";
    fs::remove_all(work, ec);
    return r;
  }

  // UML and gVisor: the guest sees `root` as a directory of the host and
  // writes its result there.
  TargetResult Sandboxed(
      const std::string& target, const std::string& program,
      const std::function<std::vector<std::string>(const std::string& root)>&
          argv,
      const std::string& known, const std::string& what) {
    const std::string work = WorkDir(target);
    const std::string root = work + "/root";
    std::string error = PrepareRoot(root, plan_, args_);
    if (!error.empty()) {
      TargetResult r;
      r.target = target;
      r.status = "error";
      r.reason = error;
      return r;
    }
    std::ofstream(root + "/commands")
        << CommandLine(CheckCommand(args_, "$ROOT/epollcheck", "$ROOT", target,
                                    known, "$ROOT/result.json", "$ROOT/out"));
    log_ << "epollcheck: matrix: " << target << ": " << what << ", timeout "
         << TimeoutText() << std::endl;
    ChildResult run;
    std::string why;
    try {
      run = RunChild(program, argv(root), TargetTimeout(args_));
    } catch (const std::exception& e) {
      why = std::string("cannot start: ") + e.what();
    }
    std::string output = run.out + run.err;
    std::erase(output, '\r');
    KeepLog(target, output);
    if (why.empty()) {
      why = run.timed_out ? "timed out after " + TimeoutText()
                          : GuestFailure(output);
    }
    TargetResult r =
        ResultFrom(target, ReadFile(root + "/result.json"), output, why);
    r.description = what;
    std::error_code ec;
    fs::remove_all(work, ec);
    return r;
  }

  TargetResult Uml() {
    const std::string uml = FindProgram("linux.uml");
    if (uml.empty())
      return Skipped(
          "uml", "linux.uml not installed (Debian package user-mode-linux)");
    if (HostHasAmx()) {
      return Skipped("uml", "User-mode Linux dies at its first process on a "
                            "CPU with AMX (ptrace set fp regs: EFAULT)");
    }
    if (!plan_.why_no_static.empty())
      return Skipped("uml", plan_.why_no_static);
    return Sandboxed(
        "uml", uml,
        [](const std::string& root) -> std::vector<std::string> {
          return {"mem=1024M",
                  "root=/dev/root",
                  "rootfstype=hostfs",
                  "rootflags=" + root,
                  "rw",
                  "init=/init",
                  "con0=null,fd:1",
                  "con=null",
                  "quiet"};
        },
        "kernel.tsv", "User-mode Linux (linux.uml, hostfs root)");
  }

  TargetResult Gvisor() {
    const std::string runsc = FindProgram("runsc");
    if (runsc.empty())
      return Skipped("gvisor", "runsc not installed (Debian package runsc)");
    if (geteuid() != 0)
      return Skipped("gvisor", "runsc do needs root");
    if (!plan_.why_no_static.empty())
      return Skipped("gvisor", plan_.why_no_static);
    // -force-overlay=false: the sandbox writes its result into the work
    // directory (with the overlay, its writes stay inside).
    return Sandboxed(
        "gvisor", runsc,
        [](const std::string& root) -> std::vector<std::string> {
          return {"--network=none",       "--ignore-cgroups", "do",
                  "-force-overlay=false", root + "/init",     "--sandbox",
                  root + "/commands"};
        },
        "gvisor.tsv", "gVisor (runsc do, no network but loopback)");
  }

  const MatrixArgs& args_;
  std::string self_;
  Plan plan_;
};

// Writes matrix.md, matrix.json, junit.xml (and matrix.ktap) into `dir`,
// and the JSON to `json_path` if given; "" or what failed.
std::string WriteReports(const Matrix& matrix, const std::string& dir,
                         const std::string& json_path, bool ktap) {
  std::error_code ec;
  std::vector<std::pair<std::string, std::string>> files;
  if (!dir.empty()) {
    fs::create_directories(dir, ec);
    files = {{dir + "/matrix.md", RenderMarkdown(matrix)},
             {dir + "/matrix.json", ToJson(matrix)},
             {dir + "/junit.xml", RenderJUnit(matrix)}};
    if (ktap)
      files.emplace_back(dir + "/matrix.ktap", RenderKtap(matrix));
  }
  if (!json_path.empty()) {
    if (fs::path(json_path).has_parent_path())
      fs::create_directories(fs::path(json_path).parent_path(), ec);
    files.emplace_back(json_path, ToJson(matrix));
  }
  for (const auto& [path, text] : files) {
    std::ofstream out(path, std::ios::trunc);
    out << text;
    if (!out)
      return "cannot write " + path;
  }
  return "";
}

}  // namespace

bool ParseShard(std::string_view text, int* shard, int* shards) {
  const size_t slash = text.find('/');
  if (slash == std::string_view::npos)
    return false;
  int k = -1;
  int n = 0;
  const std::string_view a = text.substr(0, slash);
  const std::string_view b = text.substr(slash + 1);
  const auto ka = std::from_chars(a.data(), a.data() + a.size(), k);
  const auto nb = std::from_chars(b.data(), b.data() + b.size(), n);
  if (a.empty() || b.empty() || ka.ec != std::errc() ||
      ka.ptr != a.data() + a.size() || nb.ec != std::errc() ||
      nb.ptr != b.data() + b.size() || n < 1 || n > 1000000 || k < 0 || k >= n)
    return false;
  *shard = k;
  *shards = n;
  return true;
}

CorpusRun RunCorpus(const std::string& self, const std::string& dir,
                    const std::vector<std::string>& replay_args,
                    std::ostream& out, const KnownDivergences* known) {
  std::vector<std::string> files;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".scn")
      files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  CorpusRun run;
  for (const std::string& file : files) {
    std::vector<std::string> args = {"replay", file};
    args.insert(args.end(), replay_args.begin(), replay_args.end());
    const ChildResult r = RunChild(self, args, milliseconds(60000));
    const std::string name = fs::path(file).filename().string();
    // The signature replay printed for the first differing step.
    std::string signature;
    if (constexpr std::string_view kLine = "epollcheck: signature ";
        known != nullptr && !r.timed_out) {
      const size_t at = r.out.find(kLine);
      if (at != std::string::npos) {
        const size_t end = r.out.find('\n', at);
        signature =
            r.out.substr(at + kLine.size(), end == std::string::npos
                                                ? std::string::npos
                                                : end - at - kLine.size());
      }
    }
    if (!r.timed_out && r.exit_code == 0) {
      ++run.passed;
    } else if (!r.timed_out && r.exit_code == 77) {
      ++run.skipped;
    } else if (!signature.empty() && known->count(signature) != 0) {
      std::string entry = name;
      entry += ' ';
      entry += signature;
      run.known.push_back(std::move(entry));
      out << "epollcheck: corpus: " << name
          << " fails with a known difference: " << signature << " ("
          << known->at(signature).note << ")\n";
    } else {
      run.failed.push_back(name);
      out << "epollcheck: corpus: " << name
          << " fails: " << (r.timed_out ? "timed out" : Tail(r.out + r.err, 1))
          << '\n';
    }
  }
  out << "epollcheck: corpus " << dir << ": " << run.passed << " pass, "
      << run.failed.size() << " fail, " << run.known.size() << " known, "
      << run.skipped << " skipped" << std::endl;
  return run;
}

std::string NewestPackage(const std::vector<std::string>& names) {
  const auto older = [](const std::string& a, const std::string& b) {
    size_t i = 0;
    size_t j = 0;
    while (i < a.size() && j < b.size()) {
      if (std::isdigit(static_cast<unsigned char>(a[i])) &&
          std::isdigit(static_cast<unsigned char>(b[j]))) {
        size_t ei = i;
        size_t ej = j;
        while (ei < a.size() && std::isdigit(static_cast<unsigned char>(a[ei])))
          ++ei;
        while (ej < b.size() && std::isdigit(static_cast<unsigned char>(b[ej])))
          ++ej;
        const std::string da = a.substr(i, ei - i);
        const std::string db = b.substr(j, ej - j);
        const unsigned long long na = std::stoull(da);
        const unsigned long long nb = std::stoull(db);
        if (na != nb)
          return na < nb;
        i = ei;
        j = ej;
      } else {
        if (a[i] != b[j])
          return a[i] < b[j];
        ++i;
        ++j;
      }
    }
    return a.size() - i < b.size() - j;
  };
  const auto newest = std::max_element(names.begin(), names.end(), older);
  return newest == names.end() ? "" : *newest;
}

std::string
NewcArchive(const std::vector<std::string>& dirs,
            const std::vector<std::pair<std::string, std::string>>& files,
            std::string* error) {
  std::string archive;
  unsigned inode = 1;
  const auto entry = [&](const std::string& name, unsigned mode,
                         const std::string& data) {
    char header[111];
    std::snprintf(header, sizeof header,
                  "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
                  inode++, mode, 0u, 0u, 1u, 0u,
                  static_cast<unsigned>(data.size()), 0u, 0u, 0u, 0u,
                  static_cast<unsigned>(name.size() + 1), 0u);
    archive.append(header, 110);
    archive += name;
    archive += '\0';
    archive.append((4 - archive.size() % 4) % 4, '\0');
    archive += data;
    archive.append((4 - archive.size() % 4) % 4, '\0');
  };
  for (const std::string& d : dirs)
    entry(d, S_IFDIR | 0755, "");
  for (const auto& [name, host] : files) {
    bool ok = false;
    const std::string data = ReadFile(host, &ok);
    if (!ok) {
      *error = "cannot read " + host;
      return "";
    }
    struct stat st {};
    const unsigned perm =
        stat(host.c_str(), &st) == 0 ? (st.st_mode & 0777) : 0644;
    entry(name, S_IFREG | perm, data);
  }
  entry("TRAILER!!!", 0, "");
  return archive;
}

int MatrixCommand(const std::vector<std::string_view>& args,
                  const std::string& self) {
  const MatrixArgs parsed = ParseMatrix(args);
  MatrixRun run(parsed, self);
  std::vector<TargetResult> results;
  for (const std::string& target : parsed.targets) {
    TargetResult r = run.Run(target);
    std::cerr << "epollcheck: matrix: " << r.target << ": " << r.status
              << (r.reason.empty() ? "" : " (" + r.reason + ")")
              << (r.status == "skipped" ? "" : ", " + Seconds(r.wall_seconds))
              << std::endl;
    results.push_back(std::move(r));
  }
  const Matrix matrix = MergeResults(results);
  std::error_code ec;
  fs::remove(parsed.out_dir + "/work", ec);  // each target's is gone already
  const std::string error =
      WriteReports(matrix, parsed.out_dir, parsed.json_path, parsed.ktap);
  std::cout << (parsed.ktap ? RenderKtap(matrix) : RenderTable(matrix))
            << std::flush;
  if (!error.empty()) {
    std::cerr << "epollcheck: " << error << '\n';
    return 2;
  }
  if (!parsed.ktap) {
    std::cout << "epollcheck: reports in " << parsed.out_dir
              << "/ (matrix.md, matrix.json, junit.xml)" << std::endl;
  }
  return MatrixExitStatus(matrix);
}

int ReportCommand(const std::vector<std::string_view>& args) {
  std::vector<std::string> inputs;
  std::string out_dir;
  std::string json_path;
  bool ktap = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string_view flag = args[i];
    const auto value = [&]() -> std::string {
      if (i + 1 >= args.size())
        UsageError(std::string(flag) + " needs a value");
      return std::string(args[++i]);
    };
    if (flag == "--out") {
      out_dir = value();
    } else if (flag == "--json") {
      json_path = value();
    } else if (flag == "--format") {
      const std::string format = value();
      if (format != "table" && format != "ktap")
        UsageError("--format: '" + format + "' is not table or ktap");
      ktap = format == "ktap";
    } else if (!flag.empty() && flag[0] == '-') {
      UsageError("unknown argument '" + std::string(flag) + "'");
    } else {
      inputs.emplace_back(flag);
    }
  }
  if (inputs.empty())
    UsageError("report needs result files (matrix or check --json)");
  std::vector<TargetResult> results;
  for (const std::string& path : inputs) {
    bool ok = false;
    const std::string text = ReadFile(path, &ok);
    if (!ok || !fs::is_regular_file(path)) {
      std::cerr << "epollcheck: " << path << ": cannot read\n";
      return 2;
    }
    std::string error;
    std::optional<Matrix> m = MatrixFromJson(text, &error);
    if (!m) {
      std::cerr << "epollcheck: " << path << ": " << error << '\n';
      return 2;
    }
    results.insert(results.end(), m->targets.begin(), m->targets.end());
  }
  Matrix matrix = MergeResults(results);
  for (TargetResult& r : matrix.targets) {
    if (r.status != "skipped" && r.status != "error")
      r.status = DecideStatus(r);
  }
  const std::string error = WriteReports(matrix, out_dir, json_path, ktap);
  std::cout << (ktap ? RenderKtap(matrix) : RenderTable(matrix)) << std::flush;
  if (!error.empty()) {
    std::cerr << "epollcheck: " << error << '\n';
    return 2;
  }
  return MatrixExitStatus(matrix);
}

}  // namespace epollcheck
