#include "scenario/repro.h"

#include <algorithm>
#include <climits>
#include <map>
#include <set>
#include <sstream>

#include "model/abi.h"
#include "model/step.h"

namespace epollcheck {
namespace {

std::string CString(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\')
      out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string HandleVar(const std::string& handle) {
  std::string v = "h_";
  for (char c : handle)
    v += c == '.' ? '_' : c;
  return v;
}

// What the program's fixed part is sized from: the scenario's operands.
struct Layout {
  int out_fd = 900;          // our stdout: no number the scenario names
  uint64_t io_bytes = 1;     // the largest read/write count
  uint64_t wait_events = 1;  // the largest maxevents the kernel accepts
  uint64_t got_bytes = 0;    // room to format any result
};

// The program's fixed part: output helpers whose names and spellings come
// from the model's own printing tables, so the C program prints results
// exactly as epollcheck does.
std::string Prelude(const Layout& layout) {
  std::ostringstream os;
  os << R"(#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <linux/capability.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <sys/prctl.h>
#include <linux/futex.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <time.h>

)";
  os << "#define OUT_FD " << layout.out_fd
     << " /* our stdout: a number the scenario never names */\n"
     << "#define IO_BYTES " << layout.io_bytes
     << "ull /* the largest read/write count */\n"
     << "#define WAIT_EVENTS " << layout.wait_events
     << "ull /* the largest valid maxevents */\n"
     << "#define GOT_SIZE " << layout.got_bytes
     << "ull /* room to format any result */\n";
  os << R"(#define HELPER static __attribute__((unused))
static int failures, fdinfo_unchecked;
static char *io_buf, *rd_buf, *got; /* io_buf: writes, 'x'-filled */
static struct epoll_event *events;

HELPER const char *errno_name(int e) {
  static char buf[16];
  switch (e) {
)";
  for (int e = 1; e < 200; ++e) {
    const std::string name = ErrnoName(e);
    if (name != "E" + std::to_string(e))
      os << "  case " << e << ": return \"" << name << "\";\n";
  }
  os << R"(  }
  snprintf(buf, sizeof buf, "E%d", e);
  return buf;
}

HELPER void mask_string(uint32_t mask, char *out, size_t n) {
  static const struct { uint32_t bit; const char *name; } bits[] = {
)";
  for (int b = 0; b < 32; ++b) {
    const std::string name = EventMaskString(1u << b);
    if (name.rfind("0x", 0) != 0)
      os << "    {0x" << std::hex << (1u << b) << std::dec << "u, \"" << name
         << "\"},\n";
  }
  os << R"(  };
  size_t len = 0;
  out[0] = 0;
  if (mask == 0) { snprintf(out, n, "0"); return; }
  for (size_t i = 0; i < sizeof bits / sizeof bits[0]; i++) {
    if (!(mask & bits[i].bit)) continue;
    len += snprintf(out + len, n - len, "%s%s", len ? "|" : "", bits[i].name);
    mask &= ~bits[i].bit;
  }
  if (mask) snprintf(out + len, n - len, "%s0x%x", len ? "|" : "", mask);
}

/* Formats a result the way epollcheck prints an Outcome. */
HELPER void fmt_ret(char *out, size_t n, long r, int e) {
  if (r < 0) snprintf(out, n, "-1 %s", errno_name(e));
  else snprintf(out, n, "%ld", r);
}

HELPER void check(int step, const char *call, const char *want, const char *got) {
  if (strcmp(want, got) == 0) {
    dprintf(OUT_FD, "%4d  %s  -> %s  ok\n", step, call, got);
  } else {
    dprintf(OUT_FD, "%4d  %s  MISMATCH: expected %s got %s\n", step, call, want, got);
    failures++;
  }
}

HELPER void fmt_wait_at(char *out, size_t n, long r, int e,
                        const struct epoll_event *events) {
  fmt_ret(out, n, r, e);
  if (r <= 0) return;
  size_t len = strlen(out);
  len += snprintf(out + len, n - len, " [");
  for (long i = 0; i < r && len < n; i++) {
    char m[256];
    mask_string(events[i].events, m, sizeof m);
    len += snprintf(out + len, n - len, "%s{%s, 0x%llx}", i ? ", " : "", m,
                    (unsigned long long)events[i].data.u64);
  }
  if (len < n) snprintf(out + len, n - len, "]");
}

HELPER void fmt_wait(char *out, size_t n, long r, int e) {
  fmt_wait_at(out, n, r, e, events);
}

HELPER void fmt_value(char *out, size_t n, long r, int e,
                      unsigned long long v) {
  fmt_ret(out, n, r, e);
  if (r < 0) return;
  size_t len = strlen(out);
  if (v <= 0xffffffffull) snprintf(out + len, n - len, " value=%llu", v);
  else snprintf(out + len, n - len, " value=0x%llx", v);
}

/* poll's result: the count, then {revents, index} of the listed entries. */
HELPER void fmt_poll(char *out, size_t n, long r, int e,
                     const struct pollfd *pfd, int listed) {
  fmt_ret(out, n, r, e);
  if (r < 0 || listed <= 0) return;
  size_t len = strlen(out);
  len += snprintf(out + len, n - len, " [");
  for (int i = 0; i < listed && len < n; i++) {
    char m[256];
    mask_string((uint16_t)pfd[i].revents, m, sizeof m);
    len += snprintf(out + len, n - len, "%s{%s, 0x%x}", i ? ", " : "", m, i);
  }
  if (len < n) snprintf(out + len, n - len, "]");
}

/* select's result: the count, then the three sets' first words. */
HELPER void fmt_sets(char *out, size_t n, long r, int e,
                     const uint64_t *in, const uint64_t *o,
                     const uint64_t *ex) {
  fmt_ret(out, n, r, e);
  if (r < 0) return;
  size_t len = strlen(out);
  snprintf(out + len, n - len, " sets=[0x%llx,0x%llx,0x%llx]",
           (unsigned long long)in[0], (unsigned long long)o[0],
           (unsigned long long)ex[0]);
}

/* Abstract AF_UNIX name `name` of this run (AF_UNSPEC if negative). */
HELPER socklen_t unix_addr(int name, struct sockaddr_un *a) {
  memset(a, 0, sizeof *a);
  if (name < 0) {
    a->sun_family = AF_UNSPEC;
    return sizeof(sa_family_t);
  }
  a->sun_family = AF_UNIX;
  int n = snprintf(a->sun_path + 1, sizeof a->sun_path - 1,
                   "epollcheck-repro.%d.%d", (int)getpid(), name);
  return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
}

/* AF_INET names of this run: the port of 127.0.0.1 each name's first
 * successful bind got, per protocol (index 1: TCP). */
static in_port_t inet_port[2][256];
static int inet_named[2][256];

/* The address `name` stands for on the socket at `fd`: on an AF_INET socket
 * 127.0.0.1 and the name's port (0 before its first bind; AF_UNSPEC if
 * negative), else the abstract AF_UNIX name. */
HELPER socklen_t name_addr(int fd, int name, struct sockaddr_storage *ss) {
  int domain = -1, type = -1;
  socklen_t l = sizeof domain;
  memset(ss, 0, sizeof *ss);
  if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &l) != 0 ||
      domain != AF_INET)
    return unix_addr(name, (struct sockaddr_un *)ss);
  l = sizeof type;
  getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &l);
  struct sockaddr_in *in = (struct sockaddr_in *)ss;
  if (name < 0) {
    in->sin_family = AF_UNSPEC;
    return sizeof *in;
  }
  in->sin_family = AF_INET;
  in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (name < 256 && inet_named[type == SOCK_STREAM][name])
    in->sin_port = inet_port[type == SOCK_STREAM][name];
  return sizeof *in;
}

/* After a successful bind: the name now stands for the port it got. */
HELPER void name_bound(int fd, int name) {
  struct sockaddr_in in;
  socklen_t l = sizeof in;
  int type = -1;
  socklen_t tl = sizeof type;
  if (name < 0 || name >= 256 || getsockname(fd, (struct sockaddr *)&in, &l) ||
      in.sin_family != AF_INET)
    return;
  getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tl);
  if (!inet_named[type == SOCK_STREAM][name]) {
    inet_named[type == SOCK_STREAM][name] = 1;
    inet_port[type == SOCK_STREAM][name] = in.sin_port;
  }
}

/* socket(AF_INET, type, 0), with TCP_NODELAY on a TCP socket. */
HELPER int inet_socket(int type) {
  int fd = socket(AF_INET, type, 0), one = 1;
  if (fd >= 0 && (type & 0xf) == SOCK_STREAM)
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

/* Lets loopback TCP settle after a step (as epollcheck's kernel SUT does):
 * waits up to 2 s while a TCP socket is in SYN_RECV, FIN_WAIT1, CLOSING or
 * LAST_ACK (a delayed ACK still to come). */
HELPER void settle(void) {
  for (int i = 0; i < 2000; i++) {
    int busy = 0;
    for (int fd = 0; fd < 256 && !busy; fd++) {
      struct tcp_info ti;
      socklen_t l = sizeof ti;
      if (fd == OUT_FD || getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &l))
        continue;
      busy = ti.tcpi_state == TCP_SYN_RECV ||
             ti.tcpi_state == TCP_FIN_WAIT1 || ti.tcpi_state == TCP_CLOSING ||
             ti.tcpi_state == TCP_LAST_ACK;
    }
    if (!busy)
      return;
    struct timespec ms = {0, 1000000};
    nanosleep(&ms, NULL);
  }
}

/* Address space for `n` bytes, committed only where the kernel writes. */
HELPER void *scratch(unsigned long long n) {
  void *p = mmap(NULL, n ? n : 1, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) {
    dprintf(OUT_FD, "cannot map %llu bytes: %s\nverdict: MISMATCH\n", n,
            strerror(errno));
    exit(1);
  }
  return p;
}

/* Bad user buffers (epollcheck's `buf=` operands): a read-write page, a
 * PROT_NONE page after it, then a read-only page. ubuf() returns the
 * pointer a kind stands for (0 good: `good`; 1 NULL; 2 the PROT_NONE page;
 * 3 the read-only page; 4 a kernel address; 0x100 + n: n whole elements of
 * `elem` bytes and 4 more bytes before the PROT_NONE page) and puts `len`
 * bytes of `contents` there, as far as they are mapped. */
static char *ubuf_pages;
HELPER void *ubuf(unsigned kind, size_t elem, void *good, const void *contents,
                  size_t len) {
  if (!ubuf_pages) {
    ubuf_pages = scratch(3 * 4096);
    mprotect(ubuf_pages + 4096, 4096, PROT_NONE);
    mprotect(ubuf_pages + 8192, 4096, PROT_READ);
  }
  switch (kind) {
  case 0: return good;
  case 1: return NULL;
  case 2: return ubuf_pages + 4096;
  case 3:
    if (contents) {
      mprotect(ubuf_pages + 8192, 4096, PROT_READ | PROT_WRITE);
      memcpy(ubuf_pages + 8192, contents, len);
      mprotect(ubuf_pages + 8192, 4096, PROT_READ);
    }
    return ubuf_pages + 8192;
  case 4: return (void *)0xffff880000000000ull;
  }
  size_t mapped = (kind - 0x100) * elem + 4;
  char *at = ubuf_pages + 4096 - mapped;
  if (contents) memcpy(at, contents, len < mapped ? len : mapped);
  return at;
}

/* open_file(kind, flags): the run's private directory holds one regular
 * file "f", empty at first, and one FIFO "p" (0 the file O_RDWR, 1 the
 * directory, 2 /dev/null, 3 the file O_PATH, 4/5/6 the FIFO O_RDONLY/
 * O_WRONLY/O_RDWR); all go when the program exits. */
static char seq_dir[64];
HELPER void seq_dir_remove(void) {
  char f[80];
  snprintf(f, sizeof f, "%s/f", seq_dir);
  unlink(f);
  snprintf(f, sizeof f, "%s/p", seq_dir);
  unlink(f);
  rmdir(seq_dir);
}
HELPER int open_file(int kind, int flags) {
  char f[80];
  flags &= O_NONBLOCK | O_CLOEXEC;
  if (kind == 2) return open("/dev/null", O_RDWR | flags);
  if (!seq_dir[0]) {
    const char *tmp = getenv("TMPDIR");
    snprintf(seq_dir, sizeof seq_dir, "%s/epollcheck-repro.XXXXXX",
             tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(seq_dir)) { seq_dir[0] = 0; return -1; }
    atexit(seq_dir_remove);
    snprintf(f, sizeof f, "%s/f", seq_dir);
    int made = open(f, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (made < 0) return -1;
    close(made);
    snprintf(f, sizeof f, "%s/p", seq_dir);
    if (mkfifo(f, 0600) < 0) return -1;
  }
  snprintf(f, sizeof f, "%s/%s", seq_dir, kind >= 4 ? "p" : "f");
  if (kind == 0) return open(f, O_RDWR | flags);
  if (kind == 1) return open(seq_dir, O_RDONLY | O_DIRECTORY | flags);
  if (kind == 4) return open(f, O_RDONLY | flags);
  if (kind == 5) return open(f, O_WRONLY | flags);
  if (kind == 6) return open(f, O_RDWR | flags);
  return open(f, O_PATH | flags);
}

/* timerfd_settime(fd, flags, {0, it_value}) with it_value 0 (expire 0),
 * 1 ns or the epoch's first ns with TFD_TIMER_ABSTIME (1: expires at once;
 * then wait, 10 s at most, until it has), 2^33 s (2), or tv_nsec out of
 * range (3). */
HELPER int timer_set(int fd, int flags, int expire) {
  struct itimerspec v;
  memset(&v, 0, sizeof v);
  if (expire == 1) v.it_value.tv_nsec = 1;
  if (expire == 2) v.it_value.tv_sec = (time_t)1 << 33;
  if (expire == 3) v.it_value.tv_nsec = 1000000000;
  int r = timerfd_settime(fd, flags, &v, NULL);
  if (r == 0 && expire == 1) {
    int e = errno;
    struct pollfd p = {fd, POLLIN, 0};
    while (poll(&p, 1, 10000) < 0 && errno == EINTR) {}
    errno = e;
  }
  return r;
}

/* The signals a scenario may raise (tgkill, SIGPIPE from an EPIPE): main()
 * blocks them, so they stay pending (model/ops.h kBlockedSignals); ppoll,
 * pselect6 and epoll_pwait(2) keep them blocked. */
#define SEQ_SIGNALS ((1ull << (SIGUSR1 - 1)) | (1ull << (SIGUSR2 - 1)) | \
                     (1ull << (SIGPIPE - 1)) | (1ull << (40 - 1)))

/* read(fd, rd_buf, count) and the signals a signalfd read took: the
 * ssi_signo of each 128-byte record, one byte each (8 at most), if the first
 * is a signal number (no other file makes such a record). */
HELPER void signalfd_read(char *out, size_t n, int fd, unsigned count) {
  long r = read(fd, rd_buf, count);
  int e = errno;
  unsigned first = 0;
  if (r >= 128) memcpy(&first, rd_buf, 4);
  if (first == 0 || first > 64) {
    fmt_ret(out, n, r, e);
    return;
  }
  unsigned long long v = 0;
  for (long i = 0; i < r / 128 && i < 8; i++) {
    unsigned s;
    memcpy(&s, rd_buf + 128 * i, 4);
    v |= (unsigned long long)(s & 0xff) << (8 * i);
  }
  fmt_value(out, n, r, e, v);
}

/* setrlimit_nofile(soft): RLIMIT_NOFILE's soft limit for the rest of the
 * run. The program's own descriptors (list_fds's directory, fdinfo files)
 * are opened with its own limit back in force (nofile_own / nofile_seq), as
 * epollcheck's harness keeps them out of the sequence's limit. */
static struct rlimit own_nofile;
static int seq_nofile_set;
static rlim_t seq_nofile;
HELPER long set_nofile(long long soft) {
  struct rlimit l;
  if (getrlimit(RLIMIT_NOFILE, &l) != 0) return -1;
  if (!seq_nofile_set) own_nofile = l;
  l.rlim_cur = (rlim_t)soft;
  if (setrlimit(RLIMIT_NOFILE, &l) != 0) return -1;
  seq_nofile_set = 1;
  seq_nofile = l.rlim_cur;
  return 0;
}
HELPER void nofile_own(void) {
  if (seq_nofile_set) setrlimit(RLIMIT_NOFILE, &own_nofile);
}
HELPER void nofile_seq(void) {
  if (seq_nofile_set) {
    struct rlimit l = own_nofile;
    l.rlim_cur = seq_nofile;
    setrlimit(RLIMIT_NOFILE, &l);
  }
}

/* Children (fork, child_close, child_exit, reap, pidfd_open): clone3 with
 * CLONE_PIDFD and exit_signal 0 (no SIGCHLD, no autoreap); a child keeps
 * the descriptors of a set (bits 0..63), closes the rest, and takes
 * commands (close one, exit) through a shared page, never a descriptor.
 * A pidfd operand names its child by the pid its fdinfo shows. Every child
 * is killed and reaped before the program ends (end_kids). */
struct kid_ctl { unsigned cmd_seq, done_seq; int cmd, arg, result; };
static struct { long pid; struct kid_ctl *ctl; } kids[256];
static int n_kids;
HELPER void kid_await(struct kid_ctl *c, unsigned want) {
  struct timespec slice = {1, 0};
  for (int i = 0; i < 10; i++) {
    unsigned now = __atomic_load_n(&c->done_seq, __ATOMIC_ACQUIRE);
    if (now == want) return;
    syscall(SYS_futex, &c->done_seq, FUTEX_WAIT, now, &slice, NULL, 0);
  }
}
HELPER int fork_kid(unsigned long long keep) {
  struct kid_ctl *c = mmap(NULL, sizeof *c, PROT_READ | PROT_WRITE,
                           MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (c == MAP_FAILED) return -1;
  int pidfd = -1;
  /* struct clone_args: flags CLONE_PIDFD, pidfd, child_tid, parent_tid,
   * exit_signal 0, stack, stack_size, tls */
  unsigned long long args[8] = {0x1000, (unsigned long long)(uintptr_t)&pidfd,
                                0, 0, 0, 0, 0, 0};
  long pid = syscall(SYS_clone3, args, sizeof args);
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    for (int fd = 0; fd < 64; fd++)
      if (!((keep >> fd) & 1)) close(fd);
    syscall(SYS_close_range, 64u, ~0u, 0u);
    unsigned seen = 0;
    __atomic_store_n(&c->done_seq, 1, __ATOMIC_RELEASE);
    syscall(SYS_futex, &c->done_seq, FUTEX_WAKE, 1, NULL, NULL, 0);
    for (;;) {
      unsigned seq = __atomic_load_n(&c->cmd_seq, __ATOMIC_ACQUIRE);
      if (seq == seen) {
        syscall(SYS_futex, &c->cmd_seq, FUTEX_WAIT, seen, NULL, NULL, 0);
        continue;
      }
      seen = seq;
      if (c->cmd == 2) syscall(SYS_exit_group, 0);
      c->result = close(c->arg) < 0 ? -errno : 0;
      __atomic_store_n(&c->done_seq, seq + 1, __ATOMIC_RELEASE);
      syscall(SYS_futex, &c->done_seq, FUTEX_WAKE, 1, NULL, NULL, 0);
    }
  }
  if (pid < 0) {
    int e = errno;
    munmap(c, sizeof *c);
    errno = e;
    return -1;
  }
  kids[n_kids].pid = pid;
  kids[n_kids++].ctl = c;
  kid_await(c, 1);
  return pidfd;
}
/* The pid /proc/self/fdinfo/<pidfd> shows (-1 once reaped), or -2 if the
 * descriptor is not open or not a pidfd. */
HELPER long pid_of(int pidfd) {
  char path[64], text[4096];
  if (pidfd < 0) return -2;
  snprintf(path, sizeof path, "/proc/self/fdinfo/%d", pidfd);
  nofile_own();
  int f = open(path, O_RDONLY | O_CLOEXEC);
  nofile_seq();
  if (f < 0) return -2;
  ssize_t n = read(f, text, sizeof text - 1);
  close(f);
  if (n < 0) return -2;
  text[n] = 0;
  char *at = strstr(text, "\nPid:\t");
  return at ? atol(at + 6) : -2;
}
HELPER int kid_exited(long pid) {
  siginfo_t info;
  memset(&info, 0, sizeof info);
  return waitid(P_PID, (id_t)pid, &info, WEXITED | WNOHANG | WNOWAIT | __WALL) == 0 &&
         info.si_pid != 0;
}
/* A command to the child of `pidfd`: cmd 1 closes `arg`, cmd 2 exits (and
 * waits until it is a zombie). Not a pidfd: EBADF; exited: ESRCH. */
HELPER int kid_cmd(int pidfd, int cmd, int arg) {
  long pid = pid_of(pidfd);
  if (pid == -2) { errno = EBADF; return -1; }
  struct kid_ctl *c = NULL;
  for (int i = 0; i < n_kids; i++)
    if (kids[i].pid == pid && pid > 0) c = kids[i].ctl;
  if (!c || kid_exited(pid)) { errno = ESRCH; return -1; }
  c->cmd = cmd;
  c->arg = arg;
  unsigned seq = c->cmd_seq + 1;
  __atomic_store_n(&c->cmd_seq, seq, __ATOMIC_RELEASE);
  syscall(SYS_futex, &c->cmd_seq, FUTEX_WAKE, 1, NULL, NULL, 0);
  if (cmd == 2) {
    siginfo_t info;
    while (waitid(P_PID, (id_t)pid, &info, WEXITED | WNOWAIT | __WALL) != 0 &&
           errno == EINTR) {}
    return 0;
  }
  kid_await(c, seq + 1);
  if (c->result < 0) { errno = -c->result; return -1; }
  return 0;
}
/* waitid(P_PIDFD, pidfd, WEXITED|WNOHANG|__WALL): 1 if it reaped, else 0. */
HELPER int reap(int pidfd) {
  siginfo_t info;
  memset(&info, 0, sizeof info);
  if (waitid((idtype_t)3, (id_t)pidfd, &info, WEXITED | WNOHANG | __WALL) != 0)
    return -1;
  if (info.si_pid == 0) return 0;
  for (int i = 0; i < n_kids; i++)
    if (kids[i].pid == info.si_pid) kids[i].pid = 0;
  return 1;
}
HELPER int pidfd_open_of(int pidfd, unsigned flags) {
  long pid = pid_of(pidfd);
  if (pid == -2) { errno = EBADF; return -1; }
  return (int)syscall(SYS_pidfd_open, (int)pid, flags);
}
HELPER void end_kids(void) {
  for (int i = 0; i < n_kids; i++) {
    if (kids[i].pid <= 0) continue;
    kill((pid_t)kids[i].pid, SIGKILL);
    siginfo_t info;
    while (waitid(P_PID, (id_t)kids[i].pid, &info, WEXITED | __WALL) != 0 &&
           errno == EINTR) {}
  }
}

/* The sequence runs without CAP_NET_ADMIN (capabilities are per thread;
 * epollcheck's executor thread drops it too): EPIOCSPARAMS's EPERM. */
HELPER void drop_net_admin(void) {
  struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];
  memset(d, 0, sizeof d);
  if (syscall(SYS_capget, &h, d) != 0) return;
  d[CAP_NET_ADMIN / 32].effective &= ~(1u << (CAP_NET_ADMIN % 32));
  syscall(SYS_capset, &h, d);
}

HELPER int cmp_int(const void *a, const void *b) {
  return *(const int *)a - *(const int *)b;
}

HELPER void fmt_list_fds(char *out, size_t n) {
  int fds[1024], count = 0;
  nofile_own();
  DIR *d = opendir("/proc/self/fd");
  nofile_seq();
  if (!d) { fmt_ret(out, n, -1, errno); return; }
  struct dirent *de;
  while ((de = readdir(d)) && count < 1024) {
    if (de->d_name[0] == '.') continue;
    int fd = atoi(de->d_name);
    if (fd != dirfd(d) && fd != OUT_FD) fds[count++] = fd;
  }
  closedir(d);
  qsort(fds, count, sizeof fds[0], cmp_int);
  size_t len = snprintf(out, n, "%d", count);
  if (count) {
    len += snprintf(out + len, n - len, " fds=[");
    for (int i = 0; i < count && len < n; i++)
      len += snprintf(out + len, n - len, "%s%d", i ? "," : "", fds[i]);
    if (len < n) snprintf(out + len, n - len, "]");
  }
}

/* One expected item of an interest set: ino_fd < 0 is not checked. */
struct fdinfo_item {
  int tfd;
  unsigned events;
  unsigned long long data;
  int ino_fd;
};

/* Checks the interest set of the epoll instance at `epfd`, as
 * /proc/self/fdinfo/<epfd> shows it (one `tfd:` line per item, in any
 * order), against `want`: the descriptor number each item was added with,
 * its stored mask and data, and the inode of the watched file, which must
 * be the inode of the file at ino_fd. Without /proc it says so. */
HELPER void check_fdinfo(const char *line, int epfd,
                         const struct fdinfo_item *want, int n) {
  static char text[1 << 20];
  static struct {
    int tfd, used;
    unsigned events, sdev;
    unsigned long long data;
    unsigned long ino;
  } shown[4096];
  char path[64];
  snprintf(path, sizeof path, "/proc/self/fdinfo/%d", epfd);
  nofile_own();
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  nofile_seq();
  if (fd < 0) {
    dprintf(OUT_FD, "      %s  UNCHECKED: %s: %s\n", line, path,
            strerror(errno));
    fdinfo_unchecked++;
    return;
  }
  size_t len = 0;
  ssize_t got_n;
  while (len + 1 < sizeof text &&
         (got_n = read(fd, text + len, sizeof text - 1 - len)) > 0)
    len += (size_t)got_n;
  close(fd);
  text[len] = 0;
  int count = 0;
  for (char *p = text; p && *p && count < 4096;) {
    char *nl = strchr(p, '\n');
    long long pos;
    if (sscanf(p, "tfd: %d events: %x data: %llx pos:%lli ino:%lx sdev:%x",
               &shown[count].tfd, &shown[count].events, &shown[count].data,
               &pos, &shown[count].ino, &shown[count].sdev) == 6) {
      shown[count].used = 0;
      count++;
    }
    p = nl ? nl + 1 : NULL;
  }
  int ok = count == n;
  /* Items with an inode to check first, then the others. */
  for (int pass = 0; pass < 2 && ok; pass++) {
    for (int i = 0; i < n && ok; i++) {
      unsigned long ino = 0;
      unsigned sdev = 0;
      if ((want[i].ino_fd >= 0) != (pass == 0))
        continue;
      if (want[i].ino_fd >= 0) {
        struct stat st;
        if (fstat(want[i].ino_fd, &st) != 0) {
          ok = 0;
          break;
        }
        ino = (unsigned long)st.st_ino;
        sdev = (major(st.st_dev) << 20) | minor(st.st_dev);
      }
      int j;
      for (j = 0; j < count; j++) {
        if (!shown[j].used && shown[j].tfd == want[i].tfd &&
            shown[j].events == want[i].events &&
            shown[j].data == want[i].data &&
            (want[i].ino_fd < 0 || (shown[j].ino == ino && shown[j].sdev == sdev)))
          break;
      }
      if (j == count)
        ok = 0;
      else
        shown[j].used = 1;
    }
  }
  if (ok) {
    dprintf(OUT_FD, "      %s  ok\n", line);
  } else {
    dprintf(OUT_FD, "      %s  MISMATCH: %s shows\n%s", line, path, text);
    failures++;
  }
}

int main(void) {
  if (dup2(1, OUT_FD) < 0) {
    fprintf(stderr, "repro: cannot move stdout to fd %d: %s\n", OUT_FD,
            strerror(errno));
    return 2;
  }
  {
    uint64_t block = SEQ_SIGNALS;
    syscall(SYS_rt_sigprocmask, SIG_BLOCK, &block, NULL, 8);
  }
  drop_net_admin();
  for (int fd = 0; fd < OUT_FD; fd++) close(fd);
  io_buf = scratch(IO_BYTES);
  memset(io_buf, 'x', IO_BYTES < 65536 ? IO_BYTES : 65536);
  rd_buf = scratch(IO_BYTES);
  events = scratch(WAIT_EVENTS * sizeof *events);
  got = scratch(GOT_SIZE);
  long r;
  int e;
  (void)r; (void)e;
)";
  return os.str();
}

// The C expression for one field value.
std::string FieldExpr(const ScenarioStep& step, std::string_view field,
                      FieldKind kind, uint64_t raw, int64_t value) {
  if (kind == FieldKind::kFd) {
    for (const auto& [name, handle] : step.fd_handles) {
      if (name == field)
        return HandleVar(handle);
    }
  }
  switch (kind) {
  case FieldKind::kData:
  case FieldKind::kFdSet:
  case FieldKind::kSigMask:
    return std::to_string(raw) + "ull";
  case FieldKind::kEvents:
  case FieldKind::kPipeFlags:
  case FieldKind::kEpollFlags:
    return std::to_string(static_cast<uint32_t>(raw)) + "u";
  default:
    return value == INT32_MIN ? "(-2147483647 - 1)" : std::to_string(value);
  }
}

}  // namespace

Reproducer EmitReproducer(const Scenario& scenario, const Profile& profile,
                          const std::string& source) {
  std::ostringstream os;  // main()'s body, after the prelude
  if (scenario.max_user_watches) {
    // As the kernel SUT in a guest (sut/kernel TakePrivateUid): only on a
    // kernel with this limit, and under a real uid of its own, so that only
    // the scenario's items count.
    os << "  {\n"
          "    FILE *f = fopen(\"/proc/sys/fs/epoll/max_user_watches\", "
          "\"re\");\n"
          "    long long limit = -1;\n"
          "    if (f && fscanf(f, \"%lld\", &limit) != 1) limit = -1;\n"
          "    if (f) fclose(f);\n"
          "    if (limit != "
       << *scenario.max_user_watches
       << "LL) {\n"
          "      dprintf(OUT_FD, \"skipped: needs fs.epoll.max_user_watches "
       << *scenario.max_user_watches
       << ", this kernel has %lld\\n\", limit);\n"
          "      return 77;\n"
          "    }\n"
          "    if (geteuid() == 0 && syscall(SYS_setresuid, 200000u + "
          "(unsigned)getpid() * 64u, -1, -1) != 0) {\n"
          "      dprintf(OUT_FD, \"setresuid: %s\\n\", strerror(errno));\n"
          "      return 2;\n"
          "    }\n"
          "  }\n";
  }
  // Every descriptor number the scenario names (operands, predicted and
  // written results), so OUT_FD can be one it never touches.
  std::set<int64_t> numbers;
  Layout layout;
  uint64_t ctl_steps = 0;
  // Declare every handle.
  std::vector<std::string> vars;
  for (const ScenarioStep& step : scenario.steps) {
    if (step.bind.empty())
      continue;
    if (const std::string_view* ends = PairEnds(step.op)) {
      vars.push_back(HandleVar(step.bind + "." + std::string(ends[0])));
      vars.push_back(HandleVar(step.bind + "." + std::string(ends[1])));
    } else {
      vars.push_back(HandleVar(step.bind));
    }
  }
  for (const std::string& v : vars)
    os << "  int " << v << " = -1;\n  (void)" << v << ";\n";

  World model;
  model.profile = profile;
  HandleEnv env;
  // Scenarios with AF_INET sockets let loopback TCP settle after each step.
  bool inet = false;
  for (const ScenarioStep& step : scenario.steps)
    inet |= std::holds_alternative<InetSocket>(step.op);
  for (size_t i = 0; i < scenario.steps.size(); ++i) {
    const ScenarioStep& step = scenario.steps[i];
    auto resolved = ResolveStep(step, env);
    if (auto* error = std::get_if<std::string>(&resolved)) {
      return Reproducer{.error = "line " + std::to_string(step.line) + ": " +
                                 *error};
    }
    const Op& op = std::get<Op>(resolved);
    const Outcome predicted = Step(model, op);
    BindStep(step, predicted, env);
    ForEachFdField(op,
                   [&](std::string_view, int32_t fd) { numbers.insert(fd); });
    for (const Outcome* o :
         {&predicted, step.expect ? &*step.expect : nullptr}) {
      if (o == nullptr)
        continue;
      numbers.insert(o->ret);  // the new descriptor of dup, epoll_create...
      numbers.insert(o->fds.begin(), o->fds.end());
    }
    if (const auto* w = std::get_if<Write>(&op))
      layout.io_bytes = std::max<uint64_t>(layout.io_bytes, w->count);
    if (const auto* r = std::get_if<Read>(&op))
      layout.io_bytes = std::max<uint64_t>(layout.io_bytes, r->count);
    if (const auto* s = std::get_if<Send>(&op))
      layout.io_bytes = std::max<uint64_t>(layout.io_bytes, s->count);
    if (const auto* s = std::get_if<SendTo>(&op))
      layout.io_bytes = std::max<uint64_t>(layout.io_bytes, s->count);
    if (const auto* r = std::get_if<Recv>(&op))
      layout.io_bytes = std::max<uint64_t>(layout.io_bytes, r->count);
    if (const auto* r = std::get_if<SignalfdRead>(&op))
      layout.io_bytes = std::max<uint64_t>(layout.io_bytes, r->count);
    // Linux: do_epoll_wait refuses maxevents <= 0 or > EP_MAX_EVENTS before
    // touching the buffer; otherwise it writes at most one event per item,
    // and every item comes from an epoll_ctl step.
    std::visit(
        [&](const auto& o) {
          using T = std::decay_t<decltype(o)>;
          if constexpr (std::is_same_v<T, EpollWait> ||
                        std::is_same_v<T, EpollPwait> ||
                        std::is_same_v<T, EpollPwait2>) {
            if (o.maxevents > 0 && o.maxevents <= abi::kEpMaxEvents) {
              layout.wait_events =
                  std::max<uint64_t>(layout.wait_events, uint64_t(o.maxevents));
            }
          }
        },
        op);
    if (std::holds_alternative<EpollCtl>(op))
      ++ctl_steps;
    std::ostringstream want;
    want << (step.expect ? *step.expect : predicted);
    const std::string call = FormatStepCall(step);
    // Field expressions by name.
    std::map<std::string, std::string> f;
    std::visit(
        [&](const auto& o) {
          using T = std::decay_t<decltype(o)>;
          T::Fields(
              o, [&](std::string_view name, FieldKind kind, const auto& field) {
                f[std::string(name)] =
                    FieldExpr(step, name, kind, static_cast<uint64_t>(field),
                              static_cast<int64_t>(field));
              });
        },
        step.op);
    os << "  /* step " << i << ": " << call << " */\n  {\n";
    std::visit(
        [&](const auto& o) {
          using T = std::decay_t<decltype(o)>;
          if constexpr (ReturnsOf<T>() == Returns::kFdPair) {
            os << "    int fds[2] = {-1, -1};\n";
            if constexpr (std::is_same_v<T, Pipe2>) {
              os << "    r = pipe2(fds, " << f["flags"] << "); e = errno;\n";
            } else {
              static_assert(std::is_same_v<T, Socketpair>, "unhandled op");
              os << "    r = socketpair(AF_UNIX, " << f["type"]
                 << ", 0, fds); e = errno;\n";
            }
            os << "    if (r < 0) fmt_ret(got, GOT_SIZE, r, e);\n"
               << "    else snprintf(got, GOT_SIZE, \"0 fds=[%d,%d]\", "
                  "fds[0], fds[1]);\n";
            if (!step.bind.empty()) {
              os << "    if (r == 0) { "
                 << HandleVar(step.bind + "." + std::string(T::kEnds[0]))
                 << " = fds[0]; "
                 << HandleVar(step.bind + "." + std::string(T::kEnds[1]))
                 << " = fds[1]; }\n";
            }
          } else if constexpr (std::is_same_v<T, Poll> ||
                               std::is_same_v<T, PPoll>) {
            const auto nfds = static_cast<uint32_t>(o.nfds);
            const uint64_t entries =
                nfds <= (1u << 21) ? std::max(nfds, 3u) : 3;
            os << "    struct pollfd *pfd = scratch(" << entries
               << "ull * sizeof *pfd);\n"
               << "    for (unsigned long long i = 0; i < " << entries
               << "ull; i++) pfd[i].fd = -1;\n"
               << "    pfd[0].fd = " << f["fd0"]
               << "; pfd[0].events = " << f["events0"] << ";\n"
               << "    pfd[1].fd = " << f["fd1"]
               << "; pfd[1].events = " << f["events1"] << ";\n"
               << "    pfd[2].fd = " << f["fd2"]
               << "; pfd[2].events = " << f["events2"] << ";\n";
            if constexpr (std::is_same_v<T, Poll>) {
              os << "    r = poll(pfd, (nfds_t)(unsigned)" << f["nfds"]
                 << ", 0); e = errno;\n";
            } else {
              os << "    struct timespec zero = {0, 0};\n"
                 << "    uint64_t mask = SEQ_SIGNALS;\n"
                 << "    r = syscall(SYS_ppoll, pfd, (nfds_t)(unsigned)"
                 << f["nfds"] << ", &zero, " << o.sigsetsize
                 << " < 0 ? NULL : &mask, (size_t)" << o.sigsetsize
                 << "); e = errno;\n";
            }
            os << "    fmt_poll(got, GOT_SIZE, r, e, pfd, "
               << std::min(o.nfds, 3) << ");\n";
          } else if constexpr (std::is_same_v<T, Select> ||
                               std::is_same_v<T, PSelect>) {
            const uint64_t words = o.nfds <= 64 ? 1 : (1u << 20) / 64;
            os << "    uint64_t *sets = scratch(3ull * " << words
               << "ull * 8);\n"
               << "    uint64_t *in = sets, *out = sets + " << words
               << "ull, *ex = sets + 2ull * " << words << "ull;\n"
               << "    in[0] = " << f["readfds"]
               << "; out[0] = " << f["writefds"]
               << "; ex[0] = " << f["exceptfds"] << ";\n";
            if constexpr (std::is_same_v<T, Select>) {
              os << "    struct timeval tv = {0, 0};\n"
                 << "    r = syscall(SYS_select, " << f["nfds"]
                 << ", in, out, ex, &tv); e = errno;\n";
            } else {
              os << "    struct timespec zero = {0, 0};\n"
                 << "    uint64_t mask = SEQ_SIGNALS;\n"
                 << "    struct { const void *p; size_t size; } pack = {"
                 << o.sigsetsize << " < 0 ? NULL : &mask, (size_t)"
                 << o.sigsetsize << "};\n"
                 << "    r = syscall(SYS_pselect6, " << f["nfds"]
                 << ", in, out, ex, &zero, &pack); e = errno;\n";
            }
            os << "    fmt_sets(got, GOT_SIZE, r, e, in, out, ex);\n";
          } else if constexpr (std::is_same_v<T, EventfdRead>) {
            os << "    unsigned long long v = 0;\n"
               << "    r = read(" << f["fd"] << ", &v, 8); e = errno;\n"
               << "    fmt_value(got, GOT_SIZE, r, e, v);\n";
          } else if constexpr (std::is_same_v<T, SignalfdRead>) {
            os << "    signalfd_read(got, GOT_SIZE, " << f["fd"] << ", "
               << f["count"] << ");\n";
          } else if constexpr (std::is_same_v<T, Sigpending>) {
            os << "    unsigned long long v = 0;\n"
               << "    r = syscall(SYS_rt_sigpending, &v, 8); e = errno;\n"
               << "    fmt_value(got, GOT_SIZE, r, e, v);\n";
          } else if constexpr (std::is_same_v<T, GetSockOpt>) {
            os << "    int v = 0;\n    socklen_t len = sizeof v;\n"
               << "    r = getsockopt(" << f["fd"] << ", SOL_SOCKET, "
               << f["name"] << ", &v, &len); e = errno;\n"
               << "    fmt_value(got, GOT_SIZE, r, e, "
                  "(unsigned long long)(long long)v);\n";
          } else if constexpr (std::is_same_v<T, EpollWait> ||
                               std::is_same_v<T, EpollPwait> ||
                               std::is_same_v<T, EpollPwait2>) {
            // The raw system calls: glibc's prototype makes gcc reject a
            // negative maxevents at compile time, and that is an operand.
            os << "    struct epoll_event *evs = ubuf(" << f["buf"]
               << ", sizeof *evs, events, NULL, 0);\n";
            if constexpr (std::is_same_v<T, EpollWait>) {
              os << "    r = syscall(SYS_epoll_wait, " << f["epfd"] << ", evs, "
                 << f["maxevents"] << ", " << f["timeout_ms"]
                 << "); e = errno;\n";
            } else {
              os << "    uint64_t mask = SEQ_SIGNALS;\n";
              const std::string mask = "(" + f["sigsetsize"] +
                                       " < 0 ? NULL : &mask), (size_t)" +
                                       f["sigsetsize"];
              if constexpr (std::is_same_v<T, EpollPwait>) {
                os << "    r = syscall(SYS_epoll_pwait, " << f["epfd"]
                   << ", evs, " << f["maxevents"] << ", " << f["timeout_ms"]
                   << ", " << mask << "); e = errno;\n";
              } else {
                os << "    struct { long long sec, nsec; } t = {" << f["tv_sec"]
                   << "ll, " << f["tv_nsec"] << "ll};\n"
                   << "    void *ts = ubuf(" << f["ts_buf"]
                   << ", sizeof t, &t, &t, sizeof t);\n"
                   << "    r = syscall(SYS_epoll_pwait2, " << f["epfd"]
                   << ", evs, " << f["maxevents"] << ", ts, " << mask
                   << "); e = errno;\n";
              }
            }
            os << "    fmt_wait_at(got, GOT_SIZE, r, e, evs);\n";
          } else if constexpr (std::is_same_v<T, ListFds>) {
            os << "    fmt_list_fds(got, GOT_SIZE);\n";
          } else if constexpr (std::is_same_v<T, EpollIoctl>) {
            const bool get = o.cmd == abi::kEpiocGParams;
            os << "    struct { uint32_t usecs; uint16_t budget; uint8_t "
                  "prefer, pad; } p = {"
               << f["usecs"] << "u, (uint16_t)" << f["budget"] << ", (uint8_t)"
               << f["prefer"] << ", (uint8_t)" << f["pad"] << "};\n";
            if (get)
              os << "    memset(&p, 0xff, sizeof p);\n";
            os << "    void *a = ubuf(" << f["buf"] << ", sizeof p, &p, "
               << (get ? "NULL" : "&p") << ", sizeof p);\n"
               << "    r = ioctl(" << f["fd"] << ", " << f["cmd"]
               << "u, a); e = errno;\n";
            if (get) {
              os << "    unsigned long long v = 0;\n"
                 << "    if (r == 0) memcpy(&v, a, 8);\n"
                 << "    fmt_value(got, GOT_SIZE, r, e, v);\n";
            } else {
              os << "    fmt_ret(got, GOT_SIZE, r, e);\n";
            }
          } else {
            std::string expr;
            std::string after;  // C run after the call, before formatting
            if constexpr (std::is_same_v<T, EpollCreate>) {
              expr = "epoll_create(" + f["size"] + ")";
            } else if constexpr (std::is_same_v<T, EpollCreate1>) {
              expr = "epoll_create1(" + f["flags"] + ")";
            } else if constexpr (std::is_same_v<T, EpollCtl>) {
              os << "    struct epoll_event ev;\n"
                 << "    memset(&ev, 0, sizeof ev);\n"
                 << "    ev.events = " << f["events"] << ";\n"
                 << "    ev.data.u64 = " << f["data"] << ";\n";
              expr = "epoll_ctl(" + f["epfd"] + ", " + f["op"] + ", " +
                     f["fd"] + ", " +
                     (o.null_event ? std::string("NULL")
                                   : "ubuf(" + f["buf"] +
                                         ", sizeof ev, &ev, &ev, sizeof ev)") +
                     ")";
            } else if constexpr (std::is_same_v<T, Write>) {
              expr = "write(" + f["fd"] + ", io_buf, " + f["count"] + ")";
            } else if constexpr (std::is_same_v<T, Read>) {
              expr = "read(" + f["fd"] + ", rd_buf, " + f["count"] + ")";
            } else if constexpr (std::is_same_v<T, Close>) {
              expr = "close(" + f["fd"] + ")";
            } else if constexpr (std::is_same_v<T, Dup>) {
              expr = "dup(" + f["fd"] + ")";
            } else if constexpr (std::is_same_v<T, Dup2>) {
              expr = "dup2(" + f["oldfd"] + ", " + f["newfd"] + ")";
            } else if constexpr (std::is_same_v<T, SetPipeSize>) {
              expr = "fcntl(" + f["fd"] + ", F_SETPIPE_SZ, " + f["size"] + ")";
            } else if constexpr (std::is_same_v<T, GetPipeSize>) {
              expr = "fcntl(" + f["fd"] + ", F_GETPIPE_SZ)";
            } else if constexpr (std::is_same_v<T, Eventfd>) {
              expr = "eventfd(" + f["initval"] + "u, " + f["flags"] + ")";
            } else if constexpr (std::is_same_v<T, EventfdWrite>) {
              os << "    unsigned long long v = " << f["value"] << ";\n";
              expr = "write(" + f["fd"] + ", &v, 8)";
            } else if constexpr (std::is_same_v<T, Send>) {
              expr = "send(" + f["fd"] + ", io_buf, " + f["count"] + ", " +
                     f["flags"] + ")";
            } else if constexpr (std::is_same_v<T, Recv>) {
              expr = "recv(" + f["fd"] + ", rd_buf, " + f["count"] + ", " +
                     f["flags"] + ")";
            } else if constexpr (std::is_same_v<T, Shutdown>) {
              expr = "shutdown(" + f["fd"] + ", " + f["how"] + ")";
            } else if constexpr (std::is_same_v<T, UnixSocket>) {
              expr = "socket(AF_UNIX, " + f["type"] + ", 0)";
            } else if constexpr (std::is_same_v<T, InetSocket>) {
              expr = "inet_socket(" + f["type"] + ")";
            } else if constexpr (std::is_same_v<T, Bind> ||
                                 std::is_same_v<T, Connect>) {
              os << "    struct sockaddr_storage a;\n"
                 << "    socklen_t alen = name_addr(" << f["fd"] << ", "
                 << f["name"] << ", &a);\n";
              expr = std::string(T::kName) + "(" + f["fd"] +
                     ", (struct sockaddr *)&a, alen)";
              if constexpr (std::is_same_v<T, Bind>)
                after = "    if (r == 0) name_bound(" + f["fd"] + ", " +
                        f["name"] + ");\n";
            } else if constexpr (std::is_same_v<T, SendTo>) {
              os << "    struct sockaddr_storage a;\n"
                 << "    socklen_t alen = name_addr(" << f["fd"] << ", "
                 << f["name"] << ", &a);\n";
              expr = "sendto(" + f["fd"] + ", io_buf, " + f["count"] + ", " +
                     f["flags"] + ", (struct sockaddr *)&a, alen)";
            } else if constexpr (std::is_same_v<T, Listen>) {
              expr = "listen(" + f["fd"] + ", " + f["backlog"] + ")";
            } else if constexpr (std::is_same_v<T, OpenFile>) {
              expr = "open_file(" + f["kind"] + ", " + f["flags"] + ")";
            } else if constexpr (std::is_same_v<T, TimerfdCreate>) {
              expr = "timerfd_create(" + f["clockid"] + ", " + f["flags"] + ")";
            } else if constexpr (std::is_same_v<T, TimerfdSettime>) {
              expr = "timer_set(" + f["fd"] + ", " + f["flags"] + ", " +
                     f["expire"] + ")";
            } else if constexpr (std::is_same_v<T, Lseek>) {
              expr = "lseek(" + f["fd"] + ", " + f["offset"] + "ll, " +
                     f["whence"] + ")";
            } else if constexpr (std::is_same_v<T, GetFl>) {
              expr = "fcntl(" + f["fd"] + ", F_GETFL)";
            } else if constexpr (std::is_same_v<T, SetFl>) {
              expr = "fcntl(" + f["fd"] + ", F_SETFL, " + f["flags"] + ")";
            } else if constexpr (std::is_same_v<T, SetRlimitNofile>) {
              expr = "set_nofile(" + f["soft"] + "ll)";
            } else if constexpr (std::is_same_v<T, Signalfd>) {
              os << "    unsigned long long m = " << f["mask"] << ";\n";
              expr = "syscall(SYS_signalfd4, " + f["fd"] + ", ubuf(" +
                     f["buf"] + ", 8, &m, &m, 8), 8, " + f["flags"] + ")";
            } else if constexpr (std::is_same_v<T, Tgkill>) {
              expr =
                  "syscall(SYS_tgkill, getpid(), gettid(), " + f["sig"] + ")";
            } else if constexpr (std::is_same_v<T, Sigtimedwait>) {
              os << "    unsigned long long m = " << f["mask"] << ";\n"
                 << "    struct timespec zero = {0, 0};\n";
              expr = "syscall(SYS_rt_sigtimedwait, &m, NULL, &zero, 8)";
            } else if constexpr (std::is_same_v<T, Fork>) {
              expr = "fork_kid(" + f["fds"] + ")";
            } else if constexpr (std::is_same_v<T, ChildClose>) {
              expr = "kid_cmd(" + f["pidfd"] + ", 1, " + f["fd"] + ")";
            } else if constexpr (std::is_same_v<T, ChildExit>) {
              expr = "kid_cmd(" + f["pidfd"] + ", 2, 0)";
            } else if constexpr (std::is_same_v<T, Reap>) {
              expr = "reap(" + f["pidfd"] + ")";
            } else if constexpr (std::is_same_v<T, PidfdOpen>) {
              expr = "pidfd_open_of(" + f["pidfd"] + ", " + f["flags"] + ")";
            } else if constexpr (std::is_same_v<T, Accept4>) {
              expr = "accept4(" + f["fd"] + ", NULL, NULL, " + f["flags"] + ")";
            } else {
              static_assert(std::is_same_v<T, SetSockOpt>, "unhandled op");
              if (o.name == abi::kSoLinger) {
                os << "    struct linger l = {1, " << f["value"] << "};\n";
                expr = "setsockopt(" + f["fd"] + ", SOL_SOCKET, " + f["name"] +
                       ", &l, sizeof l)";
              } else {
                os << "    int v = " << f["value"] << ";\n";
                expr = "setsockopt(" + f["fd"] + ", SOL_SOCKET, " + f["name"] +
                       ", &v, sizeof v)";
              }
            }
            os << "    r = " << expr << "; e = errno;\n"
               << after << "    fmt_ret(got, GOT_SIZE, r, e);\n";
            if (!step.bind.empty())
              os << "    if (r >= 0) " << HandleVar(step.bind)
                 << " = (int)r;\n";
          }
        },
        step.op);
    if (inet)
      os << "    settle();\n";
    os << "    check(" << i << ", " << CString(call) << ", "
       << CString(want.str()) << ", got);\n";
    // The interest sets written after the step.
    const auto operand = [&](const FdinfoOperand& o) {
      return o.handle.empty() ? std::to_string(o.number) : HandleVar(o.handle);
    };
    for (const FdinfoExpect& expect : step.fdinfo) {
      for (const FdinfoOperand* o : {&expect.epfd}) {
        if (!o->handle.empty() && env.count(o->handle) == 0) {
          return Reproducer{.error = "line " + std::to_string(expect.line) +
                                     ": unknown handle '" + o->handle + "'"};
        }
      }
      os << "    {\n      const struct fdinfo_item want[] = {";
      for (const FdinfoExpectItem& item : expect.items) {
        for (const FdinfoOperand* o :
             {&item.tfd, item.ino ? &*item.ino : nullptr}) {
          if (o != nullptr && !o->handle.empty() && env.count(o->handle) == 0) {
            return Reproducer{.error = "line " + std::to_string(expect.line) +
                                       ": unknown handle '" + o->handle + "'"};
          }
          if (o != nullptr && o->handle.empty())
            numbers.insert(o->number);
        }
        os << "{" << operand(item.tfd) << ", " << item.events << "u, "
           << item.data << "ull, " << (item.ino ? operand(*item.ino) : "-1")
           << "}, ";
      }
      os << "{0, 0, 0, 0}};\n      check_fdinfo("
         << CString(FormatFdinfoExpect(expect)) << ", " << operand(expect.epfd)
         << ", want, " << expect.items.size() << ");\n    }\n";
    }
    os << "  }\n";
  }
  os << "  end_kids();\n";
  os << "  if (fdinfo_unchecked)\n"
        "    dprintf(OUT_FD, \"fdinfo: %d interest sets NOT checked (no "
        "/proc/self/fdinfo)\\n\", fdinfo_unchecked);\n";
  os << "  dprintf(OUT_FD, \"verdict: %s\\n\", failures ? \"MISMATCH\" : "
        "\"ok\");\n"
     << "  return failures ? 1 : 0;\n}\n";
  while (numbers.count(layout.out_fd) != 0)
    ++layout.out_fd;
  // A formatted event is at most ~200 bytes (every named bit and the data).
  layout.got_bytes =
      65536 + 256 * std::min<uint64_t>(layout.wait_events, ctl_steps);
  std::ostringstream program;
  program << "/* Generated by `epollcheck repro " << source
          << "`: a standalone replay of the scenario.\n"
          << " * Build and run: gcc -o repro repro.c && ./repro\n"
          << " * Prints ok or MISMATCH per step, then `verdict: ok` or "
             "`verdict: MISMATCH`;\n * exits 1 on any mismatch. Steps "
             "without a written result expect the\n * model's prediction "
             "(profile "
          << profile.name << "). */\n"
          << Prelude(layout) << os.str();
  return Reproducer{.program = program.str()};
}

}  // namespace epollcheck
