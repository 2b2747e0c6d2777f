// Open file descriptions: reference counts and the deferred release.
// Linux: fs/file_table.c (fput, ____fput, __fput), kernel/task_work.c.

#include "sut/sim/file.h"

#include "model/abi.h"
#include "model/check.h"
#include "sut/sim/eventpoll.h"
#include "sut/sim/sim_kernel.h"
#include "sut/sim/smp.h"

namespace epollcheck::sim {

constinit thread_local TaskWork task_work;

namespace {

// Linux: __fput: eventpoll_release() before f_op->release, then the file
// is freed.
void DoFput(File* file) {
  EventpollRelease(file);
  file->Release();
  delete file;
}

}  // namespace

File::File(SimKernel* kernel, uint32_t f_mode, uint32_t f_flags)
    : inode_(kernel->anon_inode_), kernel_(kernel), f_mode_(f_mode),
      f_flags_(f_flags) {
  AtomicFetchAdd(kernel_->live_files_, 1, std::memory_order_relaxed);
}

File::~File() {
  EP_CHECK(f_ep_.Empty());
  AtomicFetchSub(kernel_->live_files_, 1, std::memory_order_relaxed);
}

int64_t File::Read(void* /*buf*/, size_t /*count*/) { return -abi::kEinval; }

int64_t File::Llseek(int64_t /*offset*/, int /*whence*/) {
  return -abi::kEspipe;
}

int64_t File::Ioctl(uint32_t /*cmd*/, const UserBuffer& /*arg*/) {
  return -abi::kEnotty;
}

void File::SetFlags(uint32_t mask, uint32_t flags) {
  std::lock_guard<SpinLock> guard(f_lock_);
  f_flags_.store((flags & mask) | (f_flags() & ~mask),
                 std::memory_order_relaxed);
}

int64_t File::Write(const void* /*buf*/, size_t /*count*/) {
  return -abi::kEinval;
}

bool File::TryGet() {
  long count = f_count_.load(std::memory_order_relaxed);
  if (!SmpRunning()) {  // atomic_long_inc_not_zero without LOCK
    if (count > 0)
      f_count_.store(count + 1, std::memory_order_relaxed);
    return count > 0;
  }
  while (count > 0) {
    if (f_count_.compare_exchange_weak(count, count + 1,
                                       std::memory_order_acquire)) {
      return true;
    }
  }
  return false;
}

void Fput(File* file) {
  const long before =
      AtomicFetchSub(file->f_count_, 1, std::memory_order_acq_rel);
  EP_CHECK(before > 0);
  if (before != 1)
    return;
  if (task_work.depth > 0) {
    file->fput_next_ = task_work.pending;  // task_work_add(____fput)
    task_work.pending = file;
  } else {
    DoFput(file);  // outside any call: nothing is held, release now
  }
}

void RunDeferredFputs() {
  // A release may drop further last references (none do today); loop until
  // the list stays empty. Each batch runs newest first, as task_work_run
  // runs the task's list (no FIFO order since "task_work: remove fifo
  // ordering guarantee", 4.5): a process's exit_files releases its files in
  // the reverse of their descriptor order (measured on 6.18).
  while (File* batch = task_work.pending) {
    task_work.pending = nullptr;
    while (batch != nullptr) {
      File* next = batch->fput_next_;
      DoFput(batch);
      batch = next;
    }
  }
}

FileRef& FileRef::operator=(FileRef&& other) noexcept {
  if (this != &other) {
    Reset();
    file_ = other.file_;
    other.file_ = nullptr;
  }
  return *this;
}

void FileRef::Reset() {
  if (file_ != nullptr) {
    File* f = file_;
    file_ = nullptr;
    Fput(f);
  }
}

}  // namespace epollcheck::sim
