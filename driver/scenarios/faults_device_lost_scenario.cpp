// faults-device-lost: the WebGPU device is destroyed in the middle of a
// streamed generation (device.destroy() through the engine's test hook,
// engine._loseDeviceForTesting()). The stream must end with a
// DeviceLostError that says what happened and what to do (reload), promptly;
// the next request must fail fast with the same error rather than hang; then
// engine.reload() acquires a new device and the engine answers again. In a
// worker (the error crosses postMessage with its name).
#include "scenarios/builtin_scenarios.h"
#include "scenarios/faults_scenario_kit.h"

namespace lantern::rig {

using namespace std::chrono_literals;
using nlohmann::json;

Scenario make_faults_device_lost_scenario() {
  Scenario s;
  s.name = "faults-device-lost";
  s.suite = "faults";
  s.description = "device.destroy() mid-generation: the stream errors clearly, later requests fail fast, reload() recovers";
  s.run = [](ScenarioContext& ctx) {
    if (ctx.profile() == FlagProfile::kNoWebGpu) ctx.fail("needs WebGPU: run it with the swiftshader profile");
    faults_kit::start(ctx);
    Browser& browser = ctx.launch_browser();
    // In a worker only: SwiftShader needs ~10 s per WebGPU load on a busy
    // 2-core machine, and the worker adds the error's trip across
    // postMessage to what the page would test (the same EngineCore).
    for (const char* mode : {"worker"}) {
      const std::string label = mode;
      json r = faults_kit::run_case(ctx, browser, "device-lost", std::string("mode=") + mode, 80s, label);
      const json& during = r["during"];
      ctx.expect_eq(label + ": the stream ends with an error", std::string("DeviceLostError"),
                    during["error"].value("name", std::string()));
      faults_kit::expect_mentions(ctx, during["error"].value("message", std::string()), {"WebGPU device was lost", "reload()"},
                           label + ": stream error");
      ctx.expect(during.value("content", 0) >= 3 && during.value("content", 0) < 200,
                 label + ": the stream stopped after the loss, got " + std::to_string(during.value("content", 0)) + " chunks");
      ctx.expect(r.value("during_ms", 1e9) < 15000, label + ": the stream ended within 15 s");
      ctx.expect_eq(label + ": the next request fails with the same error", std::string("DeviceLostError"),
                    r["next"].value("name", std::string()));
      ctx.expect(r["lost_stats_device_lost"].is_string(), label + ": runtimeStats() reports the loss");
      ctx.expect_eq(label + ": after reload() the engine answers", 8, r["after"].value("tokens", 0));
      ctx.expect(!r["after"].value("text", std::string()).empty(), label + ": after reload() a non-empty answer");
      ctx.expect_eq(label + ": after reload() still on WebGPU", std::string("webgpu"), r.value("backend_after", std::string()));
    }
  };
  return s;
}

}  // namespace lantern::rig
