// Pipes. Linux: fs/pipe.c. SIGPIPE is raised on the caller (SendSigpipe):
// a write without readers only returns EPIPE.

#include "sut/sim/pipe.h"

#include <algorithm>
#include <cstring>

#include "model/abi.h"
#include "model/check.h"
#include "sut/sim/sim_kernel.h"
#include "sut/sim/smp.h"

namespace epollcheck::sim {
namespace {

constexpr uint32_t kPageSize = abi::kPageSize;
constexpr uint32_t kPollIn = abi::kEpollIn | abi::kEpollRdNorm;
constexpr uint32_t kPollOut = abi::kEpollOut | abi::kEpollWrNorm;

// One end of a pipe, or a file of a FIFO. Linux: a struct file with
// pipefifo_fops and private_data = the pipe.
class PipeFile final : public File {
public:
  PipeFile(SimKernel* kernel, PipeInodeInfo* pipe, SimInode inode,
           uint32_t f_mode, uint32_t f_flags, FifoInode* fifo = nullptr,
           uint32_t f_pipe = 0)
      : File(kernel, f_mode, f_flags), pipe_(pipe), fifo_(fifo),
        f_pipe_(f_pipe) {
    inode_ = inode;
  }

  bool CanRead() const override { return (f_mode() & kFmodeRead) != 0; }
  bool CanWrite() const override { return (f_mode() & kFmodeWrite) != 0; }
  bool HasFasync() const override { return true; }     // pipe_fasync
  bool TakesODirect() const override { return true; }  // S_ISFIFO
  int64_t Read(void* buf, size_t count) override {
    return pipe_->Read(f_flags(), buf, count);
  }
  int64_t Write(const void* buf, size_t count) override {
    return pipe_->Write(f_flags(), buf, count);
  }
  uint32_t Poll(PollTable* pt) override {
    return pipe_->Poll(this, f_mode(), f_pipe_, pt);
  }
  // Linux: pipe_release, then put_pipe_info frees the pipe with its last
  // file.
  void Release() override {
    if (pipe_->Release(f_mode(), fifo_))
      delete pipe_;
    pipe_ = nullptr;
  }
  PipeInodeInfo* PipeInfo() override { return pipe_; }

private:
  PipeInodeInfo* pipe_;    // shared with the other files; freed by the last one
  FifoInode* const fifo_;  // the FIFO's inode, or null for pipe2's ends
  // Linux: file->f_pipe: set once by fifo_open, read by Poll.
  const uint32_t f_pipe_;
};

}  // namespace

PipeInodeInfo::PipeInodeInfo(SimKernel* kernel)
    : kernel_(kernel), bufs_(abi::kPipeDefBuffers),
      max_usage_(abi::kPipeDefBuffers) {
  AtomicFetchAdd(kernel_->live_pipes_, 1, std::memory_order_relaxed);
}

PipeInodeInfo::~PipeInodeInfo() {
  AtomicFetchSub(kernel_->live_pipes_, 1, std::memory_order_relaxed);
}

std::unique_ptr<std::byte[]> PipeInodeInfo::TakePage() {
  if (tmp_page_)
    return std::move(tmp_page_);
  return std::make_unique<std::byte[]>(kPageSize);
}

void PipeInodeInfo::ReleaseBuffer(PipeBuffer& buf) {
  if (!tmp_page_)
    tmp_page_ = std::move(buf.page);
  buf.page.reset();
  buf.flags = 0;
}

// Linux: pipe_write.
int64_t PipeInodeInfo::Write(uint32_t f_flags, const void* buf, size_t count) {
  // "Null write succeeds."
  if (count == 0)
    return 0;
  const auto* from = static_cast<const std::byte*>(buf);
  size_t left = count;
  int64_t ret = 0;
  bool was_empty = false;
  bool wake_next_writer = false;
  std::unique_lock<std::mutex> lock(mutex_);
  if (readers_.load(std::memory_order_relaxed) == 0) {
    SendSigpipe();  // send_sig(SIGPIPE, current, 0)
    ret = -abi::kEpipe;
  } else {
    unsigned head = head_.load(std::memory_order_relaxed);
    was_empty = head == tail_.load(std::memory_order_relaxed);
    // "If it wasn't empty we try to merge new data into the last buffer."
    const size_t chars = count & (kPageSize - 1);
    bool done = false;
    if (chars != 0 && !was_empty) {
      PipeBuffer& last = bufs_[(head - 1) & (bufs_.size() - 1)];
      const size_t offset = last.offset + last.len;
      if ((last.flags & kPipeBufFlagCanMerge) != 0 &&
          offset + chars <= kPageSize) {
        std::memcpy(last.page.get() + offset, from, chars);
        last.len += static_cast<uint32_t>(chars);
        from += chars;
        left -= chars;
        ret = static_cast<int64_t>(chars);
        done = left == 0;
      }
    }
    while (!done) {
      if (readers_.load(std::memory_order_relaxed) == 0) {
        SendSigpipe();  // send_sig(SIGPIPE, current, 0)
        if (ret == 0)
          ret = -abi::kEpipe;
        break;
      }
      head = head_.load(std::memory_order_relaxed);
      if (!Full(head, tail_.load(std::memory_order_relaxed),
                max_usage_.load(std::memory_order_relaxed))) {
        PipeBuffer& slot = bufs_[head & (bufs_.size() - 1)];
        slot.page = TakePage();
        slot.offset = 0;
        slot.flags = (f_flags & abi::kODirect) != 0 ? kPipeBufFlagPacket
                                                    : kPipeBufFlagCanMerge;
        const size_t copied = std::min<size_t>(left, kPageSize);
        std::memcpy(slot.page.get(), from, copied);
        slot.len = static_cast<uint32_t>(copied);
        head_.store(head + 1, std::memory_order_release);
        from += copied;
        left -= copied;
        ret += static_cast<int64_t>(copied);
        if (left == 0)
          break;
        continue;
      }
      // "Wait for buffer space to become available."
      if ((f_flags & abi::kONonblock) != 0) {
        if (ret == 0)
          ret = -abi::kEagain;
        break;
      }
      lock.unlock();
      // Let the readers drain what we wrote before sleeping.
      if (was_empty)
        rd_wait_.WakeUp(kPollIn, 1);  // wake_up_interruptible_sync_poll
      WaitEventExclusive(wr_wait_, [this] {
        return !Full(head_.load(std::memory_order_acquire),
                     tail_.load(std::memory_order_acquire),
                     max_usage_.load(std::memory_order_acquire)) ||
               readers_.load(std::memory_order_acquire) == 0;
      });  // pipe_writable
      lock.lock();
      was_empty = head_.load(std::memory_order_relaxed) ==
                  tail_.load(std::memory_order_relaxed);
      wake_next_writer = true;
    }
  }
  // out:
  if (Full(head_.load(std::memory_order_relaxed),
           tail_.load(std::memory_order_relaxed),
           max_usage_.load(std::memory_order_relaxed))) {
    wake_next_writer = false;
  }
  lock.unlock();
  // "If we do do a wakeup event, we do a 'sync' wakeup ... Epoll
  // nonsensically wants a wakeup whether the pipe was already empty or not"
  // (5.14+: only if it was empty or has ever been polled). This runs whatever
  // the result, EAGAIN included.
  const bool wake_if_polled = !kernel_->config().fault_pipe_wake_only_if_empty;
  if (was_empty ||
      (wake_if_polled && poll_usage_.load(std::memory_order_relaxed))) {
    rd_wait_.WakeUp(kPollIn, 1);
  }
  if (wake_next_writer)
    wr_wait_.WakeUp(kPollOut, 1);
  return ret;
}

// Linux: pipe_read (6.14+: writers are woken only when a slot of a full
// pipe was freed).
int64_t PipeInodeInfo::Read(uint32_t f_flags, void* buf, size_t count) {
  // "Null read succeeds."
  if (count == 0)
    return 0;
  auto* to = static_cast<std::byte*>(buf);
  size_t total_len = count;
  int64_t ret = 0;
  bool wake_writer = false;
  bool wake_next_reader = false;
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    const unsigned head = head_.load(std::memory_order_acquire);
    unsigned tail = tail_.load(std::memory_order_relaxed);
    if (head != tail) {
      PipeBuffer& slot = bufs_[tail & (bufs_.size() - 1)];
      size_t chars = std::min<size_t>(slot.len, total_len);
      std::memcpy(to, slot.page.get() + slot.offset, chars);
      to += chars;
      ret += static_cast<int64_t>(chars);
      slot.offset += static_cast<uint32_t>(chars);
      slot.len -= static_cast<uint32_t>(chars);
      // "Was it a packet buffer? Clean up and exit."
      if ((slot.flags & kPipeBufFlagPacket) != 0) {
        total_len = chars;
        slot.len = 0;
      }
      if (slot.len == 0) {
        wake_writer |= Full(head, tail, max_usage_.load());
        ReleaseBuffer(slot);
        ++tail;
        tail_.store(tail, std::memory_order_release);  // pipe_update_tail
      }
      total_len -= chars;
      if (total_len == 0)
        break;  // "common path: read succeeded"
      if (head != tail)
        continue;  // "More to do?"
    }
    if (writers_.load(std::memory_order_relaxed) == 0)
      break;
    if (ret != 0)
      break;
    if ((f_flags & abi::kONonblock) != 0) {
      ret = -abi::kEagain;
      break;
    }
    lock.unlock();
    if (wake_writer)
      wr_wait_.WakeUp(kPollOut, 1);
    wake_writer = false;
    WaitEventExclusive(rd_wait_, [this] {
      return head_.load(std::memory_order_acquire) !=
                 tail_.load(std::memory_order_acquire) ||
             writers_.load(std::memory_order_acquire) == 0;
    });  // pipe_readable
    lock.lock();
    wake_next_reader = true;
  }
  if (head_.load(std::memory_order_relaxed) ==
      tail_.load(std::memory_order_relaxed)) {
    wake_next_reader = false;
  }
  lock.unlock();
  if (wake_writer)
    wr_wait_.WakeUp(kPollOut, 1);
  if (wake_next_reader)
    rd_wait_.WakeUp(kPollIn, 1);
  return ret;
}

// Linux: pipe_poll. The caller is put on the queue first, then the racy
// tests run, so a change in between still wakes it.
uint32_t PipeInodeInfo::Poll(File* file, uint32_t f_mode, uint32_t f_pipe,
                             PollTable* pt) {
  poll_usage_.store(true, std::memory_order_relaxed);
  if ((f_mode & kFmodeRead) != 0)
    PollWait(file, &rd_wait_, pt);
  if ((f_mode & kFmodeWrite) != 0)
    PollWait(file, &wr_wait_, pt);
  const unsigned head = head_.load(std::memory_order_acquire);
  const unsigned tail = tail_.load(std::memory_order_acquire);
  uint32_t mask = 0;
  if ((f_mode & kFmodeRead) != 0) {
    if (head != tail)
      mask |= kPollIn;
    // A FIFO reader that opened with no writer sees no HUP until a writer
    // has come ("suppress EPOLLHUP until we have seen a writer").
    if (writers_.load(std::memory_order_acquire) == 0 &&
        (f_pipe != w_counter_.load(std::memory_order_acquire) ||
         kernel_->config().fault_fifo_hup_ignores_version)) {
      mask |= abi::kEpollHup;
    }
  }
  if ((f_mode & kFmodeWrite) != 0) {
    if (!Full(head, tail, max_usage_.load(std::memory_order_acquire)))
      mask |= kPollOut;
    // "Most Unices do not set EPOLLERR for FIFOs but on Linux they behave
    // exactly like pipes for poll()."
    if (readers_.load(std::memory_order_acquire) == 0 &&
        !kernel_->config().fault_no_pipe_writer_err) {
      mask |= abi::kEpollErr;
    }
  }
  return mask;
}

// Linux: pipe_release + put_pipe_info.
bool PipeInodeInfo::Release(uint32_t f_mode, FifoInode* fifo) {
  {
    std::lock_guard<std::mutex> guard(mutex_);
    if ((f_mode & kFmodeRead) != 0)
      AtomicFetchSub(readers_, 1, std::memory_order_release);
    if ((f_mode & kFmodeWrite) != 0)
      AtomicFetchSub(writers_, 1, std::memory_order_release);
    // "Was that the last reader or writer, but not the other side?"
    if ((readers_.load() == 0) != (writers_.load() == 0)) {
      rd_wait_.WakeUp(0, 0);  // wake_up_interruptible_all
      wr_wait_.WakeUp(0, 0);
    }
  }
  if (fifo == nullptr)
    return AtomicFetchSub(files_, 1, std::memory_order_acq_rel) == 1;
  std::lock_guard<SpinLock> guard(fifo->i_lock);
  if (AtomicFetchSub(files_, 1, std::memory_order_acq_rel) != 1)
    return false;
  fifo->i_pipe = nullptr;
  return true;
}

// Linux: pipe_set_size, round_pipe_size, pipe_resize_ring.
int64_t PipeInodeInfo::SetSize(unsigned int arg) {
  // round_pipe_size: 0 above 2^31, at least a page, else a power of two.
  unsigned long size = 0;
  if (arg <= (1u << 31)) {
    size = kPageSize;
    while (size < arg)
      size <<= 1;
  }
  const unsigned nr_slots = static_cast<unsigned>(size / kPageSize);
  if (nr_slots == 0)
    return -abi::kEinval;
  std::lock_guard<std::mutex> lock(mutex_);  // pipe_fcntl: __pipe_lock
  const SimConfig& config = kernel_->config();
  if (nr_slots > max_usage_.load() && size > config.pipe_max_size &&
      !config.cap_sys_resource) {
    return -abi::kEperm;
  }
  {
    // pipe_resize_ring runs under rd_wait.lock as well.
    std::lock_guard<SpinLock> ring_guard(rd_wait_.lock());
    const unsigned head = head_.load();
    const unsigned tail = tail_.load();
    const unsigned n = head - tail;
    if (nr_slots < n)
      return -abi::kEbusy;
    std::vector<PipeBuffer> bufs(nr_slots);
    for (unsigned i = 0; i < n; ++i)
      bufs[i] = std::move(bufs_[(tail + i) & (bufs_.size() - 1)]);
    bufs_ = std::move(bufs);
    tail_.store(0);
    head_.store(n);
    max_usage_.store(nr_slots);
  }
  // "This might have made more room for writers" (still under the pipe
  // mutex, which pipe_fcntl holds around pipe_set_size).
  wr_wait_.WakeUp(0, 1);  // wake_up_interruptible
  return static_cast<int64_t>(max_usage_.load()) * kPageSize;
}

int64_t PipeInodeInfo::Size() const {
  return static_cast<int64_t>(max_usage_.load(std::memory_order_relaxed)) *
         kPageSize;
}

int FifoOpen(SimKernel* kernel, FifoInode* fifo, uint32_t f_mode,
             uint32_t f_flags, FileRef* out) {
  f_flags &= abi::kONonblock;
  const bool nonblock = f_flags != 0;
  // The inode's pipe, or a new one (alloc_pipe_info).
  PipeInodeInfo* pipe = nullptr;
  {
    std::lock_guard<SpinLock> guard(fifo->i_lock);
    if (fifo->i_pipe == nullptr)
      fifo->i_pipe = new PipeInodeInfo(kernel);
    pipe = fifo->i_pipe;
    AtomicFetchAdd(pipe->files_, 1, std::memory_order_relaxed);
  }
  uint32_t f_pipe = 0;
  int ret = 0;
  {
    std::lock_guard<std::mutex> lock(pipe->mutex_);  // __pipe_lock
    const auto bump = [](std::atomic<unsigned>& n) {
      return AtomicFetchAdd(n, 1, std::memory_order_release);
    };
    bool wake_partner = false;
    if (f_mode == kFmodeRead) {
      bump(pipe->r_counter_);
      wake_partner = bump(pipe->readers_) == 0;
      if (pipe->writers_.load() == 0) {
        if (nonblock)
          f_pipe = pipe->w_counter_.load();  // suppress HUP until a writer
        else
          ret = -abi::kEnosys;  // wait_for_partner: not simulated
      }
    } else if (f_mode == kFmodeWrite) {
      if (pipe->readers_.load() == 0) {
        ret = nonblock ? -abi::kEnxio : -abi::kEnosys;
      } else {
        bump(pipe->w_counter_);
        wake_partner = bump(pipe->writers_) == 0;
      }
    } else {
      bump(pipe->r_counter_);
      bump(pipe->w_counter_);
      const unsigned readers = bump(pipe->readers_) + 1;
      const unsigned writers = bump(pipe->writers_) + 1;
      wake_partner = readers == 1 || writers == 1;
    }
    if (ret == -abi::kEnosys && f_mode == kFmodeRead)
      AtomicFetchSub(pipe->readers_, 1, std::memory_order_release);
    if (wake_partner)
      pipe->rd_wait_.WakeUp(0, 0);  // wake_up_partner
  }
  if (ret != 0) {
    // put_pipe_info: drop the file's share; the last one frees the pipe.
    bool kill = false;
    {
      std::lock_guard<SpinLock> guard(fifo->i_lock);
      if (AtomicFetchSub(pipe->files_, 1, std::memory_order_acq_rel) == 1) {
        fifo->i_pipe = nullptr;
        kill = true;
      }
    }
    if (kill)
      delete pipe;
    return ret;
  }
  // open() adds O_LARGEFILE (force_o_largefile), which F_GETFL shows.
  *out = FileRef(new PipeFile(kernel, pipe, fifo->inode, f_mode,
                              f_flags | abi::kOLargefile, fifo, f_pipe));
  return 0;
}

void CreatePipeFiles(SimKernel* kernel, uint32_t flags, FileRef* read_end,
                     FileRef* write_end) {
  auto* pipe = new PipeInodeInfo(kernel);  // get_pipe_inode
  pipe->readers_.store(1);
  pipe->writers_.store(1);
  pipe->files_.store(2);
  const uint32_t f_flags = flags & (abi::kONonblock | abi::kODirect);
  // Both ends are files of the one pipe inode (create_pipe_files).
  const SimInode inode{.sdev = SimKernel::kPipefsDev, .ino = kernel->NextIno()};
  *write_end = FileRef(new PipeFile(kernel, pipe, inode, kFmodeWrite, f_flags));
  // O_DIRECT (packet mode) is the write end's only.
  *read_end = FileRef(
      new PipeFile(kernel, pipe, inode, kFmodeRead, f_flags & abi::kONonblock));
}

}  // namespace epollcheck::sim
