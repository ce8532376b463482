// The built-in scenarios on real headless Chromium through the runner, as
// `lantern-rig run` runs them: each must pass on the swiftshader profile, and
// webgpu-adapter must also pass (by finding no adapter) on no-webgpu.
#include <gtest/gtest.h>

#include <cstdlib>
#include <iostream>

#include "browser/live_browsers.h"
#include "scenarios/scenario_registry.h"
#include "scenarios/scenario_runner.h"

namespace lantern::rig {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

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

ScenarioResult expect_pass(const std::string& name, FlagProfile profile) {
  const Scenario* sc = find_scenario(name);
  EXPECT_NE(nullptr, sc) << name;
  if (!sc) return {};
  ScenarioResult r = run_scenario(*sc, settings(profile));
  std::string log;
  for (const auto& l : r.log) log += "  " + l + "\n";
  EXPECT_EQ(ScenarioStatus::kPassed, r.status) << r.reason << "\nlog:\n" << log << "stderr:\n" << r.browser_stderr_tail;
  EXPECT_EQ(0u, live_browsers::count());
  std::cout << name << " [" << flag_profile_name(profile) << "] " << r.seconds << " s, metrics " << r.metrics.dump() << "\n";
  return r;
}

TEST(Scenarios, WebGpuAdapterSwiftShader) { expect_pass("webgpu-adapter", FlagProfile::kSwiftShader); }
TEST(Scenarios, WebGpuAdapterAbsentOnNoWebGpu) { expect_pass("webgpu-adapter", FlagProfile::kNoWebGpu); }
TEST(Scenarios, Streaming) { expect_pass("streaming", FlagProfile::kSwiftShader); }
TEST(Scenarios, CacheColdWarm) { expect_pass("cache-cold-warm", FlagProfile::kSwiftShader); }

// The GPU benchmark page (not in the default matrix: it is the device's
// benchmark) on a tiny model, so a page that no longer runs shows up here and
// not on the lent GPU: numbers come back, and the per-kernel profile of the
// decode steps holds decode kernels only (the prompt is prefilled before
// profiling, so no prefill kernel is counted into a step).
TEST(Scenarios, WebGpuBenchSmokeOnATinyModel) {
  const std::vector<std::pair<const char*, const char*>> env{
      {"LANTERN_BENCH_MODELS", "tiny:q4_0"}, {"LANTERN_BENCH_PREFILL", "32"}, {"LANTERN_BENCH_DECODE", "8"},
      {"LANTERN_BENCH_DEPTH", "40"}};
  for (const auto& [k, v] : env) ::setenv(k, v, 1);
  const ScenarioResult r = expect_pass("webgpu-bench", FlagProfile::kSwiftShader);
  for (const auto& [k, v] : env) ::unsetenv(k);
  ASSERT_TRUE(r.metrics.contains("tiny-q4_0.gguf")) << r.metrics.dump();
  const auto& m = r.metrics["tiny-q4_0.gguf"];
  EXPECT_GT(m.value("decode_tok_s", 0.0), 0.0);
  EXPECT_GT(m.value("prefill_tok_s", 0.0), 0.0);
  if (m["gpu_ms_per_step"].is_null()) GTEST_SKIP() << "no timestamp-query on this adapter: no profile to check";
  EXPECT_GT(m["gpu_ms_per_step"].get<double>(), 0.0);
  // The profiled runs (step time, then kernels) re-read only the prompt's last token.
  EXPECT_EQ(json::parse("[1, 1]"), m["profiled_prompt_tokens_evaluated"]) << m.dump();
  bool attention = false;
  for (const auto& k : m["kernels_per_step"]) {
    const std::string name = k.value("kernel", std::string());
    EXPECT_EQ(std::string::npos, name.find("matmul_tiled")) << "a prefill kernel in the decode profile: " << m["kernels_per_step"].dump();
    attention |= name.rfind("attention", 0) == 0;
    if (name == "argmax") {
      EXPECT_EQ(2.0, k.value("dispatches_per_step", 0.0)) << "one greedy token per step";
    }
  }
  EXPECT_TRUE(attention) << m["kernels_per_step"].dump();
}

}  // namespace
}  // namespace lantern::rig
