#include "report/console_table.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <vector>

namespace lantern::rig {

namespace {

std::string one_line(const std::string& s, std::size_t max_chars) {
  std::string out;
  for (char c : s) out += (c == '\n' || c == '\r' || c == '\t') ? ' ' : c;
  if (out.size() > max_chars) out = out.substr(0, max_chars > 3 ? max_chars - 3 : 0) + "...";
  return out;
}

std::string seconds_text(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f s", s);
  return buf;
}

}  // namespace

std::string format_totals(const RunReport& report) {
  char buf[160];
  std::snprintf(buf, sizeof buf, "%zu runs: %zu passed, %zu failed, %zu skipped in %.1f s", report.results.size(),
                report.count(ScenarioStatus::kPassed), report.count(ScenarioStatus::kFailed),
                report.count(ScenarioStatus::kSkipped), report.seconds);
  return buf;
}

std::string format_console_table(const RunReport& report, std::size_t max_reason_chars) {
  using Row = std::array<std::string, 7>;
  std::vector<Row> rows;
  rows.push_back({"SCENARIO", "SUITE", "BROWSER", "PROFILE", "RESULT", "TIME", "REASON"});
  for (const auto& r : report.results) {
    std::string result = scenario_status_name(r.status);
    if (r.attempts > 1) result += " (" + std::to_string(r.attempts) + " tries)";
    rows.push_back({r.scenario, r.suite, r.browser, r.profile, result, seconds_text(r.seconds),
                    one_line(r.reason, max_reason_chars)});
  }
  std::array<std::size_t, 7> width{};
  for (const auto& row : rows)
    for (std::size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());

  std::string out;
  for (std::size_t r = 0; r < rows.size(); ++r) {
    std::string line;
    for (std::size_t i = 0; i < rows[r].size(); ++i) {
      std::string cell = rows[r][i];
      if (i + 1 < rows[r].size()) cell.resize(width[i] + 2, ' ');  // last column is not padded
      line += cell;
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
    if (r == 0) {
      std::size_t total = 0;
      for (std::size_t i = 0; i < width.size(); ++i) total += width[i] + (i + 1 < width.size() ? 2 : 0);
      out += std::string(std::min<std::size_t>(total, 110), '-') + "\n";
    }
  }
  out += format_totals(report) + "\n";
  return out;
}

}  // namespace lantern::rig
