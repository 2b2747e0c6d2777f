// File: sut/fdinfo.h
// The fdinfo oracle: after a step, the interest set of every epoll instance
// the model has open, as the SUT shows it (Sut::ReadFdinfo: on Linux
// /proc/<pid>/fdinfo/<epfd>), must equal the model's (model/fdinfo.h),
// ghost items included. It sees a wrong stored mask or a missing item at
// the step that causes it, where epoll_wait's results show it steps later
// or never (a ONESHOT item's mask after it fired, ERR|HUP on an item of a
// file that never errs, an item whose descriptor was closed).
//
// Items are compared as a multiset of (tfd, events, data, inode): the
// kernel prints them in tree order (by struct file address), which no model
// can predict. The model knows a watched file's inode only as an InodeKey
// (which files share it); the SUT shows numbers. The oracle ties each
// InodeKey to the SUT's inode the first time it needs it, through the
// lowest descriptor of the model's table whose file has that inode
// (Sut::InodeOf, fstat), and keeps that for the sequence (an inode does not
// change while a file has it). An item whose inode no descriptor has (none
// can today: an item dies with its file) matches on the other fields.
//
//   FdinfoOracle oracle;                        // one per sequence
//   Outcome got = sut.Execute(op);
//   if (auto d = oracle.Check(world_after, sut)) // the interest sets differ
//     std::cout << d->part << '\n' << d->Describe();
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/fdinfo.h"
#include "model/world.h"
#include "sut/sut.h"

namespace epollcheck {

// The item lines of an epoll file's fdinfo text (other lines ignored);
// nullopt if a `tfd:` line does not parse.
std::optional<std::vector<FdinfoLine>> ParseEpollFdinfo(std::string_view text);

// One expected item: the model's fields, and the inode the SUT is expected
// to show (nullopt: not known, matched on the other fields).
struct ExpectedLine {
  int32_t tfd = -1;
  uint32_t events = 0;
  uint64_t data = 0;
  std::optional<FdinfoInode> inode;
  FileId file = 0;  // the model's watched file (0: a written expectation)
};

// How two views of one instance differ: which part (`events`, `data`,
// `file`, or `+`-joined combinations of them for an item shown with
// different fields; `items.missing`, `items.extra`, `items` for items that
// are not there or are there too many; `unreadable` if the SUT could not
// show the instance) and the leftovers on each side.
struct LineDifference {
  std::string part;                   // "" if the views are equal
  std::vector<ExpectedLine> missing;  // expected, not shown
  std::vector<FdinfoLine> extra;      // shown, not expected
};
LineDifference CompareLines(const std::vector<ExpectedLine>& want,
                            const FdinfoReading& got);

// One instance's interest sets differ.
struct FdinfoDifference {
  int32_t epfd = -1;  // the descriptor it was read through
  std::string part;   // as LineDifference::part
  // The model's files whose items differ (the watched files of missing
  // items, and the model files extra items' inodes belong to); whether an
  // extra item had an inode no model file has.
  std::vector<FileId> files;
  bool unknown_file = false;
  // The two views, item by item, as `{3, IN|ERR|HUP, 0x1, ino=fd3}`, and
  // the SUT's error if it could not show the instance.
  std::vector<std::string> want;
  std::vector<std::string> got;
  int got_error = 0;
  // `fdinfo(3) model:  [...]` and `fdinfo(3) <sut>: [...]` lines.
  std::string Describe(std::string_view sut_name) const;
};

// The oracle of one sequence (it keeps the inodes it has tied to InodeKeys).
class FdinfoOracle {
public:
  // Compares every epoll instance open in `after` (read through its lowest
  // descriptor) with what `sut` shows. nullopt if all are equal.
  std::optional<FdinfoDifference> Check(const World& after, Sut& sut);
  // The same for the instances a step can have changed (FdinfoScopeOf,
  // taken before the step): what runs after every step. A SUT that changes
  // an interest set where the kernel cannot is caught at the next step
  // that reads that instance.
  std::optional<FdinfoDifference> Check(const World& after, Sut& sut,
                                        const FdinfoScope& scope);
  // The expected lines of the instance `epoll` of `world`.
  std::vector<ExpectedLine> Expected(const World& world, FileId epoll,
                                     Sut& sut);
  // How many instances were read, and in how many checks.
  long reads() const { return reads_; }
  long checks() const { return checks_; }

private:
  std::optional<FdinfoInode> Anchor(const World& world, const InodeKey& key,
                                    Sut& sut);
  FdinfoDifference Explain(const World& world, int32_t epfd,
                           const std::vector<ExpectedLine>& want,
                           const FdinfoReading& got, const LineDifference& diff,
                           Sut& sut);

  std::map<InodeKey, FdinfoInode> anchors_;
  long reads_ = 0;
  long checks_ = 0;
};

// `{3, IN|ERR|HUP, 0x1, ino=fd3}`: `ino=` names the lowest descriptor whose
// file has the item's inode; for an inode none has, the model's InodeKey
// (`ino=pipe#3`) or the SUT's own numbers (`ino=0x1a2b:f`, ino:sdev).
std::string FormatItem(int32_t tfd, uint32_t events, uint64_t data,
                       std::string_view ino);

}  // namespace epollcheck
