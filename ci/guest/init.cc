// epollcheck-init: PID 1 of a test guest (a QEMU or User-mode Linux kernel
// booted with nothing else). It mounts proc, devtmpfs, sysfs and a tmpfs on
// /tmp, brings the loopback interface up, runs the commands of a command
// file one after the other with their output on the console, reports each
// exit status, and powers the machine off. It also sets
// fs.epoll.max_user_watches to 16, and EPOLLCHECK_OWNS_KERNEL=1 for the
// commands (sut/kernel: the executor then takes a uid of its own).
//
//   linux.uml ... init=/path/epollcheck-init -- /path/commands
//   qemu ... -initrd guest.cpio.gz -append "console=ttyS0 rdinit=/init"
//
// The command file (argument 1, default /commands) has one command per line,
// its words separated by blanks (no quoting; `#` starts a comment line);
// `$ROOT` at the start of a word is the command file's directory, so one
// file serves a guest whose root it is and a sandbox that sees it elsewhere:
//
//   $ROOT/epollcheck check --sut kernel --sequences 2000 --seed 1
//
// Output, besides the commands' own, is one line per command and one at the
// end, which ci/guest/boot.sh and a matrix runner parse:
//
//   epollcheck-guest: command 1 exit 0 (41.2 s)
//   epollcheck-guest: done
//
// Outside PID 1, or with `--sandbox` first (gVisor's `runsc do` makes it PID
// 1 of a sandbox that has /proc and /dev already), it only runs the
// commands: no mounts, no power-off.
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

// fs.epoll.max_user_watches in a guest: a sequence's items reach it in about
// 1.5% of generated sequences (measured on scratch with the same limit).
constexpr int kGuestMaxUserWatches = 16;

void Say(const std::string& line) {
  std::printf("epollcheck-guest: %s\n", line.c_str());
  std::fflush(stdout);
}

void MountOne(const char* source, const char* target, const char* type) {
  mkdir(target, 0755);
  if (mount(source, target, type, 0, nullptr) != 0 && errno != EBUSY)
    Say(std::string("mount ") + target + ": " + std::strerror(errno));
}

// ioctl(SIOCSIFFLAGS) IFF_UP on lo: the kernel gives it 127.0.0.1/8.
void LoopbackUp() {
  const int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s < 0) {
    Say(std::string("no AF_INET socket: ") + std::strerror(errno));
    return;
  }
  ifreq req{};
  std::strncpy(req.ifr_name, "lo", IFNAMSIZ - 1);
  if (ioctl(s, SIOCGIFFLAGS, &req) == 0) {
    req.ifr_flags = static_cast<short>(req.ifr_flags | IFF_UP);
    if (ioctl(s, SIOCSIFFLAGS, &req) != 0)
      Say(std::string("lo up: ") + std::strerror(errno));
  } else {
    Say(std::string("lo: ") + std::strerror(errno));
  }
  close(s);
}

// The directory of `path` without a trailing slash ("" for the root).
std::string DirectoryOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

std::vector<std::vector<std::string>> ReadCommands(const char* path) {
  const std::string root = DirectoryOf(path);
  std::vector<std::vector<std::string>> commands;
  std::ifstream in(path);
  if (!in) {
    Say(std::string("cannot read ") + path);
    return commands;
  }
  for (std::string line; std::getline(in, line);) {
    std::istringstream words(line);
    std::vector<std::string> argv;
    for (std::string w; words >> w;) {
      if (w.rfind("$ROOT", 0) == 0)
        w.replace(0, 5, root);
      argv.push_back(w);
    }
    if (!argv.empty() && argv[0][0] != '#')
      commands.push_back(argv);
  }
  return commands;
}

// Runs one command to its end (reaping any orphan that exits meanwhile, as
// PID 1 must); its exit status, or 128 + signal.
int Run(const std::vector<std::string>& command) {
  std::vector<char*> argv;
  for (const std::string& w : command)
    argv.push_back(const_cast<char*>(w.c_str()));
  argv.push_back(nullptr);
  const pid_t child = fork();
  if (child < 0)
    return 127;
  if (child == 0) {
    execv(argv[0], argv.data());
    std::fprintf(stderr, "epollcheck-guest: exec %s: %s\n", argv[0],
                 std::strerror(errno));
    _exit(127);
  }
  for (;;) {
    int status = 0;
    const pid_t done = waitpid(-1, &status, 0);
    if (done < 0 && errno == EINTR)
      continue;
    if (done < 0)
      return 127;
    if (done != child)
      continue;
    if (WIFEXITED(status))
      return WEXITSTATUS(status);
    return 128 + WTERMSIG(status);
  }
}

}  // namespace

int main(int argc, char** argv) {
  // `--sandbox`: PID 1 of a sandbox that has its own /proc and /dev and no
  // machine to power off (gVisor's `runsc do`): run the commands only.
  const bool sandbox = argc > 1 && std::strcmp(argv[1], "--sandbox") == 0;
  if (sandbox) {
    --argc;
    ++argv;
  }
  const bool pid1 = getpid() == 1 && !sandbox;
  // Read first: the tmpfs mounted on /tmp below may hide the file.
  const auto commands = ReadCommands(argc > 1 ? argv[1] : "/commands");
  if (pid1) {
    MountOne("proc", "/proc", "proc");
    MountOne("devtmpfs", "/dev", "devtmpfs");
    MountOne("sysfs", "/sys", "sysfs");
    MountOne("tmpfs", "/tmp", "tmpfs");
    LoopbackUp();
    // The suite owns this kernel: fs.epoll.max_user_watches comes within a
    // sequence's reach (ENOSPC, checklist B17). The kernel SUT's executor
    // then runs under a real uid of its own (EPOLLCHECK_OWNS_KERNEL), so
    // only its sequence's items count; the harness uses no epoll (Asio's
    // select reactor, CMakeLists.txt).
    if (std::ofstream limit("/proc/sys/fs/epoll/max_user_watches");
        !(limit << kGuestMaxUserWatches << '\n'))
      Say("cannot set fs.epoll.max_user_watches");
    setenv("EPOLLCHECK_OWNS_KERNEL", "1", 1);
    // The console is stdio for the commands.
    const int console = open("/dev/console", O_RDWR | O_NOCTTY);
    if (console >= 0) {
      dup2(console, 0);
      dup2(console, 1);
      dup2(console, 2);
      if (console > 2)
        close(console);
    }
    (void)chdir("/tmp");
  }
  int index = 0;
  for (const auto& command : commands) {
    ++index;
    const auto start = std::chrono::steady_clock::now();
    const int status = Run(command);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count();
    char line[128];
    std::snprintf(line, sizeof line, "command %d exit %d (%.1f s)", index,
                  status, seconds);
    Say(line);
  }
  Say("done");
  if (!pid1)
    return 0;
  sync();
  reboot(RB_POWER_OFF);
  // Refused (no CAP_SYS_BOOT): end PID 1; the kernel then panics, and
  // panic=-1 with -no-reboot ends QEMU.
  return 0;
}
