#include "sut/registry.h"

#include "model/rules.h"
#include "sut/kernel/calibrate.h"
#include "sut/kernel/kernel_sut.h"
#include "sut/mutant_sut.h"
#include "sut/sim/sim_sut.h"

namespace epollcheck {
namespace {

std::variant<SutEntry, std::string> MakeKernel() {
  auto probe = KernelSut::Create();
  if (auto* why = std::get_if<std::string>(&probe)) {
    return "kernel SUT cannot start: " + *why;
  }
  SutEntry entry;
  entry.make = []() -> std::unique_ptr<Sut> {
    auto made = KernelSut::Create();
    if (auto* why = std::get_if<std::string>(&made)) {
      throw std::runtime_error("kernel SUT cannot start: " + *why);
    }
    return std::move(std::get<0>(made));
  };
  const ProbedProfile& probed = RunningKernelProbe();
  entry.profile = probed.profile;
  entry.families = probed.families;
  entry.profile_evidence = ProbeReport(probed);
  entry.description = RunningKernelDescription() + ", model profile " +
                      entry.profile.name + " (probed); sockets calibrated: " +
                      CalibrationSummary(entry.profile.sockets);
  // Only a guest's limit is within a sequence's reach (ci/guest/init.cc).
  if (entry.profile.max_user_watches <= kReachableWatchLimit) {
    entry.description += "; fs.epoll.max_user_watches " +
                         std::to_string(entry.profile.max_user_watches);
  }
  return entry;
}

// The from-scratch eventpoll of sut/sim, checked against the 6.18 profile
// (the kernel it reimplements).
SutEntry MakeScratch() {
  SutEntry entry;
  entry.make = []() -> std::unique_ptr<Sut> {
    return std::make_unique<SimSut>();
  };
  entry.profile = ProfileForKernel(6, 18);
  entry.profile.max_user_watches = sim::SimConfig{}.max_user_watches;
  entry.families = kScratchFamilies;
  entry.description =
      "from-scratch eventpoll (sut/sim), model profile " + entry.profile.name;
  return entry;
}

// The test double of the CLI tests (sut/mutant_sut.h): the kernel, losing
// the last event of every wait that returns two or more.
std::variant<SutEntry, std::string> MakeMutant() {
  auto made = MakeKernel();
  if (auto* kernel = std::get_if<SutEntry>(&made)) {
    kernel->make = [inner = kernel->make]() -> std::unique_ptr<Sut> {
      return std::make_unique<LosesLastEvent>(inner());
    };
    kernel->description = "test double: " + kernel->description +
                          ", minus the last event of waits returning 2+";
  }
  return made;
}

// The supervised runner's test doubles (sut/mutant_sut.h): scratch that
// crashes on a wait with 2+ events; the kernel hanging on an empty wait with
// maxevents 1.
SutEntry MakeMutantCrash() {
  SutEntry entry = MakeScratch();
  entry.make = [inner = entry.make]() -> std::unique_ptr<Sut> {
    return std::make_unique<CrashesOnTwoEvents>(inner());
  };
  entry.description = "test double: " + entry.description +
                      ", SIGSEGV on a wait returning 2+ events";
  return entry;
}

std::variant<SutEntry, std::string> MakeMutantHang() {
  auto made = MakeKernel();
  if (auto* kernel = std::get_if<SutEntry>(&made)) {
    kernel->make = [inner = kernel->make]() -> std::unique_ptr<Sut> {
      return std::make_unique<HangsOnEmptyWait>(inner());
    };
    kernel->description = "test double: " + kernel->description +
                          ", never returns from an empty wait for 1 event";
  }
  return made;
}

// A test double of sut/mutant_sut.h ScratchMutants: scratch with one fault.
SutEntry MakeScratchMutant(const ScratchMutant& mutant) {
  SutEntry entry = MakeScratch();
  entry.make = [config = mutant.config]() -> std::unique_ptr<Sut> {
    return std::make_unique<SimSut>(config);
  };
  entry.description = "test double: from-scratch eventpoll (sut/sim) with " +
                      std::string(mutant.description) + ", model profile " +
                      entry.profile.name;
  return entry;
}

}  // namespace

std::vector<std::string> SutNames() { return {"kernel", "scratch"}; }

bool SutSeesProcessSignals(const std::string& name) {
  return name == "kernel" || name == "mutant" || name == "mutant-hang";
}

std::variant<SutEntry, std::string> MakeSut(const std::string& name) {
  if (name == "kernel")
    return MakeKernel();
  if (name == "mutant")
    return MakeMutant();
  if (name == "mutant-crash")
    return MakeMutantCrash();
  if (name == "mutant-hang")
    return MakeMutantHang();
  if (name == "scratch")
    return MakeScratch();
  for (const ScratchMutant& mutant : ScratchMutants()) {
    if (name == mutant.name)
      return MakeScratchMutant(mutant);
  }
  std::string known;
  for (const std::string& n : SutNames())
    known += (known.empty() ? "" : ", ") + n;
  return "unknown SUT '" + name + "' (available: " + known + ")";
}

}  // namespace epollcheck
