// report.json, junit.xml and the console table from a hand-built RunReport:
// structure, counts, escaping (markup, control characters, invalid UTF-8),
// and that failures carry their reason, log and the browser's stderr.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "report/console_table.h"
#include "report/json_report.h"
#include "report/junit_report.h"

namespace lantern::rig {
namespace {

ScenarioResult result(const std::string& name, const std::string& suite, ScenarioStatus status,
                      const std::string& reason = "", const std::string& profile = "swiftshader") {
  ScenarioResult r;
  r.scenario = name;
  r.suite = suite;
  r.browser = "headless-shell";
  r.profile = profile;
  r.status = status;
  r.reason = reason;
  r.seconds = 1.25;
  r.attempts = 1;
  return r;
}

RunReport sample() {
  RunReport rep;
  rep.rig_version = "9.9.9";
  rep.started_at = "2026-01-02T03:04:05Z";
  rep.host = "ci-host";
  rep.seconds = 7.5;
  rep.results.push_back(result("webgpu-adapter", "basic", ScenarioStatus::kPassed));
  auto failed = result("streaming", "basic", ScenarioStatus::kFailed,
                       "chunk count: expected 12, got 11 <&> \"quoted\"");
  failed.log = {"[ 1.0 ms] launched", "[ 2.0 ms] console.error: bad \x01 char"};
  failed.browser_stderr_tail = "DevTools listening on ws://x\n[ERROR] \xff\xfe broken utf8\n";
  failed.attempts = 2;
  rep.results.push_back(failed);
  rep.results.push_back(result("cache-cold-warm", "cache", ScenarioStatus::kSkipped, "not run: interrupted"));
  rep.results.push_back(result("webgpu-adapter", "basic", ScenarioStatus::kPassed, "", "no-webgpu"));
  return rep;
}

TEST(RunReportTest, Counts) {
  auto rep = sample();
  EXPECT_EQ(2u, rep.count(ScenarioStatus::kPassed));
  EXPECT_EQ(1u, rep.count(ScenarioStatus::kFailed));
  EXPECT_EQ(1u, rep.count(ScenarioStatus::kSkipped));
  EXPECT_FALSE(rep.all_passed());
}

TEST(JsonReport, HoldsSummaryAndResults) {
  auto j = report_to_json(sample());
  EXPECT_EQ("lantern-rig", j["tool"]);
  EXPECT_EQ("9.9.9", j["rig_version"]);
  EXPECT_EQ(4, j["summary"]["total"]);
  EXPECT_EQ(1, j["summary"]["failed"]);
  ASSERT_EQ(4u, j["results"].size());
  const auto& f = j["results"][1];
  EXPECT_EQ("failed", f["status"]);
  EXPECT_EQ(2, f["attempts"]);
  EXPECT_EQ(2u, f["log"].size());
  EXPECT_TRUE(f.contains("browser_stderr_tail"));
  EXPECT_FALSE(j["results"][0].contains("browser_stderr_tail"));
  // Invalid UTF-8 from the browser must not break serialization.
  EXPECT_NO_THROW(j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace));
}

TEST(JunitReport, EscapesAndDropsForbiddenCharacters) {
  EXPECT_EQ("a &lt;b&gt; &amp; &quot;c&quot; &apos;d&apos;", xml_escape("a <b> & \"c\" 'd'"));
  EXPECT_EQ("tab\tnl\ncr\r", xml_escape("tab\tnl\ncr\r"));
  EXPECT_EQ("xy", xml_escape(std::string("x\x01\x1by")));
  EXPECT_EQ("caf\xC3\xA9", xml_escape("caf\xC3\xA9"));                  // valid UTF-8 kept
  EXPECT_EQ("\xEF\xBF\xBD" "a", xml_escape("\xff" "a"));               // invalid byte replaced
  EXPECT_EQ("\xEF\xBF\xBD", xml_escape("\xC3"));                       // truncated sequence
}

TEST(JunitReport, StructureFollowsSuiteBrowserProfileGroups) {
  std::string x = report_to_junit_xml(sample());
  EXPECT_EQ(0u, x.find("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
  EXPECT_NE(x.find("<testsuites name=\"lantern-rig\" tests=\"4\" failures=\"1\" errors=\"0\" skipped=\"1\""),
            std::string::npos)
      << x;
  // Three groups: basic/swiftshader, cache/swiftshader, basic/no-webgpu.
  std::size_t suites = 0;
  for (auto p = x.find("<testsuite "); p != std::string::npos; p = x.find("<testsuite ", p + 1)) ++suites;
  EXPECT_EQ(3u, suites);
  EXPECT_NE(x.find("<testsuite name=\"basic [headless-shell/swiftshader]\" tests=\"2\" failures=\"1\""),
            std::string::npos);
  EXPECT_NE(x.find("classname=\"lantern.basic.headless-shell.no-webgpu\""), std::string::npos);
  // The failure: escaped reason as message, log in the body, stderr in system-err.
  EXPECT_NE(x.find("<failure message=\"chunk count: expected 12, got 11 &lt;&amp;&gt; &quot;quoted&quot;\""),
            std::string::npos)
      << x;
  EXPECT_NE(x.find("(after 2 attempts)"), std::string::npos);
  EXPECT_NE(x.find("<system-err>DevTools listening on ws://x"), std::string::npos);
  EXPECT_EQ(x.find('\x01'), std::string::npos) << "control characters must be dropped";
  EXPECT_EQ(x.find('\xff'), std::string::npos) << "invalid UTF-8 must be replaced";
  EXPECT_NE(x.find("<skipped message=\"not run: interrupted\"/>"), std::string::npos);
  EXPECT_NE(x.find("</testsuites>"), std::string::npos);
  // Balanced elements.
  auto count = [&](const std::string& s) {
    std::size_t n = 0;
    for (auto p = x.find(s); p != std::string::npos; p = x.find(s, p + 1)) ++n;
    return n;
  };
  EXPECT_EQ(count("<testsuite "), count("</testsuite>"));
  EXPECT_EQ(count("<failure "), count("</failure>"));
}

TEST(ConsoleTable, OneRowPerRunAndTotals) {
  auto rep = sample();
  std::string t = format_console_table(rep, 30);
  std::size_t lines = 0;
  for (char c : t) lines += c == '\n';
  EXPECT_EQ(1u + 1u + 4u + 1u, lines) << t;  // header, rule, rows, totals
  EXPECT_NE(t.find("SCENARIO"), std::string::npos);
  EXPECT_NE(t.find("FAIL (2 tries)"), std::string::npos) << t;
  EXPECT_NE(t.find("chunk count: expected 12, g..."), std::string::npos) << t;  // cut to 30 chars
  EXPECT_NE(t.find("4 runs: 2 passed, 1 failed, 1 skipped in 7.5 s"), std::string::npos) << t;
  // Columns line up: "streaming" row's RESULT starts where the header's does.
  auto header_end = t.find('\n');
  auto col = t.substr(0, header_end).find("RESULT");
  auto row_start = t.find("streaming");
  row_start = t.rfind('\n', row_start) + 1;
  EXPECT_EQ("FAIL", t.substr(row_start + col, 4)) << t;
}

}  // namespace
}  // namespace lantern::rig
