#include "bench/bench_report.h"

#include <cstdio>
#include <sstream>

namespace lantern::rig::bench {

using nlohmann::json;

namespace {

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

// "123 (110-140)" from a stats object; "-" when missing.
std::string spread(const json& stats, const char* f = "%.0f") {
  if (!stats.is_object()) return "-";
  std::string s = fmt(f, stats["median"].get<double>());
  if (stats["samples"].size() > 1) s += " (" + fmt(f, stats["min"].get<double>()) + "-" + fmt(f, stats["max"].get<double>()) + ")";
  return s;
}

std::string num(const json& v, const char* f = "%.0f") { return v.is_number() ? fmt(f, v.get<double>()) : "-"; }
std::string mb(const json& v) { return v.is_number() ? fmt("%.1f", v.get<double>() / 1e6) : "-"; }
std::string label(const json& s) { return s.value("model", "") + (s["throttle"]["bytes_per_s"].get<double>() > 0 ? " @ " + s["throttle"].value("name", "") : ""); }

}  // namespace

std::string render_tables(const std::vector<json>& summaries) {
  std::ostringstream o;
  o << "| model | backend | cold load ms | warm load ms | warm floor ms (ratio) | MB served cold / warm | bytes agree (log vs CDP) | TTFT ms | prefill tok/s | decode tok/s |\n"
       "| --- | --- | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: |\n";
  for (const auto& s : summaries) {
    const json& c = s["cold"];
    const json& w = s["warm"];
    o << "| " << label(s) << " | " << s.value("backend", "") << " | " << spread(c["load_ms_stats"]) << " | "
      << spread(w["load_ms_stats"]) << " | " << num(w["floor_ms"]) << " (" << num(w["floor_ratio"], "%.2fx") << ") | "
      << mb(c["bytes_served"]) << " / " << mb(w["bytes_served"]) << " | "
      << (c.value("bytes_agree", false) && w.value("bytes_agree", false) ? "yes" : "NO") << " | "
      << spread(s["ttft_ms_stats"], "%.1f") << " | " << spread(s["prefill_tok_s_stats"], "%.1f") << " (" << num(s["prefill_tokens"]) << " tok) | "
      << spread(s["decode_tok_s_stats"], "%.1f") << " (" << num(s["decode_tokens"]) << " tok) |\n";
  }
  o << "\nLoad phases, median ms (wall time of each phase; download, cache and upload overlap, 'overlap' is the sum of their walls minus the time any of them ran):\n\n"
       "| model | load | module | header | download | cache read | cache write | GPU upload | GPU drain | overlap | compile | first token | total |\n"
       "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n";
  for (const auto& s : summaries) {
    for (const char* side : {"cold", "warm"}) {
      const json& p = s[side]["phases"];
      auto m = [&](const char* k) { return p[k].is_object() ? num(p[k]["median"], "%.1f") : std::string("-"); };
      o << "| " << label(s) << " | " << side << " | " << m("module") << " | " << m("header") << " | " << m("download") << " | "
        << m("cache_read") << " | " << m("cache_write") << " | " << m("gpu_upload") << " | " << m("gpu_drain") << " | "
        << m("overlap") << " | " << m("compile") << " | " << m("first_token") << " | " << num(s[side]["load_ms"], "%.1f") << " |\n";
    }
  }
  o << "\nPeak memory (largest over the runs; MB):\n\n"
       "| model | renderer RSS | GPU process RSS | browser RSS | JS heap used |\n| --- | ---: | ---: | ---: | ---: |\n";
  for (const auto& s : summaries) {
    const json& m = s["memory"];
    o << "| " << label(s) << " | " << mb(m["renderer_peak_rss_bytes"]) << " | " << mb(m["gpu_peak_rss_bytes"]) << " | "
      << mb(m["browser_peak_rss_bytes"]) << " | " << mb(m["js_heap_peak_bytes"]) << " |\n";
  }
  bool any_constrained = false;
  for (const auto& s : summaries) any_constrained = any_constrained || s.contains("constrained");
  if (any_constrained) {
    o << "\nDecode under a JSON Schema (--schema; greedy, the same prompt as decode):\n\n"
         "| model | constrained tok/s | of unconstrained | tokens | jump-forward share |\n| --- | ---: | ---: | ---: | ---: |\n";
    for (const auto& s : summaries) {
      if (!s.contains("constrained")) continue;
      const json& c = s["constrained"];
      o << "| " << label(s) << " | " << spread(c["decode_tok_s"], "%.1f") << " | " << num(c["ratio_to_decode"], "%.2fx") << " | "
        << num(c["tokens"]["median"]) << " | "
        << num(c["forced_share"].is_number() ? json(c["forced_share"].get<double>() * 100) : json(), "%.0f%%") << " |\n";
    }
  }
  bool any_throttle = false;
  for (const auto& s : summaries) any_throttle = any_throttle || s.contains("throttle_check");
  if (any_throttle) {
    o << "\nDownload rate of cold loads under a cap (model bytes over the download phase's wall time):\n\n"
         "| model | cap Mbit/s | rig server knob Mbit/s (of cap) | CDP emulation Mbit/s (of cap) | agree | cold load ms (server / CDP) |\n"
         "| --- | ---: | ---: | ---: | --- | ---: |\n";
    for (const auto& s : summaries) {
      if (!s.contains("throttle_check")) continue;
      const json& t = s["throttle_check"];
      auto via = [&](const char* v) {
        return spread(t[v]["download_mbit_s"], "%.1f") + " (" + num(t[v]["fraction_of_cap"].is_number() ? json(t[v]["fraction_of_cap"].get<double>() * 100) : json(), "%.0f%%") + ")";
      };
      o << "| " << s.value("model", "") << " | " << num(t["cap_mbit_s"]) << " | " << via("server") << " | " << via("cdp") << " | "
        << (t.contains("agree") ? (t["agree"].get<bool>() ? "yes" : "no") : "-") << " | "
        << spread(t["server"]["cold_load_ms"]) << " / " << spread(t["cdp"]["cold_load_ms"]) << " |\n";
    }
  }
  bool any_peer = false;
  for (const auto& s : summaries) any_peer = any_peer || !s["vs_peers"].empty();
  if (any_peer) {
    o << "\nLantern against peers (same machine, same file, same run; ratio = Lantern / peer):\n\n"
         "| model | peer | warm load ms | TTFT ms | prefill tok/s | decode tok/s |\n| --- | --- | --- | --- | --- | --- |\n";
    for (const auto& s : summaries) {
      for (const auto& p : s["vs_peers"]) {
        auto cell = [&](const char* k) {
          if (!p.contains(k)) return std::string("-");
          return num(p[k]["lantern"], "%.1f") + " / " + num(p[k]["peer"], "%.1f") + " = " + num(p[k]["ratio"], "%.2fx");
        };
        o << "| " << label(s) << " | " << p.value("peer", "") << (p.contains("error") ? " (error: " + p["error"].get<std::string>() + ")" : "")
          << " | " << cell("load_ms") << " | " << cell("ttft_ms") << " | " << cell("prefill_tok_s") << " | " << cell("decode_tok_s") << " |\n";
      }
    }
  }
  return o.str();
}

}  // namespace lantern::rig::bench
