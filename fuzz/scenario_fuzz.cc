// libFuzzer target for the scenario parser. For any input: parsing never
// crashes; a parsed scenario formats to text that parses again to the same
// text (a fixed point); replaying it on the model never crashes.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "model/abi.h"
#include "scenario/replay.h"
#include "scenario/scenario.h"
#include "sut/model_sut.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace epollcheck;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = ParseScenario(text);
  const auto* scenario = std::get_if<Scenario>(&parsed);
  if (scenario == nullptr)
    return 0;
  const std::string formatted = FormatScenario(*scenario);
  auto again = ParseScenario(formatted);
  const auto* reparsed = std::get_if<Scenario>(&again);
  if (reparsed == nullptr || FormatScenario(*reparsed) != formatted) {
    // Say which half of the fixed point broke before the crash report.
    std::fprintf(stderr, "scenario_fuzz: formatted text:\n%s\n",
                 formatted.c_str());
    if (reparsed == nullptr) {
      const ParseError& e = std::get<ParseError>(again);
      std::fprintf(stderr, "scenario_fuzz: does not parse: line %d: %s\n",
                   e.line, e.message.c_str());
    } else {
      std::fprintf(stderr, "scenario_fuzz: formats again as:\n%s\n",
                   FormatScenario(*reparsed).c_str());
    }
    std::abort();
  }
  // Keep replays cheap: the model handles any argument, but huge pipes and
  // writes only slow the fuzzer down.
  if (scenario->steps.size() > 64)
    return 0;
  for (const ScenarioStep& step : scenario->steps) {
    if (const auto* w = std::get_if<Write>(&step.op);
        w && w->count > (1u << 20))
      return 0;
    if (const auto* s = std::get_if<SetPipeSize>(&step.op);
        s && static_cast<uint32_t>(s->size) > (1u << 20))
      return 0;
  }
  const Profile profile = ProfileForKernel(6, 18);
  ModelSut sut(profile);
  (void)Replay(*scenario, sut, profile, ReplayMode::kWritten);
  return 0;
}
