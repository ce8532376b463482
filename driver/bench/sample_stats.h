// Median, min and max of a metric over the runs, with the samples kept.
#pragma once

#include <optional>
#include <vector>

#include <nlohmann/json.hpp>

namespace lantern::rig::bench {

struct SampleStats {
  std::vector<double> samples;
  bool empty() const { return samples.empty(); }
  double median() const;  // the mean of the middle two for an even count; 0 when empty
  double min() const;
  double max() const;
  // {"median","min","max","samples"}, or null when there are no samples.
  nlohmann::json to_json() const;
};

// Collects a number at `pointer` from each JSON (skipping missing/null ones).
SampleStats collect(const std::vector<nlohmann::json>& docs, const std::string& pointer);

}  // namespace lantern::rig::bench
