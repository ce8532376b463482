#include "report/junit_report.h"

#include <cstdio>
#include <fstream>
#include <map>
#include <stdexcept>
#include <tuple>
#include <vector>

namespace lantern::rig {

namespace {

std::string fixed3(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", v);
  return buf;
}

// Length of the valid UTF-8 sequence starting at s[i], or 0 if invalid.
std::size_t utf8_sequence_length(const std::string& s, std::size_t i) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = byte(i);
  std::size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k)
    if ((byte(i + k) & 0xc0) != 0x80) return 0;
  if (n == 2 && c < 0xc2) return 0;  // overlong
  return n;
}

std::string log_text(const ScenarioResult& r) {
  std::string out;
  for (const auto& l : r.log) out += l + "\n";
  return out;
}

}  // namespace

std::string xml_escape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      std::size_t n = utf8_sequence_length(text, i);
      if (n == 0) {
        out += "\xEF\xBF\xBD";  // U+FFFD
        ++i;
      } else {
        out.append(text, i, n);
        i += n;
      }
      continue;
    }
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      case '\t': case '\n': case '\r': out += static_cast<char>(c); break;
      default:
        if (c >= 0x20) out += static_cast<char>(c);  // other control chars are not allowed in XML 1.0
    }
    ++i;
  }
  return out;
}

std::string report_to_junit_xml(const RunReport& report) {
  // Group runs by suite x browser x profile, keeping first-seen order.
  using Key = std::tuple<std::string, std::string, std::string>;
  std::vector<Key> order;
  std::map<Key, std::vector<const ScenarioResult*>> groups;
  for (const auto& r : report.results) {
    Key k{r.suite, r.browser, r.profile};
    if (!groups.count(k)) order.push_back(k);
    groups[k].push_back(&r);
  }

  std::string x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  x += "<testsuites name=\"lantern-rig\" tests=\"" + std::to_string(report.results.size()) + "\" failures=\"" +
       std::to_string(report.count(ScenarioStatus::kFailed)) + "\" errors=\"0\" skipped=\"" +
       std::to_string(report.count(ScenarioStatus::kSkipped)) + "\" time=\"" + fixed3(report.seconds) + "\">\n";
  for (const auto& k : order) {
    const auto& [suite, browser, profile] = k;
    const auto& runs = groups[k];
    std::size_t failures = 0, skipped = 0;
    double time = 0;
    for (const auto* r : runs) {
      failures += r->status == ScenarioStatus::kFailed;
      skipped += r->status == ScenarioStatus::kSkipped;
      time += r->seconds;
    }
    const std::string name = suite + " [" + browser + "/" + profile + "]";
    x += "  <testsuite name=\"" + xml_escape(name) + "\" tests=\"" + std::to_string(runs.size()) + "\" failures=\"" +
         std::to_string(failures) + "\" errors=\"0\" skipped=\"" + std::to_string(skipped) + "\" time=\"" +
         fixed3(time) + "\" timestamp=\"" + xml_escape(report.started_at) + "\" hostname=\"" +
         xml_escape(report.host.empty() ? "localhost" : report.host) + "\">\n";
    x += "    <properties>\n";
    x += "      <property name=\"browser\" value=\"" + xml_escape(browser) + "\"/>\n";
    x += "      <property name=\"profile\" value=\"" + xml_escape(profile) + "\"/>\n";
    x += "      <property name=\"rig_version\" value=\"" + xml_escape(report.rig_version) + "\"/>\n";
    x += "    </properties>\n";
    // classname groups test cases in CI views: lantern.<suite>.<browser>.<profile>
    const std::string classname = "lantern." + suite + "." + browser + "." + profile;
    for (const auto* r : runs) {
      x += "    <testcase name=\"" + xml_escape(r->scenario) + "\" classname=\"" + xml_escape(classname) +
           "\" time=\"" + fixed3(r->seconds) + "\"";
      std::string log = log_text(*r);
      if (r->status == ScenarioStatus::kPassed && log.empty()) {
        x += "/>\n";
        continue;
      }
      x += ">\n";
      if (r->status == ScenarioStatus::kFailed) {
        x += "      <failure message=\"" + xml_escape(r->reason) + "\" type=\"ScenarioFailure\">" +
             xml_escape(r->reason + (r->attempts > 1 ? "\n(after " + std::to_string(r->attempts) + " attempts)" : "") +
                        "\n\n" + log) +
             "</failure>\n";
      } else if (r->status == ScenarioStatus::kSkipped) {
        x += "      <skipped message=\"" + xml_escape(r->reason) + "\"/>\n";
      }
      if (!log.empty()) x += "      <system-out>" + xml_escape(log) + "</system-out>\n";
      if (r->status == ScenarioStatus::kFailed && !r->browser_stderr_tail.empty())
        x += "      <system-err>" + xml_escape(r->browser_stderr_tail) + "</system-err>\n";
      x += "    </testcase>\n";
    }
    x += "  </testsuite>\n";
  }
  x += "</testsuites>\n";
  return x;
}

void write_junit_report(const RunReport& report, const std::string& path) {
  std::ofstream out(path);
  if (!out) throw std::runtime_error("cannot write " + path);
  out << report_to_junit_xml(report);
  if (!out) throw std::runtime_error("error writing " + path);
}

}  // namespace lantern::rig
