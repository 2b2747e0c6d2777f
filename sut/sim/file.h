// File: sut/sim/file.h
// Open file descriptions of the simulated kernel: a reference-counted File
// with f_op-like virtual methods (Read, Write, Poll, Release), the list of
// epoll items watching it (f_ep), and the release path of the last
// reference (__fput: the eventpoll_release hook first, then Release). As in
// the kernel, dropping the last reference inside a system call is deferred
// to the end of that call (task_work), so no release ever runs while the
// dropping code holds kernel locks.
//
//   Fd f = process.Fdget(fd);            // CLASS(fd, f)(fd)
//   if (!f) return -abi::kEbadf;
//   return f->Read(buf, count);          // f_op->read
//
// Linux: include/linux/fs.h struct file, struct file_operations;
// fs/file_table.c fput, __fput; include/linux/poll.h poll_wait, poll_table.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>

#include "sut/sim/list.h"
#include "sut/sim/smp.h"
#include "sut/sim/spinlock.h"
#include "sut/sim/uaccess.h"
#include "sut/sim/wait_queue.h"

namespace epollcheck::sim {

class File;
class SimKernel;
class Eventpoll;
class PipeInodeInfo;
class TimerfdFile;
class SignalfdFile;
class SigState;
class PidfdFile;
class SocketFile;
struct Epitem;
struct FileLinkTag;  // Epitem's link on File::f_ep (Linux: epi->fllink)

// An inode's identity as fstat and /proc/<pid>/fdinfo show it: the
// superblock's device (the kernel's dev_t encoding) and the inode number.
// Linux: file_inode(file)->i_sb->s_dev and ->i_ino.
struct SimInode {
  uint32_t sdev = 0;
  uint64_t ino = 0;
};

// Linux: FMODE_READ / FMODE_WRITE.
inline constexpr uint32_t kFmodeRead = 1;
inline constexpr uint32_t kFmodeWrite = 2;

// Linux: struct poll_table_struct. A poll with a table that queues
// (`queues()`) registers the caller on the file's wait queue(s) through
// QueueProc; a poll with nullptr, or with a table that does not queue, only
// reads the readiness mask. `key` is what the poller asks for (epoll: the
// item's events), which a file may use to skip expensive tests.
class PollTable {
public:
  explicit PollTable(bool queues = true) : queues_(queues) {}
  virtual ~PollTable() = default;
  // Linux: poll_queue_proc (for epoll: ep_ptable_queue_proc); only called
  // if queues().
  virtual void QueueProc(File* /*file*/, WaitQueueHead* /*whead*/) {}
  // Linux: pt->_qproc != NULL.
  bool queues() const { return queues_; }

  uint32_t key = ~0u;  // Linux: pt->_key (~0: every event)

private:
  const bool queues_;
};

// Linux: poll_wait.
inline void PollWait(File* file, WaitQueueHead* whead, PollTable* pt) {
  if (pt != nullptr && pt->queues() && whead != nullptr)
    pt->QueueProc(file, whead);
}

// Linux: poll_requested_events: every event unless the table says.
inline uint32_t PollRequestedEvents(const PollTable* pt) {
  return pt != nullptr ? pt->key : ~0u;
}

// Linux: struct file. Subclasses are the file types (pipe ends, eventfd,
// epoll); their methods are the file_operations.
class File {
public:
  File(SimKernel* kernel, uint32_t f_mode, uint32_t f_flags);
  File(const File&) = delete;
  File& operator=(const File&) = delete;
  virtual ~File();

  // f_op->read / f_op->write. The defaults are "no such method": vfs_read /
  // vfs_write then return EINVAL (FMODE_CAN_READ / FMODE_CAN_WRITE unset).
  virtual bool CanRead() const { return false; }
  virtual bool CanWrite() const { return false; }
  virtual int64_t Read(void* buf, size_t count);
  virtual int64_t Write(const void* buf, size_t count);
  // f_op->poll: the readiness mask, registering on wait queues through `pt`.
  // Every file type of the simulation can poll (file_can_poll).
  virtual uint32_t Poll(PollTable* pt) = 0;
  // f_op->release, run once after the last reference is gone and after the
  // eventpoll_release hook.
  virtual void Release() {}
  // f_op->llseek. The default is a file opened stream-like (pipes,
  // sockets: no FMODE_LSEEK): ESPIPE.
  virtual int64_t Llseek(int64_t /*offset*/, int /*whence*/);
  // f_op->unlocked_ioctl. The default is none: vfs_ioctl's ENOTTY.
  virtual int64_t Ioctl(uint32_t cmd, const UserBuffer& arg);
  // f_op->fasync exists (pipes, sockets): F_SETFL's O_ASYNC is stored.
  virtual bool HasFasync() const { return false; }
  // F_SETFL may set O_DIRECT: FMODE_CAN_ODIRECT, or a pipe (S_ISFIFO).
  virtual bool TakesODirect() const { return false; }
  // Linux: get_pipe_info(file, false): the pipe behind a pipe end.
  virtual PipeInodeInfo* PipeInfo() { return nullptr; }
  // Linux: fs/timerfd.c timerfd_fget's test (f_op == &timerfd_fops): the
  // timer behind a timerfd, or null.
  virtual TimerfdFile* TimerfdOf() { return nullptr; }
  // Linux: fs/signalfd.c do_signalfd4's test (f_op == &signalfd_fops).
  virtual SignalfdFile* SignalfdOf() { return nullptr; }
  // Linux: fs/pidfs.c pidfd_pid's test (f_op == &pidfs_file_operations):
  // the pidfd file, or null.
  virtual PidfdFile* PidfdOf() { return nullptr; }
  // Linux: is_file_epoll(file) ? file->private_data : NULL (a comparison
  // of f_op, no call).
  Eventpoll* EventpollOf() const { return eventpoll_; }
  // Linux: sock_from_file(file): the socket behind a socket file (f_op ==
  // &socket_file_ops), or null.
  SocketFile* SocketOf() const { return socket_; }

  SimKernel* kernel() const { return kernel_; }
  uint32_t f_mode() const { return f_mode_; }
  // Linux: file_inode(file): immutable for the file's life.
  SimInode inode() const { return inode_; }
  uint32_t f_flags() const { return f_flags_.load(std::memory_order_relaxed); }
  // Linux: fs/fcntl.c setfl's store: under f_lock, the SETFL_MASK bits
  // (and FASYNC where ->fasync set it) from `flags`.
  void SetFlags(uint32_t mask, uint32_t flags);

  // Linux: get_file. Requires: the caller already holds a reference.
  void Get() { AtomicFetchAdd(f_count_, 1, std::memory_order_relaxed); }
  // Linux: get_file_rcu / epi_fget: a reference unless the count already
  // reached zero (the file is being torn down).
  bool TryGet();
  long Count() const { return f_count_.load(std::memory_order_relaxed); }

  // Epoll items watching this file. Linux: file->f_ep (for an epoll file,
  // ep->refs). Guarded by f_lock_.
  SpinLock f_lock_;  // Linux: file->f_lock
  IntrusiveList<Epitem, FileLinkTag> f_ep_;

protected:
  // What EventpollOf / SocketOf return: set by the epoll and socket file
  // types (their f_op and private_data); null for the others.
  Eventpoll* eventpoll_ = nullptr;  // until the epoll file's release
  SocketFile* socket_ = nullptr;    // immutable
  // The file's inode: the kernel's anonymous inode unless the file type
  // sets its own in its constructor (pipes, sockets).
  SimInode inode_;

private:
  friend void Fput(File* file);
  friend void RunDeferredFputs();
  SimKernel* const kernel_;
  const uint32_t f_mode_;  // FMODE_READ | FMODE_WRITE; immutable
  // O_NONBLOCK, O_DIRECT...; written by F_SETFL under f_lock_, read
  // without it (as the kernel reads f_flags).
  std::atomic<uint32_t> f_flags_;
  std::atomic<long> f_count_{1};  // Linux: f_count
  // Linux: f_task_work: the link on the releasing thread's list of
  // deferred releases (see Fput); owned by that thread once f_count_ is 0.
  File* fput_next_ = nullptr;
};

// Linux: fput. Dropping the last reference queues __fput to run when the
// current system call ends (RunDeferredFputs), like task_work_add(____fput).
void Fput(File* file);
// Linux: task_work_run on the way back to user space: __fput of every file
// whose last reference this thread dropped.
void RunDeferredFputs();

// The current thread's simulated system-call nesting and its pending
// releases, newest first, linked through File::fput_next_. Linux:
// current->task_works (each file's f_task_work). Constant-initialized and
// trivially destroyed, so reaching it costs no initialization check.
struct TaskWork {
  int depth = 0;
  File* pending = nullptr;
  // The calling process's signals during its system call (Linux: current's
  // sighand and pending; sut/sim/signal.h CurrentSignals).
  SigState* signals = nullptr;
};
extern constinit thread_local TaskWork task_work;

// Marks one simulated system call on this thread; at the end of the
// outermost one the deferred releases run (while the depth is still 1, so a
// last reference dropped by a release is queued, and picked up by the loop,
// rather than released under the locks the first release holds).
class SyscallScope {
public:
  SyscallScope() { ++task_work.depth; }
  // A system call of the process whose signals are `signals` (the outermost
  // scope names the process for the whole call).
  explicit SyscallScope(SigState* signals) {
    if (task_work.depth++ == 0)
      task_work.signals = signals;
  }
  ~SyscallScope() {
    if (task_work.depth == 1 && task_work.pending != nullptr)
      RunDeferredFputs();
    if (--task_work.depth == 0)
      task_work.signals = nullptr;
  }
  SyscallScope(const SyscallScope&) = delete;
  SyscallScope& operator=(const SyscallScope&) = delete;
};

// One counted reference to a File, dropped on destruction. Linux: a struct
// file * obtained with get_file / fget.
class FileRef {
public:
  FileRef() = default;
  explicit FileRef(File* adopted) : file_(adopted) {}
  FileRef(FileRef&& other) noexcept : file_(other.file_) {
    other.file_ = nullptr;
  }
  FileRef& operator=(FileRef&& other) noexcept;
  FileRef(const FileRef&) = delete;
  FileRef& operator=(const FileRef&) = delete;
  ~FileRef() { Reset(); }

  void Reset();
  File* get() const { return file_; }
  File* operator->() const { return file_; }
  explicit operator bool() const { return file_ != nullptr; }
  // Gives up ownership of the reference.
  File* Detach() {
    File* f = file_;
    file_ = nullptr;
    return f;
  }

private:
  File* file_ = nullptr;
};

// A file looked up by descriptor for the length of one system call. Linux:
// struct fd (CLASS(fd, f), fdget / fdput). Borrowed when the descriptor
// table is not shared (__fget_light's files->count == 1: no other task can
// close the descriptor before the call returns, so the table's reference
// keeps the file alive and no reference is taken); otherwise it holds a
// reference of its own (FDPUT_FPUT), dropped on destruction.
class Fd {
public:
  Fd() = default;
  // Linux: BORROWED_FD(file).
  static Fd Borrowed(File* file) { return Fd(file, false); }
  // Linux: CLONED_FD(file): adopts the caller's reference.
  static Fd Cloned(File* file) { return Fd(file, true); }
  Fd(Fd&& other) noexcept : file_(other.file_), put_(other.put_) {
    other.file_ = nullptr;
    other.put_ = false;
  }
  Fd& operator=(Fd&& other) noexcept {
    if (this != &other) {
      if (put_)
        Fput(file_);
      file_ = other.file_;
      put_ = other.put_;
      other.file_ = nullptr;
      other.put_ = false;
    }
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (put_)
      Fput(file_);  // fdput
  }

  File* get() const { return file_; }
  File* operator->() const { return file_; }
  explicit operator bool() const { return file_ != nullptr; }

private:
  Fd(File* file, bool put) : file_(file), put_(put && file != nullptr) {}
  File* file_ = nullptr;
  bool put_ = false;  // FDPUT_FPUT: a reference of our own to drop
};

}  // namespace epollcheck::sim
