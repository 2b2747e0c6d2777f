// File: model/abi.h
// The Linux x86-64 ABI values the model speaks in: epoll event bits, epoll_ctl
// ops, open flags, fcntl commands and errno numbers. The model may not include
// OS headers, so these are spelled out here once; properties/abi_test.cc
// static_asserts every value against <sys/epoll.h>, <fcntl.h> and <errno.h>.
//
//   if (mask & abi::kEpollEt) ...          // EPOLLET
//   return Outcome::Error(abi::kEbadf);    // -EBADF
//
// Linux: include/uapi/linux/eventpoll.h, include/uapi/asm-generic/poll.h,
// include/uapi/asm-generic/errno-base.h, include/uapi/asm-generic/fcntl.h.
#pragma once

#include <cstdint>

namespace epollcheck::abi {

// Event bits (include/uapi/linux/eventpoll.h; poll bits from
// asm-generic/poll.h).
inline constexpr uint32_t kEpollIn = 0x001;
inline constexpr uint32_t kEpollPri = 0x002;
inline constexpr uint32_t kEpollOut = 0x004;
inline constexpr uint32_t kEpollErr = 0x008;
inline constexpr uint32_t kEpollHup = 0x010;
inline constexpr uint32_t kEpollNval = 0x020;
inline constexpr uint32_t kEpollRdNorm = 0x040;
inline constexpr uint32_t kEpollRdBand = 0x080;
inline constexpr uint32_t kEpollWrNorm = 0x100;
inline constexpr uint32_t kEpollWrBand = 0x200;
inline constexpr uint32_t kEpollMsg = 0x400;
inline constexpr uint32_t kEpollRdHup = 0x2000;
inline constexpr uint32_t kEpollUringWake = 1u << 27;
inline constexpr uint32_t kEpollExclusive = 1u << 28;
inline constexpr uint32_t kEpollWakeup = 1u << 29;
inline constexpr uint32_t kEpollOneShot = 1u << 30;
inline constexpr uint32_t kEpollEt = 1u << 31;

// Linux: fs/eventpoll.c EP_PRIVATE_BITS: kept in the stored mask when a
// ONESHOT item is disarmed.
inline constexpr uint32_t kEpPrivateBits =
    kEpollWakeup | kEpollOneShot | kEpollEt | kEpollExclusive;
// Linux: fs/eventpoll.c EPOLLEXCLUSIVE_OK_BITS.
inline constexpr uint32_t kEpollExclusiveOkBits =
    kEpollIn | kEpollOut | kEpollErr | kEpollHup | kEpollWakeup | kEpollEt |
    kEpollExclusive;

// Linux: fs/select.c POLLIN_SET, POLLOUT_SET, POLLEX_SET: which poll bits
// put a descriptor in select's read, write and except result sets.
// EPOLLNVAL is in all three: select_poll_one returns it for a descriptor
// fdget() refuses (an O_PATH one), which is then in every set it was asked
// for (measured on 6.18).
inline constexpr uint32_t kPollInSet =
    kEpollRdNorm | kEpollRdBand | kEpollIn | kEpollHup | kEpollErr | kEpollNval;
inline constexpr uint32_t kPollOutSet =
    kEpollWrBand | kEpollWrNorm | kEpollOut | kEpollErr | kEpollNval;
inline constexpr uint32_t kPollExSet = kEpollPri | kEpollNval;
// Linux: include/linux/poll.h DEFAULT_POLLMASK: what vfs_poll reports for a
// file without ->poll.
inline constexpr uint32_t kDefaultPollMask =
    kEpollIn | kEpollOut | kEpollRdNorm | kEpollWrNorm;

// epoll_ctl ops.
inline constexpr int32_t kEpollCtlAdd = 1;
inline constexpr int32_t kEpollCtlDel = 2;
inline constexpr int32_t kEpollCtlMod = 3;

// Open flags (asm-generic/fcntl.h, x86-64 values).
inline constexpr uint32_t kOAppend = 02000;
inline constexpr uint32_t kONonblock = 04000;
inline constexpr uint32_t kODirect = 040000;
inline constexpr uint32_t kOAsync = 020000;  // FASYNC
inline constexpr uint32_t kONoatime = 01000000;
inline constexpr uint32_t kOLargefile = 0100000;
inline constexpr uint32_t kODirectory = 0200000;
inline constexpr uint32_t kOPath = 010000000;
inline constexpr uint32_t kORdonly = 0;
inline constexpr uint32_t kOWronly = 1;
inline constexpr uint32_t kORdwr = 2;
// Linux: fs/fcntl.c SETFL_MASK (O_NDELAY is O_NONBLOCK on x86-64).
inline constexpr uint32_t kSetflMask =
    kOAppend | kONonblock | kODirect | kONoatime;
inline constexpr uint32_t kOCloexec = 02000000;
inline constexpr uint32_t kEpollCloexec = kOCloexec;
// Linux: include/uapi/linux/watch_queue.h O_NOTIFICATION_PIPE (= O_EXCL):
// accepted by pipe2 on kernels with CONFIG_WATCH_QUEUE. Watch-queue pipes are
// neither modelled nor simulated (they behave as ordinary pipes) and never
// generated.
inline constexpr uint32_t kONotificationPipe = 0200;

// fcntl commands (include/uapi/linux/fcntl.h).
inline constexpr int32_t kFGetFl = 3;
inline constexpr int32_t kFSetFl = 4;
inline constexpr int32_t kFSetPipeSz = 1031;
inline constexpr int32_t kFGetPipeSz = 1032;
// lseek whence. Linux: include/uapi/linux/fs.h (SEEK_MAX is SEEK_HOLE).
inline constexpr int32_t kSeekSet = 0;
inline constexpr int32_t kSeekCur = 1;
inline constexpr int32_t kSeekEnd = 2;
inline constexpr int32_t kSeekData = 3;
inline constexpr int32_t kSeekHole = 4;
// The epoll ioctls: _IOW/_IOR(0x8A, 1/2, struct epoll_params), 8 bytes.
// Linux: include/uapi/linux/eventpoll.h.
inline constexpr uint32_t kEpiocSParams = 0x40088a01;
inline constexpr uint32_t kEpiocGParams = 0x80088a02;
inline constexpr uint32_t kEpollParamsSize = 8;
// Linux: include/linux/netdevice.h NAPI_POLL_WEIGHT; include/linux/limits.h
// S32_MAX.
inline constexpr uint32_t kNapiPollWeight = 64;
inline constexpr uint32_t kS32Max = 0x7fffffff;

// Memory geometry of the x86-64 kernel.
inline constexpr uint32_t kPageSize = 4096;
// Linux: fs/eventpoll.c EP_MAX_EVENTS = INT_MAX / sizeof(struct epoll_event),
// and struct epoll_event is packed (12 bytes) on x86-64.
inline constexpr int32_t kEpollEventSize = 12;
inline constexpr int32_t kEpMaxEvents = 2147483647 / kEpollEventSize;
// Linux: fs/eventpoll.c EP_MAX_NESTS.
inline constexpr int kEpMaxNests = 4;
// Linux: fs/eventpoll.c path_limits[PATH_ARR_SIZE]: how many wakeup paths of
// each length (index: the nesting depth of the path's topmost instance) may
// lead to one file; depth 0 is unlimited.
inline constexpr int kPathLimits[kEpMaxNests + 1] = {1000, 500, 100, 50, 10};
// Linux: include/linux/pipe_fs_i.h PIPE_DEF_BUFFERS.
inline constexpr uint32_t kPipeDefBuffers = 16;

// eventfd flags (include/uapi/linux/eventfd.h via fcntl values).
inline constexpr uint32_t kEfdSemaphore = 1;
inline constexpr uint32_t kEfdNonblock = kONonblock;
inline constexpr uint32_t kEfdCloexec = kOCloexec;

// Sockets (include/linux/socket.h, include/linux/net.h, asm-generic/socket.h).
inline constexpr int32_t kAfUnix = 1;
inline constexpr int32_t kAfInet = 2;
inline constexpr uint32_t kSockStream = 1;
inline constexpr uint32_t kSockDgram = 2;
inline constexpr uint32_t kSockSeqpacket = 5;
inline constexpr uint32_t kSockTypeMask = 0xf;
inline constexpr uint32_t kSockNonblock = kONonblock;
inline constexpr uint32_t kSockCloexec = kOCloexec;
inline constexpr uint32_t kMsgOob = 0x1;
inline constexpr uint32_t kMsgPeek = 0x2;
inline constexpr uint32_t kMsgTrunc = 0x20;
inline constexpr uint32_t kMsgDontwait = 0x40;
inline constexpr uint32_t kMsgWaitall = 0x100;
inline constexpr uint32_t kMsgNosignal = 0x4000;
inline constexpr int32_t kShutRd = 0;
inline constexpr int32_t kShutWr = 1;
inline constexpr int32_t kShutRdwr = 2;
// Linux: include/net/sock.h RCV_SHUTDOWN, SEND_SHUTDOWN.
inline constexpr uint8_t kRcvShutdown = 1;
inline constexpr uint8_t kSendShutdown = 2;
inline constexpr uint8_t kShutdownMask = 3;
inline constexpr int32_t kSolSocket = 1;
inline constexpr int32_t kSoError = 4;
inline constexpr int32_t kSoSndbuf = 7;
inline constexpr int32_t kSoRcvbuf = 8;
inline constexpr int32_t kSoLinger = 13;
inline constexpr int32_t kSoRcvlowat = 18;

// errno values (asm-generic/errno-base.h, errno.h).
inline constexpr int kEperm = 1;
inline constexpr int kEisdir = 21;
inline constexpr int kEnoent = 2;
inline constexpr int kEsrch = 3;
inline constexpr int kEchild = 10;
inline constexpr int kEnxio = 6;
inline constexpr int kEbadf = 9;
inline constexpr int kEagain = 11;
inline constexpr int kEnomem = 12;
inline constexpr int kEfault = 14;
inline constexpr int kEbusy = 16;
inline constexpr int kEnosys = 38;
inline constexpr int kEexist = 17;
inline constexpr int kEinval = 22;
inline constexpr int kEnotty = 25;
inline constexpr int kEspipe = 29;
inline constexpr int kEmfile = 24;
inline constexpr int kEnospc = 28;
inline constexpr int kEpipe = 32;
inline constexpr int kEloop = 40;
inline constexpr int kEnotsock = 88;
inline constexpr int kEmsgsize = 90;
inline constexpr int kEprotonosupport = 93;
inline constexpr int kEsocktnosupport = 94;
inline constexpr int kEopnotsupp = 95;
inline constexpr int kEafnosupport = 97;
inline constexpr int kEaddrinuse = 98;
inline constexpr int kEconnreset = 104;
inline constexpr int kEisconn = 106;
inline constexpr int kEnotconn = 107;
inline constexpr int kEconnrefused = 111;
inline constexpr int kEnoprotoopt = 92;
inline constexpr int kEdestaddrreq = 89;
inline constexpr int kEconnaborted = 103;
inline constexpr int kEalready = 114;
inline constexpr int kEinprogress = 115;

// sizeof(sigset_t) as the kernel's rt_sig* and *pwait* calls require it
// (_NSIG / 8 on x86-64).
inline constexpr int32_t kSigsetSize = 8;

}  // namespace epollcheck::abi
