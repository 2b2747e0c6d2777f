// File: sut/sut.h
// The one interface every system under test implements: execute one
// operation, return what happened. Errors are values (Outcome with -errno);
// Execute never throws. A Sut instance lives for exactly one sequence, starts
// with an empty descriptor table, and owns every file the sequence creates.
//
//   std::unique_ptr<Sut> sut = MakeKernelSut();
//   Outcome got = sut->Execute(Op{Pipe2{.flags = abi::kONonblock}});  // fds
//   [0,1]
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "model/ops.h"
#include "model/outcome.h"

namespace epollcheck {

class Sut {
public:
  virtual ~Sut() = default;
  // Runs `op` and returns its result, translated into an Outcome.
  [[nodiscard]] virtual Outcome Execute(const Op& op) = 0;
  // Ends the sequence: releases every file and checks that nothing leaked.
  // Returns an empty string, or one line saying what was left behind.
  [[nodiscard]] virtual std::string Finish() = 0;
};

// Makes a fresh SUT for one sequence.
using SutFactory = std::function<std::unique_ptr<Sut>()>;

}  // namespace epollcheck
