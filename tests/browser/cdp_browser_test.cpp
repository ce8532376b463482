// The CDP client against real headless Chromium: version, isolated contexts,
// flattened sessions, navigation, evaluate (values, promises, exceptions),
// bindings, console events, a multi-MB screenshot, performance metrics, a
// renderer crash, and clean vs killed shutdown leaving no process behind.
#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <thread>

#include "browser/browser.h"
#include "browser/live_browsers.h"
#include "cdp/browser_domain.h"
#include "cdp/cdp_event_queue.h"
#include "cdp/page_domain.h"
#include "cdp/performance_domain.h"
#include "cdp/runtime_domain.h"
#include "cdp/target_domain.h"

namespace lantern::rig {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using nlohmann::json;

LaunchOptions headless_shell() {
  std::string error;
  auto b = resolve_browser("headless-shell", &error);
  if (!b) throw std::runtime_error(error);
  LaunchOptions o;
  o.executable = b->path;
  return o;
}

struct PageFixture : ::testing::Test {
  void SetUp() override {
    browser = Browser::launch(headless_shell());
    context_id = cdp::target::create_browser_context(browser->cdp());
    target_id = cdp::target::create_target(browser->cdp(), "about:blank", context_id);
    session = std::make_unique<CdpSession>(browser->cdp(), cdp::target::attach_to_target(browser->cdp(), target_id));
    cdp::page::enable(*session);
    cdp::runtime::enable(*session);
  }
  void TearDown() override {
    pid_t pgid = browser->process().pid();
    session.reset();
    browser.reset();
    EXPECT_TRUE(live_browsers::processes_in_group(pgid).empty()) << "browser processes left behind";
    EXPECT_EQ(0u, live_browsers::count());
  }
  std::unique_ptr<Browser> browser;
  std::string context_id, target_id;
  std::unique_ptr<CdpSession> session;
};

TEST_F(PageFixture, VersionAndEvaluate) {
  auto v = cdp::browser::get_version(browser->cdp());
  EXPECT_NE(v.product.find("Chrome"), std::string::npos) << v.product;
  EXPECT_EQ(2, cdp::runtime::evaluate(*session, "1 + 1").get<int>());
  EXPECT_EQ("done", cdp::runtime::evaluate(*session, "new Promise(r => setTimeout(() => r('done'), 50))"));
  auto obj = cdp::runtime::evaluate(*session, "({a: [1, 2], b: 'x'})");
  EXPECT_EQ(json({{"a", {1, 2}}, {"b", "x"}}), obj);
}

TEST_F(PageFixture, JsExceptionsCarryTheMessage) {
  try {
    cdp::runtime::evaluate(*session, "nosuchvariable.x");
    FAIL() << "expected JsException";
  } catch (const JsException& e) {
    EXPECT_NE(e.js_message().find("nosuchvariable is not defined"), std::string::npos) << e.what();
  }
  try {
    cdp::runtime::evaluate(*session, "Promise.reject(new Error('async nope'))");
    FAIL() << "expected JsException";
  } catch (const JsException& e) {
    EXPECT_NE(e.js_message().find("async nope"), std::string::npos) << e.what();
  }
}

TEST_F(PageFixture, BindingAndConsoleEventsArriveOnTheSession) {
  CdpEventQueue bindings(browser->cdp(), "Runtime.bindingCalled", session->id());
  CdpEventQueue console(browser->cdp(), "Runtime.consoleAPICalled", session->id());
  cdp::runtime::add_binding(*session, "__lanternEvent");
  cdp::runtime::evaluate(*session, "__lanternEvent(JSON.stringify({name: 'hello', n: 3})); console.error('bad', 42);");
  auto call = cdp::runtime::parse_binding_called(bindings.wait(5s));
  EXPECT_EQ("__lanternEvent", call.name);
  EXPECT_EQ(json({{"name", "hello"}, {"n", 3}}), json::parse(call.payload));
  auto msg = cdp::runtime::parse_console_api_called(console.wait(5s));
  EXPECT_EQ("error", msg.type);
  EXPECT_EQ("bad 42", msg.text);
}

TEST_F(PageFixture, NavigateWaitsForLoadAndReportsErrors) {
  cdp::page::navigate(*session, "data:text/html,<title>t</title><p id=p>loaded</p>", 10s);
  EXPECT_EQ("loaded", cdp::runtime::evaluate(*session, "document.getElementById('p').textContent"));
  // Port 9 on loopback: nothing listens (a closed port, never leaves the machine).
  try {
    cdp::page::navigate(*session, "http://127.0.0.1:9/", 10s);
    FAIL() << "expected a navigation error";
  } catch (const CdpException& e) {
    EXPECT_NE(std::string(e.what()).find("ERR_"), std::string::npos) << e.what();
  }
}

TEST_F(PageFixture, LargeScreenshotIsReassembled) {
  session->call("Emulation.setDeviceMetricsOverride",
                {{"width", 1600}, {"height", 1200}, {"deviceScaleFactor", 1}, {"mobile", false}});
  // Noise compresses badly, so the PNG (and its base64 message) is several MB.
  cdp::runtime::evaluate(*session, R"(
    const c = document.createElement('canvas'); c.width = 1600; c.height = 1200;
    document.body.style.margin = 0; document.body.appendChild(c);
    const g = c.getContext('2d'); const img = g.createImageData(1600, 1200);
    let s = 12345; for (let i = 0; i < img.data.length; i++) { s = (Math.imul(s, 1103515245) + 12345) >>> 0; img.data[i] = s >>> 24; }
    for (let i = 3; i < img.data.length; i += 4) img.data[i] = 255;
    g.putImageData(img, 0, 0);)");
  std::string png = cdp::page::capture_screenshot_png(*session, 30s);
  ASSERT_GT(png.size(), 2u * 1024 * 1024) << "expected a multi-MB screenshot";
  EXPECT_EQ(std::string("\x89PNG\r\n\x1a\n", 8), png.substr(0, 8));
}

TEST_F(PageFixture, PerformanceMetrics) {
  cdp::performance::enable(*session);
  auto m = cdp::performance::get_metrics(*session);
  EXPECT_GT(m["JSHeapUsedSize"], 0);
  EXPECT_TRUE(m.count("Nodes"));
}

TEST_F(PageFixture, RendererCrashIsReported) {
  cdp::page::crash(*session, 10s);
  // The browser itself survives a renderer crash.
  EXPECT_NO_THROW(cdp::browser::get_version(browser->cdp()));
}

TEST(BrowserShutdown, BrowserCloseIsCleanAndLeavesNothing) {
  auto browser = Browser::launch(headless_shell());
  pid_t pgid = browser->process().pid();
  EXPECT_GE(live_browsers::processes_in_group(pgid).size(), 2u) << "expected zygote/GPU children in the group";
  auto t0 = Clock::now();
  EXPECT_TRUE(browser->close()) << "Browser.close should end the process by itself";
  EXPECT_LT(Clock::now() - t0, 5s);
  EXPECT_TRUE(live_browsers::processes_in_group(pgid).empty());
  EXPECT_EQ(0u, live_browsers::count());
}

TEST(BrowserShutdown, KilledBrowserFailsPendingCallPromptly) {
  auto browser = Browser::launch(headless_shell());
  pid_t pgid = browser->process().pid();
  std::thread killer([&] {
    std::this_thread::sleep_for(300ms);
    browser->kill();
  });
  auto t0 = Clock::now();
  CdpSession browser_session(browser->cdp(), "");
  try {
    // A page that never answers: the call must end when the socket closes.
    std::string target = cdp::target::create_target(browser->cdp(), "about:blank");
    CdpSession s(browser->cdp(), cdp::target::attach_to_target(browser->cdp(), target));
    cdp::runtime::evaluate(s, "new Promise(() => {})", {true, true, 30s});
    ADD_FAILURE() << "evaluate should fail when the browser dies";
  } catch (const CdpConnectionClosed& e) {
    EXPECT_NE(std::string(e.what()).find("connection closed"), std::string::npos) << e.what();
  }
  killer.join();
  EXPECT_LT(Clock::now() - t0, 5s) << "must fail well before the 30 s timeout";
  EXPECT_FALSE(browser->close()) << "a killed browser is not a clean shutdown";
  EXPECT_NE(browser->process().exit_description().find("SIGKILL"), std::string::npos)
      << browser->process().exit_description();
  EXPECT_TRUE(live_browsers::processes_in_group(pgid).empty());
  EXPECT_EQ(0u, live_browsers::count());
}

}  // namespace
}  // namespace lantern::rig
