// Pipes: the slot ring, readiness, and the wakeups each pipe operation does.
// Linux: fs/pipe.c (pipe_write, pipe_read, pipe_poll, pipe_release,
// pipe_set_size / pipe_resize_ring). Only non-blocking descriptors are
// modelled: an operation that would sleep returns EAGAIN instead.

#include <algorithm>

#include "model/abi.h"
#include "model/check.h"
#include "model/internal/kernel.h"
#include "model/rules.h"

namespace epollcheck::internal {
namespace {

PipeState& PipeOf(World& world, FileId file) {
  const File& f = world.files.at(file);
  return world.pipes.at(f.pipe);
}

bool Full(const PipeState& pipe) { return pipe.slots.size() >= pipe.max_usage; }

}  // namespace

// Linux: fs/pipe.c pipe_write.
Outcome PipeWrite(World& world, FileId file, uint32_t count) {
  // "Null write succeeds", before any check and without a wakeup.
  if (count == 0) {
    RULE("pipe.write.zero");
    return Outcome::Value(0);
  }
  const File& f = world.files.at(file);
  const bool packet = (f.flags & abi::kODirect) != 0;  // is_packetized()
  const PipeId pipe_id = f.pipe;
  PipeState& pipe = world.pipes.at(pipe_id);
  if (pipe.readers == 0) {
    // SIGPIPE is sent (blocked: it stays pending, a signalfd wakeup) and
    // EPIPE returned. The wakeup at `out:` cannot reach anyone: no read file
    // is left.
    RULE("pipe.write.epipe");
    SendSignal(world, kSigPipe);
    return Outcome::Error(abi::kEpipe);
  }
  const bool was_empty = pipe.slots.empty();
  uint64_t written = 0;
  uint32_t remaining = count;
  // Merge the sub-page remainder into the last buffer if it fits.
  const uint32_t chars = count & (abi::kPageSize - 1);
  bool done = false;
  if (chars != 0 && !was_empty) {
    PipeSlot& last = pipe.slots.back();
    if (!last.can_merge) {
      RULE("pipe.write.no_merge.flag");
    } else if (last.offset + last.len + chars <= abi::kPageSize) {
      RULE("pipe.write.merge");
      last.len += chars;
      written += chars;
      remaining -= chars;
      done = remaining == 0;
    } else {
      RULE("pipe.write.no_merge.page_full");
    }
  }
  while (!done) {
    if (!Full(pipe)) {
      const uint32_t copied = std::min(remaining, abi::kPageSize);
      if (packet) {
        RULE("pipe.write.packet_slot");
      } else {
        RULE("pipe.write.new_slot");
      }
      pipe.slots.push_back(PipeSlot{
          .offset = 0, .len = copied, .can_merge = !packet, .packet = packet});
      written += copied;
      remaining -= copied;
      if (remaining == 0)
        break;
      continue;
    }
    break;  // Full and O_NONBLOCK: return what was written, or EAGAIN.
  }
  // `out:` — the reader wakeup happens whatever the result, EAGAIN included.
  bool wake = false;
  switch (world.profile.pipe_write_wake) {
  case PipeWriteWake::kEveryWrite:
    wake = written > 0;
    if (wake) {
      RULE("pipe.write.wake.any_data");
    } else {
      RULE("pipe.write.no_wake.no_data");
    }
    break;
  case PipeWriteWake::kIfWasEmpty:
    wake = was_empty;
    if (wake) {
      RULE("pipe.write.wake.was_empty");
    } else {
      RULE("pipe.write.no_wake.not_empty");
    }
    break;
  case PipeWriteWake::kIfWasEmptyOrPolled:
    wake = was_empty || pipe.poll_usage;
    if (was_empty) {
      RULE("pipe.write.wake.was_empty");
    } else if (wake) {
      RULE("pipe.write.wake.polled");
    } else {
      RULE("pipe.write.no_wake.unpolled");
    }
    break;
  }
  if (wake)
    WakeQueue(world, pipe.rd_wait, abi::kEpollIn | abi::kEpollRdNorm);
  if (written == 0) {
    RULE("pipe.write.eagain.full");
    return Outcome::Error(abi::kEagain);
  }
  if (written < count)
    RULE("pipe.write.partial");
  return Outcome::Value(static_cast<int64_t>(written));
}

// Linux: fs/pipe.c pipe_read.
Outcome PipeRead(World& world, FileId file, uint32_t count) {
  if (count == 0) {
    RULE("pipe.read.zero");
    return Outcome::Value(0);  // "Null read succeeds".
  }
  PipeState& pipe = PipeOf(world, file);
  const bool was_full = Full(pipe);
  uint64_t ret = 0;
  uint32_t total = count;
  while (!pipe.slots.empty()) {
    PipeSlot& buf = pipe.slots.front();
    uint32_t chars = std::min(buf.len, total);
    ret += chars;
    buf.offset += chars;
    buf.len -= chars;
    if (buf.packet) {  // A packet is read whole or its rest is discarded.
      if (buf.len != 0) {
        RULE("pipe.read.packet.rest_discarded");
      } else {
        RULE("pipe.read.packet.whole");
      }
      total = chars;
      buf.len = 0;
    }
    if (buf.len == 0) {
      pipe.slots.pop_front();
    } else {
      RULE("pipe.read.slot_left");
    }
    total -= chars;
    if (total != 0 && !pipe.slots.empty())
      RULE("pipe.read.next_slot");
    if (total == 0)
      break;
  }
  Outcome out;
  if (ret > 0) {
    out = Outcome::Value(static_cast<int64_t>(ret));
  } else if (pipe.writers == 0) {
    RULE("pipe.read.eof");
    out = Outcome::Value(0);  // EOF
  } else {
    RULE("pipe.read.eagain");
    out = Outcome::Error(abi::kEagain);
  }
  bool wake_writer = was_full;
  if (world.profile.pipe_read_wakes_only_if_unfull && was_full) {
    wake_writer = !Full(pipe);
    if (wake_writer) {
      RULE("pipe.read.wake.unfull");
    } else {
      RULE("pipe.read.no_wake.still_full");
    }
  } else if (was_full) {
    RULE("pipe.read.wake.was_full");
  }
  if (wake_writer)
    WakeQueue(world, pipe.wr_wait, abi::kEpollOut | abi::kEpollWrNorm);
  return out;
}

// Linux: fs/pipe.c pipe_set_size, round_pipe_size, pipe_resize_ring.
Outcome PipeSetSize(World& world, FileId file, uint32_t arg) {
  if (arg > (1u << 31)) {
    RULE("pipe.set_size.einval.too_big");
    return Outcome::Error(abi::kEinval);  // rounds to 0
  }
  uint32_t size = abi::kPageSize;
  while (size < arg)
    size <<= 1;  // roundup_pow_of_two, at least a page
  if (size != arg)
    RULE("pipe.set_size.rounded");
  const uint32_t nr_slots = size / abi::kPageSize;
  PipeState& pipe = PipeOf(world, file);
  if (nr_slots > pipe.max_usage && size > world.profile.pipe_max_size &&
      !world.profile.cap_sys_resource) {
    RULE("pipe.set_size.eperm");
    return Outcome::Error(abi::kEperm);
  }
  if (nr_slots < pipe.slots.size()) {
    RULE("pipe.set_size.ebusy");
    return Outcome::Error(abi::kEbusy);
  }
  if (nr_slots == pipe.slots.size() && nr_slots != 0)
    RULE("pipe.set_size.to_occupied");
  pipe.max_usage = nr_slots;
  // "This might have made more room for writers": a keyless wakeup.
  if (pipe.writers != 0)
    RULE("pipe.set_size.wake_writer");
  WakeQueue(world, pipe.wr_wait, 0);
  return Outcome::Value(static_cast<int64_t>(size));
}

// Linux: fs/pipe.c pipe_poll.
uint32_t PipePoll(World& world, FileId file) {
  const File& f = world.files.at(file);
  PipeState& pipe = world.pipes.at(f.pipe);
  // "Epoll has some historical nasty semantics, this enables them."
  if (!pipe.poll_usage)
    RULE("pipe.poll.sets_poll_usage");
  pipe.poll_usage = true;
  uint32_t mask = 0;
  if (PipeReads(f.kind)) {
    if (!pipe.slots.empty()) {
      RULE("pipe.poll.in.data");
      mask |= abi::kEpollIn | abi::kEpollRdNorm;
    }
    // A FIFO reader that opened with no writer sees no EPOLLHUP until a
    // writer has come (and gone).
    if (pipe.writers == 0 && f.pipe_version == pipe.w_counter) {
      RULE("fifo.poll.hup_suppressed");
    } else if (pipe.writers == 0) {
      RULE("pipe.poll.hup.no_writers");
      mask |= abi::kEpollHup;
    }
  }
  if (PipeWrites(f.kind)) {
    if (!Full(pipe)) {
      RULE("pipe.poll.out.room");
      mask |= abi::kEpollOut | abi::kEpollWrNorm;
    } else {
      RULE("pipe.poll.out.full");
    }
    if (pipe.readers == 0) {
      RULE("pipe.poll.err.no_readers");
      mask |= abi::kEpollErr;
    }
  }
  return mask;
}

// Linux: fs/pipe.c pipe_release, put_pipe_info. Called after the file's epoll
// items are gone.
void PipeRelease(World& world, FileId file) {
  const File& f = world.files.at(file);
  const PipeId pipe_id = f.pipe;
  PipeState& pipe = world.pipes.at(pipe_id);
  if (PipeReads(f.kind)) {
    EP_CHECK(pipe.readers > 0);
    --pipe.readers;
  }
  if (PipeWrites(f.kind)) {
    EP_CHECK(pipe.writers > 0);
    --pipe.writers;
  }
  // "Was that the last reader or writer, but not the other side?"
  if ((pipe.readers == 0) != (pipe.writers == 0)) {
    if (pipe.readers != 0) {
      RULE("pipe.release.last_writer_wakes_reader");
    } else {
      RULE("pipe.release.last_reader_wakes_writer");
    }
    WakeQueue(world, pipe.rd_wait, 0);  // wake_up_interruptible_all
    WakeQueue(world, pipe.wr_wait, 0);
  } else if (f.kind == FileKind::kPipeRdwr && pipe.readers == 0) {
    RULE("fifo.release.rdwr_last_no_wake");
  }
  // put_pipe_info: the last file frees the pipe; a FIFO's inode forgets it.
  EP_CHECK(pipe.files > 0);
  if (--pipe.files == 0) {
    if (f.fifo) {
      RULE("fifo.release.frees_pipe");
      world.fifo_pipe = 0;
    }
    world.pipes.erase(pipe_id);
  }
}

// Linux: fs/pipe.c fifo_open for the sequence's FIFO, with O_NONBLOCK set
// (the generators never open it blocking: an O_RDONLY open would wait for a
// writer and an O_WRONLY one for a reader). The descriptor comes first
// (do_sys_openat2: EMFILE before the open). `mode` is kPipeRead, kPipeWrite
// or kPipeRdwr.
Outcome FifoOpen(World& world, FileKind mode, uint32_t flags) {
  // The inode's pipe, or a new one (alloc_pipe_info: counters at 1).
  const bool fresh = world.fifo_pipe == 0;
  PipeId pipe_id = world.fifo_pipe;
  if (fresh) {
    RULE("fifo.open.new_pipe");
    pipe_id = world.next_id++;
    world.pipes[pipe_id] = PipeState{.max_usage = abi::kPipeDefBuffers};
  } else {
    RULE("fifo.open.shared_pipe");
  }
  PipeState& pipe = world.pipes.at(pipe_id);
  File file{.kind = mode,
            .flags = flags & abi::kONonblock,
            .pipe = pipe_id,
            .fifo = true};
  // The wakeups wake_up_partner does: rd_wait, keyless.
  bool wake_partner = false;
  switch (mode) {
  case FileKind::kPipeRead:
    ++pipe.r_counter;
    wake_partner = pipe.readers++ == 0;
    if (pipe.writers == 0 && (flags & abi::kONonblock) != 0) {
      // "suppress EPOLLHUP until we have seen a writer"
      RULE("fifo.open.read.no_writer");
      file.pipe_version = pipe.w_counter;
    }
    break;
  case FileKind::kPipeWrite:
    if ((flags & abi::kONonblock) != 0 && pipe.readers == 0) {
      RULE("fifo.open.enxio");
      if (fresh)
        world.pipes.erase(pipe_id);  // put_pipe_info: no file uses it
      return Outcome::Error(abi::kEnxio);
    }
    ++pipe.w_counter;
    wake_partner = pipe.writers++ == 0;
    break;
  case FileKind::kPipeRdwr:
    RULE("fifo.open.rdwr");
    ++pipe.readers;
    ++pipe.writers;
    ++pipe.r_counter;
    ++pipe.w_counter;
    wake_partner = pipe.readers == 1 || pipe.writers == 1;
    break;
  default:
    EP_CHECK(false);
  }
  ++pipe.files;
  world.fifo_pipe = pipe_id;
  if (wake_partner) {
    RULE("fifo.open.wakes_partner");
    WakeQueue(world, pipe.rd_wait, 0);
  }
  return Outcome::Value(InstallLowestFd(world, NewFile(world, file)));
}

}  // namespace epollcheck::internal
