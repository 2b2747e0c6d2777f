// File: sut/sim/uaccess.h
// Simulated user memory for the copies a system call makes: a UserBuffer
// says where an operand's bytes are and how many of them can be read or
// written before the copy faults, and whether the range passes access_ok at
// all. SUTs build one per operand (sut/sim_sut.cc from a UserBuf kind); the
// simulated kernel copies through CopyToUser / CopyFromUser only, as the
// kernel does through copy_to_user and __put_user.
//
//   EpollEvent out[8];
//   UserBuffer whole = UserBuffer::Whole(out, sizeof out);
//   UserBuffer tail = UserBuffer::Prefix(out, 2 * sizeof(EpollEvent) + 4);
//   CopyToUser(tail, 2 * sizeof(EpollEvent), &ev, sizeof ev);   // false
//
// Linux: include/linux/uaccess.h copy_to_user, copy_from_user; access_ok.
#pragma once

#include <cstddef>
#include <cstring>

namespace epollcheck::sim {

struct UserBuffer {
  void* addr = nullptr;   // the accessible bytes start here
  size_t readable = 0;    // bytes a copy_from_user may read from addr
  size_t writable = 0;    // bytes a copy_to_user may write from addr
  bool access_ok = true;  // false: not a user-space range at all

  // `size` bytes at `addr`, readable and writable.
  static UserBuffer Whole(void* addr, size_t size) {
    return {.addr = addr, .readable = size, .writable = size};
  }
  // Readable only (a read-only mapping holding `size` bytes at `addr`).
  static UserBuffer ReadOnly(const void* addr, size_t size) {
    return {.addr = const_cast<void*>(addr), .readable = size, .writable = 0};
  }
  // The first `size` bytes at `addr`, then a fault (a mapping's end).
  static UserBuffer Prefix(void* addr, size_t size) {
    return Whole(addr, size);
  }
  // Mapped nowhere (NULL, or a PROT_NONE page): every access faults.
  static UserBuffer Faulting() { return {}; }
  // Outside user space: access_ok fails.
  static UserBuffer KernelRange() { return {.access_ok = false}; }
};

// Copies `n` bytes to `to` at `offset`; false (nothing written) if any of
// them would fault.
inline bool CopyToUser(const UserBuffer& to, size_t offset, const void* from,
                       size_t n) {
  if (!to.access_ok || offset + n > to.writable)
    return false;
  std::memcpy(static_cast<char*>(to.addr) + offset, from, n);
  return true;
}

// Copies `n` bytes from `from`; false if any of them would fault.
inline bool CopyFromUser(void* to, const UserBuffer& from, size_t n) {
  if (!from.access_ok || n > from.readable)
    return false;
  std::memcpy(to, from.addr, n);
  return true;
}

}  // namespace epollcheck::sim
