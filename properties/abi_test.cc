// The model's ABI constants (model/abi.h) are the kernel's: every value is
// checked against the system headers at compile time.

#include <errno.h>
#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>

#include <climits>

#include <gtest/gtest.h>

#include "model/abi.h"

namespace epollcheck {
namespace {

static_assert(abi::kEpollIn == EPOLLIN);
static_assert(abi::kEpollPri == EPOLLPRI);
static_assert(abi::kEpollOut == EPOLLOUT);
static_assert(abi::kEpollErr == EPOLLERR);
static_assert(abi::kEpollHup == EPOLLHUP);
static_assert(abi::kEpollNval == 0x20);  // POLLNVAL; glibc has no EPOLLNVAL
static_assert(abi::kEpollRdNorm == EPOLLRDNORM);
static_assert(abi::kEpollRdBand == EPOLLRDBAND);
static_assert(abi::kEpollWrNorm == EPOLLWRNORM);
static_assert(abi::kEpollWrBand == EPOLLWRBAND);
static_assert(abi::kEpollMsg == EPOLLMSG);
static_assert(abi::kEpollRdHup == EPOLLRDHUP);
static_assert(abi::kEpollExclusive == EPOLLEXCLUSIVE);
static_assert(abi::kEpollWakeup == EPOLLWAKEUP);
static_assert(abi::kEpollOneShot == EPOLLONESHOT);
static_assert(abi::kEpollEt == static_cast<uint32_t>(EPOLLET));
static_assert(abi::kEpollCtlAdd == EPOLL_CTL_ADD);
static_assert(abi::kEpollCtlDel == EPOLL_CTL_DEL);
static_assert(abi::kEpollCtlMod == EPOLL_CTL_MOD);
static_assert(abi::kEpollCloexec == EPOLL_CLOEXEC);
static_assert(abi::kONonblock == O_NONBLOCK);
static_assert(abi::kODirect == O_DIRECT);
static_assert(abi::kOCloexec == O_CLOEXEC);
static_assert(abi::kONotificationPipe == O_EXCL);  // O_NOTIFICATION_PIPE
static_assert(abi::kOAppend == O_APPEND);
static_assert(abi::kFSetPipeSz == F_SETPIPE_SZ);
static_assert(abi::kFGetPipeSz == F_GETPIPE_SZ);
static_assert(abi::kEpollEventSize == sizeof(struct epoll_event));
static_assert(abi::kEpMaxEvents == INT_MAX / sizeof(struct epoll_event));
static_assert(abi::kEperm == EPERM);
static_assert(abi::kEnoent == ENOENT);
static_assert(abi::kEbadf == EBADF);
static_assert(abi::kEagain == EAGAIN);
static_assert(abi::kEnomem == ENOMEM);
static_assert(abi::kEfault == EFAULT);
static_assert(abi::kEbusy == EBUSY);
static_assert(abi::kEexist == EEXIST);
static_assert(abi::kEinval == EINVAL);
static_assert(abi::kEmfile == EMFILE);
static_assert(abi::kEnospc == ENOSPC);
static_assert(abi::kEpipe == EPIPE);
static_assert(abi::kEloop == ELOOP);
static_assert(abi::kEnotsock == ENOTSOCK);
static_assert(abi::kEmsgsize == EMSGSIZE);
static_assert(abi::kEprotonosupport == EPROTONOSUPPORT);
static_assert(abi::kEopnotsupp == EOPNOTSUPP);
static_assert(abi::kEsocktnosupport == ESOCKTNOSUPPORT);
static_assert(abi::kEafnosupport == EAFNOSUPPORT);
static_assert(abi::kEaddrinuse == EADDRINUSE);
static_assert(abi::kEconnreset == ECONNRESET);
static_assert(abi::kEisconn == EISCONN);
static_assert(abi::kEnotconn == ENOTCONN);
static_assert(abi::kEconnrefused == ECONNREFUSED);
static_assert(abi::kEnoprotoopt == ENOPROTOOPT);
static_assert(abi::kEdestaddrreq == EDESTADDRREQ);
static_assert(abi::kEconnaborted == ECONNABORTED);
static_assert(abi::kEalready == EALREADY);
static_assert(abi::kEinprogress == EINPROGRESS);
static_assert(abi::kEfdSemaphore == EFD_SEMAPHORE);
static_assert(abi::kEfdNonblock == EFD_NONBLOCK);
static_assert(abi::kEfdCloexec == EFD_CLOEXEC);
static_assert(abi::kAfUnix == AF_UNIX);
static_assert(abi::kAfInet == AF_INET);
static_assert(abi::kSockStream == SOCK_STREAM);
static_assert(abi::kSockDgram == SOCK_DGRAM);
static_assert(abi::kSockSeqpacket == SOCK_SEQPACKET);
static_assert(abi::kSockNonblock == SOCK_NONBLOCK);
static_assert(abi::kSockCloexec == SOCK_CLOEXEC);
static_assert(abi::kMsgOob == MSG_OOB);
static_assert(abi::kMsgPeek == MSG_PEEK);
static_assert(abi::kMsgTrunc == MSG_TRUNC);
static_assert(abi::kMsgDontwait == MSG_DONTWAIT);
static_assert(abi::kMsgWaitall == MSG_WAITALL);
static_assert(abi::kMsgNosignal == MSG_NOSIGNAL);
static_assert(abi::kShutRd == SHUT_RD);
static_assert(abi::kShutWr == SHUT_WR);
static_assert(abi::kShutRdwr == SHUT_RDWR);
static_assert(abi::kSolSocket == SOL_SOCKET);
static_assert(abi::kSoError == SO_ERROR);
static_assert(abi::kSoSndbuf == SO_SNDBUF);
static_assert(abi::kSoRcvbuf == SO_RCVBUF);
static_assert(abi::kSoLinger == SO_LINGER);
static_assert(abi::kSoRcvlowat == SO_RCVLOWAT);

TEST(Abi, EpollEventIsPackedTwelveBytes) {
  EXPECT_EQ(sizeof(struct epoll_event), 12u);
  EXPECT_EQ(abi::kEpMaxEvents, 178956970);
}

}  // namespace
}  // namespace epollcheck
