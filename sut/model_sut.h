// File: sut/model_sut.h
// The model itself behind the Sut interface, so that a scenario can be
// replayed "on the model" with the same code as on any SUT. Its fdinfo view
// is the model's interest sets (model/fdinfo.h), each InodeKey shown as an
// inode of its own (sdev: the key's kind, ino: its id).
//
//   ModelSut sut(ProfileForKernel(6, 18));
//   Outcome o = sut.Execute(Op{EpollCreate1{}});   // -> 0
#pragma once

#include "model/fdinfo.h"
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
  [[nodiscard]] std::string FdinfoOff() const override { return ""; }
  [[nodiscard]] FdinfoReading ReadFdinfo(int32_t epfd) override {
    const std::optional<FileId> file = world_.FileIdAt(epfd);
    if (!file)
      return FdinfoReading{.error = abi::kEnoent, .lines = {}};
    FdinfoReading reading;
    for (const InterestItem& item : InterestSet(world_, *file)) {
      reading.lines.push_back(FdinfoLine{.tfd = item.tfd,
                                         .events = item.events,
                                         .data = item.data,
                                         .inode = Shown(item.inode)});
    }
    return reading;
  }
  [[nodiscard]] std::optional<FdinfoInode> InodeOf(int32_t fd) override {
    const std::optional<FileId> file = world_.FileIdAt(fd);
    if (!file)
      return std::nullopt;
    return Shown(InodeOfFile(world_, *file));
  }
  const World& world() const { return world_; }

private:
  static FdinfoInode Shown(const InodeKey& key) {
    return FdinfoInode{.sdev = static_cast<uint32_t>(key.kind) + 1,
                       .ino = key.id};
  }
  World world_;
};

}  // namespace epollcheck
