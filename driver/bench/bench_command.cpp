#include "bench/bench_command.h"

#include <filesystem>
#include <fstream>
#include <iostream>

#include "bench/bench_models.h"
#include "bench/bench_options.h"
#include "bench/bench_plots.h"
#include "bench/bench_report.h"
#include "bench/bench_summary.h"
#include "bench/load_runs.h"
#include "bench/peer_bench.h"
#include "scenarios/command_setup.h"


namespace lantern::rig {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace bench;

namespace {

std::vector<json> run_peers(const BenchOptions& o, const BenchModel& model, const ScenarioSettings& settings) {
  std::vector<json> out;
  if (o.peers.empty()) return out;
  if (model.local_file.empty()) {
    out.push_back({{"engine", "peers"}, {"config", ""}, {"error", "peers run on a local file; this model is a URL"}});
    return out;
  }
  PeerBenchSpec spec;
  spec.model_file = model.local_file;
  spec.runs = o.runs;
  spec.browser = o.browser.browser;
  spec.flag_profile = o.browser.flags;
  spec.source_dir = settings.source_dir;
  spec.ttft_prompt_tokens = o.ttft_tokens;
  spec.prefill_tokens = o.prefill_tokens;
  spec.decode_tokens = o.decode_tokens;
  // On a real GPU the native peer uses it too (CUDA or Vulkan), as Lantern does.
  const bool gpu = o.browser.flags == "gpu-vulkan";
  for (const auto& peer : o.peers) {
    if (gpu) spec.native_gpu = "auto";
    std::cerr << "bench: " << model.name << ": peer " << peer << "\n";
    try {
      for (auto& r : peer == "wllama" ? run_wllama_bench(spec) : run_llama_native_bench(spec)) out.push_back(std::move(r));
    } catch (const std::exception& e) {
      out.push_back({{"engine", peer}, {"config", ""}, {"error", e.what()}});
    }
  }
  return out;
}

// N cold loads (fresh profile, new browser), each followed by a warm one (same
// profile, new browser after a clean close). Under a cap: N cold loads with
// the cap on the rig server, then N with it set through CDP instead.
json bench_one(const BenchOptions& o, const BenchModel& model, const ThrottleProfile& throttle, const ScenarioSettings& settings) {
  ScenarioContext ctx(settings);
  try {
    const ServedModel served = serve_model(model.local_file.empty() ? model.url : model.local_file);
    std::vector<Mount> mounts{{"/web/", settings.source_dir + "/web"}};
    mounts.insert(mounts.end(), served.mounts.begin(), served.mounts.end());
    std::string schema_param;
    if (!o.schema_file.empty()) {
      const fs::path schema = fs::absolute(o.schema_file);
      mounts.push_back({"/bench-schema/", schema.parent_path(), {schema.filename().string()}});
      schema_param = "&schema=" + url_encode("/bench-schema/" + schema.filename().string());
    }
    ctx.start_server(mounts);
    const std::string model_url = served.remote() ? served.url : ctx.url(served.url);
    auto page_for = [&](bool speed) {
      return "/bench.html?model=" + url_encode(served.url) + "&backend=" + o.backend + "&ttft=" + std::to_string(o.ttft_tokens) +
             "&prefill=" + std::to_string(o.prefill_tokens) + "&decode=" + std::to_string(o.decode_tokens) +
             "&speed=" + (speed ? "1" : "0") + (speed ? schema_param : "");
    };
    BenchInputs in;
    in.model = model;
    in.throttle = throttle;
    in.runs = o.runs;
    in.flags = o.browser.flags;
    in.browser = settings.browser_name;
    const std::vector<std::string> vias = throttle.capped() ? std::vector<std::string>{"server", "cdp"}
                                                            : std::vector<std::string>{"none"};
    for (const auto& via : vias) {
      for (int run = 0; run < o.runs; ++run) {
        const std::string profile = ctx.scratch_dir() + "/profile-" + via + "-" + std::to_string(run);
        fs::create_directories(profile);
        for (const std::string kind : {"cold", "warm"}) {
          // A warm load moves no model bytes, so a cap changes nothing in it:
          // capped runs time cold loads only (the unthrottled run has the warm ones).
          if (kind == "warm" && throttle.capped()) continue;
          const bool speed = o.speed_on == "both" || o.speed_on == kind;
          LoadRunSpec spec{kind, profile, page_for(speed), model_url, served.served_paths, throttle, via};
          json s = run_load(ctx, spec);
          std::cerr << "bench: " << model.name << " [" << throttle.name << (via == "none" ? "" : " via " + via) << "] run "
                    << run + 1 << "/" << o.runs << " " << kind << ": load " << static_cast<int>(s.value("load_ms", 0.0))
                    << " ms, served " << (s["bytes_served"].is_number() ? s["bytes_served"].dump() : "?") << " B\n";
          in.samples.push_back(std::move(s));
        }
      }
    }
    ctx.teardown();
    if (!throttle.capped()) in.peers = run_peers(o, model, settings);
    return summarize(in);
  } catch (const std::exception& e) {
    const std::string tail = ctx.last_browser_stderr();
    ctx.teardown();
    throw std::runtime_error(model.name + " [" + throttle.name + "]: " + e.what() +
                             (tail.empty() ? "" : "\nbrowser stderr (last lines):\n" + tail));
  }
}

}  // namespace

int bench_command(int argc, char** argv) {
  BenchOptions o;
  if (!parse_bench_options(argc, argv, &o)) return 0;
  std::vector<json> summaries;
  if (!o.replot_file.empty()) {
    std::ifstream in(o.replot_file);
    if (!in) throw std::runtime_error("cannot read " + o.replot_file);
    const json earlier = json::parse(in);
    if (earlier.contains("benchmarks")) summaries = earlier["benchmarks"].get<std::vector<json>>();
    else summaries.push_back(earlier);
  } else {
    const ScenarioSettings settings = command_settings(o.browser);
    std::vector<BenchModel> models;
    for (const auto& spec : o.models) models.push_back(resolve_bench_model(spec, o.model_cache_dir));
    for (const auto& model : models)
      for (const auto& throttle : o.throttles) summaries.push_back(bench_one(o, model, throttle, settings));
  }

  const json out = summaries.size() == 1 ? summaries[0] : json{{"benchmarks", summaries}};
  const std::string tables = render_tables(summaries);
  if (o.json) std::cout << out.dump(2) << "\n";
  else std::cout << tables;
  if (!o.json_file.empty()) std::ofstream(o.json_file) << out.dump(2) << "\n";
  if (!o.report_dir.empty()) {
    fs::create_directories(o.report_dir);
    std::ofstream(fs::path(o.report_dir) / "bench.json") << out.dump(2) << "\n";
    std::ofstream(fs::path(o.report_dir) / "tables.md") << tables;
    if (o.plots) {
      try {
        for (const auto& svg : write_plots(summaries, o.report_dir)) std::cerr << "bench: wrote " << svg << "\n";
      } catch (const std::exception& e) {
        // The numbers are written already; a machine without gnuplot still gets them.
        std::cerr << "bench: no plots: " << e.what() << "\n";
      }
    }
  }
  return 0;
}

}  // namespace lantern::rig
