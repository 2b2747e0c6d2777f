// File: sut/sut.h
// The one interface every system under test implements: execute one
// operation, return what happened. Errors are values (Outcome with -errno);
// Execute never throws. A Sut instance lives for exactly one sequence, starts
// with an empty descriptor table, and owns every file the sequence creates.
// Between operations a SUT may show the interest sets of its epoll
// instances the way /proc/<pid>/fdinfo/<epfd> does (the fdinfo oracle,
// sut/fdinfo.h); one that cannot says why (FdinfoOff).
//
//   std::unique_ptr<Sut> sut = MakeKernelSut();
//   Outcome got = sut->Execute(Op{Pipe2{.flags = abi::kONonblock}});  // fds
//   [0,1]
#pragma once

#include <compare>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "model/abi.h"
#include "model/ops.h"
#include "model/outcome.h"

namespace epollcheck {

// An inode as fdinfo names it: `sdev:%x` (the superblock's dev_t in the
// kernel's encoding, MAJOR << 20 | MINOR) and `ino:%lx`.
struct FdinfoInode {
  uint32_t sdev = 0;
  uint64_t ino = 0;
  friend auto operator<=>(const FdinfoInode&, const FdinfoInode&) = default;
};

// One item line of an epoll file's fdinfo. Linux: fs/eventpoll.c
// ep_show_fdinfo, `tfd: %8d events: %8x data: %16llx  pos:%lli ino:%lx
// sdev:%x` (pos, the watched file's offset, is not kept).
struct FdinfoLine {
  int32_t tfd = -1;
  uint32_t events = 0;
  uint64_t data = 0;
  FdinfoInode inode;
  friend auto operator<=>(const FdinfoLine&, const FdinfoLine&) = default;
};

// What reading one epoll descriptor's fdinfo gave: its item lines in the
// order shown, or an errno (`error` != 0) if it could not be read.
struct FdinfoReading {
  int error = 0;
  std::vector<FdinfoLine> lines;
};

// What ExecuteEach does after each operation: given the operation's index
// in the batch and its outcome, returns whether the next one runs.
using AfterStep = std::function<bool(size_t, Outcome)>;

class Sut {
public:
  virtual ~Sut() = default;
  // Runs `op` and returns its result, translated into an Outcome.
  [[nodiscard]] virtual Outcome Execute(const Op& op) = 0;
  // Runs `ops` in order, calling `after` with each outcome before the next
  // operation runs, and stops when it returns false. Returns how many
  // operations ran. `after` may run on a thread of the SUT's (the kernel
  // SUT runs a whole batch on its executor: two handovers per batch, not
  // per operation) and may read the fdinfo view from there; it must not
  // throw. By default, Execute one by one on the calling thread.
  [[nodiscard]] virtual size_t ExecuteEach(std::span<const Op> ops,
                                           const AfterStep& after) {
    for (size_t i = 0; i < ops.size(); ++i) {
      if (!after(i, Execute(ops[i])))
        return i + 1;
    }
    return ops.size();
  }
  // Ends the sequence: releases every file and checks that nothing leaked.
  // Returns an empty string, or one line saying what was left behind.
  [[nodiscard]] virtual std::string Finish() = 0;
  // A hint: the next ExecuteEach is the last thing this SUT runs before
  // Finish, so it may end the sequence at the end of that batch (Finish
  // then only reports). Nothing by default.
  virtual void EndAfterNextBatch() {}

  // The fdinfo view, read between operations (never changes the sequence's
  // state or descriptor numbering). "" if this SUT shows it, else why not,
  // e.g. "/proc is not mounted".
  [[nodiscard]] virtual std::string FdinfoOff() const {
    return "this SUT does not show its interest sets";
  }
  // The item lines of the epoll file at descriptor `epfd` of the sequence.
  [[nodiscard]] virtual FdinfoReading ReadFdinfo(int32_t /*epfd*/) {
    return FdinfoReading{.error = abi::kEopnotsupp, .lines = {}};
  }
  // The inode of the file at descriptor `fd` (fstat's st_dev and st_ino,
  // in fdinfo's encoding); nullopt if `fd` is not open.
  [[nodiscard]] virtual std::optional<FdinfoInode> InodeOf(int32_t /*fd*/) {
    return std::nullopt;
  }
};

// A SUT wrapping another, passing everything on; test doubles override
// what they change.
class ForwardingSut : public Sut {
public:
  explicit ForwardingSut(std::unique_ptr<Sut> inner)
      : inner_(std::move(inner)) {}
  [[nodiscard]] Outcome Execute(const Op& op) override {
    return inner_->Execute(op);
  }
  [[nodiscard]] std::string Finish() override { return inner_->Finish(); }
  [[nodiscard]] std::string FdinfoOff() const override {
    return inner_->FdinfoOff();
  }
  [[nodiscard]] FdinfoReading ReadFdinfo(int32_t epfd) override {
    return inner_->ReadFdinfo(epfd);
  }
  [[nodiscard]] std::optional<FdinfoInode> InodeOf(int32_t fd) override {
    return inner_->InodeOf(fd);
  }

protected:
  Sut& inner() { return *inner_; }

private:
  std::unique_ptr<Sut> inner_;
};

// A SUT with the fdinfo oracle switched off (`check --no-fdinfo`).
class WithoutFdinfo final : public ForwardingSut {
public:
  using ForwardingSut::ForwardingSut;
  // (Forwarded: this wrapper changes no operation. A ForwardingSut that
  // changes Execute keeps the default, which calls its Execute.)
  [[nodiscard]] size_t ExecuteEach(std::span<const Op> ops,
                                   const AfterStep& after) override {
    return inner().ExecuteEach(ops, after);
  }
  void EndAfterNextBatch() override { inner().EndAfterNextBatch(); }
  [[nodiscard]] std::string FdinfoOff() const override {
    return "switched off (--no-fdinfo)";
  }
};

// Makes a fresh SUT for one sequence.
using SutFactory = std::function<std::unique_ptr<Sut>()>;

}  // namespace epollcheck
