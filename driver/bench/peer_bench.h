// The peers Lantern is measured against in `lantern-rig bench --peers`:
// wllama (llama.cpp compiled to wasm, npm @wllama/wllama) in the same browser
// on the same GGUF, and native llama.cpp through npm's node-llama-cpp
// prebuilt binaries. Each returns one JSON record per engine configuration,
// in the shape Lantern's own bench records use, so the report can pair them:
//   {"engine":"wllama","config":"1 thread","backend":"wasm",
//    "runs":N, "threads":T,
//    "load_ms":{"median":..,"min":..,"max":..,"samples":[..]},   // warm where the peer caches
//    "cold":{"load_ms":{..},"bytes_served":..},                  // where it applies
//    "warm":{"load_ms":{..},"bytes_served":..},
//    "ttft_ms":{..}, "prefill_tok_s":{..}, "decode_tok_s":{..},
//    "error":"..."}                                              // only when it could not run: why
// A record with "error" may still hold the fields measured before it failed.
// The npm packages live in fixtures/peers/node_modules (ci/peers_setup.sh).
// Definitions (both peers): prompts are token ids (the same ids for both),
// greedy, EOS ignored, no prompt cache; TTFT = a ttft_prompt_tokens prompt to
// its first token; prefill tok/s = prefill_tokens / that time for a
// prefill_tokens prompt; decode tok/s = (decode_tokens - 1) / the time after
// the first token.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace lantern::rig::bench {

struct PeerBenchSpec {
  std::string model_file;               // a local GGUF file
  int runs = 3;                         // timed runs per configuration (medians over these)
  std::string browser;                  // for in-browser peers: name or executable, as `run --browser`
  std::string flag_profile = "swiftshader";
  std::string source_dir;               // repository root (fixtures/, web/)
  int ttft_prompt_tokens = 16;          // TTFT: a prompt of this many tokens, time to the first token
  int prefill_tokens = 512;             // prefill tok/s on a prompt of this many tokens
  int decode_tokens = 128;              // decode tok/s over this many generated tokens
  std::chrono::seconds timeout{1800};   // per peer, for all its configurations; every wait below it is shorter
  // CPU thread counts, one configuration each; empty: 1 and all cores.
  std::vector<int> threads;
  // wllama: also its WebGPU path ("webgpu": wllama's default when the browser
  // has WebGPU; on SwiftShader that is a CPU rasterizer, very slow).
  bool wllama_webgpu = false;
  // node-llama-cpp: "false" (CPU), "auto" (CUDA or Vulkan when a GPU is
  // there, else CPU), "cuda" or "vulkan".
  std::string native_gpu = "false";
  std::string node = "node";            // the Node.js executable (name or path)
};

// wllama in headless Chromium: "1 thread" and "N threads" (COOP/COEP served),
// plus "webgpu" when asked. Cold: a fresh profile; warm: the same profile in a
// new browser process (wllama's own cache, OPFS).
std::vector<nlohmann::json> run_wllama_bench(const PeerBenchSpec& spec);

// node-llama-cpp natively: "cpu N threads" here; "cuda"/"vulkan" where a GPU is present.
std::vector<nlohmann::json> run_llama_native_bench(const PeerBenchSpec& spec);

// The CPU thread counts a spec asks for (its list, else 1 and all cores).
std::vector<int> peer_thread_counts(const PeerBenchSpec& spec);

}  // namespace lantern::rig::bench
