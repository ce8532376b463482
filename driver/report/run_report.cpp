#include "report/run_report.h"

#include <ctime>

namespace lantern::rig {

std::size_t RunReport::count(ScenarioStatus status) const {
  std::size_t n = 0;
  for (const auto& r : results) n += r.status == status;
  return n;
}

std::string utc_timestamp_now() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace lantern::rig
