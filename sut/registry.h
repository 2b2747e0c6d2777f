// File: sut/registry.h
// The SUTs a user can name on the command line, and how to make them.
//
//   auto made = MakeSutFactory("kernel");     // SutFactory or an error line
//   if (auto* why = std::get_if<std::string>(&made)) ...
#pragma once

#include <string>
#include <variant>
#include <vector>

#include "model/profile.h"
#include "sut/sut.h"

namespace epollcheck {

struct SutEntry {
  SutFactory make;
  Profile profile;          // the model profile this SUT is checked against
  std::string description;  // e.g. "Linux 6.18.44, model profile 6.18"
  uint32_t families = kAllFamilies;  // Family bits this SUT implements
  // How the profile was decided, one line per feature ("  name=value
  // (evidence)"), for the header of a run; "" if it was not probed.
  std::string profile_evidence;
};

// Names accepted by MakeSut, in the order they are listed to users. MakeSut
// also accepts test doubles for the CLI's own tests (sut/mutant_sut.h), which
// are not listed: `mutant` (the kernel minus the last event of waits
// returning two or more), the `mutant-*` doubles of ScratchMutants (scratch
// with one fault each), `mutant-crash` (scratch, dying of SIGSEGV on a wait
// returning two or more) and `mutant-hang` (the kernel, never returning from
// an empty wait with maxevents 1).
std::vector<std::string> SutNames();

// Whether the named SUT's results change when the process receives a
// signal: one that makes real system calls (kernel, mutant, mutant-hang),
// where every signal queued wakes the signalfd items. Its watchdog must not
// tick with signals (properties/watchdog.h Timer::kThread).
bool SutSeesProcessSignals(const std::string& name);

// A factory for the named SUT (after checking it can start here), or one line
// saying why not.
std::variant<SutEntry, std::string> MakeSut(const std::string& name);

}  // namespace epollcheck
