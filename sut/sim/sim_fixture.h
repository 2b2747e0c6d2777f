// File: sut/sim/sim_fixture.h
// The GoogleTest fixture the sim's own tests share: one SimKernel, one
// process in it, and a check at the end that closing everything freed every
// kernel object.
//
//   class MyTest : public SimFixture {};
//   TEST_F(MyTest, X) { const int ep = proc_->EpollCreate1(0); ... }
#pragma once

#include <gtest/gtest.h>

#include <memory>

#include "model/abi.h"
#include "sut/sim/sim_kernel.h"

namespace epollcheck::sim {

class SimFixture : public ::testing::Test {
protected:
  explicit SimFixture(SimConfig config = {})
      : kernel_(config), proc_(kernel_.NewProcess()) {}
  void TearDown() override {
    proc_.reset();
    EXPECT_EQ(kernel_.Counts(), SimObjectCounts{});
  }
  // epoll_ctl(ep, ADD, fd, {events, data}).
  int Add(int ep, int fd, uint32_t events, uint64_t data) {
    const EpollEvent ev{.events = events, .data = data};
    return proc_->EpollCtl(ep, abi::kEpollCtlAdd, fd, &ev);
  }

  SimKernel kernel_;
  std::unique_ptr<SimProcess> proc_;
};

}  // namespace epollcheck::sim
