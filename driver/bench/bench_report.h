// The bench's human-readable output: Markdown tables (printed to the console
// and written to tables.md), one row per model and throttle profile, a phase
// table of cold against warm, the throttle check and Lantern/peer ratios.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace lantern::rig::bench {

// `summaries` are bench_summary.h objects.
std::string render_tables(const std::vector<nlohmann::json>& summaries);

}  // namespace lantern::rig::bench
