// AF_UNIX sockets: socketpairs, and sockets joined over abstract names
// (bind, listen, connect with its embryo sock, accept, sendto, non-mutual
// datagram peers with the peer_wait relay). Linux 6.18: net/unix/af_unix.c,
// net/core/sock.c, net/core/skbuff.c, net/core/datagram.c, with
// CONFIG_AF_UNIX_OOB (MSG_OOB on SOCK_STREAM: queue_oob, manage_oob,
// unix_stream_recv_urg; no SO_OOBINLINE). Not simulated: filesystem names,
// autobind, SCM rights and credentials, SO_PEEK_OFF, timeouts
// (SO_SNDTIMEO/SO_RCVTIMEO: a blocking call waits without limit), signals
// other than SIGPIPE (SIGURG), the fd garbage collector.
//
// LOCKING (per struct sock; the kernel's names in brackets):
//  1. UnixSock::iolock [u->iolock]: serialises the receivers of one socket;
//     guards `consumed` of the skbs on its receive queue. A receiver holds it
//     while it unlinks and frees an skb, never while it sleeps.
//  2. UnixSock::lock [unix_state_lock, u->lock]: `peer`, and the writes of
//     sk_state, sk_shutdown and sk_max_ack_backlog. A sender holds the
//     receiver's lock across "is it alive, is its receive side open" and
//     the queueing, so a release or shutdown cannot slip in between. Two
//     socks' locks are held at once only as the kernel does: datagram
//     connect and a datagram send to a full peer (unix_state_double_lock,
//     the lower address first) and stream connect (the listener's, then
//     ours, U_LOCK_SECOND; a connecting socket is never a listener).
//  3. UnixSock::rq_lock [sk_receive_queue.lock]: the receive queue (a
//     list of skbs, like struct sk_buff_head) and oob_skb (queue_oob sets
//     it holding the receiver's lock too; manage_oob and
//     unix_stream_recv_urg clear it; poll reads it lockless). Senders append
//     holding the receiver's lock too, and only the receiver holding iolock
//     (or a release or purge, when no receiver runs) unlinks, so the stream
//     receiver peeks (the head, the next skb, the tail) under lock alone,
//     like the kernel's skb_peek under unix_state_lock.
//  4. The socket's wait queue (struct socket_wq) has its own lock. sk_wq
//     points at it until sock_orphan clears it; wakers read sk_wq locklessly
//     (the kernel's RCU). The queue lives as long as the sock here (the
//     kernel frees it an RCU grace period after the file), so a waker that
//     read sk_wq just before the orphaning wakes an empty queue: the file's
//     epoll items were removed before its release, and nobody sleeps on a
//     file without holding a reference to it.
//  5. UnixSock::peer_wait [u->peer_wait] has its own lock, which also
//     guards whose peer_wait a sock's peer_wake relay hangs on
//     (peer_wake.private). The relay runs under it and wakes its own sock's
//     wait queue.
//  6. UnixSock::bindlock [u->bindlock] serialises binds of one socket;
//     UnixTable::lock [the unix_table locks] guards the name table; u->addr
//     is set once under both and then only read.
//  Order: iolock -> lock -> rq_lock; lock -> peer_wait's lock -> the wait
//  queue's lock -> (ep_poll_callback) ep->lock_; bindlock -> the table
//  lock (a leaf). Poll runs under ep->mtx_, takes lock at most
//  (unix_dgram_poll, and peer_wait's lock under it for the relay) and
//  reads the rest lockless (atomics: the kernel's READ_ONCE). No wakeup is
//  made under rq_lock. As in the kernel, iolock and bindlock are mutexes
//  (a reader holds iolock across its copy to user memory), and lock,
//  rq_lock, the wait queues' locks and the table lock are spinlocks
//  (sut/sim/spinlock.h).
//  Lifetimes: a sock lives while sk_refcnt > 0 (its socket file, or for an
//  embryo its creation reference until it is accepted or released with its
//  listener; and a peer pointing at it) and then until sk_wmem_alloc drops
//  to 0 (skbs it sent still queued somewhere, e.g. an embryo's connection
//  skb on its listener), exactly like sk_free / __sk_free. The name table
//  holds no reference: a sock leaves it in unix_release_sock, before its
//  socket reference goes.

#include "sut/sim/unix.h"

#include <algorithm>
#include <atomic>
#include <bit>
#include <climits>
#include <cstring>
#include <mutex>
#include <new>

#include "model/abi.h"
#include "model/check.h"
#include "sut/sim/sim_kernel.h"
#include "sut/sim/smp.h"
#include "sut/sim/spinlock.h"
#include "sut/sim/wait_queue.h"

namespace epollcheck::sim {
namespace {

// --- Build constants (x86-64, Linux 6.18, 4 KiB pages). ---
constexpr uint32_t kPageSize = abi::kPageSize;
// SKB_DATA_ALIGN(sizeof(struct sk_buff)).
constexpr uint32_t kSkBuffSize = 256;
// SKB_DATA_ALIGN(sizeof(struct skb_shared_info)).
constexpr uint32_t kShinfoSize = 320;
// SMP_CACHE_BYTES: SKB_DATA_ALIGN's unit.
constexpr uint32_t kSmpCacheBytes = 64;
// The smallest slab object an skb head comes from (a head is at least
// kShinfoSize bytes, so it never fits a smaller kmalloc cache).
constexpr uint32_t kSmallestHeadObject = 512;
// MAX_SKB_FRAGS.
constexpr uint32_t kMaxSkbFrags = 17;
// SKB_WITH_OVERHEAD(PAGE_SIZE << order - x): SKB_MAX_HEAD(0), SKB_MAX_ALLOC.
constexpr uint32_t kSkbMaxHead0 = kPageSize - kShinfoSize;
constexpr uint32_t kSkbMaxAlloc = (kPageSize << 2) - kShinfoSize;
// UNIX_SKB_FRAGS_SZ (PAGE_SIZE << get_order(32768)) and that order.
constexpr uint32_t kUnixSkbFragsSz = 32768;
constexpr int kUnixSkbFragsOrder = 3;
// PAGE_ALLOC_COSTLY_ORDER.
constexpr int kPageAllocCostlyOrder = 3;
// TCP_SKB_MIN_TRUESIZE, and SOCK_MIN_SNDBUF / SOCK_MIN_RCVBUF from it.
constexpr int kTcpSkbMinTruesize = 2048 + static_cast<int>(kSkBuffSize);
constexpr int kSockMinSndbuf = 2 * kTcpSkbMinTruesize;
constexpr int kSockMinRcvbuf = kTcpSkbMinTruesize;

// sk_state values. Linux: include/net/tcp_states.h.
constexpr int kTcpEstablished = 1;
constexpr int kTcpClose = 7;
constexpr int kTcpListen = 10;

// Wakeup keys. Linux: sock_def_readable, unix_write_space.
constexpr uint32_t kReadableKey =
    abi::kEpollIn | abi::kEpollPri | abi::kEpollRdNorm | abi::kEpollRdBand;
constexpr uint32_t kWritableKey =
    abi::kEpollOut | abi::kEpollWrNorm | abi::kEpollWrBand;

uint32_t PageAlign(uint32_t n) {
  return (n + kPageSize - 1) & ~(kPageSize - 1);
}

// Linux: kmalloc_size_roundup as kmalloc_reserve sees it: power-of-two
// caches up to KMALLOC_MAX_CACHE_SIZE, then whole page orders (also powers
// of two).
uint32_t KmallocSizeRoundup(uint32_t size) {
  return std::max(kSmallestHeadObject, std::bit_ceil(size));
}

struct SkbQueueTag;  // Skb's link on a receive queue (skb->next, skb->prev)

// Linux: struct sk_buff, with UNIXCB(skb).consumed. The payload follows
// the struct in the same block, flat; `data_len` says how much of it the
// kernel would hold in page frags (it only matters for truesize). The
// queue link is guarded by the queue's lock (see LOCKING).
// The struct is cache-line aligned, so the payload after it is too.
struct alignas(64) Skb : ListNode<SkbQueueTag> {
  uint32_t len = 0;       // skb->len: payload bytes
  uint32_t data_len = 0;  // skb->data_len: bytes in page frags
  uint32_t truesize = 0;  // skb->truesize: charged to `sk`
  // UNIXCB(skb).consumed: bytes a stream reader took; guarded by the
  // receiver's iolock.
  uint32_t consumed = 0;
  UnixSock* sk = nullptr;  // skb->sk (skb_set_owner_w; destructor sock_wfree)
  size_t capacity = 0;     // payload bytes the block has room for

  std::byte* data() { return reinterpret_cast<std::byte*>(this + 1); }
};

// Linux: struct sk_buff_head (without its lock and qlen, which the sock
// keeps beside it).
using SkbQueue = IntrusiveList<Skb, SkbQueueTag>;

// Per-thread freelists of skb blocks by size class (room for 64 bytes of
// payload, 128, ... 64 KiB), like the slab allocator's per-CPU freelists of
// the kmalloc caches that the kernel's skb heads come from: a block freed by
// a receiver is the next send's, without a trip to malloc. A few blocks per
// class are kept; larger blocks are not cached. Freed with the thread.
class SkbCache {
public:
  SkbCache() = default;
  SkbCache(const SkbCache&) = delete;
  SkbCache& operator=(const SkbCache&) = delete;
  ~SkbCache() {
    for (FreeBlock*& head : free_) {
      while (FreeBlock* block = head) {
        head = block->next;
        Release(block);
      }
    }
  }
  // A new Skb with room for `len` payload bytes.
  Skb* Alloc(uint32_t len) {
    const int c = ClassOf(len);
    void* memory = nullptr;
    size_t capacity = 0;
    if (c < kClasses) {
      capacity = kMinRoom << c;
      if (FreeBlock* block = free_[c]) {
        free_[c] = block->next;
        --count_[c];
        memory = block;
      }
    } else {
      capacity = (size_t{len} + kMinRoom - 1) & ~(kMinRoom - 1);
    }
    if (memory == nullptr)
      memory = ::operator new(sizeof(Skb) + capacity, kAlign);
    auto* skb = new (memory) Skb;
    skb->capacity = capacity;
    return skb;
  }
  void Free(Skb* skb) {
    const size_t capacity = skb->capacity;
    skb->~Skb();
    const int c = ClassOf(capacity);
    if (c < kClasses && (kMinRoom << c) == capacity && count_[c] < kPerClass) {
      auto* block = new (static_cast<void*>(skb)) FreeBlock;
      block->next = free_[c];
      free_[c] = block;
      ++count_[c];
    } else {
      Release(skb);
    }
  }

private:
  struct FreeBlock {
    FreeBlock* next = nullptr;
  };
  static constexpr size_t kMinRoom = 64;  // the smallest class
  static constexpr int kClasses = 11;     // 64 << 10 = 64 KiB
  static constexpr int kPerClass = 8;
  static constexpr std::align_val_t kAlign{alignof(Skb)};
  // The class whose room fits `len`: 0 for up to 64 bytes, c for up to
  // 64 << c.
  static int ClassOf(size_t len) {
    return len <= kMinRoom ? 0
                           : static_cast<int>(std::bit_width(len - 1)) -
                                 std::countr_zero(kMinRoom);
  }
  static void Release(void* memory) { ::operator delete(memory, kAlign); }

  FreeBlock* free_[kClasses] = {};  // one freelist per class
  int count_[kClasses] = {};        // their lengths
};

thread_local SkbCache skb_cache;

}  // namespace

SocketFile::SocketFile(SimKernel* kernel, uint32_t f_mode, uint32_t f_flags)
    : File(kernel, f_mode, f_flags) {
  socket_ = this;
  inode_ = SimInode{.sdev = SimKernel::kSockfsDev, .ino = kernel->NextIno()};
}

// The sock and what it embeds are outside the anonymous namespace only so
// that SimKernel's UnixTable can name the sock.

// Linux: struct unix_address: a bound name, shared (refcnt) by a listener
// and the sockets accepted from it.
struct UnixAddress {
  std::atomic<int> refcnt{1};
  std::string name;  // sun_path's first addrlen - 2 bytes (abstract: "\0...")
};

// Linux: unix_release_addr.
void UnixReleaseAddr(UnixAddress* addr) {
  if (addr != nullptr && AtomicFetchSub(addr->refcnt, 1) == 1)
    delete addr;
}

// Linux: u->peer_wake, the entry a datagram socket hangs on its peer's
// peer_wait while that peer's queue is full (unix_dgram_peer_wake_me), with
// unix_dgram_peer_wake_relay as its function: a wakeup there unhooks it and
// is passed on to our own wait queue with the same key, so our pollers
// learn that the peer has room.
class PeerWakeEntry final : public WaitQueueEntry {
public:
  explicit PeerWakeEntry(UnixSock* u) : u_(u) {}
  int Wake(uint32_t key) override;
  // peer_wake.private: the sock whose peer_wait holds the entry, or null.
  // Written under that sock's peer_wait lock; atomic because
  // unix_dgram_peer_wake_connect tests it under the lock of the sock it is
  // about to hook on, which may be another one.
  std::atomic<UnixSock*> private_{nullptr};

private:
  UnixSock* const u_;
};

// Linux: struct unix_sock (with its struct sock).
class UnixSock {
public:
  UnixSock(SimKernel* kernel, int type) : kernel_(kernel), type_(type) {
    const SimConfig& c = kernel->config();
    sk_sndbuf.store(c.wmem_default, std::memory_order_relaxed);
    sk_rcvbuf.store(c.rmem_default, std::memory_order_relaxed);
    // unix_create1: sk_max_ack_backlog = sysctl_max_dgram_qlen.
    max_ack_backlog.store(c.max_dgram_qlen, std::memory_order_relaxed);
    sk_wq.store(&wq, std::memory_order_relaxed);  // until a file is grafted
    AtomicFetchAdd(kernel_->live_socks_, 1, std::memory_order_relaxed);
  }
  ~UnixSock() {
    EP_CHECK(receive_queue.Empty());
    EP_CHECK(peer_wake.Unlinked());
    UnixReleaseAddr(addr.load(std::memory_order_relaxed));
    AtomicFetchSub(kernel_->live_socks_, 1, std::memory_order_relaxed);
  }
  UnixSock(const UnixSock&) = delete;
  UnixSock& operator=(const UnixSock&) = delete;

  SimKernel* kernel() const { return kernel_; }
  int type() const { return type_; }  // sk->sk_type; immutable

  std::mutex iolock;  // u->iolock
  SpinLock lock;      // u->lock (unix_state_lock)
  SpinLock rq_lock;   // sk_receive_queue.lock
  // sk_receive_queue; guarded by rq_lock (see LOCKING). rq_len (qlen) is its
  // length for lockless readers (skb_queue_empty_lockless,
  // skb_queue_len_lockless).
  SkbQueue receive_queue;
  std::atomic<uint32_t> rq_len{0};
  // u->oob_skb: the pending out-of-band skb, one of receive_queue's (SOCK_
  // STREAM only), or null. Written under rq_lock (see LOCKING); unix_poll
  // reads it locklessly (READ_ONCE) for EPOLLPRI.
  std::atomic<Skb*> oob_skb{nullptr};
  // unix_peer(sk): holds a sk_refcnt on the peer. Written under `lock`.
  std::atomic<UnixSock*> peer{nullptr};
  // The socket's wait queue (struct socket_wq's wait): the file's pollers
  // and sleepers.
  WaitQueueHead wq;
  // sk->sk_wq: &wq from sock_graft until sock_orphan.
  std::atomic<WaitQueueHead*> sk_wq{nullptr};
  std::atomic<int> sk_refcnt{1};  // sk->sk_refcnt: the socket's reference
  // sk->sk_wmem_alloc: 1 (sk_alloc) + the truesize of every skb this sock
  // sent that is not freed yet.
  std::atomic<uint32_t> sk_wmem_alloc{1};
  // sk->sk_sndbuf, sk->sk_rcvbuf, sk->sk_rcvlowat: written by setsockopt
  // without a lock (WRITE_ONCE), read locklessly.
  std::atomic<int> sk_sndbuf{0};
  std::atomic<int> sk_rcvbuf{0};
  std::atomic<int> sk_rcvlowat{1};
  // sk->sk_shutdown: RCV_SHUTDOWN | SEND_SHUTDOWN; written under `lock`.
  std::atomic<uint8_t> sk_shutdown{0};
  // sk->sk_err (a positive errno): set under `lock` (unix_release_sock of
  // the peer), read and cleared locklessly by sock_error.
  std::atomic<int> sk_err{0};
  // sk->sk_state: TCP_CLOSE until unix_socketpair; written under `lock`.
  std::atomic<int> sk_state{kTcpClose};
  std::atomic<bool> dead{false};    // sock_flag(sk, SOCK_DEAD)
  std::atomic<bool> linger{false};  // sock_flag(sk, SOCK_LINGER)
  std::atomic<long> lingertime{0};  // sk->sk_lingertime, in seconds here
  // sk->sk_max_ack_backlog: max_dgram_qlen, or a listener's backlog.
  // Written under `lock` (unix_listen), read locklessly
  // (unix_recvq_full_lockless).
  std::atomic<int> max_ack_backlog{0};
  // u->peer_wait: senders waiting for room in our receive queue (blocked
  // connects and sends, exclusive) and the peer_wake relays of datagram
  // sockets whose peer we are (non-exclusive). Woken when a datagram or a
  // connection is taken, when the backlog grows, and on release.
  WaitQueueHead peer_wait;
  PeerWakeEntry peer_wake{this};  // u->peer_wake (see PeerWakeEntry)
  // u->addr: the bound name (bind, or the listener's for an accepted
  // socket), set once under bindlock; released with the sock.
  std::atomic<UnixAddress*> addr{nullptr};
  std::mutex bindlock;  // u->bindlock

private:
  SimKernel* const kernel_;
  const int type_;
};

int PeerWakeEntry::Wake(uint32_t key) {
  // Linux: unix_dgram_peer_wake_relay (the waker holds the queue's lock).
  Unlink();  // __remove_wait_queue
  private_.store(nullptr, std::memory_order_relaxed);
  // "relaying can only happen while the wq still exists"
  if (WaitQueueHead* u_sleep = u_->sk_wq.load(std::memory_order_acquire))
    u_sleep->WakeUp(key, 1);  // wake_up_interruptible_poll
  return 0;
}

namespace {

bool ConnectionBased(const UnixSock* sk) {
  return sk->type() == abi::kSockStream || sk->type() == abi::kSockSeqpacket;
}

// Linux: sock_hold.
void SockHold(UnixSock* sk) {
  AtomicFetchAdd(sk->sk_refcnt, 1, std::memory_order_relaxed);
}

// Linux: __sk_free -> sk_destruct -> unix_sock_destructor.
void SkDestruct(UnixSock* sk) { delete sk; }

// Linux: sk_free: the base sk_wmem_alloc reference goes; the sock is freed
// now, or by the last sock_wfree of an skb it sent.
void SkFree(UnixSock* sk) {
  if (AtomicFetchSub(sk->sk_wmem_alloc, 1, std::memory_order_acq_rel) == 1)
    SkDestruct(sk);
}

// Linux: sock_put.
void SockPut(UnixSock* sk) {
  if (AtomicFetchSub(sk->sk_refcnt, 1, std::memory_order_acq_rel) == 1)
    SkFree(sk);
}

// Linux: sock_error: reads and clears sk_err; -errno or 0.
int SockError(UnixSock* sk) {
  if (sk->sk_err.load(std::memory_order_relaxed) == 0)
    return 0;
  return -sk->sk_err.exchange(0, std::memory_order_relaxed);
}

// Wakes the socket's wait queue, if it still has one with an entry. Linux:
// the rcu_dereference(sk->sk_wq) + skwq_has_sleeper + wake_up_* pattern of
// the sk callbacks. nr_exclusive 1 is wake_up_interruptible_sync_poll /
// _poll, 0 is wake_up_interruptible_all.
void WakeSkWq(UnixSock* sk, uint32_t key, int nr_exclusive) {
  WaitQueueHead* wq = sk->sk_wq.load(std::memory_order_acquire);
  if (wq != nullptr && wq->HasSleeper())
    wq->WakeUp(key, nr_exclusive);
}

// Linux: sock_def_readable (sk->sk_data_ready of AF_UNIX).
void SockDefReadable(UnixSock* sk) { WakeSkWq(sk, kReadableKey, 1); }

// Linux: sock_def_wakeup (sk->sk_state_change of AF_UNIX): no key, all.
void SockDefWakeup(UnixSock* sk) { WakeSkWq(sk, 0, 0); }

// Linux: unix_writable: a quarter of the send buffer or less in flight.
bool UnixWritable(const UnixSock* sk, int state) {
  return state != kTcpListen && (static_cast<uint64_t>(sk->sk_wmem_alloc.load(
                                     std::memory_order_relaxed))
                                 << 2) <=
                                    static_cast<uint64_t>(sk->sk_sndbuf.load(
                                        std::memory_order_relaxed));
}

// Linux: unix_write_space (sk->sk_write_space of AF_UNIX).
void UnixWriteSpace(UnixSock* sk) {
  if (UnixWritable(sk, sk->sk_state.load(std::memory_order_relaxed)))
    WakeSkWq(sk, kWritableKey, 1);
}

// Linux: sock_wfree (the destructor of an skb charged to its sender): the
// truesize goes back but for one reference kept across sk_write_space.
void SockWfree(Skb* skb) {
  UnixSock* sk = skb->sk;
  EP_CHECK(skb->truesize >= 1);
  const uint32_t before = AtomicFetchSub(sk->sk_wmem_alloc, skb->truesize - 1,
                                         std::memory_order_acq_rel);
  EP_CHECK(before >= skb->truesize);  // one reference is kept
  UnixWriteSpace(sk);
  if (AtomicFetchSub(sk->sk_wmem_alloc, 1, std::memory_order_acq_rel) == 1)
    SkDestruct(sk);  // "we must finish what sk_free() could not do"
}

// Linux: consume_skb / kfree_skb of an skb nobody else holds.
void KfreeSkb(Skb* skb) {
  if (skb->sk != nullptr)
    SockWfree(skb);
  skb_cache.Free(skb);
}

// Linux: __alloc_skb's truesize for a head of `size` bytes:
// SKB_TRUESIZE of the kmalloc-rounded SKB_DATA_ALIGN(size) + shinfo.
uint32_t HeadTruesize(uint32_t size) {
  const uint32_t aligned = (size + kSmpCacheBytes - 1) & ~(kSmpCacheBytes - 1);
  const uint32_t object = KmallocSizeRoundup(aligned + kShinfoSize);
  return object - kShinfoSize + kSkBuffSize + kShinfoSize;  // SKB_TRUESIZE
}

// Linux: skb_set_owner_w: the skb is charged to `sk` until sock_wfree.
void SkbSetOwnerW(Skb* skb, UnixSock* sk) {
  skb->sk = sk;
  AtomicFetchAdd(sk->sk_wmem_alloc, skb->truesize, std::memory_order_relaxed);
}

// Linux: sock_alloc_send_pskb: a pending error first (and cleared), then
// SEND_SHUTDOWN, then room (sk_wmem_alloc_get < sk_sndbuf), waiting for it
// unless `noblock`. Returns the new skb charged to `sk`, or null with *err.
Skb* SockAllocSendPskb(UnixSock* sk, WaitQueueHead* sleep, uint32_t header_len,
                       uint32_t data_len, bool noblock, int* err,
                       int max_page_order) {
  for (;;) {
    if (const int e = SockError(sk); e != 0) {
      *err = e;
      return nullptr;
    }
    if ((sk->sk_shutdown.load(std::memory_order_relaxed) &
         abi::kSendShutdown) != 0) {
      *err = -abi::kEpipe;
      return nullptr;
    }
    // sk_wmem_alloc_get: the refcount minus the base reference.
    if (sk->sk_wmem_alloc.load(std::memory_order_relaxed) - 1 <
        static_cast<uint32_t>(sk->sk_sndbuf.load(std::memory_order_relaxed))) {
      break;
    }
    if (noblock) {
      *err = -abi::kEagain;
      return nullptr;
    }
    // sock_wait_for_wmem.
    WaitEvent(*sleep, [sk] {
      return sk->sk_wmem_alloc.load(std::memory_order_acquire) <
                 static_cast<uint32_t>(
                     sk->sk_sndbuf.load(std::memory_order_acquire)) ||
             (sk->sk_shutdown.load(std::memory_order_acquire) &
              abi::kSendShutdown) != 0 ||
             sk->sk_err.load(std::memory_order_acquire) != 0;
    });
  }
  Skb* skb = skb_cache.Alloc(header_len + data_len);
  skb->len = header_len + data_len;
  skb->data_len = data_len;
  skb->truesize = SkbTruesize(header_len, data_len, max_page_order);
  SkbSetOwnerW(skb, sk);
  return skb;
}

// Linux: unix_skb_len: the bytes of `skb` a stream reader has not taken.
// Requires: the receiver's iolock or rq_lock held.
uint32_t UnixSkbLen(const Skb* skb) { return skb->len - skb->consumed; }

// Unlinks `skb` from `sk`'s receive queue. Linux: __skb_unlink.
// Requires: sk->rq_lock held.
void UnlinkLocked(UnixSock* sk, Skb* skb) {
  skb->ListNode<SkbQueueTag>::Unlink();
  sk->rq_len.store(sk->rq_len.load(std::memory_order_relaxed) - 1,
                   std::memory_order_release);
}

// Puts `skb` on `other`'s receive queue. Linux: skb_queue_tail.
// Requires: other->lock held.
void QueueTail(UnixSock* other, Skb* skb) {
  std::lock_guard<SpinLock> guard(other->rq_lock);
  other->receive_queue.PushBack(skb);
  other->rq_len.store(other->rq_len.load(std::memory_order_relaxed) + 1,
                      std::memory_order_release);
}

// Moves every skb of `sk`'s receive queue to the empty `all`. Linux: the
// skb_dequeue loop of skb_queue_purge / unix_release_sock.
void DequeueAll(UnixSock* sk, SkbQueue& all) {
  std::lock_guard<SpinLock> guard(sk->rq_lock);
  sk->receive_queue.SpliceInitToFront(all);
  sk->rq_len.store(0, std::memory_order_release);
}

// Linux: unix_recvq_full_lockless: more queued skbs than the backlog.
bool RecvqFull(const UnixSock* sk) {
  return sk->rq_len.load(std::memory_order_acquire) >
         static_cast<uint32_t>(
             sk->max_ack_backlog.load(std::memory_order_relaxed));
}

// Linux: unix_dgram_peer_wake_connect: hooks sk's relay on other's
// peer_wait unless it already hangs somewhere. True if it hooked it now.
bool PeerWakeConnect(UnixSock* sk, UnixSock* other) {
  std::lock_guard<SpinLock> guard(other->peer_wait.lock());
  if (sk->peer_wake.private_.load(std::memory_order_relaxed) != nullptr)
    return false;
  sk->peer_wake.private_.store(other, std::memory_order_relaxed);
  other->peer_wait.AddLocked(&sk->peer_wake);  // __add_wait_queue
  return true;
}

// Linux: unix_dgram_peer_wake_disconnect.
void PeerWakeDisconnect(UnixSock* sk, UnixSock* other) {
  std::lock_guard<SpinLock> guard(other->peer_wait.lock());
  if (sk->peer_wake.private_.load(std::memory_order_relaxed) == other) {
    sk->peer_wake.Unlink();  // __remove_wait_queue
    sk->peer_wake.private_.store(nullptr, std::memory_order_relaxed);
  }
}

// Linux: unix_dgram_peer_wake_disconnect_wakeup: unhooked, and our
// pollers hear that we may write (to get the error).
void PeerWakeDisconnectWakeup(UnixSock* sk, UnixSock* other) {
  PeerWakeDisconnect(sk, other);
  WakeSkWq(sk, kWritableKey, 1);  // wake_up_interruptible_poll(sk_sleep)
}

// Linux: unix_dgram_peer_wake_me: true if `other` (our peer) is full and
// alive, with our relay left on its peer_wait; otherwise unhooks a relay it
// just hooked and says false ("If other is SOCK_DEAD, we want to make sure
// we signal POLLOUT, such that a subsequent write() can get a
// -ECONNREFUSED.").
bool PeerWakeMe(UnixSock* sk, UnixSock* other) {
  const bool connected = PeerWakeConnect(sk, other);
  if (RecvqFull(other) && !other->dead.load(std::memory_order_relaxed))
    return true;
  if (connected)
    PeerWakeDisconnect(sk, other);
  return false;
}

// Linux: wake_up_interruptible*(&u->peer_wait, key): `nr_exclusive` 1 wakes
// one blocked sender and every relay, 0 all of them.
void WakePeerWait(UnixSock* sk, uint32_t key, int nr_exclusive) {
  if (sk->peer_wait.HasSleeper())
    sk->peer_wait.WakeUp(key, nr_exclusive);
}

// Linux: unix_may_send: `other` is unconnected or connected to us.
// Requires: other->lock held.
bool UnixMaySend(const UnixSock* sk, const UnixSock* other) {
  const UnixSock* peer = other->peer.load(std::memory_order_relaxed);
  return peer == nullptr || peer == sk;
}

// Linux: unix_peer_get: our peer with a reference, or null.
UnixSock* UnixPeerGet(UnixSock* sk) {
  std::lock_guard<SpinLock> state(sk->lock);
  UnixSock* other = sk->peer.load(std::memory_order_relaxed);
  if (other != nullptr)
    SockHold(other);
  return other;
}

// Linux: unix_state_double_lock: both socks' locks, the lower address
// first; one lock if they are the same sock. `a` and `b` must be deferred
// unique_locks of a->lock and b->lock.
void StateDoubleLock(UnixSock* a, std::unique_lock<SpinLock>& la, UnixSock* b,
                     std::unique_lock<SpinLock>& lb) {
  if (a == b) {
    la.lock();
    return;
  }
  if (a < b) {
    la.lock();
    lb.lock();
  } else {
    lb.lock();
    la.lock();
  }
}

// Linux: unix_validate_addr: a family and at least one byte of sun_path.
int UnixValidateAddr(const SockaddrUn* addr, uint32_t addr_len) {
  if (addr_len <= offsetof(SockaddrUn, sun_path) || addr_len > sizeof *addr)
    return -abi::kEinval;
  if (addr == nullptr)
    return -abi::kEfault;  // (the syscall's copy in)
  if (addr->sun_family != abi::kAfUnix)
    return -abi::kEinval;
  return 0;
}

// The table key of a validated address: its sun_path bytes.
std::string AddrName(const SockaddrUn* addr, uint32_t addr_len) {
  return std::string(addr->sun_path, addr_len - offsetof(SockaddrUn, sun_path));
}

// Linux: unix_find_other: the bound sock of `type` with this (validated)
// name, with a reference; null with *err = -ECONNREFUSED if there is none
// (abstract), -ENOENT for a filesystem name (no filesystem is simulated, so
// every path lookup fails).
UnixSock* UnixFindOther(SimKernel* kernel, const SockaddrUn* addr,
                        uint32_t addr_len, int type, int* err) {
  if (addr->sun_path[0] != '\0') {
    *err = -abi::kEnoent;  // unix_find_bsd: kern_path
    return nullptr;
  }
  UnixTable& table = kernel->unix_table_;
  std::lock_guard<SpinLock> guard(table.lock);  // unix_find_socket_byname
  auto it = table.abstract.find({type, AddrName(addr, addr_len)});
  if (it == table.abstract.end()) {
    *err = -abi::kEconnrefused;
    return nullptr;
  }
  SockHold(it->second);
  return it->second;
}

// Linux: unix_remove_socket: out of the table, if it is in it (an accepted
// socket shares its listener's address without being hashed).
void UnixRemoveSocket(UnixSock* sk) {
  const UnixAddress* addr = sk->addr.load(std::memory_order_acquire);
  if (addr == nullptr)
    return;
  UnixTable& table = sk->kernel()->unix_table_;
  std::lock_guard<SpinLock> guard(table.lock);
  auto it = table.abstract.find({sk->type(), addr->name});
  if (it != table.abstract.end() && it->second == sk)
    table.abstract.erase(it);
}

// Linux: unix_dgram_disconnected: our queue held what `other` (our old
// peer) could have sent; it is purged, blocked senders and relays hear of
// the room, and if `other` still points at us it gets ECONNRESET
// (sk_error_report: an ERR-keyed wakeup).
void UnixDgramDisconnected(UnixSock* sk, UnixSock* other) {
  bool purged = false;
  {
    // (The kernel's peeking readers hold skb references; here they hold
    // the iolock, so the purge waits for them.)
    std::lock_guard<std::mutex> io(sk->iolock);
    SkbQueue lost;
    DequeueAll(sk, lost);  // skb_queue_purge
    while (Skb* skb = lost.PopFront()) {
      KfreeSkb(skb);
      purged = true;
    }
  }
  if (!purged)
    return;
  WakePeerWait(sk, 0, 0);  // wake_up_interruptible_all
  if (!other->dead.load(std::memory_order_relaxed) &&
      other->peer.load(std::memory_order_relaxed) == sk) {
    other->sk_err.store(abi::kEconnreset, std::memory_order_relaxed);
    WakeSkWq(other, abi::kEpollErr, 1);  // sock_def_error_report
  }
}

// Linux: unix_release_sock(sk, embrion): out of the name table, orphaned
// and shut down; blocked senders and relays are woken; a connection-based
// peer is shut down too (and gets ECONNRESET if we leave unread data or
// were never accepted); the receive queue is flushed, releasing the embryos
// of a listener's pending connections. Drops the socket's reference.
void UnixReleaseSock(UnixSock* sk, bool embrion) {
  UnixRemoveSocket(sk);
  UnixSock* skpair = nullptr;
  int state = 0;
  {
    std::lock_guard<SpinLock> guard(sk->lock);
    // sock_orphan: no more wakeups through our wait queue.
    sk->dead.store(true, std::memory_order_relaxed);
    sk->sk_wq.store(nullptr, std::memory_order_release);
    sk->sk_shutdown.store(abi::kShutdownMask, std::memory_order_relaxed);
    state = sk->sk_state.exchange(kTcpClose, std::memory_order_relaxed);
    skpair = sk->peer.exchange(nullptr, std::memory_order_acq_rel);
  }
  sk->oob_skb.store(nullptr, std::memory_order_relaxed);  // u->oob_skb = NULL
  WakePeerWait(sk, 0, 0);  // wake_up_interruptible_all(&u->peer_wait)
  if (skpair != nullptr) {
    if (ConnectionBased(sk)) {
      // "Don't set -ECONNRESET for consumed OOB skb": a first skb with
      // nothing left to read does not count, the next one does.
      bool unread = false;
      {
        std::lock_guard<SpinLock> q(sk->rq_lock);
        if (Skb* head = sk->receive_queue.Front())
          unread = UnixSkbLen(head) != 0 || sk->receive_queue.Next(head);
      }
      {
        std::lock_guard<SpinLock> pair_state(skpair->lock);
        // "No more writes."
        skpair->sk_shutdown.store(abi::kShutdownMask,
                                  std::memory_order_relaxed);
        if (unread || embrion)
          skpair->sk_err.store(abi::kEconnreset, std::memory_order_relaxed);
      }
      SockDefWakeup(skpair);  // skpair->sk_state_change
    }
    PeerWakeDisconnect(sk, skpair);
    SockPut(skpair);  // unix_peer's reference: "It may now die"
  }
  // "Try to flush out this socket. Throw out buffers at least."
  SkbQueue flushed;
  DequeueAll(sk, flushed);
  while (Skb* skb = flushed.PopFront()) {
    if (state == kTcpListen)
      UnixReleaseSock(skb->sk, true);  // the embryo the skb carries
    KfreeSkb(skb);
  }
  SockPut(sk);  // the socket's reference
}

// The socket file. Linux: struct socket (sock->wq, sock->sk, the proto_ops
// of its type) and the file sock_alloc_file made for it.
class UnixSocketFile final : public SocketFile {
public:
  UnixSocketFile(SimKernel* kernel, UnixSock* sk, uint32_t f_flags)
      : SocketFile(kernel, kFmodeRead | kFmodeWrite, f_flags), sk_(sk) {
    sk->sk_wq.store(&sk->wq, std::memory_order_release);  // sock_graft
  }
  ~UnixSocketFile() override { EP_CHECK(sk_ == nullptr); }

  bool CanRead() const override { return true; }
  bool CanWrite() const override { return true; }
  // Linux: sock_read_iter: "Match SYS5 behaviour" for a 0-byte read.
  int64_t Read(void* buf, size_t count) override {
    if (count == 0)
      return 0;
    return Recvmsg(buf, count, NonblockFlag());
  }
  // Linux: sock_write_iter (MSG_EOR for SOCK_SEQPACKET changes nothing here).
  int64_t Write(const void* buf, size_t count) override {
    return Sendmsg(buf, count, NonblockFlag(), nullptr, 0);
  }
  uint32_t Poll(PollTable* pt) override;  // sock_poll
  void Release() override;                // sock_close -> unix_release

  int64_t Sendmsg(const void* buf, size_t len, uint32_t flags,
                  const SockaddrUn* msg_name, uint32_t msg_namelen) override;
  int64_t Recvmsg(void* buf, size_t len, uint32_t flags) override;
  int Bind(const SockaddrUn* addr, uint32_t addrlen) override;
  int Listen(int backlog) override;
  int Connect(const SockaddrUn* addr, uint32_t addrlen,
              uint32_t f_flags) override;
  int Accept(uint32_t f_flags, uint32_t new_f_flags, FileRef* newfile) override;
  int Shutdown(int how) override;
  int Setsockopt(int optname, const void* optval, uint32_t optlen) override;
  int Getsockopt(int optname, void* optval, uint32_t* optlen) override;

private:
  uint32_t NonblockFlag() const {
    return (f_flags() & abi::kONonblock) != 0 ? abi::kMsgDontwait : 0;
  }
  int64_t StreamSendmsg(const std::byte* buf, uint32_t len, uint32_t flags,
                        uint32_t msg_namelen);
  int64_t DgramSendmsg(const std::byte* buf, uint32_t len, uint32_t flags,
                       const SockaddrUn* msg_name, uint32_t msg_namelen);
  int StreamConnect(const SockaddrUn* addr, uint32_t addrlen, uint32_t f_flags);
  int DgramConnect(const SockaddrUn* addr, uint32_t addrlen);
  int QueueOob(const std::byte* buf, UnixSock* other, bool noblock);
  int64_t StreamReadGeneric(std::byte* buf, uint32_t size, uint32_t flags);
  int64_t StreamRecvUrg(std::byte* buf, uint32_t size, uint32_t flags);
  int64_t DgramRecvmsg(std::byte* buf, uint32_t size, uint32_t flags);
  uint32_t StreamPoll();
  uint32_t DgramPoll(const PollTable* pt);

  // Linux: sock->sk; cleared by Release. Only the file's own calls use it,
  // and they hold a reference to the file, so it is set while they run.
  UnixSock* sk_;
};

// Linux: queue_oob: the out-of-band byte as a 1-byte skb of its own (from
// sock_alloc_send_skb: order-0, no frags), queued on `other` as its new
// oob_skb (a previous one stays queued as ordinary data).
int UnixSocketFile::QueueOob(const std::byte* buf, UnixSock* other,
                             bool noblock) {
  UnixSock* sk = sk_;
  int err = 0;
  Skb* skb = SockAllocSendPskb(sk, &sk->wq, 1, 0, noblock, &err, 0);
  if (skb == nullptr)
    return err;
  std::memcpy(skb->data(), buf, 1);  // skb_copy_datagram_from_iter
  {
    std::unique_lock<SpinLock> other_lock(other->lock);
    if (other->dead.load(std::memory_order_relaxed) ||
        (other->sk_shutdown.load(std::memory_order_relaxed) &
         abi::kRcvShutdown) != 0) {
      other_lock.unlock();  // out_unlock
      KfreeSkb(skb);        // consume_skb
      return -abi::kEpipe;
    }
    std::lock_guard<SpinLock> q(other->rq_lock);
    other->oob_skb.store(skb, std::memory_order_release);
    other->receive_queue.PushBack(skb);  // __skb_queue_tail
    other->rq_len.store(other->rq_len.load(std::memory_order_relaxed) + 1,
                        std::memory_order_release);
    // sk_send_sigurg: SIGURG and SOCK_WAKE_URG only (no signals here).
  }
  SockDefReadable(other);  // other->sk_data_ready
  return 0;
}

// Linux: unix_stream_sendmsg. With MSG_OOB the last byte is held back and
// sent by queue_oob once the rest is queued.
int64_t UnixSocketFile::StreamSendmsg(const std::byte* buf, uint32_t len,
                                      uint32_t flags, uint32_t msg_namelen) {
  UnixSock* sk = sk_;
  const bool oob = (flags & abi::kMsgOob) != 0;
  if (oob) {
    if (len == 0)
      return -abi::kEopnotsupp;
    --len;
  }
  if (msg_namelen != 0) {
    return sk->sk_state.load(std::memory_order_relaxed) == kTcpEstablished
               ? -abi::kEisconn
               : -abi::kEopnotsupp;
  }
  UnixSock* other = sk->peer.load(std::memory_order_acquire);
  if (other == nullptr)
    return -abi::kEnotconn;
  if ((sk->sk_shutdown.load(std::memory_order_relaxed) & abi::kSendShutdown) !=
      0) {
    if ((flags & abi::kMsgNosignal) == 0)
      SendSigpipe();  // send_sig(SIGPIPE, current, 0)
    return -abi::kEpipe;
  }
  const bool noblock = (flags & abi::kMsgDontwait) != 0;
  uint32_t sent = 0;
  int err = 0;
  while (sent < len) {
    // "Keep two messages in the pipe so it schedules better", and "allow
    // fallback to order-0 allocations".
    const int64_t room =
        (static_cast<int64_t>(sk->sk_sndbuf.load(std::memory_order_relaxed)) >>
         1) -
        64;
    const auto size = static_cast<uint32_t>(
        std::min<int64_t>({static_cast<int64_t>(len - sent), room,
                           int64_t{kSkbMaxHead0} + kUnixSkbFragsSz}));
    uint32_t data_len = size > kSkbMaxHead0 ? size - kSkbMaxHead0 : 0;
    data_len = std::min(size, PageAlign(data_len));
    Skb* skb = SockAllocSendPskb(sk, &sk->wq, size - data_len, data_len,
                                 noblock, &err, kUnixSkbFragsOrder);
    if (skb == nullptr)
      break;
    if (size != 0)
      std::memcpy(skb->data(), buf + sent,
                  size);  // skb_copy_datagram_from_iter
    {
      std::unique_lock<SpinLock> other_lock(other->lock);
      if (other->dead.load(std::memory_order_relaxed) ||
          (other->sk_shutdown.load(std::memory_order_relaxed) &
           abi::kRcvShutdown) != 0) {
        other_lock.unlock();  // out_pipe
        if (sent == 0 && (flags & abi::kMsgNosignal) == 0)
          SendSigpipe();  // before the skb is freed
        KfreeSkb(skb);
        err = -abi::kEpipe;
        break;
      }
      QueueTail(other, skb);
    }
    SockDefReadable(other);  // other->sk_data_ready
    sent += size;
  }
  if (err == 0 && oob) {
    err = QueueOob(buf + len, other, noblock);
    if (err == 0)
      ++sent;
  }
  return sent != 0 ? static_cast<int64_t>(sent) : err;
}

// Linux: unix_seqpacket_sendmsg (its checks) and unix_dgram_sendmsg: to
// `msg_name` if given (looked up again if that sock died meanwhile), else
// to the peer. A receiver that is not connected to us and has more than
// its backlog queued makes us wait on its peer_wait, or, non-blocking, fail
// with EAGAIN after hooking our relay on it if it is our peer.
int64_t UnixSocketFile::DgramSendmsg(const std::byte* buf, uint32_t len,
                                     uint32_t flags, const SockaddrUn* msg_name,
                                     uint32_t msg_namelen) {
  UnixSock* sk = sk_;
  if (sk->type() == abi::kSockSeqpacket) {
    if (const int err = SockError(sk); err != 0)
      return err;
    if (sk->sk_state.load(std::memory_order_relaxed) != kTcpEstablished)
      return -abi::kEnotconn;
    msg_namelen = 0;  // "if (msg->msg_namelen) msg->msg_namelen = 0;"
  }
  if ((flags & abi::kMsgOob) != 0)
    return -abi::kEopnotsupp;
  if (msg_namelen != 0) {
    if (const int err = UnixValidateAddr(msg_name, msg_namelen); err != 0)
      return err;
  }
  if (static_cast<int64_t>(len) >
      static_cast<int64_t>(sk->sk_sndbuf.load(std::memory_order_relaxed)) -
          32) {
    return -abi::kEmsgsize;
  }
  uint32_t data_len = 0;
  if (len > kSkbMaxAlloc)
    data_len =
        PageAlign(std::min(len - kSkbMaxAlloc, kMaxSkbFrags * kPageSize));
  const bool noblock = (flags & abi::kMsgDontwait) != 0;
  int err = 0;
  Skb* skb = SockAllocSendPskb(sk, &sk->wq, len - data_len, data_len, noblock,
                               &err, kPageAllocCostlyOrder);
  if (skb == nullptr)
    return err;
  if (len != 0)
    std::memcpy(skb->data(), buf, len);
  // Each round is one lookup (`lookup:`) or one `restart:`.
  UnixSock* other = nullptr;
  bool lookup = true;
  for (;;) {
    if (lookup) {
      if (msg_namelen != 0) {
        other =
            UnixFindOther(kernel(), msg_name, msg_namelen, sk->type(), &err);
      } else {
        other = UnixPeerGet(sk);
        err = -abi::kEnotconn;
      }
      if (other == nullptr) {
        KfreeSkb(skb);  // out_free
        return err;
      }
      lookup = false;
    }
    std::unique_lock<SpinLock> other_lock(other->lock, std::defer_lock);
    std::unique_lock<SpinLock> sk_lock(sk->lock, std::defer_lock);
    bool sk_locked = false;
    other_lock.lock();
    enum class Next { kQueue, kFail, kRestart, kLookup };
    Next next = Next::kQueue;
    for (;;) {  // restart_locked:
      if (!UnixMaySend(sk, other)) {
        err = -abi::kEperm;
        next = Next::kFail;
        break;
      }
      if (other->dead.load(std::memory_order_relaxed)) {
        // "Check with 1003.1g - what should datagram error"
        other_lock.unlock();
        if (sk->type() == abi::kSockSeqpacket) {
          err = -abi::kEpipe;  // racing unix_release_sock: keep our state
          next = Next::kFail;
          break;
        }
        if (!sk_locked)
          sk_lock.lock();
        if (sk->peer.load(std::memory_order_relaxed) == other) {
          sk->peer.store(nullptr, std::memory_order_release);
          PeerWakeDisconnectWakeup(sk, other);
          sk->sk_state.store(kTcpClose, std::memory_order_relaxed);
          sk_lock.unlock();
          UnixDgramDisconnected(sk, other);
          SockPut(other);  // unix_peer's reference
          err = -abi::kEconnrefused;
          next = Next::kFail;
          break;
        }
        sk_lock.unlock();
        if (msg_namelen == 0) {
          err = -abi::kEconnreset;
          next = Next::kFail;
          break;
        }
        next = Next::kLookup;
        break;
      }
      if ((other->sk_shutdown.load(std::memory_order_relaxed) &
           abi::kRcvShutdown) != 0) {
        err = -abi::kEpipe;
        next = Next::kFail;
        break;
      }
      // "other == sk && unix_peer(other) != sk if - unix_peer(sk) == NULL,
      // destination address bound to sk - unix_peer(sk) == sk by time of
      // get but disconnected before lock"
      if (other != sk && other->peer.load(std::memory_order_relaxed) != sk &&
          RecvqFull(other)) {
        if (!noblock) {
          // unix_wait_for_peer: an exclusive sleeper on other's peer_wait
          // while it is alive, open and full.
          if (sk_locked)
            sk_lock.unlock();
          other_lock.unlock();
          WaitEventExclusive(other->peer_wait, [other] {
            return other->dead.load(std::memory_order_acquire) ||
                   (other->sk_shutdown.load(std::memory_order_acquire) &
                    abi::kRcvShutdown) != 0 ||
                   !RecvqFull(other);
          });
          next = Next::kRestart;
          break;
        }
        if (!sk_locked) {
          other_lock.unlock();
          StateDoubleLock(sk, sk_lock, other, other_lock);
        }
        if (sk->peer.load(std::memory_order_relaxed) != other ||
            PeerWakeMe(sk, other)) {
          err = -abi::kEagain;
          next = Next::kFail;
          break;
        }
        if (!sk_locked) {
          sk_locked = true;
          continue;  // goto restart_locked
        }
      }
      break;
    }
    if (next == Next::kRestart)
      continue;
    if (next == Next::kLookup) {
      SockPut(other);
      lookup = true;
      continue;
    }
    if (sk_lock.owns_lock())
      sk_lock.unlock();
    if (next == Next::kFail) {
      if (other_lock.owns_lock())
        other_lock.unlock();  // out_unlock
      SockPut(other);         // out_sock_put
      KfreeSkb(skb);          // out_free
      return err;
    }
    QueueTail(other, skb);  // skb_queue_tail
    other_lock.unlock();
    SockDefReadable(other);  // other->sk_data_ready
    SockPut(other);
    return len;
  }
}

int64_t UnixSocketFile::Sendmsg(const void* buf, size_t len, uint32_t flags,
                                const SockaddrUn* msg_name,
                                uint32_t msg_namelen) {
  const auto n = static_cast<uint32_t>(std::min<size_t>(len, INT_MAX));
  const auto* from = static_cast<const std::byte*>(buf);
  return sk_->type() == abi::kSockStream
             ? StreamSendmsg(from, n, flags, msg_namelen)
             : DgramSendmsg(from, n, flags, msg_name, msg_namelen);
}

// Linux: unix_bind -> unix_bind_abstract: a first name, unique among the
// bound socks of this type (EADDRINUSE); a second bind is EINVAL.
int UnixSocketFile::Bind(const SockaddrUn* addr, uint32_t addrlen) {
  UnixSock* sk = sk_;
  // (addr_len == offsetof(sun_path) with AF_UNIX would autobind: the
  // validation below refuses it here, as autobind is not simulated.)
  if (const int err = UnixValidateAddr(addr, addrlen); err != 0)
    return err;
  if (addr->sun_path[0] != '\0')
    return -abi::kEopnotsupp;     // unix_bind_bsd: no filesystem is simulated
  auto* uaddr = new UnixAddress;  // unix_create_addr
  uaddr->name = AddrName(addr, addrlen);
  std::lock_guard<std::mutex> bind(sk->bindlock);
  if (sk->addr.load(std::memory_order_relaxed) != nullptr) {
    UnixReleaseAddr(uaddr);
    return -abi::kEinval;
  }
  UnixTable& table = kernel()->unix_table_;
  std::lock_guard<SpinLock> guard(table.lock);
  const auto [it, inserted] =
      table.abstract.try_emplace({sk->type(), uaddr->name}, sk);
  if (!inserted) {
    UnixReleaseAddr(uaddr);
    return -abi::kEaddrinuse;
  }
  sk->addr.store(uaddr, std::memory_order_release);  // __unix_set_addr_hash
  return 0;
}

// Linux: unix_listen: stream and seqpacket sockets only (EOPNOTSUPP), bound
// (EINVAL), not connected (EINVAL); a larger backlog wakes the senders
// waiting for room.
int UnixSocketFile::Listen(int backlog) {
  UnixSock* sk = sk_;
  if (!ConnectionBased(sk))
    return -abi::kEopnotsupp;  // "Only stream/seqpacket sockets accept"
  if (sk->addr.load(std::memory_order_acquire) == nullptr)
    return -abi::kEinval;  // "No listens on an unbound socket"
  std::lock_guard<SpinLock> state(sk->lock);
  const int st = sk->sk_state.load(std::memory_order_relaxed);
  if (st != kTcpClose && st != kTcpListen)
    return -abi::kEinval;
  if (backlog > sk->max_ack_backlog.load(std::memory_order_relaxed))
    WakePeerWait(sk, 0, 0);  // wake_up_interruptible_all(&u->peer_wait)
  sk->max_ack_backlog.store(backlog, std::memory_order_relaxed);
  sk->sk_state.store(kTcpListen, std::memory_order_relaxed);
  return 0;
}

// Linux: unix_stream_connect (SOCK_STREAM and SOCK_SEQPACKET): the embryo
// (the listener's end of the connection, a new sock connected to us) and
// the 1-byte skb that carries it are made first; then the listener is
// found (ECONNREFUSED unless it listens and receives), its backlog checked
// (EAGAIN, or wait on its peer_wait), our state (EISCONN, EINVAL); then the
// embryo gets the listener's address and we become connected to it, and
// the skb goes on the listener's queue.
int UnixSocketFile::StreamConnect(const SockaddrUn* addr, uint32_t addrlen,
                                  uint32_t f_flags) {
  UnixSock* sk = sk_;
  if (const int err = UnixValidateAddr(addr, addrlen); err != 0)
    return err;
  const bool noblock = (f_flags & abi::kONonblock) != 0;  // sock_sndtimeo
  // "create new sock for complete connection": unix_create1.
  auto* newsk = new UnixSock(kernel(), sk->type());
  // "Allocate skb for sending to listening sock": sock_wmalloc(newsk, 1).
  Skb* skb = skb_cache.Alloc(0);
  skb->truesize = SkbTruesize(1, 0, 0);
  SkbSetOwnerW(skb, newsk);
  const auto fail = [&](int err) {
    KfreeSkb(skb);                  // out_free_skb
    UnixReleaseSock(newsk, false);  // out_free_sk
    return err;
  };
  for (;;) {  // restart:
    int err = 0;
    UnixSock* other =
        UnixFindOther(kernel(), addr, addrlen, sk->type(), &err);  // listener
    if (other == nullptr)
      return fail(err);
    std::unique_lock<SpinLock> other_lock(other->lock);
    // "Apparently VFS overslept socket death. Retry."
    if (other->dead.load(std::memory_order_relaxed)) {
      other_lock.unlock();
      SockPut(other);
      continue;
    }
    if (other->sk_state.load(std::memory_order_relaxed) != kTcpListen ||
        (other->sk_shutdown.load(std::memory_order_relaxed) &
         abi::kRcvShutdown) != 0) {
      other_lock.unlock();
      SockPut(other);
      return fail(-abi::kEconnrefused);
    }
    if (RecvqFull(other)) {
      other_lock.unlock();
      if (noblock) {
        SockPut(other);
        return fail(-abi::kEagain);
      }
      // unix_wait_for_peer.
      WaitEventExclusive(other->peer_wait, [other] {
        return other->dead.load(std::memory_order_acquire) ||
               (other->sk_shutdown.load(std::memory_order_acquire) &
                abi::kRcvShutdown) != 0 ||
               !RecvqFull(other);
      });
      SockPut(other);
      continue;
    }
    // "self connect and simultaneous connect are eliminated by rejecting
    // TCP_LISTEN socket to avoid deadlock."
    const auto state_err = [](int st) {
      return st == kTcpEstablished ? -abi::kEisconn : -abi::kEinval;
    };
    if (const int st = sk->sk_state.load(std::memory_order_relaxed);
        st != kTcpClose) {
      other_lock.unlock();
      SockPut(other);
      return fail(state_err(st));
    }
    {
      std::lock_guard<SpinLock> sk_state(sk->lock);  // U_LOCK_SECOND
      if (const int st = sk->sk_state.load(std::memory_order_relaxed);
          st != kTcpClose) {
        other_lock.unlock();
        SockPut(other);
        return fail(state_err(st));
      }
      // "The way is open! Fastly set all the necessary fields..."
      SockHold(sk);
      newsk->peer.store(sk, std::memory_order_relaxed);
      newsk->sk_state.store(kTcpEstablished, std::memory_order_relaxed);
      // "copy address information from listening to new sock"
      UnixAddress* oaddr = other->addr.load(std::memory_order_acquire);
      AtomicFetchAdd(oaddr->refcnt, 1);
      newsk->addr.store(oaddr, std::memory_order_release);
      sk->sk_state.store(kTcpEstablished, std::memory_order_relaxed);
      SockHold(newsk);
      sk->peer.store(newsk, std::memory_order_release);
    }
    // "take ten and send info to listening sock"
    QueueTail(other, skb);
    other_lock.unlock();
    SockDefReadable(other);  // other->sk_data_ready
    SockPut(other);
    return 0;
  }
}

// Linux: unix_dgram_connect: to a bound datagram sock (which must be
// unconnected or connected to us: EPERM), or, with AF_UNSPEC, to nobody. A
// previous peer is disconnected (its relay unhooked, and our queue purged
// if the peer changed).
int UnixSocketFile::DgramConnect(const SockaddrUn* addr, uint32_t addrlen) {
  UnixSock* sk = sk_;
  if (addrlen < offsetof(SockaddrUn, sun_path))  // offsetofend(sa_family)
    return -abi::kEinval;
  if (addr == nullptr)
    return -abi::kEfault;
  UnixSock* other = nullptr;
  std::unique_lock<SpinLock> sk_lock(sk->lock, std::defer_lock);
  std::unique_lock<SpinLock> other_lock;
  if (addr->sun_family != 0) {  // not AF_UNSPEC
    if (const int err = UnixValidateAddr(addr, addrlen); err != 0)
      return err;
    for (;;) {  // restart:
      int err = 0;
      other = UnixFindOther(kernel(), addr, addrlen, sk->type(), &err);
      if (other == nullptr)
        return err;
      other_lock = std::unique_lock<SpinLock>(other->lock, std::defer_lock);
      StateDoubleLock(sk, sk_lock, other, other_lock);
      // "Apparently VFS overslept socket death. Retry."
      if (other->dead.load(std::memory_order_relaxed)) {
        if (other_lock.owns_lock())
          other_lock.unlock();
        sk_lock.unlock();
        SockPut(other);
        continue;
      }
      break;
    }
    if (!UnixMaySend(sk, other)) {
      if (other_lock.owns_lock())
        other_lock.unlock();
      sk_lock.unlock();
      SockPut(other);
      return -abi::kEperm;
    }
    sk->sk_state.store(kTcpEstablished, std::memory_order_relaxed);
    other->sk_state.store(kTcpEstablished, std::memory_order_relaxed);
  } else {
    // "1003.1g breaking connected state with AF_UNSPEC"
    sk_lock.lock();
  }
  // "If it was connected, reconnect."
  UnixSock* old_peer = sk->peer.load(std::memory_order_relaxed);
  sk->peer.store(other, std::memory_order_release);  // takes other's ref
  if (old_peer == nullptr) {
    if (other_lock.owns_lock())
      other_lock.unlock();
    sk_lock.unlock();
    return 0;
  }
  if (other == nullptr)
    sk->sk_state.store(kTcpClose, std::memory_order_relaxed);
  PeerWakeDisconnectWakeup(sk, old_peer);
  if (other_lock.owns_lock())
    other_lock.unlock();
  sk_lock.unlock();
  if (other != old_peer) {
    UnixDgramDisconnected(sk, old_peer);
    std::lock_guard<SpinLock> old_state(old_peer->lock);
    if (old_peer->peer.load(std::memory_order_relaxed) == nullptr)
      old_peer->sk_state.store(kTcpClose, std::memory_order_relaxed);
  }
  SockPut(old_peer);
  return 0;
}

int UnixSocketFile::Connect(const SockaddrUn* addr, uint32_t addrlen,
                            uint32_t f_flags) {
  return sk_->type() == abi::kSockDgram ? DgramConnect(addr, addrlen)
                                        : StreamConnect(addr, addrlen, f_flags);
}

// Linux: unix_accept: stream and seqpacket listeners only; the next skb
// of the listener's queue (skb_recv_datagram: a pending error first; EAGAIN
// or wait when empty; EINVAL once shut down) carries the embryo, which is
// grafted onto the new socket file; a sender waiting for room is woken.
int UnixSocketFile::Accept(uint32_t f_flags, uint32_t new_f_flags,
                           FileRef* newfile) {
  UnixSock* sk = sk_;
  if (!ConnectionBased(sk))
    return -abi::kEopnotsupp;
  if (sk->sk_state.load(std::memory_order_relaxed) != kTcpListen)
    return -abi::kEinval;
  // "If socket state is TCP_LISTEN it cannot change (for now...), so that
  // no locks are necessary."
  Skb* skb = nullptr;
  for (;;) {
    if (const int err = SockError(sk); err != 0)
      return err;  // __skb_try_recv_datagram
    {
      std::lock_guard<SpinLock> q(sk->rq_lock);
      skb = sk->receive_queue.Front();
      if (skb != nullptr)
        UnlinkLocked(sk, skb);
    }
    if (skb != nullptr)
      break;
    if ((f_flags & abi::kONonblock) != 0)
      return -abi::kEagain;
    // __skb_wait_for_more_packets: an exclusive sleeper.
    WaitEventExclusive(sk->wq, [sk] {
      return sk->rq_len.load(std::memory_order_acquire) != 0 ||
             sk->sk_err.load(std::memory_order_acquire) != 0 ||
             (sk->sk_shutdown.load(std::memory_order_acquire) &
              abi::kRcvShutdown) != 0;
    });
    if (sk->sk_err.load(std::memory_order_relaxed) == 0 &&
        sk->rq_len.load(std::memory_order_acquire) == 0) {
      return -abi::kEinval;  // "This means receive shutdown."
    }
  }
  UnixSock* tsk = skb->sk;
  KfreeSkb(skb);           // skb_free_datagram
  WakePeerWait(sk, 0, 1);  // wake_up_interruptible(&u->peer_wait)
  // "attach accepted sock to socket": sock_graft in sock_alloc_file's
  // socket (the kernel made the file first; it is the same here).
  std::lock_guard<SpinLock> state(tsk->lock);
  *newfile =
      FileRef(new UnixSocketFile(kernel(), tsk, new_f_flags & abi::kONonblock));
  return 0;
}

// Linux: manage_oob: what a stream reader at `skb` takes next, once a
// consumed skb at the head is dropped (or, peeking, stepped over) and the
// pending out-of-band skb is dropped unread (not SO_OOBINLINE) or, after
// data was copied, ends the read (null).
// Requires: sk->iolock and sk->lock held; takes rq_lock. The dropped skbs
// are freed after rq_lock is released.
Skb* ManageOob(UnixSock* sk, Skb* skb, bool peek, int64_t copied) {
  if (UnixSkbLen(skb) != 0 &&
      skb != sk->oob_skb.load(std::memory_order_relaxed))
    return skb;  // likely()
  Skb* read_skb = nullptr;
  Skb* unread_skb = nullptr;
  {
    std::lock_guard<SpinLock> q(sk->rq_lock);
    SkbQueue& rq = sk->receive_queue;
    Skb* const oob = sk->oob_skb.load(std::memory_order_relaxed);
    [&] {
      if (UnixSkbLen(skb) == 0) {
        if (copied != 0 && (oob == nullptr || skb == oob)) {
          skb = nullptr;
        } else if (peek) {
          skb = rq.Next(skb);  // skb_peek_next
        } else {
          read_skb = skb;
          skb = rq.Next(skb);  // skb_peek_next
          UnlinkLocked(sk, read_skb);
        }
        if (skb == nullptr)
          return;  // goto unlock
      }
      if (skb != oob)
        return;
      if (copied != 0) {
        skb = nullptr;
      } else if (!peek) {
        sk->oob_skb.store(nullptr, std::memory_order_relaxed);
        UnlinkLocked(sk, skb);  // not SOCK_URGINLINE: dropped unread
        unread_skb = skb;
        skb = rq.Front();  // skb_peek
      } else {
        skb = rq.Next(skb);  // skb_peek_next
      }
    }();
  }
  if (read_skb != nullptr)
    KfreeSkb(read_skb);  // consume_skb
  if (unread_skb != nullptr)
    KfreeSkb(unread_skb);  // kfree_skb_reason(UNIX_SKIP_OOB)
  return skb;
}

// Linux: unix_stream_recv_urg: the pending out-of-band byte (EINVAL if
// none). Taking it (not MSG_PEEK) clears oob_skb and marks the skb
// consumed, leaving it queued, and drops a consumed skb just before it.
int64_t UnixSocketFile::StreamRecvUrg(std::byte* buf, uint32_t size,
                                      uint32_t flags) {
  UnixSock* sk = sk_;
  const bool peek = (flags & abi::kMsgPeek) != 0;
  Skb* read_skb = nullptr;
  {
    std::lock_guard<std::mutex> io(sk->iolock);
    Skb* oob_skb = nullptr;
    {
      std::lock_guard<SpinLock> state(sk->lock);
      std::lock_guard<SpinLock> q(sk->rq_lock);
      oob_skb = sk->oob_skb.load(std::memory_order_relaxed);
      if (oob_skb == nullptr)
        return -abi::kEinval;  // (or SOCK_URGINLINE: never set here)
      if (!peek) {
        sk->oob_skb.store(nullptr, std::memory_order_relaxed);
        // oob_skb->prev, if it is an skb and has nothing left to read.
        Skb* prev = sk->receive_queue.Prev(oob_skb);
        if (prev != nullptr && UnixSkbLen(prev) == 0) {
          read_skb = prev;
          UnlinkLocked(sk, prev);
        }
      }
    }
    // recv_actor of one byte at offset 0 (a 0-byte buffer takes nothing,
    // and that is no fault).
    if (size != 0)
      std::memcpy(buf, oob_skb->data(), 1);
    if (!peek)
      oob_skb->consumed += 1;
  }
  if (read_skb != nullptr)
    KfreeSkb(read_skb);  // consume_skb
  return 1;
}

// Linux: unix_stream_read_generic with unix_stream_read_actor (peek offset
// 0: `skip` only steps over skbs with nothing left to read).
int64_t UnixSocketFile::StreamReadGeneric(std::byte* buf, uint32_t size,
                                          uint32_t flags) {
  UnixSock* sk = sk_;
  if (sk->sk_state.load(std::memory_order_relaxed) != kTcpEstablished)
    return -abi::kEinval;
  if ((flags & abi::kMsgOob) != 0)
    return StreamRecvUrg(buf, size, flags);
  // sock_rcvlowat.
  const int64_t lowat =
      (flags & abi::kMsgWaitall) != 0
          ? size
          : std::min<int64_t>(sk->sk_rcvlowat.load(std::memory_order_relaxed),
                              size);
  const int64_t target = lowat == 0 ? 1 : lowat;
  const bool noblock = (flags & abi::kMsgDontwait) != 0;
  const bool peek = (flags & abi::kMsgPeek) != 0;
  SkbQueue& rq = sk->receive_queue;
  int64_t copied = 0;
  int err = 0;
  std::unique_lock<std::mutex> io(sk->iolock);
  // Each round of the outer loop is the kernel's `redo:` (the queue's head
  // under unix_state_lock); the inner loop is `again:` (manage_oob, then
  // skip empty skbs, then copy). While we hold iolock the queue only grows
  // at its tail (senders append holding `lock`; only iolock holders and
  // release unlink), so the skb we stand on stays queued.
  enum class Next { kStop, kWait, kRedo };
  // The last skb looked at and its length: unix_stream_data_wait sleeps
  // until the queue's tail is another skb or grew.
  Skb* last = nullptr;
  uint32_t last_len = 0;
  for (;;) {
    Next next = Next::kStop;
    {
      std::unique_lock<SpinLock> state(sk->lock);  // unix_state_lock
      if (sk->dead.load(std::memory_order_relaxed)) {
        err = -abi::kEconnreset;
        break;
      }
      Skb* skb = rq.Front();  // skb_peek
      last = skb;
      last_len = skb != nullptr ? skb->len : 0;
      for (;;) {  // again:
        if (skb != nullptr) {
          skb = ManageOob(sk, skb, peek, copied);
          if (skb == nullptr && copied != 0)
            break;  // kStop
        }
        if (skb == nullptr) {
          if (copied >= target)
            break;
          // "POSIX 1003.1g mandates this order."
          err = SockError(sk);
          if (err != 0)
            break;
          if ((sk->sk_shutdown.load(std::memory_order_relaxed) &
               abi::kRcvShutdown) != 0) {
            break;
          }
          next = Next::kWait;
          break;
        }
        while (skb != nullptr && UnixSkbLen(skb) == 0) {  // skip 0
          last = skb;
          last_len = skb->len;
          skb = rq.Next(skb);  // skb_peek_next
        }
        if (skb == nullptr)
          continue;  // goto again
        state.unlock();
        const uint32_t chunk = std::min(UnixSkbLen(skb), size);
        if (chunk != 0)
          std::memcpy(buf + copied, skb->data() + skb->consumed, chunk);
        copied += chunk;
        size -= chunk;
        if (!peek) {
          skb->consumed += chunk;  // "Mark read part of skb as used"
          if (UnixSkbLen(skb) != 0)
            break;  // kStop
          {
            std::lock_guard<SpinLock> q(sk->rq_lock);
            UnlinkLocked(sk, skb);  // skb_unlink
          }
          KfreeSkb(skb);  // consume_skb -> sock_wfree of the sender
          next = size != 0 ? Next::kRedo : Next::kStop;  // while (size)
          break;
        }
        last = skb;
        last_len = skb->len;
        state.lock();
        skb = rq.Next(skb);  // skb_peek_next
        if (skb == nullptr)
          break;  // kStop: a peek stops at the end, whatever it copied
      }
    }
    if (next == Next::kStop)
      break;
    if (next == Next::kWait) {
      if (noblock) {
        err = -abi::kEagain;
        break;
      }
      io.unlock();
      // unix_stream_data_wait.
      WaitEvent(sk->wq, [sk, last, last_len] {
        {
          // (The kernel peeks under unix_state_lock; without iolock another
          // reader may be unlinking the tail, which only rq_lock excludes.)
          std::lock_guard<SpinLock> q(sk->rq_lock);
          const Skb* tail = sk->receive_queue.Back();  // skb_peek_tail
          if (tail != last || (tail != nullptr && tail->len != last_len))
            return true;
        }
        return sk->sk_err.load(std::memory_order_acquire) != 0 ||
               (sk->sk_shutdown.load(std::memory_order_acquire) &
                abi::kRcvShutdown) != 0;
      });
      io.lock();
    }
  }
  return copied != 0 ? copied : err;
}

// Linux: unix_seqpacket_recvmsg (its check), __unix_dgram_recvmsg and
// __skb_try_recv_datagram / __skb_wait_for_more_packets.
int64_t UnixSocketFile::DgramRecvmsg(std::byte* buf, uint32_t size,
                                     uint32_t flags) {
  UnixSock* sk = sk_;
  const bool seqpacket = sk->type() == abi::kSockSeqpacket;
  if (seqpacket &&
      sk->sk_state.load(std::memory_order_relaxed) != kTcpEstablished) {
    return -abi::kEnotconn;
  }
  if ((flags & abi::kMsgOob) != 0)
    return -abi::kEopnotsupp;
  const bool peek = (flags & abi::kMsgPeek) != 0;
  Skb* skb = nullptr;
  std::unique_lock<std::mutex> io(sk->iolock, std::defer_lock);
  for (;;) {
    io.lock();
    // __skb_try_recv_datagram: the pending error before any datagram.
    if (const int err = SockError(sk); err != 0)
      return err;
    {
      std::lock_guard<SpinLock> q(sk->rq_lock);
      skb = sk->receive_queue.Front();
      if (skb != nullptr && !peek)  // a peek takes a reference (skb->users)
        UnlinkLocked(sk, skb);
    }
    if (skb != nullptr)
      break;
    io.unlock();
    if ((flags & abi::kMsgDontwait) != 0) {
      // "Signal EOF on disconnected non-blocking SEQPACKET socket."
      std::lock_guard<SpinLock> state(sk->lock);
      if (seqpacket && (sk->sk_shutdown.load(std::memory_order_relaxed) &
                        abi::kRcvShutdown) != 0) {
        return 0;
      }
      return -abi::kEagain;
    }
    // __skb_wait_for_more_packets: an exclusive sleeper.
    WaitEventExclusive(sk->wq, [sk] {
      return sk->rq_len.load(std::memory_order_acquire) != 0 ||
             sk->sk_err.load(std::memory_order_acquire) != 0 ||
             (sk->sk_shutdown.load(std::memory_order_acquire) &
              abi::kRcvShutdown) != 0;
    });
    if (sk->sk_err.load(std::memory_order_relaxed) != 0)
      continue;  // reported (and cleared) by the retry
    if (sk->rq_len.load(std::memory_order_acquire) != 0)
      continue;
    return 0;  // RCV_SHUTDOWN: out_noerr, no datagram
  }
  // A datagram was taken (or peeked): senders waiting for room in our
  // queue, and the relays of sockets polling for it, hear of it.
  WakePeerWait(sk, kWritableKey, 1);  // wake_up_interruptible_sync_poll
  const uint32_t copy = std::min(size, skb->len);
  if (copy != 0)
    std::memcpy(buf, skb->data(), copy);  // skb_copy_datagram_msg
  const int64_t ret = (flags & abi::kMsgTrunc) != 0 ? skb->len : copy;
  if (!peek)
    KfreeSkb(skb);  // skb_free_datagram of the last reference
  return ret;
}

int64_t UnixSocketFile::Recvmsg(void* buf, size_t len, uint32_t flags) {
  const auto n = static_cast<uint32_t>(std::min<size_t>(len, INT_MAX));
  auto* to = static_cast<std::byte*>(buf);
  return sk_->type() == abi::kSockStream ? StreamReadGeneric(to, n, flags)
                                         : DgramRecvmsg(to, n, flags);
}

// Linux: unix_shutdown: our side, a keyless state-change wakeup, then for
// connection-based types the mirrored mode on the peer and its wakeup.
int UnixSocketFile::Shutdown(int how) {
  if (how < abi::kShutRd || how > abi::kShutRdwr)
    return -abi::kEinval;
  // SHUT_RD -> RCV_SHUTDOWN, SHUT_WR -> SEND_SHUTDOWN, SHUT_RDWR -> both.
  const auto mode = static_cast<uint8_t>(how + 1);
  UnixSock* sk = sk_;
  UnixSock* other = nullptr;
  {
    std::lock_guard<SpinLock> state(sk->lock);
    sk->sk_shutdown.fetch_or(mode, std::memory_order_relaxed);
    other = sk->peer.load(std::memory_order_relaxed);
    if (other != nullptr)
      SockHold(other);
  }
  SockDefWakeup(sk);  // sk->sk_state_change
  if (other != nullptr && ConnectionBased(sk)) {
    uint8_t peer_mode = 0;
    if ((mode & abi::kRcvShutdown) != 0)
      peer_mode |= abi::kSendShutdown;
    if ((mode & abi::kSendShutdown) != 0)
      peer_mode |= abi::kRcvShutdown;
    {
      std::lock_guard<SpinLock> state(other->lock);
      other->sk_shutdown.fetch_or(peer_mode, std::memory_order_relaxed);
    }
    SockDefWakeup(other);
  }
  if (other != nullptr)
    SockPut(other);
  return 0;
}

// Linux: sk_setsockopt (SOL_SOCKET), for the options of the vocabulary.
int UnixSocketFile::Setsockopt(int optname, const void* optval,
                               uint32_t optlen) {
  if (optlen < sizeof(int))
    return -abi::kEinval;
  if (optval == nullptr)
    return -abi::kEfault;  // copy_from_sockptr
  int val = 0;
  std::memcpy(&val, optval, sizeof val);
  UnixSock* sk = sk_;
  const SimConfig& config = kernel()->config();
  switch (optname) {
  case abi::kSoSndbuf: {
    // "RCVBUF/SNDBUF are treated in BSD as hints": clamp, never fail.
    int v = static_cast<int>(std::min<uint32_t>(
        static_cast<uint32_t>(val), static_cast<uint32_t>(config.wmem_max)));
    v = std::min(v, INT_MAX / 2);  // so that val * 2 fits an int
    sk->sk_sndbuf.store(std::max(v * 2, kSockMinSndbuf),
                        std::memory_order_relaxed);
    // "Wake up sending tasks if we upped the value."
    UnixWriteSpace(sk);
    return 0;
  }
  case abi::kSoRcvbuf: {
    // __sock_set_rcvbuf.
    int v = static_cast<int>(std::min<uint32_t>(
        static_cast<uint32_t>(val), static_cast<uint32_t>(config.rmem_max)));
    v = std::min(v, INT_MAX / 2);
    sk->sk_rcvbuf.store(std::max(v * 2, kSockMinRcvbuf),
                        std::memory_order_relaxed);
    return 0;
  }
  case abi::kSoRcvlowat: {
    // AF_UNIX has no ->set_rcvlowat.
    const int v = val < 0 ? INT_MAX : val;
    sk->sk_rcvlowat.store(v == 0 ? 1 : v, std::memory_order_relaxed);
    return 0;
  }
  case abi::kSoLinger: {
    int ling[2] = {0, 0};  // struct linger {l_onoff, l_linger}
    if (optlen < sizeof ling)
      return -abi::kEinval;  // 1003.1g
    std::memcpy(ling, optval, sizeof ling);
    if (ling[0] == 0) {
      sk->linger.store(false, std::memory_order_relaxed);
    } else {
      sk->lingertime.store(static_cast<unsigned>(ling[1]),
                           std::memory_order_relaxed);
      sk->linger.store(true, std::memory_order_relaxed);
    }
    return 0;
  }
  default:
    return -abi::kEnoprotoopt;
  }
}

// Linux: sk_getsockopt (SOL_SOCKET), for the options of the vocabulary.
int UnixSocketFile::Getsockopt(int optname, void* optval, uint32_t* optlen) {
  if (optlen == nullptr)
    return -abi::kEfault;  // get_user(len, optlen)
  if (static_cast<int>(*optlen) < 0)
    return -abi::kEinval;
  UnixSock* sk = sk_;
  int v[2] = {0, 0};
  uint32_t lv = sizeof(int);
  switch (optname) {
  case abi::kSoError:
    v[0] = -SockError(sk);  // then sk_err_soft, never set for AF_UNIX
    break;
  case abi::kSoSndbuf:
    v[0] = sk->sk_sndbuf.load(std::memory_order_relaxed);
    break;
  case abi::kSoRcvbuf:
    v[0] = sk->sk_rcvbuf.load(std::memory_order_relaxed);
    break;
  case abi::kSoRcvlowat:
    v[0] = sk->sk_rcvlowat.load(std::memory_order_relaxed);
    break;
  case abi::kSoLinger:
    lv = sizeof v;
    v[0] = sk->linger.load(std::memory_order_relaxed) ? 1 : 0;
    v[1] = static_cast<int>(sk->lingertime.load(std::memory_order_relaxed));
    break;
  default:
    return -abi::kEnoprotoopt;
  }
  const uint32_t len = std::min(*optlen, lv);
  if (len != 0) {
    if (optval == nullptr)
      return -abi::kEfault;  // copy_to_sockptr
    std::memcpy(optval, v, len);
  }
  *optlen = len;
  return 0;
}

// Linux: unix_poll (SOCK_STREAM).
uint32_t UnixSocketFile::StreamPoll() {
  const UnixSock* sk = sk_;
  const uint8_t shutdown = sk->sk_shutdown.load(std::memory_order_relaxed);
  const int state = sk->sk_state.load(std::memory_order_relaxed);
  uint32_t mask = 0;
  if (sk->sk_err.load(std::memory_order_relaxed) != 0)
    mask |= abi::kEpollErr;
  if (shutdown == abi::kShutdownMask)
    mask |= abi::kEpollHup;
  if ((shutdown & abi::kRcvShutdown) != 0)
    mask |= abi::kEpollRdHup | abi::kEpollIn | abi::kEpollRdNorm;
  if (sk->rq_len.load(std::memory_order_acquire) != 0)
    mask |= abi::kEpollIn | abi::kEpollRdNorm;
  if (sk->oob_skb.load(std::memory_order_relaxed) != nullptr)
    mask |= abi::kEpollPri;  // READ_ONCE(u->oob_skb)
  if (state == kTcpClose)
    mask |= abi::kEpollHup;
  // "we set writable also when the other side has shut down the
  // connection. This prevents stuck sockets."
  if (UnixWritable(sk, state))
    mask |= kWritableKey;
  return mask;
}

// Linux: unix_dgram_poll (SOCK_DGRAM, SOCK_SEQPACKET).
uint32_t UnixSocketFile::DgramPoll(const PollTable* pt) {
  UnixSock* sk = sk_;
  const uint8_t shutdown = sk->sk_shutdown.load(std::memory_order_relaxed);
  uint32_t mask = 0;
  if (sk->sk_err.load(std::memory_order_relaxed) != 0)
    mask |= abi::kEpollErr;
  if ((shutdown & abi::kRcvShutdown) != 0)
    mask |= abi::kEpollRdHup | abi::kEpollIn | abi::kEpollRdNorm;
  if (shutdown == abi::kShutdownMask)
    mask |= abi::kEpollHup;
  if (sk->rq_len.load(std::memory_order_acquire) != 0)
    mask |= abi::kEpollIn | abi::kEpollRdNorm;
  if (sk->type() == abi::kSockSeqpacket &&
      sk->sk_state.load(std::memory_order_relaxed) == kTcpClose) {
    mask |= abi::kEpollHup;
  }
  // "No write status requested, avoid expensive OUT tests."
  if ((PollRequestedEvents(pt) & kWritableKey) == 0)
    return mask;
  bool writable =
      UnixWritable(sk, sk->sk_state.load(std::memory_order_relaxed));
  if (writable) {
    std::lock_guard<SpinLock> state(sk->lock);
    UnixSock* other = sk->peer.load(std::memory_order_relaxed);
    // A non-mutual peer whose queue is over its backlog: not writable, and
    // our relay waits on its peer_wait for room.
    if (other != nullptr && other->peer.load(std::memory_order_relaxed) != sk &&
        RecvqFull(other) && PeerWakeMe(sk, other)) {
      writable = false;
    }
  }
  if (writable)
    mask |= kWritableKey;
  return mask;
}

// Linux: sock_poll -> ops->poll; sock_poll_wait on sock->wq.wait first.
uint32_t UnixSocketFile::Poll(PollTable* pt) {
  PollWait(this, &sk_->wq, pt);  // sock_poll_wait
  return sk_->type() == abi::kSockStream ? StreamPoll() : DgramPoll(pt);
}

// Linux: sock_close -> unix_release -> unix_release_sock(sk, 0). Runs
// after the file's epoll items are gone (eventpoll_release comes first in
// __fput).
void UnixSocketFile::Release() {
  UnixSock* sk = sk_;
  sk_ = nullptr;
  UnixReleaseSock(sk, false);
}

}  // namespace

uint32_t SkbTruesize(uint32_t header_len, uint32_t data_len,
                     int max_page_order) {
  // alloc_skb(header_len), then page frags, each PAGE_SIZE << order with the
  // order lowered while the rest fits a smaller one.
  EP_CHECK(data_len <= kMaxSkbFrags * (kPageSize << max_page_order));
  uint32_t truesize = HeadTruesize(header_len);
  int order = max_page_order;
  uint32_t nr_frags = 0;
  while (data_len != 0) {
    EP_CHECK(nr_frags < kMaxSkbFrags);
    while (order > 0 && PageAlign(data_len) < (kPageSize << order))
      --order;
    const uint32_t chunk = std::min(data_len, kPageSize << order);
    truesize += kPageSize << order;
    data_len -= chunk;
    ++nr_frags;
  }
  return truesize;
}

namespace {

// Linux: unix_create's type check (SOCK_RAW is taken as SOCK_DGRAM):
// the type, or -ESOCKTNOSUPPORT.
int UnixCreateType(uint32_t type) {
  if (type == 3)  // SOCK_RAW: "Believe it or not BSD has AF_UNIX, SOCK_RAW"
    type = abi::kSockDgram;
  if (type != abi::kSockStream && type != abi::kSockDgram &&
      type != abi::kSockSeqpacket) {
    return -abi::kEsocktnosupport;
  }
  return static_cast<int>(type);
}

}  // namespace

int CreateUnixSocketpair(SimKernel* kernel, uint32_t type, uint32_t f_flags,
                         FileRef* a, FileRef* b) {
  const int sock_type = UnixCreateType(type);
  if (sock_type < 0)
    return sock_type;
  auto* ska = new UnixSock(kernel, sock_type);  // unix_create1
  auto* skb = new UnixSock(kernel, sock_type);
  // unix_socketpair: each holds the other, both established.
  SockHold(ska);
  SockHold(skb);
  ska->peer.store(skb, std::memory_order_relaxed);
  skb->peer.store(ska, std::memory_order_relaxed);
  ska->sk_state.store(kTcpEstablished, std::memory_order_relaxed);
  skb->sk_state.store(kTcpEstablished, std::memory_order_relaxed);
  const uint32_t flags = f_flags & abi::kONonblock;
  *a = FileRef(new UnixSocketFile(kernel, ska, flags));  // sock_alloc_file
  *b = FileRef(new UnixSocketFile(kernel, skb, flags));
  return 0;
}

int CreateUnixSocket(SimKernel* kernel, uint32_t type, uint32_t f_flags,
                     FileRef* file) {
  const int sock_type = UnixCreateType(type);
  if (sock_type < 0)
    return sock_type;
  auto* sk = new UnixSock(kernel, sock_type);  // unix_create1: TCP_CLOSE
  *file = FileRef(new UnixSocketFile(kernel, sk, f_flags & abi::kONonblock));
  return 0;
}

}  // namespace epollcheck::sim
