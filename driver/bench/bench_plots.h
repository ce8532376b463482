// SVG plots of a bench with gnuplot (Debian's gnuplot-nox): per model, cold
// against warm bars for each load phase; across models, prefill and decode
// tok/s per engine (Lantern and any peers). Data and scripts are written
// beside the SVGs so a plot can be remade or restyled by hand.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace lantern::rig::bench {

// Writes the plots into `dir`; returns the SVG paths written. Throws
// std::runtime_error when gnuplot is missing or fails (its message included).
std::vector<std::string> write_plots(const std::vector<nlohmann::json>& summaries, const std::string& dir);

// "qwen2.5-0.5b-q4_0 @ 50mbit" -> "qwen2.5-0.5b-q4_0_50mbit" (file names).
std::string plot_file_stem(const std::string& label);

}  // namespace lantern::rig::bench
