// junit.xml for CI servers (Jenkins, GitLab, GitHub test reporters):
// <testsuites> holds one <testsuite> per suite x browser x profile; each
// scenario run is a <testcase> with <failure> (reason, log) and
// <system-err> (the browser's stderr tail) when it failed, <skipped> when
// skipped, and <system-out> with its log.
#pragma once

#include <string>

#include "report/run_report.h"

namespace lantern::rig {

std::string report_to_junit_xml(const RunReport& report);
// Escapes text for XML attributes and content; drops characters XML 1.0
// forbids (control characters other than tab, newline, carriage return) and
// replaces invalid UTF-8 with U+FFFD.
std::string xml_escape(const std::string& text);
void write_junit_report(const RunReport& report, const std::string& path);

}  // namespace lantern::rig
