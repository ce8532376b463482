// One `lantern-rig run`: when, where, with which settings, and every
// scenario's result. The console table, report.json and junit.xml are all
// views of this.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "scenarios/scenario.h"

namespace lantern::rig {

struct RunReport {
  std::string rig_version;
  std::string started_at;  // ISO 8601, UTC
  std::string host;
  double seconds = 0;      // wall time of the whole run
  nlohmann::json settings = nlohmann::json::object();  // matrix, filters, timeout, retries
  std::vector<ScenarioResult> results;

  std::size_t count(ScenarioStatus status) const;
  bool all_passed() const { return count(ScenarioStatus::kFailed) == 0; }
};

// "2026-11-22T00:56:21Z" for now.
std::string utc_timestamp_now();

}  // namespace lantern::rig
