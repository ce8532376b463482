// faults-renderer-crash: the page's renderer is crashed (CDP Page.crash)
// while the scenario waits for an event the page will never send. The wait
// must end at once with a reason that says the renderer crashed (not at its
// timeout), the browser must stay usable (a new page loads and reports), and
// it must shut down cleanly afterwards.
#include "cdp/page_domain.h"
#include "scenarios/builtin_scenarios.h"
#include "scenarios/scenario_context.h"

namespace lantern::rig {

using namespace std::chrono_literals;

Scenario make_faults_renderer_crash_scenario() {
  Scenario s;
  s.name = "faults-renderer-crash";
  s.suite = "faults";
  s.description = "Page.crash mid-wait: reported at once as a renderer crash, the browser survives and closes cleanly";
  s.run = [](ScenarioContext& ctx) {
    ctx.start_server();
    Browser& browser = ctx.launch_browser();
    ScenarioPage& page = ctx.open_page(browser, "/idle.html");
    page.wait_for_event("ready", ctx.budget(10s, "idle page"));
    ctx.after(300ms, [&ctx, &page] {
      ctx.log("crashing the renderer (Page.crash)");
      try {
        cdp::page::crash(page.session(), 5s);
      } catch (const std::exception& e) {
        ctx.log(std::string("Page.crash: ") + e.what());
      }
    });
    const auto t0 = ScenarioContext::Clock::now();
    std::string reason;
    try {
      page.wait_for_event("never", ctx.budget(30s, "the crash"));  // nothing sends it
    } catch (const ScenarioFailure& e) {
      reason = e.what();
    }
    const double waited_ms = ctx.elapsed_ms(ScenarioContext::Clock::now()) - ctx.elapsed_ms(t0);
    ctx.log("the wait ended after " + std::to_string(waited_ms) + " ms: " + reason);
    ctx.metric("crash_reported_ms", waited_ms);
    ctx.expect(reason.find("renderer crashed") != std::string::npos, "the wait to say the renderer crashed, got: " + reason);
    ctx.expect(waited_ms < 10000, "the crash to end the wait within 10 s, took " + std::to_string(waited_ms) + " ms");

    ScenarioPage& again = ctx.open_page(browser, "/idle.html");
    again.wait_for_event("ready", ctx.budget(10s, "a new page after the crash"));
    ctx.expect(ctx.close_browser(browser), "the browser to close cleanly after a renderer crash");
  };
  return s;
}

}  // namespace lantern::rig
