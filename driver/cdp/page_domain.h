// CDP Page domain: navigation that waits for the load event, lifecycle
// events, screenshots, and a renderer crash on demand.
#pragma once

#include <chrono>
#include <string>

#include "cdp/cdp_connection.h"

namespace lantern::rig::cdp::page {

void enable(const CdpSession& session);
// Page.lifecycleEvent (init, DOMContentLoaded, load, networkIdle, ...).
void set_lifecycle_events_enabled(const CdpSession& session, bool enabled);

struct NavigateResult {
  std::string frame_id;
  std::string loader_id;
};
// Navigates and waits for Page.loadEventFired (Page must be enabled). A
// navigation error (unreachable host, bad URL) throws CdpException with the
// browser's errorText; no load event within `timeout` throws CdpTimeout.
NavigateResult navigate(const CdpSession& session, const std::string& url, std::chrono::milliseconds timeout);

// The lifecycle event name of a Page.lifecycleEvent, or "" for other events.
std::string lifecycle_event_name(const CdpEvent& event);

// PNG bytes of the current viewport.
std::string capture_screenshot_png(const CdpSession& session, std::chrono::milliseconds timeout);

// Crashes the renderer (Page.crash) and waits for Inspector.targetCrashed.
void crash(const CdpSession& session, std::chrono::milliseconds timeout);

// Decodes standard base64 (screenshots); throws std::invalid_argument.
std::string base64_decode(const std::string& text);

}  // namespace lantern::rig::cdp::page
