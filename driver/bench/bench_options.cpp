#include "bench/bench_options.h"

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace lantern::rig::bench {

const char* const kBenchHelp = R"(usage: lantern-rig bench --model FILE|URL|synthetic:SHAPE:TYPE [options]

Loads each model in headless Chromium through the web SDK: N cold loads (a
fresh profile and a new browser each) and N warm loads (the kept profile, a
new browser process after a clean Browser.close), each split into phases
(download, cache read/write, GPU upload, pipeline compile, first token).
Times TTFT (16-token prompt), prefill tok/s (512-token prompt) and decode
tok/s (128 tokens); counts the model bytes served cold and warm (the rig
server's byte log and CDP's encodedDataLength); reads peak memory (renderer
and GPU process RSS from /proc, JS heap from CDP). Prints medians with
min-max spreads.

options:
  --model M            a GGUF path, an http(s) URL, or synthetic:SHAPE:TYPE
                       (shapes tiny, tiny-qwen2, tiny-256, tiny-256-qwen2, qwen2.5-0.5b,
                       llama-3.2-1b, llama-3.2-3b; types f32, f16, q8_0, q4_0). Repeatable, or comma-separated.
  --runs N             cold and warm loads each (default 3)
  --throttle P         unthrottled (default), 150mbit, 50mbit or <N>mbit; repeatable
                       or comma-separated. A cap runs twice: through the rig
                       server's bandwidth knob and through CDP
                       Network.emulateNetworkConditions (cold loads), reported side by side
  --backend B          auto (default), webgpu, cpu (the SDK's wasm CPU backend)
  --peers LIST         wllama,llama-native: run those engines on the same file
  --speed-on L         which loads run the timed requests: warm (default), cold, both,
                       none (loads and first token only)
  --ttft-tokens N      (default 16)   --prefill-tokens N (default 512)
  --decode-tokens N    (default 128)
  --schema FILE        also time the decode request constrained by this JSON
                       Schema (response_format json_schema, greedy): tok/s,
                       its ratio to unconstrained decode, jump-forward tokens
  --json               print one JSON object (several models or throttles:
                       {"benchmarks":[...]}) instead of the tables
  --json-file FILE     also write the JSON there
  --report DIR         write bench.json, tables.md and SVG plots (gnuplot) there
  --no-plots           skip the SVG plots
  --replot FILE        run nothing: write tables.md and the plots of an earlier
                       bench.json into --report DIR (for a machine without gnuplot)
  --model-cache DIR    where synthetic models are made (default
                       $XDG_CACHE_HOME/lantern-bench or ~/.cache/lantern-bench)
  --browser B          headless-shell (default), chromium, or an executable path
  --flags PROFILE      swiftshader (default), no-webgpu, gpu-vulkan
  --timeout S          limit per model and throttle in seconds (default 1800)
  --source-dir DIR     repository root (default: $LANTERN_SOURCE_DIR or the build's tree)
  --help               this text
)";

namespace {

std::vector<std::string> split_commas(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  for (std::string item; std::getline(in, item, ',');)
    if (!item.empty()) out.push_back(item);
  return out;
}

int positive_int(const std::string& option, const std::string& v) {
  std::size_t used = 0;
  int n = 0;
  try {
    n = std::stoi(v, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != v.size() || n < 1) throw std::invalid_argument(option + " needs a positive integer, got '" + v + "'");
  return n;
}

std::string default_model_cache() {
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg) return std::string(xdg) + "/lantern-bench";
  if (const char* home = std::getenv("HOME"); home && *home) return std::string(home) + "/.cache/lantern-bench";
  return "/tmp/lantern-bench-models";
}

}  // namespace

ThrottleProfile parse_throttle(const std::string& name) {
  if (name == "unthrottled" || name == "none") return {"unthrottled", 0};
  const std::string suffix = "mbit";
  if (name.size() > suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
    const std::string digits = name.substr(0, name.size() - suffix.size());
    if (std::all_of(digits.begin(), digits.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
      const uint64_t mbit = std::stoull(digits);
      if (mbit > 0) return {name, mbit * 1000000 / 8};
    }
  }
  throw std::invalid_argument("unknown throttle profile '" + name + "' (unthrottled, 150mbit, 50mbit or <N>mbit)");
}

bool parse_bench_options(int argc, char** argv, BenchOptions* out) {
  BenchOptions o;
  o.browser.timeout_s = 1800;
  bool throttles_given = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw std::invalid_argument(a + " needs a value");
      return argv[++i];
    };
    if (a == "--help" || a == "-h") {
      std::cout << kBenchHelp;
      return false;
    } else if (a == "--model") {
      for (auto& m : split_commas(value())) o.models.push_back(m);
    } else if (a == "--runs") {
      o.runs = positive_int(a, value());
    } else if (a == "--throttle") {
      if (!throttles_given) o.throttles.clear();
      throttles_given = true;
      for (auto& t : split_commas(value())) o.throttles.push_back(parse_throttle(t));
    } else if (a == "--backend") {
      o.backend = value();
      if (o.backend != "auto" && o.backend != "webgpu" && o.backend != "cpu")
        throw std::invalid_argument("--backend is auto, webgpu or cpu, got '" + o.backend + "'");
    } else if (a == "--peers") {
      for (auto& p : split_commas(value())) {
        if (p != "wllama" && p != "llama-native")
          throw std::invalid_argument("unknown peer '" + p + "' (wllama, llama-native)");
        o.peers.push_back(p);
      }
    } else if (a == "--speed-on") {
      o.speed_on = value();
      if (o.speed_on != "warm" && o.speed_on != "cold" && o.speed_on != "both" && o.speed_on != "none")
        throw std::invalid_argument("--speed-on is warm, cold, both or none, got '" + o.speed_on + "'");
    } else if (a == "--ttft-tokens") o.ttft_tokens = positive_int(a, value());
    else if (a == "--prefill-tokens") o.prefill_tokens = positive_int(a, value());
    else if (a == "--decode-tokens") o.decode_tokens = positive_int(a, value());
    else if (a == "--schema") o.schema_file = value();
    else if (a == "--json") o.json = true;
    else if (a == "--json-file") o.json_file = value();
    else if (a == "--report") o.report_dir = value();
    else if (a == "--no-plots") o.plots = false;
    else if (a == "--model-cache") o.model_cache_dir = value();
    else if (a == "--replot") o.replot_file = value();
    else if (a == "--browser") o.browser.browser = value();
    else if (a == "--flags") o.browser.flags = value();
    else if (a == "--timeout") o.browser.timeout_s = positive_int(a, value());
    else if (a == "--source-dir") o.browser.source_dir = value();
    else throw std::invalid_argument("unknown option " + a + " (see --help)");
  }
  if (!o.replot_file.empty()) {
    if (o.report_dir.empty()) throw std::invalid_argument("--replot needs --report DIR");
  } else if (o.models.empty()) throw std::invalid_argument("--model is required (see --help)");
  if (!o.schema_file.empty()) {
    // Refused here, not in the page after minutes of loads.
    std::ifstream in(o.schema_file);
    if (!in) throw std::invalid_argument("--schema: cannot read " + o.schema_file);
    const auto schema = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
    if (!schema.is_object()) throw std::invalid_argument("--schema: " + o.schema_file + " is not a JSON object");
  }
  if (o.model_cache_dir.empty()) o.model_cache_dir = default_model_cache();
  *out = std::move(o);
  return true;
}

}  // namespace lantern::rig::bench
