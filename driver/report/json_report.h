// report.json: the whole run, machine-readable (results with reasons, logs,
// metrics and the browser's stderr tail on failure).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "report/run_report.h"

namespace lantern::rig {

nlohmann::json report_to_json(const RunReport& report);
nlohmann::json result_to_json(const ScenarioResult& result);
// Writes the JSON (pretty-printed) to `path`; throws std::runtime_error.
void write_json_report(const RunReport& report, const std::string& path);

}  // namespace lantern::rig
