#include "bench/sample_spread.h"

#include <algorithm>
#include <stdexcept>

namespace lantern::rig::bench {

nlohmann::json sample_spread(const std::vector<double>& samples) {
  if (samples.empty()) throw std::invalid_argument("sample_spread: no samples");
  std::vector<double> sorted = samples;
  std::sort(sorted.begin(), sorted.end());
  const size_t mid = sorted.size() / 2;
  const double median = sorted.size() % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return {{"median", median}, {"min", sorted.front()}, {"max", sorted.back()}, {"samples", samples}};
}

}  // namespace lantern::rig::bench
