#include "bench/bench_plots.h"

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <stdexcept>

namespace lantern::rig::bench {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

const std::pair<const char*, const char*> kPlotPhases[] = {
    {"module", "wasm module"}, {"header", "header"},       {"download", "download"},  {"cache_read", "cache read"},
    {"cache_write", "cache write"}, {"gpu_upload", "GPU upload"}, {"gpu_drain", "GPU drain"}, {"compile", "compile"},
    {"first_token", "first token"}};

double phase_median(const json& side, const char* phase) {
  const json& p = side["phases"][phase];
  return p.is_object() ? p["median"].get<double>() : 0.0;
}

double median_of(const json& stats) {
  if (stats.is_object() && stats.contains("median") && stats["median"].is_number()) return stats["median"].get<double>();
  return 0;
}

void run_gnuplot(const fs::path& script) {
  const std::string cmd = "gnuplot '" + script.string() + "' 2>'" + script.string() + ".log'";
  if (std::system(cmd.c_str()) != 0) {
    std::ifstream log(script.string() + ".log");
    std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
    throw std::runtime_error("gnuplot failed on " + script.string() + " (is gnuplot-nox installed? ci/setup.sh installs it): " + text);
  }
}

std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) out += (c == '"' || c == '\\') ? '_' : c;
  return out + "\"";
}

const char* kStyle =
    // noenhanced: model names hold '_' (q4_0), which enhanced text would set as a subscript.
    "set terminal svg size 900,420 dynamic noenhanced font 'sans,12' background '#ffffff'\n"
    "set style data histograms\nset style histogram clustered gap 1\nset style fill solid 0.85 border -1\n"
    "set boxwidth 0.9\nset grid ytics\nset key top left\nset xtics nomirror font 'sans,11'\n";

}  // namespace

std::string plot_file_stem(const std::string& label) {
  std::string out;
  for (char c : label) {
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_') out += c;
    else if (!out.empty() && out.back() != '_') out += '_';
  }
  while (!out.empty() && out.back() == '_') out.pop_back();
  return out;
}

std::vector<std::string> write_plots(const std::vector<json>& summaries, const std::string& dir) {
  fs::create_directories(dir);
  std::vector<std::string> written;
  // Cold against warm, per phase, one plot per model and throttle.
  for (const auto& s : summaries) {
    std::string label = s.value("model", "model");
    if (s["throttle"]["bytes_per_s"].get<double>() > 0) label += " @ " + s["throttle"].value("name", "");
    const std::string stem = "load_phases_" + plot_file_stem(label);
    const fs::path dat = fs::path(dir) / (stem + ".dat"), gp = fs::path(dir) / (stem + ".gp"),
                   svg = fs::path(dir) / (stem + ".svg");
    std::ofstream d(dat);
    d << "# phase cold_ms warm_ms (medians)\n";
    for (const auto& [key, name] : kPlotPhases)
      d << quoted(name) << " " << phase_median(s["cold"], key) << " " << phase_median(s["warm"], key) << "\n";
    d << quoted("total") << " " << median_of(s["cold"]["load_ms_stats"]) << " " << median_of(s["warm"]["load_ms_stats"]) << "\n";
    d.close();
    std::ofstream g(gp);
    g << kStyle << "set output " << quoted(svg.string()) << "\n"
      << "set title " << quoted("Load phases, cold vs warm: " + label + " (" + s.value("backend", "") + ", median of " +
                                std::to_string(s.value("runs", 0)) + ")")
      << "\nset ylabel 'ms (wall time per phase)'\n"
      << "plot " << quoted(dat.string()) << " using 2:xtic(1) title 'cold' lc rgb '#c0504d', '' using 3 title 'warm' lc rgb '#4f81bd'\n";
    g.close();
    run_gnuplot(gp);
    written.push_back(svg.string());
  }
  // Tok/s per model and engine configuration (Lantern and peers), unthrottled runs only.
  std::vector<std::string> engines;
  std::map<std::string, std::map<std::string, std::pair<double, double>>> by_model;  // model -> engine -> prefill, decode
  std::vector<std::string> models;
  for (const auto& s : summaries) {
    if (s["throttle"]["bytes_per_s"].get<double>() > 0) continue;
    const std::string model = s.value("model", "");
    if (!by_model.count(model)) models.push_back(model);
    std::vector<json> records{s["record"]};
    for (const auto& p : s["peers"]) records.push_back(p);
    for (const auto& r : records) {
      if (r.contains("error")) continue;
      const std::string engine = r.value("engine", "") + " " + r.value("config", "");
      if (std::find(engines.begin(), engines.end(), engine) == engines.end()) engines.push_back(engine);
      by_model[model][engine] = {median_of(r["prefill_tok_s"]), median_of(r["decode_tok_s"])};
    }
  }
  if (!models.empty()) {
    for (int which = 0; which < 2; ++which) {
      const std::string stem = which == 0 ? "prefill_tok_s" : "decode_tok_s";
      const fs::path dat = fs::path(dir) / (stem + ".dat"), gp = fs::path(dir) / (stem + ".gp"),
                     svg = fs::path(dir) / (stem + ".svg");
      std::ofstream d(dat);
      d << "# model";
      for (const auto& e : engines) d << " " << quoted(e);
      d << "\n";
      for (const auto& m : models) {
        d << quoted(m);
        for (const auto& e : engines) {
          auto it = by_model[m].find(e);
          const double v = it == by_model[m].end() ? 0.0 : (which == 0 ? it->second.first : it->second.second);
          if (v > 0) d << " " << v;
          else d << " NaN";  // missing: no bar
        }
        d << "\n";
      }
      d.close();
      std::ofstream g(gp);
      g << kStyle << "set output " << quoted(svg.string()) << "\n"
        << "set title " << quoted(which == 0 ? "Prefill tok/s per model and engine (median)" : "Decode tok/s per model and engine (median)")
        << "\nset ylabel 'tokens/s'\nset yrange [0:*]\nplot ";
      for (std::size_t i = 0; i < engines.size(); ++i)
        g << (i ? ", '' " : quoted(dat.string()) + " ") << "using " << i + 2 << (i == 0 ? ":xtic(1)" : "") << " title "
          << quoted(engines[i]);
      g << "\n";
      g.close();
      run_gnuplot(gp);
      written.push_back(svg.string());
    }
  }
  return written;
}

}  // namespace lantern::rig::bench
