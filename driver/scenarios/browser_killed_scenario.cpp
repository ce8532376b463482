// browser-killed (self-test): the browser is SIGKILLed while the scenario
// waits for a page event. The scenario must fail with a clear reason long
// before its timeout, and no browser process may remain. The runner turns
// that expected failure into a pass (Scenario::expect_failure_containing).
#include "scenarios/builtin_scenarios.h"
#include "scenarios/scenario_context.h"

namespace lantern::rig {

using namespace std::chrono_literals;

Scenario make_browser_killed_scenario() {
  Scenario s;
  s.name = "browser-killed";
  s.suite = "selftest";
  s.description = "kill the browser mid-scenario: fails fast with a clear reason, leaves no process";
  s.expect_failure_containing = "browser connection closed while waiting for page event 'never'";
  s.run = [](ScenarioContext& ctx) {
    ctx.start_server();
    Browser& browser = ctx.launch_browser();
    ScenarioPage& page = ctx.open_page(browser, "/idle.html");
    page.wait_for_event("ready", 10s);
    ctx.after(300ms, [&ctx, &browser] {
      ctx.log("killing the browser's process group (SIGKILL)");
      browser.kill();
    });
    // Nothing ever sends 'never': only the dead socket can end this wait.
    page.wait_for_event("never", 60s);
  };
  return s;
}

}  // namespace lantern::rig
