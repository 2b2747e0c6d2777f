// The model's ABI constants (model/abi.h) are the kernel's: every value is
// checked against the system headers at compile time.

#include <errno.h>
#include <fcntl.h>
#include <sys/epoll.h>

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

TEST(Abi, EpollEventIsPackedTwelveBytes) {
  EXPECT_EQ(sizeof(struct epoll_event), 12u);
  EXPECT_EQ(abi::kEpMaxEvents, 178956970);
}

}  // namespace
}  // namespace epollcheck
