#include "bench/sample_stats.h"

#include <algorithm>

namespace lantern::rig::bench {

double SampleStats::median() const {
  if (samples.empty()) return 0;
  std::vector<double> s = samples;
  std::sort(s.begin(), s.end());
  const std::size_t n = s.size();
  return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

double SampleStats::min() const { return samples.empty() ? 0 : *std::min_element(samples.begin(), samples.end()); }
double SampleStats::max() const { return samples.empty() ? 0 : *std::max_element(samples.begin(), samples.end()); }

nlohmann::json SampleStats::to_json() const {
  if (samples.empty()) return nullptr;
  return {{"median", median()}, {"min", min()}, {"max", max()}, {"samples", samples}};
}

SampleStats collect(const std::vector<nlohmann::json>& docs, const std::string& pointer) {
  SampleStats s;
  const nlohmann::json::json_pointer p(pointer);
  for (const auto& d : docs)
    if (d.contains(p) && d.at(p).is_number()) s.samples.push_back(d.at(p).get<double>());
  return s;
}

}  // namespace lantern::rig::bench
