// Killing the browser in the middle of a scenario: the scenario fails with a
// clear reason well within its timeout and no browser process remains. Also:
// a scenario that waits past its own timeout fails by that timeout; a page
// script that does not parse fails the wait at once.
#include <gtest/gtest.h>

#include <chrono>

#include "browser/live_browsers.h"
#include "scenarios/scenario_context.h"
#include "scenarios/scenario_registry.h"
#include "scenarios/scenario_runner.h"

namespace lantern::rig {
namespace {

using namespace std::chrono_literals;

ScenarioSettings settings(std::chrono::milliseconds timeout) {
  ScenarioSettings s;
  std::string error;
  auto b = resolve_browser("headless-shell", &error);
  if (!b) throw std::runtime_error(error);
  s.browser_name = b->name;
  s.browser_path = b->path;
  s.timeout = timeout;
  s.source_dir = LANTERN_SOURCE_DIR;
  return s;
}

std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += "  " + l + "\n";
  return out;
}

TEST(BrowserKilled, ScenarioFailsFastWithClearReasonAndNoOrphans) {
  const Scenario* sc = find_scenario("browser-killed");
  ASSERT_NE(nullptr, sc);
  ScenarioResult r = run_scenario(*sc, settings(30s));
  // The self-test passes only if its body failed for the expected reason.
  EXPECT_EQ(ScenarioStatus::kPassed, r.status) << r.reason << "\n" << joined(r.log);
  EXPECT_NE(r.reason.find("browser connection closed while waiting for page event 'never'"), std::string::npos) << r.reason;
  EXPECT_NE(r.reason.find("SIGKILL"), std::string::npos) << "reason should say how the browser died: " << r.reason;
  EXPECT_NE(r.reason.find("events seen: ready"), std::string::npos) << r.reason;
  EXPECT_LT(r.seconds, 10.0) << "must fail well within the 30 s timeout (the page waited up to 60 s)";
  ASSERT_EQ(1u, r.browser_process_groups.size());
  for (int g : r.browser_process_groups)
    EXPECT_TRUE(live_browsers::processes_in_group(g).empty()) << "processes left in group " << g;
  EXPECT_EQ(0u, live_browsers::count());
}

TEST(BrowserKilled, KillDuringNavigationIsAlsoClear) {
  Scenario sc;
  sc.name = "kill-during-load";
  sc.suite = "test";
  sc.run = [](ScenarioContext& ctx) {
    ctx.start_server();
    // Every response waits 3 s, so the kill lands while the page is loading.
    ctx.server().set_fault("/", Fault{3000ms, 0, std::nullopt, 0});
    Browser& b = ctx.launch_browser();
    ctx.after(300ms, [&b] { b.kill(); });
    ctx.open_page(b, "/idle.html");
  };
  ScenarioResult r = run_scenario(sc, settings(20s));
  EXPECT_EQ(ScenarioStatus::kFailed, r.status);
  EXPECT_NE(r.reason.find("connection closed"), std::string::npos) << r.reason << "\n" << joined(r.log);
  EXPECT_LT(r.seconds, 10.0);
  for (int g : r.browser_process_groups) EXPECT_TRUE(live_browsers::processes_in_group(g).empty());
}

// A scenario that opens `page` and waits up to 60 s for an event 'never'.
Scenario waits_for_never(const std::string& name, const std::string& page) {
  Scenario sc;
  sc.name = name;
  sc.suite = "test";
  sc.run = [page](ScenarioContext& ctx) {
    ctx.start_server();
    Browser& b = ctx.launch_browser();
    ctx.open_page(b, page).wait_for_event("never", 60s);
  };
  return sc;
}

TEST(PageScriptError, ScriptThatDoesNotParseFailsTheWaitAtOnce) {
  ScenarioResult r = run_scenario(waits_for_never("syntax-error", "/syntax_error.html"), settings(90s));
  EXPECT_EQ(ScenarioStatus::kFailed, r.status);
  EXPECT_NE(r.reason.find("a page script does not parse"), std::string::npos) << r.reason << "\n" << joined(r.log);
  EXPECT_NE(r.reason.find("SyntaxError"), std::string::npos) << r.reason;
  EXPECT_NE(r.reason.find("'twice'"), std::string::npos) << "the parser's message names the identifier: " << r.reason;
  EXPECT_NE(r.reason.find("events seen: ready"), std::string::npos) << r.reason;
  EXPECT_LT(r.seconds, 15.0) << "must not wait out the 60 s";
}

TEST(ScenarioTimeout, WaitEndsAtTheScenarioDeadline) {
  // The page waits longer than the scenario's 3 s.
  ScenarioResult r = run_scenario(waits_for_never("waits-too-long", "/idle.html"), settings(3s));
  EXPECT_EQ(ScenarioStatus::kFailed, r.status);
  EXPECT_NE(r.reason.find("scenario timeout reached"), std::string::npos) << r.reason;
  EXPECT_NE(r.reason.find("'never'"), std::string::npos) << r.reason;
  EXPECT_LT(r.seconds, 6.0);
  EXPECT_FALSE(r.browser_stderr_tail.empty()) << "a failure keeps the browser's stderr";
  for (int g : r.browser_process_groups) EXPECT_TRUE(live_browsers::processes_in_group(g).empty());
}

TEST(ScenarioRetries, FailingScenarioIsRetried) {
  int runs = 0;
  Scenario sc;
  sc.name = "flaky";
  sc.suite = "test";
  sc.run = [&runs](ScenarioContext& ctx) {
    if (++runs < 2) ctx.fail("first attempt fails");
  };
  ScenarioResult r = run_scenario(sc, settings(5s), 2);
  EXPECT_EQ(ScenarioStatus::kPassed, r.status) << r.reason;
  EXPECT_EQ(2, r.attempts);
  EXPECT_EQ(2, runs);
}

}  // namespace
}  // namespace lantern::rig
