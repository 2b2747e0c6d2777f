// The eventpoll core. Linux: fs/eventpoll.c (6.18).
//
// LOCKING (the kernel's three levels, plus the sim's own leaf locks):
//  1. SimKernel::epnested_mutex_ (epnested_mutex): taken by EPOLL_CTL_ADD
//     when the topology may nest; serialises the loop/depth checks and the
//     gen/loop_check_depth_ marks they leave on instances.
//  2. Eventpoll::mtx_ (ep->mtx): the interest tree and everything an item
//     holds that user calls change (ADD/MOD/DEL, delivery, release). Held
//     across f_op->poll of the items, so an outer instance's mtx_ is taken
//     before an inner one's (nesting order = topology order, a DAG).
//  3. Eventpoll::lock_ (ep->lock, a spinlock): the ready list, the overflow
//     list, each item's ready-list link and ovflist link, and the
//     epoll_wait waiters queue (wq_); item masks are written under mtx_
//     *and* lock_, so the callback may read them under lock_ alone. While a
//     delivery scan runs (ovflist_ active), the scanned items' ready-list
//     links belong to the scanning thread, which holds mtx_: callbacks chain
//     on ovflist_ instead, so the scan moves those links without lock_
//     (ep_send_events, __ep_eventpoll_poll). avail_ republishes "events
//     available" at the end of each lock_ section that changes either list,
//     for ep_poll's lockless first test.
//  Eventpoll::refcount_ is atomic (ep->refcount: the file plus each item).
//  Leaf locks (spinlocks, sut/sim/spinlock.h): a wait queue's lock (taken
//  by a waker before it runs the callbacks, so the order is: watched file's
//  queue lock -> ep lock_ -> ep wq_ lock; and, for nested instances, inner
//  poll_wait_ lock -> outer lock_), File::f_lock_ (the f_ep list and
//  Epitem::dying).
//  Nothing ever takes mtx_ while holding lock_ or a wait queue lock, and no
//  callback takes mtx_.

#include "sut/sim/eventpoll.h"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

#include "model/abi.h"
#include "model/check.h"
#include "sut/sim/smp.h"
#include "sut/sim/spinlock.h"
#include "sut/sim/wait_queue.h"

namespace epollcheck::sim {

class Eventpoll;
struct Epitem;
struct ReadyLinkTag;

namespace {

constexpr uint32_t kEpollInOutBits = abi::kEpollIn | abi::kEpollOut;

// Linux: EP_UNACTIVE_PTR: "not on the overflow list" / "the overflow list
// is not in use".
Epitem* UnactivePtr() {
  // NOLINTNEXTLINE(performance-no-int-to-ptr): the kernel's sentinel value
  return reinterpret_cast<Epitem*>(static_cast<uintptr_t>(-1));
}

}  // namespace

// Linux: struct eppoll_entry: the item's hook on one wait queue of the
// watched file; its wake function is ep_poll_callback.
class EppollEntry final : public WaitQueueEntry {
public:
  EppollEntry(Epitem* base, WaitQueueHead* whead)
      : base_(base), whead_(whead) {}
  int Wake(uint32_t key) override;  // ep_poll_callback

  Epitem* const base_;                 // the owning item
  WaitQueueHead* const whead_;         // the queue it is on
  std::unique_ptr<EppollEntry> next_;  // Linux: pwq->next (epi->pwqlist)
};

// Linux: struct epitem.
struct Epitem : ListNode<ReadyLinkTag>, ListNode<FileLinkTag> {
  Eventpoll* ep = nullptr;  // the owning instance; immutable
  File* file = nullptr;     // Linux: ffd.file (no reference held); immutable
  int fd = -1;              // Linux: ffd.fd; immutable
  // Linux: event.events / event.data. Written under ep->mtx_ and
  // ep->lock_; read under either.
  uint32_t events = 0;
  uint64_t data = 0;
  // Linux: epi->next: the overflow-list link; guarded by ep->lock_.
  Epitem* next = UnactivePtr();
  // Linux: epi->pwqlist: the wait-queue hooks; guarded by ep->mtx_.
  std::unique_ptr<EppollEntry> pwqlist;
  // Linux: epi->dying: the file is being released; guarded by file->f_lock_.
  bool dying = false;

  bool Linked() const { return !ListNode<ReadyLinkTag>::Unlinked(); }
  void UnlinkReady() { ListNode<ReadyLinkTag>::Unlink(); }
};

using ReadyList = IntrusiveList<Epitem, ReadyLinkTag>;

// Linux: struct epoll_filefd and ep_cmp_ffd: items are ordered by file,
// then by descriptor number.
struct FileFd {
  File* file;
  int fd;
  friend bool operator<(const FileFd& a, const FileFd& b) {
    if (a.file != b.file)
      return std::less<File*>()(a.file, b.file);
    return a.fd < b.fd;
  }
};

// Linux: struct eventpoll. Lives as long as its file or any of its items
// (refcount_), like the kernel's ep->refcount.
class Eventpoll {
public:
  explicit Eventpoll(SimKernel* kernel) : kernel_(kernel) {
    AtomicFetchAdd(kernel_->live_eventpolls_, 1, std::memory_order_relaxed);
  }
  ~Eventpoll() {
    EP_CHECK(rbr_.empty());
    EP_CHECK(rdllist_.Empty());
    AtomicFetchSub(kernel_->live_eventpolls_, 1, std::memory_order_relaxed);
  }

  SimKernel* const kernel_;
  std::mutex mtx_;  // Linux: ep->mtx
  SpinLock lock_;   // Linux: ep->lock
  // Threads sleeping in epoll_wait (exclusive entries). Linux: ep->wq.
  // Entries are added and removed with lock_ held.
  WaitQueueHead wq_;
  // Watchers of the epoll file itself (outer instances). Linux:
  // ep->poll_wait.
  WaitQueueHead poll_wait_;
  ReadyList rdllist_;                // Linux: ep->rdllist; guarded by lock_
  Epitem* ovflist_ = UnactivePtr();  // Linux: ep->ovflist; guarded by lock_
  // ep_events_available() as the last holder of lock_ left it (rdllist_
  // not empty, or ovflist_ active), for the lockless first test of ep_poll
  // (the kernel's list_empty_careful / READ_ONCE). Written under lock_ by
  // every section that changes rdllist_ or ovflist_ (UpdateAvailLocked).
  std::atomic<bool> avail_{false};
  // The interest set. Linux: ep->rbr; guarded by mtx_.
  std::map<FileFd, std::unique_ptr<Epitem>> rbr_;
  // One reference for the file and one per item. Linux: ep->refcount.
  std::atomic<long> refcount_{1};
  // The epoll file; cleared when it is released. Guarded by mtx_ (and read
  // by the upward depth walk, under the epnested mutex, only through items
  // that are not dying, whose file is then still alive).
  File* file_ = nullptr;
  // Linux: ep->gen / ep->loop_check_depth: marks of the last loop check that
  // visited this instance. Written under the epnested mutex.
  std::atomic<uint64_t> gen_{0};
  std::atomic<int> loop_check_depth_{0};
  // Linux: busy_poll_usecs, busy_poll_budget, prefer_busy_poll (set by
  // EPIOCSPARAMS; READ_ONCE/WRITE_ONCE, no lock).
  std::atomic<uint32_t> busy_poll_usecs_{0};
  std::atomic<uint16_t> busy_poll_budget_{0};
  std::atomic<uint8_t> prefer_busy_poll_{0};
};

namespace {

// The epoll file. Linux: a file with eventpoll_fops, private_data = ep.
class EpollFile final : public File {
public:
  EpollFile(SimKernel* kernel, Eventpoll* ep)
      : File(kernel, kFmodeRead | kFmodeWrite, 0) {
    eventpoll_ = ep;  // private_data
  }
  uint32_t Poll(PollTable* pt) override;  // ep_eventpoll_poll
  void Release() override;                // ep_eventpoll_release
  // eventpoll_fops.llseek = noop_llseek: f_pos, always 0.
  int64_t Llseek(int64_t /*offset*/, int /*whence*/) override { return 0; }
  int64_t Ioctl(uint32_t cmd, const UserBuffer& arg) override;
};

// Linux: struct epoll_params (include/uapi/linux/eventpoll.h).
struct EpollParams {
  uint32_t busy_poll_usecs;
  uint16_t busy_poll_budget;
  uint8_t prefer_busy_poll;
  uint8_t pad;
};
static_assert(sizeof(EpollParams) == abi::kEpollParamsSize);

// Linux: ep_eventpoll_ioctl, then ep_eventpoll_bp_ioctl
// (CONFIG_NET_RX_BUSY_POLL; the caller has no CAP_NET_ADMIN unless the
// kernel's config says so).
int64_t EpollFile::Ioctl(uint32_t cmd, const UserBuffer& arg) {
  Eventpoll* ep = eventpoll_;
  EpollParams params{};
  switch (cmd) {
  case abi::kEpiocSParams:
    if (!CopyFromUser(&params, arg, sizeof params))
      return -abi::kEfault;
    if (params.pad != 0)  // pad byte must be zero
      return -abi::kEinval;
    if (params.busy_poll_usecs > abi::kS32Max)
      return -abi::kEinval;
    if (params.prefer_busy_poll > 1)
      return -abi::kEinval;
    if (params.busy_poll_budget > abi::kNapiPollWeight &&
        !kernel()->config().cap_net_admin)
      return -abi::kEperm;
    ep->busy_poll_usecs_.store(params.busy_poll_usecs,
                               std::memory_order_relaxed);
    ep->busy_poll_budget_.store(params.busy_poll_budget,
                                std::memory_order_relaxed);
    ep->prefer_busy_poll_.store(params.prefer_busy_poll,
                                std::memory_order_relaxed);
    return 0;
  case abi::kEpiocGParams:
    params.busy_poll_usecs =
        ep->busy_poll_usecs_.load(std::memory_order_relaxed);
    params.busy_poll_budget =
        ep->busy_poll_budget_.load(std::memory_order_relaxed);
    params.prefer_busy_poll =
        ep->prefer_busy_poll_.load(std::memory_order_relaxed);
    if (!CopyToUser(arg, 0, &params, sizeof params))
      return -abi::kEfault;
    return 0;
  default:
    return -abi::kEinval;  // not ENOTTY: the epoll file has an ioctl
  }
}

bool RefcountDecAndTest(Eventpoll* ep) {
  return AtomicFetchSub(ep->refcount_, 1, std::memory_order_acq_rel) == 1;
}

// Linux: ep_free.
void EpFree(Eventpoll* ep) { delete ep; }

// Linux: ep_events_available. Requires: ep->lock_ held.
bool EventsAvailableLocked(Eventpoll* ep) {
  return !ep->rdllist_.Empty() || ep->ovflist_ != UnactivePtr();
}

// Publishes EventsAvailableLocked for EventsAvailableLockless; called at the
// end of every lock_ section that changes rdllist_ or ovflist_.
// Requires: ep->lock_ held.
void UpdateAvailLocked(Eventpoll* ep) {
  ep->avail_.store(EventsAvailableLocked(ep), std::memory_order_relaxed);
}

// Linux: ep_events_available without ep->lock (ep_poll's first test): may
// be stale, as the kernel's racy read may; every decision to sleep is taken
// again under the lock.
bool EventsAvailableLockless(Eventpoll* ep) {
  return ep->avail_.load(std::memory_order_relaxed);
}

// Linux: ep_poll_safewake: wake the instance's own watchers with key IN.
void PollSafewake(Eventpoll* ep) {
  // The callers' waitqueue_active(&ep->poll_wait) test, made locklessly.
  if (ep->poll_wait_.HasSleeper())
    ep->poll_wait_.WakeUp(abi::kEpollIn, 1);  // wake_up_poll
}

// Whether a thread sleeps in epoll_wait. ep->wq_'s entries are added,
// removed and woken only with ep->lock_ held (as the kernel's ep->wq is
// protected by ep->lock), so this may read the list without the queue's own
// lock. Linux: waitqueue_active(&ep->wq). Requires: ep->lock_ held.
bool WaitersActiveLocked(Eventpoll* ep) {
  return ep->wq_.ActiveLocked();  // see above: ep->lock_ suffices
}

// Wakes one epoll_wait sleeper if there is one; returns whether there was.
// Linux: if (waitqueue_active(&ep->wq)) wake_up(&ep->wq).
// Requires: ep->lock_ held.
bool WakeWaitersLocked(Eventpoll* ep) {
  if (!WaitersActiveLocked(ep))
    return false;
  std::lock_guard<SpinLock> guard(ep->wq_.lock());
  ep->wq_.WakeUpLocked(0, 1);
  return true;
}

uint32_t EventpollPoll(Eventpoll* ep, File* file, PollTable* pt, int depth);

// Linux: ep_item_poll: the file's mask filtered by the item's, or 0 if the
// file is already being torn down (epi_fget fails).
// Requires: epi->ep->mtx_ held.
uint32_t ItemPoll(Epitem* epi, PollTable* pt, int depth) {
  File* file = epi->file;
  if (!file->TryGet())
    return 0;
  // The kernel always passes a table: without a queue proc for a plain
  // re-poll, and with the item's events as the key either way.
  PollTable no_queue(false);
  if (pt == nullptr)
    pt = &no_queue;
  pt->key = epi->events;
  uint32_t res = 0;
  if (Eventpoll* tep = file->EventpollOf()) {
    res = EventpollPoll(tep, file, pt, depth);
  } else {
    res = file->Poll(pt);
  }
  Fput(file);
  return res & epi->events;
}

// Linux: ep_start_scan: steal the ready list and activate the overflow list.
// Requires: ep->mtx_ held.
void StartScan(Eventpoll* ep, ReadyList& txlist) {
  std::lock_guard<SpinLock> guard(ep->lock_);
  ep->rdllist_.SpliceInitToFront(txlist);
  ep->ovflist_ = nullptr;
  UpdateAvailLocked(ep);  // true: the overflow list is active
}

// Linux: ep_done_scan: items that callbacks chained on the overflow list go
// to the front of the ready list in callback order, then the undelivered
// rest of the scan batch in front of them; wake another waiter if anything
// is left. `requeued` holds the level-triggered items the scan delivered, in
// delivery order: the kernel appends them to the (then empty) ready list
// one by one during the scan; here they are kept on a private list and
// become the ready list in one step, which gives the same order
// ([undelivered] ++ [overflow, FIFO] ++ [re-queued]) with one lock round.
// Requires: ep->mtx_ held.
void DoneScan(Eventpoll* ep, ReadyList& txlist, ReadyList& requeued) {
  std::lock_guard<SpinLock> guard(ep->lock_);
  EP_CHECK(ep->rdllist_.Empty());  // callbacks used the overflow list
  requeued.SpliceInitToFront(ep->rdllist_);
  for (Epitem *epi = ep->ovflist_, *nepi = nullptr; epi != nullptr;
       epi = nepi) {
    nepi = epi->next;
    epi->next = UnactivePtr();
    // "->ovflist is LIFO, so we have to reverse it in order to keep in
    // FIFO."
    if (!epi->Linked())
      ep->rdllist_.PushFront(epi);
  }
  ep->ovflist_ = UnactivePtr();
  txlist.SpliceInitToFront(ep->rdllist_);  // list_splice
  UpdateAvailLocked(ep);
  if (!ep->rdllist_.Empty())
    WakeWaitersLocked(ep);
}

// Linux: __ep_eventpoll_poll: IN|RDNORM iff an item on the ready list is
// really ready; the stale ones in front of it are pruned.
uint32_t EventpollPoll(Eventpoll* ep, File* file, PollTable* pt, int depth) {
  PollWait(file, &ep->poll_wait_, pt);
  std::lock_guard<std::mutex> guard(ep->mtx_);  // mutex_lock_nested
  ReadyList txlist;
  StartScan(ep, txlist);
  uint32_t res = 0;
  ReadyList none;
  txlist.ForEachSafe([&](Epitem* epi) {
    if (ItemPoll(epi, nullptr, depth + 1) != 0) {
      res = abi::kEpollIn | abi::kEpollRdNorm;
      return false;
    }
    // "Item has been dropped into the ready list by the poll callback, but
    // it's not actually ready ... We can remove it here."
    epi->UnlinkReady();
    return true;
  });
  DoneScan(ep, txlist, none);
  return res;
}

uint32_t EpollFile::Poll(PollTable* pt) {
  return EventpollPoll(eventpoll_, this, pt, 0);
}

// Linux: ep_remove_wait_queue for every hook: the callback can no longer
// run once this returns. Requires: epi->ep->mtx_ held.
void UnregisterPollwait(Epitem* epi) {
  for (std::unique_ptr<EppollEntry> pwq = std::move(epi->pwqlist); pwq;
       pwq = std::move(pwq->next_)) {
    pwq->whead_->Remove(pwq.get());
  }
}

// Linux: __ep_remove. Returns true if this dropped the instance's last
// reference (the caller frees it after unlocking mtx_); false if the item
// was left to a racing eventpoll_release_file (`force` unset and dying).
// Requires: ep->mtx_ held.
bool EpRemove(Eventpoll* ep, Epitem* epi, bool force) {
  File* file = epi->file;
  UnregisterPollwait(epi);
  {
    std::lock_guard<SpinLock> guard(file->f_lock_);
    if (epi->dying && !force)
      return false;
    epi->ListNode<FileLinkTag>::Unlink();  // hlist_del_rcu(&epi->fllink)
  }
  auto node = ep->rbr_.extract(FileFd{file, epi->fd});
  EP_CHECK(!node.empty());
  {
    std::lock_guard<SpinLock> guard(ep->lock_);
    EP_CHECK(epi->next == UnactivePtr());  // no scan runs: we hold mtx_
    if (epi->Linked()) {
      epi->UnlinkReady();
      UpdateAvailLocked(ep);
    }
  }
  node.mapped().reset();  // kfree_rcu(epi)
  AtomicFetchSub(ep->kernel_->epoll_watches_, 1, std::memory_order_relaxed);
  return RefcountDecAndTest(ep);
}

// Linux: ep_remove_safe: the instance is known to stay alive.
// Requires: ep->mtx_ held.
void EpRemoveSafe(Eventpoll* ep, Epitem* epi) {
  const bool dispose = EpRemove(ep, epi, false);
  EP_CHECK(!dispose);
}

// Linux: ep_clear_and_put (from ep_eventpoll_release): unhook and remove
// every item; free the instance unless a racing eventpoll_release_file still
// holds one of its items.
void ClearAndPut(Eventpoll* ep) {
  // "We need to release all tasks waiting for these file."
  PollSafewake(ep);
  bool dispose = false;
  {
    std::lock_guard<std::mutex> guard(ep->mtx_);
    std::vector<Epitem*> items;
    items.reserve(ep->rbr_.size());
    for (auto& [key, epi] : ep->rbr_)
      items.push_back(epi.get());
    for (Epitem* epi : items)
      UnregisterPollwait(epi);
    for (Epitem* epi : items)
      EpRemoveSafe(ep, epi);
    ep->file_ = nullptr;
    dispose = RefcountDecAndTest(ep);
  }
  if (dispose)
    EpFree(ep);
}

void EpollFile::Release() {
  ClearAndPut(eventpoll_);
  eventpoll_ = nullptr;
}

// Linux: struct ep_pqueue + ep_ptable_queue_proc: hooks the item being
// inserted on each wait queue the file's poll names.
class EpQueueTable final : public PollTable {
public:
  explicit EpQueueTable(Epitem* epi) : epi_(epi) {}
  void QueueProc(File* /*file*/, WaitQueueHead* whead) override {
    auto pwq = std::make_unique<EppollEntry>(epi_, whead);
    if ((epi_->events & abi::kEpollExclusive) != 0) {
      whead->AddExclusive(pwq.get());
    } else {
      whead->Add(pwq.get());
    }
    pwq->next_ = std::move(epi_->pwqlist);
    epi_->pwqlist = std::move(pwq);
  }

private:
  Epitem* epi_;
};

// Linux: reverse_path_check_proc: walks up from the items on `file`'s f_ep
// list, counting paths that end at an instance nobody watches.
// Requires: kernel->epnested_mutex_ held.
bool ReversePathProc(File* file, int depth, int (&path_count)[5]) {
  if (depth > abi::kEpMaxNests)
    return true;  // too deep nesting
  bool fail = false;
  std::lock_guard<SpinLock> guard(file->f_lock_);
  file->f_ep_.ForEachSafe([&](Epitem* epi) {
    if (epi->dying)
      return true;
    File* above = epi->ep->file_;
    bool watched = false;
    if (above != nullptr) {
      std::lock_guard<SpinLock> above_guard(above->f_lock_);
      watched = !above->f_ep_.Empty();
    }
    if (!watched) {
      // path_count_inc(): any number of depth-0 paths is allowed.
      fail = depth != 0 && ++path_count[depth] > abi::kPathLimits[depth];
    } else {
      fail = ReversePathProc(above, depth + 1, path_count);
    }
    return !fail;
  });
  return fail;
}

// Linux: reverse_path_check over tfile_check_list.
// Requires: kernel->epnested_mutex_ held.
bool ReversePathCheckFails(const std::vector<FileRef>& tfile_check_list) {
  for (const FileRef& file : tfile_check_list) {
    int path_count[5] = {};  // path_count_init()
    if (ReversePathProc(file.get(), 0, path_count))
      return true;
  }
  return false;
}

// Linux: ep_insert. `tfile_check_list` is non-null when do_epoll_ctl ran the
// full check. Requires: ep->mtx_ held.
int EpInsert(Eventpoll* ep, const EpollEvent& event, File* tfile, int fd,
             const std::vector<FileRef>* tfile_check_list) {
  SimKernel* kernel = ep->kernel_;
  Eventpoll* tep = tfile->EventpollOf();
  if (kernel->epoll_watches_.load(std::memory_order_relaxed) >=
      kernel->config().max_user_watches) {
    return -abi::kEnospc;
  }
  AtomicFetchAdd(kernel->epoll_watches_, 1, std::memory_order_relaxed);
  auto owned = std::make_unique<Epitem>();
  Epitem* epi = owned.get();
  epi->ep = ep;
  epi->file = tfile;
  epi->fd = fd;
  epi->events = event.events;
  epi->data = event.data;
  {
    std::unique_lock<std::mutex> tep_lock;
    if (tep != nullptr)
      tep_lock = std::unique_lock<std::mutex>(tep->mtx_);
    {
      // attach_epitem: hlist_add_head_rcu.
      std::lock_guard<SpinLock> guard(tfile->f_lock_);
      tfile->f_ep_.PushFront(epi);
    }
    ep->rbr_.emplace(FileFd{tfile, fd}, std::move(owned));
  }
  AtomicFetchAdd(ep->refcount_, 1, std::memory_order_relaxed);  // ep_get
  // ep_insert: now check if we've created too many backpaths.
  if (tfile_check_list != nullptr && ReversePathCheckFails(*tfile_check_list)) {
    EpRemoveSafe(ep, epi);
    return -abi::kEinval;
  }
  // "Attach the item to the poll hooks and get current event bits."
  EpQueueTable pt(epi);
  const uint32_t revents = ItemPoll(epi, &pt, 1);
  bool pwake = false;
  {
    std::lock_guard<SpinLock> guard(ep->lock_);
    // "If the file is already "ready" we drop it inside the ready list."
    if (revents != 0 && !epi->Linked()) {
      ep->rdllist_.PushBack(epi);
      UpdateAvailLocked(ep);
      WakeWaitersLocked(ep);
      pwake = true;  // waitqueue_active(&ep->poll_wait) is PollSafewake's
    }
  }
  if (pwake)
    PollSafewake(ep);
  return 0;
}

// Linux: ep_modify. Requires: ep->mtx_ held.
int EpModify(Eventpoll* ep, Epitem* epi, const EpollEvent& event) {
  {
    // "Set the new event interest mask before calling f_op->poll()."
    std::lock_guard<SpinLock> guard(ep->lock_);
    epi->events = event.events;
    epi->data = event.data;
  }
  bool pwake = false;
  if (ItemPoll(epi, nullptr, 1) != 0) {
    std::lock_guard<SpinLock> guard(ep->lock_);
    if (!epi->Linked()) {
      ep->rdllist_.PushBack(epi);
      UpdateAvailLocked(ep);
      WakeWaitersLocked(ep);
      pwake = true;
    }
  }
  if (pwake)
    PollSafewake(ep);
  return 0;
}

// Linux: ep_send_events. Returns how many events were stored in `events`,
// or -EFAULT if the first copy faulted.
int SendEvents(Eventpoll* ep, const UserBuffer& events, int maxevents) {
  const bool requeue_lt = !ep->kernel_->config().fault_skip_lt_requeue;
  std::lock_guard<std::mutex> guard(ep->mtx_);
  ReadyList txlist;
  ReadyList requeued;  // LT items delivered by this scan (see DoneScan)
  StartScan(ep, txlist);
  int res = 0;
  // "We can loop without lock because we are passed a task private list.
  // Items cannot vanish during the loop we are holding ep->mtx."
  txlist.ForEachSafe([&](Epitem* epi) {
    if (res >= maxevents)
      return false;
    epi->UnlinkReady();
    const uint32_t revents = ItemPoll(epi, nullptr, 1);
    if (revents == 0)
      return true;
    // epoll_put_uevent.
    const EpollEvent uevent{.events = revents, .data = epi->data};
    if (!CopyToUser(events, static_cast<size_t>(res) * sizeof uevent, &uevent,
                    sizeof uevent)) {
      // "Put back the item: it stays on the ready list", at the head of
      // the batch, not disarmed.
      txlist.PushFront(epi);
      if (res == 0)
        res = -abi::kEfault;
      return false;
    }
    ++res;
    if ((epi->events & abi::kEpollOneShot) != 0) {
      std::lock_guard<SpinLock> lock(ep->lock_);
      epi->events &= abi::kEpPrivateBits;  // disarm, ERR/HUP included
    } else if ((epi->events & abi::kEpollEt) == 0 && requeue_lt) {
      // "If this file has been added with Level Trigger mode, we need to
      // insert back inside the ready list." The item counts as linked from
      // here on (callbacks of this scan go to the overflow list anyway).
      requeued.PushBack(epi);
    }
    return true;
  });
  DoneScan(ep, txlist, requeued);
  return res;
}

// Linux: ep_poll. Wakeups come from callbacks, ADD/MOD and ep_done_scan;
// the sleeper waits on ep->wq as an exclusive entry added at the head.
int EpPoll(Eventpoll* ep, const UserBuffer& events, int maxevents,
           const WaitTimeout& timeout) {
  bool timed_out = timeout.kind == WaitTimeout::Kind::kNonBlocking;
  std::optional<std::chrono::steady_clock::time_point> deadline;
  if (timeout.kind == WaitTimeout::Kind::kDeadline)
    deadline = timeout.deadline;
  bool eavail = EventsAvailableLockless(ep);  // racy, as in the kernel
  for (;;) {
    if (eavail) {
      // ep_try_send_events: "In case we get 0 events and there's still
      // timeout left over, we go trying again in search of more luck."
      const int res = SendEvents(ep, events, maxevents);
      if (res != 0)
        return res;
    }
    if (timed_out)
      return 0;
    Sleeper task;
    AutoremoveWaitEntry wait(&task, /*always_unlink=*/true);
    wait.exclusive = true;
    {
      std::lock_guard<SpinLock> guard(ep->lock_);
      task.PrepareToSleep();
      eavail = EventsAvailableLocked(ep);
      if (!eavail) {
        std::lock_guard<SpinLock> wq_guard(ep->wq_.lock());
        ep->wq_.AddLocked(&wait);  // __add_wait_queue_exclusive
      }
    }
    if (!eavail)
      timed_out = !task.Sleep(deadline);
    task.SetRunning();
    // "We were woken up, thus go and try to harvest some events. If timed
    // out and still on the wait queue, recheck eavail carefully under lock."
    eavail = true;
    {
      std::lock_guard<SpinLock> guard(ep->lock_);
      std::lock_guard<SpinLock> wq_guard(ep->wq_.lock());
      if (!wait.Unlinked()) {
        if (timed_out)
          eavail = false;
        wait.Unlink();
      }
    }
  }
}

// Linux: ep_loop_check_proc: how deep the epoll chain below `ep` goes, or
// EP_MAX_NESTS + 1 if it reaches `inserting_into` or is too deep.
// Requires: kernel->epnested_mutex_ held.
int LoopCheckProc(Eventpoll* ep, Eventpoll* inserting_into, int depth,
                  uint64_t gen, std::vector<FileRef>* tfile_check_list) {
  if (ep->gen_.load(std::memory_order_relaxed) == gen)
    return ep->loop_check_depth_.load(std::memory_order_relaxed);
  int result = 0;
  std::lock_guard<std::mutex> guard(ep->mtx_);  // mutex_lock_nested
  ep->gen_.store(gen, std::memory_order_relaxed);
  for (auto& [key, epi] : ep->rbr_) {
    Eventpoll* to_visit = key.file->EventpollOf();
    if (to_visit == nullptr) {
      // list_file(): a file the new links reach, checked for wakeup paths.
      // The list holds a reference ("epoll: Keep a reference on files added
      // to the check list"): another thread may be closing the file.
      File* const file = key.file;
      const bool listed =
          std::any_of(tfile_check_list->begin(), tfile_check_list->end(),
                      [file](const FileRef& f) { return f.get() == file; });
      if (!listed && key.file->TryGet())
        tfile_check_list->push_back(FileRef(key.file));
      continue;
    }
    if (to_visit == inserting_into || depth > abi::kEpMaxNests) {
      result = abi::kEpMaxNests + 1;
    } else {
      result =
          std::max(result, LoopCheckProc(to_visit, inserting_into, depth + 1,
                                         gen, tfile_check_list) +
                               1);
    }
    if (result > abi::kEpMaxNests)
      break;
  }
  ep->loop_check_depth_.store(result, std::memory_order_relaxed);
  return result;
}

// Linux: ep_get_upwards_depth_proc (6.17+): how many instances watch `ep`
// from above, through the items on its file's f_ep list.
// Requires: kernel->epnested_mutex_ held.
int UpwardsDepthProc(Eventpoll* ep, uint64_t gen) {
  if (ep->gen_.load(std::memory_order_relaxed) == gen)
    return ep->loop_check_depth_.load(std::memory_order_relaxed);
  int result = 0;
  File* file = ep->file_;
  if (file != nullptr) {
    std::lock_guard<SpinLock> guard(file->f_lock_);
    file->f_ep_.ForEachSafe([&](Epitem* epi) {
      if (!epi->dying)
        result = std::max(UpwardsDepthProc(epi->ep, gen) + 1, result);
      return true;
    });
  }
  ep->gen_.store(gen, std::memory_order_relaxed);
  ep->loop_check_depth_.store(result, std::memory_order_relaxed);
  return result;
}

// Linux: ep_loop_check: true if adding `to` into `ep` would make a loop or a
// chain of more than EP_MAX_NESTS links (depth below + 1 + depth above).
// Requires: kernel->epnested_mutex_ held.
bool LoopCheckFails(Eventpoll* ep, Eventpoll* to, uint64_t gen,
                    std::vector<FileRef>* tfile_check_list) {
  const int depth = LoopCheckProc(to, ep, 0, gen, tfile_check_list);
  if (depth > abi::kEpMaxNests)
    return true;
  const int upwards_depth = UpwardsDepthProc(ep, gen);
  return depth + 1 + upwards_depth > abi::kEpMaxNests;
}

}  // namespace

// Linux: ep_poll_callback. Runs with the watched queue's lock held.
int EppollEntry::Wake(uint32_t pollflags) {
  Epitem* epi = base_;
  Eventpoll* ep = epi->ep;
  int ewake = 0;
  bool pwake = false;
  uint32_t events = 0;
  {
    std::lock_guard<SpinLock> guard(ep->lock_);
    events = epi->events;
    // "If the event mask does not contain any poll(2) event, we consider the
    // descriptor to be disabled" (a disarmed ONESHOT item).
    const bool disabled = (events & ~abi::kEpPrivateBits) == 0;
    // "Check the events coming with the callback."
    const bool filtered = pollflags != 0 && (pollflags & events) == 0;
    if (!disabled && !filtered) {
      if (ep->ovflist_ != UnactivePtr()) {
        // A delivery scan is running: chain_epi_lockless.
        if (epi->next == UnactivePtr()) {
          epi->next = ep->ovflist_;
          ep->ovflist_ = epi;
        }
      } else if (!epi->Linked()) {
        if (ep->kernel_->config().fault_lifo_ready_list)
          ep->rdllist_.PushFront(epi);  // the fault: list_add
        else
          ep->rdllist_.PushBack(epi);  // list_add_tail_lockless
      }
      UpdateAvailLocked(ep);
      // "Wake up ( if active ) both the eventpoll wait list and the ->poll()
      // wait list."
      if (WaitersActiveLocked(ep)) {
        std::lock_guard<SpinLock> wq_guard(ep->wq_.lock());
        if ((events & abi::kEpollExclusive) != 0) {
          switch (pollflags & kEpollInOutBits) {
          case abi::kEpollIn:
            ewake = (events & abi::kEpollIn) != 0 ? 1 : 0;
            break;
          case abi::kEpollOut:
            ewake = (events & abi::kEpollOut) != 0 ? 1 : 0;
            break;
          case 0:
            ewake = 1;
            break;
          default:
            break;
          }
        }
        ep->wq_.WakeUpLocked(0, 1);
      }
      // waitqueue_active(&ep->poll_wait), without a barrier: a watcher
      // hooks itself on poll_wait_ before it takes lock_ to scan, so either
      // it finds this item ready or we find its hook.
      pwake = ep->poll_wait_.ActiveLockless();
    }
  }
  // "We have to call this outside the lock": ep_poll_safewake.
  if (pwake)
    ep->poll_wait_.WakeUp(abi::kEpollIn, 1);
  if ((events & abi::kEpollExclusive) == 0)
    ewake = 1;
  return ewake;
}

FileRef CreateEpollFile(SimKernel* kernel) {
  auto* ep = new Eventpoll(kernel);  // ep_alloc
  auto* file = new EpollFile(kernel, ep);
  ep->file_ = file;
  return FileRef(file);
}

int DoEpollCtl(File* ep_file, File* tfile, int op, int fd, EpollEvent epds) {
  const bool has_event = op != abi::kEpollCtlDel;  // ep_op_has_event
  // ep_take_care_of_epollwakeup without CONFIG_PM_SLEEP: always dropped.
  if (has_event)
    epds.events &= ~abi::kEpollWakeup;
  Eventpoll* ep = ep_file->EventpollOf();
  // "We do not permit adding an epoll file descriptor inside itself."
  if (ep_file == tfile || ep == nullptr)
    return -abi::kEinval;
  Eventpoll* tep = tfile->EventpollOf();
  SimKernel* kernel = ep->kernel_;
  const bool exclusive_mod_after_lookup =
      kernel->config().fault_exclusive_mod_after_lookup;
  // "EPOLLEXCLUSIVE is not allowed for a EPOLL_CTL_MOD operation. Also, we
  // do not currently supported nested exclusive wakeups."
  if (has_event && (epds.events & abi::kEpollExclusive) != 0) {
    if (op == abi::kEpollCtlMod && !exclusive_mod_after_lookup)
      return -abi::kEinval;
    if (op == abi::kEpollCtlAdd &&
        (tep != nullptr || (epds.events & ~abi::kEpollExclusiveOkBits) != 0)) {
      return -abi::kEinval;
    }
  }
  std::unique_lock<std::mutex> nested;  // epnested_mutex, if full_check
  // Linux: tfile_check_list: files whose wakeup paths the new link may
  // multiply, each with a reference (dropped, deferred, when it goes out of
  // scope). Filled and read only with epnested_mutex held.
  std::vector<FileRef> tfile_check_list;
  std::unique_lock<std::mutex> mtx(ep->mtx_);
  bool full_check = false;
  if (op == abi::kEpollCtlAdd) {
    bool watched = false;
    {
      std::lock_guard<SpinLock> guard(ep_file->f_lock_);
      watched = !ep_file->f_ep_.Empty();
    }
    if (watched || tep != nullptr ||
        ep->gen_.load(std::memory_order_relaxed) ==
            kernel->loop_check_gen_.load(std::memory_order_relaxed)) {
      mtx.unlock();
      nested = std::unique_lock<std::mutex>(kernel->epnested_mutex_);
      const uint64_t gen = kernel->loop_check_gen_.fetch_add(1) + 1;
      full_check = true;
      if (tep == nullptr) {
        tfile->Get();  // get_file(tf.file): the caller holds one already
        tfile_check_list.push_back(FileRef(tfile));  // list_file(tf.file)
      }
      if (tep != nullptr && LoopCheckFails(ep, tep, gen, &tfile_check_list)) {
        kernel->loop_check_gen_.fetch_add(1);
        return -abi::kEloop;
      }
      mtx.lock();
    }
  }
  // "Try to lookup the file inside our RB tree."
  auto it = ep->rbr_.find(FileFd{tfile, fd});
  Epitem* epi = it == ep->rbr_.end() ? nullptr : it->second.get();
  int error = -abi::kEinval;
  switch (op) {
  case abi::kEpollCtlAdd:
    if (epi == nullptr) {
      epds.events |= abi::kEpollErr | abi::kEpollHup;
      error = EpInsert(ep, epds, tfile, fd,
                       full_check ? &tfile_check_list : nullptr);
    } else {
      error = -abi::kEexist;
    }
    break;
  case abi::kEpollCtlDel:
    if (epi != nullptr) {
      EpRemoveSafe(ep, epi);
      error = 0;
    } else {
      error = -abi::kEnoent;
    }
    break;
  case abi::kEpollCtlMod:
    if (epi != nullptr && exclusive_mod_after_lookup &&
        (epds.events & abi::kEpollExclusive) != 0) {
      break;  // the fault's EINVAL, after the lookup
    }
    if (epi != nullptr) {
      // An item added with EPOLLEXCLUSIVE can never be modified.
      if ((epi->events & abi::kEpollExclusive) == 0) {
        if (!kernel->config().fault_mod_without_err_hup)
          epds.events |= abi::kEpollErr | abi::kEpollHup;
        error = EpModify(ep, epi, epds);
      }
    } else {
      error = -abi::kEnoent;
    }
    break;
  default:
    break;
  }
  mtx.unlock();
  if (full_check)
    kernel->loop_check_gen_.fetch_add(1);
  return error;
}

int DoEpollWait(File* ep_file, const UserBuffer& events, int maxevents,
                const WaitTimeout& timeout) {
  // ep_check_params.
  if (maxevents <= 0 || maxevents > abi::kEpMaxEvents)
    return -abi::kEinval;
  if (!events.access_ok)
    return -abi::kEfault;
  Eventpoll* ep = ep_file->EventpollOf();
  if (ep == nullptr)
    return -abi::kEinval;
  return EpPoll(ep, events, maxevents, timeout);
}

bool ShowFdinfo(File* ep_file, std::vector<EpollFdinfoLine>* out) {
  Eventpoll* ep = ep_file->EventpollOf();
  if (ep == nullptr)
    return false;
  std::lock_guard<std::mutex> guard(ep->mtx_);
  for (const auto& [key, epi] : ep->rbr_) {
    // An item's file is alive while the item is: its release removes the
    // item under this mutex first (EventpollRelease).
    out->push_back(EpollFdinfoLine{.tfd = epi->fd,
                                   .events = epi->events,
                                   .data = epi->data,
                                   .inode = epi->file->inode()});
  }
  return true;
}

int SleepingWaiters(File* ep_file) {
  Eventpoll* ep = ep_file->EventpollOf();
  if (ep == nullptr)
    return -1;
  std::lock_guard<SpinLock> guard(ep->lock_);
  std::lock_guard<SpinLock> wq_guard(ep->wq_.lock());
  return static_cast<int>(ep->wq_.SizeLocked());
}

// Linux: eventpoll_release_file. Each item is marked dying under f_lock, so
// a racing ep_clear_and_put leaves it alone, then removed under its
// instance's mtx; the instance is freed if that was its last reference.
void EventpollRelease(File* file) {
  for (;;) {
    Epitem* epi = nullptr;
    {
      std::lock_guard<SpinLock> guard(file->f_lock_);
      epi = file->f_ep_.Front();
      if (epi == nullptr)
        return;
      epi->dying = true;
    }
    Eventpoll* ep = epi->ep;
    bool dispose = false;
    {
      std::lock_guard<std::mutex> guard(ep->mtx_);
      dispose = EpRemove(ep, epi, true);
    }
    if (dispose)
      EpFree(ep);
  }
}

void FaultDropItemsOfFd(File* file, int fd) {
  for (;;) {
    Epitem* epi = nullptr;
    {
      std::lock_guard<SpinLock> guard(file->f_lock_);
      for (Epitem* e = file->f_ep_.Front(); e != nullptr;
           e = file->f_ep_.Next(e)) {
        if (e->fd == fd && !e->dying) {
          epi = e;
          break;
        }
      }
    }
    if (epi == nullptr)
      return;
    Eventpoll* ep = epi->ep;
    bool dispose = false;
    {
      std::lock_guard<std::mutex> guard(ep->mtx_);
      dispose = EpRemove(ep, epi, false);
    }
    if (dispose)
      EpFree(ep);
  }
}

}  // namespace epollcheck::sim
