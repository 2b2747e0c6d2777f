// File: model/world.h
// The model's whole state: one process's descriptor table, the open file
// descriptions it refers to, the pipes behind them and the epoll instances.
// A World is a copyable value; `Step` (model/step.h) is the only thing that
// changes it. Names follow the kernel's structures (cited per field).
//
//   World w;                                   // empty descriptor table
//   Outcome o = Step(w, Op{Pipe2{.flags = abi::kONonblock}});   // fds [0, 1]
#pragma once

#include <compare>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <ostream>
#include <vector>

#include "model/profile.h"

namespace epollcheck {

// Identifies an open file description (struct file). Never reused in a World.
using FileId = uint32_t;
// Identifies a pipe (struct pipe_inode_info).
using PipeId = uint32_t;

// The key of an epoll item. Linux: fs/eventpoll.c struct epoll_filefd,
// ep_cmp_ffd(): items are keyed by the file *and* the descriptor number.
struct ItemKey {
  FileId file = 0;
  int32_t fd = -1;
  friend auto operator<=>(const ItemKey&, const ItemKey&) = default;
};

// Linux: fs/eventpoll.c struct epitem.
struct EpollItem {
  uint32_t events = 0;  // stored mask, ERR|HUP included; Kernel: event.events
  uint64_t data = 0;    // Kernel: event.data
  bool linked = false;  // on the ready list; Kernel: ep_is_linked(&rdllink)
  friend bool operator==(const EpollItem&, const EpollItem&) = default;
};

// Linux: fs/eventpoll.c struct eventpoll.
struct EpollInstance {
  std::map<ItemKey, EpollItem> items;  // Kernel: rbr (the interest set)
  std::deque<ItemKey> ready_list;      // Kernel: rdllist, FIFO
  // The busy-poll parameters EPIOCSPARAMS stores (6.9+). Kernel:
  // busy_poll_usecs, busy_poll_budget, prefer_busy_poll.
  uint32_t busy_poll_usecs = 0;
  uint16_t busy_poll_budget = 0;
  uint8_t prefer_busy_poll = 0;
  friend bool operator==(const EpollInstance&, const EpollInstance&) = default;
};

// One wait-queue entry of an epoll item on a watched file. Linux:
// fs/eventpoll.c struct eppoll_entry, registered by ep_ptable_queue_proc().
struct WaitEntry {
  FileId epoll = 0;  // the epoll instance (by its file) owning the item
  ItemKey key;
  friend bool operator==(const WaitEntry&, const WaitEntry&) = default;
};

// Linux: include/linux/pipe_fs_i.h struct pipe_buffer.
struct PipeSlot {
  uint32_t offset = 0;    // bytes already consumed from the page
  uint32_t len = 0;       // bytes left
  bool can_merge = true;  // PIPE_BUF_FLAG_CAN_MERGE (not in packet mode)
  bool packet = false;    // PIPE_BUF_FLAG_PACKET (O_DIRECT writer)
  friend bool operator==(const PipeSlot&, const PipeSlot&) = default;
};

// Linux: include/linux/pipe_fs_i.h struct pipe_inode_info.
struct PipeState {
  std::deque<PipeSlot> slots;  // occupied ring slots, tail (front) to head
  uint32_t max_usage = 16;     // capacity in slots; Kernel: max_usage
  uint32_t readers = 0;        // open read files; Kernel: readers
  uint32_t writers = 0;        // open write files; Kernel: writers
  // Opens for reading / writing so far (1 when allocated; fifo_open counts
  // them). Kernel: r_counter, w_counter.
  uint32_t r_counter = 1;
  uint32_t w_counter = 1;
  uint32_t files = 0;       // open files using it; Kernel: files
  bool poll_usage = false;  // ever polled; Kernel: poll_usage (sticky)
  // The epoll items polling a file that reads / writes this pipe, in
  // wait-queue order. Every file of the pipe shares them (a FIFO may have
  // several readers and writers; an O_RDWR one is on both).
  // Kernel: rd_wait, wr_wait.
  std::vector<WaitEntry> rd_wait;
  std::vector<WaitEntry> wr_wait;
  friend bool operator==(const PipeState&, const PipeState&) = default;
};

// Linux: fs/eventfd.c struct eventfd_ctx.
struct EventfdCtx {
  uint64_t count = 0;      // Kernel: count
  bool semaphore = false;  // EFD_SEMAPHORE; Kernel: flags
  friend bool operator==(const EventfdCtx&, const EventfdCtx&) = default;
};

// Linux: fs/timerfd.c struct timerfd_ctx. Only one-shot timers that expire
// at once, never or not at all are made (TimerfdSettime), so the tick count
// never depends on time.
struct TimerfdCtx {
  uint64_t ticks = 0;   // expirations not yet read; Kernel: ticks
  int32_t clockid = 1;  // Kernel: clockid
  friend bool operator==(const TimerfdCtx&, const TimerfdCtx&) = default;
};

// Identifies a child process (its struct pid). Never reused in a World.
using ProcId = uint32_t;

// A child process's life. Linux: task->exit_state (0, EXIT_ZOMBIE) and, once
// reaped (release_task), no task attached to the pid.
enum class ProcState : uint8_t { kRunning, kZombie, kReaped };

// A child forked by the sequence (model/process.cc): its own descriptor
// table, whose entries count in File::refs like the sequence's own, and
// the wait queue of its pid that every pidfd of it polls on.
// Linux: struct task_struct (files), struct pid (wait_pidfd).
struct ChildProc {
  std::map<int32_t, FileId> fd_table;  // Kernel: task->files
  ProcState state = ProcState::kRunning;
  std::vector<WaitEntry> wait_pidfd;  // Kernel: pid->wait_pidfd
  friend bool operator==(const ChildProc&, const ChildProc&) = default;
};

// Identifies a socket (struct sock). Never reused in a World.
using SockId = uint32_t;

// One queued sk_buff of an AF_UNIX receive queue. Linux: include/linux/skbuff.h
// struct sk_buff, net/unix/af_unix.c UNIXCB(skb).consumed.
struct Skb {
  uint32_t len = 0;       // payload bytes; Kernel: skb->len
  uint32_t consumed = 0;  // stream: bytes already read; Kernel: UNIXCB.consumed
  uint32_t truesize = 0;  // charged to the sender; Kernel: skb->truesize
  SockId owner = 0;       // the sender (sock_wfree credits it); Kernel: skb->sk
  // A connection request on a listener's queue: the embryo socket the
  // connect made (accept grafts it onto a new file). Kernel: skb->sk too.
  SockId conn = 0;
  uint32_t id = 0;  // names the skb (UnixSock::oob_skb); from World::next_id
  friend bool operator==(const Skb&, const Skb&) = default;
};

// Linux: include/net/tcp_states.h, the states AF_UNIX uses.
enum class SockState : uint8_t { kClose, kEstablished, kListen };

// An AF_UNIX socket. Linux: net/unix/af_unix.c struct unix_sock / struct sock.
struct UnixSock {
  uint32_t type = 1;  // SOCK_STREAM, SOCK_DGRAM or SOCK_SEQPACKET
  SockState state = SockState::kClose;  // Kernel: sk_state
  SockId peer = 0;                      // Kernel: unix_peer(sk); 0: none
  uint8_t shutdown = 0;  // RCV_SHUTDOWN | SEND_SHUTDOWN; Kernel: sk_shutdown
  int32_t err = 0;       // pending error (positive); Kernel: sk_err
  std::deque<Skb> receive_queue;  // Kernel: sk_receive_queue
  uint64_t wmem = 0;   // truesize of own skbs not yet freed: sk_wmem_alloc - 1
  int32_t sndbuf = 0;  // Kernel: sk_sndbuf
  int32_t rcvbuf = 0;  // Kernel: sk_rcvbuf
  int32_t rcvlowat = 1;  // Kernel: sk_rcvlowat
  bool linger = false;   // SO_LINGER on; Kernel: SOCK_LINGER
  // Bound abstract name (an accepted socket has its listener's, without
  // holding it in the name table); Kernel: u->addr.
  int32_t name = -1;
  // Listen backlog (listeners) or max_dgram_qlen; Kernel: sk_max_ack_backlog
  int32_t max_ack_backlog = 0;
  // The socket whose peer_wait our relay entry sits on (0: none); Kernel:
  // u->peer_wake.private (unix_dgram_peer_wake_connect).
  SockId peer_wake = 0;
  // Relay entries of other sockets on our peer_wait, in wait-queue order;
  // Kernel: u->peer_wait.
  std::vector<SockId> peer_waiters;
  // The pending out-of-band byte's skb (Skb::id; 0: none). Kernel:
  // u->oob_skb (CONFIG_AF_UNIX_OOB).
  uint32_t oob_skb = 0;
  bool dead = false;  // released; Kernel: SOCK_DEAD
  FileId file = 0;    // owner of the wait queue (0 once released)
  friend bool operator==(const UnixSock&, const UnixSock&) = default;
};

// Linux: include/net/tcp_states.h, the states an AF_INET socket rests in
// between operations (a step waits out SYN_SENT, SYN_RECV, FIN_WAIT1,
// CLOSING and LAST_ACK on loopback: the kernel SUT settles). kSynSent stays
// only when a listener's accept queue was full (the SYN was dropped).
enum class TcpState : uint8_t {
  kClose,
  kListen,
  kSynSent,
  kEstablished,
  kFinWait2,   // our FIN sent and acknowledged
  kCloseWait,  // the peer's FIN received
};

// socket->state for AF_INET stream sockets. Linux: include/uapi/linux/net.h
// socket_state (SS_UNCONNECTED, SS_CONNECTING, SS_CONNECTED,
// SS_DISCONNECTING).
enum class SocketState : uint8_t {
  kUnconnected,
  kConnecting,
  kConnected,
  kDisconnecting
};

// An AF_INET socket on 127.0.0.1: TCP or UDP. Linux: struct inet_sock,
// struct tcp_sock / struct udp_sock.
struct InetSock {
  bool tcp = true;                    // SOCK_STREAM (TCP) or SOCK_DGRAM (UDP)
  TcpState state = TcpState::kClose;  // Kernel: sk_state (UDP: CLOSE or
                                      // ESTABLISHED once connected)
  SocketState ss = SocketState::kUnconnected;  // Kernel: sock->state
  uint8_t shutdown = 0;  // RCV_SHUTDOWN | SEND_SHUTDOWN; Kernel: sk_shutdown
  int32_t err = 0;       // pending error (positive); Kernel: sk_err
  bool done = false;     // the peer's FIN was received; Kernel: SOCK_DONE
  // TCP: the other end of the connection (0: none); UDP: the socket the
  // connected destination name stood for. Kernel: inet_daddr/inet_dport.
  SockId peer = 0;
  int32_t dest_name = -1;  // UDP: the connected destination's name
  // The name whose port this socket holds (-1: none); an accepted socket
  // shares its listener's. Kernel: inet_num with the bind hash.
  int32_t name = -1;
  bool bound = false;      // has a local port (bind or autobind); inet_num != 0
  bool listened = false;   // listen() succeeded once (connect: EINVAL)
  bool connected = false;  // connect() sent a SYN once (listen: EINVAL)
  // TCP receive side: bytes between copied_seq and rcv_nxt, the urgent byte
  // (if any) included. Kernel: tp->rcv_nxt - tp->copied_seq.
  uint64_t unread = 0;
  // TCP urgent data: none, valid (EPOLLPRI, readable with MSG_OOB) or
  // already read; `urg_offset` is its position from copied_seq.
  // Kernel: tp->urg_data (TCP_URG_VALID / TCP_URG_READ), tp->urg_seq.
  uint8_t urg = 0;
  uint64_t urg_offset = 0;
  std::deque<SockId> accept_queue;  // listeners; Kernel: icsk_accept_queue
  int32_t max_ack_backlog = 0;      // Kernel: sk_max_ack_backlog
  std::deque<uint32_t> datagrams;   // UDP receive queue (datagram sizes)
  // Segments (datagrams) and bytes received over the socket's life, for the
  // generators' limits (windows, receive buffers).
  uint32_t rx_segs = 0;
  uint64_t rx_bytes = 0;
  int32_t sndbuf = 0;       // Kernel: sk_sndbuf
  int32_t rcvbuf = 0;       // Kernel: sk_rcvbuf
  int32_t rcvlowat = 1;     // Kernel: sk_rcvlowat
  bool linger = false;      // SO_LINGER on; Kernel: SOCK_LINGER
  int32_t linger_time = 0;  // Kernel: sk_lingertime (seconds here)
  bool dead = false;        // closed: orphaned or gone; Kernel: SOCK_DEAD
  FileId file = 0;          // owner of the wait queue (0 once released)
  friend bool operator==(const InetSock&, const InetSock&) = default;
};

enum class FileKind {
  kPipeRead,   // a pipe's read end, or a FIFO opened O_RDONLY
  kPipeWrite,  // a pipe's write end, or a FIFO opened O_WRONLY
  kPipeRdwr,   // a FIFO opened O_RDWR (FMODE_READ|FMODE_WRITE)
  kEpoll,
  kEventfd,
  kTimerfd,
  kSignalfd,
  kUnixSocket,
  kInetSocket,
  // A pidfd (pidfs since 6.9, an anonymous inode before): the file of a
  // struct pid. Linux: kernel/pid.c pidfd_create, fs/pidfs.c pidfd_fops.
  kPidfd,
  // Files without ->poll (file_can_poll is false: epoll_ctl ADD is EPERM;
  // poll and select see DEFAULT_POLLMASK). Linux: fs/read_write.c,
  // drivers/char/mem.c (/dev/null), fs/libfs.c generic_read_dir.
  kRegular,    // the sequence's regular file, O_RDWR
  kDirectory,  // the sequence's private directory, O_RDONLY|O_DIRECTORY
  kDevNull,    // /dev/null, O_RDWR
  // An O_PATH descriptor (FMODE_PATH): close, dup and dup2 take it, fdget()
  // refuses it (EBADF everywhere else; POLLNVAL in poll and select).
  kPath,
};

// Pipe files and their FMODE_READ / FMODE_WRITE.
constexpr bool IsPipeKind(FileKind k) {
  return k == FileKind::kPipeRead || k == FileKind::kPipeWrite ||
         k == FileKind::kPipeRdwr;
}
constexpr bool PipeReads(FileKind k) {
  return k == FileKind::kPipeRead || k == FileKind::kPipeRdwr;
}
constexpr bool PipeWrites(FileKind k) {
  return k == FileKind::kPipeWrite || k == FileKind::kPipeRdwr;
}

// Linux: include/linux/fs.h struct file.
struct File {
  FileKind kind = FileKind::kPipeRead;
  uint32_t refs = 0;  // descriptor-table references; Kernel: f_count
  // Status flags (O_NONBLOCK, O_DIRECT, O_APPEND, O_NOATIME, FASYNC; not
  // the access mode, which the kind decides). Kernel: f_flags.
  uint32_t flags = 0;
  PipeId pipe = 0;  // pipe ends: the pipe
  // Epoll items watching this file, in wait-queue order (the order a wakeup
  // visits them). For a pipe end this is rd_wait or wr_wait, for an epoll
  // file its poll_wait.
  std::vector<WaitEntry> wait_queue;
  std::optional<EpollInstance> epoll;  // epoll files: the instance
  std::optional<EventfdCtx> eventfd;   // eventfd files: the counter
  std::optional<TimerfdCtx> timerfd;   // timerfd files: the timer
  // Signalfd files: the signals it reads (bit n-1: signal n; SIGKILL and
  // SIGSTOP never). Kernel: signalfd_ctx.sigmask (stored inverted there).
  uint64_t sigmask = 0;
  SockId sock = 0;    // sockets: the socket
  uint64_t pos = 0;   // kRegular: Kernel: f_pos
  bool fifo = false;  // pipe files: opened by name (fifo_open), not pipe2
  // Pipe read files: the w_counter an O_NONBLOCK reader saw when it opened
  // with no writer (EPOLLHUP is suppressed until a writer has come), else 0.
  // Kernel: f_pipe (f_version before 6.12).
  uint32_t pipe_version = 0;
  uint32_t proc = 0;  // pidfds: the child process (World::procs)
  friend bool operator==(const File&, const File&) = default;
};

struct World {
  Profile profile;
  std::map<int32_t, FileId> fd_table;  // Kernel: files_struct fdtable
  std::map<FileId, File> files;
  std::map<PipeId, PipeState> pipes;
  std::map<SockId, UnixSock> socks;  // released ones stay while referenced
  // Bound abstract names by (socket type, name): the hash includes the type,
  // so a STREAM and a DGRAM socket may hold the same name. Kernel:
  // unix_socket_table (unix_abstract_hash).
  std::map<std::pair<uint32_t, int32_t>, SockId> unix_names;
  std::map<SockId, InetSock> inet_socks;  // AF_INET sockets, by SockId
  // Names bound by AF_INET sockets, by (tcp, name): the socket whose bind
  // gave the name its port (it keeps the name while InetSock::name says so).
  std::map<std::pair<bool, int32_t>, SockId> inet_names;
  // The size of the sequence's one regular file (open_file(regular) opens
  // it; it starts empty). Kernel: i_size.
  uint64_t regular_size = 0;
  // The pipe of the sequence's one FIFO while some file has it open (0: none;
  // the last close frees it, data and size included). Kernel: i_pipe.
  PipeId fifo_pipe = 0;
  // RLIMIT_NOFILE's soft limit as setrlimit_nofile set it for the rest of
  // the sequence (unset: the profile's fd_limit). Kernel: signal->rlim.
  std::optional<int64_t> nofile;
  // Signals pending for the sequence's thread: how many of each (a standard
  // signal once at most, legacy_queue; a real-time one queues). Kernel:
  // current->pending.
  std::map<int32_t, uint32_t> pending;
  // Epoll items watching a signalfd, in wait-queue order: every signalfd
  // polls this one queue of the process. Kernel: sighand->signalfd_wqh.
  std::vector<WaitEntry> signalfd_wqh;
  // The children forked by the sequence, reaped ones included (their pid
  // lives while a pidfd refers to it).
  std::map<ProcId, ChildProc> procs;
  uint32_t next_id = 1;  // next FileId / PipeId / SockId

  // The file open at `fd`, if any.
  const File* FileAt(int32_t fd) const;
  std::optional<FileId> FileIdAt(int32_t fd) const;
  // The file fdget() gets at `fd`: FileIdAt's, but never an O_PATH one.
  // Linux: fs/file.c __fget_light(fd, FMODE_PATH).
  std::optional<FileId> FdgetAt(int32_t fd) const;
  bool IsOpen(int32_t fd) const { return fd_table.count(fd) != 0; }
  bool IsEpollFd(int32_t fd) const;
  // RLIMIT_NOFILE (soft) now: `nofile` if set, else the profile's.
  int64_t FdLimit() const { return nofile.value_or(profile.fd_limit); }
  friend bool operator==(const World&, const World&) = default;
};

// Writes the fd table, each pipe's occupancy and each epoll instance's items
// and ready list, one object per line (for divergence reports).
std::ostream& operator<<(std::ostream& os, const World& world);

}  // namespace epollcheck
