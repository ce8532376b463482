// `lantern-rig bench` options: which models, how many runs, throttle
// profiles, backend, peers, outputs. Parsing throws std::invalid_argument
// with a message that names the bad option.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "scenarios/command_setup.h"

namespace lantern::rig::bench {

// A download cap: "unthrottled" (0), "150mbit", "50mbit", or "<N>mbit".
struct ThrottleProfile {
  std::string name = "unthrottled";
  uint64_t bytes_per_s = 0;  // 0: no cap
  bool capped() const { return bytes_per_s > 0; }
};
ThrottleProfile parse_throttle(const std::string& name);

struct BenchOptions {
  std::vector<std::string> models;        // path, http(s) URL, or synthetic:SHAPE:TYPE
  int runs = 3;                           // cold and warm loads each
  std::vector<ThrottleProfile> throttles{ThrottleProfile{}};
  std::string backend = "auto";           // auto | webgpu | cpu (the page's CreateEngine option)
  std::vector<std::string> peers;         // wllama, llama-native
  CommandBrowserOptions browser;          // --browser, --flags, --source-dir, --timeout (per model and throttle)
  bool json = false;                      // --json: print the JSON object instead of tables
  std::string json_file;                  // --json-file FILE
  std::string report_dir;                 // --report DIR: bench.json, tables, SVG plots
  std::string model_cache_dir;            // where synthetic models are written (kept between runs)
  std::string speed_on = "warm";          // loads that run the timed requests: warm | cold | both | none
  int ttft_tokens = 16;
  int prefill_tokens = 512;
  int decode_tokens = 128;
  std::string schema_file;                // --schema FILE: also time the decode request under this JSON Schema
  bool plots = true;
  std::string replot_file;                // --replot FILE: tables and plots from a bench.json, nothing run
};

// argv[0] is "bench". Returns false when --help was asked (help printed).
bool parse_bench_options(int argc, char** argv, BenchOptions* out);
extern const char* const kBenchHelp;

}  // namespace lantern::rig::bench
