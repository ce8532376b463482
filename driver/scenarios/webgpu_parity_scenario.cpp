// webgpu-parity, -paths, -types, -gemma, -rope and -models: the engine's WebGPU kernels against
// its own CPU backend (exact f32 mode), both compiled to wasm and run in one
// page: a 64-token greedy run, logits compared at every position (relative
// to the largest logit of the row), greedy tokens identical. Models: the real stories260K
// (whose tokens must also equal llama.cpp's, fixtures/golden) and synthetic
// tiny models in f32, q8_0 and q4_0, llama and qwen2 layouts (and, in
// webgpu-parity-types, every other weight type with a kernel; in
// webgpu-parity-gemma, gemma3 and gemma2; in -rope and -models, the golden
// mixes of the RoPE variants and model configs that the CPU backend is held
// to llama.cpp on). The fp16 KV
// cache runs against the CPU with the same fp16 rounding of keys and values
// (where a key sits at an fp16 rounding boundary, the two sides' last-bit f32
// differences can round it apart: ~5e-4 on stories260K, still inside 1e-3);
// the f16 runs also multiply prefill on the GPU's matrix units where the
// device has subgroup matrices (not SwiftShader), against the CPU rounding the
// same operands to fp16; prompts past 256 tokens send attention through its
// split-and-combine path. A scenario's models run in one page, one after the
// other on the same device: SwiftShader compiles a kernel in ~0.5 s, and
// only the first model of a page pays for the kernels they all share.
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

#include "scenarios/builtin_scenarios.h"
#include "scenarios/command_setup.h"
#include "scenarios/scenario_context.h"
#include "scenarios/webgpu_errors.h"
#include "synthetic_model.h"

namespace lantern::rig {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

struct Run {
  const char* kv = "f32";  // the GPU's KV cache
  int min_tokens = 0;      // the prompt repeated to this many tokens (0: as it is)
  const char* matvec = "";  // matrix-vector workgroup shape "TxR" (empty: the backend's choice)
  int steps = 64;           // greedy steps compared
  const char* prompt = "";  // the page's prompt text (empty: its default)
  const nlohmann::json* golden_prompt_tokens = nullptr;  // llama.cpp's tokens of that prompt, checked when set
};

struct Synth {
  const char* shape;
  const char* type;  // a type or mix name (make_gguf --type)
  const char* file;
};
const Synth kSynth[] = {{"tiny", "f32", "tiny-f32.gguf"},
                        {"tiny", "q8_0", "tiny-q8_0.gguf"},
                        {"tiny", "q4_0", "tiny-q4_0.gguf"},
                        {"tiny-qwen2", "f16", "tiny-qwen2-f16.gguf"}};
// Every other weight type with a kernel, on rows of 256: the K-quant mixes
// as llama-quantize makes them (Q4_K or Q5_K, Q6_K output head and some
// layers' v and down projections), Q6_K, Q3_K, Q2_K, IQ4_XS and IQ4_NL
// throughout (also the embedding gather), and the 32-element types of the
// fallbacks and older files.
const Synth kTypes[] = {{"tiny-k", "q4_k_m", "tiny-k-q4_k_m.gguf"}, {"tiny-k", "q5_k_m", "tiny-k-q5_k_m.gguf"},
                        {"tiny-k", "q6_k", "tiny-k-q6_k.gguf"},     {"tiny-k", "q4_1", "tiny-k-q4_1.gguf"},
                        {"tiny-k", "q5_0", "tiny-k-q5_0.gguf"},     {"tiny-k", "q5_1", "tiny-k-q5_1.gguf"},
                        {"tiny-k", "bf16", "tiny-k-bf16.gguf"},     {"tiny-k", "q3_k", "tiny-k-q3_k.gguf"},
                        {"tiny-k", "q2_k", "tiny-k-q2_k.gguf"},     {"tiny-k", "iq4_nl", "tiny-k-iq4_nl.gguf"},
                        {"tiny-k", "iq4_xs", "tiny-k-iq4_xs.gguf"},
                        // Qwen3's per-head q/k norms (heads wider than n_embd / n_head).
                        {"tiny-qwen3", "q8_0", "tiny-qwen3-q8_0.gguf"}};
// Gemma 2 (make_gguf's tiny shape: sliding window of 8, soft-caps set low
// enough to bite), for webgpu-parity-gemma's long prompt; Gemma 3 at 256
// wide in Q4_K_M (each matrix a K-quant: fixtures/golden/arch_mixes checks
// the CPU side of it against llama.cpp).
const Synth kGemma[] = {{"tiny-gemma2", "q4_0", "tiny-gemma2-q4_0.gguf"},
                        {"tiny-256-gemma3", "q4_k_m", "tiny-256-gemma3-q4_k_m.gguf"}};
// The model variants whose CPU answers are checked against llama.cpp
// (fixtures/golden/mixes, served as they are), three to a scenario:
// Llama 3.1's rope_freqs, linear and YaRN rope scaling; Phi-3 (fused
// q|k|v and gate|up, LongRoPE's long factors at the page's context),
// SmolLM2's and Mistral's shapes.
const char* const kRopeModels[] = {"tiny-llama31-q4_0.gguf", "tiny-llama-linear-q4_0.gguf", "tiny-llama-yarn-q4_0.gguf"};
const char* const kArchModels[] = {"tiny-phi3-q4_0.gguf", "tiny-smollm2-q4_0.gguf", "tiny-mistral-q4_0.gguf"};

// One model's run in a parity page.
struct ModelRun {
  std::string url;
  std::string name;
  const nlohmann::json* golden_tokens = nullptr;  // llama.cpp's greedy tokens, checked when set
  Run run = {};
};

std::string run_label(const ModelRun& m) {
  const Run& run = m.run;
  return m.name + (std::string(run.kv) == "f32" ? "" : std::string(" kv ") + run.kv) + (run.min_tokens ? " long" : "") +
         (*run.matvec ? std::string(" matvec ") + run.matvec : "");
}

void check_result(ScenarioContext& ctx, const ModelRun& m, const nlohmann::json& d);

// Runs the models in order in one page (one device, one pair of engines: the
// kernels they share compile once) and checks each result as it arrives.
// Returns the page's results, in order.
std::vector<nlohmann::json> check_models(ScenarioContext& ctx, Browser& browser, const std::vector<ModelRun>& models) {
  nlohmann::json runs = nlohmann::json::array();
  for (const auto& m : models) {
    nlohmann::json r{{"model", m.url}, {"n", m.run.steps}, {"kv", m.run.kv}, {"min_tokens", m.run.min_tokens}, {"matvec", m.run.matvec}};
    if (*m.run.prompt) r["prompt"] = m.run.prompt;
    runs.push_back(std::move(r));
  }
  ScenarioPage& page = ctx.open_page(browser, "/webgpu_parity.html?runs=" + url_encode(runs.dump()));
  std::vector<nlohmann::json> results;
  for (std::size_t i = 0; i < models.size(); ++i) {
    const std::string label = run_label(models[i]);
    const PageEvent ev = page.wait_for_events("parity", i + 1, ctx.budget(240s, "parity run of " + label)).back();
    if (ev.data.value("index", -2) != static_cast<int>(i))
      ctx.fail(label + ": the page failed before this run: " + ev.data.value("error", ev.data.dump()));
    check_result(ctx, models[i], ev.data);
    results.push_back(ev.data);
  }
  return results;
}

void check_result(ScenarioContext& ctx, const ModelRun& m, const nlohmann::json& d) {
  const std::string label = run_label(m);
  const Run& run = m.run;
  const nlohmann::json* golden_tokens = m.golden_tokens;
  if (d.contains("error")) ctx.fail(label + ": the page failed: " + d["error"].get<std::string>());
  const double rel = d.value("max_rel_diff", 1e9), abs_diff = d.value("max_abs_diff", 1e9);
  ctx.log(label + ": max relative logit difference " + std::to_string(rel) + " (absolute " + std::to_string(abs_diff) +
          ") over " + std::to_string(d.value("steps", 0)) + " steps, " + std::to_string(d.value("dispatches_per_pass", 0)) +
          " dispatches per pass, prefill on " + d.value("prefill_kernel", "?") + ", " + std::to_string(d.value("ms", 0.0)) + " ms (" +
          d.value("phase_ms", nlohmann::json::object()).dump() + ", " +
          std::to_string(d.value("pipelines_compiled", 0)) + " pipelines compiled)");
  ctx.metric(label, {{"max_rel_diff", rel}, {"max_abs_diff", abs_diff}, {"dispatches_per_pass", d["dispatches_per_pass"]}});
  const std::string errors = webgpu_errors_summary(d["wgsl_errors"], d["gpu_errors"]);
  ctx.expect(errors.empty(), label + ": no WebGPU errors, got " + errors);
  ctx.expect_eq(label + ": steps", run.steps, d.value("steps", 0));
  if (run.min_tokens) ctx.expect_eq(label + ": prompt tokens", static_cast<std::size_t>(run.min_tokens), d["prompt_tokens"].size());
  if (run.golden_prompt_tokens) ctx.expect_eq(label + ": prompt tokens equal llama.cpp's", *run.golden_prompt_tokens, d["prompt_tokens"]);
  ctx.expect(rel < 1e-3, label + ": logits within 1e-3 relative at every position, worst " + std::to_string(rel) +
                             " at step " + std::to_string(d.value("worst_step", -1)));
  // The generation loop: device greedy with run-ahead on the GPU, host greedy
  // on the CPU, and seeded sampling on both.
  const nlohmann::json& g = d["generate"];
  ctx.expect_eq(label + ": run-ahead device greedy equals CPU greedy", g["greedy_cpu"], g["greedy_gpu"]);
  ctx.expect_eq(label + ": seeded sampling on the GPU's logits equals the CPU's", g["sampled_cpu"], g["sampled_gpu"]);
  const auto gen_steps = d.value("gen_steps", std::size_t{0});
  ctx.expect(gen_steps > 0 && gen_steps <= d["cpu_tokens"].size(), label + ": generated tokens reported");
  const nlohmann::json forced_prefix(d["cpu_tokens"].begin(), d["cpu_tokens"].begin() + static_cast<std::ptrdiff_t>(std::min(gen_steps, d["cpu_tokens"].size())));
  ctx.expect_eq(label + ": greedy generation gives the teacher-forced tokens", forced_prefix, g["greedy_cpu"]);
  ctx.log(label + ": generation decode " + std::to_string(g["gpu_stats"].value("decode_tok_s", 0.0)) + " tok/s on the GPU (run-ahead), " +
          std::to_string(g["cpu_stats"].value("decode_tok_s", 0.0)) + " tok/s on the wasm CPU backend");
  if (golden_tokens) {
    // The real model: tokens identical to the CPU backend's and llama.cpp's.
    ctx.expect_eq(label + ": GPU greedy tokens equal the CPU's", d["cpu_tokens"], d["gpu_tokens"]);
    ctx.expect_eq(label + ": greedy tokens equal llama.cpp's", *golden_tokens, d["gpu_tokens"]);
  } else {
    // Random weights make near-ties: a different argmax is allowed only where
    // the CPU's top two logits are closer than the agreed tolerance.
    for (const auto& m : d["mismatches"]) {
      const double margin = m.value("cpu_margin", 1e9), row_max = m.value("row_max", 1.0);
      ctx.expect(margin < 2e-3 * row_max, label + ": GPU argmax " + m["gpu"].dump() + " differs from CPU " + m["cpu"].dump() +
                                              " at step " + m["step"].dump() + " where the CPU margin is " + std::to_string(margin));
      ctx.log(label + ": near-tie at step " + m["step"].dump() + " (CPU margin " + std::to_string(margin) + ")");
    }
  }
}

// What both parity scenarios start from: the wasm build, stories260K, the
// synthetic models written, the server and the browser.
Browser& start_parity(ScenarioContext& ctx) {
  const std::string wasm = ctx.wasm_dir();
  const std::string stories = ctx.stories_dir();
  ctx.expect(fs::exists(stories + "/stories260K.gguf"), "stories260K.gguf in " + stories);
  const std::string synth = ctx.scratch_dir();
  for (const auto& m : kSynth) fixtures::write_synthetic_model(m.shape, fixtures::parse_weight_mix(m.type), 7, synth + "/" + m.file);
  for (const auto& m : kTypes) fixtures::write_synthetic_model(m.shape, fixtures::parse_weight_mix(m.type), 7, synth + "/" + m.file);
  for (const auto& m : kGemma) fixtures::write_synthetic_model(m.shape, fixtures::parse_weight_mix(m.type), 7, synth + "/" + m.file);
  ctx.start_server({{"/web/", ctx.settings().source_dir + "/web"},
                    {"/wasm/", wasm},
                    {"/models/", stories},
                    {"/synth/", synth},
                    {"/mixes/", ctx.settings().source_dir + "/fixtures/golden/mixes"}});
  return ctx.launch_browser();
}

}  // namespace

Scenario make_webgpu_parity_scenario() {
  Scenario s;
  s.name = "webgpu-parity";
  s.suite = "webgpu";
  s.description = "WebGPU logits within 1e-3 of the CPU backend at every greedy step (64 for stories260K against llama.cpp, 24-32 for the rest); tokens identical (stories260K f32 and fp16 KV cache, synthetic f32/f16/q8_0/q4_0)";
  s.run = [](ScenarioContext& ctx) {
    Browser& browser = start_parity(ctx);
    std::ifstream gf(ctx.settings().source_dir + "/fixtures/golden/stories260K/greedy_f32.json");
    const nlohmann::json golden = nlohmann::json::parse(gf);
    const nlohmann::json& first = golden["cases"][0];
    ctx.expect_eq("golden prompt", std::string("Once upon a time"), first["prompt"].get<std::string>());
    std::vector<ModelRun> models{{"/models/stories260K.gguf", "stories260K", &first["tokens"]}};
    // A step costs ~0.25 s on SwiftShader (2 cores) and runs the same kernels
    // as the one before it: the synthetic models and the fp16 cache take
    // fewer steps than the golden run (the test command's time, ci/test.sh).
    for (const auto& m : kSynth) models.push_back({std::string("/synth/") + m.file, m.file, nullptr, Run{"f32", 0, "", 24}});
    // The fp16 cache, the backend's default.
    models.push_back({"/models/stories260K.gguf", "stories260K", nullptr, Run{"f16", 0, "", 32}});
    check_models(ctx, browser, models);
  };
  return s;
}

Scenario make_webgpu_parity_paths_scenario() {
  Scenario s;
  s.name = "webgpu-parity-paths";
  s.suite = "webgpu";
  s.description = "WebGPU parity on the paths the default runs miss: attention split past 256 keys (f32 and fp16 cache), quantised prefill on the f16 path, non-default matrix-vector workgroup shapes";
  s.run = [](ScenarioContext& ctx) {
    Browser& browser = start_parity(ctx);
    // Prompts of 300 tokens: prefill and decode attention split the keys
    // (24 decode steps each: every step runs the same kernels).
    std::vector<ModelRun> models{{"/synth/tiny-q4_0.gguf", "tiny-q4_0.gguf", nullptr, Run{"f32", 300, "", 24}},
                                 {"/synth/tiny-qwen2-f16.gguf", "tiny-qwen2-f16.gguf", nullptr, Run{"f16", 300, "", 24}}};
    // Quantised weights on the f16 path: prefill of two token tiles (on
    // subgroup matrices where the device has them).
    models.push_back({"/synth/tiny-q4_0.gguf", "tiny-q4_0.gguf", nullptr, Run{"f16", 70, "", 24}});
    // Matrix-vector workgroup shapes the tiny models do not get by default
    // (one row per workgroup; 128 threads and 8 rows, as output heads get).
    models.push_back({"/synth/tiny-q4_0.gguf", "tiny-q4_0.gguf", nullptr, Run{"f32", 0, "32x1", 24}});
    models.push_back({"/synth/tiny-q8_0.gguf", "tiny-q8_0.gguf", nullptr, Run{"f32", 0, "128x8", 24}});
    check_models(ctx, browser, models);
  };
  return s;
}

Scenario make_webgpu_parity_types_scenario() {
  Scenario s;
  s.name = "webgpu-parity-types";
  s.suite = "webgpu";
  s.description = "WebGPU parity for every other weight type with a kernel: Q4_K_M and Q5_K_M mixes, Q6_K, Q3_K, Q2_K, IQ4_XS, IQ4_NL, Q4_1, Q5_0, Q5_1, BF16 (decode, prefill tiles, embedding gather); qwen3's q/k norms";
  s.run = [](ScenarioContext& ctx) {
    Browser& browser = start_parity(ctx);
    // Rows of 256 make these models 16x the tiny ones' work, so fewer steps
    // (SwiftShader, 2 cores): each type's kernels still run prefill tiles,
    // every matrix-vector kernel and the gather at each step.
    std::vector<ModelRun> models;
    for (const auto& m : kTypes) models.push_back({std::string("/synth/") + m.file, m.file, nullptr, Run{"f32", 0, "", 8}});
    check_models(ctx, browser, models);
  };
  return s;
}

Scenario make_webgpu_parity_gemma_scenario() {
  Scenario s;
  s.name = "webgpu-parity-gemma";
  s.suite = "webgpu";
  s.description = "WebGPU parity for gemma3 and gemma2 (sliding windows crossed in prefill and decode, GeGLU, post-norms, embedding scale, q/k norms, soft-capping): llama.cpp's Q4_0 mixes on golden prompts, tokens equal llama.cpp's on both wasm backends; tiny-gemma2 with the fp16 cache and a 300-token prompt (split attention beside a windowed layer); gemma3 in Q4_K_M at 256 wide";
  s.run = [](ScenarioContext& ctx) {
    Browser& browser = start_parity(ctx);
    // llama.cpp's Q4_0 mixes from fixtures/golden/mixes on a golden prompt
    // whose greedy run has no near-tie: both wasm backends' tokens must be
    // llama.cpp's (f32 mode on its own dequantisation: the page's CPU side
    // is the exact f32 mode). The prompts (24 and 31 tokens) cross the
    // window of 8 in prefill and at every decode step; llama.cpp's tokens
    // change at steps 4 and 9 (tiny-gemma3: q/k norms, a global layer after
    // two windowed ones) and 5 (tiny-gemma2: soft-caps), as the window fills
    // with the repeated token. SwiftShader on a busy 2-core machine took
    // 45 s for 16 steps of tiny-gemma3.
    const auto golden_case = [&](const std::string& mix, size_t i, int steps) {
      std::ifstream f(ctx.settings().source_dir + "/fixtures/golden/mixes/" + mix + ".dequant.json");
      const nlohmann::json c = nlohmann::json::parse(f)["cases"][i];
      return std::make_pair(c, nlohmann::json(std::vector<int>(c["tokens"].begin(), c["tokens"].begin() + steps)));
    };
    const auto [g3, g3_tokens] = golden_case("tiny-gemma3-q4_0", 3, 16);
    const std::string g3_prompt = g3["prompt"].get<std::string>();
    Run r3{"f32", 0, "", 16, g3_prompt.c_str(), &g3["prompt_tokens"]};
    std::vector<ModelRun> models{{"/mixes/tiny-gemma3-q4_0.gguf", "tiny-gemma3-q4_0.gguf", &g3_tokens, r3}};
    const auto [g2, g2_tokens] = golden_case("tiny-gemma2-q4_0", 0, 8);
    const std::string g2_prompt = g2["prompt"].get<std::string>();
    Run r2{"f32", 0, "", 8, g2_prompt.c_str(), &g2["prompt_tokens"]};
    models.push_back({"/mixes/tiny-gemma2-q4_0.gguf", "tiny-gemma2-q4_0.gguf", &g2_tokens, r2});
    // tiny-gemma2 with the fp16 cache and 300 tokens: its global layer
    // splits the keys over workgroups, where late rows' windows leave the
    // first chunk empty, and the windowed layer starts its chunk at the
    // window.
    models.push_back({"/synth/tiny-gemma2-q4_0.gguf", "tiny-gemma2-q4_0.gguf", nullptr, Run{"f16", 300, "", 4}});
    // Gemma 3 with K-quant matrices, its tied head and gather in Q6_K.
    models.push_back({"/synth/tiny-256-gemma3-q4_k_m.gguf", "tiny-256-gemma3-q4_k_m.gguf", nullptr, Run{"f32", 0, "", 8}});
    check_models(ctx, browser, models);
  };
  return s;
}

namespace {
// A scenario over golden mixes served as they are, 32 steps each. With
// same_kernels, the models after the first need no kernel of their own: the
// bridge must hand back the first one's pipelines (kept by their WGSL)
// instead of compiling them again.
Scenario golden_mixes_scenario(const char* name, const char* description, std::vector<const char*> models,
                               bool same_kernels) {
  Scenario s;
  s.name = name;
  s.suite = "webgpu";
  s.description = description;
  s.run = [models, same_kernels](ScenarioContext& ctx) {
    Browser& browser = start_parity(ctx);
    std::vector<ModelRun> runs;
    for (const char* m : models) runs.push_back({std::string("/mixes/") + m, m, nullptr, Run{"f32", 0, "", 32}});
    const std::vector<nlohmann::json> results = check_models(ctx, browser, runs);
    for (std::size_t i = 1; same_kernels && i < results.size(); ++i)
      ctx.expect_eq(runs[i].name + ": pipelines compiled after " + runs[0].name + " (its kernels are all there already)", 0,
                    results[i].value("pipelines_compiled", -1));
  };
  return s;
}
}  // namespace

Scenario make_webgpu_parity_rope_scenario() {
  return golden_mixes_scenario(
      "webgpu-parity-rope",
      "WebGPU parity on the RoPE variants checked against llama.cpp: Llama 3.1 rope_freqs, linear and YaRN rope scaling",
      {std::begin(kRopeModels), std::end(kRopeModels)}, true);
}

Scenario make_webgpu_parity_models_scenario() {
  return golden_mixes_scenario(
      "webgpu-parity-models",
      "WebGPU parity on the model configs checked against llama.cpp: Phi-3 (fused matrices, LongRoPE), SmolLM2 and Mistral shapes",
      {std::begin(kArchModels), std::end(kArchModels)}, false);
}

}  // namespace lantern::rig
