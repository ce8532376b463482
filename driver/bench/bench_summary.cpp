#include "bench/bench_summary.h"

#include <cmath>

#include "bench/sample_stats.h"

namespace lantern::rig::bench {

using nlohmann::json;

namespace {

std::vector<json> select(const std::vector<json>& samples, const std::string& kind, const std::string& via) {
  std::vector<json> out;
  for (const auto& s : samples)
    if (s.value("kind", "") == kind && s.value("throttle_via", "") == via) out.push_back(s);
  return out;
}

json median_or_null(const SampleStats& s) { return s.empty() ? json() : json(s.median()); }

const char* const kPhases[] = {"module", "header", "probe", "download", "cache_read", "cache_write", "gpu_upload",
                               "gpu_drain", "compile", "first_token", "stream_union", "overlap"};

// One of cold/warm: medians at the contract's keys, spreads beside.
json load_side(const std::vector<json>& loads) {
  json side;
  const SampleStats load = collect(loads, "/load_ms");
  side["load_ms"] = median_or_null(load);
  side["load_ms_stats"] = load.to_json();
  const SampleStats served = collect(loads, "/bytes_served");
  const SampleStats cdp_bytes = collect(loads, "/cdp_encoded_bytes");
  side["bytes_served"] = median_or_null(served);
  side["bytes_served_stats"] = served.to_json();
  side["cdp_encoded_bytes"] = median_or_null(cdp_bytes);
  // Response headers count in encodedDataLength, not in the byte log's body
  // bytes: agreement within 1% + 64 KiB per load.
  bool agree = true;
  for (const auto& s : loads) {
    if (!s["bytes_served"].is_number()) continue;
    const double a = s["bytes_served"].get<double>(), b = s.value("cdp_encoded_bytes", 0.0);
    if (std::fabs(a - b) > 0.01 * std::max(a, b) + 65536) agree = false;
  }
  side["bytes_agree"] = agree;
  json phases = json::object();
  for (const char* p : kPhases) phases[p] = collect(loads, std::string("/phases/") + p).to_json();
  side["phases"] = phases;
  const SampleStats floor = collect(loads, "/floor_ms");
  side["floor_ms"] = median_or_null(floor);
  side["floor_ratio"] = floor.empty() || floor.median() <= 0 || load.empty() ? json() : json(load.median() / floor.median());
  side["download_mbit_s"] = collect(loads, "/download_mbit_s").to_json();
  bool clean = true, from_cache = true;
  for (const auto& s : loads) {
    clean = clean && s.value("clean_close", false);
    from_cache = from_cache && s.value("from_cache", false);
  }
  side["clean_close"] = clean;
  side["from_cache"] = from_cache;
  return side;
}

json speed(const std::vector<json>& loads, const std::string& key) {
  return collect(loads, "/" + key).to_json();
}

double max_of(const std::vector<json>& loads, const std::string& pointer) {
  const SampleStats s = collect(loads, pointer);
  return s.empty() ? 0 : s.max();
}

}  // namespace

json summarize(const BenchInputs& in) {
  const std::string primary = in.throttle.capped() ? "server" : "none";
  const auto cold = select(in.samples, "cold", primary), warm = select(in.samples, "warm", primary);
  std::vector<json> all_primary = cold;
  all_primary.insert(all_primary.end(), warm.begin(), warm.end());
  // Timed requests ran on the loads --speed-on chose; take them from wherever they are.
  std::vector<json> timed;
  for (const auto& s : all_primary)
    if (s.contains("decode_tok_s")) timed.push_back(s);

  json out;
  out["model"] = in.model.name;
  out["model_spec"] = in.model.spec;
  out["model_file_bytes"] = in.model.file_bytes;
  const json& first = all_primary.empty() ? json::object() : all_primary.front();
  out["backend"] = first.value("backend", std::string());
  out["adapter"] = first.value("adapter", json());
  out["browser"] = in.browser;
  out["flags"] = in.flags;
  out["runs"] = in.runs;
  out["throttle"] = {{"name", in.throttle.name}, {"bytes_per_s", in.throttle.bytes_per_s},
                     {"mbit_s", in.throttle.bytes_per_s * 8 / 1e6}};
  out["cold"] = load_side(cold);
  out["warm"] = load_side(warm);
  for (const char* key : {"ttft_ms", "prefill_tok_s", "decode_tok_s"}) {
    const std::vector<json>& from = std::string(key) == "ttft_ms" ? all_primary : timed;
    const SampleStats s = collect(from, std::string("/") + key);
    out[key] = median_or_null(s);
    out[std::string(key) + "_stats"] = s.to_json();
    out[std::string("engine_") + key + "_stats"] = speed(from, std::string("engine_") + key);
  }
  // Decode under --schema: the same request constrained, against unconstrained
  // decode of the same run, and the share of tokens jump-forward supplied.
  std::vector<json> constrained;
  for (const auto& s : timed)
    if (s.contains("constrained_decode_tok_s")) constrained.push_back(s);
  if (!constrained.empty()) {
    const SampleStats tok_s = collect(constrained, "/constrained_decode_tok_s");
    const SampleStats tokens = collect(constrained, "/constrained_tokens");
    const SampleStats forced = collect(constrained, "/constrained_forced_tokens");
    const SampleStats plain = collect(constrained, "/decode_tok_s");
    out["constrained"] = {
        {"decode_tok_s", tok_s.to_json()},
        {"ratio_to_decode", tok_s.empty() || plain.empty() || plain.median() <= 0 ? json() : json(tok_s.median() / plain.median())},
        {"tokens", tokens.to_json()},
        {"forced_share", tokens.empty() || forced.empty() || tokens.median() <= 0 ? json() : json(forced.median() / tokens.median())}};
  }
  out["ttft_prompt_tokens"] = first.value(json::json_pointer("/page/ttft/prompt_tokens"), 0);
  out["prefill_tokens"] = timed.empty() ? json() : json(timed.front().value("prefill_tokens", 0));
  out["decode_tokens"] = timed.empty() ? json() : json(timed.front().value("decode_tokens", 0));
  out["memory"] = {
      {"renderer_peak_rss_bytes", max_of(all_primary, "/memory/renderer_peak_rss_bytes")},
      {"gpu_peak_rss_bytes", max_of(all_primary, "/memory/gpu_peak_rss_bytes")},
      {"browser_peak_rss_bytes", max_of(all_primary, "/memory/browser_peak_rss_bytes")},
      {"tree_peak_rss_bytes_sum", max_of(all_primary, "/memory/tree_peak_rss_bytes")},
      {"js_heap_peak_bytes", max_of(all_primary, "/memory/js_heap_peak_bytes")},
      {"note", "the largest over the runs; RSS is each process's VmHWM, the tree figure sums those peaks"}};
  if (in.throttle.capped()) {
    // The same cap applied two ways: the rig server paces the model's
    // responses; CDP throttles the page's network. Achieved download rate of
    // the cold loads under each, against the cap.
    const double cap = in.throttle.bytes_per_s * 8 / 1e6;
    json check;
    for (const char* via : {"server", "cdp"}) {
      const SampleStats rate = collect(select(in.samples, "cold", via), "/download_mbit_s");
      const SampleStats load = collect(select(in.samples, "cold", via), "/load_ms");
      check[via] = {{"download_mbit_s", rate.to_json()},
                    {"fraction_of_cap", rate.empty() ? json() : json(rate.median() / cap)},
                    {"cold_load_ms", load.to_json()}};
    }
    const bool both = check["server"]["download_mbit_s"].is_object() && check["cdp"]["download_mbit_s"].is_object();
    if (both) {
      const double a = check["server"]["download_mbit_s"]["median"], b = check["cdp"]["download_mbit_s"]["median"];
      check["agree"] = std::fabs(a - b) <= 0.1 * std::max(a, b);
    }
    check["cap_mbit_s"] = cap;
    out["throttle_check"] = check;
  }
  out["samples"] = in.samples;
  out["record"] = lantern_record(out);
  out["peers"] = in.peers;
  out["vs_peers"] = pair_with_peers(out["record"], in.peers);
  return out;
}

json lantern_record(const json& s) {
  json r;
  r["engine"] = "lantern";
  r["config"] = s.value("backend", std::string());
  r["backend"] = s.value("backend", std::string());
  r["runs"] = s.value("runs", 0);
  r["load_ms"] = s["warm"]["load_ms_stats"];
  r["cold"] = {{"load_ms", s["cold"]["load_ms_stats"]}, {"bytes_served", s["cold"]["bytes_served"]}};
  r["warm"] = {{"load_ms", s["warm"]["load_ms_stats"]}, {"bytes_served", s["warm"]["bytes_served"]}};
  r["ttft_ms"] = s["ttft_ms_stats"];
  r["prefill_tok_s"] = s["prefill_tok_s_stats"];
  r["decode_tok_s"] = s["decode_tok_s_stats"];
  return r;
}

json pair_with_peers(const json& lantern, const std::vector<json>& peers) {
  json out = json::array();
  auto median = [](const json& j, const json::json_pointer& p) -> std::optional<double> {
    if (!j.contains(p)) return std::nullopt;
    const json& v = j.at(p);
    if (v.is_object() && v.contains("median") && v["median"].is_number()) return v["median"].get<double>();
    if (v.is_number()) return v.get<double>();
    return std::nullopt;
  };
  for (const auto& peer : peers) {
    json pair = {{"peer", peer.value("engine", std::string()) + " / " + peer.value("config", std::string())}};
    if (peer.contains("error")) pair["error"] = peer["error"];
    for (const char* key : {"/load_ms", "/cold/load_ms", "/warm/load_ms", "/ttft_ms", "/prefill_tok_s", "/decode_tok_s"}) {
      const json::json_pointer p(key);
      const auto a = median(lantern, p), b = median(peer, p);
      if (a && b && *b > 0) pair[std::string(key).substr(1)] = {{"lantern", *a}, {"peer", *b}, {"ratio", *a / *b}};
    }
    out.push_back(pair);
  }
  return out;
}

}  // namespace lantern::rig::bench
