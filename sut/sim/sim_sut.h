// File: sut/sim/sim_sut.h
// The from-scratch eventpoll as a system under test ("scratch"): each Op runs
// as the matching sim system call in one fresh SimProcess of a private
// SimKernel, so descriptors are numbered from 0 exactly like the kernel SUT.
// Finish() closes every descriptor (process exit) and reports any kernel
// object still alive afterwards.
//
//   SimSut sut;
//   sut.Execute(Op{Pipe2{.flags = abi::kONonblock}});     // 0 fds=[0,1]
//   sut.Execute(Op{EpollCreate1{}});                      // 2
//   std::string leaks = sut.Finish();                     // "" if clean
//
// Linux: the syscalls of sut/sim/sim_kernel.h (fs/eventpoll.c, fs/pipe.c,
// fs/eventfd.c, net/unix/af_unix.c).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "sut/sim/eventpoll.h"
#include "sut/sim/pidfd.h"
#include "sut/sim/sim_kernel.h"
#include "sut/sut.h"

namespace epollcheck {

// The Family bits the scratch kernel implements.
inline constexpr uint32_t kScratchFamilies =
    kFamilyPipe | kFamilyEpoll | kFamilyEventfd | kFamilyUnix | kFamilyPoll |
    kFamilyUnixOob | kFamilyUnixAddr | kFamilyFifo | kFamilyTimerfd |
    kFamilySignal | kFamilyFork;

class SimSut final : public Sut {
public:
  explicit SimSut(sim::SimConfig config = {});
  ~SimSut() override;

  [[nodiscard]] Outcome Execute(const Op& op) override;
  [[nodiscard]] std::string Finish() override;
  // The scratch kernel's own fdinfo (SimProcess::EpollFdinfo, Fstat).
  [[nodiscard]] std::string FdinfoOff() const override { return ""; }
  [[nodiscard]] FdinfoReading ReadFdinfo(int32_t epfd) override;
  [[nodiscard]] std::optional<FdinfoInode> InodeOf(int32_t fd) override;

private:
  // An epoll_wait-family call `call(events, maxevents)` with the events
  // array as the UserBuf `buf` says; the returned events.
  template <class Call>
  Outcome Wait(int32_t maxevents, uint32_t buf, Call call);

  sim::SimKernel kernel_;
  std::unique_ptr<sim::SimProcess> process_;
  // The sequence's children (family fork); ended before process_.
  std::unique_ptr<sim::SimChildren> children_;
  std::vector<char> buffer_;                 // write payloads (kIoFillByte)
  std::vector<char> read_buffer_;            // read payloads
  std::vector<sim::EpollEvent> events_;      // epoll_wait output
  std::vector<sim::PollFd> pollfds_;         // poll / ppoll entries
  std::vector<uint64_t> fd_sets_;            // select / pselect6 sets
  std::vector<sim::EpollFdinfoLine> lines_;  // fdinfo item lines
};

}  // namespace epollcheck
