#include "cdp/page_domain.h"

#include <stdexcept>

#include "cdp/cdp_event_queue.h"

namespace lantern::rig::cdp::page {

using nlohmann::json;

void enable(const CdpSession& session) { session.call("Page.enable"); }

void set_lifecycle_events_enabled(const CdpSession& session, bool enabled) {
  session.call("Page.setLifecycleEventsEnabled", {{"enabled", enabled}});
}

NavigateResult navigate(const CdpSession& session, const std::string& url, std::chrono::milliseconds timeout) {
  const auto start = std::chrono::steady_clock::now();
  CdpEventQueue loads(session.connection(), "Page.loadEventFired", session.id());
  auto r = session.call("Page.navigate", {{"url", url}}, timeout);
  if (auto err = r.find("errorText"); err != r.end() && err->is_string() && !err->get<std::string>().empty())
    throw CdpException("Page.navigate", "Page.navigate to " + url + " failed: " + err->get<std::string>());
  NavigateResult result{r.value("frameId", ""), r.value("loaderId", "")};
  auto left = timeout - std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
  try {
    loads.wait(std::max(left, std::chrono::milliseconds(1)));
  } catch (const CdpTimeout&) {
    throw CdpTimeout("Page.navigate", timeout, "loading " + url + " (no load event)");
  }
  return result;
}

std::string lifecycle_event_name(const CdpEvent& event) {
  if (event.method != "Page.lifecycleEvent") return "";
  return event.params.value("name", "");
}

std::string capture_screenshot_png(const CdpSession& session, std::chrono::milliseconds timeout) {
  auto r = session.call("Page.captureScreenshot", {{"format", "png"}}, timeout);
  auto data = r.find("data");
  if (data == r.end() || !data->is_string())
    throw CdpException("Page.captureScreenshot", "Page.captureScreenshot reply has no data");
  return base64_decode(data->get<std::string>());
}

void crash(const CdpSession& session, std::chrono::milliseconds timeout) {
  CdpEventQueue crashed(session.connection(), "Inspector.targetCrashed", session.id());
  session.call("Inspector.enable");
  // The renderer dies before it can answer, so nobody waits for the reply.
  if (!session.connection().send_only("Page.crash", json::object(), session.id()))
    throw CdpConnectionClosed("Page.crash", session.connection().close_reason());
  crashed.wait(timeout);
}

std::string base64_decode(const std::string& text) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  std::string out;
  out.reserve(text.size() / 4 * 3);
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    if (c == '=') break;
    if (c == '\n' || c == '\r') continue;
    int v = value(c);
    if (v < 0) throw std::invalid_argument("invalid base64 character");
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  return out;
}

}  // namespace lantern::rig::cdp::page
