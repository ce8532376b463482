#include "bench/load_runs.h"

#include <algorithm>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "bench/process_memory.h"
#include "scenarios/command_setup.h"
#include "cdp/network_domain.h"
#include "cdp/performance_domain.h"

namespace lantern::rig::bench {

using namespace std::chrono_literals;
using nlohmann::json;

namespace {

// Bytes the browser received for the model, by request (CDP Network events
// arrive on the connection's thread).
class ModelTraffic {
 public:
  explicit ModelTraffic(std::string model_url) : model_url_(std::move(model_url)) {}
  void on_request(const CdpEvent& e) {
    const auto r = cdp::network::parse_request_will_be_sent(e);
    std::lock_guard<std::mutex> lock(mu_);
    if (r.url == model_url_) model_requests_[r.request_id] = r.method;
  }
  void on_finished(const CdpEvent& e) {
    const auto f = cdp::network::parse_loading_finished(e);
    std::lock_guard<std::mutex> lock(mu_);
    if (!model_requests_.count(f.request_id)) return;
    encoded_bytes_ += static_cast<uint64_t>(f.encoded_data_length);
    ++finished_;
  }
  json to_json() const {
    std::lock_guard<std::mutex> lock(mu_);
    return {{"requests", model_requests_.size()}, {"finished", finished_}, {"encoded_bytes", encoded_bytes_}};
  }
  uint64_t encoded_bytes() const {
    std::lock_guard<std::mutex> lock(mu_);
    return encoded_bytes_;
  }

 private:
  const std::string model_url_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, std::string> model_requests_;
  uint64_t encoded_bytes_ = 0;
  int finished_ = 0;
};

double number_at(const json& j, const std::string& pointer) {
  const json::json_pointer p(pointer);
  return j.contains(p) && j.at(p).is_number() ? j.at(p).get<double>() : 0.0;
}

// The page's result flattened into the sample's fields.
void add_page_fields(const json& r, json& s) {
  const json& load = r["load"];
  s["backend"] = r.value("backend", std::string());
  s["adapter"] = r.value("adapter", json());
  s["load_ms"] = r.value("load_ms", 0.0);
  s["from_cache"] = load.value("from_cache", false);
  s["page_bytes_from_network"] = load.value("bytes_from_network", 0.0);
  s["page_bytes_from_cache"] = load.value("bytes_from_cache", 0.0);
  const json& lp = load["load_phases"];
  json phases = json::object(), busy = json::object();
  phases["module"] = number_at(load, "/phases_ms/module");
  phases["header"] = number_at(load, "/phases_ms/header");
  for (const char* name : {"probe", "download", "cache_read", "cache_write", "gpu_upload", "gpu_drain"}) {
    phases[name] = number_at(lp, std::string("/") + name + "/wall_ms");
    busy[name] = number_at(lp, std::string("/") + name + "/busy_ms");
  }
  phases["stream_union"] = number_at(lp, "/union_ms");
  phases["overlap"] = number_at(lp, "/overlap_ms");
  phases["compile"] = number_at(load, "/phases_ms/compile");
  phases["first_token"] = number_at(r, "/ttft/first_chunk_ms");
  s["phases"] = phases;
  s["phases_busy"] = busy;
  // The warm floor: what a warm load cannot avoid, each part measured.
  const double floor = phases["cache_read"].get<double>() + phases["gpu_upload"].get<double>() +
                       phases["gpu_drain"].get<double>() + phases["compile"].get<double>();
  s["floor_ms"] = floor;
  s["ttft_ms"] = number_at(r, "/ttft/first_chunk_ms");
  s["engine_ttft_ms"] = r["ttft"].value("engine_ttft_ms", json());
  if (r.contains("prefill")) {
    s["prefill_tokens"] = r.value("prefill_tokens", 0);
    s["prefill_tok_s"] = r["prefill"].value("request_prefill_tok_s", json());
    s["engine_prefill_tok_s"] = r["prefill"].value("engine_prefill_tok_s", json());
    s["decode_tokens"] = r["decode"].value("completion_tokens", 0);
    s["decode_tok_s"] = r["decode"].value("request_decode_tok_s", json());
    s["engine_decode_tok_s"] = r["decode"].value("engine_decode_tok_s", json());
  }
  if (r.contains("constrained") && r["constrained"].is_object()) {
    const json& c = r["constrained"];
    s["constrained_tokens"] = c.value("completion_tokens", 0);
    s["constrained_forced_tokens"] = c.value("grammar_forced_tokens", json());
    s["constrained_decode_tok_s"] = c.value("request_decode_tok_s", json());
  }
}

}  // namespace

json run_load(ScenarioContext& ctx, const LoadRunSpec& spec) {
  HttpServer& server = ctx.server();
  server.reset_byte_log();
  server.clear_faults();
  if (spec.throttle.capped() && spec.throttle_via == "server") {
    // One link for the model's responses together: the loader keeps a few
    // ranges in flight, and a cap on each would multiply the line's speed.
    Fault cap;
    cap.bandwidth_bytes_per_s = spec.throttle.bytes_per_s;
    cap.shared_bandwidth = true;
    server.set_fault("/models/", cap);
  }

  Browser& browser = ctx.launch_browser({std::nullopt, spec.profile_dir});
  PageOptions po;
  po.isolated_context = false;  // the Cache API must persist in the profile
  // A blank page first: Network and Performance are enabled (and CDP
  // throttling set) before the bench page's first request.
  ScenarioPage& page = ctx.open_page(browser, "/idle.html", po);
  ModelTraffic traffic(spec.model_url);
  const CdpSession& session = page.session();
  auto on_request = session.subscribe("Network.requestWillBeSent", [&](const CdpEvent& e) { traffic.on_request(e); });
  auto on_finished = session.subscribe("Network.loadingFinished", [&](const CdpEvent& e) { traffic.on_finished(e); });
  cdp::network::enable(session);
  cdp::performance::enable(session);
  if (spec.throttle.capped() && spec.throttle_via == "cdp") {
    cdp::network::Conditions c;
    c.download_bytes_per_s = static_cast<double>(spec.throttle.bytes_per_s);
    cdp::network::emulate_network_conditions(session, c);
  }
  const auto t0 = std::chrono::steady_clock::now();
  page.navigate(ctx.url(spec.page_path));

  double js_heap_peak = 0, js_heap_total_peak = 0;
  json result;
  for (;;) {
    const auto errors = page.events("error");
    if (!errors.empty()) ctx.fail("the bench page reported: " + errors[0].data.value("message", std::string()));
    const auto done = page.events("result");
    try {
      const auto m = cdp::performance::get_metrics(session);
      if (auto it = m.find("JSHeapUsedSize"); it != m.end()) js_heap_peak = std::max(js_heap_peak, it->second);
      if (auto it = m.find("JSHeapTotalSize"); it != m.end()) js_heap_total_peak = std::max(js_heap_total_peak, it->second);
    } catch (const std::exception&) {
      // A metrics call racing a busy renderer is skipped, not fatal.
    }
    if (!done.empty()) {
      result = done[0].data;
      break;
    }
    std::this_thread::sleep_for(ctx.budget(200ms, "the bench page's 'result' event (" + spec.kind + " load)"));
  }
  const double rig_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  // VmHWM now: each process's peak resident set over this whole run.
  const ProcessTreeMemory memory = read_process_group_memory(browser.process().pid());
  page.close();
  const bool clean = ctx.close_browser(browser);
  server.wait_idle();
  server.clear_faults();

  json s;
  s["kind"] = spec.kind;
  s["throttle"] = spec.throttle.name;
  s["throttle_via"] = spec.throttle_via;
  s["clean_close"] = clean;
  s["rig_ms"] = rig_ms;
  add_page_fields(result, s);
  s["bytes_served"] = spec.served_paths.empty() ? json() : json(bytes_served(server, spec.served_paths));
  s["cdp"] = traffic.to_json();
  s["cdp_encoded_bytes"] = traffic.encoded_bytes();
  const double download_ms = s["phases"]["download"].get<double>();
  const double bytes = s["bytes_served"].is_number() ? s["bytes_served"].get<double>() : static_cast<double>(traffic.encoded_bytes());
  s["download_mbit_s"] = download_ms > 0 && bytes > 0 ? json(bytes * 8 / 1e6 / (download_ms / 1000)) : json();
  s["memory"] = {{"renderer_peak_rss_bytes", memory.peak("renderer")},
                 {"gpu_peak_rss_bytes", memory.peak("gpu-process")},
                 {"browser_peak_rss_bytes", memory.peak("browser")},
                 {"tree", memory.to_json()},
                 {"js_heap_peak_bytes", js_heap_peak},
                 {"js_heap_total_peak_bytes", js_heap_total_peak}};
  uint64_t tree_peak = 0;
  for (const auto& [role, b] : memory.peak_rss_bytes) tree_peak += b;
  s["memory"]["tree_peak_rss_bytes"] = tree_peak;
  s["page"] = result;
  return s;
}

}  // namespace lantern::rig::bench
