// The built-in scenarios on real headless Chromium through the runner, as
// `lantern-rig run` runs them: each must pass on the swiftshader profile, and
// webgpu-adapter must also pass (by finding no adapter) on no-webgpu.
#include <gtest/gtest.h>

#include <iostream>

#include "browser/live_browsers.h"
#include "scenarios/scenario_registry.h"
#include "scenarios/scenario_runner.h"

namespace lantern::rig {
namespace {

using namespace std::chrono_literals;

ScenarioSettings settings(FlagProfile profile) {
  ScenarioSettings s;
  std::string error;
  auto b = resolve_browser("headless-shell", &error);
  if (!b) throw std::runtime_error(error);
  s.browser_name = b->name;
  s.browser_path = b->path;
  s.profile = profile;
  s.timeout = 60s;
  s.source_dir = LANTERN_SOURCE_DIR;
  return s;
}

void expect_pass(const std::string& name, FlagProfile profile) {
  const Scenario* sc = find_scenario(name);
  ASSERT_NE(nullptr, sc) << name;
  ScenarioResult r = run_scenario(*sc, settings(profile));
  std::string log;
  for (const auto& l : r.log) log += "  " + l + "\n";
  EXPECT_EQ(ScenarioStatus::kPassed, r.status) << r.reason << "\nlog:\n" << log << "stderr:\n" << r.browser_stderr_tail;
  EXPECT_EQ(0u, live_browsers::count());
  std::cout << name << " [" << flag_profile_name(profile) << "] " << r.seconds << " s, metrics " << r.metrics.dump() << "\n";
}

TEST(Scenarios, WebGpuAdapterSwiftShader) { expect_pass("webgpu-adapter", FlagProfile::kSwiftShader); }
TEST(Scenarios, WebGpuAdapterAbsentOnNoWebGpu) { expect_pass("webgpu-adapter", FlagProfile::kNoWebGpu); }
TEST(Scenarios, Streaming) { expect_pass("streaming", FlagProfile::kSwiftShader); }
TEST(Scenarios, CacheColdWarm) { expect_pass("cache-cold-warm", FlagProfile::kSwiftShader); }

}  // namespace
}  // namespace lantern::rig
