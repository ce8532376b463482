// The peers Lantern is measured against in `lantern-rig bench --peers`:
// wllama (llama.cpp compiled to wasm, npm @wllama/wllama) in the same browser
// on the same GGUF, and native llama.cpp through npm's node-llama-cpp
// prebuilt binaries. Each returns one JSON record per engine configuration,
// in the shape Lantern's own bench records use, so the report can pair them:
//   {"engine":"wllama","config":"1 thread","backend":"wasm",
//    "runs":N,
//    "load_ms":{"median":..,"min":..,"max":..,"samples":[..]},   // warm where the peer caches
//    "cold":{"load_ms":{..},"bytes_served":..},                  // where it applies
//    "warm":{"load_ms":{..},"bytes_served":..},
//    "ttft_ms":{..}, "prefill_tok_s":{..}, "decode_tok_s":{..},
//    "error":"..."}                                              // only when it could not run: why
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
  std::chrono::seconds timeout{600};    // for the whole peer, every wait below it is shorter
};

// wllama in headless Chromium: "1 thread" and "N threads" (COOP/COEP served).
std::vector<nlohmann::json> run_wllama_bench(const PeerBenchSpec& spec);

// node-llama-cpp natively: the CPU build here; "cuda"/"vulkan" where a GPU is present.
std::vector<nlohmann::json> run_llama_native_bench(const PeerBenchSpec& spec);

}  // namespace lantern::rig::bench
