// The wasm module's C ABI, called by the JS worker (web/src). No Asyncify:
// every call returns at once; GPU work is submitted and polled.
//
// Loading: lt_open(prefix) parses the GGUF header from the first bytes of the
// file (returns how many bytes it needs if the prefix is too short); the JS
// side then uploads each tensor's bytes listed by lt_model_info(): straight
// into the GPU buffer named there (WebGPU), or through lt_write_tensor (CPU).
#include <emscripten/emscripten.h>

#include <memory>
#include <optional>
#include <nlohmann/json.hpp>
#include <string>

#include "backend/cpu/cpu_backend.h"
#include "backend/webgpu/webgpu_backend.h"
#include "engine/completion_run.h"
#include "engine/engine.h"
#include "engine/grammar_bench.h"
#include "grammar/json_schema_grammar.h"
#include "api/json_body.h"
#include "gguf/gguf_error.h"
#include "gguf/gguf_split.h"

using json = nlohmann::ordered_json;
using namespace lantern;

namespace {
std::string g_error;
std::string g_out;
std::unique_ptr<PrefixSource> g_prefix;
std::unique_ptr<Engine> g_engine;
std::unique_ptr<CompletionRun> g_run;
api::IdGenerator g_ids;
json g_last_usage;  // usage (with timing extras) of the last finished request
WebGpuBackend* g_gpu = nullptr;
int g_need_shard = 0;  // the shard whose bytes lt_open asked for
std::string g_fallback_reason;  // why "webgpu" with gpu_fallback loaded on the CPU ("" when it did not)

int fail(const std::exception& e) {
  g_error = e.what();
  return -1;
}
}  // namespace

extern "C" {

EMSCRIPTEN_KEEPALIVE const char* lt_last_error() { return g_error.c_str(); }

// After lt_open asked for more bytes of a split model: which shard's (0-based).
EMSCRIPTEN_KEEPALIVE int lt_need_shard() { return g_need_shard; }

// Parses the model header from `n` bytes at `bytes` (the start of a file of
// total_size bytes). Returns 0 when loaded, N > 0 when N bytes are needed
// from the start of the file (of shard lt_need_shard()), -1 on error
// (lt_last_error). A split model (gguf_split.h) passes "shards": [{"prefix":
// bytes of it in `bytes`, "size": its file size}, ...] in order, its
// prefixes one after another in `bytes`; tensor offsets in lt_model_info are
// then in the shards' concatenation.
// options: {"backend": "webgpu"|"cpu", "n_ctx": int, "max_batch": int, "kv": "f16"|"f32" (cpu also
// "f16-rounded"), "matvec_threads", "matvec_rows" (webgpu tuning overrides, see WebGpuBackendOptions),
// "subgroup_matrix": bool (webgpu, default false), "f32_activations", "f16_prefill" (cpu reference
// modes, see CpuBackendOptions), "gpu_fallback": bool (webgpu: load on the CPU backend when the
// WebGPU backend cannot run this model; lt_model_info's fallback_reason says why), "memory_budget_bytes":
// what the KV cache and activations may take (default: WebGPU 8 GiB, CPU 1 GiB; see model/memory_budget.h)}
EMSCRIPTEN_KEEPALIVE int lt_open(const uint8_t* bytes, uint32_t n, double total_size, const char* options) {
  try {
    g_run.reset();
    g_engine.reset();
    g_gpu = nullptr;
    g_fallback_reason.clear();
    const json opts = json::parse(options ? options : "{}");
    g_need_shard = 0;
    std::unique_ptr<ByteSource> src;
    std::vector<const ByteSource*> parts;  // what each header is parsed from
    if (opts.contains("shards")) {
      // A split model: `bytes` holds each shard's prefix in turn.
      std::vector<std::unique_ptr<ByteSource>> shards;
      uint64_t at = 0;
      for (const auto& sh : opts.at("shards")) {
        const uint64_t len = sh.at("prefix").get<uint64_t>(), size = sh.at("size").get<uint64_t>();
        if (len > n - at || len > size) throw std::invalid_argument("shards: prefixes run past the bytes given");
        auto p = std::make_unique<PrefixSource>(size);
        p->append(bytes + at, len);
        at += len;
        parts.push_back(p.get());
        shards.push_back(std::move(p));
      }
      src = std::make_unique<ConcatSource>(std::move(shards));
    } else {
      auto p = std::make_unique<PrefixSource>(static_cast<uint64_t>(total_size));
      p->append(bytes, n);
      parts.push_back(p.get());
      src = std::move(p);
    }
    std::string backend_name = opts.value("backend", "webgpu");
    // Parsed once here (the CPU fallback needs it) and handed to the engine.
    std::optional<GgufFile> header;
    size_t parsing = 0;
    try {
      header = parts.size() == 1 ? GgufFile::parse(*parts[0]) : parse_shards(parts, {}, &parsing);
    } catch (const GgufError& e) {
      if (e.code() != GgufErrorCode::NeedMoreData) throw;
      g_need_shard = static_cast<int>(parsing);
      return static_cast<int>(e.bytes_needed());
    }
    if (backend_name == "webgpu" && opts.value("gpu_fallback", false)) {
      g_fallback_reason = WebGpuBackend::unsupported(*header);
      if (!g_fallback_reason.empty()) backend_name = "cpu";
    }
    // Bytes the KV cache and activations may take (0: the backend's default).
    const double budget = opts.value("memory_budget_bytes", 0.0);
    if (!(budget >= 0 && budget <= 9007199254740992.0))
      throw std::invalid_argument("memory_budget_bytes must be a number of bytes between 0 and 2^53");
    EngineOptions eo;
    eo.n_ctx = opts.value("n_ctx", eo.n_ctx);
    eo.max_batch = opts.value("max_batch", eo.max_batch);
    eo.external_weights = true;
    std::unique_ptr<Backend> backend;
    if (backend_name == "webgpu") {
      WebGpuBackendOptions go;
      const std::string kv = opts.value("kv", "f16");
      if (kv != "f16" && kv != "f32") throw std::invalid_argument("kv must be \"f16\" or \"f32\" on the webgpu backend, got \"" + kv + "\"");
      go.kv_f16 = kv == "f16";
      go.matvec = {opts.value("matvec_threads", 0u), opts.value("matvec_rows", 0u)};
      go.subgroup_matrix = opts.value("subgroup_matrix", false);
      if (budget > 0) go.memory_budget_bytes = static_cast<uint64_t>(budget);
      auto gpu = std::make_unique<WebGpuBackend>(go);
      g_gpu = gpu.get();
      backend = std::move(gpu);
    } else {
      CpuBackendOptions co;
      const std::string kv = opts.value("kv", "f16");
      if (kv == "f16") co.kv = KvPrecision::F16;
      else if (kv == "f32") co.kv = KvPrecision::F32;
      else if (kv == "f16-rounded") co.kv = KvPrecision::F16Rounded;
      else throw std::invalid_argument("kv must be \"f16\", \"f32\" or \"f16-rounded\" on the cpu backend, got \"" + kv + "\"");
      co.f32_activations = opts.value("f32_activations", false);
      co.f16_prefill = opts.value("f16_prefill", false);
      co.memory_budget_bytes = static_cast<uint64_t>(budget);
      backend = std::make_unique<CpuBackend>(co);
    }
    g_engine = std::make_unique<Engine>(std::move(src), std::move(backend), eo, std::move(header));
    return 0;
  } catch (const std::exception& e) {
    g_engine.reset();
    return fail(e);
  }
}

// JSON: {"backend", "config": {...}, "n_ctx", "tensors": [{name, offset, n_bytes, buffer, buffer_offset}]}
// `buffer` is the GPU buffer id (Module.lgpu.buffers[id]) to write the bytes to
// directly, or -1: pass them through lt_write_tensor.
EMSCRIPTEN_KEEPALIVE const char* lt_model_info() {
  if (!g_engine) return "null";
  const ModelConfig& c = g_engine->config();
  json tensors = json::array();
  int index = 0;
  for (const auto& [info, w] : g_engine->model().weight_handles()) {
    // 1-D tensors (norms, biases, rope factors) are tiny and the backend keeps
    // host copies of some: they go through lt_write_tensor; matrices go
    // straight to their GPU buffer.
    const bool via_wasm = !g_gpu || info->dims.size() == 1;
    tensors.push_back({{"index", index++}, {"name", info->name}, {"offset", info->offset}, {"n_bytes", info->n_bytes},
                       {"buffer", via_wasm ? -1 : g_gpu->weight_buffer(w)},
                       {"buffer_offset", via_wasm ? 0 : g_gpu->weight_offset(w)}});
  }
  json out{{"backend", g_engine->backend().name()},
           {"config",
            {{"arch", c.arch}, {"name", c.name}, {"n_vocab", c.n_vocab}, {"n_embd", c.n_embd}, {"n_layer", c.n_layer},
             {"n_head", c.n_head}, {"n_head_kv", c.n_head_kv}, {"n_ff", c.n_ff}, {"n_ctx_train", c.n_ctx_train}}},
           {"n_ctx", g_engine->n_ctx()},
           {"prefill_kernel", g_gpu ? g_gpu->prefill_kernel() : "cpu"},
           {"fallback_reason", g_fallback_reason.empty() ? json() : json(g_fallback_reason)},
           {"data_offset", g_engine->gguf().data_offset()},
           {"tensors", tensors}};
  g_out = out.dump();
  return g_out.c_str();
}

// CPU backend: copies bytes of tensor `index` (from lt_model_info) at `offset`.
EMSCRIPTEN_KEEPALIVE int lt_write_tensor(int index, double offset, const uint8_t* bytes, uint32_t n) {
  try {
    const auto& handles = g_engine->model().weight_handles();
    if (index < 0 || index >= static_cast<int>(handles.size())) throw std::out_of_range("no tensor " + std::to_string(index));
    g_engine->backend().write_weight(handles[index].second, static_cast<uint64_t>(offset), bytes, n);
    return 0;
  } catch (const std::exception& e) {
    return fail(e);
  }
}

EMSCRIPTEN_KEEPALIVE int lt_tokenize(const char* text, int add_special, int parse_special, int32_t* out, int max) {
  try {
    const auto ids = g_engine->tokenizer().encode(text, add_special != 0, parse_special != 0);
    for (int i = 0; i < static_cast<int>(ids.size()) && i < max; ++i) out[i] = ids[i];
    return static_cast<int>(ids.size());
  } catch (const std::exception& e) {
    return fail(e);
  }
}

// Raw forward pass for tests and benchmarks: submits n tokens at pos0.
EMSCRIPTEN_KEEPALIVE int lt_submit(const int32_t* tokens, int n, int pos0) {
  try {
    g_engine->model().submit(tokens, n, pos0);
    return 0;
  } catch (const std::exception& e) {
    return fail(e);
  }
}

// 1 when the last submit's logits are in lt_logits(), 0 while in flight, -1 on error.
EMSCRIPTEN_KEEPALIVE int lt_poll() {
  try {
    return g_engine->model().logits_ready() ? 1 : 0;
  } catch (const std::exception& e) {
    return fail(e);
  }
}

EMSCRIPTEN_KEEPALIVE const float* lt_logits() { return g_engine->model().logits(); }

// --- OpenAI requests (what the web SDK uses) ---

// kind 0: chat.completions, 1: completions. Returns {"ok": true} or the
// OpenAI error object {"error": {...}}.
EMSCRIPTEN_KEEPALIVE const char* lt_request_begin(int kind, const char* body) {
  try {
    if (!g_engine) throw std::logic_error("no model is loaded");
    g_run.reset();
    const auto parsed = api::parse_json_body(body ? body : "", api::JsonBodyLimits{});
    if (!parsed.ok()) {
      g_out = parsed.error().to_json().dump();
      return g_out.c_str();
    }
    auto run = CompletionRun::start(*g_engine, kind == 0 ? CompletionRun::Kind::Chat : CompletionRun::Kind::Completion,
                                    parsed.value(), g_ids);
    if (!run.ok()) {
      g_out = run.error().to_json().dump();
      return g_out.c_str();
    }
    g_run = std::move(run.value());
    g_out = R"({"ok":true})";
  } catch (const std::exception& e) {
    g_out = api::ApiError::server_error(e.what()).to_json().dump();
  }
  return g_out.c_str();
}

// One step: {"waiting": bool, "prefill": bool, "chunks": [...], "done": bool,
// "response": {...} (stream: false, when done), "usage": {...} (when done)}.
// A failure mid-run (device lost) gives {"error": {...}} and ends the run.
EMSCRIPTEN_KEEPALIVE const char* lt_request_step() {
  try {
    if (!g_run) throw std::logic_error("no request in progress");
    const CompletionRun::Step st = g_run->step();
    json out{{"waiting", st.waiting}, {"prefill", st.prefill}, {"chunks", st.chunks}, {"done", g_run->done()}};
    if (g_run->done()) {
      g_last_usage = g_run->usage_json();
      out["usage"] = g_last_usage;
      if (!g_run->response().is_null()) out["response"] = g_run->response();
      g_run.reset();
    }
    g_out = out.dump(-1, ' ', false, json::error_handler_t::replace);
  } catch (const std::exception& e) {
    g_run.reset();
    g_out = api::ApiError::server_error(e.what()).to_json().dump();
  }
  return g_out.c_str();
}

// The running request ends at its next step with finish_reason "abort".
EMSCRIPTEN_KEEPALIVE void lt_request_interrupt() {
  if (g_run) g_run->interrupt();
}

// Forgets the cached conversation (the KV cache is reused only for a prefix).
EMSCRIPTEN_KEEPALIVE void lt_reset_chat() {
  if (g_engine) g_engine->kv().clear();
}

// {"backend", "model", "n_ctx", "last_usage": {...}}
EMSCRIPTEN_KEEPALIVE const char* lt_runtime_stats() {
  json out{{"backend", g_engine ? json(g_engine->backend().name()) : json(nullptr)},
           {"model", g_engine ? json(g_engine->config().name) : json(nullptr)},
           {"n_ctx", g_engine ? g_engine->n_ctx() : 0},
           {"last_usage", g_last_usage}};
  g_out = out.dump();
  return g_out.c_str();
}

EMSCRIPTEN_KEEPALIVE void lt_unload() {
  g_run.reset();
  g_engine.reset();
  g_gpu = nullptr;
}

// Benchmark: token-mask cost of a grammar on the loaded model's vocabulary
// (engine/grammar_bench.h). `request`: {"schema": {...}} or {"gbnf": "..."},
// and "text", a sentence of it. Returns the result JSON, or null with
// lt_last_error.
EMSCRIPTEN_KEEPALIVE const char* lt_testing_grammar_bench(const char* request) {
  try {
    if (!g_engine) throw std::runtime_error("no model is loaded");
    const json req = json::parse(request ? request : "");
    const std::string gbnf = req.contains("gbnf") ? req["gbnf"].get<std::string>()
                                                  : grammar::json_schema_to_gbnf(req.at("schema"));
    g_out = bench_grammar_masks(*g_engine, gbnf, req.at("text").get<std::string>()).dump();
    return g_out.c_str();
  } catch (const std::exception& e) {
    fail(e);
    return nullptr;
  }
}

EMSCRIPTEN_KEEPALIVE int lt_dispatches_per_pass() { return g_gpu ? g_gpu->dispatches_per_pass() : 0; }

// Tuning: the matrix-vector workgroup shape of the loaded WebGPU engine from
// the next pass on (0 = automatic). Returns 0, or -1 with lt_last_error.
EMSCRIPTEN_KEEPALIVE int lt_tune_matvec(int threads, int rows) {
  try {
    if (!g_gpu) throw std::runtime_error("no WebGPU engine is loaded");
    if (threads < 0 || rows < 0) throw std::invalid_argument("matvec shape must not be negative");
    g_gpu->set_matvec_override({static_cast<uint32_t>(threads), static_cast<uint32_t>(rows)});
    return 0;
  } catch (const std::exception& e) {
    return fail(e);
  }
}

// Tuning: prefill products through subgroup matrices (1) or f32 tiles (0)
// from the next pass on. Returns 1 when subgroup matrices are used, 0 when
// not (off, or the device has none), -1 with lt_last_error.
EMSCRIPTEN_KEEPALIVE int lt_tune_subgroup_matrix(int on) {
  try {
    if (!g_gpu) throw std::runtime_error("no WebGPU engine is loaded");
    return g_gpu->set_subgroup_matrix(on != 0) ? 1 : 0;
  } catch (const std::exception& e) {
    return fail(e);
  }
}

}  // extern "C"
