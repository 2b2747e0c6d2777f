// File: sut/model_sut.h
// The model itself behind the Sut interface, so that a scenario can be
// replayed "on the model" with the same code as on any SUT.
//
//   ModelSut sut(ProfileForKernel(6, 18));
//   Outcome o = sut.Execute(Op{EpollCreate1{}});   // -> 0
#pragma once

#include "model/step.h"
#include "sut/sut.h"

namespace epollcheck {

class ModelSut final : public Sut {
public:
  explicit ModelSut(const Profile& profile) { world_.profile = profile; }
  [[nodiscard]] Outcome Execute(const Op& op) override {
    return Step(world_, op);
  }
  [[nodiscard]] std::string Finish() override { return {}; }
  const World& world() const { return world_; }

private:
  World world_;
};

}  // namespace epollcheck
