// Medians and spreads of repeated measurements, in the bench JSON shape:
// {"median":..,"min":..,"max":..,"samples":[..]} (samples in run order).
#pragma once

#include <vector>

#include <nlohmann/json.hpp>

namespace lantern::rig::bench {

// Throws std::invalid_argument for an empty list.
nlohmann::json sample_spread(const std::vector<double>& samples);

}  // namespace lantern::rig::bench
