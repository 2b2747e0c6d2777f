// Open file descriptions: reference counts and the deferred release.
// Linux: fs/file_table.c (fput, ____fput, __fput), kernel/task_work.c.

#include "sut/sim/file.h"

#include <vector>

#include "model/abi.h"
#include "model/check.h"
#include "sut/sim/eventpoll.h"
#include "sut/sim/sim_kernel.h"

namespace epollcheck::sim {
namespace {

// The current thread's simulated system-call nesting and its pending
// releases. Linux: current->task_works.
struct TaskWork {
  int depth = 0;
  std::vector<File*> pending_fput;
};

thread_local TaskWork task_work;

// Linux: __fput: eventpoll_release() before f_op->release, then the file
// is freed.
void DoFput(File* file) {
  EventpollRelease(file);
  file->Release();
  delete file;
}

}  // namespace

File::File(SimKernel* kernel, uint32_t f_mode, uint32_t f_flags)
    : kernel_(kernel), f_mode_(f_mode), f_flags_(f_flags) {
  kernel_->live_files_.fetch_add(1, std::memory_order_relaxed);
}

File::~File() {
  EP_CHECK(f_ep_.Empty());
  kernel_->live_files_.fetch_sub(1, std::memory_order_relaxed);
}

int64_t File::Read(void* /*buf*/, size_t /*count*/) { return -abi::kEinval; }

int64_t File::Write(const void* /*buf*/, size_t /*count*/) {
  return -abi::kEinval;
}

bool File::TryGet() {
  long count = f_count_.load(std::memory_order_relaxed);
  while (count > 0) {
    if (f_count_.compare_exchange_weak(count, count + 1,
                                       std::memory_order_acquire)) {
      return true;
    }
  }
  return false;
}

void Fput(File* file) {
  const long before = file->f_count_.fetch_sub(1, std::memory_order_acq_rel);
  EP_CHECK(before > 0);
  if (before != 1)
    return;
  if (task_work.depth > 0) {
    task_work.pending_fput.push_back(file);  // task_work_add(____fput)
  } else {
    DoFput(file);  // outside any call: nothing is held, release now
  }
}

void RunDeferredFputs() {
  // A release may drop further last references (none do today); loop until
  // the list stays empty.
  while (!task_work.pending_fput.empty()) {
    std::vector<File*> batch;
    batch.swap(task_work.pending_fput);
    for (File* file : batch)
      DoFput(file);
  }
}

SyscallScope::SyscallScope() { ++task_work.depth; }

// The releases run while the depth is still 1, so a last reference dropped
// by a release is queued (and picked up by the loop) rather than released
// under the locks the first release holds.
SyscallScope::~SyscallScope() {
  if (task_work.depth == 1)
    RunDeferredFputs();
  --task_work.depth;
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
