// webgpu-adapter: the page finds a WebGPU adapter, reports its info, and a
// small compute shader gives the numbers the rig computes itself; the web
// SDK's device request falls back when an experimental feature is refused.
// On the no-webgpu profile the page must find no adapter.
#include <cmath>

#include "scenarios/builtin_scenarios.h"
#include "scenarios/scenario_context.h"

namespace lantern::rig {

using namespace std::chrono_literals;

Scenario make_webgpu_adapter_scenario() {
  Scenario s;
  s.name = "webgpu-adapter";
  s.suite = "basic";
  s.description = "WebGPU adapter present with its info, compute shader result right, the SDK gets a device when an experimental feature is refused (no adapter on no-webgpu)";
  s.run = [](ScenarioContext& ctx) {
    ctx.start_server({{"/web/", ctx.settings().source_dir + "/web"}});
    Browser& browser = ctx.launch_browser();
    ScenarioPage& page = ctx.open_page(browser, "/webgpu-adapter.html");
    PageEvent adapter = page.wait_for_event("adapter", 30s);
    const bool present = adapter.data.value("present", false);

    if (ctx.profile() == FlagProfile::kNoWebGpu) {
      ctx.expect(!present, "no WebGPU adapter on the no-webgpu profile, but the page got one: " + adapter.data.dump());
      ctx.log("no adapter, as this profile wants: " + adapter.data.value("why", std::string()));
      ctx.metric("adapter", nullptr);
      return;
    }
    ctx.expect(present, "a WebGPU adapter, but the page reported none (" + adapter.data.value("why", std::string()) + ")");
    const std::string vendor = adapter.data.value("vendor", std::string());
    const std::string arch = adapter.data.value("architecture", std::string());
    const bool fallback = adapter.data.value("isFallbackAdapter", false);
    ctx.log("adapter: vendor=" + vendor + " architecture=" + arch + " fallback=" + (fallback ? "yes" : "no") +
            " features=" + std::to_string(adapter.data.value("features", nlohmann::json::array()).size()));
    ctx.metric("adapter", {{"vendor", vendor},
                           {"architecture", arch},
                           {"isFallbackAdapter", fallback},
                           {"limits", adapter.data.value("limits", nlohmann::json::object())}});
    if (ctx.profile() == FlagProfile::kGpuVulkan)
      ctx.expect(!fallback, "a hardware adapter on the gpu-vulkan profile, got fallback adapter " + vendor + "/" + arch);

    PageEvent compute = page.wait_for_event("compute", 60s);
    const auto& in = compute.data.at("input");
    const auto& out = compute.data.at("output");
    ctx.expect_eq("compute input length", std::size_t{64}, in.size());
    ctx.expect_eq("compute output length", std::size_t{64}, out.size());
    for (std::size_t i = 0; i < 64; ++i) {
      const float x = static_cast<float>(static_cast<int>(i) - 32);
      ctx.expect_eq("compute input[" + std::to_string(i) + "]", static_cast<double>(x), in[i].get<double>());
      // Small integers squared plus 0.5 are exact in f32: compare exactly.
      const double want = static_cast<double>(x * x + 0.5f);
      ctx.expect_eq("compute output[" + std::to_string(i) + "] = x*x + 0.5", want, out[i].get<double>());
    }
    ctx.metric("compute_ms", compute.data.value("ms", 0.0));

    // The engine's device request: an experimental feature the adapter
    // offers but fails to give must not cost the device.
    ScenarioPage& sdk_page = ctx.open_page(browser, "/gpu_device_fallback.html");
    const nlohmann::json f = sdk_page.wait_for_event("fallback", 30s).data;
    ctx.expect(f.value("device", false), "a device without the refused subgroup-matrix features, got " + f.dump());
    ctx.expect_eq("adapter requests (the second without the features)", 2, f.value("adapter_requests", 0));
    ctx.expect(f["subgroup_matrix_error"].is_string() &&
                   f["subgroup_matrix_error"].get<std::string>().find("refused") != std::string::npos,
               "the refusal is reported, got " + f["subgroup_matrix_error"].dump());
    for (const auto& feature : f.value("features", nlohmann::json::array()))
      ctx.expect(feature != "chromium-experimental-subgroup-matrix", "the device has no subgroup matrices");
  };
  return s;
}

}  // namespace lantern::rig
