// File: sut/mutant_sut.h
// A deliberately broken SUT, the test double of the check engine's tests:
// another SUT (the kernel, for `--sut mutant`) except that every epoll_wait
// that returns two or more events loses its last one (the return value drops
// by one too). A wait that returns 0 or 1 event, and every other operation,
// is passed through unchanged. The kind of bug an epoll re-implementation has;
// `check` must catch it, shrink it and print commands that find it again.
//
//   LosesLastEvent sut(kernel_factory());  // wait -> 2 events becomes 1
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <variant>

#include "sut/sut.h"

namespace epollcheck {

class LosesLastEvent final : public Sut {
public:
  explicit LosesLastEvent(std::unique_ptr<Sut> inner)
      : inner_(std::move(inner)) {}
  [[nodiscard]] Outcome Execute(const Op& op) override {
    Outcome o = inner_->Execute(op);
    if (std::holds_alternative<EpollWait>(op) && o.events.size() >= 2) {
      o.events.pop_back();
      --o.ret;
    }
    return o;
  }
  [[nodiscard]] std::string Finish() override { return inner_->Finish(); }

private:
  std::unique_ptr<Sut> inner_;
};

}  // namespace epollcheck
