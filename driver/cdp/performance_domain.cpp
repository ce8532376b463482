#include "cdp/performance_domain.h"

namespace lantern::rig::cdp::performance {

void enable(const CdpSession& session) { session.call("Performance.enable"); }

std::map<std::string, double> get_metrics(const CdpSession& session) {
  auto r = session.call("Performance.getMetrics");
  std::map<std::string, double> out;
  if (auto m = r.find("metrics"); m != r.end() && m->is_array())
    for (const auto& e : *m)
      if (e.contains("name") && e.contains("value")) out[e["name"].get<std::string>()] = e["value"].get<double>();
  return out;
}

}  // namespace lantern::rig::cdp::performance
