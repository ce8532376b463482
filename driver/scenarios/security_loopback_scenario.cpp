// security-loopback: nothing the rig starts listens beyond loopback. While a
// browser runs, the DevTools port it chose (DevToolsActivePort) and the rig's
// HTTP server port are each listening, and only on 127.0.0.1 / ::1, read
// from the kernel's socket tables (/proc/net/tcp, tcp6). A flag that would
// move the DevTools port off loopback is refused (unit test
// ChromiumFlags.RemoteDebuggingStaysOnLoopback).
#include "scenarios/builtin_scenarios.h"
#include "scenarios/listening_sockets.h"
#include "scenarios/scenario_context.h"

namespace lantern::rig {

using namespace std::chrono_literals;

namespace {

void expect_loopback_only(ScenarioContext& ctx, uint16_t port, const std::string& what) {
  const std::vector<std::string> addrs = listening_addresses(port);
  std::string list;
  for (const auto& a : addrs) list += (list.empty() ? "" : ", ") + a;
  ctx.log(what + " port " + std::to_string(port) + " listens on: " + list);
  ctx.expect(!addrs.empty(), what + " port " + std::to_string(port) + " to be listening");
  for (const auto& a : addrs) ctx.expect(is_loopback_address(a), what + " to listen on loopback only, found " + a);
}

}  // namespace

Scenario make_security_loopback_scenario() {
  Scenario s;
  s.name = "security-loopback";
  s.suite = "faults";
  s.description = "the DevTools port and the rig's server listen on loopback only (kernel socket tables)";
  s.run = [](ScenarioContext& ctx) {
    ctx.start_server();
    Browser& browser = ctx.launch_browser();
    ScenarioPage& page = ctx.open_page(browser, "/idle.html");
    page.wait_for_event("ready", ctx.budget(10s, "idle page"));
    expect_loopback_only(ctx, browser.process().endpoint().port, "the browser's DevTools");
    const std::string origin = ctx.origin();
    const uint16_t server_port = static_cast<uint16_t>(std::stoi(origin.substr(origin.rfind(':') + 1)));
    expect_loopback_only(ctx, server_port, "the rig's HTTP server");
  };
  return s;
}

}  // namespace lantern::rig
