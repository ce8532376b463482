// wllama in headless Chromium, driven by fixtures/pages/peers/wllama_bench.html.
// Per configuration, one rig server with COOP/COEP (multi-thread wasm needs
// crossOriginIsolated) serving the page, wllama's esm build and the model;
// per run two browser processes on one profile: cold (fresh profile, load
// only) and warm (the same profile: wllama's own cache; load, TTFT, prefill,
// decode). Load, bytes and speed come from the page's "result" event and the
// server's byte log.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "bench/peer_bench.h"
#include "bench/sample_stats.h"
#include "browser/chromium_flags.h"
#include "scenarios/run_command.h"
#include "scenarios/scenario_context.h"

namespace lantern::rig::bench {

namespace fs = std::filesystem;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

constexpr const char* kModelsPrefix = "/models/";

struct WllamaConfig {
  std::string name;
  int threads = 1;
  std::string gpu;  // the page's gpu= ("0": wasm CPU only, "auto": wllama's default)
};

std::vector<WllamaConfig> wllama_configs(const PeerBenchSpec& spec) {
  std::vector<WllamaConfig> configs;
  for (int t : peer_thread_counts(spec))
    configs.push_back({std::to_string(t) + (t == 1 ? " thread" : " threads"), t, "0"});
  if (spec.wllama_webgpu) configs.push_back({"webgpu", 1, "auto"});
  return configs;
}

// One browser process on `profile_dir`: opens the page, waits for "result".
json run_page(ScenarioContext& ctx, const std::string& profile_dir, const std::string& page) {
  Browser& browser = ctx.launch_browser({std::nullopt, profile_dir});
  PageOptions options;
  options.isolated_context = false;  // wllama's cache must live in the profile for the warm run
  ScenarioPage& p = ctx.open_page(browser, page, options);
  const PageEvent result = p.wait_for_event("result", ctx.budget(ctx.remaining(), "wllama's result"));
  // A clean close, so the profile keeps what wllama cached (see DESIGN.md).
  ctx.close_browser(browser);
  return result.data;
}

uint64_t model_bytes(HttpServer& server, const std::string& model_path) {
  server.wait_idle();
  return server.byte_log().bytes_by_path.count(model_path) ? server.byte_log().bytes_by_path.at(model_path) : 0;
}

double number(const json& j, const char* key, const std::string& what) {
  if (!j.contains(key) || !j[key].is_number() || !std::isfinite(j[key].get<double>()))
    throw std::runtime_error(what + " has no number \"" + key + "\": " + j.dump());
  return j[key].get<double>();
}

json run_config(const PeerBenchSpec& spec, const WllamaConfig& config, Clock::time_point deadline) {
  json record = {{"engine", "wllama"}, {"config", config.name}, {"backend", config.gpu == "0" ? "wasm" : "webgpu"},
                 {"runs", spec.runs}, {"threads", config.threads}, {"model", spec.model_file}};
  const std::string source = spec.source_dir.empty() ? default_source_dir() : spec.source_dir;
  const fs::path esm = fs::path(source) / "fixtures/peers/node_modules/@wllama/wllama/esm";
  if (spec.runs < 1) {
    record["error"] = "runs must be at least 1";
    return record;
  }
  if (!fs::exists(spec.model_file)) {
    record["error"] = "no model file at " + spec.model_file;
    return record;
  }
  if (!fs::exists(esm / "index.js")) {
    record["error"] = "wllama is not installed (" + esm.string() + "): run ci/peers_setup.sh";
    return record;
  }
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  if (left.count() <= 0) {
    record["error"] = "no time left in the peer's timeout (" + std::to_string(spec.timeout.count()) + " s)";
    return record;
  }

  ScenarioSettings settings;
  settings.source_dir = source;
  std::string error;
  const auto browser = resolve_browser(spec.browser.empty() ? "headless-shell" : spec.browser, &error);
  if (!browser) {
    record["error"] = error;
    return record;
  }
  settings.browser_name = browser->name;
  settings.browser_path = browser->path;
  const auto profile = flag_profile_from_name(spec.flag_profile);
  if (!profile) {
    record["error"] = "unknown flag profile '" + spec.flag_profile + "'";
    return record;
  }
  settings.profile = *profile;
  settings.timeout = left;

  ScenarioContext ctx(settings);
  try {
    const fs::path model = fs::canonical(spec.model_file);
    const std::string model_path = kModelsPrefix + model.filename().string();
    ctx.start_server({{"/peer-modules/wllama/", esm}, {kModelsPrefix, model.parent_path()}}, /*coop_coep=*/true);
    const std::string page = "/peers/wllama_bench.html?model=" + model_path + "&threads=" +
                             std::to_string(config.threads) + "&gpu=" + config.gpu +
                             "&ttft=" + std::to_string(spec.ttft_prompt_tokens) +
                             "&prefill=" + std::to_string(spec.prefill_tokens) +
                             "&decode=" + std::to_string(spec.decode_tokens);
    std::vector<double> cold_ms, warm_ms, cold_bytes, warm_bytes, ttft, prefill, decode;
    for (int run = 0; run < spec.runs; ++run) {
      const std::string profile_dir = ctx.scratch_dir() + "/profile-" + std::to_string(run);
      fs::create_directories(profile_dir);
      ctx.server().reset_byte_log();
      const json cold = run_page(ctx, profile_dir, page + "&measure=load");
      cold_bytes.push_back(static_cast<double>(model_bytes(ctx.server(), model_path)));
      ctx.server().reset_byte_log();
      const json warm = run_page(ctx, profile_dir, page + "&measure=all");
      warm_bytes.push_back(static_cast<double>(model_bytes(ctx.server(), model_path)));
      // The configuration must be what it says: threads granted, isolation on.
      const int granted = warm.value("threads", 0);
      if (granted != config.threads)
        throw std::runtime_error("wllama ran " + std::to_string(granted) + " thread(s), asked for " +
                                 std::to_string(config.threads) + " (crossOriginIsolated " +
                                 warm.value("cross_origin_isolated", json()).dump() + ")");
      cold_ms.push_back(number(cold, "load_ms", "the cold result"));
      warm_ms.push_back(number(warm, "load_ms", "the warm result"));
      ttft.push_back(number(warm, "ttft_ms", "the warm result"));
      prefill.push_back(number(warm, "prefill_tok_s", "the warm result"));
      decode.push_back(number(warm, "decode_tok_s", "the warm result"));
      record["generated_tokens"] = warm.value("generated_tokens", json());
      record["prompt_tokens"] = warm.value("prompt_tokens", json());
      record["webgpu_available"] = warm.value("webgpu_available", json());
      record["llama_timings"] = warm.value("llama_timings", json());
    }
    record["load_ms"] = SampleStats{warm_ms}.to_json();
    record["cold"] = {{"load_ms", SampleStats{cold_ms}.to_json()}, {"bytes_served", SampleStats{cold_bytes}.to_json()["median"]}};
    record["warm"] = {{"load_ms", SampleStats{warm_ms}.to_json()}, {"bytes_served", SampleStats{warm_bytes}.to_json()["median"]}};
    record["ttft_ms"] = SampleStats{ttft}.to_json();
    record["prefill_tok_s"] = SampleStats{prefill}.to_json();
    record["decode_tok_s"] = SampleStats{decode}.to_json();
  } catch (const std::exception& e) {
    std::string why = e.what();
    const std::string tail = ctx.last_browser_stderr();
    if (!tail.empty()) why += "\nbrowser stderr (last lines):\n" + tail;
    record["error"] = why;
  }
  ctx.teardown();
  return record;
}

}  // namespace

std::vector<int> peer_thread_counts(const PeerBenchSpec& spec) {
  if (!spec.threads.empty()) return spec.threads;
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  return cores > 1 ? std::vector<int>{1, cores} : std::vector<int>{1};
}

std::vector<json> run_wllama_bench(const PeerBenchSpec& spec) {
  const auto deadline = Clock::now() + spec.timeout;
  std::vector<json> records;
  for (const auto& config : wllama_configs(spec)) records.push_back(run_config(spec, config, deadline));
  return records;
}

}  // namespace lantern::rig::bench
