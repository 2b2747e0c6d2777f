// File: model/outcome.h
// What one operation did: the return value or errno, plus its payload (the
// descriptors it created or listed, the events epoll_wait returned in order).
// Both the model's prediction and every SUT's observation are Outcomes, and
// they are compared whole.
//
//   Outcome::Error(abi::kEbadf)                 // -1 EBADF
//   Outcome{.ret = 0, .fds = {3, 4}}            // pipe2 -> [3, 4]
//   Outcome{.ret = 1, .events = {{IN, 0x7}}}    // epoll_wait -> 1 [{IN, 0x7}]
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace epollcheck {

// One struct epoll_event as returned by epoll_wait.
struct ReadyEvent {
  uint32_t events = 0;
  uint64_t data = 0;
  friend bool operator==(const ReadyEvent&, const ReadyEvent&) = default;
};

struct Outcome {
  int64_t ret = 0;           // >= 0: the return value; < 0: -errno
  std::vector<int32_t> fds;  // pipe2: {read, write}; list_fds: open numbers
  std::vector<ReadyEvent> events;  // epoll_wait: the returned array, in order
  // eventfd_read: the counter value read; getsockopt: the option's value.
  std::optional<uint64_t> value;
  // select/pselect6: the read, write and except result sets (bit n: fd n).
  std::vector<uint64_t> sets;

  static Outcome Value(int64_t v) { return Outcome{.ret = v}; }
  static Outcome Error(int err) { return Outcome{.ret = -err}; }
  bool IsError() const { return ret < 0; }
  int Errno() const { return ret < 0 ? static_cast<int>(-ret) : 0; }
  friend bool operator==(const Outcome&, const Outcome&) = default;
};

// "EBADF", "EINVAL", ... or "E<n>" for numbers the table does not name.
std::string ErrnoName(int err);
// The inverse of ErrnoName for the names it produces.
std::optional<int> ErrnoByName(std::string_view name);
// "IN|RDNORM|ET|0x100000": named bits first, any remainder in hex.
std::string EventMaskString(uint32_t mask);

// "-1 EBADF", "3", "0 fds=[3,4]", "2 [{IN|HUP, 0x1}, {OUT, 0x2}]",
// "8 value=0x3".
std::ostream& operator<<(std::ostream& os, const Outcome& outcome);
std::ostream& operator<<(std::ostream& os, const ReadyEvent& event);

}  // namespace epollcheck
