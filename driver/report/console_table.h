// The human-readable summary printed at the end of a run: one row per
// scenario run (scenario, suite, browser, profile, result, time, reason) and
// a totals line. Long reasons are cut; the reports keep them whole.
#pragma once

#include <string>

#include "report/run_report.h"

namespace lantern::rig {

std::string format_console_table(const RunReport& report, std::size_t max_reason_chars = 90);
// "11 runs: 10 passed, 1 failed, 0 skipped in 15.2 s"
std::string format_totals(const RunReport& report);

}  // namespace lantern::rig
