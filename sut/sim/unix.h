// File: sut/sim/unix.h
// AF_UNIX sockets (SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET), from
// socketpair() or socket() and joined over abstract names: a socket file
// (struct socket: the file, its wait queue, the proto_ops) over a struct
// sock with a receive queue of skbs. A send allocates an skb, charges
// its truesize to the sender's sk_wmem_alloc and queues it on the peer; the
// receiver frees it, which gives the truesize back and may wake the sender
// (the 25 % writability threshold). Wakeups on the socket's wait queue carry
// the kernel's keys, so epoll items see the kernel's edges.
//
//   FileRef a, b;
//   CreateUnixSocketpair(kernel, abi::kSockStream, abi::kONonblock, &a, &b);
//   a->SocketOf()->Sendmsg("hi", 2, abi::kMsgDontwait, nullptr, 0);  // 2
//   char buf[8];
//   b->SocketOf()->Recvmsg(buf, 8, abi::kMsgDontwait);   // 2; wakes a with OUT
//
// Linux: net/unix/af_unix.c (unix_create, unix_socketpair, unix_bind,
// unix_listen, unix_stream_connect, unix_dgram_connect, unix_accept,
// unix_stream_sendmsg, queue_oob, unix_stream_read_generic, manage_oob,
// unix_dgram_sendmsg, __unix_dgram_recvmsg, unix_shutdown,
// unix_release_sock, unix_poll, unix_dgram_poll, unix_write_space, the
// unix_dgram_peer_wake_* relay), net/core/sock.c (sock_alloc_send_pskb,
// sock_wfree, sock_def_readable, sock_def_wakeup, sk_setsockopt,
// sk_getsockopt), net/core/skbuff.c (__alloc_skb, kmalloc_reserve,
// alloc_skb_with_frags), net/socket.c (__sys_socketpair, sock_read_iter,
// sock_write_iter).
#pragma once

#include <cstddef>
#include <cstdint>

#include "sut/sim/file.h"

namespace epollcheck::sim {

struct SockaddrUn;

// Linux: struct socket and its file: the proto_ops a socket system call
// reaches after sockfd_lookup_light. Methods return a count or -errno.
class SocketFile : public File {
public:
  // Linux: sock_alloc (a new sockfs inode per socket) and sock_alloc_file.
  SocketFile(SimKernel* kernel, uint32_t f_mode, uint32_t f_flags);
  bool HasFasync() const override { return true; }  // sock_fasync

  // ops->sendmsg / ops->recvmsg of `len` bytes with MSG_* `flags` (the
  // caller has already or-ed in MSG_DONTWAIT for an O_NONBLOCK file);
  // `msg_namelen` 0 is no address.
  virtual int64_t Sendmsg(const void* buf, size_t len, uint32_t flags,
                          const SockaddrUn* msg_name, uint32_t msg_namelen) = 0;
  virtual int64_t Recvmsg(void* buf, size_t len, uint32_t flags) = 0;
  // ops->bind, ops->listen (backlog already clamped), ops->connect with the
  // file's f_flags (O_NONBLOCK: do not wait for room in the backlog).
  virtual int Bind(const SockaddrUn* addr, uint32_t addrlen) = 0;
  virtual int Listen(int backlog) = 0;
  virtual int Connect(const SockaddrUn* addr, uint32_t addrlen,
                      uint32_t f_flags) = 0;
  // ops->accept: the next connection as a new socket file opened with
  // `new_f_flags` (O_NONBLOCK kept), in *newfile; waits unless the
  // listener's `f_flags` has O_NONBLOCK.
  virtual int Accept(uint32_t f_flags, uint32_t new_f_flags,
                     FileRef* newfile) = 0;
  // ops->shutdown with the user's `how` (SHUT_RD, SHUT_WR, SHUT_RDWR).
  virtual int Shutdown(int how) = 0;
  // sk_setsockopt / sk_getsockopt at SOL_SOCKET.
  virtual int Setsockopt(int optname, const void* optval, uint32_t optlen) = 0;
  virtual int Getsockopt(int optname, void* optval, uint32_t* optlen) = 0;
};

// Linux: __sys_socketpair after the descriptors are reserved: two
// sock_create calls (unix_create: SOCK_RAW is taken as SOCK_DGRAM, other
// types but STREAM, DGRAM and SEQPACKET are ESOCKTNOSUPPORT),
// unix_socketpair, and sock_alloc_file with `f_flags` (O_NONBLOCK kept).
// `type` is the bare SOCK_* type, already below SOCK_MAX. Returns 0 or
// -errno; on success *a and *b hold one reference each.
int CreateUnixSocketpair(SimKernel* kernel, uint32_t type, uint32_t f_flags,
                         FileRef* a, FileRef* b);

// Linux: __sys_socket's sock_create (unix_create: the type checks as above)
// and sock_alloc_file: one unconnected, unbound socket. Returns 0 or
// -errno; on success *file holds one reference.
int CreateUnixSocket(SimKernel* kernel, uint32_t type, uint32_t f_flags,
                     FileRef* file);

// The truesize of an skb with a linear head of `header_len` bytes and
// `data_len` bytes in page frags of at most PAGE_SIZE << `max_page_order`
// (x86-64, Linux 6.18 build constants). Linux: alloc_skb_with_frags.
uint32_t SkbTruesize(uint32_t header_len, uint32_t data_len,
                     int max_page_order);

}  // namespace epollcheck::sim
