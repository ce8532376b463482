// faults-load: CreateEngine on a broken deployment or a broken model file
// must reject promptly with an error that says what is wrong, never hang.
//   404 and 500 for the engine module (lantern.mjs) and for its wasm binary
//   (server fault knob): the error names the URL and the HTTP status;
//   a truncated model: the error says the file is shorter than its tensors
//   need (tensor name, byte range, file size);
//   a bit flipped in a header field (the value type of llama.context_length):
//   the error names that GGUF key;
//   llama.context_length set to 2^24 and loaded with n_ctx 2^24: refused
//   before any buffer is made, naming n_ctx and the largest that fits (and
//   stories260K with memoryBudgetBytes 1.6 MB, naming that option);
//   an AbortSignal aborts a slow load, in the page and in a worker; a worker
//   that is not Lantern's fails the engine after workerTimeoutMs;
//   a bit flipped in a weight: loads and answers. GGUF has no checksum, so
//   this is undetectable (docs/reliability.md says so); the case pins it;
//   weights without a WebGPU kernel (Q8_K, GGML's activation type: every type
//   a converter writes that the CPU runs has a WebGPU kernel now): backend
//   'auto' loads on the CPU with the reason in runtimeStats(), backend
//   'webgpu' refuses by name.
#include <filesystem>
#include <fstream>
#include <iterator>

#include "scenarios/builtin_scenarios.h"
#include "scenarios/faults_scenario_kit.h"
#include "synthetic_model.h"

namespace lantern::rig {

using namespace std::chrono_literals;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// A load that must fail; returns the error message.
std::string failed_load(ScenarioContext& ctx, Browser& browser, const std::string& model, const std::string& label) {
  json r = faults_kit::run_case(ctx, browser, "load", "model=" + model, 30s, label);
  ctx.expect(!r.value("loaded", true), label + ": CreateEngine rejects");
  ctx.expect(r.value("ms", 1e9) < 15000, label + ": it rejects within 15 s, took " + std::to_string(r.value("ms", 0.0)) + " ms");
  const std::string msg = r["error"].value("message", std::string());
  ctx.log(label + ": " + msg);
  return msg;
}

void module_status(ScenarioContext& ctx, Browser& browser, const std::string& path, int status) {
  const std::string label = path + " HTTP " + std::to_string(status);
  Fault f;
  f.force_status = status;
  ctx.server().set_fault(path, f);
  const std::string msg = failed_load(ctx, browser, "/models/stories260K.gguf", label);
  ctx.server().clear_fault(path);
  faults_kit::expect_mentions(ctx, msg, {ctx.url(path), "HTTP " + std::to_string(status)}, label);
}

}  // namespace

Scenario make_faults_load_scenario() {
  Scenario s;
  s.name = "faults-load";
  s.suite = "faults";
  s.description = "404/500 for the wasm module and binary, truncated and bit-flipped models, a KV cache past the memory budget: clear errors, no hang";
  s.run = [](ScenarioContext& ctx) {
    const std::string bad = ctx.scratch_dir();
    const std::string good = read_file(ctx.stories_dir() + "/stories260K.gguf");
    ctx.expect(good.size() > 4096, "stories260K.gguf is readable");
    // Truncated inside the last tensor: the header is whole, the data is not.
    write_file(bad + "/truncated.gguf", good.substr(0, good.size() - 1000));
    // One bit of llama.context_length's value type (uint32 = 4 -> 0x104).
    const std::string key = "llama.context_length";
    const size_t at = good.find(key);
    ctx.expect(at != std::string::npos, "stories260K has " + key);
    std::string flipped = good;
    flipped[at + key.size() + 1] ^= 0x01;
    write_file(bad + "/header_flip.gguf", flipped);
    // llama.context_length = 2^24 (the value after the uint32 type), loaded
    // with n_ctx 2^24: a KV cache past the backend's budget.
    std::string huge_ctx = good;
    const uint32_t ctx_2_24 = 1u << 24;
    huge_ctx.replace(at + key.size() + 4, 4, reinterpret_cast<const char*>(&ctx_2_24), 4);
    write_file(bad + "/huge_ctx.gguf", huge_ctx);
    // One bit of the last weight byte.
    std::string weight_flip = good;
    weight_flip[good.size() - 2] ^= 0x10;
    write_file(bad + "/weight_flip.gguf", weight_flip);
    write_file(bad + "/slow.gguf", good);
    // Weights without a WebGPU kernel (Q8_K): 'auto' loads on the CPU and
    // says why, 'webgpu' refuses naming the tensor and its type.
    fixtures::write_synthetic_model("tiny-k", GgmlType::Q8_K, 1, bad + "/tiny-k-q8_k.gguf");
    faults_kit::start(ctx, bad);

    Browser& browser = ctx.launch_browser();
    for (int status : {404, 500}) {
      module_status(ctx, browser, "/web/dist/lantern.mjs", status);
      module_status(ctx, browser, "/web/dist/lantern.wasm", status);
    }

    const std::string truncated = failed_load(ctx, browser, "/bad/truncated.gguf", "truncated model");
    faults_kit::expect_mentions(ctx, truncated, {"file ends inside the tensor data", std::to_string(good.size() - 1000) + " bytes"},
                         "truncated model");

    const std::string header = failed_load(ctx, browser, "/bad/header_flip.gguf", "flipped header bit");
    faults_kit::expect_mentions(ctx, header, {key}, "flipped header bit");

    // Refused before any buffer is made, naming the setting (WebGPU: its 8 GiB
    // budget or the device's largest buffer; the wasm CPU backend: 1 GiB).
    faults_kit::expect_mentions(ctx, failed_load(ctx, browser, "/bad/huge_ctx.gguf&n_ctx=16777216", "n_ctx 2^24"),
                         {"n_ctx 16777216", "lower n_ctx (at most "}, "n_ctx 2^24");
    // The budget is an option: stories260K in 1.6 MB (its activations for
    // max_batch 256 take 1.4 MiB) leaves too little for its KV cache.
    const std::string backend_name = ctx.profile() == FlagProfile::kNoWebGpu ? "CPU" : "WebGPU";
    faults_kit::expect_mentions(ctx, failed_load(ctx, browser, "/models/stories260K.gguf&memory_budget=1600000", "a 1.6 MB budget"),
                         {"the limit is 1.5 MiB (the " + backend_name + " backend's memory_budget_bytes)", "lower n_ctx (at most 240 fits)"},
                         "a 1.6 MB budget");

    json w = faults_kit::run_case(ctx, browser, "load", "model=/bad/weight_flip.gguf", 30s, "flipped weight bit");
    ctx.expect(w.value("loaded", false), "a flipped weight bit is not detectable (no checksum in GGUF): the model loads");

    // The KV cache option reaches the engine: f32 loads, an unknown one is refused by name.
    json f32 = faults_kit::run_case(ctx, browser, "load", "model=/models/stories260K.gguf&kv=f32", 30s, "kv f32");
    ctx.expect(f32.value("loaded", false), "kv: 'f32' loads");
    faults_kit::expect_mentions(ctx, failed_load(ctx, browser, "/models/stories260K.gguf&kv=f8", "kv f8"), {"kv must be", "f8"}, "kv f8");

    // An AbortSignal aborts a load at its first download report, in the page
    // and in a worker (the signal stays in the page; its abort crosses as a
    // message): the model comes at 200 kB/s, so a load not aborted takes ~6 s.
    Fault slow;
    slow.bandwidth_bytes_per_s = 200000;
    ctx.server().set_fault("/bad/slow.gguf", slow);
    for (const char* mode : {"page", "worker"}) {
      const std::string label = std::string("load aborted (") + mode + ")";
      json r = faults_kit::run_case(ctx, browser, "load", std::string("model=/bad/slow.gguf&abort=download&mode=") + mode, 30s, label);
      ctx.expect(!r.value("loaded", true), label + ": CreateEngine rejects");
      ctx.expect_eq(label + ": the error is an AbortError", std::string("AbortError"), r["error"].value("name", std::string()));
      const double abort_ms = r["abort_ms"].is_number() ? r["abort_ms"].get<double>() : 1e9;
      ctx.expect(abort_ms < 2000, label + ": it rejects within 2 s of the abort, took " + std::to_string(abort_ms) + " ms");
    }
    ctx.server().clear_fault("/bad/slow.gguf");
    // A worker whose script is not Lantern's worker never answers: the engine
    // fails after workerTimeoutMs (1 s here) saying what the script must import.
    {
      json r = faults_kit::run_case(ctx, browser, "load", "model=/models/stories260K.gguf&mode=silent-worker", 30s, "silent worker");
      ctx.expect(!r.value("loaded", true), "silent worker: CreateWorkerEngine rejects");
      ctx.expect(r.value("ms", 1e9) < 5000, "silent worker: it rejects within 5 s, took " + std::to_string(r.value("ms", 0.0)) + " ms");
      faults_kit::expect_mentions(ctx, r["error"].value("message", std::string()), {"did not answer within 1 s", "lantern-llm/worker.js"},
                                  "silent worker");
      // A limit setTimeout cannot keep (it would fire at once) is refused by name.
      for (const char* bad : {"Infinity", "-5", "NaN", "4294967296"}) {
        const std::string label = std::string("workerTimeoutMs ") + bad;
        json b = faults_kit::run_case(ctx, browser, "load", std::string("model=/models/stories260K.gguf&mode=silent-worker&worker_timeout=") + bad,
                                      30s, label);
        ctx.expect(!b.value("loaded", true), label + ": refused");
        faults_kit::expect_mentions(ctx, b["error"].value("message", std::string()), {"workerTimeoutMs must be", bad}, label);
      }
    }

    if (ctx.profile() != FlagProfile::kNoWebGpu) {
      json fb = faults_kit::run_case(ctx, browser, "load", "model=/bad/tiny-k-q8_k.gguf", 30s, "q8_K auto");
      ctx.expect(fb.value("loaded", false), "backend 'auto' loads a model with weights WebGPU cannot run");
      ctx.expect_eq("q8_K auto: backend", std::string("cpu"), fb.value("backend", std::string()));
      faults_kit::expect_mentions(ctx, fb.value("fallback_reason", std::string()), {"token_embd.weight", "q8_K", "no WebGPU kernel", "q4_K"},
                           "q8_K auto: runtimeStats().load.fallback_reason");
      faults_kit::expect_mentions(ctx, failed_load(ctx, browser, "/bad/tiny-k-q8_k.gguf&backend=webgpu", "q8_K webgpu"),
                           {"token_embd.weight", "q8_K", "no WebGPU kernel"}, "q8_K webgpu");
    }
  };
  return s;
}

}  // namespace lantern::rig
