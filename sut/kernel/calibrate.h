// File: sut/kernel/calibrate.h
// Measures the running kernel's socket accounting constants (skb truesize per
// payload size, socket buffer limits) with a few hundred probe operations on
// throw-away AF_UNIX socketpairs, so the model predicts this kernel build
// exactly instead of assuming 6.18 x86-64 values.
//
//   SocketCalibration c = CalibrateSockets();   // ~10-40 ms, once per process
//   std::cout << CalibrationSummary(c);          // "stream skb <= 36544 ..."
#pragma once

#include <string>

#include "model/profile.h"

namespace epollcheck {

// Probes the kernel (on the calling thread's descriptor table; every probe
// descriptor is closed again). Cached: the first call measures.
const SocketCalibration& CalibrateSockets();

// One line naming the values the model uses.
std::string CalibrationSummary(const SocketCalibration& c);

}  // namespace epollcheck
