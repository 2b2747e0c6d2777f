// File: model/check.h
// EP_CHECK(cond): an internal invariant of the model or a simulated SUT. It
// stays on in release builds and aborts with file, line and expression; it is
// for bugs in this project, never for operating errors (those are Outcomes).
//
//   EP_CHECK(file.refs > 0);
#pragma once

namespace epollcheck::internal {
[[noreturn]] void CheckFailed(const char* file, int line, const char* expr);
}  // namespace epollcheck::internal

#define EP_CHECK(cond)                                                         \
  do {                                                                         \
    if (!(cond))                                                               \
      ::epollcheck::internal::CheckFailed(__FILE__, __LINE__, #cond);          \
  } while (0)
