// File: sut/sim/pipe.h
// Pipes: a ring of page-sized slots shared by a read file and a write file.
// Writes merge a sub-page remainder into the last slot when it can take it
// (not in packet mode), then fill fresh slots; a full ring means EAGAIN for
// a non-blocking writer (or a partial write), and a sleep for a blocking one.
// Readiness counts slots, not bytes. Each end has its wait queue (rd_wait,
// wr_wait); which operation wakes which queue, with which key, follows the
// 6.18 source (see PipeInodeInfo::Write / Read / Release / SetSize).
//
//   FileRef r, w;
//   CreatePipeFiles(kernel, abi::kONonblock, &r, &w);   // do_pipe2
//   w->Write("abc", 3);            // 3; wakes rd_wait with IN|RDNORM
//   r->Poll(nullptr);              // IN|RDNORM (sets poll_usage)
//
// Linux: fs/pipe.c (pipe_read, pipe_write, pipe_poll, pipe_release,
// pipe_set_size, round_pipe_size, pipe_resize_ring, create_pipe_files),
// include/linux/pipe_fs_i.h.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "sut/sim/file.h"
#include "sut/sim/spinlock.h"
#include "sut/sim/wait_queue.h"

namespace epollcheck::sim {

// Linux: struct pipe_buffer flags.
inline constexpr uint32_t kPipeBufFlagPacket = 0x08;    // PIPE_BUF_FLAG_PACKET
inline constexpr uint32_t kPipeBufFlagCanMerge = 0x10;  // ..._CAN_MERGE

// Linux: struct pipe_buffer (anonymous pipe pages only).
struct PipeBuffer {
  std::unique_ptr<std::byte[]> page;  // one page of data
  uint32_t offset = 0;                // first unread byte in `page`
  uint32_t len = 0;                   // unread bytes
  uint32_t flags = 0;                 // kPipeBufFlag*
};

// Linux: struct pipe_inode_info.
//
// LOCKING: mutex_ (pipe->mutex) serialises readers, writers, release and
// resizing, and guards bufs_, tmp_page_ and every update of the counters.
// head_, tail_, max_usage_, readers_, writers_ and poll_usage_ are atomics
// so that Poll can read them without the mutex (the kernel's READ_ONCE in
// pipe_poll); rd_wait_ / wr_wait_ have their own locks. Wakeups happen
// after mutex_ is dropped, except in Release (as in pipe_release).
class PipeInodeInfo {
public:
  explicit PipeInodeInfo(SimKernel* kernel);
  ~PipeInodeInfo();

  // Linux: pipe_read / pipe_write on an end opened with `f_flags`.
  int64_t Read(uint32_t f_flags, void* buf, size_t count);
  int64_t Write(uint32_t f_flags, const void* buf, size_t count);
  // Linux: pipe_poll for a file with `f_mode` and f_pipe `f_pipe` (the
  // w_counter a FIFO reader that opened with no writer saw; else 0).
  uint32_t Poll(File* file, uint32_t f_mode, uint32_t f_pipe, PollTable* pt);
  // Linux: pipe_release of one end. Returns true if that was the last file
  // using the pipe (put_pipe_info: the caller frees it). For a FIFO's pipe
  // (`fifo` not null) the count drops under the inode's lock, which also
  // clears its i_pipe.
  bool Release(uint32_t f_mode, struct FifoInode* fifo);
  // Linux: pipe_set_size (F_SETPIPE_SZ); returns the new size or -errno.
  int64_t SetSize(unsigned int arg);
  // Linux: F_GETPIPE_SZ: max_usage * PAGE_SIZE.
  int64_t Size() const;

private:
  friend void CreatePipeFiles(SimKernel*, uint32_t, FileRef*, FileRef*);
  friend int FifoOpen(SimKernel*, FifoInode*, uint32_t, uint32_t, FileRef*);
  // Linux: pipe_full(head, tail, limit) / pipe_empty(head, tail).
  static bool Full(unsigned head, unsigned tail, unsigned limit) {
    return head - tail >= limit;
  }
  // A page for a new slot: the cached tmp_page or a fresh one.
  // Requires: mutex_ held.
  std::unique_ptr<std::byte[]> TakePage();
  // Linux: anon_pipe_buf_release: keep one page as tmp_page.
  // Requires: mutex_ held.
  void ReleaseBuffer(PipeBuffer& buf);

  SimKernel* const kernel_;
  std::mutex mutex_;              // Linux: pipe->mutex
  std::vector<PipeBuffer> bufs_;  // the ring; size ring_size; guarded by mutex_
  std::unique_ptr<std::byte[]> tmp_page_;  // Linux: tmp_page; guarded by mutex_
  std::atomic<unsigned> head_{0};          // next slot to fill; Linux: head
  std::atomic<unsigned> tail_{0};          // oldest slot; Linux: tail
  std::atomic<unsigned> max_usage_{0};     // usable slots; Linux: max_usage
  std::atomic<unsigned> readers_{0};       // open read files; Linux: readers
  std::atomic<unsigned> writers_{0};       // open write files; Linux: writers
  std::atomic<unsigned> files_{0};         // files using the pipe; Linux: files
  // Opens for reading / writing so far (fifo_open counts them; both start
  // at 1). Changed under mutex_; atomic for Poll. Linux: r_counter,
  // w_counter.
  std::atomic<unsigned> r_counter_{1};
  std::atomic<unsigned> w_counter_{1};
  // Ever polled (sticky). Linux: poll_usage ("Epoll has some historical
  // nasty semantics, this enables them").
  std::atomic<bool> poll_usage_{false};

public:
  WaitQueueHead rd_wait_;  // readers and read-end watchers; Linux: rd_wait
  WaitQueueHead wr_wait_;  // writers and write-end watchers; Linux: wr_wait
};

// A FIFO's inode: the one FIFO a sequence has (open_file fifo_*). Linux:
// struct inode's i_pipe and i_lock for an S_IFIFO inode.
//
// LOCKING: i_lock guards i_pipe and the pipe's `files` count whenever a file
// of the FIFO joins or leaves (fifo_open, put_pipe_info).
struct FifoInode {
  SpinLock i_lock;
  PipeInodeInfo* i_pipe = nullptr;  // the pipe while a file has it open
  SimInode inode;                   // what fstat and fdinfo show
};

// Linux: fs/pipe.c fifo_open: a file of `fifo` with `f_mode` (kFmodeRead,
// kFmodeWrite or both) and `f_flags` (O_NONBLOCK kept) in *out; 0 or
// -errno. A blocking open that would wait for a partner (wait_for_partner)
// is not simulated: -ENOSYS.
int FifoOpen(SimKernel* kernel, FifoInode* fifo, uint32_t f_mode,
             uint32_t f_flags, FileRef* out);

// Linux: fs/pipe.c create_pipe_files + __do_pipe_flags: a new pipe and its
// two files (read end O_RDONLY, write end O_WRONLY), each with one
// reference. `flags` must already be validated (O_NONBLOCK|O_DIRECT kept).
void CreatePipeFiles(SimKernel* kernel, uint32_t flags, FileRef* read_end,
                     FileRef* write_end);

}  // namespace epollcheck::sim
