#include "report/json_report.h"

#include <fstream>
#include <stdexcept>

namespace lantern::rig {

using nlohmann::json;

namespace {
std::string status_word(ScenarioStatus s) {
  switch (s) {
    case ScenarioStatus::kPassed: return "passed";
    case ScenarioStatus::kFailed: return "failed";
    case ScenarioStatus::kSkipped: return "skipped";
  }
  return "unknown";
}
}  // namespace

json result_to_json(const ScenarioResult& r) {
  json j = {{"scenario", r.scenario},     {"suite", r.suite},       {"browser", r.browser},
            {"profile", r.profile},       {"status", status_word(r.status)},
            {"reason", r.reason},         {"seconds", r.seconds},   {"attempts", r.attempts},
            {"metrics", r.metrics.is_null() ? json::object() : r.metrics},
            {"log", r.log}};
  if (!r.browser_stderr_tail.empty()) j["browser_stderr_tail"] = r.browser_stderr_tail;
  return j;
}

json report_to_json(const RunReport& report) {
  json results = json::array();
  for (const auto& r : report.results) results.push_back(result_to_json(r));
  return {{"tool", "lantern-rig"},
          {"rig_version", report.rig_version},
          {"started_at", report.started_at},
          {"host", report.host},
          {"seconds", report.seconds},
          {"settings", report.settings},
          {"summary",
           {{"total", report.results.size()},
            {"passed", report.count(ScenarioStatus::kPassed)},
            {"failed", report.count(ScenarioStatus::kFailed)},
            {"skipped", report.count(ScenarioStatus::kSkipped)}}},
          {"results", results}};
}

void write_json_report(const RunReport& report, const std::string& path) {
  std::ofstream out(path);
  if (!out) throw std::runtime_error("cannot write " + path);
  // Browser stderr may hold invalid UTF-8: replace it rather than throw.
  out << report_to_json(report).dump(2, ' ', false, json::error_handler_t::replace) << "\n";
  if (!out) throw std::runtime_error("error writing " + path);
}

}  // namespace lantern::rig
