// File: model/check.h
// EP_CHECK(cond): an internal invariant of the model or a simulated SUT. It
// stays on in release builds and aborts with file, line and expression; it is
// for bugs in this project, never for operating errors (those are Outcomes).
// A thread whose stderr is not the user's (the kernel SUT's executor, whose
// descriptor table belongs to the scenario) installs a handler that carries
// the message elsewhere; the handler must not return.
//
//   EP_CHECK(file.refs > 0);
#pragma once

#include <string>

namespace epollcheck::internal {
[[noreturn]] void CheckFailed(const char* file, int line, const char* expr);

// Called with "file:line: EP_CHECK failed: expr" instead of printing it to
// stderr, for failures on the calling thread only (nullptr: print).
using CheckFailureHandler = void (*)(const std::string& message);
void SetThreadCheckFailureHandler(CheckFailureHandler handler);
}  // namespace epollcheck::internal

#define EP_CHECK(cond)                                                         \
  do {                                                                         \
    if (!(cond))                                                               \
      ::epollcheck::internal::CheckFailed(__FILE__, __LINE__, #cond);          \
  } while (0)
