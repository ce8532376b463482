// webgpu-bench (suite gpubench, not part of the tests): the engine on the
// WebGPU backend with synthetic Qwen2.5-0.5B and Llama-3.2-1B shapes in Q4_0
// and Q8_0, and Llama-3.2-3B in Q4_0 (large enough to be bandwidth-bound): load phases, prefill and decode tok/s, GPU time per decode step
// and achieved weight bandwidth. Numbers go to the report's metrics.
#include <cstdlib>

#include "scenarios/builtin_scenarios.h"
#include "scenarios/scenario_context.h"
#include "scenarios/webgpu_errors.h"
#include "synthetic_model.h"

namespace lantern::rig {

using namespace std::chrono_literals;

Scenario make_webgpu_bench_scenario() {
  Scenario s;
  s.name = "webgpu-bench";
  s.suite = "gpubench";
  s.description = "benchmark: prefill/decode tok/s, GPU ms per step and GB/s for synthetic qwen2.5-0.5b and llama-3.2-1b (q4_0, q8_0, q4_k_m), llama-3.2-3b (q4_0)";
  s.run = [](ScenarioContext& ctx) {
    const std::string wasm = ctx.wasm_dir();
    const char* only = std::getenv("LANTERN_BENCH_MODELS");  // e.g. "qwen2.5-0.5b:q4_0"
    const std::string models_dir = ctx.scratch_dir();
    struct M { const char* shape; const char* type; };
    const M all[] = {{"qwen2.5-0.5b", "q4_0"}, {"qwen2.5-0.5b", "q8_0"}, {"llama-3.2-1b", "q4_0"}, {"llama-3.2-1b", "q8_0"},
                     {"qwen2.5-0.5b", "q4_k_m"}, {"llama-3.2-1b", "q4_k_m"},  // the mix people download
                     {"llama-3.2-3b", "q4_0"},  // 1.9 GB: the bandwidth-bound case
                     {"tiny", "q4_0"}};  // tiny: a smoke test, only when named
    const auto wanted = [&](const std::string& tag) {
      return only ? std::string(only).find(tag) != std::string::npos : tag.rfind("tiny", 0) != 0;
    };
    std::vector<std::string> files;
    for (const auto& m : all) {
      const std::string tag = std::string(m.shape) + ":" + m.type;
      if (!wanted(tag)) continue;
      const std::string file = std::string(m.shape) + "-" + m.type + ".gguf";
      fixtures::write_synthetic_model(m.shape, fixtures::parse_weight_mix(m.type), 1, models_dir + "/" + file);
      files.push_back(file);
    }
    ctx.start_server({{"/web/", ctx.settings().source_dir + "/web"}, {"/wasm/", wasm}, {"/synth/", models_dir}});
    Browser& browser = ctx.launch_browser();
    // Smaller runs for a smoke test on a software adapter: LANTERN_BENCH_PREFILL / _DECODE.
    const char* np = std::getenv("LANTERN_BENCH_PREFILL");
    const char* nd = std::getenv("LANTERN_BENCH_DECODE");
    // LANTERN_BENCH_SWEEP="128x4,64x2": also GPU ms per decode step with
    // those matrix-vector workgroup shapes (threads x rows, 0 automatic).
    const char* sweep = std::getenv("LANTERN_BENCH_SWEEP");
    // LANTERN_BENCH_DEPTH=N: decode after an N-token prompt (default 16).
    const char* depth = std::getenv("LANTERN_BENCH_DEPTH");
    const std::string query = std::string("prefill=") + (np ? np : "512") + "&decode=" + (nd ? nd : "128") +
                              (sweep ? std::string("&sweep=") + sweep : "") + (depth ? std::string("&depth=") + depth : "");
    for (const auto& file : files) {
      ScenarioPage& page = ctx.open_page(browser, "/webgpu_bench.html?" + query + "&model=/synth/" + file);
      const PageEvent ev = page.wait_for_event("bench", ctx.budget(300s, "benchmark of " + file));
      if (ev.data.contains("error")) ctx.fail(file + ": " + ev.data["error"].get<std::string>());
      nlohmann::json m = ev.data;
      m.erase("name");
      ctx.metric(file, m);
      ctx.log(file + ": prefill " + std::to_string(m.value("prefill_tok_s", 0.0)) + " tok/s, decode " +
              std::to_string(m.value("decode_tok_s", 0.0)) + " tok/s (host sampling " +
              std::to_string(m.value("host_sampling_decode_tok_s", 0.0)) + "), " + m["load_ms"].dump() + " " +
              "gpu ms/step " + m["gpu_ms_per_step"].dump() + ", wall ms/step " + m["wall_ms_per_step"].dump() +
              ", weights " + std::to_string(m.value("decode_weight_gb_s", 0.0)) + " GB/s wall, kernel GB/s " +
              m["kernel_gb_s"].dump() + (sweep ? ", sweep " + m["sweep"].dump() : ""));
      ctx.log(file + ": prefill on " + m.value("prefill_kernel", std::string("?")));
      if (m["prefill_ab"].is_object()) {
        const nlohmann::json& ab = m["prefill_ab"];
        ctx.log(file + ": prefill tok/s subgroup matrices " + ab["subgroup_matrix"].dump() + " against f32 tiles " +
                ab["f32_tiles"].dump() + " (medians " + ab["subgroup_matrix_tok_s"].dump() + " / " + ab["f32_tiles_tok_s"].dump() + ")");
        for (const char* key : {"f32_tiles", "subgroup_matrix"}) {
          std::string top;
          for (const auto& k : ab["kernels"].value(key, nlohmann::json::array())) {
            if (top.size() > 400) break;
            top += " " + k.value("kernel", std::string()) + " " + std::to_string(static_cast<int>(k.value("us", 0.0))) + "us";
          }
          ctx.log(file + ": prefill kernels with " + key + ":" + top);
        }
      }
      const std::string errors = webgpu_errors_summary(m["wgsl_errors"], m["gpu_errors"]);
      ctx.expect(errors.empty(), file + ": no WebGPU errors, got " + errors);
      for (const auto& sw : m["sweep"])
        ctx.expect(sw.value("errors", 1) == 0, file + ": no WebGPU errors with matvec shape " + sw.value("shape", std::string()));
    }
  };
  return s;
}

}  // namespace lantern::rig
